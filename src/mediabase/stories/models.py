"""Pydantic models of the story platform: topics, categories, proposals, ideas, scenes, segments,
bibles, summaries and continuations (docs/stories.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, model_validator

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, JsonObject

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Description = Annotated[str, Field(max_length=5000), TEXT]
Prompt = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000), TEXT]
StoryText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000), TEXT]
SummaryText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50000), TEXT]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), TEXT]
Tag = Annotated[
    str, BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$"),
]
def _plain_path(key: str) -> str:
    if "//" in key or ".." in key.split("/"):
        raise ValueError("a storage key has no empty or '..' segment")
    return key


StorageKey = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.=/-]{0,1023}$"), LINE, AfterValidator(_plain_path),
    Field(description="A storage key: the object's path in the deployment's store, e.g. stories/x/1.mp4"),
]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"), Field(
    description="ISO 639 code (en, de, pt-BR…): the text-search configuration its texts are indexed with")]
Order = Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
Sequence = Annotated[int, Field(ge=1, le=2_000_000_000)]


def _unique_tags(tags: list[str]) -> list[str]:
    out: list[str] = []
    for t in tags:
        if t not in out:
            out.append(t)
    return out


# -- topics and categories --------------------------------------------------------------------------


class TopicCreate(Model):
    name: Name
    slug: Slug
    description: Description | None = None
    icon_key: StorageKey | None = None
    is_curated: bool = True
    display_order: Order = 0


class TopicUpdate(Model):
    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    icon_key: StorageKey | None = None
    is_curated: bool | None = None
    is_active: bool | None = None
    display_order: Order | None = None


class Topic(Model):
    id: UUID
    name: str
    slug: str
    description: str | None
    icon_key: str | None
    is_curated: bool
    is_active: bool
    display_order: int
    scene_count: int
    created_at: datetime
    updated_at: datetime


class CategoryCreate(Model):
    name: Name
    slug: Slug
    description: Description | None = None
    display_order: Order = 0


class CategoryUpdate(Model):
    name: Name | None = None
    slug: Slug | None = None
    description: Description | None = None
    display_order: Order | None = None
    is_active: bool | None = None


class Category(Model):
    id: UUID
    topic_id: UUID
    name: str
    slug: str
    description: str | None
    display_order: int
    is_active: bool
    created_at: datetime


class ProposalStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class ProposalCreate(Model):
    name: Name
    description: Description | None = None


class ReviewDecision(StrEnum):
    approve = "approve"
    reject = "reject"


class ProposalReview(Model):
    """An ADMIN's review: approve (and, with ``promote``, make it a topic) or reject (with a reason)."""

    decision: ReviewDecision
    reason: Reason | None = None
    promote: bool = False
    slug: Slug | None = Field(default=None, description="The new topic's slug when promoting (default: from the name)")

    @model_validator(mode="after")
    def _consistent(self) -> ProposalReview:
        if self.decision is ReviewDecision.approve and self.reason is not None:
            raise ValueError("a reason is given only when rejecting")
        if self.decision is ReviewDecision.reject and self.promote:
            raise ValueError("a rejected proposal is not promoted")
        return self


class Proposal(Model):
    id: UUID
    user_id: UUID | None
    name: str
    description: str | None
    status: ProposalStatus
    reviewed_by: UUID | None
    reviewed_at: datetime | None
    rejection_reason: str | None
    promoted_topic_id: UUID | None
    created_at: datetime


# -- ideas ------------------------------------------------------------------------------------------


class IdeaStatus(StrEnum):
    active = "active"
    hidden = "hidden"
    removed = "removed"


class ModerationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class IdeaCreate(Model):
    topic_id: UUID
    category_id: UUID | None = None
    title: Title
    prompt: Prompt
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    language: Language | None = None

    @model_validator(mode="after")
    def _dedupe(self) -> IdeaCreate:
        self.tags = _unique_tags(self.tags)
        return self


class IdeaUpdate(Model):
    """The author changes title, prompt, tags and category; an ADMIN also status and moderation."""

    title: Title | None = None
    prompt: Prompt | None = None
    tags: Annotated[list[Tag], Field(max_length=20)] | None = None
    category_id: UUID | None = None
    status: IdeaStatus | None = None
    moderation_status: ModerationStatus | None = None


class Idea(Model):
    id: UUID
    topic_id: UUID
    category_id: UUID | None
    user_id: UUID | None
    title: str
    prompt: str
    tags: list[str]
    language: str | None
    status: IdeaStatus
    moderation_status: ModerationStatus
    scene_count: int
    like_count: int = Field(description="Likes, exact: the stored count plus the likes not folded into it yet")
    created_at: datetime
    updated_at: datetime


