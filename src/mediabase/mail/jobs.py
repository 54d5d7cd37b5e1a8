"""The mail outbox's background work, registered with the job queue (docs/mail.md):

- ``mail.send`` (a job per attempt, enqueued with the message): one attempt at one message
  through the configured transport (:func:`mediabase.mail.service.deliver`);
- ``mail.recover`` (upkeep, every maintenance pass): a job for each message that has been due
  for over a minute without one (its job failed for good, or a sender died holding it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.db.rows import Conn
from mediabase.jobs.registry import JobContext, PermanentError, periodic, register
from mediabase.mail import service
from mediabase.mail.transport import MailConfigError, transport_from_settings


@register(service.JOB_TYPE, timeout=service.CLAIM_SECONDS - 30)
async def send(ctx: JobContext) -> dict[str, Any]:
    settings = get_settings()
    try:
        transport = transport_from_settings(settings)
    except MailConfigError as exc:  # the message stays queued; the sweep asks again once it is fixed
        raise PermanentError(str(exc), code="mail_config") from None
    try:
        message_id = UUID(str(ctx.job.input.get("id")))
    except ValueError:
        raise PermanentError("input.id is not a message id", code="bad_input") from None
    outcome = await service.deliver(ctx.db, ctx.org_id, message_id, transport, settings)
    return {"outcome": outcome}


@periodic("mail.recover", order=60)
async def recover(conn: Conn, _settings: Any) -> str | None:
    n = await service.recover(conn)
    return f"mail: {n} due message(s) without a job asked for again" if n else None
