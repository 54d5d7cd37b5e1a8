"""Pydantic models of the integrations domain. No model that is answered holds a secret: an
account says which secrets it has (``has_access_token`` …), never what they are."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, Field, SecretStr, StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE, Instant

_SECRET = re.compile(r"^[!-~]{1,4096}$")


def _printable_secret(value: SecretStr) -> SecretStr:
    if not _SECRET.fullmatch(value.get_secret_value()):
        raise ValueError("must be 1 to 4096 printable ASCII characters without spaces")
    return value


class Provider(StrEnum):
    """The services an account may be at (the database checks the same list). Only ``zoom`` has an
    adapter (incoming webhooks, imports) so far; docs/integrations.md says how to add one."""

    zoom = "zoom"
    google_drive = "google_drive"
    slack = "slack"


class AccountStatus(StrEnum):
    active = "active"
    """Receives webhooks and imports."""
    paused = "paused"
    """Refuses webhooks (409) and imports until set active again."""
    error = "error"
    """Set by the worker when the provider refused the account's credentials; still receives."""
    revoked = "revoked"
    """Disconnected: refuses webhooks and imports; its secrets are cleared."""


Secret = Annotated[SecretStr, AfterValidator(_printable_secret)]
ExternalId = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,200}$")]
Scope = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,200}$")]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]


class AccountCreate(Model):
    provider: Provider
    external_account_id: ExternalId
    """The account's id at the provider (Zoom: the account_id its webhooks carry)."""
    display_name: DisplayName | None = None
    scopes: Annotated[list[Scope], Field(max_length=100)] = Field(default_factory=list)
    access_token: Secret | None = None
    refresh_token: Secret | None = None
    token_expires_at: Instant | None = None
    webhook_secret: Secret | None = None
    """The provider's signing secret for this account's webhooks (Zoom: the app's Secret Token)."""


class AccountUpdate(Model):
    """Fields to change; a field left out stays as it is."""

    display_name: DisplayName | None = None
    scopes: Annotated[list[Scope], Field(max_length=100)] | None = None
    status: AccountStatus | None = None


class SecretsUpdate(Model):
    """Secrets to set; a field left out stays, an explicit null clears it."""

    access_token: Secret | None = None
    refresh_token: Secret | None = None
    token_expires_at: Instant | None = None
    webhook_secret: Secret | None = None


class Account(Model):
    id: UUID
    provider: Provider
    external_account_id: str
    display_name: str | None
    scopes: list[str]
    status: AccountStatus
    status_detail: str | None
    sync_cursor: str | None
    sync_cursor_updated_at: datetime | None
    token_expires_at: datetime | None
    has_access_token: bool
    has_refresh_token: bool
    has_webhook_secret: bool
    secrets_key_id: str | None
    """The id of the key the secrets are sealed under (not the key)."""
    connected_by: UUID | None
    created_at: datetime
    updated_at: datetime


class EventStatus(StrEnum):
    received = "received"
    processed = "processed"
    ignored = "ignored"
    failed = "failed"


class IntegrationEvent(Model):
    """A stored webhook delivery; the payload is without its secret fields."""

    id: UUID
    account_id: UUID
    provider: Provider
    delivery_id: str
    event_type: str
    payload: dict[str, Any]
    body_sha256: str
    status: EventStatus
    result: dict[str, Any] | None
    error: str | None
    received_at: datetime
    processed_at: datetime | None


class ItemKind(StrEnum):
    recording = "recording"
    transcript = "transcript"


class ExternalItem(Model):
    id: UUID
    provider: Provider
    external_id: str
    kind: ItemKind
    account_id: UUID | None
    video_id: UUID | None
    transcript_id: UUID | None
    imported_at: datetime


class WebhookAck(Model):
    """The answer to a verified delivery: stored now, or stored already (a re-delivery)."""

    status: Literal["stored", "duplicate"]
    event_id: UUID


class UrlValidation(Model):
    """Zoom's endpoint.url_validation answer."""

    plainToken: str  # Zoom's field names
    encryptedToken: str


class ImportStatus(StrEnum):
    loaded = "loaded"
    """A new video with its transcript (if the recording had one)."""
    transcript_added = "transcript_added"
    """A video imported earlier got a transcript file it did not have (a new transcript version)."""
    skipped = "skipped"
    """Every item of the recording was imported already: nothing written."""


class ImportOutcome(Model):
    source: str
    """Where the recording was read (``feed.json: meetings[0]``, ``events.jsonl:3``, an event id)."""
    external_id: str
    title: str
    status: ImportStatus
    video_id: UUID | None
    transcript_id: UUID | None = None
    segments: int = 0
    speakers: int = 0


class ImportReport(Model):
    account_id: UUID
    outcomes: list[ImportOutcome]
    sync_cursor: str | None