# -- scenes, segments, bibles, summaries ------------------------------------------------------------


class SceneStatus(StrEnum):
    active = "active"  # takes continuations
    locked = "locked"  # readable, takes no new segments
    hidden = "hidden"  # moderation: not shown
    removed = "removed"  # moderation: gone for readers


class SceneCreate(Model):
    title: Title
    description: Description | None = None
    bible: JsonObject | None = Field(
        default=None,
        description="The first bible (seed 002 §3 JSON Schema, version 1); default: an empty one",
    )


class SceneUpdate(Model):
    title: Title | None = None
    description: Description | None = None
    status: SceneStatus | None = None
    thumbnail_key: StorageKey | None = None


class Scene(Model):
    id: UUID
    topic_id: UUID
    idea_id: UUID
    user_id: UUID | None
    title: str
    description: str | None
    status: SceneStatus
    thumbnail_key: str | None
    segment_count: int
    total_duration_ms: int
    contributor_count: int
    last_segment_at: datetime | None
    bible_version: int
    like_count: int = Field(description="Likes, exact: the stored count plus the likes not folded into it yet")
    view_count: int = Field(description="Views, exact: the stored count plus the views not folded into it yet")
    created_at: datetime
    updated_at: datetime


class SegmentStatus(StrEnum):
    active = "active"
    hidden = "hidden"
    removed = "removed"


class Segment(Model):
    id: UUID
    scene_id: UUID
    sequence: int
    user_id: UUID | None
    input_text: str
    expanded_script: str
    video_key: str
    hls_key: str | None
    thumbnail_key: str | None
    duration_ms: int
    resolution: str | None
    size_bytes: int | None
    bible_version: int
    job_id: UUID | None
    status: SegmentStatus
    created_at: datetime


class SegmentUpdate(Model):
    status: SegmentStatus


class Bible(Model):
    scene_id: UUID
    version: int
    data: dict[str, Any]
    created_by: UUID | None
    created_by_segment_id: UUID | None
    created_at: datetime


class BibleWrite(Model):
    """A new bible version written by hand: the version it replaces (compare-and-set) and the data
    (its ``version`` must be ``expected_version + 1``)."""

    expected_version: Annotated[int, Field(ge=1, le=2_000_000_000)]
    data: JsonObject


class SummaryCreate(Model):
    first_sequence: Sequence
    last_sequence: Sequence
    summary: SummaryText

    @model_validator(mode="after")
    def _ordered(self) -> SummaryCreate:
        if self.last_sequence < self.first_sequence:
            raise ValueError("last_sequence must not be before first_sequence")
        return self


class Summary(Model):
    id: UUID
    scene_id: UUID
    first_sequence: int
    last_sequence: int
    summary: str
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


# -- continuations ----------------------------------------------------------------------------------


class ContinuationState(StrEnum):
    queued = "queued"  # enqueued, no attempt yet
    running = "running"  # an attempt is going through the stages
    conflict = "conflict"  # the last attempt lost the bible's compare-and-set; the job retries
    finalized = "finalized"  # the segment and the next bible version are written
    failed = "failed"  # given up (scene closed, cancelled, retries used up)


class ContinuationCreate(Model):
    text: StoryText = Field(description="What happens next, in the contributor's words")


class Continuation(Model):
    job_id: UUID
    scene_id: UUID
    user_id: UUID | None
    input_text: str
    base_bible_version: int
    state: ContinuationState
    attempts: int
    message: str | None
    segment_id: UUID | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    job_status: str | None = Field(default=None, description="The job's status (None once the job was archived)")
    job_stage: str | None = None
    job_progress: int | None = None
    job_error: str | None = None


class Finalized(Model):
    """What a continuation's finalization wrote (``created`` False: it had been finalized before)."""

    segment_id: UUID
    sequence: int
    bible_version: int
    created: bool


# -- community: likes, views, flags, counters -----------------------------------------------------


class Liked(Model):
    """Whether the caller likes the idea or scene, and its like count."""

    liked: bool
    like_count: int


class FlagReason(StrEnum):
    spam = "spam"
    abuse = "abuse"
    harassment = "harassment"
    hate = "hate"
    sexual = "sexual"
    violence = "violence"
    copyright = "copyright"
    privacy = "privacy"
    misinformation = "misinformation"
    off_topic = "off_topic"
    other = "other"


class FlagStatus(StrEnum):
    pending = "pending"
    reviewing = "reviewing"
    resolved = "resolved"
    dismissed = "dismissed"


class FlagAction(StrEnum):
    none = "none"  # looked at, nothing changed
    hidden = "hidden"  # idea, scene or segment hidden
    removed = "removed"  # idea, scene or segment removed
    locked = "locked"  # scene locked
    rejected = "rejected"  # idea's moderation_status rejected
    deactivated = "deactivated"  # topic deactivated


