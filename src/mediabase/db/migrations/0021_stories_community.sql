-- 0021_stories_community: what a story community does around its scenes (docs/stories.md).
--
--   story_flags             moderation reports on ideas, scenes, segments, members and topics:
--                           one nullable composite FK per target kind, exactly one set
--   story_likes             likes on ideas and scenes, one per member and target
--   story_scene_views       views, partitioned by month and kept 13 months (the partition
--                           manager, 0012); the client address only as a keyed HMAC
--   story_counter_deltas    +1/-1 events of likes and views, appended by triggers; folded into
--                           the counters by upkeep (story_fold_counters), so a like or a view
--                           never updates the scene's row (no hot row); reads add what is pending
--   story_view_months       views per scene and month, folded with the counters: what is left of
--                           the months retention dropped, so view_count stays verifiable
--
-- Counters (like_count of ideas and scenes, view_count of scenes) are written by SECURITY
-- DEFINER functions only; the application role has no INSERT or UPDATE privilege on them.

-- -- counters -----------------------------------------------------------------------------------

ALTER TABLE story_ideas ADD COLUMN like_count integer NOT NULL DEFAULT 0
    CONSTRAINT story_ideas_like_count_nonnegative CHECK (like_count >= 0);
ALTER TABLE story_scenes
    ADD COLUMN like_count integer NOT NULL DEFAULT 0
        CONSTRAINT story_scenes_like_count_nonnegative CHECK (like_count >= 0),
    ADD COLUMN view_count bigint NOT NULL DEFAULT 0
        CONSTRAINT story_scenes_view_count_nonnegative CHECK (view_count >= 0);

-- Whatever an insert says (the owner role may name the columns), counters start at zero.
CREATE OR REPLACE FUNCTION mediabase.story_scenes_start() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
CREATE FUNCTION mediabase.story_counters_start() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.scene_count := 0;
    IF TG_TABLE_NAME = 'story_ideas' THEN
        NEW.like_count := 0;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER story_ideas_start BEFORE INSERT ON story_ideas FOR EACH ROW EXECUTE FUNCTION story_counters_start();
CREATE TRIGGER story_topics_start BEFORE INSERT ON story_topics FOR EACH ROW EXECUTE FUNCTION story_counters_start();

-- The fold changes counters only: no audit row for that.
DROP TRIGGER zz_audit ON story_ideas;
SELECT audit_table('story_ideas', '{}', '{scene_count,like_count}');
DROP TRIGGER zz_audit ON story_scenes;
SELECT audit_table('story_scenes', '{}',
                   '{segment_count,total_duration_ms,contributor_count,last_segment_at,bible_version,like_count,view_count}');

-- -- likes --------------------------------------------------------------------------------------

