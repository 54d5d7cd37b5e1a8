"""Viewing analytics (docs/analytics.md): raw view and watch events, rollups built from them by jobs.

The Python API: :func:`ingest` (a batch of events, COPY), :func:`refresh` and :func:`rebuild`
(the rollups), and the read-only reports in :mod:`mediabase.analytics.reports`.
"""

from mediabase.analytics.ingest import ingest
from mediabase.analytics.models import RawEvent, ViewEventIn
from mediabase.analytics.rollups import rebuild, refresh
from mediabase.db.errors import Invalid, register_constraint

for _name, _field, _message in (
    ("view_events_kind_valid", "kind", "kind must be view or watch"),
    ("view_events_one_subject", "video_id", "exactly one of video_id, scene_id and master_id"),
    ("view_events_one_viewer", "user_id", "exactly one of user_id and anonymous_id"),
    ("view_events_range_when_watch", "start_ms", "a watch event has start_ms and end_ms, a view event neither"),
    ("view_events_range_valid", "end_ms", "end_ms must be greater than start_ms, start_ms 0 or more"),
    ("view_events_range_in_duration", "end_ms", "end_ms lies beyond the end of the subject"),
    ("view_events_client_format", "client", "client: 1 to 100 printable ASCII characters"),
    ("view_events_video_fk", "video_id", "no such video in this organization"),
    ("view_events_scene_fk", "scene_id", "no such story scene in this organization"),
    ("view_events_master_fk", "master_id", "no such music master in this organization"),
):
    register_constraint(_name, Invalid, _message, field=_field)

__all__ = ["RawEvent", "ViewEventIn", "ingest", "rebuild", "refresh"]
