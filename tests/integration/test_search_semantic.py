"""Semantic and hybrid search on a small real corpus (the four AMI ES2002 demo meetings, embedded
once per module with the real model), and the indexing pipeline around it: the job enqueued at
ingest, its handler, reindex, two models side by side, and life without the semantic extra."""

from __future__ import annotations

import asyncio
import hashlib
import math
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import Invalid
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.jobs import JobContext, get_job
from mediabase.media.models import VideoCreate
from mediabase.search import SearchFilters, SearchMode, SearchRequest, SemanticUnavailable, search
from mediabase.search import vectors as vectors_module
from mediabase.search.embedding import EmbeddingUnavailable, clear_embedder_cache
from mediabase.search.indexing import drop_model, index_transcript, reindex
from mediabase.search.jobs import handle_transcript_index
from mediabase.search.vectors import index_name
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video, ingest_transcript
from tests.conftest import create_db, drop_db, make_settings
from tests.factories import Tenant

# the module's demo is ingested and embedded by the real model once: minutes on a busy machine
pytestmark = pytest.mark.timeout(900)

MODES = [SearchMode.keyword, SearchMode.semantic, SearchMode.hybrid]
# no relevance cut-off (test_search_cutoff.py tests it): these tests need full pages of chunks
UNCUT = {"min_similarity": -1.0, "score_floor": 0.0}


class HashEmbedder:
    """A deterministic stand-in model: words hashed into a few dimensions (a second 'model')."""

    def __init__(self, name: str = "test-hash", dimension: int = 16) -> None:
        self.name = name
        self.dimension = dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out = []
        for t in texts:
            v = [0.001] * self.dimension
            for w in t.lower().split():
                v[int(hashlib.sha256(w.encode()).hexdigest(), 16) % self.dimension] += 1.0
            n = math.sqrt(sum(x * x for x in v))
            out.append([x / n for x in v])
        return out


@pytest.fixture(scope="module")
def indexed_demo_url(admin_url: str, demo_template: tuple[str, subprocess.CompletedProcess[str]]) -> Iterator[str]:
    """A database with the demo seed (a clone of the session's), every transcript chunked and
    embedded (read-only use)."""
    name = f"mbsearch_{uuid.uuid4().hex[:10]}"
    url = create_db(admin_url, name, template=demo_template[0])

    async def build() -> None:
        settings = make_settings(url)
        async with Database(url, settings, role="") as system:
            report = await reindex(system, settings, owner_url=url)
            assert report.embedded == report.chunks > 300
            async with system.transaction() as conn:
                await conn.execute("ANALYZE")

    asyncio.run(build())
    yield url
    drop_db(admin_url, name)


@pytest.fixture
async def demo(indexed_demo_url: str) -> AsyncIterator[tuple[Database, Principal]]:
    url = indexed_demo_url
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as system:
        yield db, await identity.acting_owner(system, "demo")


@pytest.mark.parametrize("mode", MODES)
async def test_remote_control_price_answers_with_the_moment(demo: tuple[Database, Principal],
                                                            mode: SearchMode) -> None:
    db, p = demo
    page = await search(db, p, SearchRequest(q="remote control price", mode=mode))
    top = page.hits[0]
    # ES2002a: the selling price (25 Euro) and the production cost (12.50) of the remote, 7:50–11:40
    assert top.video_title == "ES2002a", [(h.video_title, h.start_ms) for h in page.hits[:3]]
    assert 450_000 <= top.start_ms <= 700_000, top.start_ms
    assert top.speaker and top.deep_link.startswith(f"/videos/{top.video_id}/segments?from_ms=")
    assert "<mark>" in top.snippet
    assert page.model == (None if mode is SearchMode.keyword else "all-MiniLM-L6-v2")
    assert page.unindexed == 0


async def test_semantic_hits_are_chunks_ranked_by_similarity(demo: tuple[Database, Principal]) -> None:
    db, p = demo
    page = await search(db, p, SearchRequest(q="how much will it cost to make", mode=SearchMode.semantic, limit=20,
                                             **UNCUT))
    assert len(page.hits) == 20
    assert all(h.kind == "chunk" and h.chunk_id and h.transcript_id for h in page.hits)
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert all(h.speakers and h.speaker in h.speakers for h in page.hits)  # the turn's speaker (search/context.py)
    assert all(h.semantic_rank == i + 1 and h.keyword_rank is None for i, h in enumerate(page.hits))


