"""Outgoing webhooks (docs/webhooks.md): endpoints per organization, one delivery per (endpoint,
event) made from the event outbox, each attempt a job, signed in the Standard Webhooks format by
the database (the application role never reads a secret), retried with backoff, dead after its
attempts, an endpoint disabled after too many failures in a row.

:func:`deliver_event` is the stable entry for other domains (workflows): deliver one event to
one endpoint in the caller's transaction.
"""

from mediabase.db.errors import Invalid, NotFound, register_constraint
from mediabase.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryDetail,
    DeliveryStatus,
    Endpoint,
    EndpointCreate,
    EndpointDisable,
    EndpointUpdate,
    EndpointWithSecret,
)
from mediabase.webhooks.service import (
    JOB_TYPE,
    TEST_TYPE,
    create_endpoint,
    delete_endpoint,
    deliver_event,
    get_delivery,
    get_endpoint,
    list_deliveries,
    list_endpoints,
    redeliver,
    rotate_secret,
    send_test,
    set_disabled,
    update_endpoint,
)
from mediabase.webhooks.settings import WebhookSettings

for _name, _message, _field in (
    ("webhook_endpoints_url_format", "an endpoint URL is https://host/path (no spaces, user or fragment)"
     " of at most 2000 characters", "url"),
    ("webhook_endpoints_description_length", "a description has at most 500 characters", "description"),
    ("webhook_endpoints_secret_format", "a signing secret is whsec_ and the base64 of 24 to 32 bytes", "secret"),
    ("webhook_endpoints_previous_secret_format", "a signing secret is whsec_ and the base64 of 24 to 32 bytes",
     "secret"),
    ("webhook_endpoints_disabled_reason_length", "a reason has at most 500 characters", "reason"),
    ("webhook_endpoints_disabled_reason_given", "a disabled endpoint has a reason, an enabled one none", "reason"),
    ("webhook_endpoints_previous_secret_expiry", "a previous secret has an expiry", "secret"),
    ("webhook_endpoints_consecutive_failures_range", "consecutive_failures is not negative", "consecutive_failures"),
    ("webhook_endpoint_types_type_fk", "unknown event type (mediabase events types lists them)", "event_types"),
    ("webhook_deliveries_status_valid", "a delivery is pending, delivered or dead", "status"),
    ("webhook_deliveries_attempts_range", "attempts is not negative", "attempts"),
    ("webhook_deliveries_max_attempts_range", "max_attempts is 1 to 100000", "max_attempts"),
    ("webhook_deliveries_last_status_code_range", "an HTTP status code is 100 to 599", "status_code"),
    ("webhook_deliveries_last_error_length", "an error text has at most 1000 characters", "error"),
    ("webhook_deliveries_delivered_when", "a delivered delivery has delivered_at, no other", "status"),
    ("webhook_deliveries_dead_when", "a dead delivery has dead_at, no other", "status"),
    ("webhook_deliveries_pending_when", "a pending delivery has next_attempt_at, no other", "status"),
    ("webhook_attempts_attempt_range", "an attempt number starts at 1", "attempt"),
    ("webhook_attempts_duration_range", "a duration is not negative", "duration_ms"),
    ("webhook_attempts_status_code_range", "an HTTP status code is 100 to 599", "status_code"),
    ("webhook_attempts_error_length", "an error text has at most 1000 characters", "error"),
    ("webhook_attempts_ok_means_2xx", "a successful attempt has a 2xx status", "ok"),
):
    register_constraint(_name, Invalid, _message, field=_field)
for _name, _message, _field in (
    ("webhook_deliveries_endpoint_fk", "webhook endpoint not found", "endpoint_id"),
    ("webhook_deliveries_event_fk", "event not found", "event_id"),
    ("webhook_endpoint_types_endpoint_fk", "webhook endpoint not found", "endpoint_id"),
    ("webhook_attempts_delivery_fk", "webhook delivery not found", "delivery_id"),
):
    register_constraint(_name, NotFound, _message, field=_field)

__all__ = [
    "JOB_TYPE",
    "TEST_TYPE",
    "Attempt",
    "Delivery",
    "DeliveryDetail",
    "DeliveryStatus",
    "Endpoint",
    "EndpointCreate",
    "EndpointDisable",
    "EndpointUpdate",
    "EndpointWithSecret",
    "WebhookSettings",
    "create_endpoint",
    "delete_endpoint",
    "deliver_event",
    "get_delivery",
    "get_endpoint",
    "list_deliveries",
    "list_endpoints",
    "redeliver",
    "rotate_secret",
    "send_test",
    "set_disabled",
    "update_endpoint",
]
