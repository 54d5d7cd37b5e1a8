"""Pydantic models of meeting intelligence: AI layers, summaries, decisions, topics, action items."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints

from mediabase.common.models import Model, Ms
from mediabase.common.types import LINE, TEXT, Instant, JsonObject

Confidence = Annotated[int, Field(ge=0, le=100)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
Summary2k = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), TEXT]
Text5k = Annotated[str, Field(max_length=5000), TEXT]
Text10k = Annotated[str, Field(max_length=10000), TEXT]
Text20k = Annotated[str, Field(max_length=20000), TEXT]
Uri = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9+.-]*://\S+$", max_length=2048), LINE]
TagName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
Keyword = Annotated[str, Field(min_length=1, max_length=100), LINE]


# -- AI layers ----------------------------------------------------------------------------------


class LayerKind(StrEnum):
    summary = "summary"
    topics = "topics"
    action_items = "action_items"
    decisions = "decisions"
    moments = "moments"
    chunks_embeddings = "chunks_embeddings"
    chapters = "chapters"
    keywords = "keywords"
    quotes = "quotes"


class LayerStatus(StrEnum):
    pending = "pending"
    running = "running"
    ready = "ready"
    failed = "failed"
    superseded = "superseded"


class SummaryIn(Model):
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50000), TEXT]
    key_points: Annotated[list[Annotated[str, Field(max_length=2000), TEXT]], Field(max_length=200)] = Field(
        default_factory=list
    )
    language: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] | None = None


class DecisionIn(Model):
    summary: Summary2k
    context: Text20k | None = None
    position_ms: Ms | None = None
    confidence: Confidence | None = None


class ActionItemIn(Model):
    title: Title
    description: Text10k | None = None
    assignee: Short | None = None
    priority: Annotated[str, StringConstraints(pattern=r"^(high|medium|low)$")] = "medium"
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    confidence: Confidence | None = None
    extracted_from: Text5k | None = None


class TopicMentionIn(Model):
    topic: Short
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    relevance: Confidence | None = None
    excerpt: Text5k | None = None


class MomentIn(Model):
    title: Title
    description: Text5k | None = None
    start_ms: Ms
    end_ms: Ms
    moment_type: Annotated[str, LINE] = "highlight"
    confidence: Confidence | None = None
    transcript_excerpt: Text5k | None = None


class LayerCreate(Model):
    """Register a run of a model over a video, with its results when it has them.

    With results (the field matching ``kind``), the layer is stored ready in one transaction
    and supersedes the video's previous layer of that kind. Without, it is pending: a worker
    fills it in and marks it ready (PATCH), or it fails.
    """

    kind: LayerKind
    model: Short
    model_version: Annotated[str, StringConstraints(min_length=1, max_length=100), LINE] | None = None
    source: Short = "model"
    transcript_id: UUID | None = None  # default: the video's current transcript
    artifact_uri: Uri | None = None
    parameters: JsonObject = Field(default_factory=dict)
    summary: SummaryIn | None = None
    decisions: Annotated[list[DecisionIn], Field(max_length=10000)] | None = None
    action_items: Annotated[list[ActionItemIn], Field(max_length=10000)] | None = None
    topics: Annotated[list[TopicMentionIn], Field(max_length=10000)] | None = None
    moments: Annotated[list[MomentIn], Field(max_length=10000)] | None = None


class LayerUpdate(Model):
    status: LayerStatus | None = None
    artifact_uri: Uri | None = None
    error: Text10k | None = None


class Layer(Model):
    id: UUID
    video_id: UUID
    kind: LayerKind
    model: str
    model_version: str | None
    source: str
    status: LayerStatus
    transcript_id: UUID | None
    artifact_uri: str | None
    parameters: dict[str, Any]
    error: str | None
    superseded_by: UUID | None
    job_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    completed_at: datetime | None
    item_count: int = 0


class Summary(Model):
    layer_id: UUID
    video_id: UUID
    summary: str
    key_points: list[str]
    language: str | None
    model: str
    source: str
    created_at: datetime


# -- decisions ----------------------------------------------------------------------------------


class DecisionSource(StrEnum):
    meeting = "meeting"
    adhoc = "adhoc"
    manual = "manual"


class DecisionStatus(StrEnum):
    proposed = "proposed"
    decided = "decided"
    superseded = "superseded"


class SettableStatus(StrEnum):
    """What a person sets; 'superseded' follows from superseded_by (or a supersedes link)."""

    proposed = "proposed"
    decided = "decided"


class DecisionCreate(Model):
    summary: Summary2k
    context: Text20k | None = None
    source: DecisionSource = DecisionSource.manual
    video_id: UUID | None = None
    position_ms: Ms | None = None
    status: SettableStatus = SettableStatus.decided
    decided_at: Instant | None = None
    tag_ids: Annotated[list[UUID], Field(max_length=100)] = Field(default_factory=list)
    participant_user_ids: Annotated[list[UUID], Field(max_length=500)] = Field(default_factory=list)
    participant_person_ids: Annotated[list[UUID], Field(max_length=500)] = Field(default_factory=list)


class DecisionUpdate(Model):
    """Fields to change; left out stays, null clears. Lists replace the current set."""

    summary: Summary2k | None = None
    context: Text20k | None = None
    source: DecisionSource | None = None
    video_id: UUID | None = None
    position_ms: Ms | None = None
    status: SettableStatus | None = None
    decided_at: Instant | None = None
    superseded_by: UUID | None = None
    tag_ids: Annotated[list[UUID], Field(max_length=100)] | None = None
    participant_user_ids: Annotated[list[UUID], Field(max_length=500)] | None = None
    participant_person_ids: Annotated[list[UUID], Field(max_length=500)] | None = None


class Decision(Model):
    """A row of the decision_log read model."""

    id: UUID
    summary: str
    context: str | None
    source: DecisionSource
    status: DecisionStatus
    decided_at: datetime | None
    video_id: UUID | None
    video_title: str | None
    position_ms: int | None
    superseded_by: UUID | None
    superseded_by_summary: str | None
    layer_id: UUID | None
    confidence: int | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
    tags: list[str]
    participants: list[str]
    link_count: int
    edit_count: int


class DecisionHit(Decision):
    rank: float | None = None
    snippet: str | None = None


class LinkType(StrEnum):
    related = "related"
    supersedes = "supersedes"
    depends_on = "depends_on"


class DecisionLinkCreate(Model):
    target_decision_id: UUID
    link_type: LinkType = LinkType.related


class DecisionLink(Model):
    decision_id: UUID
    target_decision_id: UUID
    link_type: LinkType
    created_by: UUID | None
    created_at: datetime


class DecisionEdit(Model):
    id: UUID
    decision_id: UUID
    user_id: UUID | None
    field: str
    old_value: str | None
    new_value: str | None
    edited_at: datetime


class DecisionDetail(Decision):
    links: list[DecisionLink]


class TagCreate(Model):
    name: TagName
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$")] | None = None


class TagUpdate(Model):
    name: TagName | None = None
    color: Annotated[str, StringConstraints(pattern=r"^#[0-9a-f]{6}$")] | None = None


class Tag(Model):
    id: UUID
    name: str
    color: str | None
    created_by: UUID | None
    created_at: datetime
    decision_count: int


class Frequency(StrEnum):
    instant = "instant"
    daily = "daily"
    weekly = "weekly"


class SubscriptionSet(Model):
    frequency: Frequency = Frequency.instant


class Subscription(Model):
    tag_id: UUID
    tag_name: str
    frequency: Frequency
    created_at: datetime


# -- topics and action items -------------------------------------------------------------------


class Trend(StrEnum):
    rising = "rising"
    stable = "stable"
    declining = "declining"


class Topic(Model):
    id: UUID
    name: str
    normalized_name: str
    description: str | None
    keywords: list[str]
    mention_count: int
    video_count: int
    first_mentioned_at: datetime | None
    last_mentioned_at: datetime | None
    trend: Trend
    trend_score: int
    trend_computed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TopicUpdate(Model):
    name: Short | None = None
    description: Text5k | None = None
    keywords: Annotated[list[Keyword], Field(max_length=100)] | None = None


class TopicMention(Model):
    id: UUID
    topic_id: UUID
    topic_name: str
    video_id: UUID
    video_title: str
    layer_id: UUID
    start_ms: int | None
    end_ms: int | None
    mentioned_at: datetime
    relevance: int | None
    excerpt: str | None


class ActionStatus(StrEnum):
    pending = "pending"
    in_progress = "in_progress"
    completed = "completed"
    cancelled = "cancelled"


class Priority(StrEnum):
    high = "high"
    medium = "medium"
    low = "low"


class ActionItemCreate(Model):
    title: Title
    description: Text10k | None = None
    assignee: Short | None = None
    assignee_user_id: UUID | None = None
    priority: Priority = Priority.medium
    due_date: date | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None


class ActionItemUpdate(Model):
    title: Title | None = None
    description: Text10k | None = None
    assignee: Short | None = None
    assignee_user_id: UUID | None = None
    status: ActionStatus | None = None
    priority: Priority | None = None
    due_date: date | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None


class ActionItem(Model):
    id: UUID
    video_id: UUID
    video_title: str
    layer_id: UUID | None
    title: str
    description: str | None
    assignee: str | None
    assignee_user_id: UUID | None
    status: ActionStatus
    priority: Priority
    due_date: date | None
    completed_at: datetime | None
    completed_by: UUID | None
    start_ms: int | None
    end_ms: int | None
    confidence: int | None
    extracted_from: str | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime
