"""Enqueue, look at, cancel, retry and await jobs; partition upkeep. The worker is in worker.py.

Every function takes what it works in: an open connection (inside the caller's transaction,
so an enqueue commits or rolls back with the caller's own writes) or a :class:`Database`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable, translated
from mediabase.db.instants import tolerate_instants
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, dict_row
from mediabase.identity.models import Principal, Role
from mediabase.jobs.models import (
    FINISHED,
    Enqueued,
    Job,
    JobStatus,
    ListedJob,
    NewJob,
    Partition,
    QueueCount,
    TypeStats,
)
from mediabase.jobs.registry import SYSTEM_TYPES, followers
from mediabase.jobs.turns import subjects_of, tell

Q = load_queries("mediabase.jobs", "queries.sql")

# The channels the job functions of 0003 NOTIFY: a job was enqueued or came back (workers wake),
# and jobs finished (payload: their ids, comma-separated; wait_for listens).
WAKE_CHANNEL = "mediabase_jobs"
DONE_CHANNEL = "mediabase_jobs_done"
FAILED_WINDOW = timedelta(hours=24)  # failures counted by queue_counts: 'jobs stats' default


async def _rows(conn: Conn, query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    with translated():
        async with conn.cursor(row_factory=dict_row) as cur:
            tolerate_instants(cur)  # one job with an instant Python cannot hold never hides the rest
            await cur.execute(query, params)
            return await cur.fetchall() if cur.description else []


async def enqueue(
    conn: Conn,
    *,
    org_id: UUID,
    type: str,
    input: dict[str, Any] | None = None,
    queue: str = "default",
    priority: int = 0,
    run_after: datetime | None = None,
    max_retries: int = 3,
    idempotency_key: str | None = None,
    context: dict[str, Any] | None = None,
    key_ttl: timedelta | None = None,
) -> Enqueued:
    """Enqueue one job in the caller's transaction on ``conn`` (one round trip).

    With ``idempotency_key``, a second enqueue with the same key in the same organization, even
    a concurrent one, returns the first job (``created=False``) for as long as the key is kept
    (``key_ttl``, or as long as the job itself is kept). As the application role the
    transaction's tenant must be ``org_id`` (row-level security checks it).
    """
    rows = await _rows(
        conn,
        Q.enqueue,
        {
            "type": type,
            "input": Jsonb(input or {}),
            "queue": queue,
            "priority": priority,
            "run_after": run_after,
            "max_retries": max_retries,
            "idempotency_key": idempotency_key,
            "context": Jsonb(context) if context is not None else None,
            "key_ttl": key_ttl,
            "org": org_id,
        },
    )
    return Enqueued.model_validate(rows[0])


async def enqueue_many(conn: Conn, *, org_id: UUID, jobs: Sequence[NewJob]) -> list[UUID]:
    """Enqueue a batch in one statement of the caller's transaction; one NOTIFY wakes workers.

    Idempotency keys are not taken here (use :func:`enqueue` for a keyed job).
    """
    if any(j.idempotency_key for j in jobs):
        raise Invalid("enqueue_many takes no idempotency keys; enqueue keyed jobs one by one")
    if not jobs:
        return []
    params: dict[str, Any] = {"org": org_id, "n": len(jobs)}
    for name, plural, values in (
        ("type", "types", [j.type for j in jobs]),
        ("queue", "queues", [j.queue for j in jobs]),
        ("priority", "priorities", [j.priority for j in jobs]),
        ("run_after", "run_afters", [j.run_after for j in jobs]),
        ("input", "inputs", [j.input for j in jobs]),
        ("max_retries", "max_retries_each", [j.max_retries for j in jobs]),
    ):
        wrap = Jsonb if name == "input" else (lambda v: v)
        if all(v == values[0] for v in values):
            params[name], params[plural] = wrap(values[0]), None
        else:
            params[name], params[plural] = None, [wrap(v) for v in values]
    rows = await _rows(conn, Q.enqueue_many, params)
    return [r["id"] for r in rows]


def _job(row: dict[str, Any]) -> Job:
    return Job.model_validate(row)


async def get_job(db: Database, org_id: UUID, job_id: UUID) -> Job:
    async with db.transaction(org_id) as conn:
        rows = await _rows(conn, Q.get, {"org": org_id, "id": job_id})
    if not rows:
        raise NotFound(f"no job {job_id}")
    return _job(rows[0])


async def list_jobs(
    db: Database,
    org_id: UUID,
    *,
    status: JobStatus | None = None,
    type: str | None = None,
    before: datetime | None = None,
    limit: int = 50,
) -> list[Job]:
    """A tenant's jobs, newest first (``before`` pages back by creation time)."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn,
            Q.list,
            {
                "org": org_id,
                "status": status,
                "type": type,
                "before": before,
                "limit": limit,
            },
        )
    return [_job(r) for r in rows]


