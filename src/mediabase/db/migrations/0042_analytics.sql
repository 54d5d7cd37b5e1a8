-- 0042_analytics: viewing analytics (docs/analytics.md).
--
--   view_events            raw view and watch events of a video, a story scene or a music master,
--                          partitioned by month (the partition manager, 0012) and kept 13 months;
--                          a viewer is a user or, anonymous, a keyed HMAC; written by COPY only
--   analytics_dirty        (subject, UTC day) pairs whose raw events changed since the rollups
--                          were computed: added by the ingest's statement beside its COPY and by
--                          a row trigger on deletes (cascades too), consumed by analytics_refresh
--   analytics_daily        per subject and UTC day: views, unique viewers, watch time, completions
--                          and the retention curve (viewers still watching at each percent)
--   analytics_viewer_days  one row per organization, UTC day and distinct viewer: active viewers
--   analytics_talk_videos  which transcript a video's talk time was computed from
--   analytics_talk_time    per video and speaker: Σ segment durations of the current transcript
--
-- Rollups are computed by analytics_refresh (incremental: the dirty days) and analytics_rebuild
-- (from scratch: every day that still has raw events), both with analytics_recompute, so one
-- code path defines them; never incremented per request. Raw months dropped by retention leave
-- their rollups in place. story_scene_views (0021) stays the stories domain's count of scene page
-- opens; analytics does not copy it (a page open is not playback).

-- -- raw events --------------------------------------------------------------------------------------

CREATE TABLE view_events (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    -- 'view': a play began (no range); 'watch': the range [start_ms, end_ms) was played
    kind            text NOT NULL CONSTRAINT view_events_kind_valid CHECK (kind IN ('view', 'watch')),
    video_id        uuid,
    scene_id        uuid,
    master_id       uuid,
    -- the viewer: a user (an account's deletion deletes its events: marked dirty, recomputed),
    -- or an anonymous identifier as HMAC-SHA-256 under the key viewer_key names
    user_id         uuid REFERENCES users ON DELETE CASCADE,
    viewer_hmac     bytea CONSTRAINT view_events_viewer_hmac_length CHECK (length(viewer_hmac) = 32),
    -- (no counted repetition in a CHECK's regex: {1,32} costs ~150 µs a row, bench/RESULTS.md)
    viewer_key      text CONSTRAINT view_events_viewer_key_format
        CHECK (length(viewer_key) BETWEEN 1 AND 32 AND viewer_key ~ '^[A-Za-z0-9_.-]+$'),
    start_ms        bigint,
    end_ms          bigint,
    -- the subject's duration when the event was taken in (NULL: unknown); retention buckets use it
    duration_ms     bigint CONSTRAINT view_events_duration_positive CHECK (duration_ms > 0),
    client          text CONSTRAINT view_events_client_format
        CHECK (length(client) BETWEEN 1 AND 100 AND client ~ '^[ -~]+$'),
    PRIMARY KEY (organization_id, occurred_at, id),
    CONSTRAINT view_events_one_subject CHECK (num_nonnulls(video_id, scene_id, master_id) = 1),
    CONSTRAINT view_events_one_viewer CHECK (num_nonnulls(user_id, viewer_hmac) = 1),
    CONSTRAINT view_events_key_named CHECK ((viewer_hmac IS NULL) = (viewer_key IS NULL)),
    CONSTRAINT view_events_range_when_watch CHECK ((kind = 'watch') = (start_ms IS NOT NULL)
                                                   AND (start_ms IS NULL) = (end_ms IS NULL)),
    CONSTRAINT view_events_range_valid CHECK (0 <= start_ms AND start_ms < end_ms),
    CONSTRAINT view_events_range_in_duration CHECK (end_ms <= duration_ms),
    -- a subject's deletion deletes its raw events (and, by the trigger below, marks their days
    -- dirty: the next refresh recomputes the organization's active viewers of those days)
    CONSTRAINT view_events_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT view_events_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT view_events_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id) ON DELETE CASCADE
) PARTITION BY RANGE (occurred_at);
SELECT declare_table('view_events', 'distributed');
CREATE INDEX view_events_video_idx ON view_events (organization_id, video_id, occurred_at) WHERE video_id IS NOT NULL;
CREATE INDEX view_events_scene_idx ON view_events (organization_id, scene_id, occurred_at) WHERE scene_id IS NOT NULL;
CREATE INDEX view_events_master_idx ON view_events (organization_id, master_id, occurred_at)
    WHERE master_id IS NOT NULL;
CREATE INDEX view_events_user_idx ON view_events (user_id) WHERE user_id IS NOT NULL;
CREATE TABLE view_events_default PARTITION OF view_events DEFAULT;
-- row-level security is checked on the parent only: the app role never reads a partition
REVOKE ALL ON view_events_default FROM mediabase_app;
INSERT INTO partitioned_tables (parent, keep_months, min_keep_months, archive)
VALUES ('mediabase.view_events', 13, 1, false);

-- -- dirty days ------------------------------------------------------------------------------------------

CREATE TABLE analytics_dirty (
    organization_id uuid NOT NULL,
    subject_id      uuid NOT NULL,
    kind            text NOT NULL CONSTRAINT analytics_dirty_kind_valid CHECK (kind IN ('video', 'scene', 'master')),
    day             date NOT NULL,
    marked_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, subject_id, day)
);
SELECT declare_table('analytics_dirty', 'distributed');

