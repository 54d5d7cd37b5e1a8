"""Outgoing webhooks' shapes (docs/webhooks.md): endpoints, deliveries, attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT

EVENT_TYPE_PATTERN = r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$"
EventTypeName = Annotated[str, StringConstraints(pattern=EVENT_TYPE_PATTERN, max_length=100)]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000), LINE]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), TEXT]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
EventTypes = Annotated[list[EventTypeName], Field(min_length=1, max_length=100,
                                                  description="event types to receive (GET /event-types)")]


class EndpointCreate(Model):
    url: Url = Field(description="https:// URL the events are POSTed to")
    event_types: EventTypes
    description: Description = ""


class EndpointUpdate(Model):
    url: Url | None = None
    event_types: EventTypes | None = None
    description: Description | None = None


class EndpointDisable(Model):
    reason: Reason = "disabled by hand"


class Endpoint(Model):
    id: UUID
    url: str
    event_types: list[str]
    description: str
    disabled_at: datetime | None = Field(description="set: no new deliveries, pending ones go dead")
    disabled_reason: str | None
    consecutive_failures: int = Field(description="failed attempts in a row; a success resets it")
    previous_secret_expires_at: datetime | None = Field(
        description="after a rotation: until when the previous secret still signs (a second signature)")
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(Endpoint):
    secret: str = Field(description="the signing secret (Standard Webhooks whsec_…): shown this once, never again")


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


class Delivery(Model):
    id: UUID
    endpoint_id: UUID
    event_id: UUID = Field(description="also the webhook-id header: the receiver's idempotency key")
    event_type: str
    status: DeliveryStatus
    attempts: int
    max_attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    dead_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Attempt(Model):
    id: UUID
    delivery_id: UUID
    attempt: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    ok: bool
    error: str | None


class DeliveryDetail(Delivery):
    attempts_made: list[Attempt]
