"""Standard Webhooks pieces that need no database (https://www.standardwebhooks.com):
secrets, the message body, the headers, and which URLs may receive.

The signature itself is made in SQL (``mediabase.webhook_sign``, 0037) by a function that reads
the secret as the owner: the application role, and so the worker, never holds it.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from mediabase.common.errors import Invalid
from mediabase.webhooks.egress import literal, refusal
from mediabase.webhooks.settings import WebhookSettings

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
SECRET_BYTES = 32  # the spec allows 24 to 64; the column 24 to 32
USER_AGENT = "mediabase-webhooks/1"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def message(*, event_id: Any, organization_id: Any, type: str, subject_type: str, subject_id: Any,
            data: dict[str, Any], actor_id: Any, occurred_at: datetime) -> str:
    """The JSON body of an event's request: ``{"type", "timestamp", "data"}`` (the spec's
    payload shape); ``data`` carries the event's ids and its own small payload. The same event
    gives the same bytes on every attempt."""
    ts = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    body = {
        "type": type,
        "timestamp": ts,
        "data": {
            "id": str(event_id),
            "organization_id": str(organization_id),
            "subject_type": subject_type,
            "subject_id": str(subject_id),
            "actor_id": str(actor_id) if actor_id is not None else None,
            "occurred_at": ts,
            "data": data,
        },
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=False)


def headers(msg_id: str, timestamp: int, signature: str) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature,
    }


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, s: WebhookSettings) -> str:
    """``url`` if an endpoint may have it, else Invalid naming the field: https:// only (plain
    http:// to a loopback host when the setting allows it), a host, no user or password (they
    would be shown in every answer), no fragment, and not a literal address (or localhost) that
    deliveries may not go to (webhooks/egress.py; names are checked when they are resolved)."""
    allow_http_loopback = s.allow_http_loopback
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Invalid(f"not a URL: {exc}", field="url") from exc
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid("an endpoint URL is https://host/path", field="url")
    if parts.scheme == "http" and not (allow_http_loopback and is_loopback(host)):
        raise Invalid("an endpoint URL must be https:// (plain http:// only to a loopback host, and only with"
                      " MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK=true)", field="url")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise Invalid("an endpoint URL may not hold a user or password", field="url")
    if parts.fragment or "#" in url:
        raise Invalid("an endpoint URL has no #fragment", field="url")
    ip = literal(host)
    if ip is not None and (why := refusal(ip, s)) is not None:
        raise Invalid(f"an endpoint URL may not point there: {why}", field="url")
    if ip is None and is_loopback(host) and not allow_http_loopback:
        raise Invalid(f"an endpoint URL may not point there: {host} is the loopback"
                      " (MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK=true allows it)", field="url")
    if port == 0:
        raise Invalid("an endpoint URL's port is 1 to 65535", field="url")
    if any(c.isspace() for c in url):
        raise Invalid("an endpoint URL has no spaces", field="url")
    return url
