"""A job's failed attempts are its history, not its outcome (issue 26, 7; 0026): a job that
completed after its lease ran out, or after its handler failed once, shows no error; what went
wrong stays in ``failed_attempts``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import Invalid
from mediabase.jobs import JobContext, JobStatus, enqueue, get_job
from mediabase.jobs.worker import Worker
from tests.integration.test_jobs_queue import fast, new_org, regs, run_until


@pytest.fixture
async def org(owner_db: Database) -> UUID:
    return await new_org(owner_db)


async def call(db: Database, statement: str, *args: Any) -> list[dict[str, Any]]:
    """One worker call, in a transaction of its own (a claim sees the time of its own statement)."""
    async with db.transaction() as conn:
        return await (await conn.execute(statement, args)).fetchall()


async def expire(owner_db: Database, job_id: UUID) -> None:
    """The lease runs out now (as if its worker had died that long ago): no waiting in the test."""
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = %s", (job_id,))


async def test_a_job_completed_after_its_lease_ran_out_shows_no_error(
    db: Database, owner_db: Database, org: UUID
) -> None:
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work")
    claimed = await call(db, "SELECT id FROM mediabase.claim_jobs('dead', NULL, 1, 30)")
    assert [r["id"] for r in claimed] == [e.id]
    await expire(owner_db, e.id)
    again = await call(db, "SELECT id, attempts FROM mediabase.claim_jobs('alive', NULL, 1, 30)")
    assert again == [{"id": e.id, "attempts": 2}]
    while_running = await get_job(db, org, e.id)
    assert while_running.error_code == "lease_expired"  # the job is being retried: why is its last failure
    assert await call(db, "SELECT mediabase.complete_job(%s, 'alive') AS ok", e.id) == [{"ok": True}]

    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.COMPLETED and job.attempts == 2 and job.retry_count == 1
    assert job.error_code is None and job.error_message is None
    [attempt] = job.failed_attempts
    assert (attempt.attempt, attempt.worker, attempt.error_code) == (1, "dead", "lease_expired")
    assert attempt.error_message is not None and "the lease of worker dead ran out" in attempt.error_message
    assert job.started_at is not None and job.completed_at is not None
    assert job.started_at <= attempt.ended_at <= job.completed_at


async def test_a_handler_that_failed_once_then_succeeded(db: Database, owner_db: Database, org: UUID) -> None:
    calls = 0

    async def flaky(ctx: JobContext) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("first try")

    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.flaky")

    async def settled() -> bool:
        job = await get_job(db, org, e.id)
        if job.status is JobStatus.QUEUED and job.retry_count == 1:
            async with owner_db.transaction() as conn:  # skip the backoff, never assert on time
                await conn.execute("UPDATE jobs SET run_after = now() WHERE id = %s", (e.id,))
        return job.status is JobStatus.COMPLETED

    await run_until(Worker(db, fast(), registrations=regs(demo__flaky=flaky)), settled)
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.COMPLETED and calls == 2
    assert job.error_code is None and job.error_message is None
    assert [(a.attempt, a.error_code, a.error_message) for a in job.failed_attempts] == [(1, "ValueError", "first try")]


async def test_a_job_that_failed_for_good_keeps_its_error_and_every_attempt(
    db: Database, owner_db: Database, org: UUID
) -> None:
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work", max_retries=1)
    await call(db, "SELECT id FROM mediabase.claim_jobs('w1', NULL, 1, 30)")
    await expire(owner_db, e.id)
    await call(db, "SELECT id FROM mediabase.claim_jobs('w2', NULL, 1, 30)")
    assert await call(db, "SELECT mediabase.fail_job(%s, 'w2', 'boom', 'it broke') AS status", e.id) == [
        {"status": "failed"}
    ]
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.FAILED and (job.error_code, job.error_message) == ("boom", "it broke")
    assert [(a.attempt, a.worker, a.error_code) for a in job.failed_attempts] == [
        (1, "w1", "lease_expired"), (2, "w2", "boom")
    ]


async def test_the_history_keeps_the_last_twenty(db: Database, owner_db: Database, org: UUID) -> None:
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work", max_retries=100)
    for n in range(1, 26):
        async with owner_db.transaction() as conn:
            await conn.execute("UPDATE jobs SET run_after = now() WHERE id = %s", (e.id,))
        await call(db, "SELECT id FROM mediabase.claim_jobs('w', NULL, 1, 30)")
        assert await call(db, "SELECT mediabase.fail_job(%s, 'w', %s, 'no') AS status", e.id, f"e{n}") == [
            {"status": "queued"}
        ]
    job = await get_job(db, org, e.id)
    assert [a.attempt for a in job.failed_attempts] == list(range(6, 26))
    assert job.failed_attempts[-1].error_code == "e25" == job.error_code


async def test_the_history_has_a_shape(owner_db: Database, org: UUID, db: Database) -> None:
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work")
    for bad in ('{}', '[{"attempt": 1}]', '["x"]', "[" + ",".join(['{"attempt": 1, "error_code": "x", '
                                                                  '"ended_at": "2026-01-01T00:00:00Z"}'] * 21) + "]"):
        with pytest.raises(Invalid) as info:
            async with owner_db.transaction() as conn:
                await conn.execute("UPDATE jobs SET failed_attempts = %s::jsonb WHERE id = %s", (bad, e.id))
        assert info.value.extra.get("constraint") == "jobs_failed_attempts_shape", bad
    assert (await get_job(db, org, e.id)).failed_attempts == []
