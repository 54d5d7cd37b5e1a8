"""Citus: a coordinator and two workers against one embedded server, on this one machine, in one
run, printing ratios (issue 24, "Speed").

    PYTHONPATH=src python bench/citus_bench.py          # about 10 minutes on 2 (busy) cores
    PYTHONPATH=src python bench/citus_bench.py --orgs 6 --meetings 5 --clients 4 --seconds 6 --rounds 2

Both peers are started in a temporary folder: the embedded server (``mediabase.db.embedded``)
and a Citus dev cluster (``mediabase.db.cluster``: a coordinator and two workers on 127.0.0.1,
Citus built once into ``/tmp/mediabase-citus-build-cache`` from ``MEDIABASE_CITUS_SOURCE``, else
``../shared/vendor/citus-14.0.1.tar.gz``). Both are stopped at the end, also on an error.

1. **Ingest.** ``mediabase migrate`` on both; ``--orgs`` organizations, each loaded with its own
   ``--meetings`` AMI meetings (the corpus unpacked to /tmp/ami once, as
   bench/search_relevance.py does) by ``mediabase ingest``, one organization at a time,
   alternating which peer goes first: segments per second of the command's wall time (Python's
   start and the parsing included, the same on both). Then the same meetings, parsed beforehand,
   into a copy of each organization by the code the command runs (``transcripts.ingest.ingest``)
   in this process: the database's share alone.
2. **Tenant-scoped reads**, as the API runs them, through ``Database`` as the application role
   (logging in as ``mediabase_api``): ``media.service.list_videos``,
   ``transcripts.service.list_segments`` (a 5-minute window, and a whole meeting: the API's
   default limit, 1000, word timings included) and ``search.service.search`` (keyword); beside
   them two floors: a tenant's unit of work with ``SELECT 1`` (the coordinator alone) and one
   row by its key (the simplest query a worker answers). ``--clients`` concurrent closed-loop
   clients (one event loop) on random organizations, videos and queries, ``--seconds`` per
   operation and peer, ``--rounds`` rounds of alternating order; throughput and p50/p95 latency,
   ratios cluster/single (goal >= 0.7x). Then Citus's own counters (``citus_stat_counters``):
   single- and multi-shard queries per call (goal: every query on one shard, one task).
3. **A third worker and a rebalance under the read load.** The same clients keep reading every
   operation through the coordinator while ``cluster.add_worker`` starts and registers a worker
   and ``citus_rebalance_start(shard_transfer_mode => --transfer-mode)`` moves shard groups to it
   (polled with ``citus_rebalance_status()``): the rebalance's time, the reads done and failed
   (goal 0) in each phase, placements per node and organization before and after, and the rows
   per organization unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from mediabase.config import Settings
from mediabase.db import cluster, embedded
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal
from mediabase.media import service as media
from mediabase.media.models import VideoFilter
from mediabase.search import service as search
from mediabase.search.models import SearchMode, SearchRequest
from mediabase.transcripts import ingest as bulk
from mediabase.transcripts import service as transcripts
from mediabase.transcripts.formats.ami import iter_ami_meetings
from search_relevance import corpus_dir  # bench/ is on sys.path

REPO = Path(__file__).resolve().parent.parent
VENDORED = REPO.parent / "shared" / "vendor" / "citus-14.0.1.tar.gz"
BUILD_CACHE = Path("/tmp/mediabase-citus-build-cache")  # shared with the tests (tests/citus.py)
QUERIES = ("remote control", "battery", "design", '"fruit and vegetables"', "kick-off meeting", "budget",
           "buttons", "speech recognition", "the project manager", "scroll wheel")
SEGMENTS_FILE = re.compile(r"([^.]+)\..+\.segments\.xml")
ROW_COUNTS = """
SELECT v.organization_id, v.n, s.n
  FROM (SELECT organization_id, count(*) AS n FROM mediabase.videos GROUP BY 1) v
  JOIN (SELECT organization_id, count(*) AS n FROM mediabase.transcript_segments GROUP BY 1) s USING (organization_id)
 ORDER BY 1
"""
PLACEMENTS = "SELECT nodeport, count(*) FROM pg_dist_shard_placement GROUP BY nodeport"
ORG_NODE = """
SELECT o.slug, p.nodeport FROM mediabase.organizations o
  JOIN pg_dist_shard_placement p ON p.shardid = get_shard_id_for_distribution_column('mediabase.videos', o.id)
 WHERE o.slug LIKE 'bench-%' ORDER BY o.slug
