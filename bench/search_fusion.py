"""Fusion rules for hybrid search, compared on the judged AMI set (issue 20).

For each judged query of a split, the two candidate lists hybrid search fuses are read once from
the database that ``bench/search_relevance.py`` loaded (keyword rows with their ts_rank score and
how many of the query's words they hold; the semantic chunks with their cosine similarity, 100
each, as the service reads them); then every rule of a grid (mediabase.search.fusion) fuses them,
the cut-off applies (min_similarity before, score_floor after), and the top k are scored as
search_relevance.py scores hits. Keyword alone and semantic alone are scored from the same lists.

    python bench/search_relevance.py --reuse --split tune   # loads the database, if not yet
    python bench/search_fusion.py --split tune              # the grid, best rules first
    python bench/search_fusion.py --split test --rules rrf60,chosen   # named rules, with intervals

Rules are chosen on the tuning half; the test half only reports them.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.search import SearchMode, SearchRequest
from mediabase.search import service as svc
from mediabase.search.cutoff import CutOff
from mediabase.search.fusion import Cand, FusionRule, Weights, apply, query_kind
from mediabase.search.vectors import VectorType, embed_query, embedder_for
from search_relevance import QUERIES, STYLES, admin_url, db_url, intervals, judged, score

KINDS = ("keywords", "question", "sentence")
TUNED = {
    # chosen on the tuning half (the grid's best by recall + MRR + hit/2): reciprocal rank fusion
    # with k = 10, the keyword list weighted by the query's kind, and semantic's list alone when no
    # keyword row holds half the query's words
    "tuned by kind": FusionRule("rrf", k=10, by_kind={"keywords": Weights(1.5, 1.0), "question": Weights(0.25, 1.0),
                                                      "sentence": Weights(0.75, 1.0)}, weak_keyword=0.5),
}


async def candidates(url: str, settings: Settings, queries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Each query's keyword rows and semantic candidates, and the videos' titles."""
    embedder = embedder_for(settings, None)
    out: dict[str, Any] = {"queries": {}}
    async with Database(url, settings) as db, Database(url, settings, role="") as system:
        principal = await identity.acting_owner(system, "ami")
        org = principal.organization_id
        async with db.transaction(org, principal.user_id, readonly=True) as conn:
            rows = await (await conn.execute("SELECT id, title FROM videos")).fetchall()
            out["titles"] = {str(r["id"]): r["title"] for r in rows}
            for q in queries:
                text = q["q"]
                req = SearchRequest(q=text, mode=SearchMode.hybrid, limit=10)
                configs = await svc.parse_query(conn, org, text)
                params = svc.filter_params(org, req.filters)
                qvec = await embed_query(embedder, text)
                n = svc.CANDIDATES
                semantic = await svc._semantic_candidates(conn, VectorType(embedder.name, len(qvec)), qvec,
                                                          req.filters, params, n)
                keyword = await svc._keyword_candidates(conn, text, req, configs, embedder.name, params, n)
                words = max((len(c.lexemes[: svc.MAX_LEXEMES]) for c in configs), default=0)
                out["queries"][text] = {
                    "words": words,
                    "keyword": [{k: (str(v) if k.endswith("id") and v is not None else v) for k, v in r.items()}
                                for r in keyword],
                    "semantic": [{"id": str(c.id), "video_id": str(c.video_id), "transcript_id": str(c.transcript_id),
                                  "start_ms": c.start_ms, "end_ms": c.end_ms, "score": c.score,
                                  "semantic_rank": c.semantic_rank} for c in semantic],
                }
    return out


def _sem(rows: list[dict[str, Any]]) -> list[Cand]:
    return [Cand("chunk", r["id"], r["video_id"], r["transcript_id"], r["start_ms"], r["end_ms"], None,
                 chunk_id=r["id"], score=r["score"], semantic_rank=r["semantic_rank"]) for r in rows]


def hits_of(cands: Sequence[Any], titles: dict[str, str], k: int) -> list[dict[str, Any]]:
    out = []
    for c in cands[:k]:
        get = c.get if isinstance(c, dict) else lambda name, c=c: getattr(c, name)
        out.append({"video_title": titles.get(str(get("video_id")), ""), "start_ms": get("start_ms"),
                    "end_ms": get("end_ms")})
    return out


