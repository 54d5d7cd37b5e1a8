"""The base of every domain's pydantic models, and the shapes they all share."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Ms = Annotated[int, Field(ge=0, le=10**12)]
"""A media position or length in milliseconds (0 to 10^12, about 31 years)."""

T = TypeVar("T")


class Model(BaseModel):
    """Unknown fields are refused (a typo is a 422, not silently dropped); rows and other
    objects validate by attribute."""

    model_config = ConfigDict(from_attributes=True, extra="forbid")


class Page(BaseModel, Generic[T]):
    """One page of a list, and the opaque cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None = None
