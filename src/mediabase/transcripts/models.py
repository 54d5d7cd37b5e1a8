"""Pydantic models of the transcripts domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from mediabase.common.models import Model, Ms


class TranscriptSource(StrEnum):
    upload = "upload"
    asr = "asr"
    human = "human"


class ExportFormat(StrEnum):
    srt = "srt"
    vtt = "vtt"
    json = "json"


class Transcript(Model):
    id: UUID
    video_id: UUID
    language: str | None
    source: TranscriptSource
    version: int
    is_current: bool
    format: str | None
    source_name: str | None
    segment_count: int
    created_by: UUID | None
    created_at: datetime


class SegmentIn(Model):
    """One segment as posted in the JSON body of an upload."""

    start_ms: Ms
    end_ms: Ms
    text: Annotated[str, Field(max_length=100_000)]
    speaker: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None


class TranscriptUpload(Model):
    segments: Annotated[list[SegmentIn], Field(min_length=1, max_length=200_000)]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None
    source: TranscriptSource = TranscriptSource.upload


class SegmentOut(Model):
    id: UUID
    transcript_id: UUID
    seq: int
    start_ms: int
    end_ms: int
    speaker_id: UUID | None
    speaker: str | None
    text: str
    confidence: float | None
    words: list[dict[str, Any]] | None = None


class IngestResult(Model):
    video_id: UUID
    transcript: Transcript
    speakers: int


class SourceStatus(StrEnum):
    """What an ingest by source did with one source (docs/formats.md, "Ingesting again")."""

    loaded = "loaded"
    """New: a video with its first transcript."""
    skipped = "skipped"
    """Already there, unchanged: nothing written."""
    replaced = "replaced"
    """Already there, changed, and --replace: a new transcript version of the same video."""
    changed = "changed"
    """Already there, changed, no --replace: nothing written."""


class SourceIngest(Model):
    status: SourceStatus
    video_id: UUID
    result: IngestResult | None = None
    """The transcript written (loaded, replaced); None when nothing was written."""