async def cancel_job(db: Database, org_id: UUID, job_id: UUID) -> JobStatus:
    """Cancel: a queued job at once, a processing one cooperatively. Returns its status.

    A queued job cancelled here never reaches a worker, so its subjects' followers (a video's
    processing status: registry.follow) are told ``cancelled`` here, in the same transaction, as
    the worker tells them when a running job stops on a cancel. Followers are those registered in
    this process: the adapters import mediabase.wiring.WORKER_MODULES first."""
    async with db.transaction(org_id) as conn:
        before = await _rows(conn, Q.get, {"org": org_id, "id": job_id})
        rows = await _rows(conn, Q.cancel, {"id": job_id})
        if before and rows and before[0]["status"] == JobStatus.QUEUED and rows[0]["status"] == JobStatus.CANCELLED:
            job = _job(before[0])
            await tell(conn, job, "cancelled", subjects_of(followers(), job), "cancelled before it ran")
    if not rows or rows[0]["status"] is None:
        raise NotFound(f"no job {job_id}")
    return JobStatus(rows[0]["status"])


async def retry_job(db: Database, org_id: UUID, job_id: UUID) -> JobStatus:
    """Requeue a failed or cancelled job with a fresh retry budget (Conflict for any other)."""
    async with db.transaction(org_id) as conn:
        before = await _rows(conn, Q.status, {"org": org_id, "id": job_id})
        if not before:
            raise NotFound(f"no job {job_id}")
        if before[0]["status"] not in (JobStatus.FAILED, JobStatus.CANCELLED):
            raise Conflict(f"job {job_id} is {before[0]['status']}; only failed or cancelled jobs are retried")
        rows = await _rows(conn, Q.retry, {"id": job_id})
    return JobStatus(rows[0]["status"])


async def job_stats(db: Database, org_id: UUID | None, since: timedelta = timedelta(hours=24)) -> list[TypeStats]:
    """Per type and status: how many, and how long the oldest ready job has waited (``org_id``
    None: every tenant, for the owner)."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(conn, Q.stats, {"since": since})
    return [TypeStats.model_validate(r) for r in rows]


# -- operators (the CLI, as the owner: every tenant) --------------------------------------------


async def find_job_org(db: Database, job_id: UUID) -> UUID:
    """The organization a job belongs to (NotFound for no such job)."""
    async with db.transaction() as conn:
        rows = await _rows(conn, Q.find_org, {"id": job_id})
    if not rows:
        raise NotFound(f"no job {job_id}")
    org: UUID = rows[0]["organization_id"]
    return org


async def list_all_jobs(
    db: Database, *, org_id: UUID | None = None, status: str | None = None, type: str | None = None, limit: int = 50
) -> list[ListedJob]:
    """Jobs of every tenant (or of ``org_id``), newest first, each with its organization's slug."""
    async with db.transaction() as conn:
        rows = await _rows(conn, Q.list_all, {"org": org_id, "status": status, "type": type, "limit": limit})
        orgs = list({r["organization_id"] for r in rows})
        slugs = {r["id"]: r["slug"] for r in await _rows(conn, Q.org_slugs, {"ids": orgs})} if orgs else {}
    return [ListedJob.model_validate({**r, "organization_slug": slugs.get(r["organization_id"])}) for r in rows]


async def update_type_limit(db: Database, type: str, max_running: int) -> None:
    """Set how many jobs of ``type`` run at once over all workers; 0 removes the limit."""
    async with db.transaction() as conn:
        if max_running == 0:
            await _rows(conn, Q.drop_limit, {"type": type})
        else:
            await _rows(conn, Q.set_limit, {"type": type, "max_running": max_running})


async def _finished(db: Database, org_id: UUID, job_id: UUID) -> Job | None:
    job = await get_job(db, org_id, job_id)
    return job if job.status in FINISHED else None


async def wait_for(
    db: Database,
    job_id: UUID,
    timeout: float,  # noqa: ASYNC109 - waiting is what it does (asyncio.wait_for's name)
    *,
    org_id: UUID,
    listen: bool = True,
) -> Job:
    """Wait until the job is finished (completed, failed or cancelled), or ``timeout`` seconds.

    Returns the job as it then is (check ``status``). With ``listen`` a short-lived connection
    LISTENs for the workers' completion notices (prompt, and no pooled connection is held);
    without it, or as a fallback, the job is polled with a growing interval.
    """
    deadline = time.monotonic() + timeout
    if listen:
        try:
            return await _wait_listening(db, job_id, deadline, org_id)
        except Unavailable:
            pass  # no separate connection to be had: poll
    return await _wait_polling(db, job_id, deadline, org_id)


async def _wait_polling(db: Database, job_id: UUID, deadline: float, org_id: UUID) -> Job:
    delay = 0.02
    while True:
        job = await get_job(db, org_id, job_id)
        left = deadline - time.monotonic()
        if job.status in FINISHED or left <= 0:
            return job
        await asyncio.sleep(min(delay, left))
        delay = min(delay * 2, 0.5)


async def _wait_listening(db: Database, job_id: UUID, deadline: float, org_id: UUID) -> Job:
    key = str(job_id)
    async with db.listen(DONE_CHANNEL) as listener:
        while True:
            # checked after LISTEN, so a completion between the two is not missed
            job = await get_job(db, org_id, job_id)
            left = deadline - time.monotonic()
            if job.status in FINISHED or left <= 0:
                return job
            until = time.monotonic() + min(left, 1.0)
            while (rest := until - time.monotonic()) > 0:
                if any(key in payload.split(",") for payload in await listener.wait(rest)):
                    break


# -- partitions (operators: the owner's connection) -----------------------------------------


async def ensure_partitions(conn: Conn, months_ahead: int) -> list[str]:
    """Create this month's partition and the next ``months_ahead`` ones; returns new names."""
    return [r["name"] for r in await _rows(conn, Q.ensure_partitions, {"months_ahead": months_ahead})]


async def prune_partitions(conn: Conn, keep_months: int) -> list[str]:
    """Drop the months that ended more than ``keep_months`` ago; returns dropped names."""
    return [r["name"] for r in await _rows(conn, Q.prune_partitions, {"keep_months": keep_months})]


async def partitions(conn: Conn) -> list[Partition]:
    return [Partition.model_validate(r) for r in await _rows(conn, Q.partitions, {})]


async def queue_counts(conn: Conn, failed_since: timedelta = FAILED_WINDOW) -> list[QueueCount]:
    """Every tenant's jobs per type: ready, scheduled, running, and failed of those created within
    ``failed_since``; one statement that reads no finished history but the window's failures."""
    return [QueueCount.model_validate(r) for r in await _rows(conn, Q.queue_counts, {"failed_since": failed_since})]


# -- the worker protocol for one tenant (HTTP workers) ------------------------------------------


