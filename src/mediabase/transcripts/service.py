"""Transcript services: ingest (one transaction, COPY), read by time range, export."""

from __future__ import annotations

from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, class_row
from mediabase.identity.models import Principal, Role
from mediabase.media.models import VideoCreate, VideoSource
from mediabase.media.service import insert_video
from mediabase.search.indexing import schedule_indexing
from mediabase.transcripts.formats import ParsedTranscript, Segment, write_json, write_srt, write_vtt
from mediabase.transcripts.models import (
    ExportFormat,
    IngestResult,
    SegmentOut,
    SourceIngest,
    SourceStatus,
    Transcript,
    TranscriptSource,
    TranscriptUpload,
)

Q = load_queries("mediabase.transcripts", "queries.sql")
MAX_TEXT = 100_000


def _validate(parsed: ParsedTranscript) -> None:
    if not parsed.segments:
        raise Invalid(f"{parsed.source}: no segments to ingest")
    for i, s in enumerate(parsed.segments):
        where = f"{parsed.source}:{s.line}" if s.line else f"{parsed.source} segment {i + 1}"
        if s.start_ms < 0 or s.end_ms < s.start_ms:
            raise Invalid(f"{where}: times must satisfy 0 <= start <= end (got {s.start_ms}..{s.end_ms} ms)")
        if len(s.text) > MAX_TEXT:
            raise Invalid(f"{where}: segment text longer than {MAX_TEXT} characters")
        if s.confidence is not None and not 0 <= s.confidence <= 1:
            raise Invalid(f"{where}: confidence must be between 0 and 1")


def _words(s: Segment) -> Jsonb | None:
    if not s.words:
        return None
    return Jsonb(
        [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms, "confidence": w.confidence} for w in s.words]
    )


async def ingest_into(
    conn: Conn,
    p: Principal,
    video_id: UUID,
    parsed: ParsedTranscript,
    *,
    source: TranscriptSource = TranscriptSource.upload,
    language: str | None = None,
) -> IngestResult:
    """Add ``parsed`` as the new current transcript of a video, inside the open transaction.

    The transaction must be the owner's (PostgreSQL refuses COPY FROM under row-level
    security): every statement here names the caller's organization explicitly, and the
    composite foreign keys hold each row to that organization's video and transcript.
    """
    _validate(parsed)
    org = p.organization_id
    video = await (await conn.execute(Q.lock_video, {"org": org, "video_id": video_id})).fetchone()
    if video is None:
        raise NotFound("video not found")
    if video["author_id"] != p.user_id and not p.can(Role.ADMIN):
        raise Forbidden("only the video's author or an ADMIN may add transcripts")
    version = (await (await conn.execute(Q.next_version, {"org": org, "video_id": video_id})).fetchone() or {})[
        "version"
    ]
    await conn.execute(Q.retire_current, {"org": org, "video_id": video_id})
    cur = conn.cursor(row_factory=class_row(Transcript))
    transcript = await (
        await cur.execute(
            Q.insert_transcript,
            {
                "org": org,
                "video_id": video_id,
                "language": language or parsed.language or video["language"],
                "source": source.value,
                "version": version,
                "format": parsed.format,
                "source_name": parsed.source[:1000],
                "segment_count": len(parsed.segments),
                "created_by": p.user_id,
            },
        )
    ).fetchone()
    assert transcript is not None
    labels = sorted({s.speaker for s in parsed.segments if s.speaker})
    speaker_ids: dict[str, UUID] = {}
    if labels:
        rows = await (
            await conn.execute(
                Q.upsert_speakers,
                {
                    "org": org,
                    "video_id": video_id,
                    "labels": labels,
                    "names": [parsed.speakers.get(label) for label in labels],
                },
            )
        ).fetchall()
        speaker_ids = {r["label"]: r["id"] for r in rows}
    async with conn.cursor().copy(Q.copy_segments) as copy:
        copy.set_types(["uuid", "uuid", "uuid", "int4", "int8", "int8", "uuid", "text", "float4"])
        for seq, s in enumerate(parsed.segments):
            speaker = speaker_ids.get(s.speaker) if s.speaker else None
            await copy.write_row(
                (org, transcript.id, video_id, seq, s.start_ms, s.end_ms, speaker, s.text, s.confidence)
            )
    if any(s.words for s in parsed.segments):
        async with conn.cursor().copy(Q.copy_words) as copy:
            copy.set_types(["uuid", "uuid", "int4", "jsonb"])
            for seq, s in enumerate(parsed.segments):
                if s.words:
                    await copy.write_row((org, transcript.id, seq, _words(s)))
    await schedule_indexing(conn, org, transcript.id, video_id)  # search: chunks and vectors, after commit
    return IngestResult(video_id=video_id, transcript=transcript, speakers=len(labels))


