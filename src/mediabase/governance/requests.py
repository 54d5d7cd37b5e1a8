"""Data subject requests: a person asks for an export of their data or its erasure (issue 16;
docs/governance.md). A request has a deadline fixed when it is made (30 days, GDPR art. 12(3)),
a status (pending → processing → completed | failed; cancelled while pending), and for an
export the archive, kept for :data:`ARCHIVE_DAYS`. The worker answers requests made over the
API (job ``governance.data_request``, run as the owner); the CLI answers at once.

``data_requests`` is a reference table written by the owner only (the app role has no grant):
the API passes the system pool (:meth:`Database.as_system`) and names the user itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from mediabase.common.models import Model
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, class_row
from mediabase.governance import erasure, export
from mediabase.jobs import enqueue
from mediabase.jobs.registry import JobContext, PermanentError, periodic, register

Q = load_queries("mediabase.governance", "requests.sql")
JOB_TYPE = "governance.data_request"
DEADLINE_DAYS = 30
ARCHIVE_DAYS = 7

register_constraint("data_requests_one_open_idx", Conflict, "a request of this kind is open already", field="kind")


class Kind(StrEnum):
    export = "export"
    erase = "erase"


class Status(StrEnum):
    pending = "pending"
    processing = "processing"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


class DataRequestCreate(Model):
    kind: Kind


class DataRequest(Model):
    id: UUID
    user_id: UUID
    kind: Kind
    status: Status
    requested_via: Literal["api", "cli"]
    requested_at: datetime
    deadline_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    job_id: UUID | None
    summary: dict[str, Any]
    error: str | None
    archive_expires_at: datetime | None
    overdue: bool


async def create(system: Database, user_id: UUID, kind: Kind, *, via: Literal["api", "cli"],
                 job_org: UUID | None = None, deadline_days: int = DEADLINE_DAYS) -> tuple[DataRequest, bool]:
    """Record a request (or return the open one of this kind: ``created`` False); with ``job_org``
    its job is enqueued in that organization's queue in the same transaction."""
    if not 1 <= deadline_days <= 90:
        raise Invalid("a deadline is 1 to 90 days away", field="deadline_days")
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(DataRequest))
        if (open_one := await (await cur.execute(Q.open_request, {"user_id": user_id, "kind": kind.value})).fetchone()):
            return open_one, False
        if await (await conn.execute(Q.user_exists, {"user_id": user_id})).fetchone() is None:
            raise NotFound("user not found")
        row = await (await cur.execute(Q.insert_request, {
            "user_id": user_id, "kind": kind.value, "via": via, "days": deadline_days, "job_org": job_org})).fetchone()
        assert row is not None
        if job_org is not None:
            job = await enqueue(conn, org_id=job_org, type=JOB_TYPE, input={"request_id": str(row.id)},
                                idempotency_key=f"data-request:{row.id}", max_retries=3)
            await conn.execute(Q.set_job, {"id": row.id, "job_id": job.id})
            row.job_id = job.id
        return row, True


async def get(system: Database, request_id: UUID, user_id: UUID | None = None) -> DataRequest:
    """One request (of ``user_id`` when given: another's is not found)."""
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(DataRequest))
        row = await (await cur.execute(Q.get_request, {"id": request_id, "user_id": user_id})).fetchone()
    if row is None:
        raise NotFound("data request not found")
    return row


async def listing(system: Database, *, user_id: UUID | None = None, open_only: bool = False,
                  limit: int = 100) -> list[DataRequest]:
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(DataRequest))
        return await (await cur.execute(Q.list_requests, {
            "user_id": user_id, "open_only": open_only, "limit": limit})).fetchall()


async def archive_of(system: Database, request_id: UUID, user_id: UUID) -> dict[str, Any]:
    """The archive of a completed export of ``user_id`` (404 when there is none, or it expired)."""
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.get_archive, {"id": request_id, "user_id": user_id})).fetchone()
    if row is None:
        raise NotFound("no archive: the request is not a completed export, or its archive expired")
    archive: dict[str, Any] = row["archive"]
    return archive


async def cancel(system: Database, request_id: UUID, user_id: UUID | None = None) -> DataRequest:
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(DataRequest))
        row = await (await cur.execute(Q.cancel_request, {"id": request_id, "user_id": user_id})).fetchone()
    if row is None:
        await get(system, request_id, user_id)  # 404 if it is not there (or not theirs)
        raise Conflict("only a pending request can be cancelled")
    return row


async def process(system: Database, request_id: UUID, *, verify: bool = True) -> DataRequest:
    """Answer one request: claim it (pending → processing), export or erase in one owner
    transaction, record the outcome. A failure is recorded (status failed, the error) and raised."""
    async with system.transaction() as conn:
        claimed = await (await conn.execute(Q.claim_request, {"id": request_id})).fetchone()
    if claimed is None:
        return await get(system, request_id)  # answered, cancelled or being answered elsewhere
    try:
        async with system.transaction() as conn:
            # Citus: the transaction reads and writes distributed tables across shards, then writes
            # reference tables (users, data_requests) that they point at: one connection per node
            await conn.execute("SET LOCAL citus.multi_shard_modify_mode TO 'sequential'")
            summary, archive = await _answer(conn, claimed, verify=verify)
            await conn.execute(Q.complete_request, {
                "id": request_id, "summary": Jsonb(summary), "archive": Jsonb(archive) if archive else None,
                "expires": datetime.now(UTC) + timedelta(days=ARCHIVE_DAYS) if archive else None})
    except (erasure.ErasureRefused, erasure.Residue, NotFound) as exc:  # a retry cannot change these
        async with system.transaction() as conn:
            await conn.execute(Q.fail_request, {"id": request_id, "error": str(exc)[:2000]})
        raise
    except BaseException:  # anything else (a lost connection, a deadlock): pending again, for a retry
        async with system.transaction() as conn:
            await conn.execute(Q.release_request, {"id": request_id})
        raise
    return await get(system, request_id)


async def _answer(conn: Conn, req: dict[str, Any], *, verify: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    if req["kind"] == Kind.export:
        archive = await export.archive(conn, req["user_id"])
        return {"tables": {t: len(rows) for t, rows in archive["tables"].items()}}, archive
    done = await erasure.erase(conn, req["user_id"], request_id=req["id"], verify=verify)
    summary: dict[str, Any] = {"counts": done.counts}
    if done.redaction_id is not None:
        summary["redaction_id"] = str(done.redaction_id)
    return summary, None


@register(JOB_TYPE, timeout=3600)
async def handle_data_request(ctx: JobContext) -> dict[str, Any]:
    raw = ctx.job.input.get("request_id") if isinstance(ctx.job.input, dict) else None
    try:
        request_id = UUID(str(raw))
    except ValueError as exc:
        raise PermanentError(f"input.request_id is not a UUID: {raw!r}", code="bad_input") from exc
    await ctx.progress(5, "running")
    system = await ctx.db.as_system()
    try:
        done = await process(system, request_id)
    except (erasure.ErasureRefused, erasure.Residue, NotFound) as exc:
        raise PermanentError(str(exc), code="data_request_failed") from exc
    return {"request_id": str(done.id), "status": done.status.value}



@periodic("governance.archives", order=85)
async def expire_archives(conn: Conn, _settings: Any) -> str | None:
    """Upkeep: drop the archives of exports past their expiry (they hold personal data)."""
    n = max((await conn.execute(Q.expire_archives)).rowcount, 0)
    return f"{n} export archives expired" if n else None