"""


@dataclass
class Peer:
    name: str
    env: dict[str, str]  # the CLI's environment
    url: str  # the owner's (admin's) URL
    settings: Settings  # for Database: as the API logs in
    tenants: list[tuple[Principal, list[tuple[uuid.UUID, int]]]] = field(default_factory=list)  # (video, ms)


@dataclass
class Load:
    """Calls of a closed-loop load: (start, latency s, ok) each; errors' first messages."""

    calls: list[tuple[float, float, bool]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def part(self, t0: float, t1: float) -> Load:
        return Load([c for c in self.calls if t0 <= c[0] < t1], self.messages, t1 - t0)

    @property
    def ok(self) -> list[float]:
        return [c[1] for c in self.calls if c[2]]

    @property
    def errors(self) -> int:
        return sum(1 for c in self.calls if not c[2])

    def rate(self) -> float:
        return len(self.ok) / self.elapsed if self.elapsed else float("nan")

    def pct(self, q: float) -> float:
        xs = sorted(self.ok)
        return xs[min(len(xs) - 1, round(q * (len(xs) - 1)))] * 1000 if xs else float("nan")


Videos = list[tuple[uuid.UUID, int]]
Op = Callable[[Database, Principal, Videos, random.Random, Settings], Awaitable[Any]]
WINDOW_MS = 300_000


async def bare(db: Database, p: Principal, vids: Videos, rnd: random.Random, s: Settings) -> None:
    """The floor: a unit of work of the tenant (the prelude's round trip) and ``SELECT 1``."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await conn.execute("SELECT 1")


async def one_row(db: Database, p: Principal, vids: Videos, rnd: random.Random, s: Settings) -> None:
    """The simplest tenant query: one video's title by its key (Citus's fast path to one shard)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = await conn.execute("SELECT title FROM videos WHERE organization_id = %s AND id = %s",
                                 (p.organization_id, rnd.choice(vids)[0]))
        assert await cur.fetchone() is not None


def window(db: Database, p: Principal, vids: Videos, rnd: random.Random, s: Settings) -> Awaitable[Any]:
    vid, duration = rnd.choice(vids)
    start = rnd.randrange(0, max(1, duration - WINDOW_MS))
    return transcripts.list_segments(db, p, vid, from_ms=start, to_ms=start + WINDOW_MS, limit=1000)


OPS: dict[str, Op] = {
    "floor: SELECT 1": bare,
    "floor: one row": one_row,
    "videos list": lambda db, p, vids, rnd, s: media.list_videos(db, p, VideoFilter()),
    "segments, 5 min": window,
    "segments, meeting": lambda db, p, vids, rnd, s: transcripts.list_segments(db, p, rnd.choice(vids)[0],
                                                                              limit=1000),
    "keyword search": lambda db, p, vids, rnd, s: search.search(
        db, p, SearchRequest(q=rnd.choice(QUERIES), mode=SearchMode.keyword), settings=s),
}


def cli(env: dict[str, str], *args: str) -> tuple[str, float]:
    """Run ``mediabase …`` as a user does; its output and wall time."""
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "mediabase", *args], env=env, capture_output=True, text=True,
                       check=False, stdin=subprocess.DEVNULL, timeout=1800)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"mediabase {' '.join(args)} failed ({env.get('MEDIABASE_DATABASE_URL', 'embedded')}):\n"
                         f"{r.stderr[-3000:]}")
    return r.stdout, wall


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def subsets(root: Path, orgs: int, per_org: int, into: Path) -> list[tuple[Path, int, float]]:
    """Per organization an AMI corpus folder of its own meetings (symlinks), its segment count
    and the time parsing it takes here (as ``mediabase ingest`` parses it)."""
    ids = sorted({m[1] for p in (root / "segments").iterdir() if (m := SEGMENTS_FILE.fullmatch(p.name))})
    if orgs * per_org > len(ids):
        raise SystemExit(f"--orgs x --meetings is more than the corpus's {len(ids)} meetings")
    out = []
    for i in range(orgs):
        chosen = set(ids[i::orgs][:per_org])  # spread over the corpus: similar sizes per organization
        d = into / f"org{i}"
        for sub in ("segments", "words", "corpusResources"):
            (d / sub).mkdir(parents=True)
        for sub in ("segments", "words"):
            for p in (root / sub).iterdir():
                if p.name.split(".", 1)[0] in chosen:
                    (d / sub / p.name).symlink_to(p)
        (d / "corpusResources" / "meetings.xml").symlink_to(root / "corpusResources" / "meetings.xml")
        t0 = time.perf_counter()
        segments = sum(len(m.transcript.segments) for m in iter_ami_meetings(d))
        out.append((d, segments, time.perf_counter() - t0))
    return out