async def ingest_transcript(
    db: Database,
    p: Principal,
    video_id: UUID,
    parsed: ParsedTranscript,
    *,
    source: TranscriptSource = TranscriptSource.upload,
    language: str | None = None,
) -> IngestResult:
    """One transaction: a failure anywhere writes nothing. Runs on the owner pool (COPY)."""
    system = await db.as_system()
    async with system.transaction(p.organization_id, p.user_id) as conn:
        return await ingest_into(conn, p, video_id, parsed, source=source, language=language)


async def ingest_new_video(
    db: Database,
    p: Principal,
    video: VideoCreate,
    parsed: ParsedTranscript,
    *,
    source: TranscriptSource = TranscriptSource.upload,
) -> IngestResult:
    """Create a video and its first transcript in one transaction (on the owner pool, for COPY)."""
    system = await db.as_system()
    async with system.transaction(p.organization_id, p.user_id) as conn:
        created = await insert_video(conn, p, video)
        return await ingest_into(conn, p, created.id, parsed, source=source, language=video.language)


async def ingest_source(
    db: Database,
    p: Principal,
    video: VideoCreate,
    parsed: ParsedTranscript,
    source: VideoSource,
    *,
    replace: bool = False,
) -> SourceIngest:
    """Ingest idempotent by source, in one transaction (on the owner pool, for COPY).

    A source not there yet becomes a video with its transcript (loaded). A live video of the
    same key and digest is left alone (skipped); one of the same key and another digest is
    reported (changed) or, with ``replace``, gets the source as a new transcript version and
    the new digest (replaced). Two ingests of one source at once: the second waits on the
    unique index for the first, fails on it, writing nothing, and looks again (once, whatever
    the conflict: on Citus a shard's index may not go by its table's index name).
    """
    system = await db.as_system()
    for last in (False, True):
        try:
            async with system.transaction(p.organization_id, p.user_id) as conn:
                return await _ingest_source(conn, p, video, parsed, source, replace)
        except Conflict:
            if last:
                raise
    raise AssertionError("unreachable")


async def _ingest_source(
    conn: Conn, p: Principal, video: VideoCreate, parsed: ParsedTranscript, source: VideoSource, replace: bool
) -> SourceIngest:
    org = p.organization_id
    there = await (await conn.execute(Q.lock_source, {"org": org, "key": source.key})).fetchone()
    if there is None:
        created = await insert_video(conn, p, video, source)
        result = await ingest_into(conn, p, created.id, parsed, language=video.language)
        return SourceIngest(status=SourceStatus.loaded, video_id=created.id, result=result)
    if there["source_sha256"] == source.sha256:
        return SourceIngest(status=SourceStatus.skipped, video_id=there["id"])
    if not replace:
        return SourceIngest(status=SourceStatus.changed, video_id=there["id"])
    await conn.execute(
        Q.update_source,
        {"org": org, "video_id": there["id"], "sha256": source.sha256, "duration_ms": video.duration_ms},
    )
    result = await ingest_into(conn, p, there["id"], parsed, language=video.language)
    return SourceIngest(status=SourceStatus.replaced, video_id=there["id"], result=result)


