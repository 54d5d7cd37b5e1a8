"""Decision digests: the daily and weekly notifications, gathered into one mail per member and
period (docs/collab.md, "Digests").

A decision under a tag a member subscribed to with frequency ``daily`` or ``weekly`` becomes a
notification with that ``delivery`` (0007's trigger). Once a period has ended — a UTC day
(00:00 to 24:00 UTC), or an ISO week (Monday 00:00 UTC to the next Monday) — the worker's upkeep
(``collab.digests``, every maintenance pass) composes, for each member with such notifications
in no digest yet, **one** digest: a ``notification_digests`` row, one mail in the outbox
(:mod:`mediabase.mail`; dedupe key ``digest:<frequency>:<user id>:<period>``) listing each
decision (summary, tag, video title, a link to its moment ``…/videos/<id>?t=<seconds>``), and
the notifications marked with the digest's id — all in one transaction. A crash before the
commit leaves everything pending for the next run; after it, the mail is queued with its send
job. A second run finds the digest of that period and composes nothing.

A digest takes every pending notification created before its period's end, so one that
committed late (after its period's digest was composed) goes into the next period's digest,
never lost. A member whose e-mail notifications are off, or whose account is deactivated, gets
the digest recorded but not mailed (``skipped``). Instant notifications are not touched.
"""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from mediabase.common.models import Model
from mediabase.config import Settings, get_settings
from mediabase.db.errors import Conflict, Invalid, MediabaseError, register_constraint, translated
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn
from mediabase.jobs.registry import periodic
from mediabase.mail.models import NewMessage
from mediabase.mail.service import queue_message

Q = load_queries("mediabase.collab", "digests.sql")
log = logging.getLogger("mediabase.collab")

Frequency = Literal["daily", "weekly"]
FREQUENCIES: tuple[Frequency, ...] = ("daily", "weekly")
MAIL_KIND = "decision.digest"
_ADDRESS = re.compile(r'^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$')

for _name, _message, _field in (
    ("notification_digests_period_shape", "a digest's period is a whole UTC day or ISO week", "period_start"),
    ("notification_digests_period_closed", "a digest is composed once its period has ended", "period_end"),
    ("notification_digests_mailed_or_skipped", "a digest is mailed or says why not", "skipped"),
    ("notifications_digest_only_batched", "only daily and weekly notifications go into digests", "digest_id"),
):
    register_constraint(_name, Invalid, _message, field=_field)
register_constraint("notification_digests_message_fk", Conflict, "the mail of a digest is kept with its digest",
                    field="message_id")
register_constraint("notifications_digest_fk", Invalid,
                    "a notification goes into a digest of its own member and frequency", field="digest_id")
register_constraint("notification_digests_period_key", Conflict,
                    "this member's digest of this period exists already", field="period_start")
register_constraint("notification_digests_immutable", Conflict, None)


@dataclass(frozen=True, slots=True)
class Period:
    frequency: Frequency
    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        """``2026-12-07`` for a day, ``2026-W49`` for an ISO week."""
        if self.frequency == "daily":
            return f"{self.start:%Y-%m-%d}"
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    def describe(self) -> str:
        if self.frequency == "daily":
            return f"on {self.start:%A %d %B %Y} (UTC)"
        last = self.end - timedelta(days=1)
        return f"in the week of {self.start:%d %B} to {last:%d %B %Y} (ISO week {self.label}, UTC)"


def last_closed_period(frequency: Frequency, at: datetime) -> Period:
    """The latest period of ``frequency`` that has ended at ``at``: yesterday (UTC) for daily,
    last ISO week (Monday to Monday, UTC) for weekly."""
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    day = at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == "daily":
        return Period(frequency, day - timedelta(days=1), day)
    monday = day - timedelta(days=day.weekday())
    return Period(frequency, monday - timedelta(days=7), monday)


class DigestLine(Model):
    """One member's digest of one period: composed, skipped (why), already there, or (dry run) due."""

    organization_id: UUID
    user_id: UUID
    frequency: str
    period: str
    notifications: int
    outcome: Literal["composed", "skipped", "exists", "due", "failed"]
    skipped: str | None = None
    message_id: UUID | None = None


@dataclass(slots=True)
class _Item:
    summary: str
    tag: str | None
    video_title: str | None
    link: str | None
    at: str | None


@dataclass(slots=True)
class _Digest:
    period: Period
    name: str
    org_name: str
    items: list[_Item] = field(default_factory=list)


def _clock(ms: int) -> str:
    return f"{ms // 3_600_000}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}"


def _item(row: dict[str, Any], public_url: str) -> _Item:
    link = None
    if row["video_id"] is not None and not row["video_deleted"]:
        link = f"{public_url.rstrip('/')}/videos/{row['video_id']}"
        if row["position_ms"] is not None:
            link += f"?t={row['position_ms'] // 1000}"
    return _Item(summary=row["summary"] or row["title"], tag=row["tag"], video_title=row["video_title"],
                 link=link, at=_clock(row["position_ms"]) if row["position_ms"] is not None else None)