# -- reads ---------------------------------------------------------------------------------------


async def tenants(peer: Peer, db: Database, slugs: list[str]) -> None:
    async with Database(peer.url, peer.settings, role="") as system:
        for slug in slugs:
            p = await identity.acting_owner(system, slug)
            page = await media.list_videos(db, p, VideoFilter(), limit=200)
            vids = [(v.id, v.duration_ms or 0) for v in page.items]
            assert vids, slug
            peer.tenants.append((p, vids))


async def run_load(db: Database, peer: Peer, ops: list[Op], clients: int, stop: asyncio.Event | float,
                   seed: int) -> Load:
    """``clients`` closed-loop clients, each calling ``ops`` in turn on a random organization,
    until ``stop`` (seconds, or an event). Errors are counted, not raised."""
    load = Load()
    if isinstance(stop, float):
        seconds, stop = stop, asyncio.Event()
        asyncio.get_running_loop().call_later(seconds, stop.set)
    event = stop

    async def client(i: int) -> None:
        rnd = random.Random(seed * 1000 + i)
        n = i
        while not event.is_set():
            p, vids = rnd.choice(peer.tenants)
            t0 = time.perf_counter()
            try:
                await ops[n % len(ops)](db, p, vids, rnd, peer.settings)
                ok = True
            except Exception as exc:
                ok = False
                if len(load.messages) < 5:
                    load.messages.append(f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}")
            load.calls.append((t0, time.perf_counter() - t0, ok))
            n += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    load.elapsed = time.perf_counter() - t0
    return load


async def shard_queries(peer: Peer, db: Database, op: Op, calls: int) -> tuple[float, float]:
    """Citus's single- and multi-shard queries per call of ``op`` (citus_stat_counters)."""
    counters = ("SELECT query_execution_single_shard, query_execution_multi_shard FROM citus_stat_counters"
                " WHERE name = current_database()")
    rnd = random.Random(7)
    async with await psycopg.AsyncConnection.connect(peer.url, autocommit=True) as conn:
        await conn.execute("SELECT citus_stat_counters_reset((SELECT oid FROM pg_database"
                           " WHERE datname = current_database()))")
        for i in range(calls):
            p, vids = peer.tenants[i % len(peer.tenants)]
            await op(db, p, vids, rnd, peer.settings)
        row = await (await conn.execute(counters)).fetchone()
    assert row is not None
    return row[0] / calls, row[1] / calls


# -- the rebalance ---------------------------------------------------------------------------


def facts(url: str) -> tuple[dict[int, int], dict[str, int], list[tuple[Any, ...]]]:
    with psycopg.connect(url) as conn:
        placements = {int(p): int(n) for p, n in conn.execute(PLACEMENTS).fetchall()}
        orgs = {str(s): int(p) for s, p in conn.execute(ORG_NODE).fetchall()}
        counts = conn.execute(ROW_COUNTS).fetchall()
    return placements, orgs, counts


async def rebalance(peer: Peer, db: Database, csettings: Settings, clients: int, mode: str,
                    calm: float) -> dict[str, Any]:
    """Readers on every operation through the coordinator while a worker is added and the
    shards rebalanced; the phases' marks, the reads, and the facts before and after."""
    before = facts(peer.url)
    stop = asyncio.Event()
    readers = asyncio.create_task(run_load(db, peer, list(OPS.values()), clients, stop, seed=99))
    marks: dict[str, float] = {"start": time.perf_counter()}
    await asyncio.sleep(calm)
    marks["add"] = time.perf_counter()
    worker = await asyncio.to_thread(cluster.add_worker, csettings)
    marks["rebalance"] = time.perf_counter()
    status: dict[str, Any] = {}
    async with await psycopg.AsyncConnection.connect(peer.url, autocommit=True) as conn:
        row = await (await conn.execute("SELECT name FROM pg_dist_rebalance_strategy WHERE default_strategy")
                     ).fetchone()
        status["strategy"] = row[0] if row else None
        row = await (await conn.execute(
            "SELECT citus_rebalance_start(shard_transfer_mode => %s::citus.shard_transfer_mode)", (mode,)
        )).fetchone()
        job = row[0] if row else None
        while job is not None:
            row = await (await conn.execute(
                "SELECT state::text, details FROM citus_rebalance_status() WHERE job_id = %s", (job,))).fetchone()
            assert row is not None
            status.update(state=row[0], details=row[1])
            if row[0] in ("finished", "failed", "cancelled"):
                break
            await asyncio.sleep(0.25)
    marks["after"] = time.perf_counter()
    await asyncio.sleep(calm)
    stop.set()
    load = await readers
    marks["end"] = time.perf_counter()
    return {"worker": worker, "job": job, "status": status, "marks": marks, "load": load, "before": before,
            "after": facts(peer.url)}


