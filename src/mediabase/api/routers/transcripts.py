"""Transcripts: upload (JSON or a file), list, read by time range, export."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, UploadFile, status
from fastapi.responses import Response
from pydantic import BaseModel

from mediabase.api.deps import DbDep, PrincipalDep, SettingsDep
from mediabase.db.errors import TooLarge
from mediabase.transcripts import service
from mediabase.transcripts.models import (
    ExportFormat,
    IngestResult,
    SegmentOut,
    Transcript,
    TranscriptSource,
    TranscriptUpload,
)

router = APIRouter(tags=["transcripts"])
LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


@router.post(
    "/videos/{video_id}/transcripts",
    status_code=status.HTTP_201_CREATED,
    summary="Add a transcript from JSON segments; it becomes the current one",
)
async def upload_json(db: DbDep, p: PrincipalDep, video_id: UUID, data: TranscriptUpload) -> IngestResult:
    parsed = service.upload_to_parsed(data)
    return await service.ingest_transcript(db, p, video_id, parsed, source=data.source, language=data.language)


@router.post(
    "/videos/{video_id}/transcripts/file",
    status_code=status.HTTP_201_CREATED,
    summary="Add a transcript from a file: SRT, WebVTT, Whisper JSON or a JSON segment list",
)
async def upload_file(
    db: DbDep,
    p: PrincipalDep,
    settings: SettingsDep,
    video_id: UUID,
    file: UploadFile,
    format: Annotated[str | None, Query(pattern=r"^(srt|vtt|whisper|json)$")] = None,
    encoding: Annotated[str | None, Query(max_length=40)] = None,
    language: Annotated[str | None, Query(pattern=LANG)] = None,
    source: TranscriptSource = TranscriptSource.upload,
) -> IngestResult:
    limit = settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"the file is larger than {limit} bytes")
    parsed = service.parse_file(data, source=file.filename or "upload", fmt=format, encoding=encoding, max_bytes=limit)
    return await service.ingest_transcript(db, p, video_id, parsed, source=source, language=language)


@router.get("/videos/{video_id}/transcripts", summary="All transcript versions of a video, newest first")
async def list_transcripts(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[Transcript]:
    return await service.list_transcripts(db, p, video_id)


class SegmentPage(BaseModel):
    transcript: Transcript
    segments: list[SegmentOut]


@router.get(
    "/videos/{video_id}/segments", summary="Segments overlapping a time range (current transcript unless one is named)"
)
async def segments(
    db: DbDep,
    p: PrincipalDep,
    video_id: UUID,
    from_ms: Annotated[int, Query(ge=0)] = 0,
    to_ms: Annotated[int | None, Query(ge=0)] = None,
    speaker_id: UUID | None = None,
    transcript_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> SegmentPage:
    transcript, rows = await service.list_segments(
        db, p, video_id, from_ms=from_ms, to_ms=to_ms, speaker_id=speaker_id, transcript_id=transcript_id, limit=limit
    )
    return SegmentPage(transcript=transcript, segments=rows)


MEDIA_TYPES = {
    ExportFormat.srt: "application/x-subrip",
    ExportFormat.vtt: "text/vtt",
    ExportFormat.json: "application/json",
}


_TEXT = {"schema": {"type": "string"}}


@router.get(
    "/videos/{video_id}/export", summary="The transcript as SRT, WebVTT or JSON", response_class=Response,
    responses={200: {"description": "the transcript in the format asked for", "content": {
        "text/vtt": _TEXT, "application/x-subrip": _TEXT,
        "application/json": {"schema": {"type": "array", "items": {"type": "object"},
                                         "description": "the transcript's segments: times, text, speaker, words"}},
    }}},
)
async def export(
    db: DbDep,
    p: PrincipalDep,
    video_id: UUID,
    format: ExportFormat = ExportFormat.vtt,
    transcript_id: UUID | None = None,
) -> Response:
    text = await service.export_transcript(db, p, video_id, format, transcript_id)
    return Response(text, media_type=f"{MEDIA_TYPES[format]}; charset=utf-8")
