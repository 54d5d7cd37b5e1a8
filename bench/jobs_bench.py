"""Job queues side by side: mediabase, pgqueuer 1.6.0, procrastinate 3.10.0, a bare SKIP LOCKED loop.

For each system and round, on a fresh database of one PostgreSQL server: enqueue N no-op jobs
in one batch (jobs/s), process them with the system's worker in this process (jobs/s, from
worker start until the database says all are done), then enqueue single jobs into the idle
worker and time enqueue-commit -> handler start (wake-up latency, ms). Medians over the rounds,
and each peer's ratio to mediabase.

    PYTHONPATH=src python bench/jobs_bench.py                      # embedded server, temp dir
    MEDIABASE_DATABASE_URL=postgresql://... python bench/jobs_bench.py --rounds 3 --jobs 20000
    python bench/jobs_bench.py --systems mediabase,pgqueuer        # a subset

Needs ``pgqueuer==1.6.0`` and ``procrastinate==3.10.0`` (bench only). mediabase runs its
default worker (concurrency 10, batch 50): leases, heartbeats, stages and progress columns,
per-type limits and the tenant column all in play; no-op handlers complete in batches.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.jobs import NewJob, enqueue_many
from mediabase.jobs.registry import JobContext, Registration
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker

WAKE_SAMPLES = 25


@dataclass
class Result:
    enqueue: float  # jobs/s
    process: float  # jobs/s
    wake_ms: float  # median


class Clock:
    """Where a handler reports that it started (for wake-up latency)."""

    def __init__(self) -> None:
        self.count = 0
        self.started: asyncio.Future[float] | None = None

    def hit(self) -> None:
        self.count += 1
        if self.started is not None and not self.started.done():
            self.started.set_result(time.perf_counter())

    def arm(self) -> asyncio.Future[float]:
        self.started = asyncio.get_running_loop().create_future()
        return self.started


_watchers: dict[str, psycopg.AsyncConnection[Any]] = {}


async def scalar(url: str, query: str) -> int:
    """One number, over one kept connection per database (connecting costs the server)."""
    conn = _watchers.get(url)
    if conn is None or conn.closed:
        conn = _watchers[url] = await psycopg.AsyncConnection.connect(url, autocommit=True)
    row = await (await conn.execute(query.encode())).fetchone()
    return int(row[0]) if row else 0


async def close_watchers() -> None:
    for conn in _watchers.values():
        await conn.close()
    _watchers.clear()


async def wait_until(check: Callable[[], Awaitable[bool]], limit: float = 900) -> None:
    deadline = time.perf_counter() + limit
    while not await check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the worker did not finish in time")
        await asyncio.sleep(0.02)


async def wake_latency(clock: Clock, enqueue_one: Callable[[], Awaitable[None]]) -> float:
    samples = []
    await asyncio.sleep(0.5)  # the worker goes idle (listening)
    for _ in range(WAKE_SAMPLES):
        fut = clock.arm()
        t0 = time.perf_counter()
        await enqueue_one()
        t1 = await asyncio.wait_for(fut, 10)
        samples.append((t1 - t0) * 1000)
        await asyncio.sleep(0.1)
    return statistics.median(samples)


# -- the systems -------------------------------------------------------------------------------


async def bench_mediabase(url: str, n: int) -> Result:
    settings = Settings.model_validate({"database_url": url, "pool_min_size": 2, "pool_max_size": 16})
    await Migrator(url, settings).migrate(target=3)  # the jobs schema (0003) and what it needs
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        row = await (
            await conn.execute(
                "INSERT INTO mediabase.organizations (name, slug) VALUES ('Bench', 'bench') RETURNING id"
            )
        ).fetchone()
        assert row is not None
        org = row[0]
        await conn.execute("SELECT mediabase.ensure_job_partitions(1)")
    clock = Clock()

    async def noop(ctx: JobContext) -> None:
        clock.hit()

    async with Database(url, settings) as db:
        jobs = [NewJob(type="bench.noop") for _ in range(n)]
        t0 = time.perf_counter()
        async with db.transaction(org) as conn:
            await enqueue_many(conn, org_id=org, jobs=jobs)
        enq = n / (time.perf_counter() - t0)

        worker = Worker(db, JobSettings(), registrations={"bench.noop": Registration("bench.noop", noop, False, None)})
        t0 = time.perf_counter()
        task = asyncio.create_task(worker.run())

        async def done() -> bool:
            return await scalar(url, "SELECT count(*) FROM mediabase.jobs WHERE status <> 'completed'") == 0

        await wait_until(done)
        proc = n / (time.perf_counter() - t0)

        async def one() -> None:
            async with db.transaction(org) as conn:
                await enqueue_many(conn, org_id=org, jobs=[NewJob(type="bench.noop")])

        wake = await wake_latency(clock, one)
        worker.stop()
        await task
    return Result(enq, proc, wake)


async def bench_pgqueuer(url: str, n: int) -> Result:
    from pgqueuer import QueueManager
    from pgqueuer.db import PsycopgDriver
    from pgqueuer.models import Job
    from pgqueuer.queries import Queries

    clock = Clock()
    async with (
        await psycopg.AsyncConnection.connect(url, autocommit=True) as econn,
        await psycopg.AsyncConnection.connect(url, autocommit=True) as wconn,
    ):
        queries = Queries(PsycopgDriver(econn))
        await queries.install()
        t0 = time.perf_counter()
        await queries.enqueue(["noop"] * n, [None] * n, [0] * n)
        enq = n / (time.perf_counter() - t0)

        qm = QueueManager(Queries(PsycopgDriver(wconn)))

        @qm.entrypoint("noop")
        async def noop(job: Job) -> None:
            clock.hit()

        t0 = time.perf_counter()
        task = asyncio.create_task(qm.run())

        async def done() -> bool:
            return clock.count >= n and await scalar(url, "SELECT count(*) FROM pgqueuer") == 0

        await wait_until(done)
        proc = n / (time.perf_counter() - t0)

        async def one() -> None:
            await queries.enqueue("noop", None)

        wake = await wake_latency(clock, one)
        qm.shutdown.set()
        await task
    return Result(enq, proc, wake)


async def bench_procrastinate(url: str, n: int) -> Result:
    import procrastinate

    clock = Clock()
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))

    @app.task(name="noop")
    async def noop() -> None:
        clock.hit()

    async with app.open_async():
        await app.schema_manager.apply_schema_async()
        t0 = time.perf_counter()
        await noop.batch_defer_async(*({} for _ in range(n)))
        enq = n / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        task = asyncio.create_task(app.run_worker_async(install_signal_handlers=False, wait=True))

        async def done() -> bool:
            return await scalar(url, "SELECT count(*) FROM procrastinate_jobs WHERE status <> 'succeeded'") == 0

        await wait_until(done)
        proc = n / (time.perf_counter() - t0)

        async def one() -> None:
            await noop.defer_async()

        wake = await wake_latency(clock, one)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return Result(enq, proc, wake)


BARE_SCHEMA = """
CREATE TABLE bare_jobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb,
                        status text NOT NULL DEFAULT 'queued');
