"""The event outbox: what happened, written in the transaction that made it happen.

Triggers write the built-in types (video.created, video.transcribed, comment.created …); a
service writes its own with :func:`emit`. The worker's dispatcher hands each committed event
once to the subscribers that domains register with :func:`subscriber` (webhook deliveries,
workflow runs). See docs/events.md.
"""

from mediabase.db.errors import Invalid, register_constraint
from mediabase.events.dispatch import dispatch, dispatch_organization, subscriber, subscribers, unsubscribe
from mediabase.events.models import Event, EventType
from mediabase.events.service import check_types, emit, get_event, list_events, list_types

for _name, _message, _field in (
    ("events_type_fk", "unknown event type (mediabase events types lists them)", "type"),
    ("events_subject_type_format", "a subject type is a lowercase word", "subject_type"),
    ("events_data_shape", "an event's data is a JSON object of at most 64 KiB", "data"),
):
    register_constraint(_name, Invalid, _message, field=_field)

__all__ = [
    "Event",
    "EventType",
    "check_types",
    "dispatch",
    "dispatch_organization",
    "emit",
    "get_event",
    "list_events",
    "list_types",
    "subscriber",
    "subscribers",
    "unsubscribe",
]