TARGETS = ("idea_id", "scene_id", "segment_id", "member_id", "topic_id")


class FlagCreate(Model):
    """A report on exactly one idea, scene, segment, member or topic."""

    idea_id: UUID | None = None
    scene_id: UUID | None = None
    segment_id: UUID | None = None
    member_id: UUID | None = Field(default=None, description="A member of the organization (their user id)")
    topic_id: UUID | None = None
    reason: FlagReason
    description: Description | None = None

    @model_validator(mode="after")
    def _one_target(self) -> FlagCreate:
        if sum(getattr(self, t) is not None for t in TARGETS) != 1:
            raise ValueError(f"name exactly one of {', '.join(TARGETS)}")
        return self


class FlagDecision(StrEnum):
    reviewing = "reviewing"  # someone is looking at it
    resolve = "resolve"  # act on the target (action) and close the flag and every open flag of the target
    dismiss = "dismiss"  # close it, nothing done


class FlagReview(Model):
    decision: FlagDecision
    action: FlagAction = FlagAction.none
    notes: Reason | None = None

    @model_validator(mode="after")
    def _consistent(self) -> FlagReview:
        if self.decision is not FlagDecision.resolve and self.action is not FlagAction.none:
            raise ValueError("an action is taken only when resolving")
        if self.decision is FlagDecision.reviewing and self.notes is not None:
            raise ValueError("notes come with the resolution")
        return self


class Flag(Model):
    id: UUID
    reporter_id: UUID | None
    idea_id: UUID | None
    scene_id: UUID | None
    segment_id: UUID | None
    member_id: UUID | None
    topic_id: UUID | None
    reason: FlagReason
    description: str | None
    status: FlagStatus
    reviewed_by: UUID | None
    reviewed_at: datetime | None
    action_taken: FlagAction | None
    notes: str | None
    created_at: datetime
    updated_at: datetime


class CounterDifference(Model):
    """A counter that does not equal what its rows say."""

    table: str
    id: UUID
    counter: str
    stored: str | None
    actual: str | None


# -- reads: feeds and the public read path ----------------------------------------------------------


class IdeaSort(StrEnum):
    newest = "newest"
    liked = "liked"  # by the stored (folded) like count, then newest id


class Publication(Model):
    """Whether the organization's approved stories are readable by anyone (``/public/{slug}/…``)."""

    published: bool
    published_at: datetime | None = None
    published_by: UUID | None = None


class PublicTopic(Model):
    id: UUID
    name: str
    slug: str
    description: str | None
    icon_key: str | None
    scene_count: int


class PublicIdea(Model):
    id: UUID
    topic_id: UUID
    category_id: UUID | None
    title: str
    prompt: str
    tags: list[str]
    scene_count: int
    like_count: int
    created_at: datetime


class PublicScene(Model):
    id: UUID
    topic_id: UUID
    idea_id: UUID
    title: str
    description: str | None
    status: SceneStatus
    thumbnail_key: str | None
    segment_count: int
    total_duration_ms: int
    contributor_count: int
    last_segment_at: datetime | None
    bible_version: int
    like_count: int
    view_count: int
    created_at: datetime


class PublicSegment(Model):
    id: UUID
    sequence: int
    input_text: str
    expanded_script: str
    video_key: str
    hls_key: str | None
    thumbnail_key: str | None
    duration_ms: int
    resolution: str | None
    created_at: datetime


class PublicBible(Model):
    version: int
    data: dict[str, Any]
    created_at: datetime


# -- keyword search over the story texts (docs/stories.md, "Search") -----------------------------------


class StoryHitKind(StrEnum):
    idea = "idea"  # title, prompt, tags
    scene = "scene"  # title, description
    segment = "segment"  # the member's text and the expanded script
    bible = "bible"  # the scene's latest bible (its strings)


class StoryHit(Model):
    kind: StoryHitKind
    id: UUID = Field(description="the idea's, scene's or segment's id; a bible's is its scene's")
    topic_id: UUID
    idea_id: UUID
    scene_id: UUID | None = Field(description="the scene of a scene, segment or bible hit")
    sequence: int | None = Field(description="a segment's place in its scene's playlist")
    version: int | None = Field(description="a bible hit's version (the scene's latest)")
    title: str = Field(description="the idea's title, or the scene's")
    snippet: str = Field(description="the text around the match; matches in <mark>, the rest HTML-escaped")
    score: float = Field(description="ts_rank_cd with field weights")


class StorySearchPage(Model):
    query: str
    hits: list[StoryHit]
    next_cursor: str | None = None
    notices: list[str] = Field(default_factory=list)
