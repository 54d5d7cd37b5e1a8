"""Query plans: keyword and semantic searches use their indexes, as the application role, under
row-level security, with several tenants' rows in the tables.

The plans are those of the statements ``search()`` really runs, nested ones included (the
matching runs inside mediabase.match_segments): auto_explain, loaded on the connection,
reports every statement's plan as a JSON notice. The tables get enough rows and ANALYZE for
the planner to choose freely; nothing is switched off.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.media.models import VideoCreate
from mediabase.search import SearchFilters, SearchMode, SearchRequest, search
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video
from tests.conftest import make_settings
from tests.factories import Tenant

WORDS = ["remote", "control", "button", "battery", "design", "price", "market", "user", "screen", "voice",
         "chip", "case", "rubber", "plastic", "colour", "shape", "yellow", "fruit", "banana", "apple",
         "meeting", "project", "budget", "team", "idea"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def explained(url: str, p: Principal, req: SearchRequest) -> list[dict[str, Any]]:
    """Run ``search`` on a one-connection pool with auto_explain on; every statement's plan."""
    plans: list[dict[str, Any]] = []
    # logs in as the superuser (who may LOAD a library), and becomes the app role per transaction
    settings = make_settings(url, pool_min_size=1, pool_max_size=1, app_database_url=url)
    async with Database(url, settings) as db:
        async with db.pool.connection() as conn:
            await conn.execute("RESET ROLE")  # the session user may LOAD; the app role may not
            await conn.execute("LOAD 'auto_explain'")
            for k, v in {"log_min_duration": "0", "log_nested_statements": "on", "log_format": "json",
                         "log_level": "notice", "log_analyze": "off"}.items():
                await conn.execute(f"SET auto_explain.{k} = '{v}'")
            await conn.execute("SET ROLE mediabase_app")

            def collect(diag: psycopg.errors.Diagnostic) -> None:
                text = diag.message_primary or ""
                if "plan:" in text:
                    plans.append(json.loads(text.split("plan:", 1)[1])["Plan"])

            conn.add_notice_handler(collect)
        await search(db, p, req)
        async with db.pool.connection() as conn:
            await conn.execute("RESET ROLE")
            await conn.execute("SET auto_explain.log_min_duration = -1")
            await conn.execute("SET ROLE mediabase_app")
    return plans


async def bulk(owner_db: Database, db: Database, p: Principal, n: int, *, rare: str) -> None:
    """A video with a transcript of n generated segments (a few with the word ``rare``) and n
    chunks with random 384-d vectors under the default model."""
    result = await ingest_new_video(db, p, VideoCreate(title=f"bulk {rare}", language="en"), ParsedTranscript(
        format="json", source="t", language="en", segments=[Segment(0, 1000, "hello", speaker="A")]))
    org, tid, vid = p.organization_id, result.transcript.id, result.video_id
    async with owner_db.transaction(org) as conn:
        await conn.execute("SET LOCAL statement_timeout = 0")  # 30,000 rows at once, on a busy machine too
        await conn.execute(
            "INSERT INTO transcript_segments (organization_id, transcript_id, video_id, seq, start_ms, end_ms, text)"
            " SELECT %s, %s, %s, g, g * 1000, g * 1000 + 900,"
            "        (%s::text[])[1 + g %% 24] || ' ' || (%s::text[])[1 + (g / 24) %% 24] || ' ' ||"
            "        CASE WHEN g %% 997 = 0 THEN %s ELSE 'words' END"
            "   FROM generate_series(1, %s) g",
            (org, tid, vid, WORDS, WORDS, rare, n))
        await conn.execute(
            "INSERT INTO transcript_chunks (organization_id, transcript_id, video_id, model, chunk_index, first_seq,"
            "   last_seq, start_ms, end_ms, text, token_count, dimension, embedding, embedded_at)"
            " SELECT %s, %s, %s, 'all-MiniLM-L6-v2', g, g, g, g * 1000, g * 1000 + 900, 'chunk ' || g, 2, 384,"
            "        (SELECT array_agg(random() - 0.5)::vector FROM generate_series(1, 384) WHERE g > 0), now()"
            "   FROM generate_series(1, %s) g",
            (org, tid, vid, n // 10))


async def test_keyword_and_semantic_searches_use_their_indexes(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    await bulk(owner_db, db, a.owner, 30_000, rare="zeppelin")
    await bulk(owner_db, db, b.owner, 30_000, rare="zeppelin")
    async with owner_db.transaction() as conn:
        await conn.execute("ANALYZE transcript_segments, transcript_chunks, videos, transcripts")

    # keyword: the matching statement reads the tenant-led GIN index
    plans = await explained(db.url, a.owner, SearchRequest(q="zeppelin", mode=SearchMode.keyword))
    scans = [n for plan in plans for n in nodes(plan) if n.get("Relation Name") == "transcript_segments"
             and "search_vector" in json.dumps(n)]
    assert scans, plans
    assert all(n["Node Type"] == "Bitmap Heap Scan" for n in scans), scans
    assert all(any(c.get("Index Name") == "transcript_segments_search_idx" for c in nodes(n)) for n in scans)
    index_conds = [c["Index Cond"] for n in scans for c in nodes(n) if c.get("Index Name")]
    assert all("organization_id" in c and "@@" in c for c in index_conds), index_conds

    # semantic: an HNSW index scan of the default model's partial index, also with filters
    for f in (SearchFilters(), SearchFilters(from_ms=1_000_000)):
        plans = await explained(db.url, a.owner, SearchRequest(q="battery", mode=SearchMode.semantic, filters=f,
                                                               min_similarity=-1))
        hnsw = [n for plan in plans for n in nodes(plan)
                if n.get("Index Name") == "transcript_chunks_hnsw_all_minilm_l6_v2_384_635c7b1b"]
        assert hnsw and all(n["Node Type"] == "Index Scan" and "Order By" in n for n in hnsw), plans
        assert not [n for plan in plans for n in nodes(plan)
                    if n.get("Relation Name") == "transcript_chunks" and n["Node Type"] == "Seq Scan"]
        # the page's speaker turns (search/context.py) read segments by their (organization, transcript, seq) key
        turns = [n for plan in plans for n in nodes(plan) if n.get("Relation Name") == "transcript_segments"]
        assert turns and not [n for n in turns if n["Node Type"] == "Seq Scan"], turns
        assert any(n.get("Index Name") == "transcript_segments_seq_key" for n in turns), turns
