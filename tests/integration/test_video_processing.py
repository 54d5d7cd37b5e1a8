"""A video's processing status follows its jobs (mediabase.media.processing): pending until one
starts, processing while they run, ready when the last has completed, failed when one fails for
good; two jobs of one video ending at once leave it ready, never stuck in processing."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import pytest

from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from mediabase.jobs import (
    JobContext,
    JobTurn,
    PermanentError,
    cancel_job,
    enqueue,
    get_job,
    list_jobs,
    retry_job,
)
from mediabase.jobs.registry import Follower, Registration
from mediabase.jobs.worker import Worker
from mediabase.media.models import VideoCreate
from mediabase.media.service import insert_video
from mediabase.search.jobs import handle_transcript_index
from mediabase.transcripts import processing
from mediabase.transcripts.service import ingest_transcript
from tests.factories import Tenant, make_video, transcript
from tests.integration.test_jobs_queue import fast, run_until

INDEX = "transcript.index"
FOLLOWER = Follower("video_id", processing.video_follows_its_jobs)
Handler = Callable[[JobContext], Awaitable[Any]]


async def status(owner_db: Database, video: UUID) -> tuple[str, str | None]:
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(
            "SELECT processing_status, processing_error FROM videos WHERE id = %s", (video,))).fetchone()
    assert row is not None
    return row["processing_status"], row["processing_error"]


def watching(owner_db: Database, seen: list[str], inner: Handler, *, video: UUID | None = None) -> Handler:
    """``inner``, noting the video's status while the job runs (only ``video``'s, when given: a worker on
    a shared database also runs other tests' jobs)."""

    async def handler(ctx: JobContext) -> Any:
        job_video = UUID(ctx.job.input["video_id"])
        if video is None or job_video == video:
            seen.append((await status(owner_db, job_video))[0])
        return await inner(ctx)

    return handler


async def run_jobs(db: Database, org: UUID, regs: dict[str, Registration], *, follow: list[Follower] | None = None,
                   concurrency: int = 4) -> None:
    """A worker with ``regs`` until no job of the organization is queued or running."""
    worker = Worker(db, fast(concurrency=concurrency), registrations=regs,
                    follow=[FOLLOWER] if follow is None else follow)

    async def idle() -> bool:
        return all(j.status not in ("queued", "processing") for j in await list_jobs(db, org, limit=1000))

    await run_until(worker, idle, limit=60)


