"""Pure parts of search: query hygiene, snippets, cursors, fusion, index names, positions."""

from __future__ import annotations

import re
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediabase.cli.search import clock, parse_position
from mediabase.db.errors import Invalid
from mediabase.search.fusion import Cand, fuse
from mediabase.search.models import SearchMode, SearchRequest
from mediabase.search.service import _decode_cursor, _encode_cursor, _fingerprint
from mediabase.search.text import any_terms, clean_query, has_operators, snippet_html, snippet_plain
from mediabase.search.vectors import VectorType, index_name
from tests.conftest import REPO


def test_clean_query_removes_control_characters_and_collapses_space() -> None:
    assert clean_query("  remote\x00control\tprice\n\x7f\x9b ") == "remote control price"
    assert clean_query("\ud800lone surrogate") == "lone surrogate"
    assert clean_query("\x01\x02") == ""


@given(st.text())
def test_clean_query_output_is_safe_for_postgres(q: str) -> None:
    out = clean_query(q)
    assert "\x00" not in out and not re.search(r"[\x00-\x1f\x7f-\x9f]", out)
    out.encode("utf-8")  # no unpaired surrogates
    assert out == out.strip()


def test_operators_and_any_terms() -> None:
    assert has_operators('"remote control"') and has_operators("remote -price") and has_operators("a or b")
    assert not has_operators("remote control price") and not has_operators("oral exam")
    assert any_terms("Remote, control! remote or price") == "remote or control or price"
    assert any_terms("...") == ""


def test_snippets_escape_html_and_mark_matches() -> None:
    raw = "a <b> \x02remote\x03 & \x02price\x03"
    assert snippet_html(raw) == "a &lt;b&gt; <mark>remote</mark> &amp; <mark>price</mark>"
    assert snippet_plain(raw) == ("a <b> remote & price", [(6, 12), (15, 20)])


def test_cursor_round_trip_and_refusals() -> None:
    req = SearchRequest(q="remote")
    fp = _fingerprint("remote", SearchMode.keyword, req, None, None)
    vid = uuid.uuid4()
    c = _encode_cursor(fp, score=0.125, kind="segment", id=vid, matched=2, phase=1)
    body = _decode_cursor(c, fp)
    assert body["s"] == 0.125 and body["i"] == vid and body["r"] == 1
    other = _fingerprint("remote", SearchMode.keyword, SearchRequest(q="remote", limit=3), None, None)
    assert other == fp  # the page size is not part of the query
    with pytest.raises(Invalid, match="another search"):
        _decode_cursor(c, _fingerprint("price", SearchMode.keyword, req, None, None))
    for bad in ["!!!", "e30", _encode_cursor(fp, offset=10**9)]:
        with pytest.raises(Invalid):
            _decode_cursor(bad, fp)


def _seg(rank_id: int, chunk: uuid.UUID | None) -> dict[str, object]:
    return {"kind": "segment", "id": uuid.UUID(int=rank_id), "video_id": uuid.UUID(int=99), "transcript_id": None,
            "start_ms": rank_id * 1000, "end_ms": rank_id * 1000 + 500, "speaker_id": None, "chunk_id": chunk}


def test_rrf_fuses_by_rank_and_keeps_the_keyword_moment() -> None:
    c1, c2, c3 = uuid.UUID(int=101), uuid.UUID(int=102), uuid.UUID(int=103)
    semantic = [Cand("chunk", c, uuid.UUID(int=99), None, 0, 30_000, None, chunk_id=c, semantic_rank=i + 1)
                for i, c in enumerate([c1, c2, c3])]
    keyword = [_seg(1, c3), _seg(2, c3), _seg(3, None)]
    out = fuse(keyword, semantic, k=60, w_keyword=1.0, w_semantic=1.0)
    # c3: 1/(60+3) + 1/(60+1), ahead of c1 (1/61) and c2 (1/62); the second segment of c3 adds nothing
    assert [c.id for c in out[:3]] == [c3, c1, c2]
    assert out[0].score == pytest.approx(1 / 63 + 1 / 61)
    assert (out[0].segment_id, out[0].start_ms, out[0].keyword_rank, out[0].semantic_rank) == (
        uuid.UUID(int=1), 1000, 1, 3)
    assert out[-1].kind == "segment" and out[-1].keyword_rank == 3
    only_semantic = fuse(keyword, semantic, k=60, w_keyword=0.0, w_semantic=1.0)
    assert [c.id for c in only_semantic[:3]] == [c1, c2, c3]


def test_the_migration_names_the_default_model_index_by_the_rule() -> None:
    sql = (REPO / "src/mediabase/db/migrations/0006_search.sql").read_text()
    assert f"CREATE INDEX {index_name('all-MiniLM-L6-v2', 384)} ON transcript_chunks" in sql
    assert "WHERE model = 'all-MiniLM-L6-v2'" in sql
    names = {index_name(m, d) for m in ["a", "A", "openai:text-embedding-3-large" * 3] for d in (384, 3072)}
    assert len(names) == 6 and all(len(n) <= 63 for n in names)
    assert VectorType("m", 3072).type_name == "halfvec" and not VectorType("m", 5000).indexable


def test_positions_and_clock() -> None:
    assert parse_position("754") == 754_000
    assert parse_position("12:34") == 754_000
    assert parse_position("1:02:03.5") == 3_723_500
    assert clock(754_000) == "12:34" and clock(3_723_500) == "1:02:03"


def test_relaxed_queries_ask_for_at_least_m_of_the_words() -> None:
    from mediabase.search.service import _Config, _phases

    c = _Config(cfg=1, name="english", tsq="'snowman' & 'shape' & 'remot'", nodes=5,
                lexemes=("remot", "shape", "snowman"))
    assert c.query(None) == c.tsq and c.words() == "remot shape snowman"
    assert c.query(2) == "('remot' & 'shape') | ('remot' & 'snowman') | ('shape' & 'snowman')"
    assert c.query(3) == c.query(9) == "('remot' & 'shape' & 'snowman')"
    assert c.query(1) == c.highlight() == "'remot' | 'shape' | 'snowman'"
    odd = _Config(cfg=1, name="simple", tsq="", nodes=0, lexemes=("it's", "a\\b"))
    assert odd.query(None) is None and odd.query(1) == "'it''s' | 'a\\\\b'"
    assert _phases("snowman shaped remote", SearchRequest(q="x"), [c]) == [2, 1]
    seven = _Config(cfg=1, name="english", tsq="", nodes=13, lexemes=tuple("abcdefg"))
    assert _phases("a b c d e f g", SearchRequest(q="x"), [seven]) == [4, 2, 1]
    assert _phases('"snowman shaped" remote', SearchRequest(q="x"), [c]) == [None]
    assert _phases("snowman", SearchRequest(q="x", match="any"), [c]) == [1]