# -- the run -----------------------------------------------------------------------------------


def citus_settings(data_dir: Path) -> Settings:
    source = os.environ.get("MEDIABASE_CITUS_SOURCE") or VENDORED
    return Settings.model_validate({"data_dir": data_dir, "citus_source": Path(source),
                                    "citus_build_dir": BUILD_CACHE})


async def ingest(peers: list[Peer], orgs: list[tuple[Path, int, float]], slugs: list[str]) -> None:
    """Each organization by ``mediabase ingest`` on both peers (alternating which goes first), and
    the same meetings parsed beforehand into a copy organization by the same code in this process
    (``transcripts.ingest.ingest``, as the command runs it): the database's share alone."""
    total = sum(n for _, n, _ in orgs)
    walls: dict[str, list[float]] = {p.name: [] for p in peers}
    inproc: dict[str, list[float]] = {p.name: [] for p in peers}
    for peer in peers:
        async with Database(peer.url, peer.settings, role="") as system:
            operator = await identity.operator_user(system)
            for slug in slugs:
                for name in (slug, slug.replace("bench-", "copy-")):
                    await identity.create_organization(system, OrganizationCreate(name=name, slug=name), operator.id)
    for i, ((folder, n, _), slug) in enumerate(zip(orgs, slugs, strict=True)):
        items = list(bulk.discover([folder]))
        for peer in peers if i % 2 == 0 else list(reversed(peers)):
            out, wall = await asyncio.to_thread(cli, peer.env, "ingest", str(folder), "--org", slug, "--json")
            loaded = sum(x["segments"] for x in json.loads(out)["loaded"])
            assert loaded == n, (peer.name, slug, loaded, n)
            walls[peer.name].append(wall)
            small = Settings.model_validate({"data_dir": peer.settings.data_dir, "pool_min_size": 0,
                                             "pool_max_size": 2})  # as the command opens it
            async with Database(peer.url, small) as app_db, Database(peer.url, small, role="") as system:
                p = await identity.acting_owner(system, slug.replace("bench-", "copy-"))
                t0 = time.perf_counter()
                outcomes = await bulk.ingest(app_db, p, iter(items))
                inproc[peer.name].append(time.perf_counter() - t0)
            assert sum(o.segments for o in outcomes) == n, (peer.name, slug)
            print(f"{peer.name:8} {slug}: {n} segments, mediabase ingest {wall:5.1f} s ({n / wall:6.0f} segments/s),"
                  f" in process {inproc[peer.name][-1]:5.2f} s ({n / inproc[peer.name][-1]:6.0f} segments/s);"
                  f" load average {loadavg()}", flush=True)
    print(f"\ningest: {total} segments in {len(slugs)} organizations (and again into {len(slugs)} copies)")
    print(f"{'peer':8} {'command s':>10} {'segments/s':>11} {'in process s':>13} {'segments/s':>11}")
    rate = {}
    for peer in peers:
        w, x = sum(walls[peer.name]), sum(inproc[peer.name])
        rate[peer.name] = (total / w, total / x)
        print(f"{peer.name:8} {w:10.1f} {total / w:11.0f} {x:13.2f} {total / x:11.0f}")
    print(f"ratio cluster/single: {rate['cluster'][0] / rate['single'][0]:.2f}x (mediabase ingest),"
          f" {rate['cluster'][1] / rate['single'][1]:.2f}x (in process)", flush=True)