async def test_a_transcripts_indexing_takes_its_video_from_pending_through_processing_to_ready(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    video = await make_video(db, p)
    assert await status(owner_db, video) == ("pending", None)
    seen: list[str] = []
    await run_jobs(db, p.organization_id,
                   {INDEX: Registration(INDEX, watching(owner_db, seen, handle_transcript_index), False, None)})
    [job] = await list_jobs(db, p.organization_id, type=INDEX)
    assert job.status == "completed" and job.result and job.result["chunks"] >= 1
    assert seen == ["processing"]
    assert await status(owner_db, video) == ("ready", None)
    # a second transcript goes the same way again (a transactional handler this time)
    await ingest_transcript(db, p, video, transcript(3, word="again"))
    seen.clear()
    await run_jobs(db, p.organization_id,
                   {INDEX: Registration(INDEX, watching(owner_db, seen, handle_transcript_index), True, None)})
    assert seen == ["processing"] and await status(owner_db, video) == ("ready", None)


async def test_a_job_that_fails_for_good_makes_the_video_failed_and_a_retry_that_completes_ready(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    video = await make_video(db, p)

    async def broken(ctx: JobContext) -> None:
        raise PermanentError("the transcript cannot be chunked", code="bad_transcript")

    await run_jobs(db, p.organization_id, {INDEX: Registration(INDEX, broken, False, None)})
    assert await status(owner_db, video) == ("failed", f"{INDEX}: bad_transcript: the transcript cannot be chunked")
    [job] = await list_jobs(db, p.organization_id, type=INDEX)
    assert job.status == "failed"
    # the operator retries it (mediabase jobs retry): the newest work decides
    await retry_job(db, p.organization_id, job.id)
    seen: list[str] = []
    await run_jobs(db, p.organization_id,
                   {INDEX: Registration(INDEX, watching(owner_db, seen, handle_transcript_index), False, None)})
    assert seen == ["processing"]
    assert await status(owner_db, video) == ("ready", None)


async def test_a_failure_that_will_be_retried_keeps_the_video_processing(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    video = await make_video(db, p)
    seen: list[str] = []

    async def flaky(ctx: JobContext) -> None:
        if ctx.job.attempts == 1:
            raise RuntimeError("the model server is away")

    async with owner_db.transaction() as conn:  # the retry at once, not after the backoff
        await conn.execute("UPDATE jobs SET max_retries = 2 WHERE type = %s", (INDEX,))
    task = asyncio.create_task(run_jobs(db, p.organization_id,
                                        {INDEX: Registration(INDEX, watching(owner_db, seen, flaky), False, None)}))
    async with asyncio.timeout(30):
        while not seen or (await list_jobs(db, p.organization_id, type=INDEX))[0].status != "queued":  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert await status(owner_db, video) == ("processing", None)  # failed once, runs again: still processing
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE jobs SET run_after = now() WHERE type = %s", (INDEX,))
    await task
    assert seen == ["processing", "processing"]
    assert await status(owner_db, video) == ("ready", None)


async def _video_with_jobs(db: Database, tenant: Tenant, n: int, type_: str) -> tuple[UUID, list[UUID]]:
    p = tenant.owner
    system = await db.as_system()
    async with system.transaction(p.organization_id, p.user_id) as conn:
        video = (await insert_video(conn, p, VideoCreate(title="many jobs"))).id
        ids = [(await enqueue(conn, org_id=p.organization_id, type=type_, input={"video_id": str(video), "i": i})).id
               for i in range(n)]
    return video, ids


async def test_a_queued_job_cancelled_before_it_ran_makes_its_video_failed(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    """No worker ever sees a job cancelled while queued: the cancel itself tells the follower."""
    org = tenants[0].owner.organization_id
    video, [first, second] = await _video_with_jobs(db, tenants[0], 2, "test.video")
    assert await cancel_job(db, org, first) == "cancelled"
    assert await status(owner_db, video) == ("failed", "test.video: cancelled before it ran")
    assert await cancel_job(db, org, first) == "cancelled"  # again: nothing more happens
    # the other job still runs later, and the newest work decides
    await run_jobs(db, org, {"test.video": Registration("test.video", lambda ctx: asyncio.sleep(0), False, None)})
    assert (await get_job(db, org, second)).status == "completed"
    assert await status(owner_db, video) == ("ready", None)
    # a job whose video_id is no UUID: cancelled, and no video changes
    other, [_] = await _video_with_jobs(db, tenants[0], 1, "test.video")
    async with (await db.as_system()).transaction(org) as conn:
        plain = (await enqueue(conn, org_id=org, type="test.video", input={"video_id": "not-a-uuid"})).id
    assert await cancel_job(db, org, plain) == "cancelled"
    assert await status(owner_db, other) == ("pending", None)


async def lock_waits(owner_db: Database) -> int:
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM pg_locks WHERE NOT granted")).fetchone()
    return int(row["n"]) if row else 0


@pytest.mark.parametrize("transactional", [False, True])
async def test_two_jobs_of_one_video_ending_at_once_leave_it_ready(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], transactional: bool) -> None:
    """Both jobs have completed (uncommitted) before either follows, and the first to follow keeps
    its transaction open until the other has followed too or waits for it: without the video's
    row lock, each counts the other still running and the video stays processing."""
    video, _ = await _video_with_jobs(db, tenants[0], 2, "test.video")
    both_done = asyncio.Barrier(2)
    counted: list[int] = []
    followed: list[UUID] = []

    async def work(ctx: JobContext) -> None:
        return None

    async def follower(conn: Conn, turn: JobTurn) -> None:
        if turn.event != "completed":
            await processing.video_follows_its_jobs(conn, turn)
            return
        await both_done.wait()  # each has completed its job in its open transaction

        async def others(count: Callable[[], Awaitable[int]] = turn.others_unfinished) -> int:
            counted.append(await count())
            return counted[-1]

        await processing.video_follows_its_jobs(conn, JobTurn(turn.job, turn.subject, turn.event, turn.error, others))
        followed.append(turn.job.id)
        async with asyncio.timeout(20):
            while len(followed) < 2 and not await lock_waits(owner_db):  # noqa: ASYNC110 - the server's locks
                await asyncio.sleep(0.01)

    await run_jobs(db, tenants[0].owner.organization_id,
                   {"test.video": Registration("test.video", work, transactional, None)},
                   follow=[Follower("video_id", follower)], concurrency=2)
    assert counted == [1, 0]  # the first to take the lock saw the other running; the second, none
    assert await status(owner_db, video) == ("ready", None)


@pytest.mark.parametrize("seed", range(3))
async def test_many_jobs_of_a_few_videos_in_any_order_end_ready_or_failed(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], seed: int) -> None:
    rng = random.Random(seed)
    fine = [await _video_with_jobs(db, tenants[0], rng.randint(1, 6), "test.video") for _ in range(3)]
    bad, bad_jobs = await _video_with_jobs(db, tenants[0], 4, "test.video")
    doomed = rng.choice(bad_jobs)
    pauses = {str(j): rng.random() / 50 for _, jobs in [*fine, (bad, bad_jobs)] for j in jobs}

    async def work(ctx: JobContext) -> None:
        await asyncio.sleep(pauses[str(ctx.job.id)])
        if ctx.job.id == doomed:
            raise PermanentError("this one breaks")

    await run_jobs(db, tenants[0].owner.organization_id,
                   {"test.video": Registration("test.video", work, rng.random() < 0.5, None)}, concurrency=8)
    for video, _ in fine:
        assert await status(owner_db, video) == ("ready", None)
    assert await status(owner_db, bad) == ("failed", "test.video: permanent: this one breaks")
    assert (await get_job(db, tenants[0].owner.organization_id, doomed)).status == "failed"
