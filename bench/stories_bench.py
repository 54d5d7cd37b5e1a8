"""The story platform's three speed questions (issue 12), each against a naive design, in one run.

1. **Continuations of one scene** — W writers continue the same scene at once, each job's video
   generation taking ``--stage-ms``. mediabase (``run_continuation``, the built-in handler's
   path): each attempt waits, holding nothing, until the scene's older continuations are done,
   runs its stages with no lock and no open transaction, and finalizes with a compare-and-set; a
   loser retries at once against the new version. The same without waiting for turns (every
   attempt races). Naive: each job holds the scene's row lock (``SELECT … FOR UPDATE``) and its
   transaction from before the script is written until the segment is committed. Reported:
   continuations/s, races lost, and how many likes of that scene other members got through
   meanwhile. Afterwards every continuation must be in the scene (sequences 1..W, bible W + 1,
   every event in the latest bible): no lost update.
2. **Likes of one scene** — N distinct members like one scene, ``--likers`` at a time. mediabase:
   the like row and a delta row (a trigger); the counter is folded later (exact on read).
   Naive: the like row and ``UPDATE story_scenes SET like_count = like_count + 1`` in the same
   transaction (the delta trigger switched off, so each design writes two rows). Reported:
   likes/s, and the counter checked against the likes after a fold.
3. **Feeds on a million ideas** — ``--ideas`` ideas in 10 topics; the page of 20 ideas 500
   pages deep (offset 9,980), newest and most liked first: keyset (the statement mediabase runs,
   ``ideas_query`` with the cursor of row 9,980) against ``OFFSET 9980 LIMIT 20`` of the same
   order; ``--samples`` of each over random topics, as the application role under row-level
   security; p50 and p95 as the client sees them (round trip included) and on the server
   (planning + execution, from EXPLAIN ANALYZE of the same statement).

    python bench/stories_bench.py                                # an embedded server in a temp dir
    MEDIABASE_DATABASE_URL=postgresql://… python bench/stories_bench.py --only feeds
    python bench/stories_bench.py --writers 50 --stage-ms 20 --likes 1000 --likers 50 --ideas 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.common.cursors import encode_cursor
from mediabase.common.errors import Conflict
from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.db.rows import Jsonb
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role
from mediabase.stories import bible as bibles
from mediabase.stories import community, continuations, scenes, service
from mediabase.stories.models import ContinuationCreate, IdeaCreate, IdeaSort, SceneCreate, TopicCreate


def settings_for(url: str, pool: int) -> Settings:
    return Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": pool,
                                    "statement_timeout_ms": 3_600_000,  # the million-idea load
                                    "data_dir": Path(tempfile.gettempdir()) / "mediabase-unused"})


def fresh(admin: str) -> tuple[str, str]:
    name = f"stories_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name, make_conninfo(admin, dbname=name)


def drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


async def community_of(system: Database, members: int) -> tuple[Principal, list[Principal]]:
    """An organization with an OWNER and ``members`` members (made in bulk, as the owner)."""
    operator = await identity.operator_user(system)
    org = await identity.create_organization(system, OrganizationCreate(name="Bench", slug="bench",
                                                                        kind="community"), operator.id)
    owner = Principal(organization_id=org.id, user_id=operator.id, role=Role.OWNER)
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "WITH u AS (INSERT INTO users (email, username) SELECT 'm' || g || '@bench.example.com', 'm' || g"
            " FROM generate_series(1, %s) g RETURNING id) INSERT INTO memberships (organization_id, user_id)"
            " SELECT %s, id FROM u RETURNING user_id", (members, org.id))).fetchall()
    return owner, [Principal(organization_id=org.id, user_id=r["user_id"], role=Role.MEMBER) for r in rows]


async def a_scene(db: Database, owner: Principal, title: str) -> UUID:
    topic = await service.create_topic(db, owner, TopicCreate(name=title, slug=f"t-{uuid.uuid4().hex[:8]}"))
    idea = await service.create_idea(db, owner, IdeaCreate(topic_id=topic.id, title=title, prompt="p"))
    return (await scenes.create_scene(db, owner, idea.id, SceneCreate(title=title))).id


# -- 1. continuations ---------------------------------------------------------------------------------


async def likes_meanwhile(db: Database, people: list[Principal], scene: UUID, stop: asyncio.Event) -> int:
    """Likes of the scene by other members while the writers run (each waits for what it needs)."""
    done = 0
    for p in people:
        if stop.is_set():
            break
        async with db.transaction(p.organization_id, p.user_id) as conn:
            await conn.execute("INSERT INTO story_likes (organization_id, user_id, scene_id) VALUES (%s, %s, %s)",
                               (p.organization_id, p.user_id, scene))
        done += 1
    return done


async def cas_design(db: Database, owner: Principal, writers: list[Principal], stage_s: float,
                     likers: list[Principal], *, turn_wait: float | None = None) -> dict[str, Any]:
    scene = await a_scene(db, owner, "cas")
    jobs = [(await continuations.continue_scene(db, w, scene, ContinuationCreate(text=f"Writer {i} acts."))).job_id
            for i, w in enumerate(writers)]
    lost = 0

    async def generate(_percent: int, stage: str) -> None:
        if stage == "video_generation":
            await asyncio.sleep(stage_s)

    async def one(job: UUID) -> None:
        nonlocal lost
        while True:
            try:
                await continuations.run_continuation(db, owner.organization_id, job, progress=generate,
                                                     turn_wait=turn_wait)
                return
            except Conflict:
                lost += 1

    stop = asyncio.Event()
    liking = asyncio.create_task(likes_meanwhile(db, likers, scene, stop))
    t0 = time.perf_counter()
    await asyncio.gather(*(one(j) for j in jobs))
    elapsed = time.perf_counter() - t0
    stop.set()
    liked = await liking
    return {"scene": scene, "elapsed": elapsed, "lost": lost, "likes": liked}


async def naive_design(db: Database, owner: Principal, writers: list[Principal], stage_s: float,
                       likers: list[Principal]) -> dict[str, Any]:
    scene = await a_scene(db, owner, "naive")
    org = owner.organization_id

    async def one(i: int, w: Principal) -> None:
        text = f"Writer {i} acts."
        async with db.transaction(org, w.user_id) as conn:
            row = await (await conn.execute(
                "SELECT title, segment_count, bible_version FROM story_scenes WHERE organization_id = %s AND id = %s"
                " FOR UPDATE", (org, scene))).fetchone()
            assert row is not None
            found = await (await conn.execute(
                "SELECT data FROM story_bibles WHERE organization_id = %s AND scene_id = %s AND version = %s",
                (org, scene, row["bible_version"]))).fetchone()
            assert found is not None
            row |= found
            seq, base = row["segment_count"] + 1, row["bible_version"]
            current = bibles.validate(row["data"], version=base)
            script = bibles.expand_script(text, current, title=row["title"], sequence=seq)
            new = bibles.validate(bibles.advance(current, sequence=seq, text=text), version=base + 1)
            await asyncio.sleep(stage_s)  # video generation, the lock held
            media = bibles.placeholder_media(scene, uuid.uuid4(), script)
            seg = await (await conn.execute(
                "INSERT INTO story_segments (organization_id, scene_id, user_id, input_text, expanded_script,"
                " video_key, duration_ms, bible_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                (org, scene, w.user_id, text, script, media.video_key, media.duration_ms, base))).fetchone()
            assert seg is not None
            await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data,"
                               " created_by_segment_id) VALUES (%s, %s, %s, %s, %s)",
                               (org, scene, base + 1, Jsonb(new), seg["id"]))

    stop = asyncio.Event()
    liking = asyncio.create_task(likes_meanwhile(db, likers, scene, stop))
    t0 = time.perf_counter()
    await asyncio.gather(*(one(i, w) for i, w in enumerate(writers)))
    elapsed = time.perf_counter() - t0
    stop.set()
    liked = await liking
    return {"scene": scene, "elapsed": elapsed, "lost": 0, "likes": liked}


async def no_lost_update(system: Database, org: UUID, scene: UUID, n: int) -> None:
    async with system.transaction() as conn:
        row = await (await conn.execute(
            "SELECT s.segment_count, s.bible_version, (SELECT array_agg(sequence ORDER BY sequence) FROM story_segments"
            " g WHERE g.organization_id = s.organization_id AND g.scene_id = s.id) AS seqs,"
            " jsonb_array_length(b.data->'timeline'->'majorEvents') AS events FROM story_scenes s JOIN story_bibles b"
            " ON b.organization_id = s.organization_id AND b.scene_id = s.id AND b.version = s.bible_version"
            " WHERE s.organization_id = %s AND s.id = %s", (org, scene))).fetchone()
    assert row is not None
    assert row["seqs"] == list(range(1, n + 1)) and row["bible_version"] == n + 1 and row["events"] == n, row


async def bench_continuations(admin: str, args: argparse.Namespace) -> list[str]:
    name, url = fresh(admin)
    try:
        await Migrator(url, settings_for(url, 4)).migrate()
        out = []
        async with Database(url, settings_for(url, args.writers + 8)) as db, \
                Database(url, settings_for(url, 4), role="") as system:
            owner, people = await community_of(system, args.writers + 1800)
            writers, likers = people[: args.writers], people[args.writers:]
            rows = []
            designs: list[tuple[str, Any]] = [
                ("mediabase (waits its turn, no lock; compare-and-set at finalization)", cas_design),
                ("mediabase without turns (all race; compare-and-set alone)",
                 lambda *a: cas_design(*a, turn_wait=0)),
                ("naive (scene row lock for the whole job)", naive_design),
            ]
            for i, (design, run) in enumerate(designs):
                res = await run(db, owner, writers, args.stage_ms / 1000, likers[i * 600:(i + 1) * 600])
                await no_lost_update(system, owner.organization_id, res["scene"], args.writers)
                rows.append((design, res))
                print(f"  {design}: {args.writers / res['elapsed']:.1f} continuations/s, {res['lost']} races lost,"
                      f" {res['likes'] / res['elapsed']:.0f} likes/s of that scene meanwhile", flush=True)
            base = rows[0][1]
            out.append("| design | continuations/s | races lost (retried) | likes of the scene meanwhile (/s) |"
                       " ratio |")
            out.append("|---|---:|---:|---:|---:|")
            for design, res in rows:
                out.append(f"| {design} | {args.writers / res['elapsed']:.1f} | {res['lost']} |"
                           f" {res['likes'] / res['elapsed']:.0f} | {res['elapsed'] / base['elapsed']:.2f}× time |")
        return out
    finally:
        drop(admin, name)


# -- 2. likes ---------------------------------------------------------------------------------------------


async def bench_likes(admin: str, args: argparse.Namespace) -> list[str]:
    name, url = fresh(admin)
    try:
        await Migrator(url, settings_for(url, 4)).migrate()
        rates: dict[str, list[float]] = {"mediabase": [], "naive": []}
        async with Database(url, settings_for(url, args.likers + 4), role="") as system:
            owner, people = await community_of(system, args.likes)
            org = owner.organization_id
            for _ in range(args.rounds):
                for design in ("naive", "mediabase"):
                    scene = await a_scene(system, owner, design)
                    queue: asyncio.Queue[Principal] = asyncio.Queue()
                    for p in people:
                        queue.put_nowait(p)
                    naive = design == "naive"
                    if naive:
                        async with system.transaction() as conn:
                            await conn.execute("ALTER TABLE story_likes DISABLE TRIGGER story_likes_count")

                    async def liker(scene: UUID = scene, queue: asyncio.Queue[Principal] = queue,
                                    naive: bool = naive) -> None:
                        while not queue.empty():
                            p = queue.get_nowait()
                            async with system.transaction(org, p.user_id) as conn:
                                await conn.execute("INSERT INTO story_likes (organization_id, user_id, scene_id)"
                                                   " VALUES (%s, %s, %s)", (org, p.user_id, scene))
                                if naive:
                                    await conn.execute("UPDATE story_scenes SET like_count = like_count + 1"
                                                       " WHERE organization_id = %s AND id = %s", (org, scene))

                    t0 = time.perf_counter()
                    await asyncio.gather(*(liker() for _ in range(args.likers)))
                    rate = args.likes / (time.perf_counter() - t0)
                    if naive:
                        async with system.transaction() as conn:
                            await conn.execute("ALTER TABLE story_likes ENABLE TRIGGER story_likes_count")
                    else:
                        exact = (await scenes.get_scene(system, owner, scene)).like_count
                        await community.fold_counters(system, org)
                        folded = (await scenes.get_scene(system, owner, scene)).like_count
                        assert exact == folded == args.likes, (exact, folded)
                    assert await community.verify_counters(system, org) == []  # both designs' counters equal the likes
                    rates[design].append(rate)
                    print(f"  {design}: {rate:,.0f} likes/s", flush=True)
        med = {d: statistics.median(r) for d, r in rates.items()}
        return ["| design | likes/s (median) | rounds | ratio |", "|---|---:|---|---:|",
                f"| mediabase (like row + delta row; folded later, exact on read) | {med['mediabase']:,.0f} |"
                f" {', '.join(f'{r:,.0f}' for r in rates['mediabase'])} | **{med['mediabase'] / med['naive']:.1f}×** |",
                f"| naive (like row + UPDATE of the scene's like_count) | {med['naive']:,.0f} |"
                f" {', '.join(f'{r:,.0f}' for r in rates['naive'])} | 1.0× |"]
    finally:
        drop(admin, name)


# -- 3. feeds --------------------------------------------------------------------------------------------


async def bench_feeds(admin: str, args: argparse.Namespace) -> list[str]:
    name, url = fresh(admin)
    try:
        await Migrator(url, settings_for(url, 4)).migrate()
        async with Database(url, settings_for(url, 4)) as db, Database(url, settings_for(url, 4), role="") as system:
            owner, _ = await community_of(system, 1)
            org = owner.organization_id
            topics = [(await service.create_topic(system, owner, TopicCreate(name=f"T{i}", slug=f"t{i}"))).id
                      for i in range(10)]
            t0 = time.perf_counter()
            async with system.transaction() as conn:
                await conn.execute("ALTER TABLE story_ideas DISABLE TRIGGER USER")  # the bulk load only
                await conn.execute(
                    "INSERT INTO story_ideas (organization_id, topic_id, title, prompt, moderation_status, like_count,"
                    " created_at) SELECT %s, (%s::uuid[])[1 + g %% 10], 'idea ' || g, 'prompt', 'approved',"
                    " (hashtext(g::text) & 4095), now() - make_interval(secs => g) FROM generate_series(1, %s) g",
                    (org, topics, args.ideas))
                await conn.execute("ALTER TABLE story_ideas ENABLE TRIGGER USER")
            async with system.transaction() as conn:
                await conn.execute("ANALYZE mediabase.story_ideas")
            print(f"  loaded {args.ideas:,} ideas in {time.perf_counter() - t0:.0f} s", flush=True)
            offset, size = 499 * 20, 20
            out = ["| feed, page 500 (offset 9,980) | keyset p50 | keyset p95 | OFFSET p50 | OFFSET p95 |"
                   " p95 ratio | server p95 (planning + execution): keyset / OFFSET (ratio) |",
                   "|---|---:|---:|---:|---:|---:|---:|"]

            async def timed(conn: Any, stmt: Any, params: dict[str, Any]) -> tuple[list[Any], float, float]:
                """The rows, the client's milliseconds, and the server's (planning + execution) milliseconds."""
                t1 = time.perf_counter()
                rows = await (await conn.execute(stmt, params)).fetchall()
                client = (time.perf_counter() - t1) * 1000
                plan = await (await conn.execute(sql.SQL("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {}").format(stmt),
                                                 params)).fetchone()
                body = next(iter(plan.values()))[0]
                return rows, client, float(body["Planning Time"]) + float(body["Execution Time"])

            for sort in IdeaSort:
                keyset: list[float] = []
                offs: list[float] = []
                keyset_server: list[float] = []
                offs_server: list[float] = []
                for _ in range(args.samples):
                    topic = random.choice(topics)
                    first = service.ideas_query(org, topic, sort=sort, limit=size, audience="public")
                    off_stmt = sql.SQL("{} OFFSET %(off)s").format(first.stmt)
                    async with db.transaction(org, readonly=True) as conn:
                        # the cursor a client holds on page 499: the key of row 9,980
                        row = await (await conn.execute(off_stmt, {**first.params, "page_limit": 1,
                                                                   "off": offset - 1})).fetchone()
                        assert row is not None
                        cursor = encode_cursor(row["rank_likes"] if sort is IdeaSort.liked else row["created_at"],
                                               row["id"])
                        q = service.ideas_query(org, topic, sort=sort, limit=size, cursor=cursor, audience="public")
                        got, k_ms, k_server = await timed(conn, q.stmt, q.params)
                        ref, o_ms, o_server = await timed(conn, off_stmt, {**first.params, "page_limit": size,
                                                                            "off": offset})
                    keyset.append(k_ms)
                    offs.append(o_ms)
                    keyset_server.append(k_server)
                    offs_server.append(o_server)
                    assert [r["id"] for r in got[:size]] == [r["id"] for r in ref], "keyset and OFFSET disagree"

                def pct(xs: list[float], q: float) -> float:
                    return statistics.quantiles(xs, n=100)[int(q) - 1]

                out.append(f"| {sort.value} | {pct(keyset, 50):.2f} ms | {pct(keyset, 95):.2f} ms |"
                           f" {pct(offs, 50):.2f} ms | {pct(offs, 95):.2f} ms |"
                           f" **{pct(offs, 95) / pct(keyset, 95):.0f}×** | {pct(keyset_server, 95):.3f} ms /"
                           f" {pct(offs_server, 95):.2f} ms ({pct(offs_server, 95) / pct(keyset_server, 95):.0f}×) |")
                print("  " + out[-1], flush=True)
        return out
    finally:
        drop(admin, name)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--stage-ms", type=float, default=20.0, help="simulated video generation per attempt")
    parser.add_argument("--likes", type=int, default=1000)
    parser.add_argument("--likers", type=int, default=50, help="concurrent likers (connections)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the likes benchmark")
    parser.add_argument("--ideas", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--only", default="continuations,likes,feeds")
    args = parser.parse_args()
    tmp: tempfile.TemporaryDirectory[str] | None = None
    admin = os.environ.get("MEDIABASE_DATABASE_URL")
    if not admin:
        tmp = tempfile.TemporaryDirectory(prefix="mbstoriesbench-")
        embedded.start(Settings.model_validate({"data_dir": Path(tmp.name)}))
        admin = embedded.server_url(Settings.model_validate({"data_dir": Path(tmp.name)}))
    with psycopg.connect(admin, autocommit=True) as conn:
        server = conn.execute("SHOW server_version").fetchone()
    print(f"PostgreSQL {server[0] if server else '?'}; {os.cpu_count()} CPUs", flush=True)
    sections = {"continuations": bench_continuations, "likes": bench_likes, "feeds": bench_feeds}
    report: list[str] = []
    try:
        for key in [s.strip() for s in args.only.split(",") if s.strip()]:
            print(f"{key} …", flush=True)
            report += ["", f"### {key}", "", *(await sections[key](admin, args))]
    finally:
        if tmp is not None:
            embedded.stop(Settings.model_validate({"data_dir": Path(tmp.name)}))
            tmp.cleanup()
    print("\n".join(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
