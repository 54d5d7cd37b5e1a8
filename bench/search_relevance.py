"""Relevance of keyword, semantic and hybrid search on the AMI meeting corpus.

Loads the AMI meetings (manual annotations 1.6.2: all 171 by default) into one organization of
a fresh database, indexes them (chunks + all-MiniLM-L6-v2 vectors; the embedding throughput is
measured), then runs the judged queries of ``bench/relevance/ami_queries.json`` through
``mediabase.search.search`` in each mode and reports, over the top ``k`` hits:

* recall@k: the share of a query's answer spans that some hit reaches, averaged over queries;
* hit@k: the share of queries with at least one relevant hit;
* MRR@k: the mean of 1 / rank of the first relevant hit (0 when there is none).

A hit is relevant when it is in the query's meeting and its [start_ms, end_ms] overlaps an
answer span widened by ``--tolerance`` seconds on each side. Answer spans come from the corpus
annotations (bench/relevance/ami_spans.py), never from a search result.

    python bench/search_relevance.py                       # embedded server, all meetings
    python bench/search_relevance.py --reuse               # keep the loaded database
    python bench/search_relevance.py --url postgresql://…  # a server that may CREATE DATABASE

Needs the semantic extra. About 4 minutes on 2 cores (most of it embedding ~25k chunks).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate
from mediabase.search import SearchMode, SearchRequest, search
from mediabase.search.chunking import ChunkParams
from mediabase.search.indexing import reindex
from mediabase.transcripts import ingest as bulk

HERE = Path(__file__).resolve().parent
QUERIES = HERE / "relevance" / "ami_queries.json"
TARBALL = HERE.parents[1] / "shared" / "data" / "ami" / "ami_public_manual_1.6.2.tar.xz"


def corpus_dir(path: str | None) -> Path:
    """The unpacked corpus: the given folder, or the shared tarball unpacked into /tmp once."""
    if path:
        return Path(path)
    target = Path(tempfile.gettempdir()) / "ami" / "ami_public_manual_1.6.2"
    if not (target / "segments").is_dir():
        print(f"unpacking {TARBALL} to {target.parent} …", file=sys.stderr)
        with tarfile.open(TARBALL) as tar:
            tar.extractall(target.parent, filter="data")
    return target


def admin_url(args: argparse.Namespace) -> str:
    if args.url:
        return str(args.url)
    from mediabase.db import embedded

    settings = Settings()
    embedded.start(settings)
    return embedded.server_url(settings)


def db_url(admin: str, name: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(admin, dbname=name)


def relevant(hit: dict[str, Any], q: dict[str, Any], tol_ms: int) -> list[int]:
    """Indexes of the answer spans this hit reaches."""
    if hit["video_title"] != q["meeting"]:
        return []
    return [i for i, (a, b) in enumerate(q["spans"])
            if hit["start_ms"] <= b + tol_ms and hit["end_ms"] >= a - tol_ms]


def score(hits: list[dict[str, Any]], q: dict[str, Any], k: int, tol_ms: int) -> dict[str, float]:
    reached: set[int] = set()
    first: int | None = None
    for rank, h in enumerate(hits[:k], start=1):
        r = relevant(h, q, tol_ms)
        if r and first is None:
            first = rank
        reached.update(r)
    return {"recall": len(reached) / len(q["spans"]), "hit": float(first is not None),
            "rr": 1.0 / first if first else 0.0, "first": float(first or 0)}


async def load(url: str, settings: Settings, corpus: Path, meetings: list[str] | None) -> dict[str, Any]:
    await Migrator(url, settings).migrate()
    facts: dict[str, Any] = {}
    async with Database(url, settings, role="") as system:
        operator = await identity.operator_user(system)
        await identity.create_organization(system, OrganizationCreate(name="AMI", slug="ami"), operator.id)
        principal = await identity.acting_owner(system, "ami")
        items = [i for i in bulk.discover([corpus], fmt="ami")
                 if meetings is None or (i.video and i.video.title in meetings)]
        t0 = time.perf_counter()
        outcomes = await bulk.ingest(system, principal, iter(items))
        facts["ingest_s"] = round(time.perf_counter() - t0, 1)
        facts["meetings"] = sum(o.error is None for o in outcomes)
        facts["segments"] = sum(o.segments for o in outcomes)
        errors = [o.error for o in outcomes if o.error]
        if errors:
            raise SystemExit(f"ingest failed: {errors[:3]}")
    return facts


async def index(url: str, settings: Settings, params: ChunkParams) -> dict[str, Any]:
    """Chunk and embed every transcript (what the index jobs do), timed; then ANALYZE."""
    async with Database(url, settings, role="") as system:
        org = await identity.organization_by_slug(system, "ami")
        t0 = time.perf_counter()
        report = await reindex(system, settings, org_ids=[org.id], owner_url=url, params=params)
        seconds = time.perf_counter() - t0
        async with system.transaction() as conn:
            await conn.execute("ANALYZE")
    return {"chunker": params.name, "index_s": round(seconds, 1), "chunks": report.chunks,
            "embedded": report.embedded, "chunks_per_s": round(report.embedded / max(seconds, 1e-9), 1)}


async def evaluate(url: str, settings: Settings, queries: list[dict[str, Any]], args: argparse.Namespace,
                   ) -> dict[str, Any]:
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        principal = await identity.acting_owner(system, "ami")
        out: dict[str, Any] = {"modes": {}, "per_query": []}
        for mode in (SearchMode.keyword, SearchMode.semantic, SearchMode.hybrid):
            rows = []
            times = []
            for q in queries:
                t0 = time.perf_counter()
                page = await search(db, principal, SearchRequest(
                    q=q["q"], mode=mode, limit=args.k, keyword_weight=args.keyword_weight,
                    semantic_weight=args.semantic_weight, rrf_k=args.rrf_k), settings=settings)
                times.append((time.perf_counter() - t0) * 1000)
                hits = [h.model_dump() for h in page.hits]
                s = score(hits, q, args.k, args.tolerance * 1000)
                rows.append(s)
                out["per_query"].append({"mode": mode.value, "q": q["q"], "meeting": q["meeting"], **s,
                                         "top": [(h["video_title"], h["start_ms"] // 1000) for h in hits[:3]]})
            out["modes"][mode.value] = {
                "recall": statistics.mean(r["recall"] for r in rows),
                "hit": statistics.mean(r["hit"] for r in rows),
                "mrr": statistics.mean(r["rr"] for r in rows),
                "p50_ms": statistics.median(times),
            }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="admin URL of a server (default: the embedded one in MEDIABASE_DATA_DIR)")
    ap.add_argument("--db", default="mb_bench_relevance", help="database to (re)create")
    ap.add_argument("--corpus", help="unpacked AMI manual annotations (default: unpack the shared tarball)")
    ap.add_argument("--queries", default=str(QUERIES))
    ap.add_argument("--meetings", help="comma-separated subset of meetings (default: all)")
    ap.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--tolerance", type=float, default=10.0, help="seconds around an answer span")
    ap.add_argument("--keyword-weight", type=float, default=1.0)
    ap.add_argument("--semantic-weight", type=float, default=1.0)
    ap.add_argument("--rrf-k", type=int, default=60)
    ap.add_argument("--json", help="write the full results (per query) here")
    ap.add_argument("--reindex", action="store_true", help="with --reuse: chunk and embed again")
    ap.add_argument("--chunk-target", type=int, default=ChunkParams().target_tokens)
    ap.add_argument("--chunk-max", type=int, default=ChunkParams().max_tokens)
    ap.add_argument("--chunk-overlap", type=int, default=ChunkParams().overlap_tokens)
    args = ap.parse_args()

    queries = json.loads(Path(args.queries).read_text())["queries"]
    result = asyncio.run(run(args, queries))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


async def run(args: argparse.Namespace, queries: list[dict[str, Any]]) -> dict[str, Any]:
    admin = admin_url(args)
    url = db_url(admin, args.db)
    settings = Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": 4,
                                        "statement_timeout_ms": 0})
    facts: dict[str, Any] = {}
    exists = False
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (args.db,)).fetchone() is not None
        if exists and not args.reuse:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(args.db)))
        if not exists or not args.reuse:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.db)))
    if not (exists and args.reuse):
        meetings = args.meetings.split(",") if args.meetings else None
        facts = await load(url, settings, corpus_dir(args.corpus), meetings)
        print("loaded:", json.dumps(facts), flush=True)
    if not (exists and args.reuse) or args.reindex:
        params = ChunkParams(target_tokens=args.chunk_target, max_tokens=args.chunk_max,
                             overlap_tokens=args.chunk_overlap)
        facts.update(await index(url, settings, params))
        print("indexed:", json.dumps(facts), flush=True)
    result = await evaluate(url, settings, queries, args)
    result["facts"] = facts
    print(f"\n{len(queries)} judged queries, k={args.k}, tolerance ±{args.tolerance:g} s, "
          f"RRF k={args.rrf_k}, weights keyword {args.keyword_weight:g} / semantic {args.semantic_weight:g}")
    print(f"| mode | recall@{args.k} | hit@{args.k} | MRR@{args.k} | p50 ms |")
    print("|---|---:|---:|---:|---:|")
    for mode, m in result["modes"].items():
        print(f"| {mode} | {m['recall']:.3f} | {m['hit']:.3f} | {m['mrr']:.3f} | {m['p50_ms']:.1f} |")
    return result


if __name__ == "__main__":
    main()
