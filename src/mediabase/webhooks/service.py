"""Endpoints, deliveries and attempts (docs/webhooks.md). Every function but
:func:`deliver_event` takes the caller (a :class:`Principal`): managing webhooks needs the
ADMIN role. :func:`deliver_event` is for trusted code (workflows) in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from mediabase.common.cursors import decode_id, id_page
from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row
from mediabase.events import check_types, emit
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.jobs import enqueue
from mediabase.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryDetail,
    DeliveryStatus,
    Endpoint,
    EndpointCreate,
    EndpointUpdate,
    EndpointWithSecret,
)
from mediabase.webhooks.settings import WebhookSettings, webhook_settings
from mediabase.webhooks.signing import check_url, new_secret

Q = load_queries("mediabase.webhooks", "queries.sql")

JOB_TYPE = "webhook.deliver"
TEST_TYPE = "webhook.test"  # sent only by send_test, never fanned out


async def _check_types(conn: Conn, types: list[str]) -> list[str]:
    unique = sorted(set(types))
    if TEST_TYPE in unique:
        raise Invalid(f"{TEST_TYPE} is sent only on request (POST /webhooks/endpoints/{{id}}/test)",
                      field="event_types")
    await check_types(conn, unique)
    return unique


async def _endpoints(conn: Conn, org: UUID, endpoint_id: UUID | None) -> list[Endpoint]:
    cur = conn.cursor(row_factory=class_row(Endpoint))
    return await (await cur.execute(Q.get_endpoints, {"org": org, "id": endpoint_id})).fetchall()


async def _endpoint(conn: Conn, org: UUID, endpoint_id: UUID) -> Endpoint:
    found = await _endpoints(conn, org, endpoint_id)
    if not found:
        raise NotFound("webhook endpoint not found")
    return found[0]


async def create_endpoint(db: Database, p: Principal, body: EndpointCreate) -> EndpointWithSecret:
    """A new endpoint and its signing secret (in the answer this once, never again)."""
    require(p, Role.ADMIN)
    url = check_url(body.url, webhook_settings())
    secret = new_secret()
    async with db.transaction(p.organization_id, p.user_id) as conn:
        types = await _check_types(conn, body.event_types)
        row = await (await conn.execute(Q.insert_endpoint, {"org": p.organization_id, "url": url,
                                                            "description": body.description,
                                                            "secret": secret})).fetchone()
        assert row is not None
        await conn.execute(Q.insert_types, {"org": p.organization_id, "id": row["id"], "types": types})
        ep = await _endpoint(conn, p.organization_id, row["id"])
    return EndpointWithSecret(**ep.model_dump(), secret=secret)


async def list_endpoints(db: Database, p: Principal) -> list[Endpoint]:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _endpoints(conn, p.organization_id, None)


async def get_endpoint(db: Database, p: Principal, endpoint_id: UUID) -> Endpoint:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _endpoint(conn, p.organization_id, endpoint_id)


async def update_endpoint(db: Database, p: Principal, endpoint_id: UUID, body: EndpointUpdate) -> Endpoint:
    """Change the URL, the event types (the whole list) or the description."""
    require(p, Role.ADMIN)
    url = None
    if body.url is not None:
        url = check_url(body.url, webhook_settings())
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        row = await (await conn.execute(Q.update_endpoint, {"org": org, "id": endpoint_id, "url": url,
                                                            "description": body.description})).fetchone()
        if row is None:
            raise NotFound("webhook endpoint not found")
        if body.event_types is not None:
            types = await _check_types(conn, body.event_types)
            await conn.execute(Q.delete_types, {"org": org, "id": endpoint_id})
            await conn.execute(Q.insert_types, {"org": org, "id": endpoint_id, "types": types})
        return await _endpoint(conn, org, endpoint_id)


async def set_disabled(db: Database, p: Principal, endpoint_id: UUID, reason: str | None) -> Endpoint:
    """Disable with a reason (no new deliveries; pending ones go dead when their turn comes),
    or enable (``reason`` None: the failure count starts again; dead deliveries stay dead until
    redelivered)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.set_disabled, {"org": p.organization_id, "id": endpoint_id,
                                                         "reason": reason})).fetchone()
        if row is None:
            raise NotFound("webhook endpoint not found")
        return await _endpoint(conn, p.organization_id, endpoint_id)