async def measure(args: argparse.Namespace, peers: list[Peer], csettings: Settings, slugs: list[str]) -> None:
    dbs = {}
    for peer in peers:
        dbs[peer.name] = db = Database(peer.url, peer.settings)
        await db.open()
        await tenants(peer, db, slugs)
    try:
        await reads(args, peers, dbs)
        cl = peers[1]
        # a fresh pool: the counters count in sessions that began after the setting
        with psycopg.connect(cl.url, autocommit=True) as conn:
            conn.execute("ALTER DATABASE mediabase SET citus.enable_stat_counters = on")
        async with Database(cl.url, cl.settings) as counted:
            print("\nCitus queries per call (citus_stat_counters, 12 calls each, cluster):")
            print(f"{'operation':16} {'single-shard':>13} {'multi-shard':>12}")
            for name, op in OPS.items():
                s, m = await shard_queries(cl, counted, op, 12)
                print(f"{name:16} {s:13.2f} {m:12.2f}", flush=True)
        print(f"\nload average before the rebalance: {loadavg()}", flush=True)
        r = await rebalance(cl, dbs[cl.name], csettings, args.clients, args.transfer_mode, args.calm)
        report_rebalance(r, csettings)
        warnings = {}
        state = cluster.read_state(csettings)
        for node in state.nodes if state else ():
            with contextlib.suppress(OSError):
                log = (cluster.cluster_dir(csettings) / node / "log").read_text(errors="replace")
                warnings[node] = log.count("WARNING:  there is already a transaction in progress")
        print(f"'there is already a transaction in progress' warnings in the nodes' logs: {warnings}")
    finally:
        for db in dbs.values():
            await db.close()


async def reads(args: argparse.Namespace, peers: list[Peer], dbs: dict[str, Database]) -> None:
    for peer in peers:  # warm caches and pools
        await run_load(dbs[peer.name], peer, list(OPS.values()), args.clients, 3.0, seed=0)
    results: dict[tuple[str, str], list[Load]] = {}
    for rnd in range(args.rounds):
        for name, op in OPS.items():
            order = peers if rnd % 2 == 0 else list(reversed(peers))
            for peer in order:
                load = await run_load(dbs[peer.name], peer, [op], args.clients, args.seconds, seed=rnd + 1)
                if load.errors:
                    raise SystemExit(f"{peer.name} {name}: {load.errors} calls failed: {load.messages}")
                results.setdefault((peer.name, name), []).append(load)
                print(f"round {rnd + 1} {peer.name:8} {name:15} {load.rate():8.1f} calls/s  p50 {load.pct(0.5):6.1f} ms"
                      f"  p95 {load.pct(0.95):6.1f} ms  (load average {loadavg()})", flush=True)
    print(f"\nreads: {args.clients} clients, {args.seconds:g} s per operation and peer, medians of {args.rounds}"
          f" rounds; ratio = cluster / single (throughput), single / cluster (latency)")
    print(f"{'operation':16} {'single/s':>9} {'p50':>6} {'p95':>6} {'cluster/s':>10} {'p50':>6} {'p95':>6}"
          f" {'ratio':>6} {'p50 ratio':>9}")
    for name in OPS:
        s = [statistics.median(f(x) for x in results[("single", name)]) for f in (Load.rate, _p50, _p95)]
        c = [statistics.median(f(x) for x in results[("cluster", name)]) for f in (Load.rate, _p50, _p95)]
        print(f"{name:16} {s[0]:9.1f} {s[1]:6.1f} {s[2]:6.1f} {c[0]:10.1f} {c[1]:6.1f} {c[2]:6.1f}"
              f" {c[0] / s[0]:5.2f}x {s[1] / c[1]:8.2f}x")


def _p50(x: Load) -> float:
    return x.pct(0.5)


def _p95(x: Load) -> float:
    return x.pct(0.95)


