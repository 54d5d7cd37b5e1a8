"""Hybrid search's fusion of the keyword and semantic lists (docs/search.md, "Fusion").

Both lists come in best first: keyword rows (segments and videos, each with its ts_rank score and
how many of the query's words it holds, and the chunk that holds a segment), semantic chunks
(score = cosine similarity). A keyword segment that lies in a chunk counts for that chunk, and the
fused hit keeps the segment as its moment.

Rules (``FusionRule``), compared on the tuning half of the judged AMI set (bench/search_fusion.py):

* ``rrf``: reciprocal rank fusion, ``w_k / (k + rank_k) + w_s / (k + rank_s)``;
* ``convex``: ``alpha · kw + (1 − alpha) · sem`` of each list's scores normalised to [0, 1]
  (``minmax``) or standardised (``z``);
* either, with weights by the query's shape (:func:`query_kind`: a few keywords, a question, a
  sentence), and with ``weak_keyword``: when no keyword row holds at least that share of the
  query's words, the keyword list is only partial matches and semantic's list is taken alone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from uuid import UUID

QueryKind = Literal["keywords", "question", "sentence"]
QUESTION_WORDS = frozenset({
    "what", "who", "whom", "whose", "why", "how", "when", "where", "which", "did", "does", "do", "is", "are",
    "was", "were", "can", "could", "should", "would", "will", "has", "have", "had",
})


@dataclass(slots=True)
class Cand:
    """One candidate of the fused list (semantic and hybrid)."""

    kind: str
    id: UUID
    video_id: UUID
    transcript_id: UUID | None
    start_ms: int
    end_ms: int
    speaker_id: UUID | None
    segment_id: UUID | None = None
    chunk_id: UUID | None = None
    score: float = 0.0
    keyword_rank: int | None = None
    semantic_rank: int | None = None


def cand_fields(c: Cand) -> dict[str, Any]:
    return {name: getattr(c, name) for name in Cand.__slots__}


def query_kind(q: str) -> QueryKind:
    """A question (a question mark, or a question word first), a few keywords (at most four words),
    or a sentence."""
    found = re.findall(r"[^\W_]+(?:'[^\W_]+)?", q.lower())
    if q.rstrip().endswith("?") or (found and found[0] in QUESTION_WORDS and len(found) > 2):
        return "question"
    return "keywords" if len(found) <= 4 else "sentence"


@dataclass(frozen=True, slots=True)
class Weights:
    keyword: float = 1.0
    semantic: float = 1.0


@dataclass(frozen=True, slots=True)
class FusionRule:
    method: Literal["rrf", "convex"] = "rrf"
    k: int = 60  # rrf
    norm: Literal["minmax", "z"] = "minmax"  # convex
    weights: Weights = Weights()
    by_kind: Mapping[str, Weights] = field(default_factory=dict)  # the weights of a query kind
    weak_keyword: float | None = None  # coverage under which semantic's list is taken alone

    def weights_for(self, q: str) -> Weights:
        return self.by_kind.get(query_kind(q), self.weights)

    def with_request(self, *, k: int, w_keyword: float, w_semantic: float) -> FusionRule:
        """Reciprocal rank fusion with a request's own k and weights (the query kind's are not used)."""
        return replace(self, method="rrf", k=k, weights=Weights(w_keyword, w_semantic), by_kind={})


def _key(r: Mapping[str, Any]) -> tuple[str, UUID]:
    return ("chunk", r["chunk_id"]) if r.get("chunk_id") else (r["kind"], r["id"])


def _merge(keyword: Sequence[Mapping[str, Any]], semantic: Sequence[Cand],
           kw_score: Sequence[float], sem_score: Sequence[float]) -> list[Cand]:
    """The union of both lists, each candidate scored by the sum of its lists' contributions; a
    chunk takes the best (first) keyword row that lies in it, and that row's segment as its moment."""
    fused: dict[tuple[str, UUID], Cand] = {}
    for c, s in zip(semantic, sem_score, strict=True):
        fused[("chunk", c.id)] = Cand(**{**cand_fields(c), "score": s})
    for rank, (r, s) in enumerate(zip(keyword, kw_score, strict=True), start=1):
        key = _key(r)
        item = fused.get(key)
        if item is None:
            item = fused[key] = Cand(key[0], key[1], r["video_id"], r["transcript_id"], r["start_ms"], r["end_ms"],
                                     r["speaker_id"], chunk_id=r["chunk_id"] if key[0] == "chunk" else None)
        if item.keyword_rank is None:
            item.keyword_rank = rank
            item.score += s
            if r["kind"] == "segment":  # the moment: the matching segment
                item.segment_id = r["id"]
                item.start_ms, item.end_ms, item.speaker_id = r["start_ms"], r["end_ms"], r["speaker_id"]
    return sorted(fused.values(), key=lambda c: (-c.score, c.kind, str(c.id)))


