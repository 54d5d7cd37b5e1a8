"""The worker's side of webhooks: the fan-out (an event subscriber) and the ``webhook.deliver``
handler that makes one HTTP attempt (docs/webhooks.md).

- The subscriber runs in the dispatcher's transaction: one INSERT … SELECT makes the batch's
  deliveries (one per event and enabled endpoint subscribed to its type, unique per pair) and one
  statement enqueues their jobs. A crash before the commit redoes both; none is made twice.
- A job is one attempt (its input: the delivery and the attempt's number). It reads what it
  needs, has the message signed by the database (the worker never holds a secret), POSTs it
  with the event's id as ``webhook-id`` and records the attempt; a failure enqueues the next
  attempt with exponential backoff (``run_after``), the last one makes the delivery dead. A job
  run again after its worker died mid-request finds its attempt unrecorded and sends again, with
  the same webhook-id (at least once); one that finds it recorded stops.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx

from mediabase.db.rows import Conn
from mediabase.events import Event, subscriber
from mediabase.jobs import JobContext, NewJob, PermanentError, enqueue_many, register
from mediabase.webhooks.egress import GuardedTransport
from mediabase.webhooks.service import JOB_TYPE, TEST_TYPE, Q, _enqueue_attempt
from mediabase.webhooks.settings import WebhookSettings, webhook_settings
from mediabase.webhooks.signing import headers, message

log = logging.getLogger("mediabase.webhooks")

ERROR_MAX = 500  # characters of an error or a response body kept on an attempt


class AttemptInFlight(Exception):
    """The same attempt is under way in another run (a job run twice): retried later by the queue."""


@subscriber("webhooks")
async def fan_out(conn: Conn, org: UUID, batch: list[Event]) -> None:
    """Deliveries and their jobs for a dispatched batch, in its transaction (two statements)."""
    events = [e for e in batch if e.type != TEST_TYPE]
    if not events:
        return
    s = webhook_settings()
    rows = await (await conn.execute(Q.fan_out, {"org": org, "ids": [e.id for e in events],
                                                 "types": [e.type for e in events],
                                                 "max_attempts": s.max_attempts})).fetchall()
    if rows:
        await enqueue_many(conn, org_id=org, jobs=[
            NewJob(type=JOB_TYPE, input={"delivery": str(r["id"]), "attempt": 1}, max_retries=s.job_max_retries)
            for r in rows
        ])


# One client per event loop (connection pools are per loop); redirects are never followed; every
# connection is checked against the egress rules (webhooks/egress.py).
_clients: dict[int, tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]] = {}


def _client() -> httpx.AsyncClient:
    loop = asyncio.get_running_loop()
    key = id(loop)
    found = _clients.get(key)
    if found is None or found[0] is not loop or found[1].is_closed:
        for k, (other, _) in list(_clients.items()):
            if other.is_closed():
                del _clients[k]
        client = httpx.AsyncClient(follow_redirects=False, trust_env=False, transport=GuardedTransport(
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50)))
        _clients[key] = (loop, client)
        return client
    return found[1]


def backoff(attempt: int, s: WebhookSettings) -> timedelta:
    """The wait after failed attempt ``attempt`` (1-based): base · 2^(attempt-1), capped, with
    jitter (half to all of it)."""
    seconds = min(s.backoff_cap, s.backoff_base * 2 ** min(attempt - 1, 40))
    return timedelta(seconds=seconds * random.uniform(0.5, 1.0))


def _truncate(text: str) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= ERROR_MAX else text[: ERROR_MAX - 1] + "…"


async def _post(url: str, body: str, hdrs: dict[str, str], s: WebhookSettings) -> tuple[int | None, str | None]:
    """One request: (status code, error text); the error is None for a 2xx."""
    timeout = httpx.Timeout(s.timeout, connect=min(s.connect_timeout, s.timeout))
    try:
        resp = await _client().post(url, content=body.encode(), headers=hdrs, timeout=timeout)
    except httpx.TimeoutException as exc:
        return None, _truncate(f"timeout ({type(exc).__name__}) after {s.timeout:g} s")
    except httpx.HTTPError as exc:
        return None, _truncate(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    code = resp.status_code
    if 200 <= code < 300:
        return code, None
    if 300 <= code < 400:
        return code, _truncate(f"HTTP {code}: redirects are not followed (to {resp.headers.get('location', '?')})")
    return code, _truncate(f"HTTP {code}: {resp.text}")


@register(JOB_TYPE)
async def deliver(ctx: JobContext) -> dict[str, Any]:
    """One attempt at one delivery (see the module's docstring)."""
    s = webhook_settings()
    org = ctx.org_id
    try:
        delivery_id = UUID(str(ctx.job.input["delivery"]))
        attempt = int(ctx.job.input["attempt"])
    except (KeyError, ValueError, TypeError) as exc:
        raise PermanentError(f"a webhook.deliver job's input is {{delivery, attempt}}: {exc}",
                             code="bad_input") from exc
    ts = int(time.time())
    async with ctx.db.transaction(org) as conn:
        claimed = await (await conn.execute(Q.claim_attempt, {"org": org, "id": delivery_id, "attempt": attempt,
                                                              "hold": s.timeout + 5})).fetchone()
        row = await (await conn.execute(Q.prepare, {"org": org, "id": delivery_id})).fetchone()
        if row is None:
            return {"skipped": "the delivery is gone"}
        if row["status"] != "pending" or row["attempts"] != attempt - 1:
            return {"skipped": f"attempt {attempt} was made already"}
        if claimed is None:  # another run has it under way: come back when it is done or has died
            raise AttemptInFlight(f"attempt {attempt} of delivery {delivery_id} is under way in another run")
        if row["disabled_at"] is not None:
            await _settle(conn, org, delivery_id, attempt - 1, "dead", None,
                          f"endpoint disabled: {row['disabled_reason']}")
            return {"status": "dead", "reason": "endpoint disabled"}
        msg_id = str(row["event_id"])
        body = message(event_id=row["event_id"], organization_id=row["organization_id"], type=row["type"],
                       subject_type=row["subject_type"], subject_id=row["subject_id"], data=row["data"],
                       actor_id=row["actor_id"], occurred_at=row["occurred_at"])
        url, endpoint_id, max_attempts = row["url"], row["endpoint_id"], row["max_attempts"]
    # Signed in a transaction of its own: webhook_sign reads as the owner, and on Citus a shard
    # written over the application role's connection cannot be read over another one.
    async with ctx.db.transaction(org) as conn:
        sig = await (await conn.execute(Q.sign, {"endpoint": endpoint_id, "msg_id": msg_id, "ts": ts,
                                                 "body": body})).fetchone()
        assert sig is not None

    started_at = datetime.now(UTC)
    t0 = time.perf_counter()
    code, error = await _post(url, body, headers(msg_id, ts, sig["signature"]), s)
    duration_ms = int((time.perf_counter() - t0) * 1000)
    ok = error is None

    async with ctx.db.transaction(org) as conn:
        rec = await (await conn.execute(Q.record_attempt, {
            "org": org, "id": delivery_id, "attempt": attempt, "started_at": started_at, "duration_ms": duration_ms,
            "status_code": code, "ok": ok, "error": error})).fetchone()
        if rec is None:
            return {"skipped": f"attempt {attempt} was recorded by another run"}
        if ok:
            await _settle(conn, org, delivery_id, attempt, "delivered", code, None)
            await conn.execute(Q.endpoint_succeeded, {"org": org, "id": endpoint_id})
            return {"status": "delivered", "status_code": code, "attempt": attempt}
        ep = await (await conn.execute(Q.endpoint_failed, {
            "org": org, "id": endpoint_id, "disable_after": s.disable_after,
            "reason": f"{s.disable_after} failed attempts in a row"})).fetchone()
        disabled = bool(ep and ep["disabled"])
        if attempt >= max_attempts or disabled:
            why = error if attempt >= max_attempts else f"{error} (the endpoint is now disabled)"
            await _settle(conn, org, delivery_id, attempt, "dead", code, why)
            return {"status": "dead", "status_code": code, "attempt": attempt}
        wait = backoff(attempt, s)
        await _settle(conn, org, delivery_id, attempt, "pending", code, error, next_at=datetime.now(UTC) + wait)
        await _enqueue_attempt(conn, org, delivery_id, attempt + 1, delay=wait, settings=s)
        return {"status": "pending", "status_code": code, "attempt": attempt,
                "retry_in_s": round(wait.total_seconds(), 3)}


async def _settle(conn: Conn, org: UUID, delivery_id: UUID, attempt: int, status: str, code: int | None,
                  error: str | None, *, next_at: datetime | None = None) -> None:
    await conn.execute(Q.settle, {"org": org, "id": delivery_id, "attempt": attempt, "status": status,
                                  "next_at": next_at, "status_code": code, "error": error})
