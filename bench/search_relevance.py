"""Relevance of keyword, semantic and hybrid search on the AMI meeting corpus.

Loads the AMI meetings (manual annotations 1.6.2: all 171 by default) into one organization of
a fresh database, indexes them (chunks + all-MiniLM-L6-v2 vectors; the embedding throughput is
measured), then runs the judged queries of ``bench/relevance/ami_queries.json`` through
``mediabase.search.search`` in each mode and reports, over the top ``k`` hits:

* recall@k: the share of a query's answer spans that some hit reaches, averaged over queries;
* hit@k: the share of queries with at least one relevant hit;
* MRR@k: the mean of 1 / rank of the first relevant hit (0 when there is none);
* hits: how many hits a query gets (at most k: semantic and hybrid stop at the relevance cut-off).

It does the same for accented variants of judged queries (télévision for television), and counts
the hits of questions the meetings never discuss (every one is wrong). ``--sweep`` runs semantic
and hybrid search under a grid of cut-offs (min_similarity × score_floor), what their defaults
were chosen by.

A hit is relevant when it is in the query's meeting and its [start_ms, end_ms] overlaps an
answer span widened by ``--tolerance`` seconds on each side. Answer spans come from the corpus
annotations (bench/relevance/ami_spans.py), never from a search result.

    python bench/search_relevance.py                       # embedded server, all meetings
    python bench/search_relevance.py --reuse               # keep the loaded database
    python bench/search_relevance.py --url postgresql://…  # a server that may CREATE DATABASE
    python bench/search_relevance.py --reuse --sweep       # and the cut-off grid

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
            "rr": 1.0 / first if first else 0.0, "first": float(first or 0), "hits": float(min(k, len(hits)))}


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


def search_request(q: str, mode: SearchMode, args: argparse.Namespace, limit: int,
                   cut: tuple[float | None, float | None]) -> SearchRequest:
    return SearchRequest(q=q, mode=mode, limit=limit, keyword_weight=args.keyword_weight,
                         semantic_weight=args.semantic_weight, rrf_k=args.rrf_k, min_similarity=cut[0],
                         score_floor=cut[1])


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {"recall": statistics.mean(r["recall"] for r in rows), "hit": statistics.mean(r["hit"] for r in rows),
            "mrr": statistics.mean(r["rr"] for r in rows), "hits": statistics.mean(r["hits"] for r in rows)}


async def evaluate(url: str, settings: Settings, sets: dict[str, Any], args: argparse.Namespace,
                   ) -> dict[str, Any]:
    """Each mode over the judged queries (recall, hit, MRR, hits per query, p50), their accented
    variants, and the unanswerable questions (hits per query: every one is wrong)."""
    cut = (args.min_similarity, args.score_floor)
    tol = int(args.tolerance * 1000)
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        principal = await identity.acting_owner(system, "ami")

        async def hits_of(q: str, mode: SearchMode, limit: int = args.k,
                          c: tuple[float | None, float | None] = cut) -> list[dict[str, Any]]:
            page = await search(db, principal, search_request(q, mode, args, limit, c), settings=settings)
            return [h.model_dump() for h in page.hits]

        out: dict[str, Any] = {"modes": {}, "accented": {}, "unanswerable": {}, "per_query": []}
        for mode in (SearchMode.keyword, SearchMode.semantic, SearchMode.hybrid):
            rows = []
            times = []
            for q in sets["queries"]:
                t0 = time.perf_counter()
                hits = await hits_of(q["q"], mode)
                times.append((time.perf_counter() - t0) * 1000)
                s = score(hits, q, args.k, tol)
                rows.append(s)
                out["per_query"].append({"mode": mode.value, "q": q["q"], "meeting": q["meeting"], **s,
                                         "top": [(h["video_title"], h["start_ms"] // 1000) for h in hits[:3]]})
            out["modes"][mode.value] = {**summary(rows), "p50_ms": statistics.median(times)}
            rows = [score(await hits_of(q["q"], mode), q, args.k, tol) for q in sets["accented"]]
            out["accented"][mode.value] = summary(rows)
            out["unanswerable"][mode.value] = statistics.mean(
                [len(await hits_of(q, mode)) for q in sets["unanswerable"]])
        if args.sweep:
            out["sweep"] = await sweep(hits_of, sets, args)
    return out


SWEEP_SIMILARITY = (-1.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
SWEEP_FLOOR = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4)


async def sweep(hits_of: Any, sets: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    """Semantic and hybrid under each cut-off: the judged queries at k and at --depth (one page of
    --depth hits, cut-off applied), and the hits of the unanswerable questions at k."""
    out: list[dict[str, Any]] = []
    tol = int(args.tolerance * 1000)
    combos: list[tuple[SearchMode, float, float | None]] = [(SearchMode.semantic, m, None) for m in SWEEP_SIMILARITY]
    combos += [(SearchMode.hybrid, m, f) for m in SWEEP_SIMILARITY for f in SWEEP_FLOOR]
    for mode, min_sim, floor in combos:
        c = (min_sim, 0.0 if floor is None else floor)
        at_k, deep = [], []
        for q in sets["queries"] + sets["accented"]:
            hits = await hits_of(q["q"], mode, args.depth, c)
            at_k.append(score(hits, q, args.k, tol))
            deep.append(score(hits, q, args.depth, tol))
        none = [len(await hits_of(q, mode, args.k, c)) for q in sets["unanswerable"]]
        row = {"mode": mode.value, "min_similarity": min_sim, "score_floor": floor, **summary(at_k),
               "recall_deep": statistics.mean(r["recall"] for r in deep),
               "hits_deep": statistics.mean(r["hits"] for r in deep), "unanswerable": statistics.mean(none)}
        out.append(row)
        print(f"| {mode.value} | {min_sim:g} | {'' if floor is None else f'{floor:g}'} | {row['recall']:.3f} | "
              f"{row['hit']:.3f} | {row['mrr']:.3f} | {row['hits']:.1f} | {row['recall_deep']:.3f} | "
              f"{row['hits_deep']:.1f} | {row['unanswerable']:.1f} |", flush=True)
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
    ap.add_argument("--min-similarity", type=float, help="the cut-off (default: MEDIABASE_SEARCH_MIN_SIMILARITY's)")
    ap.add_argument("--score-floor", type=float, help="the cut-off (default: MEDIABASE_SEARCH_SCORE_FLOOR's)")
    ap.add_argument("--sweep", action="store_true", help="also: semantic and hybrid under a grid of cut-offs")
    ap.add_argument("--depth", type=int, default=50, help="--sweep: the deep page's size")
    ap.add_argument("--json", help="write the full results (per query) here")
    ap.add_argument("--reindex", action="store_true", help="with --reuse: chunk and embed again")
    ap.add_argument("--chunk-target", type=int, default=ChunkParams().target_tokens)
    ap.add_argument("--chunk-max", type=int, default=ChunkParams().max_tokens)
    ap.add_argument("--chunk-overlap", type=int, default=ChunkParams().overlap_tokens)
    args = ap.parse_args()

    sets = json.loads(Path(args.queries).read_text())
    result = asyncio.run(run(args, sets))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


async def run(args: argparse.Namespace, sets: dict[str, Any]) -> dict[str, Any]:
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
    else:
        await Migrator(url, settings).migrate()  # a reused database gets the migrations since it was loaded
    if not (exists and args.reuse) or args.reindex:
        params = ChunkParams(target_tokens=args.chunk_target, max_tokens=args.chunk_max,
                             overlap_tokens=args.chunk_overlap)
        facts.update(await index(url, settings, params))
        print("indexed:", json.dumps(facts), flush=True)
    if args.sweep:
        print(f"| mode | min_similarity | score_floor | recall@{args.k} | hit@{args.k} | MRR@{args.k} | hits@{args.k} "
              f"| recall@{args.depth} | hits@{args.depth} | unanswerable hits@{args.k} |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    result = await evaluate(url, settings, sets, args)
    result["facts"] = facts
    min_sim = settings.search_min_similarity if args.min_similarity is None else args.min_similarity
    floor = settings.search_score_floor if args.score_floor is None else args.score_floor
    cut = f"min_similarity {min_sim:g}, score_floor {floor:g}"
    print(f"\n{len(sets['queries'])} judged queries, k={args.k}, tolerance ±{args.tolerance:g} s, "
          f"RRF k={args.rrf_k}, weights keyword {args.keyword_weight:g} / semantic {args.semantic_weight:g}, "
          f"cut-off {cut}")
    print(f"| mode | recall@{args.k} | hit@{args.k} | MRR@{args.k} | hits | p50 ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for mode, m in result["modes"].items():
        print(f"| {mode} | {m['recall']:.3f} | {m['hit']:.3f} | {m['mrr']:.3f} | {m['hits']:.1f} | {m['p50_ms']:.1f} |")
    print(f"\n{len(sets['accented'])} accented variants of judged queries; "
          f"{len(sets['unanswerable'])} unanswerable questions (hits per question: all wrong)")
    print(f"| mode | accented recall@{args.k} | hit@{args.k} | MRR@{args.k} | unanswerable hits |")
    print("|---|---:|---:|---:|---:|")
    for mode, m in result["accented"].items():
        print(f"| {mode} | {m['recall']:.3f} | {m['hit']:.3f} | {m['mrr']:.3f} | {result['unanswerable'][mode]:.1f} |")
    return result


if __name__ == "__main__":
    main()