async def delete_endpoint(db: Database, p: Principal, endpoint_id: UUID) -> None:
    """Delete an endpoint with its deliveries and their attempts."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.delete_endpoint, {"org": p.organization_id, "id": endpoint_id})).fetchone()
    if row is None:
        raise NotFound("webhook endpoint not found")


async def rotate_secret(db: Database, p: Principal, endpoint_id: UUID) -> EndpointWithSecret:
    """A new signing secret (shown this once); the previous one also signs for
    MEDIABASE_WEBHOOKS_SECRET_GRACE_HOURS, so receivers can switch without losing a request."""
    require(p, Role.ADMIN)
    secret = new_secret()
    grace = webhook_settings().secret_grace_hours * 3600
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.rotate_secret, {"id": endpoint_id, "secret": secret,
                                                          "grace": grace})).fetchone()
    if not (row and row["ok"]):
        raise NotFound("webhook endpoint not found")
    # read back in a transaction of its own: the rotation wrote as the owner (on Citus a shard
    # written over one role's connection cannot be read over another's in the same transaction)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        ep = await _endpoint(conn, p.organization_id, endpoint_id)
    return EndpointWithSecret(**ep.model_dump(), secret=secret)


# -- deliveries -----------------------------------------------------------------------------------


async def _enqueue_attempt(conn: Conn, org: UUID, delivery_id: UUID, attempt: int, *,
                           delay: timedelta | None = None, settings: WebhookSettings | None = None) -> None:
    s = settings or webhook_settings()
    await enqueue(conn, org_id=org, type=JOB_TYPE, input={"delivery": str(delivery_id), "attempt": attempt},
                  max_retries=s.job_max_retries, run_after=(datetime.now(UTC) + delay) if delay else None)


async def deliver_event(conn: Conn, org: UUID, endpoint_id: UUID, event_id: UUID) -> UUID:
    """Deliver one event to one endpoint, whatever types it subscribes to: a delivery and its
    first job, written in the caller's transaction (so they commit with it). Returns the
    delivery's id; one that exists already for (endpoint, event) is returned as it is (nothing
    enqueued). NotFound for an unknown endpoint or event, Conflict for a disabled endpoint.
    Stable API for mediabase.workflows (docs/webhooks.md)."""
    s = webhook_settings()
    params: dict[str, Any] = {"org": org, "endpoint": endpoint_id, "event": event_id,
                              "max_attempts": s.max_attempts}
    row = await (await conn.execute(Q.deliver_one, params)).fetchone()
    if row is not None:
        await _enqueue_attempt(conn, org, row["id"], 1, settings=s)
        return UUID(str(row["id"]))
    why = await (await conn.execute(Q.why_not_delivered, params)).fetchone()
    assert why is not None
    if why["existing"] is not None:
        return UUID(str(why["existing"]))
    if why["disabled"] is None:
        raise NotFound("webhook endpoint not found")
    if why["disabled"]:
        raise Conflict("the webhook endpoint is disabled (enable it first)")
    raise NotFound("event not found")


async def send_test(db: Database, p: Principal, endpoint_id: UUID) -> Delivery:
    """Send a ``webhook.test`` event to one endpoint (whatever it subscribes to)."""
    require(p, Role.ADMIN)
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        await _endpoint(conn, org, endpoint_id)
        event_id = await emit(conn, org, TEST_TYPE, "webhook_endpoint", endpoint_id,
                              {"endpoint_id": str(endpoint_id), "message": "a test event from mediabase"})
        delivery_id = await deliver_event(conn, org, endpoint_id, event_id)
        return await _delivery(conn, org, delivery_id)


async def _delivery(conn: Conn, org: UUID, delivery_id: UUID) -> Delivery:
    cur = conn.cursor(row_factory=class_row(Delivery))
    d = await (await cur.execute(Q.get_delivery, {"org": org, "id": delivery_id})).fetchone()
    if d is None:
        raise NotFound("webhook delivery not found")
    return d


async def list_deliveries(db: Database, p: Principal, *, status: DeliveryStatus | None = None,
                          endpoint_id: UUID | None = None, event_id: UUID | None = None, limit: int = 50,
                          cursor: str | None = None) -> tuple[list[Delivery], str | None]:
    """The organization's deliveries, newest first, a page at a time (opaque cursor)."""
    require(p, Role.ADMIN)
    before = decode_id(cursor)
    params = {"org": p.organization_id, "status": status.value if status else None, "endpoint": endpoint_id,
              "event": event_id, "before": before, "limit": limit + 1}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Delivery))
        rows = await (await cur.execute(Q.list_deliveries, params)).fetchall()
    return id_page(rows, limit)


async def get_delivery(db: Database, p: Principal, delivery_id: UUID) -> DeliveryDetail:
    """One delivery with every attempt made (status code, duration, error)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        d = await _delivery(conn, p.organization_id, delivery_id)
        cur = conn.cursor(row_factory=class_row(Attempt))
        attempts = await (await cur.execute(Q.list_attempts, {"org": p.organization_id, "id": delivery_id})).fetchall()
    return DeliveryDetail(**d.model_dump(), attempts_made=attempts)


async def redeliver(db: Database, p: Principal, delivery_id: UUID) -> Delivery:
    """Send a dead (or delivered) delivery again, with a fresh budget of attempts and the same
    webhook-id. Conflict while it is pending or while its endpoint is disabled."""
    require(p, Role.ADMIN)
    s = webhook_settings()
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        d = await _delivery(conn, org, delivery_id)
        if d.status is DeliveryStatus.PENDING:
            raise Conflict("the delivery is pending already")
        row = await (await conn.execute(Q.redeliver, {"org": org, "id": delivery_id,
                                                      "max_attempts": s.max_attempts})).fetchone()
        if row is None:
            raise Conflict("the delivery's endpoint is disabled (enable it first)")
        await _enqueue_attempt(conn, org, delivery_id, int(row["attempts"]) + 1, settings=s)
        return await _delivery(conn, org, delivery_id)