def fuse(keyword: Sequence[Mapping[str, Any]], semantic: Sequence[Cand], *, k: int, w_keyword: float,
         w_semantic: float) -> list[Cand]:
    """Reciprocal rank fusion: score = w_k / (k + rank_k) + w_s / (k + rank_s), ranks from 1."""
    ranks = [c.semantic_rank for c in semantic]
    assert all(r is not None for r in ranks)
    return _merge(keyword, semantic, [w_keyword / (k + i) for i in range(1, len(keyword) + 1)],
                  [w_semantic / (k + (r or 0)) for r in ranks])


def _normalised(scores: Sequence[float], norm: str) -> list[float]:
    if not scores:
        return []
    if norm == "z":
        mean = sum(scores) / len(scores)
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores)) or 1.0
        return [(s - mean) / sd for s in scores]
    lo, hi = min(scores), max(scores)
    return [(s - lo) / (hi - lo) if hi > lo else 1.0 for s in scores]


def coverage(keyword: Sequence[Mapping[str, Any]], words: int) -> float:
    """The largest share of the query's words a keyword row holds (1 for a query as written)."""
    if not keyword:
        return 0.0
    if words <= 0:
        return 1.0
    return max(min(1.0, (r.get("matched") or words) / words) for r in keyword)


def apply(rule: FusionRule, q: str, keyword: Sequence[Mapping[str, Any]], semantic: Sequence[Cand],
          words: int) -> list[Cand]:
    """The fused list of ``rule`` for query ``q`` of ``words`` distinct words."""
    if rule.weak_keyword is not None and coverage(keyword, words) < rule.weak_keyword:
        keyword = []
    w = rule.weights_for(q)
    if rule.method == "rrf":
        return fuse(keyword, semantic, k=rule.k, w_keyword=w.keyword, w_semantic=w.semantic)
    kw = _normalised([float(r["score"]) for r in keyword], rule.norm)
    sem = _normalised([c.score for c in semantic], rule.norm)
    total = (w.keyword + w.semantic) or 1.0
    return _merge(keyword, semantic, [w.keyword / total * s for s in kw], [w.semantic / total * s for s in sem])


DEFAULT = FusionRule(
    "rrf", k=10,
    by_kind={"keywords": Weights(1.5, 1.0), "question": Weights(0.25, 1.0), "sentence": Weights(0.75, 1.0)},
    weak_keyword=0.5,
)
"""The rule hybrid search uses unless a request names its own RRF k or weights: chosen on the
tuning half of the judged AMI set (bench/search_fusion.py, bench/RESULTS.md "2026-12-07: fusion
by query kind"), the grid's best by recall@10 + MRR@10 + hit@10/2 — reciprocal rank fusion with
k = 10; the keyword list weighted 1.5 for a few keywords, 0.25 for a question, 0.75 for a
sentence (semantic 1); semantic's list alone when no keyword row holds half the query's words.
On the tuning half: recall@10 0.509 → 0.520, hit@10 0.634 → 0.683, MRR@10 0.376 → 0.421 against
RRF k = 60, 1/1; on the test half, reported only: recall@10 0.431 → 0.471, MRR@10 0.364 → 0.417."""
