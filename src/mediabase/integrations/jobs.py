"""The ``integrations.process`` job: the worker's half of an incoming webhook.

The webhook stored the event and enqueued this job in one transaction; the handler hands the
event to its provider's adapter, which does the work and marks the event processed (or ignored)
in the transaction of the work itself. Run again (a retry, a second worker), an event that is
done already is left alone. A failure a retry cannot fix (a malformed recording, a transcript
that does not parse, a refused file) marks the event failed with its reason and fails the job
for good; others (the network, the database, the key not set on this worker) are retried, and
mark the event failed on the last attempt. This module is one of mediabase.wiring.WORKER_MODULES.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from uuid import UUID

from mediabase.common.errors import MediabaseError, Unavailable
from mediabase.db.connection import Database
from mediabase.db.rows import fetch_one_or_404
from mediabase.identity.models import Principal, Role
from mediabase.integrations.crypto import KeyProblem, Keyring
from mediabase.integrations.fetch import FetchError
from mediabase.integrations.importer import finish_event
from mediabase.integrations.models import EventStatus
from mediabase.integrations.providers import ADAPTERS, EventWork
from mediabase.integrations.service import Q
from mediabase.integrations.settings import IntegrationSettings
from mediabase.integrations.webhooks import JOB_TYPE, event_aad
from mediabase.integrations.zoom import FeedError
from mediabase.jobs import JobContext, PermanentError, register

log = logging.getLogger("mediabase.integrations")


async def acting_principal(system: Database, org: UUID, connected_by: UUID | None) -> Principal:
    """Who an event's import acts as: the member who connected the account (with their role
    now), or, once they left, the organization's first OWNER."""
    async with system.transaction(org, readonly=True) as conn:
        row = await fetch_one_or_404(conn, Q.acting_member, {"org": org, "user_id": connected_by},
                                     "a member to import as")
    return Principal(organization_id=org, user_id=row["user_id"], role=Role(row["role"]))


async def process_event(system: Database, org: UUID, event_id: UUID, *, last_attempt: bool = True,
                        settings: IntegrationSettings | None = None) -> dict[str, Any]:
    """Process one stored event (see the module's docstring); what the adapter returns."""
    async with system.transaction(org, readonly=True) as conn:
        event = await (await conn.execute(Q.event_to_process, {"org": org, "id": event_id})).fetchone()
    if event is None:
        raise PermanentError(f"integration event {event_id} is not there (its account was removed?)", code="gone")
    if event["status"] != EventStatus.received.value:
        return {"already": event["status"]}
    adapter = ADAPTERS.get(event["provider"])
    try:
        if adapter is None:
            raise FeedError([f"provider {event['provider']!r} has no adapter here"])
        secrets: dict[str, Any] = {}
        if event["secrets_enc"] is not None:
            secrets = json.loads(Keyring.from_settings(settings).open(
                event["secrets_key_id"], bytes(event["secrets_enc"]),
                event_aad(org, event["provider"], event["delivery_id"]),
                what=f"the sealed fields of integration event {event_id}"))
        principal = await acting_principal(system, org, event["connected_by"])
        work = EventWork(system=system, principal=principal, account_id=event["account_id"], event_id=event_id,
                         event_type=event["event_type"], payload=event["payload"], secrets=secrets,
                         settings=settings or IntegrationSettings())
        return await adapter.process(work)
    except (FeedError, FetchError, MediabaseError) as exc:
        retryable = isinstance(exc, KeyProblem | Unavailable) or (isinstance(exc, FetchError) and exc.retryable)
        if retryable and not last_attempt:
            raise
        async with system.transaction(org) as conn:
            await finish_event(conn, org, event_id, EventStatus.failed.value, error=str(exc))
            if isinstance(exc, FetchError) and exc.status in (401, 403):  # the credentials are refused
                await conn.execute(Q.set_status, {"org": org, "id": event["account_id"], "status": "error",
                                                  "detail": f"the provider refused a download ({exc.status})"})
        log.warning("integration event %s failed: %s", event_id, type(exc).__name__,
                    extra={"event_id": str(event_id), "provider": event["provider"]})
        raise PermanentError(str(exc)[:2000], code="integration_event_failed") from exc


@register(JOB_TYPE, timeout=1800)
async def handle_process(ctx: JobContext) -> dict[str, Any]:
    raw = ctx.job.input.get("event_id") if isinstance(ctx.job.input, dict) else None
    try:
        event_id = UUID(str(raw))
    except ValueError as exc:
        raise PermanentError(f"input.event_id is not a UUID: {raw!r}", code="bad_input") from exc
    await ctx.progress(5, "running")
    system = await ctx.db.as_system()
    return await process_event(system, ctx.org_id, event_id, last_attempt=ctx.job.retry_count >= ctx.job.max_retries)
