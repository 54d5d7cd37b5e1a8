"""The knowledge graph's build on a real organization: the four derive statements of this tree
against those of a baseline revision, side by side, each round in a transaction of its own that
is rolled back, and a hash of what each wrote (nodes, edges with their ends' names, evidence) —
the same graph or the run says so.

    python bench/search_relevance.py --reuse --split tune   # the AMI database (171 meetings), if not there
    python bench/knowledge_build.py --baseline 47407c0      # 47407c0: the last commit before 0048

Default database: ``mb_bench_relevance`` of the embedded server in MEDIABASE_DATA_DIR, organization
``ami`` (93,637 segments, 682 speakers). The database must be migrated to this tree's schema.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any
from uuid import UUID

from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.queries import Queries, parse_queries
from mediabase.db.rows import Conn, sql
from mediabase.identity import service as identity
from mediabase.knowledge import build
from search_relevance import admin_url, db_url

STATEMENTS = ("insert_nodes", "insert_node_evidence", "insert_edges", "insert_edge_evidence")
CANON = """
SELECT md5(string_agg(x, E'\\n' ORDER BY x)) AS h FROM (
  SELECT concat_ws('|', 'n', type, name, properties::text) AS x FROM graph_nodes WHERE layer_id = %(l)s
  UNION ALL
  SELECT concat_ws('|', 'e', s.type, s.name, e.relation, t.type, t.name, e.weight) FROM graph_edges e
    JOIN graph_nodes s ON s.id = e.source_id JOIN graph_nodes t ON t.id = e.target_id WHERE e.layer_id = %(l)s
  UNION ALL
  SELECT concat_ws('|', 'v', coalesce(n.type || n.name, s.name || e.relation || t.name), v.video_id, v.start_ms,
                   v.end_ms, v.segment_id, v.decision_id, v.action_item_id, v.excerpt)
    FROM graph_evidence v LEFT JOIN graph_nodes n ON n.id = v.node_id LEFT JOIN graph_edges e ON e.id = v.edge_id
    LEFT JOIN graph_nodes s ON s.id = e.source_id LEFT JOIN graph_nodes t ON t.id = e.target_id
   WHERE v.layer_id = %(l)s) q
"""


class _RolledBack(Exception):
    pass


def baseline_queries(rev: str) -> Queries:
    text = subprocess.run(["git", "show", f"{rev}:src/mediabase/knowledge/queries.sql"], check=True,
                          capture_output=True, text=True, cwd=Path(__file__).parent).stdout
    return parse_queries(f"{rev}:knowledge/queries.sql", text)


async def one_build(db: Database, org: UUID, q: Queries) -> tuple[dict[str, float], dict[str, Any]]:
    """Each statement's milliseconds, and the counts and content hash of what it wrote."""
    times: dict[str, float] = {}
    out: dict[str, Any] = {}
    try:
        async with db.transaction(org) as conn:
            layer = await build.new_layer(conn, org, model="bench", model_version=None, source="bench",
                                          parameters={}, job_id=None, created_by=None)
            for name in STATEMENTS:
                stmt = sql.SQL(getattr(q, name)).format(base=sql.SQL(q.base), node_facts=sql.SQL(q.node_facts),
                                                        edge_facts=sql.SQL(q.edge_facts))
                t0 = time.perf_counter()
                await conn.execute(stmt, {"org": org, "layer": layer}, prepare=False)
                times[name] = (time.perf_counter() - t0) * 1000
            out = await _written(conn, org, layer)
            raise _RolledBack
    except _RolledBack:
        pass
    return times, out


async def _written(conn: Conn, org: UUID, layer: UUID) -> dict[str, Any]:
    row = await (await conn.execute(build.Q.layer_counts, {"org": org, "layer": layer})).fetchone()
    canon = await (await conn.execute(CANON, {"l": layer})).fetchone()
    assert row is not None and canon is not None
    return {**row, "hash": canon["h"]}


async def main_async(args: argparse.Namespace) -> None:
    url = db_url(admin_url(args), args.db)
    settings = Settings.model_validate({"database_url": url, "statement_timeout_ms": 0, "pool_max_size": 2})
    variants = {f"baseline {args.baseline}": baseline_queries(args.baseline), "this tree": build.Q}
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        org = (await identity.acting_owner(system, args.org)).organization_id
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in variants}
        written: dict[str, dict[str, Any]] = {}
        for _ in range(args.rounds):
            for name, q in variants.items():
                times, written[name] = await one_build(db, org, q)
                runs[name].append(times)
    print(f"organization {args.org}, {args.rounds} rounds, median ms per statement")
    print("| variant | " + " | ".join(STATEMENTS) + " | total | nodes / edges / evidence | hash |")
    print("|---|" + "---:|" * (len(STATEMENTS) + 2) + "---|")
    totals = {}
    for name, rounds in runs.items():
        med = {s: statistics.median(r[s] for r in rounds) for s in STATEMENTS}
        totals[name] = statistics.median(sum(r.values()) for r in rounds)
        w = written[name]
        print(f"| {name} | " + " | ".join(f"{med[s]:,.0f}" for s in STATEMENTS)
              + f" | {totals[name]:,.0f} | {w['nodes']} / {w['edges']} / {w['evidence']} | {w['hash'][:12]} |")
    base, new = totals.values()
    same = len({w["hash"] for w in written.values()}) == 1
    print(f"this tree / baseline: {new / base:.3f}× the time; the same graph: {'yes' if same else 'NO'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="admin URL of a server (default: the embedded one in MEDIABASE_DATA_DIR)")
    ap.add_argument("--db", default="mb_bench_relevance")
    ap.add_argument("--org", default="ami", help="the organization's slug")
    ap.add_argument("--baseline", required=True, help="a git revision whose knowledge/queries.sql to compare")
    ap.add_argument("--rounds", type=int, default=3)
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