-- Inserted events are marked by the statement that writes them: analytics.ingest, in the COPY's
-- transaction, adds the distinct (subject, day) pairs of each batch (the application role has no
-- INSERT on view_events: ingest is the one writer). A statement trigger reading its transition
-- table would do it for any writer, but on Citus such a trigger's INSERT … SELECT runs on the
-- shard without the tuplestore (0024 met the same). Deleted events (a subject's or a user's
-- deletion cascading, an operator's DELETE) are marked by this row trigger: deletions are rare,
-- and it touches only the deleted row's organization.
CREATE FUNCTION mediabase.analytics_mark_dirty() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    INSERT INTO analytics_dirty (organization_id, subject_id, kind, day)
    VALUES (OLD.organization_id, coalesce(OLD.video_id, OLD.scene_id, OLD.master_id),
            CASE WHEN OLD.video_id IS NOT NULL THEN 'video' WHEN OLD.scene_id IS NOT NULL THEN 'scene' ELSE 'master' END,
            (OLD.occurred_at AT TIME ZONE 'UTC')::date)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER view_events_dirty_delete AFTER DELETE ON view_events
    FOR EACH ROW EXECUTE FUNCTION analytics_mark_dirty();

-- -- rollups -----------------------------------------------------------------------------------------------

CREATE TABLE analytics_daily (
    organization_id uuid NOT NULL,
    subject_id      uuid NOT NULL,
    day             date NOT NULL,
    video_id        uuid,
    scene_id        uuid,
    master_id       uuid,
    views           integer NOT NULL CONSTRAINT analytics_daily_views_nonnegative CHECK (views >= 0),
    -- distinct viewers with any event that day (a viewer-day is the unit of retention)
    viewers         integer NOT NULL CONSTRAINT analytics_daily_viewers_nonnegative CHECK (viewers >= 0),
    -- Σ (end_ms - start_ms) of the watch events: time spent watching, rewatches included
    watch_ms        bigint NOT NULL CONSTRAINT analytics_daily_watch_nonnegative CHECK (watch_ms >= 0),
    -- viewers who played the point at 95 % of the duration
    completions     integer NOT NULL CONSTRAINT analytics_daily_completions_range CHECK (completions BETWEEN 0 AND viewers),
    -- retention[k + 1]: viewers who played the point at k % (k = 0 … 100); NULL without a duration
    retention       integer[] CONSTRAINT analytics_daily_retention_shape CHECK (cardinality(retention) = 101),
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, subject_id, day),
    CONSTRAINT analytics_daily_one_subject CHECK (num_nonnulls(video_id, scene_id, master_id) = 1
                                                  AND subject_id = coalesce(video_id, scene_id, master_id)),
    CONSTRAINT analytics_daily_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT analytics_daily_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT analytics_daily_master_fk FOREIGN KEY (organization_id, master_id)
        REFERENCES music_masters (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('analytics_daily', 'distributed');
-- a video's days (its retention curve, its trend; a channel's trend joins videos to it)
CREATE INDEX analytics_daily_video_idx ON analytics_daily (organization_id, video_id, day) WHERE video_id IS NOT NULL;
CREATE INDEX analytics_daily_scene_idx ON analytics_daily (organization_id, scene_id) WHERE scene_id IS NOT NULL;
CREATE INDEX analytics_daily_master_idx ON analytics_daily (organization_id, master_id) WHERE master_id IS NOT NULL;
-- top videos by watch time in a period: an index-only scan of the period's days
CREATE INDEX analytics_daily_top_idx ON analytics_daily (organization_id, day)
    INCLUDE (video_id, watch_ms, views, viewers) WHERE video_id IS NOT NULL;

CREATE TABLE analytics_viewer_days (
    organization_id uuid NOT NULL,
    day             date NOT NULL,
    -- uuid_send(user_id) (16 bytes) or the anonymous HMAC (32 bytes)
    viewer          bytea NOT NULL CONSTRAINT analytics_viewer_days_viewer_length CHECK (length(viewer) IN (16, 32)),
    PRIMARY KEY (organization_id, day, viewer)
);
SELECT declare_table('analytics_viewer_days', 'distributed');

CREATE TABLE analytics_talk_videos (
    organization_id uuid NOT NULL,
    video_id        uuid NOT NULL,
    transcript_id   uuid NOT NULL,
    computed_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, video_id),
    CONSTRAINT analytics_talk_videos_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT analytics_talk_videos_transcript_fk FOREIGN KEY (organization_id, transcript_id)
        REFERENCES transcripts (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('analytics_talk_videos', 'distributed');
CREATE INDEX analytics_talk_videos_transcript_idx ON analytics_talk_videos (organization_id, transcript_id);

CREATE TABLE analytics_talk_time (
    organization_id uuid NOT NULL,
    video_id        uuid NOT NULL,
    speaker_id      uuid NOT NULL,
    talk_ms         bigint NOT NULL CONSTRAINT analytics_talk_time_talk_nonnegative CHECK (talk_ms >= 0),
    segments        integer NOT NULL CONSTRAINT analytics_talk_time_segments_positive CHECK (segments >= 1),
    PRIMARY KEY (organization_id, video_id, speaker_id),
    CONSTRAINT analytics_talk_time_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES analytics_talk_videos (organization_id, video_id) ON DELETE CASCADE,
    CONSTRAINT analytics_talk_time_speaker_fk FOREIGN KEY (organization_id, speaker_id)
        REFERENCES speakers (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('analytics_talk_time', 'distributed');
CREATE INDEX analytics_talk_time_speaker_idx ON analytics_talk_time (organization_id, speaker_id);

-- -- computing ------------------------------------------------------------------------------------------

-- Recomputes the rollups of the given (kind, subject, day) triples of one organization from the
-- raw events: deletes their rows and writes what the raw events say now (nothing when they are
-- gone); the organization's active viewers of those days too. Returns the rollup rows written.
CREATE FUNCTION mediabase.analytics_recompute(org uuid, kinds text[], subjects uuid[], days date[])
    RETURNS integer LANGUAGE plpgsql SET search_path = mediabase, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM analytics_daily d
     USING unnest(subjects, days) p(subject_id, day)
     WHERE d.organization_id = org AND d.subject_id = p.subject_id AND d.day = p.day;
    WITH p AS (
        SELECT * FROM unnest(kinds, subjects, days) p(kind, subject_id, day)
    ), ev AS (
        SELECT e.*, p.subject_id, p.day FROM p JOIN view_events e
            ON p.kind = 'video' AND e.organization_id = org AND e.video_id = p.subject_id
           AND e.occurred_at >= p.day::timestamptz AND e.occurred_at < (p.day + 1)::timestamptz
        UNION ALL
        SELECT e.*, p.subject_id, p.day FROM p JOIN view_events e
            ON p.kind = 'scene' AND e.organization_id = org AND e.scene_id = p.subject_id
           AND e.occurred_at >= p.day::timestamptz AND e.occurred_at < (p.day + 1)::timestamptz
        UNION ALL
        SELECT e.*, p.subject_id, p.day FROM p JOIN view_events e
            ON p.kind = 'master' AND e.organization_id = org AND e.master_id = p.subject_id
           AND e.occurred_at >= p.day::timestamptz AND e.occurred_at < (p.day + 1)::timestamptz
    ), v AS (  -- the viewer and the subject's duration (the latest one of the day) on every row
        SELECT ev.*, coalesce(uuid_send(ev.user_id), ev.viewer_hmac) AS viewer,
               max(ev.duration_ms) FILTER (WHERE ev.duration_ms IS NOT NULL)
                   OVER (PARTITION BY ev.subject_id, ev.day) AS dur
          FROM ev
    ), islands AS (  -- each viewer's watched ranges merged: overlaps count once
        SELECT w.subject_id, w.day, w.viewer, w.dur, w.start_ms, w.end_ms,
               sum(CASE WHEN w.start_ms <= w.reach THEN 0 ELSE 1 END)
                   OVER (PARTITION BY w.subject_id, w.day, w.viewer ORDER BY w.start_ms, w.end_ms) AS island
          FROM (SELECT v.*, max(v.end_ms) OVER (PARTITION BY v.subject_id, v.day, v.viewer ORDER BY v.start_ms, v.end_ms
                                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                  FROM v WHERE v.kind = 'watch' AND v.dur IS NOT NULL AND v.end_ms <= v.dur) w
    ), merged AS (
        SELECT i.subject_id, i.day, i.dur, min(i.start_ms) AS s, max(i.end_ms) AS e
          FROM islands i GROUP BY i.subject_id, i.day, i.viewer, i.dur, i.island
    ), steps AS (  -- +1 where a merged range begins to cover percent points, -1 after the last
        -- the point of percent k is floor(k * (dur - 1) / 100) ms; [s, e) holds k_lo … k_hi
        SELECT m.subject_id, m.day, b.k, sum(b.delta) AS delta
          FROM merged m
         CROSS JOIN LATERAL (
             SELECT lo AS k, 1 AS delta FROM (SELECT ceil(m.s * 100.0 / greatest(m.dur - 1, 1))::int AS lo) x
              WHERE lo <= 100
             UNION ALL
             SELECT least(ceil(m.e * 100.0 / greatest(m.dur - 1, 1))::int, 101), -1
         ) b
         GROUP BY m.subject_id, m.day, b.k
    ), curve AS (  -- the running sum over k = 0 … 100: 101 rows per subject-day, not per step
        SELECT g.subject_id, g.day, array_agg(g.viewers ORDER BY g.k) AS retention
          FROM (SELECT sd.subject_id, sd.day, k.k,
                       (sum(coalesce(s.delta, 0)) OVER (PARTITION BY sd.subject_id, sd.day ORDER BY k.k))::int AS viewers
                  FROM (SELECT DISTINCT x.subject_id, x.day FROM steps x) sd
                 CROSS JOIN generate_series(0, 100) k(k)
                  LEFT JOIN steps s ON s.subject_id = sd.subject_id AND s.day = sd.day AND s.k = k.k) g
         GROUP BY g.subject_id, g.day
    ), totals AS (
        SELECT v.subject_id, v.day, v.video_id, v.scene_id, v.master_id, bool_or(v.dur IS NOT NULL) AS has_dur,
               count(*) FILTER (WHERE v.kind = 'view')::int AS views,
               count(DISTINCT v.viewer)::int AS viewers,
               coalesce(sum(v.end_ms - v.start_ms) FILTER (WHERE v.kind = 'watch'), 0)::bigint AS watch_ms
          FROM v GROUP BY v.subject_id, v.day, v.video_id, v.scene_id, v.master_id
    )
    INSERT INTO analytics_daily (organization_id, subject_id, day, video_id, scene_id, master_id, views, viewers,
                                 watch_ms, completions, retention)
    SELECT org, t.subject_id, t.day, t.video_id, t.scene_id, t.master_id, t.views, t.viewers, t.watch_ms,
           coalesce(c.retention[96], 0),
           CASE WHEN t.has_dur THEN coalesce(c.retention, array_fill(0, ARRAY[101])) END
      FROM totals t LEFT JOIN curve c ON c.subject_id = t.subject_id AND c.day = t.day;
    GET DIAGNOSTICS n = ROW_COUNT;
    -- the organization's active viewers of the days named
    DELETE FROM analytics_viewer_days a
     WHERE a.organization_id = org AND a.day = ANY (days);
    INSERT INTO analytics_viewer_days (organization_id, day, viewer)
    SELECT DISTINCT org, (e.occurred_at AT TIME ZONE 'UTC')::date, coalesce(uuid_send(e.user_id), e.viewer_hmac)
      FROM view_events e
      JOIN (SELECT DISTINCT d FROM unnest(days) d) x
        ON e.occurred_at >= x.d::timestamptz AND e.occurred_at < (x.d + 1)::timestamptz
     WHERE e.organization_id = org;
    RETURN n;
END
$$;

-- Incremental maintenance: consumes up to max_pairs dirty (subject, day) pairs of one
-- organization and recomputes them; returns how many were consumed. The pairs are deleted by
-- the statement that reads them, before the raw events are read, so an event committed after
-- that read has left its own mark (its trigger's row), and the next pass takes it.
CREATE FUNCTION mediabase.analytics_refresh(org uuid, max_pairs integer DEFAULT 5000) RETURNS integer
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    ks text[];
    ss uuid[];
    ds date[];
BEGIN
    IF org IS NULL OR max_pairs IS NULL OR max_pairs < 1 THEN
        RAISE EXCEPTION 'analytics_refresh: an organization and max_pairs >= 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.analytics:' || org::text, 0));
    WITH claimed AS (
        DELETE FROM analytics_dirty d
         WHERE d.organization_id = org
           AND (d.subject_id, d.day) IN (SELECT x.subject_id, x.day FROM analytics_dirty x
                                          WHERE x.organization_id = org ORDER BY x.day, x.subject_id LIMIT max_pairs)
        RETURNING d.kind, d.subject_id, d.day
    )
    SELECT array_agg(kind), array_agg(subject_id), array_agg(day) INTO ks, ss, ds FROM claimed;
    IF ss IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM analytics_recompute(org, ks, ss, ds);
    RETURN cardinality(ss);
END
$$;

-- From scratch: the rollups of every day from `since` (default: the first day that still has
-- raw events) are deleted and computed again from the raw events. Days before it (their raw
-- months dropped by retention) keep their rollups. Returns the (subject, day) pairs computed.
CREATE FUNCTION mediabase.analytics_rebuild(org uuid, since date DEFAULT NULL) RETURNS integer
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp SET timezone = 'UTC' AS $$
DECLARE
    lo date := since;
    ks text[];
    ss uuid[];
    ds date[];
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'analytics_rebuild: an organization' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.analytics:' || org::text, 0));
    IF lo IS NULL THEN
        SELECT (min(e.occurred_at) AT TIME ZONE 'UTC')::date INTO lo FROM view_events e WHERE e.organization_id = org;
    END IF;
    IF lo IS NULL THEN
        lo := 'infinity'::date;
    END IF;
    DELETE FROM analytics_dirty d WHERE d.organization_id = org AND d.day >= lo;
    DELETE FROM analytics_daily d WHERE d.organization_id = org AND d.day >= lo;
    DELETE FROM analytics_viewer_days d WHERE d.organization_id = org AND d.day >= lo;
    SELECT array_agg(x.kind), array_agg(x.subject_id), array_agg(x.day) INTO ks, ss, ds
      FROM (SELECT DISTINCT CASE WHEN e.video_id IS NOT NULL THEN 'video' WHEN e.scene_id IS NOT NULL THEN 'scene'
                                 ELSE 'master' END AS kind,
                            coalesce(e.video_id, e.scene_id, e.master_id) AS subject_id,
                            (e.occurred_at AT TIME ZONE 'UTC')::date AS day
              FROM view_events e WHERE e.organization_id = org AND e.occurred_at >= lo::timestamptz) x;
    IF ss IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM analytics_recompute(org, ks, ss, ds);
    RETURN cardinality(ss);
END
$$;

-- Talk time of one video from its current transcript (none: its rows go).
CREATE FUNCTION mediabase.analytics_talk_compute(org uuid, video uuid) RETURNS integer
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    tr uuid := (SELECT t.id FROM transcripts t WHERE t.organization_id = org AND t.video_id = video AND t.is_current);
    n  integer;
BEGIN
    DELETE FROM analytics_talk_videos a WHERE a.organization_id = org AND a.video_id = video;
    IF tr IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO analytics_talk_videos (organization_id, video_id, transcript_id) VALUES (org, video, tr);
    INSERT INTO analytics_talk_time (organization_id, video_id, speaker_id, talk_ms, segments)
    SELECT org, video, s.speaker_id, sum(s.end_ms - s.start_ms), count(*)
      FROM transcript_segments s
     WHERE s.organization_id = org AND s.video_id = video AND s.transcript_id = tr AND s.speaker_id IS NOT NULL
     GROUP BY s.speaker_id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

-- The videos whose talk time is missing or from a transcript that is no longer current.
CREATE FUNCTION mediabase.analytics_talk_refresh(org uuid, max_videos integer DEFAULT 500) RETURNS integer
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
DECLARE
    v uuid;
    n integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.analytics_talk:' || org::text, 0));
    FOR v IN
        SELECT t.video_id FROM transcripts t
         WHERE t.organization_id = org AND t.is_current
           AND NOT EXISTS (SELECT 1 FROM analytics_talk_videos a
                            WHERE a.organization_id = org AND a.video_id = t.video_id AND a.transcript_id = t.id)
        UNION
        SELECT a.video_id FROM analytics_talk_videos a
         WHERE a.organization_id = org
           AND NOT EXISTS (SELECT 1 FROM transcripts t WHERE t.organization_id = org AND t.id = a.transcript_id
                                                         AND t.is_current)
        LIMIT max_videos
    LOOP
        PERFORM analytics_talk_compute(org, v);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;

-- -- tenancy, privileges, constraints' messages --------------------------------------------------------

SELECT make_tenant_table(t::regclass)
  FROM unnest(ARRAY['view_events', 'analytics_dirty', 'analytics_daily', 'analytics_viewer_days',
                    'analytics_talk_videos', 'analytics_talk_time']) AS t;
-- raw events are written by COPY on the owner's connection (ingest validates them first); the
-- rollups are the jobs'. The application role reads (row-level security) and no more.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON view_events, analytics_dirty, analytics_daily, analytics_viewer_days,
    analytics_talk_videos, analytics_talk_time FROM mediabase_app;
REVOKE EXECUTE ON FUNCTION mediabase.analytics_recompute(uuid, text[], uuid[], date[]),
    mediabase.analytics_refresh(uuid, integer), mediabase.analytics_rebuild(uuid, date),
    mediabase.analytics_talk_compute(uuid, uuid), mediabase.analytics_talk_refresh(uuid, integer)
    FROM mediabase_app, PUBLIC;
