"""Pydantic models of V Studio: sessions per master, options, votes and tallies
(docs/music-catalog.md, "V Studio")."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, Instant

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), LINE]


class Weighting(StrEnum):
    one_per_member = "one_per_member"  # every vote weighs 1
    holdings = "holdings"  # a vote weighs the voter's holdings of the master's shares at opens_at


class SessionCreate(Model):
    master_id: UUID
    title: Label
    description: Annotated[str, Field(max_length=10000), TEXT] | None = None
    opens_at: Instant
    closes_at: Instant
    weighting: Weighting = Weighting.one_per_member
    options: Annotated[list[Label], Field(min_length=2, max_length=50)]

    @model_validator(mode="after")
    def _window(self) -> SessionCreate:
        if self.opens_at >= self.closes_at:
            raise ValueError("closes_at must be after opens_at")
        return self


class Option(Model):
    id: UUID
    label: str
    position: int


class Session(Model):
    id: UUID
    master_id: UUID
    title: str
    description: str | None
    opens_at: datetime
    closes_at: datetime
    weighting: Weighting
    asset_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    options: list[Option] = Field(default_factory=list)


class VoteCast(Model):
    option_id: UUID


class Vote(Model):
    session_id: UUID
    user_id: UUID
    option_id: UUID
    weight: int
    cast_at: datetime


class TallyRow(Model):
    option_id: UUID
    label: str
    position: int
    votes: int
    weight: int