async def test_a_chunk_hit_is_the_speaker_turn_it_lies_in(demo: tuple[Database, Principal]) -> None:
    """search/context.py: a semantic hit's moment is the run of one speaker's consecutive segments
    around the chunk's segment that holds most of the query's words (the chunk's first when none
    does), at most 30 s either side; the snippet is of that turn."""
    db, p = demo
    q = "how much will it cost to make"
    page = await search(db, p, SearchRequest(q=q, mode=SearchMode.semantic, limit=10, **UNCUT))
    assert page.hits
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        for h in page.hits:
            chunk = await (await conn.execute(
                "SELECT transcript_id, first_seq, last_seq FROM transcript_chunks WHERE id = %s",
                (h.chunk_id,))).fetchone()
            assert chunk is not None
            segs = await (await conn.execute(
                "SELECT id, seq, speaker_id, start_ms, end_ms, text, ts_rank_cd(search_vector,"
                "       replace(plainto_tsquery(ts_parse_config(ts_config), %s)::text, '&', '|')::tsquery) AS rank"
                "  FROM transcript_segments WHERE transcript_id = %s ORDER BY seq",
                (q, chunk["transcript_id"]))).fetchall()
            by_id = {s["id"]: i for i, s in enumerate(segs)}
            i = by_id[h.segment_id]
            inside = [s for s in segs if chunk["first_seq"] <= s["seq"] <= chunk["last_seq"]]
            best = max(s["rank"] for s in inside)
            assert chunk["first_seq"] <= segs[i]["seq"] <= chunk["last_seq"]
            assert segs[i]["rank"] == best and all(s["rank"] < best for s in inside if s["seq"] < segs[i]["seq"])
            lo = hi = i
            while lo > 0 and i - lo < 40 and segs[lo - 1]["speaker_id"] == segs[i]["speaker_id"]:
                lo -= 1
            while hi + 1 < len(segs) and hi - i < 40 and segs[hi + 1]["speaker_id"] == segs[i]["speaker_id"]:
                hi += 1
            turn = [s for s in segs[lo: hi + 1] if s["start_ms"] >= segs[i]["start_ms"] - 30_000
                    and s["end_ms"] <= segs[i]["end_ms"] + 30_000]
            assert (h.start_ms, h.end_ms) == (min(s["start_ms"] for s in turn), max(s["end_ms"] for s in turn))
            assert h.deep_link.endswith(f"from_ms={h.start_ms}&to_ms={h.end_ms}")
            plain = h.snippet.replace("<mark>", "").replace("</mark>", "").replace(" … ", " ")
            turn_text = " ".join(s["text"] for s in turn)
            assert all(w in turn_text for w in plain.split()[:5]), (plain, turn_text)


async def test_a_configured_reranker_orders_the_first_candidates(demo: tuple[Database, Principal]) -> None:
    """MEDIABASE_SEARCH_RERANKER=tei against a fake TEI server (tests/unit/search/test_rerank.py),
    which scores a passage by the share of the query's words it holds: the first DEPTH fused
    candidates come in that order; a reranker that fails leaves the fused order and says so."""
    from mediabase.search.rerank import clear_reranker_cache
    from tests.unit.search.test_rerank import FakeRerankServer, Reply, fake_score

    db, p = demo
    q = "remote control price euro"
    req = SearchRequest(q=q, mode=SearchMode.hybrid, limit=8, **UNCUT)
    fused = await search(db, p, req)
    server = FakeRerankServer("tei")
    server.start()
    try:
        settings = db.settings.model_copy(update={"search_reranker": "tei", "search_reranker_url": server.base_url,
                                                  "search_reranker_depth": 8, "search_reranker_timeout": 5.0})
        page = await search(db, p, req, settings=settings)
        assert len(server.requests) == 1 and server.requests[0].payload["query"] == q
        texts = server.requests[0].payload["texts"]
        assert len(texts) == 8
        scores = [fake_score(q, t) for t in texts]
        assert {h.chunk_id or h.segment_id for h in page.hits} == {h.chunk_id or h.segment_id for h in fused.hits}
        by_text = sorted(range(8), key=lambda i: (-scores[i], i))
        assert [h.text for h in fused.hits] == texts  # the fused order went to the reranker
        assert [h.text for h in page.hits] == [texts[i] for i in by_text]  # and its order came back
        assert page.notices == fused.notices
        clear_reranker_cache()
        server.script = [Reply(500)] * 10
        failed = await search(db, p, req, settings=settings.model_copy(update={"search_reranker_timeout": 1.0}))
        assert [h.start_ms for h in failed.hits] == [h.start_ms for h in fused.hits]
        assert any("reranker" in n for n in failed.notices), failed.notices
    finally:
        clear_reranker_cache()
        server.stop()