CREATE INDEX bare_jobs_ready ON bare_jobs (id) WHERE status = 'queued';
CREATE FUNCTION bare_notify() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM pg_notify('bare_jobs', ''); RETURN NULL; END $$;
CREATE TRIGGER bare_notify AFTER INSERT ON bare_jobs FOR EACH STATEMENT EXECUTE FUNCTION bare_notify();
"""
BARE_CLAIM = """
WITH c AS (SELECT id FROM bare_jobs WHERE status = 'queued' ORDER BY id LIMIT 10 FOR UPDATE SKIP LOCKED)
UPDATE bare_jobs b SET status = 'running' FROM c WHERE b.id = c.id RETURNING b.id, b.payload
"""


async def bench_bare(url: str, n: int) -> Result:
    """What any SKIP LOCKED queue does at the least: claim 10, run, mark them done; no lease."""
    clock = Clock()
    async with (
        await psycopg.AsyncConnection.connect(url, autocommit=True) as conn,
        await psycopg.AsyncConnection.connect(url, autocommit=True) as listen,
    ):
        await conn.execute(BARE_SCHEMA.encode())
        t0 = time.perf_counter()
        await conn.execute("INSERT INTO bare_jobs (payload) SELECT p FROM unnest(%s::jsonb[]) p", (["{}"] * n,))
        enq = n / (time.perf_counter() - t0)
        await listen.execute("LISTEN bare_jobs")
        wake = asyncio.Event()
        stop = asyncio.Event()

        async def listener() -> None:
            async for _ in listen.notifies():
                wake.set()

        async def loop() -> None:
            async with await psycopg.AsyncConnection.connect(url, autocommit=True) as wc:
                while not stop.is_set():
                    wake.clear()
                    rows = await (await wc.execute(BARE_CLAIM)).fetchall()
                    for _ in rows:
                        clock.hit()
                    if rows:
                        await wc.execute(
                            "UPDATE bare_jobs SET status = 'done' WHERE id = ANY(%s)", ([r[0] for r in rows],)
                        )
                    else:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(wake.wait(), 1.0)

        lt = asyncio.create_task(listener())
        t0 = time.perf_counter()
        task = asyncio.create_task(loop())

        async def done() -> bool:
            return await scalar(url, "SELECT count(*) FROM bare_jobs WHERE status <> 'done'") == 0

        await wait_until(done)
        proc = n / (time.perf_counter() - t0)

        async def one() -> None:
            await conn.execute("INSERT INTO bare_jobs (payload) VALUES ('{}')")

        wake_ms = await wake_latency(clock, one)
        stop.set()
        wake.set()
        await task
        lt.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await lt
    return Result(enq, proc, wake_ms)


SYSTEMS: dict[str, Callable[[str, int], Awaitable[Result]]] = {
    "mediabase": bench_mediabase,
    "pgqueuer": bench_pgqueuer,
    "procrastinate": bench_procrastinate,
    "bare-skip-locked": bench_bare,
}


# -- the harness ---------------------------------------------------------------------------------


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin_url, dbname=name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def versions() -> str:
    out = [f"python {platform.python_version()}"]
    for mod in ("pgqueuer", "procrastinate", "psycopg"):
        try:
            from importlib.metadata import version

            out.append(f"{mod} {version(mod)}")
        except Exception:
            out.append(f"{mod} (missing)")
    return ", ".join(out)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    args = parser.parse_args()
    chosen = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(chosen) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")

    tmp: tempfile.TemporaryDirectory[str] | None = None
    external = os.environ.get("MEDIABASE_DATABASE_URL")
    if external:
        admin_url = external
    else:
        tmp = tempfile.TemporaryDirectory(prefix="mbjobsbench-")
        settings = Settings.model_validate({"data_dir": Path(tmp.name)})
        embedded.start(settings)
        admin_url = embedded.server_url(settings)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        server = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
    print(
        f"PostgreSQL {server}; {versions()}; {os.cpu_count()} CPUs; {args.jobs} no-op jobs, {args.rounds} rounds",
        flush=True,
    )

    results: dict[str, list[Result]] = {s: [] for s in chosen}
    try:
        for r in range(args.rounds):
            for system in chosen:
                name = f"bench_{system.replace('-', '_')}_{uuid.uuid4().hex[:6]}"
                url = fresh_database(admin_url, name)
                try:
                    res = await SYSTEMS[system](url, args.jobs)
                finally:
                    await close_watchers()
                    drop_database(admin_url, name)
                results[system].append(res)
                print(
                    f"round {r + 1} {system:>16}: enqueue {res.enqueue:>9,.0f} jobs/s  process "
                    f"{res.process:>8,.0f} jobs/s  wake-up {res.wake_ms:6.2f} ms",
                    flush=True,
                )
    finally:
        if tmp is not None:
            embedded.stop(Settings.model_validate({"data_dir": Path(tmp.name)}))
            tmp.cleanup()

    med = {
        s: Result(
            statistics.median(x.enqueue for x in rs),
            statistics.median(x.process for x in rs),
            statistics.median(x.wake_ms for x in rs),
        )
        for s, rs in results.items()
    }
    base = med.get("mediabase")
    print()
    print(
        "| system | processing (jobs/s) | batch enqueue (jobs/s) | idle wake-up (ms, median) |"
        " mediabase ÷ it: processing | enqueue | wake-up (its ms ÷ ours) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for s, m in med.items():
        ratios = ("", "", "")
        if base is not None and s != "mediabase":
            ratios = (
                f"{base.process / m.process:.2f}×",
                f"{base.enqueue / m.enqueue:.2f}×",
                f"{m.wake_ms / base.wake_ms:.2f}×",
            )
        print(
            f"| {s} | {m.process:,.0f} | {m.enqueue:,.0f} | {m.wake_ms:.2f} | {ratios[0]} | {ratios[1]} | {ratios[2]} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
