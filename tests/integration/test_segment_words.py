"""Word timings live beside their segments (0009): written by ingest, read with the segments,
removed with them, audited per statement, never in the segment row itself."""

from __future__ import annotations

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.media.models import VideoCreate
from mediabase.transcripts import service as transcripts
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.formats.model import Word
from tests.factories import Tenant

TIMED = (Word("hello", 0, 400, 0.9), Word("there", 450, 900, None))


def parsed() -> ParsedTranscript:
    return ParsedTranscript(format="whisper", source="t", language="en", segments=[
        Segment(0, 1000, "hello there", speaker="A", words=TIMED),
        Segment(1000, 2000, "no timings here", speaker="B"),
        Segment(2000, 3000, "seven", speaker="A", words=(Word("seven", None, None, None),)),
    ])


async def test_words_round_trip_beside_narrow_segment_rows(db: Database, owner_db: Database,
                                                           tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    result = await transcripts.ingest_new_video(db, p, VideoCreate(title="Words", language="en"), parsed())
    _, rows = await transcripts.list_segments(db, p, result.video_id)
    assert [r.words for r in rows] == [
        [{"text": "hello", "start_ms": 0, "end_ms": 400, "confidence": 0.9},
         {"text": "there", "start_ms": 450, "end_ms": 900, "confidence": None}],
        None,
        [{"text": "seven", "start_ms": None, "end_ms": None, "confidence": None}],
    ]
    async with owner_db.transaction() as conn:
        cols = await (await conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'mediabase' AND table_name = 'transcript_segments'")).fetchall()
        assert "words" not in {c["column_name"] for c in cols}
        audit = await (await conn.execute(
            "SELECT action, after FROM audit_log WHERE table_name = 'transcript_segment_words'"
            " AND organization_id = %s", (p.organization_id,))).fetchall()
        assert [(a["action"], a["after"]["segments"], a["after"]["first_seq"], a["after"]["last_seq"])
                for a in audit] == [("INSERT", 2, 0, 2)]
    # the video's row goes, its transcripts and segments with it, and their words with them
    async with owner_db.transaction() as conn:
        await conn.execute("DELETE FROM videos WHERE organization_id = %s AND id = %s",
                           (p.organization_id, result.video_id))
        left = await (await conn.execute("SELECT count(*) AS n FROM transcript_segment_words"
                                         " WHERE organization_id = %s", (p.organization_id,))).fetchone()
        assert left is not None and left["n"] == 0


async def test_words_without_their_segment_or_of_another_tenant_are_refused(
        owner_db: Database, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants[0].owner, tenants[1].owner
    result = await transcripts.ingest_new_video(db, a, VideoCreate(title="Words", language="en"), parsed())
    tid = result.transcript.id
    for org, seq in ((a.organization_id, 7), (b.organization_id, 1)):  # no such segment; a's segment, b's row
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            async with owner_db.pool.connection() as conn, conn.transaction():
                await conn.execute("INSERT INTO mediabase.transcript_segment_words"
                                   " (organization_id, transcript_id, seq, words)"
                                   " VALUES (%s, %s, %s, '[]')", (org, tid, seq))
    with pytest.raises(psycopg.errors.CheckViolation):
        async with owner_db.pool.connection() as conn, conn.transaction():
            await conn.execute("INSERT INTO mediabase.transcript_segment_words"
                               " (organization_id, transcript_id, seq, words)"
                               " VALUES (%s, %s, 1, '{}')", (a.organization_id, tid))