def report_rebalance(r: dict[str, Any], csettings: Settings) -> None:
    state = cluster.read_state(csettings)
    names = {port: name for name, port in state.nodes.items()} if state else {}
    m, load = r["marks"], r["load"]
    print(f"\nrebalance onto {r['worker']} (job {r['job']}): {r['status']}")
    print(f"add-worker {m['rebalance'] - m['add']:.1f} s, rebalance {m['after'] - m['rebalance']:.1f} s")
    print(f"{'phase':22} {'seconds':>8} {'reads':>7} {'errors':>7} {'reads/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for phase, a, b in (("before", "start", "add"), ("adding the worker", "add", "rebalance"),
                        ("rebalancing", "rebalance", "after"), ("after", "after", "end")):
        part = load.part(m[a], m[b])
        print(f"{phase:22} {m[b] - m[a]:8.1f} {len(part.ok):7d} {part.errors:7d} {part.rate():8.1f}"
              f" {part.pct(0.5):7.1f} {part.pct(0.95):7.1f}")
    if load.messages:
        print("first errors:", *load.messages, sep="\n  ")
    (p0, o0, c0), (p1, o1, c1) = r["before"], r["after"]
    print("shard placements per node, before -> after:",
          ", ".join(f"{names.get(p, p)} {p0.get(p, 0)} -> {p1.get(p, 0)}" for p in sorted(set(p0) | set(p1))))
    print("organization (videos shard) on:",
          ", ".join(f"{s} {names.get(o0[s], o0[s])} -> {names.get(o1[s], o1[s])}" for s in sorted(o0)))
    print(f"rows per organization (videos, segments) unchanged: {c0 == c1}" + ("" if c0 == c1 else f" {c0} {c1}"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orgs", type=int, default=6, help="organizations (at least 4, so shards spread)")
    ap.add_argument("--meetings", type=int, default=5, help="AMI meetings per organization")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=6.0, help="per operation, peer and round")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--calm", type=float, default=5.0, help="seconds of reads before adding the worker and after")
    ap.add_argument("--transfer-mode", default="block_writes", choices=("auto", "force_logical", "block_writes"),
                    help="citus_rebalance_start's shard_transfer_mode ('auto' refuses video_tags: no primary key)")
    ap.add_argument("--corpus", help="an unpacked AMI corpus folder (default: the shared tarball, unpacked once)")
    args = ap.parse_args()
    if args.orgs < 4:
        ap.error("--orgs: at least 4, so the organizations spread over the workers")

    root = Path(tempfile.mkdtemp(prefix="mbcitusbench-"))
    root.chmod(0o755)  # as root, the servers run as the embedded server's OS user, which must traverse it
    print(f"{os.cpu_count()} cores, load average {loadavg()}; working in {root}", flush=True)
    corpus = corpus_dir(args.corpus)
    orgs = subsets(corpus, args.orgs, args.meetings, root / "corpus")
    total = sum(n for _, n, _ in orgs)
    parse_s = sum(s for _, _, s in orgs)
    print(f"{args.orgs} organizations x {args.meetings} meetings: {total} segments"
          f" ({', '.join(str(n) for _, n, _ in orgs)}); parsing them alone {parse_s:.1f} s", flush=True)

    base = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    base["MEDIABASE_LOG_LEVEL"] = "WARNING"
    ssettings = Settings.model_validate({"data_dir": root / "single", "pool_min_size": args.clients,
                                         "pool_max_size": args.clients})
    csettings = citus_settings(root / "cluster")
    try:
        t0 = time.perf_counter()
        surl = embedded.start(ssettings)
        print(f"single: embedded server started in {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        pginstall = cluster.build_citus(csettings, cache_dir=BUILD_CACHE)
        curl = cluster.start_cluster(csettings, workers=2, pginstall=pginstall)
        print(f"cluster: Citus built or found, coordinator + 2 workers started in {time.perf_counter() - t0:.1f} s"
              f" ({curl})", flush=True)
        peers = [
            Peer("single", {**base, "MEDIABASE_DATA_DIR": str(root / "single")}, surl, ssettings),
            Peer("cluster", {**base, "MEDIABASE_DATA_DIR": str(root / "cluster"), "MEDIABASE_DATABASE_URL": curl},
                 curl, Settings.model_validate({"database_url": curl, "data_dir": root / "cluster",
                                                "app_database_url": make_conninfo(curl, user="mediabase_api"),
                                                "pool_min_size": args.clients, "pool_max_size": args.clients})),
        ]
        for peer in peers:
            _, wall = cli(peer.env, "migrate")
            print(f"{peer.name}: mediabase migrate {wall:.1f} s", flush=True)

        slugs = [f"bench-{i:02d}" for i in range(args.orgs)]
        asyncio.run(ingest(peers, orgs, slugs))
        asyncio.run(measure(args, peers, csettings, slugs))
        print(f"\nload average at the end: {loadavg()}")
    finally:
        cluster.stop_cluster(csettings)
        embedded.stop(ssettings)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
