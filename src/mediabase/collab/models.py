"""Pydantic models of collaboration: comments, moments, clips, reels, quote cards, share links,
notifications, the activity feed, the audit log and the video overview."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from mediabase.common.models import Model, Ms
from mediabase.common.types import LINE, TEXT, Expiry, JsonObject

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
Text5k = Annotated[str, Field(max_length=5000), TEXT]
Text10k = Annotated[str, Field(max_length=10000), TEXT]
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$", max_length=2048), LINE]
StorageKey = Annotated[str, StringConstraints(min_length=1, max_length=1024), LINE]
Emoji = Annotated[str, StringConstraints(pattern=r"^\S{1,32}$"), LINE]
Confidence = Annotated[int, Field(ge=0, le=100)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000), TEXT]
Quote = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), TEXT]
SpeakerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]


# -- comments ---------------------------------------------------------------------------------


class CommentCreate(Model):
    body: Body
    position_ms: Ms | None = None
    parent_id: UUID | None = None


class CommentUpdate(Model):
    body: Body | None = None
    position_ms: Ms | None = None


class Comment(Model):
    id: UUID
    video_id: UUID
    parent_id: UUID | None
    author_id: UUID | None
    author_username: str | None
    body: str | None  # None once deleted
    position_ms: int | None
    created_at: datetime
    updated_at: datetime
    edited_at: datetime | None
    deleted_at: datetime | None
    reply_count: int
    reactions: dict[str, int]
    my_reactions: list[str]


# -- moments, clips, reels, quote cards -------------------------------------------------------


class MomentType(StrEnum):
    highlight = "highlight"
    decision = "decision"
    action_item = "action_item"
    question = "question"
    key_point = "key_point"
    quote = "quote"
    topic_change = "topic_change"
    other = "other"


class MomentCreate(Model):
    title: Title
    description: Text5k | None = None
    start_ms: Ms
    end_ms: Ms
    moment_type: MomentType = MomentType.highlight
    confidence: Confidence | None = None
    transcript_excerpt: Text5k | None = None


class MomentUpdate(Model):
    title: Title | None = None
    description: Text5k | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    moment_type: MomentType | None = None


class Moment(Model):
    id: UUID
    video_id: UUID
    layer_id: UUID | None
    title: str
    description: str | None
    start_ms: int
    end_ms: int
    moment_type: MomentType
    confidence: int | None
    transcript_excerpt: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class ClipStatus(StrEnum):
    pending = "pending"
    processing = "processing"
    ready = "ready"
    failed = "failed"


class ClipCreate(Model):
    title: Title
    description: Text5k | None = None
    start_ms: Ms
    end_ms: Ms
    moment_id: UUID | None = None
    clip_type: Annotated[str, StringConstraints(pattern=r"^(manual|auto)$")] = "manual"
    moment_type: MomentType | None = None


class ClipUpdate(Model):
    title: Title | None = None
    description: Text5k | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    status: ClipStatus | None = None
    storage_key: StorageKey | None = None
    thumbnail_url: Url | None = None
    error: Text10k | None = None


class Clip(Model):
    id: UUID
    video_id: UUID
    moment_id: UUID | None
    title: str
    description: str | None
    start_ms: int
    end_ms: int
    clip_type: str
    moment_type: MomentType | None
    storage_key: str | None
    thumbnail_url: str | None
    status: ClipStatus
    error: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class ReelStatus(StrEnum):
    draft = "draft"
    rendering = "rendering"
    ready = "ready"
    failed = "failed"


class ReelCreate(Model):
    title: Title
    description: Text5k | None = None
    clip_ids: Annotated[list[UUID], Field(max_length=500)] = Field(default_factory=list)


class ReelUpdate(Model):
    title: Title | None = None
    description: Text5k | None = None
    status: ReelStatus | None = None
    storage_key: StorageKey | None = None
    thumbnail_url: Url | None = None
    error: Text10k | None = None


class ReelClips(Model):
    clip_ids: Annotated[list[UUID], Field(max_length=500)]


class ReelClip(Model):
    position: int
    clip_id: UUID
    video_id: UUID
    title: str
    start_ms: int
    end_ms: int


class Reel(Model):
    id: UUID
    title: str
    description: str | None
    storage_key: str | None
    thumbnail_url: str | None
    status: ReelStatus
    error: str | None
    duration_ms: int
    clips: list[ReelClip]
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class QuoteCardCreate(Model):
    quote_text: Quote
    speaker: SpeakerName | None = None
    speaker_id: UUID | None = None
    start_ms: Ms
    end_ms: Ms | None = None
    template: JsonObject = Field(default_factory=dict)
    image_url: Url | None = None
    storage_key: StorageKey | None = None


class QuoteCardUpdate(Model):
    quote_text: Quote | None = None
    speaker: SpeakerName | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    template: JsonObject | None = None
    image_url: Url | None = None
    storage_key: StorageKey | None = None


class QuoteCard(Model):
    id: UUID
    video_id: UUID
    quote_text: str
    speaker: str | None
    speaker_id: UUID | None
    start_ms: int
    end_ms: int | None
    template: dict[str, Any]
    image_url: str | None
    storage_key: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


# -- share links ------------------------------------------------------------------------------


class ShareLinkCreate(Model):
    expires_at: Expiry | None = None
    password: Annotated[str, Field(min_length=4, max_length=1024), TEXT] | None = None


class ShareLink(Model):
    id: UUID
    video_id: UUID
    expires_at: datetime | None
    has_password: bool
    view_count: int
    last_viewed_at: datetime | None
    revoked_at: datetime | None
    created_by: UUID | None
    created_at: datetime


class ShareLinkCreated(ShareLink):
    token: str  # shown once, never stored
    path: str


class SharedSegment(Model):
    start_ms: int
    end_ms: int
    speaker: str | None
    text: str


class SharedVideo(Model):
    """What a share link shows: one video and its current transcript, nothing else."""

    title: str
    description: str | None
    duration_ms: int | None
    media_url: str | None
    thumbnail_url: str | None
    language: str | None
    recorded_at: datetime | None
    segments: list[SharedSegment]


# -- notifications, activity, audit, overview -------------------------------------------------


class Notification(Model):
    id: UUID
    kind: str
    actor_id: UUID | None
    video_id: UUID | None
    comment_id: UUID | None
    decision_id: UUID | None
    action_item_id: UUID | None
    tag_id: UUID | None
    title: str
    delivery: str
    created_at: datetime
    read_at: datetime | None


class Activity(Model):
    id: UUID
    occurred_at: datetime
    actor_id: UUID | None
    actor_username: str | None
    subject_type: str
    action: str
    subject_id: UUID | None
    video_id: UUID | None
    label: str | None


class AuditEntry(Model):
    id: UUID
    occurred_at: datetime
    txid: int
    actor_id: UUID | None
    table_name: str
    action: str
    row_id: UUID | None
    changed: list[str] | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class VideoOverview(Model):
    video_id: UUID
    title: str
    duration_ms: int | None
    author_id: UUID | None
    created_at: datetime
    comment_count: int
    moment_count: int
    clip_count: int
    quote_card_count: int
    decision_count: int
    action_item_count: int
    open_action_item_count: int
    share_link_count: int
    my_position_ms: int | None
    my_completed: bool | None
    my_last_watched_at: datetime | None
    my_progress_percent: float | None