def upload_to_parsed(upload: TranscriptUpload, source_name: str = "request body") -> ParsedTranscript:
    """The JSON body as a parsed transcript; NUL becomes U+FFFD, as the file formats' readers do."""

    def clean(text: str) -> str:
        return text.replace("\x00", "\ufffd")

    segments = [
        Segment(
            start_ms=s.start_ms,
            end_ms=s.end_ms,
            text=clean(s.text),
            speaker=clean(s.speaker) if s.speaker is not None else None,
            confidence=s.confidence,
        )
        for s in upload.segments
    ]
    return ParsedTranscript(format="json", source=source_name, segments=segments, language=upload.language)


async def list_transcripts(db: Database, p: Principal, video_id: UUID) -> list[Transcript]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Transcript))
        rows = await (
            await cur.execute(Q.list_transcripts, {"org": p.organization_id, "video_id": video_id})
        ).fetchall()
        if not rows:
            await _video_exists(conn, p, video_id)
        return rows


async def _video_exists(conn: Conn, p: Principal, video_id: UUID) -> None:
    from mediabase.media.service import fetch_video

    await fetch_video(conn, p.organization_id, video_id)


async def get_transcript(conn: Conn, p: Principal, video_id: UUID, transcript_id: UUID | None) -> Transcript:
    cur = conn.cursor(row_factory=class_row(Transcript))
    row = await (
        await cur.execute(
            Q.get_transcript, {"org": p.organization_id, "video_id": video_id, "transcript_id": transcript_id}
        )
    ).fetchone()
    if row is None:
        await _video_exists(conn, p, video_id)
        raise NotFound("transcript not found" if transcript_id else "this video has no transcript yet")
    return row


async def list_segments(
    db: Database,
    p: Principal,
    video_id: UUID,
    *,
    from_ms: int = 0,
    to_ms: int | None = None,
    transcript_id: UUID | None = None,
    speaker_id: UUID | None = None,
    limit: int = 10_000,
) -> tuple[Transcript, list[SegmentOut]]:
    """Segments of a video's transcript (current by default) that overlap [from_ms, to_ms)."""
    if from_ms < 0 or (to_ms is not None and to_ms < from_ms):
        raise Invalid("the time range must satisfy 0 <= from_ms <= to_ms", field="from_ms")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _video_exists(conn, p, video_id)
        transcript = await get_transcript(conn, p, video_id, transcript_id)
        cur = conn.cursor(row_factory=class_row(SegmentOut))
        rows = await (
            await cur.execute(
                Q.segments,
                {
                    "org": p.organization_id,
                    "video_id": video_id,
                    "transcript_id": transcript.id,
                    "from_ms": from_ms,
                    "to_ms": to_ms if to_ms is not None else 2**62,
                    "speaker_id": speaker_id,
                    "limit": limit,
                },
            )
        ).fetchall()
    return transcript, rows


async def export_transcript(
    db: Database, p: Principal, video_id: UUID, fmt: ExportFormat, transcript_id: UUID | None = None
) -> str:
    """The transcript as SubRip, WebVTT or JSON; re-importing it gives the same times and text."""
    _, rows = await list_segments(db, p, video_id, transcript_id=transcript_id, limit=10**7)
    segs = [
        Segment(start_ms=r.start_ms, end_ms=r.end_ms, text=r.text, speaker=r.speaker, confidence=r.confidence)
        for r in rows
    ]
    if fmt is ExportFormat.srt:
        return write_srt(segs)
    if fmt is ExportFormat.vtt:
        return write_vtt(segs)
    return write_json(segs)


def parse_file(
    data: bytes, *, source: str, fmt: str | None = None, encoding: str | None = None, max_bytes: int | None = None
) -> ParsedTranscript:
    """Parse an uploaded or read file; format errors become Invalid (file, line and reason)."""
    from mediabase.transcripts.formats import DEFAULT_MAX_BYTES, TranscriptFormatError, parse_bytes

    try:
        return parse_bytes(data, source=source, format=fmt, encoding=encoding, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    except TranscriptFormatError as exc:
        raise Invalid(str(exc), field="file", line=exc.line) from exc
    except LookupError as exc:  # an unknown --encoding name
        raise Invalid(f"{source}: unknown encoding {encoding!r}", field="encoding") from exc
