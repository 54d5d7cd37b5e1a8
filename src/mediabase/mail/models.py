"""Pydantic models of the mail outbox (docs/mail.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT


class MailStatus(StrEnum):
    """Where a message is: ``queued`` (waiting for its first attempt, or sent back by hand),
    ``sending`` (a sender holds it until ``next_attempt_at``), ``sent``, ``failed`` (the last
    attempt failed; tried again at ``next_attempt_at``) or ``dead`` (given up; ``last_error`` says why)."""

    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"
    dead = "dead"


Address = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r'^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$', max_length=320)
]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$", max_length=64)]
DedupeKey = Annotated[str, StringConstraints(min_length=1, max_length=200), LINE]
BodyText = Annotated[str, StringConstraints(min_length=1, max_length=1_000_000), TEXT]
BodyHtml = Annotated[str, StringConstraints(min_length=1, max_length=2_000_000), TEXT]


class NewMessage(Model):
    """A mail to queue. ``dedupe_key`` names it within the organization: queueing the same key
    again returns the first message and queues nothing."""

    to_address: Address
    subject: Subject
    body_text: BodyText
    body_html: BodyHtml | None = None
    kind: Kind
    dedupe_key: DedupeKey
    recipient_user_id: UUID | None = None


class Queued(Model):
    """What queueing answered: the message's id, and whether this call created it."""

    id: UUID
    created: bool


class MessageSummary(Model):
    """A line of the outbox (no bodies)."""

    id: UUID
    kind: str
    recipient_user_id: UUID | None
    to_address: str
    subject: str
    status: MailStatus
    attempts: int
    max_attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None
    created_at: datetime
    updated_at: datetime


class Message(MessageSummary):
    """A message with its bodies and dedupe key."""

    dedupe_key: str
    body_text: str
    body_html: str | None


class SendReport(Model):
    """What one pass of sending did: messages sent, failed (to be tried again), given up (dead),
    and found in another sender's hands."""

    sent: int = 0
    failed: int = 0
    dead: int = 0
    busy: int = 0
