"""Jobs over HTTP, in the caller's organization: enqueue, get, list, long-poll, cancel, retry,
and the worker protocol for worker keys. Who may do what is the service's (docs/jobs.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Response, status

from mediabase.api.deps import AnyPrincipalDep, DbDep, PrincipalDep
from mediabase.common.types import Instant
from mediabase.db.errors import Conflict
from mediabase.jobs import service
from mediabase.jobs.models import (
    ClaimRequest,
    CompleteRequest,
    Enqueued,
    FailRequest,
    HeartbeatRequest,
    Held,
    Job,
    JobStatus,
    NewJob,
    ProgressAnswer,
    ProgressRequest,
    Released,
    ReleaseRequest,
    TypeStats,
)

router = APIRouter()
jobs = APIRouter(prefix="/jobs", tags=["jobs"])
workers = APIRouter(prefix="/jobs", tags=["job workers"])


def _worker(name: str) -> str:
    """HTTP workers' names live apart from in-process workers' names."""
    return f"http:{name}"


@jobs.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Enqueue a job",
    responses={200: {"description": "the idempotency key was seen before: the first job"}},
)
async def enqueue(
    db: DbDep,
    p: PrincipalDep,
    body: NewJob,
    response: Response,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200)] = None,
) -> Enqueued:
    """Enqueue a job (any member; not a system type such as ``transcript.index``). With an
    idempotency key (body or ``Idempotency-Key`` header) a repeated request returns the first
    job with 200 instead of creating another."""
    e = await service.enqueue_as(db, p, body, idempotency_key)
    if not e.created:
        response.status_code = status.HTTP_200_OK
    return e


@jobs.get("", summary="List jobs, newest first")
async def list_jobs(
    db: DbDep,
    p: PrincipalDep,
    status_: Annotated[JobStatus | None, Query(alias="status")] = None,
    type_: Annotated[str | None, Query(alias="type", max_length=100)] = None,
    before: Annotated[Instant | None, Query(description="created before (paging)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[Job]:
    return await service.list_jobs(db, p.organization_id, status=status_, type=type_, before=before, limit=limit)


@jobs.get("/stats", summary="Jobs per type and status, and the backlog's age")
async def stats(db: DbDep, p: PrincipalDep, hours: Annotated[float, Query(gt=0, le=24 * 31)] = 24) -> list[TypeStats]:
    return await service.job_stats(db, p.organization_id, timedelta(hours=hours))


@jobs.get("/{job_id}", summary="A job: status, stage, progress, result or error")
async def get_job(db: DbDep, p: PrincipalDep, job_id: UUID) -> Job:
    return await service.get_job(db, p.organization_id, job_id)


@jobs.get("/{job_id}/wait", summary="Long-poll until the job is finished or the timeout")
async def wait(
    db: DbDep,
    p: PrincipalDep,
    job_id: UUID,
    timeout: Annotated[float, Query(ge=0, le=60, description="seconds")] = 20,  # noqa: ASYNC109 - HTTP parameter
) -> Job:
    """Answers as soon as the job is completed, failed or cancelled, or after ``timeout``
    seconds with the job as it is then (check ``status``). Holds no database connection
    while it waits."""
    return await service.wait_for(db, job_id, timeout, org_id=p.organization_id, listen=False)


@jobs.post("/{job_id}/cancel", summary="Cancel a job (MEMBER: their own; ADMIN: any)")
async def cancel(db: DbDep, p: PrincipalDep, job_id: UUID) -> Job:
    """A queued job is cancelled at once; a processing one is asked to stop (its handler sees
    the request at its next heartbeat or progress report). A finished job is left as it is."""
    await service.cancel_as(db, p, job_id)
    return await service.get_job(db, p.organization_id, job_id)


@jobs.post("/{job_id}/retry", summary="Requeue a failed or cancelled job (MEMBER: their own; ADMIN: any)")
async def retry(db: DbDep, p: PrincipalDep, job_id: UUID) -> Job:
    await service.retry_as(db, p, job_id)
    return await service.get_job(db, p.organization_id, job_id)


# -- the worker protocol, for a worker of this organization in any language ------------------------
# Worker keys only. Each call acts only on the caller's organization's jobs (the SQL functions'
# org argument), never on a system job type.


@workers.post("/claim", summary="Claim ready jobs of this organization, with a lease")
async def claim(db: DbDep, p: AnyPrincipalDep, body: ClaimRequest) -> list[Job]:
    """Up to ``batch`` ready jobs, by priority and ``run_after``, leased for ``lease_seconds``:
    send heartbeats before the lease runs out, then complete or fail each job."""
    return await service.claim_as(
        db,
        p,
        worker=_worker(body.worker),
        types=body.types,
        queues=body.queues,
        batch=body.batch,
        lease_seconds=body.lease_seconds,
    )


@workers.post("/heartbeat", summary="Extend the leases of held jobs")
async def heartbeat(db: DbDep, p: AnyPrincipalDep, body: HeartbeatRequest) -> list[Held]:
    """Answers the jobs still held (a job missing from the answer is no longer yours) and
    whether a cancel was asked for (stop it and fail it with ``retryable: false``)."""
    held = await service.heartbeat_as(
        db, p, worker=_worker(body.worker), ids=body.ids, lease_seconds=body.lease_seconds
    )
    return [Held(id=i, cancel_requested=c) for i, c in held.items()]


@workers.post("/{job_id}/progress", summary="Report progress, stage and message of a held job")
async def progress(db: DbDep, p: AnyPrincipalDep, job_id: UUID, body: ProgressRequest) -> ProgressAnswer:
    state = await service.progress_as(
        db,
        p,
        job_id,
        worker=_worker(body.worker),
        progress=body.progress,
        stage=body.stage.value if body.stage else None,
        message=body.message,
    )
    return ProgressAnswer(state=state)


@workers.post(
    "/{job_id}/complete",
    summary="Complete a held job with its result",
    responses={409: {"description": "the worker does not hold the job (lease lost)"}},
)
async def complete(db: DbDep, p: AnyPrincipalDep, job_id: UUID, body: CompleteRequest) -> Job:
    if not await service.complete_as(db, p, job_id, worker=_worker(body.worker), result=body.result):
        raise Conflict(f"worker {body.worker} does not hold job {job_id} (its lease ran out?)")
    return await service.get_job(db, p.organization_id, job_id)


@workers.post(
    "/{job_id}/fail",
    summary="Fail a held job (retried with backoff while retries are left)",
    responses={409: {"description": "the worker does not hold the job (lease lost)"}},
)
async def fail(db: DbDep, p: AnyPrincipalDep, job_id: UUID, body: FailRequest) -> Job:
    status_ = await service.fail_as(
        db,
        p,
        job_id,
        worker=_worker(body.worker),
        code=body.code,
        message=body.message,
        retryable=body.retryable,
    )
    if status_ is None:
        raise Conflict(f"worker {body.worker} does not hold job {job_id} (its lease ran out?)")
    return await service.get_job(db, p.organization_id, job_id)


@workers.post("/release", summary="Give held jobs back to the queue untouched")
async def release(db: DbDep, p: AnyPrincipalDep, body: ReleaseRequest) -> Released:
    return Released(released=await service.release_as(db, p, worker=_worker(body.worker), ids=body.ids))


router.include_router(jobs)
router.include_router(workers)