async def claim_for(
    db: Database,
    org_id: UUID,
    *,
    worker: str,
    types: list[str] | None,
    queues: list[str] | None,
    batch: int,
    lease_seconds: int,
) -> list[Job]:
    """Claim jobs of one organization only (what a tenant's own worker may do over HTTP)."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn,
            Q.claim,
            {
                "worker": worker,
                "types": types,
                "batch": batch,
                "lease_seconds": lease_seconds,
                "queues": queues,
                "org": org_id,
            },
        )
    return [_job(r) for r in rows]


async def heartbeat_for(
    db: Database, org_id: UUID, *, worker: str, ids: list[UUID], lease_seconds: int
) -> dict[UUID, bool]:
    """Extend the leases the worker holds in the organization: id -> cancel requested."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn, Q.heartbeat, {"worker": worker, "ids": ids, "lease_seconds": lease_seconds, "org": org_id}
        )
    return {r["id"]: r["cancel_requested"] for r in rows}


async def progress_for(
    db: Database,
    org_id: UUID,
    job_id: UUID,
    *,
    worker: str,
    progress: int,
    stage: str | None,
    message: str | None,
) -> str:
    """Record progress; returns 'held', 'cancel_requested' or 'lost'."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn,
            Q.progress,
            {"id": job_id, "worker": worker, "progress": progress, "stage": stage, "message": message, "org": org_id},
        )
    return str(rows[0]["state"])


async def complete_for(db: Database, org_id: UUID, job_id: UUID, *, worker: str, result: Any) -> bool:
    """Complete a held job; False when the worker does not hold it (lease lost, or not its)."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn,
            Q.complete_one,
            {"id": job_id, "worker": worker, "result": Jsonb(result) if result is not None else None, "org": org_id},
        )
    return bool(rows[0]["ok"])


