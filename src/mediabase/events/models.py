"""The event outbox's shapes (docs/events.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class Event(BaseModel):
    """Something that happened in an organization, as subscribers and receivers see it."""

    organization_id: UUID
    id: UUID = Field(description="unique per event; a webhook receiver's idempotency key")
    type: str = Field(description="e.g. video.transcribed (mediabase events types lists them)")
    subject_type: str = Field(description="what the event is about: video, transcript, comment …")
    subject_id: UUID
    data: dict[str, Any] = Field(description="a small payload chosen per type; fetch more by id")
    actor_id: UUID | None = None
    request_id: str | None = None
    occurred_at: datetime
    dispatched_at: datetime | None = Field(None, description="when the subscribers were handed it")


class EventType(BaseModel):
    type: str
    subject_type: str
    description: str