def render(d: _Digest) -> tuple[str, str, str]:
    """Subject, text body and HTML body of a digest."""
    n = len(d.items)
    noun = "decision" if n == 1 else "decisions"
    subject = " ".join(f"{d.org_name}: {n} {noun} {d.period.describe().split(' (')[0]}".split())[:500]
    intro = (f"Hello {d.name},\n\n{n} {noun} under the tags you follow in {d.org_name} "
             f"{d.period.describe()}:\n")
    lines = [intro]
    for it in d.items:
        video = f"{it.video_title} at {it.at}" if it.video_title and it.at else it.video_title
        where = " · ".join(x for x in (f"#{it.tag}" if it.tag else None, video) if x)
        lines.append(f"- {it.summary}")
        if where:
            lines.append(f"  {where}")
        if it.link:
            lines.append(f"  {it.link}")
    lines.append(f"\nYou get this {d.period.frequency} digest because you subscribed to these tags with frequency "
                 f"'{d.period.frequency}'. Change the frequency of your decision subscriptions to stop or change it.")
    text = "\n".join(lines) + "\n"
    items_html = []
    for it in d.items:
        meta = " · ".join(html.escape(x) for x in (f"#{it.tag}" if it.tag else None, it.video_title) if x)
        if it.link:
            meta += f' · <a href="{html.escape(it.link, quote=True)}">{html.escape(it.at or "open")}</a>'
        items_html.append(f"<li><strong>{html.escape(it.summary)}</strong><br><small>{meta}</small></li>")
    body_html = (f"<!DOCTYPE html><html><body><p>Hello {html.escape(d.name)},</p>"
                 f"<p>{n} {noun} under the tags you follow in {html.escape(d.org_name)} "
                 f"{html.escape(d.period.describe())}:</p><ul>{''.join(items_html)}</ul>"
                 f"<p><small>You get this {d.period.frequency} digest because you subscribed to these tags with "
                 f"frequency '{d.period.frequency}'.</small></p></body></html>")
    return subject, text, body_html


async def _compose_one(conn: Conn, org: UUID, user_id: UUID, period: Period, settings: Settings) -> DigestLine:
    """One member's digest of ``period``, in one transaction on the owner's ``conn``."""
    params: dict[str, Any] = {"org": org, "user_id": user_id, "frequency": period.frequency,
                              "period_start": period.start, "period_end": period.end}
    line = DigestLine(organization_id=org, user_id=user_id, frequency=period.frequency, period=period.label,
                      notifications=0, outcome="exists")
    async with conn.transaction():
        rows = await (await conn.execute(Q.lock_pending, params)).fetchall()
        if not rows or (await (await conn.execute(Q.digest_exists, params)).fetchone()) is not None:
            return line  # taken by another composer, or this period's digest exists: the next one takes them
        line.notifications = len(rows)
        who = await (await conn.execute(Q.recipient, params)).fetchone()
        assert who is not None  # a notification's user is a member (FK), so a user
        skipped = ("inactive" if not who["is_active"] else "email_off" if not who["email_on"]
                   else "bad_address" if not _ADDRESS.match(who["email"]) else None)
        message_id = None
        if skipped is None:
            digest = _Digest(period, who["display_name"] or who["username"], who["org_name"],
                             [_item(r, settings.public_url) for r in rows])
            subject, text, body_html = render(digest)
            queued = await queue_message(conn, org, NewMessage(
                to_address=who["email"], subject=subject, body_text=text, body_html=body_html, kind=MAIL_KIND,
                dedupe_key=f"digest:{period.frequency}:{user_id}:{period.label}", recipient_user_id=user_id,
            ), max_attempts=settings.mail_max_attempts)
            if not queued.created:
                return line  # its mail exists: composed before (by a run whose digest row this one did not see)
            message_id = queued.id
        row = await (await conn.execute(Q.insert_digest, {**params, "count": len(rows), "message_id": message_id,
                                                          "skipped": skipped})).fetchone()
        assert row is not None
        await conn.execute(Q.mark_digested, {**params, "digest_id": row["id"], "ids": [r["id"] for r in rows]})
    line.outcome, line.skipped, line.message_id = ("skipped" if skipped else "composed"), skipped, message_id
    return line


async def compose_digests(conn: Conn, *, frequency: Frequency, at: datetime | None = None, org: UUID | None = None,
                          dry_run: bool = False, limit: int = 10_000,
                          settings: Settings | None = None) -> list[DigestLine]:
    """Compose the digests of the last ``frequency`` period closed at ``at`` (now), for every
    organization or ``org``; ``dry_run`` only says whose are due. ``conn`` is an owner's
    autocommit connection (each member's digest is a transaction of its own); a member whose
    digest fails is reported (``failed``) and left pending for the next run."""
    now = datetime.now(UTC)
    at = at or now
    if at > now:
        raise Invalid("a digest is composed for a period that has ended: --at cannot be in the future", field="at")
    settings = settings or get_settings()
    period = last_closed_period(frequency, at)
    params = {"frequency": frequency, "period_end": period.end, "org": org, "limit": limit}
    members = await (await conn.execute(Q.pending_members, params)).fetchall()
    out: list[DigestLine] = []
    for m in members:
        if dry_run:
            out.append(DigestLine(organization_id=m["organization_id"], user_id=m["user_id"], frequency=frequency,
                                  period=period.label, notifications=m["n"], outcome="due"))
            continue
        try:
            with translated():
                out.append(await _compose_one(conn, m["organization_id"], m["user_id"], period, settings))
        except MediabaseError as exc:
            log.warning("digest of user %s in organization %s failed: %s", m["user_id"], m["organization_id"], exc)
            out.append(DigestLine(organization_id=m["organization_id"], user_id=m["user_id"], frequency=frequency,
                                  period=period.label, notifications=m["n"], outcome="failed"))
    return out


@periodic("collab.digests", order=70)
async def compose_due(conn: Conn, _settings: Any) -> str | None:
    """Upkeep: the daily and weekly digests of the periods that have ended."""
    made = []
    for frequency in FREQUENCIES:
        lines = await compose_digests(conn, frequency=frequency)
        if n := sum(1 for line in lines if line.outcome in ("composed", "skipped")):
            made.append(f"{n} {frequency}")
    return f"decision digests composed: {', '.join(made)}" if made else None
