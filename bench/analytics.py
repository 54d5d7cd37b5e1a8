"""Viewing analytics' two speed questions (issue 15), each against its naive peer, in one run.

1. **Ingest** — ``--events`` watch events (10 M at ``--scale 1``) through mediabase's ingest path
   (``analytics.ingest_into``: every event checked in Python — subject and member looked up per
   chunk of 50,000, ranges against the video's duration, the anonymous viewer's HMAC — then a
   binary COPY and the chunk's dirty (subject, day) pairs) against a raw binary COPY of the same
   rows, already in the table's shape, into the same table (no checks, no dirty pairs). The two
   alternate in ``--rounds`` rounds (the order flips each round; the table grows under both).
   Reported: events/s of each and the ratio (goal ≥ 0.8×).
2. **Queries** — after ``analytics_rebuild`` over everything loaded (timed too): a video's
   retention curve over the last 30 days, and the top 10 videos by watch time, each from the
   rollups (``reports.retention``, ``reports.top_videos``: the statements the API runs, read-only,
   as the application role) against the same answer computed from the raw events in one statement
   (the same merge-and-count definition as analytics_recompute, for one video; a GROUP BY over the
   period for the top videos). ``--samples`` of each (random videos), p50 and p95 as the client
   sees them; the answers are compared. Goal: raw p95 / rollup p95 ≥ 100×.

    python bench/analytics.py --scale 0.1          # an embedded server in a temp dir, 1 M events
    MEDIABASE_DATABASE_URL=postgresql://… python bench/analytics.py --scale 1
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.analytics import reports
from mediabase.analytics.ingest import COPY_TYPES, Q, anonymous_digest, ingest_into, viewer_key
from mediabase.analytics.models import RawEvent
from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role

DURATION_MS = 1_800_000  # half-hour videos
CHUNK_MS = 60_000
DAYS = 30

RAW_RETENTION = """
WITH v AS (
    SELECT coalesce(uuid_send(e.user_id), e.viewer_hmac) AS viewer, (e.occurred_at AT TIME ZONE 'UTC')::date AS day,
           e.kind, e.start_ms, e.end_ms,
           max(e.duration_ms) OVER (PARTITION BY (e.occurred_at AT TIME ZONE 'UTC')::date) AS dur
      FROM view_events e
     WHERE e.organization_id = %(org)s AND e.video_id = %(id)s
       AND e.occurred_at >= %(since)s::timestamptz AND e.occurred_at < %(until)s::timestamptz
), islands AS (
    SELECT w.day, w.viewer, w.dur, w.start_ms, w.end_ms,
           sum(CASE WHEN w.start_ms <= w.reach THEN 0 ELSE 1 END)
               OVER (PARTITION BY w.day, w.viewer ORDER BY w.start_ms, w.end_ms) AS island
      FROM (SELECT v.*, max(v.end_ms) OVER (PARTITION BY v.day, v.viewer ORDER BY v.start_ms, v.end_ms
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
              FROM v WHERE v.kind = 'watch' AND v.dur IS NOT NULL AND v.end_ms <= v.dur) w
), merged AS (
    SELECT i.dur, min(i.start_ms) AS s, max(i.end_ms) AS e FROM islands i GROUP BY i.day, i.viewer, i.dur, i.island
)
SELECT (SELECT count(DISTINCT (v.day, v.viewer)) FROM v) AS viewer_days,
       array_agg((SELECT count(*) FROM merged m
                   WHERE m.s <= floor(k * (m.dur - 1) / 100.0) AND floor(k * (m.dur - 1) / 100.0) < m.e) ORDER BY k)
           AS watching
  FROM generate_series(0, 100) k
"""

RAW_TOP = """
SELECT e.video_id, sum(e.end_ms - e.start_ms) AS watch_ms
  FROM view_events e
 WHERE e.organization_id = %(org)s
   AND e.occurred_at >= %(since)s::timestamptz AND e.occurred_at < %(until)s::timestamptz
   AND e.kind = 'watch' AND e.video_id IS NOT NULL
 GROUP BY e.video_id ORDER BY sum(e.end_ms - e.start_ms) DESC, e.video_id LIMIT 10
"""


def settings_for(url: str, pool: int) -> Settings:
    return Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": pool,
                                    "statement_timeout_ms": 0, "analytics_viewer_key": "b" * 32,
                                    "data_dir": Path(tempfile.gettempdir()) / "mediabase-unused"})


def fresh(admin: str) -> tuple[str, str]:
    name = f"analytics_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, make_conninfo(admin, dbname=name)


def drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


async def setup(system: Database, videos: int, members: int) -> tuple[Principal, list[UUID], list[UUID]]:
    operator = await identity.operator_user(system)
    org = await identity.create_organization(system, OrganizationCreate(name="Bench", slug="bench"), operator.id)
    owner = Principal(organization_id=org.id, user_id=operator.id, role=Role.OWNER)
    async with system.transaction() as conn:
        users = [r["user_id"] for r in await (await conn.execute(
            "WITH u AS (INSERT INTO users (email, username) SELECT 'm' || g || '@bench.example.com', 'm' || g"
            " FROM generate_series(1, %s) g RETURNING id) INSERT INTO memberships (organization_id, user_id)"
            " SELECT %s, id FROM u RETURNING user_id", (members, org.id))).fetchall()]
        vids = [r["id"] for r in await (await conn.execute(
            "INSERT INTO videos (organization_id, title, duration_ms) SELECT %s, 'video ' || g, %s"
            " FROM generate_series(1, %s) g RETURNING id", (org.id, DURATION_MS, videos))).fetchall()]
        today = datetime.now(UTC).date()
        for back in range(0, DAYS + 31, 28):  # every month the events fall in has its partition
            await conn.execute("SELECT mediabase.create_partition('mediabase.view_events', %s)",
                               (today - timedelta(days=back),))
    return owner, vids, users


def generate(rng: random.Random, n: int, vids: list[UUID], users: list[UUID], now: datetime) -> list[RawEvent]:
    """Watch events: a random viewer (half members, half anonymous) plays a minute of a random
    video on a random day of the last 30; the minute a viewer reaches decays (most stop early)."""
    out = []
    chunks = DURATION_MS // CHUNK_MS
    for _ in range(n):
        k = min(int(rng.expovariate(3.0 / chunks)), chunks - 1)
        at = now - timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86_000))
        if rng.random() < 0.5:
            out.append(RawEvent("watch", at, video_id=rng.choice(vids), user_id=rng.choice(users),
                                start_ms=k * CHUNK_MS, end_ms=(k + 1) * CHUNK_MS, client="bench/1"))
        else:
            out.append(RawEvent("watch", at, video_id=rng.choice(vids), anonymous_id=f"anon-{rng.randrange(5000)}",
                                start_ms=k * CHUNK_MS, end_ms=(k + 1) * CHUNK_MS, client="bench/1"))
    return out


def table_rows(org: UUID, events: list[RawEvent], key: bytes, key_id: str) -> list[tuple[Any, ...]]:
    """The same events already in the table's shape: what a raw COPY writes."""
    digests: dict[str, bytes] = {}
    rows = []
    for e in events:
        digest = None
        if e.anonymous_id is not None:
            digest = digests.get(e.anonymous_id) or digests.setdefault(e.anonymous_id,
                                                                       anonymous_digest(org, e.anonymous_id, key))
        rows.append((org, e.occurred_at, e.kind, e.video_id, None, None, e.user_id, digest,
                     key_id if digest else None, e.start_ms, e.end_ms, DURATION_MS, e.client))
    return rows


async def raw_copy(system: Database, org: UUID, rows: list[tuple[Any, ...]]) -> None:
    async with system.transaction(org) as conn, conn.cursor().copy(Q.copy_events) as copy:
        copy.set_types(COPY_TYPES)
        for row in rows:
            await copy.write_row(row)


async def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = await fn(*args)
    return time.perf_counter() - t0, out


def pct(xs: list[float], q: int) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[q - 1] if len(xs) > 1 else xs[0]


async def run(url: str, args: argparse.Namespace) -> list[str]:
    s = settings_for(url, 4)
    await Migrator(url, s).migrate()
    report: list[str] = []
    async with Database(url, s) as db, Database(url, s, role="") as system:
        owner, vids, users = await setup(system, args.videos, args.members)
        org = owner.organization_id
        member = Principal(organization_id=org, user_id=users[0], role=Role.MEMBER)
        key, key_id = viewer_key(s)
        rng = random.Random(15)
        now = datetime.now(UTC) - timedelta(minutes=2)
        per_round = args.events // args.rounds
        secs = {"ingest": 0.0, "raw": 0.0}
        for r in range(args.rounds):
            events = generate(rng, per_round, vids, users, now)
            rows = table_rows(org, generate(rng, per_round, vids, users, now), key, key_id)

            async def ingest_round(events: list[RawEvent] = events) -> int:
                async with system.transaction(org, member.user_id) as conn:
                    return await ingest_into(conn, member, events, settings=s)

            order = ["ingest", "raw"] if r % 2 == 0 else ["raw", "ingest"]
            for which in order:
                dt, _ = await (timed(ingest_round) if which == "ingest" else timed(raw_copy, system, org, rows))
                secs[which] += dt
            print(f"round {r + 1}/{args.rounds}: ingest {per_round / secs['ingest'] * (r + 1):,.0f}/s so far,"
                  f" raw {per_round / secs['raw'] * (r + 1):,.0f}/s", file=sys.stderr, flush=True)
            del events, rows
        total = per_round * args.rounds
        rate_i, rate_r = total / secs["ingest"], total / secs["raw"]
        report += [f"ingest {total:,} watch events (plus {total:,} by raw COPY), {args.rounds} alternating rounds:",
                   f"  mediabase ingest  {rate_i:10,.0f} events/s  ({secs['ingest']:.1f} s)",
                   f"  raw COPY          {rate_r:10,.0f} events/s  ({secs['raw']:.1f} s)",
                   f"  ratio ingest/raw  {rate_i / rate_r:.2f}x  (goal >= 0.8x)"]
        async with system.transaction() as conn:
            await conn.execute("ANALYZE mediabase.view_events")
        dt, done = await timed(lambda: _rebuild(system, org))
        report.append(f"rollups: analytics_rebuild of {2 * total:,} events -> {done:,} subject-days in {dt:.1f} s")
        async with system.transaction() as conn:
            await conn.execute("ANALYZE mediabase.analytics_daily, mediabase.analytics_viewer_days")
        until = datetime.now(UTC).date() + timedelta(days=1)
        since = until - timedelta(days=DAYS + 1)
        report += await queries(db, system, member, vids, since, until, args.samples)
    return report


async def _rebuild(system: Database, org: UUID) -> int:
    async with system.transaction(org) as conn:
        row = await (await conn.execute(Q.rebuild, {"org": org, "since": None})).fetchone()
    return int(row["n"]) if row else 0


async def server_ms(db: Database, org: UUID, user: UUID | None, query: str, params: dict[str, Any]) -> float:
    """Planning + execution time of ``query`` on the server (EXPLAIN ANALYZE), in ms."""
    async with db.transaction(org, user, readonly=True) as conn:
        row = await (await conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query, params)).fetchone()
    assert row is not None
    plan = next(iter(row.values()))
    plan = plan[0] if isinstance(plan, list) else plan
    return float(plan["Planning Time"] + plan["Execution Time"])