async def fail_for(
    db: Database, org_id: UUID, job_id: UUID, *, worker: str, code: str, message: str, retryable: bool
) -> JobStatus | None:
    """Fail a held job (retry with backoff, or for good); None when the worker does not hold it."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(
            conn,
            Q.fail,
            {"id": job_id, "worker": worker, "code": code, "message": message, "retryable": retryable, "org": org_id},
        )
    status = rows[0]["status"]
    return None if status is None else JobStatus(status)


async def release_for(db: Database, org_id: UUID, *, worker: str, ids: list[UUID]) -> int:
    """Give held jobs back to the queue untouched; returns how many."""
    async with db.transaction(org_id) as conn:
        rows = await _rows(conn, Q.release, {"worker": worker, "ids": ids, "org": org_id})
    return int(rows[0]["released"])


# -- who may do what: the API's callers (docs/jobs.md "Who may do what") ------------------------
# Member keys enqueue (MEMBER+), cancel and retry (their own jobs; ADMIN and OWNER any of the
# organization's); worker keys run the worker protocol and nothing else; no key touches a system
# job type (SYSTEM_TYPES: mediabase's own work, run by `mediabase worker`) beyond what an
# ADMIN may do to any job (cancel, retry). A job's type and creator never change, so a check
# made before the call that acts still holds when it acts.


def _no_system_type(job_type: str, what: str) -> None:
    if job_type in SYSTEM_TYPES:
        raise Forbidden(f"{job_type} is a system job type: only mediabase's own worker {what} it", field="type")


def _member_key(p: Principal) -> None:
    if p.is_worker:
        raise Forbidden("a worker key only claims and runs jobs; enqueue, cancel and retry with a member's key")


def _worker_key(p: Principal) -> None:
    if not p.is_worker:
        raise Forbidden(
            "claiming and running jobs needs a worker key (POST /keys with scope 'worker', or"
            " `mediabase key create --worker`)"
        )


async def _access(db: Database, p: Principal, job_id: UUID) -> dict[str, Any]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        rows = await _rows(conn, Q.access, {"org": p.organization_id, "id": job_id})
    if not rows:
        raise NotFound(f"no job {job_id}")
    return rows[0]


async def _may_change(db: Database, p: Principal, job_id: UUID) -> None:
    """Cancel or retry: a MEMBER their own jobs of ordinary types, an ADMIN or OWNER any job."""
    _member_key(p)
    job = await _access(db, p, job_id)
    if p.can(Role.ADMIN):
        return
    if job["type"] in SYSTEM_TYPES:
        raise Forbidden(f"{job['type']} is a system job type: an ADMIN or OWNER may cancel or retry it")
    if job["created_by"] != p.user_id:
        raise Forbidden("a MEMBER may cancel or retry only the jobs they enqueued; an ADMIN or OWNER any")


async def enqueue_as(db: Database, p: Principal, job: NewJob, idempotency_key: str | None = None) -> Enqueued:
    """Enqueue a job of an ordinary type for a member (MEMBER+), in a transaction of its own."""
    _member_key(p)
    _no_system_type(job.type, "enqueues")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await enqueue(
            conn,
            org_id=p.organization_id,
            type=job.type,
            input=job.input,
            queue=job.queue,
            priority=job.priority,
            run_after=job.run_after,
            max_retries=job.max_retries,
            idempotency_key=idempotency_key or job.idempotency_key,
            context=job.context,
        )


async def cancel_as(db: Database, p: Principal, job_id: UUID) -> JobStatus:
    await _may_change(db, p, job_id)
    return await cancel_job(db, p.organization_id, job_id)


async def retry_as(db: Database, p: Principal, job_id: UUID) -> JobStatus:
    await _may_change(db, p, job_id)
    return await retry_job(db, p.organization_id, job_id)


async def claim_as(
    db: Database,
    p: Principal,
    *,
    worker: str,
    types: list[str] | None,
    queues: list[str] | None,
    batch: int,
    lease_seconds: int,
) -> list[Job]:
    """A worker key claims jobs of the types it names (never a system type) in its organization."""
    _worker_key(p)
    if not types:
        raise Invalid("name the job types this worker handles (types)", field="types")
    for t in types:
        _no_system_type(t, "claims")
    return await claim_for(
        db, p.organization_id, worker=worker, types=types, queues=queues, batch=batch, lease_seconds=lease_seconds
    )


async def heartbeat_as(
    db: Database, p: Principal, *, worker: str, ids: list[UUID], lease_seconds: int
) -> dict[UUID, bool]:
    _worker_key(p)
    return await heartbeat_for(db, p.organization_id, worker=worker, ids=ids, lease_seconds=lease_seconds)


async def _held_job(db: Database, p: Principal, job_id: UUID, what: str) -> None:
    _worker_key(p)
    _no_system_type(str((await _access(db, p, job_id))["type"]), what)


async def progress_as(
    db: Database, p: Principal, job_id: UUID, *, worker: str, progress: int, stage: str | None, message: str | None
) -> str:
    await _held_job(db, p, job_id, "reports on")
    return await progress_for(
        db, p.organization_id, job_id, worker=worker, progress=progress, stage=stage, message=message
    )


async def complete_as(db: Database, p: Principal, job_id: UUID, *, worker: str, result: Any) -> bool:
    await _held_job(db, p, job_id, "completes")
    return await complete_for(db, p.organization_id, job_id, worker=worker, result=result)


async def fail_as(
    db: Database, p: Principal, job_id: UUID, *, worker: str, code: str, message: str, retryable: bool
) -> JobStatus | None:
    await _held_job(db, p, job_id, "fails")
    return await fail_for(
        db, p.organization_id, job_id, worker=worker, code=code, message=message, retryable=retryable
    )


async def release_as(db: Database, p: Principal, *, worker: str, ids: list[UUID]) -> int:
    _worker_key(p)
    return await release_for(db, p.organization_id, worker=worker, ids=ids)
