"""The knowledge graph's reads on a synthetic graph of 1 M edges (issue 15): neighbours (both
directions) and bounded paths of up to 3 edges, through the service functions the API calls
(current layer, node check, the query), p50/p95/max, and the plans (EXPLAIN ANALYZE, BUFFERS).

    .venv/bin/python bench/knowledge_graph.py [--scale 1.0] [--queries 200]

An embedded server in a temporary directory. The graph is made in SQL, set-based
(mediabase.knowledge.synthetic): ``200,000 × scale`` nodes of five types, five edges from each to
random targets (five relations), about ``1,000,000 × scale`` edges, in a ready layer of one
organization; a second organization has a graph a tenth that size (the tenant filter must hold).
Then VACUUM ANALYZE. Paths are measured for random pairs (mostly no path of ≤ 3 edges: the walk
explores the whole 3-hop neighbourhood, the worst case) and for pairs 3 edges apart (found by a
walk), at most 10 paths each, edges either way.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role, UserCreate
from mediabase.knowledge import service as graph
from mediabase.knowledge import synthetic
from mediabase.knowledge.service import Q


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.model_validate({"database_url": url, "data_dir": data_dir, "pool_min_size": 0, "pool_max_size": 4,
                                    "statement_timeout_ms": 0})


def pct(xs: list[float], q: float) -> float:
    return sorted(xs)[min(len(xs) - 1, round(q * (len(xs) - 1)))]


def line(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {pct(ms, 0.95):.2f} | {max(ms):.2f} |")


async def org(owner: Database, slug: str) -> Principal:
    user, _ = await identity.create_user(owner, UserCreate(email=f"{slug}@example.com", username=slug))
    o = await identity.create_organization(owner, OrganizationCreate(name=slug.title(), slug=slug), user.id)
    return Principal(organization_id=o.id, user_id=user.id, role=Role.OWNER)


async def make(owner: Database, p: Principal, nodes: int) -> UUID:
    async with owner.transaction(p.organization_id) as conn:
        return await synthetic.make_graph(conn, p.organization_id, nodes=nodes, degree=5)


def explain(url: str, org_id: UUID, stmt: Any, params: dict[str, Any]) -> str:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path = mediabase, public")
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org_id),))
        q = sql.SQL("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ") + sql.SQL(stmt)
        return "\n".join(r[0] for r in conn.execute(q, params))


async def run(url: str, data_dir: Path, scale: float, queries: int) -> None:
    await Migrator(url, settings_for(url, data_dir)).migrate()
    s = settings_for(url, data_dir)
    n = max(1000, int(200_000 * scale))
    async with Database(url, s) as db, Database(url, s, role="") as owner:
        p, other = await org(owner, "bench"), await org(owner, "noise")
        t = time.perf_counter()
        layer = await make(owner, p, n)
        await make(owner, other, n // 10)
        made = time.perf_counter() - t
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE mediabase.graph_nodes, mediabase.graph_edges, mediabase.ai_layers")
            edges = conn.execute("SELECT count(*) FROM mediabase.graph_edges WHERE layer_id = %s", (layer,)).fetchone()
            size = conn.execute("SELECT pg_size_pretty(pg_total_relation_size('mediabase.graph_edges'))").fetchone()
        assert edges is not None and size is not None
        print(f"graph: {n:,} nodes, {edges[0]:,} edges (+ a tenth in another organization) made in {made:.1f} s;"
              f" graph_edges with its indexes: {size[0]}")
        rng = random.Random(15)
        ids = [synthetic.node_id(layer, rng.randint(1, n)) for _ in range(queries)]
        for i in ids[:10]:  # warm the caches and the connection pool
            await graph.neighbours(db, p, UUID(i))
        near: list[float] = []
        count = 0
        for i in ids:
            t = time.perf_counter()
            count += len(await graph.neighbours(db, p, UUID(i)))
            near.append(time.perf_counter() - t)
        # pairs 3 edges apart: a walk of 3 steps along the edges, either way
        walks: list[tuple[UUID, UUID]] = []
        for i in ids:
            here = UUID(i)
            for _ in range(3):
                nb = await graph.neighbours(db, p, here, limit=50)
                here = rng.choice(nb).node.id if nb else here
            if here != UUID(i):
                walks.append((UUID(i), here))
        far = [(UUID(a), UUID(b)) for a, b in zip(ids, reversed(ids), strict=True) if a != b]
        timings: dict[str, list[float]] = {"random": [], "3 apart": []}
        found = {"random": 0, "3 apart": 0}
        for name, pairs in (("random", far), ("3 apart", walks)):
            for a, b in pairs:
                t = time.perf_counter()
                got = await graph.paths(db, p, a, b, max_depth=3, limit=10)
                timings[name].append(time.perf_counter() - t)
                found[name] += bool(got)
        print()
        print("| query (through the service) | n | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        print(line(f"neighbours, both directions (avg {count / len(ids):.1f} rows)", near))
        print(line(f"paths ≤ 3 edges, random pairs ({found['random']} with a path)", timings["random"]))
        print(line(f"paths ≤ 3 edges, pairs 3 apart ({found['3 apart']} with a path)", timings["3 apart"]))
        print(f"\nratio p95 paths (random pairs) / p95 neighbours: "
              f"{pct(timings['random'], 0.95) / pct(near, 0.95):.1f}×")
        a, b = far[0]
        print("\nplan, neighbours:\n" + explain(url, p.organization_id, Q.neighbours, {
            "org": p.organization_id, "id": a, "relations": None, "limit": 100, "out": True, "in": True}))
        print("\nplan, paths ≤ 3 edges (a random pair):\n" + explain(url, p.organization_id, Q.paths, {
            "org": p.organization_id, "from": a, "to": b, "max_depth": 3, "relations": None, "directed": False,
            "limit": 10}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scale", type=float, default=1.0, help="1.0: 200,000 nodes, about 1,000,000 edges")
    ap.add_argument("--queries", type=int, default=200, help="start nodes (and pairs) measured")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbbench-") as tmp:
        base = Settings.model_validate({"data_dir": Path(tmp)})
        embedded.start(base)
        try:
            admin = embedded.server_url(base)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("kgbench")))
            asyncio.run(run(embedded.server_url(base, "kgbench"), Path(tmp), args.scale, args.queries))
        finally:
            embedded.stop(base)


if __name__ == "__main__":
    main()