def run_rule(rule: FusionRule | str, data: dict[str, Any], queries: Sequence[dict[str, Any]], *, k: int,
             tol_ms: int, min_similarity: float, score_floor: float) -> list[dict[str, float]]:
    rows = []
    for q in queries:
        lists = data["queries"][q["q"]]
        cut = CutOff(min_similarity, score_floor)  # the service's own rules (search/cutoff.py)
        semantic = cut.similar(_sem(lists["semantic"]))
        if rule == "keyword":
            ranked: Sequence[Any] = lists["keyword"]
        elif rule == "semantic":
            ranked = semantic
        else:
            assert isinstance(rule, FusionRule)
            ranked = cut.floor(apply(rule, q["q"], lists["keyword"], semantic, lists["words"]))
        rows.append(score(hits_of(ranked, data["titles"], k), q, k, tol_ms))
    return rows


def mean(rows: Sequence[dict[str, float]], m: str) -> float:
    return sum(r[m] for r in rows) / len(rows) if rows else 0.0


def grid() -> dict[str, FusionRule]:
    rules: dict[str, FusionRule] = {}
    for rk, wk in itertools.product((10, 30, 60), (0.25, 0.5, 0.75, 1.0, 1.5)):
        rules[f"rrf k={rk} wk={wk:g}"] = FusionRule("rrf", k=rk, weights=Weights(wk, 1.0))
    norms: tuple[Literal["minmax", "z"], ...] = ("minmax", "z")
    for norm, a in itertools.product(norms, (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)):
        rules[f"convex {norm} a={a:g}"] = FusionRule("convex", norm=norm, weights=Weights(a, 1 - a))
    for name, rule in list(rules.items()):
        for weak in (0.5, 0.75, 1.0):
            rules[f"{name} weak<{weak:g}"] = FusionRule(rule.method, k=rule.k, norm=rule.norm, weights=rule.weights,
                                                        weak_keyword=weak)
    return rules


def by_kind(rules: dict[str, FusionRule], data: dict[str, Any], queries: Sequence[dict[str, Any]],
            **kw: Any) -> dict[str, FusionRule]:
    """For each base rule family (method, norm, weak), the weights of each query kind chosen on that
    kind's queries of this split."""
    out: dict[str, FusionRule] = {}
    families: dict[tuple[Any, ...], list[tuple[str, FusionRule]]] = {}
    for name, r in rules.items():
        families.setdefault((r.method, r.norm if r.method == "convex" else r.k, r.weak_keyword), []).append((name, r))
    for fam, members in families.items():
        chosen: dict[str, Weights] = {}
        for kind in KINDS:
            qs = [q for q in queries if query_kind(q["q"]) == kind]
            if not qs:
                continue
            best = max(members, key=lambda m: _objective(run_rule(m[1], data, qs, **kw)))
            chosen[kind] = best[1].weights
        base = members[0][1]
        label = ", ".join(f"{kind} {w.keyword:g}/{w.semantic:g}" for kind, w in chosen.items())
        out[f"by kind {fam[0]} {fam[1]}{f' weak<{fam[2]:g}' if fam[2] else ''} ({label})"] = FusionRule(
            base.method, k=base.k, norm=base.norm, weights=base.weights, by_kind=chosen, weak_keyword=base.weak_keyword)
    return out


def _objective(rows: Sequence[dict[str, float]]) -> float:
    return mean(rows, "recall") + mean(rows, "rr") + 0.5 * mean(rows, "hit")


