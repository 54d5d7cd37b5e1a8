"""Pydantic models of the media domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from mediabase.common.models import Model, Ms
from mediabase.common.types import LINE, TEXT, Instant, JsonObject

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2048), LINE]
MediaUrl = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9+.-]*://\S+$", max_length=2048), LINE]
StorageKey = Annotated[str, StringConstraints(min_length=1, max_length=1024), LINE]
Place = Annotated[str, Field(max_length=500), LINE]
Description = Annotated[str, Field(max_length=20000), TEXT]


class ProcessingStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    ready = "ready"
    failed = "failed"


class GroupKind(StrEnum):
    channels = "channels"
    series = "series"
    collections = "collections"


class GroupCreate(Model):
    name: Name
    description: Annotated[str, Field(max_length=5000), TEXT] | None = None


class Group(Model):
    """A channel, a series or a collection."""

    id: UUID
    name: str
    description: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class VideoCreate(Model):
    title: Title
    description: Description | None = None
    duration_ms: Ms | None = None
    thumbnail_url: Url | None = None
    media_url: MediaUrl | None = None
    storage_key: StorageKey | None = None
    channel_id: UUID | None = None
    series_id: UUID | None = None
    collection_id: UUID | None = None
    language: Language | None = None
    recorded_at: Instant | None = None
    location: Place | None = None
    notes: Description | None = None
    metadata: JsonObject = Field(default_factory=dict)
    retention_until: Instant | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=100)


class VideoUpdate(Model):
    """Fields to change; a field left out stays as it is, an explicit null clears it."""

    title: Title | None = None
    description: Description | None = None
    duration_ms: Ms | None = None
    thumbnail_url: Url | None = None
    media_url: MediaUrl | None = None
    storage_key: StorageKey | None = None
    channel_id: UUID | None = None
    series_id: UUID | None = None
    collection_id: UUID | None = None
    processing_status: ProcessingStatus | None = None
    processing_error: Annotated[str, Field(max_length=10000), TEXT] | None = None
    language: Language | None = None
    recorded_at: Instant | None = None
    location: Place | None = None
    notes: Description | None = None
    metadata: JsonObject | None = None
    retention_until: Instant | None = None


class Video(Model):
    id: UUID
    organization_id: UUID
    title: str
    description: str | None
    duration_ms: int | None
    thumbnail_url: str | None
    media_url: str | None
    storage_key: str | None
    author_id: UUID | None
    channel_id: UUID | None
    series_id: UUID | None
    collection_id: UUID | None
    processing_status: ProcessingStatus
    processing_error: str | None
    language: str | None
    recorded_at: datetime | None
    location: str | None
    notes: str | None
    metadata: dict[str, Any]
    tags: list[str]
    deleted_at: datetime | None
    retention_until: datetime | None
    source_key: str | None = None
    """The source it was ingested from (``srt:<sha256>``, ``ami:ES2002b``; :class:`VideoSource`)."""
    created_at: datetime
    updated_at: datetime


class VideoSource(Model):
    """Where an ingested video came from, independent of the path it was read at: a stable key
    (one live video per key and organization) and the sha256 of the source's content, which tells
    an unchanged source from a changed one (0025_media_source_key)."""

    key: Annotated[str, StringConstraints(min_length=3, max_length=300, pattern=r"^[a-z][a-z0-9]{0,15}:[!-~]+$")]
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class VideoFilter(Model):
    channel_id: UUID | None = None
    series_id: UUID | None = None
    collection_id: UUID | None = None
    author_id: UUID | None = None
    tag: Tag | None = None
    language: Language | None = None
    status: ProcessingStatus | None = None
    recorded_from: Instant | None = None
    recorded_to: Instant | None = None
    deleted: bool = False  # list the soft-deleted videos instead of the live ones


class ProgressUpdate(Model):
    position_ms: Ms
    completed: bool = False


class Progress(Model):
    video_id: UUID
    user_id: UUID
    position_ms: int
    completed: bool
    last_watched_at: datetime


class PersonCreate(Model):
    name: Name
    role: Annotated[str, Field(max_length=200), LINE] | None = None
    user_id: UUID | None = None


class Person(Model):
    id: UUID
    name: str
    role: str | None
    user_id: UUID | None
    created_at: datetime


class SpeakerUpdate(Model):
    display_name: Name | None = None
    person_id: UUID | None = None


class Speaker(Model):
    id: UUID
    video_id: UUID
    label: str
    display_name: str | None
    person_id: UUID | None
    person_name: str | None = None
    segment_count: int = 0
