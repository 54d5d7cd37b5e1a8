"""Viewing analytics against real PostgreSQL (docs/analytics.md): ingest validates every event
(naming events[i].field) and writes all or nothing; tenants never see each other's events or
rollups; the rollups hold what the raw events say (a worked example); a deleted subject takes
its raw events and rollups along; and rollups rebuilt from scratch equal the incrementally
maintained ones, whatever the batches, days, viewers and deletions (hypothesis)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase import analytics
from mediabase.analytics import reports
from mediabase.analytics.models import RawEvent
from mediabase.analytics.rollups import refresh_all
from mediabase.common.errors import Forbidden, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.identity.models import KeyScope
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant, make_video

NOW = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
TODAY = NOW.date()


async def count(owner: Database, org: uuid.UUID) -> int:
    async with owner.transaction() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM mediabase.view_events WHERE organization_id = %s",
                                        (org,))).fetchone()
    assert row is not None
    return int(row["n"])


def watch(video: uuid.UUID, s: int, e: int, *, user: uuid.UUID | None = None, anon: str | None = None,
          at: datetime = NOW) -> RawEvent:
    return RawEvent("watch", at, video_id=video, user_id=user, anonymous_id=anon, start_ms=s, end_ms=e, client="web/1")


async def test_ingest_checks_every_event_and_writes_all_or_nothing(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    video = await make_video(db, a.owner, "kick-off", duration_ms=100_000)
    theirs = await make_video(db, b.owner, "theirs", duration_ms=100_000)
    good = [watch(video, 0, 1000, user=a.member.user_id), watch(video, 0, 500, anon="device-1")]
    assert await analytics.ingest(db, a.member, good) == 2
    bad: list[tuple[RawEvent, str]] = [
        (watch(video, 0, 10, anon="dev\x00ice"), "events[2].anonymous_id"),
        (watch(video, 500, 400, user=a.member.user_id), "events[2].end_ms"),
        (watch(video, 5, 5, user=a.member.user_id), "events[2].end_ms"),
        (watch(video, 0, 100_001, user=a.member.user_id), "events[2].end_ms"),
        (watch(video, -1, 10, user=a.member.user_id), "events[2].start_ms"),
        (watch(uuid.uuid4(), 0, 10, user=a.member.user_id), "events[2].video_id"),
        (watch(theirs, 0, 10, user=a.member.user_id), "events[2].video_id"),  # the wrong tenant's video
        (watch(video, 0, 10, user=b.member.user_id), "events[2].user_id"),  # the wrong tenant's member
        (watch(video, 0, 10, user=a.member.user_id, anon="x"), "events[2].user_id"),
        (watch(video, 0, 10), "events[2].user_id"),
        (RawEvent("watch", NOW, video_id=video, scene_id=uuid.uuid4(), user_id=a.member.user_id, start_ms=0,
                  end_ms=9), "events[2].video_id"),  # two subjects
        (RawEvent("view", NOW, user_id=a.member.user_id), "events[2].video_id"),  # none
        (RawEvent("view", NOW, video_id=video, user_id=a.member.user_id, start_ms=0, end_ms=9), "events[2].start_ms"),
        (RawEvent("watch", NOW, video_id=video, user_id=a.member.user_id), "events[2].start_ms"),
        (RawEvent("play", NOW, video_id=video, user_id=a.member.user_id), "events[2].kind"),
        (watch(video, 0, 10, user=a.member.user_id, at=NOW.replace(tzinfo=None)), "events[2].occurred_at"),
        (watch(video, 0, 10, user=a.member.user_id, at=NOW - timedelta(days=400)), "events[2].occurred_at"),
        (watch(video, 0, 10, user=a.member.user_id, at=NOW + timedelta(days=2)), "events[2].occurred_at"),
        (RawEvent("view", NOW, video_id=video, user_id=a.member.user_id, client="web\x00"), "events[2].client"),
    ]
    for event, field in bad:
        with pytest.raises(Invalid) as caught:
            await analytics.ingest(db, a.member, [*good, event])
        assert caught.value.field == field and field in str(caught.value), (event, caught.value)
    assert await count(owner_db, a.owner.organization_id) == 2  # nothing of the bad batches
    with pytest.raises(Forbidden):
        await analytics.ingest(db, a.member.model_copy(update={"scope": KeyScope.WORKER}), good)
    # the anonymous viewer is a keyed HMAC, never the identifier
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute("SELECT viewer_hmac, viewer_key FROM mediabase.view_events"
                                         " WHERE viewer_hmac IS NOT NULL")).fetchall()
    assert len(rows) == 1 and len(rows[0]["viewer_hmac"]) == 32 and b"device-1" not in rows[0]["viewer_hmac"]
    # row-level security: the other tenant sees none of it, raw or rolled up
    await analytics.refresh(db, a.owner.organization_id)
    async with db.transaction(b.owner.organization_id, b.owner.user_id) as conn:
        for table in ("view_events", "analytics_daily", "analytics_viewer_days", "analytics_talk_time"):
            row = await (await conn.execute(f"SELECT count(*) AS n FROM mediabase.{table}")).fetchone()  # type: ignore[arg-type]
            assert row is not None and row["n"] == 0, table
    with pytest.raises(NotFound):
        await reports.retention(db, b.owner, video)
    assert await reports.top_videos(db, b.owner) == []


async def test_the_rollups_say_what_the_raw_events_say(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("INSERT INTO mediabase.channels (organization_id, name) VALUES (%s, 'talks')"
                                        " RETURNING id", (org,))).fetchone()
    assert row is not None
    channel = row["id"]
    video = await make_video(db, a.owner, "kick-off", duration_ms=100_000, channel_id=channel)
    u = a.member.user_id
    await analytics.ingest(db, a.member, [
        RawEvent("view", NOW, video_id=video, user_id=u),
        RawEvent("view", NOW, video_id=video, anonymous_id="device-1"),
        watch(video, 0, 50_000, user=u), watch(video, 40_000, 100_000, user=u),  # overlapping: the whole video
        watch(video, 0, 25_000, anon="device-1"),
    ])
    async with owner_db.owner_connection() as conn:  # the worker's upkeep, as it runs it
        said = await refresh_all(conn, None)
    assert said == "analytics rollups: 1 subject-day(s), talk time of 1 video(s)"
    done = await analytics.refresh(db, org)
    assert done.pairs == 0 and done.talk_videos == 0
    lo, hi = TODAY, TODAY + timedelta(days=1)
    [top] = await reports.top_videos(db, a.member, lo, hi)
    assert (top.video_id, top.watch_ms, top.views, top.viewer_days) == (video, 135_000, 2, 2)
    curve = await reports.retention(db, a.member, video, lo, hi)
    assert curve.viewer_days == 2 and len(curve.shares) == 101
    # the point of k % is floor(k * 99_999 / 100) ms: 25 % is 24_999 (< 25_000, both), 26 % only the member
    assert curve.shares[0] == curve.shares[25] == 1.0 and curve.shares[26] == curve.shares[100] == 0.5
    async with owner_db.transaction() as conn:
        daily = await (await conn.execute("SELECT completions FROM mediabase.analytics_daily WHERE video_id = %s",
                                          (video,))).fetchone()
    assert daily is not None and daily["completions"] == 1
    [point] = await reports.channel_trend(db, a.member, channel, lo, hi)
    assert (point.day, point.views, point.viewer_days, point.watch_ms) == (TODAY, 2, 2, 135_000)
    active = await reports.active_viewers(db, a.member, lo, hi)
    assert active.viewers == 2 and [(d.day, d.viewers) for d in active.days] == [(TODAY, 2)]
    talk = await reports.talk_time(db, a.member, video)  # factories' transcript: A speaks 3 × 900 ms, B 2 × 900
    assert [(s.label, s.talk_ms, s.segments) for s in talk] == [("A", 2700, 3), ("B", 1800, 2)]
    assert talk[0].share == 0.6
    with pytest.raises(Invalid):
        await reports.top_videos(db, a.member, hi, lo)
    # a second refresh finds nothing to do; deleting the video takes raw events and rollups along
    assert (await analytics.refresh(db, org)).pairs == 0
    async with owner_db.transaction() as conn:
        await conn.execute("DELETE FROM mediabase.videos WHERE id = %s", (video,))
    assert await count(owner_db, org) == 0
    await analytics.refresh(db, org)
    assert await reports.top_videos(db, a.member, lo, hi) == []


# -- rebuild == incremental -------------------------------------------------------------------------

TABLES = {
    "analytics_daily": "subject_id, day, views, viewers, watch_ms, completions, retention",
    "analytics_viewer_days": "day, viewer",
    "analytics_talk_time": "video_id, speaker_id, talk_ms, segments",
}


async def dump(owner: Database, org: uuid.UUID) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    async with owner.transaction() as conn:
        for table, cols in TABLES.items():
            rows = await (await conn.execute(
                f"SELECT {cols} FROM mediabase.{table} WHERE organization_id = %s ORDER BY {cols}",  # type: ignore[arg-type]
                (org,))).fetchall()
            out[table] = [tuple(r.values()) for r in rows]
    return out


event = st.tuples(
    st.integers(0, 2),  # video
    st.integers(0, 2),  # day back
    st.integers(0, 3),  # viewer: 0-1 members' user ids, 2-3 anonymous
    st.booleans(),  # a view or a watch
    st.integers(0, 9_998), st.integers(1, 5_000),  # start, length
)


async def scenario(url: str, batches: list[list[tuple[int, int, int, bool, int, int]]], deletes: list[int],
                   refresh_after: list[bool]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"r-{uuid.uuid4().hex[:10]}")
        org = t.owner.organization_id
        videos = [await make_video(db, t.owner, f"v{i}", n=3, duration_ms=10_000 if i else None) for i in range(3)]
        viewers: list[dict[str, Any]] = [{"user_id": t.owner.user_id}, {"user_id": t.member.user_id},
                                         {"anonymous_id": "a"}, {"anonymous_id": "b"}]
        for n, batch in enumerate(batches):
            events = [RawEvent("watch" if w else "view", NOW - timedelta(days=d, minutes=s % 600), video_id=videos[v],
                               start_ms=s if w else None, end_ms=min(s + length, 10_000) if w else None,
                               **viewers[who])
                      for v, d, who, w, s, length in batch]
            await analytics.ingest(db, t.member, events)
            if n < len(deletes) and deletes[n]:  # a user's account goes: their raw events with it
                async with owner.transaction() as conn:
                    await conn.execute("DELETE FROM mediabase.view_events WHERE organization_id = %s AND user_id = %s"
                                       " AND occurred_at >= %s",
                                       (org, t.owner.user_id, NOW - timedelta(days=deletes[n])))
            if refresh_after[n % len(refresh_after)]:
                await analytics.refresh(db, org)
        await analytics.refresh(db, org)
        incremental = await dump(owner, org)
        await analytics.rebuild(db, org)
        assert await dump(owner, org) == incremental
        async with owner.transaction() as conn:
            row = await (await conn.execute("SELECT count(*) AS n FROM mediabase.analytics_dirty"
                                            " WHERE organization_id = %s", (org,))).fetchone()
        assert row is not None and row["n"] == 0


@pytest.mark.timeout(600)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(event, min_size=1, max_size=25), min_size=1, max_size=5),
       deletes=st.lists(st.integers(0, 3), max_size=5), refresh_after=st.lists(st.booleans(), min_size=1, max_size=5))
def test_a_rebuild_from_scratch_equals_the_incremental_rollups(
    migrated_url: str, batches: list[list[tuple[int, int, int, bool, int, int]]], deletes: list[int],
    refresh_after: list[bool]
) -> None:
    asyncio.run(scenario(migrated_url, batches, deletes, refresh_after))


def test_period_bounds() -> None:
    assert reports.period(date(2026, 1, 1), date(2026, 1, 2)) == (date(2026, 1, 1), date(2026, 1, 2))
    with pytest.raises(Invalid):
        reports.period(date(2024, 1, 1), date(2026, 1, 2))