CREATE TABLE story_likes (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    user_id         uuid NOT NULL,
    idea_id         uuid,
    scene_id        uuid,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_likes_one_target CHECK (num_nonnulls(idea_id, scene_id) = 1),
    -- a like is a member's: its organization's member (a membership removed takes its likes)
    CONSTRAINT story_likes_member_fk FOREIGN KEY (organization_id, user_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT story_likes_idea_fk FOREIGN KEY (organization_id, idea_id)
        REFERENCES story_ideas (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_likes_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    -- one like per member and target ("has this member liked it" is one probe of these)
    CONSTRAINT story_likes_idea_key UNIQUE (organization_id, idea_id, user_id),
    CONSTRAINT story_likes_scene_key UNIQUE (organization_id, scene_id, user_id)
);
SELECT declare_table('story_likes', 'distributed');
CREATE INDEX story_likes_user_idx ON story_likes (organization_id, user_id, created_at DESC);

-- -- counter deltas and the view rollup -----------------------------------------------------------

CREATE TABLE story_counter_deltas (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    idea_id         uuid,
    scene_id        uuid,
    likes           integer NOT NULL DEFAULT 0,
    views           integer NOT NULL DEFAULT 0 CONSTRAINT story_counter_deltas_views_nonnegative CHECK (views >= 0),
    month           date,  -- the UTC month of the views
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_counter_deltas_one_target CHECK (num_nonnulls(idea_id, scene_id) = 1),
    CONSTRAINT story_counter_deltas_views_of_scenes CHECK (views = 0 OR (scene_id IS NOT NULL AND month IS NOT NULL)),
    CONSTRAINT story_counter_deltas_idea_fk FOREIGN KEY (organization_id, idea_id)
        REFERENCES story_ideas (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_counter_deltas_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('story_counter_deltas', 'distributed');
CREATE INDEX story_counter_deltas_idea_idx ON story_counter_deltas (organization_id, idea_id) WHERE idea_id IS NOT NULL;
CREATE INDEX story_counter_deltas_scene_idx ON story_counter_deltas (organization_id, scene_id) WHERE scene_id IS NOT NULL;

CREATE TABLE story_view_months (
    organization_id uuid NOT NULL,
    scene_id        uuid NOT NULL,
    month           date NOT NULL CONSTRAINT story_view_months_month_first CHECK (extract(day FROM month) = 1),
    views           bigint NOT NULL CONSTRAINT story_view_months_views_nonnegative CHECK (views >= 0),
    PRIMARY KEY (organization_id, scene_id, month),
    CONSTRAINT story_view_months_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('story_view_months', 'distributed');

-- A like or an unlike is a delta row: no row but its own is written or locked.
CREATE FUNCTION mediabase.story_likes_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_likes_count AFTER INSERT OR DELETE ON story_likes
    FOR EACH ROW EXECUTE FUNCTION story_likes_count();
-- a like names its member and target once
CREATE TRIGGER story_likes_immutable BEFORE UPDATE ON story_likes
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('user_id', 'idea_id', 'scene_id', 'created_at');

-- -- views ----------------------------------------------------------------------------------------

-- Partitioned by month on viewed_at; the DEFAULT partition catches months not created yet.
-- The client address is never stored: ip_hmac is HMAC-SHA-256 under a key the application
-- holds (MEDIABASE_STORIES_VIEW_KEY), ip_key names that key, so a rotated key is recognisable.
CREATE TABLE story_scene_views (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    viewed_at       timestamptz NOT NULL DEFAULT now(),
    scene_id        uuid NOT NULL,
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    ip_hmac         bytea CONSTRAINT story_scene_views_ip_hmac_length CHECK (length(ip_hmac) = 32),
    ip_key          text CONSTRAINT story_scene_views_ip_key_format CHECK (ip_key ~ '^[A-Za-z0-9_.-]{1,32}$'),
    PRIMARY KEY (organization_id, viewed_at, id),
    CONSTRAINT story_scene_views_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_scene_views_key_named CHECK ((ip_hmac IS NULL) = (ip_key IS NULL))
) PARTITION BY RANGE (viewed_at);
SELECT declare_table('story_scene_views', 'distributed');
CREATE INDEX story_scene_views_scene_idx ON story_scene_views (organization_id, scene_id, viewed_at);
CREATE INDEX story_scene_views_user_idx ON story_scene_views (user_id) WHERE user_id IS NOT NULL;
CREATE TABLE story_scene_views_default PARTITION OF story_scene_views DEFAULT;
-- row-level security is checked on the parent only: the app role never reads a partition
REVOKE ALL ON story_scene_views_default FROM mediabase_app;
INSERT INTO partitioned_tables (parent, keep_months, min_keep_months, archive)
VALUES ('mediabase.story_scene_views', 13, 1, false);

-- Views are deltas too, one per scene and month for each inserting statement.
CREATE FUNCTION mediabase.story_scene_views_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    INSERT INTO story_counter_deltas (organization_id, scene_id, views, month)
    SELECT n.organization_id, n.scene_id, count(*), date_trunc('month', n.viewed_at AT TIME ZONE 'UTC')::date
      FROM new_rows n
     GROUP BY n.organization_id, n.scene_id, date_trunc('month', n.viewed_at AT TIME ZONE 'UTC')::date;
    RETURN NULL;
END
$$;
CREATE TRIGGER story_scene_views_count AFTER INSERT ON story_scene_views
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION story_scene_views_count();

-- -- folding ----------------------------------------------------------------------------------------

-- Folds up to max_rows pending deltas of one organization into the counters and the view rollup;
-- returns how many. Folds of one organization take turns (an advisory lock), and each delta is
-- deleted by the statement that adds it, so none is counted twice or lost.
CREATE FUNCTION mediabase.story_fold_counters(org uuid, max_rows integer DEFAULT 100000) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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

-- The organizations with deltas waiting (upkeep folds each in its own transaction).
CREATE FUNCTION mediabase.story_counter_backlog()
    RETURNS TABLE (organization_id uuid, pending bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
    SELECT d.organization_id, count(*) FROM story_counter_deltas d GROUP BY d.organization_id
$$;
REVOKE ALL ON FUNCTION mediabase.story_fold_counters(uuid, integer), mediabase.story_counter_backlog()
    FROM PUBLIC, mediabase_app;

-- -- moderation flags -------------------------------------------------------------------------------

-- A report on exactly one idea, scene, segment, member or topic of the organization (one nullable
-- composite foreign key per kind, not a polymorphic target_id). Open flags are pending or
-- reviewing; resolved and dismissed ones carry who decided, when and what was done.
CREATE TABLE story_flags (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    reporter_id     uuid REFERENCES users ON DELETE SET NULL,  -- NULL: raised by automatic detection
    idea_id         uuid,
    scene_id        uuid,
    segment_id      uuid,
    member_id       uuid,
    topic_id        uuid,
    reason          text NOT NULL CONSTRAINT story_flags_reason_valid CHECK (reason IN (
                        'spam', 'abuse', 'harassment', 'hate', 'sexual', 'violence', 'copyright', 'privacy',
                        'misinformation', 'off_topic', 'other')),
    description     text CONSTRAINT story_flags_description_length CHECK (length(description) <= 2000),
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT story_flags_status_valid CHECK (status IN ('pending', 'reviewing', 'resolved', 'dismissed')),
    reviewed_by     uuid REFERENCES users ON DELETE RESTRICT,
    reviewed_at     timestamptz,
    action_taken    text CONSTRAINT story_flags_action_valid CHECK (action_taken IN (
                        'none', 'hidden', 'removed', 'locked', 'rejected', 'deactivated')),
    notes           text CONSTRAINT story_flags_notes_length CHECK (length(notes) <= 2000),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_flags_one_target CHECK (num_nonnulls(idea_id, scene_id, segment_id, member_id, topic_id) = 1),
    CONSTRAINT story_flags_idea_fk FOREIGN KEY (organization_id, idea_id)
        REFERENCES story_ideas (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_flags_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_flags_segment_fk FOREIGN KEY (organization_id, segment_id)
        REFERENCES story_segments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_flags_member_fk FOREIGN KEY (organization_id, member_id)
        REFERENCES memberships (organization_id, user_id) ON DELETE CASCADE,
    CONSTRAINT story_flags_topic_fk FOREIGN KEY (organization_id, topic_id)
        REFERENCES story_topics (organization_id, id) ON DELETE CASCADE,
    -- the resolution is there exactly when the flag is resolved or dismissed
    CONSTRAINT story_flags_resolution CHECK (CASE WHEN status IN ('resolved', 'dismissed')
                                                  THEN num_nonnulls(reviewed_by, reviewed_at, action_taken) = 3
                                                  ELSE num_nonnulls(reviewed_by, reviewed_at, action_taken, notes) = 0 END),
    CONSTRAINT story_flags_dismissed_changes_nothing CHECK (status <> 'dismissed' OR action_taken = 'none')
);
SELECT declare_table('story_flags', 'distributed');
-- one open flag per reporter and target (automatic detection counts as one reporter)
CREATE UNIQUE INDEX story_flags_open_idea_key ON story_flags (organization_id, idea_id, reporter_id) NULLS NOT DISTINCT
    WHERE status IN ('pending', 'reviewing') AND idea_id IS NOT NULL;
CREATE UNIQUE INDEX story_flags_open_scene_key ON story_flags (organization_id, scene_id, reporter_id) NULLS NOT DISTINCT
    WHERE status IN ('pending', 'reviewing') AND scene_id IS NOT NULL;
CREATE UNIQUE INDEX story_flags_open_segment_key ON story_flags (organization_id, segment_id, reporter_id)
    NULLS NOT DISTINCT WHERE status IN ('pending', 'reviewing') AND segment_id IS NOT NULL;
CREATE UNIQUE INDEX story_flags_open_member_key ON story_flags (organization_id, member_id, reporter_id)
    NULLS NOT DISTINCT WHERE status IN ('pending', 'reviewing') AND member_id IS NOT NULL;
CREATE UNIQUE INDEX story_flags_open_topic_key ON story_flags (organization_id, topic_id, reporter_id) NULLS NOT DISTINCT
    WHERE status IN ('pending', 'reviewing') AND topic_id IS NOT NULL;
-- every flag of a target (and each foreign key's index)
CREATE INDEX story_flags_idea_idx ON story_flags (organization_id, idea_id) WHERE idea_id IS NOT NULL;
CREATE INDEX story_flags_scene_idx ON story_flags (organization_id, scene_id) WHERE scene_id IS NOT NULL;
CREATE INDEX story_flags_segment_idx ON story_flags (organization_id, segment_id) WHERE segment_id IS NOT NULL;
CREATE INDEX story_flags_member_idx ON story_flags (organization_id, member_id) WHERE member_id IS NOT NULL;
CREATE INDEX story_flags_topic_idx ON story_flags (organization_id, topic_id) WHERE topic_id IS NOT NULL;
-- the moderation queue: pending flags, oldest first
CREATE INDEX story_flags_pending_idx ON story_flags (organization_id, created_at, id) WHERE status = 'pending';
CREATE INDEX story_flags_reporter_idx ON story_flags (reporter_id) WHERE reporter_id IS NOT NULL;
CREATE INDEX story_flags_reviewed_by_idx ON story_flags (reviewed_by) WHERE reviewed_by IS NOT NULL;
CREATE TRIGGER story_flags_touch BEFORE UPDATE ON story_flags FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_flags_immutable BEFORE UPDATE ON story_flags
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'reporter_id', 'idea_id', 'scene_id', 'segment_id', 'member_id', 'topic_id', 'reason', 'created_at');
CREATE TRIGGER story_flags_status_transition BEFORE INSERT OR UPDATE OF status ON story_flags
    FOR EACH ROW EXECUTE FUNCTION check_status_transition(
        '>pending', 'pending>reviewing', 'reviewing>pending', 'pending>resolved', 'pending>dismissed',
        'reviewing>resolved', 'reviewing>dismissed');

-- -- tenancy, privileges, audit -------------------------------------------------------------------

SELECT make_tenant_table(t::regclass)
  FROM unnest(ARRAY['story_likes', 'story_counter_deltas', 'story_view_months', 'story_scene_views',
                    'story_flags']) AS t;
REVOKE UPDATE, DELETE, TRUNCATE ON story_likes FROM mediabase_app;
GRANT DELETE ON story_likes TO mediabase_app;  -- an unlike
-- counters' inputs and rollup are the database's: the application reads them (RLS) and no more
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON story_counter_deltas, story_view_months FROM mediabase_app;
REVOKE UPDATE, DELETE, TRUNCATE ON story_scene_views FROM mediabase_app;
REVOKE UPDATE, DELETE, TRUNCATE ON story_flags FROM mediabase_app;
GRANT UPDATE (status, reviewed_by, reviewed_at, action_taken, notes, description) ON story_flags TO mediabase_app;

SELECT audit_table('story_likes');
SELECT audit_table('story_flags');
