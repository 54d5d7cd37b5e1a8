-- 0024_stories_search: the story texts found by keyword, and the stories on Citus (docs/stories.md,
-- "Search" and "Views and privacy").
--
-- 1. Search. Ideas (title, prompt, tags), scenes (title, description), story segments (the
--    member's text and the expanded script) and bibles (every string of the JSON) get a stored
--    generated tsvector and a GIN index led by the tenant, like transcript segments (0006).
--    The language rule of docs/search.md holds: an idea may name its language (ISO 639 code,
--    set when it is submitted); the idea is indexed with that language's text-search
--    configuration ('simple' without one), and its scenes, their segments and bibles take the
--    configuration of the idea they grow from when they are written (ts_config, set by a
--    trigger, never changed). story_search_configs lists the configurations in use per
--    organization, so a query is parsed once with each. The matching runs in story_match(),
--    SECURITY DEFINER for the transaction's tenant only (under row-level security @@ could not
--    use a GIN index; docs/search.md "Why matching runs in two small functions"), and applies
--    the stories' visibility: for members what the lists show them (active ideas not rejected;
--    active and locked scenes; their active segments; the latest bible), for the public read
--    path what is published (approved ideas in active topics and their scenes).
-- 2. Citus. The application may insert topics, ideas and scenes there (table-level INSERT: the
--    coordinator names every defaulted column on the shard, which column grants refused);
--    triggers that branched on TG_TABLE_NAME (a shard's name on Citus) take their table as an
--    argument; and 0021's story_scene_views_count, a statement trigger whose INSERT … SELECT
--    from its transition table ran on the shard without the tuplestore ("executor could not
--    find named tuplestore new_rows", the view refused), becomes a row trigger that appends one
--    delta row per view: a view still never updates the scene's row (the fold adds the deltas
--    up, 0021).

-- -- 1. search --------------------------------------------------------------------------------------

-- The text of a bible: its string values (names, descriptions, places, events, threads, style),
-- one a line, in the stored order of the JSON; at most 100,000 characters are indexed (a tsvector
-- holds at most 1 MB, a bible up to 1 MB of compressed JSON).
CREATE FUNCTION mediabase.story_bible_text(data jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT left(coalesce(string_agg(v #>> '{}', E'\n' ORDER BY n), ''), 100000)
      FROM jsonb_path_query(data, 'strict $.**') WITH ORDINALITY AS e (v, n)
     WHERE jsonb_typeof(v) = 'string';
END;

-- Tags as words (array_to_string is only STABLE in general; for text it is immutable).
CREATE FUNCTION mediabase.story_tags_text(tags text[]) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN array_to_string(tags, ' ');

ALTER TABLE story_ideas ADD COLUMN language text CONSTRAINT story_ideas_language_format CHECK (check_language(language));
ALTER TABLE story_ideas ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_config_for(language), title), 'A')
     || setweight(to_tsvector(ts_config_for(language), prompt), 'B')
     || setweight(to_tsvector(ts_config_for(language), story_tags_text(tags)), 'B')) STORED;

ALTER TABLE story_scenes ADD COLUMN ts_config regconfig NOT NULL DEFAULT 'pg_catalog.simple';
ALTER TABLE story_scenes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_config, title), 'A')
     || setweight(to_tsvector(ts_config, coalesce(description, '')), 'B')) STORED;

ALTER TABLE story_segments ADD COLUMN ts_config regconfig NOT NULL DEFAULT 'pg_catalog.simple';
ALTER TABLE story_segments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_config, input_text), 'B')
     || setweight(to_tsvector(ts_config, expanded_script), 'C')) STORED;

ALTER TABLE story_bibles ADD COLUMN ts_config regconfig NOT NULL DEFAULT 'pg_catalog.simple';
ALTER TABLE story_bibles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector(ts_config, story_bible_text(data))) STORED;

-- one GIN per table, led by the tenant: a search reads its own organization's posting lists
CREATE INDEX story_ideas_search_idx ON story_ideas USING gin (organization_id, search_vector);
CREATE INDEX story_scenes_search_idx ON story_scenes USING gin (organization_id, search_vector);
CREATE INDEX story_segments_search_idx ON story_segments USING gin (organization_id, search_vector);
CREATE INDEX story_bibles_search_idx ON story_bibles USING gin (organization_id, search_vector);

-- A scene is indexed in its idea's configuration, a segment and a bible in their scene's (the
-- argument names the parent: on Citus TG_TABLE_NAME is the shard's name, story_scenes_102345).
CREATE FUNCTION mediabase.story_text_config() RETURNS trigger
    LANGUAGE plpgsql AS $$
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
CREATE TRIGGER story_scenes_text_config BEFORE INSERT ON story_scenes
    FOR EACH ROW EXECUTE FUNCTION story_text_config('idea');
CREATE TRIGGER story_segments_text_config BEFORE INSERT ON story_segments
    FOR EACH ROW EXECUTE FUNCTION story_text_config('scene');
CREATE TRIGGER story_bibles_text_config BEFORE INSERT ON story_bibles
    FOR EACH ROW EXECUTE FUNCTION story_text_config('scene');
CREATE TRIGGER story_ideas_language_immutable BEFORE UPDATE ON story_ideas
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('language');
CREATE TRIGGER story_scenes_text_config_immutable BEFORE UPDATE ON story_scenes
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('ts_config');
CREATE TRIGGER story_segments_text_config_immutable BEFORE UPDATE ON story_segments
    FOR EACH ROW EXECUTE FUNCTION check_immutable_columns('ts_config');

-- The configurations the organization's story texts use: a query is parsed with each of them.
CREATE TABLE story_search_configs (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    ts_config       regconfig NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, ts_config)
);
SELECT declare_table('story_search_configs', 'distributed');
SELECT make_tenant_table('story_search_configs');
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON story_search_configs FROM mediabase_app;

