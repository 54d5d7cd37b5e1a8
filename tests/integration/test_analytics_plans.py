"""Query plans of the analytics reports, with two tenants' rollups and ANALYZE: top videos by
watch time, a video's retention curve, a channel's trend, the active viewers and a meeting's
talk time each read their index, never the whole rollup table (docs/analytics.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from mediabase.analytics.ingest import Q
from tests.factories import Tenant
from tests.integration.test_integrations_plans import explain, uses


def fill(conn: psycopg.Connection[Any], org: Any) -> None:
    conn.execute("INSERT INTO channels (organization_id, name) SELECT %s, 'c' || g FROM generate_series(1, 20) g",
                 (org,))
    conn.execute("INSERT INTO videos (organization_id, title, duration_ms, channel_id)"
                 " SELECT %s, 'v' || g, 600000, (SELECT id FROM channels WHERE organization_id = %s"
                 "                                ORDER BY id OFFSET g %% 20 LIMIT 1)"
                 "   FROM generate_series(1, 200) g", (org, org))
    conn.execute("INSERT INTO analytics_daily (organization_id, subject_id, day, video_id, views, viewers, watch_ms,"
                 " completions, retention)"
                 " SELECT v.organization_id, v.id, (now() AT TIME ZONE 'UTC')::date - d, v.id, 10, 8, 100000, 2,"
                 "        array_fill(4, ARRAY[101])"
                 "   FROM videos v, generate_series(0, 180) d WHERE v.organization_id = %s", (org,))
    conn.execute("INSERT INTO analytics_viewer_days (organization_id, day, viewer)"
                 " SELECT %s, (now() AT TIME ZONE 'UTC')::date - d, uuid_send(gen_random_uuid())"
                 "   FROM generate_series(0, 180) d, generate_series(1, 100) g", (org,))
    conn.execute("INSERT INTO speakers (organization_id, video_id, label)"
                 " SELECT v.organization_id, v.id, 'S' || g FROM videos v, generate_series(1, 4) g"
                 "  WHERE v.organization_id = %s", (org,))


def test_the_reports_read_their_indexes(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("SET search_path = mediabase")
        for t in (alpha, bravo):
            fill(conn, t.owner.organization_id)
        org = alpha.owner.organization_id
        transcript = ("INSERT INTO transcripts (organization_id, video_id, version) SELECT organization_id, id, 1"
                      " FROM videos WHERE organization_id = %s")
        conn.execute(transcript, (org,))
        conn.execute("INSERT INTO analytics_talk_videos (organization_id, video_id, transcript_id)"
                     " SELECT organization_id, video_id, id FROM transcripts WHERE organization_id = %s", (org,))
        conn.execute("INSERT INTO analytics_talk_time (organization_id, video_id, speaker_id, talk_ms, segments)"
                     " SELECT organization_id, video_id, id, 60000, 10 FROM speakers WHERE organization_id = %s",
                     (org,))
        conn.execute("ANALYZE videos, channels, speakers, analytics_daily, analytics_viewer_days, analytics_talk_time,"
                     " analytics_talk_videos")
        row = conn.execute("SELECT id, channel_id FROM videos WHERE organization_id = %s LIMIT 1", (org,)).fetchone()
        assert row is not None
        video, channel = row
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
        today = datetime.now(UTC).date()
        period = {"org": org, "since": today - timedelta(days=60), "until": today}  # a third of the days
        daily = "analytics_daily"
        assert uses(explain(conn, Q.top_videos, {**period, "limit": 10}), "analytics_daily_top_idx", daily)
        assert uses(explain(conn, Q.retention, {**period, "id": video}), "analytics_daily_video_idx", daily)
        trend = explain(conn, Q.channel_trend, {**period, "id": channel})
        assert uses(trend, "analytics_daily_video_idx", daily) and uses(trend, "videos_org_channel_idx", "videos")
        assert uses(explain(conn, Q.active_viewers, period), "analytics_viewer_days_pkey", "analytics_viewer_days")
        assert uses(explain(conn, Q.active_viewers_by_day, period), "analytics_viewer_days_pkey",
                    "analytics_viewer_days")
        assert uses(explain(conn, Q.talk_time, {"org": org, "id": video}), "analytics_talk_time_pkey",
                    "analytics_talk_time")
