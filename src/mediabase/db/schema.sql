--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET transaction_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: mediabase; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA mediabase;

--
-- Name: activate_ai_layer(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.activate_ai_layer() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status = 'ready' AND (TG_OP = 'INSERT' OR OLD.status <> 'ready') THEN
        IF NEW.video_id IS NULL THEN
            UPDATE mediabase.ai_layers SET status = 'superseded', superseded_by = NEW.id
             WHERE organization_id = NEW.organization_id AND video_id IS NULL AND kind = NEW.kind
               AND status = 'ready' AND id <> NEW.id;
        ELSE
            UPDATE mediabase.ai_layers SET status = 'superseded', superseded_by = NEW.id
             WHERE organization_id = NEW.organization_id AND video_id = NEW.video_id AND kind = NEW.kind
               AND status = 'ready' AND id <> NEW.id;
        END IF;
        NEW.superseded_by := NULL;
        NEW.completed_at := coalesce(NEW.completed_at, now());
        NEW.error := NULL;
    END IF;
    IF NEW.status = 'failed' AND (TG_OP = 'INSERT' OR OLD.status <> 'failed') THEN
        NEW.completed_at := coalesce(NEW.completed_at, now());
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: actor_name(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.actor_name(uid uuid) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT coalesce((SELECT coalesce(u.display_name, u.username) FROM users u WHERE u.id = uid), 'someone')
$$;

--
-- Name: ai_action_items_assignee_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_action_items_assignee_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE ai_action_items SET assignee_user_id = NULL WHERE organization_id = OLD.organization_id AND assignee_user_id = OLD.user_id; RETURN OLD; END $$;

--
-- Name: FUNCTION ai_action_items_assignee_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.ai_action_items_assignee_fk_set_null() IS 'ON DELETE SET NULL (assignee_user_id = NULL) of foreign key ai_action_items_assignee_fk, kept by a trigger (0018)';

--
-- Name: ai_action_items_completion(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_action_items_completion() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status = 'completed' AND (TG_OP = 'INSERT' OR OLD.status <> 'completed') THEN
        NEW.completed_at := coalesce(NEW.completed_at, now());
        NEW.completed_by := coalesce(NEW.completed_by, mediabase.current_user_id());
    ELSIF NEW.status <> 'completed' THEN
        NEW.completed_at := NULL;
        NEW.completed_by := NULL;
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: ai_layers_refresh_topics(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_layers_refresh_topics() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    ids uuid[];
BEGIN
    SELECT array_agg(DISTINCT topic_id) INTO ids FROM ai_topic_mentions
     WHERE organization_id = NEW.organization_id AND layer_id = NEW.id;
    IF ids IS NOT NULL THEN
        PERFORM refresh_topics(NEW.organization_id, ids);
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: ai_layers_superseded_by_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_layers_superseded_by_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE ai_layers SET superseded_by = NULL WHERE organization_id = OLD.organization_id AND superseded_by = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION ai_layers_superseded_by_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.ai_layers_superseded_by_fk_set_null() IS 'ON DELETE SET NULL (superseded_by = NULL) of foreign key ai_layers_superseded_by_fk, kept by a trigger (0018)';

--
-- Name: ai_layers_transcript_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_layers_transcript_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE ai_layers SET transcript_id = NULL WHERE organization_id = OLD.organization_id AND transcript_id = OLD.id AND video_id = OLD.video_id; RETURN OLD; END $$;

--
-- Name: FUNCTION ai_layers_transcript_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.ai_layers_transcript_fk_set_null() IS 'ON DELETE SET NULL (transcript_id = NULL) of foreign key ai_layers_transcript_fk, kept by a trigger (0018)';

--
-- Name: ai_topic_mentions_refresh(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_topic_mentions_refresh() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids FROM new_rows GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids FROM old_rows GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, array_agg(DISTINCT topic_id) AS ids
                   FROM (SELECT organization_id, topic_id FROM new_rows
                         UNION ALL SELECT organization_id, topic_id FROM old_rows) x GROUP BY 1 LOOP
            PERFORM refresh_topics(g.organization_id, g.ids);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: ai_topic_mentions_when(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ai_topic_mentions_when() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.mentioned_at IS NULL THEN
        SELECT coalesce(v.recorded_at, v.created_at) + make_interval(secs => coalesce(NEW.start_ms, 0) / 1000.0::double precision)
          INTO NEW.mentioned_at
          FROM mediabase.videos v WHERE v.organization_id = NEW.organization_id AND v.id = NEW.video_id;
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: analytics_mark_dirty(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_mark_dirty() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO analytics_dirty (organization_id, subject_id, kind, day)
    VALUES (OLD.organization_id, coalesce(OLD.video_id, OLD.scene_id, OLD.master_id),
            CASE WHEN OLD.video_id IS NOT NULL THEN 'video' WHEN OLD.scene_id IS NOT NULL THEN 'scene' ELSE 'master' END,
            (OLD.occurred_at AT TIME ZONE 'UTC')::date)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

--
-- Name: analytics_rebuild(uuid, date); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_rebuild(org uuid, since date DEFAULT NULL::date) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    AS $$
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

--
-- Name: analytics_recompute(uuid, text[], uuid[], date[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_recompute(org uuid, kinds text[], subjects uuid[], days date[]) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    AS $$
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

--
-- Name: analytics_refresh(uuid, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_refresh(org uuid, max_pairs integer DEFAULT 5000) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
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

--
-- Name: analytics_talk_compute(uuid, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_talk_compute(org uuid, video uuid) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
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

--
-- Name: analytics_talk_refresh(uuid, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.analytics_talk_refresh(org uuid, max_videos integer DEFAULT 500) RETURNS integer
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
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

--
-- Name: audit_log_append_only(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_log_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('mediabase.redaction', true) = 'on'
       AND NEW.redacted_at IS NOT NULL
       AND (NEW.organization_id, NEW.id, NEW.occurred_at, NEW.txid, NEW.table_name, NEW.action, NEW.row_id)
           IS NOT DISTINCT FROM
           (OLD.organization_id, OLD.id, OLD.occurred_at, OLD.txid, OLD.table_name, OLD.action, OLD.row_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

--
-- Name: audit_organization(text, jsonb, jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_organization(action text, before jsonb, after jsonb) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org     uuid := (coalesce(after, before)->>'id')::uuid;
    changed text[];
BEGIN
    IF action NOT IN ('INSERT', 'UPDATE', 'DELETE') OR org IS NULL THEN
        RAISE EXCEPTION 'audit_organization: an action and the row''s images are needed'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT pg_has_role(session_user, 'mediabase_owner', 'MEMBER') AND org IS DISTINCT FROM current_org_id() THEN
        RAISE EXCEPTION 'audit_organization: not the organization of this transaction'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF action = 'UPDATE' THEN
        SELECT array_agg(k ORDER BY k) INTO changed
          FROM jsonb_each(after) AS e (k, v) WHERE v IS DISTINCT FROM before->k AND k <> 'updated_at';
        IF changed IS NULL THEN
            RETURN;
        END IF;
    END IF;
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, changed, before, after)
    VALUES (org, current_user_id(), 'organizations', action, org, changed, before, after);
END
$$;

--
-- Name: audit_partitions(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_partitions() RETURNS TABLE(name text, range_from timestamp with time zone, range_to timestamp with time zone, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT * FROM partitions_of('mediabase.audit_log')
$$;

--
-- Name: audit_row(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    redact  text[] := CASE WHEN TG_NARGS > 0 THEN TG_ARGV[0]::text[] ELSE '{}' END;
    quiet   text[] := CASE WHEN TG_NARGS > 1 THEN TG_ARGV[1]::text[] ELSE '{}' END;
    omit    text[] := CASE WHEN TG_NARGS > 2 THEN TG_ARGV[2]::text[] ELSE '{}' END;
    o       jsonb;
    n       jsonb;
    changed text[];
    r       jsonb;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        o := to_jsonb(OLD) - omit;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        n := to_jsonb(NEW) - omit;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT array_agg(k ORDER BY k) INTO changed
          FROM jsonb_each(n) AS e (k, v) WHERE v IS DISTINCT FROM o->k AND k <> 'updated_at';
        IF changed IS NULL OR changed <@ quiet THEN
            RETURN NULL;
        END IF;
    END IF;
    r := coalesce(n, o);
    INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, changed, before, after)
    VALUES (CASE WHEN mediabase.unsharded(TG_TABLE_NAME) = 'organizations' THEN (r->>'id')::uuid ELSE (r->>'organization_id')::uuid END,
            current_user_id(), mediabase.unsharded(TG_TABLE_NAME), TG_OP,
            CASE WHEN jsonb_typeof(r->'id') = 'string' THEN (r->>'id')::uuid END,
            changed, o - redact, n - redact);
    RETURN NULL;
END
$$;

--
-- Name: audit_segment_words(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_segment_words() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                           'last_seq', max(seq)) AS image
                   FROM old_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
            VALUES (g.organization_id, current_user_id(), 'transcript_segment_words', 'DELETE', g.transcript_id, g.image);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*), 'first_seq', min(seq),
                                           'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segment_words', TG_OP, g.transcript_id, g.image);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: audit_segments(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_segments() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM old_rows GROUP BY organization_id, transcript_id, video_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'DELETE', g.transcript_id, g.image);
        END LOOP;
    ELSIF TG_OP = 'INSERT' THEN
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'video_id', video_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id, video_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'INSERT', g.transcript_id, g.image);
        END LOOP;
    ELSE
        FOR g IN SELECT organization_id, transcript_id,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*)) AS before_image,
                        jsonb_build_object('transcript_id', transcript_id, 'segments', count(*),
                                           'first_seq', min(seq), 'last_seq', max(seq)) AS image
                   FROM new_rows GROUP BY organization_id, transcript_id LOOP
            INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, before, after)
            VALUES (g.organization_id, current_user_id(), 'transcript_segments', 'UPDATE', g.transcript_id,
                    g.before_image, g.image);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: audit_table(regclass, text[], text[], text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.audit_table(tbl regclass, redact text[] DEFAULT '{}'::text[], quiet text[] DEFAULT '{}'::text[], omit text[] DEFAULT '{search_vector,search_tags}'::text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON %s'
                   ' FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row(%L, %L, %L)', tbl, redact, quiet, omit);
END
$$;

--
-- Name: billing_check_step(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_check_step() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NOT coalesce(mediabase.billing_step(TG_ARGV[1], OLD.status, NEW.status), false) THEN
        RAISE EXCEPTION '% cannot go from % to %', TG_ARGV[0], OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0] || '_status_transition', COLUMN = 'status',
                  DETAIL = format('constraint "%s"', TG_ARGV[0] || '_status_transition');
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: billing_entitlements(uuid, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_entitlements(org uuid, subscriber_user uuid DEFAULT NULL::uuid) RETURNS TABLE(feature text, unit text, limit_value bigint, used bigint, subscription_id uuid, plan_code text, status text, period_start timestamp with time zone, period_end timestamp with time zone)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    s record;
BEGIN
    SELECT x.id, x.plan_id, x.quantity, x.status, x.current_period_start, x.current_period_end INTO s
      FROM billing_subscriptions x
     WHERE x.organization_id = org AND billing_live(x.status)
       AND CASE WHEN subscriber_user IS NULL THEN x.subscriber_organization_id IS NOT NULL
                ELSE x.subscriber_user_id = subscriber_user END;
    IF NOT FOUND OR s.status NOT IN ('trialing', 'active', 'past_due') THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT f.code, f.unit,
           CASE WHEN pf.per_unit THEN pf.limit_value * s.quantity ELSE pf.limit_value END,
           CASE WHEN f.code = 'seats' THEN (SELECT count(*) FROM memberships m WHERE m.organization_id = org)
                ELSE coalesce((SELECT sum(u.quantity) FROM billing_usage_records u
                                WHERE u.organization_id = org AND u.metric = f.code
                                  AND u.period_start = s.current_period_start
                                  AND u.period_end = s.current_period_end), 0)::bigint END,
           s.id, p.code, s.status, s.current_period_start, s.current_period_end
      FROM billing_plan_features pf
      JOIN billing_features f ON f.code = pf.feature
      JOIN billing_plans p ON p.id = pf.plan_id
     WHERE pf.plan_id = s.plan_id
     ORDER BY f.code;
END
$$;

--
-- Name: billing_invoice_lines_total(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_invoice_lines_total() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    IF NOT citus_installed() THEN
        UPDATE billing_invoices i SET total = s.total
          FROM (SELECT c.organization_id, c.invoice_id, coalesce(sum(l.amount), 0) AS total
                  FROM (SELECT DISTINCT x.organization_id, x.invoice_id FROM changed x) c
                  LEFT JOIN billing_invoice_lines l
                    ON l.organization_id = c.organization_id AND l.invoice_id = c.invoice_id
                 GROUP BY c.organization_id, c.invoice_id) s
         WHERE i.organization_id = s.organization_id AND i.id = s.invoice_id AND i.total IS DISTINCT FROM s.total;
        RETURN NULL;
    END IF;
    FOR g IN SELECT c.organization_id AS org, array_agg(DISTINCT c.invoice_id) AS invoices
               FROM changed c GROUP BY c.organization_id LOOP
        UPDATE billing_invoices i SET total = s.total
          FROM (SELECT v.id, coalesce((SELECT sum(l.amount) FROM billing_invoice_lines l
                                        WHERE l.organization_id = g.org AND l.invoice_id = v.id), 0) AS total
                  FROM unnest(g.invoices) AS v (id)) s
         WHERE i.organization_id = g.org AND i.id = s.id AND i.total IS DISTINCT FROM s.total;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: billing_invoice_step(text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_invoice_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((old = new) OR ((old = 'draft'::text) AND (new = ANY (ARRAY['open'::text, 'paid'::text, 'uncollectible'::text, 'void'::text]))) OR ((old = 'open'::text) AND (new = ANY (ARRAY['paid'::text, 'uncollectible'::text, 'void'::text]))) OR ((old = 'uncollectible'::text) AND (new = ANY (ARRAY['paid'::text, 'void'::text]))));

--
-- Name: billing_invoices_check_total(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_invoices_check_total() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    stored bigint;
    summed bigint;
BEGIN
    SELECT i.total INTO stored FROM billing_invoices i WHERE i.organization_id = NEW.organization_id AND i.id = NEW.id;
    IF NOT FOUND THEN
        RETURN NULL;  -- deleted since
    END IF;
    SELECT coalesce(sum(l.amount), 0) INTO summed FROM billing_invoice_lines l
     WHERE l.organization_id = NEW.organization_id AND l.invoice_id = NEW.id;
    IF summed <> stored THEN
        RAISE EXCEPTION 'invoice %: its total % is not the sum of its lines (%)', NEW.id, stored, summed
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_invoices_total_is_lines', COLUMN = 'total',
                  DETAIL = 'constraint "billing_invoices_total_is_lines"';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: billing_live(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_live(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (status <> ALL (ARRAY['canceled'::text, 'incomplete_expired'::text]));

--
-- Name: billing_payment_step(text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_payment_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((old = new) OR ((old = 'pending'::text) AND (new = ANY (ARRAY['succeeded'::text, 'failed'::text]))));

--
-- Name: billing_payments_refunded_guard(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_payments_refunded_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.amount_refunded := 0;
    ELSIF NEW.amount_refunded IS DISTINCT FROM OLD.amount_refunded AND pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'a payment''s amount_refunded is the sum of its refunds: record a refund'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_payments_refunded_is_refunds',
                  COLUMN = 'amount_refunded', DETAIL = 'constraint "billing_payments_refunded_is_refunds"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: billing_refund_counts(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_refund_counts(status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (status = ANY (ARRAY['pending'::text, 'requires_action'::text, 'succeeded'::text]));

--
-- Name: billing_refund_step(text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_refund_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((old = new) OR ((old = ANY (ARRAY['pending'::text, 'requires_action'::text])) AND (new = ANY (ARRAY['pending'::text, 'requires_action'::text, 'succeeded'::text, 'failed'::text, 'canceled'::text]))) OR ((old = 'succeeded'::text) AND (new = 'failed'::text)));

--
-- Name: billing_refunds_sum(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_refunds_sum() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    IF NOT citus_installed() THEN
        UPDATE billing_payments p SET amount_refunded = s.refunded
          FROM (SELECT c.organization_id, c.payment_id,
                       coalesce(sum(r.amount) FILTER (WHERE billing_refund_counts(r.status)), 0) AS refunded
                  FROM (SELECT DISTINCT x.organization_id, x.payment_id FROM changed x) c
                  LEFT JOIN billing_refunds r ON r.organization_id = c.organization_id AND r.payment_id = c.payment_id
                 GROUP BY c.organization_id, c.payment_id) s
         WHERE p.organization_id = s.organization_id AND p.id = s.payment_id
           AND p.amount_refunded IS DISTINCT FROM s.refunded;
        RETURN NULL;
    END IF;
    FOR g IN SELECT c.organization_id AS org, array_agg(DISTINCT c.payment_id) AS payments
               FROM changed c GROUP BY c.organization_id LOOP
        UPDATE billing_payments p SET amount_refunded = s.refunded
          FROM (SELECT v.id, coalesce((SELECT sum(r.amount) FROM billing_refunds r
                                        WHERE r.organization_id = g.org AND r.payment_id = v.id
                                          AND billing_refund_counts(r.status)), 0) AS refunded
                  FROM unnest(g.payments) AS v (id)) s
         WHERE p.organization_id = g.org AND p.id = s.id AND p.amount_refunded IS DISTINCT FROM s.refunded;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: billing_subscription_step(text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_subscription_step(old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((old = new) OR ((old = 'incomplete'::text) AND (new = ANY (ARRAY['active'::text, 'trialing'::text, 'past_due'::text, 'unpaid'::text, 'paused'::text, 'canceled'::text, 'incomplete_expired'::text]))) OR ((old = ANY (ARRAY['trialing'::text, 'active'::text, 'past_due'::text, 'unpaid'::text, 'paused'::text])) AND (new = ANY (ARRAY['trialing'::text, 'active'::text, 'past_due'::text, 'unpaid'::text, 'paused'::text, 'canceled'::text]))));

--
-- Name: billing_step(text, text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_step(kind text, old text, new text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE kind WHEN 'subscription'::text THEN mediabase.billing_subscription_step(old, new) WHEN 'invoice'::text THEN mediabase.billing_invoice_step(old, new) WHEN 'payment'::text THEN mediabase.billing_payment_step(old, new) WHEN 'refund'::text THEN mediabase.billing_refund_step(old, new) ELSE NULL::boolean END;

--
-- Name: billing_subscriptions_subscriber(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.billing_subscriptions_subscriber() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    c record;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF (NEW.provider, NEW.provider_subscription_id, NEW.customer_id, NEW.subscriber_organization_id, NEW.subscriber_user_id)
           IS DISTINCT FROM (OLD.provider, OLD.provider_subscription_id, OLD.customer_id, OLD.subscriber_organization_id,
                             OLD.subscriber_user_id) THEN
            RAISE EXCEPTION 'a subscription''s provider, customer and subscriber cannot change'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_immutable',
                      DETAIL = 'constraint "billing_subscriptions_immutable"';
        END IF;
        RETURN NEW;
    END IF;
    SELECT k.provider, k.user_id INTO c FROM billing_customers k
     WHERE k.organization_id = NEW.organization_id AND k.id = NEW.customer_id;
    IF NOT FOUND THEN
        RETURN NEW;  -- billing_subscriptions_customer_fk says so
    END IF;
    IF c.provider <> NEW.provider THEN
        RAISE EXCEPTION 'the customer is a customer of %, not of %', c.provider, NEW.provider
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_customer_provider',
                  DETAIL = 'constraint "billing_subscriptions_customer_provider"';
    END IF;
    NEW.subscriber_user_id := c.user_id;
    NEW.subscriber_organization_id := CASE WHEN c.user_id IS NULL THEN NEW.organization_id END;
    IF c.user_id IS NOT NULL AND NOT EXISTS (
        SELECT FROM memberships m WHERE m.organization_id = NEW.organization_id AND m.user_id = c.user_id) THEN
        RAISE EXCEPTION 'the subscriber % is not a member of the organization', c.user_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'billing_subscriptions_subscriber_member',
                  COLUMN = 'subscriber_user_id', DETAIL = 'constraint "billing_subscriptions_subscriber_member"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: cancel_job(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.cancel_job(job_id uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs SET status = 'cancelled', completed_at = now(), updated_at = now(),
                    message = coalesce(message, 'cancelled before it started')
     WHERE id = job_id AND status = 'queued'
    RETURNING status INTO v_status;
    IF FOUND THEN
        PERFORM pg_notify('mediabase_jobs_done', job_id::text);
        RETURN v_status;
    END IF;
    UPDATE jobs SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
     WHERE id = job_id AND status = 'processing'
    RETURNING status INTO v_status;
    IF FOUND THEN
        RETURN v_status;
    END IF;
    SELECT j.status INTO v_status FROM jobs j WHERE j.id = job_id;
    RETURN v_status;  -- finished already (unchanged), or NULL: no such job in this tenant
END
$$;

--
-- Name: check_immutable_columns(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_immutable_columns() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    o   jsonb := to_jsonb(OLD);
    n   jsonb := to_jsonb(NEW);
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF o->col IS DISTINCT FROM n->col AND NOT (n->col = 'null'::jsonb AND pg_trigger_depth() > 1) THEN
            RAISE EXCEPTION '%.% cannot change', mediabase.unsharded(TG_TABLE_NAME), col
                USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_immutable', COLUMN = col,
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_immutable');
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

--
-- Name: check_language(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_language(code text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (code ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'::text);

--
-- Name: check_positions_within_video(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_positions_within_video() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r   jsonb := to_jsonb(NEW);
    dur bigint;
    col text;
BEGIN
    IF r->>'video_id' IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT v.duration_ms INTO dur FROM mediabase.videos v
     WHERE v.organization_id = NEW.organization_id AND v.id = (r->>'video_id')::uuid;
    IF dur IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF (r->>col)::bigint > dur THEN
            RAISE EXCEPTION '% % ms is after the end of the video (% ms)', col, r->>col, dur
                USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_within_video', COLUMN = col,
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_within_video');
        END IF;
    END LOOP;
    RETURN NEW;
END
$$;

--
-- Name: check_segment_ts_config(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_segment_ts_config() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r    record;
    want regconfig;
BEGIN
    FOR r IN SELECT n.organization_id, n.transcript_id, array_agg(DISTINCT n.ts_config) AS configs
               FROM new_rows n GROUP BY n.organization_id, n.transcript_id LOOP
        SELECT mediabase.ts_config_for(t.language) INTO want
          FROM mediabase.transcripts t WHERE t.organization_id = r.organization_id AND t.id = r.transcript_id;
        IF want IS NOT NULL AND r.configs <> ARRAY[want] THEN
            UPDATE mediabase.transcript_segments s SET ts_config = want
             WHERE s.organization_id = r.organization_id AND s.transcript_id = r.transcript_id AND s.ts_config <> want;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: check_segments_within_video(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_segments_within_video() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r   record;
    dur bigint;
BEGIN
    FOR r IN SELECT s.organization_id, s.video_id, max(s.end_ms) AS end_ms,
                    (array_agg(s.seq ORDER BY s.end_ms DESC, s.seq))[1] AS seq
               FROM new_rows s GROUP BY s.organization_id, s.video_id LOOP
        SELECT v.duration_ms INTO dur FROM mediabase.videos v WHERE v.organization_id = r.organization_id AND v.id = r.video_id;
        IF dur IS NOT NULL AND r.end_ms > dur THEN
            RAISE EXCEPTION 'segment % ends at % ms, after the end of its video (% ms)', r.seq, r.end_ms, dur
                USING ERRCODE = 'check_violation', CONSTRAINT = 'transcript_segments_within_video';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: check_status_transition(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_status_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    step text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
    END IF;
    step := CASE WHEN TG_OP = 'INSERT' THEN '>' || NEW.status ELSE OLD.status || '>' || NEW.status END;
    IF NOT step = ANY (TG_ARGV) THEN
        RAISE EXCEPTION '%',
            CASE WHEN TG_OP = 'INSERT' THEN format('%s cannot start as %s', mediabase.unsharded(TG_TABLE_NAME), NEW.status)
                 ELSE format('%s cannot go from %s to %s', mediabase.unsharded(TG_TABLE_NAME), OLD.status, NEW.status) END
            USING ERRCODE = 'check_violation', CONSTRAINT = mediabase.unsharded(TG_TABLE_NAME) || '_status_transition', COLUMN = 'status',
                      DETAIL = format('constraint "%s"', mediabase.unsharded(TG_TABLE_NAME) || '_status_transition');
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: check_video_duration_covers_collab(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_video_duration_covers_collab() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    latest bigint;
BEGIN
    IF NEW.duration_ms IS NOT NULL AND NEW.duration_ms IS DISTINCT FROM OLD.duration_ms THEN
        SELECT max(x) INTO latest FROM (
            SELECT max(position_ms) FROM mediabase.comments WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(end_ms) FROM mediabase.video_moments WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(end_ms) FROM mediabase.video_clips WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.quote_cards WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(position_ms) FROM mediabase.decisions WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.ai_action_items WHERE organization_id = NEW.organization_id AND video_id = NEW.id
            UNION ALL SELECT max(greatest(start_ms, end_ms)) FROM mediabase.ai_topic_mentions WHERE organization_id = NEW.organization_id AND video_id = NEW.id
        ) AS t (x);
        IF latest > NEW.duration_ms THEN
            RAISE EXCEPTION 'duration % ms is shorter than a position on the video (% ms)', NEW.duration_ms, latest
                USING ERRCODE = 'check_violation', CONSTRAINT = 'videos_duration_covers_positions';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: check_video_duration_covers_segments(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.check_video_duration_covers_segments() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    latest bigint;
BEGIN
    IF NEW.duration_ms IS NOT NULL AND NEW.duration_ms IS DISTINCT FROM OLD.duration_ms THEN
        SELECT max(end_ms) INTO latest FROM mediabase.transcript_segments
         WHERE organization_id = NEW.organization_id AND video_id = NEW.id;
        IF latest > NEW.duration_ms THEN
            RAISE EXCEPTION 'duration % ms is shorter than the transcript, which ends at % ms', NEW.duration_ms, latest
                USING ERRCODE = 'check_violation', CONSTRAINT = 'transcript_segments_within_video';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: citus_installed(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.citus_installed() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') $$;

--
-- Name: citus_kind(regclass); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.citus_kind(tbl regclass) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $_$
DECLARE
    method text;
    model  text;
BEGIN
    IF NOT citus_installed() THEN
        RETURN 'local';
    END IF;
    EXECUTE 'SELECT partmethod::text, repmodel::text FROM pg_catalog.pg_dist_partition WHERE logicalrelid = $1'
        INTO method, model USING tbl;
    RETURN CASE WHEN method IS NULL THEN 'local' WHEN method = 'h' THEN 'distributed'
                WHEN method = 'n' AND model = 't' THEN 'reference' ELSE 'citus local' END;
END
$_$;

--
-- Name: new_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.new_id() RETURNS uuid
    LANGUAGE sql PARALLEL SAFE
    RETURN uuidv7();

SET default_tablespace = '';

--
-- Name: jobs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.jobs (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    type text NOT NULL,
    queue text DEFAULT 'default'::text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    stage text DEFAULT 'pending'::text NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    run_after timestamp with time zone DEFAULT now() NOT NULL,
    progress smallint DEFAULT 0 NOT NULL,
    message text,
    input jsonb DEFAULT '{}'::jsonb NOT NULL,
    context jsonb,
    result jsonb,
    error_code text,
    error_message text,
    attempts integer DEFAULT 0 NOT NULL,
    retry_count integer DEFAULT 0 NOT NULL,
    max_retries integer DEFAULT 3 NOT NULL,
    locked_by text,
    lease_expires_at timestamp with time zone,
    heartbeat_at timestamp with time zone,
    cancel_requested_at timestamp with time zone,
    idempotency_key text,
    created_by uuid,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    request_id text DEFAULT NULLIF(current_setting('mediabase.request_id'::text, true), ''::text),
    failed_attempts jsonb DEFAULT '[]'::jsonb NOT NULL,
    CONSTRAINT jobs_attempts_nonnegative CHECK ((attempts >= 0)),
    CONSTRAINT jobs_error_code_length CHECK ((length(error_code) <= 50)),
    CONSTRAINT jobs_error_message_length CHECK ((length(error_message) <= 10000)),
    CONSTRAINT jobs_failed_attempts_shape CHECK (
CASE
    WHEN (jsonb_typeof(failed_attempts) = 'array'::text) THEN ((jsonb_array_length(failed_attempts) <= 20) AND (NOT jsonb_path_exists(failed_attempts, '$[*]?(((@.type() != "object" || !(exists (@."attempt"))) || !(exists (@."error_code"))) || !(exists (@."ended_at")))'::jsonpath)))
    ELSE false
END),
    CONSTRAINT jobs_finished_at CHECK (((status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) = (completed_at IS NOT NULL))),
    CONSTRAINT jobs_lease_held CHECK (((status = 'processing'::text) = ((locked_by IS NOT NULL) AND (lease_expires_at IS NOT NULL)))),
    CONSTRAINT jobs_locked_by_length CHECK ((length(locked_by) <= 200)),
    CONSTRAINT jobs_max_retries_range CHECK (((max_retries >= 0) AND (max_retries <= 1000))),
    CONSTRAINT jobs_message_length CHECK ((length(message) <= 2000)),
    CONSTRAINT jobs_priority_range CHECK (((priority >= '-1000'::integer) AND (priority <= 1000))),
    CONSTRAINT jobs_progress_range CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT jobs_queue_format CHECK ((queue ~ '^[a-z][a-z0-9_.-]{0,62}$'::text)),
    CONSTRAINT jobs_request_id_length CHECK ((length(request_id) <= 128)),
    CONSTRAINT jobs_retry_count_nonnegative CHECK ((retry_count >= 0)),
    CONSTRAINT jobs_run_after_range CHECK (((run_after >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (run_after < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT jobs_stage_valid CHECK ((stage = ANY (ARRAY['pending'::text, 'script_expansion'::text, 'continuity_validation'::text, 'video_generation'::text, 'upload'::text, 'finalization'::text, 'completed'::text, 'error'::text, 'running'::text, 'chunking'::text, 'embedding'::text, 'indexing'::text]))),
    CONSTRAINT jobs_status_valid CHECK ((status = ANY (ARRAY['queued'::text, 'processing'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT jobs_type_format CHECK (((type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'::text) AND (length(type) <= 100)))
)
PARTITION BY RANGE (created_at);

--
-- Name: claim_jobs(text, text[], integer, integer, text[], uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.claim_jobs(worker text, types text[] DEFAULT NULL::text[], batch integer DEFAULT 10, lease_seconds integer DEFAULT 30, queues text[] DEFAULT NULL::text[], org uuid DEFAULT NULL::uuid) RETURNS SETOF mediabase.jobs
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET enable_sort TO 'off'
    SET enable_bitmapscan TO 'off'
    AS $$
DECLARE
    lease    interval := make_interval(secs => lease_seconds);
    limited  text[];
    full_    text[];
    caps     jsonb;
    n        bigint;
BEGIN
    IF worker IS NULL OR worker = '' THEN
        RAISE EXCEPTION 'worker name required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF lease_seconds < 1 THEN
        RAISE EXCEPTION 'lease_seconds must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- 1. leases that ran out: back to the queue (counted as a failed attempt, kept in the job's
    --    failed_attempts), or failed for good when the retries are used up, or cancelled when
    --    that was asked for
    WITH expired AS (
        SELECT tableoid, ctid FROM jobs
         WHERE status = 'processing' AND lease_expires_at < now()
         FOR UPDATE SKIP LOCKED
    ), done AS (
        UPDATE jobs j
           SET status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                             WHEN j.retry_count < j.max_retries THEN 'queued' ELSE 'failed' END,
               stage = CASE WHEN j.cancel_requested_at IS NULL AND j.retry_count < j.max_retries
                            THEN 'pending' WHEN j.cancel_requested_at IS NULL THEN 'error' ELSE j.stage END,
               retry_count = j.retry_count + (j.retry_count < j.max_retries)::int,
               run_after = now(),
               completed_at = CASE WHEN j.cancel_requested_at IS NULL AND j.retry_count < j.max_retries
                                   THEN NULL ELSE now() END,
               error_code = 'lease_expired',
               error_message = format('the lease of worker %s ran out at %s', j.locked_by, j.lease_expires_at),
               failed_attempts = job_attempt_failed(j.failed_attempts, j.attempts, j.locked_by, 'lease_expired',
                   format('the lease of worker %s ran out at %s', j.locked_by, j.lease_expires_at)),
               locked_by = NULL, lease_expires_at = NULL, updated_at = now()
          FROM expired e
         WHERE j.tableoid = e.tableoid AND j.ctid = e.ctid
        RETURNING j.id, j.status
    )
    SELECT count(*) INTO n FROM done d, LATERAL pg_notify('mediabase_jobs_done', d.id::text) x
     WHERE d.status <> 'queued';

    -- 2. per-type limits that concern this claim
    SELECT array_agg(l.type ORDER BY l.type) INTO limited
      FROM job_type_limits l WHERE types IS NULL OR l.type = ANY(types);

    IF limited IS NULL THEN
        RETURN QUERY
        WITH cand AS (
            SELECT tableoid, ctid FROM jobs
             WHERE status = 'queued' AND run_after <= now()
               AND (types IS NULL OR type = ANY(types)) AND (queues IS NULL OR queue = ANY(queues))
               AND (org IS NULL OR organization_id = org)
             ORDER BY priority DESC, run_after
             LIMIT batch
             FOR UPDATE SKIP LOCKED
        )
        UPDATE jobs j
           SET status = 'processing', locked_by = worker, lease_expires_at = now() + lease,
               heartbeat_at = now(), attempts = j.attempts + 1,
               started_at = coalesce(j.started_at, now()), updated_at = now()
          FROM cand c
         WHERE j.tableoid = c.tableoid AND j.ctid = c.ctid
        RETURNING j.*;
        RETURN;
    END IF;

    -- Claims of limited types take turns (one transaction lock per type, in name order, held
    -- to commit); the count below is a new statement, so it sees every earlier claim committed.
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.job_type:' || t, 0))
       FROM unnest(limited) AS t ORDER BY t;
    SELECT jsonb_object_agg(l.type, greatest(l.max_running - coalesce(r.n, 0), 0)),
           array_agg(l.type) FILTER (WHERE l.max_running - coalesce(r.n, 0) <= 0)
      INTO caps, full_
      FROM job_type_limits l
      LEFT JOIN (SELECT j.type, count(*) AS n FROM jobs j WHERE j.status = 'processing'
                  GROUP BY j.type) r ON r.type = l.type
     WHERE l.type = ANY(limited);

    RETURN QUERY
    WITH cand AS (
        SELECT tableoid, ctid, type, priority, run_after FROM jobs
         WHERE status = 'queued' AND run_after <= now()
           AND (types IS NULL OR type = ANY(types)) AND (queues IS NULL OR queue = ANY(queues))
           AND (org IS NULL OR organization_id = org)
           AND (full_ IS NULL OR type <> ALL(full_))
         ORDER BY priority DESC, run_after
         LIMIT batch
         FOR UPDATE SKIP LOCKED
    ), ranked AS (
        SELECT c.*, row_number() OVER (PARTITION BY c.type ORDER BY c.priority DESC, c.run_after) AS rn
          FROM cand c
    ), pick AS (
        SELECT r.tableoid, r.ctid FROM ranked r
         WHERE NOT caps ? r.type OR r.rn <= (caps ->> r.type)::int
    )
    UPDATE jobs j
       SET status = 'processing', locked_by = worker, lease_expires_at = now() + lease,
           heartbeat_at = now(), attempts = j.attempts + 1,
           started_at = coalesce(j.started_at, now()), updated_at = now()
      FROM pick c
     WHERE j.tableoid = c.tableoid AND j.ctid = c.ctid
    RETURNING j.*;
END
$$;

--
-- Name: comment_reactions_live(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.comment_reactions_live() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT FROM mediabase.comments c WHERE c.organization_id = NEW.organization_id
                  AND c.id = NEW.comment_id AND c.deleted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'cannot react to a deleted comment'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'comment_reactions_comment_live';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: comments_rules(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.comments_rules() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.deleted_at IS NOT NULL THEN
            RAISE EXCEPTION 'a comment cannot be created deleted'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_deleted_final';
        END IF;
        IF NEW.parent_id IS NOT NULL AND EXISTS (
            SELECT FROM mediabase.comments p WHERE p.organization_id = NEW.organization_id
               AND p.video_id = NEW.video_id AND p.id = NEW.parent_id AND p.deleted_at IS NOT NULL) THEN
            RAISE EXCEPTION 'cannot reply to a deleted comment'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_parent_live';
        END IF;
        NEW.edited_at := NULL;
        RETURN NEW;
    END IF;
    IF OLD.deleted_at IS NOT NULL THEN
        IF NEW.deleted_at IS DISTINCT FROM OLD.deleted_at OR NEW.body IS DISTINCT FROM OLD.body
           OR NEW.position_ms IS DISTINCT FROM OLD.position_ms THEN
            RAISE EXCEPTION 'a deleted comment stays deleted and cannot be edited'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'comments_deleted_final';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.deleted_at IS NOT NULL THEN
        NEW.body := NULL;
        NEW.deleted_by := coalesce(NEW.deleted_by, mediabase.current_user_id());
    ELSIF NEW.body IS DISTINCT FROM OLD.body OR NEW.position_ms IS DISTINCT FROM OLD.position_ms THEN
        NEW.edited_at := now();
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: complete_job(uuid, text, jsonb, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.complete_job(job_id uuid, worker text, result jsonb DEFAULT NULL::jsonb, org uuid DEFAULT NULL::uuid) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT EXISTS (SELECT 1 FROM complete_jobs(worker, ARRAY[job_id], ARRAY[result], org))
$$;

--
-- Name: complete_jobs(text, uuid[], jsonb[], uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.complete_jobs(worker text, ids uuid[], results jsonb[] DEFAULT NULL::jsonb[], org uuid DEFAULT NULL::uuid) RETURNS SETOF uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    done uuid[];
BEGIN
    WITH r AS (
        SELECT * FROM unnest(ids, coalesce(results, array_fill(NULL::jsonb, ARRAY[cardinality(ids)])))
            AS r (id, result)
    ), u AS (
        UPDATE jobs j SET status = 'completed', stage = 'completed', progress = 100, result = r.result,
                          completed_at = now(), locked_by = NULL, lease_expires_at = NULL,
                          error_code = NULL, error_message = NULL, updated_at = now()
          FROM r
         WHERE j.status = 'processing' AND j.id = r.id AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.id
    )
    SELECT array_agg(u.id) INTO done FROM u;
    IF done IS NOT NULL THEN
        -- waiters (wait_for, HTTP long-poll) listen on this channel; ids in chunks under 8000 bytes
        PERFORM pg_notify('mediabase_jobs_done', array_to_string(done[g:g + 199], ','))
           FROM generate_series(1, cardinality(done), 200) AS g;
        RETURN QUERY SELECT unnest(done);
    END IF;
END
$$;

--
-- Name: create_audit_partition(date); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.create_audit_partition(month date) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT create_partition('mediabase.audit_log', month)
$$;

--
-- Name: create_job_partition(date); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.create_job_partition(month date) RETURNS boolean
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT create_partition('mediabase.jobs', month)
$$;

--
-- Name: create_partition(regclass, date); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.create_partition(parent regclass, month date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET lock_timeout TO '5s'
    SET "TimeZone" TO 'UTC'
    AS $$
DECLARE
    reg      partitioned_tables;
    nsp      name;
    rel      name;
    keycol   name := partition_key_column(parent);
    def      regclass;
    m        date := date_trunc('month', month)::date;
    lo       timestamptz := m::timestamp AT TIME ZONE 'UTC';
    hi       timestamptz := (m + interval '1 month') AT TIME ZONE 'UTC';
    part     text;
    cols     text;
    waiting  boolean;
    flag     text := current_setting('mediabase.audit_maintenance', true);
BEGIN
    SELECT * INTO reg FROM partitioned_tables p WHERE p.parent = create_partition.parent;
    IF NOT FOUND OR keycol IS NULL THEN
        RAISE EXCEPTION '% is not registered in mediabase.partitioned_tables', parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT n.nspname, c.relname, nullif(p.partdefid, 0)::regclass INTO nsp, rel, def
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_partitioned_table p ON p.partrelid = c.oid
     WHERE c.oid = parent;
    part := rel || '_' || to_char(m, 'YYYY_MM');
    -- two sessions creating the same month take turns; the second finds it there
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    IF to_regclass(format('%I.%I', nsp, part)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)%s',
                   nsp, part, parent,
                   CASE WHEN cardinality(reg.partition_options) > 0
                        THEN ' WITH (' || array_to_string(reg.partition_options, ', ') || ')' ELSE '' END);
    EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (%I >= %L AND %I < %L)',
                   nsp, part, part || '_bounds', keycol, lo, keycol, hi);
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a WHERE a.attrelid = parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    FOR attempt IN 1..2 LOOP
        waiting := false;
        IF def IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= %L AND %I < %L)', def, keycol, lo, keycol, hi)
                INTO waiting;
        END IF;
        IF waiting THEN
            EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', parent);
            -- tables with append-only triggers (audit_log) let this move through
            PERFORM set_config('mediabase.audit_maintenance', 'on', true);
            EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= %L AND %I < %L RETURNING %s)'
                           ' INSERT INTO %I.%I (%s) SELECT %s FROM moved',
                           def, keycol, lo, keycol, hi, cols, nsp, part, cols, cols);
            PERFORM set_config('mediabase.audit_maintenance', coalesce(flag, ''), true);
        END IF;
        BEGIN
            EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                           parent, nsp, part, lo, hi);
            EXIT;
        EXCEPTION WHEN check_violation THEN
            IF attempt = 2 OR def IS NULL THEN
                RAISE;
            END IF;  -- a row of the month reached DEFAULT after the look above: move it now
        END;
    END LOOP;
    EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', nsp, part, part || '_bounds');
    -- row-level security is checked on the parent only: the app role never reads a partition
    EXECUTE format('REVOKE ALL ON %I.%I FROM PUBLIC, mediabase_app', nsp, part);
    RETURN true;
END
$$;

--
-- Name: current_org_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.current_org_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('mediabase.organization_id'::text, true), ''::text))::uuid;

--
-- Name: current_user_id(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN (NULLIF(current_setting('mediabase.user_id'::text, true), ''::text))::uuid;

--
-- Name: decision_links_sync(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decision_links_sync() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.link_type = 'supersedes' THEN
        UPDATE mediabase.decisions SET superseded_by = NEW.decision_id
         WHERE organization_id = NEW.organization_id AND id = NEW.target_decision_id
           AND superseded_by IS DISTINCT FROM NEW.decision_id;
    ELSIF TG_OP = 'DELETE' AND OLD.link_type = 'supersedes' THEN
        UPDATE mediabase.decisions SET superseded_by = NULL
         WHERE organization_id = OLD.organization_id AND id = OLD.target_decision_id
           AND superseded_by = OLD.decision_id;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: decision_text(text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decision_text(summary text, context text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (summary || COALESCE(('
'::text || NULLIF(btrim(context), ''::text)), ''::text));

--
-- Name: decision_trail(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decision_trail() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    o jsonb := to_jsonb(OLD);
    n jsonb := to_jsonb(NEW);
BEGIN
    INSERT INTO decision_edits (organization_id, decision_id, user_id, field, old_value, new_value)
    SELECT NEW.organization_id, NEW.id, current_user_id(), f, o->>f, n->>f
      FROM unnest(ARRAY['summary', 'context', 'source', 'video_id', 'position_ms', 'status', 'decided_at',
                        'superseded_by']) WITH ORDINALITY AS t (f, i)
     WHERE o->f IS DISTINCT FROM n->f
     ORDER BY i;
    RETURN NULL;
END
$$;

--
-- Name: decision_trail_members(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decision_trail_members() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    r        record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    decision uuid;
    field    text;
    label    text;
BEGIN
    IF mediabase.unsharded(TG_TABLE_NAME) = 'decision_tag_assignments' THEN
        decision := r.decision_id;
        field := 'tags';
        SELECT t.name INTO label FROM decision_tags t WHERE t.organization_id = r.organization_id AND t.id = r.tag_id;
        label := coalesce(label, r.tag_id::text);
    ELSIF mediabase.unsharded(TG_TABLE_NAME) = 'decision_participants' THEN
        decision := r.decision_id;
        field := 'participants';
        IF r.user_id IS NOT NULL THEN
            SELECT u.username INTO label FROM users u WHERE u.id = r.user_id;
            label := 'user:' || coalesce(label, r.user_id::text);
        ELSE
            SELECT p.name INTO label FROM people p WHERE p.organization_id = r.organization_id AND p.id = r.person_id;
            label := 'person:' || coalesce(label, r.person_id::text);
        END IF;
    ELSE
        decision := r.decision_id;
        field := 'links';
        label := r.link_type || ' ' || r.target_decision_id;
    END IF;
    -- nothing when the decision is gone (a cascade) or was created in this transaction (its
    -- tags and participants are part of its creation, which the audit log records)
    IF NOT EXISTS (SELECT FROM decisions d WHERE d.organization_id = r.organization_id AND d.id = decision
                      AND d.created_at <> now()) THEN
        RETURN NULL;
    END IF;
    INSERT INTO decision_edits (organization_id, decision_id, user_id, field, old_value, new_value)
    VALUES (r.organization_id, decision, current_user_id(), field,
            CASE WHEN TG_OP = 'DELETE' THEN label END, CASE WHEN TG_OP = 'INSERT' THEN label END);
    RETURN NULL;
END
$$;

--
-- Name: decisions_rules(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decisions_rules() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.state = 'decided' AND NEW.decided_at IS NULL AND (TG_OP = 'INSERT' OR OLD.state <> 'decided') THEN
        NEW.decided_at := now();
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.video_id IS NULL AND OLD.video_id IS NOT NULL THEN
        NEW.position_ms := NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.state IS DISTINCT FROM OLD.state AND NEW.superseded_by IS NOT NULL THEN
        RAISE EXCEPTION 'a superseded decision keeps its state; clear superseded_by first'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_state_while_superseded', COLUMN = 'status';
    END IF;
    IF NEW.layer_id IS NOT NULL AND NEW.video_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.video_id IS DISTINCT FROM OLD.video_id) AND NOT EXISTS (
        SELECT FROM mediabase.ai_layers l WHERE l.organization_id = NEW.organization_id AND l.id = NEW.layer_id
           AND l.video_id = NEW.video_id) THEN
        RAISE EXCEPTION 'an AI decision belongs to the video of its layer'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_layer_video', COLUMN = 'video_id';
    END IF;
    IF NEW.superseded_by IS NOT NULL AND NEW.superseded_by <> NEW.id
       AND (TG_OP = 'INSERT' OR NEW.superseded_by IS DISTINCT FROM OLD.superseded_by) AND EXISTS (
        WITH RECURSIVE chain (id) AS (
            SELECT NEW.superseded_by
            UNION
            SELECT d.superseded_by FROM mediabase.decisions d JOIN chain c ON d.id = c.id
             WHERE d.organization_id = NEW.organization_id AND d.superseded_by IS NOT NULL)
        SELECT FROM chain WHERE id = NEW.id) THEN
        RAISE EXCEPTION 'a decision cannot be superseded by a decision it supersedes'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_supersede_cycle', COLUMN = 'superseded_by';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: decisions_superseded_by_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decisions_superseded_by_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE decisions SET superseded_by = NULL WHERE organization_id = OLD.organization_id AND superseded_by = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION decisions_superseded_by_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.decisions_superseded_by_fk_set_null() IS 'ON DELETE SET NULL (superseded_by = NULL) of foreign key decisions_superseded_by_fk, kept by a trigger (0018)';

--
-- Name: decisions_sync_links(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decisions_sync_links() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.superseded_by IS NOT NULL
       AND OLD.superseded_by IS DISTINCT FROM NEW.superseded_by THEN
        DELETE FROM mediabase.decision_links
         WHERE organization_id = NEW.organization_id AND decision_id = OLD.superseded_by
           AND target_decision_id = NEW.id AND link_type = 'supersedes';
    END IF;
    IF NEW.superseded_by IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.superseded_by IS DISTINCT FROM NEW.superseded_by) THEN
        -- an older link between the two (related, depends_on) becomes the supersedes link
        DELETE FROM mediabase.decision_links
         WHERE organization_id = NEW.organization_id AND decision_id = NEW.superseded_by
           AND target_decision_id = NEW.id AND link_type <> 'supersedes';
        INSERT INTO mediabase.decision_links (organization_id, decision_id, target_decision_id, link_type, created_by)
        VALUES (NEW.organization_id, NEW.superseded_by, NEW.id, 'supersedes', mediabase.current_user_id())
        ON CONFLICT (organization_id, decision_id, target_decision_id) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: decisions_video_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.decisions_video_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE decisions SET video_id = NULL WHERE organization_id = OLD.organization_id AND video_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION decisions_video_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.decisions_video_fk_set_null() IS 'ON DELETE SET NULL (video_id = NULL) of foreign key decisions_video_fk, kept by a trigger (0018)';

--
-- Name: declare_table(regclass, text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.declare_table(tbl regclass, kind text, reason text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF kind IS NULL OR kind NOT IN ('distributed', 'reference', 'local') THEN
        RAISE EXCEPTION 'declare_table(%): kind must be distributed, reference or local, not %', tbl, coalesce(kind, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF kind = 'local' AND nullif(btrim(reason), '') IS NULL THEN
        RAISE EXCEPTION 'declare_table(%): a coordinator-local table needs the reason why', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (SELECT c.relispartition FROM pg_class c WHERE c.oid = tbl) THEN
        RAISE EXCEPTION 'declare_table(%): a partition follows its parent; declare the parent', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF kind = 'distributed' AND NOT EXISTS (
        SELECT FROM pg_attribute a WHERE a.attrelid = tbl AND a.attname = 'organization_id'
           AND a.atttypid = 'uuid'::regtype AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'declare_table(%): a distributed table needs its organization_id uuid column', tbl
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO table_distribution AS d (table_name, kind, reason) VALUES (tbl, kind, nullif(btrim(reason), ''))
    ON CONFLICT ON CONSTRAINT table_distribution_pkey
    DO UPDATE SET kind = excluded.kind, reason = excluded.reason, declared_at = d.declared_at;
    PERFORM distribute_tables();
END
$$;

--
-- Name: derived_id(uuid, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.derived_id(base uuid, key text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ((((("left"(replace((base)::text, '-'::text, ''::text), 12) || '8'::text) || substr(md5(key), 1, 3)) || substr('89ab'::text, ((((('x'::text || substr(md5(key), 4, 1)))::bit(4))::integer & 3) + 1), 1)) || substr(md5(key), 5, 15)))::uuid;

--
-- Name: FUNCTION derived_id(base uuid, key text); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.derived_id(base uuid, key text) IS 'A UUIDv8 of base''s 48-bit time prefix and md5(key): the ids a knowledge-graph build derives (0048)';

--
-- Name: derived_edge_id(uuid, uuid, uuid, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.derived_edge_id(layer uuid, source uuid, target uuid, relation text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN mediabase.derived_id(layer, (((((('e'::text || chr(31)) || (source)::text) || chr(31)) || (target)::text) || chr(31)) || relation));

--
-- Name: derived_evidence_id(uuid, uuid, uuid, bigint, bigint, uuid, uuid, uuid, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.derived_evidence_id(layer uuid, subject uuid, video_id uuid, start_ms bigint, end_ms bigint, segment_id uuid, decision_id uuid, action_item_id uuid, excerpt text) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN mediabase.derived_id(layer, concat_ws(chr(31), 'x', (subject)::text, ('v'::text || (video_id)::text), ('s'::text || (start_ms)::text), ('e'::text || (end_ms)::text), ('g'::text || (segment_id)::text), ('d'::text || (decision_id)::text), ('a'::text || (action_item_id)::text), ('t'::text || excerpt)));

--
-- Name: derived_node_id(uuid, text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.derived_node_id(layer uuid, type text, name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN mediabase.derived_id(layer, (((('n'::text || chr(31)) || type) || chr(31)) || lower(regexp_replace(btrim(name), '\s+'::text, ' '::text, 'g'::text))));

--
-- Name: distribute_tables(boolean); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.distribute_tables(strict boolean DEFAULT false) RETURNS TABLE(table_name regclass, kind text, action text)
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $_$
DECLARE
    t      record;
    fk     record;
    anchor regclass;
    done   boolean;
BEGIN
    IF NOT citus_installed() THEN
        RETURN;
    END IF;
    -- triggers on distributed tables run on their shards and touch that tenant's rows only
    -- (docs/scale-out.md); reference tables are made before the tables that point at them
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    PERFORM set_config('citus.enable_local_reference_table_foreign_keys', 'off', true);
    PERFORM set_config('citus.multi_shard_modify_mode', 'sequential', true);
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS src, c.confrelid::regclass AS dst
          FROM pg_constraint c
          JOIN table_distribution s ON s.table_name = c.conrelid AND s.kind = 'local'
          JOIN table_distribution d ON d.table_name = c.confrelid AND d.kind <> 'local'
         WHERE c.contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', fk.src, fk.conname);
        RAISE NOTICE 'dropped foreign key % of coordinator-local table % into %', fk.conname, fk.src, fk.dst;
        table_name := fk.src; kind := 'local'; action := 'dropped foreign key ' || fk.conname;
        RETURN NEXT;
    END LOOP;
    SELECT d.table_name INTO anchor FROM table_distribution d
     WHERE d.kind = 'distributed' AND citus_kind(d.table_name) = 'distributed'
     ORDER BY d.declared_at, d.table_name::oid LIMIT 1;
    LOOP
        done := true;
        FOR t IN
            SELECT d.table_name AS tbl, d.kind, citus_kind(d.table_name) AS now_kind
              FROM table_distribution d JOIN pg_class c ON c.oid = d.table_name
             WHERE d.kind <> 'local'
             ORDER BY d.kind = 'distributed', d.declared_at, d.table_name::text
        LOOP
            IF t.now_kind = t.kind THEN
                CONTINUE;
            END IF;
            IF t.now_kind IN ('distributed', 'reference') THEN
                RAISE EXCEPTION '% is declared %, but Citus has it as a % table: undistribute_table() it first',
                    t.tbl, t.kind, t.now_kind USING ERRCODE = 'object_not_in_prerequisite_state';
            END IF;
            -- the tables its foreign keys point at come first
            CONTINUE WHEN EXISTS (SELECT FROM pg_constraint c
                                   WHERE c.contype = 'f' AND c.conrelid = t.tbl AND c.confrelid <> t.tbl
                                     AND citus_kind(c.confrelid) NOT IN ('distributed', 'reference'));
            IF t.kind = 'reference' THEN
                EXECUTE 'SELECT create_reference_table($1)' USING t.tbl;
            ELSIF anchor IS NULL THEN
                EXECUTE 'SELECT create_distributed_table($1, ''organization_id'', colocate_with => ''none'')' USING t.tbl;
                anchor := t.tbl;
            ELSE
                EXECUTE 'SELECT create_distributed_table($1, ''organization_id'', colocate_with => $2)'
                    USING t.tbl, anchor::text;
            END IF;
            table_name := t.tbl; kind := t.kind; action := 'created ' || t.kind || ' table';
            RETURN NEXT;
            done := false;
            EXIT;  -- look again: what waited for this table may go now
        END LOOP;
        EXIT WHEN done;
    END LOOP;
    IF strict THEN
        FOR t IN SELECT d.table_name AS tbl, d.kind FROM table_distribution d JOIN pg_class c ON c.oid = d.table_name
                  WHERE d.kind <> 'local' AND citus_kind(d.table_name) <> d.kind LOOP
            RAISE EXCEPTION '% is declared % but cannot be yet: a foreign key of it points at a table that is not '
                            'distributed or reference (declare that table first)', t.tbl, t.kind
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END LOOP;
    END IF;
END
$_$;

--
-- Name: drop_partition(regclass, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.drop_partition(parent regclass, partition text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET lock_timeout TO '5s'
    AS $$
DECLARE
    nsp   name := (SELECT c.relnamespace::regnamespace::name FROM pg_class c WHERE c.oid = parent);
    cond  text := (SELECT p.keep_while FROM partitioned_tables p WHERE p.parent = drop_partition.parent);
    busy  boolean := false;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    IF NOT EXISTS (SELECT 1 FROM partitions_of(parent) x WHERE x.name = partition AND NOT x.is_default) THEN
        RAISE EXCEPTION '% is not a monthly partition of %', partition, parent USING ERRCODE = 'undefined_table';
    END IF;
    BEGIN
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %I.%I', parent, nsp, partition);
        IF cond IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %s)', nsp, partition, cond) INTO busy;
        END IF;
        IF busy THEN
            RAISE EXCEPTION USING ERRCODE = 'MBKPT';  -- undoes the detach
        END IF;
    EXCEPTION WHEN SQLSTATE 'MBKPT' THEN
        RAISE NOTICE 'kept %: it still holds rows where %', partition, cond;
        RETURN false;
    END;
    EXECUTE format('DROP TABLE %I.%I', nsp, partition);
    RETURN true;
END
$$;

--
-- Name: emit_event(uuid, text, text, uuid, jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.emit_event(org uuid, event_type text, subject_type text, subject_id uuid, data jsonb DEFAULT '{}'::jsonb) RETURNS uuid
    LANGUAGE plpgsql
    AS $$
DECLARE
    eid uuid;
BEGIN
    INSERT INTO mediabase.events (organization_id, type, subject_type, subject_id, data)
    VALUES (org, event_type, subject_type, subject_id, coalesce(data, '{}'))
    RETURNING id INTO eid;
    RETURN eid;
END
$$;

--
-- Name: emit_row_event(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.emit_row_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r    jsonb := to_jsonb(NEW);
    keys text[] := TG_ARGV[2]::text[];
    data jsonb := '{}';
    k    text;
BEGIN
    IF TG_OP = 'UPDATE' AND TG_NARGS > 3 THEN
        IF (to_jsonb(OLD) ->> TG_ARGV[3]) IS NOT NULL OR (r ->> TG_ARGV[3]) IS NULL THEN
            RETURN NULL;
        END IF;
    END IF;
    -- the payload built apart, not by a subquery inside the INSERT (Citus refuses those)
    FOREACH k IN ARRAY keys LOOP
        data := data || jsonb_build_object(k, r -> k);
    END LOOP;
    INSERT INTO mediabase.events (organization_id, type, subject_type, subject_id, data)
    VALUES ((r ->> 'organization_id')::uuid, TG_ARGV[0], TG_ARGV[1], (r ->> 'id')::uuid, data);
    RETURN NULL;
END
$$;

--
-- Name: enqueue_decision_embed(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.enqueue_decision_embed(org uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM jobs j
                    WHERE j.status = 'queued' AND j.organization_id = org AND j.type = 'decision.embed') THEN
        PERFORM enqueue_job('decision.embed', jsonb_build_object('organization_id', org), org => org);
    END IF;
END
$$;

--
-- Name: enqueue_job(text, jsonb, text, integer, timestamp with time zone, integer, text, jsonb, interval, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.enqueue_job(type text, input jsonb DEFAULT '{}'::jsonb, queue text DEFAULT 'default'::text, priority integer DEFAULT 0, run_after timestamp with time zone DEFAULT NULL::timestamp with time zone, max_retries integer DEFAULT 3, idempotency_key text DEFAULT NULL::text, context jsonb DEFAULT NULL::jsonb, key_ttl interval DEFAULT NULL::interval, org uuid DEFAULT NULL::uuid) RETURNS TABLE(id uuid, created_at timestamp with time zone, status text, created boolean)
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    v_org uuid := coalesce(org, current_org_id());
    v_id  uuid := new_id();
    v_at  timestamptz := now();
    k     record;
BEGIN
    IF v_org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id or pass org'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF enqueue_job.idempotency_key IS NOT NULL THEN
        -- The unique key decides: a concurrent second caller waits here for the first one's
        -- transaction, then sees its row. An expired key is taken over.
        INSERT INTO job_idempotency_keys AS ik (organization_id, key, job_id, job_created_at, expires_at)
        VALUES (v_org, enqueue_job.idempotency_key, v_id, v_at, v_at + key_ttl)
        ON CONFLICT (organization_id, key) DO UPDATE
            SET job_id = EXCLUDED.job_id, job_created_at = EXCLUDED.job_created_at,
                created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
            WHERE ik.expires_at <= now()
        RETURNING ik.job_id INTO k;
        IF NOT FOUND THEN
            RETURN QUERY
                SELECT j.id, j.created_at, j.status, false
                  FROM job_idempotency_keys ik JOIN jobs j
                    ON j.organization_id = ik.organization_id AND j.id = ik.job_id AND j.created_at = ik.job_created_at
                 WHERE ik.organization_id = v_org AND ik.key = enqueue_job.idempotency_key;
            IF FOUND THEN
                RETURN;
            END IF;
            -- the key points at a job that was pruned: it starts over
            UPDATE job_idempotency_keys ik SET job_id = v_id, job_created_at = v_at, created_at = v_at,
                   expires_at = v_at + key_ttl
             WHERE ik.organization_id = v_org AND ik.key = enqueue_job.idempotency_key;
        END IF;
    END IF;
    INSERT INTO jobs (organization_id, id, created_at, type, queue, priority, run_after, input, context,
                      max_retries, idempotency_key, created_by, updated_at)
    VALUES (v_org, v_id, v_at, enqueue_job.type, coalesce(enqueue_job.queue, 'default'),
            coalesce(enqueue_job.priority, 0), coalesce(enqueue_job.run_after, v_at),
            coalesce(enqueue_job.input, '{}'), enqueue_job.context, coalesce(enqueue_job.max_retries, 3),
            enqueue_job.idempotency_key, current_user_id(), v_at);
    RETURN QUERY SELECT v_id, v_at, 'queued'::text, true;
END
$$;

--
-- Name: ensure_audit_partitions(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ensure_audit_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT ensure_partitions('mediabase.audit_log', months_ahead)
$$;

--
-- Name: ensure_job_partitions(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ensure_job_partitions(months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT ensure_partitions('mediabase.jobs', months_ahead)
$$;

--
-- Name: ensure_partitions(regclass, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ensure_partitions(parent regclass, months_ahead integer DEFAULT 2) RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    AS $_$
DECLARE
    keycol name := partition_key_column(parent);
    def    regclass := (SELECT nullif(p.partdefid, 0)::regclass FROM pg_partitioned_table p WHERE p.partrelid = parent);
    this   date := date_trunc('month', now())::date;
    months date[];
    m      date;
BEGIN
    IF months_ahead IS NULL OR months_ahead < 0 OR months_ahead > 36 THEN
        RAISE EXCEPTION 'months_ahead must be between 0 and 36' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    SELECT array_agg(g::date) INTO months
      FROM generate_series(this, this + make_interval(months => months_ahead), interval '1 month') g;
    IF def IS NOT NULL AND keycol IS NOT NULL THEN
        EXECUTE format('SELECT $1 || coalesce(array_agg(DISTINCT date_trunc(''month'', %I)::date), ''{}'')'
                       ' FROM %s WHERE %I IS NOT NULL', keycol, def, keycol) INTO months USING months;
    END IF;
    FOR m IN SELECT DISTINCT u FROM unnest(months) u ORDER BY u LOOP
        IF create_partition(parent, m) THEN
            RETURN NEXT (SELECT c.relname || '_' || to_char(m, 'YYYY_MM') FROM pg_class c WHERE c.oid = parent);
        END IF;
    END LOOP;
END
$_$;

--
-- Name: erasure_pattern(text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.erasure_pattern(terms text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
    SELECT '(?<![[:alnum:]_])(?:'
           || string_agg(regexp_replace(t, '([^[:alnum:][:space:]])', '\\\1', 'g'), '|' ORDER BY length(t) DESC, t)
           || ')(?![[:alnum:]_])'
      FROM (SELECT DISTINCT btrim(t) AS t FROM unnest(terms) AS u (t) WHERE length(btrim(t)) >= 3) AS d
$$;

--
-- Name: events_pending_organizations(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.events_pending_organizations(max_orgs integer) RETURNS SETOF uuid
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    RETURN QUERY SELECT DISTINCT e.organization_id FROM events e WHERE e.dispatched_at IS NULL LIMIT max_orgs;
END
$$;

--
-- Name: fail_job(uuid, text, text, text, boolean, double precision, double precision, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.fail_job(job_id uuid, worker text, code text, message text, retryable boolean DEFAULT true, backoff_base_seconds double precision DEFAULT 2, backoff_cap_seconds double precision DEFAULT 3600, org uuid DEFAULT NULL::uuid) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs j
       SET status = CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                         WHEN retryable AND j.retry_count < j.max_retries THEN 'queued' ELSE 'failed' END,
           stage = CASE WHEN j.cancel_requested_at IS NOT NULL THEN j.stage
                        WHEN retryable AND j.retry_count < j.max_retries THEN 'pending' ELSE 'error' END,
           run_after = CASE WHEN j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries
               THEN now() + make_interval(secs => least(backoff_cap_seconds,
                        backoff_base_seconds * power(2, j.retry_count)) * (0.5 + random() / 2))
               ELSE j.run_after END,
           retry_count = j.retry_count
               + (j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries)::int,
           completed_at = CASE WHEN j.cancel_requested_at IS NULL AND retryable AND j.retry_count < j.max_retries
                               THEN NULL ELSE now() END,
           error_code = left(code, 50), error_message = left(fail_job.message, 10000),
           failed_attempts = job_attempt_failed(j.failed_attempts, j.attempts, j.locked_by, code, fail_job.message),
           locked_by = NULL, lease_expires_at = NULL, updated_at = now()
     WHERE j.status = 'processing' AND j.id = job_id AND j.locked_by = worker
       AND (org IS NULL OR j.organization_id = org)
    RETURNING j.status INTO v_status;
    IF v_status IN ('failed', 'cancelled') THEN
        PERFORM pg_notify('mediabase_jobs_done', job_id::text);
    END IF;
    RETURN v_status;
END
$$;

--
-- Name: heartbeat_jobs(text, uuid[], integer, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.heartbeat_jobs(worker text, ids uuid[], lease_seconds integer DEFAULT 30, org uuid DEFAULT NULL::uuid) RETURNS TABLE(id uuid, cancel_requested boolean)
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    UPDATE jobs j SET lease_expires_at = now() + make_interval(secs => lease_seconds),
                      heartbeat_at = now()
     WHERE j.status = 'processing' AND j.id = ANY(ids) AND j.locked_by = worker
       AND (org IS NULL OR j.organization_id = org)
    RETURNING j.id, j.cancel_requested_at IS NOT NULL
$$;

--
-- Name: highlight_reel_clips_rules(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.highlight_reel_clips_rules() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r     record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    state text;
BEGIN
    SELECT status INTO state FROM mediabase.highlight_reels
     WHERE organization_id = r.organization_id AND id = r.reel_id;
    IF state IS NULL OR state IN ('draft', 'failed') THEN
        RETURN r;
    END IF;
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN  -- a clip was deleted (foreign key cascade)
        UPDATE mediabase.highlight_reels SET status = 'draft'
         WHERE organization_id = r.organization_id AND id = r.reel_id;
        RETURN r;
    END IF;
    RAISE EXCEPTION 'the clips of a % reel cannot change; set it back to draft first', state
        USING ERRCODE = 'check_violation', CONSTRAINT = 'highlight_reel_clips_reel_editable';
END
$$;

--
-- Name: highlight_reels_rules(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.highlight_reels_rules() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF NEW.status = 'rendering' AND NOT EXISTS (
        SELECT FROM mediabase.highlight_reel_clips c WHERE c.organization_id = NEW.organization_id AND c.reel_id = NEW.id) THEN
        RAISE EXCEPTION 'a reel without clips cannot be rendered'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'highlight_reels_has_clips';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: hmac_sha256(bytea, bytea); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.hmac_sha256(msg bytea, key bytea) RETURNS bytea
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    k  bytea := key;
    ip bytea;
    op bytea;
BEGIN
    IF length(k) > 64 THEN
        k := sha256(k);
    END IF;
    k := k || decode(repeat('00', 64 - length(k)), 'hex');
    ip := k;
    op := k;
    FOR i IN 0..63 LOOP
        ip := set_byte(ip, i, get_byte(k, i) # 54);
        op := set_byte(op, i, get_byte(k, i) # 92);
    END LOOP;
    RETURN sha256(op || sha256(ip || msg));
END
$$;

--
-- Name: ingest_ts_config(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ingest_ts_config() RETURNS regconfig
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN COALESCE(((NULLIF(current_setting('mediabase.ts_config'::text, true), ''::text))::oid)::regconfig, 'simple'::regconfig);

--
-- Name: integration_accounts_connected_by_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.integration_accounts_connected_by_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE integration_accounts SET connected_by = NULL
     WHERE organization_id = OLD.organization_id AND connected_by = OLD.user_id;
    RETURN OLD;
END
$$;

--
-- Name: integration_external_items_account_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.integration_external_items_account_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE integration_external_items SET account_id = NULL
     WHERE organization_id = OLD.organization_id AND account_id = OLD.id AND provider = OLD.provider;
    RETURN OLD;
END
$$;

--
-- Name: integration_external_items_transcript_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.integration_external_items_transcript_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE integration_external_items SET transcript_id = NULL
     WHERE organization_id = OLD.organization_id AND transcript_id = OLD.id;  -- video_id may be cleared already
    RETURN OLD;
END
$$;

--
-- Name: integration_external_items_video_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.integration_external_items_video_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE integration_external_items SET video_id = NULL
     WHERE organization_id = OLD.organization_id AND video_id = OLD.id;
    RETURN OLD;
END
$$;

--
-- Name: integration_scopes_valid(text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.integration_scopes_valid(scopes text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(((cardinality(scopes) <= 100) AND (SELECT (COALESCE(bool_and((u.s ~ '^[!-~]{1,200}$'::text)), true) AND (count(DISTINCT u.s) = count(*))) FROM unnest(integration_scopes_valid.scopes) u(s))), false);

--
-- Name: is_current_org_member(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.is_current_org_member(uid uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN org IS NOT NULL AND EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = org AND m.user_id = uid);
END
$$;

--
-- Name: job_attempt_failed(jsonb, integer, text, text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.job_attempt_failed(history jsonb, attempt integer, worker text, code text, message text) RETURNS jsonb
    LANGUAGE sql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT CASE WHEN jsonb_array_length(history) >= 20 THEN history - 0 ELSE history END
           || jsonb_build_array(jsonb_build_object(
                  'attempt', attempt, 'worker', worker, 'error_code', left(code, 50),
                  'error_message', left(message, 1000), 'ended_at', now()))
$$;

--
-- Name: job_partitions(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.job_partitions() RETURNS TABLE(name text, range_from timestamp with time zone, range_to timestamp with time zone, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT * FROM partitions_of('mediabase.jobs')
$$;

--
-- Name: job_progress(uuid, text, integer, text, text, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.job_progress(job_id uuid, worker text, progress integer, stage text DEFAULT NULL::text, message text DEFAULT NULL::text, org uuid DEFAULT NULL::uuid) RETURNS text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    WITH u AS (
        UPDATE jobs j SET progress = job_progress.progress,
                          stage = coalesce(job_progress.stage, j.stage),
                          message = coalesce(job_progress.message, j.message),
                          heartbeat_at = now(), updated_at = now()
         WHERE j.status = 'processing' AND j.id = job_id AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.cancel_requested_at IS NOT NULL AS cancel
    )
    SELECT coalesce((SELECT CASE WHEN cancel THEN 'cancel_requested' ELSE 'held' END FROM u), 'lost')
$$;

--
-- Name: job_stats(interval); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.job_stats(since interval DEFAULT '24:00:00'::interval) RETURNS TABLE(type text, status text, n_jobs bigint, oldest_ready_age interval)
    LANGUAGE sql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT j.type, j.status, count(*),
           CASE WHEN j.status = 'queued' THEN now() - min(j.run_after) FILTER (WHERE j.run_after <= now()) END
      FROM jobs j
     WHERE j.status IN ('queued', 'processing') OR j.created_at >= now() - since
     GROUP BY j.type, j.status
     ORDER BY j.type, j.status
$$;

--
-- Name: maintain_partitions(integer, integer, boolean); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.maintain_partitions(months_ahead integer DEFAULT 2, prune_keep integer DEFAULT NULL::integer, drop_due boolean DEFAULT true) RETURNS TABLE(table_name text, partition_name text, action text, detail text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    t    partitioned_tables;
    keep integer;
    done jsonb;  -- [{p: partition, a: action, d: detail}], kept until the table's work committed
BEGIN
    IF prune_keep IS NOT NULL AND prune_keep < 1 THEN
        RAISE EXCEPTION 'prune_keep must be at least 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR t IN SELECT * FROM partitioned_tables ORDER BY registered_at, parent::text LOOP
        IF to_regclass(t.parent::text) IS NULL THEN
            RETURN QUERY SELECT t.parent::text, NULL::text, 'failed',
                'the registered table does not exist any more: delete its row from mediabase.partitioned_tables';
            CONTINUE;
        END IF;
        keep := CASE WHEN t.keep_months IS NOT NULL
                     THEN greatest(coalesce(prune_keep, t.keep_months), t.min_keep_months) END;
        BEGIN
            done := '[]';
            IF months_ahead IS NOT NULL THEN
                done := coalesce((SELECT jsonb_agg(jsonb_build_object('p', e.p, 'a', 'created') ORDER BY e.n)
                                    FROM ensure_partitions(t.parent, months_ahead) WITH ORDINALITY e (p, n)), '[]');
            END IF;
            IF drop_due AND keep IS NOT NULL THEN
                done := done || coalesce(
                    (SELECT jsonb_agg(jsonb_build_object('p', x.name, 'a', x.action, 'd', x.detail) ORDER BY x.n)
                       FROM prune_partitions(t.parent, keep) WITH ORDINALITY x (name, action, detail, n)), '[]');
            END IF;
        EXCEPTION WHEN OTHERS THEN
            done := jsonb_build_array(jsonb_build_object('a', 'failed', 'd', SQLERRM));
        END;
        RETURN QUERY SELECT t.parent::text, e.v->>'p', e.v->>'a', e.v->>'d'
                       FROM jsonb_array_elements(done) WITH ORDINALITY e (v, n) ORDER BY e.n;
    END LOOP;
END
$$;

--
-- Name: make_tenant_table(regclass); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.make_tenant_table(tbl regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (organization_id = mediabase.current_org_id())'
        ' WITH CHECK (organization_id = mediabase.current_org_id())', tbl);
END
$$;

--
-- Name: match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[], integer, integer, double precision, text, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.match_segments(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL::tsquery[], words text[] DEFAULT NULL::text[], ranked_by tsquery[] DEFAULT NULL::tsquery[], lim integer DEFAULT NULL::integer, after_matched integer DEFAULT NULL::integer, after_score double precision DEFAULT NULL::double precision, after_kind text DEFAULT NULL::text, after_id uuid DEFAULT NULL::uuid) RETURNS TABLE(id uuid, transcript_id uuid, video_id uuid, seq integer, start_ms bigint, end_ms bigint, speaker_id uuid, ts_config regconfig, tsq tsquery, matched integer, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := mediabase.current_org_id();
    q tsquery;
    x tsquery;
    w text[];
    r tsquery;
BEGIN
    IF org IS NULL OR cardinality(cfgs) IS DISTINCT FROM cardinality(queries) THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(cfgs), 0) LOOP
        q := queries[i];
        x := excluded[i];
        w := string_to_array(words[i], ' ');
        r := coalesce(ranked_by[i], q);
        RETURN QUERY
            SELECT m.id, m.transcript_id, m.video_id, m.seq, m.start_ms, m.end_ms, m.speaker_id, m.ts_config, r,
                   m.matched, m.score
              FROM (SELECT h.*
                      FROM (SELECT s.id, s.transcript_id, s.video_id, s.seq, s.start_ms, s.end_ms, s.speaker_id,
                                   s.ts_config,
                                   CASE WHEN w IS NULL THEN 0
                                        ELSE length(s.search_vector) - length(ts_delete(s.search_vector, w)) END
                                       AS matched,
                                   ts_rank_cd('{0.5,0.5,0.7,1.0}'::float4[], s.search_vector, r, 1)::float8 AS score
                              FROM mediabase.transcript_segments s
                             WHERE s.organization_id = org AND s.ts_config = cfgs[i] AND s.search_vector @@ q
                               AND (x IS NULL OR NOT s.search_vector @@ x)) h
                     -- the caller's cursor: rows after (matched, score, kind, id) in page order
                     WHERE after_score IS NULL OR h.matched < after_matched
                        OR (h.matched = after_matched AND (h.score < after_score
                            OR (h.score = after_score AND ('segment', h.id) > (after_kind, after_id))))
                     ORDER BY h.matched DESC, h.score DESC, h.id
                    OFFSET 0) m  -- keeps the sort below the liveness checks
             WHERE coalesce((SELECT t.is_current FROM mediabase.transcripts t
                              WHERE t.organization_id = org AND t.id = m.transcript_id), false)
               AND coalesce((SELECT v.deleted_at IS NULL FROM mediabase.videos v
                              WHERE v.organization_id = org AND v.id = m.video_id), false)
             LIMIT lim;
    END LOOP;
END
$$;

--
-- Name: match_videos(regconfig[], tsquery[], tsquery[], text[], tsquery[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.match_videos(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL::tsquery[], words text[] DEFAULT NULL::text[], ranked_by tsquery[] DEFAULT NULL::tsquery[]) RETURNS TABLE(id uuid, ts_config regconfig, tsq tsquery, matched integer, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 10
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := mediabase.current_org_id();
    q tsquery;
    x tsquery;
    w text[];
    r tsquery;
BEGIN
    IF org IS NULL OR cardinality(cfgs) IS DISTINCT FROM cardinality(queries) THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(cfgs), 0) LOOP
        q := queries[i];
        x := excluded[i];
        w := string_to_array(words[i], ' ');
        r := coalesce(ranked_by[i], q);
        RETURN QUERY
            SELECT v.id, cfgs[i], r,
                   CASE WHEN w IS NULL THEN 0
                        ELSE length(v.search_vector) - length(ts_delete(v.search_vector, w)) END,
                   ts_rank_cd('{0.5,0.5,0.7,1.0}'::float4[], v.search_vector, r, 1)::float8
              FROM mediabase.videos v
             WHERE v.organization_id = org AND v.search_vector @@ q AND v.deleted_at IS NULL
               AND mediabase.ts_config_for(v.language) = cfgs[i] AND (x IS NULL OR NOT v.search_vector @@ x);
    END LOOP;
END
$$;

--
-- Name: months_past(regclass, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.months_past(parent regclass, keep_months integer) RETURNS TABLE(name text, range_from timestamp with time zone, range_to timestamp with time zone, kept_because text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    AS $$
DECLARE
    cutoff timestamptz := date_trunc('month', now()) - make_interval(months => keep_months);
    cond   text := (SELECT p.keep_while FROM partitioned_tables p WHERE p.parent = months_past.parent);
    nsp    name := (SELECT c.relnamespace::regnamespace::name FROM pg_class c WHERE c.oid = parent);
    p      record;
    busy   boolean;
BEGIN
    FOR p IN SELECT * FROM partitions_of(parent) x WHERE NOT x.is_default AND x.range_to <= cutoff LOOP
        busy := false;
        IF cond IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE %s)', nsp, p.name, cond) INTO busy;
        END IF;
        RETURN QUERY SELECT p.name, p.range_from, p.range_to,
                            CASE WHEN busy THEN format('it still holds rows where %s', cond) END;
    END LOOP;
END
$$;

--
-- Name: music_address_account(bytea); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_address_account(addr bytea) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.address = addr;
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, address) VALUES (org, 'address', addr)
            ON CONFLICT (organization_id, address) WHERE address IS NOT NULL DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.address = addr;
        END IF;
    END IF;
    RETURN acc;
END
$$;

--
-- Name: music_blocks_flip(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_blocks_flip() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT n.organization_id AS org, array_agg(n.chain_id) AS chains, array_agg(n.hash) AS hashes,
                    array_agg(n.canonical) AS flags
               FROM flipped_new n JOIN flipped_old o
                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id AND o.hash = n.hash
              WHERE n.canonical IS DISTINCT FROM o.canonical
              GROUP BY n.organization_id LOOP
        UPDATE music_transfers t SET canonical = u.canonical
          FROM unnest(g.chains, g.hashes, g.flags) AS u (chain_id, hash, canonical)
         WHERE t.organization_id = g.org AND t.chain_id = u.chain_id AND t.block_hash = u.hash
           AND t.canonical IS DISTINCT FROM u.canonical;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_chain_holdings_apply(uuid, uuid[], numeric[], bytea[], numeric[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_chain_holdings_apply(org uuid, contracts uuid[], tokens numeric[], addresses bytea[], deltas numeric[]) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    ts timestamptz := now();
BEGIN
    IF contracts IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO music_chain_holdings (organization_id, contract_id, token_id, address, balance, updated_at)
    SELECT org, u.contract_id, u.token_id, u.address, 0, ts
      FROM unnest(contracts, tokens, addresses) AS u (contract_id, token_id, address)
        ON CONFLICT (organization_id, contract_id, token_id, address) DO NOTHING;
    UPDATE music_chain_holdings h SET balance = h.balance + u.delta, updated_at = ts
      FROM unnest(contracts, tokens, addresses, deltas) AS u (contract_id, token_id, address, delta)
     WHERE h.organization_id = org AND h.contract_id = u.contract_id AND h.token_id = u.token_id
       AND h.address = u.address;
END
$$;

--
-- Name: music_chain_verify(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_chain_verify() RETURNS TABLE(contract_id uuid, token_id numeric, address bytea, problem text, expected numeric, actual numeric)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    WITH fold AS (
        SELECT f.contract_id, f.token_id, f.address, sum(f.delta) AS balance
          FROM (SELECT t.contract_id, coalesce(t.token_id, 0) AS token_id, t.from_address AS address, -t.amount AS delta
                  FROM music_transfers t
                 WHERE t.organization_id = org AND t.canonical AND t.from_address <> music_zero_address()
                UNION ALL
                SELECT t.contract_id, coalesce(t.token_id, 0), t.to_address, t.amount
                  FROM music_transfers t
                 WHERE t.organization_id = org AND t.canonical AND t.to_address <> music_zero_address()) f
         GROUP BY f.contract_id, f.token_id, f.address
    )
    SELECT coalesce(f.contract_id, h.contract_id), coalesce(f.token_id, h.token_id), coalesce(f.address, h.address),
           'holding', coalesce(f.balance, 0), coalesce(h.balance, 0)
      FROM fold f
      FULL JOIN (SELECT * FROM music_chain_holdings WHERE organization_id = org) h
        ON h.contract_id = f.contract_id AND h.token_id = f.token_id AND h.address = f.address
     WHERE coalesce(f.balance, 0) <> coalesce(h.balance, 0)
    UNION ALL
    SELECT t.contract_id, t.token_id, t.tx_hash, 'canonical flag differs from its block''s',
           b.canonical::int, t.canonical::int
      FROM music_transfers t
      JOIN music_blocks b ON b.organization_id = t.organization_id AND b.chain_id = t.chain_id AND b.hash = t.block_hash
     WHERE t.organization_id = org AND b.organization_id = org
       AND t.canonical IS DISTINCT FROM b.canonical;
END
$$;

--
-- Name: music_coins_check(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_coins_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    a record;
BEGIN
    SELECT kind, artist_id INTO a FROM music_assets WHERE organization_id = NEW.organization_id AND id = NEW.asset_id;
    IF FOUND AND (a.kind <> 'coin' OR a.artist_id IS DISTINCT FROM NEW.artist_id) THEN
        RAISE EXCEPTION 'a coin''s asset is of kind coin and of the coin''s artist'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_coins_asset_is_coin', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_coins_asset_is_coin"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_contract_splits_guard(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_contract_splits_guard() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    r     record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    state text;
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;  -- the contract's (the master's) cascade
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.contract_id <> OLD.contract_id OR NEW.organization_id <> OLD.organization_id) THEN
        RAISE EXCEPTION 'a split line stays in its contract version'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contract_splits_immutable',
                  DETAIL = 'constraint "music_contract_splits_immutable"';
    END IF;
    SELECT c.status INTO state FROM music_contracts c
     WHERE c.organization_id = r.organization_id AND c.id = r.contract_id FOR SHARE;
    IF state IS NOT NULL AND state <> 'draft' THEN
        RAISE EXCEPTION 'the contract version is %: its splits cannot change (write a new version)', state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_signed_immutable',
                  DETAIL = 'constraint "music_contracts_signed_immutable"';
    END IF;
    RETURN r;
END
$$;

--
-- Name: music_contract_splits_sum_check(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_contract_splits_sum_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    r        record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    contract uuid;
    total    bigint;
    lines    integer;
BEGIN
    contract := (to_jsonb(r)->>CASE WHEN mediabase.unsharded(TG_TABLE_NAME) = 'music_contracts' THEN 'id'
                                    ELSE 'contract_id' END)::uuid;
    IF NOT EXISTS (SELECT FROM music_contracts c WHERE c.organization_id = r.organization_id AND c.id = contract) THEN
        RETURN NULL;  -- gone with its master
    END IF;
    SELECT coalesce(sum(s.bps), 0), count(*) INTO total, lines FROM music_contract_splits s
     WHERE s.organization_id = r.organization_id AND s.contract_id = contract;
    IF total <> 10000 THEN
        RAISE EXCEPTION 'the splits of a contract version sum to exactly 10,000 basis points; these % line(s) sum to %',
                        lines, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contract_splits_sum', COLUMN = 'bps',
                  DETAIL = 'constraint "music_contract_splits_sum"';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: music_contracts_allocate(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_contracts_allocate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    next integer;
BEGIN
    PERFORM FROM music_masters m WHERE m.organization_id = NEW.organization_id AND m.id = NEW.master_id
        FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'master % does not exist', NEW.master_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_contracts_master_fk',
                  DETAIL = 'constraint "music_contracts_master_fk"';
    END IF;
    SELECT coalesce(max(c.version), 0) + 1 INTO next FROM music_contracts c
     WHERE c.organization_id = NEW.organization_id AND c.master_id = NEW.master_id;
    IF NEW.version IS NOT NULL AND NEW.version <> next THEN
        RAISE EXCEPTION 'the next contract version of this master is %, not %', next, NEW.version
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_version_gapless', COLUMN = 'version',
                  DETAIL = 'constraint "music_contracts_version_gapless"';
    END IF;
    NEW.version := next;
    RETURN NEW;
END
$$;

--
-- Name: music_contracts_guard(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_contracts_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF pg_trigger_depth() > 1 THEN
            RETURN OLD;  -- the master's cascade
        END IF;
        RAISE EXCEPTION 'contract versions are never deleted (a new version supersedes one)'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_append_only',
                  DETAIL = 'constraint "music_contracts_append_only"';
    END IF;
    IF OLD.status <> 'draft' AND NOT (
           OLD.status = 'signed' AND NEW.status = 'superseded'
           AND (to_jsonb(NEW) - 'status' - 'superseded_at') = (to_jsonb(OLD) - 'status' - 'superseded_at')) THEN
        RAISE EXCEPTION 'contract version % is %: it cannot change (write a new version)', OLD.version, OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_signed_immutable',
                  DETAIL = 'constraint "music_contracts_signed_immutable"';
    END IF;
    IF NEW.master_id IS DISTINCT FROM OLD.master_id OR NEW.version IS DISTINCT FROM OLD.version
       OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
        RAISE EXCEPTION 'a contract version keeps its master and number'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_immutable',
                  DETAIL = 'constraint "music_contracts_immutable"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_distribute_dividend(uuid, date, date, character, timestamp with time zone, bigint, bigint); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_distribute_dividend(master uuid, period_start date, period_end date, currency character, record_at timestamp with time zone DEFAULT NULL::timestamp with time zone, record_chain_id bigint DEFAULT NULL::bigint, record_block bigint DEFAULT NULL::bigint) RETURNS TABLE(dividend_id uuid, created boolean)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org      uuid := current_org_id();
    actor    uuid := current_user_id();
    existing record;
    asset    uuid;
    revenue  numeric;
    contract uuid;
    bps      integer := 10000;
    d        numeric;
    div_id   uuid := new_id();
    paid     numeric;
    n        integer;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF num_nonnulls(record_at, record_block) <> 1 OR (record_chain_id IS NULL) <> (record_block IS NULL) THEN
        RAISE EXCEPTION 'a dividend has one record point: an instant, or a chain and a block'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_record_point';
    END IF;
    IF record_at > statement_timestamp() THEN
        RAISE EXCEPTION 'the record point % is in the future: holdings there are not known yet', record_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_record_past', COLUMN = 'record_at';
    END IF;
    -- one distribution of a master at a time, and no revenue import of it meanwhile
    PERFORM FROM music_masters m WHERE m.organization_id = org AND m.id = master FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'master % does not exist', master
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_dividends_master_fk';
    END IF;
    SELECT x.id, x.record_at, x.record_chain_id, x.record_block INTO existing FROM music_dividends x
     WHERE x.organization_id = org AND x.master_id = master AND x.currency = music_distribute_dividend.currency
       AND x.period_start = music_distribute_dividend.period_start AND x.period_end = music_distribute_dividend.period_end;
    IF FOUND THEN
        IF existing.record_at IS DISTINCT FROM music_distribute_dividend.record_at
           OR existing.record_chain_id IS DISTINCT FROM music_distribute_dividend.record_chain_id
           OR existing.record_block IS DISTINCT FROM music_distribute_dividend.record_block THEN
            RAISE EXCEPTION 'this period was distributed already at another record point (dividend %)', existing.id
                USING ERRCODE = 'unique_violation', CONSTRAINT = 'music_dividends_period_key';
        END IF;
        RETURN QUERY SELECT existing.id, false;
        RETURN;
    END IF;
    SELECT a.id INTO asset FROM music_assets a
     WHERE a.organization_id = org AND a.master_id = master AND a.kind = 'master_share';
    IF asset IS NULL THEN
        RAISE EXCEPTION 'master % has no share asset: nobody holds it', master
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_share_asset';
    END IF;
    SELECT sum(e.amount) INTO revenue FROM music_revenue_events e
     WHERE e.organization_id = org AND e.master_id = master AND e.currency = music_distribute_dividend.currency
       AND e.period_start >= music_distribute_dividend.period_start AND e.period_start < music_distribute_dividend.period_end;
    IF revenue IS NULL THEN
        RAISE EXCEPTION 'master % has no % revenue in % to %', master, currency, period_start, period_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_revenue_positive';
    END IF;
    SELECT c.id, coalesce((SELECT sum(s.bps) FROM music_contract_splits s
                            WHERE s.organization_id = org AND s.contract_id = c.id AND s.party = 'investors'), 0)
      INTO contract, bps
      FROM music_contracts c
     WHERE c.organization_id = org AND c.master_id = master AND c.status = 'signed';
    IF contract IS NULL THEN
        bps := 10000;
    END IF;
    d := div(revenue * bps, 10000);
    IF d = 0 THEN
        RAISE EXCEPTION 'nothing to distribute: the investors'' share (% bps) of % % is below one unit', bps, revenue, currency
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_distributable_positive';
    END IF;

    -- Two statements: the dividend, then every payout. (One statement, payouts in a CTE, is what a
    -- single server runs fastest, but on Citus the CTE runs first as a statement of its own, and
    -- the payouts' foreign key to their dividend is checked on the shard before the dividend
    -- exists.) The holders at the record point are the body of music_holdings_at /
    -- music_holdings_at_block (0028) written out, so the planner sees each whole statement; the
    -- first reads only their count and sum. Largest remainder gives every unit away when there is
    -- a holder, so the remainder is 0 then and the whole amount when nobody holds the asset.
    WITH h AS (
        SELECT l.account_id, sum(l.amount) AS quantity
                  FROM music_journal_lines l
                  JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
                 WHERE l.organization_id = org AND a.organization_id = org AND l.asset_id = asset
                   AND a.kind <> 'issuance'
                   AND (music_distribute_dividend.record_block IS NOT NULL
                        OR l.effective_at <= music_distribute_dividend.record_at)
                   AND (music_distribute_dividend.record_block IS NULL
                        OR (l.block_number <= music_distribute_dividend.record_block
                            AND EXISTS (SELECT FROM music_journal_entries e
                                         WHERE e.organization_id = org AND e.id = l.entry_id
                                           AND e.chain_id = music_distribute_dividend.record_chain_id)))
                 GROUP BY l.account_id
                HAVING sum(l.amount) > 0
    )
    INSERT INTO music_dividends (organization_id, id, master_id, asset_id, period_start, period_end, currency,
                                 record_at, record_chain_id, record_block, revenue, investors_bps, contract_id,
                                 distributable, remainder, holders, total_holding, created_by)
    SELECT org, div_id, master, asset, music_distribute_dividend.period_start, music_distribute_dividend.period_end,
           music_distribute_dividend.currency, music_distribute_dividend.record_at,
           music_distribute_dividend.record_chain_id, music_distribute_dividend.record_block, revenue, bps, contract,
           d, CASE WHEN count(*) = 0 THEN d ELSE 0 END, count(*), coalesce(sum(h.quantity), 0), actor
      FROM h
    RETURNING holders INTO n;

    -- Where 100,000 payouts spend their time (bench/RESULTS.md, "Music dividends"): about half in
    -- the two foreign-key checks PostgreSQL runs per inserted payout (dividend, account), the
    -- rest in the holdings aggregate, the sort by fractional part and the insert with its two
    -- indexes. Per holder, D·h is computed once (h) and divided once (q, kept a subquery by
    -- OFFSET 0 so that base is not recomputed inside frac); frac = D·h − base·H is mod(D·h, H)
    -- (all positive). The payouts are inserted in account order: both indexes of music_payouts
    -- lead with (organization_id, dividend_id | account_id), so the inserts walk them in order.
    WITH h AS (
        SELECT x.account_id, x.quantity, d * x.quantity AS dq, sum(x.quantity) OVER () AS total
          FROM (SELECT l.account_id, sum(l.amount) AS quantity
                  FROM music_journal_lines l
                  JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
                 WHERE l.organization_id = org AND a.organization_id = org AND l.asset_id = asset
                   AND a.kind <> 'issuance'
                   AND (music_distribute_dividend.record_block IS NOT NULL
                        OR l.effective_at <= music_distribute_dividend.record_at)
                   AND (music_distribute_dividend.record_block IS NULL
                        OR (l.block_number <= music_distribute_dividend.record_block
                            AND EXISTS (SELECT FROM music_journal_entries e
                                         WHERE e.organization_id = org AND e.id = l.entry_id
                                           AND e.chain_id = music_distribute_dividend.record_chain_id)))
                 GROUP BY l.account_id
                HAVING sum(l.amount) > 0) x
    ), q AS (
        SELECT h.account_id, h.quantity, h.dq, h.total, div(h.dq, h.total) AS base
          FROM h
        OFFSET 0
    ), alloc AS (
        SELECT q.account_id, q.quantity,
               q.base + CASE WHEN row_number() OVER (ORDER BY q.dq - q.base * q.total DESC, q.account_id)
                                  <= d - sum(q.base) OVER () THEN 1 ELSE 0 END AS amount
          FROM q
    ), payouts AS (
        INSERT INTO music_payouts (organization_id, dividend_id, account_id, currency, holding, amount)
        SELECT org, div_id, a.account_id, music_distribute_dividend.currency, a.quantity, a.amount
          FROM alloc a
         ORDER BY a.account_id
        RETURNING amount
    )
    SELECT coalesce(sum(p.amount), 0) INTO paid FROM payouts p;

    -- the deferred trigger music_dividends_exact checks the sum again from the table at commit
    IF n > 0 AND paid <> d THEN
        RAISE EXCEPTION 'the distribution paid % of % among % holders', paid, d, n
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_exact';
    END IF;
    RETURN QUERY SELECT div_id, true;
END
$$;

--
-- Name: music_dividends_check_exact(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_dividends_check_exact() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    paid  numeric;
    n     bigint;
    total numeric;
BEGIN
    SELECT coalesce(sum(p.amount), 0), count(*), coalesce(sum(p.holding), 0) INTO paid, n, total
      FROM music_payouts p WHERE p.organization_id = NEW.organization_id AND p.dividend_id = NEW.id;
    IF paid + NEW.remainder <> NEW.distributable OR n <> NEW.holders OR total <> NEW.total_holding THEN
        RAISE EXCEPTION 'dividend %: payouts % + remainder % <> distributable % (% payouts for % holders)',
                        NEW.id, paid, NEW.remainder, NEW.distributable, n, NEW.holders
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_dividends_exact',
                  DETAIL = 'constraint "music_dividends_exact"';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: music_hex(bytea); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_hex(b bytea) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ('0x'::text || encode(b, 'hex'::text));

--
-- Name: music_hex_int(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_hex_int(h text) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (h)::bigint;

--
-- Name: music_hex_uint256(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_hex_uint256(h text) RETURNS numeric
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (h)::numeric;

--
-- Name: music_holdings_at(uuid, timestamp with time zone); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_holdings_at(asset uuid, at timestamp with time zone) RETURNS TABLE(account_id uuid, quantity numeric)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    SELECT l.account_id, sum(l.amount)
      FROM music_journal_lines l
      JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
     WHERE l.organization_id = org AND a.organization_id = org
       AND l.asset_id = asset AND l.effective_at <= at AND a.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0;
END
$$;

--
-- Name: music_holdings_at_block(uuid, bigint, bigint); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_holdings_at_block(asset uuid, chain bigint, block bigint) RETURNS TABLE(account_id uuid, quantity numeric)
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
#variable_conflict use_column
DECLARE
    org uuid := current_org_id();
BEGIN
    RETURN QUERY
    SELECT l.account_id, sum(l.amount)
      FROM music_journal_lines l
      JOIN music_journal_entries e ON e.organization_id = l.organization_id AND e.id = l.entry_id
      JOIN music_accounts a ON a.organization_id = l.organization_id AND a.id = l.account_id
     WHERE l.organization_id = org AND e.organization_id = org AND a.organization_id = org
       AND l.asset_id = asset AND e.chain_id = chain AND l.block_number <= block AND a.kind <> 'issuance'
     GROUP BY l.account_id
    HAVING sum(l.amount) > 0;
END
$$;

--
-- Name: music_ipo_allocations_post(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_ipo_allocations_post() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    ipo  record;
    kind text;
BEGIN
    SELECT i.status, i.opens_at, i.closes_at, i.asset_id, i.treasury_account_id INTO ipo
      FROM music_ipos i WHERE i.organization_id = NEW.organization_id AND i.id = NEW.ipo_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no such IPO' USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'music_ipo_allocations_ipo_fk', DETAIL = 'constraint "music_ipo_allocations_ipo_fk"';
    END IF;
    SELECT a.kind INTO kind FROM music_accounts a WHERE a.organization_id = NEW.organization_id AND a.id = NEW.account_id;
    IF kind IN ('issuance', 'treasury') THEN
        RAISE EXCEPTION 'shares are allocated to a buyer''s account, not to an issuance or treasury account'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipo_allocations_buyer', COLUMN = 'account_id',
                  DETAIL = 'constraint "music_ipo_allocations_buyer"';
    END IF;
    IF ipo.status <> 'open' OR statement_timestamp() < ipo.opens_at OR statement_timestamp() >= ipo.closes_at THEN
        RAISE EXCEPTION 'the IPO is not open (status %, window % to %)', ipo.status, ipo.opens_at, ipo.closes_at
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipo_allocations_while_open', COLUMN = 'ipo_id',
                  DETAIL = 'constraint "music_ipo_allocations_while_open"';
    END IF;
    UPDATE music_ipos SET allocated = allocated + NEW.quantity
     WHERE organization_id = NEW.organization_id AND id = NEW.ipo_id;
    NEW.entry_id := music_post_entry(NEW.organization_id, 'allocation', ipo.asset_id,
                                     ARRAY[ipo.treasury_account_id, NEW.account_id],
                                     ARRAY[-NEW.quantity, NEW.quantity],
                                     'IPO ' || NEW.ipo_id || ': allocation', NEW.created_by);
    RETURN NEW;
END
$$;

--
-- Name: music_ipos_change(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_ipos_change() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF (NEW.opens_at, NEW.closes_at) IS DISTINCT FROM (OLD.opens_at, OLD.closes_at) AND OLD.status <> 'scheduled' THEN
        RAISE EXCEPTION 'an IPO''s window changes only while it is scheduled'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipos_window_fixed', COLUMN = 'opens_at',
                  DETAIL = 'constraint "music_ipos_window_fixed"';
    END IF;
    IF NEW.status = 'canceled' AND OLD.status <> 'canceled' AND OLD.allocated = 0 THEN
        NEW.cancel_entry_id := music_post_entry(NEW.organization_id, 'burn', NEW.asset_id,
                                                ARRAY[NEW.treasury_account_id, music_issuance_account()],
                                                ARRAY[-NEW.total_supply, NEW.total_supply],
                                                'IPO ' || NEW.id || ': canceled', current_user_id());
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_ipos_issue(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_ipos_issue() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    a record;
BEGIN
    SELECT kind, master_id INTO a FROM music_assets WHERE organization_id = NEW.organization_id AND id = NEW.asset_id;
    IF a IS NULL OR a.kind <> 'master_share' OR a.master_id IS DISTINCT FROM NEW.master_id THEN
        RAISE EXCEPTION 'the asset of an IPO is the share asset of its master'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_ipos_asset_of_master', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_ipos_asset_of_master"';
    END IF;
    NEW.allocated := 0;
    NEW.cancel_entry_id := NULL;
    INSERT INTO music_accounts (organization_id, kind, label)
    VALUES (NEW.organization_id, 'treasury', 'IPO ' || NEW.id) RETURNING id INTO NEW.treasury_account_id;
    NEW.issue_entry_id := music_post_entry(NEW.organization_id, 'mint', NEW.asset_id,
                                           ARRAY[music_issuance_account(), NEW.treasury_account_id],
                                           ARRAY[-NEW.total_supply, NEW.total_supply],
                                           'IPO ' || NEW.id || ': issue', NEW.created_by);
    RETURN NEW;
END
$$;

--
-- Name: music_is_hex(text, integer, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_is_hex(t text, lo integer, hi integer) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE((((length(t) >= (lo + 2)) AND (length(t) <= (hi + 2))) AND (t ~ '^0[xX][0-9a-fA-F]+$'::text)), false);

--
-- Name: music_issuance_account(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_issuance_account() RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.kind = 'issuance';
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, label) VALUES (org, 'issuance', 'issuance')
            ON CONFLICT (organization_id) WHERE kind = 'issuance' DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.kind = 'issuance';
        END IF;
    END IF;
    RETURN acc;
END
$$;

--
-- Name: music_journal_entries_have_lines(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_journal_entries_have_lines() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM music_journal_lines l
                    WHERE l.organization_id = NEW.organization_id AND l.entry_id = NEW.id) THEN
        RAISE EXCEPTION 'journal entry % has no lines', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_entries_have_lines',
                  DETAIL = 'constraint "music_journal_entries_have_lines"';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: music_journal_lines_apply(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_journal_lines_apply() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    bad   record;
    g     record;
    iss   uuid;
    existing bigint;
    assets   uuid[];
    accounts uuid[];
    deltas   numeric[];
    ts       timestamptz := now();
BEGIN
    SELECT n.entry_id, n.asset_id, sum(n.amount) AS total INTO bad
      FROM new_lines n GROUP BY n.organization_id, n.entry_id, n.asset_id HAVING sum(n.amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % does not balance: its lines of asset % sum to %, not 0',
                        bad.entry_id, bad.asset_id, bad.total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_lines_balanced',
                  DETAIL = 'constraint "music_journal_lines_balanced"';
    END IF;
    -- the transition table is read here, locally, into arrays; the statements on the distributed
    -- tables read the arrays (Citus cannot ship a transition table to a shard)
    FOR g IN SELECT n.organization_id AS org, array_agg(DISTINCT n.entry_id) AS entries, count(*) AS lines
               FROM new_lines n GROUP BY n.organization_id LOOP
        SELECT count(*) INTO existing FROM music_journal_lines l
         WHERE l.organization_id = g.org AND l.entry_id = ANY (g.entries);
        IF existing <> g.lines THEN
            RAISE EXCEPTION 'a journal entry already had lines: an entry''s lines are written in one statement, once'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_lines_one_statement',
                      DETAIL = 'constraint "music_journal_lines_one_statement"';
        END IF;
        SELECT a.id INTO iss FROM music_accounts a WHERE a.organization_id = g.org AND a.kind = 'issuance';
        SELECT array_agg(d.asset_id ORDER BY d.asset_id, d.account_id), array_agg(d.account_id ORDER BY d.asset_id, d.account_id),
               array_agg(d.delta ORDER BY d.asset_id, d.account_id)
          INTO assets, accounts, deltas
          FROM (SELECT n.asset_id, n.account_id, sum(n.amount) AS delta
                  FROM new_lines n
                 WHERE n.organization_id = g.org AND n.account_id IS DISTINCT FROM iss
                 GROUP BY n.asset_id, n.account_id) d;
        IF assets IS NOT NULL THEN
            -- a row for every (asset, holder) first, then one UPDATE: a proposed row is checked
            -- before ON CONFLICT looks, so an upsert would refuse every debit of an existing balance
            INSERT INTO music_balances (organization_id, asset_id, account_id, balance, updated_at)
            SELECT g.org, u.asset_id, u.account_id, 0, ts FROM unnest(assets, accounts) AS u (asset_id, account_id)
                ON CONFLICT (organization_id, asset_id, account_id) DO NOTHING;
            UPDATE music_balances b
               SET balance = b.balance + u.delta, updated_at = ts
              FROM unnest(assets, accounts, deltas) AS u (asset_id, account_id, delta)
             WHERE b.organization_id = g.org AND b.asset_id = u.asset_id AND b.account_id = u.account_id;
        END IF;
        IF iss IS NOT NULL THEN
            FOR bad IN SELECT n.asset_id,
                              coalesce(sum(-n.amount) FILTER (WHERE n.amount < 0), 0) AS minted,
                              coalesce(sum(n.amount) FILTER (WHERE n.amount > 0), 0) AS burned
                         FROM new_lines n
                        WHERE n.organization_id = g.org AND n.account_id = iss
                        GROUP BY n.asset_id LOOP
                UPDATE music_assets s SET minted = s.minted + bad.minted, burned = s.burned + bad.burned
                 WHERE s.organization_id = g.org AND s.id = bad.asset_id;
            END LOOP;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_journal_lines_stamp(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_journal_lines_stamp() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    SELECT e.effective_at, e.block_number INTO NEW.effective_at, NEW.block_number
      FROM music_journal_entries e WHERE e.organization_id = NEW.organization_id AND e.id = NEW.entry_id;
    RETURN NEW;
END
$$;

--
-- Name: music_liquidity_snapshots_decimals(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_liquidity_snapshots_decimals() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    SELECT a.decimals INTO NEW.coin_decimals
      FROM music_coins c JOIN music_assets a ON a.organization_id = c.organization_id AND a.id = c.asset_id
     WHERE c.organization_id = NEW.organization_id AND c.id = NEW.coin_id;
    NEW.coin_decimals := coalesce(NEW.coin_decimals, 0);  -- no such coin: the foreign key refuses it
    RETURN NEW;
END
$$;

--
-- Name: music_nfts_audit_insert(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_nfts_audit_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT organization_id, contract_id,
                    jsonb_build_object('contract_id', contract_id, 'nfts', count(*), 'first_token_id', min(token_id),
                                       'last_token_id', max(token_id)) AS image
               FROM inserted GROUP BY organization_id, contract_id LOOP
        INSERT INTO audit_log (organization_id, actor_id, table_name, action, row_id, after)
        VALUES (g.organization_id, current_user_id(), 'music_nfts', 'INSERT', g.contract_id, g.image);
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_payouts_dividend_status(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_payouts_dividend_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    -- the transition table read on its own, per organization (on Citus this runs on a shard, where
    -- it cannot be joined with a distributed table)
    FOR g IN SELECT n.organization_id AS org, array_agg(DISTINCT n.dividend_id) AS dividends
               FROM changed n GROUP BY n.organization_id LOOP
        UPDATE music_dividends d SET status = 'paid', paid_at = now()
         WHERE d.organization_id = g.org AND d.id = ANY (g.dividends) AND d.status <> 'paid'
           AND NOT EXISTS (SELECT FROM music_payouts p
                            WHERE p.organization_id = g.org AND p.dividend_id = d.id AND p.status <> 'paid');
        UPDATE music_dividends d SET status = 'paying'
         WHERE d.organization_id = g.org AND d.id = ANY (g.dividends) AND d.status = 'computed';
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_post_entry(uuid, text, uuid, uuid[], numeric[], text, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_post_entry(org uuid, entry_kind text, asset uuid, accounts uuid[], amounts numeric[], note text, actor uuid) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    entry uuid;
BEGIN
    INSERT INTO music_journal_entries (organization_id, kind, memo, created_by)
    VALUES (org, entry_kind, note, actor) RETURNING id INTO entry;
    INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)
    SELECT org, entry, l.n, asset, l.account, l.amount
      FROM unnest(accounts, amounts) WITH ORDINALITY AS l (account, amount, n);
    RETURN entry;
END
$$;

--
-- Name: music_require_tenant(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_require_tenant() RETURNS uuid
    LANGUAGE plpgsql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := current_org_id();
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN org;
END
$$;

--
-- Name: music_revenue_events_period_open(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_revenue_events_period_open() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    d record;
BEGIN
    PERFORM FROM music_masters m WHERE m.organization_id = NEW.organization_id AND m.id = NEW.master_id FOR SHARE;
    SELECT x.id, x.period_start, x.period_end INTO d FROM music_dividends x
     WHERE x.organization_id = NEW.organization_id AND x.master_id = NEW.master_id AND x.currency = NEW.currency
       AND x.period_start <= NEW.period_start AND NEW.period_start < x.period_end;
    IF FOUND THEN
        RAISE EXCEPTION 'revenue % % starting % falls in a period already distributed (% to %): date it in a later period',
                        NEW.source, NEW.external_id, NEW.period_start, d.period_start, d.period_end
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_revenue_events_period_open', COLUMN = 'period_start',
                  DETAIL = 'constraint "music_revenue_events_period_open"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_reverse_entry(uuid, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_reverse_entry(entry uuid, memo text DEFAULT NULL::text) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := music_require_tenant();
    e   record;
    rid uuid;
BEGIN
    SELECT * INTO e FROM music_journal_entries j WHERE j.organization_id = org AND j.id = entry;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no journal entry %', entry
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_journal_entries_reverses_fk';
    END IF;
    IF e.kind = 'reversal' THEN
        RAISE EXCEPTION 'entry % is itself a reversal; post a correction instead', entry
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_journal_entries_reversal_of_reversal',
                  DETAIL = 'constraint "music_journal_entries_reversal_of_reversal"';
    END IF;
    INSERT INTO music_journal_entries (organization_id, kind, effective_at, chain_id, block_number, memo, reverses_id)
    VALUES (org, 'reversal', now(), e.chain_id, e.block_number,
            coalesce(music_reverse_entry.memo, format('reverses %s', entry)), entry)
    RETURNING id INTO rid;
    INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)
    SELECT org, rid, l.line_no, l.asset_id, l.account_id, -l.amount
      FROM music_journal_lines l WHERE l.organization_id = org AND l.entry_id = entry;
    RETURN rid;
END
$$;

--
-- Name: music_sign_contract(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_sign_contract(contract uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org    uuid := mediabase.current_org_id();
    signer uuid := mediabase.current_user_id();
    c      record;
    cur record;
BEGIN
    SELECT k.master_id, k.version, k.status INTO c FROM music_contracts k
     WHERE k.organization_id = org AND k.id = contract;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'contract % not found', contract
            USING ERRCODE = 'no_data_found', CONSTRAINT = 'music_contracts_sign_found',
                  DETAIL = 'constraint "music_contracts_sign_found"';
    END IF;
    PERFORM FROM music_masters m WHERE m.organization_id = org AND m.id = c.master_id FOR NO KEY UPDATE;
    SELECT k.status INTO c.status FROM music_contracts k WHERE k.organization_id = org AND k.id = contract FOR UPDATE;
    IF c.status <> 'draft' THEN
        RAISE EXCEPTION 'contract version % is % already: only a draft is signed', c.version, c.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_sign_draft',
                  DETAIL = 'constraint "music_contracts_sign_draft"';
    END IF;
    SELECT k.id, k.version INTO cur FROM music_contracts k
     WHERE k.organization_id = org AND k.master_id = c.master_id AND k.status = 'signed' FOR UPDATE;
    IF FOUND THEN
        IF cur.version > c.version THEN
            RAISE EXCEPTION 'version % is in force: an older draft (version %) cannot be signed', cur.version, c.version
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_contracts_sign_order',
                      DETAIL = 'constraint "music_contracts_sign_order"';
        END IF;
        UPDATE music_contracts SET status = 'superseded', superseded_at = now()
         WHERE organization_id = org AND id = cur.id;
    END IF;
    UPDATE music_contracts SET status = 'signed', signed_at = now(), signed_by = signer
     WHERE organization_id = org AND id = contract;
    RETURN c.version;
END
$$;

--
-- Name: music_slug_valid(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_slug_valid(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (s ~ '^[a-z0-9][a-z0-9-]{0,99}$'::text);

--
-- Name: music_studio_options_frozen(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_studio_options_frozen() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    r record := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;  -- the session's cascade
    END IF;
    IF EXISTS (SELECT FROM music_studio_votes v WHERE v.organization_id = r.organization_id
                                                  AND v.session_id = r.session_id) THEN
        RAISE EXCEPTION 'the session has votes: its options cannot change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_options_frozen',
                  DETAIL = 'constraint "music_studio_options_frozen"';
    END IF;
    RETURN r;
END
$$;

--
-- Name: music_studio_sessions_asset_check(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_studio_sessions_asset_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF NEW.asset_id IS NOT NULL AND NOT EXISTS (
           SELECT FROM music_assets a
            WHERE a.organization_id = NEW.organization_id AND a.id = NEW.asset_id
              AND a.kind = 'master_share' AND a.master_id = NEW.master_id) THEN
        RAISE EXCEPTION 'a holdings-weighted session counts the share asset of its own master'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_sessions_asset_of_master', COLUMN = 'asset_id',
                  DETAIL = 'constraint "music_studio_sessions_asset_of_master"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_studio_votes_cast(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_studio_votes_cast() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    s     record;
    t     timestamptz := statement_timestamp();
    held  numeric;
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.session_id <> OLD.session_id OR NEW.user_id <> OLD.user_id) THEN
        RAISE EXCEPTION 'a vote stays with its session and voter'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_immutable',
                  DETAIL = 'constraint "music_studio_votes_immutable"';
    END IF;
    SELECT x.opens_at, x.closes_at, x.weighting, x.asset_id INTO s FROM music_studio_sessions x
     WHERE x.organization_id = NEW.organization_id AND x.id = NEW.session_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'studio session % does not exist', NEW.session_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'music_studio_votes_session_fk',
                  DETAIL = 'constraint "music_studio_votes_session_fk"';
    END IF;
    IF t < s.opens_at OR t >= s.closes_at THEN
        RAISE EXCEPTION 'the session takes votes from % until %, not at %', s.opens_at, s.closes_at, t
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_window',
                  DETAIL = 'constraint "music_studio_votes_window"';
    END IF;
    IF s.weighting = 'holdings' THEN
        -- the journal read directly (music_holdings_at's rule: lines up to opens_at, inclusive)
        SELECT sum(l.amount) INTO held
          FROM music_accounts a
          JOIN music_journal_lines l ON l.organization_id = NEW.organization_id AND l.account_id = a.id
         WHERE a.organization_id = NEW.organization_id AND a.kind = 'user' AND a.user_id = NEW.user_id
           AND l.asset_id = s.asset_id AND l.effective_at <= s.opens_at;
        IF coalesce(held, 0) <= 0 THEN
            RAISE EXCEPTION 'the voter held none of the session''s asset when it opened (%)', s.opens_at
                USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_holdings',
                      DETAIL = 'constraint "music_studio_votes_holdings"';
        END IF;
        NEW.weight := held;
    ELSE
        NEW.weight := 1;
    END IF;
    NEW.cast_at := t;
    RETURN NEW;
END
$$;

--
-- Name: music_studio_votes_kept(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_studio_votes_kept() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'a studio vote is never withdrawn (vote again to change the option)'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'music_studio_votes_kept',
              DETAIL = 'constraint "music_studio_votes_kept"';
END
$$;

--
-- Name: music_transfers_follow_block(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_transfers_follow_block() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    SELECT b.canonical, b.number INTO NEW.canonical, NEW.block_number
      FROM music_blocks b
     WHERE b.organization_id = NEW.organization_id AND b.chain_id = NEW.chain_id AND b.hash = NEW.block_hash;
    RETURN NEW;
END
$$;

--
-- Name: music_transfers_immutable(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_transfers_immutable() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF (NEW.organization_id, NEW.chain_id, NEW.tx_hash, NEW.log_index)
       IS DISTINCT FROM (OLD.organization_id, OLD.chain_id, OLD.tx_hash, OLD.log_index)
       OR ((NEW.contract_id, NEW.token_id, NEW.from_address, NEW.to_address, NEW.amount)
           IS DISTINCT FROM (OLD.contract_id, OLD.token_id, OLD.from_address, OLD.to_address, OLD.amount)
           -- a transaction re-mined after a reorg may log otherwise under the same index: the row
           -- takes the new block's log (music_transfers_updated takes back the old effect, if any)
           AND (NEW.block_hash IS NOT DISTINCT FROM OLD.block_hash OR NEW.posted_entry_id IS NOT NULL)) THEN
        RAISE EXCEPTION 'a mirrored transfer''s log changes only with its block, never once posted'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'music_transfers_immutable',
                  DETAIL = 'constraint "music_transfers_immutable"';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: music_transfers_inserted(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_transfers_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT d.organization_id AS org, array_agg(d.contract_id) AS contracts, array_agg(d.token_id) AS tokens,
                    array_agg(d.address) AS addresses, array_agg(d.delta) AS deltas
               FROM (SELECT x.organization_id, x.contract_id, x.token_id, x.address, sum(x.delta) AS delta
                       FROM (SELECT t.organization_id, t.contract_id, coalesce(t.token_id, 0) AS token_id,
                                    t.from_address AS address, -t.amount AS delta
                               FROM inserted t WHERE t.canonical AND t.from_address <> music_zero_address()
                             UNION ALL
                             SELECT t.organization_id, t.contract_id, coalesce(t.token_id, 0), t.to_address, t.amount
                               FROM inserted t WHERE t.canonical AND t.to_address <> music_zero_address()) x
                      GROUP BY x.organization_id, x.contract_id, x.token_id, x.address
                     HAVING sum(x.delta) <> 0) d
              GROUP BY d.organization_id LOOP
        PERFORM music_chain_holdings_apply(g.org, g.contracts, g.tokens, g.addresses, g.deltas);
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_transfers_updated(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_transfers_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    g record;
BEGIN
    FOR g IN SELECT d.organization_id AS org, array_agg(d.contract_id) AS contracts, array_agg(d.token_id) AS tokens,
                    array_agg(d.address) AS addresses, array_agg(d.delta) AS deltas
               FROM (SELECT f.organization_id, f.contract_id, f.token_id, x.address, sum(x.sign * f.sign * f.amount) AS delta
                       FROM (SELECT o.organization_id, o.contract_id, coalesce(o.token_id, 0) AS token_id, o.from_address,
                                    o.to_address, o.amount, -1 AS sign
                               FROM changed_old o JOIN changed_new n
                                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id
                                AND o.tx_hash = n.tx_hash AND o.log_index = n.log_index
                              WHERE o.canonical AND NOT n.canonical
                             UNION ALL
                             SELECT n.organization_id, n.contract_id, coalesce(n.token_id, 0), n.from_address,
                                    n.to_address, n.amount, 1
                               FROM changed_new n JOIN changed_old o
                                 ON o.organization_id = n.organization_id AND o.chain_id = n.chain_id
                                AND o.tx_hash = n.tx_hash AND o.log_index = n.log_index
                              WHERE n.canonical AND NOT o.canonical) f
                      CROSS JOIN LATERAL (VALUES (f.from_address, -1), (f.to_address, 1)) AS x (address, sign)
                      WHERE x.address <> music_zero_address()
                      GROUP BY f.organization_id, f.contract_id, f.token_id, x.address
                     HAVING sum(x.sign * f.sign * f.amount) <> 0) d
              GROUP BY d.organization_id LOOP
        PERFORM music_chain_holdings_apply(g.org, g.contracts, g.tokens, g.addresses, g.deltas);
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: music_user_account(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_user_account(uid uuid) RETURNS uuid
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := music_require_tenant();
    acc uuid;
BEGIN
    SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.user_id = uid;
    IF acc IS NULL THEN
        INSERT INTO music_accounts (organization_id, kind, user_id) VALUES (org, 'user', uid)
            ON CONFLICT (organization_id, user_id) WHERE user_id IS NOT NULL DO NOTHING RETURNING id INTO acc;
        IF acc IS NULL THEN
            SELECT a.id INTO acc FROM music_accounts a WHERE a.organization_id = org AND a.user_id = uid;
        END IF;
    END IF;
    RETURN acc;
END
$$;

--
-- Name: music_verify_ledger(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_verify_ledger() RETURNS TABLE(asset_id uuid, account_id uuid, problem text, expected numeric, actual numeric)
    LANGUAGE sql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    WITH org AS (SELECT current_org_id() AS id),
    folded AS (
        SELECT l.asset_id, l.account_id, sum(l.amount) AS total
          FROM music_journal_lines l, org
          JOIN music_accounts a ON a.organization_id = org.id
         WHERE l.organization_id = org.id AND a.id = l.account_id AND a.kind <> 'issuance'
         GROUP BY l.asset_id, l.account_id
    ),
    kept AS (SELECT b.asset_id, b.account_id, b.balance FROM music_balances b, org WHERE b.organization_id = org.id),
    issued AS (
        SELECT l.asset_id,
               coalesce(sum(-l.amount) FILTER (WHERE l.amount < 0), 0) AS minted,
               coalesce(sum(l.amount) FILTER (WHERE l.amount > 0), 0) AS burned
          FROM music_journal_lines l, org
          JOIN music_accounts a ON a.organization_id = org.id
         WHERE l.organization_id = org.id AND a.id = l.account_id AND a.kind = 'issuance'
         GROUP BY l.asset_id
    )
    SELECT coalesce(f.asset_id, k.asset_id), coalesce(f.account_id, k.account_id), 'balance',
           coalesce(f.total, 0), k.balance
      FROM folded f FULL JOIN kept k ON k.asset_id = f.asset_id AND k.account_id = f.account_id
     WHERE coalesce(f.total, 0) IS DISTINCT FROM coalesce(k.balance, 0) OR coalesce(f.total, 0) < 0
    UNION ALL
    SELECT s.id, NULL, 'minted', coalesce(i.minted, 0), s.minted
      FROM music_assets s CROSS JOIN org LEFT JOIN issued i ON i.asset_id = s.id
     WHERE s.organization_id = org.id AND s.minted <> coalesce(i.minted, 0)
    UNION ALL
    SELECT s.id, NULL, 'burned', coalesce(i.burned, 0), s.burned
      FROM music_assets s CROSS JOIN org LEFT JOIN issued i ON i.asset_id = s.id
     WHERE s.organization_id = org.id AND s.burned <> coalesce(i.burned, 0)
    UNION ALL
    SELECT s.id, NULL, 'conservation', s.minted - s.burned, coalesce(h.held, 0)
      FROM music_assets s CROSS JOIN org
      LEFT JOIN (SELECT b.asset_id, sum(b.balance) AS held FROM kept b GROUP BY b.asset_id) h ON h.asset_id = s.id
     WHERE s.organization_id = org.id AND s.minted - s.burned <> coalesce(h.held, 0)
    UNION ALL
    SELECT x.asset_id, NULL, format('unbalanced entry %s', x.entry_id), 0, x.total
      FROM (SELECT l.entry_id, l.asset_id, sum(l.amount) AS total
              FROM music_journal_lines l, org WHERE l.organization_id = org.id
             GROUP BY l.entry_id, l.asset_id HAVING sum(l.amount) <> 0) x
$$;

--
-- Name: music_zero_address(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.music_zero_address() RETURNS bytea
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '\x0000000000000000000000000000000000000000'::bytea;

--
-- Name: note_transcript_configs(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.note_transcript_configs() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    configs regconfig[];
    r       record;
BEGIN
    SELECT array_agg(DISTINCT mediabase.ts_config_for(n.language)) INTO configs FROM new_rows n;
    PERFORM set_config('mediabase.ts_config',
                       CASE WHEN cardinality(configs) = 1 THEN configs[1]::oid::text ELSE '' END, true);
    FOR r IN SELECT DISTINCT n.organization_id, mediabase.ts_config_for(n.language) AS cfg FROM new_rows n LOOP
        INSERT INTO mediabase.search_configs (organization_id, ts_config) VALUES (r.organization_id, r.cfg)
        ON CONFLICT DO NOTHING;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: note_video_config(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.note_video_config() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO mediabase.search_configs (organization_id, ts_config)
    VALUES (NEW.organization_id, mediabase.ts_config_for(NEW.language))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

--
-- Name: notifications_digest_final(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notifications_digest_final() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.digest_id IS NOT NULL AND NEW.digest_id IS DISTINCT FROM OLD.digest_id THEN
        RAISE EXCEPTION 'a notification stays in the digest that took it'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'notifications_digest_final', COLUMN = 'digest_id';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: notifications_tag_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notifications_tag_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE notifications SET tag_id = NULL WHERE organization_id = OLD.organization_id AND tag_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION notifications_tag_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.notifications_tag_fk_set_null() IS 'ON DELETE SET NULL (tag_id = NULL) of foreign key notifications_tag_fk, kept by a trigger (0018)';

--
-- Name: notify_action_item_assigned(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notify_action_item_assigned() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF NEW.assignee_user_id IS NOT NULL AND NEW.assignee_user_id IS DISTINCT FROM current_user_id()
       AND (TG_OP = 'INSERT' OR NEW.assignee_user_id IS DISTINCT FROM OLD.assignee_user_id) THEN
        INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, action_item_id, title)
        VALUES (NEW.organization_id, NEW.assignee_user_id, 'action_item', current_user_id(), NEW.video_id, NEW.id,
                left(format('%s assigned you: %s', actor_name(current_user_id()), NEW.title), 1000));
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: notify_comment(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notify_comment() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    who   text := actor_name(NEW.author_id);
    vtitle text;
BEGIN
    SELECT v.title INTO vtitle FROM videos v WHERE v.organization_id = NEW.organization_id AND v.id = NEW.video_id;
    -- the author of the comment replied to
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT NEW.organization_id, p.author_id, 'reply', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s replied to your comment on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM comments p JOIN memberships m ON m.organization_id = p.organization_id AND m.user_id = p.author_id
     WHERE NEW.parent_id IS NOT NULL AND p.organization_id = NEW.organization_id AND p.id = NEW.parent_id
       AND p.author_id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    -- members named as @username
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT DISTINCT NEW.organization_id, u.id, 'mention', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s mentioned you on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM regexp_matches(NEW.body, '(?:^|[^A-Za-z0-9_.@-])@([A-Za-z0-9][A-Za-z0-9_.-]{1,39})', 'g') AS mm (g)
      JOIN users u ON lower(u.username) = lower(mm.g[1])
      JOIN memberships m ON m.organization_id = NEW.organization_id AND m.user_id = u.id
     WHERE u.id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    -- the video's author hears of new threads on it
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, comment_id, title, dedupe_key)
    SELECT NEW.organization_id, v.author_id, 'comment', NEW.author_id, NEW.video_id, NEW.id,
           left(format('%s commented on "%s"', who, vtitle), 1000), 'comment:' || NEW.id
      FROM videos v JOIN memberships m ON m.organization_id = v.organization_id AND m.user_id = v.author_id
     WHERE NEW.parent_id IS NULL AND v.organization_id = NEW.organization_id AND v.id = NEW.video_id
       AND v.author_id IS DISTINCT FROM NEW.author_id
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

--
-- Name: notify_decision_tagged(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notify_decision_tagged() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO notifications (organization_id, user_id, kind, actor_id, video_id, decision_id, tag_id, title,
                               delivery, dedupe_key)
    SELECT NEW.organization_id, s.user_id, 'decision', current_user_id(), d.video_id, d.id, t.id,
           left(format('Decision under #%s: %s', t.name, d.summary), 1000), s.frequency, 'decision:' || d.id
      FROM decision_subscriptions s
      JOIN decision_tags t ON t.organization_id = s.organization_id AND t.id = s.tag_id
      JOIN decisions d ON d.organization_id = NEW.organization_id AND d.id = NEW.decision_id
     WHERE s.organization_id = NEW.organization_id AND s.tag_id = NEW.tag_id
       AND s.user_id IS DISTINCT FROM current_user_id()
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

--
-- Name: notify_jobs(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.notify_jobs() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('mediabase_jobs', '');
    RETURN NULL;
END
$$;

--
-- Name: partition_key_column(regclass); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.partition_key_column(parent regclass) RETURNS name
    LANGUAGE sql STABLE
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT a.attname
      FROM pg_partitioned_table p JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
     WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1
       AND a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype, 'date'::regtype)
$$;

--
-- Name: partition_status(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.partition_status() RETURNS TABLE(table_name text, name text, range_from timestamp with time zone, range_to timestamp with time zone, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT t.parent::text, p.name, p.range_from, p.range_to, p.est_rows, p.is_default
      FROM partitioned_tables t CROSS JOIN LATERAL partitions_of(t.parent) p
     WHERE to_regclass(t.parent::text) IS NOT NULL
     ORDER BY t.registered_at, t.parent::text, p.range_from NULLS FIRST, p.name
$$;

--
-- Name: partitioned_tables_check(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.partitioned_tables_check() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $_$
DECLARE
    opt text;
BEGIN
    IF partition_key_column(NEW.parent) IS NULL THEN
        RAISE EXCEPTION '% is not partitioned by range on one timestamptz, timestamp or date column', NEW.parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF length((SELECT relname FROM pg_class WHERE oid = NEW.parent)) > 55 THEN
        RAISE EXCEPTION 'the name of % is too long for its partitions'' names (55 characters at most)', NEW.parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOREACH opt IN ARRAY NEW.partition_options LOOP
        IF opt !~ '^[a-z_][a-z0-9_.]*=[A-Za-z0-9_.]+$' THEN
            RAISE EXCEPTION 'partition option % is not name=value', opt USING ERRCODE = 'invalid_parameter_value';
        END IF;
    END LOOP;
    IF NEW.keep_while IS NOT NULL THEN
        BEGIN
            EXECUTE format('SELECT 1 FROM %s WHERE (%s) LIMIT 0', NEW.parent, NEW.keep_while);
        EXCEPTION WHEN OTHERS THEN
            RAISE EXCEPTION 'keep_while of %: %', NEW.parent, SQLERRM USING ERRCODE = 'invalid_parameter_value';
        END;
    END IF;
    IF NEW.upkeep IS NOT NULL
       AND NOT (SELECT p.pronargs = 1 AND p.proargtypes[0] = 'timestamptz'::regtype
                  FROM pg_proc p WHERE p.oid = NEW.upkeep) THEN
        RAISE EXCEPTION 'upkeep % must take one timestamptz (the cutoff)', NEW.upkeep
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN NEW;
END
$_$;

--
-- Name: partitions_due(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.partitions_due(prune_keep integer DEFAULT NULL::integer) RETURNS TABLE(table_name text, partition_name text, range_from timestamp with time zone, range_to timestamp with time zone, archive boolean, kept_because text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT t.parent::text, d.name, d.range_from, d.range_to, t.archive, d.kept_because
      FROM partitioned_tables t
     CROSS JOIN LATERAL months_past(t.parent, greatest(coalesce(prune_keep, t.keep_months), t.min_keep_months)) d
     WHERE t.keep_months IS NOT NULL AND to_regclass(t.parent::text) IS NOT NULL
     ORDER BY t.registered_at, t.parent::text, d.range_from
$$;

--
-- Name: partitions_of(regclass); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.partitions_of(parent regclass) RETURNS TABLE(name text, range_from timestamp with time zone, range_to timestamp with time zone, est_rows bigint, is_default boolean)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    SET "DateStyle" TO 'ISO, YMD'
    AS $_$
    SELECT c.relname::text, b.m[1]::timestamptz, b.m[2]::timestamptz, greatest(c.reltuples, 0)::bigint,
           pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                             '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS m) b
     WHERE i.inhparent = parent
     ORDER BY 2 NULLS FIRST, 1
$_$;

--
-- Name: people_user_membership_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.people_user_membership_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE people SET user_id = NULL WHERE organization_id = OLD.organization_id AND user_id = OLD.user_id; RETURN OLD; END $$;

--
-- Name: FUNCTION people_user_membership_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.people_user_membership_fk_set_null() IS 'ON DELETE SET NULL (user_id = NULL) of foreign key people_user_membership_fk, kept by a trigger (0018)';

--
-- Name: prune_audit_partitions(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.prune_audit_partitions(keep_months integer DEFAULT 24) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT p.name FROM prune_partitions('mediabase.audit_log', keep_months) p WHERE p.action = 'dropped'
$$;

--
-- Name: prune_job_keys(timestamp with time zone); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.prune_job_keys(cutoff timestamp with time zone) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    DELETE FROM job_idempotency_keys k
     WHERE k.job_created_at < cutoff
       AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.organization_id = k.organization_id AND j.id = k.job_id
                                              AND j.created_at = k.job_created_at);
    DELETE FROM job_idempotency_keys WHERE expires_at <= now();
$$;

--
-- Name: prune_job_partitions(integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.prune_job_partitions(keep_months integer DEFAULT 6) RETURNS SETOF text
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT p.name FROM prune_partitions('mediabase.jobs', keep_months) p WHERE p.action = 'dropped'
$$;

--
-- Name: prune_partitions(regclass, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.prune_partitions(parent regclass, keep_months integer) RETURNS TABLE(name text, action text, detail text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    SET "TimeZone" TO 'UTC'
    AS $_$
DECLARE
    reg partitioned_tables;
    p   record;
BEGIN
    SELECT * INTO reg FROM partitioned_tables t WHERE t.parent = prune_partitions.parent;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not registered in mediabase.partitioned_tables', parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF keep_months IS NULL OR keep_months < reg.min_keep_months THEN
        RAISE EXCEPTION 'keep_months must be at least % for %', reg.min_keep_months, parent
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.partitions:' || parent::oid, 0));
    FOR p IN SELECT * FROM months_past(parent, keep_months) LOOP
        IF p.kept_because IS NOT NULL THEN
            RAISE NOTICE 'kept %: %', p.name, p.kept_because;
            RETURN QUERY SELECT p.name, 'kept', p.kept_because;
        ELSIF reg.archive THEN
            RETURN QUERY SELECT p.name, 'kept', 'its policy archives a month before dropping it (--archive-dir)';
        ELSIF drop_partition(parent, p.name) THEN
            RETURN QUERY SELECT p.name, 'dropped', NULL::text;
        ELSE
            RETURN QUERY SELECT p.name, 'kept', format('it still holds rows where %s', reg.keep_while);
        END IF;
    END LOOP;
    IF reg.upkeep IS NOT NULL THEN
        EXECUTE format('SELECT %s($1)', reg.upkeep::oid::regproc)
            USING date_trunc('month', now()) - make_interval(months => keep_months);
    END IF;
END
$_$;

--
-- Name: quote_cards_speaker_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.quote_cards_speaker_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE quote_cards SET speaker_id = NULL WHERE organization_id = OLD.organization_id AND video_id = OLD.video_id AND speaker_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION quote_cards_speaker_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.quote_cards_speaker_fk_set_null() IS 'ON DELETE SET NULL (speaker_id = NULL) of foreign key quote_cards_speaker_fk, kept by a trigger (0018)';

--
-- Name: redact_jsonb(jsonb, text, text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.redact_jsonb(doc jsonb, pattern text, exact text[] DEFAULT '{}'::text[]) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
DECLARE
    result jsonb;
BEGIN
    IF doc IS NULL THEN
        RETURN doc;
    ELSIF jsonb_typeof(doc) = 'object' THEN
        SELECT coalesce(jsonb_object_agg(k, mediabase.redact_jsonb(v, pattern, exact)), '{}'::jsonb)
          INTO result FROM jsonb_each(doc) AS e (k, v);
        RETURN result;
    ELSIF jsonb_typeof(doc) = 'array' THEN
        SELECT coalesce(jsonb_agg(mediabase.redact_jsonb(v, pattern, exact) ORDER BY i), '[]'::jsonb)
          INTO result FROM jsonb_array_elements(doc) WITH ORDINALITY AS a (v, i);
        RETURN result;
    ELSIF jsonb_typeof(doc) = 'string'
          AND ((doc #>> '{}') ~* pattern OR (doc #>> '{}') = ANY (exact)) THEN
        RETURN to_jsonb('[redacted]'::text);
    END IF;
    RETURN doc;
END
$$;

--
-- Name: redact_text_array(text[], text, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.redact_text_array(arr text[], pattern text, replacement text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    IF arr IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN coalesce((SELECT array_agg(regexp_replace(x, pattern, replacement, 'gi') ORDER BY i)
                       FROM unnest(arr) WITH ORDINALITY AS u (x, i)), '{}'::text[]);
END
$$;

--
-- Name: refresh_topics(uuid, uuid[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.refresh_topics(org uuid, topic_ids uuid[] DEFAULT NULL::uuid[]) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    n integer := 0;
    o uuid;
BEGIN
    IF org IS NULL THEN
        FOR o IN SELECT DISTINCT t.organization_id FROM ai_topics t LOOP
            n := n + refresh_topics(o, topic_ids);
        END LOOP;
        RETURN n;
    END IF;
    WITH stats AS (
        SELECT t.organization_id, t.id,
               count(m.id) AS mentions,
               count(DISTINCT m.video_id) AS videos,
               min(m.mentioned_at) AS first_at,
               max(m.mentioned_at) AS last_at,
               count(m.id) FILTER (WHERE m.mentioned_at > now() - interval '28 days') AS recent,
               count(m.id) FILTER (WHERE m.mentioned_at > now() - interval '56 days'
                                     AND m.mentioned_at <= now() - interval '28 days') AS previous
          FROM ai_topics t
          LEFT JOIN (ai_topic_mentions m JOIN ai_layers l
                       ON l.organization_id = m.organization_id AND l.id = m.layer_id AND l.status = 'ready')
            ON m.organization_id = t.organization_id AND m.topic_id = t.id
         WHERE t.organization_id = org AND (topic_ids IS NULL OR t.id = ANY (topic_ids))
         GROUP BY t.organization_id, t.id
    )
    UPDATE ai_topics t
       SET mention_count = s.mentions, video_count = s.videos,
           first_mentioned_at = s.first_at, last_mentioned_at = s.last_at,
           trend_score = topic_trend_score(s.recent, s.previous), trend_computed_at = now()
      FROM stats s
     WHERE t.organization_id = org AND t.organization_id = s.organization_id AND t.id = s.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

--
-- Name: refresh_tenant_topics(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.refresh_tenant_topics() RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    RETURN CASE WHEN (mediabase.current_org_id() IS NULL) THEN 0 ELSE mediabase.refresh_topics(mediabase.current_org_id()) END;

--
-- Name: release_jobs(text, uuid[], uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.release_jobs(worker text, ids uuid[], org uuid DEFAULT NULL::uuid) RETURNS integer
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    WITH u AS (
        UPDATE jobs j
           SET status = CASE WHEN j.cancel_requested_at IS NULL THEN 'queued' ELSE 'cancelled' END,
               completed_at = CASE WHEN j.cancel_requested_at IS NULL THEN NULL ELSE now() END,
               run_after = now(), locked_by = NULL, lease_expires_at = NULL, updated_at = now(),
               message = 'released by worker ' || worker
         WHERE j.status = 'processing' AND j.id = ANY(ids) AND j.locked_by = worker
           AND (org IS NULL OR j.organization_id = org)
        RETURNING j.status
    )
    SELECT count(*)::int FROM u, LATERAL (SELECT pg_notify('mediabase_jobs', '')) n
$$;

--
-- Name: request_decision_embed(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.request_decision_embed() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF current_org_id() IS NOT NULL THEN
        PERFORM enqueue_decision_embed(current_org_id());
    END IF;
END
$$;

--
-- Name: retry_job(uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.retry_job(job_id uuid) RETURNS text
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    v_status text;
BEGIN
    UPDATE jobs SET status = 'queued', stage = 'pending', progress = 0, retry_count = 0,
                    run_after = now(), completed_at = NULL, cancel_requested_at = NULL,
                    message = 'requeued by hand', updated_at = now()
     WHERE id = job_id AND status IN ('failed', 'cancelled')
    RETURNING status INTO v_status;
    IF FOUND THEN
        PERFORM pg_notify('mediabase_jobs', '');
        RETURN v_status;
    END IF;
    SELECT j.status INTO v_status FROM jobs j WHERE j.id = job_id;
    RETURN v_status;
END
$$;

--
-- Name: security_events_append_only(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.security_events_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('mediabase.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND current_setting('mediabase.redaction', true) = 'on'
       AND NEW.redacted_at IS NOT NULL
       AND (NEW.organization_id, NEW.id, NEW.occurred_at, NEW.kind, NEW.subject_type, NEW.subject_id, NEW.request_id)
           IS NOT DISTINCT FROM
           (OLD.organization_id, OLD.id, OLD.occurred_at, OLD.kind, OLD.subject_type, OLD.subject_id, OLD.request_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the security log is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege', CONSTRAINT = 'security_events_append_only';
END
$$;

--
-- Name: share_links_revocation_final(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.share_links_revocation_final() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF OLD.revoked_at IS NOT NULL AND NEW.revoked_at IS DISTINCT FROM OLD.revoked_at THEN
        RAISE EXCEPTION 'a revoked share link stays revoked'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'share_links_revocation_final';
    END IF;
    IF NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL THEN
        NEW.revoked_by := coalesce(NEW.revoked_by, mediabase.current_user_id());
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: speakers_person_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.speakers_person_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE speakers SET person_id = NULL WHERE organization_id = OLD.organization_id AND person_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION speakers_person_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.speakers_person_fk_set_null() IS 'ON DELETE SET NULL (person_id = NULL) of foreign key speakers_person_fk, kept by a trigger (0018)';

--
-- Name: story_append_only(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_ARGV[0], TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0] || '_append_only';
END
$$;

--
-- Name: story_bible_entities_valid(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_bible_entities_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
 SELECT (COALESCE(bool_and(((jsonb_typeof(e.c) = 'object'::text) AND (jsonb_typeof((e.c -> 'entityId'::text)) = 'string'::text) AND ((e.c ->> 'entityId'::text) ~ '^char_[a-z0-9]+$'::text))), true) AND (count((e.c ->> 'entityId'::text)) = count(DISTINCT (e.c ->> 'entityId'::text))))
    FROM jsonb_array_elements(
         CASE
             WHEN (jsonb_typeof((story_bible_entities_valid.data -> 'characters'::text)) = 'array'::text) THEN (story_bible_entities_valid.data -> 'characters'::text)
             ELSE '[]'::jsonb
         END) e(c);
END;

--
-- Name: story_bible_shape_valid(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_bible_shape_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(((jsonb_typeof(data) = 'object'::text) AND (jsonb_typeof((data -> 'version'::text)) = 'number'::text) AND (jsonb_typeof((data -> 'characters'::text)) = 'array'::text) AND (jsonb_typeof((data -> 'setting'::text)) = 'object'::text) AND (jsonb_typeof((data -> 'timeline'::text)) = 'object'::text) AND (COALESCE(jsonb_typeof((data -> 'plotThreads'::text)), 'array'::text) = 'array'::text)), false);

--
-- Name: story_bible_text(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_bible_text(data jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
 SELECT "left"(COALESCE(string_agg((e.v #>> '{}'::text[]), '
'::text ORDER BY e.n), ''::text), 100000) AS "left"
    FROM jsonb_path_query(story_bible_text.data, 'strict $.**'::jsonpath) WITH ORDINALITY e(v, n)
   WHERE (jsonb_typeof(e.v) = 'string'::text);
END;

--
-- Name: story_bible_threads_valid(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_bible_threads_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    BEGIN ATOMIC
 SELECT COALESCE(bool_and(((jsonb_typeof(e.t) = 'object'::text) AND ((NOT (e.t ? 'status'::text)) OR ((e.t -> 'status'::text) = ANY (ARRAY['"active"'::jsonb, '"resolved"'::jsonb, '"abandoned"'::jsonb]))))), true) AS "coalesce"
    FROM jsonb_array_elements(
         CASE
             WHEN (jsonb_typeof((story_bible_threads_valid.data -> 'plotThreads'::text)) = 'array'::text) THEN (story_bible_threads_valid.data -> 'plotThreads'::text)
             ELSE '[]'::jsonb
         END) e(t);
END;

--
-- Name: story_bibles_append(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_bibles_append() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    current integer;
BEGIN
    SELECT s.bible_version INTO current FROM story_scenes s
     WHERE s.organization_id = NEW.organization_id AND s.id = NEW.scene_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scene % does not exist', NEW.scene_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'story_bibles_scene_fk';
    END IF;
    IF NOT EXISTS (SELECT FROM story_bibles b WHERE b.organization_id = NEW.organization_id AND b.scene_id = NEW.scene_id) THEN
        IF NEW.version <> 1 THEN
            RAISE EXCEPTION 'the first bible of a scene is version 1, not %', NEW.version
                USING ERRCODE = 'check_violation', CONSTRAINT = 'story_bibles_contiguous', COLUMN = 'version';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.version <> current + 1 THEN
        RAISE EXCEPTION 'the bible is at version %: version % cannot be written (read the latest and try again)',
                        current, NEW.version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_bibles_contiguous', COLUMN = 'version';
    END IF;
    UPDATE story_scenes SET bible_version = NEW.version
     WHERE organization_id = NEW.organization_id AND id = NEW.scene_id;
    RETURN NEW;
END
$$;

--
-- Name: story_continuations_state_transition(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_continuations_state_transition() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    step text;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.state IS NOT DISTINCT FROM OLD.state THEN
        RETURN NEW;
    END IF;
    step := CASE WHEN TG_OP = 'INSERT' THEN '>' || NEW.state ELSE OLD.state || '>' || NEW.state END;
    IF NOT step = ANY (TG_ARGV) THEN
        RAISE EXCEPTION '%', CASE WHEN TG_OP = 'INSERT' THEN format('a continuation cannot start as %s', NEW.state)
                                  ELSE format('a continuation cannot go from %s to %s', OLD.state, NEW.state) END
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_continuations_state_transition', COLUMN = 'state';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: story_counter_backlog(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_counter_backlog() RETURNS TABLE(organization_id uuid, pending bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
    SELECT d.organization_id, count(*) FROM story_counter_deltas d GROUP BY d.organization_id
$$;

--
-- Name: story_counters_start(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_counters_start() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.scene_count := 0;
    IF TG_ARGV[0] = 'story_ideas' THEN
        NEW.like_count := 0;
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: story_finalize_continuation(uuid, integer, jsonb, text, text, integer, text, text, text, bigint); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_finalize_continuation(job_id uuid, base_version integer, new_bible jsonb, expanded_script text, video_key text, duration_ms integer, hls_key text DEFAULT NULL::text, thumbnail_key text DEFAULT NULL::text, resolution text DEFAULT NULL::text, size_bytes bigint DEFAULT NULL::bigint) RETURNS TABLE(segment_id uuid, sequence integer, bible_version integer, created boolean)
    LANGUAGE plpgsql
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org uuid := current_org_id();
    c   record;
    s   record;
    seg record;
BEGIN
    IF org IS NULL THEN
        RAISE EXCEPTION 'no tenant: set mediabase.organization_id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT * INTO c FROM story_continuations k
     WHERE k.organization_id = org AND k.job_id = story_finalize_continuation.job_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no continuation has job %', story_finalize_continuation.job_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'story_continuations_job_exists';
    END IF;
    IF c.state = 'finalized' THEN
        RETURN QUERY SELECT g.id, g.sequence, b.version, false
                       FROM story_segments g
                       LEFT JOIN story_bibles b ON b.organization_id = g.organization_id AND b.scene_id = g.scene_id
                                               AND b.created_by_segment_id = g.id
                      WHERE g.organization_id = org AND g.id = c.segment_id;
        RETURN;
    END IF;
    IF c.state = 'failed' THEN
        RAISE EXCEPTION 'the continuation failed for good; it is not finalized'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_continuations_state_transition';
    END IF;
    -- a scene's bible version only grows: one that moved on already will not come back, so the
    -- losers of a race learn it without queueing for the row lock the winner holds
    SELECT sc.bible_version INTO s FROM story_scenes sc WHERE sc.organization_id = org AND sc.id = c.scene_id;
    IF s.bible_version <> base_version THEN
        RAISE EXCEPTION 'another continuation finalized first: this one started from bible version %, the scene is at version %',
                        base_version, s.bible_version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_continuations_bible_cas';
    END IF;
    SELECT sc.status, sc.bible_version INTO s FROM story_scenes sc
     WHERE sc.organization_id = org AND sc.id = c.scene_id FOR NO KEY UPDATE;
    IF s.status <> 'active' THEN
        RAISE EXCEPTION 'the scene is %: it takes no new segments', s.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_segments_scene_open';
    END IF;
    IF s.bible_version <> base_version THEN
        RAISE EXCEPTION 'another continuation finalized first: this one started from bible version %, the scene is at version %',
                        base_version, s.bible_version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_continuations_bible_cas';
    END IF;
    INSERT INTO story_segments AS g (organization_id, scene_id, user_id, input_text, expanded_script, video_key,
                                     hls_key, thumbnail_key, duration_ms, resolution, size_bytes, bible_version, job_id)
    VALUES (org, c.scene_id, c.user_id, c.input_text, expanded_script, video_key, hls_key, thumbnail_key,
            duration_ms, resolution, size_bytes, base_version, c.job_id)
    RETURNING g.id, g.sequence INTO seg;
    INSERT INTO story_bibles (organization_id, scene_id, version, data, created_by, created_by_segment_id)
    VALUES (org, c.scene_id, base_version + 1, new_bible, c.user_id, seg.id);
    UPDATE story_continuations k
       SET state = 'finalized', segment_id = seg.id, base_bible_version = base_version, finished_at = now(), message = NULL
     WHERE k.organization_id = org AND k.job_id = c.job_id;
    RETURN QUERY SELECT seg.id, seg.sequence, base_version + 1, true;
END
$$;

--
-- Name: story_fold_counters(uuid, integer); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_fold_counters(org uuid, max_rows integer DEFAULT 100000) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    n integer;
BEGIN
    IF org IS NULL OR max_rows < 1 THEN
        RAISE EXCEPTION 'story_fold_counters: an organization and max_rows >= 1' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('mediabase.story_fold:' || org::text, 0));
    WITH d AS (
        DELETE FROM story_counter_deltas x
         WHERE x.organization_id = org
           AND x.id IN (SELECT y.id FROM story_counter_deltas y WHERE y.organization_id = org LIMIT max_rows)
        RETURNING x.idea_id, x.scene_id, x.likes, x.views, x.month
    ), scenes AS (
        UPDATE story_scenes s SET like_count = s.like_count + t.likes, view_count = s.view_count + t.views
          FROM (SELECT scene_id, sum(likes)::int AS likes, sum(views)::bigint AS views FROM d
                 WHERE scene_id IS NOT NULL GROUP BY scene_id) t
         WHERE s.organization_id = org AND s.id = t.scene_id AND (t.likes <> 0 OR t.views <> 0)
        RETURNING 1
    ), ideas AS (
        UPDATE story_ideas i SET like_count = i.like_count + t.likes
          FROM (SELECT idea_id, sum(likes)::int AS likes FROM d WHERE idea_id IS NOT NULL GROUP BY idea_id) t
         WHERE i.organization_id = org AND i.id = t.idea_id AND t.likes <> 0
        RETURNING 1
    ), months AS (
        INSERT INTO story_view_months AS m (organization_id, scene_id, month, views)
        SELECT org, scene_id, month, sum(views) FROM d WHERE views > 0 GROUP BY scene_id, month
        ON CONFLICT (organization_id, scene_id, month) DO UPDATE SET views = m.views + excluded.views
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM d) INTO n
      FROM (SELECT count(*) FROM scenes) a, (SELECT count(*) FROM ideas) b, (SELECT count(*) FROM months) c;
    RETURN n;
END
$$;

--
-- Name: story_likes_count(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_likes_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO story_counter_deltas (organization_id, idea_id, scene_id, likes)
        VALUES (NEW.organization_id, NEW.idea_id, NEW.scene_id, 1);
    ELSE
        INSERT INTO story_counter_deltas (organization_id, idea_id, scene_id, likes)
        SELECT OLD.organization_id, OLD.idea_id, OLD.scene_id, -1
         -- a cascade from the target (or its organization) takes the deltas with it
         WHERE EXISTS (SELECT FROM story_ideas i WHERE i.organization_id = OLD.organization_id AND i.id = OLD.idea_id)
            OR EXISTS (SELECT FROM story_scenes s WHERE s.organization_id = OLD.organization_id AND s.id = OLD.scene_id);
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: story_match(regconfig[], tsquery[], text[], boolean, uuid, uuid, integer, double precision, text, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_match(cfgs regconfig[], queries tsquery[], kinds text[], public boolean DEFAULT false, topic uuid DEFAULT NULL::uuid, scene uuid DEFAULT NULL::uuid, lim integer DEFAULT NULL::integer, after_score double precision DEFAULT NULL::double precision, after_kind text DEFAULT NULL::text, after_id uuid DEFAULT NULL::uuid) RETURNS TABLE(kind text, id uuid, scene_id uuid, version integer, ts_config regconfig, tsq tsquery, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 50
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org CONSTANT uuid := mediabase.current_org_id();
    w   CONSTANT float4[] := '{0.4,0.6,0.8,1.0}';
    q   tsquery;
BEGIN
    IF org IS NULL OR cardinality(cfgs) IS DISTINCT FROM cardinality(queries) THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(cardinality(cfgs), 0) LOOP
        q := queries[i];
        IF 'idea' = ANY (kinds) AND scene IS NULL THEN
            RETURN QUERY
                SELECT 'idea'::text, m.id, NULL::uuid, NULL::integer, cfgs[i], q, m.score
                  FROM (SELECT h.*
                          FROM (SELECT d.id, d.topic_id, ts_rank_cd(w, d.search_vector, q, 1)::float8 AS score
                                  FROM story_ideas d
                                 WHERE d.organization_id = org AND d.search_vector @@ q
                                   AND ts_config_for(d.language) = cfgs[i] AND d.status = 'active'
                                   AND CASE WHEN public THEN d.moderation_status = 'approved'
                                            ELSE d.moderation_status <> 'rejected' END
                                   AND (topic IS NULL OR d.topic_id = topic)) h
                         WHERE after_score IS NULL OR h.score < after_score
                            OR (h.score = after_score AND ('idea', h.id) > (after_kind, after_id))
                         ORDER BY h.score DESC, h.id
                        OFFSET 0) m  -- keeps the sort below the check
                 WHERE NOT public OR coalesce((SELECT t.is_active FROM story_topics t
                                                WHERE t.organization_id = org AND t.id = m.topic_id), false)
                 LIMIT lim;
        END IF;
        IF 'scene' = ANY (kinds) THEN
            RETURN QUERY
                SELECT 'scene'::text, m.id, m.id, NULL::integer, cfgs[i], q, m.score
                  FROM (SELECT h.*
                          FROM (SELECT s.id, s.idea_id, ts_rank_cd(w, s.search_vector, q, 1)::float8 AS score
                                  FROM story_scenes s
                                 WHERE s.organization_id = org AND s.search_vector @@ q AND s.ts_config = cfgs[i]
                                   AND s.status IN ('active', 'locked') AND (topic IS NULL OR s.topic_id = topic)
                                   AND (scene IS NULL OR s.id = scene)) h
                         WHERE after_score IS NULL OR h.score < after_score
                            OR (h.score = after_score AND ('scene', h.id) > (after_kind, after_id))
                         ORDER BY h.score DESC, h.id
                        OFFSET 0) m
                 WHERE NOT public OR coalesce((SELECT d.status = 'active' AND d.moderation_status = 'approved' AND t.is_active
                                                 FROM story_ideas d
                                                 JOIN story_topics t ON t.organization_id = d.organization_id AND t.id = d.topic_id
                                                WHERE d.organization_id = org AND d.id = m.idea_id), false)
                 LIMIT lim;
        END IF;
        IF kinds && ARRAY['segment', 'bible'] THEN
            RETURN QUERY
                SELECT m.kind, m.id, m.scene_id, m.version, cfgs[i], q, m.score
                  FROM (SELECT h.*
                          FROM (SELECT 'segment'::text AS kind, g.id, g.scene_id, NULL::integer AS version,
                                       ts_rank_cd(w, g.search_vector, q, 1)::float8 AS score
                                  FROM story_segments g
                                 WHERE 'segment' = ANY (kinds) AND g.organization_id = org AND g.search_vector @@ q
                                   AND g.ts_config = cfgs[i] AND g.status = 'active'
                                   AND (scene IS NULL OR g.scene_id = scene)
                                UNION ALL
                                -- a bible hit is named by its scene
                                SELECT 'bible'::text, b.scene_id, b.scene_id, b.version,
                                       ts_rank_cd(w, b.search_vector, q, 1)::float8
                                  FROM story_bibles b
                                 WHERE 'bible' = ANY (kinds) AND b.organization_id = org AND b.search_vector @@ q
                                   AND b.ts_config = cfgs[i] AND (scene IS NULL OR b.scene_id = scene)
                                   -- the latest version only (what the story's canon says now), picked
                                   -- before ranking: an old version costs one probe, not a ranking
                                   AND b.version = (SELECT s.bible_version FROM story_scenes s
                                                     WHERE s.organization_id = org AND s.id = b.scene_id)) h
                         WHERE after_score IS NULL OR h.score < after_score
                            OR (h.score = after_score AND (h.kind, h.id) > (after_kind, after_id))
                         ORDER BY h.score DESC, h.kind, h.id
                        OFFSET 0) m
                 -- their scene is readable: active or locked (for the public: of an approved idea
                 -- in an active topic), and in the topic asked for
                 WHERE coalesce((SELECT s.status IN ('active', 'locked') AND (topic IS NULL OR s.topic_id = topic)
                                        AND (NOT public OR (d.status = 'active' AND d.moderation_status = 'approved'
                                                            AND t.is_active))
                                   FROM story_scenes s
                                   JOIN story_ideas d ON d.organization_id = s.organization_id AND d.id = s.idea_id
                                   JOIN story_topics t ON t.organization_id = s.organization_id AND t.id = s.topic_id
                                  WHERE s.organization_id = org AND s.id = m.scene_id), false)
                 LIMIT lim;
        END IF;
    END LOOP;
END
$$;

--
-- Name: story_note_text_config(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_note_text_config() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    cfg regconfig := ts_config_for(NEW.language);
BEGIN
    IF NOT EXISTS (SELECT FROM story_search_configs c WHERE c.organization_id = NEW.organization_id AND c.ts_config = cfg) THEN
        INSERT INTO story_search_configs (organization_id, ts_config) VALUES (NEW.organization_id, cfg)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: story_scene_summaries_within(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_scene_summaries_within() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    n integer;
BEGIN
    SELECT s.segment_count INTO n FROM story_scenes s WHERE s.organization_id = NEW.organization_id AND s.id = NEW.scene_id;
    IF n IS NOT NULL AND upper(NEW.covered) - 1 > n THEN
        RAISE EXCEPTION 'the summary covers sequence %, the scene has % segment(s)', upper(NEW.covered) - 1, n
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_scene_summaries_within_scene', COLUMN = 'covered';
    END IF;
    RETURN NEW;
END
$$;

--
-- Name: story_scene_views_count(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_scene_views_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    INSERT INTO story_counter_deltas (organization_id, scene_id, views, month)
    VALUES (NEW.organization_id, NEW.scene_id, 1, date_trunc('month', NEW.viewed_at AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END
$$;

--
-- Name: story_scenes_count(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_scenes_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    org   uuid;
    idea  uuid;
    topic uuid;
    delta integer := 1;
BEGIN
    IF TG_OP = 'DELETE' THEN
        org := OLD.organization_id; idea := OLD.idea_id; topic := OLD.topic_id; delta := -1;
    ELSE
        org := NEW.organization_id; idea := NEW.idea_id; topic := NEW.topic_id;
    END IF;
    UPDATE story_ideas SET scene_count = scene_count + delta WHERE organization_id = org AND id = idea;
    UPDATE story_topics SET scene_count = scene_count + delta WHERE organization_id = org AND id = topic;
    RETURN NULL;
END
$$;

--
-- Name: story_scenes_have_bible(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_scenes_have_bible() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT FROM story_scenes s WHERE s.organization_id = NEW.organization_id AND s.id = NEW.id)
       AND NOT EXISTS (SELECT FROM story_bibles b
                        WHERE b.organization_id = NEW.organization_id AND b.scene_id = NEW.id AND b.version = 1) THEN
        RAISE EXCEPTION 'scene % has no bible: write version 1 in the transaction that creates the scene', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_scenes_has_bible';
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: story_scenes_start(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_scenes_start() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.segment_count := 0;
    NEW.total_duration_ms := 0;
    NEW.contributor_count := 0;
    NEW.last_segment_at := NULL;
    NEW.bible_version := 1;
    NEW.like_count := 0;
    NEW.view_count := 0;
    RETURN NEW;
END
$$;

--
-- Name: story_segments_allocate(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_segments_allocate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    s record;
BEGIN
    SELECT sc.status, sc.segment_count, sc.bible_version INTO s FROM story_scenes sc
     WHERE sc.organization_id = NEW.organization_id AND sc.id = NEW.scene_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'scene % does not exist', NEW.scene_id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'story_segments_scene_fk';
    END IF;
    IF s.status <> 'active' THEN
        RAISE EXCEPTION 'the scene is %: it takes no new segments', s.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_segments_scene_open';
    END IF;
    IF NEW.bible_version IS DISTINCT FROM s.bible_version THEN
        RAISE EXCEPTION 'a segment is written against the latest bible (version %), not version %',
                        s.bible_version, NEW.bible_version
            USING ERRCODE = 'serialization_failure', CONSTRAINT = 'story_segments_latest_bible', COLUMN = 'bible_version';
    END IF;
    IF NEW.sequence IS NOT NULL AND NEW.sequence <> s.segment_count + 1 THEN
        RAISE EXCEPTION 'the next sequence of this scene is %, not %', s.segment_count + 1, NEW.sequence
            USING ERRCODE = 'check_violation', CONSTRAINT = 'story_segments_gapless', COLUMN = 'sequence';
    END IF;
    NEW.sequence := s.segment_count + 1;
    UPDATE story_scenes sc
       SET segment_count = NEW.sequence,
           total_duration_ms = sc.total_duration_ms + NEW.duration_ms,
           last_segment_at = greatest(sc.last_segment_at, NEW.created_at),
           contributor_count = sc.contributor_count
               + (NEW.user_id IS NOT NULL AND NOT EXISTS (
                      SELECT FROM story_segments g WHERE g.organization_id = NEW.organization_id
                         AND g.scene_id = NEW.scene_id AND g.user_id = NEW.user_id))::int
     WHERE sc.organization_id = NEW.organization_id AND sc.id = NEW.scene_id;
    RETURN NEW;
END
$$;

--
-- Name: story_segments_recount_contributors(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_segments_recount_contributors() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE story_scenes sc
       SET contributor_count = (SELECT count(DISTINCT g.user_id) FROM story_segments g
                                 WHERE g.organization_id = sc.organization_id AND g.scene_id = sc.id)
     WHERE sc.organization_id = NEW.organization_id AND sc.id = NEW.scene_id;
    RETURN NULL;
END
$$;

--
-- Name: story_storage_key_valid(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_storage_key_valid(k text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN ((length(k) <= 1024) AND (k ~ '^[A-Za-z0-9_][A-Za-z0-9_.=/-]*$'::text) AND (k !~ '(^|/)\.\.(/|$)'::text) AND (k !~ '//'::text));

--
-- Name: story_tags_text(text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_tags_text(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string(tags, ' '::text);

--
-- Name: story_tags_valid(text[]); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_tags_valid(tags text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN COALESCE(((cardinality(tags) <= 20) AND (SELECT (COALESCE(bool_and((u.t ~ '^[a-z0-9][a-z0-9-]{0,39}$'::text)), true) AND (count(DISTINCT u.t) = count(*))) FROM unnest(story_tags_valid.tags) u(t))), false);

--
-- Name: story_text_config(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.story_text_config() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_ARGV[0] = 'idea' THEN
        SELECT mediabase.ts_config_for(i.language) INTO NEW.ts_config FROM mediabase.story_ideas i
         WHERE i.organization_id = NEW.organization_id AND i.id = NEW.idea_id;
    ELSE
        SELECT s.ts_config INTO NEW.ts_config FROM mediabase.story_scenes s
         WHERE s.organization_id = NEW.organization_id AND s.id = NEW.scene_id;
    END IF;
    NEW.ts_config := coalesce(NEW.ts_config, 'pg_catalog.simple'::regconfig);  -- no parent: its key refuses the row
    RETURN NEW;
END
$$;

--
-- Name: sync_video_search_tags(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.sync_video_search_tags() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    r    record;
    keys jsonb;  -- the (organization, video) pairs the statement touched, each once
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys FROM old_rows;
    ELSE
        SELECT jsonb_agg(DISTINCT jsonb_build_array(organization_id, video_id)) INTO keys
          FROM (SELECT organization_id, video_id FROM new_rows UNION ALL SELECT organization_id, video_id FROM old_rows) x;
    END IF;
    FOR r IN SELECT (k->>0)::uuid AS organization_id, (k->>1)::uuid AS video_id
               FROM jsonb_array_elements(coalesce(keys, '[]')) AS k LOOP
        UPDATE mediabase.videos v
           SET search_tags = coalesce((SELECT string_agg(lower(t.tag), ' ' ORDER BY lower(t.tag))
                                         FROM mediabase.video_tags t
                                        WHERE t.organization_id = r.organization_id AND t.video_id = r.video_id), '')
         WHERE v.organization_id = r.organization_id AND v.id = r.video_id;
    END LOOP;
    RETURN NULL;
END
$$;

--
-- Name: text_array_matches(text[], text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.text_array_matches(arr text[], pattern text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN EXISTS (SELECT FROM unnest(arr) AS u (x) WHERE x ~* pattern);
END
$$;

--
-- Name: topic_trend_score(bigint, bigint); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.topic_trend_score(recent bigint, previous bigint) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((recent + previous) = 0) THEN '-100'::integer ELSE ((round(((100.0 * ((recent - previous))::numeric) / ((recent + previous))::numeric)))::smallint)::integer END;

--
-- Name: touch_updated_at(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

--
-- Name: transcript_segments_speaker_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.transcript_segments_speaker_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE transcript_segments SET speaker_id = NULL WHERE organization_id = OLD.organization_id AND video_id = OLD.video_id AND speaker_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION transcript_segments_speaker_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.transcript_segments_speaker_fk_set_null() IS 'ON DELETE SET NULL (speaker_id = NULL) of foreign key transcript_segments_speaker_fk, kept by a trigger (0018)';

--
-- Name: ts_config_for(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ts_config_for(language text) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path TO 'pg_catalog'
    RETURN CASE lower(split_part(language, '-'::text, 1)) WHEN 'ar'::text THEN 'arabic'::regconfig WHEN 'ara'::text THEN 'arabic'::regconfig WHEN 'hy'::text THEN 'armenian'::regconfig WHEN 'hye'::text THEN 'armenian'::regconfig WHEN 'arm'::text THEN 'armenian'::regconfig WHEN 'eu'::text THEN 'basque'::regconfig WHEN 'eus'::text THEN 'basque'::regconfig WHEN 'baq'::text THEN 'basque'::regconfig WHEN 'ca'::text THEN 'catalan'::regconfig WHEN 'cat'::text THEN 'catalan'::regconfig WHEN 'da'::text THEN 'danish'::regconfig WHEN 'dan'::text THEN 'danish'::regconfig WHEN 'nl'::text THEN 'dutch'::regconfig WHEN 'nld'::text THEN 'dutch'::regconfig WHEN 'dut'::text THEN 'dutch'::regconfig WHEN 'en'::text THEN 'english'::regconfig WHEN 'eng'::text THEN 'english'::regconfig WHEN 'et'::text THEN 'estonian'::regconfig WHEN 'est'::text THEN 'estonian'::regconfig WHEN 'fi'::text THEN 'finnish'::regconfig WHEN 'fin'::text THEN 'finnish'::regconfig WHEN 'fr'::text THEN 'french'::regconfig WHEN 'fra'::text THEN 'french'::regconfig WHEN 'fre'::text THEN 'french'::regconfig WHEN 'de'::text THEN 'german'::regconfig WHEN 'deu'::text THEN 'german'::regconfig WHEN 'ger'::text THEN 'german'::regconfig WHEN 'el'::text THEN 'greek'::regconfig WHEN 'ell'::text THEN 'greek'::regconfig WHEN 'gre'::text THEN 'greek'::regconfig WHEN 'hi'::text THEN 'hindi'::regconfig WHEN 'hin'::text THEN 'hindi'::regconfig WHEN 'hu'::text THEN 'hungarian'::regconfig WHEN 'hun'::text THEN 'hungarian'::regconfig WHEN 'id'::text THEN 'indonesian'::regconfig WHEN 'ind'::text THEN 'indonesian'::regconfig WHEN 'ga'::text THEN 'irish'::regconfig WHEN 'gle'::text THEN 'irish'::regconfig WHEN 'it'::text THEN 'italian'::regconfig WHEN 'ita'::text THEN 'italian'::regconfig WHEN 'lt'::text THEN 'lithuanian'::regconfig WHEN 'lit'::text THEN 'lithuanian'::regconfig WHEN 'ne'::text THEN 'nepali'::regconfig WHEN 'nep'::text THEN 'nepali'::regconfig WHEN 'no'::text THEN 'norwegian'::regconfig WHEN 'nor'::text THEN 'norwegian'::regconfig WHEN 'nb'::text THEN 'norwegian'::regconfig WHEN 'nob'::text THEN 'norwegian'::regconfig WHEN 'nn'::text THEN 'norwegian'::regconfig WHEN 'nno'::text THEN 'norwegian'::regconfig WHEN 'pt'::text THEN 'portuguese'::regconfig WHEN 'por'::text THEN 'portuguese'::regconfig WHEN 'ro'::text THEN 'romanian'::regconfig WHEN 'ron'::text THEN 'romanian'::regconfig WHEN 'rum'::text THEN 'romanian'::regconfig WHEN 'ru'::text THEN 'russian'::regconfig WHEN 'rus'::text THEN 'russian'::regconfig WHEN 'sr'::text THEN 'serbian'::regconfig WHEN 'srp'::text THEN 'serbian'::regconfig WHEN 'es'::text THEN 'spanish'::regconfig WHEN 'spa'::text THEN 'spanish'::regconfig WHEN 'sv'::text THEN 'swedish'::regconfig WHEN 'swe'::text THEN 'swedish'::regconfig WHEN 'ta'::text THEN 'tamil'::regconfig WHEN 'tam'::text THEN 'tamil'::regconfig WHEN 'tr'::text THEN 'turkish'::regconfig WHEN 'tur'::text THEN 'turkish'::regconfig WHEN 'yi'::text THEN 'yiddish'::regconfig WHEN 'yid'::text THEN 'yiddish'::regconfig ELSE 'simple'::regconfig END;

--
-- Name: basque_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.basque_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR asciiword WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR hword_asciipart WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR asciihword WITH basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, basque_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.basque_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: catalan_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR asciiword WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR hword_asciipart WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR asciihword WITH catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, catalan_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.catalan_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: dutch_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR asciiword WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR hword_asciipart WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR asciihword WITH dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, dutch_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.dutch_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: english_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.english_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR asciiword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR hword_asciipart WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR asciihword WITH english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, english_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.english_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: french_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.french_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR asciiword WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR hword_asciipart WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR asciihword WITH french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, french_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.french_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: german_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.german_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR asciiword WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR hword_asciipart WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR asciihword WITH german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, german_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.german_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: indonesian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR asciiword WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR hword_asciipart WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR asciihword WITH indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, indonesian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.indonesian_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: irish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.irish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR asciiword WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR hword_asciipart WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR asciihword WITH irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, irish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.irish_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: italian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.italian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR asciiword WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR hword_asciipart WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR asciihword WITH italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, italian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.italian_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: portuguese_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR asciiword WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR hword_asciipart WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR asciihword WITH portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, portuguese_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.portuguese_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: romanian_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR asciiword WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR hword_asciipart WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR asciihword WITH romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, romanian_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.romanian_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: simple_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.simple_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR asciiword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR hword_asciipart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR asciihword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.simple_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: spanish_unaccent; Type: TEXT SEARCH CONFIGURATION; Schema: mediabase; Owner: -
--

CREATE TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent (
    PARSER = pg_catalog."default" );

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR asciiword WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR word WITH mediabase.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR numword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR email WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR url WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR host WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR sfloat WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR version WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR hword_numpart WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR hword_part WITH mediabase.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR hword_asciipart WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR numhword WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR asciihword WITH spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR hword WITH mediabase.unaccent, spanish_stem;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR url_path WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR file WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR "float" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR "int" WITH simple;

ALTER TEXT SEARCH CONFIGURATION mediabase.spanish_unaccent
    ADD MAPPING FOR uint WITH simple;

--
-- Name: ts_parse_config(regconfig); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.ts_parse_config(cfg regconfig) RETURNS regconfig
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN ((cfg)::oid = ('simple'::regconfig)::oid) THEN 'mediabase.simple_unaccent'::regconfig WHEN ((cfg)::oid = ('basque'::regconfig)::oid) THEN 'mediabase.basque_unaccent'::regconfig WHEN ((cfg)::oid = ('catalan'::regconfig)::oid) THEN 'mediabase.catalan_unaccent'::regconfig WHEN ((cfg)::oid = ('dutch'::regconfig)::oid) THEN 'mediabase.dutch_unaccent'::regconfig WHEN ((cfg)::oid = ('english'::regconfig)::oid) THEN 'mediabase.english_unaccent'::regconfig WHEN ((cfg)::oid = ('french'::regconfig)::oid) THEN 'mediabase.french_unaccent'::regconfig WHEN ((cfg)::oid = ('german'::regconfig)::oid) THEN 'mediabase.german_unaccent'::regconfig WHEN ((cfg)::oid = ('indonesian'::regconfig)::oid) THEN 'mediabase.indonesian_unaccent'::regconfig WHEN ((cfg)::oid = ('irish'::regconfig)::oid) THEN 'mediabase.irish_unaccent'::regconfig WHEN ((cfg)::oid = ('italian'::regconfig)::oid) THEN 'mediabase.italian_unaccent'::regconfig WHEN ((cfg)::oid = ('portuguese'::regconfig)::oid) THEN 'mediabase.portuguese_unaccent'::regconfig WHEN ((cfg)::oid = ('romanian'::regconfig)::oid) THEN 'mediabase.romanian_unaccent'::regconfig WHEN ((cfg)::oid = ('spanish'::regconfig)::oid) THEN 'mediabase.spanish_unaccent'::regconfig ELSE cfg END;

--
-- Name: FUNCTION ts_parse_config(cfg regconfig); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.ts_parse_config(cfg regconfig) IS 'The text-search configuration that parses text and queries of a stored language configuration: its unaccent copy where the language allows folding accents (0046), else itself.';

--
-- Name: unsharded(text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.unsharded(name text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN regexp_replace(name, '_[0-9]+$'::text, ''::text);

--
-- Name: video_clips_moment_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.video_clips_moment_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE video_clips SET moment_id = NULL WHERE organization_id = OLD.organization_id AND video_id = OLD.video_id AND moment_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION video_clips_moment_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.video_clips_moment_fk_set_null() IS 'ON DELETE SET NULL (moment_id = NULL) of foreign key video_clips_moment_fk, kept by a trigger (0018)';

--
-- Name: videos_channel_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.videos_channel_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE videos SET channel_id = NULL WHERE organization_id = OLD.organization_id AND channel_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION videos_channel_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.videos_channel_fk_set_null() IS 'ON DELETE SET NULL (channel_id = NULL) of foreign key videos_channel_fk, kept by a trigger (0018)';

--
-- Name: videos_collection_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.videos_collection_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE videos SET collection_id = NULL WHERE organization_id = OLD.organization_id AND collection_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION videos_collection_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.videos_collection_fk_set_null() IS 'ON DELETE SET NULL (collection_id = NULL) of foreign key videos_collection_fk, kept by a trigger (0018)';

--
-- Name: videos_series_fk_set_null(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.videos_series_fk_set_null() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$ BEGIN UPDATE videos SET series_id = NULL WHERE organization_id = OLD.organization_id AND series_id = OLD.id; RETURN OLD; END $$;

--
-- Name: FUNCTION videos_series_fk_set_null(); Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON FUNCTION mediabase.videos_series_fk_set_null() IS 'ON DELETE SET NULL (series_id = NULL) of foreign key videos_series_fk, kept by a trigger (0018)';

--
-- Name: webhook_rotate_secret(uuid, text, interval); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.webhook_rotate_secret(endpoint uuid, new_secret text, grace interval) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
BEGIN
    UPDATE webhook_endpoints w
       SET previous_secret = CASE WHEN grace > interval '0' THEN w.secret END,
           previous_secret_expires_at = CASE WHEN grace > interval '0' THEN now() + grace END,
           secret = new_secret, updated_at = now()
     WHERE w.organization_id = current_org_id() AND w.id = endpoint;
    RETURN FOUND;
END
$$;

--
-- Name: webhook_sign(uuid, text, bigint, text); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.webhook_sign(endpoint uuid, msg_id text, ts bigint, body text) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    cur     text;
    prev    text;
    prev_to timestamptz;
    content bytea := convert_to(msg_id || '.' || ts::text || '.' || body, 'UTF8');
    sig     text;
BEGIN
    SELECT w.secret, w.previous_secret, w.previous_secret_expires_at INTO cur, prev, prev_to
      FROM webhook_endpoints w
     WHERE w.organization_id = current_org_id() AND w.id = endpoint;
    IF cur IS NULL THEN
        RAISE EXCEPTION 'no webhook endpoint %', endpoint USING ERRCODE = 'no_data_found';
    END IF;
    sig := 'v1,' || encode(hmac_sha256(content, decode(substr(cur, 7), 'base64')), 'base64');
    IF prev IS NOT NULL AND prev_to > now() THEN
        sig := sig || ' v1,' || encode(hmac_sha256(content, decode(substr(prev, 7), 'base64')), 'base64');
    END IF;
    RETURN sig;
END
$$;

--
-- Name: workflow_filter_valid(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.workflow_filter_valid(f jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $$
DECLARE
    k text;
    v jsonb;
    n integer := 0;
BEGIN
    IF f IS NULL OR jsonb_typeof(f) <> 'object' OR octet_length(f::text) > 8192 THEN
        RETURN false;
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(f) LOOP
        n := n + 1;
        IF n > 20 OR length(k) NOT BETWEEN 1 AND 100 OR jsonb_typeof(v) IN ('object', 'array') THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;

--
-- Name: workflow_notify(uuid, uuid, integer, text[], uuid[], text, uuid); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.workflow_notify(org uuid, run uuid, step integer, roles text[], user_ids uuid[], title text, video uuid) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'mediabase', 'pg_temp'
    AS $$
DECLARE
    n integer;
    v uuid;
BEGIN
    IF org IS DISTINCT FROM current_org_id() THEN
        RAISE EXCEPTION 'workflow_notify acts in the current organization only'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT x.id INTO v FROM videos x WHERE x.organization_id = org AND x.id = video;
    INSERT INTO notifications (organization_id, user_id, kind, video_id, workflow_run_id, title, dedupe_key)
    SELECT m.organization_id, m.user_id, 'workflow', v, run, left(title, 1000), format('workflow:%s:%s', run, step)
      FROM memberships m
     WHERE m.organization_id = org
       AND (m.role = ANY (coalesce(roles, '{}')) OR m.user_id = ANY (coalesce(user_ids, '{}')))
    ON CONFLICT (organization_id, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

--
-- Name: workflow_steps_valid(jsonb); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.workflow_steps_valid(s jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE
    AS $_$
DECLARE
    e jsonb;
BEGIN
    IF s IS NULL OR jsonb_typeof(s) <> 'array' OR jsonb_array_length(s) NOT BETWEEN 1 AND 20
       OR octet_length(s::text) > 65536 THEN
        RETURN false;
    END IF;
    FOR e IN SELECT * FROM jsonb_array_elements(s) LOOP
        IF jsonb_typeof(e) <> 'object'
           OR jsonb_typeof(e -> 'type') IS DISTINCT FROM 'string'
           OR (e ->> 'type') !~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' OR length(e ->> 'type') > 64
           OR (e ? 'name' AND (jsonb_typeof(e -> 'name') <> 'string' OR length(e ->> 'name') NOT BETWEEN 1 AND 100
                               OR (e ->> 'name') ~ '[[:cntrl:]]'))
           OR (e ? 'with' AND jsonb_typeof(e -> 'with') <> 'object')
           OR (e ? 'retries' AND (jsonb_typeof(e -> 'retries') <> 'number'
                                  OR (e -> 'retries')::numeric NOT IN (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)))
           OR EXISTS (SELECT FROM jsonb_object_keys(e) k WHERE k NOT IN ('type', 'name', 'with', 'retries')) THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$_$;

--
-- Name: workflow_templates_keep_version(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.workflow_templates_keep_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.version <> OLD.version THEN
        INSERT INTO mediabase.workflow_template_versions (organization_id, template_id, version, steps, created_by)
        VALUES (NEW.organization_id, NEW.id, NEW.version, NEW.steps, mediabase.current_user_id());
    END IF;
    RETURN NULL;
END
$$;

--
-- Name: workflow_templates_version(); Type: FUNCTION; Schema: mediabase; Owner: -
--

CREATE FUNCTION mediabase.workflow_templates_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        NEW.version := CASE WHEN NEW.steps IS DISTINCT FROM OLD.steps THEN OLD.version + 1 ELSE OLD.version END;
    ELSE
        NEW.version := 1;
    END IF;
    RETURN NEW;
END
$$;

SET default_table_access_method = heap;

--
-- Name: ai_action_items; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.ai_action_items (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    layer_id uuid,
    layer_kind text DEFAULT 'action_items'::text NOT NULL,
    title text NOT NULL,
    description text,
    assignee text,
    assignee_user_id uuid,
    status text DEFAULT 'pending'::text NOT NULL,
    priority text DEFAULT 'medium'::text NOT NULL,
    due_date date,
    completed_at timestamp with time zone,
    completed_by uuid,
    start_ms bigint,
    end_ms bigint,
    confidence smallint,
    extracted_from text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ai_action_items_assignee_length CHECK (((length(btrim(assignee)) >= 1) AND (length(btrim(assignee)) <= 200))),
    CONSTRAINT ai_action_items_completed_by_only_when_completed CHECK (((status = 'completed'::text) OR (completed_by IS NULL))),
    CONSTRAINT ai_action_items_completed_consistent CHECK (((status = 'completed'::text) = (completed_at IS NOT NULL))),
    CONSTRAINT ai_action_items_confidence_range CHECK (((confidence >= 0) AND (confidence <= 100))),
    CONSTRAINT ai_action_items_description_length CHECK ((length(description) <= 10000)),
    CONSTRAINT ai_action_items_end_needs_start CHECK (((end_ms IS NULL) OR (start_ms IS NOT NULL))),
    CONSTRAINT ai_action_items_extracted_from_length CHECK ((length(extracted_from) <= 5000)),
    CONSTRAINT ai_action_items_layer_kind CHECK ((layer_kind = 'action_items'::text)),
    CONSTRAINT ai_action_items_priority_valid CHECK ((priority = ANY (ARRAY['high'::text, 'medium'::text, 'low'::text]))),
    CONSTRAINT ai_action_items_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'in_progress'::text, 'completed'::text, 'cancelled'::text]))),
    CONSTRAINT ai_action_items_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms))),
    CONSTRAINT ai_action_items_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 500)))
);

--
-- Name: ai_layers; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.ai_layers (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid,
    kind text NOT NULL,
    model text NOT NULL,
    model_version text,
    source text DEFAULT 'model'::text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    transcript_id uuid,
    artifact_uri text,
    parameters jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    superseded_by uuid,
    job_id uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    completed_at timestamp with time zone,
    CONSTRAINT ai_layers_artifact_uri_format CHECK (((artifact_uri ~ '^[a-z][a-z0-9+.-]*://'::text) AND (length(artifact_uri) <= 2048))),
    CONSTRAINT ai_layers_completed_when_ready CHECK (((status <> ALL (ARRAY['ready'::text, 'superseded'::text])) OR (completed_at IS NOT NULL))),
    CONSTRAINT ai_layers_error_length CHECK ((length(error) <= 10000)),
    CONSTRAINT ai_layers_error_only_when_failed CHECK (((error IS NULL) OR (status = 'failed'::text))),
    CONSTRAINT ai_layers_kind_valid CHECK ((kind = ANY (ARRAY['summary'::text, 'topics'::text, 'action_items'::text, 'decisions'::text, 'moments'::text, 'chunks_embeddings'::text, 'chapters'::text, 'keywords'::text, 'quotes'::text, 'knowledge_graph'::text]))),
    CONSTRAINT ai_layers_model_length CHECK (((length(btrim(model)) >= 1) AND (length(btrim(model)) <= 200))),
    CONSTRAINT ai_layers_model_version_length CHECK (((length(model_version) >= 1) AND (length(model_version) <= 100))),
    CONSTRAINT ai_layers_parameters_object CHECK ((jsonb_typeof(parameters) = 'object'::text)),
    CONSTRAINT ai_layers_source_length CHECK (((length(btrim(source)) >= 1) AND (length(btrim(source)) <= 200))),
    CONSTRAINT ai_layers_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'running'::text, 'ready'::text, 'failed'::text, 'superseded'::text]))),
    CONSTRAINT ai_layers_superseded_by_not_self CHECK ((superseded_by <> id)),
    CONSTRAINT ai_layers_superseded_by_only_when_superseded CHECK (((superseded_by IS NULL) OR (status = 'superseded'::text))),
    CONSTRAINT ai_layers_video_unless_graph CHECK (((video_id IS NULL) = (kind = 'knowledge_graph'::text)))
);

--
-- Name: ai_summaries; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.ai_summaries (
    organization_id uuid NOT NULL,
    layer_id uuid NOT NULL,
    video_id uuid NOT NULL,
    layer_kind text DEFAULT 'summary'::text NOT NULL,
    summary text NOT NULL,
    key_points text[] DEFAULT '{}'::text[] NOT NULL,
    language text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ai_summaries_key_points_size CHECK ((cardinality(key_points) <= 200)),
    CONSTRAINT ai_summaries_language_format CHECK (mediabase.check_language(language)),
    CONSTRAINT ai_summaries_layer_kind CHECK ((layer_kind = 'summary'::text)),
    CONSTRAINT ai_summaries_summary_length CHECK (((length(btrim(summary)) >= 1) AND (length(btrim(summary)) <= 50000)))
);

--
-- Name: ai_topic_mentions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.ai_topic_mentions (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    topic_id uuid NOT NULL,
    video_id uuid NOT NULL,
    layer_id uuid NOT NULL,
    layer_kind text DEFAULT 'topics'::text NOT NULL,
    start_ms bigint,
    end_ms bigint,
    mentioned_at timestamp with time zone NOT NULL,
    relevance smallint,
    excerpt text,
    CONSTRAINT ai_topic_mentions_end_needs_start CHECK (((end_ms IS NULL) OR (start_ms IS NOT NULL))),
    CONSTRAINT ai_topic_mentions_excerpt_length CHECK ((length(excerpt) <= 5000)),
    CONSTRAINT ai_topic_mentions_layer_kind CHECK ((layer_kind = 'topics'::text)),
    CONSTRAINT ai_topic_mentions_relevance_range CHECK (((relevance >= 0) AND (relevance <= 100))),
    CONSTRAINT ai_topic_mentions_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms)))
);

--
-- Name: ai_topics; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.ai_topics (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    normalized_name text GENERATED ALWAYS AS (lower(regexp_replace(btrim(name), '\s+'::text, ' '::text, 'g'::text))) STORED NOT NULL,
    description text,
    keywords text[] DEFAULT '{}'::text[] NOT NULL,
    mention_count integer DEFAULT 0 NOT NULL,
    video_count integer DEFAULT 0 NOT NULL,
    first_mentioned_at timestamp with time zone,
    last_mentioned_at timestamp with time zone,
    trend_score smallint DEFAULT 0 NOT NULL,
    trend text GENERATED ALWAYS AS (
CASE
    WHEN (trend_score >= 25) THEN 'rising'::text
    WHEN (trend_score <= '-25'::integer) THEN 'declining'::text
    ELSE 'stable'::text
END) STORED NOT NULL,
    trend_computed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT ai_topics_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT ai_topics_first_before_last CHECK ((first_mentioned_at <= last_mentioned_at)),
    CONSTRAINT ai_topics_keywords_size CHECK ((cardinality(keywords) <= 100)),
    CONSTRAINT ai_topics_mention_count_nonnegative CHECK ((mention_count >= 0)),
    CONSTRAINT ai_topics_mentioned_when_counted CHECK ((((mention_count = 0) = (first_mentioned_at IS NULL)) AND ((mention_count = 0) = (last_mentioned_at IS NULL)))),
    CONSTRAINT ai_topics_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT ai_topics_trend_score_range CHECK (((trend_score >= '-100'::integer) AND (trend_score <= 100))),
    CONSTRAINT ai_topics_video_count_range CHECK (((video_count >= 0) AND (video_count <= mention_count)))
);

--
-- Name: analytics_daily; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.analytics_daily (
    organization_id uuid NOT NULL,
    subject_id uuid NOT NULL,
    day date NOT NULL,
    video_id uuid,
    scene_id uuid,
    master_id uuid,
    views integer NOT NULL,
    viewers integer NOT NULL,
    watch_ms bigint NOT NULL,
    completions integer NOT NULL,
    retention integer[],
    computed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT analytics_daily_completions_range CHECK (((completions >= 0) AND (completions <= viewers))),
    CONSTRAINT analytics_daily_one_subject CHECK (((num_nonnulls(video_id, scene_id, master_id) = 1) AND (subject_id = COALESCE(video_id, scene_id, master_id)))),
    CONSTRAINT analytics_daily_retention_shape CHECK ((cardinality(retention) = 101)),
    CONSTRAINT analytics_daily_viewers_nonnegative CHECK ((viewers >= 0)),
    CONSTRAINT analytics_daily_views_nonnegative CHECK ((views >= 0)),
    CONSTRAINT analytics_daily_watch_nonnegative CHECK ((watch_ms >= 0))
);

--
-- Name: analytics_dirty; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.analytics_dirty (
    organization_id uuid NOT NULL,
    subject_id uuid NOT NULL,
    kind text NOT NULL,
    day date NOT NULL,
    marked_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT analytics_dirty_kind_valid CHECK ((kind = ANY (ARRAY['video'::text, 'scene'::text, 'master'::text])))
);

--
-- Name: analytics_talk_time; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.analytics_talk_time (
    organization_id uuid NOT NULL,
    video_id uuid NOT NULL,
    speaker_id uuid NOT NULL,
    talk_ms bigint NOT NULL,
    segments integer NOT NULL,
    CONSTRAINT analytics_talk_time_segments_positive CHECK ((segments >= 1)),
    CONSTRAINT analytics_talk_time_talk_nonnegative CHECK ((talk_ms >= 0))
);

--
-- Name: analytics_talk_videos; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.analytics_talk_videos (
    organization_id uuid NOT NULL,
    video_id uuid NOT NULL,
    transcript_id uuid NOT NULL,
    computed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: analytics_viewer_days; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.analytics_viewer_days (
    organization_id uuid NOT NULL,
    day date NOT NULL,
    viewer bytea NOT NULL,
    CONSTRAINT analytics_viewer_days_viewer_length CHECK ((length(viewer) = ANY (ARRAY[16, 32])))
);

--
-- Name: api_keys; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.api_keys (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    prefix text NOT NULL,
    secret_sha256 bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    scope text DEFAULT 'member'::text NOT NULL,
    CONSTRAINT api_keys_expires_at_range CHECK (((expires_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (expires_at < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT api_keys_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT api_keys_prefix_format CHECK ((prefix ~ '^[a-z0-9]{12}$'::text)),
    CONSTRAINT api_keys_scope_valid CHECK ((scope = ANY (ARRAY['member'::text, 'worker'::text]))),
    CONSTRAINT api_keys_secret_length CHECK ((length(secret_sha256) = 32))
);

--
-- Name: api_keys_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.api_keys_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    user_id,
    name,
    prefix,
    created_at,
    expires_at,
    last_used_at,
    revoked_at,
    scope
   FROM mediabase.api_keys;

--
-- Name: VIEW api_keys_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.api_keys_readable IS 'api_keys without secret_sha256';

--
-- Name: audit_log; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.audit_log (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    txid bigint DEFAULT ((pg_current_xact_id())::text)::bigint NOT NULL,
    actor_id uuid,
    table_name text NOT NULL,
    action text NOT NULL,
    row_id uuid,
    changed text[],
    before jsonb,
    after jsonb,
    redacted_at timestamp with time zone,
    CONSTRAINT audit_log_action_valid CHECK ((action = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))),
    CONSTRAINT audit_log_images CHECK (
CASE action
    WHEN 'INSERT'::text THEN ((before IS NULL) AND (after IS NOT NULL))
    WHEN 'DELETE'::text THEN ((before IS NOT NULL) AND (after IS NULL))
    ELSE ((before IS NOT NULL) AND (after IS NOT NULL))
END)
)
PARTITION BY RANGE (occurred_at);

--
-- Name: audit_log_default; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.audit_log_default (
    organization_id uuid CONSTRAINT audit_log_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT audit_log_id_not_null NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() CONSTRAINT audit_log_occurred_at_not_null NOT NULL,
    txid bigint DEFAULT ((pg_current_xact_id())::text)::bigint CONSTRAINT audit_log_txid_not_null NOT NULL,
    actor_id uuid,
    table_name text CONSTRAINT audit_log_table_name_not_null NOT NULL,
    action text CONSTRAINT audit_log_action_not_null NOT NULL,
    row_id uuid,
    changed text[],
    before jsonb,
    after jsonb,
    redacted_at timestamp with time zone,
    CONSTRAINT audit_log_action_valid CHECK ((action = ANY (ARRAY['INSERT'::text, 'UPDATE'::text, 'DELETE'::text]))),
    CONSTRAINT audit_log_images CHECK (
CASE action
    WHEN 'INSERT'::text THEN ((before IS NULL) AND (after IS NOT NULL))
    WHEN 'DELETE'::text THEN ((before IS NOT NULL) AND (after IS NULL))
    ELSE ((before IS NOT NULL) AND (after IS NOT NULL))
END)
);

--
-- Name: audit_redactions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.audit_redactions (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    data_request_id uuid,
    reason text NOT NULL,
    redacted_at timestamp with time zone DEFAULT now() NOT NULL,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT audit_redactions_counts_object CHECK ((jsonb_typeof(counts) = 'object'::text)),
    CONSTRAINT audit_redactions_reason_length CHECK (((length(btrim(reason)) >= 1) AND (length(btrim(reason)) <= 500)))
);

--
-- Name: billing_customers; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_customers (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_customer_id text NOT NULL,
    organization_id uuid NOT NULL,
    user_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_customers_provider_customer_id_format CHECK ((((length(provider_customer_id) >= 1) AND (length(provider_customer_id) <= 255)) AND (provider_customer_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_customers_provider_format CHECK ((provider ~ '^[a-z][a-z0-9_]{0,19}$'::text))
);

--
-- Name: billing_features; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_features (
    code text NOT NULL,
    unit text NOT NULL,
    description text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_features_code_format CHECK ((code ~ '^[a-z][a-z0-9_]{0,39}$'::text)),
    CONSTRAINT billing_features_description_length CHECK (((length(description) >= 1) AND (length(description) <= 500))),
    CONSTRAINT billing_features_unit_format CHECK ((unit ~ '^[a-z][a-z0-9_]{0,19}$'::text))
);

--
-- Name: billing_invoice_lines; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_invoice_lines (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    invoice_id uuid NOT NULL,
    currency character(3) NOT NULL,
    provider_line_id text NOT NULL,
    "position" integer NOT NULL,
    amount bigint NOT NULL,
    quantity bigint,
    description text,
    price_id uuid,
    period_start timestamp with time zone NOT NULL,
    period_end timestamp with time zone NOT NULL,
    proration boolean DEFAULT false NOT NULL,
    CONSTRAINT billing_invoice_lines_description_length CHECK ((length(description) <= 2000)),
    CONSTRAINT billing_invoice_lines_period_order CHECK ((period_start <= period_end)),
    CONSTRAINT billing_invoice_lines_position_nonnegative CHECK (("position" >= 0)),
    CONSTRAINT billing_invoice_lines_provider_id_format CHECK ((((length(provider_line_id) >= 1) AND (length(provider_line_id) <= 255)) AND (provider_line_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_invoice_lines_quantity_nonnegative CHECK ((quantity >= 0))
);

--
-- Name: billing_invoices; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_invoices (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_invoice_id text NOT NULL,
    customer_id uuid NOT NULL,
    subscription_id uuid,
    number text,
    status text NOT NULL,
    currency character(3) NOT NULL,
    total bigint DEFAULT 0 NOT NULL,
    amount_due bigint NOT NULL,
    amount_paid bigint NOT NULL,
    period_start timestamp with time zone NOT NULL,
    period_end timestamp with time zone NOT NULL,
    created timestamp with time zone NOT NULL,
    paid_at timestamp with time zone,
    source_event_created timestamp with time zone NOT NULL,
    source_event_id text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_invoices_amount_due_nonnegative CHECK ((amount_due >= 0)),
    CONSTRAINT billing_invoices_amount_paid_range CHECK (((amount_paid >= 0) AND (amount_paid <= amount_due))),
    CONSTRAINT billing_invoices_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT billing_invoices_number_format CHECK ((((length(number) >= 1) AND (length(number) <= 100)) AND (number ~ '^[A-Za-z0-9_./-]+$'::text))),
    CONSTRAINT billing_invoices_paid_in_full CHECK (((status <> 'paid'::text) OR ((amount_paid = amount_due) AND (paid_at IS NOT NULL)))),
    CONSTRAINT billing_invoices_period_order CHECK ((period_start <= period_end)),
    CONSTRAINT billing_invoices_provider_id_format CHECK ((((length(provider_invoice_id) >= 1) AND (length(provider_invoice_id) <= 255)) AND (provider_invoice_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_invoices_status_valid CHECK ((status = ANY (ARRAY['draft'::text, 'open'::text, 'paid'::text, 'uncollectible'::text, 'void'::text])))
);

--
-- Name: billing_payments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_payments (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_charge_id text NOT NULL,
    provider_payment_intent_id text,
    customer_id uuid NOT NULL,
    invoice_id uuid,
    currency character(3) NOT NULL,
    amount bigint NOT NULL,
    amount_refunded bigint DEFAULT 0 NOT NULL,
    status text NOT NULL,
    failure_code text,
    created timestamp with time zone NOT NULL,
    source_event_created timestamp with time zone NOT NULL,
    source_event_id text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_payments_amount_positive CHECK ((amount > 0)),
    CONSTRAINT billing_payments_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT billing_payments_failure_code_format CHECK ((((length(failure_code) >= 1) AND (length(failure_code) <= 100)) AND (failure_code ~ '^[A-Za-z0-9_.-]+$'::text))),
    CONSTRAINT billing_payments_payment_intent_format CHECK ((((length(provider_payment_intent_id) >= 1) AND (length(provider_payment_intent_id) <= 255)) AND (provider_payment_intent_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_payments_provider_id_format CHECK ((((length(provider_charge_id) >= 1) AND (length(provider_charge_id) <= 255)) AND (provider_charge_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_payments_refunds_within_amount CHECK (((amount_refunded >= 0) AND (amount_refunded <= amount))),
    CONSTRAINT billing_payments_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'succeeded'::text, 'failed'::text])))
);

--
-- Name: billing_plan_features; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_plan_features (
    plan_id uuid NOT NULL,
    feature text NOT NULL,
    limit_value bigint,
    per_unit boolean DEFAULT false NOT NULL,
    CONSTRAINT billing_plan_features_limit_nonnegative CHECK ((limit_value >= 0))
);

--
-- Name: billing_plans; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_plans (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    description text,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_plans_code_format CHECK ((code ~ '^[a-z][a-z0-9_-]{0,39}$'::text)),
    CONSTRAINT billing_plans_description_length CHECK (((length(description) >= 1) AND (length(description) <= 2000))),
    CONSTRAINT billing_plans_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

--
-- Name: billing_prices; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_prices (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    plan_id uuid NOT NULL,
    code text NOT NULL,
    provider_price_id text,
    currency character(3) NOT NULL,
    unit_amount bigint NOT NULL,
    "interval" text NOT NULL,
    active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_prices_code_format CHECK (((length(code) <= 64) AND (code ~ '^[a-z0-9][a-z0-9_-]*$'::text))),
    CONSTRAINT billing_prices_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT billing_prices_interval_valid CHECK (("interval" = ANY (ARRAY['month'::text, 'year'::text]))),
    CONSTRAINT billing_prices_provider_price_id_format CHECK ((((length(provider_price_id) >= 1) AND (length(provider_price_id) <= 255)) AND (provider_price_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_prices_unit_amount_nonnegative CHECK ((unit_amount >= 0))
);

--
-- Name: billing_provider_events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_provider_events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_event_id text NOT NULL,
    type text NOT NULL,
    created timestamp with time zone NOT NULL,
    object_type text NOT NULL,
    object_id text,
    livemode boolean DEFAULT false NOT NULL,
    api_version text,
    payload json NOT NULL,
    source text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_provider_events_api_version_length CHECK (((length(api_version) >= 1) AND (length(api_version) <= 100))),
    CONSTRAINT billing_provider_events_object_id_format CHECK ((((length(object_id) >= 1) AND (length(object_id) <= 255)) AND (object_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_provider_events_object_type_format CHECK ((((length(object_type) >= 1) AND (length(object_type) <= 100)) AND (object_type ~ '^[a-z_.]+$'::text))),
    CONSTRAINT billing_provider_events_payload_object CHECK ((json_typeof(payload) = 'object'::text)),
    CONSTRAINT billing_provider_events_provider_id_format CHECK ((((length(provider_event_id) >= 1) AND (length(provider_event_id) <= 255)) AND (provider_event_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_provider_events_source_valid CHECK ((source = ANY (ARRAY['replay'::text, 'webhook'::text, 'api'::text]))),
    CONSTRAINT billing_provider_events_type_format CHECK (((length(type) <= 100) AND (type ~ '^[a-z_]+(\.[a-z_]+)+$'::text)))
);

--
-- Name: billing_refunds; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_refunds (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_refund_id text NOT NULL,
    payment_id uuid NOT NULL,
    currency character(3) NOT NULL,
    amount bigint NOT NULL,
    status text NOT NULL,
    reason text,
    created timestamp with time zone NOT NULL,
    source_event_created timestamp with time zone NOT NULL,
    source_event_id text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_refunds_amount_positive CHECK ((amount > 0)),
    CONSTRAINT billing_refunds_provider_id_format CHECK ((((length(provider_refund_id) >= 1) AND (length(provider_refund_id) <= 255)) AND (provider_refund_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_refunds_reason_format CHECK ((((length(reason) >= 1) AND (length(reason) <= 100)) AND (reason ~ '^[a-z_]+$'::text))),
    CONSTRAINT billing_refunds_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'requires_action'::text, 'succeeded'::text, 'failed'::text, 'canceled'::text])))
);

--
-- Name: billing_subscriptions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_subscriptions (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    provider_subscription_id text NOT NULL,
    customer_id uuid NOT NULL,
    subscriber_organization_id uuid,
    subscriber_user_id uuid,
    price_id uuid NOT NULL,
    plan_id uuid NOT NULL,
    currency character(3) NOT NULL,
    quantity integer DEFAULT 1 NOT NULL,
    status text NOT NULL,
    current_period_start timestamp with time zone NOT NULL,
    current_period_end timestamp with time zone NOT NULL,
    cancel_at_period_end boolean DEFAULT false NOT NULL,
    trial_start timestamp with time zone,
    trial_end timestamp with time zone,
    canceled_at timestamp with time zone,
    ended_at timestamp with time zone,
    started_at timestamp with time zone NOT NULL,
    source_event_created timestamp with time zone NOT NULL,
    source_event_id text NOT NULL COLLATE pg_catalog."C",
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_subscriptions_ended_when_canceled CHECK (((status <> 'canceled'::text) OR (ended_at IS NOT NULL))),
    CONSTRAINT billing_subscriptions_one_subscriber CHECK ((num_nonnulls(subscriber_organization_id, subscriber_user_id) = 1)),
    CONSTRAINT billing_subscriptions_period_order CHECK ((current_period_start < current_period_end)),
    CONSTRAINT billing_subscriptions_provider_id_format CHECK ((((length(provider_subscription_id) >= 1) AND (length(provider_subscription_id) <= 255)) AND (provider_subscription_id ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_subscriptions_quantity_nonnegative CHECK ((quantity >= 0)),
    CONSTRAINT billing_subscriptions_status_valid CHECK ((status = ANY (ARRAY['incomplete'::text, 'incomplete_expired'::text, 'trialing'::text, 'active'::text, 'past_due'::text, 'canceled'::text, 'unpaid'::text, 'paused'::text]))),
    CONSTRAINT billing_subscriptions_subscriber_is_org CHECK ((subscriber_organization_id = organization_id)),
    CONSTRAINT billing_subscriptions_trial_order CHECK ((trial_start <= trial_end))
);

--
-- Name: billing_usage_records; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.billing_usage_records (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    metric text NOT NULL,
    quantity bigint NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    period_start timestamp with time zone NOT NULL,
    period_end timestamp with time zone NOT NULL,
    subscription_id uuid,
    idempotency_key text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_usage_records_idempotency_key_format CHECK ((((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200)) AND (idempotency_key ~ '^[A-Za-z0-9_.:-]+$'::text))),
    CONSTRAINT billing_usage_records_in_period CHECK (((period_start <= occurred_at) AND (occurred_at < period_end))),
    CONSTRAINT billing_usage_records_quantity_nonnegative CHECK ((quantity >= 0))
);

--
-- Name: billing_usage_per_period; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.billing_usage_per_period WITH (security_invoker='true') AS
 SELECT organization_id,
    metric,
    period_start,
    period_end,
    (sum(quantity))::bigint AS quantity,
    count(*) AS records
   FROM mediabase.billing_usage_records
  GROUP BY organization_id, metric, period_start, period_end;

--
-- Name: channels; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.channels (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    description text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT channels_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT channels_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

--
-- Name: collections; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.collections (
    organization_id uuid CONSTRAINT channels_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT channels_id_not_null NOT NULL,
    name text CONSTRAINT channels_name_not_null NOT NULL,
    description text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() CONSTRAINT channels_created_at_not_null NOT NULL,
    updated_at timestamp with time zone DEFAULT now() CONSTRAINT channels_updated_at_not_null NOT NULL,
    CONSTRAINT collections_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT collections_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

--
-- Name: comment_reactions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.comment_reactions (
    organization_id uuid NOT NULL,
    comment_id uuid NOT NULL,
    user_id uuid NOT NULL,
    emoji text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT comment_reactions_emoji_format CHECK ((((length(emoji) >= 1) AND (length(emoji) <= 32)) AND (emoji !~ '\s'::text)))
);

--
-- Name: comments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.comments (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    parent_id uuid,
    author_id uuid,
    body text,
    position_ms bigint,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    edited_at timestamp with time zone,
    deleted_at timestamp with time zone,
    deleted_by uuid,
    CONSTRAINT comments_body_length CHECK (((length(btrim(body)) >= 1) AND (length(btrim(body)) <= 10000))),
    CONSTRAINT comments_body_unless_deleted CHECK (((deleted_at IS NULL) = (body IS NOT NULL))),
    CONSTRAINT comments_edited_after_created CHECK ((edited_at >= created_at)),
    CONSTRAINT comments_not_own_parent CHECK ((parent_id <> id)),
    CONSTRAINT comments_position_nonnegative CHECK ((position_ms >= 0))
);

--
-- Name: data_requests; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.data_requests (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    requested_via text NOT NULL,
    requested_at timestamp with time zone DEFAULT now() NOT NULL,
    deadline_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    job_organization_id uuid,
    job_id uuid,
    summary jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    archive jsonb,
    archive_expires_at timestamp with time zone,
    CONSTRAINT data_requests_archive_expiry CHECK (((archive IS NULL) = (archive_expires_at IS NULL))),
    CONSTRAINT data_requests_archive_export CHECK (((archive IS NULL) OR ((kind = 'export'::text) AND (status = 'completed'::text)))),
    CONSTRAINT data_requests_completed_at CHECK (((status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) = (completed_at IS NOT NULL))),
    CONSTRAINT data_requests_deadline_after CHECK ((deadline_at > requested_at)),
    CONSTRAINT data_requests_error_length CHECK ((length(error) <= 2000)),
    CONSTRAINT data_requests_kind_valid CHECK ((kind = ANY (ARRAY['export'::text, 'erase'::text]))),
    CONSTRAINT data_requests_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'processing'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT data_requests_summary_object CHECK ((jsonb_typeof(summary) = 'object'::text)),
    CONSTRAINT data_requests_via_valid CHECK ((requested_via = ANY (ARRAY['api'::text, 'cli'::text])))
);

--
-- Name: decision_edits; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_edits (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    decision_id uuid NOT NULL,
    user_id uuid,
    field text NOT NULL,
    old_value text,
    new_value text,
    edited_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_edits_changed CHECK ((old_value IS DISTINCT FROM new_value)),
    CONSTRAINT decision_edits_field_valid CHECK ((field = ANY (ARRAY['summary'::text, 'context'::text, 'source'::text, 'video_id'::text, 'position_ms'::text, 'status'::text, 'decided_at'::text, 'superseded_by'::text, 'tags'::text, 'participants'::text, 'links'::text])))
);

--
-- Name: decision_links; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_links (
    organization_id uuid NOT NULL,
    decision_id uuid NOT NULL,
    target_decision_id uuid NOT NULL,
    link_type text DEFAULT 'related'::text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_links_not_self CHECK ((decision_id <> target_decision_id)),
    CONSTRAINT decision_links_type_valid CHECK ((link_type = ANY (ARRAY['related'::text, 'supersedes'::text, 'depends_on'::text])))
);

--
-- Name: decision_participants; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_participants (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    decision_id uuid NOT NULL,
    user_id uuid,
    person_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_participants_one_identity CHECK ((num_nonnulls(user_id, person_id) = 1))
);

--
-- Name: decision_tag_assignments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_tag_assignments (
    organization_id uuid NOT NULL,
    decision_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: decision_tags; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_tags (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    color text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_tags_color_format CHECK ((color ~ '^#[0-9a-f]{6}$'::text)),
    CONSTRAINT decision_tags_name_format CHECK ((((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)) AND (name = btrim(name))))
);

--
-- Name: decisions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decisions (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    summary text NOT NULL,
    context text,
    source text DEFAULT 'manual'::text NOT NULL,
    video_id uuid,
    position_ms bigint,
    state text DEFAULT 'decided'::text NOT NULL,
    superseded_by uuid,
    status text GENERATED ALWAYS AS (
CASE
    WHEN (superseded_by IS NOT NULL) THEN 'superseded'::text
    ELSE state
END) STORED NOT NULL,
    decided_at timestamp with time zone,
    layer_id uuid,
    layer_kind text DEFAULT 'decisions'::text NOT NULL,
    confidence smallint,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS ((setweight(to_tsvector(mediabase.ts_parse_config('english'::regconfig), summary), 'A'::"char") || setweight(to_tsvector(mediabase.ts_parse_config('english'::regconfig), COALESCE(context, ''::text)), 'B'::"char"))) STORED,
    CONSTRAINT decisions_confidence_range CHECK (((confidence >= 0) AND (confidence <= 100))),
    CONSTRAINT decisions_context_length CHECK ((length(context) <= 20000)),
    CONSTRAINT decisions_decided_at_range CHECK (((decided_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (decided_at < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT decisions_decided_at_when_decided CHECK (((state = 'proposed'::text) OR (decided_at IS NOT NULL))),
    CONSTRAINT decisions_layer_kind CHECK ((layer_kind = 'decisions'::text)),
    CONSTRAINT decisions_not_superseded_by_self CHECK ((superseded_by <> id)),
    CONSTRAINT decisions_position_needs_video CHECK (((position_ms IS NULL) OR (video_id IS NOT NULL))),
    CONSTRAINT decisions_position_nonnegative CHECK ((position_ms >= 0)),
    CONSTRAINT decisions_source_valid CHECK ((source = ANY (ARRAY['meeting'::text, 'adhoc'::text, 'manual'::text]))),
    CONSTRAINT decisions_state_valid CHECK ((state = ANY (ARRAY['proposed'::text, 'decided'::text]))),
    CONSTRAINT decisions_summary_length CHECK (((length(btrim(summary)) >= 1) AND (length(btrim(summary)) <= 2000)))
);

--
-- Name: people; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.people (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    role text,
    user_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT people_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT people_role_length CHECK ((length(role) <= 200))
);

--
-- Name: users; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.users (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    email text NOT NULL,
    username text NOT NULL,
    display_name text,
    avatar_url text,
    bio text,
    role text DEFAULT 'user'::text NOT NULL,
    password_hash text,
    email_verified boolean DEFAULT false NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    last_login_at timestamp with time zone,
    erased_at timestamp with time zone,
    CONSTRAINT users_avatar_url_format CHECK ((avatar_url ~ '^https?://'::text)),
    CONSTRAINT users_bio_length CHECK ((length(bio) <= 5000)),
    CONSTRAINT users_display_name_length CHECK ((length(display_name) <= 200)),
    CONSTRAINT users_email_format CHECK (((email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text) AND (length(email) <= 320))),
    CONSTRAINT users_erased_is_empty CHECK (((erased_at IS NULL) OR ((NOT is_active) AND (password_hash IS NULL) AND (display_name IS NULL) AND (avatar_url IS NULL) AND (bio IS NULL) AND (last_login_at IS NULL) AND (email ~~ 'erased-%@erased.invalid'::text)))),
    CONSTRAINT users_password_hash_format CHECK ((password_hash ~~ '$argon2%'::text)),
    CONSTRAINT users_role_valid CHECK ((role = ANY (ARRAY['user'::text, 'moderator'::text, 'admin'::text]))),
    CONSTRAINT users_username_format CHECK ((username ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$'::text))
);

--
-- Name: videos; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.videos (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    title text NOT NULL,
    description text,
    duration_ms bigint,
    thumbnail_url text,
    media_url text,
    storage_key text,
    author_id uuid,
    channel_id uuid,
    series_id uuid,
    collection_id uuid,
    processing_status text DEFAULT 'pending'::text NOT NULL,
    processing_error text,
    language text,
    recorded_at timestamp with time zone,
    location text,
    notes text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    deleted_at timestamp with time zone,
    retention_until timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    search_tags text DEFAULT ''::text NOT NULL,
    source_key text,
    source_sha256 text,
    search_vector tsvector GENERATED ALWAYS AS (((setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), title), 'A'::"char") || setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), search_tags), 'B'::"char")) || setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), COALESCE(description, ''::text)), 'C'::"char"))) STORED,
    CONSTRAINT videos_description_length CHECK ((length(description) <= 20000)),
    CONSTRAINT videos_duration_nonnegative CHECK ((duration_ms >= 0)),
    CONSTRAINT videos_error_only_when_failed CHECK (((processing_error IS NULL) OR (processing_status = 'failed'::text))),
    CONSTRAINT videos_language_format CHECK (mediabase.check_language(language)),
    CONSTRAINT videos_location_length CHECK ((length(location) <= 500)),
    CONSTRAINT videos_media_url_format CHECK ((media_url ~ '^[a-z][a-z0-9+.-]*://'::text)),
    CONSTRAINT videos_metadata_object CHECK ((jsonb_typeof(metadata) = 'object'::text)),
    CONSTRAINT videos_notes_length CHECK ((length(notes) <= 20000)),
    CONSTRAINT videos_processing_status_valid CHECK ((processing_status = ANY (ARRAY['pending'::text, 'processing'::text, 'ready'::text, 'failed'::text]))),
    CONSTRAINT videos_recorded_at_range CHECK (((recorded_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (recorded_at < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT videos_retention_until_range CHECK (((retention_until >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (retention_until < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT videos_source_key_shape CHECK ((((length(source_key) >= 3) AND (length(source_key) <= 300)) AND (source_key ~ '^[a-z][a-z0-9]{0,15}:[^[:cntrl:][:space:]]+$'::text))),
    CONSTRAINT videos_source_key_with_digest CHECK (((source_key IS NULL) = (source_sha256 IS NULL))),
    CONSTRAINT videos_source_sha256_hex CHECK ((source_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT videos_storage_key_length CHECK (((length(storage_key) >= 1) AND (length(storage_key) <= 1024))),
    CONSTRAINT videos_thumbnail_url_format CHECK ((thumbnail_url ~ '^https?://'::text)),
    CONSTRAINT videos_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 500)))
);

--
-- Name: decision_log; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.decision_log WITH (security_invoker='true') AS
 SELECT d.organization_id,
    d.id,
    d.summary,
    d.context,
    d.source,
    d.status,
    d.decided_at,
    d.video_id,
    v.title AS video_title,
    d.position_ms,
    d.superseded_by,
    s.summary AS superseded_by_summary,
    d.layer_id,
    d.confidence,
    d.created_by,
    d.created_at,
    d.updated_at,
    COALESCE(tg.tags, '{}'::text[]) AS tags,
    COALESCE(pp.participants, '{}'::text[]) AS participants,
    COALESCE(lk.link_count, (0)::bigint) AS link_count,
    COALESCE(ed.edit_count, (0)::bigint) AS edit_count
   FROM (((((((mediabase.decisions d
     LEFT JOIN mediabase.videos v ON (((v.organization_id = d.organization_id) AND (v.id = d.video_id))))
     LEFT JOIN mediabase.decisions s ON (((s.organization_id = d.organization_id) AND (s.id = d.superseded_by))))
     LEFT JOIN mediabase.ai_layers al ON (((al.organization_id = d.organization_id) AND (al.id = d.layer_id))))
     LEFT JOIN ( SELECT ta.organization_id,
            ta.decision_id,
            array_agg(t.name ORDER BY (lower(t.name))) AS tags
           FROM (mediabase.decision_tag_assignments ta
             JOIN mediabase.decision_tags t ON (((t.organization_id = ta.organization_id) AND (t.id = ta.tag_id))))
          GROUP BY ta.organization_id, ta.decision_id) tg ON (((tg.organization_id = d.organization_id) AND (tg.decision_id = d.id))))
     LEFT JOIN ( SELECT dp.organization_id,
            dp.decision_id,
            array_agg(COALESCE(u.username, pe.name) ORDER BY COALESCE(u.username, pe.name)) AS participants
           FROM ((mediabase.decision_participants dp
             LEFT JOIN mediabase.users u ON ((u.id = dp.user_id)))
             LEFT JOIN mediabase.people pe ON (((pe.organization_id = dp.organization_id) AND (pe.id = dp.person_id))))
          GROUP BY dp.organization_id, dp.decision_id) pp ON (((pp.organization_id = d.organization_id) AND (pp.decision_id = d.id))))
     LEFT JOIN ( SELECT l.organization_id,
            x.decision_id,
            count(*) AS link_count
           FROM (mediabase.decision_links l
             CROSS JOIN LATERAL ( VALUES (l.decision_id), (l.target_decision_id)) x(decision_id))
          GROUP BY l.organization_id, x.decision_id) lk ON (((lk.organization_id = d.organization_id) AND (lk.decision_id = d.id))))
     LEFT JOIN ( SELECT e.organization_id,
            e.decision_id,
            count(*) AS edit_count
           FROM mediabase.decision_edits e
          GROUP BY e.organization_id, e.decision_id) ed ON (((ed.organization_id = d.organization_id) AND (ed.decision_id = d.id))))
  WHERE ((d.layer_id IS NULL) OR (al.status = 'ready'::text));

--
-- Name: decision_subscriptions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_subscriptions (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    frequency text DEFAULT 'instant'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_subscriptions_frequency_valid CHECK ((frequency = ANY (ARRAY['instant'::text, 'daily'::text, 'weekly'::text])))
);

--
-- Name: decision_vectors; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.decision_vectors (
    organization_id uuid NOT NULL,
    decision_id uuid NOT NULL,
    model text NOT NULL,
    dimension integer NOT NULL,
    embedding mediabase.vector NOT NULL,
    text_sha256 bytea NOT NULL,
    embedded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decision_vectors_dimension CHECK ((mediabase.vector_dims(embedding) = dimension)),
    CONSTRAINT decision_vectors_dimension_range CHECK (((dimension >= 1) AND (dimension <= 16000))),
    CONSTRAINT decision_vectors_model_name CHECK (((length(model) >= 1) AND (length(model) <= 200))),
    CONSTRAINT decision_vectors_sha256 CHECK ((length(text_sha256) = 32))
);

--
-- Name: event_types; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.event_types (
    type text NOT NULL,
    subject_type text NOT NULL,
    description text NOT NULL,
    CONSTRAINT event_types_description_length CHECK (((length(description) >= 1) AND (length(description) <= 500))),
    CONSTRAINT event_types_subject_type_format CHECK ((subject_type ~ '^[a-z][a-z_]{0,62}$'::text)),
    CONSTRAINT event_types_type_format CHECK (((type ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'::text) AND (length(type) <= 100)))
);

--
-- Name: events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    type text NOT NULL,
    subject_type text NOT NULL,
    subject_id uuid NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    actor_id uuid DEFAULT mediabase.current_user_id(),
    request_id text DEFAULT NULLIF(current_setting('mediabase.request_id'::text, true), ''::text),
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    dispatched_at timestamp with time zone,
    CONSTRAINT events_data_shape CHECK (((jsonb_typeof(data) = 'object'::text) AND (octet_length((data)::text) <= 65536))),
    CONSTRAINT events_dispatched_after CHECK ((dispatched_at >= occurred_at)),
    CONSTRAINT events_request_id_length CHECK ((length(request_id) <= 128)),
    CONSTRAINT events_subject_type_format CHECK ((subject_type ~ '^[a-z][a-z_]{0,62}$'::text))
);

--
-- Name: graph_edges; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.graph_edges (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    layer_id uuid NOT NULL,
    layer_kind text DEFAULT 'knowledge_graph'::text NOT NULL,
    source_id uuid NOT NULL,
    target_id uuid NOT NULL,
    relation text NOT NULL,
    weight double precision DEFAULT 1 NOT NULL,
    properties jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT graph_edges_layer_kind CHECK ((layer_kind = 'knowledge_graph'::text)),
    CONSTRAINT graph_edges_no_self_loop CHECK ((source_id <> target_id)),
    CONSTRAINT graph_edges_properties_object CHECK ((jsonb_typeof(properties) = 'object'::text)),
    CONSTRAINT graph_edges_relation_format CHECK ((relation ~ '^[a-z][a-z0-9_]{0,62}$'::text)),
    CONSTRAINT graph_edges_weight_range CHECK (((weight > (0)::double precision) AND (weight <= (1000000)::double precision)))
);

--
-- Name: graph_evidence; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.graph_evidence (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    layer_id uuid NOT NULL,
    layer_kind text DEFAULT 'knowledge_graph'::text NOT NULL,
    node_id uuid,
    edge_id uuid,
    video_id uuid,
    start_ms bigint,
    end_ms bigint,
    segment_id uuid,
    decision_id uuid,
    action_item_id uuid,
    moment_id uuid,
    excerpt text,
    CONSTRAINT graph_evidence_end_needs_start CHECK (((end_ms IS NULL) OR (start_ms IS NOT NULL))),
    CONSTRAINT graph_evidence_excerpt_length CHECK ((length(excerpt) <= 5000)),
    CONSTRAINT graph_evidence_layer_kind CHECK ((layer_kind = 'knowledge_graph'::text)),
    CONSTRAINT graph_evidence_moment_needs_video CHECK (((moment_id IS NULL) OR (video_id IS NOT NULL))),
    CONSTRAINT graph_evidence_one_subject CHECK ((num_nonnulls(node_id, edge_id) = 1)),
    CONSTRAINT graph_evidence_points_somewhere CHECK ((num_nonnulls(video_id, segment_id, decision_id, action_item_id) >= 1)),
    CONSTRAINT graph_evidence_range_needs_video CHECK (((start_ms IS NULL) OR (video_id IS NOT NULL))),
    CONSTRAINT graph_evidence_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms)))
);

--
-- Name: graph_node_vectors; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.graph_node_vectors (
    organization_id uuid NOT NULL,
    layer_id uuid NOT NULL,
    node_id uuid NOT NULL,
    model text NOT NULL,
    dimension integer NOT NULL,
    embedding mediabase.vector NOT NULL,
    embedded_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT graph_node_vectors_dimension CHECK ((mediabase.vector_dims(embedding) = dimension)),
    CONSTRAINT graph_node_vectors_dimension_range CHECK (((dimension >= 1) AND (dimension <= 16000))),
    CONSTRAINT graph_node_vectors_model_name CHECK (((length(model) >= 1) AND (length(model) <= 200)))
);

--
-- Name: graph_nodes; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.graph_nodes (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    layer_id uuid NOT NULL,
    layer_kind text DEFAULT 'knowledge_graph'::text NOT NULL,
    type text NOT NULL,
    name text NOT NULL,
    normalized_name text GENERATED ALWAYS AS (lower(regexp_replace(btrim(name), '\s+'::text, ' '::text, 'g'::text))) STORED NOT NULL,
    description text,
    properties jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT graph_nodes_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT graph_nodes_layer_kind CHECK ((layer_kind = 'knowledge_graph'::text)),
    CONSTRAINT graph_nodes_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 500))),
    CONSTRAINT graph_nodes_properties_object CHECK ((jsonb_typeof(properties) = 'object'::text)),
    CONSTRAINT graph_nodes_type_valid CHECK ((type = ANY (ARRAY['person'::text, 'organization'::text, 'product'::text, 'concept'::text, 'decision'::text, 'action_item'::text, 'topic'::text, 'meeting'::text, 'place'::text, 'event'::text, 'other'::text])))
);

--
-- Name: highlight_reel_clips; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.highlight_reel_clips (
    organization_id uuid NOT NULL,
    reel_id uuid NOT NULL,
    "position" integer NOT NULL,
    clip_id uuid NOT NULL,
    added_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT highlight_reel_clips_position_range CHECK ((("position" >= 1) AND ("position" <= 10000)))
);

--
-- Name: highlight_reels; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.highlight_reels (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    title text NOT NULL,
    description text,
    storage_key text,
    thumbnail_url text,
    status text DEFAULT 'draft'::text NOT NULL,
    error text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT highlight_reels_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT highlight_reels_error_length CHECK ((length(error) <= 10000)),
    CONSTRAINT highlight_reels_error_only_when_failed CHECK (((error IS NULL) OR (status = 'failed'::text))),
    CONSTRAINT highlight_reels_ready_has_file CHECK (((status <> 'ready'::text) OR (storage_key IS NOT NULL))),
    CONSTRAINT highlight_reels_status_valid CHECK ((status = ANY (ARRAY['draft'::text, 'rendering'::text, 'ready'::text, 'failed'::text]))),
    CONSTRAINT highlight_reels_storage_key_length CHECK (((length(storage_key) >= 1) AND (length(storage_key) <= 1024))),
    CONSTRAINT highlight_reels_thumbnail_url_format CHECK ((thumbnail_url ~ '^https?://'::text)),
    CONSTRAINT highlight_reels_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 500)))
);

--
-- Name: integration_accounts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.integration_accounts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    external_account_id text NOT NULL,
    display_name text,
    scopes text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    status_detail text,
    sync_cursor text,
    sync_cursor_updated_at timestamp with time zone,
    access_token_enc bytea,
    refresh_token_enc bytea,
    token_expires_at timestamp with time zone,
    webhook_secret_enc bytea,
    secrets_key_id text,
    has_access_token boolean GENERATED ALWAYS AS ((access_token_enc IS NOT NULL)) STORED NOT NULL,
    has_refresh_token boolean GENERATED ALWAYS AS ((refresh_token_enc IS NOT NULL)) STORED NOT NULL,
    has_webhook_secret boolean GENERATED ALWAYS AS ((webhook_secret_enc IS NOT NULL)) STORED NOT NULL,
    connected_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT integration_accounts_access_token_enc_length CHECK (((octet_length(access_token_enc) >= 29) AND (octet_length(access_token_enc) <= 20000))),
    CONSTRAINT integration_accounts_cursor_time CHECK (((sync_cursor IS NULL) OR (sync_cursor_updated_at IS NOT NULL))),
    CONSTRAINT integration_accounts_display_name_length CHECK (((length(btrim(display_name)) >= 1) AND (length(btrim(display_name)) <= 200))),
    CONSTRAINT integration_accounts_expiry_needs_token CHECK (((token_expires_at IS NULL) OR (access_token_enc IS NOT NULL))),
    CONSTRAINT integration_accounts_external_account_id_format CHECK ((external_account_id ~ '^[!-~]{1,200}$'::text)),
    CONSTRAINT integration_accounts_key_id_iff_sealed CHECK (((secrets_key_id IS NOT NULL) = (num_nonnulls(access_token_enc, refresh_token_enc, webhook_secret_enc) > 0))),
    CONSTRAINT integration_accounts_provider_valid CHECK ((provider = ANY (ARRAY['zoom'::text, 'google_drive'::text, 'slack'::text]))),
    CONSTRAINT integration_accounts_refresh_token_enc_length CHECK (((octet_length(refresh_token_enc) >= 29) AND (octet_length(refresh_token_enc) <= 20000))),
    CONSTRAINT integration_accounts_scopes_valid CHECK (mediabase.integration_scopes_valid(scopes)),
    CONSTRAINT integration_accounts_secrets_key_id_format CHECK ((secrets_key_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT integration_accounts_status_detail_length CHECK ((length(status_detail) <= 2000)),
    CONSTRAINT integration_accounts_status_valid CHECK ((status = ANY (ARRAY['active'::text, 'paused'::text, 'error'::text, 'revoked'::text]))),
    CONSTRAINT integration_accounts_sync_cursor_length CHECK (((length(sync_cursor) >= 1) AND (length(sync_cursor) <= 10000))),
    CONSTRAINT integration_accounts_webhook_secret_enc_length CHECK (((octet_length(webhook_secret_enc) >= 29) AND (octet_length(webhook_secret_enc) <= 20000)))
);

--
-- Name: integration_accounts_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.integration_accounts_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    provider,
    external_account_id,
    display_name,
    scopes,
    status,
    status_detail,
    sync_cursor,
    sync_cursor_updated_at,
    token_expires_at,
    secrets_key_id,
    has_access_token,
    has_refresh_token,
    has_webhook_secret,
    connected_by,
    created_at,
    updated_at
   FROM mediabase.integration_accounts;

--
-- Name: VIEW integration_accounts_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.integration_accounts_readable IS 'integration_accounts without the encrypted tokens and secret';

--
-- Name: integration_events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.integration_events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    account_id uuid NOT NULL,
    provider text NOT NULL,
    delivery_id text NOT NULL,
    event_type text NOT NULL,
    payload jsonb NOT NULL,
    body_sha256 text NOT NULL,
    secrets_enc bytea,
    secrets_key_id text,
    status text DEFAULT 'received'::text NOT NULL,
    result jsonb,
    error text,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    processed_at timestamp with time zone,
    CONSTRAINT integration_events_body_sha256_format CHECK ((body_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT integration_events_delivery_id_format CHECK (((delivery_id ~ '^[!-~]+$'::text) AND (length(delivery_id) <= 300))),
    CONSTRAINT integration_events_error_iff_failed CHECK (((status = 'failed'::text) = (error IS NOT NULL))),
    CONSTRAINT integration_events_error_length CHECK (((length(error) >= 1) AND (length(error) <= 4000))),
    CONSTRAINT integration_events_event_type_format CHECK ((event_type ~ '^[!-~]{1,200}$'::text)),
    CONSTRAINT integration_events_key_id_iff_sealed CHECK (((secrets_key_id IS NULL) = (secrets_enc IS NULL))),
    CONSTRAINT integration_events_payload_object CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT integration_events_processed_iff_done CHECK (((status = 'received'::text) = (processed_at IS NULL))),
    CONSTRAINT integration_events_result_object CHECK ((jsonb_typeof(result) = 'object'::text)),
    CONSTRAINT integration_events_secrets_enc_length CHECK (((octet_length(secrets_enc) >= 29) AND (octet_length(secrets_enc) <= 20000))),
    CONSTRAINT integration_events_secrets_key_id_format CHECK ((secrets_key_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT integration_events_status_valid CHECK ((status = ANY (ARRAY['received'::text, 'processed'::text, 'ignored'::text, 'failed'::text])))
);

--
-- Name: integration_events_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.integration_events_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    account_id,
    provider,
    delivery_id,
    event_type,
    payload,
    body_sha256,
    status,
    result,
    error,
    received_at,
    processed_at
   FROM mediabase.integration_events;

--
-- Name: VIEW integration_events_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.integration_events_readable IS 'integration_events without the encrypted secrets';

--
-- Name: integration_external_items; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.integration_external_items (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    provider text NOT NULL,
    external_id text NOT NULL,
    kind text NOT NULL,
    account_id uuid,
    video_id uuid,
    transcript_id uuid,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT integration_external_items_external_id_format CHECK (((external_id ~ '^[!-~]+$'::text) AND (length(external_id) <= 500))),
    CONSTRAINT integration_external_items_kind_target CHECK (((kind = 'transcript'::text) OR (transcript_id IS NULL))),
    CONSTRAINT integration_external_items_kind_valid CHECK ((kind = ANY (ARRAY['recording'::text, 'transcript'::text]))),
    CONSTRAINT integration_external_items_provider_valid CHECK ((provider = ANY (ARRAY['zoom'::text, 'google_drive'::text, 'slack'::text])))
);

--
-- Name: invitations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.invitations (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    email text NOT NULL,
    role text DEFAULT 'MEMBER'::text NOT NULL,
    prefix text NOT NULL,
    secret_sha256 bytea NOT NULL,
    invited_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    accepted_by uuid,
    revoked_at timestamp with time zone,
    CONSTRAINT invitations_accepted_or_revoked CHECK (((accepted_at IS NULL) OR (revoked_at IS NULL))),
    CONSTRAINT invitations_acceptor_named CHECK (((accepted_at IS NOT NULL) OR (accepted_by IS NULL))),
    CONSTRAINT invitations_email_format CHECK (((email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$'::text) AND (length(email) <= 320))),
    CONSTRAINT invitations_expiry_after_start CHECK ((expires_at > created_at)),
    CONSTRAINT invitations_prefix_format CHECK ((prefix ~ '^[a-z0-9]{12}$'::text)),
    CONSTRAINT invitations_role_valid CHECK ((role = ANY (ARRAY['OWNER'::text, 'ADMIN'::text, 'MEMBER'::text]))),
    CONSTRAINT invitations_secret_length CHECK ((length(secret_sha256) = 32))
);

--
-- Name: invitations_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.invitations_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    email,
    role,
    prefix,
    invited_by,
    created_at,
    expires_at,
    accepted_at,
    accepted_by,
    revoked_at
   FROM mediabase.invitations;

--
-- Name: VIEW invitations_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.invitations_readable IS 'invitations without secret_sha256';

--
-- Name: job_idempotency_keys; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.job_idempotency_keys (
    organization_id uuid NOT NULL,
    key text NOT NULL,
    job_id uuid NOT NULL,
    job_created_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone,
    CONSTRAINT job_idempotency_keys_key_length CHECK (((length(key) >= 1) AND (length(key) <= 200)))
);

--
-- Name: job_type_limits; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.job_type_limits (
    type text NOT NULL,
    max_running integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT job_type_limits_max_running_positive CHECK ((max_running > 0))
);

--
-- Name: jobs_default; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.jobs_default (
    organization_id uuid CONSTRAINT jobs_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT jobs_id_not_null NOT NULL,
    created_at timestamp with time zone DEFAULT now() CONSTRAINT jobs_created_at_not_null NOT NULL,
    type text CONSTRAINT jobs_type_not_null NOT NULL,
    queue text DEFAULT 'default'::text CONSTRAINT jobs_queue_not_null NOT NULL,
    status text DEFAULT 'queued'::text CONSTRAINT jobs_status_not_null NOT NULL,
    stage text DEFAULT 'pending'::text CONSTRAINT jobs_stage_not_null NOT NULL,
    priority smallint DEFAULT 0 CONSTRAINT jobs_priority_not_null NOT NULL,
    run_after timestamp with time zone DEFAULT now() CONSTRAINT jobs_run_after_not_null NOT NULL,
    progress smallint DEFAULT 0 CONSTRAINT jobs_progress_not_null NOT NULL,
    message text,
    input jsonb DEFAULT '{}'::jsonb CONSTRAINT jobs_input_not_null NOT NULL,
    context jsonb,
    result jsonb,
    error_code text,
    error_message text,
    attempts integer DEFAULT 0 CONSTRAINT jobs_attempts_not_null NOT NULL,
    retry_count integer DEFAULT 0 CONSTRAINT jobs_retry_count_not_null NOT NULL,
    max_retries integer DEFAULT 3 CONSTRAINT jobs_max_retries_not_null NOT NULL,
    locked_by text,
    lease_expires_at timestamp with time zone,
    heartbeat_at timestamp with time zone,
    cancel_requested_at timestamp with time zone,
    idempotency_key text,
    created_by uuid,
    started_at timestamp with time zone,
    completed_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() CONSTRAINT jobs_updated_at_not_null NOT NULL,
    request_id text DEFAULT NULLIF(current_setting('mediabase.request_id'::text, true), ''::text),
    failed_attempts jsonb DEFAULT '[]'::jsonb CONSTRAINT jobs_failed_attempts_not_null NOT NULL,
    CONSTRAINT jobs_attempts_nonnegative CHECK ((attempts >= 0)),
    CONSTRAINT jobs_error_code_length CHECK ((length(error_code) <= 50)),
    CONSTRAINT jobs_error_message_length CHECK ((length(error_message) <= 10000)),
    CONSTRAINT jobs_failed_attempts_shape CHECK (
CASE
    WHEN (jsonb_typeof(failed_attempts) = 'array'::text) THEN ((jsonb_array_length(failed_attempts) <= 20) AND (NOT jsonb_path_exists(failed_attempts, '$[*]?(((@.type() != "object" || !(exists (@."attempt"))) || !(exists (@."error_code"))) || !(exists (@."ended_at")))'::jsonpath)))
    ELSE false
END),
    CONSTRAINT jobs_finished_at CHECK (((status = ANY (ARRAY['completed'::text, 'failed'::text, 'cancelled'::text])) = (completed_at IS NOT NULL))),
    CONSTRAINT jobs_lease_held CHECK (((status = 'processing'::text) = ((locked_by IS NOT NULL) AND (lease_expires_at IS NOT NULL)))),
    CONSTRAINT jobs_locked_by_length CHECK ((length(locked_by) <= 200)),
    CONSTRAINT jobs_max_retries_range CHECK (((max_retries >= 0) AND (max_retries <= 1000))),
    CONSTRAINT jobs_message_length CHECK ((length(message) <= 2000)),
    CONSTRAINT jobs_priority_range CHECK (((priority >= '-1000'::integer) AND (priority <= 1000))),
    CONSTRAINT jobs_progress_range CHECK (((progress >= 0) AND (progress <= 100))),
    CONSTRAINT jobs_queue_format CHECK ((queue ~ '^[a-z][a-z0-9_.-]{0,62}$'::text)),
    CONSTRAINT jobs_request_id_length CHECK ((length(request_id) <= 128)),
    CONSTRAINT jobs_retry_count_nonnegative CHECK ((retry_count >= 0)),
    CONSTRAINT jobs_run_after_range CHECK (((run_after >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (run_after < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT jobs_stage_valid CHECK ((stage = ANY (ARRAY['pending'::text, 'script_expansion'::text, 'continuity_validation'::text, 'video_generation'::text, 'upload'::text, 'finalization'::text, 'completed'::text, 'error'::text, 'running'::text, 'chunking'::text, 'embedding'::text, 'indexing'::text]))),
    CONSTRAINT jobs_status_valid CHECK ((status = ANY (ARRAY['queued'::text, 'processing'::text, 'completed'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT jobs_type_format CHECK (((type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'::text) AND (length(type) <= 100)))
);

--
-- Name: legal_acceptances; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.legal_acceptances (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    document_id uuid NOT NULL,
    accepted_at timestamp with time zone DEFAULT now() NOT NULL,
    ip_hmac bytea,
    ip_key text,
    user_agent text,
    CONSTRAINT legal_acceptances_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT legal_acceptances_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT legal_acceptances_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL))),
    CONSTRAINT legal_acceptances_user_agent_length CHECK ((length(user_agent) <= 512))
);

--
-- Name: legal_documents; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.legal_documents (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    kind text NOT NULL,
    version text NOT NULL,
    title text NOT NULL,
    content text NOT NULL,
    content_sha256 bytea NOT NULL,
    effective_at timestamp with time zone NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT legal_documents_content_digest CHECK ((content_sha256 = sha256(convert_to(content, 'UTF8'::name)))),
    CONSTRAINT legal_documents_content_length CHECK (((length(content) >= 1) AND (length(content) <= 1000000))),
    CONSTRAINT legal_documents_kind_format CHECK ((kind ~ '^[a-z][a-z0-9_-]{0,39}$'::text)),
    CONSTRAINT legal_documents_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 200))),
    CONSTRAINT legal_documents_version_format CHECK ((version ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$'::text))
);

--
-- Name: mail_outbox; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.mail_outbox (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    recipient_user_id uuid,
    to_address text NOT NULL,
    subject text NOT NULL,
    body_text text NOT NULL,
    body_html text,
    kind text NOT NULL,
    dedupe_key text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer DEFAULT 10 NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    sent_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT mail_outbox_attempted CHECK (((status = ANY (ARRAY['queued'::text, 'dead'::text])) OR (attempts >= 1))),
    CONSTRAINT mail_outbox_attempts_range CHECK (((attempts >= 0) AND (attempts <= max_attempts))),
    CONSTRAINT mail_outbox_body_html_length CHECK (((length(body_html) >= 1) AND (length(body_html) <= 2000000))),
    CONSTRAINT mail_outbox_body_text_length CHECK (((length(btrim(body_text)) >= 1) AND (length(btrim(body_text)) <= 1000000))),
    CONSTRAINT mail_outbox_dedupe_key_length CHECK ((((length(dedupe_key) >= 1) AND (length(dedupe_key) <= 200)) AND (dedupe_key !~ '[[:cntrl:]]'::text))),
    CONSTRAINT mail_outbox_error_when_failed CHECK (((status <> ALL (ARRAY['failed'::text, 'dead'::text])) OR (last_error IS NOT NULL))),
    CONSTRAINT mail_outbox_kind_format CHECK (((kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$'::text) AND (length(kind) <= 64))),
    CONSTRAINT mail_outbox_last_error_length CHECK (((length(last_error) >= 1) AND (length(last_error) <= 2000))),
    CONSTRAINT mail_outbox_max_attempts_range CHECK (((max_attempts >= 1) AND (max_attempts <= 100))),
    CONSTRAINT mail_outbox_sent_after_created CHECK ((sent_at >= created_at)),
    CONSTRAINT mail_outbox_sent_at_iff_sent CHECK (((status = 'sent'::text) = (sent_at IS NOT NULL))),
    CONSTRAINT mail_outbox_status_valid CHECK ((status = ANY (ARRAY['queued'::text, 'sending'::text, 'sent'::text, 'failed'::text, 'dead'::text]))),
    CONSTRAINT mail_outbox_subject_format CHECK ((((length(btrim(subject)) >= 1) AND (length(btrim(subject)) <= 500)) AND (subject !~ '[\r\n]'::text))),
    CONSTRAINT mail_outbox_to_address_format CHECK (((to_address ~ '^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$'::text) AND (length(to_address) <= 320)))
);

--
-- Name: memberships; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.memberships (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    role text DEFAULT 'MEMBER'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memberships_role_valid CHECK ((role = ANY (ARRAY['OWNER'::text, 'ADMIN'::text, 'MEMBER'::text])))
);

--
-- Name: music_accounts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_accounts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    kind text NOT NULL,
    user_id uuid,
    address bytea,
    label text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_accounts_address_iff_address_kind CHECK (((kind = 'address'::text) = (address IS NOT NULL))),
    CONSTRAINT music_accounts_address_length CHECK ((length(address) = 20)),
    CONSTRAINT music_accounts_kind_valid CHECK ((kind = ANY (ARRAY['issuance'::text, 'treasury'::text, 'user'::text, 'address'::text, 'pool'::text]))),
    CONSTRAINT music_accounts_label_length CHECK ((length(label) <= 200)),
    CONSTRAINT music_accounts_user_iff_user_kind CHECK (((kind = 'user'::text) = (user_id IS NOT NULL)))
);

--
-- Name: music_artists; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_artists (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid,
    name text NOT NULL,
    slug text NOT NULL,
    bio text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_artists_bio_length CHECK ((length(bio) <= 10000)),
    CONSTRAINT music_artists_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT music_artists_slug_format CHECK (mediabase.music_slug_valid(slug))
);

--
-- Name: music_assets; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_assets (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    kind text NOT NULL,
    master_id uuid,
    artist_id uuid,
    symbol text NOT NULL,
    name text NOT NULL,
    decimals smallint DEFAULT 0 NOT NULL,
    supply_policy text DEFAULT 'fixed'::text NOT NULL,
    max_supply numeric(78,0),
    minted numeric(78,0) DEFAULT 0 NOT NULL,
    burned numeric(78,0) DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_assets_decimals_range CHECK (((decimals >= 0) AND (decimals <= 18))),
    CONSTRAINT music_assets_fixed_has_cap CHECK (((supply_policy <> 'fixed'::text) OR (max_supply IS NOT NULL))),
    CONSTRAINT music_assets_kind_valid CHECK ((kind = ANY (ARRAY['master_share'::text, 'coin'::text]))),
    CONSTRAINT music_assets_max_supply_positive CHECK ((max_supply > (0)::numeric)),
    CONSTRAINT music_assets_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT music_assets_share_has_master CHECK (((kind = 'master_share'::text) = (master_id IS NOT NULL))),
    CONSTRAINT music_assets_supply_cap CHECK (((max_supply IS NULL) OR (minted <= max_supply))),
    CONSTRAINT music_assets_supply_counts CHECK (((minted >= (0)::numeric) AND (burned >= (0)::numeric) AND (burned <= minted))),
    CONSTRAINT music_assets_supply_policy_valid CHECK ((supply_policy = ANY (ARRAY['fixed'::text, 'mintable'::text]))),
    CONSTRAINT music_assets_symbol_format CHECK ((symbol ~ '^[A-Z][A-Z0-9]{1,10}$'::text))
);

--
-- Name: music_balances; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_balances (
    organization_id uuid NOT NULL,
    asset_id uuid NOT NULL,
    account_id uuid NOT NULL,
    balance numeric(78,0) NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_balances_nonnegative CHECK ((balance >= (0)::numeric))
);

--
-- Name: music_blocks; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_blocks (
    organization_id uuid NOT NULL,
    chain_id bigint NOT NULL,
    number bigint NOT NULL,
    hash bytea NOT NULL,
    parent_hash bytea NOT NULL,
    block_time timestamp with time zone NOT NULL,
    canonical boolean DEFAULT true NOT NULL,
    imported_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_blocks_hash_length CHECK ((length(hash) = 32)),
    CONSTRAINT music_blocks_number_nonnegative CHECK ((number >= 0)),
    CONSTRAINT music_blocks_parent_hash_length CHECK ((length(parent_hash) = 32))
);

--
-- Name: music_chain_contracts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_chain_contracts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    chain_id bigint NOT NULL,
    address bytea NOT NULL,
    standard text NOT NULL,
    name text,
    asset_id uuid,
    master_id uuid,
    start_block bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_chain_contracts_address_length CHECK ((length(address) = 20)),
    CONSTRAINT music_chain_contracts_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT music_chain_contracts_standard_valid CHECK ((standard = ANY (ARRAY['erc721'::text, 'erc1155'::text, 'erc20'::text]))),
    CONSTRAINT music_chain_contracts_start_block_nonnegative CHECK ((start_block >= 0))
);

--
-- Name: music_chain_cursors; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_chain_cursors (
    organization_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    chain_id bigint NOT NULL,
    last_block bigint NOT NULL,
    last_block_hash bytea NOT NULL,
    posted_block bigint DEFAULT '-1'::integer NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_chain_cursors_hash_length CHECK ((length(last_block_hash) = 32)),
    CONSTRAINT music_chain_cursors_last_block_nonnegative CHECK ((last_block >= 0))
);

--
-- Name: music_chain_holdings; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_chain_holdings (
    organization_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    token_id numeric(78,0) NOT NULL,
    address bytea NOT NULL,
    balance numeric(78,0) NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_chain_holdings_address_length CHECK ((length(address) = 20)),
    CONSTRAINT music_chain_holdings_nonnegative CHECK ((balance >= (0)::numeric))
);

--
-- Name: music_chain_reorgs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_chain_reorgs (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    chain_id bigint NOT NULL,
    fork_block bigint NOT NULL,
    old_head bigint NOT NULL,
    old_head_hash bytea NOT NULL,
    new_block_hash bytea NOT NULL,
    depth integer NOT NULL,
    orphaned_transfers bigint DEFAULT 0 NOT NULL,
    readopted_blocks integer DEFAULT 0 NOT NULL,
    reversed_entries integer DEFAULT 0 NOT NULL,
    detected_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_chain_reorgs_depth_positive CHECK ((depth > 0))
);

--
-- Name: music_chains; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_chains (
    chain_id bigint NOT NULL,
    name text NOT NULL,
    finality_depth integer NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_chains_chain_id_positive CHECK ((chain_id > 0)),
    CONSTRAINT music_chains_finality_depth_range CHECK (((finality_depth >= 0) AND (finality_depth <= 100000))),
    CONSTRAINT music_chains_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: music_coins; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_coins (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    artist_id uuid NOT NULL,
    asset_id uuid NOT NULL,
    name text NOT NULL,
    description text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_coins_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT music_coins_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100)))
);

--
-- Name: music_contract_splits; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_contract_splits (
    organization_id uuid NOT NULL,
    contract_id uuid NOT NULL,
    line_no smallint NOT NULL,
    party text NOT NULL,
    artist_id uuid,
    producer_id uuid,
    label_name text,
    bps integer NOT NULL,
    CONSTRAINT music_contract_splits_bps_range CHECK (((bps >= 1) AND (bps <= 10000))),
    CONSTRAINT music_contract_splits_label_name_length CHECK (((length(btrim(label_name)) >= 1) AND (length(btrim(label_name)) <= 200))),
    CONSTRAINT music_contract_splits_line_no_positive CHECK ((line_no >= 1)),
    CONSTRAINT music_contract_splits_party_target CHECK ((((party = 'artist'::text) = (artist_id IS NOT NULL)) AND ((party = 'producer'::text) = (producer_id IS NOT NULL)) AND ((party = 'label'::text) = (label_name IS NOT NULL)))),
    CONSTRAINT music_contract_splits_party_valid CHECK ((party = ANY (ARRAY['artist'::text, 'producer'::text, 'label'::text, 'investors'::text])))
);

--
-- Name: music_contracts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_contracts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    master_id uuid NOT NULL,
    version integer NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    terms jsonb DEFAULT '{}'::jsonb NOT NULL,
    notes text,
    signed_by uuid,
    signed_at timestamp with time zone,
    superseded_at timestamp with time zone,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_contracts_notes_length CHECK ((length(notes) <= 10000)),
    CONSTRAINT music_contracts_signed_unless_draft CHECK (((status = 'draft'::text) = (signed_at IS NULL))),
    CONSTRAINT music_contracts_signer_when_signed CHECK (((signed_by IS NULL) OR (signed_at IS NOT NULL))),
    CONSTRAINT music_contracts_status_valid CHECK ((status = ANY (ARRAY['draft'::text, 'signed'::text, 'superseded'::text]))),
    CONSTRAINT music_contracts_superseded_at CHECK (((status = 'superseded'::text) = (superseded_at IS NOT NULL))),
    CONSTRAINT music_contracts_terms_object CHECK (((jsonb_typeof(terms) = 'object'::text) AND (pg_column_size(terms) <= 65536))),
    CONSTRAINT music_contracts_version_positive CHECK ((version >= 1))
);

--
-- Name: music_dividends; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_dividends (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    master_id uuid NOT NULL,
    asset_id uuid NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    currency character(3) NOT NULL,
    record_at timestamp with time zone,
    record_chain_id bigint,
    record_block bigint,
    revenue numeric(38,0) NOT NULL,
    investors_bps integer NOT NULL,
    contract_id uuid,
    distributable numeric(38,0) NOT NULL,
    remainder numeric(38,0) NOT NULL,
    holders integer NOT NULL,
    total_holding numeric(78,0) NOT NULL,
    status text DEFAULT 'computed'::text NOT NULL,
    paid_at timestamp with time zone,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_dividends_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT music_dividends_distributable_positive CHECK ((distributable > (0)::numeric)),
    CONSTRAINT music_dividends_holders_nonnegative CHECK ((holders >= 0)),
    CONSTRAINT music_dividends_investors_bps_range CHECK (((investors_bps >= 0) AND (investors_bps <= 10000))),
    CONSTRAINT music_dividends_investors_share CHECK ((distributable = div((revenue * (investors_bps)::numeric), (10000)::numeric))),
    CONSTRAINT music_dividends_paid_at_when_paid CHECK (((status = 'paid'::text) = (paid_at IS NOT NULL))),
    CONSTRAINT music_dividends_period_order CHECK ((period_start < period_end)),
    CONSTRAINT music_dividends_record_block_nonnegative CHECK ((record_block >= 0)),
    CONSTRAINT music_dividends_record_point CHECK (((num_nonnulls(record_at, record_block) = 1) AND ((record_chain_id IS NULL) = (record_block IS NULL)))),
    CONSTRAINT music_dividends_remainder_nonnegative CHECK ((remainder >= (0)::numeric)),
    CONSTRAINT music_dividends_remainder_rule CHECK ((((holders = 0) = (remainder = distributable)) AND ((holders = 0) OR (remainder = (0)::numeric)))),
    CONSTRAINT music_dividends_revenue_positive CHECK ((revenue > (0)::numeric)),
    CONSTRAINT music_dividends_status_valid CHECK ((status = ANY (ARRAY['computed'::text, 'paying'::text, 'paid'::text]))),
    CONSTRAINT music_dividends_total_holding_nonnegative CHECK ((total_holding >= (0)::numeric))
);

--
-- Name: music_ipo_allocations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_ipo_allocations (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    ipo_id uuid NOT NULL,
    account_id uuid NOT NULL,
    quantity numeric(78,0) NOT NULL,
    entry_id uuid NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_ipo_allocations_quantity_positive CHECK ((quantity > (0)::numeric))
);

--
-- Name: music_ipos; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_ipos (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    master_id uuid NOT NULL,
    asset_id uuid NOT NULL,
    treasury_account_id uuid NOT NULL,
    total_supply numeric(78,0) NOT NULL,
    price numeric(38,18) NOT NULL,
    currency character(3) NOT NULL,
    opens_at timestamp with time zone NOT NULL,
    closes_at timestamp with time zone NOT NULL,
    status text DEFAULT 'scheduled'::text NOT NULL,
    allocated numeric(78,0) DEFAULT 0 NOT NULL,
    issue_entry_id uuid NOT NULL,
    cancel_entry_id uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_ipos_allocated_nonnegative CHECK ((allocated >= (0)::numeric)),
    CONSTRAINT music_ipos_allocated_within_supply CHECK ((allocated <= total_supply)),
    CONSTRAINT music_ipos_canceled_unallocated CHECK (((status <> 'canceled'::text) OR (allocated = (0)::numeric))),
    CONSTRAINT music_ipos_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT music_ipos_price_positive CHECK ((price > (0)::numeric)),
    CONSTRAINT music_ipos_status_valid CHECK ((status = ANY (ARRAY['scheduled'::text, 'open'::text, 'closed'::text, 'canceled'::text]))),
    CONSTRAINT music_ipos_total_supply_positive CHECK ((total_supply > (0)::numeric)),
    CONSTRAINT music_ipos_window CHECK ((opens_at < closes_at))
);

--
-- Name: music_journal_entries; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_journal_entries (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    kind text NOT NULL,
    effective_at timestamp with time zone DEFAULT now() NOT NULL,
    chain_id bigint,
    block_number bigint,
    memo text,
    reverses_id uuid,
    idempotency_key text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_journal_entries_block_nonnegative CHECK ((block_number >= 0)),
    CONSTRAINT music_journal_entries_block_with_chain CHECK (((chain_id IS NULL) = (block_number IS NULL))),
    CONSTRAINT music_journal_entries_idempotency_key_length CHECK (((length(idempotency_key) >= 1) AND (length(idempotency_key) <= 200))),
    CONSTRAINT music_journal_entries_kind_valid CHECK ((kind = ANY (ARRAY['mint'::text, 'burn'::text, 'transfer'::text, 'allocation'::text, 'chain'::text, 'correction'::text, 'reversal'::text]))),
    CONSTRAINT music_journal_entries_memo_length CHECK ((length(memo) <= 2000)),
    CONSTRAINT music_journal_entries_reversal_names_entry CHECK (((kind = 'reversal'::text) = (reverses_id IS NOT NULL)))
);

--
-- Name: music_journal_lines; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_journal_lines (
    organization_id uuid NOT NULL,
    entry_id uuid NOT NULL,
    line_no smallint NOT NULL,
    asset_id uuid NOT NULL,
    account_id uuid NOT NULL,
    amount numeric(78,0) NOT NULL,
    effective_at timestamp with time zone DEFAULT now() NOT NULL,
    block_number bigint,
    CONSTRAINT music_journal_lines_amount_nonzero CHECK ((amount <> (0)::numeric)),
    CONSTRAINT music_journal_lines_line_no_positive CHECK ((line_no >= 1))
);

--
-- Name: music_liquidity_snapshots; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_liquidity_snapshots (
    organization_id uuid NOT NULL,
    coin_id uuid NOT NULL,
    pool text NOT NULL,
    observed_at timestamp with time zone NOT NULL,
    reserve_coin numeric(78,0) NOT NULL,
    reserve_quote numeric(78,0) NOT NULL,
    quote_symbol text NOT NULL,
    quote_decimals smallint DEFAULT 18 NOT NULL,
    coin_decimals smallint DEFAULT 0 NOT NULL,
    price numeric GENERATED ALWAYS AS (
CASE
    WHEN (reserve_coin > (0)::numeric) THEN round(((reserve_quote * power((10)::numeric, ((coin_decimals - quote_decimals))::numeric)) / reserve_coin), 18)
    ELSE NULL::numeric
END) STORED,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_liquidity_snapshots_pool_format CHECK ((pool ~ '^[a-z0-9][a-z0-9:._-]{0,199}$'::text)),
    CONSTRAINT music_liquidity_snapshots_quote_decimals_range CHECK (((quote_decimals >= 0) AND (quote_decimals <= 18))),
    CONSTRAINT music_liquidity_snapshots_quote_symbol_format CHECK ((quote_symbol ~ '^[A-Z][A-Z0-9]{1,10}$'::text)),
    CONSTRAINT music_liquidity_snapshots_reserve_coin_nonnegative CHECK ((reserve_coin >= (0)::numeric)),
    CONSTRAINT music_liquidity_snapshots_reserve_quote_nonnegative CHECK ((reserve_quote >= (0)::numeric))
);

--
-- Name: music_master_credits; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_master_credits (
    organization_id uuid NOT NULL,
    master_id uuid NOT NULL,
    producer_id uuid NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_master_credits_role_format CHECK ((role ~ '^[a-z][a-z_-]{0,39}$'::text))
);

--
-- Name: music_masters; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_masters (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    artist_id uuid NOT NULL,
    title text NOT NULL,
    master_type text DEFAULT 'single'::text NOT NULL,
    status text DEFAULT 'draft'::text NOT NULL,
    isrc text,
    duration_ms integer,
    video_id uuid,
    created_by uuid,
    released_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_masters_duration_positive CHECK ((duration_ms > 0)),
    CONSTRAINT music_masters_isrc_format CHECK ((isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'::text)),
    CONSTRAINT music_masters_released_when_published CHECK (((released_at IS NULL) OR (status = ANY (ARRAY['published'::text, 'archived'::text])))),
    CONSTRAINT music_masters_status_valid CHECK ((status = ANY (ARRAY['draft'::text, 'review'::text, 'published'::text, 'archived'::text]))),
    CONSTRAINT music_masters_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 300))),
    CONSTRAINT music_masters_type_valid CHECK ((master_type = ANY (ARRAY['single'::text, 'album'::text, 'ep'::text, 'track'::text, 'stem'::text, 'remix'::text])))
);

--
-- Name: music_nfts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_nfts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    contract_id uuid NOT NULL,
    token_id numeric(78,0) NOT NULL,
    master_id uuid,
    metadata_uri text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_nfts_metadata_uri_valid CHECK (((length(metadata_uri) <= 2048) AND (metadata_uri ~ '^[a-z][a-z0-9+.-]*://[^[:space:][:cntrl:]]+$'::text))),
    CONSTRAINT music_nfts_token_id_range CHECK (((token_id >= (0)::numeric) AND (token_id < ((2)::numeric ^ (256)::numeric))))
);

--
-- Name: music_payouts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_payouts (
    organization_id uuid NOT NULL,
    dividend_id uuid NOT NULL,
    account_id uuid NOT NULL,
    currency character(3) NOT NULL,
    holding numeric(78,0) NOT NULL,
    amount numeric(38,0) NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    paid_at timestamp with time zone,
    failed_at timestamp with time zone,
    external_ref text,
    failure_reason text,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_payouts_amount_nonnegative CHECK ((amount >= (0)::numeric)),
    CONSTRAINT music_payouts_external_ref_format CHECK ((((length(external_ref) >= 1) AND (length(external_ref) <= 200)) AND (external_ref !~ '[[:cntrl:]]'::text))),
    CONSTRAINT music_payouts_failed_at_when_failed CHECK (((status = 'failed'::text) = (failed_at IS NOT NULL))),
    CONSTRAINT music_payouts_failure_reason_length CHECK (((length(failure_reason) >= 1) AND (length(failure_reason) <= 2000))),
    CONSTRAINT music_payouts_holding_positive CHECK ((holding > (0)::numeric)),
    CONSTRAINT music_payouts_paid_at_when_paid CHECK (((status = 'paid'::text) = (paid_at IS NOT NULL))),
    CONSTRAINT music_payouts_reason_when_failed CHECK (((failure_reason IS NULL) OR (status = 'failed'::text))),
    CONSTRAINT music_payouts_starts_pending CHECK (((status <> 'pending'::text) OR ((paid_at IS NULL) AND (failed_at IS NULL)))),
    CONSTRAINT music_payouts_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'paid'::text, 'failed'::text])))
);

--
-- Name: music_producers; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_producers (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid,
    name text NOT NULL,
    slug text NOT NULL,
    bio text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_producers_bio_length CHECK ((length(bio) <= 10000)),
    CONSTRAINT music_producers_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT music_producers_slug_format CHECK (mediabase.music_slug_valid(slug))
);

--
-- Name: music_revenue_events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_revenue_events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    master_id uuid NOT NULL,
    source text NOT NULL,
    external_id text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    amount numeric(38,0) NOT NULL,
    currency character(3) NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_revenue_events_amount_positive CHECK ((amount > (0)::numeric)),
    CONSTRAINT music_revenue_events_currency_format CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT music_revenue_events_external_id_format CHECK ((((length(external_id) >= 1) AND (length(external_id) <= 200)) AND (external_id !~ '[[:cntrl:]]'::text))),
    CONSTRAINT music_revenue_events_period_order CHECK ((period_start < period_end)),
    CONSTRAINT music_revenue_events_source_format CHECK ((source ~ '^[a-z][a-z0-9_-]{0,39}$'::text))
);

--
-- Name: music_roles; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_roles (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    granted_by uuid,
    granted_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_roles_role_valid CHECK ((role = ANY (ARRAY['artist'::text, 'producer'::text, 'fan'::text])))
);

--
-- Name: music_studio_options; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_studio_options (
    organization_id uuid NOT NULL,
    session_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    label text NOT NULL,
    "position" integer NOT NULL,
    CONSTRAINT music_studio_options_label_length CHECK (((length(btrim(label)) >= 1) AND (length(btrim(label)) <= 300))),
    CONSTRAINT music_studio_options_position_positive CHECK (("position" >= 1))
);

--
-- Name: music_studio_sessions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_studio_sessions (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    master_id uuid NOT NULL,
    title text NOT NULL,
    description text,
    opens_at timestamp with time zone NOT NULL,
    closes_at timestamp with time zone NOT NULL,
    weighting text DEFAULT 'one_per_member'::text NOT NULL,
    asset_id uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_studio_sessions_asset_iff_holdings CHECK (((weighting = 'holdings'::text) = (asset_id IS NOT NULL))),
    CONSTRAINT music_studio_sessions_description_length CHECK ((length(description) <= 10000)),
    CONSTRAINT music_studio_sessions_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 300))),
    CONSTRAINT music_studio_sessions_weighting_valid CHECK ((weighting = ANY (ARRAY['one_per_member'::text, 'holdings'::text]))),
    CONSTRAINT music_studio_sessions_window CHECK ((opens_at < closes_at))
);

--
-- Name: music_studio_votes; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_studio_votes (
    organization_id uuid NOT NULL,
    session_id uuid NOT NULL,
    user_id uuid NOT NULL,
    option_id uuid NOT NULL,
    weight numeric(78,0) NOT NULL,
    cast_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT music_studio_votes_weight_positive CHECK ((weight > (0)::numeric))
);

--
-- Name: music_transfers; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.music_transfers (
    organization_id uuid NOT NULL,
    chain_id bigint NOT NULL,
    tx_hash bytea NOT NULL,
    log_index integer NOT NULL,
    block_number bigint NOT NULL,
    block_hash bytea NOT NULL,
    contract_id uuid NOT NULL,
    token_id numeric(78,0),
    from_address bytea NOT NULL,
    to_address bytea NOT NULL,
    amount numeric(78,0) NOT NULL,
    canonical boolean DEFAULT true NOT NULL,
    posted_entry_id uuid,
    CONSTRAINT music_transfers_amount_positive CHECK ((amount > (0)::numeric)),
    CONSTRAINT music_transfers_from_length CHECK ((length(from_address) = 20)),
    CONSTRAINT music_transfers_log_index_nonnegative CHECK ((log_index >= 0)),
    CONSTRAINT music_transfers_to_length CHECK ((length(to_address) = 20)),
    CONSTRAINT music_transfers_token_id_range CHECK (((token_id >= (0)::numeric) AND (token_id < ((2)::numeric ^ (256)::numeric)))),
    CONSTRAINT music_transfers_tx_hash_length CHECK ((length(tx_hash) = 32))
);

--
-- Name: notification_digests; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.notification_digests (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    frequency text NOT NULL,
    period_start timestamp with time zone NOT NULL,
    period_end timestamp with time zone NOT NULL,
    notification_count integer NOT NULL,
    message_id uuid,
    skipped text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT notification_digests_count_positive CHECK ((notification_count >= 1)),
    CONSTRAINT notification_digests_frequency_valid CHECK ((frequency = ANY (ARRAY['daily'::text, 'weekly'::text]))),
    CONSTRAINT notification_digests_mailed_or_skipped CHECK (((message_id IS NULL) = (skipped IS NOT NULL))),
    CONSTRAINT notification_digests_period_closed CHECK ((period_end <= created_at)),
    CONSTRAINT notification_digests_period_shape CHECK (
CASE frequency
    WHEN 'daily'::text THEN ((period_end = (period_start + '1 day'::interval)) AND (date_trunc('day'::text, (period_start AT TIME ZONE 'UTC'::text)) = (period_start AT TIME ZONE 'UTC'::text)))
    ELSE ((period_end = (period_start + '7 days'::interval)) AND (date_trunc('week'::text, (period_start AT TIME ZONE 'UTC'::text)) = (period_start AT TIME ZONE 'UTC'::text)))
END),
    CONSTRAINT notification_digests_skipped_valid CHECK ((skipped = ANY (ARRAY['email_off'::text, 'inactive'::text, 'bad_address'::text])))
);

--
-- Name: notifications; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.notifications (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    kind text NOT NULL,
    actor_id uuid,
    video_id uuid,
    comment_id uuid,
    decision_id uuid,
    action_item_id uuid,
    tag_id uuid,
    title text NOT NULL,
    delivery text DEFAULT 'instant'::text NOT NULL,
    dedupe_key text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    read_at timestamp with time zone,
    workflow_run_id uuid,
    digest_id uuid,
    CONSTRAINT notifications_delivery_valid CHECK ((delivery = ANY (ARRAY['instant'::text, 'daily'::text, 'weekly'::text]))),
    CONSTRAINT notifications_digest_only_batched CHECK (((digest_id IS NULL) OR (delivery <> 'instant'::text))),
    CONSTRAINT notifications_kind_valid CHECK ((kind = ANY (ARRAY['reply'::text, 'mention'::text, 'comment'::text, 'decision'::text, 'action_item'::text, 'workflow'::text]))),
    CONSTRAINT notifications_subject CHECK (
CASE kind
    WHEN 'decision'::text THEN (decision_id IS NOT NULL)
    WHEN 'action_item'::text THEN (action_item_id IS NOT NULL)
    WHEN 'workflow'::text THEN (workflow_run_id IS NOT NULL)
    ELSE (comment_id IS NOT NULL)
END),
    CONSTRAINT notifications_title_length CHECK (((length(title) >= 1) AND (length(title) <= 1000)))
);

--
-- Name: oauth_accounts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.oauth_accounts (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    provider text NOT NULL,
    provider_account_id text NOT NULL,
    access_token text,
    refresh_token text,
    expires_at timestamp with time zone,
    scope text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT oauth_accounts_provider_account_id_nonempty CHECK ((provider_account_id <> ''::text)),
    CONSTRAINT oauth_accounts_provider_format CHECK ((provider ~ '^[a-z0-9_-]{1,40}$'::text))
);

--
-- Name: oauth_accounts_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.oauth_accounts_readable WITH (security_invoker='true') AS
 SELECT id,
    user_id,
    provider,
    provider_account_id,
    expires_at,
    scope,
    created_at,
    updated_at
   FROM mediabase.oauth_accounts;

--
-- Name: VIEW oauth_accounts_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.oauth_accounts_readable IS 'oauth_accounts without the provider tokens';

--
-- Name: organization_activity; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.organization_activity WITH (security_invoker='true') AS
 SELECT a.organization_id,
    a.id,
    a.occurred_at,
    a.actor_id,
    u.username AS actor_username,
    a.table_name AS subject_type,
    a.action,
    a.row_id AS subject_id,
    ((COALESCE(a.after, a.before) ->> 'video_id'::text))::uuid AS video_id,
    "left"((COALESCE(a.after, a.before) ->>
        CASE a.table_name
            WHEN 'comments'::text THEN 'body'::text
            WHEN 'decisions'::text THEN 'summary'::text
            WHEN 'quote_cards'::text THEN 'quote_text'::text
            ELSE 'title'::text
        END), 200) AS label
   FROM (mediabase.audit_log a
     LEFT JOIN mediabase.users u ON ((u.id = a.actor_id)))
  WHERE (a.table_name = ANY (ARRAY['videos'::text, 'transcripts'::text, 'comments'::text, 'video_moments'::text, 'video_clips'::text, 'highlight_reels'::text, 'quote_cards'::text, 'share_links'::text, 'decisions'::text, 'ai_action_items'::text, 'ai_layers'::text]));

--
-- Name: organizations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.organizations (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    kind text DEFAULT 'team'::text NOT NULL,
    personal_user_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organizations_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT organizations_kind_valid CHECK ((kind = ANY (ARRAY['team'::text, 'personal'::text, 'community'::text]))),
    CONSTRAINT organizations_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200))),
    CONSTRAINT organizations_personal_has_user CHECK (((kind = 'personal'::text) = (personal_user_id IS NOT NULL))),
    CONSTRAINT organizations_slug_format CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'::text))
);

--
-- Name: partitioned_tables; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.partitioned_tables (
    parent regclass NOT NULL,
    keep_months integer,
    min_keep_months integer DEFAULT 1 NOT NULL,
    archive boolean DEFAULT false NOT NULL,
    keep_while text,
    partition_options text[] DEFAULT '{}'::text[] NOT NULL,
    upkeep regprocedure,
    registered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT partitioned_tables_keep_above_min CHECK (((keep_months IS NULL) OR (keep_months >= min_keep_months))),
    CONSTRAINT partitioned_tables_keep_months_positive CHECK ((keep_months >= 1)),
    CONSTRAINT partitioned_tables_keep_while_length CHECK ((length(keep_while) <= 1000)),
    CONSTRAINT partitioned_tables_min_keep_months_positive CHECK ((min_keep_months >= 1))
);

--
-- Name: quote_cards; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.quote_cards (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    quote_text text NOT NULL,
    speaker text,
    speaker_id uuid,
    start_ms bigint NOT NULL,
    end_ms bigint,
    template jsonb DEFAULT '{}'::jsonb NOT NULL,
    image_url text,
    storage_key text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT quote_cards_image_url_format CHECK ((image_url ~ '^https?://'::text)),
    CONSTRAINT quote_cards_quote_length CHECK (((length(btrim(quote_text)) >= 1) AND (length(btrim(quote_text)) <= 2000))),
    CONSTRAINT quote_cards_speaker_length CHECK (((length(speaker) >= 1) AND (length(speaker) <= 200))),
    CONSTRAINT quote_cards_storage_key_length CHECK (((length(storage_key) >= 1) AND (length(storage_key) <= 1024))),
    CONSTRAINT quote_cards_template_object CHECK ((jsonb_typeof(template) = 'object'::text)),
    CONSTRAINT quote_cards_times_valid CHECK (((0 <= start_ms) AND ((end_ms IS NULL) OR (start_ms <= end_ms))))
);

--
-- Name: retention_policies; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.retention_policies (
    name text NOT NULL,
    keep_days integer NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    description text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT retention_policies_description_length CHECK (((length(btrim(description)) >= 1) AND (length(btrim(description)) <= 500))),
    CONSTRAINT retention_policies_keep_days_range CHECK (((keep_days >= 1) AND (keep_days <= 36500))),
    CONSTRAINT retention_policies_name_known CHECK ((name = ANY (ARRAY['videos.trash'::text, 'share_links.expired'::text, 'notifications.read'::text, 'notifications.unread'::text, 'mail.sent'::text, 'invitations.closed'::text])))
);

--
-- Name: retention_runs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.retention_runs (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    run_by text NOT NULL,
    policies text[] NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    counts jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    CONSTRAINT retention_runs_counts_object CHECK ((jsonb_typeof(counts) = 'object'::text)),
    CONSTRAINT retention_runs_error_length CHECK (((length(error) >= 1) AND (length(error) <= 2000))),
    CONSTRAINT retention_runs_finished_after_start CHECK ((finished_at >= started_at)),
    CONSTRAINT retention_runs_run_by_valid CHECK ((run_by = ANY (ARRAY['cli'::text, 'worker'::text])))
);

--
-- Name: schema_migration_repairs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_migration_repairs (
    id bigint NOT NULL,
    version integer NOT NULL,
    old_checksum text NOT NULL,
    new_checksum text NOT NULL,
    reason text NOT NULL,
    repaired_at timestamp with time zone DEFAULT now() NOT NULL,
    repaired_by text NOT NULL,
    CONSTRAINT schema_migration_repairs_reason_check CHECK ((length(btrim(reason)) > 0))
);

--
-- Name: schema_migration_repairs_id_seq; Type: SEQUENCE; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.schema_migration_repairs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME mediabase.schema_migration_repairs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: schema_migrations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL,
    duration_ms integer NOT NULL,
    transactional boolean NOT NULL,
    baseline boolean DEFAULT false NOT NULL,
    CONSTRAINT schema_migrations_checksum_check CHECK ((checksum ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT schema_migrations_duration_ms_check CHECK ((duration_ms >= 0)),
    CONSTRAINT schema_migrations_version_check CHECK ((version > 0))
);

--
-- Name: schema_views; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.schema_views (
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL,
    applied_by text NOT NULL
);

--
-- Name: search_configs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.search_configs (
    organization_id uuid NOT NULL,
    ts_config regconfig NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: search_index_state; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.search_index_state (
    organization_id uuid NOT NULL,
    transcript_id uuid NOT NULL,
    video_id uuid NOT NULL,
    model text NOT NULL,
    chunker text NOT NULL,
    chunks integer NOT NULL,
    embedded integer NOT NULL,
    dimension integer,
    error text,
    indexed_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT search_index_state_chunks_nonnegative CHECK ((chunks >= 0)),
    CONSTRAINT search_index_state_embedded_range CHECK (((embedded >= 0) AND (embedded <= chunks))),
    CONSTRAINT search_index_state_error_length CHECK ((length(error) <= 2000))
);

--
-- Name: security_events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.security_events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    actor_user_id uuid,
    actor_key_id uuid,
    subject_type text,
    subject_id uuid,
    ip_hmac bytea,
    ip_key text,
    user_agent text,
    details jsonb DEFAULT '{}'::jsonb NOT NULL,
    request_id text DEFAULT NULLIF(current_setting('mediabase.request_id'::text, true), ''::text),
    redacted_at timestamp with time zone,
    CONSTRAINT security_events_details_shape CHECK (((jsonb_typeof(details) = 'object'::text) AND (octet_length((details)::text) <= 4096))),
    CONSTRAINT security_events_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT security_events_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT security_events_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL))),
    CONSTRAINT security_events_kind_valid CHECK ((kind = ANY (ARRAY['login'::text, 'login_failed'::text, 'key_created'::text, 'key_revoked'::text, 'role_changed'::text, 'member_added'::text, 'member_removed'::text, 'payout'::text, 'session_created'::text, 'session_revoked'::text, 'password_changed'::text, 'password_reset'::text, 'email_verified'::text, 'invitation_created'::text, 'invitation_accepted'::text, 'invitation_revoked'::text]))),
    CONSTRAINT security_events_request_id_length CHECK ((length(request_id) <= 128)),
    CONSTRAINT security_events_subject_named CHECK (((subject_type IS NULL) = (subject_id IS NULL))),
    CONSTRAINT security_events_subject_type_valid CHECK ((subject_type = ANY (ARRAY['api_key'::text, 'user'::text, 'payout'::text, 'organization'::text, 'session'::text, 'invitation'::text]))),
    CONSTRAINT security_events_tenantless_kind CHECK (((organization_id <> '00000000-0000-0000-0000-000000000000'::uuid) OR (kind = 'login_failed'::text))),
    CONSTRAINT security_events_user_agent_length CHECK ((length(user_agent) <= 512))
)
PARTITION BY RANGE (occurred_at);

--
-- Name: security_events_default; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.security_events_default (
    organization_id uuid CONSTRAINT security_events_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT security_events_id_not_null NOT NULL,
    occurred_at timestamp with time zone DEFAULT now() CONSTRAINT security_events_occurred_at_not_null NOT NULL,
    kind text CONSTRAINT security_events_kind_not_null NOT NULL,
    actor_user_id uuid,
    actor_key_id uuid,
    subject_type text,
    subject_id uuid,
    ip_hmac bytea,
    ip_key text,
    user_agent text,
    details jsonb DEFAULT '{}'::jsonb CONSTRAINT security_events_details_not_null NOT NULL,
    request_id text DEFAULT NULLIF(current_setting('mediabase.request_id'::text, true), ''::text),
    redacted_at timestamp with time zone,
    CONSTRAINT security_events_details_shape CHECK (((jsonb_typeof(details) = 'object'::text) AND (octet_length((details)::text) <= 4096))),
    CONSTRAINT security_events_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT security_events_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT security_events_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL))),
    CONSTRAINT security_events_kind_valid CHECK ((kind = ANY (ARRAY['login'::text, 'login_failed'::text, 'key_created'::text, 'key_revoked'::text, 'role_changed'::text, 'member_added'::text, 'member_removed'::text, 'payout'::text, 'session_created'::text, 'session_revoked'::text, 'password_changed'::text, 'password_reset'::text, 'email_verified'::text, 'invitation_created'::text, 'invitation_accepted'::text, 'invitation_revoked'::text]))),
    CONSTRAINT security_events_request_id_length CHECK ((length(request_id) <= 128)),
    CONSTRAINT security_events_subject_named CHECK (((subject_type IS NULL) = (subject_id IS NULL))),
    CONSTRAINT security_events_subject_type_valid CHECK ((subject_type = ANY (ARRAY['api_key'::text, 'user'::text, 'payout'::text, 'organization'::text, 'session'::text, 'invitation'::text]))),
    CONSTRAINT security_events_tenantless_kind CHECK (((organization_id <> '00000000-0000-0000-0000-000000000000'::uuid) OR (kind = 'login_failed'::text))),
    CONSTRAINT security_events_user_agent_length CHECK ((length(user_agent) <= 512))
);

--
-- Name: series; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.series (
    organization_id uuid CONSTRAINT channels_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT channels_id_not_null NOT NULL,
    name text CONSTRAINT channels_name_not_null NOT NULL,
    description text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() CONSTRAINT channels_created_at_not_null NOT NULL,
    updated_at timestamp with time zone DEFAULT now() CONSTRAINT channels_updated_at_not_null NOT NULL,
    CONSTRAINT series_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT series_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)))
);

--
-- Name: sessions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.sessions (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    active_organization_id uuid NOT NULL,
    prefix text NOT NULL,
    secret_sha256 bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    revoked_at timestamp with time zone,
    ip_hmac bytea,
    ip_key text,
    user_agent text,
    CONSTRAINT sessions_expiry_after_start CHECK ((expires_at > created_at)),
    CONSTRAINT sessions_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT sessions_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT sessions_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL))),
    CONSTRAINT sessions_prefix_format CHECK ((prefix ~ '^[a-z0-9]{12}$'::text)),
    CONSTRAINT sessions_secret_length CHECK ((length(secret_sha256) = 32)),
    CONSTRAINT sessions_user_agent_length CHECK ((length(user_agent) <= 512))
);

--
-- Name: sessions_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.sessions_readable WITH (security_invoker='true') AS
 SELECT id,
    user_id,
    active_organization_id,
    prefix,
    created_at,
    expires_at,
    last_seen_at,
    revoked_at,
    ip_key,
    user_agent
   FROM mediabase.sessions;

--
-- Name: VIEW sessions_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.sessions_readable IS 'sessions without secret_sha256 and ip_hmac';

--
-- Name: share_links; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.share_links (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    token_sha256 bytea NOT NULL,
    password_hash text,
    has_password boolean GENERATED ALWAYS AS ((password_hash IS NOT NULL)) STORED NOT NULL,
    expires_at timestamp with time zone,
    view_count bigint DEFAULT 0 NOT NULL,
    last_viewed_at timestamp with time zone,
    revoked_at timestamp with time zone,
    revoked_by uuid,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT share_links_expires_after_created CHECK ((expires_at > created_at)),
    CONSTRAINT share_links_expires_at_range CHECK (((expires_at >= '0001-01-02 00:00:00+00'::timestamp with time zone) AND (expires_at < '9999-01-01 00:00:00+00'::timestamp with time zone))),
    CONSTRAINT share_links_password_hash_format CHECK ((password_hash ~~ '$argon2%'::text)),
    CONSTRAINT share_links_token_length CHECK ((length(token_sha256) = 32)),
    CONSTRAINT share_links_view_count_nonnegative CHECK ((view_count >= 0))
);

--
-- Name: share_links_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.share_links_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    video_id,
    has_password,
    expires_at,
    view_count,
    last_viewed_at,
    revoked_at,
    revoked_by,
    created_by,
    created_at
   FROM mediabase.share_links;

--
-- Name: VIEW share_links_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.share_links_readable IS 'share_links without token_sha256 and password_hash';

--
-- Name: speakers; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.speakers (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    label text NOT NULL,
    display_name text,
    person_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT speakers_display_name_length CHECK ((length(display_name) <= 200)),
    CONSTRAINT speakers_label_length CHECK (((length(label) >= 1) AND (length(label) <= 200)))
);

--
-- Name: story_bibles; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_bibles (
    organization_id uuid NOT NULL,
    scene_id uuid NOT NULL,
    version integer NOT NULL,
    data jsonb NOT NULL,
    created_by uuid,
    created_by_segment_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ts_config regconfig DEFAULT 'simple'::regconfig NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector(mediabase.ts_parse_config(ts_config), mediabase.story_bible_text(data))) STORED,
    CONSTRAINT story_bibles_entity_ids CHECK (mediabase.story_bible_entities_valid(data)),
    CONSTRAINT story_bibles_plot_thread_status CHECK (mediabase.story_bible_threads_valid(data)),
    CONSTRAINT story_bibles_shape CHECK (mediabase.story_bible_shape_valid(data)),
    CONSTRAINT story_bibles_size CHECK ((pg_column_size(data) <= 1048576)),
    CONSTRAINT story_bibles_version_matches CHECK (COALESCE(((data ->> 'version'::text) = (version)::text), false)),
    CONSTRAINT story_bibles_version_positive CHECK ((version >= 1))
);

--
-- Name: story_categories; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_categories (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    topic_id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    display_order integer DEFAULT 0 NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_categories_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT story_categories_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT story_categories_slug_format CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'::text))
);

--
-- Name: story_continuations; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_continuations (
    organization_id uuid NOT NULL,
    job_id uuid NOT NULL,
    job_created_at timestamp with time zone NOT NULL,
    scene_id uuid NOT NULL,
    user_id uuid,
    input_text text NOT NULL,
    base_bible_version integer NOT NULL,
    state text DEFAULT 'queued'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    message text,
    segment_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT story_continuations_attempts_nonnegative CHECK ((attempts >= 0)),
    CONSTRAINT story_continuations_base_positive CHECK ((base_bible_version >= 1)),
    CONSTRAINT story_continuations_finished_when_final CHECK (((state = ANY (ARRAY['finalized'::text, 'failed'::text])) = (finished_at IS NOT NULL))),
    CONSTRAINT story_continuations_input_text_length CHECK (((length(btrim(input_text)) >= 1) AND (length(btrim(input_text)) <= 10000))),
    CONSTRAINT story_continuations_message_length CHECK ((length(message) <= 2000)),
    CONSTRAINT story_continuations_segment_when_finalized CHECK (((state = 'finalized'::text) = (segment_id IS NOT NULL))),
    CONSTRAINT story_continuations_state_valid CHECK ((state = ANY (ARRAY['queued'::text, 'running'::text, 'conflict'::text, 'finalized'::text, 'failed'::text])))
);

--
-- Name: story_counter_deltas; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_counter_deltas (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    idea_id uuid,
    scene_id uuid,
    likes integer DEFAULT 0 NOT NULL,
    views integer DEFAULT 0 NOT NULL,
    month date,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_counter_deltas_one_target CHECK ((num_nonnulls(idea_id, scene_id) = 1)),
    CONSTRAINT story_counter_deltas_views_nonnegative CHECK ((views >= 0)),
    CONSTRAINT story_counter_deltas_views_of_scenes CHECK (((views = 0) OR ((scene_id IS NOT NULL) AND (month IS NOT NULL))))
);

--
-- Name: story_flags; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_flags (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    reporter_id uuid,
    idea_id uuid,
    scene_id uuid,
    segment_id uuid,
    member_id uuid,
    topic_id uuid,
    reason text NOT NULL,
    description text,
    status text DEFAULT 'pending'::text NOT NULL,
    reviewed_by uuid,
    reviewed_at timestamp with time zone,
    action_taken text,
    notes text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_flags_action_valid CHECK ((action_taken = ANY (ARRAY['none'::text, 'hidden'::text, 'removed'::text, 'locked'::text, 'rejected'::text, 'deactivated'::text]))),
    CONSTRAINT story_flags_description_length CHECK ((length(description) <= 2000)),
    CONSTRAINT story_flags_dismissed_changes_nothing CHECK (((status <> 'dismissed'::text) OR (action_taken = 'none'::text))),
    CONSTRAINT story_flags_notes_length CHECK ((length(notes) <= 2000)),
    CONSTRAINT story_flags_one_target CHECK ((num_nonnulls(idea_id, scene_id, segment_id, member_id, topic_id) = 1)),
    CONSTRAINT story_flags_reason_valid CHECK ((reason = ANY (ARRAY['spam'::text, 'abuse'::text, 'harassment'::text, 'hate'::text, 'sexual'::text, 'violence'::text, 'copyright'::text, 'privacy'::text, 'misinformation'::text, 'off_topic'::text, 'other'::text]))),
    CONSTRAINT story_flags_resolution CHECK (
CASE
    WHEN (status = ANY (ARRAY['resolved'::text, 'dismissed'::text])) THEN (num_nonnulls(reviewed_by, reviewed_at, action_taken) = 3)
    ELSE (num_nonnulls(reviewed_by, reviewed_at, action_taken, notes) = 0)
END),
    CONSTRAINT story_flags_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'reviewing'::text, 'resolved'::text, 'dismissed'::text])))
);

--
-- Name: story_ideas; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_ideas (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    topic_id uuid NOT NULL,
    category_id uuid,
    user_id uuid,
    title text NOT NULL,
    prompt text NOT NULL,
    tags text[] DEFAULT '{}'::text[] NOT NULL,
    status text DEFAULT 'active'::text NOT NULL,
    moderation_status text DEFAULT 'pending'::text NOT NULL,
    scene_count integer DEFAULT 0 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    like_count integer DEFAULT 0 NOT NULL,
    language text,
    search_vector tsvector GENERATED ALWAYS AS (((setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), title), 'A'::"char") || setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), prompt), 'B'::"char")) || setweight(to_tsvector(mediabase.ts_parse_config(mediabase.ts_config_for(language)), mediabase.story_tags_text(tags)), 'B'::"char"))) STORED,
    CONSTRAINT story_ideas_language_format CHECK (mediabase.check_language(language)),
    CONSTRAINT story_ideas_like_count_nonnegative CHECK ((like_count >= 0)),
    CONSTRAINT story_ideas_moderation_status_valid CHECK ((moderation_status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text]))),
    CONSTRAINT story_ideas_prompt_length CHECK (((length(btrim(prompt)) >= 1) AND (length(btrim(prompt)) <= 10000))),
    CONSTRAINT story_ideas_scene_count_nonnegative CHECK ((scene_count >= 0)),
    CONSTRAINT story_ideas_status_valid CHECK ((status = ANY (ARRAY['active'::text, 'hidden'::text, 'removed'::text]))),
    CONSTRAINT story_ideas_tags_valid CHECK (mediabase.story_tags_valid(tags)),
    CONSTRAINT story_ideas_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 200)))
);

--
-- Name: story_likes; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_likes (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    idea_id uuid,
    scene_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_likes_one_target CHECK ((num_nonnulls(idea_id, scene_id) = 1))
);

--
-- Name: story_publications; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_publications (
    organization_id uuid NOT NULL,
    published_by uuid,
    published_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: story_scene_summaries; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_scene_summaries (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    scene_id uuid NOT NULL,
    covered int4range NOT NULL,
    summary text NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_scene_summaries_covered_bounded CHECK (((NOT isempty(covered)) AND (lower(covered) >= 1) AND (NOT upper_inf(covered)))),
    CONSTRAINT story_scene_summaries_summary_length CHECK (((length(btrim(summary)) >= 1) AND (length(btrim(summary)) <= 50000)))
);

--
-- Name: story_scene_views; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_scene_views (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    viewed_at timestamp with time zone DEFAULT now() NOT NULL,
    scene_id uuid NOT NULL,
    user_id uuid,
    ip_hmac bytea,
    ip_key text,
    CONSTRAINT story_scene_views_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT story_scene_views_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT story_scene_views_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL)))
)
PARTITION BY RANGE (viewed_at);

--
-- Name: story_scene_views_default; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_scene_views_default (
    organization_id uuid CONSTRAINT story_scene_views_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT story_scene_views_id_not_null NOT NULL,
    viewed_at timestamp with time zone DEFAULT now() CONSTRAINT story_scene_views_viewed_at_not_null NOT NULL,
    scene_id uuid CONSTRAINT story_scene_views_scene_id_not_null NOT NULL,
    user_id uuid,
    ip_hmac bytea,
    ip_key text,
    CONSTRAINT story_scene_views_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT story_scene_views_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT story_scene_views_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL)))
);

--
-- Name: story_scenes; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_scenes (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    topic_id uuid NOT NULL,
    idea_id uuid NOT NULL,
    user_id uuid,
    title text NOT NULL,
    description text,
    status text DEFAULT 'active'::text NOT NULL,
    thumbnail_key text,
    segment_count integer DEFAULT 0 NOT NULL,
    total_duration_ms bigint DEFAULT 0 NOT NULL,
    contributor_count integer DEFAULT 0 NOT NULL,
    last_segment_at timestamp with time zone,
    bible_version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    like_count integer DEFAULT 0 NOT NULL,
    view_count bigint DEFAULT 0 NOT NULL,
    ts_config regconfig DEFAULT 'simple'::regconfig NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS ((setweight(to_tsvector(mediabase.ts_parse_config(ts_config), title), 'A'::"char") || setweight(to_tsvector(mediabase.ts_parse_config(ts_config), COALESCE(description, ''::text)), 'B'::"char"))) STORED,
    CONSTRAINT story_scenes_bible_version_positive CHECK ((bible_version >= 1)),
    CONSTRAINT story_scenes_contributor_count_range CHECK (((contributor_count >= 0) AND (contributor_count <= segment_count))),
    CONSTRAINT story_scenes_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT story_scenes_last_segment_when_segments CHECK (((segment_count = 0) = (last_segment_at IS NULL))),
    CONSTRAINT story_scenes_like_count_nonnegative CHECK ((like_count >= 0)),
    CONSTRAINT story_scenes_segment_count_nonnegative CHECK ((segment_count >= 0)),
    CONSTRAINT story_scenes_status_valid CHECK ((status = ANY (ARRAY['active'::text, 'locked'::text, 'hidden'::text, 'removed'::text]))),
    CONSTRAINT story_scenes_thumbnail_key_valid CHECK (mediabase.story_storage_key_valid(thumbnail_key)),
    CONSTRAINT story_scenes_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 200))),
    CONSTRAINT story_scenes_total_duration_nonnegative CHECK ((total_duration_ms >= 0)),
    CONSTRAINT story_scenes_view_count_nonnegative CHECK ((view_count >= 0))
);

--
-- Name: story_search_configs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_search_configs (
    organization_id uuid NOT NULL,
    ts_config regconfig NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: story_segments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_segments (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    scene_id uuid NOT NULL,
    sequence integer NOT NULL,
    user_id uuid,
    input_text text NOT NULL,
    expanded_script text NOT NULL,
    video_key text NOT NULL,
    hls_key text,
    thumbnail_key text,
    duration_ms integer NOT NULL,
    resolution text,
    size_bytes bigint,
    bible_version integer NOT NULL,
    job_id uuid,
    status text DEFAULT 'active'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    ts_config regconfig DEFAULT 'simple'::regconfig NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS ((setweight(to_tsvector(mediabase.ts_parse_config(ts_config), input_text), 'B'::"char") || setweight(to_tsvector(mediabase.ts_parse_config(ts_config), expanded_script), 'C'::"char"))) STORED,
    CONSTRAINT story_segments_duration_range CHECK (((duration_ms >= 1) AND (duration_ms <= 86400000))),
    CONSTRAINT story_segments_expanded_script_length CHECK (((length(btrim(expanded_script)) >= 1) AND (length(btrim(expanded_script)) <= 100000))),
    CONSTRAINT story_segments_hls_key_valid CHECK (mediabase.story_storage_key_valid(hls_key)),
    CONSTRAINT story_segments_input_text_length CHECK (((length(btrim(input_text)) >= 1) AND (length(btrim(input_text)) <= 10000))),
    CONSTRAINT story_segments_resolution_format CHECK ((resolution ~ '^[1-9][0-9]{2,3}p$'::text)),
    CONSTRAINT story_segments_sequence_positive CHECK ((sequence >= 1)),
    CONSTRAINT story_segments_size_nonnegative CHECK ((size_bytes >= 0)),
    CONSTRAINT story_segments_status_valid CHECK ((status = ANY (ARRAY['active'::text, 'hidden'::text, 'removed'::text]))),
    CONSTRAINT story_segments_thumbnail_key_valid CHECK (mediabase.story_storage_key_valid(thumbnail_key)),
    CONSTRAINT story_segments_video_key_valid CHECK (mediabase.story_storage_key_valid(video_key))
);

--
-- Name: story_topics; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_topics (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    description text,
    icon_key text,
    is_curated boolean DEFAULT true NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    display_order integer DEFAULT 0 NOT NULL,
    scene_count integer DEFAULT 0 NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_topics_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT story_topics_icon_key_valid CHECK (mediabase.story_storage_key_valid(icon_key)),
    CONSTRAINT story_topics_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT story_topics_scene_count_nonnegative CHECK ((scene_count >= 0)),
    CONSTRAINT story_topics_slug_format CHECK ((slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'::text))
);

--
-- Name: story_user_topics; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_user_topics (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid,
    name text NOT NULL,
    description text,
    status text DEFAULT 'pending'::text NOT NULL,
    reviewed_by uuid,
    reviewed_at timestamp with time zone,
    rejection_reason text,
    promoted_topic_id uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT story_user_topics_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT story_user_topics_name_length CHECK (((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 100))),
    CONSTRAINT story_user_topics_promoted_only_when_approved CHECK (((promoted_topic_id IS NULL) OR (status = 'approved'::text))),
    CONSTRAINT story_user_topics_reason_only_when_rejected CHECK (((rejection_reason IS NULL) OR (status = 'rejected'::text))),
    CONSTRAINT story_user_topics_rejection_reason_length CHECK ((length(rejection_reason) <= 2000)),
    CONSTRAINT story_user_topics_review_together CHECK (((reviewed_by IS NULL) = (reviewed_at IS NULL))),
    CONSTRAINT story_user_topics_reviewed_unless_pending CHECK (((status = 'pending'::text) = (reviewed_at IS NULL))),
    CONSTRAINT story_user_topics_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'approved'::text, 'rejected'::text])))
);

--
-- Name: story_view_months; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.story_view_months (
    organization_id uuid NOT NULL,
    scene_id uuid NOT NULL,
    month date NOT NULL,
    views bigint NOT NULL,
    CONSTRAINT story_view_months_month_first CHECK ((EXTRACT(day FROM month) = (1)::numeric)),
    CONSTRAINT story_view_months_views_nonnegative CHECK ((views >= 0))
);

--
-- Name: table_distribution; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.table_distribution (
    table_name regclass NOT NULL,
    kind text NOT NULL,
    reason text,
    declared_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT table_distribution_kind_valid CHECK ((kind = ANY (ARRAY['distributed'::text, 'reference'::text, 'local'::text]))),
    CONSTRAINT table_distribution_local_has_reason CHECK (((kind <> 'local'::text) OR (reason IS NOT NULL))),
    CONSTRAINT table_distribution_reason_length CHECK (((length(btrim(reason)) >= 1) AND (length(btrim(reason)) <= 1000)))
);

--
-- Name: transcript_chunks; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.transcript_chunks (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    transcript_id uuid NOT NULL,
    video_id uuid NOT NULL,
    model text NOT NULL,
    chunk_index integer NOT NULL,
    first_seq integer NOT NULL,
    last_seq integer NOT NULL,
    start_ms bigint NOT NULL,
    end_ms bigint NOT NULL,
    speaker_ids uuid[] DEFAULT '{}'::uuid[] NOT NULL,
    speakers text[] DEFAULT '{}'::text[] NOT NULL,
    text text NOT NULL,
    token_count integer NOT NULL,
    dimension integer,
    embedding mediabase.vector,
    embedded_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT transcript_chunks_dimension_range CHECK (((dimension >= 1) AND (dimension <= 16000))),
    CONSTRAINT transcript_chunks_embedding_dimension CHECK ((((embedding IS NULL) AND (dimension IS NULL) AND (embedded_at IS NULL)) OR ((embedding IS NOT NULL) AND (mediabase.vector_dims(embedding) = dimension) AND (embedded_at IS NOT NULL)))),
    CONSTRAINT transcript_chunks_index_nonnegative CHECK ((chunk_index >= 0)),
    CONSTRAINT transcript_chunks_model_length CHECK (((length(model) >= 1) AND (length(model) <= 200))),
    CONSTRAINT transcript_chunks_seq_valid CHECK (((0 <= first_seq) AND (first_seq <= last_seq))),
    CONSTRAINT transcript_chunks_text_length CHECK ((length(text) <= 100000)),
    CONSTRAINT transcript_chunks_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms))),
    CONSTRAINT transcript_chunks_token_count_nonnegative CHECK ((token_count >= 0))
);

--
-- Name: transcript_segment_words; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.transcript_segment_words (
    organization_id uuid NOT NULL,
    transcript_id uuid NOT NULL,
    seq integer NOT NULL,
    words jsonb NOT NULL,
    CONSTRAINT transcript_segment_words_array CHECK ((jsonb_typeof(words) = 'array'::text))
);

--
-- Name: transcript_segments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.transcript_segments (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    transcript_id uuid NOT NULL,
    video_id uuid NOT NULL,
    seq integer NOT NULL,
    start_ms bigint NOT NULL,
    end_ms bigint NOT NULL,
    speaker_id uuid,
    text text NOT NULL,
    confidence real,
    ts_config regconfig DEFAULT mediabase.ingest_ts_config() NOT NULL,
    search_vector tsvector GENERATED ALWAYS AS (to_tsvector(mediabase.ts_parse_config(ts_config), text)) STORED,
    CONSTRAINT transcript_segments_confidence_range CHECK (((confidence >= (0)::double precision) AND (confidence <= (1)::double precision))),
    CONSTRAINT transcript_segments_seq_nonnegative CHECK ((seq >= 0)),
    CONSTRAINT transcript_segments_text_length CHECK ((length(text) <= 100000)),
    CONSTRAINT transcript_segments_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms)))
);

--
-- Name: transcripts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.transcripts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    language text,
    source text DEFAULT 'upload'::text NOT NULL,
    version integer NOT NULL,
    is_current boolean DEFAULT true NOT NULL,
    format text,
    source_name text,
    segment_count integer DEFAULT 0 NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT transcripts_format_valid CHECK ((format = ANY (ARRAY['srt'::text, 'vtt'::text, 'whisper'::text, 'json'::text, 'ami'::text]))),
    CONSTRAINT transcripts_language_format CHECK (mediabase.check_language(language)),
    CONSTRAINT transcripts_segment_count_nonnegative CHECK ((segment_count >= 0)),
    CONSTRAINT transcripts_source_name_length CHECK ((length(source_name) <= 1000)),
    CONSTRAINT transcripts_source_valid CHECK ((source = ANY (ARRAY['upload'::text, 'asr'::text, 'human'::text]))),
    CONSTRAINT transcripts_version_positive CHECK ((version >= 1))
);

--
-- Name: user_consents; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.user_consents (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    granted boolean NOT NULL,
    recorded_at timestamp with time zone DEFAULT now() NOT NULL,
    source text DEFAULT 'api'::text NOT NULL,
    ip_hmac bytea,
    ip_key text,
    user_agent text,
    CONSTRAINT user_consents_ip_hmac_length CHECK ((length(ip_hmac) = 32)),
    CONSTRAINT user_consents_ip_key_format CHECK ((ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'::text)),
    CONSTRAINT user_consents_key_named CHECK (((ip_hmac IS NULL) = (ip_key IS NULL))),
    CONSTRAINT user_consents_purpose_format CHECK ((purpose ~ '^[a-z][a-z0-9_]{0,39}$'::text)),
    CONSTRAINT user_consents_source_valid CHECK ((source = ANY (ARRAY['api'::text, 'cli'::text, 'import'::text]))),
    CONSTRAINT user_consents_user_agent_length CHECK ((length(user_agent) <= 512))
);

--
-- Name: user_extensions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.user_extensions (
    user_id uuid NOT NULL,
    tos_accepted_at timestamp with time zone,
    marketing_consent boolean DEFAULT false NOT NULL,
    onboarding_completed_at timestamp with time zone,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_extensions_data_object CHECK ((jsonb_typeof(data) = 'object'::text))
);

--
-- Name: user_preferences; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.user_preferences (
    user_id uuid NOT NULL,
    locale text DEFAULT 'en'::text NOT NULL,
    timezone text DEFAULT 'UTC'::text NOT NULL,
    theme text DEFAULT 'system'::text NOT NULL,
    email_notifications boolean DEFAULT true NOT NULL,
    data jsonb DEFAULT '{}'::jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_preferences_data_object CHECK ((jsonb_typeof(data) = 'object'::text)),
    CONSTRAINT user_preferences_theme_valid CHECK ((theme = ANY (ARRAY['light'::text, 'dark'::text, 'system'::text])))
);

--
-- Name: user_tokens; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.user_tokens (
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    user_id uuid NOT NULL,
    purpose text NOT NULL,
    prefix text NOT NULL,
    secret_sha256 bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    CONSTRAINT user_tokens_expiry_after_start CHECK ((expires_at > created_at)),
    CONSTRAINT user_tokens_prefix_format CHECK ((prefix ~ '^[a-z0-9]{12}$'::text)),
    CONSTRAINT user_tokens_purpose_valid CHECK ((purpose = ANY (ARRAY['verify_email'::text, 'reset_password'::text]))),
    CONSTRAINT user_tokens_secret_length CHECK ((length(secret_sha256) = 32)),
    CONSTRAINT user_tokens_used_in_time CHECK (((used_at IS NULL) OR (used_at <= expires_at)))
);

--
-- Name: user_tokens_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.user_tokens_readable WITH (security_invoker='true') AS
 SELECT id,
    user_id,
    purpose,
    prefix,
    created_at,
    expires_at,
    used_at
   FROM mediabase.user_tokens;

--
-- Name: VIEW user_tokens_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.user_tokens_readable IS 'user_tokens without secret_sha256';

--
-- Name: users_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.users_readable WITH (security_invoker='true') AS
 SELECT id,
    email,
    username,
    display_name,
    avatar_url,
    bio,
    role,
    email_verified,
    is_active,
    created_at,
    updated_at,
    last_login_at
   FROM mediabase.users;

--
-- Name: VIEW users_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.users_readable IS 'users without password_hash and erased_at: what mediabase_app may read';

--
-- Name: video_clips; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.video_clips (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    moment_id uuid,
    title text NOT NULL,
    description text,
    start_ms bigint NOT NULL,
    end_ms bigint NOT NULL,
    clip_type text DEFAULT 'manual'::text NOT NULL,
    moment_type text,
    storage_key text,
    thumbnail_url text,
    status text DEFAULT 'pending'::text NOT NULL,
    error text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT video_clips_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT video_clips_error_length CHECK ((length(error) <= 10000)),
    CONSTRAINT video_clips_error_only_when_failed CHECK (((error IS NULL) OR (status = 'failed'::text))),
    CONSTRAINT video_clips_moment_type_valid CHECK ((moment_type = ANY (ARRAY['highlight'::text, 'decision'::text, 'action_item'::text, 'question'::text, 'key_point'::text, 'quote'::text, 'topic_change'::text, 'other'::text]))),
    CONSTRAINT video_clips_ready_has_file CHECK (((status <> 'ready'::text) OR (storage_key IS NOT NULL))),
    CONSTRAINT video_clips_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'processing'::text, 'ready'::text, 'failed'::text]))),
    CONSTRAINT video_clips_storage_key_length CHECK (((length(storage_key) >= 1) AND (length(storage_key) <= 1024))),
    CONSTRAINT video_clips_thumbnail_url_format CHECK ((thumbnail_url ~ '^https?://'::text)),
    CONSTRAINT video_clips_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms))),
    CONSTRAINT video_clips_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 500))),
    CONSTRAINT video_clips_type_valid CHECK ((clip_type = ANY (ARRAY['manual'::text, 'auto'::text])))
);

--
-- Name: video_moments; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.video_moments (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    video_id uuid NOT NULL,
    layer_id uuid,
    layer_kind text DEFAULT 'moments'::text NOT NULL,
    title text NOT NULL,
    description text,
    start_ms bigint NOT NULL,
    end_ms bigint NOT NULL,
    moment_type text DEFAULT 'highlight'::text NOT NULL,
    confidence smallint,
    transcript_excerpt text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT video_moments_confidence_range CHECK (((confidence >= 0) AND (confidence <= 100))),
    CONSTRAINT video_moments_description_length CHECK ((length(description) <= 5000)),
    CONSTRAINT video_moments_excerpt_length CHECK ((length(transcript_excerpt) <= 5000)),
    CONSTRAINT video_moments_layer_kind CHECK ((layer_kind = 'moments'::text)),
    CONSTRAINT video_moments_times_valid CHECK (((0 <= start_ms) AND (start_ms <= end_ms))),
    CONSTRAINT video_moments_title_length CHECK (((length(btrim(title)) >= 1) AND (length(btrim(title)) <= 500))),
    CONSTRAINT video_moments_type_valid CHECK ((moment_type = ANY (ARRAY['highlight'::text, 'decision'::text, 'action_item'::text, 'question'::text, 'key_point'::text, 'quote'::text, 'topic_change'::text, 'other'::text])))
);

--
-- Name: video_progress; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.video_progress (
    organization_id uuid NOT NULL,
    user_id uuid NOT NULL,
    video_id uuid NOT NULL,
    position_ms bigint DEFAULT 0 NOT NULL,
    completed boolean DEFAULT false NOT NULL,
    last_watched_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT video_progress_position_nonnegative CHECK ((position_ms >= 0))
);

--
-- Name: video_overview; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.video_overview WITH (security_invoker='true') AS
 SELECT v.organization_id,
    v.id AS video_id,
    v.title,
    v.duration_ms,
    v.author_id,
    v.created_at,
    v.deleted_at,
    ( SELECT count(*) AS count
           FROM mediabase.comments c
          WHERE ((c.organization_id = v.organization_id) AND (c.video_id = v.id) AND (c.deleted_at IS NULL))) AS comment_count,
    ( SELECT count(*) AS count
           FROM mediabase.video_moments m
          WHERE ((m.organization_id = v.organization_id) AND (m.video_id = v.id) AND ((m.layer_id IS NULL) OR (EXISTS ( SELECT 1
                   FROM mediabase.ai_layers l
                  WHERE ((l.organization_id = m.organization_id) AND (l.id = m.layer_id) AND (l.status = 'ready'::text))))))) AS moment_count,
    ( SELECT count(*) AS count
           FROM mediabase.video_clips k
          WHERE ((k.organization_id = v.organization_id) AND (k.video_id = v.id))) AS clip_count,
    ( SELECT count(*) AS count
           FROM mediabase.quote_cards q
          WHERE ((q.organization_id = v.organization_id) AND (q.video_id = v.id))) AS quote_card_count,
    ( SELECT count(*) AS count
           FROM mediabase.decisions d
          WHERE ((d.organization_id = v.organization_id) AND (d.video_id = v.id) AND ((d.layer_id IS NULL) OR (EXISTS ( SELECT 1
                   FROM mediabase.ai_layers l
                  WHERE ((l.organization_id = d.organization_id) AND (l.id = d.layer_id) AND (l.status = 'ready'::text))))))) AS decision_count,
    ( SELECT count(*) AS count
           FROM mediabase.ai_action_items a
          WHERE ((a.organization_id = v.organization_id) AND (a.video_id = v.id) AND ((a.layer_id IS NULL) OR (EXISTS ( SELECT 1
                   FROM mediabase.ai_layers l
                  WHERE ((l.organization_id = a.organization_id) AND (l.id = a.layer_id) AND (l.status = 'ready'::text))))))) AS action_item_count,
    ( SELECT count(*) AS count
           FROM mediabase.ai_action_items a
          WHERE ((a.organization_id = v.organization_id) AND (a.video_id = v.id) AND (a.status = ANY (ARRAY['pending'::text, 'in_progress'::text])) AND ((a.layer_id IS NULL) OR (EXISTS ( SELECT 1
                   FROM mediabase.ai_layers l
                  WHERE ((l.organization_id = a.organization_id) AND (l.id = a.layer_id) AND (l.status = 'ready'::text))))))) AS open_action_item_count,
    ( SELECT count(*) AS count
           FROM mediabase.share_links s
          WHERE ((s.organization_id = v.organization_id) AND (s.video_id = v.id) AND (s.revoked_at IS NULL))) AS share_link_count,
    p.position_ms AS my_position_ms,
    p.completed AS my_completed,
    p.last_watched_at AS my_last_watched_at,
        CASE
            WHEN (v.duration_ms > 0) THEN (round(((100.0 * (p.position_ms)::numeric) / (v.duration_ms)::numeric), 1))::double precision
            ELSE NULL::double precision
        END AS my_progress_percent
   FROM (mediabase.videos v
     LEFT JOIN mediabase.video_progress p ON (((p.organization_id = v.organization_id) AND (p.video_id = v.id) AND (p.user_id = mediabase.current_user_id()))));

--
-- Name: video_tags; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.video_tags (
    organization_id uuid NOT NULL,
    video_id uuid NOT NULL,
    tag text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT video_tags_tag_format CHECK ((((length(btrim(tag)) >= 1) AND (length(btrim(tag)) <= 100)) AND (tag = btrim(tag))))
);

--
-- Name: view_events; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.view_events (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    kind text NOT NULL,
    video_id uuid,
    scene_id uuid,
    master_id uuid,
    user_id uuid,
    viewer_hmac bytea,
    viewer_key text,
    start_ms bigint,
    end_ms bigint,
    duration_ms bigint,
    client text,
    CONSTRAINT view_events_client_format CHECK ((((length(client) >= 1) AND (length(client) <= 100)) AND (client ~ '^[ -~]+$'::text))),
    CONSTRAINT view_events_duration_positive CHECK ((duration_ms > 0)),
    CONSTRAINT view_events_key_named CHECK (((viewer_hmac IS NULL) = (viewer_key IS NULL))),
    CONSTRAINT view_events_kind_valid CHECK ((kind = ANY (ARRAY['view'::text, 'watch'::text]))),
    CONSTRAINT view_events_one_subject CHECK ((num_nonnulls(video_id, scene_id, master_id) = 1)),
    CONSTRAINT view_events_one_viewer CHECK ((num_nonnulls(user_id, viewer_hmac) = 1)),
    CONSTRAINT view_events_range_in_duration CHECK ((end_ms <= duration_ms)),
    CONSTRAINT view_events_range_valid CHECK (((0 <= start_ms) AND (start_ms < end_ms))),
    CONSTRAINT view_events_range_when_watch CHECK ((((kind = 'watch'::text) = (start_ms IS NOT NULL)) AND ((start_ms IS NULL) = (end_ms IS NULL)))),
    CONSTRAINT view_events_viewer_hmac_length CHECK ((length(viewer_hmac) = 32)),
    CONSTRAINT view_events_viewer_key_format CHECK ((((length(viewer_key) >= 1) AND (length(viewer_key) <= 32)) AND (viewer_key ~ '^[A-Za-z0-9_.-]+$'::text)))
)
PARTITION BY RANGE (occurred_at);

--
-- Name: view_events_default; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.view_events_default (
    organization_id uuid CONSTRAINT view_events_organization_id_not_null NOT NULL,
    id uuid DEFAULT mediabase.new_id() CONSTRAINT view_events_id_not_null NOT NULL,
    occurred_at timestamp with time zone CONSTRAINT view_events_occurred_at_not_null NOT NULL,
    received_at timestamp with time zone DEFAULT now() CONSTRAINT view_events_received_at_not_null NOT NULL,
    kind text CONSTRAINT view_events_kind_not_null NOT NULL,
    video_id uuid,
    scene_id uuid,
    master_id uuid,
    user_id uuid,
    viewer_hmac bytea,
    viewer_key text,
    start_ms bigint,
    end_ms bigint,
    duration_ms bigint,
    client text,
    CONSTRAINT view_events_client_format CHECK ((((length(client) >= 1) AND (length(client) <= 100)) AND (client ~ '^[ -~]+$'::text))),
    CONSTRAINT view_events_duration_positive CHECK ((duration_ms > 0)),
    CONSTRAINT view_events_key_named CHECK (((viewer_hmac IS NULL) = (viewer_key IS NULL))),
    CONSTRAINT view_events_kind_valid CHECK ((kind = ANY (ARRAY['view'::text, 'watch'::text]))),
    CONSTRAINT view_events_one_subject CHECK ((num_nonnulls(video_id, scene_id, master_id) = 1)),
    CONSTRAINT view_events_one_viewer CHECK ((num_nonnulls(user_id, viewer_hmac) = 1)),
    CONSTRAINT view_events_range_in_duration CHECK ((end_ms <= duration_ms)),
    CONSTRAINT view_events_range_valid CHECK (((0 <= start_ms) AND (start_ms < end_ms))),
    CONSTRAINT view_events_range_when_watch CHECK ((((kind = 'watch'::text) = (start_ms IS NOT NULL)) AND ((start_ms IS NULL) = (end_ms IS NULL)))),
    CONSTRAINT view_events_viewer_hmac_length CHECK ((length(viewer_hmac) = 32)),
    CONSTRAINT view_events_viewer_key_format CHECK ((((length(viewer_key) >= 1) AND (length(viewer_key) <= 32)) AND (viewer_key ~ '^[A-Za-z0-9_.-]+$'::text)))
);

--
-- Name: webhook_attempts; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.webhook_attempts (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    delivery_id uuid NOT NULL,
    attempt integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    duration_ms integer NOT NULL,
    status_code integer,
    ok boolean NOT NULL,
    error text,
    CONSTRAINT webhook_attempts_attempt_range CHECK ((attempt >= 1)),
    CONSTRAINT webhook_attempts_duration_range CHECK ((duration_ms >= 0)),
    CONSTRAINT webhook_attempts_error_length CHECK ((length(error) <= 1000)),
    CONSTRAINT webhook_attempts_ok_means_2xx CHECK (((NOT ok) OR ((status_code >= 200) AND (status_code <= 299)))),
    CONSTRAINT webhook_attempts_status_code_range CHECK (((status_code >= 100) AND (status_code <= 599)))
);

--
-- Name: webhook_deliveries; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.webhook_deliveries (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    endpoint_id uuid NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    max_attempts integer NOT NULL,
    next_attempt_at timestamp with time zone,
    in_flight_until timestamp with time zone,
    last_status_code integer,
    last_error text,
    delivered_at timestamp with time zone,
    dead_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_deliveries_attempts_range CHECK ((attempts >= 0)),
    CONSTRAINT webhook_deliveries_dead_when CHECK (((status = 'dead'::text) = (dead_at IS NOT NULL))),
    CONSTRAINT webhook_deliveries_delivered_when CHECK (((status = 'delivered'::text) = (delivered_at IS NOT NULL))),
    CONSTRAINT webhook_deliveries_last_error_length CHECK ((length(last_error) <= 1000)),
    CONSTRAINT webhook_deliveries_last_status_code_range CHECK (((last_status_code >= 100) AND (last_status_code <= 599))),
    CONSTRAINT webhook_deliveries_max_attempts_range CHECK (((max_attempts >= 1) AND (max_attempts <= 100000))),
    CONSTRAINT webhook_deliveries_pending_when CHECK (((status = 'pending'::text) = (next_attempt_at IS NOT NULL))),
    CONSTRAINT webhook_deliveries_status_valid CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'dead'::text])))
);

--
-- Name: webhook_endpoint_types; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.webhook_endpoint_types (
    organization_id uuid NOT NULL,
    endpoint_id uuid NOT NULL,
    type text NOT NULL
);

--
-- Name: webhook_endpoints; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.webhook_endpoints (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    url text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamp with time zone,
    disabled_at timestamp with time zone,
    disabled_reason text,
    consecutive_failures integer DEFAULT 0 NOT NULL,
    created_by uuid DEFAULT mediabase.current_user_id(),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT webhook_endpoints_consecutive_failures_range CHECK ((consecutive_failures >= 0)),
    CONSTRAINT webhook_endpoints_description_length CHECK ((length(description) <= 500)),
    CONSTRAINT webhook_endpoints_disabled_reason_given CHECK (((disabled_at IS NULL) = (disabled_reason IS NULL))),
    CONSTRAINT webhook_endpoints_disabled_reason_length CHECK ((length(disabled_reason) <= 500)),
    CONSTRAINT webhook_endpoints_previous_secret_expiry CHECK (((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))),
    CONSTRAINT webhook_endpoints_previous_secret_format CHECK ((previous_secret ~ '^whsec_[A-Za-z0-9+/]{32,44}={0,2}$'::text)),
    CONSTRAINT webhook_endpoints_secret_format CHECK ((secret ~ '^whsec_[A-Za-z0-9+/]{32,44}={0,2}$'::text)),
    CONSTRAINT webhook_endpoints_url_format CHECK (((url ~ '^https?://[^\s/?#@]+([/?][^\s#]*)?$'::text) AND (length(url) <= 2000)))
);

--
-- Name: webhook_endpoints_readable; Type: VIEW; Schema: mediabase; Owner: -
--

CREATE VIEW mediabase.webhook_endpoints_readable WITH (security_invoker='true') AS
 SELECT organization_id,
    id,
    url,
    description,
    previous_secret_expires_at,
    disabled_at,
    disabled_reason,
    consecutive_failures,
    created_by,
    created_at,
    updated_at
   FROM mediabase.webhook_endpoints;

--
-- Name: VIEW webhook_endpoints_readable; Type: COMMENT; Schema: mediabase; Owner: -
--

COMMENT ON VIEW mediabase.webhook_endpoints_readable IS 'webhook_endpoints without the signing secrets';

--
-- Name: workflow_runs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.workflow_runs (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    template_id uuid NOT NULL,
    template_version integer NOT NULL,
    trigger text NOT NULL,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    subject_type text NOT NULL,
    subject_id uuid NOT NULL,
    event_data jsonb DEFAULT '{}'::jsonb NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    steps_total integer NOT NULL,
    steps_done integer DEFAULT 0 NOT NULL,
    error text,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT workflow_runs_error_length CHECK (((length(error) >= 1) AND (length(error) <= 2000))),
    CONSTRAINT workflow_runs_event_data_shape CHECK (((jsonb_typeof(event_data) = 'object'::text) AND (octet_length((event_data)::text) <= 65536))),
    CONSTRAINT workflow_runs_event_type_length CHECK ((length(event_type) <= 100)),
    CONSTRAINT workflow_runs_failed_why CHECK (((status <> 'failed'::text) OR (error IS NOT NULL))),
    CONSTRAINT workflow_runs_finished_when_done CHECK (((finished_at IS NULL) = (status = 'running'::text))),
    CONSTRAINT workflow_runs_status_valid CHECK ((status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'cancelled'::text]))),
    CONSTRAINT workflow_runs_steps_done_range CHECK (((steps_done >= 0) AND (steps_done <= steps_total))),
    CONSTRAINT workflow_runs_steps_total_range CHECK (((steps_total >= 1) AND (steps_total <= 20))),
    CONSTRAINT workflow_runs_subject_type_length CHECK ((length(subject_type) <= 63)),
    CONSTRAINT workflow_runs_succeeded_all CHECK (((status <> 'succeeded'::text) OR (steps_done = steps_total))),
    CONSTRAINT workflow_runs_trigger_valid CHECK ((trigger = ANY (ARRAY['event'::text, 'manual'::text])))
);

--
-- Name: workflow_step_runs; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.workflow_step_runs (
    organization_id uuid NOT NULL,
    run_id uuid NOT NULL,
    "position" integer NOT NULL,
    type text NOT NULL,
    name text NOT NULL,
    status text DEFAULT 'queued'::text NOT NULL,
    job_id uuid,
    output jsonb,
    error text,
    started_at timestamp with time zone,
    finished_at timestamp with time zone,
    CONSTRAINT workflow_step_runs_error_length CHECK (((length(error) >= 1) AND (length(error) <= 2000))),
    CONSTRAINT workflow_step_runs_failed_why CHECK (((status <> 'failed'::text) OR (error IS NOT NULL))),
    CONSTRAINT workflow_step_runs_finished_when_done CHECK (((finished_at IS NOT NULL) = (status = ANY (ARRAY['succeeded'::text, 'failed'::text, 'skipped'::text])))),
    CONSTRAINT workflow_step_runs_name_length CHECK (((length(name) >= 1) AND (length(name) <= 100))),
    CONSTRAINT workflow_step_runs_output_shape CHECK (((jsonb_typeof(output) = 'object'::text) AND (octet_length((output)::text) <= 65536))),
    CONSTRAINT workflow_step_runs_position_range CHECK ((("position" >= 0) AND ("position" <= 19))),
    CONSTRAINT workflow_step_runs_ran_with_job CHECK (((status <> ALL (ARRAY['running'::text, 'succeeded'::text, 'failed'::text])) OR (job_id IS NOT NULL))),
    CONSTRAINT workflow_step_runs_status_valid CHECK ((status = ANY (ARRAY['queued'::text, 'running'::text, 'succeeded'::text, 'failed'::text, 'skipped'::text]))),
    CONSTRAINT workflow_step_runs_succeeded_output CHECK (((status <> 'succeeded'::text) OR (output IS NOT NULL))),
    CONSTRAINT workflow_step_runs_type_length CHECK ((length(type) <= 64))
);

--
-- Name: workflow_template_versions; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.workflow_template_versions (
    organization_id uuid NOT NULL,
    template_id uuid NOT NULL,
    version integer NOT NULL,
    steps jsonb NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT workflow_template_versions_steps_shape CHECK (mediabase.workflow_steps_valid(steps)),
    CONSTRAINT workflow_template_versions_version_positive CHECK ((version >= 1))
);

--
-- Name: workflow_templates; Type: TABLE; Schema: mediabase; Owner: -
--

CREATE TABLE mediabase.workflow_templates (
    organization_id uuid NOT NULL,
    id uuid DEFAULT mediabase.new_id() NOT NULL,
    name text NOT NULL,
    description text DEFAULT ''::text NOT NULL,
    trigger_event_type text NOT NULL,
    filter jsonb DEFAULT '{}'::jsonb NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    version integer DEFAULT 1 NOT NULL,
    steps jsonb NOT NULL,
    created_by uuid,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT workflow_templates_description_length CHECK ((length(description) <= 2000)),
    CONSTRAINT workflow_templates_filter_shape CHECK (mediabase.workflow_filter_valid(filter)),
    CONSTRAINT workflow_templates_name_format CHECK ((((length(btrim(name)) >= 1) AND (length(btrim(name)) <= 200)) AND (name !~ '[[:cntrl:]]'::text))),
    CONSTRAINT workflow_templates_steps_shape CHECK (mediabase.workflow_steps_valid(steps)),
    CONSTRAINT workflow_templates_version_positive CHECK ((version >= 1))
);

--
-- Name: audit_log_default; Type: TABLE ATTACH; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_log ATTACH PARTITION mediabase.audit_log_default DEFAULT;

--
-- Name: jobs_default; Type: TABLE ATTACH; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.jobs ATTACH PARTITION mediabase.jobs_default DEFAULT;

--
-- Name: security_events_default; Type: TABLE ATTACH; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.security_events ATTACH PARTITION mediabase.security_events_default DEFAULT;

--
-- Name: story_scene_views_default; Type: TABLE ATTACH; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_views ATTACH PARTITION mediabase.story_scene_views_default DEFAULT;

--
-- Name: view_events_default; Type: TABLE ATTACH; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.view_events ATTACH PARTITION mediabase.view_events_default DEFAULT;

--
-- Name: ai_action_items ai_action_items_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_pkey PRIMARY KEY (organization_id, id);

--
-- Name: ai_layers ai_layers_derived_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_derived_key UNIQUE (organization_id, id, video_id, kind);

--
-- Name: ai_layers ai_layers_kind_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_kind_key UNIQUE (organization_id, id, kind);

--
-- Name: ai_layers ai_layers_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_pkey PRIMARY KEY (organization_id, id);

--
-- Name: ai_summaries ai_summaries_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_summaries
    ADD CONSTRAINT ai_summaries_pkey PRIMARY KEY (organization_id, layer_id);

--
-- Name: ai_topic_mentions ai_topic_mentions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topic_mentions
    ADD CONSTRAINT ai_topic_mentions_pkey PRIMARY KEY (organization_id, id);

--
-- Name: ai_topics ai_topics_normalized_name_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topics
    ADD CONSTRAINT ai_topics_normalized_name_key UNIQUE (organization_id, normalized_name);

--
-- Name: ai_topics ai_topics_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topics
    ADD CONSTRAINT ai_topics_pkey PRIMARY KEY (organization_id, id);

--
-- Name: analytics_daily analytics_daily_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_daily
    ADD CONSTRAINT analytics_daily_pkey PRIMARY KEY (organization_id, subject_id, day);

--
-- Name: analytics_dirty analytics_dirty_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_dirty
    ADD CONSTRAINT analytics_dirty_pkey PRIMARY KEY (organization_id, subject_id, day);

--
-- Name: analytics_talk_time analytics_talk_time_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_time
    ADD CONSTRAINT analytics_talk_time_pkey PRIMARY KEY (organization_id, video_id, speaker_id);

--
-- Name: analytics_talk_videos analytics_talk_videos_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_videos
    ADD CONSTRAINT analytics_talk_videos_pkey PRIMARY KEY (organization_id, video_id);

--
-- Name: analytics_viewer_days analytics_viewer_days_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_viewer_days
    ADD CONSTRAINT analytics_viewer_days_pkey PRIMARY KEY (organization_id, day, viewer);

--
-- Name: api_keys api_keys_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.api_keys
    ADD CONSTRAINT api_keys_pkey PRIMARY KEY (organization_id, id);

--
-- Name: api_keys api_keys_prefix_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.api_keys
    ADD CONSTRAINT api_keys_prefix_key UNIQUE (organization_id, prefix);

--
-- Name: audit_log audit_log_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_log
    ADD CONSTRAINT audit_log_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: audit_log_default audit_log_default_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_log_default
    ADD CONSTRAINT audit_log_default_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: audit_redactions audit_redactions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_redactions
    ADD CONSTRAINT audit_redactions_pkey PRIMARY KEY (id);

--
-- Name: billing_customers billing_customers_org_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_org_key UNIQUE (organization_id, id);

--
-- Name: billing_customers billing_customers_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_pkey PRIMARY KEY (id);

--
-- Name: billing_customers billing_customers_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_provider_key UNIQUE (provider, provider_customer_id);

--
-- Name: billing_customers billing_customers_subscriber_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_subscriber_key UNIQUE NULLS NOT DISTINCT (provider, organization_id, user_id);

--
-- Name: billing_features billing_features_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_features
    ADD CONSTRAINT billing_features_pkey PRIMARY KEY (code);

--
-- Name: billing_invoice_lines billing_invoice_lines_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoice_lines
    ADD CONSTRAINT billing_invoice_lines_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_invoice_lines billing_invoice_lines_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoice_lines
    ADD CONSTRAINT billing_invoice_lines_provider_key UNIQUE (organization_id, invoice_id, provider_line_id);

--
-- Name: billing_invoices billing_invoices_currency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_currency_key UNIQUE (organization_id, id, currency);

--
-- Name: billing_invoices billing_invoices_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_invoices billing_invoices_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_provider_key UNIQUE (organization_id, provider, provider_invoice_id);

--
-- Name: billing_payments billing_payments_currency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_currency_key UNIQUE (organization_id, id, currency);

--
-- Name: billing_payments billing_payments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_payments billing_payments_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_provider_key UNIQUE (organization_id, provider, provider_charge_id);

--
-- Name: billing_plan_features billing_plan_features_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_plan_features
    ADD CONSTRAINT billing_plan_features_pkey PRIMARY KEY (plan_id, feature);

--
-- Name: billing_plans billing_plans_code_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_plans
    ADD CONSTRAINT billing_plans_code_key UNIQUE (code);

--
-- Name: billing_plans billing_plans_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_plans
    ADD CONSTRAINT billing_plans_pkey PRIMARY KEY (id);

--
-- Name: billing_prices billing_prices_code_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_prices
    ADD CONSTRAINT billing_prices_code_key UNIQUE (code);

--
-- Name: billing_prices billing_prices_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_prices
    ADD CONSTRAINT billing_prices_pkey PRIMARY KEY (id);

--
-- Name: billing_prices billing_prices_plan_currency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_prices
    ADD CONSTRAINT billing_prices_plan_currency_key UNIQUE (id, plan_id, currency);

--
-- Name: billing_prices billing_prices_provider_price_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_prices
    ADD CONSTRAINT billing_prices_provider_price_id_key UNIQUE (provider_price_id);

--
-- Name: billing_provider_events billing_provider_events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_provider_events
    ADD CONSTRAINT billing_provider_events_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_provider_events billing_provider_events_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_provider_events
    ADD CONSTRAINT billing_provider_events_provider_key UNIQUE (organization_id, provider, provider_event_id);

--
-- Name: billing_refunds billing_refunds_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_refunds
    ADD CONSTRAINT billing_refunds_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_refunds billing_refunds_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_refunds
    ADD CONSTRAINT billing_refunds_provider_key UNIQUE (organization_id, provider, provider_refund_id);

--
-- Name: billing_subscriptions billing_subscriptions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_pkey PRIMARY KEY (organization_id, id);

--
-- Name: billing_subscriptions billing_subscriptions_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_provider_key UNIQUE (organization_id, provider, provider_subscription_id);

--
-- Name: billing_usage_records billing_usage_records_idempotency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_idempotency_key UNIQUE (organization_id, idempotency_key);

--
-- Name: billing_usage_records billing_usage_records_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_pkey PRIMARY KEY (organization_id, id);

--
-- Name: channels channels_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.channels
    ADD CONSTRAINT channels_pkey PRIMARY KEY (organization_id, id);

--
-- Name: collections collections_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.collections
    ADD CONSTRAINT collections_pkey PRIMARY KEY (organization_id, id);

--
-- Name: comment_reactions comment_reactions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comment_reactions
    ADD CONSTRAINT comment_reactions_pkey PRIMARY KEY (organization_id, comment_id, user_id, emoji);

--
-- Name: comments comments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_pkey PRIMARY KEY (organization_id, id);

--
-- Name: comments comments_video_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_video_id_key UNIQUE (organization_id, video_id, id);

--
-- Name: data_requests data_requests_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.data_requests
    ADD CONSTRAINT data_requests_pkey PRIMARY KEY (id);

--
-- Name: decision_edits decision_edits_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_edits
    ADD CONSTRAINT decision_edits_pkey PRIMARY KEY (organization_id, id);

--
-- Name: decision_links decision_links_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_links
    ADD CONSTRAINT decision_links_pkey PRIMARY KEY (organization_id, decision_id, target_decision_id);

--
-- Name: decision_participants decision_participants_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_participants
    ADD CONSTRAINT decision_participants_pkey PRIMARY KEY (organization_id, id);

--
-- Name: decision_subscriptions decision_subscriptions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_subscriptions
    ADD CONSTRAINT decision_subscriptions_pkey PRIMARY KEY (organization_id, user_id, tag_id);

--
-- Name: decision_tag_assignments decision_tag_assignments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tag_assignments
    ADD CONSTRAINT decision_tag_assignments_pkey PRIMARY KEY (organization_id, decision_id, tag_id);

--
-- Name: decision_tags decision_tags_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tags
    ADD CONSTRAINT decision_tags_pkey PRIMARY KEY (organization_id, id);

--
-- Name: decision_vectors decision_vectors_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_vectors
    ADD CONSTRAINT decision_vectors_pkey PRIMARY KEY (organization_id, model, decision_id);

--
-- Name: decisions decisions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (organization_id, id);

--
-- Name: event_types event_types_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.event_types
    ADD CONSTRAINT event_types_pkey PRIMARY KEY (type);

--
-- Name: events events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (organization_id, id);

--
-- Name: graph_edges graph_edges_layer_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_layer_id_key UNIQUE (organization_id, layer_id, id);

--
-- Name: graph_edges graph_edges_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_pkey PRIMARY KEY (organization_id, id);

--
-- Name: graph_edges graph_edges_triple_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_triple_key UNIQUE (organization_id, source_id, relation, target_id);

--
-- Name: graph_evidence graph_evidence_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_pkey PRIMARY KEY (organization_id, id);

--
-- Name: graph_node_vectors graph_node_vectors_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_node_vectors
    ADD CONSTRAINT graph_node_vectors_pkey PRIMARY KEY (organization_id, model, layer_id, node_id);

--
-- Name: graph_nodes graph_nodes_layer_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_nodes
    ADD CONSTRAINT graph_nodes_layer_id_key UNIQUE (organization_id, layer_id, id);

--
-- Name: graph_nodes graph_nodes_name_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_nodes
    ADD CONSTRAINT graph_nodes_name_key UNIQUE (organization_id, layer_id, type, normalized_name);

--
-- Name: graph_nodes graph_nodes_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_nodes
    ADD CONSTRAINT graph_nodes_pkey PRIMARY KEY (organization_id, id);

--
-- Name: highlight_reel_clips highlight_reel_clips_clip_once; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reel_clips
    ADD CONSTRAINT highlight_reel_clips_clip_once UNIQUE (organization_id, reel_id, clip_id);

--
-- Name: highlight_reel_clips highlight_reel_clips_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reel_clips
    ADD CONSTRAINT highlight_reel_clips_pkey PRIMARY KEY (organization_id, reel_id, "position");

--
-- Name: highlight_reels highlight_reels_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reels
    ADD CONSTRAINT highlight_reels_pkey PRIMARY KEY (organization_id, id);

--
-- Name: integration_accounts integration_accounts_external_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_accounts
    ADD CONSTRAINT integration_accounts_external_key UNIQUE (organization_id, provider, external_account_id);

--
-- Name: integration_accounts integration_accounts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_accounts
    ADD CONSTRAINT integration_accounts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: integration_accounts integration_accounts_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_accounts
    ADD CONSTRAINT integration_accounts_provider_key UNIQUE (organization_id, id, provider);

--
-- Name: integration_events integration_events_delivery_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_events
    ADD CONSTRAINT integration_events_delivery_key UNIQUE (organization_id, provider, delivery_id);

--
-- Name: integration_events integration_events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_events
    ADD CONSTRAINT integration_events_pkey PRIMARY KEY (organization_id, id);

--
-- Name: integration_external_items integration_external_items_external_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_external_items
    ADD CONSTRAINT integration_external_items_external_key UNIQUE (organization_id, provider, external_id);

--
-- Name: integration_external_items integration_external_items_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_external_items
    ADD CONSTRAINT integration_external_items_pkey PRIMARY KEY (organization_id, id);

--
-- Name: invitations invitations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.invitations
    ADD CONSTRAINT invitations_pkey PRIMARY KEY (organization_id, id);

--
-- Name: invitations invitations_prefix_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.invitations
    ADD CONSTRAINT invitations_prefix_key UNIQUE (organization_id, prefix);

--
-- Name: job_idempotency_keys job_idempotency_keys_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.job_idempotency_keys
    ADD CONSTRAINT job_idempotency_keys_pkey PRIMARY KEY (organization_id, key);

--
-- Name: job_type_limits job_type_limits_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.job_type_limits
    ADD CONSTRAINT job_type_limits_pkey PRIMARY KEY (type);

--
-- Name: jobs jobs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.jobs
    ADD CONSTRAINT jobs_pkey PRIMARY KEY (organization_id, id, created_at);

--
-- Name: jobs_default jobs_default_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.jobs_default
    ADD CONSTRAINT jobs_default_pkey PRIMARY KEY (organization_id, id, created_at);

--
-- Name: legal_acceptances legal_acceptances_once; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_acceptances
    ADD CONSTRAINT legal_acceptances_once UNIQUE (user_id, document_id);

--
-- Name: legal_acceptances legal_acceptances_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_acceptances
    ADD CONSTRAINT legal_acceptances_pkey PRIMARY KEY (id);

--
-- Name: legal_documents legal_documents_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_documents
    ADD CONSTRAINT legal_documents_pkey PRIMARY KEY (id);

--
-- Name: legal_documents legal_documents_version_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_documents
    ADD CONSTRAINT legal_documents_version_key UNIQUE (kind, version);

--
-- Name: mail_outbox mail_outbox_dedupe_key_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.mail_outbox
    ADD CONSTRAINT mail_outbox_dedupe_key_key UNIQUE (organization_id, dedupe_key);

--
-- Name: mail_outbox mail_outbox_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.mail_outbox
    ADD CONSTRAINT mail_outbox_pkey PRIMARY KEY (organization_id, id);

--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (organization_id, id);

--
-- Name: memberships memberships_user_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.memberships
    ADD CONSTRAINT memberships_user_key UNIQUE (organization_id, user_id);

--
-- Name: music_accounts music_accounts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_accounts
    ADD CONSTRAINT music_accounts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_artists music_artists_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_artists
    ADD CONSTRAINT music_artists_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_artists music_artists_slug_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_artists
    ADD CONSTRAINT music_artists_slug_key UNIQUE (organization_id, slug);

--
-- Name: music_assets music_assets_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_assets
    ADD CONSTRAINT music_assets_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_assets music_assets_symbol_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_assets
    ADD CONSTRAINT music_assets_symbol_key UNIQUE (organization_id, symbol);

--
-- Name: music_balances music_balances_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_balances
    ADD CONSTRAINT music_balances_pkey PRIMARY KEY (organization_id, asset_id, account_id);

--
-- Name: music_blocks music_blocks_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_blocks
    ADD CONSTRAINT music_blocks_pkey PRIMARY KEY (organization_id, chain_id, hash);

--
-- Name: music_chain_contracts music_chain_contracts_address_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_address_key UNIQUE (organization_id, chain_id, address);

--
-- Name: music_chain_contracts music_chain_contracts_asset_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_asset_key UNIQUE (organization_id, asset_id);

--
-- Name: music_chain_contracts music_chain_contracts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_chain_cursors music_chain_cursors_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_cursors
    ADD CONSTRAINT music_chain_cursors_pkey PRIMARY KEY (organization_id, contract_id);

--
-- Name: music_chain_holdings music_chain_holdings_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_holdings
    ADD CONSTRAINT music_chain_holdings_pkey PRIMARY KEY (organization_id, contract_id, token_id, address);

--
-- Name: music_chain_reorgs music_chain_reorgs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_reorgs
    ADD CONSTRAINT music_chain_reorgs_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_chains music_chains_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chains
    ADD CONSTRAINT music_chains_pkey PRIMARY KEY (chain_id);

--
-- Name: music_coins music_coins_asset_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_asset_key UNIQUE (organization_id, asset_id);

--
-- Name: music_coins music_coins_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_contract_splits music_contract_splits_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contract_splits
    ADD CONSTRAINT music_contract_splits_pkey PRIMARY KEY (organization_id, contract_id, line_no);

--
-- Name: music_contracts music_contracts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contracts
    ADD CONSTRAINT music_contracts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_contracts music_contracts_version_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contracts
    ADD CONSTRAINT music_contracts_version_key UNIQUE (organization_id, master_id, version);

--
-- Name: music_dividends music_dividends_currency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_currency_key UNIQUE (organization_id, id, currency);

--
-- Name: music_dividends music_dividends_no_overlap; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_no_overlap EXCLUDE USING gist (organization_id WITH =, master_id WITH =, currency WITH =, daterange(period_start, period_end) WITH &&);

--
-- Name: music_dividends music_dividends_period_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_period_key UNIQUE (organization_id, master_id, currency, period_start, period_end);

--
-- Name: music_dividends music_dividends_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_ipo_allocations music_ipo_allocations_entry_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_entry_key UNIQUE (organization_id, entry_id);

--
-- Name: music_ipo_allocations music_ipo_allocations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_ipos music_ipos_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_ipos music_ipos_treasury_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_treasury_key UNIQUE (organization_id, treasury_account_id);

--
-- Name: music_journal_entries music_journal_entries_idempotency_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_idempotency_key UNIQUE (organization_id, idempotency_key);

--
-- Name: music_journal_entries music_journal_entries_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_journal_entries music_journal_entries_reverses_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_reverses_key UNIQUE (organization_id, reverses_id);

--
-- Name: music_journal_lines music_journal_lines_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_lines
    ADD CONSTRAINT music_journal_lines_pkey PRIMARY KEY (organization_id, entry_id, line_no);

--
-- Name: music_liquidity_snapshots music_liquidity_snapshots_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_liquidity_snapshots
    ADD CONSTRAINT music_liquidity_snapshots_pkey PRIMARY KEY (organization_id, coin_id, pool, observed_at);

--
-- Name: music_master_credits music_master_credits_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_master_credits
    ADD CONSTRAINT music_master_credits_pkey PRIMARY KEY (organization_id, master_id, producer_id, role);

--
-- Name: music_masters music_masters_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_masters
    ADD CONSTRAINT music_masters_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_nfts music_nfts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_nfts
    ADD CONSTRAINT music_nfts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_nfts music_nfts_token_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_nfts
    ADD CONSTRAINT music_nfts_token_key UNIQUE (organization_id, contract_id, token_id);

--
-- Name: music_payouts music_payouts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_payouts
    ADD CONSTRAINT music_payouts_pkey PRIMARY KEY (organization_id, dividend_id, account_id);

--
-- Name: music_producers music_producers_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_producers
    ADD CONSTRAINT music_producers_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_producers music_producers_slug_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_producers
    ADD CONSTRAINT music_producers_slug_key UNIQUE (organization_id, slug);

--
-- Name: music_revenue_events music_revenue_events_external_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_revenue_events
    ADD CONSTRAINT music_revenue_events_external_key UNIQUE (organization_id, source, external_id);

--
-- Name: music_revenue_events music_revenue_events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_revenue_events
    ADD CONSTRAINT music_revenue_events_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_roles music_roles_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_roles
    ADD CONSTRAINT music_roles_pkey PRIMARY KEY (organization_id, user_id, role);

--
-- Name: music_studio_options music_studio_options_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_options
    ADD CONSTRAINT music_studio_options_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_studio_options music_studio_options_position_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_options
    ADD CONSTRAINT music_studio_options_position_key UNIQUE (organization_id, session_id, "position") DEFERRABLE;

--
-- Name: music_studio_options music_studio_options_session_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_options
    ADD CONSTRAINT music_studio_options_session_id_key UNIQUE (organization_id, session_id, id);

--
-- Name: music_studio_sessions music_studio_sessions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_sessions
    ADD CONSTRAINT music_studio_sessions_pkey PRIMARY KEY (organization_id, id);

--
-- Name: music_studio_votes music_studio_votes_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_votes
    ADD CONSTRAINT music_studio_votes_pkey PRIMARY KEY (organization_id, session_id, user_id);

--
-- Name: music_transfers music_transfers_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_transfers
    ADD CONSTRAINT music_transfers_pkey PRIMARY KEY (organization_id, chain_id, tx_hash, log_index);

--
-- Name: notification_digests notification_digests_member_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_member_key UNIQUE (organization_id, user_id, frequency, id);

--
-- Name: notification_digests notification_digests_message_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_message_key UNIQUE (organization_id, message_id);

--
-- Name: notification_digests notification_digests_period_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_period_key UNIQUE (organization_id, user_id, frequency, period_start);

--
-- Name: notification_digests notification_digests_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_pkey PRIMARY KEY (organization_id, id);

--
-- Name: notifications notifications_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_pkey PRIMARY KEY (organization_id, id);

--
-- Name: oauth_accounts oauth_accounts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.oauth_accounts
    ADD CONSTRAINT oauth_accounts_pkey PRIMARY KEY (id);

--
-- Name: oauth_accounts oauth_accounts_provider_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.oauth_accounts
    ADD CONSTRAINT oauth_accounts_provider_key UNIQUE (provider, provider_account_id);

--
-- Name: organizations organizations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);

--
-- Name: organizations organizations_slug_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);

--
-- Name: partitioned_tables partitioned_tables_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.partitioned_tables
    ADD CONSTRAINT partitioned_tables_pkey PRIMARY KEY (parent);

--
-- Name: people people_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.people
    ADD CONSTRAINT people_pkey PRIMARY KEY (organization_id, id);

--
-- Name: quote_cards quote_cards_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.quote_cards
    ADD CONSTRAINT quote_cards_pkey PRIMARY KEY (organization_id, id);

--
-- Name: retention_policies retention_policies_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.retention_policies
    ADD CONSTRAINT retention_policies_pkey PRIMARY KEY (name);

--
-- Name: retention_runs retention_runs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.retention_runs
    ADD CONSTRAINT retention_runs_pkey PRIMARY KEY (id);

--
-- Name: schema_migration_repairs schema_migration_repairs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migration_repairs
    ADD CONSTRAINT schema_migration_repairs_pkey PRIMARY KEY (id);

--
-- Name: schema_migrations schema_migrations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);

--
-- Name: schema_views schema_views_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_views
    ADD CONSTRAINT schema_views_pkey PRIMARY KEY (name);

--
-- Name: search_configs search_configs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.search_configs
    ADD CONSTRAINT search_configs_pkey PRIMARY KEY (organization_id, ts_config);

--
-- Name: search_index_state search_index_state_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.search_index_state
    ADD CONSTRAINT search_index_state_pkey PRIMARY KEY (organization_id, transcript_id, model);

--
-- Name: security_events security_events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.security_events
    ADD CONSTRAINT security_events_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: security_events_default security_events_default_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.security_events_default
    ADD CONSTRAINT security_events_default_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: series series_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.series
    ADD CONSTRAINT series_pkey PRIMARY KEY (organization_id, id);

--
-- Name: sessions sessions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);

--
-- Name: sessions sessions_prefix_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.sessions
    ADD CONSTRAINT sessions_prefix_key UNIQUE (prefix);

--
-- Name: share_links share_links_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.share_links
    ADD CONSTRAINT share_links_pkey PRIMARY KEY (organization_id, id);

--
-- Name: share_links share_links_token_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.share_links
    ADD CONSTRAINT share_links_token_key UNIQUE (organization_id, token_sha256);

--
-- Name: speakers speakers_label_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.speakers
    ADD CONSTRAINT speakers_label_key UNIQUE (organization_id, video_id, label);

--
-- Name: speakers speakers_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.speakers
    ADD CONSTRAINT speakers_pkey PRIMARY KEY (organization_id, id);

--
-- Name: speakers speakers_video_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.speakers
    ADD CONSTRAINT speakers_video_id_key UNIQUE (organization_id, video_id, id);

--
-- Name: story_bibles story_bibles_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_bibles
    ADD CONSTRAINT story_bibles_pkey PRIMARY KEY (organization_id, scene_id, version);

--
-- Name: story_categories story_categories_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_categories
    ADD CONSTRAINT story_categories_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_categories story_categories_slug_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_categories
    ADD CONSTRAINT story_categories_slug_key UNIQUE (organization_id, topic_id, slug);

--
-- Name: story_categories story_categories_topic_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_categories
    ADD CONSTRAINT story_categories_topic_id_key UNIQUE (organization_id, topic_id, id);

--
-- Name: story_continuations story_continuations_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_continuations
    ADD CONSTRAINT story_continuations_pkey PRIMARY KEY (organization_id, job_id);

--
-- Name: story_counter_deltas story_counter_deltas_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_counter_deltas
    ADD CONSTRAINT story_counter_deltas_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_flags story_flags_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_ideas story_ideas_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_ideas story_ideas_topic_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_topic_id_key UNIQUE (organization_id, topic_id, id);

--
-- Name: story_likes story_likes_idea_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_idea_key UNIQUE (organization_id, idea_id, user_id);

--
-- Name: story_likes story_likes_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_likes story_likes_scene_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_scene_key UNIQUE (organization_id, scene_id, user_id);

--
-- Name: story_publications story_publications_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_publications
    ADD CONSTRAINT story_publications_pkey PRIMARY KEY (organization_id);

--
-- Name: story_scene_summaries story_scene_summaries_no_overlap; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_summaries
    ADD CONSTRAINT story_scene_summaries_no_overlap EXCLUDE USING gist (organization_id WITH =, scene_id WITH =, covered WITH &&);

--
-- Name: story_scene_summaries story_scene_summaries_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_summaries
    ADD CONSTRAINT story_scene_summaries_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_scene_views story_scene_views_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_views
    ADD CONSTRAINT story_scene_views_pkey PRIMARY KEY (organization_id, viewed_at, id);

--
-- Name: story_scene_views_default story_scene_views_default_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_views_default
    ADD CONSTRAINT story_scene_views_default_pkey PRIMARY KEY (organization_id, viewed_at, id);

--
-- Name: story_scenes story_scenes_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scenes
    ADD CONSTRAINT story_scenes_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_search_configs story_search_configs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_search_configs
    ADD CONSTRAINT story_search_configs_pkey PRIMARY KEY (organization_id, ts_config);

--
-- Name: story_segments story_segments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_segments
    ADD CONSTRAINT story_segments_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_segments story_segments_sequence_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_segments
    ADD CONSTRAINT story_segments_sequence_key UNIQUE (organization_id, scene_id, sequence);

--
-- Name: story_topics story_topics_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_topics
    ADD CONSTRAINT story_topics_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_topics story_topics_slug_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_topics
    ADD CONSTRAINT story_topics_slug_key UNIQUE (organization_id, slug);

--
-- Name: story_user_topics story_user_topics_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_user_topics
    ADD CONSTRAINT story_user_topics_pkey PRIMARY KEY (organization_id, id);

--
-- Name: story_view_months story_view_months_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_view_months
    ADD CONSTRAINT story_view_months_pkey PRIMARY KEY (organization_id, scene_id, month);

--
-- Name: table_distribution table_distribution_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.table_distribution
    ADD CONSTRAINT table_distribution_pkey PRIMARY KEY (table_name);

--
-- Name: transcript_chunks transcript_chunks_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_chunks
    ADD CONSTRAINT transcript_chunks_key UNIQUE (organization_id, transcript_id, model, chunk_index);

--
-- Name: transcript_chunks transcript_chunks_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_chunks
    ADD CONSTRAINT transcript_chunks_pkey PRIMARY KEY (organization_id, id);

--
-- Name: transcript_segment_words transcript_segment_words_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segment_words
    ADD CONSTRAINT transcript_segment_words_pkey PRIMARY KEY (organization_id, transcript_id, seq);

--
-- Name: transcript_segments transcript_segments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segments
    ADD CONSTRAINT transcript_segments_pkey PRIMARY KEY (organization_id, id);

--
-- Name: transcript_segments transcript_segments_seq_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segments
    ADD CONSTRAINT transcript_segments_seq_key UNIQUE (organization_id, transcript_id, seq);

--
-- Name: transcripts transcripts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcripts
    ADD CONSTRAINT transcripts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: transcripts transcripts_version_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcripts
    ADD CONSTRAINT transcripts_version_key UNIQUE (organization_id, video_id, version);

--
-- Name: transcripts transcripts_video_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcripts
    ADD CONSTRAINT transcripts_video_id_key UNIQUE (organization_id, id, video_id);

--
-- Name: user_consents user_consents_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_consents
    ADD CONSTRAINT user_consents_pkey PRIMARY KEY (id);

--
-- Name: user_extensions user_extensions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_extensions
    ADD CONSTRAINT user_extensions_pkey PRIMARY KEY (user_id);

--
-- Name: user_preferences user_preferences_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_preferences
    ADD CONSTRAINT user_preferences_pkey PRIMARY KEY (user_id);

--
-- Name: user_tokens user_tokens_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_tokens
    ADD CONSTRAINT user_tokens_pkey PRIMARY KEY (id);

--
-- Name: user_tokens user_tokens_prefix_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_tokens
    ADD CONSTRAINT user_tokens_prefix_key UNIQUE (prefix);

--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

--
-- Name: video_clips video_clips_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_clips
    ADD CONSTRAINT video_clips_pkey PRIMARY KEY (organization_id, id);

--
-- Name: video_moments video_moments_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_moments
    ADD CONSTRAINT video_moments_pkey PRIMARY KEY (organization_id, id);

--
-- Name: video_moments video_moments_video_id_key; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_moments
    ADD CONSTRAINT video_moments_video_id_key UNIQUE (organization_id, video_id, id);

--
-- Name: video_progress video_progress_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_progress
    ADD CONSTRAINT video_progress_pkey PRIMARY KEY (organization_id, user_id, video_id);

--
-- Name: videos videos_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_pkey PRIMARY KEY (organization_id, id);

--
-- Name: view_events view_events_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.view_events
    ADD CONSTRAINT view_events_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: view_events_default view_events_default_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.view_events_default
    ADD CONSTRAINT view_events_default_pkey PRIMARY KEY (organization_id, occurred_at, id);

--
-- Name: webhook_attempts webhook_attempts_once; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_attempts
    ADD CONSTRAINT webhook_attempts_once UNIQUE (organization_id, delivery_id, attempt);

--
-- Name: webhook_attempts webhook_attempts_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_attempts
    ADD CONSTRAINT webhook_attempts_pkey PRIMARY KEY (organization_id, id);

--
-- Name: webhook_deliveries webhook_deliveries_once; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_once UNIQUE (organization_id, event_id, endpoint_id);

--
-- Name: webhook_deliveries webhook_deliveries_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (organization_id, id);

--
-- Name: webhook_endpoint_types webhook_endpoint_types_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_endpoint_types
    ADD CONSTRAINT webhook_endpoint_types_pkey PRIMARY KEY (organization_id, endpoint_id, type);

--
-- Name: webhook_endpoints webhook_endpoints_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_pkey PRIMARY KEY (organization_id, id);

--
-- Name: workflow_runs workflow_runs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_runs
    ADD CONSTRAINT workflow_runs_pkey PRIMARY KEY (organization_id, id);

--
-- Name: workflow_step_runs workflow_step_runs_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_step_runs
    ADD CONSTRAINT workflow_step_runs_pkey PRIMARY KEY (organization_id, run_id, "position");

--
-- Name: workflow_template_versions workflow_template_versions_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_template_versions
    ADD CONSTRAINT workflow_template_versions_pkey PRIMARY KEY (organization_id, template_id, version);

--
-- Name: workflow_templates workflow_templates_pkey; Type: CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_templates
    ADD CONSTRAINT workflow_templates_pkey PRIMARY KEY (organization_id, id);

--
-- Name: ai_action_items_assignee_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_assignee_idx ON mediabase.ai_action_items USING btree (organization_id, assignee_user_id, status) WHERE (assignee_user_id IS NOT NULL);

--
-- Name: ai_action_items_completed_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_completed_by_idx ON mediabase.ai_action_items USING btree (completed_by) WHERE (completed_by IS NOT NULL);

--
-- Name: ai_action_items_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_created_by_idx ON mediabase.ai_action_items USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: ai_action_items_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_layer_idx ON mediabase.ai_action_items USING btree (organization_id, layer_id) WHERE (layer_id IS NOT NULL);

--
-- Name: ai_action_items_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_status_idx ON mediabase.ai_action_items USING btree (organization_id, status, priority, due_date);

--
-- Name: ai_action_items_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_action_items_video_idx ON mediabase.ai_action_items USING btree (organization_id, video_id, start_ms);

--
-- Name: ai_layers_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_layers_created_by_idx ON mediabase.ai_layers USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: ai_layers_one_ready; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX ai_layers_one_ready ON mediabase.ai_layers USING btree (organization_id, video_id, kind) WHERE (status = 'ready'::text);

--
-- Name: ai_layers_one_ready_graph; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX ai_layers_one_ready_graph ON mediabase.ai_layers USING btree (organization_id, kind) WHERE ((status = 'ready'::text) AND (video_id IS NULL));

--
-- Name: ai_layers_organization_id_superseded_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_layers_organization_id_superseded_by_idx ON mediabase.ai_layers USING btree (organization_id, superseded_by) WHERE (superseded_by IS NOT NULL);

--
-- Name: ai_layers_organization_id_transcript_id_video_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_layers_organization_id_transcript_id_video_id_idx ON mediabase.ai_layers USING btree (organization_id, transcript_id, video_id) WHERE (transcript_id IS NOT NULL);

--
-- Name: ai_layers_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_layers_video_idx ON mediabase.ai_layers USING btree (organization_id, video_id, kind, created_at DESC);

--
-- Name: ai_summaries_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_summaries_video_idx ON mediabase.ai_summaries USING btree (organization_id, video_id);

--
-- Name: ai_topic_mentions_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_topic_mentions_layer_idx ON mediabase.ai_topic_mentions USING btree (organization_id, layer_id);

--
-- Name: ai_topic_mentions_topic_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_topic_mentions_topic_idx ON mediabase.ai_topic_mentions USING btree (organization_id, topic_id, mentioned_at);

--
-- Name: ai_topic_mentions_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_topic_mentions_video_idx ON mediabase.ai_topic_mentions USING btree (organization_id, video_id, start_ms);

--
-- Name: ai_topics_last_mentioned_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_topics_last_mentioned_idx ON mediabase.ai_topics USING btree (organization_id, last_mentioned_at DESC NULLS LAST);

--
-- Name: ai_topics_trend_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX ai_topics_trend_idx ON mediabase.ai_topics USING btree (organization_id, trend, trend_score DESC);

--
-- Name: analytics_daily_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_daily_master_idx ON mediabase.analytics_daily USING btree (organization_id, master_id) WHERE (master_id IS NOT NULL);

--
-- Name: analytics_daily_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_daily_scene_idx ON mediabase.analytics_daily USING btree (organization_id, scene_id) WHERE (scene_id IS NOT NULL);

--
-- Name: analytics_daily_top_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_daily_top_idx ON mediabase.analytics_daily USING btree (organization_id, day) INCLUDE (video_id, watch_ms, views, viewers) WHERE (video_id IS NOT NULL);

--
-- Name: analytics_daily_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_daily_video_idx ON mediabase.analytics_daily USING btree (organization_id, video_id, day) WHERE (video_id IS NOT NULL);

--
-- Name: analytics_talk_time_speaker_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_talk_time_speaker_idx ON mediabase.analytics_talk_time USING btree (organization_id, speaker_id);

--
-- Name: analytics_talk_videos_transcript_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX analytics_talk_videos_transcript_idx ON mediabase.analytics_talk_videos USING btree (organization_id, transcript_id);

--
-- Name: api_keys_organization_id_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX api_keys_organization_id_user_id_idx ON mediabase.api_keys USING btree (organization_id, user_id);

--
-- Name: api_keys_prefix_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX api_keys_prefix_idx ON mediabase.api_keys USING btree (prefix);

--
-- Name: audit_log_actor_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_log_actor_idx ON ONLY mediabase.audit_log USING btree (organization_id, actor_id, occurred_at);

--
-- Name: audit_log_default_organization_id_actor_id_occurred_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_log_default_organization_id_actor_id_occurred_at_idx ON mediabase.audit_log_default USING btree (organization_id, actor_id, occurred_at);

--
-- Name: audit_log_row_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_log_row_idx ON ONLY mediabase.audit_log USING btree (organization_id, table_name, row_id, occurred_at);

--
-- Name: audit_log_default_organization_id_table_name_row_id_occurre_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_log_default_organization_id_table_name_row_id_occurre_idx ON mediabase.audit_log_default USING btree (organization_id, table_name, row_id, occurred_at);

--
-- Name: audit_redactions_request_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_redactions_request_idx ON mediabase.audit_redactions USING btree (data_request_id);

--
-- Name: audit_redactions_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX audit_redactions_user_idx ON mediabase.audit_redactions USING btree (user_id);

--
-- Name: billing_customers_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_customers_user_idx ON mediabase.billing_customers USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: billing_invoice_lines_price_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_invoice_lines_price_idx ON mediabase.billing_invoice_lines USING btree (price_id) WHERE (price_id IS NOT NULL);

--
-- Name: billing_invoices_customer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_invoices_customer_idx ON mediabase.billing_invoices USING btree (organization_id, customer_id);

--
-- Name: billing_invoices_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_invoices_recent_idx ON mediabase.billing_invoices USING btree (organization_id, created DESC, id DESC);

--
-- Name: billing_invoices_subscription_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_invoices_subscription_idx ON mediabase.billing_invoices USING btree (organization_id, subscription_id) WHERE (subscription_id IS NOT NULL);

--
-- Name: billing_payments_charge_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_payments_charge_idx ON mediabase.billing_payments USING btree (provider, provider_charge_id);

--
-- Name: billing_payments_customer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_payments_customer_idx ON mediabase.billing_payments USING btree (organization_id, customer_id);

--
-- Name: billing_payments_invoice_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_payments_invoice_idx ON mediabase.billing_payments USING btree (organization_id, invoice_id) WHERE (invoice_id IS NOT NULL);

--
-- Name: billing_payments_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_payments_recent_idx ON mediabase.billing_payments USING btree (organization_id, created DESC, id DESC);

--
-- Name: billing_plan_features_feature_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_plan_features_feature_idx ON mediabase.billing_plan_features USING btree (feature);

--
-- Name: billing_prices_plan_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_prices_plan_idx ON mediabase.billing_prices USING btree (plan_id);

--
-- Name: billing_provider_events_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_provider_events_recent_idx ON mediabase.billing_provider_events USING btree (organization_id, created DESC, id DESC);

--
-- Name: billing_refunds_payment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_refunds_payment_idx ON mediabase.billing_refunds USING btree (organization_id, payment_id, currency);

--
-- Name: billing_refunds_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_refunds_recent_idx ON mediabase.billing_refunds USING btree (organization_id, created DESC, id DESC);

--
-- Name: billing_subscriptions_customer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_subscriptions_customer_idx ON mediabase.billing_subscriptions USING btree (organization_id, customer_id);

--
-- Name: billing_subscriptions_offline_due_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_subscriptions_offline_due_idx ON mediabase.billing_subscriptions USING btree (current_period_end) WHERE ((provider = 'offline'::text) AND (status <> ALL (ARRAY['canceled'::text, 'incomplete_expired'::text])));

--
-- Name: billing_subscriptions_one_live_org; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX billing_subscriptions_one_live_org ON mediabase.billing_subscriptions USING btree (organization_id) WHERE ((subscriber_organization_id IS NOT NULL) AND (status <> ALL (ARRAY['canceled'::text, 'incomplete_expired'::text])));

--
-- Name: billing_subscriptions_one_live_user; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX billing_subscriptions_one_live_user ON mediabase.billing_subscriptions USING btree (organization_id, subscriber_user_id) WHERE ((subscriber_user_id IS NOT NULL) AND (status <> ALL (ARRAY['canceled'::text, 'incomplete_expired'::text])));

--
-- Name: billing_subscriptions_price_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_subscriptions_price_idx ON mediabase.billing_subscriptions USING btree (price_id, plan_id, currency);

--
-- Name: billing_subscriptions_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_subscriptions_user_idx ON mediabase.billing_subscriptions USING btree (subscriber_user_id) WHERE (subscriber_user_id IS NOT NULL);

--
-- Name: billing_usage_records_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_usage_records_created_by_idx ON mediabase.billing_usage_records USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: billing_usage_records_metric_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_usage_records_metric_idx ON mediabase.billing_usage_records USING btree (metric);

--
-- Name: billing_usage_records_period_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_usage_records_period_idx ON mediabase.billing_usage_records USING btree (organization_id, metric, period_start, period_end) INCLUDE (quantity);

--
-- Name: billing_usage_records_subscription_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX billing_usage_records_subscription_idx ON mediabase.billing_usage_records USING btree (organization_id, subscription_id) WHERE (subscription_id IS NOT NULL);

--
-- Name: channels_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX channels_created_by_idx ON mediabase.channels USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: channels_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX channels_name_key ON mediabase.channels USING btree (organization_id, lower(name));

--
-- Name: collections_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX collections_created_by_idx ON mediabase.collections USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: collections_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX collections_name_key ON mediabase.collections USING btree (organization_id, lower(name));

--
-- Name: comment_reactions_organization_id_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comment_reactions_organization_id_user_id_idx ON mediabase.comment_reactions USING btree (organization_id, user_id);

--
-- Name: comments_author_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comments_author_id_idx ON mediabase.comments USING btree (author_id) WHERE (author_id IS NOT NULL);

--
-- Name: comments_author_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comments_author_idx ON mediabase.comments USING btree (organization_id, author_id);

--
-- Name: comments_deleted_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comments_deleted_by_idx ON mediabase.comments USING btree (deleted_by) WHERE (deleted_by IS NOT NULL);

--
-- Name: comments_parent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comments_parent_idx ON mediabase.comments USING btree (organization_id, video_id, parent_id) WHERE (parent_id IS NOT NULL);

--
-- Name: comments_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX comments_video_idx ON mediabase.comments USING btree (organization_id, video_id, created_at);

--
-- Name: data_requests_job_organization_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX data_requests_job_organization_idx ON mediabase.data_requests USING btree (job_organization_id);

--
-- Name: data_requests_one_open_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX data_requests_one_open_idx ON mediabase.data_requests USING btree (user_id, kind) WHERE (status = ANY (ARRAY['pending'::text, 'processing'::text]));

--
-- Name: data_requests_open_deadline_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX data_requests_open_deadline_idx ON mediabase.data_requests USING btree (deadline_at) WHERE (status = ANY (ARRAY['pending'::text, 'processing'::text]));

--
-- Name: data_requests_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX data_requests_user_idx ON mediabase.data_requests USING btree (user_id, requested_at DESC);

--
-- Name: decision_edits_decision_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_edits_decision_idx ON mediabase.decision_edits USING btree (organization_id, decision_id, edited_at, id);

--
-- Name: decision_edits_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_edits_user_id_idx ON mediabase.decision_edits USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: decision_links_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_links_created_by_idx ON mediabase.decision_links USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: decision_links_one_superseder; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX decision_links_one_superseder ON mediabase.decision_links USING btree (organization_id, target_decision_id) WHERE (link_type = 'supersedes'::text);

--
-- Name: decision_links_target_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_links_target_idx ON mediabase.decision_links USING btree (organization_id, target_decision_id);

--
-- Name: decision_participants_organization_id_decision_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_participants_organization_id_decision_id_idx ON mediabase.decision_participants USING btree (organization_id, decision_id);

--
-- Name: decision_participants_organization_id_person_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_participants_organization_id_person_id_idx ON mediabase.decision_participants USING btree (organization_id, person_id) WHERE (person_id IS NOT NULL);

--
-- Name: decision_participants_person_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX decision_participants_person_key ON mediabase.decision_participants USING btree (organization_id, decision_id, person_id) WHERE (person_id IS NOT NULL);

--
-- Name: decision_participants_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_participants_user_idx ON mediabase.decision_participants USING btree (organization_id, user_id) WHERE (user_id IS NOT NULL);

--
-- Name: decision_participants_user_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX decision_participants_user_key ON mediabase.decision_participants USING btree (organization_id, decision_id, user_id) WHERE (user_id IS NOT NULL);

--
-- Name: decision_subscriptions_tag_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_subscriptions_tag_idx ON mediabase.decision_subscriptions USING btree (organization_id, tag_id);

--
-- Name: decision_tag_assignments_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_tag_assignments_created_by_idx ON mediabase.decision_tag_assignments USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: decision_tag_assignments_tag_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_tag_assignments_tag_idx ON mediabase.decision_tag_assignments USING btree (organization_id, tag_id);

--
-- Name: decision_tags_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_tags_created_by_idx ON mediabase.decision_tags USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: decision_tags_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX decision_tags_name_key ON mediabase.decision_tags USING btree (organization_id, lower(name));

--
-- Name: decision_vectors_decision_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decision_vectors_decision_idx ON mediabase.decision_vectors USING btree (organization_id, decision_id);

--
-- Name: decisions_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_created_by_idx ON mediabase.decisions USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: decisions_decided_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_decided_idx ON mediabase.decisions USING btree (organization_id, decided_at DESC NULLS LAST, id);

--
-- Name: decisions_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_layer_idx ON mediabase.decisions USING btree (organization_id, layer_id) WHERE (layer_id IS NOT NULL);

--
-- Name: decisions_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_search_idx ON mediabase.decisions USING gin (search_vector);

--
-- Name: decisions_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_status_idx ON mediabase.decisions USING btree (organization_id, status, decided_at DESC);

--
-- Name: decisions_superseded_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_superseded_by_idx ON mediabase.decisions USING btree (organization_id, superseded_by) WHERE (superseded_by IS NOT NULL);

--
-- Name: decisions_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX decisions_video_idx ON mediabase.decisions USING btree (organization_id, video_id, position_ms) WHERE (video_id IS NOT NULL);

--
-- Name: events_pending_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX events_pending_idx ON mediabase.events USING btree (organization_id, id) WHERE (dispatched_at IS NULL);

--
-- Name: events_subject_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX events_subject_idx ON mediabase.events USING btree (organization_id, subject_id, id);

--
-- Name: events_type_fk_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX events_type_fk_idx ON mediabase.events USING btree (type);

--
-- Name: events_type_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX events_type_idx ON mediabase.events USING btree (organization_id, type, id);

--
-- Name: graph_edges_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_edges_layer_idx ON mediabase.graph_edges USING btree (organization_id, layer_id, source_id);

--
-- Name: graph_edges_target_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_edges_target_idx ON mediabase.graph_edges USING btree (organization_id, target_id, relation, source_id);

--
-- Name: graph_evidence_action_item_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_action_item_idx ON mediabase.graph_evidence USING btree (organization_id, action_item_id) WHERE (action_item_id IS NOT NULL);

--
-- Name: graph_evidence_decision_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_decision_idx ON mediabase.graph_evidence USING btree (organization_id, decision_id) WHERE (decision_id IS NOT NULL);

--
-- Name: graph_evidence_edge_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_edge_idx ON mediabase.graph_evidence USING btree (organization_id, layer_id, edge_id) WHERE (edge_id IS NOT NULL);

--
-- Name: graph_evidence_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_layer_idx ON mediabase.graph_evidence USING btree (organization_id, layer_id);

--
-- Name: graph_evidence_moment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_moment_idx ON mediabase.graph_evidence USING btree (organization_id, moment_id) WHERE (moment_id IS NOT NULL);

--
-- Name: graph_evidence_node_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_node_idx ON mediabase.graph_evidence USING btree (organization_id, layer_id, node_id) WHERE (node_id IS NOT NULL);

--
-- Name: graph_evidence_segment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_segment_idx ON mediabase.graph_evidence USING btree (organization_id, segment_id) WHERE (segment_id IS NOT NULL);

--
-- Name: graph_evidence_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_evidence_video_idx ON mediabase.graph_evidence USING btree (organization_id, video_id, layer_id, start_ms) INCLUDE (end_ms, node_id, edge_id) WHERE (video_id IS NOT NULL);

--
-- Name: graph_node_vectors_node_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_node_vectors_node_idx ON mediabase.graph_node_vectors USING btree (organization_id, layer_id, node_id);

--
-- Name: graph_nodes_name_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX graph_nodes_name_idx ON mediabase.graph_nodes USING btree (organization_id, layer_id, normalized_name COLLATE "C");

--
-- Name: highlight_reel_clips_clip_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX highlight_reel_clips_clip_idx ON mediabase.highlight_reel_clips USING btree (organization_id, clip_id);

--
-- Name: highlight_reels_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX highlight_reels_created_by_idx ON mediabase.highlight_reels USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: highlight_reels_created_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX highlight_reels_created_idx ON mediabase.highlight_reels USING btree (organization_id, created_at DESC);

--
-- Name: integration_accounts_connected_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_accounts_connected_by_idx ON mediabase.integration_accounts USING btree (organization_id, connected_by) WHERE (connected_by IS NOT NULL);

--
-- Name: integration_accounts_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_accounts_id_idx ON mediabase.integration_accounts USING btree (id);

--
-- Name: integration_events_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_events_account_idx ON mediabase.integration_events USING btree (organization_id, account_id, provider, received_at DESC);

--
-- Name: integration_external_items_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_external_items_account_idx ON mediabase.integration_external_items USING btree (organization_id, account_id, provider) WHERE (account_id IS NOT NULL);

--
-- Name: integration_external_items_transcript_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_external_items_transcript_idx ON mediabase.integration_external_items USING btree (organization_id, transcript_id, video_id) WHERE (transcript_id IS NOT NULL);

--
-- Name: integration_external_items_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX integration_external_items_video_idx ON mediabase.integration_external_items USING btree (organization_id, video_id) WHERE (video_id IS NOT NULL);

--
-- Name: invitations_accepted_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX invitations_accepted_by_idx ON mediabase.invitations USING btree (accepted_by) WHERE (accepted_by IS NOT NULL);

--
-- Name: invitations_invited_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX invitations_invited_by_idx ON mediabase.invitations USING btree (invited_by) WHERE (invited_by IS NOT NULL);

--
-- Name: invitations_list_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX invitations_list_idx ON mediabase.invitations USING btree (organization_id, created_at, id);

--
-- Name: invitations_prefix_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX invitations_prefix_idx ON mediabase.invitations USING btree (prefix);

--
-- Name: invitations_retention_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX invitations_retention_idx ON mediabase.invitations USING btree (LEAST(revoked_at, expires_at)) WHERE (accepted_at IS NULL);

--
-- Name: job_idempotency_keys_expires_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX job_idempotency_keys_expires_idx ON mediabase.job_idempotency_keys USING btree (expires_at) WHERE (expires_at IS NOT NULL);

--
-- Name: job_idempotency_keys_job_created_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX job_idempotency_keys_job_created_idx ON mediabase.job_idempotency_keys USING btree (job_created_at);

--
-- Name: jobs_failed_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_failed_idx ON ONLY mediabase.jobs USING btree (created_at) WHERE (status = 'failed'::text);

--
-- Name: jobs_default_created_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_default_created_at_idx ON mediabase.jobs_default USING btree (created_at) WHERE (status = 'failed'::text);

--
-- Name: jobs_processing_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_processing_idx ON ONLY mediabase.jobs USING btree (id) WHERE (status = 'processing'::text);

--
-- Name: jobs_default_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_default_id_idx ON mediabase.jobs_default USING btree (id) WHERE (status = 'processing'::text);

--
-- Name: jobs_lease_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_lease_idx ON ONLY mediabase.jobs USING btree (lease_expires_at) WHERE (status = 'processing'::text);

--
-- Name: jobs_default_lease_expires_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_default_lease_expires_at_idx ON mediabase.jobs_default USING btree (lease_expires_at) WHERE (status = 'processing'::text);

--
-- Name: jobs_org_created_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_org_created_idx ON ONLY mediabase.jobs USING btree (organization_id, created_at DESC);

--
-- Name: jobs_default_organization_id_created_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_default_organization_id_created_at_idx ON mediabase.jobs_default USING btree (organization_id, created_at DESC);

--
-- Name: jobs_ready_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_ready_idx ON ONLY mediabase.jobs USING btree (priority DESC, run_after) WHERE (status = 'queued'::text);

--
-- Name: jobs_default_priority_run_after_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX jobs_default_priority_run_after_idx ON mediabase.jobs_default USING btree (priority DESC, run_after) WHERE (status = 'queued'::text);

--
-- Name: legal_acceptances_document_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX legal_acceptances_document_idx ON mediabase.legal_acceptances USING btree (document_id);

--
-- Name: legal_documents_current_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX legal_documents_current_idx ON mediabase.legal_documents USING btree (kind, effective_at DESC, id DESC);

--
-- Name: mail_outbox_created_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX mail_outbox_created_idx ON mediabase.mail_outbox USING btree (organization_id, created_at DESC, id DESC);

--
-- Name: mail_outbox_due_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX mail_outbox_due_idx ON mediabase.mail_outbox USING btree (next_attempt_at, organization_id) WHERE (status = ANY (ARRAY['queued'::text, 'failed'::text, 'sending'::text]));

--
-- Name: mail_outbox_recipient_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX mail_outbox_recipient_idx ON mediabase.mail_outbox USING btree (organization_id, recipient_user_id) WHERE (recipient_user_id IS NOT NULL);

--
-- Name: mail_outbox_retention_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX mail_outbox_retention_idx ON mediabase.mail_outbox USING btree (updated_at) WHERE (status = ANY (ARRAY['sent'::text, 'dead'::text]));

--
-- Name: memberships_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX memberships_user_idx ON mediabase.memberships USING btree (user_id);

--
-- Name: music_accounts_address_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_accounts_address_key ON mediabase.music_accounts USING btree (organization_id, address) WHERE (address IS NOT NULL);

--
-- Name: music_accounts_issuance_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_accounts_issuance_key ON mediabase.music_accounts USING btree (organization_id) WHERE (kind = 'issuance'::text);

--
-- Name: music_accounts_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_accounts_user_idx ON mediabase.music_accounts USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: music_accounts_user_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_accounts_user_key ON mediabase.music_accounts USING btree (organization_id, user_id) WHERE (user_id IS NOT NULL);

--
-- Name: music_artists_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_artists_user_idx ON mediabase.music_artists USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: music_assets_artist_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_assets_artist_idx ON mediabase.music_assets USING btree (organization_id, artist_id) WHERE (artist_id IS NOT NULL);

--
-- Name: music_assets_master_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_assets_master_key ON mediabase.music_assets USING btree (organization_id, master_id) WHERE (master_id IS NOT NULL);

--
-- Name: music_balances_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_balances_account_idx ON mediabase.music_balances USING btree (organization_id, account_id);

--
-- Name: music_balances_holders_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_balances_holders_idx ON mediabase.music_balances USING btree (organization_id, asset_id, balance DESC) WHERE (balance > (0)::numeric);

--
-- Name: music_blocks_canonical_number_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_blocks_canonical_number_key ON mediabase.music_blocks USING btree (organization_id, chain_id, number) WHERE canonical;

--
-- Name: music_blocks_chain_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_blocks_chain_idx ON mediabase.music_blocks USING btree (chain_id);

--
-- Name: music_chain_contracts_chain_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_chain_contracts_chain_idx ON mediabase.music_chain_contracts USING btree (chain_id);

--
-- Name: music_chain_contracts_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_chain_contracts_master_idx ON mediabase.music_chain_contracts USING btree (organization_id, master_id) WHERE (master_id IS NOT NULL);

--
-- Name: music_chain_reorgs_chain_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_chain_reorgs_chain_idx ON mediabase.music_chain_reorgs USING btree (chain_id);

--
-- Name: music_chain_reorgs_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_chain_reorgs_recent_idx ON mediabase.music_chain_reorgs USING btree (organization_id, chain_id, detected_at DESC);

--
-- Name: music_coins_artist_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_coins_artist_idx ON mediabase.music_coins USING btree (organization_id, artist_id);

--
-- Name: music_coins_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_coins_created_by_idx ON mediabase.music_coins USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_contract_splits_artist_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_contract_splits_artist_idx ON mediabase.music_contract_splits USING btree (organization_id, artist_id) WHERE (artist_id IS NOT NULL);

--
-- Name: music_contract_splits_party_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_contract_splits_party_key ON mediabase.music_contract_splits USING btree (organization_id, contract_id, party, COALESCE(artist_id, producer_id), COALESCE(label_name, ''::text));

--
-- Name: music_contract_splits_producer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_contract_splits_producer_idx ON mediabase.music_contract_splits USING btree (organization_id, producer_id) WHERE (producer_id IS NOT NULL);

--
-- Name: music_contracts_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_contracts_created_by_idx ON mediabase.music_contracts USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_contracts_one_signed; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_contracts_one_signed ON mediabase.music_contracts USING btree (organization_id, master_id) WHERE (status = 'signed'::text);

--
-- Name: music_contracts_signed_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_contracts_signed_by_idx ON mediabase.music_contracts USING btree (signed_by) WHERE (signed_by IS NOT NULL);

--
-- Name: music_dividends_asset_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_dividends_asset_idx ON mediabase.music_dividends USING btree (organization_id, asset_id);

--
-- Name: music_dividends_contract_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_dividends_contract_idx ON mediabase.music_dividends USING btree (organization_id, contract_id) WHERE (contract_id IS NOT NULL);

--
-- Name: music_dividends_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_dividends_created_by_idx ON mediabase.music_dividends USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_dividends_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_dividends_recent_idx ON mediabase.music_dividends USING btree (organization_id, created_at DESC, id DESC);

--
-- Name: music_ipo_allocations_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipo_allocations_account_idx ON mediabase.music_ipo_allocations USING btree (organization_id, account_id);

--
-- Name: music_ipo_allocations_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipo_allocations_created_by_idx ON mediabase.music_ipo_allocations USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_ipo_allocations_ipo_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipo_allocations_ipo_idx ON mediabase.music_ipo_allocations USING btree (organization_id, ipo_id, created_at);

--
-- Name: music_ipos_asset_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipos_asset_idx ON mediabase.music_ipos USING btree (organization_id, asset_id);

--
-- Name: music_ipos_cancel_entry_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipos_cancel_entry_idx ON mediabase.music_ipos USING btree (organization_id, cancel_entry_id) WHERE (cancel_entry_id IS NOT NULL);

--
-- Name: music_ipos_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipos_created_by_idx ON mediabase.music_ipos USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_ipos_issue_entry_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipos_issue_entry_idx ON mediabase.music_ipos USING btree (organization_id, issue_entry_id);

--
-- Name: music_ipos_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_ipos_master_idx ON mediabase.music_ipos USING btree (organization_id, master_id, created_at DESC);

--
-- Name: music_ipos_one_open; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_ipos_one_open ON mediabase.music_ipos USING btree (organization_id, master_id) WHERE (status = 'open'::text);

--
-- Name: music_journal_entries_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_journal_entries_created_by_idx ON mediabase.music_journal_entries USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_journal_entries_time_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_journal_entries_time_idx ON mediabase.music_journal_entries USING btree (organization_id, effective_at DESC, id DESC);

--
-- Name: music_journal_lines_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_journal_lines_account_idx ON mediabase.music_journal_lines USING btree (organization_id, account_id, asset_id);

--
-- Name: music_journal_lines_asset_block_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_journal_lines_asset_block_idx ON mediabase.music_journal_lines USING btree (organization_id, asset_id, block_number) INCLUDE (account_id, amount) WHERE (block_number IS NOT NULL);

--
-- Name: music_journal_lines_asset_time_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_journal_lines_asset_time_idx ON mediabase.music_journal_lines USING btree (organization_id, asset_id, effective_at) INCLUDE (account_id, amount);

--
-- Name: music_liquidity_snapshots_time_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_liquidity_snapshots_time_idx ON mediabase.music_liquidity_snapshots USING btree (organization_id, coin_id, observed_at);

--
-- Name: music_master_credits_producer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_master_credits_producer_idx ON mediabase.music_master_credits USING btree (organization_id, producer_id);

--
-- Name: music_masters_artist_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_masters_artist_idx ON mediabase.music_masters USING btree (organization_id, artist_id, created_at DESC);

--
-- Name: music_masters_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_masters_created_by_idx ON mediabase.music_masters USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_masters_isrc_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_masters_isrc_key ON mediabase.music_masters USING btree (organization_id, isrc) WHERE (isrc IS NOT NULL);

--
-- Name: music_masters_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_masters_status_idx ON mediabase.music_masters USING btree (organization_id, status, created_at DESC);

--
-- Name: music_masters_video_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX music_masters_video_key ON mediabase.music_masters USING btree (organization_id, video_id) WHERE (video_id IS NOT NULL);

--
-- Name: music_nfts_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_nfts_master_idx ON mediabase.music_nfts USING btree (organization_id, master_id) WHERE (master_id IS NOT NULL);

--
-- Name: music_payouts_account_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_payouts_account_idx ON mediabase.music_payouts USING btree (organization_id, account_id, dividend_id) INCLUDE (status, currency, amount);

--
-- Name: music_producers_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_producers_user_idx ON mediabase.music_producers USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: music_revenue_events_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_revenue_events_created_by_idx ON mediabase.music_revenue_events USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_revenue_events_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_revenue_events_master_idx ON mediabase.music_revenue_events USING btree (organization_id, master_id, currency, period_start) INCLUDE (amount);

--
-- Name: music_roles_granted_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_roles_granted_by_idx ON mediabase.music_roles USING btree (granted_by) WHERE (granted_by IS NOT NULL);

--
-- Name: music_roles_role_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_roles_role_idx ON mediabase.music_roles USING btree (organization_id, role, granted_at);

--
-- Name: music_studio_sessions_asset_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_studio_sessions_asset_idx ON mediabase.music_studio_sessions USING btree (organization_id, asset_id) WHERE (asset_id IS NOT NULL);

--
-- Name: music_studio_sessions_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_studio_sessions_created_by_idx ON mediabase.music_studio_sessions USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: music_studio_sessions_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_studio_sessions_master_idx ON mediabase.music_studio_sessions USING btree (organization_id, master_id, opens_at DESC);

--
-- Name: music_studio_votes_option_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_studio_votes_option_idx ON mediabase.music_studio_votes USING btree (organization_id, session_id, option_id);

--
-- Name: music_studio_votes_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_studio_votes_user_idx ON mediabase.music_studio_votes USING btree (organization_id, user_id);

--
-- Name: music_transfers_block_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_transfers_block_idx ON mediabase.music_transfers USING btree (organization_id, chain_id, block_hash);

--
-- Name: music_transfers_contract_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_transfers_contract_idx ON mediabase.music_transfers USING btree (organization_id, contract_id, block_number);

--
-- Name: music_transfers_posted_entry_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_transfers_posted_entry_idx ON mediabase.music_transfers USING btree (organization_id, posted_entry_id) WHERE (posted_entry_id IS NOT NULL);

--
-- Name: music_transfers_to_reverse_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX music_transfers_to_reverse_idx ON mediabase.music_transfers USING btree (organization_id, chain_id, block_number) WHERE ((posted_entry_id IS NOT NULL) AND (NOT canonical));

--
-- Name: notification_digests_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notification_digests_user_idx ON mediabase.notification_digests USING btree (organization_id, user_id, created_at DESC);

--
-- Name: notifications_actor_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_actor_id_idx ON mediabase.notifications USING btree (actor_id) WHERE (actor_id IS NOT NULL);

--
-- Name: notifications_dedupe_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX notifications_dedupe_key ON mediabase.notifications USING btree (organization_id, user_id, dedupe_key) WHERE (dedupe_key IS NOT NULL);

--
-- Name: notifications_digest_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_digest_idx ON mediabase.notifications USING btree (organization_id, digest_id) WHERE (digest_id IS NOT NULL);

--
-- Name: notifications_digest_pending_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_digest_pending_idx ON mediabase.notifications USING btree (organization_id, user_id, delivery, created_at) WHERE ((digest_id IS NULL) AND (delivery <> 'instant'::text));

--
-- Name: notifications_organization_id_action_item_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_organization_id_action_item_id_idx ON mediabase.notifications USING btree (organization_id, action_item_id) WHERE (action_item_id IS NOT NULL);

--
-- Name: notifications_organization_id_comment_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_organization_id_comment_id_idx ON mediabase.notifications USING btree (organization_id, comment_id) WHERE (comment_id IS NOT NULL);

--
-- Name: notifications_organization_id_decision_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_organization_id_decision_id_idx ON mediabase.notifications USING btree (organization_id, decision_id) WHERE (decision_id IS NOT NULL);

--
-- Name: notifications_organization_id_tag_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_organization_id_tag_id_idx ON mediabase.notifications USING btree (organization_id, tag_id) WHERE (tag_id IS NOT NULL);

--
-- Name: notifications_organization_id_video_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_organization_id_video_id_idx ON mediabase.notifications USING btree (organization_id, video_id) WHERE (video_id IS NOT NULL);

--
-- Name: notifications_retention_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_retention_idx ON mediabase.notifications USING btree (created_at, ((read_at IS NULL)));

--
-- Name: notifications_unread_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_unread_idx ON mediabase.notifications USING btree (organization_id, user_id, created_at DESC) WHERE (read_at IS NULL);

--
-- Name: notifications_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_user_idx ON mediabase.notifications USING btree (organization_id, user_id, created_at DESC);

--
-- Name: notifications_workflow_run_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX notifications_workflow_run_idx ON mediabase.notifications USING btree (organization_id, workflow_run_id) WHERE (workflow_run_id IS NOT NULL);

--
-- Name: oauth_accounts_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX oauth_accounts_user_idx ON mediabase.oauth_accounts USING btree (user_id);

--
-- Name: organizations_personal_user_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX organizations_personal_user_key ON mediabase.organizations USING btree (personal_user_id) WHERE (personal_user_id IS NOT NULL);

--
-- Name: people_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX people_name_key ON mediabase.people USING btree (organization_id, lower(name));

--
-- Name: people_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX people_user_id_idx ON mediabase.people USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: people_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX people_user_idx ON mediabase.people USING btree (organization_id, user_id) WHERE (user_id IS NOT NULL);

--
-- Name: quote_cards_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX quote_cards_created_by_idx ON mediabase.quote_cards USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: quote_cards_organization_id_video_id_speaker_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX quote_cards_organization_id_video_id_speaker_id_idx ON mediabase.quote_cards USING btree (organization_id, video_id, speaker_id) WHERE (speaker_id IS NOT NULL);

--
-- Name: quote_cards_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX quote_cards_video_idx ON mediabase.quote_cards USING btree (organization_id, video_id, start_ms);

--
-- Name: retention_runs_started_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX retention_runs_started_idx ON mediabase.retention_runs USING btree (started_at DESC);

--
-- Name: security_events_actor_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_actor_idx ON ONLY mediabase.security_events USING btree (organization_id, actor_user_id, occurred_at, id) WHERE (actor_user_id IS NOT NULL);

--
-- Name: security_events_default_organization_id_actor_user_id_occur_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_default_organization_id_actor_user_id_occur_idx ON mediabase.security_events_default USING btree (organization_id, actor_user_id, occurred_at, id) WHERE (actor_user_id IS NOT NULL);

--
-- Name: security_events_kind_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_kind_idx ON ONLY mediabase.security_events USING btree (organization_id, kind, occurred_at, id);

--
-- Name: security_events_default_organization_id_kind_occurred_at_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_default_organization_id_kind_occurred_at_id_idx ON mediabase.security_events_default USING btree (organization_id, kind, occurred_at, id);

--
-- Name: security_events_subject_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_subject_idx ON ONLY mediabase.security_events USING btree (organization_id, subject_id, occurred_at, id) WHERE (subject_id IS NOT NULL);

--
-- Name: security_events_default_organization_id_subject_id_occurred_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX security_events_default_organization_id_subject_id_occurred_idx ON mediabase.security_events_default USING btree (organization_id, subject_id, occurred_at, id) WHERE (subject_id IS NOT NULL);

--
-- Name: series_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX series_created_by_idx ON mediabase.series USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: series_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX series_name_key ON mediabase.series USING btree (organization_id, lower(name));

--
-- Name: sessions_active_organization_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX sessions_active_organization_idx ON mediabase.sessions USING btree (active_organization_id);

--
-- Name: sessions_expires_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX sessions_expires_idx ON mediabase.sessions USING btree (expires_at);

--
-- Name: sessions_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX sessions_user_idx ON mediabase.sessions USING btree (user_id, created_at);

--
-- Name: share_links_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX share_links_created_by_idx ON mediabase.share_links USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: share_links_retention_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX share_links_retention_idx ON mediabase.share_links USING btree (LEAST(revoked_at, expires_at)) WHERE ((revoked_at IS NOT NULL) OR (expires_at IS NOT NULL));

--
-- Name: share_links_revoked_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX share_links_revoked_by_idx ON mediabase.share_links USING btree (revoked_by) WHERE (revoked_by IS NOT NULL);

--
-- Name: share_links_token_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX share_links_token_idx ON mediabase.share_links USING btree (token_sha256);

--
-- Name: share_links_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX share_links_video_idx ON mediabase.share_links USING btree (organization_id, video_id, created_at DESC);

--
-- Name: speakers_person_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX speakers_person_idx ON mediabase.speakers USING btree (organization_id, person_id) WHERE (person_id IS NOT NULL);

--
-- Name: story_bibles_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_bibles_created_by_idx ON mediabase.story_bibles USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: story_bibles_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_bibles_search_idx ON mediabase.story_bibles USING gin (organization_id, search_vector);

--
-- Name: story_bibles_segment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_bibles_segment_idx ON mediabase.story_bibles USING btree (organization_id, created_by_segment_id) WHERE (created_by_segment_id IS NOT NULL);

--
-- Name: story_continuations_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_continuations_scene_idx ON mediabase.story_continuations USING btree (organization_id, scene_id, created_at DESC, job_id DESC);

--
-- Name: story_continuations_segment_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_continuations_segment_key ON mediabase.story_continuations USING btree (organization_id, segment_id) WHERE (segment_id IS NOT NULL);

--
-- Name: story_continuations_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_continuations_user_idx ON mediabase.story_continuations USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_counter_deltas_idea_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_counter_deltas_idea_idx ON mediabase.story_counter_deltas USING btree (organization_id, idea_id) WHERE (idea_id IS NOT NULL);

--
-- Name: story_counter_deltas_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_counter_deltas_scene_idx ON mediabase.story_counter_deltas USING btree (organization_id, scene_id) WHERE (scene_id IS NOT NULL);

--
-- Name: story_flags_idea_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_idea_idx ON mediabase.story_flags USING btree (organization_id, idea_id) WHERE (idea_id IS NOT NULL);

--
-- Name: story_flags_member_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_member_idx ON mediabase.story_flags USING btree (organization_id, member_id) WHERE (member_id IS NOT NULL);

--
-- Name: story_flags_open_idea_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_flags_open_idea_key ON mediabase.story_flags USING btree (organization_id, idea_id, reporter_id) NULLS NOT DISTINCT WHERE ((status = ANY (ARRAY['pending'::text, 'reviewing'::text])) AND (idea_id IS NOT NULL));

--
-- Name: story_flags_open_member_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_flags_open_member_key ON mediabase.story_flags USING btree (organization_id, member_id, reporter_id) NULLS NOT DISTINCT WHERE ((status = ANY (ARRAY['pending'::text, 'reviewing'::text])) AND (member_id IS NOT NULL));

--
-- Name: story_flags_open_scene_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_flags_open_scene_key ON mediabase.story_flags USING btree (organization_id, scene_id, reporter_id) NULLS NOT DISTINCT WHERE ((status = ANY (ARRAY['pending'::text, 'reviewing'::text])) AND (scene_id IS NOT NULL));

--
-- Name: story_flags_open_segment_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_flags_open_segment_key ON mediabase.story_flags USING btree (organization_id, segment_id, reporter_id) NULLS NOT DISTINCT WHERE ((status = ANY (ARRAY['pending'::text, 'reviewing'::text])) AND (segment_id IS NOT NULL));

--
-- Name: story_flags_open_topic_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_flags_open_topic_key ON mediabase.story_flags USING btree (organization_id, topic_id, reporter_id) NULLS NOT DISTINCT WHERE ((status = ANY (ARRAY['pending'::text, 'reviewing'::text])) AND (topic_id IS NOT NULL));

--
-- Name: story_flags_pending_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_pending_idx ON mediabase.story_flags USING btree (organization_id, created_at, id) WHERE (status = 'pending'::text);

--
-- Name: story_flags_reporter_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_reporter_idx ON mediabase.story_flags USING btree (reporter_id) WHERE (reporter_id IS NOT NULL);

--
-- Name: story_flags_reviewed_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_reviewed_by_idx ON mediabase.story_flags USING btree (reviewed_by) WHERE (reviewed_by IS NOT NULL);

--
-- Name: story_flags_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_scene_idx ON mediabase.story_flags USING btree (organization_id, scene_id) WHERE (scene_id IS NOT NULL);

--
-- Name: story_flags_segment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_segment_idx ON mediabase.story_flags USING btree (organization_id, segment_id) WHERE (segment_id IS NOT NULL);

--
-- Name: story_flags_topic_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_flags_topic_idx ON mediabase.story_flags USING btree (organization_id, topic_id) WHERE (topic_id IS NOT NULL);

--
-- Name: story_ideas_category_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_category_idx ON mediabase.story_ideas USING btree (organization_id, topic_id, category_id) WHERE (category_id IS NOT NULL);

--
-- Name: story_ideas_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_search_idx ON mediabase.story_ideas USING gin (organization_id, search_vector);

--
-- Name: story_ideas_tags_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_tags_idx ON mediabase.story_ideas USING gin (organization_id, tags);

--
-- Name: story_ideas_topic_liked_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_topic_liked_idx ON mediabase.story_ideas USING btree (organization_id, topic_id, like_count DESC, id DESC);

--
-- Name: story_ideas_topic_new_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_topic_new_idx ON mediabase.story_ideas USING btree (organization_id, topic_id, created_at DESC, id DESC);

--
-- Name: story_ideas_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_ideas_user_idx ON mediabase.story_ideas USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_likes_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_likes_user_idx ON mediabase.story_likes USING btree (organization_id, user_id, created_at DESC);

--
-- Name: story_publications_published_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_publications_published_by_idx ON mediabase.story_publications USING btree (published_by) WHERE (published_by IS NOT NULL);

--
-- Name: story_scene_summaries_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scene_summaries_created_by_idx ON mediabase.story_scene_summaries USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: story_scene_views_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scene_views_scene_idx ON ONLY mediabase.story_scene_views USING btree (organization_id, scene_id, viewed_at);

--
-- Name: story_scene_views_default_organization_id_scene_id_viewed_a_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scene_views_default_organization_id_scene_id_viewed_a_idx ON mediabase.story_scene_views_default USING btree (organization_id, scene_id, viewed_at);

--
-- Name: story_scene_views_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scene_views_user_idx ON ONLY mediabase.story_scene_views USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_scene_views_default_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scene_views_default_user_id_idx ON mediabase.story_scene_views_default USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_scenes_idea_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scenes_idea_idx ON mediabase.story_scenes USING btree (organization_id, topic_id, idea_id);

--
-- Name: story_scenes_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scenes_search_idx ON mediabase.story_scenes USING gin (organization_id, search_vector);

--
-- Name: story_scenes_topic_recent_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scenes_topic_recent_idx ON mediabase.story_scenes USING btree (organization_id, topic_id, COALESCE(last_segment_at, created_at) DESC, id DESC);

--
-- Name: story_scenes_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_scenes_user_idx ON mediabase.story_scenes USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_segments_bible_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_segments_bible_idx ON mediabase.story_segments USING btree (organization_id, scene_id, bible_version);

--
-- Name: story_segments_contributor_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_segments_contributor_idx ON mediabase.story_segments USING btree (organization_id, scene_id, user_id);

--
-- Name: story_segments_job_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX story_segments_job_key ON mediabase.story_segments USING btree (organization_id, job_id) WHERE (job_id IS NOT NULL);

--
-- Name: story_segments_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_segments_search_idx ON mediabase.story_segments USING gin (organization_id, search_vector);

--
-- Name: story_segments_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_segments_user_idx ON mediabase.story_segments USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: story_topics_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_topics_created_by_idx ON mediabase.story_topics USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: story_topics_order_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_topics_order_idx ON mediabase.story_topics USING btree (organization_id, display_order, name);

--
-- Name: story_user_topics_promoted_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_user_topics_promoted_idx ON mediabase.story_user_topics USING btree (organization_id, promoted_topic_id) WHERE (promoted_topic_id IS NOT NULL);

--
-- Name: story_user_topics_reviewed_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_user_topics_reviewed_by_idx ON mediabase.story_user_topics USING btree (reviewed_by) WHERE (reviewed_by IS NOT NULL);

--
-- Name: story_user_topics_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_user_topics_status_idx ON mediabase.story_user_topics USING btree (organization_id, status, created_at);

--
-- Name: story_user_topics_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX story_user_topics_user_idx ON mediabase.story_user_topics USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: transcript_chunks_hnsw_all_minilm_l6_v2_384_635c7b1b; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_chunks_hnsw_all_minilm_l6_v2_384_635c7b1b ON mediabase.transcript_chunks USING hnsw (((embedding)::mediabase.vector(384)) mediabase.vector_cosine_ops) WITH (m='16', ef_construction='64') WHERE (model = 'all-MiniLM-L6-v2'::text);

--
-- Name: transcript_chunks_transcript_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_chunks_transcript_idx ON mediabase.transcript_chunks USING btree (organization_id, transcript_id, model, first_seq);

--
-- Name: transcript_chunks_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_chunks_video_idx ON mediabase.transcript_chunks USING btree (organization_id, video_id, model);

--
-- Name: transcript_segments_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_segments_search_idx ON mediabase.transcript_segments USING gin (organization_id, search_vector);

--
-- Name: transcript_segments_speaker_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_segments_speaker_idx ON mediabase.transcript_segments USING btree (organization_id, speaker_id) WHERE (speaker_id IS NOT NULL);

--
-- Name: transcript_segments_video_time_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcript_segments_video_time_idx ON mediabase.transcript_segments USING btree (organization_id, video_id, start_ms);

--
-- Name: transcripts_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX transcripts_created_by_idx ON mediabase.transcripts USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: transcripts_one_current; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX transcripts_one_current ON mediabase.transcripts USING btree (organization_id, video_id) WHERE is_current;

--
-- Name: user_consents_latest_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX user_consents_latest_idx ON mediabase.user_consents USING btree (user_id, purpose, recorded_at DESC, id DESC);

--
-- Name: user_tokens_expires_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX user_tokens_expires_idx ON mediabase.user_tokens USING btree (expires_at);

--
-- Name: user_tokens_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX user_tokens_user_idx ON mediabase.user_tokens USING btree (user_id, purpose, created_at);

--
-- Name: users_created_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX users_created_at_idx ON mediabase.users USING btree (created_at);

--
-- Name: users_email_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX users_email_key ON mediabase.users USING btree (lower(email));

--
-- Name: users_username_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX users_username_key ON mediabase.users USING btree (lower(username));

--
-- Name: video_clips_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_clips_created_by_idx ON mediabase.video_clips USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: video_clips_moment_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_clips_moment_idx ON mediabase.video_clips USING btree (organization_id, moment_id) WHERE (moment_id IS NOT NULL);

--
-- Name: video_clips_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_clips_status_idx ON mediabase.video_clips USING btree (organization_id, status, created_at);

--
-- Name: video_clips_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_clips_video_idx ON mediabase.video_clips USING btree (organization_id, video_id, start_ms);

--
-- Name: video_moments_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_moments_created_by_idx ON mediabase.video_moments USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: video_moments_layer_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_moments_layer_idx ON mediabase.video_moments USING btree (organization_id, layer_id) WHERE (layer_id IS NOT NULL);

--
-- Name: video_moments_video_time_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_moments_video_time_idx ON mediabase.video_moments USING btree (organization_id, video_id, start_ms);

--
-- Name: video_progress_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_progress_video_idx ON mediabase.video_progress USING btree (organization_id, video_id);

--
-- Name: video_tags_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX video_tags_key ON mediabase.video_tags USING btree (organization_id, video_id, lower(tag));

--
-- Name: video_tags_tag_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX video_tags_tag_idx ON mediabase.video_tags USING btree (organization_id, lower(tag));

--
-- Name: videos_author_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_author_id_idx ON mediabase.videos USING btree (author_id) WHERE (author_id IS NOT NULL);

--
-- Name: videos_deleted_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_deleted_idx ON mediabase.videos USING btree (organization_id, deleted_at) WHERE (deleted_at IS NOT NULL);

--
-- Name: videos_org_author_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_author_idx ON mediabase.videos USING btree (organization_id, author_id);

--
-- Name: videos_org_channel_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_channel_idx ON mediabase.videos USING btree (organization_id, channel_id) WHERE (channel_id IS NOT NULL);

--
-- Name: videos_org_collection_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_collection_idx ON mediabase.videos USING btree (organization_id, collection_id) WHERE (collection_id IS NOT NULL);

--
-- Name: videos_org_created_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_created_idx ON mediabase.videos USING btree (organization_id, created_at DESC, id DESC) WHERE (deleted_at IS NULL);

--
-- Name: videos_org_recorded_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_recorded_idx ON mediabase.videos USING btree (organization_id, recorded_at);

--
-- Name: videos_org_series_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_org_series_idx ON mediabase.videos USING btree (organization_id, series_id) WHERE (series_id IS NOT NULL);

--
-- Name: videos_retention_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_retention_idx ON mediabase.videos USING btree (retention_until) WHERE (retention_until IS NOT NULL);

--
-- Name: videos_search_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX videos_search_idx ON mediabase.videos USING gin (organization_id, search_vector);

--
-- Name: videos_source_key_unique; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX videos_source_key_unique ON mediabase.videos USING btree (organization_id, source_key) WHERE ((deleted_at IS NULL) AND (source_key IS NOT NULL));

--
-- Name: view_events_master_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_master_idx ON ONLY mediabase.view_events USING btree (organization_id, master_id, occurred_at) WHERE (master_id IS NOT NULL);

--
-- Name: view_events_default_organization_id_master_id_occurred_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_default_organization_id_master_id_occurred_at_idx ON mediabase.view_events_default USING btree (organization_id, master_id, occurred_at) WHERE (master_id IS NOT NULL);

--
-- Name: view_events_scene_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_scene_idx ON ONLY mediabase.view_events USING btree (organization_id, scene_id, occurred_at) WHERE (scene_id IS NOT NULL);

--
-- Name: view_events_default_organization_id_scene_id_occurred_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_default_organization_id_scene_id_occurred_at_idx ON mediabase.view_events_default USING btree (organization_id, scene_id, occurred_at) WHERE (scene_id IS NOT NULL);

--
-- Name: view_events_video_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_video_idx ON ONLY mediabase.view_events USING btree (organization_id, video_id, occurred_at) WHERE (video_id IS NOT NULL);

--
-- Name: view_events_default_organization_id_video_id_occurred_at_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_default_organization_id_video_id_occurred_at_idx ON mediabase.view_events_default USING btree (organization_id, video_id, occurred_at) WHERE (video_id IS NOT NULL);

--
-- Name: view_events_user_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_user_idx ON ONLY mediabase.view_events USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: view_events_default_user_id_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX view_events_default_user_id_idx ON mediabase.view_events_default USING btree (user_id) WHERE (user_id IS NOT NULL);

--
-- Name: webhook_deliveries_endpoint_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX webhook_deliveries_endpoint_idx ON mediabase.webhook_deliveries USING btree (organization_id, endpoint_id, id);

--
-- Name: webhook_deliveries_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX webhook_deliveries_status_idx ON mediabase.webhook_deliveries USING btree (organization_id, status, id);

--
-- Name: webhook_endpoint_types_type_fk_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX webhook_endpoint_types_type_fk_idx ON mediabase.webhook_endpoint_types USING btree (type);

--
-- Name: webhook_endpoint_types_type_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX webhook_endpoint_types_type_idx ON mediabase.webhook_endpoint_types USING btree (organization_id, type, endpoint_id);

--
-- Name: workflow_runs_event_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX workflow_runs_event_key ON mediabase.workflow_runs USING btree (organization_id, template_id, event_id) WHERE (trigger = 'event'::text);

--
-- Name: workflow_runs_running_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_runs_running_idx ON mediabase.workflow_runs USING btree (organization_id, id) WHERE (status = 'running'::text);

--
-- Name: workflow_runs_status_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_runs_status_idx ON mediabase.workflow_runs USING btree (organization_id, status, id);

--
-- Name: workflow_runs_template_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_runs_template_idx ON mediabase.workflow_runs USING btree (organization_id, template_id, template_version, id);

--
-- Name: workflow_templates_created_by_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_templates_created_by_idx ON mediabase.workflow_templates USING btree (created_by) WHERE (created_by IS NOT NULL);

--
-- Name: workflow_templates_name_key; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE UNIQUE INDEX workflow_templates_name_key ON mediabase.workflow_templates USING btree (organization_id, lower(name));

--
-- Name: workflow_templates_trigger_fk_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_templates_trigger_fk_idx ON mediabase.workflow_templates USING btree (trigger_event_type);

--
-- Name: workflow_templates_trigger_idx; Type: INDEX; Schema: mediabase; Owner: -
--

CREATE INDEX workflow_templates_trigger_idx ON mediabase.workflow_templates USING btree (organization_id, trigger_event_type) WHERE enabled;

--
-- Name: audit_log_default_organization_id_actor_id_occurred_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.audit_log_actor_idx ATTACH PARTITION mediabase.audit_log_default_organization_id_actor_id_occurred_at_idx;

--
-- Name: audit_log_default_organization_id_table_name_row_id_occurre_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.audit_log_row_idx ATTACH PARTITION mediabase.audit_log_default_organization_id_table_name_row_id_occurre_idx;

--
-- Name: audit_log_default_pkey; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.audit_log_pkey ATTACH PARTITION mediabase.audit_log_default_pkey;

--
-- Name: jobs_default_created_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_failed_idx ATTACH PARTITION mediabase.jobs_default_created_at_idx;

--
-- Name: jobs_default_id_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_processing_idx ATTACH PARTITION mediabase.jobs_default_id_idx;

--
-- Name: jobs_default_lease_expires_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_lease_idx ATTACH PARTITION mediabase.jobs_default_lease_expires_at_idx;

--
-- Name: jobs_default_organization_id_created_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_org_created_idx ATTACH PARTITION mediabase.jobs_default_organization_id_created_at_idx;

--
-- Name: jobs_default_pkey; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_pkey ATTACH PARTITION mediabase.jobs_default_pkey;

--
-- Name: jobs_default_priority_run_after_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.jobs_ready_idx ATTACH PARTITION mediabase.jobs_default_priority_run_after_idx;

--
-- Name: security_events_default_organization_id_actor_user_id_occur_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.security_events_actor_idx ATTACH PARTITION mediabase.security_events_default_organization_id_actor_user_id_occur_idx;

--
-- Name: security_events_default_organization_id_kind_occurred_at_id_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.security_events_kind_idx ATTACH PARTITION mediabase.security_events_default_organization_id_kind_occurred_at_id_idx;

--
-- Name: security_events_default_organization_id_subject_id_occurred_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.security_events_subject_idx ATTACH PARTITION mediabase.security_events_default_organization_id_subject_id_occurred_idx;

--
-- Name: security_events_default_pkey; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.security_events_pkey ATTACH PARTITION mediabase.security_events_default_pkey;

--
-- Name: story_scene_views_default_organization_id_scene_id_viewed_a_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.story_scene_views_scene_idx ATTACH PARTITION mediabase.story_scene_views_default_organization_id_scene_id_viewed_a_idx;

--
-- Name: story_scene_views_default_pkey; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.story_scene_views_pkey ATTACH PARTITION mediabase.story_scene_views_default_pkey;

--
-- Name: story_scene_views_default_user_id_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.story_scene_views_user_idx ATTACH PARTITION mediabase.story_scene_views_default_user_id_idx;

--
-- Name: view_events_default_organization_id_master_id_occurred_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.view_events_master_idx ATTACH PARTITION mediabase.view_events_default_organization_id_master_id_occurred_at_idx;

--
-- Name: view_events_default_organization_id_scene_id_occurred_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.view_events_scene_idx ATTACH PARTITION mediabase.view_events_default_organization_id_scene_id_occurred_at_idx;

--
-- Name: view_events_default_organization_id_video_id_occurred_at_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.view_events_video_idx ATTACH PARTITION mediabase.view_events_default_organization_id_video_id_occurred_at_idx;

--
-- Name: view_events_default_pkey; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.view_events_pkey ATTACH PARTITION mediabase.view_events_default_pkey;

--
-- Name: view_events_default_user_id_idx; Type: INDEX ATTACH; Schema: mediabase; Owner: -
--

ALTER INDEX mediabase.view_events_user_idx ATTACH PARTITION mediabase.view_events_default_user_id_idx;

--
-- Name: memberships ai_action_items_assignee_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_assignee_fk_set_null BEFORE DELETE ON mediabase.memberships FOR EACH ROW EXECUTE FUNCTION mediabase.ai_action_items_assignee_fk_set_null();

--
-- Name: ai_action_items ai_action_items_completion; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_completion BEFORE INSERT OR UPDATE OF status ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.ai_action_items_completion();

--
-- Name: ai_action_items ai_action_items_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_immutable BEFORE UPDATE ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'layer_id', 'created_by', 'created_at');

--
-- Name: ai_action_items ai_action_items_notify; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_notify AFTER INSERT OR UPDATE OF assignee_user_id ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.notify_action_item_assigned();

--
-- Name: ai_action_items ai_action_items_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_touch BEFORE UPDATE ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: ai_action_items ai_action_items_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_action_items_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('start_ms', 'end_ms');

--
-- Name: ai_layers ai_layers_activate; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_activate BEFORE INSERT OR UPDATE OF status ON mediabase.ai_layers FOR EACH ROW EXECUTE FUNCTION mediabase.activate_ai_layer();

--
-- Name: ai_layers ai_layers_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_immutable BEFORE UPDATE ON mediabase.ai_layers FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'kind', 'created_at', 'created_by');

--
-- Name: ai_layers ai_layers_refresh_topics; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_refresh_topics AFTER UPDATE OF status ON mediabase.ai_layers FOR EACH ROW WHEN (((new.kind = 'topics'::text) AND (old.status IS DISTINCT FROM new.status))) EXECUTE FUNCTION mediabase.ai_layers_refresh_topics();

--
-- Name: ai_layers ai_layers_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.ai_layers FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>pending', '>running', '>ready', 'pending>running', 'pending>ready', 'pending>failed', 'running>ready', 'running>failed', 'running>pending', 'failed>pending', 'ready>superseded', 'superseded>ready');

--
-- Name: ai_layers ai_layers_superseded_by_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_superseded_by_fk_set_null BEFORE DELETE ON mediabase.ai_layers FOR EACH ROW EXECUTE FUNCTION mediabase.ai_layers_superseded_by_fk_set_null();

--
-- Name: transcripts ai_layers_transcript_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_layers_transcript_fk_set_null BEFORE DELETE ON mediabase.transcripts FOR EACH ROW EXECUTE FUNCTION mediabase.ai_layers_transcript_fk_set_null();

--
-- Name: ai_topic_mentions ai_topic_mentions_refresh_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topic_mentions_refresh_del AFTER DELETE ON mediabase.ai_topic_mentions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.ai_topic_mentions_refresh();

--
-- Name: ai_topic_mentions ai_topic_mentions_refresh_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topic_mentions_refresh_ins AFTER INSERT ON mediabase.ai_topic_mentions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.ai_topic_mentions_refresh();

--
-- Name: ai_topic_mentions ai_topic_mentions_refresh_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topic_mentions_refresh_upd AFTER UPDATE ON mediabase.ai_topic_mentions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.ai_topic_mentions_refresh();

--
-- Name: ai_topic_mentions ai_topic_mentions_when; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topic_mentions_when BEFORE INSERT ON mediabase.ai_topic_mentions FOR EACH ROW EXECUTE FUNCTION mediabase.ai_topic_mentions_when();

--
-- Name: ai_topic_mentions ai_topic_mentions_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topic_mentions_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON mediabase.ai_topic_mentions FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('start_ms', 'end_ms');

--
-- Name: ai_topics ai_topics_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER ai_topics_touch BEFORE UPDATE ON mediabase.ai_topics FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: audit_log audit_log_append_only; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER audit_log_append_only BEFORE DELETE OR UPDATE ON mediabase.audit_log FOR EACH ROW EXECUTE FUNCTION mediabase.audit_log_append_only();

--
-- Name: audit_log audit_log_no_truncate; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON mediabase.audit_log FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_log_append_only();

--
-- Name: billing_invoice_lines billing_invoice_lines_total_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_invoice_lines_total_del AFTER DELETE ON mediabase.billing_invoice_lines REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_invoice_lines_total();

--
-- Name: billing_invoice_lines billing_invoice_lines_total_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_invoice_lines_total_ins AFTER INSERT ON mediabase.billing_invoice_lines REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_invoice_lines_total();

--
-- Name: billing_invoice_lines billing_invoice_lines_total_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_invoice_lines_total_upd AFTER UPDATE ON mediabase.billing_invoice_lines REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_invoice_lines_total();

--
-- Name: billing_invoices billing_invoices_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_invoices_status_transition BEFORE UPDATE OF status ON mediabase.billing_invoices FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION mediabase.billing_check_step('billing_invoices', 'invoice');

--
-- Name: billing_invoices billing_invoices_total_is_lines; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER billing_invoices_total_is_lines AFTER INSERT OR UPDATE OF total ON mediabase.billing_invoices DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.billing_invoices_check_total();

--
-- Name: billing_payments billing_payments_refunded_guard; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_payments_refunded_guard BEFORE INSERT OR UPDATE ON mediabase.billing_payments FOR EACH ROW EXECUTE FUNCTION mediabase.billing_payments_refunded_guard();

--
-- Name: billing_payments billing_payments_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_payments_status_transition BEFORE UPDATE OF status ON mediabase.billing_payments FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION mediabase.billing_check_step('billing_payments', 'payment');

--
-- Name: billing_refunds billing_refunds_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_refunds_status_transition BEFORE UPDATE OF status ON mediabase.billing_refunds FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION mediabase.billing_check_step('billing_refunds', 'refund');

--
-- Name: billing_refunds billing_refunds_sum_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_refunds_sum_del AFTER DELETE ON mediabase.billing_refunds REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_refunds_sum();

--
-- Name: billing_refunds billing_refunds_sum_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_refunds_sum_ins AFTER INSERT ON mediabase.billing_refunds REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_refunds_sum();

--
-- Name: billing_refunds billing_refunds_sum_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_refunds_sum_upd AFTER UPDATE ON mediabase.billing_refunds REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.billing_refunds_sum();

--
-- Name: billing_subscriptions billing_subscriptions_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_subscriptions_status_transition BEFORE UPDATE OF status ON mediabase.billing_subscriptions FOR EACH ROW WHEN ((old.status IS DISTINCT FROM new.status)) EXECUTE FUNCTION mediabase.billing_check_step('billing_subscriptions', 'subscription');

--
-- Name: billing_subscriptions billing_subscriptions_subscriber; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER billing_subscriptions_subscriber BEFORE INSERT OR UPDATE ON mediabase.billing_subscriptions FOR EACH ROW EXECUTE FUNCTION mediabase.billing_subscriptions_subscriber();

--
-- Name: channels channels_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER channels_touch BEFORE UPDATE ON mediabase.channels FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: collections collections_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER collections_touch BEFORE UPDATE ON mediabase.collections FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: comment_reactions comment_reactions_live; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comment_reactions_live BEFORE INSERT ON mediabase.comment_reactions FOR EACH ROW EXECUTE FUNCTION mediabase.comment_reactions_live();

--
-- Name: comments comments_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comments_immutable BEFORE UPDATE ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'parent_id', 'author_id', 'created_at');

--
-- Name: comments comments_notify; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comments_notify AFTER INSERT ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.notify_comment();

--
-- Name: comments comments_rules; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comments_rules BEFORE INSERT OR UPDATE ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.comments_rules();

--
-- Name: comments comments_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comments_touch BEFORE UPDATE ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: comments comments_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER comments_within_video BEFORE INSERT OR UPDATE OF position_ms ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('position_ms');

--
-- Name: decision_links decision_links_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_links_immutable BEFORE UPDATE ON mediabase.decision_links FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('decision_id', 'target_decision_id', 'link_type');

--
-- Name: decision_links decision_links_sync; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_links_sync AFTER INSERT OR DELETE ON mediabase.decision_links FOR EACH ROW EXECUTE FUNCTION mediabase.decision_links_sync();

--
-- Name: decision_links decision_links_trail; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_links_trail AFTER INSERT OR DELETE ON mediabase.decision_links FOR EACH ROW EXECUTE FUNCTION mediabase.decision_trail_members();

--
-- Name: decision_participants decision_participants_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_participants_immutable BEFORE UPDATE ON mediabase.decision_participants FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('decision_id', 'user_id', 'person_id');

--
-- Name: decision_participants decision_participants_trail; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_participants_trail AFTER INSERT OR DELETE ON mediabase.decision_participants FOR EACH ROW EXECUTE FUNCTION mediabase.decision_trail_members();

--
-- Name: decision_tag_assignments decision_tag_assignments_notify; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_tag_assignments_notify AFTER INSERT ON mediabase.decision_tag_assignments FOR EACH ROW EXECUTE FUNCTION mediabase.notify_decision_tagged();

--
-- Name: decision_tag_assignments decision_tag_assignments_trail; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decision_tag_assignments_trail AFTER INSERT OR DELETE ON mediabase.decision_tag_assignments FOR EACH ROW EXECUTE FUNCTION mediabase.decision_trail_members();

--
-- Name: decisions decisions_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_immutable BEFORE UPDATE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('created_by', 'created_at', 'layer_id');

--
-- Name: decisions decisions_rules; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_rules BEFORE INSERT OR UPDATE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.decisions_rules();

--
-- Name: decisions decisions_superseded_by_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_superseded_by_fk_set_null BEFORE DELETE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.decisions_superseded_by_fk_set_null();

--
-- Name: decisions decisions_sync_links; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_sync_links AFTER INSERT OR UPDATE OF superseded_by ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.decisions_sync_links();

--
-- Name: decisions decisions_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_touch BEFORE UPDATE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: decisions decisions_trail; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_trail AFTER UPDATE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.decision_trail();

--
-- Name: videos decisions_video_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_video_fk_set_null BEFORE DELETE ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.decisions_video_fk_set_null();

--
-- Name: decisions decisions_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER decisions_within_video BEFORE INSERT OR UPDATE OF position_ms, video_id ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('position_ms');

--
-- Name: highlight_reel_clips highlight_reel_clips_rules; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER highlight_reel_clips_rules BEFORE INSERT OR DELETE OR UPDATE ON mediabase.highlight_reel_clips FOR EACH ROW EXECUTE FUNCTION mediabase.highlight_reel_clips_rules();

--
-- Name: highlight_reels highlight_reels_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER highlight_reels_immutable BEFORE UPDATE ON mediabase.highlight_reels FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('created_by', 'created_at');

--
-- Name: highlight_reels highlight_reels_rules; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER highlight_reels_rules BEFORE UPDATE OF status ON mediabase.highlight_reels FOR EACH ROW EXECUTE FUNCTION mediabase.highlight_reels_rules();

--
-- Name: highlight_reels highlight_reels_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER highlight_reels_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.highlight_reels FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>draft', 'draft>rendering', 'rendering>ready', 'rendering>failed', 'rendering>draft', 'ready>draft', 'failed>draft');

--
-- Name: highlight_reels highlight_reels_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER highlight_reels_touch BEFORE UPDATE ON mediabase.highlight_reels FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: memberships integration_accounts_connected_by_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_accounts_connected_by_fk_set_null BEFORE DELETE ON mediabase.memberships FOR EACH ROW EXECUTE FUNCTION mediabase.integration_accounts_connected_by_fk_set_null();

--
-- Name: integration_accounts integration_accounts_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_accounts_immutable BEFORE UPDATE ON mediabase.integration_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('provider', 'external_account_id', 'created_at');

--
-- Name: integration_accounts integration_accounts_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_accounts_touch BEFORE UPDATE ON mediabase.integration_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: integration_events integration_events_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_events_immutable BEFORE UPDATE ON mediabase.integration_events FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('account_id', 'provider', 'delivery_id', 'event_type', 'payload', 'body_sha256', 'received_at');

--
-- Name: integration_accounts integration_external_items_account_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_external_items_account_fk_set_null BEFORE DELETE ON mediabase.integration_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.integration_external_items_account_fk_set_null();

--
-- Name: integration_external_items integration_external_items_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_external_items_immutable BEFORE UPDATE ON mediabase.integration_external_items FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('provider', 'external_id', 'kind', 'account_id', 'video_id', 'transcript_id', 'imported_at');

--
-- Name: transcripts integration_external_items_transcript_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_external_items_transcript_fk_set_null BEFORE DELETE ON mediabase.transcripts FOR EACH ROW EXECUTE FUNCTION mediabase.integration_external_items_transcript_fk_set_null();

--
-- Name: videos integration_external_items_video_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER integration_external_items_video_fk_set_null BEFORE DELETE ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.integration_external_items_video_fk_set_null();

--
-- Name: jobs jobs_notify; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER jobs_notify AFTER INSERT ON mediabase.jobs FOR EACH STATEMENT EXECUTE FUNCTION mediabase.notify_jobs();

--
-- Name: mail_outbox mail_outbox_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER mail_outbox_immutable BEFORE UPDATE ON mediabase.mail_outbox FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('recipient_user_id', 'to_address', 'subject', 'body_text', 'body_html', 'kind', 'dedupe_key', 'max_attempts', 'created_at');

--
-- Name: mail_outbox mail_outbox_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER mail_outbox_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.mail_outbox FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>queued', 'queued>sending', 'failed>sending', 'sending>sent', 'sending>failed', 'sending>dead', 'sending>queued', 'failed>queued', 'dead>queued');

--
-- Name: mail_outbox mail_outbox_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER mail_outbox_touch BEFORE UPDATE ON mediabase.mail_outbox FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: memberships memberships_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER memberships_touch BEFORE UPDATE ON mediabase.memberships FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_accounts music_accounts_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_accounts_immutable BEFORE UPDATE ON mediabase.music_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('kind', 'user_id', 'address', 'created_at');

--
-- Name: music_artists music_artists_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_artists_touch BEFORE UPDATE ON mediabase.music_artists FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_assets music_assets_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_assets_immutable BEFORE UPDATE ON mediabase.music_assets FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('kind', 'master_id', 'decimals', 'supply_policy', 'created_at');

--
-- Name: music_blocks music_blocks_flip; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_blocks_flip AFTER UPDATE ON mediabase.music_blocks REFERENCING OLD TABLE AS flipped_old NEW TABLE AS flipped_new FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_blocks_flip();

--
-- Name: music_coins music_coins_check; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_coins_check BEFORE INSERT ON mediabase.music_coins FOR EACH ROW EXECUTE FUNCTION mediabase.music_coins_check();

--
-- Name: music_coins music_coins_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_coins_immutable BEFORE UPDATE ON mediabase.music_coins FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('artist_id', 'asset_id', 'created_by', 'created_at');

--
-- Name: music_coins music_coins_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_coins_touch BEFORE UPDATE ON mediabase.music_coins FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_contract_splits music_contract_splits_guard; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_contract_splits_guard BEFORE INSERT OR DELETE OR UPDATE ON mediabase.music_contract_splits FOR EACH ROW EXECUTE FUNCTION mediabase.music_contract_splits_guard();

--
-- Name: music_contract_splits music_contract_splits_sum; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER music_contract_splits_sum AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_contract_splits DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.music_contract_splits_sum_check();

--
-- Name: music_contracts music_contracts_allocate; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_contracts_allocate BEFORE INSERT ON mediabase.music_contracts FOR EACH ROW EXECUTE FUNCTION mediabase.music_contracts_allocate();

--
-- Name: music_contracts music_contracts_guard; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_contracts_guard BEFORE DELETE OR UPDATE ON mediabase.music_contracts FOR EACH ROW EXECUTE FUNCTION mediabase.music_contracts_guard();

--
-- Name: music_contracts music_contracts_splits_sum; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER music_contracts_splits_sum AFTER INSERT ON mediabase.music_contracts DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.music_contract_splits_sum_check();

--
-- Name: music_contracts music_contracts_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_contracts_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.music_contracts FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>draft', 'draft>signed', 'signed>superseded');

--
-- Name: music_dividends music_dividends_exact; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER music_dividends_exact AFTER INSERT ON mediabase.music_dividends DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.music_dividends_check_exact();

--
-- Name: music_dividends music_dividends_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_dividends_immutable BEFORE UPDATE ON mediabase.music_dividends FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('master_id', 'asset_id', 'period_start', 'period_end', 'currency', 'record_at', 'record_chain_id', 'record_block', 'revenue', 'investors_bps', 'contract_id', 'distributable', 'remainder', 'holders', 'total_holding', 'created_by', 'created_at');

--
-- Name: music_dividends music_dividends_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_dividends_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.music_dividends FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>computed', 'computed>paying', 'computed>paid', 'paying>paid');

--
-- Name: music_ipo_allocations music_ipo_allocations_post; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipo_allocations_post BEFORE INSERT ON mediabase.music_ipo_allocations FOR EACH ROW EXECUTE FUNCTION mediabase.music_ipo_allocations_post();

--
-- Name: music_ipos music_ipos_change; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipos_change BEFORE UPDATE ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.music_ipos_change();

--
-- Name: music_ipos music_ipos_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipos_immutable BEFORE UPDATE ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('master_id', 'asset_id', 'treasury_account_id', 'total_supply', 'price', 'currency', 'issue_entry_id', 'created_by', 'created_at');

--
-- Name: music_ipos music_ipos_issue; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipos_issue BEFORE INSERT ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.music_ipos_issue();

--
-- Name: music_ipos music_ipos_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipos_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>scheduled', '>open', 'scheduled>open', 'scheduled>canceled', 'open>closed', 'open>canceled');

--
-- Name: music_ipos music_ipos_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_ipos_touch BEFORE UPDATE ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_journal_entries music_journal_entries_have_lines; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER music_journal_entries_have_lines AFTER INSERT ON mediabase.music_journal_entries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.music_journal_entries_have_lines();

--
-- Name: music_journal_lines music_journal_lines_apply; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_journal_lines_apply AFTER INSERT ON mediabase.music_journal_lines REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_journal_lines_apply();

--
-- Name: music_journal_lines music_journal_lines_stamp; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_journal_lines_stamp BEFORE INSERT ON mediabase.music_journal_lines FOR EACH ROW EXECUTE FUNCTION mediabase.music_journal_lines_stamp();

--
-- Name: music_liquidity_snapshots music_liquidity_snapshots_decimals; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_liquidity_snapshots_decimals BEFORE INSERT ON mediabase.music_liquidity_snapshots FOR EACH ROW EXECUTE FUNCTION mediabase.music_liquidity_snapshots_decimals();

--
-- Name: music_masters music_masters_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_masters_immutable BEFORE UPDATE ON mediabase.music_masters FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('artist_id', 'created_by', 'created_at');

--
-- Name: music_masters music_masters_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_masters_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.music_masters FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>draft', 'draft>review', 'review>draft', 'review>published', 'published>archived', 'draft>archived');

--
-- Name: music_masters music_masters_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_masters_touch BEFORE UPDATE ON mediabase.music_masters FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_payouts music_payouts_dividend_status; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_payouts_dividend_status AFTER UPDATE ON mediabase.music_payouts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_payouts_dividend_status();

--
-- Name: music_payouts music_payouts_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_payouts_immutable BEFORE UPDATE ON mediabase.music_payouts FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('dividend_id', 'account_id', 'currency', 'holding', 'amount');

--
-- Name: music_payouts music_payouts_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_payouts_status_transition BEFORE UPDATE OF status ON mediabase.music_payouts FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('pending>paid', 'pending>failed', 'failed>pending', 'failed>paid');

--
-- Name: music_payouts music_payouts_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_payouts_touch BEFORE UPDATE ON mediabase.music_payouts FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_producers music_producers_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_producers_touch BEFORE UPDATE ON mediabase.music_producers FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: music_revenue_events music_revenue_events_period_open; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_revenue_events_period_open BEFORE INSERT ON mediabase.music_revenue_events FOR EACH ROW EXECUTE FUNCTION mediabase.music_revenue_events_period_open();

--
-- Name: music_studio_options music_studio_options_frozen; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_studio_options_frozen BEFORE INSERT OR DELETE OR UPDATE ON mediabase.music_studio_options FOR EACH ROW EXECUTE FUNCTION mediabase.music_studio_options_frozen();

--
-- Name: music_studio_sessions music_studio_sessions_asset_check; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_studio_sessions_asset_check BEFORE INSERT ON mediabase.music_studio_sessions FOR EACH ROW EXECUTE FUNCTION mediabase.music_studio_sessions_asset_check();

--
-- Name: music_studio_sessions music_studio_sessions_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_studio_sessions_immutable BEFORE UPDATE ON mediabase.music_studio_sessions FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('master_id', 'opens_at', 'closes_at', 'weighting', 'asset_id', 'created_by', 'created_at');

--
-- Name: music_studio_votes music_studio_votes_cast; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_studio_votes_cast BEFORE INSERT OR UPDATE ON mediabase.music_studio_votes FOR EACH ROW EXECUTE FUNCTION mediabase.music_studio_votes_cast();

--
-- Name: music_studio_votes music_studio_votes_kept; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_studio_votes_kept BEFORE DELETE ON mediabase.music_studio_votes FOR EACH ROW EXECUTE FUNCTION mediabase.music_studio_votes_kept();

--
-- Name: music_transfers music_transfers_follow_block; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_transfers_follow_block BEFORE UPDATE OF block_hash ON mediabase.music_transfers FOR EACH ROW WHEN ((old.block_hash IS DISTINCT FROM new.block_hash)) EXECUTE FUNCTION mediabase.music_transfers_follow_block();

--
-- Name: music_transfers music_transfers_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_transfers_immutable BEFORE UPDATE ON mediabase.music_transfers FOR EACH ROW EXECUTE FUNCTION mediabase.music_transfers_immutable();

--
-- Name: music_transfers music_transfers_inserted; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_transfers_inserted AFTER INSERT ON mediabase.music_transfers REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_transfers_inserted();

--
-- Name: music_transfers music_transfers_updated; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER music_transfers_updated AFTER UPDATE ON mediabase.music_transfers REFERENCING OLD TABLE AS changed_old NEW TABLE AS changed_new FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_transfers_updated();

--
-- Name: notification_digests notification_digests_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER notification_digests_immutable BEFORE UPDATE ON mediabase.notification_digests FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('user_id', 'frequency', 'period_start', 'period_end', 'notification_count', 'message_id', 'skipped', 'created_at');

--
-- Name: notifications notifications_digest_final; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER notifications_digest_final BEFORE UPDATE OF digest_id ON mediabase.notifications FOR EACH ROW EXECUTE FUNCTION mediabase.notifications_digest_final();

--
-- Name: decision_tags notifications_tag_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER notifications_tag_fk_set_null BEFORE DELETE ON mediabase.decision_tags FOR EACH ROW EXECUTE FUNCTION mediabase.notifications_tag_fk_set_null();

--
-- Name: partitioned_tables partitioned_tables_check; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER partitioned_tables_check BEFORE INSERT OR UPDATE ON mediabase.partitioned_tables FOR EACH ROW EXECUTE FUNCTION mediabase.partitioned_tables_check();

--
-- Name: people people_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER people_touch BEFORE UPDATE ON mediabase.people FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: memberships people_user_membership_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER people_user_membership_fk_set_null BEFORE DELETE ON mediabase.memberships FOR EACH ROW EXECUTE FUNCTION mediabase.people_user_membership_fk_set_null();

--
-- Name: quote_cards quote_cards_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER quote_cards_immutable BEFORE UPDATE ON mediabase.quote_cards FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'created_by', 'created_at');

--
-- Name: speakers quote_cards_speaker_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER quote_cards_speaker_fk_set_null BEFORE DELETE ON mediabase.speakers FOR EACH ROW EXECUTE FUNCTION mediabase.quote_cards_speaker_fk_set_null();

--
-- Name: quote_cards quote_cards_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER quote_cards_touch BEFORE UPDATE ON mediabase.quote_cards FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: quote_cards quote_cards_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER quote_cards_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON mediabase.quote_cards FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('start_ms', 'end_ms');

--
-- Name: security_events security_events_append_only; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER security_events_append_only BEFORE DELETE OR UPDATE ON mediabase.security_events FOR EACH ROW EXECUTE FUNCTION mediabase.security_events_append_only();

--
-- Name: security_events security_events_no_truncate; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER security_events_no_truncate BEFORE TRUNCATE ON mediabase.security_events FOR EACH STATEMENT EXECUTE FUNCTION mediabase.security_events_append_only();

--
-- Name: series series_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER series_touch BEFORE UPDATE ON mediabase.series FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: share_links share_links_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER share_links_immutable BEFORE UPDATE ON mediabase.share_links FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'token_sha256', 'created_by', 'created_at');

--
-- Name: share_links share_links_revocation_final; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER share_links_revocation_final BEFORE UPDATE ON mediabase.share_links FOR EACH ROW EXECUTE FUNCTION mediabase.share_links_revocation_final();

--
-- Name: people speakers_person_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER speakers_person_fk_set_null BEFORE DELETE ON mediabase.people FOR EACH ROW EXECUTE FUNCTION mediabase.speakers_person_fk_set_null();

--
-- Name: story_bibles story_bibles_append; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_bibles_append BEFORE INSERT ON mediabase.story_bibles FOR EACH ROW EXECUTE FUNCTION mediabase.story_bibles_append();

--
-- Name: story_bibles story_bibles_append_only; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_bibles_append_only BEFORE DELETE OR UPDATE ON mediabase.story_bibles FOR EACH ROW EXECUTE FUNCTION mediabase.story_append_only('story_bibles');

--
-- Name: story_bibles story_bibles_text_config; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_bibles_text_config BEFORE INSERT ON mediabase.story_bibles FOR EACH ROW EXECUTE FUNCTION mediabase.story_text_config('scene');

--
-- Name: story_categories story_categories_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_categories_immutable BEFORE UPDATE ON mediabase.story_categories FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('topic_id');

--
-- Name: story_categories story_categories_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_categories_touch BEFORE UPDATE ON mediabase.story_categories FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_continuations story_continuations_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_continuations_immutable BEFORE UPDATE ON mediabase.story_continuations FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('job_created_at', 'scene_id', 'user_id', 'input_text', 'created_at');

--
-- Name: story_continuations story_continuations_state_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_continuations_state_transition BEFORE INSERT OR UPDATE OF state ON mediabase.story_continuations FOR EACH ROW EXECUTE FUNCTION mediabase.story_continuations_state_transition('>queued', 'queued>running', 'queued>failed', 'running>running', 'running>conflict', 'running>finalized', 'running>failed', 'conflict>running', 'conflict>failed', 'queued>finalized', 'conflict>finalized');

--
-- Name: story_continuations story_continuations_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_continuations_touch BEFORE UPDATE ON mediabase.story_continuations FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_flags story_flags_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_flags_immutable BEFORE UPDATE ON mediabase.story_flags FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('reporter_id', 'idea_id', 'scene_id', 'segment_id', 'member_id', 'topic_id', 'reason', 'created_at');

--
-- Name: story_flags story_flags_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_flags_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.story_flags FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>pending', 'pending>reviewing', 'reviewing>pending', 'pending>resolved', 'pending>dismissed', 'reviewing>resolved', 'reviewing>dismissed');

--
-- Name: story_flags story_flags_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_flags_touch BEFORE UPDATE ON mediabase.story_flags FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_ideas story_ideas_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_ideas_immutable BEFORE UPDATE ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('topic_id', 'user_id', 'created_at');

--
-- Name: story_ideas story_ideas_language_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_ideas_language_immutable BEFORE UPDATE ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('language');

--
-- Name: story_ideas story_ideas_search_configs; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_ideas_search_configs AFTER INSERT ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.story_note_text_config();

--
-- Name: story_ideas story_ideas_start; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_ideas_start BEFORE INSERT ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.story_counters_start('story_ideas');

--
-- Name: story_ideas story_ideas_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_ideas_touch BEFORE UPDATE ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_likes story_likes_count; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_likes_count AFTER INSERT OR DELETE ON mediabase.story_likes FOR EACH ROW EXECUTE FUNCTION mediabase.story_likes_count();

--
-- Name: story_likes story_likes_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_likes_immutable BEFORE UPDATE ON mediabase.story_likes FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('user_id', 'idea_id', 'scene_id', 'created_at');

--
-- Name: story_scene_summaries story_scene_summaries_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scene_summaries_immutable BEFORE UPDATE ON mediabase.story_scene_summaries FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('scene_id', 'created_at');

--
-- Name: story_scene_summaries story_scene_summaries_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scene_summaries_touch BEFORE UPDATE ON mediabase.story_scene_summaries FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_scene_summaries story_scene_summaries_within; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scene_summaries_within BEFORE INSERT OR UPDATE OF covered ON mediabase.story_scene_summaries FOR EACH ROW EXECUTE FUNCTION mediabase.story_scene_summaries_within();

--
-- Name: story_scene_views story_scene_views_count; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scene_views_count AFTER INSERT ON mediabase.story_scene_views FOR EACH ROW EXECUTE FUNCTION mediabase.story_scene_views_count();

--
-- Name: story_scenes story_scenes_count; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_count AFTER INSERT OR DELETE ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.story_scenes_count();

--
-- Name: story_scenes story_scenes_have_bible; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE CONSTRAINT TRIGGER story_scenes_have_bible AFTER INSERT ON mediabase.story_scenes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION mediabase.story_scenes_have_bible();

--
-- Name: story_scenes story_scenes_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_immutable BEFORE UPDATE ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('topic_id', 'idea_id', 'user_id', 'created_at');

--
-- Name: story_scenes story_scenes_start; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_start BEFORE INSERT ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.story_scenes_start();

--
-- Name: story_scenes story_scenes_text_config; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_text_config BEFORE INSERT ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.story_text_config('idea');

--
-- Name: story_scenes story_scenes_text_config_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_text_config_immutable BEFORE UPDATE ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('ts_config');

--
-- Name: story_scenes story_scenes_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_scenes_touch BEFORE UPDATE ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_segments story_segments_allocate; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_allocate BEFORE INSERT ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.story_segments_allocate();

--
-- Name: story_segments story_segments_append_only; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_append_only BEFORE DELETE ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.story_append_only('story_segments');

--
-- Name: story_segments story_segments_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_immutable BEFORE UPDATE ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('scene_id', 'sequence', 'user_id', 'input_text', 'expanded_script', 'video_key', 'duration_ms', 'bible_version', 'job_id', 'created_at');

--
-- Name: story_segments story_segments_recount_contributors; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_recount_contributors AFTER UPDATE OF user_id ON mediabase.story_segments FOR EACH ROW WHEN ((old.user_id IS DISTINCT FROM new.user_id)) EXECUTE FUNCTION mediabase.story_segments_recount_contributors();

--
-- Name: story_segments story_segments_text_config; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_text_config BEFORE INSERT ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.story_text_config('scene');

--
-- Name: story_segments story_segments_text_config_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_segments_text_config_immutable BEFORE UPDATE ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('ts_config');

--
-- Name: story_topics story_topics_start; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_topics_start BEFORE INSERT ON mediabase.story_topics FOR EACH ROW EXECUTE FUNCTION mediabase.story_counters_start('story_topics');

--
-- Name: story_topics story_topics_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_topics_touch BEFORE UPDATE ON mediabase.story_topics FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: story_user_topics story_user_topics_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_user_topics_immutable BEFORE UPDATE ON mediabase.story_user_topics FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('user_id', 'created_at');

--
-- Name: story_user_topics story_user_topics_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_user_topics_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.story_user_topics FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>pending', 'pending>approved', 'pending>rejected');

--
-- Name: story_user_topics story_user_topics_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER story_user_topics_touch BEFORE UPDATE ON mediabase.story_user_topics FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: speakers transcript_segments_speaker_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER transcript_segments_speaker_fk_set_null BEFORE DELETE ON mediabase.speakers FOR EACH ROW EXECUTE FUNCTION mediabase.transcript_segments_speaker_fk_set_null();

--
-- Name: transcript_segments transcript_segments_ts_config; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER transcript_segments_ts_config AFTER INSERT ON mediabase.transcript_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.check_segment_ts_config();

--
-- Name: transcript_segments transcript_segments_within_video_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER transcript_segments_within_video_ins AFTER INSERT ON mediabase.transcript_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.check_segments_within_video();

--
-- Name: transcript_segments transcript_segments_within_video_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER transcript_segments_within_video_upd AFTER UPDATE ON mediabase.transcript_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.check_segments_within_video();

--
-- Name: transcripts transcripts_search_configs; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER transcripts_search_configs AFTER INSERT ON mediabase.transcripts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.note_transcript_configs();

--
-- Name: video_clips video_clips_immutable; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_clips_immutable BEFORE UPDATE ON mediabase.video_clips FOR EACH ROW EXECUTE FUNCTION mediabase.check_immutable_columns('video_id', 'created_by', 'created_at');

--
-- Name: video_moments video_clips_moment_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_clips_moment_fk_set_null BEFORE DELETE ON mediabase.video_moments FOR EACH ROW EXECUTE FUNCTION mediabase.video_clips_moment_fk_set_null();

--
-- Name: video_clips video_clips_status_transition; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_clips_status_transition BEFORE INSERT OR UPDATE OF status ON mediabase.video_clips FOR EACH ROW EXECUTE FUNCTION mediabase.check_status_transition('>pending', '>ready', 'pending>processing', 'pending>failed', 'processing>ready', 'processing>failed', 'processing>pending', 'failed>pending', 'ready>pending');

--
-- Name: video_clips video_clips_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_clips_touch BEFORE UPDATE ON mediabase.video_clips FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: video_clips video_clips_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_clips_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON mediabase.video_clips FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('start_ms', 'end_ms');

--
-- Name: video_moments video_moments_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_moments_touch BEFORE UPDATE ON mediabase.video_moments FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: video_moments video_moments_within_video; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_moments_within_video BEFORE INSERT OR UPDATE OF start_ms, end_ms ON mediabase.video_moments FOR EACH ROW EXECUTE FUNCTION mediabase.check_positions_within_video('start_ms', 'end_ms');

--
-- Name: video_tags video_tags_search_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_tags_search_del AFTER DELETE ON mediabase.video_tags REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.sync_video_search_tags();

--
-- Name: video_tags video_tags_search_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_tags_search_ins AFTER INSERT ON mediabase.video_tags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.sync_video_search_tags();

--
-- Name: video_tags video_tags_search_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER video_tags_search_upd AFTER UPDATE ON mediabase.video_tags REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.sync_video_search_tags();

--
-- Name: channels videos_channel_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_channel_fk_set_null BEFORE DELETE ON mediabase.channels FOR EACH ROW EXECUTE FUNCTION mediabase.videos_channel_fk_set_null();

--
-- Name: collections videos_collection_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_collection_fk_set_null BEFORE DELETE ON mediabase.collections FOR EACH ROW EXECUTE FUNCTION mediabase.videos_collection_fk_set_null();

--
-- Name: videos videos_duration_covers_collab; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_duration_covers_collab BEFORE UPDATE OF duration_ms ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.check_video_duration_covers_collab();

--
-- Name: videos videos_duration_covers_segments; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_duration_covers_segments BEFORE UPDATE OF duration_ms ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.check_video_duration_covers_segments();

--
-- Name: videos videos_search_configs; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_search_configs AFTER INSERT OR UPDATE OF language ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.note_video_config();

--
-- Name: series videos_series_fk_set_null; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_series_fk_set_null BEFORE DELETE ON mediabase.series FOR EACH ROW EXECUTE FUNCTION mediabase.videos_series_fk_set_null();

--
-- Name: videos videos_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER videos_touch BEFORE UPDATE ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: view_events view_events_dirty_delete; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER view_events_dirty_delete AFTER DELETE ON mediabase.view_events FOR EACH ROW EXECUTE FUNCTION mediabase.analytics_mark_dirty();

--
-- Name: workflow_templates workflow_templates_keep_version; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER workflow_templates_keep_version AFTER INSERT OR UPDATE ON mediabase.workflow_templates FOR EACH ROW EXECUTE FUNCTION mediabase.workflow_templates_keep_version();

--
-- Name: workflow_templates workflow_templates_touch; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER workflow_templates_touch BEFORE UPDATE ON mediabase.workflow_templates FOR EACH ROW EXECUTE FUNCTION mediabase.touch_updated_at();

--
-- Name: workflow_templates workflow_templates_version; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER workflow_templates_version BEFORE INSERT OR UPDATE ON mediabase.workflow_templates FOR EACH ROW EXECUTE FUNCTION mediabase.workflow_templates_version();

--
-- Name: ai_action_items zy_event_created; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_created AFTER INSERT ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('action_item.created', 'action_item', '{id,video_id,title,assignee,assignee_user_id,status,priority,due_date,start_ms,end_ms}');

--
-- Name: comments zy_event_created; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_created AFTER INSERT ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('comment.created', 'comment', '{id,video_id,parent_id,author_id,body,position_ms,created_at}');

--
-- Name: decisions zy_event_created; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_created AFTER INSERT ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('decision.created', 'decision', '{id,summary,video_id,position_ms,status,decided_at,source,created_by}');

--
-- Name: transcripts zy_event_created; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_created AFTER INSERT ON mediabase.transcripts FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('video.transcribed', 'transcript', '{id,video_id,language,source,version,format,segment_count,created_by}');

--
-- Name: videos zy_event_created; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_created AFTER INSERT ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('video.created', 'video', '{id,title,duration_ms,channel_id,language,recorded_at,author_id,source_key}');

--
-- Name: comments zy_event_deleted; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_deleted AFTER UPDATE OF deleted_at ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('comment.deleted', 'comment', '{id,video_id,deleted_at,deleted_by}', 'deleted_at');

--
-- Name: videos zy_event_deleted; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zy_event_deleted AFTER UPDATE OF deleted_at ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.emit_row_event('video.deleted', 'video', '{id,title,deleted_at,retention_until}', 'deleted_at');

--
-- Name: ai_action_items zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.ai_action_items FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: ai_layers zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.ai_layers FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: ai_summaries zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.ai_summaries FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: ai_topic_mentions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.ai_topic_mentions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: ai_topics zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.ai_topics FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{mention_count,video_count,first_mentioned_at,last_mentioned_at,trend_score,trend,trend_computed_at}', '{search_vector,search_tags}');

--
-- Name: api_keys zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.api_keys FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{secret_sha256}', '{last_used_at}', '{search_vector,search_tags}');

--
-- Name: billing_subscriptions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.billing_subscriptions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{source_event_created,source_event_id}', '{search_vector,search_tags}');

--
-- Name: channels zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.channels FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: collections zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.collections FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: comment_reactions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.comment_reactions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: comments zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.comments FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decision_links zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decision_links FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decision_participants zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decision_participants FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decision_subscriptions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decision_subscriptions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decision_tag_assignments zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decision_tag_assignments FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decision_tags zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decision_tags FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: decisions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.decisions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: highlight_reel_clips zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.highlight_reel_clips FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: highlight_reels zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.highlight_reels FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: integration_accounts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.integration_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{access_token_enc,refresh_token_enc,webhook_secret_enc}', '{sync_cursor,sync_cursor_updated_at}', '{search_vector,search_tags}');

--
-- Name: integration_external_items zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.integration_external_items FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: invitations zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.invitations FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{secret_sha256}', '{}', '{search_vector,search_tags}');

--
-- Name: mail_outbox zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.mail_outbox FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{body_text,body_html}', '{status,attempts,last_error,next_attempt_at,sent_at}', '{search_vector,search_tags}');

--
-- Name: memberships zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.memberships FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_accounts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_accounts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_artists zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_artists FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_assets zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_assets FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{minted,burned}', '{search_vector,search_tags}');

--
-- Name: music_chain_contracts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_chain_contracts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_coins zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_coins FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_contract_splits zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_contract_splits FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_contracts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_contracts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_dividends zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_dividends FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_ipo_allocations zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_ipo_allocations FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_ipos zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_ipos FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{allocated}', '{search_vector,search_tags}');

--
-- Name: music_master_credits zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_master_credits FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_masters zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_masters FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_nfts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER DELETE OR UPDATE ON mediabase.music_nfts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{}');

--
-- Name: music_producers zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_producers FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_revenue_events zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_revenue_events FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_roles zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_roles FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_studio_options zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_studio_options FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_studio_sessions zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_studio_sessions FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: music_studio_votes zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.music_studio_votes FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: notification_digests zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.notification_digests FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: notifications zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.notifications FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: people zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.people FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: quote_cards zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.quote_cards FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: series zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.series FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: share_links zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.share_links FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{token_sha256,password_hash}', '{view_count,last_viewed_at}', '{search_vector,search_tags}');

--
-- Name: speakers zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.speakers FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_bibles zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_bibles FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_categories zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_categories FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_continuations zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_continuations FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{attempts,message}', '{search_vector,search_tags}');

--
-- Name: story_flags zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_flags FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_ideas zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_ideas FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{scene_count,like_count}', '{search_vector,search_tags}');

--
-- Name: story_likes zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_likes FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_publications zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_publications FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_scene_summaries zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_scene_summaries FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_scenes zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_scenes FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{segment_count,total_duration_ms,contributor_count,last_segment_at,bible_version,like_count,view_count}', '{search_vector,search_tags}');

--
-- Name: story_segments zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_segments FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: story_topics zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_topics FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{scene_count}', '{search_vector,search_tags}');

--
-- Name: story_user_topics zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.story_user_topics FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: transcripts zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.transcripts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: video_clips zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.video_clips FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: video_moments zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.video_moments FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: video_progress zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.video_progress FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: video_tags zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.video_tags FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: videos zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.videos FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: webhook_endpoint_types zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.webhook_endpoint_types FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: webhook_endpoints zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.webhook_endpoints FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{secret,previous_secret}', '{consecutive_failures}', '{search_vector,search_tags}');

--
-- Name: workflow_templates zz_audit; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit AFTER INSERT OR DELETE OR UPDATE ON mediabase.workflow_templates FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{search_vector,search_tags}');

--
-- Name: transcript_segment_words zz_audit_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_del AFTER DELETE ON mediabase.transcript_segment_words REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segment_words();

--
-- Name: transcript_segments zz_audit_del; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_del AFTER DELETE ON mediabase.transcript_segments REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segments();

--
-- Name: music_nfts zz_audit_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_ins AFTER INSERT ON mediabase.music_nfts REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION mediabase.music_nfts_audit_insert();

--
-- Name: transcript_segment_words zz_audit_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_ins AFTER INSERT ON mediabase.transcript_segment_words REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segment_words();

--
-- Name: transcript_segments zz_audit_ins; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_ins AFTER INSERT ON mediabase.transcript_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segments();

--
-- Name: music_payouts zz_audit_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_upd AFTER UPDATE ON mediabase.music_payouts FOR EACH ROW EXECUTE FUNCTION mediabase.audit_row('{}', '{}', '{}');

--
-- Name: transcript_segment_words zz_audit_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_upd AFTER UPDATE ON mediabase.transcript_segment_words REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segment_words();

--
-- Name: transcript_segments zz_audit_upd; Type: TRIGGER; Schema: mediabase; Owner: -
--

CREATE TRIGGER zz_audit_upd AFTER UPDATE ON mediabase.transcript_segments REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.audit_segments();

--
-- Name: ai_action_items ai_action_items_assignee_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_assignee_fk FOREIGN KEY (organization_id, assignee_user_id) REFERENCES mediabase.memberships(organization_id, user_id);

--
-- Name: ai_action_items ai_action_items_completed_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_completed_by_fkey FOREIGN KEY (completed_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: ai_action_items ai_action_items_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: ai_action_items ai_action_items_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, video_id, kind) ON DELETE CASCADE;

--
-- Name: ai_action_items ai_action_items_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_action_items
    ADD CONSTRAINT ai_action_items_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: ai_layers ai_layers_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: ai_layers ai_layers_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: ai_layers ai_layers_superseded_by_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_superseded_by_fk FOREIGN KEY (organization_id, superseded_by) REFERENCES mediabase.ai_layers(organization_id, id) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: ai_layers ai_layers_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id) REFERENCES mediabase.transcripts(organization_id, id, video_id);

--
-- Name: ai_layers ai_layers_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_layers
    ADD CONSTRAINT ai_layers_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: ai_summaries ai_summaries_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_summaries
    ADD CONSTRAINT ai_summaries_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, video_id, kind) ON DELETE CASCADE;

--
-- Name: ai_topic_mentions ai_topic_mentions_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topic_mentions
    ADD CONSTRAINT ai_topic_mentions_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, video_id, kind) ON DELETE CASCADE;

--
-- Name: ai_topic_mentions ai_topic_mentions_topic_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topic_mentions
    ADD CONSTRAINT ai_topic_mentions_topic_fk FOREIGN KEY (organization_id, topic_id) REFERENCES mediabase.ai_topics(organization_id, id) ON DELETE CASCADE;

--
-- Name: ai_topic_mentions ai_topic_mentions_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topic_mentions
    ADD CONSTRAINT ai_topic_mentions_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: ai_topics ai_topics_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.ai_topics
    ADD CONSTRAINT ai_topics_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: analytics_daily analytics_daily_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_daily
    ADD CONSTRAINT analytics_daily_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id) ON DELETE CASCADE;

--
-- Name: analytics_daily analytics_daily_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_daily
    ADD CONSTRAINT analytics_daily_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: analytics_daily analytics_daily_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_daily
    ADD CONSTRAINT analytics_daily_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: analytics_talk_time analytics_talk_time_speaker_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_time
    ADD CONSTRAINT analytics_talk_time_speaker_fk FOREIGN KEY (organization_id, speaker_id) REFERENCES mediabase.speakers(organization_id, id) ON DELETE CASCADE;

--
-- Name: analytics_talk_time analytics_talk_time_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_time
    ADD CONSTRAINT analytics_talk_time_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.analytics_talk_videos(organization_id, video_id) ON DELETE CASCADE;

--
-- Name: analytics_talk_videos analytics_talk_videos_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_videos
    ADD CONSTRAINT analytics_talk_videos_transcript_fk FOREIGN KEY (organization_id, transcript_id) REFERENCES mediabase.transcripts(organization_id, id) ON DELETE CASCADE;

--
-- Name: analytics_talk_videos analytics_talk_videos_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.analytics_talk_videos
    ADD CONSTRAINT analytics_talk_videos_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: api_keys api_keys_membership_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.api_keys
    ADD CONSTRAINT api_keys_membership_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: audit_redactions audit_redactions_data_request_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_redactions
    ADD CONSTRAINT audit_redactions_data_request_id_fkey FOREIGN KEY (data_request_id) REFERENCES mediabase.data_requests(id);

--
-- Name: audit_redactions audit_redactions_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.audit_redactions
    ADD CONSTRAINT audit_redactions_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id);

--
-- Name: billing_customers billing_customers_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_customers billing_customers_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_customers
    ADD CONSTRAINT billing_customers_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id);

--
-- Name: billing_invoice_lines billing_invoice_lines_invoice_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoice_lines
    ADD CONSTRAINT billing_invoice_lines_invoice_fk FOREIGN KEY (organization_id, invoice_id, currency) REFERENCES mediabase.billing_invoices(organization_id, id, currency) ON DELETE CASCADE;

--
-- Name: billing_invoice_lines billing_invoice_lines_price_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoice_lines
    ADD CONSTRAINT billing_invoice_lines_price_id_fkey FOREIGN KEY (price_id) REFERENCES mediabase.billing_prices(id);

--
-- Name: billing_invoices billing_invoices_customer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_customer_fk FOREIGN KEY (organization_id, customer_id) REFERENCES mediabase.billing_customers(organization_id, id);

--
-- Name: billing_invoices billing_invoices_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_invoices billing_invoices_subscription_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_invoices
    ADD CONSTRAINT billing_invoices_subscription_fk FOREIGN KEY (organization_id, subscription_id) REFERENCES mediabase.billing_subscriptions(organization_id, id);

--
-- Name: billing_payments billing_payments_customer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_customer_fk FOREIGN KEY (organization_id, customer_id) REFERENCES mediabase.billing_customers(organization_id, id);

--
-- Name: billing_payments billing_payments_invoice_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_invoice_fk FOREIGN KEY (organization_id, invoice_id, currency) REFERENCES mediabase.billing_invoices(organization_id, id, currency);

--
-- Name: billing_payments billing_payments_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_payments
    ADD CONSTRAINT billing_payments_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_plan_features billing_plan_features_feature_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_plan_features
    ADD CONSTRAINT billing_plan_features_feature_fkey FOREIGN KEY (feature) REFERENCES mediabase.billing_features(code);

--
-- Name: billing_plan_features billing_plan_features_plan_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_plan_features
    ADD CONSTRAINT billing_plan_features_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES mediabase.billing_plans(id) ON DELETE CASCADE;

--
-- Name: billing_prices billing_prices_plan_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_prices
    ADD CONSTRAINT billing_prices_plan_id_fkey FOREIGN KEY (plan_id) REFERENCES mediabase.billing_plans(id);

--
-- Name: billing_provider_events billing_provider_events_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_provider_events
    ADD CONSTRAINT billing_provider_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_refunds billing_refunds_payment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_refunds
    ADD CONSTRAINT billing_refunds_payment_fk FOREIGN KEY (organization_id, payment_id, currency) REFERENCES mediabase.billing_payments(organization_id, id, currency) ON DELETE CASCADE;

--
-- Name: billing_subscriptions billing_subscriptions_customer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_customer_fk FOREIGN KEY (organization_id, customer_id) REFERENCES mediabase.billing_customers(organization_id, id);

--
-- Name: billing_subscriptions billing_subscriptions_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_subscriptions billing_subscriptions_price_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_price_fk FOREIGN KEY (price_id, plan_id, currency) REFERENCES mediabase.billing_prices(id, plan_id, currency);

--
-- Name: billing_subscriptions billing_subscriptions_subscriber_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_subscriptions
    ADD CONSTRAINT billing_subscriptions_subscriber_user_id_fkey FOREIGN KEY (subscriber_user_id) REFERENCES mediabase.users(id);

--
-- Name: billing_usage_records billing_usage_records_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: billing_usage_records billing_usage_records_metric_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_metric_fkey FOREIGN KEY (metric) REFERENCES mediabase.billing_features(code);

--
-- Name: billing_usage_records billing_usage_records_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: billing_usage_records billing_usage_records_subscription_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.billing_usage_records
    ADD CONSTRAINT billing_usage_records_subscription_fk FOREIGN KEY (organization_id, subscription_id) REFERENCES mediabase.billing_subscriptions(organization_id, id);

--
-- Name: channels channels_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.channels
    ADD CONSTRAINT channels_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: channels channels_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.channels
    ADD CONSTRAINT channels_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: collections collections_created_by_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.collections
    ADD CONSTRAINT collections_created_by_fk FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: collections collections_org_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.collections
    ADD CONSTRAINT collections_org_fk FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: comment_reactions comment_reactions_comment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comment_reactions
    ADD CONSTRAINT comment_reactions_comment_fk FOREIGN KEY (organization_id, comment_id) REFERENCES mediabase.comments(organization_id, id) ON DELETE CASCADE;

--
-- Name: comment_reactions comment_reactions_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comment_reactions
    ADD CONSTRAINT comment_reactions_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: comments comments_author_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: comments comments_deleted_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_deleted_by_fkey FOREIGN KEY (deleted_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: comments comments_parent_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_parent_fk FOREIGN KEY (organization_id, video_id, parent_id) REFERENCES mediabase.comments(organization_id, video_id, id) ON DELETE CASCADE;

--
-- Name: comments comments_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.comments
    ADD CONSTRAINT comments_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: data_requests data_requests_job_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.data_requests
    ADD CONSTRAINT data_requests_job_organization_id_fkey FOREIGN KEY (job_organization_id) REFERENCES mediabase.organizations(id) ON DELETE SET NULL;

--
-- Name: data_requests data_requests_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.data_requests
    ADD CONSTRAINT data_requests_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id);

--
-- Name: decision_edits decision_edits_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_edits
    ADD CONSTRAINT decision_edits_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_edits decision_edits_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_edits
    ADD CONSTRAINT decision_edits_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: decision_links decision_links_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_links
    ADD CONSTRAINT decision_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: decision_links decision_links_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_links
    ADD CONSTRAINT decision_links_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_links decision_links_target_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_links
    ADD CONSTRAINT decision_links_target_fk FOREIGN KEY (organization_id, target_decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_participants decision_participants_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_participants
    ADD CONSTRAINT decision_participants_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_participants decision_participants_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_participants
    ADD CONSTRAINT decision_participants_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: decision_participants decision_participants_person_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_participants
    ADD CONSTRAINT decision_participants_person_fk FOREIGN KEY (organization_id, person_id) REFERENCES mediabase.people(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_subscriptions decision_subscriptions_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_subscriptions
    ADD CONSTRAINT decision_subscriptions_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: decision_subscriptions decision_subscriptions_tag_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_subscriptions
    ADD CONSTRAINT decision_subscriptions_tag_fk FOREIGN KEY (organization_id, tag_id) REFERENCES mediabase.decision_tags(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_tag_assignments decision_tag_assignments_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tag_assignments
    ADD CONSTRAINT decision_tag_assignments_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: decision_tag_assignments decision_tag_assignments_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tag_assignments
    ADD CONSTRAINT decision_tag_assignments_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_tag_assignments decision_tag_assignments_tag_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tag_assignments
    ADD CONSTRAINT decision_tag_assignments_tag_fk FOREIGN KEY (organization_id, tag_id) REFERENCES mediabase.decision_tags(organization_id, id) ON DELETE CASCADE;

--
-- Name: decision_tags decision_tags_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tags
    ADD CONSTRAINT decision_tags_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: decision_tags decision_tags_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_tags
    ADD CONSTRAINT decision_tags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: decision_vectors decision_vectors_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decision_vectors
    ADD CONSTRAINT decision_vectors_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: decisions decisions_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: decisions decisions_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, kind) ON DELETE CASCADE;

--
-- Name: decisions decisions_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: decisions decisions_superseded_by_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_superseded_by_fk FOREIGN KEY (organization_id, superseded_by) REFERENCES mediabase.decisions(organization_id, id);

--
-- Name: decisions decisions_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.decisions
    ADD CONSTRAINT decisions_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id);

--
-- Name: events events_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.events
    ADD CONSTRAINT events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: events events_type_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.events
    ADD CONSTRAINT events_type_fk FOREIGN KEY (type) REFERENCES mediabase.event_types(type);

--
-- Name: graph_edges graph_edges_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, kind) ON DELETE CASCADE;

--
-- Name: graph_edges graph_edges_source_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_source_fk FOREIGN KEY (organization_id, layer_id, source_id) REFERENCES mediabase.graph_nodes(organization_id, layer_id, id) ON DELETE CASCADE;

--
-- Name: graph_edges graph_edges_target_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_edges
    ADD CONSTRAINT graph_edges_target_fk FOREIGN KEY (organization_id, layer_id, target_id) REFERENCES mediabase.graph_nodes(organization_id, layer_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_action_item_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_action_item_fk FOREIGN KEY (organization_id, action_item_id) REFERENCES mediabase.ai_action_items(organization_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_edge_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_edge_fk FOREIGN KEY (organization_id, layer_id, edge_id) REFERENCES mediabase.graph_edges(organization_id, layer_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, kind) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_moment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_moment_fk FOREIGN KEY (organization_id, video_id, moment_id) REFERENCES mediabase.video_moments(organization_id, video_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_node_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_node_fk FOREIGN KEY (organization_id, layer_id, node_id) REFERENCES mediabase.graph_nodes(organization_id, layer_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_segment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_segment_fk FOREIGN KEY (organization_id, segment_id) REFERENCES mediabase.transcript_segments(organization_id, id) ON DELETE CASCADE;

--
-- Name: graph_evidence graph_evidence_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_evidence
    ADD CONSTRAINT graph_evidence_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: graph_node_vectors graph_node_vectors_node_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_node_vectors
    ADD CONSTRAINT graph_node_vectors_node_fk FOREIGN KEY (organization_id, layer_id, node_id) REFERENCES mediabase.graph_nodes(organization_id, layer_id, id) ON DELETE CASCADE;

--
-- Name: graph_nodes graph_nodes_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.graph_nodes
    ADD CONSTRAINT graph_nodes_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, kind) ON DELETE CASCADE;

--
-- Name: highlight_reel_clips highlight_reel_clips_clip_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reel_clips
    ADD CONSTRAINT highlight_reel_clips_clip_fk FOREIGN KEY (organization_id, clip_id) REFERENCES mediabase.video_clips(organization_id, id) ON DELETE CASCADE;

--
-- Name: highlight_reel_clips highlight_reel_clips_reel_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reel_clips
    ADD CONSTRAINT highlight_reel_clips_reel_fk FOREIGN KEY (organization_id, reel_id) REFERENCES mediabase.highlight_reels(organization_id, id) ON DELETE CASCADE;

--
-- Name: highlight_reels highlight_reels_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reels
    ADD CONSTRAINT highlight_reels_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: highlight_reels highlight_reels_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.highlight_reels
    ADD CONSTRAINT highlight_reels_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: integration_accounts integration_accounts_connected_by_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_accounts
    ADD CONSTRAINT integration_accounts_connected_by_fk FOREIGN KEY (organization_id, connected_by) REFERENCES mediabase.memberships(organization_id, user_id);

--
-- Name: integration_accounts integration_accounts_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_accounts
    ADD CONSTRAINT integration_accounts_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: integration_events integration_events_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_events
    ADD CONSTRAINT integration_events_account_fk FOREIGN KEY (organization_id, account_id, provider) REFERENCES mediabase.integration_accounts(organization_id, id, provider) ON DELETE CASCADE;

--
-- Name: integration_external_items integration_external_items_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_external_items
    ADD CONSTRAINT integration_external_items_account_fk FOREIGN KEY (organization_id, account_id, provider) REFERENCES mediabase.integration_accounts(organization_id, id, provider);

--
-- Name: integration_external_items integration_external_items_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_external_items
    ADD CONSTRAINT integration_external_items_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id) REFERENCES mediabase.transcripts(organization_id, id, video_id);

--
-- Name: integration_external_items integration_external_items_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.integration_external_items
    ADD CONSTRAINT integration_external_items_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id);

--
-- Name: invitations invitations_accepted_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.invitations
    ADD CONSTRAINT invitations_accepted_by_fkey FOREIGN KEY (accepted_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: invitations invitations_invited_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.invitations
    ADD CONSTRAINT invitations_invited_by_fkey FOREIGN KEY (invited_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: invitations invitations_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.invitations
    ADD CONSTRAINT invitations_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: job_idempotency_keys job_idempotency_keys_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.job_idempotency_keys
    ADD CONSTRAINT job_idempotency_keys_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: jobs jobs_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.jobs
    ADD CONSTRAINT jobs_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: legal_acceptances legal_acceptances_document_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_acceptances
    ADD CONSTRAINT legal_acceptances_document_id_fkey FOREIGN KEY (document_id) REFERENCES mediabase.legal_documents(id);

--
-- Name: legal_acceptances legal_acceptances_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.legal_acceptances
    ADD CONSTRAINT legal_acceptances_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: mail_outbox mail_outbox_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.mail_outbox
    ADD CONSTRAINT mail_outbox_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: mail_outbox mail_outbox_recipient_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.mail_outbox
    ADD CONSTRAINT mail_outbox_recipient_fk FOREIGN KEY (organization_id, recipient_user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: memberships memberships_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.memberships
    ADD CONSTRAINT memberships_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: memberships memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: music_accounts music_accounts_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_accounts
    ADD CONSTRAINT music_accounts_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_accounts music_accounts_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_accounts
    ADD CONSTRAINT music_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE RESTRICT;

--
-- Name: music_artists music_artists_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_artists
    ADD CONSTRAINT music_artists_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_artists music_artists_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_artists
    ADD CONSTRAINT music_artists_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_assets music_assets_artist_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_assets
    ADD CONSTRAINT music_assets_artist_fk FOREIGN KEY (organization_id, artist_id) REFERENCES mediabase.music_artists(organization_id, id);

--
-- Name: music_assets music_assets_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_assets
    ADD CONSTRAINT music_assets_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_assets music_assets_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_assets
    ADD CONSTRAINT music_assets_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_balances music_balances_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_balances
    ADD CONSTRAINT music_balances_account_fk FOREIGN KEY (organization_id, account_id) REFERENCES mediabase.music_accounts(organization_id, id);

--
-- Name: music_balances music_balances_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_balances
    ADD CONSTRAINT music_balances_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_blocks music_blocks_chain_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_blocks
    ADD CONSTRAINT music_blocks_chain_id_fkey FOREIGN KEY (chain_id) REFERENCES mediabase.music_chains(chain_id);

--
-- Name: music_blocks music_blocks_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_blocks
    ADD CONSTRAINT music_blocks_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_chain_contracts music_chain_contracts_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_chain_contracts music_chain_contracts_chain_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_chain_id_fkey FOREIGN KEY (chain_id) REFERENCES mediabase.music_chains(chain_id);

--
-- Name: music_chain_contracts music_chain_contracts_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_chain_contracts music_chain_contracts_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_contracts
    ADD CONSTRAINT music_chain_contracts_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_chain_cursors music_chain_cursors_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_cursors
    ADD CONSTRAINT music_chain_cursors_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_chain_contracts(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_chain_holdings music_chain_holdings_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_holdings
    ADD CONSTRAINT music_chain_holdings_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_chain_contracts(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_chain_reorgs music_chain_reorgs_chain_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_reorgs
    ADD CONSTRAINT music_chain_reorgs_chain_id_fkey FOREIGN KEY (chain_id) REFERENCES mediabase.music_chains(chain_id);

--
-- Name: music_chain_reorgs music_chain_reorgs_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_chain_reorgs
    ADD CONSTRAINT music_chain_reorgs_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_coins music_coins_artist_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_artist_fk FOREIGN KEY (organization_id, artist_id) REFERENCES mediabase.music_artists(organization_id, id);

--
-- Name: music_coins music_coins_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_coins music_coins_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_coins music_coins_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_coins
    ADD CONSTRAINT music_coins_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_contract_splits music_contract_splits_artist_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contract_splits
    ADD CONSTRAINT music_contract_splits_artist_fk FOREIGN KEY (organization_id, artist_id) REFERENCES mediabase.music_artists(organization_id, id);

--
-- Name: music_contract_splits music_contract_splits_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contract_splits
    ADD CONSTRAINT music_contract_splits_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_contracts(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_contract_splits music_contract_splits_producer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contract_splits
    ADD CONSTRAINT music_contract_splits_producer_fk FOREIGN KEY (organization_id, producer_id) REFERENCES mediabase.music_producers(organization_id, id);

--
-- Name: music_contracts music_contracts_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contracts
    ADD CONSTRAINT music_contracts_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_contracts music_contracts_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contracts
    ADD CONSTRAINT music_contracts_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_contracts music_contracts_signed_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_contracts
    ADD CONSTRAINT music_contracts_signed_by_fkey FOREIGN KEY (signed_by) REFERENCES mediabase.users(id) ON DELETE RESTRICT;

--
-- Name: music_dividends music_dividends_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_dividends music_dividends_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_contracts(organization_id, id);

--
-- Name: music_dividends music_dividends_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_dividends music_dividends_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_dividends music_dividends_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_dividends
    ADD CONSTRAINT music_dividends_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_ipo_allocations music_ipo_allocations_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_account_fk FOREIGN KEY (organization_id, account_id) REFERENCES mediabase.music_accounts(organization_id, id);

--
-- Name: music_ipo_allocations music_ipo_allocations_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_ipo_allocations music_ipo_allocations_entry_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_entry_fk FOREIGN KEY (organization_id, entry_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: music_ipo_allocations music_ipo_allocations_ipo_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipo_allocations
    ADD CONSTRAINT music_ipo_allocations_ipo_fk FOREIGN KEY (organization_id, ipo_id) REFERENCES mediabase.music_ipos(organization_id, id);

--
-- Name: music_ipos music_ipos_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_ipos music_ipos_cancel_entry_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_cancel_entry_fk FOREIGN KEY (organization_id, cancel_entry_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: music_ipos music_ipos_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_ipos music_ipos_issue_entry_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_issue_entry_fk FOREIGN KEY (organization_id, issue_entry_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: music_ipos music_ipos_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_ipos music_ipos_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_ipos music_ipos_treasury_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_ipos
    ADD CONSTRAINT music_ipos_treasury_fk FOREIGN KEY (organization_id, treasury_account_id) REFERENCES mediabase.music_accounts(organization_id, id);

--
-- Name: music_journal_entries music_journal_entries_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE RESTRICT;

--
-- Name: music_journal_entries music_journal_entries_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_journal_entries music_journal_entries_reverses_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_entries
    ADD CONSTRAINT music_journal_entries_reverses_fk FOREIGN KEY (organization_id, reverses_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: music_journal_lines music_journal_lines_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_lines
    ADD CONSTRAINT music_journal_lines_account_fk FOREIGN KEY (organization_id, account_id) REFERENCES mediabase.music_accounts(organization_id, id);

--
-- Name: music_journal_lines music_journal_lines_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_lines
    ADD CONSTRAINT music_journal_lines_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_journal_lines music_journal_lines_entry_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_journal_lines
    ADD CONSTRAINT music_journal_lines_entry_fk FOREIGN KEY (organization_id, entry_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: music_liquidity_snapshots music_liquidity_snapshots_coin_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_liquidity_snapshots
    ADD CONSTRAINT music_liquidity_snapshots_coin_fk FOREIGN KEY (organization_id, coin_id) REFERENCES mediabase.music_coins(organization_id, id);

--
-- Name: music_master_credits music_master_credits_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_master_credits
    ADD CONSTRAINT music_master_credits_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_master_credits music_master_credits_producer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_master_credits
    ADD CONSTRAINT music_master_credits_producer_fk FOREIGN KEY (organization_id, producer_id) REFERENCES mediabase.music_producers(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_masters music_masters_artist_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_masters
    ADD CONSTRAINT music_masters_artist_fk FOREIGN KEY (organization_id, artist_id) REFERENCES mediabase.music_artists(organization_id, id);

--
-- Name: music_masters music_masters_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_masters
    ADD CONSTRAINT music_masters_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_masters music_masters_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_masters
    ADD CONSTRAINT music_masters_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_masters music_masters_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_masters
    ADD CONSTRAINT music_masters_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id);

--
-- Name: music_nfts music_nfts_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_nfts
    ADD CONSTRAINT music_nfts_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_chain_contracts(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_nfts music_nfts_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_nfts
    ADD CONSTRAINT music_nfts_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_payouts music_payouts_account_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_payouts
    ADD CONSTRAINT music_payouts_account_fk FOREIGN KEY (organization_id, account_id) REFERENCES mediabase.music_accounts(organization_id, id);

--
-- Name: music_payouts music_payouts_dividend_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_payouts
    ADD CONSTRAINT music_payouts_dividend_fk FOREIGN KEY (organization_id, dividend_id, currency) REFERENCES mediabase.music_dividends(organization_id, id, currency);

--
-- Name: music_producers music_producers_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_producers
    ADD CONSTRAINT music_producers_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_producers music_producers_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_producers
    ADD CONSTRAINT music_producers_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_revenue_events music_revenue_events_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_revenue_events
    ADD CONSTRAINT music_revenue_events_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_revenue_events music_revenue_events_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_revenue_events
    ADD CONSTRAINT music_revenue_events_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id);

--
-- Name: music_revenue_events music_revenue_events_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_revenue_events
    ADD CONSTRAINT music_revenue_events_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_roles music_roles_granted_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_roles
    ADD CONSTRAINT music_roles_granted_by_fkey FOREIGN KEY (granted_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_roles music_roles_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_roles
    ADD CONSTRAINT music_roles_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: music_studio_options music_studio_options_session_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_options
    ADD CONSTRAINT music_studio_options_session_fk FOREIGN KEY (organization_id, session_id) REFERENCES mediabase.music_studio_sessions(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_studio_sessions music_studio_sessions_asset_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_sessions
    ADD CONSTRAINT music_studio_sessions_asset_fk FOREIGN KEY (organization_id, asset_id) REFERENCES mediabase.music_assets(organization_id, id);

--
-- Name: music_studio_sessions music_studio_sessions_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_sessions
    ADD CONSTRAINT music_studio_sessions_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: music_studio_sessions music_studio_sessions_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_sessions
    ADD CONSTRAINT music_studio_sessions_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_studio_sessions music_studio_sessions_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_sessions
    ADD CONSTRAINT music_studio_sessions_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: music_studio_votes music_studio_votes_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_votes
    ADD CONSTRAINT music_studio_votes_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: music_studio_votes music_studio_votes_option_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_votes
    ADD CONSTRAINT music_studio_votes_option_fk FOREIGN KEY (organization_id, session_id, option_id) REFERENCES mediabase.music_studio_options(organization_id, session_id, id);

--
-- Name: music_studio_votes music_studio_votes_session_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_studio_votes
    ADD CONSTRAINT music_studio_votes_session_fk FOREIGN KEY (organization_id, session_id) REFERENCES mediabase.music_studio_sessions(organization_id, id) ON DELETE CASCADE;

--
-- Name: music_transfers music_transfers_block_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_transfers
    ADD CONSTRAINT music_transfers_block_fk FOREIGN KEY (organization_id, chain_id, block_hash) REFERENCES mediabase.music_blocks(organization_id, chain_id, hash);

--
-- Name: music_transfers music_transfers_contract_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_transfers
    ADD CONSTRAINT music_transfers_contract_fk FOREIGN KEY (organization_id, contract_id) REFERENCES mediabase.music_chain_contracts(organization_id, id);

--
-- Name: music_transfers music_transfers_posted_entry_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.music_transfers
    ADD CONSTRAINT music_transfers_posted_entry_fk FOREIGN KEY (organization_id, posted_entry_id) REFERENCES mediabase.music_journal_entries(organization_id, id);

--
-- Name: notification_digests notification_digests_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: notification_digests notification_digests_message_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notification_digests
    ADD CONSTRAINT notification_digests_message_fk FOREIGN KEY (organization_id, message_id) REFERENCES mediabase.mail_outbox(organization_id, id);

--
-- Name: notifications notifications_action_item_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_action_item_fk FOREIGN KEY (organization_id, action_item_id) REFERENCES mediabase.ai_action_items(organization_id, id) ON DELETE CASCADE;

--
-- Name: notifications notifications_actor_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: notifications notifications_comment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_comment_fk FOREIGN KEY (organization_id, comment_id) REFERENCES mediabase.comments(organization_id, id) ON DELETE CASCADE;

--
-- Name: notifications notifications_decision_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_decision_fk FOREIGN KEY (organization_id, decision_id) REFERENCES mediabase.decisions(organization_id, id) ON DELETE CASCADE;

--
-- Name: notifications notifications_digest_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_digest_fk FOREIGN KEY (organization_id, user_id, delivery, digest_id) REFERENCES mediabase.notification_digests(organization_id, user_id, frequency, id);

--
-- Name: notifications notifications_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: notifications notifications_tag_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_tag_fk FOREIGN KEY (organization_id, tag_id) REFERENCES mediabase.decision_tags(organization_id, id);

--
-- Name: notifications notifications_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: notifications notifications_workflow_run_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.notifications
    ADD CONSTRAINT notifications_workflow_run_fk FOREIGN KEY (organization_id, workflow_run_id) REFERENCES mediabase.workflow_runs(organization_id, id) ON DELETE CASCADE;

--
-- Name: oauth_accounts oauth_accounts_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.oauth_accounts
    ADD CONSTRAINT oauth_accounts_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: organizations organizations_personal_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.organizations
    ADD CONSTRAINT organizations_personal_user_id_fkey FOREIGN KEY (personal_user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: people people_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.people
    ADD CONSTRAINT people_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: people people_user_membership_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.people
    ADD CONSTRAINT people_user_membership_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id);

--
-- Name: quote_cards quote_cards_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.quote_cards
    ADD CONSTRAINT quote_cards_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: quote_cards quote_cards_speaker_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.quote_cards
    ADD CONSTRAINT quote_cards_speaker_fk FOREIGN KEY (organization_id, video_id, speaker_id) REFERENCES mediabase.speakers(organization_id, video_id, id);

--
-- Name: quote_cards quote_cards_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.quote_cards
    ADD CONSTRAINT quote_cards_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: schema_migration_repairs schema_migration_repairs_version_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.schema_migration_repairs
    ADD CONSTRAINT schema_migration_repairs_version_fkey FOREIGN KEY (version) REFERENCES mediabase.schema_migrations(version);

--
-- Name: search_configs search_configs_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.search_configs
    ADD CONSTRAINT search_configs_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: search_index_state search_index_state_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.search_index_state
    ADD CONSTRAINT search_index_state_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id) REFERENCES mediabase.transcripts(organization_id, id, video_id) ON DELETE CASCADE;

--
-- Name: series series_created_by_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.series
    ADD CONSTRAINT series_created_by_fk FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: series series_org_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.series
    ADD CONSTRAINT series_org_fk FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: sessions sessions_active_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.sessions
    ADD CONSTRAINT sessions_active_organization_id_fkey FOREIGN KEY (active_organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: sessions sessions_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.sessions
    ADD CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: share_links share_links_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.share_links
    ADD CONSTRAINT share_links_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: share_links share_links_revoked_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.share_links
    ADD CONSTRAINT share_links_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: share_links share_links_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.share_links
    ADD CONSTRAINT share_links_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: speakers speakers_person_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.speakers
    ADD CONSTRAINT speakers_person_fk FOREIGN KEY (organization_id, person_id) REFERENCES mediabase.people(organization_id, id);

--
-- Name: speakers speakers_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.speakers
    ADD CONSTRAINT speakers_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_bibles story_bibles_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_bibles
    ADD CONSTRAINT story_bibles_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_bibles story_bibles_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_bibles
    ADD CONSTRAINT story_bibles_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_bibles story_bibles_segment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_bibles
    ADD CONSTRAINT story_bibles_segment_fk FOREIGN KEY (organization_id, created_by_segment_id) REFERENCES mediabase.story_segments(organization_id, id);

--
-- Name: story_categories story_categories_topic_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_categories
    ADD CONSTRAINT story_categories_topic_fk FOREIGN KEY (organization_id, topic_id) REFERENCES mediabase.story_topics(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_continuations story_continuations_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_continuations
    ADD CONSTRAINT story_continuations_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_continuations story_continuations_segment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_continuations
    ADD CONSTRAINT story_continuations_segment_fk FOREIGN KEY (organization_id, segment_id) REFERENCES mediabase.story_segments(organization_id, id);

--
-- Name: story_continuations story_continuations_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_continuations
    ADD CONSTRAINT story_continuations_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_counter_deltas story_counter_deltas_idea_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_counter_deltas
    ADD CONSTRAINT story_counter_deltas_idea_fk FOREIGN KEY (organization_id, idea_id) REFERENCES mediabase.story_ideas(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_counter_deltas story_counter_deltas_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_counter_deltas
    ADD CONSTRAINT story_counter_deltas_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_idea_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_idea_fk FOREIGN KEY (organization_id, idea_id) REFERENCES mediabase.story_ideas(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_member_fk FOREIGN KEY (organization_id, member_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_reporter_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_reporter_id_fkey FOREIGN KEY (reporter_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_flags story_flags_reviewed_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_reviewed_by_fkey FOREIGN KEY (reviewed_by) REFERENCES mediabase.users(id) ON DELETE RESTRICT;

--
-- Name: story_flags story_flags_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_segment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_segment_fk FOREIGN KEY (organization_id, segment_id) REFERENCES mediabase.story_segments(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_flags story_flags_topic_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_flags
    ADD CONSTRAINT story_flags_topic_fk FOREIGN KEY (organization_id, topic_id) REFERENCES mediabase.story_topics(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_ideas story_ideas_category_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_category_fk FOREIGN KEY (organization_id, topic_id, category_id) REFERENCES mediabase.story_categories(organization_id, topic_id, id);

--
-- Name: story_ideas story_ideas_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_ideas story_ideas_topic_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_topic_fk FOREIGN KEY (organization_id, topic_id) REFERENCES mediabase.story_topics(organization_id, id);

--
-- Name: story_ideas story_ideas_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_ideas
    ADD CONSTRAINT story_ideas_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_likes story_likes_idea_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_idea_fk FOREIGN KEY (organization_id, idea_id) REFERENCES mediabase.story_ideas(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_likes story_likes_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: story_likes story_likes_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_likes
    ADD CONSTRAINT story_likes_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_publications story_publications_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_publications
    ADD CONSTRAINT story_publications_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_publications story_publications_published_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_publications
    ADD CONSTRAINT story_publications_published_by_fkey FOREIGN KEY (published_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_scene_summaries story_scene_summaries_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_summaries
    ADD CONSTRAINT story_scene_summaries_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_scene_summaries story_scene_summaries_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scene_summaries
    ADD CONSTRAINT story_scene_summaries_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_scene_views story_scene_views_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_scene_views
    ADD CONSTRAINT story_scene_views_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_scene_views story_scene_views_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_scene_views
    ADD CONSTRAINT story_scene_views_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_scenes story_scenes_idea_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scenes
    ADD CONSTRAINT story_scenes_idea_fk FOREIGN KEY (organization_id, topic_id, idea_id) REFERENCES mediabase.story_ideas(organization_id, topic_id, id);

--
-- Name: story_scenes story_scenes_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scenes
    ADD CONSTRAINT story_scenes_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_scenes story_scenes_topic_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scenes
    ADD CONSTRAINT story_scenes_topic_fk FOREIGN KEY (organization_id, topic_id) REFERENCES mediabase.story_topics(organization_id, id);

--
-- Name: story_scenes story_scenes_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_scenes
    ADD CONSTRAINT story_scenes_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_search_configs story_search_configs_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_search_configs
    ADD CONSTRAINT story_search_configs_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_segments story_segments_bible_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_segments
    ADD CONSTRAINT story_segments_bible_fk FOREIGN KEY (organization_id, scene_id, bible_version) REFERENCES mediabase.story_bibles(organization_id, scene_id, version);

--
-- Name: story_segments story_segments_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_segments
    ADD CONSTRAINT story_segments_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: story_segments story_segments_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_segments
    ADD CONSTRAINT story_segments_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_topics story_topics_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_topics
    ADD CONSTRAINT story_topics_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_topics story_topics_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_topics
    ADD CONSTRAINT story_topics_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_user_topics story_user_topics_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_user_topics
    ADD CONSTRAINT story_user_topics_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: story_user_topics story_user_topics_promoted_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_user_topics
    ADD CONSTRAINT story_user_topics_promoted_fk FOREIGN KEY (organization_id, promoted_topic_id) REFERENCES mediabase.story_topics(organization_id, id);

--
-- Name: story_user_topics story_user_topics_reviewed_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_user_topics
    ADD CONSTRAINT story_user_topics_reviewed_by_fkey FOREIGN KEY (reviewed_by) REFERENCES mediabase.users(id) ON DELETE RESTRICT;

--
-- Name: story_user_topics story_user_topics_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_user_topics
    ADD CONSTRAINT story_user_topics_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: story_view_months story_view_months_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.story_view_months
    ADD CONSTRAINT story_view_months_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: transcript_chunks transcript_chunks_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_chunks
    ADD CONSTRAINT transcript_chunks_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id) REFERENCES mediabase.transcripts(organization_id, id, video_id) ON DELETE CASCADE;

--
-- Name: transcript_segment_words transcript_segment_words_segment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segment_words
    ADD CONSTRAINT transcript_segment_words_segment_fk FOREIGN KEY (organization_id, transcript_id, seq) REFERENCES mediabase.transcript_segments(organization_id, transcript_id, seq) ON DELETE CASCADE;

--
-- Name: transcript_segments transcript_segments_speaker_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segments
    ADD CONSTRAINT transcript_segments_speaker_fk FOREIGN KEY (organization_id, video_id, speaker_id) REFERENCES mediabase.speakers(organization_id, video_id, id);

--
-- Name: transcript_segments transcript_segments_transcript_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcript_segments
    ADD CONSTRAINT transcript_segments_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id) REFERENCES mediabase.transcripts(organization_id, id, video_id) ON DELETE CASCADE;

--
-- Name: transcripts transcripts_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcripts
    ADD CONSTRAINT transcripts_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: transcripts transcripts_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.transcripts
    ADD CONSTRAINT transcripts_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: user_consents user_consents_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_consents
    ADD CONSTRAINT user_consents_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: user_extensions user_extensions_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_extensions
    ADD CONSTRAINT user_extensions_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: user_preferences user_preferences_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_preferences
    ADD CONSTRAINT user_preferences_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: user_tokens user_tokens_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.user_tokens
    ADD CONSTRAINT user_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: video_clips video_clips_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_clips
    ADD CONSTRAINT video_clips_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: video_clips video_clips_moment_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_clips
    ADD CONSTRAINT video_clips_moment_fk FOREIGN KEY (organization_id, video_id, moment_id) REFERENCES mediabase.video_moments(organization_id, video_id, id);

--
-- Name: video_clips video_clips_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_clips
    ADD CONSTRAINT video_clips_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: video_moments video_moments_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_moments
    ADD CONSTRAINT video_moments_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: video_moments video_moments_layer_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_moments
    ADD CONSTRAINT video_moments_layer_fk FOREIGN KEY (organization_id, layer_id, video_id, layer_kind) REFERENCES mediabase.ai_layers(organization_id, id, video_id, kind) ON DELETE CASCADE;

--
-- Name: video_moments video_moments_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_moments
    ADD CONSTRAINT video_moments_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: video_progress video_progress_member_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_progress
    ADD CONSTRAINT video_progress_member_fk FOREIGN KEY (organization_id, user_id) REFERENCES mediabase.memberships(organization_id, user_id) ON DELETE CASCADE;

--
-- Name: video_progress video_progress_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_progress
    ADD CONSTRAINT video_progress_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: video_tags video_tags_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.video_tags
    ADD CONSTRAINT video_tags_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: videos videos_author_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_author_id_fkey FOREIGN KEY (author_id) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: videos videos_channel_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_channel_fk FOREIGN KEY (organization_id, channel_id) REFERENCES mediabase.channels(organization_id, id);

--
-- Name: videos videos_collection_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_collection_fk FOREIGN KEY (organization_id, collection_id) REFERENCES mediabase.collections(organization_id, id);

--
-- Name: videos videos_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: videos videos_series_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.videos
    ADD CONSTRAINT videos_series_fk FOREIGN KEY (organization_id, series_id) REFERENCES mediabase.series(organization_id, id);

--
-- Name: view_events view_events_master_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.view_events
    ADD CONSTRAINT view_events_master_fk FOREIGN KEY (organization_id, master_id) REFERENCES mediabase.music_masters(organization_id, id) ON DELETE CASCADE;

--
-- Name: view_events view_events_scene_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.view_events
    ADD CONSTRAINT view_events_scene_fk FOREIGN KEY (organization_id, scene_id) REFERENCES mediabase.story_scenes(organization_id, id) ON DELETE CASCADE;

--
-- Name: view_events view_events_user_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.view_events
    ADD CONSTRAINT view_events_user_id_fkey FOREIGN KEY (user_id) REFERENCES mediabase.users(id) ON DELETE CASCADE;

--
-- Name: view_events view_events_video_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.view_events
    ADD CONSTRAINT view_events_video_fk FOREIGN KEY (organization_id, video_id) REFERENCES mediabase.videos(organization_id, id) ON DELETE CASCADE;

--
-- Name: webhook_attempts webhook_attempts_delivery_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_attempts
    ADD CONSTRAINT webhook_attempts_delivery_fk FOREIGN KEY (organization_id, delivery_id) REFERENCES mediabase.webhook_deliveries(organization_id, id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_endpoint_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_endpoint_fk FOREIGN KEY (organization_id, endpoint_id) REFERENCES mediabase.webhook_endpoints(organization_id, id) ON DELETE CASCADE;

--
-- Name: webhook_deliveries webhook_deliveries_event_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_deliveries
    ADD CONSTRAINT webhook_deliveries_event_fk FOREIGN KEY (organization_id, event_id) REFERENCES mediabase.events(organization_id, id) ON DELETE CASCADE;

--
-- Name: webhook_endpoint_types webhook_endpoint_types_endpoint_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_endpoint_types
    ADD CONSTRAINT webhook_endpoint_types_endpoint_fk FOREIGN KEY (organization_id, endpoint_id) REFERENCES mediabase.webhook_endpoints(organization_id, id) ON DELETE CASCADE;

--
-- Name: webhook_endpoint_types webhook_endpoint_types_type_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_endpoint_types
    ADD CONSTRAINT webhook_endpoint_types_type_fk FOREIGN KEY (type) REFERENCES mediabase.event_types(type);

--
-- Name: webhook_endpoints webhook_endpoints_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.webhook_endpoints
    ADD CONSTRAINT webhook_endpoints_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: workflow_runs workflow_runs_template_version_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_runs
    ADD CONSTRAINT workflow_runs_template_version_fk FOREIGN KEY (organization_id, template_id, template_version) REFERENCES mediabase.workflow_template_versions(organization_id, template_id, version) ON DELETE CASCADE;

--
-- Name: workflow_step_runs workflow_step_runs_run_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_step_runs
    ADD CONSTRAINT workflow_step_runs_run_fk FOREIGN KEY (organization_id, run_id) REFERENCES mediabase.workflow_runs(organization_id, id) ON DELETE CASCADE;

--
-- Name: workflow_template_versions workflow_template_versions_template_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_template_versions
    ADD CONSTRAINT workflow_template_versions_template_fk FOREIGN KEY (organization_id, template_id) REFERENCES mediabase.workflow_templates(organization_id, id) ON DELETE CASCADE;

--
-- Name: workflow_templates workflow_templates_created_by_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_templates
    ADD CONSTRAINT workflow_templates_created_by_fkey FOREIGN KEY (created_by) REFERENCES mediabase.users(id) ON DELETE SET NULL;

--
-- Name: workflow_templates workflow_templates_organization_id_fkey; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_templates
    ADD CONSTRAINT workflow_templates_organization_id_fkey FOREIGN KEY (organization_id) REFERENCES mediabase.organizations(id) ON DELETE CASCADE;

--
-- Name: workflow_templates workflow_templates_trigger_fk; Type: FK CONSTRAINT; Schema: mediabase; Owner: -
--

ALTER TABLE ONLY mediabase.workflow_templates
    ADD CONSTRAINT workflow_templates_trigger_fk FOREIGN KEY (trigger_event_type) REFERENCES mediabase.event_types(type);

--
-- Name: ai_action_items; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.ai_action_items ENABLE ROW LEVEL SECURITY;

--
-- Name: ai_layers; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.ai_layers ENABLE ROW LEVEL SECURITY;

--
-- Name: ai_summaries; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.ai_summaries ENABLE ROW LEVEL SECURITY;

--
-- Name: ai_topic_mentions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.ai_topic_mentions ENABLE ROW LEVEL SECURITY;

--
-- Name: ai_topics; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.ai_topics ENABLE ROW LEVEL SECURITY;

--
-- Name: analytics_daily; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.analytics_daily ENABLE ROW LEVEL SECURITY;

--
-- Name: analytics_dirty; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.analytics_dirty ENABLE ROW LEVEL SECURITY;

--
-- Name: analytics_talk_time; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.analytics_talk_time ENABLE ROW LEVEL SECURITY;

--
-- Name: analytics_talk_videos; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.analytics_talk_videos ENABLE ROW LEVEL SECURITY;

--
-- Name: analytics_viewer_days; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.analytics_viewer_days ENABLE ROW LEVEL SECURITY;

--
-- Name: api_keys; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.api_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: audit_log; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.audit_log ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_invoice_lines; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_invoice_lines ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_invoices; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_invoices ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_payments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_payments ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_provider_events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_provider_events ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_refunds; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_refunds ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_subscriptions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_subscriptions ENABLE ROW LEVEL SECURITY;

--
-- Name: billing_usage_records; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.billing_usage_records ENABLE ROW LEVEL SECURITY;

--
-- Name: channels; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.channels ENABLE ROW LEVEL SECURITY;

--
-- Name: collections; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.collections ENABLE ROW LEVEL SECURITY;

--
-- Name: comment_reactions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.comment_reactions ENABLE ROW LEVEL SECURITY;

--
-- Name: comments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.comments ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_edits; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_edits ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_links; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_links ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_participants; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_participants ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_subscriptions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_subscriptions ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_tag_assignments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_tag_assignments ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_tags; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_tags ENABLE ROW LEVEL SECURITY;

--
-- Name: decision_vectors; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decision_vectors ENABLE ROW LEVEL SECURITY;

--
-- Name: decisions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.decisions ENABLE ROW LEVEL SECURITY;

--
-- Name: events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.events ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_edges; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.graph_edges ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_evidence; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.graph_evidence ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_node_vectors; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.graph_node_vectors ENABLE ROW LEVEL SECURITY;

--
-- Name: graph_nodes; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.graph_nodes ENABLE ROW LEVEL SECURITY;

--
-- Name: highlight_reel_clips; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.highlight_reel_clips ENABLE ROW LEVEL SECURITY;

--
-- Name: highlight_reels; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.highlight_reels ENABLE ROW LEVEL SECURITY;

--
-- Name: integration_accounts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.integration_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: integration_events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.integration_events ENABLE ROW LEVEL SECURITY;

--
-- Name: integration_external_items; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.integration_external_items ENABLE ROW LEVEL SECURITY;

--
-- Name: invitations; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.invitations ENABLE ROW LEVEL SECURITY;

--
-- Name: job_idempotency_keys; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.job_idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: jobs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: legal_acceptances; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.legal_acceptances ENABLE ROW LEVEL SECURITY;

--
-- Name: mail_outbox; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.mail_outbox ENABLE ROW LEVEL SECURITY;

--
-- Name: memberships; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: music_accounts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: music_artists; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_artists ENABLE ROW LEVEL SECURITY;

--
-- Name: music_assets; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_assets ENABLE ROW LEVEL SECURITY;

--
-- Name: music_balances; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_balances ENABLE ROW LEVEL SECURITY;

--
-- Name: music_blocks; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_blocks ENABLE ROW LEVEL SECURITY;

--
-- Name: music_chain_contracts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_chain_contracts ENABLE ROW LEVEL SECURITY;

--
-- Name: music_chain_cursors; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_chain_cursors ENABLE ROW LEVEL SECURITY;

--
-- Name: music_chain_holdings; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_chain_holdings ENABLE ROW LEVEL SECURITY;

--
-- Name: music_chain_reorgs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_chain_reorgs ENABLE ROW LEVEL SECURITY;

--
-- Name: music_coins; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_coins ENABLE ROW LEVEL SECURITY;

--
-- Name: music_contract_splits; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_contract_splits ENABLE ROW LEVEL SECURITY;

--
-- Name: music_contracts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_contracts ENABLE ROW LEVEL SECURITY;

--
-- Name: music_dividends; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_dividends ENABLE ROW LEVEL SECURITY;

--
-- Name: music_ipo_allocations; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_ipo_allocations ENABLE ROW LEVEL SECURITY;

--
-- Name: music_ipos; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_ipos ENABLE ROW LEVEL SECURITY;

--
-- Name: music_journal_entries; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_journal_entries ENABLE ROW LEVEL SECURITY;

--
-- Name: music_journal_lines; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_journal_lines ENABLE ROW LEVEL SECURITY;

--
-- Name: music_liquidity_snapshots; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_liquidity_snapshots ENABLE ROW LEVEL SECURITY;

--
-- Name: music_master_credits; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_master_credits ENABLE ROW LEVEL SECURITY;

--
-- Name: music_masters; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_masters ENABLE ROW LEVEL SECURITY;

--
-- Name: music_nfts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_nfts ENABLE ROW LEVEL SECURITY;

--
-- Name: music_payouts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_payouts ENABLE ROW LEVEL SECURITY;

--
-- Name: music_producers; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_producers ENABLE ROW LEVEL SECURITY;

--
-- Name: music_revenue_events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_revenue_events ENABLE ROW LEVEL SECURITY;

--
-- Name: music_roles; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_roles ENABLE ROW LEVEL SECURITY;

--
-- Name: music_studio_options; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_studio_options ENABLE ROW LEVEL SECURITY;

--
-- Name: music_studio_sessions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_studio_sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: music_studio_votes; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_studio_votes ENABLE ROW LEVEL SECURITY;

--
-- Name: music_transfers; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.music_transfers ENABLE ROW LEVEL SECURITY;

--
-- Name: notification_digests; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.notification_digests ENABLE ROW LEVEL SECURITY;

--
-- Name: notifications; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.notifications ENABLE ROW LEVEL SECURITY;

--
-- Name: oauth_accounts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.oauth_accounts ENABLE ROW LEVEL SECURITY;

--
-- Name: organizations; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.organizations ENABLE ROW LEVEL SECURITY;

--
-- Name: legal_acceptances own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.legal_acceptances USING ((user_id = mediabase.current_user_id()));

--
-- Name: notification_digests own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.notification_digests AS RESTRICTIVE USING ((user_id = mediabase.current_user_id())) WITH CHECK ((user_id = mediabase.current_user_id()));

--
-- Name: notifications own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.notifications AS RESTRICTIVE USING ((user_id = mediabase.current_user_id())) WITH CHECK ((user_id = mediabase.current_user_id()));

--
-- Name: oauth_accounts own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.oauth_accounts USING ((user_id = mediabase.current_user_id()));

--
-- Name: sessions own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.sessions USING ((user_id = mediabase.current_user_id()));

--
-- Name: user_consents own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.user_consents USING ((user_id = mediabase.current_user_id()));

--
-- Name: user_extensions own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.user_extensions USING ((user_id = mediabase.current_user_id()));

--
-- Name: user_preferences own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.user_preferences USING ((user_id = mediabase.current_user_id()));

--
-- Name: user_tokens own_rows; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY own_rows ON mediabase.user_tokens USING ((user_id = mediabase.current_user_id()));

--
-- Name: people; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.people ENABLE ROW LEVEL SECURITY;

--
-- Name: quote_cards; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.quote_cards ENABLE ROW LEVEL SECURITY;

--
-- Name: search_configs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.search_configs ENABLE ROW LEVEL SECURITY;

--
-- Name: search_index_state; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.search_index_state ENABLE ROW LEVEL SECURITY;

--
-- Name: security_events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.security_events ENABLE ROW LEVEL SECURITY;

--
-- Name: series; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.series ENABLE ROW LEVEL SECURITY;

--
-- Name: sessions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.sessions ENABLE ROW LEVEL SECURITY;

--
-- Name: share_links; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.share_links ENABLE ROW LEVEL SECURITY;

--
-- Name: speakers; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.speakers ENABLE ROW LEVEL SECURITY;

--
-- Name: story_bibles; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_bibles ENABLE ROW LEVEL SECURITY;

--
-- Name: story_categories; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_categories ENABLE ROW LEVEL SECURITY;

--
-- Name: story_continuations; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_continuations ENABLE ROW LEVEL SECURITY;

--
-- Name: story_counter_deltas; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_counter_deltas ENABLE ROW LEVEL SECURITY;

--
-- Name: story_flags; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_flags ENABLE ROW LEVEL SECURITY;

--
-- Name: story_ideas; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_ideas ENABLE ROW LEVEL SECURITY;

--
-- Name: story_likes; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_likes ENABLE ROW LEVEL SECURITY;

--
-- Name: story_publications; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_publications ENABLE ROW LEVEL SECURITY;

--
-- Name: story_scene_summaries; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_scene_summaries ENABLE ROW LEVEL SECURITY;

--
-- Name: story_scene_views; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_scene_views ENABLE ROW LEVEL SECURITY;

--
-- Name: story_scenes; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_scenes ENABLE ROW LEVEL SECURITY;

--
-- Name: story_search_configs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_search_configs ENABLE ROW LEVEL SECURITY;

--
-- Name: story_segments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_segments ENABLE ROW LEVEL SECURITY;

--
-- Name: story_topics; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_topics ENABLE ROW LEVEL SECURITY;

--
-- Name: story_user_topics; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_user_topics ENABLE ROW LEVEL SECURITY;

--
-- Name: story_view_months; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.story_view_months ENABLE ROW LEVEL SECURITY;

--
-- Name: ai_action_items tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.ai_action_items USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: ai_layers tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.ai_layers USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: ai_summaries tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.ai_summaries USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: ai_topic_mentions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.ai_topic_mentions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: ai_topics tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.ai_topics USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: analytics_daily tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.analytics_daily USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: analytics_dirty tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.analytics_dirty USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: analytics_talk_time tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.analytics_talk_time USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: analytics_talk_videos tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.analytics_talk_videos USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: analytics_viewer_days tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.analytics_viewer_days USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: api_keys tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.api_keys USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: audit_log tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.audit_log USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_invoice_lines tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_invoice_lines USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_invoices tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_invoices USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_payments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_payments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_provider_events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_provider_events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_refunds tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_refunds USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_subscriptions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_subscriptions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: billing_usage_records tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.billing_usage_records USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: channels tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.channels USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: collections tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.collections USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: comment_reactions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.comment_reactions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: comments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.comments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_edits tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_edits USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_links tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_links USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_participants tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_participants USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_subscriptions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_subscriptions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_tag_assignments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_tag_assignments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_tags tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_tags USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decision_vectors tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decision_vectors USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: decisions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.decisions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: graph_edges tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.graph_edges USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: graph_evidence tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.graph_evidence USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: graph_node_vectors tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.graph_node_vectors USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: graph_nodes tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.graph_nodes USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: highlight_reel_clips tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.highlight_reel_clips USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: highlight_reels tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.highlight_reels USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: integration_accounts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.integration_accounts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: integration_events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.integration_events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: integration_external_items tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.integration_external_items USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: invitations tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.invitations USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: job_idempotency_keys tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.job_idempotency_keys USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: jobs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.jobs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: mail_outbox tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.mail_outbox USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: memberships tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.memberships USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_accounts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_accounts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_artists tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_artists USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_assets tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_assets USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_balances tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_balances USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_blocks tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_blocks USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_chain_contracts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_chain_contracts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_chain_cursors tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_chain_cursors USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_chain_holdings tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_chain_holdings USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_chain_reorgs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_chain_reorgs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_coins tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_coins USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_contract_splits tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_contract_splits USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_contracts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_contracts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_dividends tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_dividends USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_ipo_allocations tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_ipo_allocations USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_ipos tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_ipos USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_journal_entries tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_journal_entries USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_journal_lines tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_journal_lines USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_liquidity_snapshots tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_liquidity_snapshots USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_master_credits tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_master_credits USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_masters tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_masters USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_nfts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_nfts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_payouts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_payouts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_producers tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_producers USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_revenue_events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_revenue_events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_roles tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_roles USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_studio_options tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_studio_options USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_studio_sessions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_studio_sessions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_studio_votes tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_studio_votes USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: music_transfers tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.music_transfers USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: notification_digests tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.notification_digests USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: notifications tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.notifications USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: organizations tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.organizations USING ((id = mediabase.current_org_id())) WITH CHECK ((id = mediabase.current_org_id()));

--
-- Name: people tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.people USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: quote_cards tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.quote_cards USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: search_configs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.search_configs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: search_index_state tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.search_index_state USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: security_events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.security_events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: series tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.series USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: share_links tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.share_links USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: speakers tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.speakers USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_bibles tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_bibles USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_categories tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_categories USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_continuations tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_continuations USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_counter_deltas tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_counter_deltas USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_flags tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_flags USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_ideas tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_ideas USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_likes tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_likes USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_publications tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_publications USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_scene_summaries tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_scene_summaries USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_scene_views tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_scene_views USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_scenes tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_scenes USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_search_configs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_search_configs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_segments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_segments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_topics tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_topics USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_user_topics tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_user_topics USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: story_view_months tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.story_view_months USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: transcript_chunks tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.transcript_chunks USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: transcript_segment_words tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.transcript_segment_words USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: transcript_segments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.transcript_segments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: transcripts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.transcripts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: video_clips tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.video_clips USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: video_moments tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.video_moments USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: video_progress tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.video_progress USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: video_tags tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.video_tags USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: videos tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.videos USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: view_events tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.view_events USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: webhook_attempts tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.webhook_attempts USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: webhook_deliveries tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.webhook_deliveries USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: webhook_endpoint_types tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.webhook_endpoint_types USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: webhook_endpoints tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.webhook_endpoints USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: workflow_runs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.workflow_runs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: workflow_step_runs tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.workflow_step_runs USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: workflow_template_versions tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.workflow_template_versions USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: workflow_templates tenant_isolation; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY tenant_isolation ON mediabase.workflow_templates USING ((organization_id = mediabase.current_org_id())) WITH CHECK ((organization_id = mediabase.current_org_id()));

--
-- Name: transcript_chunks; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.transcript_chunks ENABLE ROW LEVEL SECURITY;

--
-- Name: transcript_segment_words; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.transcript_segment_words ENABLE ROW LEVEL SECURITY;

--
-- Name: transcript_segments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.transcript_segments ENABLE ROW LEVEL SECURITY;

--
-- Name: transcripts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.transcripts ENABLE ROW LEVEL SECURITY;

--
-- Name: user_consents; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.user_consents ENABLE ROW LEVEL SECURITY;

--
-- Name: user_extensions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.user_extensions ENABLE ROW LEVEL SECURITY;

--
-- Name: user_preferences; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.user_preferences ENABLE ROW LEVEL SECURITY;

--
-- Name: user_tokens; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.user_tokens ENABLE ROW LEVEL SECURITY;

--
-- Name: users; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users_self_update; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY users_self_update ON mediabase.users FOR UPDATE USING ((id = mediabase.current_user_id())) WITH CHECK ((id = mediabase.current_user_id()));

--
-- Name: users users_visible; Type: POLICY; Schema: mediabase; Owner: -
--

CREATE POLICY users_visible ON mediabase.users FOR SELECT USING (((id = mediabase.current_user_id()) OR mediabase.is_current_org_member(id)));

--
-- Name: video_clips; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.video_clips ENABLE ROW LEVEL SECURITY;

--
-- Name: video_moments; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.video_moments ENABLE ROW LEVEL SECURITY;

--
-- Name: video_progress; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.video_progress ENABLE ROW LEVEL SECURITY;

--
-- Name: video_tags; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.video_tags ENABLE ROW LEVEL SECURITY;

--
-- Name: videos; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.videos ENABLE ROW LEVEL SECURITY;

--
-- Name: view_events; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.view_events ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_attempts; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.webhook_attempts ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_deliveries; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.webhook_deliveries ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoint_types; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.webhook_endpoint_types ENABLE ROW LEVEL SECURITY;

--
-- Name: webhook_endpoints; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.webhook_endpoints ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_runs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.workflow_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_step_runs; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.workflow_step_runs ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_template_versions; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.workflow_template_versions ENABLE ROW LEVEL SECURITY;

--
-- Name: workflow_templates; Type: ROW SECURITY; Schema: mediabase; Owner: -
--

ALTER TABLE mediabase.workflow_templates ENABLE ROW LEVEL SECURITY;

--
-- PostgreSQL database dump complete
--
