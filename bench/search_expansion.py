"""A third list for hybrid search's fusion, compared on the judged AMI set (issue 20): phrase
proximity for short queries, and query expansion from the semantic side's top hits
(pseudo-relevance feedback).

Both are measured as what they would add to the shipped fusion (``fusion.DEFAULT``): each makes a
ranked list of chunks that joins the keyword and semantic lists in reciprocal rank fusion with
weight ``w`` (same k), or replaces the keyword list for short queries.

* proximity: the chunks (30-second windows of whole segments) that hold every word of the
  query, ranked by ``ts_rank_cd`` (cover density: the nearer the words, the higher); a short
  query's words are often said across neighbouring segments, where the segment-level keyword
  side sees only part of them.
* expansion (RM-style): the ``m`` best semantic chunks' lexemes weighted by tf · idf (document
  frequency over all chunks), the top ``t`` that are not the query's words, OR-ed with the query's
  own words; chunks ranked by ``ts_rank`` of that query.

The candidate lists of bench/search_fusion.py (its cache) are reused; the chunks' vectors are
computed once into a temporary table of the benchmark database.

    python bench/search_fusion.py --split tune            # makes the cache, if not yet
    python bench/search_expansion.py --split tune         # the grid, best first
    python bench/search_expansion.py --split test --rules "shipped,<name>"   # with intervals
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row

from mediabase.search.cutoff import CutOff
from mediabase.search.fusion import DEFAULT, Cand, apply, query_kind
from search_fusion import _sem, grid_arguments, hits_of, print_grid
from search_relevance import STYLES, admin_url, db_url, intervals, judged, score

SETUP = """
CREATE TEMP TABLE cx AS
SELECT c.id, c.video_id, c.transcript_id, c.start_ms, c.end_ms, to_tsvector(%(cfg)s::regconfig, c.text) AS tsv
  FROM mediabase.transcript_chunks c
  JOIN mediabase.transcripts t ON t.organization_id = c.organization_id AND t.id = c.transcript_id AND t.is_current
 WHERE c.model = %(model)s;