CREATE FUNCTION mediabase.story_note_text_config() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
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
CREATE TRIGGER story_ideas_search_configs AFTER INSERT ON story_ideas
    FOR EACH ROW EXECUTE FUNCTION story_note_text_config();
-- the ideas already there have no language: 'simple'
INSERT INTO story_search_configs (organization_id, ts_config)
SELECT DISTINCT organization_id, 'pg_catalog.simple'::regconfig FROM story_ideas
ON CONFLICT DO NOTHING;

-- Matching and ranking (ts_rank_cd, weights D .4, C .6, B .8, A 1, normalised by 1 + log(length))
-- as the tables' owner, for the transaction's tenant only (no organization argument; nothing
-- without a tenant). Per configuration i and kind: the rows matching queries[i] that the
-- audience may read, after the caller's cursor (after_score, after_kind, after_id) in page order
-- (score DESC, kind, id), at most lim of them (NULL: all). public: what the public read path shows
-- (approved ideas in active topics, their active and locked scenes); else what members' lists
-- show (active ideas not rejected, active and locked scenes). Segments: active ones of such
-- scenes; bibles: the latest version of such scenes (the hit's id is the scene's). topic, scene:
-- only that topic's or scene's texts (with a scene: the scene, its segments and bible).
CREATE FUNCTION mediabase.story_match(cfgs regconfig[], queries tsquery[], kinds text[], public boolean DEFAULT false,
                                      topic uuid DEFAULT NULL, scene uuid DEFAULT NULL, lim integer DEFAULT NULL,
                                      after_score double precision DEFAULT NULL, after_kind text DEFAULT NULL,
                                      after_id uuid DEFAULT NULL)
    RETURNS TABLE (kind text, id uuid, scene_id uuid, version integer, ts_config regconfig, tsq tsquery,
                   score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp ROWS 50 AS $$
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
REVOKE ALL ON FUNCTION mediabase.story_match(regconfig[], tsquery[], text[], boolean, uuid, uuid, integer,
    double precision, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.story_match(regconfig[], tsquery[], text[], boolean, uuid, uuid, integer,
    double precision, text, uuid) TO mediabase_app;

-- -- 2. Citus: inserts, triggers that named their table, views by a row trigger ----------------

-- On Citus the coordinator fills in every column that has a default (scene_count, created_at,
-- ts_config, …) before it sends an INSERT to the shard, so 0020's column-level INSERT grants
-- refused every topic, idea and scene the application wrote there ("permission denied for table
-- story_topics_…"). The counters never rested on those grants: story_scenes_start and
-- story_counters_start (0021) set them on every insert, whoever writes, and story_text_config
-- sets ts_config; UPDATE stays granted column by column (0020).
GRANT INSERT ON story_topics, story_ideas, story_scenes TO mediabase_app;

-- On Citus a trigger runs on the shard, where TG_TABLE_NAME is the shard's name (story_ideas_102345):
-- story_counters_start (0021) never reset an idea's like_count there (an insert could set it), and
-- the append-only refusal (0020) named a constraint nobody knows. They take their table as an
-- argument now; the same rules on one server.
CREATE OR REPLACE FUNCTION mediabase.story_counters_start() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    NEW.scene_count := 0;
    IF TG_ARGV[0] = 'story_ideas' THEN
        NEW.like_count := 0;
    END IF;
    RETURN NEW;
END
$$;
DROP TRIGGER story_ideas_start ON story_ideas;
CREATE TRIGGER story_ideas_start BEFORE INSERT ON story_ideas
    FOR EACH ROW EXECUTE FUNCTION story_counters_start('story_ideas');
DROP TRIGGER story_topics_start ON story_topics;
CREATE TRIGGER story_topics_start BEFORE INSERT ON story_topics
    FOR EACH ROW EXECUTE FUNCTION story_counters_start('story_topics');

CREATE OR REPLACE FUNCTION mediabase.story_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_ARGV[0], TG_OP
        USING ERRCODE = 'check_violation', CONSTRAINT = TG_ARGV[0] || '_append_only';
END
$$;
DROP TRIGGER story_bibles_append_only ON story_bibles;
CREATE TRIGGER story_bibles_append_only BEFORE UPDATE OR DELETE ON story_bibles
    FOR EACH ROW EXECUTE FUNCTION story_append_only('story_bibles');
DROP TRIGGER story_segments_append_only ON story_segments;
CREATE TRIGGER story_segments_append_only BEFORE DELETE ON story_segments
    FOR EACH ROW EXECUTE FUNCTION story_append_only('story_segments');

-- Views: one delta row per view.

DROP TRIGGER story_scene_views_count ON story_scene_views;
CREATE OR REPLACE FUNCTION mediabase.story_scene_views_count() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    INSERT INTO story_counter_deltas (organization_id, scene_id, views, month)
    VALUES (NEW.organization_id, NEW.scene_id, 1, date_trunc('month', NEW.viewed_at AT TIME ZONE 'UTC')::date);
    RETURN NULL;
END
$$;
CREATE TRIGGER story_scene_views_count AFTER INSERT ON story_scene_views
    FOR EACH ROW EXECUTE FUNCTION story_scene_views_count();
