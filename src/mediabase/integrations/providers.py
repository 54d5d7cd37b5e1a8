"""The seam a provider plugs into: an :class:`Adapter` that receives the provider's webhooks
(verify, parse, answer challenges) and processes the stored events (in the worker). Adding a
provider is docs/integrations.md's "Adding a provider": an adapter here, its name in ADAPTERS,
the Provider enum and the accounts' CHECK list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from pydantic import TypeAdapter, ValidationError

from mediabase.common.errors import Invalid
from mediabase.common.types import JsonObject
from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.integrations import zoom
from mediabase.integrations.fetch import Fetcher
from mediabase.integrations.importer import finish_event, import_recordings
from mediabase.integrations.service import open_secrets
from mediabase.integrations.settings import IntegrationSettings
from mediabase.integrations.zoom import FeedError, FeedRecording, recordings_of

_JSON_OBJECT: TypeAdapter[dict[str, Any]] = TypeAdapter(JsonObject)


@dataclass(frozen=True, slots=True)
class Delivery:
    """A verified webhook: what to store, or (``answer``) what to answer instead of storing."""

    delivery_id: str = ""
    event_type: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    """Stored and shown: the body without its secret fields."""
    secrets: dict[str, Any] | None = field(default=None, repr=False)
    """The body's secret fields, sealed apart."""
    answer: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class EventWork:
    """What the worker hands an adapter: the stored event, in clear, and who imports act as."""

    system: Database
    principal: Principal
    account_id: UUID
    event_id: UUID
    event_type: str
    payload: dict[str, Any]
    secrets: dict[str, Any] = field(repr=False)
    settings: IntegrationSettings


class Adapter(Protocol):
    name: str

    def receive(self, secret: str, headers: Mapping[str, str], body: bytes, *, now: float,
                tolerance: int) -> Delivery:
        """Verify the signature (Unauthorized), parse the body (Invalid, naming the field)."""
        ...

    async def process(self, work: EventWork) -> dict[str, Any]:
        """Do what the event asks and mark it done (:func:`finish_event`), in the same transaction
        as the work where there is one. Raise for a failure (the caller marks it failed)."""
        ...


def body_json(body: bytes) -> dict[str, Any]:
    """The body as a JSON object PostgreSQL can store (no NUL, no lone surrogate), or Invalid."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Invalid(f"the body is not JSON: {exc}", field="body") from None
    if not isinstance(value, dict):
        raise Invalid("the body must be a JSON object", field="body")
    try:
        return _JSON_OBJECT.validate_python(value)
    except ValidationError as exc:
        raise Invalid(f"the body cannot be stored: {exc.errors()[0]['msg']}", field="body") from None


class ZoomAdapter:
    name = zoom.NAME

    def receive(self, secret: str, headers: Mapping[str, str], body: bytes, *, now: float,
                tolerance: int) -> Delivery:
        zoom.verify(secret, headers, body, now=now, tolerance=tolerance)
        payload = body_json(body)
        event = payload.get("event")
        if not isinstance(event, str) or not event.isascii() or not 1 <= len(event) <= 200 or not event.isprintable():
            raise Invalid("event: a string naming the event (e.g. recording.completed)", field="event")
        if event == zoom.URL_VALIDATION:
            return Delivery(answer=zoom.url_validation(secret, payload))
        if event in zoom.RECORDING_EVENTS:  # a malformed recording is refused now, not in the worker
            bad = [item for item in recordings_of(payload, "body") if isinstance(item, str)]
            if bad:
                raise Invalid(bad[0], field=bad[0].split(": ")[1] if ": " in bad[0] else "body")
        secrets: dict[str, Any] = {}
        for holder, prefix in ((payload, ""), (payload.get("payload"), "payload.")):
            if isinstance(holder, dict):
                for name in zoom.SECRET_FIELDS:
                    if name in holder:
                        secrets[prefix + name] = holder.pop(name)
        # Zoom's deliveries carry no event id: a re-delivery is the same body
        return Delivery(delivery_id="sha256:" + hashlib.sha256(body).hexdigest(), event_type=event,
                        payload=payload, secrets=secrets or None)

    async def process(self, work: EventWork) -> dict[str, Any]:
        if work.event_type not in zoom.RECORDING_EVENTS:
            async with work.system.transaction(work.principal.organization_id) as conn:
                result = {"ignored": f"{work.event_type} is not a recording event"}
                await finish_event(conn, work.principal.organization_id, work.event_id, "ignored", result=result)
            return result
        body = dict(work.payload)
        token = work.secrets.get("download_token") or work.secrets.get("payload.download_token")
        items: list[FeedRecording] = []
        for item in recordings_of(body, f"event {work.event_id}"):
            if isinstance(item, str):
                raise FeedError([item])
            items.append(item)
        s = work.settings
        hosts = (*zoom.DOWNLOAD_HOSTS, *s.extra_hosts())
        bearer = None
        if token is None and any((f.download_url or "").startswith("https:") for i in items
                                 for f in i.recording.recording_files):
            bearer = (await open_secrets(work.system, work.principal.organization_id, work.account_id)).access_token
        fetcher = Fetcher.remote(s.file_root, hosts, bearer=bearer, download_token=token,
                                 max_bytes=s.max_download_bytes, timeout=s.download_timeout)
        report = await import_recordings(work.system, work.principal, work.account_id, items, fetcher,
                                         provider=self.name, event_id=work.event_id)
        return report.model_dump(mode="json")


ADAPTERS: dict[str, Adapter] = {zoom.NAME: ZoomAdapter()}
