"""Relevance of keyword, semantic and hybrid search on the AMI meeting corpus.

Loads the AMI meetings (manual annotations 1.6.2: all 171 by default) into one organization of
a fresh database, indexes them (chunks + all-MiniLM-L6-v2 vectors; the embedding throughput is
measured), then runs the judged queries of ``bench/relevance/ami_queries.json`` through
``mediabase.search.search`` in each mode and reports, over the top ``k`` hits:

* recall@k: the share of a query's answer spans that some hit reaches, averaged over queries;
* hit@k: the share of queries with at least one relevant hit;
* MRR@k: the mean of 1 / rank of the first relevant hit (0 when there is none);
* hits: how many hits a query gets (at most k: semantic and hybrid stop at the relevance cut-off);
* p50 / p95 ms: the latency of one query (one ``search()`` call) in each mode.

The judged set is split once, by team, into ``tune`` and ``test`` halves (``split`` in the JSON,
made by bench/relevance/ami_split.py): parameters are chosen on ``--split tune`` and reported on
``--split test`` (the default). Each query has a style (decision, abstract, question, keywords);
the figures are given overall and per style with 95 % intervals (percentile bootstrap over the
queries, ``--resamples`` draws, seeded), and hybrid is compared with the better of keyword and
semantic by a paired bootstrap of the difference: an interval that holds 0 is no win.

It does the same for accented variants of judged queries (télévision for television), and counts
the hits of questions the meetings never discuss (every one is wrong). ``--sweep`` runs semantic
and hybrid search under a grid of cut-offs (min_similarity × score_floor), what their defaults
were chosen by.

A hit is relevant when it is in the query's meeting and its [start_ms, end_ms] overlaps an
answer span widened by ``--tolerance`` seconds on each side. Answer spans come from the corpus
annotations (bench/relevance/ami_spans.py), never from a search result.

    python bench/search_relevance.py                       # embedded server, all meetings, test half
    python bench/search_relevance.py --reuse --split tune  # keep the loaded database; the tuning half
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
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
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
MODES = (SearchMode.keyword, SearchMode.semantic, SearchMode.hybrid)
STYLES = ("decision", "abstract", "question", "keywords")
MEASURES = (("recall", "recall"), ("hit", "hit"), ("rr", "MRR"))


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
    # RRF's k and weights only when given: without them hybrid uses its tuned rule (search/fusion.py)
    fusion = {name: value for name, value in (("keyword_weight", args.keyword_weight),
                                              ("semantic_weight", args.semantic_weight), ("rrf_k", args.rrf_k))
              if value is not None}
    return SearchRequest(q=q, mode=mode, limit=limit, **fusion, min_similarity=cut[0],
                         score_floor=cut[1])


def fusion_text(args: argparse.Namespace) -> str:
    if args.keyword_weight is None and args.semantic_weight is None and args.rrf_k is None:
        return "the tuned rule (search/fusion.py DEFAULT)"
    return (f"RRF k={args.rrf_k or 60}, weights keyword {1.0 if args.keyword_weight is None else args.keyword_weight:g}"
            f" / semantic {1.0 if args.semantic_weight is None else args.semantic_weight:g}")


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {"recall": statistics.mean(r["recall"] for r in rows), "hit": statistics.mean(r["hit"] for r in rows),
            "mrr": statistics.mean(r["rr"] for r in rows), "hits": statistics.mean(r["hits"] for r in rows)}


def judged(sets: dict[str, Any], split: str) -> list[dict[str, Any]]:
    """The judged queries of one half (or all), after checking that every judged meeting is in
    exactly one half and every query has a known style."""
    halves = sets.get("split") or {}
    seen = Counter(m for h in ("tune", "test") for m in halves.get(h, []))
    meetings = {q["meeting"] for q in sets["queries"]}
    unsplit = sorted(meetings - set(seen))
    twice = sorted(m for m, n in seen.items() if n > 1)
    styles = {q["style"] for q in sets["queries"]} - set(STYLES)
    if unsplit or twice or styles:
        raise SystemExit(f"bad judged set: meetings in no half {unsplit[:5]}, in both {twice[:5]}, "
                         f"unknown styles {sorted(styles)}")
    if split == "all":
        return list(sets["queries"])
    half = set(halves[split])
    return [q for q in sets["queries"] if q["meeting"] in half]


def intervals(rows: dict[str, list[dict[str, float]]], styles: list[str], resamples: int,
              seed: int) -> dict[str, Any]:
    """Overall and per style: each mode's mean recall, hit and reciprocal rank with a 95 % percentile
    bootstrap interval (the queries resampled with replacement), and the paired bootstrap of
    hybrid minus the better single mode (by its mean in that group): the same resampled queries for
    both, so the interval is that of the difference."""
    out: dict[str, Any] = {}
    values = {mode: {m: np.array([r[m] for r in rows[mode]]) for m, _ in MEASURES} for mode in rows}
    groups = [("all", list(range(len(styles))))]
    groups += [(s, [i for i, st in enumerate(styles) if st == s]) for s in STYLES]
    for g, (name, idx) in enumerate(groups):
        if not idx:
            continue
        rng = np.random.default_rng([seed, g])
        picks = np.asarray(idx)[rng.integers(0, len(idx), size=(resamples, len(idx)))]
        group: dict[str, Any] = {"n": len(idx), "modes": {}, "hybrid_vs_best": {}}
        for mode in rows:
            group["modes"][mode] = {}
            for m, _ in MEASURES:
                v = values[mode][m]
                lo, hi = np.percentile(v[picks].mean(axis=1), [2.5, 97.5])
                group["modes"][mode][m] = {"mean": float(v[idx].mean()), "low": float(lo), "high": float(hi)}
        for m, _ in MEASURES:
            best = max(("keyword", "semantic"), key=lambda md: group["modes"][md][m]["mean"])
            d = values["hybrid"][m] - values[best][m]
            lo, hi = np.percentile(d[picks].mean(axis=1), [2.5, 97.5])
            verdict = "hybrid better" if lo > 0 else "hybrid worse" if hi < 0 else "no difference shown"
            group["hybrid_vs_best"][m] = {"best": best, "hybrid": group["modes"]["hybrid"][m]["mean"],
                                          "single": group["modes"][best][m]["mean"], "diff": float(d[idx].mean()),
                                          "low": float(lo), "high": float(hi), "verdict": verdict}
        out[name] = group
    return out


async def evaluate(url: str, settings: Settings, sets: dict[str, Any], queries: list[dict[str, Any]],
                   args: argparse.Namespace) -> dict[str, Any]:
    """Each mode over the judged queries of the split (recall, hit, MRR, hits per query, latency),
    the accented variants, and the unanswerable questions (hits per query: every one is wrong)."""
    cut = (args.min_similarity, args.score_floor)
    tol = int(args.tolerance * 1000)
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        principal = await identity.acting_owner(system, "ami")

        async def hits_of(q: str, mode: SearchMode, limit: int = args.k,
                          c: tuple[float | None, float | None] = cut) -> list[dict[str, Any]]:
            page = await search(db, principal, search_request(q, mode, args, limit, c), settings=settings)
            return [h.model_dump() for h in page.hits]

        out: dict[str, Any] = {"modes": {}, "accented": {}, "unanswerable": {}, "per_query": []}
        per_mode: dict[str, list[dict[str, float]]] = {}
        for mode in MODES:
            rows = []
            times = []
            await hits_of("remote control", mode)  # untimed: the first query of a mode loads the model
            for q in queries:
                t0 = time.perf_counter()
                hits = await hits_of(q["q"], mode)
                times.append((time.perf_counter() - t0) * 1000)
                s = score(hits, q, args.k, tol)
                rows.append(s)
                out["per_query"].append({"mode": mode.value, "q": q["q"], "style": q["style"], "meeting": q["meeting"],
                                         **s, "ms": round(times[-1], 1),
                                         "top": [(h["video_title"], h["start_ms"] // 1000) for h in hits[:3]]})
            per_mode[mode.value] = rows
            out["modes"][mode.value] = {**summary(rows), "p50_ms": statistics.median(times),
                                        "p95_ms": statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]}
            rows = [score(await hits_of(q["q"], mode), q, args.k, tol) for q in sets["accented"]]
            out["accented"][mode.value] = summary(rows)
            out["unanswerable"][mode.value] = statistics.mean(
                [len(await hits_of(q, mode)) for q in sets["unanswerable"]])
        out["intervals"] = intervals(per_mode, [q["style"] for q in queries], args.resamples, args.seed)
        if args.sweep:
            out["sweep"] = await sweep(hits_of, queries, sets, args)
    return out


SWEEP_SIMILARITY = (-1.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4)
SWEEP_FLOOR = (0.0, 0.2, 0.25, 0.3, 0.35, 0.4)


async def sweep(hits_of: Any, queries: list[dict[str, Any]], sets: dict[str, Any], args: argparse.Namespace,
                ) -> list[dict[str, Any]]:
    """Semantic and hybrid under each cut-off: the judged queries of the split (and the accented
    variants) at k and at --depth (one page of --depth hits, cut-off applied), and the hits of the
    unanswerable questions at k."""
    out: list[dict[str, Any]] = []
    tol = int(args.tolerance * 1000)
    combos: list[tuple[SearchMode, float, float | None]] = [(SearchMode.semantic, m, None) for m in SWEEP_SIMILARITY]
    combos += [(SearchMode.hybrid, m, f) for m in SWEEP_SIMILARITY for f in SWEEP_FLOOR]
    for mode, min_sim, floor in combos:
        c = (min_sim, 0.0 if floor is None else floor)
        at_k, deep = [], []
        for q in queries + sets["accented"]:
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
    ap.add_argument("--split", choices=("tune", "test", "all"), default="test",
                    help="the judged queries of this half (choose parameters on tune, report on test)")
    ap.add_argument("--resamples", type=int, default=2000, help="bootstrap draws for the 95%% intervals")
    ap.add_argument("--seed", type=int, default=20, help="the bootstrap's seed")
    ap.add_argument("--meetings", help="comma-separated subset of meetings (default: all)")
    ap.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--tolerance", type=float, default=10.0, help="seconds around an answer span")
    ap.add_argument("--keyword-weight", type=float, help="RRF's keyword weight (default: the tuned rule's)")
    ap.add_argument("--semantic-weight", type=float, help="RRF's semantic weight (default: the tuned rule's)")
    ap.add_argument("--rrf-k", type=int, help="RRF's k (default: the tuned rule's)")
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
    judged(sets, args.split)  # a bad judged set fails before anything is loaded
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
    queries = judged(sets, args.split)
    result = await evaluate(url, settings, sets, queries, args)
    result["facts"] = facts
    result["split"] = args.split
    min_sim = settings.search_min_similarity if args.min_similarity is None else args.min_similarity
    floor = settings.search_score_floor if args.score_floor is None else args.score_floor
    cut = f"min_similarity {min_sim:g}, score_floor {floor:g}"
    half = "both halves" if args.split == "all" else f"the {args.split} half"
    print(f"\n{len(queries)} judged queries ({half}: {len({q['meeting'] for q in queries})} meetings), k={args.k}, "
          f"tolerance ±{args.tolerance:g} s, fusion: {fusion_text(args)}, cut-off {cut}")
    report(result, args.k, args.resamples, args.seed)
    print(f"\n{len(sets['accented'])} accented variants of judged queries; "
          f"{len(sets['unanswerable'])} unanswerable questions (hits per question: all wrong); "
          "both sets whole, not split")
    print(f"| mode | accented recall@{args.k} | hit@{args.k} | MRR@{args.k} | unanswerable hits |")
    print("|---|---:|---:|---:|---:|")
    for mode, m in result["accented"].items():
        print(f"| {mode} | {m['recall']:.3f} | {m['hit']:.3f} | {m['mrr']:.3f} | {result['unanswerable'][mode]:.1f} |")
    return result


def report(result: dict[str, Any], k: int, resamples: int, seed: int) -> None:
    """The tables: each mode overall and per style with intervals, hybrid against the better single
    mode, latency."""
    iv = result["intervals"]

    def cell(x: dict[str, float]) -> str:
        return f"{x['mean']:.3f} [{x['low']:.2f}, {x['high']:.2f}]"

    print(f"95 % intervals: percentile bootstrap over queries, {resamples} resamples, seed {seed}")
    print(f"| style | n | mode | recall@{k} | hit@{k} | MRR@{k} |")
    print("|---|---:|---|---:|---:|---:|")
    for name, g in iv.items():
        for mode, ms in g["modes"].items():
            print(f"| {name} | {g['n']} | {mode} | {cell(ms['recall'])} | {cell(ms['hit'])} | {cell(ms['rr'])} |")
    print("\nhybrid − the better single mode (paired bootstrap; an interval holding 0 is no win)")
    print("| style | measure | hybrid | better single | difference [95 % interval] | |")
    print("|---|---|---:|---:|---:|---|")
    for name, g in iv.items():
        for m, label in MEASURES:
            c = g["hybrid_vs_best"][m]
            print(f"| {name} | {label}@{k} | {c['hybrid']:.3f} | {c['best']} {c['single']:.3f} | "
                  f"{c['diff']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}] | {c['verdict']} |")
    print("\n| mode | hits per query | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for mode, m in result["modes"].items():
        print(f"| {mode} | {m['hits']:.1f} | {m['p50_ms']:.1f} | {m['p95_ms']:.1f} |")


if __name__ == "__main__":
    main()
