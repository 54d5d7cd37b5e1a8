"""Answers from the rollups, as read-only units of work (a replica serves them when one is
configured: ``db.transaction(..., readonly=True)``). Never from the raw events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

from mediabase.analytics.ingest import Q
from mediabase.analytics.models import (
    PERCENTS,
    ActiveViewers,
    DayCount,
    PersonTalk,
    RetentionCurve,
    SpeakerTalk,
    TopVideo,
    TrendPoint,
)
from mediabase.common.errors import Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.identity.models import Principal

MAX_DAYS = 400  # the longest period one query covers
DEFAULT_DAYS = 30


def period(since: date | None, until: date | None) -> tuple[date, date]:
    """[since, until) in UTC days; default the last 30 days up to and including today."""
    end = until or (datetime.now(UTC).date() + timedelta(days=1))
    start = since or (end - timedelta(days=DEFAULT_DAYS))
    if start >= end:
        raise Invalid("since: must be before until", field="since")
    if (end - start).days > MAX_DAYS:
        raise Invalid(f"until: a period spans at most {MAX_DAYS} days", field="until")
    return start, end


async def top_videos(db: Database, p: Principal, since: date | None = None, until: date | None = None,
                     limit: int = 10) -> list[TopVideo]:
    """The organization's videos with the most watch time in the period, most first."""
    if not 1 <= limit <= 100:
        raise Invalid("limit: between 1 and 100", field="limit")
    lo, hi = period(since, until)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.execute(Q.top_videos, {"org": p.organization_id, "since": lo, "until": hi,
                                                        "limit": limit})).fetchall()
    return [TopVideo(**r) for r in rows]


async def retention(db: Database, p: Principal, video_id: UUID, since: date | None = None,
                    until: date | None = None) -> RetentionCurve:
    """A video's retention curve over the period: of the viewers (once per day) who played
    any of it, the share who played the point at each percent."""
    lo, hi = period(since, until)
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        video = await (await conn.execute(Q.video_title, {"org": org, "id": video_id})).fetchone()
        if video is None:
            raise NotFound("video not found")
        row = await (await conn.execute(Q.retention, {"org": org, "id": video_id, "since": lo, "until": hi})).fetchone()
    assert row is not None
    timed = row["timed_viewer_days"] or 0
    watching = row["watching"] or [0] * PERCENTS
    shares = [round(n / timed, 6) if timed else 0.0 for n in watching]
    return RetentionCurve(subject_id=video_id, title=video["title"], duration_ms=video["duration_ms"], since=lo,
                          until=hi, viewer_days=row["viewer_days"], shares=shares)


async def channel_trend(db: Database, p: Principal, channel_id: UUID, since: date | None = None,
                        until: date | None = None) -> list[TrendPoint]:
    """A channel's views, viewers and watch time per day (days without any left out)."""
    lo, hi = period(since, until)
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        if await (await conn.execute(Q.channel_exists, {"org": org, "id": channel_id})).fetchone() is None:
            raise NotFound("channel not found")
        rows = await (await conn.execute(Q.channel_trend, {"org": org, "id": channel_id, "since": lo,
                                                           "until": hi})).fetchall()
    return [TrendPoint(**r) for r in rows]


async def active_viewers(db: Database, p: Principal, since: date | None = None,
                         until: date | None = None) -> ActiveViewers:
    """The organization's distinct viewers over the period, and per day."""
    lo, hi = period(since, until)
    params = {"org": p.organization_id, "since": lo, "until": hi}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        total = await (await conn.execute(Q.active_viewers, params)).fetchone()
        days = await (await conn.execute(Q.active_viewers_by_day, params)).fetchall()
    return ActiveViewers(since=lo, until=hi, viewers=total["viewers"] if total else 0,
                         days=[DayCount(**d) for d in days])


async def talk_time(db: Database, p: Principal, video_id: UUID) -> list[SpeakerTalk]:
    """Who spoke how long in a meeting (its current transcript), longest first."""
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        if await (await conn.execute(Q.video_title, {"org": org, "id": video_id})).fetchone() is None:
            raise NotFound("video not found")
        rows = await (await conn.execute(Q.talk_time, {"org": org, "id": video_id})).fetchall()
    total = sum(r["talk_ms"] for r in rows)
    return [SpeakerTalk(**r, share=round(r["talk_ms"] / total, 6) if total else 0.0) for r in rows]


async def talk_time_people(db: Database, p: Principal, limit: int = 50) -> list[PersonTalk]:
    """Talk time per person over every meeting (speakers linked to people), most first."""
    if not 1 <= limit <= 500:
        raise Invalid("limit: between 1 and 500", field="limit")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.execute(Q.talk_time_people, {"org": p.organization_id, "limit": limit})).fetchall()
    return [PersonTalk(**r) for r in rows]
