"""The shapes of search at the edges: the request (query, mode, filters, page) and the hits."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, model_validator

from mediabase.common.models import Model, Ms
from mediabase.common.types import LINE, Instant
from mediabase.search.text import MAX_QUERY_CHARS

Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
SpeakerName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class SearchMode(StrEnum):
    keyword = "keyword"
    semantic = "semantic"
    hybrid = "hybrid"


class Match(StrEnum):
    """Keyword matching: every term (websearch syntax, the default) or any term."""

    all = "all"
    any = "any"


class SearchFilters(Model):
    """Narrow a search. The caller's organization always applies; these come on top (AND)."""

    video_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    channel_id: UUID | None = None
    series_id: UUID | None = None
    collection_id: UUID | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20, description="videos with all of them")
    speaker_ids: list[UUID] = Field(default_factory=list, max_length=100)
    person_ids: list[UUID] = Field(default_factory=list, max_length=100)
    speaker: SpeakerName | None = Field(
        default=None, description="a speaker's label or display name (case-insensitive)")
    language: Language | None = Field(default=None, description="'en' also matches 'en-GB'")
    recorded_from: Instant | None = None
    recorded_to: Instant | None = Field(default=None, description="exclusive")
    from_ms: Ms | None = Field(default=None, description="hits that end at or after this position")
    to_ms: Ms | None = Field(default=None, description="hits that start before this position")

    @model_validator(mode="after")
    def _ranges(self) -> SearchFilters:
        if self.from_ms is not None and self.to_ms is not None and self.to_ms < self.from_ms:
            raise ValueError("to_ms must not be before from_ms")
        if self.recorded_from and self.recorded_to and self.recorded_to < self.recorded_from:
            raise ValueError("recorded_to must not be before recorded_from")
        return self

    @property
    def by_speaker(self) -> bool:
        return bool(self.speaker_ids or self.person_ids or self.speaker)

    @property
    def by_position(self) -> bool:
        return self.from_ms is not None or self.to_ms is not None


class SearchRequest(Model):
    """One search. ``mode`` None: hybrid when semantic search is installed, else keyword."""

    q: Annotated[str, StringConstraints(min_length=1, max_length=MAX_QUERY_CHARS)]
    mode: SearchMode | None = None
    filters: SearchFilters = Field(default_factory=SearchFilters)
    limit: Annotated[int, Field(ge=1, le=100)] = 10
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None
    group_by_video: bool = False
    per_video: Annotated[int, Field(ge=1, le=20)] = 3
    match: Match = Match.all
    keyword_weight: Annotated[float, Field(ge=0, le=100)] = 1.0
    semantic_weight: Annotated[float, Field(ge=0, le=100)] = 1.0
    rrf_k: Annotated[int, Field(ge=1, le=10_000)] = 60
    min_similarity: Annotated[float, Field(ge=-1, le=1)] | None = Field(
        default=None, description="semantic and hybrid: leave out chunks less similar to the query "
                                  "(cosine); default MEDIABASE_SEARCH_MIN_SIMILARITY, -1 keeps all")
    score_floor: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=None, description="hybrid: leave out hits scoring below this share of the best hit's "
                                  "score; default MEDIABASE_SEARCH_SCORE_FLOOR, 0 keeps all")


HitKind = Literal["segment", "chunk", "video"]


class Hit(BaseModel):
    """One moment: where in which video, who said it, the words, and how well it matched."""

    kind: HitKind = Field(description="segment (keyword), chunk (semantic, hybrid) or video (its metadata)")
    video_id: UUID
    video_title: str
    transcript_id: UUID | None
    segment_id: UUID | None = Field(description="the matching segment, when there is one")
    chunk_id: UUID | None
    speaker: str | None = Field(description="who speaks first in the hit (display name or label)")
    speaker_id: UUID | None
    speakers: list[str] = Field(description="everyone who speaks in the hit")
    start_ms: int
    end_ms: int
    text: str
    snippet: str = Field(description="the text around the match; matches in <mark>, the rest HTML-escaped")
    score: float = Field(description="keyword: ts_rank_cd; semantic: cosine similarity; hybrid: fused RRF")
    keyword_rank: int | None = None
    semantic_rank: int | None = None
    deep_link: str = Field(description="the media URL with #t=<seconds>, or the API link to the moment")


class VideoGroup(BaseModel):
    video_id: UUID
    video_title: str
    score: float = Field(description="the best hit's score")
    hits: list[Hit]


class SearchPage(BaseModel):
    query: str
    mode: SearchMode
    model: str | None = Field(description="the embedding model of semantic and hybrid searches")
    hits: list[Hit]
    groups: list[VideoGroup] | None = None
    next_cursor: str | None = None
    relaxed: bool = Field(default=False, description="no hit had every term; hits with any term follow")
    unindexed: int = Field(default=0, description="current transcripts not yet embedded for the model")
    notices: list[str] = Field(default_factory=list)
