"""Viewing analytics on a real Citus cluster (docs/analytics.md; docs/scale-out.md): the raw
events and every rollup table are distributed by organization_id and colocated; ingest (COPY
on the owner's connection, its dirty days beside it), the incremental refresh, the rebuild and
the reports run on the shards and agree; a deleted video's events go with it.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the test
works in organizations of its own."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mediabase import analytics
from mediabase.analytics import reports
from mediabase.analytics.models import RawEvent
from mediabase.db.connection import Database
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant, make_video

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]
TABLES = ("view_events", "analytics_dirty", "analytics_daily", "analytics_viewer_days", "analytics_talk_videos",
          "analytics_talk_time")


async def test_events_rollups_and_reports_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT logicalrelid::regclass::text AS t, partmethod, colocationid FROM pg_dist_partition"
            " WHERE logicalrelid::regclass::text = ANY (%s) OR logicalrelid = 'mediabase.videos'::regclass",
            ([f"mediabase.{t}" for t in TABLES] + list(TABLES),))).fetchall()
    found = {r["t"].removeprefix("mediabase."): r for r in rows}
    assert set(TABLES) <= set(found) and all(found[t]["partmethod"] == "h" for t in TABLES)
    assert len({r["colocationid"] for r in rows}) == 1  # colocated with videos
    ts = [await make_tenant(db, system, f"an-{uuid.uuid4().hex[:6]}") for _ in range(2)]
    now = datetime.now(UTC) - timedelta(minutes=1)
    videos = []
    for t in ts:
        video = await make_video(db, t.owner, "on the cluster", duration_ms=10_000)
        videos.append(video)
        events = [RawEvent("view", now - timedelta(days=d), video_id=video, anonymous_id=f"a{k}")
                  for d in range(3) for k in range(5)]
        events += [RawEvent("watch", now - timedelta(days=d), video_id=video, anonymous_id=f"a{k}", start_ms=0,
                            end_ms=2_000 * (k + 1)) for d in range(3) for k in range(5)]
        events += [RawEvent("watch", now, video_id=video, user_id=t.member.user_id, start_ms=0, end_ms=10_000)]
        assert await analytics.ingest(db, t.member, events) == 31
    a = ts[0]
    org = a.owner.organization_id
    done = await analytics.refresh(db, org)
    assert done.pairs == 3 and done.talk_videos == 1
    lo, hi = (now - timedelta(days=5)).date(), (now + timedelta(days=1)).date()
    [top] = await reports.top_videos(db, a.member, lo, hi)
    assert (top.video_id, top.views, top.watch_ms) == (videos[0], 15, 3 * 30_000 + 10_000)
    curve = await reports.retention(db, a.member, videos[0], lo, hi)
    assert curve.viewer_days == 16 and curve.shares[0] == 1.0 and curve.shares[100] == 4 / 16
    assert (await reports.active_viewers(db, a.member, lo, hi)).viewers == 6
    assert [s.talk_ms for s in await reports.talk_time(db, a.member, videos[0])] == [2700, 1800]
    # the other tenant's rollups are its own; a rebuild gives what the refresh gave
    assert (await reports.active_viewers(db, ts[1].member, lo, hi)).viewers == 0  # not refreshed yet
    async with system.transaction() as conn:
        before = await (await conn.execute("SELECT subject_id, day, views, viewers, watch_ms, retention"
                                           " FROM analytics_daily WHERE organization_id = %s ORDER BY day",
                                           (org,))).fetchall()
    await analytics.rebuild(db, org)
    async with system.transaction() as conn:
        after = await (await conn.execute("SELECT subject_id, day, views, viewers, watch_ms, retention"
                                          " FROM analytics_daily WHERE organization_id = %s ORDER BY day",
                                          (org,))).fetchall()
        assert after == before
        await conn.execute("DELETE FROM videos WHERE organization_id = %s AND id = %s", (org, videos[0]))
        left = await (await conn.execute("SELECT count(*) AS n FROM view_events WHERE organization_id = %s",
                                         (org,))).fetchone()
    assert left is not None and left["n"] == 0
    await analytics.refresh(db, org)
    assert (await reports.active_viewers(db, a.member, lo, hi)).viewers == 0