async def test_hybrid_is_reciprocal_rank_fusion(demo: tuple[Database, Principal]) -> None:
    db, p = demo
    page = await search(db, p, SearchRequest(q="kinetic battery", mode=SearchMode.hybrid, limit=20, rrf_k=60))
    both = [h for h in page.hits if h.keyword_rank and h.semantic_rank]
    assert both, "a moment found by both lists"
    for h in page.hits:
        expected = sum(1 / (60 + r) for r in (h.keyword_rank, h.semantic_rank) if r)
        assert h.score == pytest.approx(expected)
    # a fused chunk with a keyword match keeps the matching segment as its moment
    assert all(h.segment_id for h in both)
    only_kw = await search(db, p, SearchRequest(q="kinetic battery", mode=SearchMode.hybrid, semantic_weight=0))
    assert all(h.keyword_rank for h in only_kw.hits[:3])


async def test_semantic_filters_do_not_starve_the_index_scan(demo: tuple[Database, Principal]) -> None:
    db, p = demo
    videos = {h.video_title: h.video_id for h in (await search(db, p, SearchRequest(
        q="meeting", mode=SearchMode.keyword, limit=100))).hits}
    d = videos["ES2002d"]
    page = await search(db, p, SearchRequest(q="remote control price", mode=SearchMode.semantic, limit=30,
                                             filters=SearchFilters(video_ids=[d]), **UNCUT))
    assert len(page.hits) == 30 and {h.video_id for h in page.hits} == {d}
    page = await search(db, p, SearchRequest(q="design of the buttons", mode=SearchMode.semantic, limit=15,
                                             filters=SearchFilters(speaker="Industrial Designer"), **UNCUT))
    assert len(page.hits) == 15 and all("Industrial Designer" in h.speakers for h in page.hits)
    page = await search(db, p, SearchRequest(q="design of the buttons", mode=SearchMode.semantic,
                                             filters=SearchFilters(from_ms=600_000, to_ms=900_000)))
    assert page.hits and all(h.end_ms >= 600_000 and h.start_ms < 900_000 for h in page.hits)


async def test_paging_and_grouping_in_fused_modes(demo: tuple[Database, Principal]) -> None:
    db, p = demo
    for mode in (SearchMode.semantic, SearchMode.hybrid):
        first = await search(db, p, SearchRequest(q="animals drawn on the whiteboard", mode=mode, limit=7, **UNCUT))
        assert first.next_cursor
        second = await search(db, p, SearchRequest(q="animals drawn on the whiteboard", mode=mode, limit=7,
                                                   cursor=first.next_cursor, **UNCUT))
        both = await search(db, p, SearchRequest(q="animals drawn on the whiteboard", mode=mode, limit=14, **UNCUT))
        assert [h.chunk_id or h.segment_id for h in first.hits + second.hits] == \
            [h.chunk_id or h.segment_id for h in both.hits]
        grouped = await search(db, p, SearchRequest(q="animals drawn on the whiteboard", mode=mode,
                                                    group_by_video=True, per_video=2, limit=3, **UNCUT))
        assert grouped.groups is not None and len(grouped.groups) == 3
        assert len({g.video_id for g in grouped.groups}) == 3 and all(len(g.hits) <= 2 for g in grouped.groups)
        with pytest.raises(Invalid):
            await search(db, p, SearchRequest(q="other", mode=mode, cursor=first.next_cursor, **UNCUT))


def lines(*texts: str) -> ParsedTranscript:
    return ParsedTranscript(format="json", source="t", language="en", segments=[
        Segment(start_ms=i * 5000, end_ms=i * 5000 + 4000, text=t, speaker="A" if i % 2 else "B")
        for i, t in enumerate(texts)])


