"""Pydantic models of the music catalog: roles, artists and producers, masters, credits and
versioned contracts with their splits (docs/music-catalog.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, JsonObject

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), LINE]
Bio = Annotated[str, Field(max_length=10000), TEXT]
Notes = Annotated[str, Field(max_length=10000), TEXT]
Isrc = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().upper().replace("-", "") if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$"),
    Field(description="ISRC without dashes: country (2 letters), registrant (3), year (2) and designation (5)"),
]
CreditRole = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z][a-z_-]{0,39}$"),
    Field(description="producer, mixing, mastering, writer, featured, … (a lowercase word)"),
]
Bps = Annotated[int, Field(ge=1, le=10000, description="basis points: 1 to 10,000 (10,000 = 100 %)")]
DurationMs = Annotated[int, Field(ge=1, le=86_400_000)]


class MusicRole(StrEnum):
    """A member's role in the music marketplace, beside the membership's OWNER/ADMIN/MEMBER."""

    artist = "artist"  # edits the masters of the artist profile linked to their user
    producer = "producer"
    fan = "fan"  # reads and votes


class RoleGrant(Model):
    user_id: UUID
    role: MusicRole


class RoleAssignment(Model):
    user_id: UUID
    role: MusicRole
    granted_by: UUID | None
    granted_at: datetime


# -- artists and producers ------------------------------------------------------------------------


class ProfileCreate(Model):
    """An artist or producer: the profile of a user (``user_id``) or of someone without an account."""

    name: Name
    slug: Slug | None = Field(None, description="defaults to the name in lowercase words")
    user_id: UUID | None = None
    bio: Bio | None = None


class ProfileUpdate(Model):
    name: Name | None = None
    slug: Slug | None = None
    user_id: UUID | None = None
    bio: Bio | None = None


class Profile(Model):
    id: UUID
    user_id: UUID | None
    name: str
    slug: str
    bio: str | None
    created_at: datetime
    updated_at: datetime


# -- masters -------------------------------------------------------------------------------------


class MasterType(StrEnum):
    single = "single"
    album = "album"
    ep = "ep"
    track = "track"
    stem = "stem"
    remix = "remix"


class MasterStatus(StrEnum):
    draft = "draft"
    review = "review"
    published = "published"
    archived = "archived"


class MasterCreate(Model):
    artist_id: UUID
    title: Title
    master_type: MasterType = MasterType.single
    isrc: Isrc | None = None
    duration_ms: DurationMs | None = None
    video_id: UUID | None = Field(None, description="the video row holding the master's audio (transcripts, search)")


class MasterUpdate(Model):
    title: Title | None = None
    master_type: MasterType | None = None
    isrc: Isrc | None = None
    duration_ms: DurationMs | None = None
    video_id: UUID | None = None
    status: MasterStatus | None = Field(
        None, description="draft→review, review→draft, review→published, published→archived, draft→archived"
    )


class Master(Model):
    id: UUID
    artist_id: UUID
    title: str
    master_type: MasterType
    status: MasterStatus
    isrc: str | None
    duration_ms: int | None
    video_id: UUID | None
    created_by: UUID | None
    released_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CreditCreate(Model):
    producer_id: UUID
    role: CreditRole = "producer"


class Credit(Model):
    master_id: UUID
    producer_id: UUID
    producer_name: str
    role: str
    created_at: datetime


# -- contracts -------------------------------------------------------------------------------------


class Party(StrEnum):
    artist = "artist"
    producer = "producer"
    label = "label"
    investors = "investors"  # the IPO's pool: the master's share holders


class SplitLine(Model):
    """One line of a version's splits: exactly the reference its party names."""

    party: Party
    artist_id: UUID | None = None
    producer_id: UUID | None = None
    label_name: Name | None = None
    bps: Bps

    @model_validator(mode="after")
    def _target(self) -> SplitLine:
        wanted = {Party.artist: "artist_id", Party.producer: "producer_id", Party.label: "label_name"}.get(self.party)
        for name in ("artist_id", "producer_id", "label_name"):
            given = getattr(self, name) is not None
            if given != (name == wanted):
                raise ValueError(f"a {self.party.value} line {'needs' if name == wanted else 'has no'} {name}")
        return self


Splits = Annotated[list[SplitLine], Field(min_length=1, max_length=100)]


class ContractCreate(Model):
    """A new draft version of the master's contract (numbered by the database: the next one)."""

    terms: JsonObject = Field(default_factory=dict)
    notes: Notes | None = None
    splits: Splits


class ContractUpdate(Model):
    """A draft's changes (a signed version never changes): splits given replace all lines."""

    terms: JsonObject | None = None
    notes: Notes | None = None
    splits: Splits | None = None


class ContractStatus(StrEnum):
    draft = "draft"
    signed = "signed"
    superseded = "superseded"


class Contract(Model):
    id: UUID
    master_id: UUID
    version: int
    status: ContractStatus
    terms: dict[str, object]
    notes: str | None
    signed_by: UUID | None
    signed_at: datetime | None
    superseded_at: datetime | None
    created_by: UUID | None
    created_at: datetime
    splits: list[SplitLine] = Field(default_factory=list)
