-- Named queries of mediabase.analytics (docs/analytics.md). Every one names its organization.

-- name: copy_events
-- PostgreSQL refuses COPY FROM into a table under row-level security, so ingest runs on the
-- system (owner) connection, after validating every event against the caller's organization;
-- the composite foreign keys tie each row to that organization's subject as well.
COPY view_events (organization_id, occurred_at, kind, video_id, scene_id, master_id, user_id, viewer_hmac,
                  viewer_key, start_ms, end_ms, duration_ms, client) FROM STDIN (FORMAT BINARY);

-- name: mark_dirty
-- the batch's (subject, UTC day) pairs, in the COPY's transaction: the next refresh recomputes them
INSERT INTO analytics_dirty (organization_id, subject_id, kind, day)
SELECT %(org)s, u.subject_id, u.kind, u.day
  FROM unnest(%(subjects)s::uuid[], %(kinds)s::text[], %(days)s::date[]) u (subject_id, kind, day)
ON CONFLICT DO NOTHING;

-- name: video_durations
SELECT id, duration_ms FROM videos
 WHERE organization_id = %(org)s AND id = ANY (%(ids)s) AND deleted_at IS NULL;

-- name: scene_durations
SELECT id, nullif(total_duration_ms, 0) AS duration_ms FROM story_scenes
 WHERE organization_id = %(org)s AND id = ANY (%(ids)s);

-- name: master_durations
SELECT id, duration_ms::bigint AS duration_ms FROM music_masters
 WHERE organization_id = %(org)s AND id = ANY (%(ids)s);

-- name: members
SELECT user_id FROM memberships WHERE organization_id = %(org)s AND user_id = ANY (%(ids)s);

-- name: dirty_organizations
SELECT DISTINCT organization_id FROM mediabase.analytics_dirty;

-- name: refresh
SELECT mediabase.analytics_refresh(%(org)s, %(max_pairs)s) AS n;

-- name: rebuild
SELECT mediabase.analytics_rebuild(%(org)s, %(since)s) AS n;

-- name: talk_organizations
SELECT DISTINCT organization_id FROM mediabase.transcripts WHERE is_current;

-- name: talk_refresh
SELECT mediabase.analytics_talk_refresh(%(org)s, %(max_videos)s) AS n;

-- name: talk_rebuild
DELETE FROM analytics_talk_videos WHERE organization_id = %(org)s;

-- name: top_videos
-- index-only over analytics_daily_top_idx: the period's days of the organization
WITH t AS (
    SELECT d.video_id, sum(d.watch_ms) AS watch_ms, sum(d.views) AS views, sum(d.viewers) AS viewer_days
      FROM analytics_daily d
     WHERE d.organization_id = %(org)s AND d.day >= %(since)s AND d.day < %(until)s AND d.video_id IS NOT NULL
     GROUP BY d.video_id
     ORDER BY sum(d.watch_ms) DESC, d.video_id
     LIMIT %(limit)s
)
SELECT t.video_id, v.title, t.watch_ms::bigint AS watch_ms, t.views::bigint AS views,
       t.viewer_days::bigint AS viewer_days
  FROM t JOIN videos v ON v.organization_id = %(org)s AND v.id = t.video_id
 ORDER BY t.watch_ms DESC, t.video_id;

-- name: video_title
SELECT id, title, duration_ms FROM videos WHERE organization_id = %(org)s AND id = %(id)s AND deleted_at IS NULL;

-- name: retention
-- the element-wise sum of the period's daily curves (analytics_daily_video_idx)
SELECT coalesce(sum(d.viewers), 0)::bigint AS viewer_days,
       (SELECT array_agg(coalesce(s.n, 0) ORDER BY k.k)
          FROM generate_series(1, 101) k(k)
          LEFT JOIN (SELECT u.k, sum(u.n)::bigint AS n
                       FROM analytics_daily x CROSS JOIN LATERAL unnest(x.retention) WITH ORDINALITY u(n, k)
                      WHERE x.organization_id = %(org)s AND x.video_id = %(id)s
                        AND x.day >= %(since)s AND x.day < %(until)s
                      GROUP BY u.k) s ON s.k = k.k) AS watching,
       sum(d.viewers) FILTER (WHERE d.retention IS NOT NULL)::bigint AS timed_viewer_days
  FROM analytics_daily d
 WHERE d.organization_id = %(org)s AND d.video_id = %(id)s AND d.day >= %(since)s AND d.day < %(until)s;

-- name: channel_exists
SELECT id FROM channels WHERE organization_id = %(org)s AND id = %(id)s;

-- name: channel_trend
-- the channel's videos (videos_org_channel_idx), then each one's days (analytics_daily_video_idx)
SELECT d.day, sum(d.views)::bigint AS views, sum(d.viewers)::bigint AS viewer_days,
       sum(d.watch_ms)::bigint AS watch_ms
  FROM videos v
  JOIN analytics_daily d ON d.organization_id = v.organization_id AND d.video_id = v.id
 WHERE v.organization_id = %(org)s AND v.channel_id = %(id)s AND d.day >= %(since)s AND d.day < %(until)s
 GROUP BY d.day
 ORDER BY d.day;

-- name: active_viewers
-- index-only over analytics_viewer_days' key (organization_id, day, viewer)
SELECT count(DISTINCT a.viewer)::bigint AS viewers FROM analytics_viewer_days a
 WHERE a.organization_id = %(org)s AND a.day >= %(since)s AND a.day < %(until)s;

-- name: active_viewers_by_day
SELECT a.day, count(*)::bigint AS viewers FROM analytics_viewer_days a
 WHERE a.organization_id = %(org)s AND a.day >= %(since)s AND a.day < %(until)s
 GROUP BY a.day ORDER BY a.day;

-- name: talk_time
-- the meeting's speakers (analytics_talk_time's key), longest first
SELECT t.speaker_id, s.label, s.display_name, s.person_id, t.talk_ms, t.segments
  FROM analytics_talk_time t
  JOIN speakers s ON s.organization_id = t.organization_id AND s.id = t.speaker_id
 WHERE t.organization_id = %(org)s AND t.video_id = %(id)s
 ORDER BY t.talk_ms DESC, s.label;

-- name: talk_time_people
-- per person over every meeting: speakers linked to people (speakers_person_idx)
SELECT s.person_id, p.name, sum(t.talk_ms)::bigint AS talk_ms, count(DISTINCT t.video_id)::bigint AS meetings
  FROM speakers s
  JOIN analytics_talk_time t ON t.organization_id = s.organization_id AND t.speaker_id = s.id
  JOIN people p ON p.organization_id = s.organization_id AND p.id = s.person_id
 WHERE s.organization_id = %(org)s AND s.person_id IS NOT NULL
 GROUP BY s.person_id, p.name
 ORDER BY sum(t.talk_ms) DESC, p.name
 LIMIT %(limit)s;
