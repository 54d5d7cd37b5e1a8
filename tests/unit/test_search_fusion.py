"""Fusion rules of hybrid search (search/fusion.py): the query's kind, its weights, semantic alone
when the keyword side only matches partially, the convex combination, and a request's own RRF."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mediabase.search.fusion import DEFAULT, Cand, FusionRule, Weights, apply, coverage, query_kind
from mediabase.search.models import SearchRequest
from mediabase.search.service import fusion_rule

VIDEO = uuid.UUID(int=99)


def chunk(n: int, rank: int, score: float = 0.5) -> Cand:
    c = uuid.UUID(int=n)
    return Cand("chunk", c, VIDEO, None, n * 1000, n * 1000 + 900, None, chunk_id=c, score=score, semantic_rank=rank)


def seg(n: int, chunk_n: int | None, *, matched: int, score: float = 0.1) -> dict[str, Any]:
    return {"kind": "segment", "id": uuid.UUID(int=1000 + n), "video_id": VIDEO, "transcript_id": None,
            "start_ms": n * 1000, "end_ms": n * 1000 + 500, "speaker_id": None, "score": score, "matched": matched,
            "chunk_id": uuid.UUID(int=chunk_n) if chunk_n else None}


@pytest.mark.parametrize(("q", "kind"), [
    ("snowman shaped remote", "keywords"),
    ("remote control price", "keywords"),
    ("what shape did they pick for the remote?", "question"),
    ("how much will it cost to make", "question"),
    ("did they agree", "question"),
    ("the case will feel soft like a fruit", "sentence"),
    ("what", "keywords"),
])
def test_the_kind_of_a_query(q: str, kind: str) -> None:
    assert query_kind(q) == kind


def test_the_kinds_weights_apply() -> None:
    semantic = [chunk(n, rank) for rank, n in enumerate((1, 3, 4, 5, 6, 2), start=1)]
    keyword = [seg(5, 2, matched=3)]  # holds all three words, in chunk 2 (semantic's sixth)
    as_keywords = apply(DEFAULT, "remote control price", keyword, semantic, 3)
    as_question = apply(DEFAULT, "what is the remote control price?", keyword, semantic, 3)
    # keywords weigh 1.5: the chunk with the keyword match comes first; a question's 0.25 does not lift it
    assert as_keywords[0].id == uuid.UUID(int=2) and as_keywords[0].segment_id == keyword[0]["id"]
    assert as_question[0].id == uuid.UUID(int=1)


def test_semantic_alone_when_no_keyword_row_holds_half_the_words() -> None:
    semantic = [chunk(1, 1), chunk(2, 2)]
    partial = [seg(7, None, matched=1)]  # one word of four
    assert coverage(partial, 4) == 0.25
    fused = apply(DEFAULT, "the case will feel soft", partial, semantic, 4)
    assert [c.id for c in fused] == [uuid.UUID(int=1), uuid.UUID(int=2)]  # the keyword row is not there
    whole = [seg(7, None, matched=4)]
    assert any(c.kind == "segment" for c in apply(DEFAULT, "the case will feel soft", whole, semantic, 4))


def test_convex_combination_of_normalised_scores() -> None:
    semantic = [chunk(1, 1, score=0.8), chunk(2, 2, score=0.4)]
    keyword = [seg(5, 2, matched=2, score=0.9), seg(6, None, matched=2, score=0.1)]
    rule = FusionRule("convex", norm="minmax", weights=Weights(0.5, 0.5))
    fused = apply(rule, "soft case", keyword, semantic, 2)
    scores = {c.id: round(c.score, 3) for c in fused}
    assert scores[uuid.UUID(int=1)] == 0.5 and scores[uuid.UUID(int=2)] == 0.5  # 0.5·1 ; 0.5·0 + 0.5·1
    assert scores[keyword[1]["id"]] == 0.0


def test_a_request_naming_rrf_gets_rrf() -> None:
    assert fusion_rule(SearchRequest(q="x")) is DEFAULT
    rule = fusion_rule(SearchRequest(q="x", rrf_k=60))
    assert rule.method == "rrf" and rule.k == 60 and rule.weights == Weights(1.0, 1.0) and not rule.by_kind
    assert fusion_rule(SearchRequest(q="x", keyword_weight=0.0)).weights_for("what is it?") == Weights(0.0, 1.0)