CREATE INDEX ON cx USING gin (tsv);
CREATE INDEX ON cx (id);
ANALYZE cx;
"""


def _tsq(lexemes: Sequence[str], op: str) -> str:
    return f" {op} ".join("'" + x.replace("'", "''") + "'" for x in lexemes)


def proximity_list(cur: psycopg.Cursor[dict[str, Any]], lexemes: Sequence[str], n: int) -> list[dict[str, Any]]:
    if len(lexemes) < 2:
        return []
    return cur.execute(
        "SELECT id, video_id, transcript_id, start_ms, end_ms, ts_rank_cd(tsv, q) AS score FROM cx, to_tsquery(%s) q"
        " WHERE tsv @@ q ORDER BY score DESC, id LIMIT %s", (_tsq(lexemes, "&"), n)).fetchall()


def expansion_terms(cur: psycopg.Cursor[dict[str, Any]], chunk_ids: Sequence[str], lexemes: Sequence[str],
                    df: dict[str, int], n_docs: int, t: int) -> list[str]:
    rows = cur.execute("SELECT u.lexeme AS word, sum(coalesce(array_length(u.positions, 1), 1)) AS nentry"
                       "  FROM cx, unnest(cx.tsv) u WHERE cx.id = ANY(%s::uuid[]) GROUP BY u.lexeme",
                       (list(chunk_ids),)).fetchall()
    own = set(lexemes)
    weighted = [(r["nentry"] * math.log(n_docs / df.get(r["word"], 1)), r["word"]) for r in rows
                if r["word"] not in own and len(r["word"]) > 2 and not r["word"].isdigit()]
    return [w for _, w in sorted(weighted, reverse=True)[:t]]


def expansion_list(cur: psycopg.Cursor[dict[str, Any]], lexemes: Sequence[str], terms: Sequence[str],
                   n: int) -> list[dict[str, Any]]:
    words = list(dict.fromkeys([*lexemes, *terms]))
    if not words:
        return []
    return cur.execute(
        "SELECT id, video_id, transcript_id, start_ms, end_ms, ts_rank(tsv, q) AS score FROM cx, to_tsquery(%s) q"
        " WHERE tsv @@ q ORDER BY score DESC, id LIMIT %s", (_tsq(words, "|"), n)).fetchall()


def add_list(fused: list[Cand], extra: Sequence[dict[str, Any]], *, k: int, w: float) -> list[Cand]:
    """``fused`` with a third ranked list of chunks added by reciprocal rank fusion."""
    by_id = {("chunk", str(c.id)): c for c in fused if c.kind == "chunk"}
    out = list(fused)
    for rank, r in enumerate(extra, start=1):
        c = by_id.get(("chunk", str(r["id"])))
        if c is None:
            c = Cand("chunk", r["id"], r["video_id"], r["transcript_id"], r["start_ms"], r["end_ms"], None,
                     chunk_id=r["id"])
            by_id[("chunk", str(r["id"]))] = c
            out.append(c)
        c.score += w / (k + rank)
    return sorted(out, key=lambda c: -c.score)


def main() -> None:
    ap = grid_arguments(__doc__, score_floor=0.2, top=20, cache="search_fusion.py's candidate lists")
    args = ap.parse_args()
    cut = CutOff(args.min_similarity, args.score_floor)  # the service's own rules (search/cutoff.py)
    queries = judged(json.loads(Path(args.queries).read_text()), args.split)
    cache = Path(args.cache or f"/tmp/mb_fusion_{args.split}.json")
    if not cache.exists():
        raise SystemExit(f"{cache} is missing: run bench/search_fusion.py --split {args.split} first")
    data = json.loads(cache.read_text())
    with psycopg.connect(db_url(admin_url(args), args.db), row_factory=dict_row) as conn:
        cur = conn.cursor()
        cfg = cur.execute("SELECT ts_config::text AS c FROM mediabase.search_configs LIMIT 1").fetchone()
        model = cur.execute("SELECT model FROM mediabase.transcript_chunks LIMIT 1").fetchone()
        assert cfg and model
        for stmt in filter(str.strip, SETUP.split(";")):
            cur.execute(stmt, {"cfg": cfg["c"], "model": model["model"]} if "%(" in stmt else None)
        df = {r["word"]: r["ndoc"] for r in cur.execute("SELECT word, ndoc FROM ts_stat('SELECT tsv FROM cx')")}
        n_row = cur.execute("SELECT count(*) AS n FROM cx").fetchone()
        n_docs = int(n_row["n"]) if n_row else 1
        lists: dict[str, dict[str, Any]] = {}
        for q in queries:
            row = cur.execute("SELECT tsvector_to_array(to_tsvector(%s::regconfig, %s)) AS lex",
                              (cfg["c"], q["q"])).fetchone()
            lexemes = list(row["lex"] or []) if row else []
            sem = [c for c in data["queries"][q["q"]]["semantic"] if c["score"] >= cut.min_similarity]
            entry: dict[str, Any] = {"proximity": proximity_list(cur, lexemes, 100)}
            for m, t in itertools.product((3, 5, 10), (5, 10, 20)):
                terms = expansion_terms(cur, [c["id"] for c in sem[:m]], lexemes, df, n_docs, t)
                entry[f"prf m={m} t={t}"] = expansion_list(cur, lexemes, terms, 100)
            lists[q["q"]] = entry

    def run(variant: str) -> list[dict[str, float]]:
        """variant: 'shipped', '<list> w=<w>[ <kinds>]' or 'proximity replaces keyword[ <kinds>]'."""
        rows = []
        for q in queries:
            cands = data["queries"][q["q"]]
            semantic = cut.similar(_sem(cands["semantic"]))
            kind = query_kind(q["q"])
            keyword = cands["keyword"]
            applies = variant != "shipped" and (" only " not in variant or variant.endswith(kind))
            if applies and variant.startswith("proximity replaces"):
                keyword = [{**r, "kind": "chunk", "chunk_id": r["id"], "speaker_id": None, "matched": None}
                           for r in lists[q["q"]]["proximity"]] or keyword
            fused = apply(DEFAULT, q["q"], keyword, semantic, cands["words"])
            if applies and not variant.startswith("proximity replaces"):
                name, w = variant.split(" w=")
                fused = add_list(fused, lists[q["q"]][name], k=DEFAULT.k, w=float(w.split()[0]))
            rows.append(score(hits_of(cut.floor(fused), data["titles"], args.k), q, args.k,
                              int(args.tolerance * 1000)))
        return rows

    variants = ["shipped", "proximity replaces keyword", "proximity replaces keyword only keywords"]
    names = ["proximity", *(f"prf m={m} t={t}" for m, t in itertools.product((3, 5, 10), (5, 10, 20)))]
    for name, w in itertools.product(names, (0.25, 0.5, 1.0)):
        variants.append(f"{name} w={w:g}")
        for kind in ("keywords", "question", "sentence"):
            variants.append(f"{name} w={w:g} only {kind}")
    kinds = {kind: sum(query_kind(q["q"]) == kind for q in queries) for kind in ("keywords", "question", "sentence")}
    print(f"{len(queries)} queries of the {args.split} half ({kinds}), k={args.k}, ±{args.tolerance:g} s, "
          f"min_similarity {args.min_similarity:g}, score_floor {args.score_floor:g}; the shipped fusion plus a list")
    if args.rules:
        picked = [n.strip() for n in args.rules.split(",")]
        per = {n: run(n) for n in picked}
        styles = [q["style"] for q in queries]
        base = per[picked[0]]
        print("| rule | style | n | recall@k | hit@k | MRR@k | Δ recall vs first [95 %] | Δ MRR vs first [95 %] |")
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        for n, rows in per.items():
            iv = intervals({"hybrid": rows, "keyword": base, "semantic": base}, styles, args.resamples, args.seed)
            for group in ("all", *STYLES):
                if group not in iv:
                    continue
                m = iv[group]["modes"]["hybrid"]
                d = iv[group]["hybrid_vs_best"]
                cells = " | ".join(f"{m[x]['mean']:.3f}" for x in ("recall", "hit", "rr"))
                diffs = " | ".join(f"{d[x]['diff']:+.3f} [{d[x]['low']:+.2f}, {d[x]['high']:+.2f}]"
                                   for x in ("recall", "rr"))
                print(f"| {n} | {group} | {iv[group]['n']} | {cells} | {diffs} |")
        return
    print_grid("variant", [(v, run(v)) for v in variants], queries, args.top, keep=("shipped",))

if __name__ == "__main__":
    main()
