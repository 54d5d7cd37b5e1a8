"""What analytics takes in and answers (docs/analytics.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, NamedTuple
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from mediabase.common.types import LINE

MAX_BATCH = 10_000  # events in one POST /events
PERCENTS = 101  # retention points: 0 % … 100 %

Client = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[ -~]+$"), LINE]
AnonymousId = Annotated[str, StringConstraints(min_length=1, max_length=200), LINE]


class RawEvent(NamedTuple):
    """One event as the Python API takes it in bulk (what :class:`ViewEventIn` becomes)."""

    kind: str
    occurred_at: datetime
    video_id: UUID | None = None
    scene_id: UUID | None = None
    master_id: UUID | None = None
    user_id: UUID | None = None
    anonymous_id: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    client: str | None = None


class ViewEventIn(BaseModel):
    """A view (a play began) or a watch (the range [start_ms, end_ms) was played) of exactly one
    subject (a video, a story scene or a music master) by exactly one viewer (a member's user id,
    or an anonymous identifier, which is kept only as a keyed HMAC)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["view", "watch"]
    occurred_at: datetime = Field(description="When it happened (with a time zone), within the last 365 days")
    video_id: UUID | None = None
    scene_id: UUID | None = None
    master_id: UUID | None = None
    user_id: UUID | None = Field(default=None, description="The viewer, a member of the organization")
    anonymous_id: AnonymousId | None = Field(
        default=None, description="An anonymous viewer's identifier (a device or cookie id); stored only as an HMAC"
    )
    start_ms: int | None = Field(default=None, ge=0, le=10**12, description="watch: where the range began")
    end_ms: int | None = Field(default=None, ge=1, le=10**12, description="watch: where it ended (exclusive)")
    client: Client | None = Field(default=None, description="The player, e.g. web/2.1")

    def raw(self) -> RawEvent:
        return RawEvent(self.kind, self.occurred_at, self.video_id, self.scene_id, self.master_id, self.user_id,
                        self.anonymous_id, self.start_ms, self.end_ms, self.client)


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[ViewEventIn] = Field(min_length=1, max_length=MAX_BATCH)


class Ingested(BaseModel):
    accepted: int


class TopVideo(BaseModel):
    video_id: UUID
    title: str
    watch_ms: int
    views: int
    viewer_days: int = Field(description="Σ daily unique viewers over the period")


class RetentionCurve(BaseModel):
    subject_id: UUID
    title: str
    duration_ms: int | None
    since: date
    until: date
    viewer_days: int = Field(description="Viewers, counted once per day, who played any of it")
    shares: list[float] = Field(description="shares[k]: the share of them who played the point at k % (k = 0 … 100)")


class TrendPoint(BaseModel):
    day: date
    views: int
    viewer_days: int
    watch_ms: int


class DayCount(BaseModel):
    day: date
    viewers: int


class ActiveViewers(BaseModel):
    since: date
    until: date
    viewers: int = Field(description="Distinct viewers over the whole period")
    days: list[DayCount]


class SpeakerTalk(BaseModel):
    speaker_id: UUID
    label: str
    display_name: str | None
    person_id: UUID | None
    talk_ms: int
    segments: int
    share: float


class PersonTalk(BaseModel):
    person_id: UUID
    name: str
    talk_ms: int
    meetings: int


Kind = Literal["video", "scene", "master"]
