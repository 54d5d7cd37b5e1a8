"""The organization's mail outbox (docs/mail.md): what mediabase sent or will send, for ADMINs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.mail import service as mail
from mediabase.mail.models import MailStatus, Message, MessageSummary

router = APIRouter(tags=["mail"])


@router.get("/mail/outbox", summary="The organization's outgoing mail, newest first (ADMIN)")
async def list_outbox(
    db: DbDep,
    p: PrincipalDep,
    status: Annotated[MailStatus | None, Query(description="Only messages in this state")] = None,
    kind: Annotated[str | None, Query(max_length=64, pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$",
                                      description="Only this kind of mail, e.g. decision.digest")] = None,
    recipient: Annotated[UUID | None, Query(description="Only mail for this member (user id)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> Page[MessageSummary]:
    """Every message with its delivery state: ``queued``, ``sending``, ``sent``, ``failed``
    (tried again at ``next_attempt_at``) or ``dead`` (given up; ``last_error`` says why)."""
    return await mail.list_messages(db, p, status=status, kind=kind, recipient_user_id=recipient, limit=limit,
                                    cursor=cursor)


@router.get("/mail/outbox/{message_id}", summary="One outgoing message with its bodies (ADMIN)")
async def get_outbox_message(db: DbDep, p: PrincipalDep, message_id: UUID) -> Message:
    return await mail.get_message(db, p, message_id)


@router.post("/mail/outbox/{message_id}/retry", summary="Queue a failed or dead message again (ADMIN)")
async def retry_outbox_message(db: DbDep, p: PrincipalDep, message_id: UUID) -> Message:
    """The message goes back to ``queued`` with a fresh set of attempts, and a job sends it.
    A message that is queued, being sent or sent answers 409."""
    return await mail.retry_message(db, p, message_id)
