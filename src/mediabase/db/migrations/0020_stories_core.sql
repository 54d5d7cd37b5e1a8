-- 0020_stories_core: the story platform of seed 002 (docs/stories.md explains every table).
--
--   story_topics, story_categories   curated topics and their categories (seed: topics, categories)
--   story_user_topics                topics users propose and ADMINs review (seed: user_topics)
--   story_ideas                      prompts under a topic and one of that topic's categories
--   story_scenes                     story threads grown from an idea, in the idea's topic
--   story_segments                   a scene's playlist: sequence 1..n, gapless, allocated under
--                                    the scene's row lock; unpartitioned (docs/stories.md says why)
--   story_bibles                     the scene's continuity data, versions 1..n, append-only
--   story_scene_summaries            long-history compression over non-overlapping ranges
--   story_continuations              one row per continuation job (the job id is its key), so
--                                    "this scene's jobs" is an index scan
--
-- Row locks on a scene are FOR NO KEY UPDATE (as its UPDATEs are): they do not conflict with the
-- FOR KEY SHARE locks that inserts referencing the scene take, so appending a segment does not
-- wait for them, nor they for it.
-- Tenancy as everywhere (DESIGN.md 5): organization_id leads every key, references between
-- these tables are composite, row-level security by mediabase.current_org_id() with no subquery
-- (Citus refuses one in a policy). Every table is declared distributed (0019's declare_table),
-- each after the tables it points at; triggers touch only rows of their own row's organization.
-- Counters (scene_count, segment_count, total_duration_ms, contributor_count, last_segment_at,
-- bible_version) are written by SECURITY DEFINER triggers only: the application role has no
-- UPDATE privilege on those columns.

-- btree_gist: the exclusion constraint of summaries compares organization_id and scene_id with
-- '=' in a GiST index. Created by the role that connects to migrate, as 0006 does for btree_gin.
SET LOCAL ROLE NONE;
CREATE EXTENSION IF NOT EXISTS btree_gist;
SET LOCAL ROLE mediabase_owner;

-- -- rules as functions (IMMUTABLE, so CHECK constraints may call them) -----------------------

-- A storage key (an object's path in the deployment's store, not a 500-character URL): no
-- scheme, no leading slash, no control characters or '..' segments.
CREATE FUNCTION mediabase.story_storage_key_valid(k text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN length(k) <= 1024 AND k ~ '^[A-Za-z0-9_][A-Za-z0-9_.=/-]*$' AND k !~ '(^|/)\.\.(/|$)' AND k !~ '//';

-- Tags: lowercase words joined by '-', at most 20 of them, each at most 40 characters, no repeats.
CREATE FUNCTION mediabase.story_tags_valid(tags text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(cardinality(tags) <= 20
                    AND (SELECT coalesce(bool_and(t ~ '^[a-z0-9][a-z0-9-]{0,39}$'), true)
                                AND count(DISTINCT t) = count(*)
                           FROM unnest(tags) AS u (t)), false);

-- The essentials of the bible's JSON Schema (seed 002 §3) the database itself keeps; the whole
-- schema is checked in Python (jsonschema) before a version is written. Each rule is its own
-- constraint, so a refusal names the rule.
CREATE FUNCTION mediabase.story_bible_shape_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN coalesce(jsonb_typeof(data) = 'object'
                    AND jsonb_typeof(data->'version') = 'number'
                    AND jsonb_typeof(data->'characters') = 'array'
                    AND jsonb_typeof(data->'setting') = 'object'
                    AND jsonb_typeof(data->'timeline') = 'object'
                    AND coalesce(jsonb_typeof(data->'plotThreads'), 'array') = 'array', false);

-- Every character has an entityId char_[a-z0-9]+, and no two characters share one.
CREATE FUNCTION mediabase.story_bible_entities_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(bool_and(jsonb_typeof(c) = 'object' AND jsonb_typeof(c->'entityId') = 'string'
                             AND (c->>'entityId') ~ '^char_[a-z0-9]+$'), true)
           AND count(c->>'entityId') = count(DISTINCT c->>'entityId')
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(data->'characters') = 'array'
                                     THEN data->'characters' ELSE '[]'::jsonb END) AS e (c);
END;

-- A plot thread's status, when it has one, is active, resolved or abandoned.
CREATE FUNCTION mediabase.story_bible_threads_valid(data jsonb) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(bool_and(jsonb_typeof(t) = 'object'
                             AND (NOT t ? 'status' OR t->'status' IN ('"active"', '"resolved"', '"abandoned"'))), true)
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(data->'plotThreads') = 'array'
                                     THEN data->'plotThreads' ELSE '[]'::jsonb END) AS e (t);
END;

-- -- topics, categories, proposals -------------------------------------------------------------

CREATE TABLE story_topics (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id              uuid NOT NULL DEFAULT new_id(),
    name            text NOT NULL CONSTRAINT story_topics_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    slug            text NOT NULL CONSTRAINT story_topics_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
    description     text CONSTRAINT story_topics_description_length CHECK (length(description) <= 5000),
    icon_key        text CONSTRAINT story_topics_icon_key_valid CHECK (story_storage_key_valid(icon_key)),
    is_curated      boolean NOT NULL DEFAULT true,
    is_active       boolean NOT NULL DEFAULT true,
    display_order   integer NOT NULL DEFAULT 0,
    scene_count     integer NOT NULL DEFAULT 0 CONSTRAINT story_topics_scene_count_nonnegative CHECK (scene_count >= 0),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_topics_slug_key UNIQUE (organization_id, slug)
);
SELECT declare_table('story_topics', 'distributed');
CREATE INDEX story_topics_order_idx ON story_topics (organization_id, display_order, name);
CREATE INDEX story_topics_created_by_idx ON story_topics (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER story_topics_touch BEFORE UPDATE ON story_topics FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE story_categories (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    topic_id        uuid NOT NULL,
    name            text NOT NULL CONSTRAINT story_categories_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    slug            text NOT NULL CONSTRAINT story_categories_slug_format CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$'),
    description     text CONSTRAINT story_categories_description_length CHECK (length(description) <= 5000),
    display_order   integer NOT NULL DEFAULT 0,
    is_active       boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_categories_slug_key UNIQUE (organization_id, topic_id, slug),
    -- what an idea's (topic, category) pair points at: the category must be of that topic
    CONSTRAINT story_categories_topic_id_key UNIQUE (organization_id, topic_id, id),
    CONSTRAINT story_categories_topic_fk FOREIGN KEY (organization_id, topic_id)
        REFERENCES story_topics (organization_id, id) ON DELETE CASCADE
);
SELECT declare_table('story_categories', 'distributed');
CREATE TRIGGER story_categories_touch BEFORE UPDATE ON story_categories FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_categories_immutable BEFORE UPDATE ON story_categories
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('topic_id');

-- Topics users propose; an ADMIN approves (and may promote it to a topic) or rejects. Reviewer
-- and review time are set together, exactly when the proposal is no longer pending.
CREATE TABLE story_user_topics (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    user_id           uuid REFERENCES users ON DELETE SET NULL,
    name              text NOT NULL CONSTRAINT story_user_topics_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    description       text CONSTRAINT story_user_topics_description_length CHECK (length(description) <= 5000),
    status            text NOT NULL DEFAULT 'pending'
        CONSTRAINT story_user_topics_status_valid CHECK (status IN ('pending', 'approved', 'rejected')),
    -- a reviewer is kept as long as the review (users are deactivated, not deleted)
    reviewed_by       uuid REFERENCES users ON DELETE RESTRICT,
    reviewed_at       timestamptz,
    rejection_reason  text CONSTRAINT story_user_topics_rejection_reason_length CHECK (length(rejection_reason) <= 2000),
    promoted_topic_id uuid,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_user_topics_promoted_fk FOREIGN KEY (organization_id, promoted_topic_id)
        REFERENCES story_topics (organization_id, id),
    CONSTRAINT story_user_topics_review_together CHECK ((reviewed_by IS NULL) = (reviewed_at IS NULL)),
    CONSTRAINT story_user_topics_reviewed_unless_pending CHECK ((status = 'pending') = (reviewed_at IS NULL)),
    CONSTRAINT story_user_topics_reason_only_when_rejected CHECK (rejection_reason IS NULL OR status = 'rejected'),
    CONSTRAINT story_user_topics_promoted_only_when_approved CHECK (promoted_topic_id IS NULL OR status = 'approved')
);
SELECT declare_table('story_user_topics', 'distributed');
CREATE INDEX story_user_topics_status_idx ON story_user_topics (organization_id, status, created_at);
CREATE INDEX story_user_topics_user_idx ON story_user_topics (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX story_user_topics_reviewed_by_idx ON story_user_topics (reviewed_by) WHERE reviewed_by IS NOT NULL;
CREATE INDEX story_user_topics_promoted_idx ON story_user_topics (organization_id, promoted_topic_id)
    WHERE promoted_topic_id IS NOT NULL;
CREATE TRIGGER story_user_topics_touch BEFORE UPDATE ON story_user_topics FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_user_topics_status_transition BEFORE INSERT OR UPDATE OF status ON story_user_topics
    FOR EACH ROW EXECUTE FUNCTION check_status_transition('>pending', 'pending>approved', 'pending>rejected');
CREATE TRIGGER story_user_topics_immutable BEFORE UPDATE ON story_user_topics
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('user_id', 'created_at');

-- -- ideas --------------------------------------------------------------------------------------

CREATE TABLE story_ideas (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    topic_id          uuid NOT NULL,
    category_id       uuid,
    user_id           uuid REFERENCES users ON DELETE SET NULL,
    title             text NOT NULL CONSTRAINT story_ideas_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    prompt            text NOT NULL CONSTRAINT story_ideas_prompt_length CHECK (length(btrim(prompt)) BETWEEN 1 AND 10000),
    tags              text[] NOT NULL DEFAULT '{}' CONSTRAINT story_ideas_tags_valid CHECK (story_tags_valid(tags)),
    status            text NOT NULL DEFAULT 'active'
        CONSTRAINT story_ideas_status_valid CHECK (status IN ('active', 'hidden', 'removed')),
    moderation_status text NOT NULL DEFAULT 'pending'
        CONSTRAINT story_ideas_moderation_status_valid CHECK (moderation_status IN ('pending', 'approved', 'rejected')),
    scene_count       integer NOT NULL DEFAULT 0 CONSTRAINT story_ideas_scene_count_nonnegative CHECK (scene_count >= 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- what a scene's (topic, idea) pair points at: the scene is in its idea's topic
    CONSTRAINT story_ideas_topic_id_key UNIQUE (organization_id, topic_id, id),
    CONSTRAINT story_ideas_topic_fk FOREIGN KEY (organization_id, topic_id)
        REFERENCES story_topics (organization_id, id),
    -- one composite key, not two independent ones: the category is one of the idea's topic's
    -- (no ON DELETE SET NULL (category_id): Citus refuses it on a key with organization_id, and
    -- categories are deactivated, not deleted)
    CONSTRAINT story_ideas_category_fk FOREIGN KEY (organization_id, topic_id, category_id)
        REFERENCES story_categories (organization_id, topic_id, id)
);
SELECT declare_table('story_ideas', 'distributed');
-- newest first in a topic (keyset: created_at, id); also serves the topic's foreign key
CREATE INDEX story_ideas_topic_new_idx ON story_ideas (organization_id, topic_id, created_at DESC, id DESC);
CREATE INDEX story_ideas_category_idx ON story_ideas (organization_id, topic_id, category_id)
    WHERE category_id IS NOT NULL;
CREATE INDEX story_ideas_user_idx ON story_ideas (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX story_ideas_tags_idx ON story_ideas USING gin (organization_id, tags);
CREATE TRIGGER story_ideas_touch BEFORE UPDATE ON story_ideas FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_ideas_immutable BEFORE UPDATE ON story_ideas
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('topic_id', 'user_id', 'created_at');

-- -- scenes -------------------------------------------------------------------------------------

CREATE TABLE story_scenes (
    organization_id   uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    id                uuid NOT NULL DEFAULT new_id(),
    topic_id          uuid NOT NULL,
    idea_id           uuid NOT NULL,
    user_id           uuid REFERENCES users ON DELETE SET NULL,
    title             text NOT NULL CONSTRAINT story_scenes_title_length CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description       text CONSTRAINT story_scenes_description_length CHECK (length(description) <= 5000),
    status            text NOT NULL DEFAULT 'active'
        CONSTRAINT story_scenes_status_valid CHECK (status IN ('active', 'locked', 'hidden', 'removed')),
    thumbnail_key     text CONSTRAINT story_scenes_thumbnail_key_valid CHECK (story_storage_key_valid(thumbnail_key)),
    -- counters, written by the triggers of story_segments and story_bibles only
    segment_count     integer NOT NULL DEFAULT 0 CONSTRAINT story_scenes_segment_count_nonnegative CHECK (segment_count >= 0),
    total_duration_ms bigint NOT NULL DEFAULT 0 CONSTRAINT story_scenes_total_duration_nonnegative CHECK (total_duration_ms >= 0),
    contributor_count integer NOT NULL DEFAULT 0
        CONSTRAINT story_scenes_contributor_count_range CHECK (contributor_count BETWEEN 0 AND segment_count),
    last_segment_at   timestamptz,
    -- the latest bible version: always the scene's highest story_bibles.version
    bible_version     integer NOT NULL DEFAULT 1 CONSTRAINT story_scenes_bible_version_positive CHECK (bible_version >= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- the scene is in its idea's topic (one composite key: topic and idea together)
    CONSTRAINT story_scenes_idea_fk FOREIGN KEY (organization_id, topic_id, idea_id)
        REFERENCES story_ideas (organization_id, topic_id, id),
    CONSTRAINT story_scenes_topic_fk FOREIGN KEY (organization_id, topic_id)
        REFERENCES story_topics (organization_id, id),
    CONSTRAINT story_scenes_last_segment_when_segments CHECK ((segment_count = 0) = (last_segment_at IS NULL))
);
SELECT declare_table('story_scenes', 'distributed');
-- a topic's scenes, recently active first (scenes without segments last); serves the topic key
CREATE INDEX story_scenes_topic_active_idx
    ON story_scenes (organization_id, topic_id, last_segment_at DESC NULLS LAST, id DESC);
CREATE INDEX story_scenes_idea_idx ON story_scenes (organization_id, topic_id, idea_id);
CREATE INDEX story_scenes_user_idx ON story_scenes (user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER story_scenes_touch BEFORE UPDATE ON story_scenes FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_scenes_immutable BEFORE UPDATE ON story_scenes
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('topic_id', 'idea_id', 'user_id', 'created_at');

-- A scene starts with no segments and its bible at version 1 (written in the same transaction).
CREATE FUNCTION mediabase.story_scenes_start() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.segment_count := 0;
    NEW.total_duration_ms := 0;
    NEW.contributor_count := 0;
    NEW.last_segment_at := NULL;
    NEW.bible_version := 1;
    RETURN NEW;
END
$$;
CREATE TRIGGER story_scenes_start BEFORE INSERT ON story_scenes FOR EACH ROW EXECUTE FUNCTION story_scenes_start();

-- scene_count of the idea and the topic follows the scenes (same organization's rows only).
CREATE FUNCTION mediabase.story_scenes_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_scenes_count AFTER INSERT OR DELETE ON story_scenes
    FOR EACH ROW EXECUTE FUNCTION story_scenes_count();

-- -- bibles ---------------------------------------------------------------------------------------

CREATE TABLE story_bibles (
    organization_id       uuid NOT NULL,
    scene_id              uuid NOT NULL,
    version               integer NOT NULL CONSTRAINT story_bibles_version_positive CHECK (version >= 1),
    data                  jsonb NOT NULL,
    created_by            uuid REFERENCES users ON DELETE SET NULL,
    created_by_segment_id uuid,  -- the segment whose continuation wrote this version
    created_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, scene_id, version),
    CONSTRAINT story_bibles_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_bibles_shape CHECK (story_bible_shape_valid(data)),
    CONSTRAINT story_bibles_version_matches CHECK (coalesce(data->>'version' = version::text, false)),
    CONSTRAINT story_bibles_entity_ids CHECK (story_bible_entities_valid(data)),
    CONSTRAINT story_bibles_plot_thread_status CHECK (story_bible_threads_valid(data)),
    CONSTRAINT story_bibles_size CHECK (pg_column_size(data) <= 1048576)
);
SELECT declare_table('story_bibles', 'distributed');
CREATE INDEX story_bibles_created_by_idx ON story_bibles (created_by) WHERE created_by IS NOT NULL;

-- Versions are contiguous: the first is 1, each next one is the scene's bible_version + 1 (a
-- compare-and-set under the scene's row lock), and the scene's bible_version follows.
CREATE FUNCTION mediabase.story_bibles_append() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_bibles_append BEFORE INSERT ON story_bibles FOR EACH ROW EXECUTE FUNCTION story_bibles_append();

-- Append-only: a version never changes; it goes only with its scene (a cascade).
CREATE FUNCTION mediabase.story_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_TABLE_NAME || '_append_only';
END
$$;
CREATE TRIGGER story_bibles_append_only BEFORE UPDATE OR DELETE ON story_bibles
    FOR EACH ROW EXECUTE FUNCTION story_append_only();

-- At commit, a new scene has its first bible.
CREATE FUNCTION mediabase.story_scenes_have_bible() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
CREATE CONSTRAINT TRIGGER story_scenes_have_bible AFTER INSERT ON story_scenes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION story_scenes_have_bible();

-- -- segments -------------------------------------------------------------------------------------

-- Unpartitioned (docs/stories.md): UNIQUE (scene, sequence) holds, and a playlist is one range
-- of one index. Rows are never deleted but with their scene, so sequences stay gapless.
CREATE TABLE story_segments (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    scene_id        uuid NOT NULL,
    sequence        integer NOT NULL CONSTRAINT story_segments_sequence_positive CHECK (sequence >= 1),
    user_id         uuid REFERENCES users ON DELETE SET NULL,
    input_text      text NOT NULL CONSTRAINT story_segments_input_text_length CHECK (length(btrim(input_text)) BETWEEN 1 AND 10000),
    expanded_script text NOT NULL CONSTRAINT story_segments_expanded_script_length
        CHECK (length(btrim(expanded_script)) BETWEEN 1 AND 100000),
    video_key       text NOT NULL CONSTRAINT story_segments_video_key_valid CHECK (story_storage_key_valid(video_key)),
    hls_key         text CONSTRAINT story_segments_hls_key_valid CHECK (story_storage_key_valid(hls_key)),
    thumbnail_key   text CONSTRAINT story_segments_thumbnail_key_valid CHECK (story_storage_key_valid(thumbnail_key)),
    duration_ms     integer NOT NULL CONSTRAINT story_segments_duration_range CHECK (duration_ms BETWEEN 1 AND 86400000),
    resolution      text CONSTRAINT story_segments_resolution_format CHECK (resolution ~ '^[1-9][0-9]{2,3}p$'),
    size_bytes      bigint CONSTRAINT story_segments_size_nonnegative CHECK (size_bytes >= 0),
    -- the bible version it was written against
    bible_version   integer NOT NULL,
    -- the job that made it (no foreign key: jobs are archived and dropped with their month)
    job_id          uuid,
    status          text NOT NULL DEFAULT 'active'
        CONSTRAINT story_segments_status_valid CHECK (status IN ('active', 'hidden', 'removed')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- the playlist: gapless from 1 per scene (story_segments_allocate), read in this order
    CONSTRAINT story_segments_sequence_key UNIQUE (organization_id, scene_id, sequence),
    CONSTRAINT story_segments_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_segments_bible_fk FOREIGN KEY (organization_id, scene_id, bible_version)
        REFERENCES story_bibles (organization_id, scene_id, version)
);
SELECT declare_table('story_segments', 'distributed');
-- one segment per job: a finalization that runs twice cannot append twice
CREATE UNIQUE INDEX story_segments_job_key ON story_segments (organization_id, job_id) WHERE job_id IS NOT NULL;
CREATE INDEX story_segments_bible_idx ON story_segments (organization_id, scene_id, bible_version);
CREATE INDEX story_segments_contributor_idx ON story_segments (organization_id, scene_id, user_id);
CREATE INDEX story_segments_user_idx ON story_segments (user_id) WHERE user_id IS NOT NULL;
CREATE TRIGGER story_segments_immutable BEFORE UPDATE ON story_segments
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns(
        'scene_id', 'sequence', 'user_id', 'input_text', 'expanded_script', 'video_key', 'duration_ms',
        'bible_version', 'job_id', 'created_at');
CREATE TRIGGER story_segments_append_only BEFORE DELETE ON story_segments
    FOR EACH ROW EXECUTE FUNCTION story_append_only();
ALTER TABLE story_bibles ADD CONSTRAINT story_bibles_segment_fk FOREIGN KEY (organization_id, created_by_segment_id)
    REFERENCES story_segments (organization_id, id);
CREATE INDEX story_bibles_segment_idx ON story_bibles (organization_id, created_by_segment_id)
    WHERE created_by_segment_id IS NOT NULL;

-- The next sequence, under the scene's row lock: only an active scene takes segments, a segment
-- is written against the scene's latest bible, and the scene's counters follow.
CREATE FUNCTION mediabase.story_segments_allocate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_segments_allocate BEFORE INSERT ON story_segments
    FOR EACH ROW EXECUTE FUNCTION story_segments_allocate();

-- A contributor's account deleted (user_id set null): the scene's contributor count is recounted.
CREATE FUNCTION mediabase.story_segments_recount_contributors() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    UPDATE story_scenes sc
       SET contributor_count = (SELECT count(DISTINCT g.user_id) FROM story_segments g
                                 WHERE g.organization_id = sc.organization_id AND g.scene_id = sc.id)
     WHERE sc.organization_id = NEW.organization_id AND sc.id = NEW.scene_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER story_segments_recount_contributors AFTER UPDATE OF user_id ON story_segments
    FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION story_segments_recount_contributors();

-- -- summaries ------------------------------------------------------------------------------------

-- A summary covers a range of sequences [first, last + 1); a scene's ranges never overlap.
CREATE TABLE story_scene_summaries (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    scene_id        uuid NOT NULL,
    covered         int4range NOT NULL,
    summary         text NOT NULL CONSTRAINT story_scene_summaries_summary_length
        CHECK (length(btrim(summary)) BETWEEN 1 AND 50000),
    created_by      uuid REFERENCES users ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT story_scene_summaries_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_scene_summaries_covered_bounded
        CHECK (NOT isempty(covered) AND lower(covered) >= 1 AND NOT upper_inf(covered)),
    CONSTRAINT story_scene_summaries_no_overlap
        EXCLUDE USING gist (organization_id WITH =, scene_id WITH =, covered WITH &&)
);
SELECT declare_table('story_scene_summaries', 'distributed');
CREATE INDEX story_scene_summaries_created_by_idx ON story_scene_summaries (created_by) WHERE created_by IS NOT NULL;
CREATE TRIGGER story_scene_summaries_touch BEFORE UPDATE ON story_scene_summaries
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_scene_summaries_immutable BEFORE UPDATE ON story_scene_summaries
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('scene_id', 'created_at');

-- A summary covers segments that exist (the count only grows, so no lock is needed).
CREATE FUNCTION mediabase.story_scene_summaries_within() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_scene_summaries_within BEFORE INSERT OR UPDATE OF covered ON story_scene_summaries
    FOR EACH ROW EXECUTE FUNCTION story_scene_summaries_within();

-- -- continuations --------------------------------------------------------------------------------

-- One continuation job of a scene (type story.continuation, docs/stories.md): the job id is the
-- key, the scene and the user are indexed columns. base_bible_version is the version the current
-- attempt builds on; finalization compares it with the scene's (story_finalize_continuation).
CREATE TABLE story_continuations (
    organization_id    uuid NOT NULL,
    job_id             uuid NOT NULL,
    job_created_at     timestamptz NOT NULL,  -- with job_id, the job's primary key (no foreign key: jobs are archived)
    scene_id           uuid NOT NULL,
    user_id            uuid REFERENCES users ON DELETE SET NULL,
    input_text         text NOT NULL
        CONSTRAINT story_continuations_input_text_length CHECK (length(btrim(input_text)) BETWEEN 1 AND 10000),
    base_bible_version integer NOT NULL CONSTRAINT story_continuations_base_positive CHECK (base_bible_version >= 1),
    state              text NOT NULL DEFAULT 'queued'
        CONSTRAINT story_continuations_state_valid CHECK (state IN ('queued', 'running', 'conflict', 'finalized', 'failed')),
    attempts           integer NOT NULL DEFAULT 0 CONSTRAINT story_continuations_attempts_nonnegative CHECK (attempts >= 0),
    message            text CONSTRAINT story_continuations_message_length CHECK (length(message) <= 2000),
    segment_id         uuid,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    PRIMARY KEY (organization_id, job_id),
    CONSTRAINT story_continuations_scene_fk FOREIGN KEY (organization_id, scene_id)
        REFERENCES story_scenes (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT story_continuations_segment_fk FOREIGN KEY (organization_id, segment_id)
        REFERENCES story_segments (organization_id, id),
    CONSTRAINT story_continuations_segment_when_finalized CHECK ((state = 'finalized') = (segment_id IS NOT NULL)),
    CONSTRAINT story_continuations_finished_when_final CHECK ((state IN ('finalized', 'failed')) = (finished_at IS NOT NULL))
);
SELECT declare_table('story_continuations', 'distributed');
CREATE INDEX story_continuations_scene_idx ON story_continuations (organization_id, scene_id, created_at DESC, job_id DESC);
CREATE INDEX story_continuations_user_idx ON story_continuations (user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX story_continuations_segment_key ON story_continuations (organization_id, segment_id)
    WHERE segment_id IS NOT NULL;
CREATE TRIGGER story_continuations_touch BEFORE UPDATE ON story_continuations
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE TRIGGER story_continuations_immutable BEFORE UPDATE ON story_continuations
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('job_created_at', 'scene_id', 'user_id', 'input_text', 'created_at');
-- A continuation's state moves along these steps only (check_status_transition's rule, on state).
CREATE FUNCTION mediabase.story_continuations_state_transition() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
CREATE TRIGGER story_continuations_state_transition BEFORE INSERT OR UPDATE OF state ON story_continuations
    FOR EACH ROW EXECUTE FUNCTION story_continuations_state_transition(
        '>queued', 'queued>running', 'queued>failed', 'running>running', 'running>conflict', 'running>finalized',
        'running>failed', 'conflict>running', 'conflict>failed', 'queued>finalized', 'conflict>finalized');

-- Finalization (the last stage of a continuation), in the caller's transaction and tenant: the
-- segment is appended (its sequence allocated under the scene's row lock) and the bible advances
-- to base_version + 1, if and only if the scene's bible is still at base_version: otherwise a
-- serialization failure (SQLSTATE 40001, constraint story_continuations_bible_cas) and nothing
-- is written; the job retries against the new version. A continuation finalized already answers
-- with its segment (created = false): running the stage twice appends once. Any worker, in any
-- language, finalizes through this function (docs/stories.md).
CREATE FUNCTION mediabase.story_finalize_continuation(
    job_id          uuid,
    base_version    integer,
    new_bible       jsonb,
    expanded_script text,
    video_key       text,
    duration_ms     integer,
    hls_key         text DEFAULT NULL,
    thumbnail_key   text DEFAULT NULL,
    resolution      text DEFAULT NULL,
    size_bytes      bigint DEFAULT NULL
) RETURNS TABLE (segment_id uuid, sequence integer, bible_version integer, created boolean)
    LANGUAGE plpgsql SET search_path = mediabase, pg_temp AS $$
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

-- -- tenancy, privileges, audit -------------------------------------------------------------------

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['story_topics', 'story_categories', 'story_user_topics', 'story_ideas', 'story_scenes',
                             'story_bibles', 'story_segments', 'story_scene_summaries', 'story_continuations'] LOOP
        PERFORM make_tenant_table(format('mediabase.%I', t)::regclass);  -- no subquery in the policy since 0018
        -- the app role changes only the columns granted below; rows go only with their parent
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE ON mediabase.%I FROM mediabase_app', t);
    END LOOP;
END
$$;
-- counters are not the application's to write, not even in an INSERT
REVOKE INSERT ON story_topics, story_ideas, story_scenes FROM mediabase_app;
GRANT INSERT (organization_id, id, name, slug, description, icon_key, is_curated, is_active, display_order, created_by)
    ON story_topics TO mediabase_app;
GRANT INSERT (organization_id, id, topic_id, category_id, user_id, title, prompt, tags, status, moderation_status)
    ON story_ideas TO mediabase_app;
GRANT INSERT (organization_id, id, topic_id, idea_id, user_id, title, description, status, thumbnail_key)
    ON story_scenes TO mediabase_app;
GRANT UPDATE (name, slug, description, icon_key, is_curated, is_active, display_order) ON story_topics TO mediabase_app;
GRANT UPDATE (name, slug, description, display_order, is_active) ON story_categories TO mediabase_app;
GRANT UPDATE (name, description, status, reviewed_by, reviewed_at, rejection_reason, promoted_topic_id)
    ON story_user_topics TO mediabase_app;
GRANT UPDATE (title, prompt, tags, category_id, status, moderation_status) ON story_ideas TO mediabase_app;
GRANT UPDATE (title, description, status, thumbnail_key) ON story_scenes TO mediabase_app;
GRANT UPDATE (status, hls_key, thumbnail_key) ON story_segments TO mediabase_app;
GRANT UPDATE (covered, summary) ON story_scene_summaries TO mediabase_app;
GRANT DELETE ON story_scene_summaries TO mediabase_app;
GRANT UPDATE (base_bible_version, state, attempts, message, segment_id, finished_at) ON story_continuations TO mediabase_app;

SELECT audit_table(t::regclass) FROM unnest(ARRAY['story_categories', 'story_user_topics', 'story_bibles',
                                                  'story_segments', 'story_scene_summaries']) AS t;
SELECT audit_table('story_topics', '{}', '{scene_count}');
SELECT audit_table('story_ideas', '{}', '{scene_count}');
SELECT audit_table('story_scenes', '{}',
                   '{segment_count,total_duration_ms,contributor_count,last_segment_at,bible_version}');
SELECT audit_table('story_continuations', '{}', '{attempts,message}');
