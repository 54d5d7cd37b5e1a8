"""Queue, send, list and retry mail (docs/mail.md).

- :func:`queue_message` writes a message into the outbox **in the caller's transaction**, with
  the ``mail.send`` job that sends it: the mail exists iff the caller's work committed, and a
  second call with the same dedupe key returns the first message.
- :func:`deliver` makes one attempt at one message: it claims the message in a transaction of
  its own (status ``sending``, one more attempt, a claim of :data:`CLAIM_SECONDS`), hands it to
  the transport outside any transaction, and records the outcome (``sent``; ``failed`` with the
  next attempt after a backoff; ``dead`` when it cannot succeed or was the last attempt). A sender
  that dies after the hand-over leaves the message ``sending``; once the claim runs out it is
  taken again, so every message is sent at least once (the same Message-ID each time).
- :func:`send_due` delivers what is due now (``mediabase mail send``); :func:`recover` is the
  worker's sweep that enqueues a job for a message whose job went missing.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.models import Page
from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, sql
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.jobs import enqueue
from mediabase.mail.models import MailStatus, Message, MessageSummary, NewMessage, Queued, SendReport
from mediabase.mail.transport import Outgoing, Transport, TransportError, build_email, scrub

Q = load_queries("mediabase.mail", "queries.sql")
log = logging.getLogger("mediabase.mail")

JOB_TYPE = "mail.send"
CLAIM_SECONDS = 300  # longer than any SMTP conversation (MEDIABASE_MAIL_TIMEOUT is at most 600 s per step)
BACKOFF_BASE_SECONDS = 60.0
BACKOFF_CAP_SECONDS = 6 * 3600.0
KEY_TTL = timedelta(minutes=15)  # a send job's key: dedupes the sweep, never blocks it for long

Outcome = Literal["sent", "failed", "dead", "busy", "done"]

for _name, _message, _field in (
    ("mail_outbox_to_address_format", "to_address must be one e-mail address (name@example.com)", "to_address"),
    ("mail_outbox_subject_format", "a subject is one line of 1 to 500 characters", "subject"),
    ("mail_outbox_body_text_length", "the text body has 1 to 1,000,000 characters", "body_text"),
    ("mail_outbox_body_html_length", "the HTML body has 1 to 2,000,000 characters", "body_html"),
    ("mail_outbox_kind_format", "a mail kind looks like 'decision.digest' (lowercase words and dots)", "kind"),
    ("mail_outbox_dedupe_key_length", "a dedupe key has 1 to 200 characters, no control characters", "dedupe_key"),
    ("mail_outbox_status_valid", "unknown mail status", "status"),
    ("mail_outbox_max_attempts_range", "max_attempts must be between 1 and 100", "max_attempts"),
    ("mail_outbox_attempts_range", "attempts must be between 0 and max_attempts", "attempts"),
    ("mail_outbox_attempted", "a message is sending, sent or failed only after an attempt", "attempts"),
    ("mail_outbox_sent_at_iff_sent", "sent_at is set exactly when the message is sent", "sent_at"),
    ("mail_outbox_sent_after_created", "sent_at cannot be before created_at", "sent_at"),
    ("mail_outbox_error_when_failed", "a failed or dead message says why (last_error)", "last_error"),
    ("mail_outbox_last_error_length", "last_error has 1 to 2,000 characters", "last_error"),
):
    register_constraint(_name, Invalid, _message, field=_field)
register_constraint("mail_outbox_recipient_fk", NotFound, "the recipient is not a member of this organization",
                    field="recipient_user_id")
register_constraint("mail_outbox_status_transition", Conflict, None, field="status")
register_constraint("mail_outbox_immutable", Conflict, None)


def backoff_seconds(attempt: int) -> float:
    """The wait after failed attempt ``attempt`` (1, 2, …): ``min(cap, base · 2^(attempt-1))``
    times a jitter of 0.5 to 1, so messages that failed together do not come back together."""
    return min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2.0 ** min(attempt - 1, 30)) * random.uniform(0.5, 1.0)


# -- queueing ---------------------------------------------------------------------------------------


async def enqueue_send(conn: Conn, org: UUID, message_id: UUID, attempts: int,
                       run_after: datetime | None = None, *, keyed: bool = True) -> None:
    """The job that makes attempt ``attempts + 1`` of a message, in the caller's transaction.
    Its key ``mail:<id>:<attempts>`` makes a second request for the same attempt (the sweep's)
    find the first job while that is recent."""
    await enqueue(conn, org_id=org, type=JOB_TYPE, input={"id": str(message_id)}, queue="default",
                  run_after=run_after, max_retries=5,
                  idempotency_key=f"mail:{message_id}:{attempts}" if keyed else None,
                  key_ttl=KEY_TTL if keyed else None)


async def queue_message(conn: Conn, org: UUID, new: NewMessage, *, max_attempts: int) -> Queued:
    """Write ``new`` into ``org``'s outbox in the caller's transaction, with its send job; the
    same ``dedupe_key`` again gives the first message (``created=False``) and writes nothing.

    ``conn`` is the application role's transaction in ``org``, or the owner's (the worker's upkeep)."""
    params: dict[str, Any] = {"org": org, **new.model_dump(), "max_attempts": max_attempts}
    row = await (await conn.execute(Q.insert_message, params)).fetchone()
    if row is not None:
        await enqueue_send(conn, org, row["id"], 0)
        return Queued(id=row["id"], created=True)
    row = await (await conn.execute(Q.message_by_key, params)).fetchone()
    if row is None:  # the conflicting row was deleted in between (its recipient left): nothing to send
        raise Conflict("a message with this dedupe key was queued and is gone", field="dedupe_key")
    return Queued(id=row["id"], created=False)


# -- sending ----------------------------------------------------------------------------------------


async def deliver(db: Database, org: UUID, message_id: UUID, transport: Transport, settings: Settings) -> Outcome:
    """One attempt at one message (see the module's docstring); returns what happened:
    ``sent``, ``failed`` (tried again later, its job enqueued), ``dead``, ``busy`` (not due yet,
    or in another sender's hands: a job is enqueued for when it is due) or ``done`` (nothing to
    do: sent or dead already, or gone)."""
    params: dict[str, Any] = {"org": org, "id": message_id, "claim_seconds": CLAIM_SECONDS}
    async with db.transaction(org) as conn:
        await conn.execute(Q.give_up_interrupted, params)
        row = await (await conn.execute(Q.claim_message, params)).fetchone()
        if row is None:
            state = await (await conn.execute(Q.message_state, params)).fetchone()
            if state is None or state["status"] in ("sent", "dead"):
                return "done"
            await enqueue_send(conn, org, message_id, state["attempts"], state["next_attempt_at"])
            return "busy"
    attempt: int = row.pop("attempts")
    last: bool = attempt >= row.pop("max_attempts")
    email = build_email(Outgoing(**row), settings.mail_from)
    error: str | None = None
    permanent = False
    try:
        await transport.send(email, message_id=message_id)
    except TransportError as exc:
        error, permanent = str(exc)[:2000] or type(exc).__name__, exc.permanent
    except Exception as exc:  # a transport's bug must not leave the message claimed for good
        error = f"{type(exc).__name__}: {exc}"[:2000]
    async with db.transaction(org) as conn:
        if error is None:
            await conn.execute(Q.mark_sent, {**params, "attempt": attempt})
            log.info("mail %s sent (attempt %d)", message_id, attempt)
            return "sent"
        dead = permanent or last
        out = await (await conn.execute(Q.mark_failed, {
            **params, "attempt": attempt, "error": error, "status": "dead" if dead else "failed",
            "delay": 0.0 if dead else backoff_seconds(attempt)})).fetchone()
        if out is None:  # another sender took it over meanwhile; its attempt decides
            return "busy"
        if out["status"] == "failed":
            await enqueue_send(conn, org, message_id, attempt, out["next_attempt_at"])
    log.warning("mail %s: attempt %d failed (%s), %s", message_id, attempt, scrub(error),
                "given up" if out["status"] == "dead" else f"next at {out['next_attempt_at']:%Y-%m-%d %H:%M:%S}")
    return "dead" if out["status"] == "dead" else "failed"


async def send_due(db: Database, system: Database, transport: Transport, settings: Settings, *,
                   org: UUID | None = None, limit: int = 100) -> SendReport:
    """Deliver up to ``limit`` messages due now, of ``org`` or of every organization."""
    async with system.transaction() as conn:
        rows = await (await conn.execute(Q.due_messages, {"org": org, "grace": 0, "limit": limit})).fetchall()
    report = SendReport()
    for r in rows:
        outcome = await deliver(db, r["organization_id"], r["id"], transport, settings)
        if outcome != "done":
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


async def recover(conn: Conn, *, grace_seconds: float = 60.0, limit: int = 1000) -> int:
    """The sweep (the worker's upkeep, as the owner): a job for every message due for more than
    ``grace_seconds`` — its job failed for good or was lost with its month's partition, or a
    sender died holding it. A job that is still there for that attempt is found by its key, not
    doubled. Returns how many messages it looked at."""
    rows = await (await conn.execute(Q.due_messages, {"org": None, "grace": grace_seconds, "limit": limit})).fetchall()
    for r in rows:
        async with conn.transaction():
            await enqueue_send(conn, r["organization_id"], r["id"], r["attempts"])
    return len(rows)


# -- reading and retrying (ADMIN) -------------------------------------------------------------------


async def list_messages(db: Database, p: Principal, *, status: MailStatus | None = None, kind: str | None = None,
                        recipient_user_id: UUID | None = None, limit: int = 50,
                        cursor: str | None = None) -> Page[MessageSummary]:
    """The organization's outbox, newest first (ADMIN)."""
    require(p, Role.ADMIN)
    clauses = [sql.SQL("organization_id = %s")]
    params: list[Any] = [p.organization_id]
    for clause, value in (("status = %s", status.value if status else None), ("kind = %s", kind),
                          ("recipient_user_id = %s", recipient_user_id)):
        if value is not None:
            clauses.append(sql.SQL(clause))
            params.append(value)
    if cursor:
        at, last = decode_position(cursor)
        clauses.append(sql.SQL("(created_at, id) < (%s::timestamptz, %s::uuid)"))
        params += [at, last]
    stmt = sql.SQL("{} WHERE {} ORDER BY created_at DESC, id DESC LIMIT %s").format(
        sql.SQL(Q.summary_columns), sql.SQL(" AND ").join(clauses))
    params.append(limit + 1)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.cursor(row_factory=class_row(MessageSummary)).execute(stmt, params)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(items=rows, next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)


async def get_message(db: Database, p: Principal, message_id: UUID) -> Message:
    """One message of the organization's outbox, with its bodies (ADMIN)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await fetch_one_or_404(conn, by_id(Q.message_columns), {"org": p.organization_id, "id": message_id},
                                      "message", model=Message)


async def retry_message(db: Database, p: Principal, message_id: UUID) -> Message:
    """Queue a failed or dead message again now, with a fresh budget of attempts (ADMIN)."""
    require(p, Role.ADMIN)
    params = {"org": p.organization_id, "id": message_id}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        current = await fetch_one_or_404(conn, by_id(Q.message_columns), params, "message", model=Message)
        if (await (await conn.execute(Q.retry_message, params)).fetchone()) is None:
            raise Conflict(f"the message is {current.status.value}: only a failed or dead one is retried",
                           field="status")
        await enqueue_send(conn, p.organization_id, message_id, 0, keyed=False)
        return await fetch_one_or_404(conn, by_id(Q.message_columns), params, "message", model=Message)