def grid_arguments(doc: str, *, score_floor: float, top: int, cache: str) -> argparse.ArgumentParser:
    """The options this bench and bench/search_expansion.py share (the judged set, the scoring,
    the cut-off, the candidate cache, the rules to report)."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--url", help="admin URL of a server (default: the embedded one in MEDIABASE_DATA_DIR)")
    ap.add_argument("--db", default="mb_bench_relevance")
    ap.add_argument("--queries", default=str(QUERIES))
    ap.add_argument("--split", choices=("tune", "test", "all"), default="tune")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--tolerance", type=float, default=10.0)
    ap.add_argument("--min-similarity", type=float, default=0.3)
    ap.add_argument("--score-floor", type=float, default=score_floor)
    ap.add_argument("--top", type=int, default=top, help="rules to print")
    ap.add_argument("--rules", help="comma-separated rule names to report with intervals (else: the grid)")
    ap.add_argument("--cache", help=f"{cache} (default: /tmp/mb_fusion_<split>.json)")
    ap.add_argument("--resamples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=20)
    return ap


def main() -> None:
    args = grid_arguments(__doc__, score_floor=0.3, top=25, cache="read/write the candidate lists here").parse_args()
    sets = json.loads(Path(args.queries).read_text())
    queries = judged(sets, args.split)
    cache = Path(args.cache or f"/tmp/mb_fusion_{args.split}.json")
    if cache.exists():
        data = json.loads(cache.read_text())
    else:
        url = db_url(admin_url(args), args.db)
        settings = Settings.model_validate({"database_url": url, "pool_min_size": 0, "pool_max_size": 2,
                                            "statement_timeout_ms": 0})
        data = asyncio.run(candidates(url, settings, queries))
        cache.write_text(json.dumps(data))
    kw = {"k": args.k, "tol_ms": int(args.tolerance * 1000), "min_similarity": args.min_similarity,
          "score_floor": args.score_floor}
    rules: dict[str, FusionRule | str] = {"keyword": "keyword", "semantic": "semantic"}
    base = grid()
    rules.update(base)
    rules.update(TUNED)
    if args.split == "tune" and not args.rules:
        rules.update(by_kind(base, data, queries, **kw))  # weights chosen per kind on this half
    kinds = {kind: sum(query_kind(q["q"]) == kind for q in queries) for kind in KINDS}
    print(f"{len(queries)} queries of the {args.split} half ({kinds}), k={args.k}, ±{args.tolerance:g} s, "
          f"min_similarity {args.min_similarity:g}, score_floor {args.score_floor:g}")
    if args.rules:
        names = [n.strip() for n in args.rules.split(",")]
        picked = {n: rules[n] for n in names}
        per = {n: run_rule(r, data, queries, **kw) for n, r in picked.items()}
        styles = [q["style"] for q in queries]
        print("| rule | style | n | recall@k | hit@k | MRR@k |\n|---|---|---:|---:|---:|---:|")
        for n, rows in per.items():
            iv = intervals({"hybrid": rows, "keyword": per.get("keyword", rows), "semantic": per.get("semantic", rows)},
                           styles, args.resamples, args.seed)
            for group in ("all", *STYLES):
                if group not in iv:
                    continue
                m = iv[group]["modes"]["hybrid"]
                cells = " | ".join(f"{m[x]['mean']:.3f} [{m[x]['low']:.2f}, {m[x]['high']:.2f}]"
                                   for x in ("recall", "hit", "rr"))
                print(f"| {n} | {group} | {iv[group]['n']} | {cells} |")
        return
    scored = [(name, run_rule(rule, data, queries, **kw)) for name, rule in rules.items()]
    print_grid("rule", scored, queries, args.top, keep=("keyword", "semantic", "rrf k=60 wk=1"))


def print_grid(label: str, scored: list[tuple[str, list[dict[str, float]]]], queries: Sequence[dict[str, Any]],
               top: int, keep: Sequence[str]) -> None:
    """The best ``top`` by the objective (and those named in ``keep``), overall and per style."""
    scored = sorted(scored, key=lambda x: -_objective(x[1]))
    print(f"| {label} | recall@k | hit@k | MRR@k | " + " | ".join(f"{s} R/MRR" for s in STYLES) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(STYLES))
    for name, rows in scored[:top] + [s for s in scored[top:] if s[0] in keep]:
        per_style = []
        for s in STYLES:
            sub = [r for r, q in zip(rows, queries, strict=True) if q["style"] == s]
            per_style.append(f"{mean(sub, 'recall'):.2f}/{mean(sub, 'rr'):.2f}")
        print(f"| {name} | {mean(rows, 'recall'):.3f} | {mean(rows, 'hit'):.3f} | {mean(rows, 'rr'):.3f} | "
              + " | ".join(per_style) + " |")


if __name__ == "__main__":
    main()
