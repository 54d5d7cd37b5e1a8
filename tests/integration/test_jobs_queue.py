"""The job queue against a real PostgreSQL: SQL functions, idempotency, the worker, leases,
retries, cancels, limits, the claim's plan and partition rollover."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.rows import dict_row

from mediabase.db.connection import Database
from mediabase.jobs import (
    JobContext,
    JobStatus,
    NewJob,
    cancel_job,
    enqueue,
    enqueue_many,
    get_job,
    list_jobs,
    retry_job,
    wait_for,
)
from mediabase.jobs.registry import Registration
from mediabase.jobs.service import ensure_partitions, partitions, prune_partitions
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from tests.conftest import make_settings


async def new_org(owner_db: Database, slug: str | None = None) -> UUID:
    async with owner_db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO organizations (name, slug) VALUES ('Org', %s) RETURNING id",
            (slug or f"org-{uuid.uuid4().hex[:10]}",),
        )
        row = await cur.fetchone()
        assert row is not None
        org: UUID = row["id"]
        return org


@pytest.fixture
async def org(owner_db: Database) -> UUID:
    return await new_org(owner_db)


@pytest.fixture
async def big_db(migrated_url: str) -> AsyncIterator[Database]:
    """The app-role pool with room for concurrent callers."""
    async with Database(migrated_url, make_settings(migrated_url, pool_max_size=30)) as database:
        yield database


def fast(**overrides: Any) -> JobSettings:
    values: dict[str, Any] = {
        "lease_seconds": 2,
        "poll_interval": 0.2,
        "shutdown_grace": 2.0,
        "concurrency": 4,
        "batch_size": 10,
    }
    values.update(overrides)
    return JobSettings.model_validate(values)


def regs(**handlers: Any) -> dict[str, Registration]:
    out = {}
    for name, value in handlers.items():
        fn, transactional = value if isinstance(value, tuple) else (value, False)
        t = name.replace("__", ".")
        out[t] = Registration(t, fn, transactional, None)
    return out


async def run_until(worker: Worker, predicate: Any, limit: float = 20.0) -> None:
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(limit):
            while not await predicate():  # noqa: ASYNC110 - polling the database's state
                await asyncio.sleep(0.05)
    finally:
        worker.stop()
        await task


async def statuses(owner_db: Database) -> dict[str, int]:
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute("SELECT status, count(*) AS n FROM jobs GROUP BY status")).fetchall()
    return {r["status"]: r["n"] for r in rows}


# -- SQL functions, tenancy --------------------------------------------------------------------


async def test_enqueue_claim_complete_through_sql_functions_as_app_role(
    db: Database, owner_db: Database, org: UUID
) -> None:
    other = await new_org(owner_db)
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work", input={"n": 1})
    assert e.created and e.status is JobStatus.QUEUED
    async with db.transaction(other) as conn:  # another tenant sees nothing of it
        cur = await conn.execute("SELECT count(*) AS n FROM jobs")
        assert (await cur.fetchone()) == {"n": 0}
        assert await (await conn.execute("SELECT mediabase.cancel_job(%s) AS s", (e.id,))).fetchone() == {"s": None}
    async with db.transaction() as conn:  # a worker: no tenant set, claims across tenants
        rows = await (
            await conn.execute("SELECT * FROM mediabase.claim_jobs('w1', ARRAY['demo.work'], 10, 30)")
        ).fetchall()
        assert [(r["id"], r["organization_id"], r["status"]) for r in rows] == [(e.id, org, "processing")]
        state = await (
            await conn.execute("SELECT mediabase.job_progress(%s, 'w1', 40, 'chunking', 'half way') AS s", (e.id,))
        ).fetchone()
        assert state == {"s": "held"}
        other_worker = await (
            await conn.execute("SELECT mediabase.complete_job(%s, 'w2', '{}') AS ok", (e.id,))
        ).fetchone()
        assert other_worker == {"ok": False}
        ok = await (
            await conn.execute("SELECT mediabase.complete_job(%s, 'w1', '{\"chunks\": 3}') AS ok", (e.id,))
        ).fetchone()
        assert ok == {"ok": True}
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.COMPLETED and job.stage == "completed" and job.progress == 100
    assert job.result == {"chunks": 3} and job.attempts == 1 and job.completed_at is not None


async def test_app_role_cannot_enqueue_into_another_tenant(db: Database, owner_db: Database, org: UUID) -> None:
    other = await new_org(owner_db)

    async def attempt() -> None:
        async with db.transaction(org) as conn:
            await enqueue(conn, org_id=other, type="demo.work")

    with pytest.raises(Exception, match="not found|row-level security"):
        await attempt()
    async with owner_db.transaction() as conn:
        assert await (await conn.execute("SELECT count(*) AS n FROM jobs")).fetchone() == {"n": 0}


async def test_app_role_cannot_read_partitions_or_run_partition_functions(db: Database, owner_db: Database) -> None:
    async with owner_db.transaction() as conn:
        await ensure_partitions(conn, 1)
    name = f"jobs_{datetime.now(UTC):%Y_%m}"
    for stmt in (
        f"SELECT * FROM mediabase.{name}",
        "SELECT * FROM mediabase.jobs_default",
        "SELECT mediabase.prune_job_partitions(1)",
    ):
        with pytest.raises(Exception, match="not found"):  # InsufficientPrivilege, translated
            async with db.transaction() as conn:
                await conn.execute(stmt.encode())


async def test_enqueue_in_callers_transaction_rolls_back_with_it(db: Database, owner_db: Database, org: UUID) -> None:
    class Boom(Exception):
        pass

    async def enqueue_then_fail() -> None:
        async with db.transaction(org) as conn:
            await enqueue(conn, org_id=org, type="demo.work", idempotency_key="k-rollback")
            raise Boom

    with pytest.raises(Boom):
        await enqueue_then_fail()
    assert await statuses(owner_db) == {}
    async with db.transaction(org) as conn:  # the key was rolled back too
        assert (await enqueue(conn, org_id=org, type="demo.work", idempotency_key="k-rollback")).created


# -- idempotency -------------------------------------------------------------------------------


async def test_concurrent_enqueues_with_one_key_create_one_job(big_db: Database, owner_db: Database, org: UUID) -> None:
    start = asyncio.Event()

    async def one(i: int) -> tuple[UUID, bool]:
        async with big_db.transaction(org) as conn:
            await start.wait()
            e = await enqueue(conn, org_id=org, type="demo.work", input={"i": i}, idempotency_key="same-key")
            await asyncio.sleep(0.01)  # hold the transaction open a moment: others must wait
            return e.id, e.created

    tasks = [asyncio.create_task(one(i)) for i in range(25)]
    await asyncio.sleep(0.2)
    start.set()
    results = await asyncio.gather(*tasks)
    assert len({job_id for job_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert await statuses(owner_db) == {"queued": 1}
    async with owner_db.transaction() as conn:
        keys = await (await conn.execute("SELECT count(*) AS n FROM job_idempotency_keys")).fetchone()
    assert keys == {"n": 1}


async def test_same_key_in_two_tenants_makes_two_jobs_and_expired_key_starts_over(
    db: Database, owner_db: Database, org: UUID
) -> None:
    other = await new_org(owner_db)
    async with db.transaction(org) as conn:
        a = await enqueue(conn, org_id=org, type="demo.work", idempotency_key="k", key_ttl=timedelta(seconds=0.2))
    async with db.transaction(other) as conn:
        b = await enqueue(conn, org_id=other, type="demo.work", idempotency_key="k")
    assert a.id != b.id and a.created and b.created
    async with db.transaction(org) as conn:
        again = await enqueue(conn, org_id=org, type="demo.work", idempotency_key="k")
    assert again.id == a.id and not again.created
    await asyncio.sleep(0.3)
    async with db.transaction(org) as conn:
        fresh = await enqueue(conn, org_id=org, type="demo.work", idempotency_key="k")
    assert fresh.created and fresh.id != a.id


# -- the worker --------------------------------------------------------------------------------


async def test_worker_runs_handlers_reports_progress_and_completes(db: Database, owner_db: Database, org: UUID) -> None:
    seen: list[tuple[UUID, Any]] = []

    async def work(ctx: JobContext) -> dict[str, Any]:
        await ctx.progress(50, "embedding", "half")
        seen.append((ctx.org_id, ctx.job.input))
        return {"double": ctx.job.input["n"] * 2}

    async with db.transaction(org) as conn:
        ids = await enqueue_many(conn, org_id=org, jobs=[NewJob(type="demo.work", input={"n": i}) for i in range(30)])
    worker = Worker(db, fast(), registrations=regs(demo__work=work))

    async def done() -> bool:
        return (await statuses(owner_db)).get("completed") == 30

    await run_until(worker, done)
    assert sorted(i["n"] for _, i in seen) == list(range(30)) and {o for o, _ in seen} == {org}
    job = await get_job(db, org, ids[7])
    assert job.result == {"double": 14} and job.message == "half" and job.progress == 100


async def test_wait_for_returns_when_the_worker_finishes(db: Database, org: UUID) -> None:
    async def slow(ctx: JobContext) -> str:
        await asyncio.sleep(0.3)
        return "ok"

    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.slow")
    worker = Worker(db, fast(), registrations=regs(demo__slow=slow))
    task = asyncio.create_task(worker.run())
    try:
        job = await wait_for(db, e.id, 15, org_id=org)
        assert job.status is JobStatus.COMPLETED and job.result == "ok"
        polled = await wait_for(db, e.id, 1, org_id=org, listen=False)
        assert polled.status is JobStatus.COMPLETED
    finally:
        worker.stop()
        await task
    async with db.transaction(org) as conn:
        e2 = await enqueue(conn, org_id=org, type="demo.slow", run_after=datetime.now(UTC) + timedelta(hours=1))
    timed_out = await wait_for(db, e2.id, 0.3, org_id=org)
    assert timed_out.status is JobStatus.QUEUED


async def test_failures_retry_with_backoff_then_fail_for_good_and_retry_requeues(
    db: Database, owner_db: Database, org: UUID
) -> None:
    calls = 0

    async def flaky(ctx: JobContext) -> None:
        nonlocal calls
        calls += 1
        raise ValueError(f"attempt {ctx.job.attempts}")

    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.flaky", max_retries=2)

    async def make_ready() -> None:  # skip the backoff wait in the test, never assert on time
        async with owner_db.transaction() as conn:
            await conn.execute("UPDATE jobs SET run_after = now() WHERE status = 'queued'")

    for attempt in range(1, 4):
        worker = Worker(db, fast(), registrations=regs(demo__flaky=flaky))

        async def tried(n: int = attempt) -> bool:
            return calls >= n and (await get_job(db, org, e.id)).status is not JobStatus.PROCESSING

        await run_until(worker, tried)
        job = await get_job(db, org, e.id)
        if attempt < 3:
            assert job.status is JobStatus.QUEUED and job.retry_count == attempt
            assert job.run_after >= job.updated_at + timedelta(seconds=1)  # backed off: base 2 s x 0.5..1
            assert job.error_code == "ValueError" and job.stage == "pending"
            await make_ready()
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.FAILED and job.stage == "error" and calls == 3
    assert job.error_message == "attempt 3"
    assert await retry_job(db, org, e.id) is JobStatus.QUEUED
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.QUEUED and job.retry_count == 0 and job.completed_at is None


async def test_permanent_error_and_a_result_that_is_not_json_fail_at_once(db: Database, org: UUID) -> None:
    from mediabase.jobs import PermanentError

    async def bad(ctx: JobContext) -> None:
        raise PermanentError("input is garbage", code="bad_input")

    async def odd(ctx: JobContext) -> object:
        return object()

    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.bad")
        e2 = await enqueue(conn, org_id=org, type="demo.odd")
    worker = Worker(db, fast(), registrations=regs(demo__bad=bad, demo__odd=odd))

    async def failed() -> bool:
        jobs = [await get_job(db, org, e.id), await get_job(db, org, e2.id)]
        return all(j.status is JobStatus.FAILED for j in jobs)

    await run_until(worker, failed)
    job = await get_job(db, org, e.id)
    assert job.error_code == "bad_input" and job.retry_count == 0
    assert (await get_job(db, org, e2.id)).error_code == "bad_result"


async def test_cancel_a_queued_job_at_once_and_a_running_one_cooperatively(db: Database, org: UUID) -> None:
    started = asyncio.Event()
    saw_cancel = asyncio.Event()

    async def long(ctx: JobContext) -> None:
        started.set()
        for _ in range(400):
            if ctx.cancelled:
                saw_cancel.set()
                ctx.raise_if_cancelled()
            await asyncio.sleep(0.05)

    async with db.transaction(org) as conn:
        queued = await enqueue(conn, org_id=org, type="demo.other")
        running = await enqueue(conn, org_id=org, type="demo.long")
    assert await cancel_job(db, org, queued.id) is JobStatus.CANCELLED
    assert (await get_job(db, org, queued.id)).completed_at is not None
    worker = Worker(db, fast(lease_seconds=1), registrations=regs(demo__long=long))
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.wait_for(started.wait(), 10)
        assert await cancel_job(db, org, running.id) is JobStatus.PROCESSING  # requested
        await asyncio.wait_for(saw_cancel.wait(), 10)  # the heartbeat brought it
        job = await wait_for(db, running.id, 10, org_id=org)
        assert job.status is JobStatus.CANCELLED and job.error_code == "cancelled"
    finally:
        worker.stop()
        await task
    assert await cancel_job(db, org, running.id) is JobStatus.CANCELLED  # unchanged, already done
    listed = await list_jobs(db, org, status=JobStatus.CANCELLED)
    assert {j.id for j in listed} == {queued.id, running.id}


async def test_a_dead_workers_job_comes_back_after_its_lease(db: Database, owner_db: Database, org: UUID) -> None:
    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.work")
    async with db.transaction() as conn:  # a worker claims with a 1 s lease, then "dies"
        rows = await (await conn.execute("SELECT id FROM mediabase.claim_jobs('dead', NULL, 1, 1)")).fetchall()
    assert [r["id"] for r in rows] == [e.id]
    ran: list[str] = []

    async def work(ctx: JobContext) -> None:
        ran.append(ctx.worker)

    worker = Worker(db, fast(), name="alive", registrations=regs(demo__work=work))

    async def done() -> bool:
        return (await get_job(db, org, e.id)).status is JobStatus.COMPLETED

    await run_until(worker, done)
    job = await get_job(db, org, e.id)
    assert ran == ["alive"] and job.attempts == 2 and job.retry_count == 1
    # completed: no error on the job; what happened is in its history (issue 26, 7)
    assert job.error_code is None and [(a.attempt, a.worker, a.error_code) for a in job.failed_attempts] == [
        (1, "dead", "lease_expired")
    ]
    async with db.transaction() as conn:  # the dead worker's late completion is refused
        late = await (await conn.execute("SELECT mediabase.complete_job(%s, 'dead') AS ok", (e.id,))).fetchone()
    assert late == {"ok": False}


async def test_per_type_concurrency_limit_holds_across_workers(big_db: Database, owner_db: Database, org: UUID) -> None:
    async with owner_db.transaction() as conn:
        await conn.execute("INSERT INTO job_type_limits (type, max_running) VALUES ('demo.limited', 2)")
    running = 0
    peak = 0

    async def limited(ctx: JobContext) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.05)
        running -= 1

    async def free(ctx: JobContext) -> None:
        return None

    async with big_db.transaction(org) as conn:
        await enqueue_many(
            conn,
            org_id=org,
            jobs=[NewJob(type="demo.limited") for _ in range(20)] + [NewJob(type="demo.free") for _ in range(20)],
        )
    workers = [
        Worker(
            big_db, fast(concurrency=5, poll_interval=0.05), registrations=regs(demo__limited=limited, demo__free=free)
        )
        for _ in range(3)
    ]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    try:
        async with asyncio.timeout(30):
            while (await statuses(owner_db)).get("completed") != 40:  # noqa: ASYNC110 - polling the database
                await asyncio.sleep(0.05)
    finally:
        for w in workers:
            w.stop()
        await asyncio.gather(*tasks)
    assert peak == 2  # the limit was reached and never passed, with 15 slots free


async def test_graceful_stop_gives_unfinished_jobs_back(db: Database, owner_db: Database, org: UUID) -> None:
    started = asyncio.Event()

    async def stuck(ctx: JobContext) -> None:
        started.set()
        await asyncio.sleep(60)

    async with db.transaction(org) as conn:
        e = await enqueue(conn, org_id=org, type="demo.stuck")
    worker = Worker(db, fast(shutdown_grace=0.2), registrations=regs(demo__stuck=stuck))
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(started.wait(), 10)
    worker.stop()
    await asyncio.wait_for(task, 10)
    job = await get_job(db, org, e.id)
    assert job.status is JobStatus.QUEUED and job.retry_count == 0 and job.locked_by is None


# -- the claim's plan, partitions ----------------------------------------------------------------


def month(d: datetime, delta: int) -> datetime:
    y, m = divmod(d.month - 1 + delta, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


async def test_claim_uses_the_ready_index_among_many_finished_jobs(
    migrated_url: str, owner_db: Database, org: UUID
) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(migrated_url, autocommit=True, row_factory=dict_row) as conn:
        conn.execute("SET search_path = mediabase, public")
        for k in range(-4, 2):
            conn.execute("SELECT create_job_partition(%s::date)", (month(now, k).date(),))
        # 200,000 finished jobs over five months, 50 ready ones now
        conn.execute(
            "INSERT INTO jobs (organization_id, created_at, type, status, completed_at, stage, progress)"
            " SELECT %s, %s::timestamptz + (i %% 140) * interval '1 day', 'demo.work', 'completed', now(),"
            " 'completed', 100 FROM generate_series(1, 200000) i",
            (org, month(now, -4)),
        )
        conn.execute(
            "INSERT INTO jobs (organization_id, type) SELECT %s, 'demo.work' FROM generate_series(1, 50)", (org,)
        )
        conn.execute("ANALYZE jobs")
        ready_indexes = {
            r["name"]
            for r in conn.execute(
                "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = 'mediabase.jobs_ready_idx'::regclass"
            ).fetchall()
        }
        assert len(ready_indexes) >= 7  # one per partition, DEFAULT included
        # auto_explain shows the plans of the statements inside claim_jobs, as run
        conn.execute("LOAD 'auto_explain'")
        conn.execute("SET auto_explain.log_min_duration = 0")
        conn.execute("SET auto_explain.log_nested_statements = on")
        conn.execute("SET auto_explain.log_format = json")
        conn.execute("SET client_min_messages = log")
        plans: list[dict[str, Any]] = []

        def keep(diag: psycopg.errors.Diagnostic) -> None:
            text = diag.message_primary or ""
            if "plan:" in text:
                plans.append(json.loads(text.split("plan:", 1)[1]))

        conn.add_notice_handler(keep)
        rows = conn.execute("SELECT id FROM claim_jobs('explainer', NULL, 10, 30)").fetchall()
        conn.execute("SET client_min_messages = notice")
    assert len(rows) == 10
    claim = [p for p in plans if "status = 'queued'" in p["Query Text"] and "LIMIT batch" in p["Query Text"]]
    assert claim, [p["Query Text"][:80] for p in plans]

    def nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
        out = [node]
        for child in node.get("Plans", []):
            out.extend(nodes(child))
        return out

    scans = [
        n
        for n in nodes(claim[0]["Plan"])
        if n.get("Relation Name", "").startswith("jobs_") and n.get("Alias", "").startswith("jobs")
    ]  # the candidate scan, not the UPDATE's probes
    assert scans
    for n in scans:
        assert n["Node Type"] == "Index Scan", n
        assert n["Index Name"] in ready_indexes, n
    touched = sum(n.get("Actual Rows", 0) for n in scans)
    assert touched <= 50  # never the 200,000 finished rows


async def test_partition_rollover_across_a_month_boundary(
    migrated_url: str, db: Database, owner_db: Database, org: UUID
) -> None:
    now = datetime.now(UTC)
    next_month = month(now, 1)
    async with await psycopg.AsyncConnection.connect(migrated_url, autocommit=True, row_factory=dict_row) as conn:
        await conn.execute("SET search_path = mediabase, public")
        # before any partition exists, enqueue still works: the row waits in DEFAULT
        await conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at)"
            " VALUES (%s, 'demo.a', %s), (%s, 'demo.b', %s)",
            (org, now, org, next_month + timedelta(hours=1)),
        )
        created = await ensure_partitions(conn, 1)
        assert created == [f"jobs_{now:%Y_%m}", f"jobs_{next_month:%Y_%m}"]
        assert await ensure_partitions(conn, 1) == []  # idempotent
        where = await (
            await conn.execute("SELECT type, tableoid::regclass::text AS part FROM mediabase.jobs ORDER BY type")
        ).fetchall()
        assert [(r["type"], r["part"]) for r in where] == [
            ("demo.a", f"jobs_{now:%Y_%m}"),
            ("demo.b", f"jobs_{next_month:%Y_%m}"),
        ]
        # the last instant of this month and the first of the next land on either side
        edge = next_month - timedelta(microseconds=1)
        await conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at)"
            " VALUES (%s, 'demo.c', %s), (%s, 'demo.d', %s)",
            (org, edge, org, next_month),
        )
        parts = await (
            await conn.execute(
                "SELECT type, tableoid::regclass::text AS part FROM mediabase.jobs"
                " WHERE type IN ('demo.c', 'demo.d') ORDER BY type"
            )
        ).fetchall()
        assert [r["part"] for r in parts] == [f"jobs_{now:%Y_%m}", f"jobs_{next_month:%Y_%m}"]
        # a month after the ones created: DEFAULT catches it, and ensure moves it out later
        far = month(now, 3)
        await conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at) VALUES (%s, 'demo.far', %s)", (org, far)
        )
        assert (await ensure_partitions(conn, 3))[-1] == f"jobs_{far:%Y_%m}"
        row = await (
            await conn.execute("SELECT tableoid::regclass::text AS part FROM mediabase.jobs WHERE type = 'demo.far'")
        ).fetchone()
        assert row == {"part": f"jobs_{far:%Y_%m}"}
        # all of them can be claimed, whatever their partition
        names = {p.name for p in await partitions(conn)}
        assert {"jobs_default", f"jobs_{now:%Y_%m}", f"jobs_{far:%Y_%m}"} <= names
    async with db.transaction() as conn:
        claimed = await (await conn.execute("SELECT type FROM mediabase.claim_jobs('w', NULL, 10, 30)")).fetchall()
    assert sorted(r["type"] for r in claimed) == ["demo.a", "demo.b", "demo.c", "demo.d", "demo.far"]


async def test_prune_drops_old_months_but_keeps_one_with_unfinished_jobs(migrated_url: str, org: UUID) -> None:
    now = datetime.now(UTC)
    async with await psycopg.AsyncConnection.connect(migrated_url, autocommit=True, row_factory=dict_row) as conn:
        for k in (-9, -8, -2):
            await conn.execute("SELECT mediabase.create_job_partition(%s::date)", (month(now, k).date(),))
        old, older_busy, recent = month(now, -9), month(now, -8), month(now, -2)
        await conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at, status, completed_at) VALUES"
            " (%s, 'demo.x', %s, 'completed', now()), (%s, 'demo.x', %s, 'queued', NULL),"
            " (%s, 'demo.x', %s, 'completed', now())",
            (org, old, org, older_busy, org, recent),
        )
        await conn.execute(
            "INSERT INTO mediabase.job_idempotency_keys (organization_id, key, job_id, job_created_at)"
            " SELECT organization_id, 'k-' || created_at::text, id, created_at FROM mediabase.jobs"
        )
        dropped = await prune_partitions(conn, 6)
        assert dropped == [f"jobs_{old:%Y_%m}"]
        left = {p.name for p in await partitions(conn)}
        assert f"jobs_{older_busy:%Y_%m}" in left and f"jobs_{recent:%Y_%m}" in left
        keys = await (await conn.execute("SELECT count(*) AS n FROM mediabase.job_idempotency_keys")).fetchone()
        assert keys == {"n": 2}
