"""Outgoing webhooks: fan-out and delivery throughput, and the outbox's cost on the writing transaction.

1. Fan-out: N events (default 10,000) in the outbox of one organization with E endpoints
   (default 10) subscribed to their type, on a local receiver (tests/webhook_receiver.py in a
   process of its own: asyncio HTTP/1.1, keep-alive, 204 at once). First the real dispatcher
   (``mediabase.events.dispatch`` with the webhooks subscriber) makes the N×E deliveries and their
   jobs: events/s and deliveries/s made. Then W real ``mediabase worker`` processes send them:
   deliveries/s end to end, from the workers' start until the database says all are delivered.
2. The outbox's write cost: C comments inserted one per transaction (as the application role in
   the tenant, the comment's SQL), and C through the comments service (``collab.create_comment``),
   with the outbox trigger and with it disabled (``ALTER TABLE comments DISABLE TRIGGER
   zy_event_created``), alternating, R rounds, medians: the ratio with/without (issue 14's goal
   is at most 1.3×).

    PYTHONPATH=src python bench/webhooks_bench.py                  # embedded server, temp dir
    MEDIABASE_DATABASE_URL=postgresql://... python bench/webhooks_bench.py --events 10000 --endpoints 10
    python bench/webhooks_bench.py --skip-fanout --comments 5000   # only the write cost
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

import mediabase.webhooks.delivery  # noqa: F401  (the webhooks subscriber, as the worker has it)
from mediabase import events, webhooks
from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate
from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role, UserCreate
from mediabase.media import service as media
from mediabase.media.models import VideoCreate
from mediabase.webhooks import EndpointCreate

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_conninfo(admin_url, dbname=name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def scalar(url: str, query: str, params: tuple[Any, ...] = ()) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(query.encode(), params).fetchone()
    return int(float(str(row[0]))) if row and row[0] is not None else 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (Linux /proc), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_receiver(tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    port_file = tmp / "receiver.port"
    proc = subprocess.Popen([sys.executable, "-m", "tests.webhook_receiver", str(port_file)], cwd=ROOT,
                            stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not port_file.exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.05)
    return proc, int(port_file.read_text())


async def setup_org(db: Database, system: Database) -> Principal:
    user, _ = await identity.create_user(system, UserCreate(email=f"bench-{uuid.uuid4().hex[:6]}@example.com",
                                                            username=f"bench{uuid.uuid4().hex[:6]}"))
    org = await identity.create_organization(system, OrganizationCreate(name="Bench", slug="bench"), user.id)
    return Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)


async def fan_out(url: str, tmp: Path, n_events: int, n_endpoints: int, n_workers: int, concurrency: int,
                  deliver: bool = True) -> None:
    os.environ["MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK"] = "true"
    settings = Settings.model_validate({"database_url": url, "pool_min_size": 1, "pool_max_size": 8})
    receiver, port = start_receiver(tmp)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        async with Database(url, settings) as db, Database(url, settings, role="") as system:
            p = await setup_org(db, system)
            for i in range(n_endpoints):
                ep = await webhooks.create_endpoint(db, p, EndpointCreate(
                    url=f"http://127.0.0.1:{port}/ep{i}", event_types=["comment.created"]))
                del ep  # its secret is not needed: the receiver answers fast and checks nothing
            async with system.transaction() as conn:
                await conn.execute("SELECT mediabase.ensure_job_partitions(1)")
                await conn.execute("SELECT mediabase.emit_event(%s, 'comment.created', 'comment', mediabase.new_id(),"
                                   " jsonb_build_object('i', i, 'body', 'a comment of a few words'))"
                                   " FROM generate_series(1, %s) i", (p.organization_id, n_events))
            t0 = time.perf_counter()
            while await events.dispatch(db):
                pass
            dispatch_s = time.perf_counter() - t0
        made = scalar(url, "SELECT count(*) FROM mediabase.webhook_deliveries")
        jobs = scalar(url, "SELECT count(*) FROM mediabase.jobs WHERE type = 'webhook.deliver'")
        assert made == jobs == n_events * n_endpoints, (made, jobs)
        print(f"fan-out: {n_events:,} events -> {made:,} deliveries and jobs in {dispatch_s:.2f} s"
              f" ({n_events / dispatch_s:,.0f} events/s, {made / dispatch_s:,.0f} deliveries/s made)", flush=True)

        if not deliver:
            return
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
        env.update(MEDIABASE_DATABASE_URL=url, MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK="true",
                   MEDIABASE_LOG_LEVEL="WARNING", MEDIABASE_JOBS_POLL_INTERVAL="0.5")
        t0 = time.perf_counter()
        for _ in range(n_workers):
            workers.append(subprocess.Popen(  # noqa: ASYNC220 - the bench's own processes, started once
                [sys.executable, "-m", "mediabase", "worker", "--concurrency", str(concurrency), "--batch-size", "100"],
                env=env, stdin=subprocess.DEVNULL))
        last, last_t = 0, t0
        while True:
            time.sleep(1.0)  # noqa: ASYNC251 - nothing else runs in this loop meanwhile
            done = scalar(url, "SELECT count(*) FROM mediabase.webhook_deliveries WHERE status = 'delivered'")
            now = time.perf_counter()
            if done >= made:
                break
            if now - last_t >= 10:
                print(f"  {done:,} delivered after {now - t0:.0f} s ({(done - last) / (now - last_t):,.0f}/s lately)",
                      flush=True)
                last, last_t = done, now
            if any(w.poll() is not None for w in workers):
                raise RuntimeError("a worker exited")
            if now - t0 > 3600:
                raise TimeoutError("not delivered within an hour")
        total_s = time.perf_counter() - t0
        cpu_s = sum(cpu_seconds(w.pid) for w in workers)
        other = scalar(url, "SELECT count(*) FROM mediabase.webhook_deliveries WHERE status <> 'delivered'")
        attempts = scalar(url, "SELECT count(*) FROM mediabase.webhook_attempts")
        http_ms = scalar(url, "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms))"
                              " FROM mediabase.webhook_attempts")
        job_ms = scalar(url, "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                             " completed_at - started_at) * 1000)) FROM mediabase.jobs WHERE type = 'webhook.deliver'")
        wait_ms = scalar(url, "SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM"
                              " started_at - created_at) * 1000)) FROM mediabase.jobs WHERE type = 'webhook.deliver'")
        print(f"delivery: {made:,} deliveries by {n_workers} worker(s) x concurrency {concurrency} in {total_s:.1f} s:"
              f" {made / total_s:,.0f} deliveries/s end to end ({attempts:,} attempts, {other} not delivered;"
              f" medians: request {http_ms} ms, job claimed to completed {job_ms} ms); the workers' own CPU:"
              f" {cpu_s / made * 1e3:.2f} ms per delivery (load average {os.getloadavg()[0]:.1f})", flush=True)
        del wait_ms
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(120)
        receiver.terminate()
        receiver.wait(10)


async def write_cost(url: str, n: int, rounds: int) -> None:
    settings = Settings.model_validate({"database_url": url, "pool_min_size": 1, "pool_max_size": 4})
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        p = await setup_org(db, system)
        video = (await media.create_video(db, p, VideoCreate(title="bench"))).id
        org = p.organization_id

        async def by_sql(count: int = n) -> float:
            t0 = time.perf_counter()
            for i in range(count):
                async with db.transaction(org, p.user_id) as conn:
                    await conn.execute("INSERT INTO comments (organization_id, video_id, author_id, body, position_ms)"
                                       " VALUES (%s, %s, %s, %s, %s)", (org, video, p.user_id, f"comment {i}", i))
            return time.perf_counter() - t0

        async def by_service(count: int = n) -> float:
            t0 = time.perf_counter()
            for i in range(count):
                await collab.create_comment(db, p, video, CommentCreate(body=f"comment {i}", position_ms=i))
            return time.perf_counter() - t0

        async def trigger(on: bool) -> None:
            async with system.transaction() as conn:
                await conn.execute(f"ALTER TABLE mediabase.comments {'ENABLE' if on else 'DISABLE'}"
                                   " TRIGGER zy_event_created")

        async def in_server(count: int) -> float:
            """``count`` inserts in one PL/pgSQL loop, timed by the server (no client, no round trips)."""
            async with db.transaction(org, p.user_id) as conn:
                await conn.execute(SERVER_LOOP_FN)
                row = await (await conn.execute(SERVER_LOOP, {"org": org, "video": video, "author": p.user_id,
                                                              "n": count})).fetchone()
            assert row is not None
            return float(row["seconds"])

        await by_sql()  # warm-up (plans, caches)
        # Interleaved in chunks, the trigger switched between them, so that the machine's other
        # load falls on both sides alike; medians of the per-chunk times.
        chunk = max(50, n // 20)
        for name, run in (("comment SQL, one per transaction", by_sql),
                          ("comments service, one per transaction", by_service),
                          ("INSERT in a server-side loop", in_server)):
            with_t: list[float] = []
            without_t: list[float] = []
            for r in range(rounds * max(1, n // chunk)):
                for on in ((True, False) if r % 2 == 0 else (False, True)):
                    await trigger(on)
                    (with_t if on else without_t).append(await run(chunk))
            await trigger(True)
            w, wo = statistics.median(with_t), statistics.median(without_t)
            print(f"write cost, {name}: {len(with_t)} chunks of {chunk} inserts each way, interleaved: with the"
                  f" outbox trigger {w / chunk * 1e3:.3f} ms per insert, without {wo / chunk * 1e3:.3f} ms:"
                  f" ratio {w / wo:.2f}x (goal <= 1.3x)", flush=True)


# A function would be a migration; a temporary one lives only in this session.
SERVER_LOOP = """
SELECT pg_temp.bench_comment_loop(%(org)s, %(video)s, %(author)s, %(n)s) AS seconds
"""
SERVER_LOOP_FN = """
CREATE OR REPLACE FUNCTION pg_temp.bench_comment_loop(org uuid, vid uuid, author uuid, n integer) RETURNS float8
    LANGUAGE plpgsql AS $f$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    FOR i IN 1..n LOOP
        INSERT INTO mediabase.comments (organization_id, video_id, author_id, body, position_ms)
        VALUES (org, vid, author, 'comment ' || i, i);
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0);
END $f$
"""


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--endpoints", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="mediabase worker processes")
    parser.add_argument("--concurrency", type=int, default=50, help="each worker's --concurrency")
    parser.add_argument("--comments", type=int, default=2000, help="comment inserts per timing")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-fanout", action="store_true")
    parser.add_argument("--skip-delivery", action="store_true", help="only the dispatcher's fan-out, no sending")
    parser.add_argument("--skip-write-cost", action="store_true")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="mbwebhooksbench-")
    external = os.environ.get("MEDIABASE_DATABASE_URL")
    settings = Settings.model_validate({"data_dir": Path(tmp.name)})
    if external:
        admin_url = external
    else:
        embedded.start(settings)
        admin_url = embedded.server_url(settings)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    print(f"PostgreSQL {row[0] if row else '?'}; Python {platform.python_version()}; {os.cpu_count()} CPUs",
          flush=True)
    name = f"bench_webhooks_{uuid.uuid4().hex[:6]}"
    url = fresh_database(admin_url, name)
    try:
        await Migrator(url, Settings.model_validate({"database_url": url})).migrate()
        if not args.skip_fanout:
            await fan_out(url, Path(tmp.name), args.events, args.endpoints, args.workers, args.concurrency,
                          deliver=not args.skip_delivery)
        if not args.skip_write_cost:
            name2 = name + "_w"
            url2 = fresh_database(admin_url, name2)
            try:
                await Migrator(url2, Settings.model_validate({"database_url": url2})).migrate()
                await write_cost(url2, args.comments, args.rounds)
            finally:
                drop_database(admin_url, name2)
    finally:
        drop_database(admin_url, name)
        if not external:
            embedded.stop(settings)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