async def queries(db: Database, system: Database, member: Principal, vids: list[UUID], since: date, until: date,
                  samples: int) -> list[str]:
    rng = random.Random(7)
    org = member.organization_id
    times: dict[str, list[float]] = {k: [] for k in ("curve rollup", "curve raw", "top rollup", "top raw")}
    server: dict[str, list[float]] = {k: [] for k in times}
    period = {"org": org, "since": since, "until": until}
    for _ in range(samples):
        video = rng.choice(vids)
        dt, curve = await timed(reports.retention, db, member, video, since, until)
        times["curve rollup"].append(dt)
        server["curve rollup"].append(await server_ms(db, org, member.user_id, Q.retention, {**period, "id": video}))

        async def raw_curve(video: UUID = video) -> Any:
            async with system.transaction(org) as conn:
                return await (await conn.execute(RAW_RETENTION, {**period, "id": video})).fetchone()

        dt, raw = await timed(raw_curve)
        times["curve raw"].append(dt)
        server["curve raw"].append(await server_ms(system, org, None, RAW_RETENTION, {**period, "id": video}))
        assert raw["viewer_days"] == curve.viewer_days, (raw["viewer_days"], curve.viewer_days)
        assert [round(n / raw["viewer_days"], 6) for n in raw["watching"]] == curve.shares
        dt, top = await timed(reports.top_videos, db, member, since, until, 10)
        times["top rollup"].append(dt)
        server["top rollup"].append(await server_ms(db, org, member.user_id, Q.top_videos, {**period, "limit": 10}))

        async def raw_top() -> Any:
            async with system.transaction(org) as conn:
                return await (await conn.execute(RAW_TOP, period)).fetchall()

        dt, rtop = await timed(raw_top)
        times["top raw"].append(dt)
        server["top raw"].append(await server_ms(system, org, None, RAW_TOP, period))
        assert [(r["video_id"], r["watch_ms"]) for r in rtop] == [(t.video_id, t.watch_ms) for t in top]
    out = [f"queries, {samples} samples each (answers compared: equal); client = the API's unit of work as the"
           " caller sees it (transaction, lookups, round trips), server = planning + execution (EXPLAIN ANALYZE):"]
    for what in ("curve", "top"):
        name = "retention curve (30 days)" if what == "curve" else "top 10 videos by watch time (30 days)"
        out.append(f"  {name}:")
        for label, t, unit in (("client", times, 1000.0), ("server", server, 1.0)):
            ro, ra = [x * unit for x in t[f"{what} rollup"]], [x * unit for x in t[f"{what} raw"]]
            out.append(f"    {label}: rollups p50 {pct(ro, 50):.1f} ms p95 {pct(ro, 95):.1f} ms;"
                       f" raw events p50 {pct(ra, 50):,.0f} ms p95 {pct(ra, 95):,.0f} ms;"
                       f" p95 ratio {pct(ra, 95) / pct(ro, 95):,.0f}x (goal >= 100x)")
    return out


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 10 M events through each path")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--videos", type=int, default=200)
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    args.events = max(args.rounds, int(10_000_000 * args.scale))
    tmp: tempfile.TemporaryDirectory[str] | None = None
    admin = os.environ.get("MEDIABASE_DATABASE_URL")
    if not admin:
        tmp = tempfile.TemporaryDirectory(prefix="mbanalyticsbench-")
        embedded.start(Settings.model_validate({"data_dir": Path(tmp.name)}))
        admin = embedded.server_url(Settings.model_validate({"data_dir": Path(tmp.name)}))
    with psycopg.connect(admin, autocommit=True) as conn:
        server = conn.execute("SHOW server_version").fetchone()
    head = f"PostgreSQL {server[0] if server else '?'}; {os.cpu_count()} CPUs; --scale {args.scale}"
    print(head, flush=True)
    name, url = fresh(admin)
    try:
        report = await run(url, args)
    finally:
        if not args.keep:
            drop(admin, name)
        if tmp is not None:
            embedded.stop(Settings.model_validate({"data_dir": Path(tmp.name)}))
            tmp.cleanup()
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