async def test_ingest_enqueues_the_index_job_and_its_handler_indexes(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    result = await ingest_new_video(db, p, VideoCreate(title="Fresh", language="en"),
                                    lines("we should paint the remote bright orange", "orange is loud"))
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(
            "SELECT id, type, input, idempotency_key FROM jobs WHERE organization_id = %s",
            (p.organization_id,))).fetchone()
    assert row is not None and row["type"] == "transcript.index"
    assert row["input"]["transcript_id"] == str(result.transcript.id)
    assert row["idempotency_key"] == f"transcript.index:{result.transcript.id}"
    page = await search(db, p, SearchRequest(q="orange", mode=SearchMode.semantic))
    assert page.hits == [] and page.unindexed == 1 and page.notices
    # the worker's handler (here called directly with the job as the queue stores it)
    job = await get_job(db, p.organization_id, row["id"])

    async def report(*_: Any) -> str:
        return "held"

    out = await handle_transcript_index(JobContext(job, "test", db, None, asyncio.Event(), report))
    assert out["chunks"] == out["embedded"] == 1 and out["model"] == "all-MiniLM-L6-v2"
    page = await search(db, p, SearchRequest(q="colour of the remote", mode=SearchMode.semantic))
    assert [h.video_title for h in page.hits] == ["Fresh"] and page.unindexed == 0
    # a new version replaces the chunks; the old version's are gone
    await ingest_transcript(db, p, result.video_id, lines("now we talk about bananas"))
    await reindex(owner_db, make_settings(db.url), org_ids=[p.organization_id], missing_only=True)
    page = await search(db, p, SearchRequest(q="fruit", mode=SearchMode.semantic))
    assert [h.text for h in page.hits] == ["now we talk about bananas"]
    async with owner_db.transaction() as conn:
        n = await (await conn.execute("SELECT count(*) AS n FROM transcript_chunks WHERE organization_id = %s",
                                      (p.organization_id,))).fetchone()
    assert n is not None and n["n"] == 1


async def test_without_the_semantic_extra(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*_: object, **__: object) -> None:
        raise EmbeddingUnavailable("the Python package 'onnxruntime' is not installed")

    clear_embedder_cache()
    monkeypatch.setattr(vectors_module, "get_embedder", unavailable)
    p = tenants[0].owner
    # ingest does not care
    result = await ingest_new_video(db, p, VideoCreate(title="Plain", language="en"), lines("kinetic energy"))
    for mode in (SearchMode.semantic, SearchMode.hybrid):
        with pytest.raises(SemanticUnavailable, match="semantic extra|mediabase\\[semantic\\]|onnxruntime"):
            await search(db, p, SearchRequest(q="kinetic", mode=mode))
    page = await search(db, p, SearchRequest(q="kinetic"))  # no mode: keyword, which needs nothing
    assert page.mode is SearchMode.keyword and len(page.hits) == 1
    # indexing stores the chunks without vectors, and says why
    res = await index_transcript(db, p.organization_id, result.transcript.id, None, model="all-MiniLM-L6-v2",
                                 unavailable="no model here")
    assert (res.chunks, res.embedded, res.error) == (1, 0, "no model here")


async def test_two_models_coexist_and_switching_needs_no_schema_change(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    result = await ingest_new_video(db, p, VideoCreate(title="Two", language="en"),
                                    lines("apples and pears", "the budget is tight", "apples again"))
    fake = HashEmbedder()
    real = await index_transcript(db, p.organization_id, result.transcript.id, vectors_module.embedder_for(
        make_settings(db.url)))
    other = await index_transcript(db, p.organization_id, result.transcript.id, fake)
    assert real.embedded == other.embedded == 1 and (real.dimension, other.dimension) == (384, 16)
    page = await search(db, p, SearchRequest(q="apples", mode=SearchMode.semantic), embedder=fake)
    assert page.model == "test-hash" and [h.video_title for h in page.hits] == ["Two"]
    assert (await search(db, p, SearchRequest(q="apples", mode=SearchMode.semantic))).model == "all-MiniLM-L6-v2"
    # the new model's own HNSW index, built concurrently by reindex's helper, then dropped with it
    from mediabase.search.indexing import ensure_index

    name = await ensure_index(db.url, "test-hash", 16)
    assert name == index_name("test-hash", 16)
    with psycopg.connect(db.url) as conn:
        assert conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (name,)).fetchone()
    assert await drop_model(owner_db, "test-hash", owner_url=db.url) == 1
    with psycopg.connect(db.url) as conn:
        assert conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", (name,)).fetchone() is None
        assert conn.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s",
                            (index_name("all-MiniLM-L6-v2", 384),)).fetchone()
