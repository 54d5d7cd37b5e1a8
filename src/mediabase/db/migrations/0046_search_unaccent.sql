-- 0046_search_unaccent: keyword search that ignores accents where the language allows it
-- (issue 17, "Search that a person trusts"; docs/search.md, "Accents and case").
--
-- `cafe` finds `café`, `CAFE` finds it too, and `café` finds `cafe`: for the languages below, text
-- and queries are parsed with a copy of the language's configuration whose word mappings run the
-- `unaccent` dictionary before the stemmer (mediabase.english_unaccent: hword, hword_part, word WITH
-- unaccent, english_stem). Case was already ignored (every dictionary lower-cases).
--
--   folded    simple (no or an unknown language), basque, catalan, dutch, english, french, german
--             (its stemmer already folds ä/ö/ü), indonesian, irish, italian, portuguese, romanian,
--             spanish — languages whose writers commonly leave accents out when they type
--   unchanged danish, estonian, finnish, hungarian, lithuanian, norwegian, serbian, swedish,
--             turkish (å, ä, ö, ő, ı, ş, č … are letters of their own there: "får" is not "far"),
--             and the configurations of other scripts (arabic, armenian, greek, hindi, nepali,
--             russian, tamil, yiddish; the greek and russian stemmers fold their accents already)
--
-- What is stored does not change: ts_config columns and search_configs keep the language's
-- built-in configuration (ts_config_for, 0006). The copies are used only where text is parsed —
-- the generated tsvectors, the query, the snippets — through mediabase.ts_parse_config(cfg), an
-- IMMUTABLE function from the stored configuration to the one that parses. The reason is Citus: a
-- regconfig is an OID, the copies have a different OID on every node, and Citus moves regconfig
-- values between nodes as raw OIDs (COPY of segments from the coordinator failed with "cache lookup
-- failed for text search configuration"); built-in configurations have the same OID everywhere,
-- and ts_parse_config() names the copies in its body, resolved on the node that runs it.
--
-- The generated columns are computed differently, so they are re-created (DROP, then ADD: ALTER
-- COLUMN … SET EXPRESSION is PostgreSQL 17+ and Citus refuses it), which rewrites the tables and
-- rebuilds every stored tsvector, and their GIN indexes are re-created under the same names:
-- transcript_segments, videos, the story texts (ideas, scenes, segments, bibles) and decisions
-- (always English). This holds an exclusive lock on those tables while it runs (on 1 M segments,
-- tens of seconds).

-- unaccent (contrib; trusted) is created by the role that connects to migrate, as 0006 does for
-- btree_gin; on Citus the migrator creates it first and Citus creates it on every worker.
SET LOCAL ROLE NONE;
CREATE EXTENSION IF NOT EXISTS unaccent;
SET LOCAL ROLE mediabase_owner;

-- The copies (those of the languages this server has), and ts_parse_config() naming them.
DO $$
DECLARE
    folded CONSTANT text[] := ARRAY['simple', 'basque', 'catalan', 'dutch', 'english', 'french', 'german',
                                    'indonesian', 'irish', 'italian', 'portuguese', 'romanian', 'spanish'];
    lang  text;
    dicts text;
    arms  text := '';
BEGIN
    FOREACH lang IN ARRAY folded LOOP
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_ts_config c
                                   WHERE c.cfgnamespace = 'pg_catalog'::regnamespace AND c.cfgname = lang);
        -- the dictionaries the original maps words to (english_stem; simple for 'simple')
        SELECT string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) INTO dicts
          FROM pg_ts_config_map m
         WHERE m.mapcfg = format('pg_catalog.%I', lang)::regconfig
           AND m.maptokentype = (SELECT t.tokid FROM ts_token_type('default') t WHERE t.alias = 'word');
        EXECUTE format('CREATE TEXT SEARCH CONFIGURATION mediabase.%I (COPY = pg_catalog.%I)',
                       lang || '_unaccent', lang);
        EXECUTE format('ALTER TEXT SEARCH CONFIGURATION mediabase.%I ALTER MAPPING FOR hword, hword_part, word'
                       ' WITH unaccent, %s', lang || '_unaccent', dicts);
        arms := arms || format(' WHEN cfg = %L::regconfig THEN %L::regconfig',
                               'pg_catalog.' || lang, 'mediabase.' || lang || '_unaccent');
    END LOOP;
    -- Inlined where it is called (not STRICT: PostgreSQL inlines a strict function only if its
    -- body is strict, and a CASE is not; a call per row would cost a generated column half again
    -- its time). A searched CASE: a simple CASE inlined with a bound argument reaches a Citus
    -- shard as `WHEN NULL::boolean` (0018). A SQL-standard body records its dependency on the copies.
    EXECUTE format('CREATE FUNCTION mediabase.ts_parse_config(cfg regconfig) RETURNS regconfig'
                   ' LANGUAGE sql IMMUTABLE PARALLEL SAFE'
                   ' RETURN CASE%s ELSE cfg END', arms);
END
$$;
COMMENT ON FUNCTION mediabase.ts_parse_config(regconfig) IS
    'The text-search configuration that parses text and queries of a stored language configuration: '
    'its unaccent copy where the language allows folding accents (0046), else itself.';

-- -- the tsvectors, computed with ts_parse_config ----------------------------------------------

ALTER TABLE transcript_segments DROP COLUMN search_vector;
ALTER TABLE transcript_segments ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector(ts_parse_config(ts_config), text)) STORED;
CREATE INDEX transcript_segments_search_idx ON transcript_segments USING gin (organization_id, search_vector);

ALTER TABLE videos DROP COLUMN search_vector;
ALTER TABLE videos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_parse_config(ts_config_for(language)), title), 'A')
     || setweight(to_tsvector(ts_parse_config(ts_config_for(language)), search_tags), 'B')
     || setweight(to_tsvector(ts_parse_config(ts_config_for(language)), coalesce(description, '')), 'C')) STORED;
CREATE INDEX videos_search_idx ON videos USING gin (organization_id, search_vector);

ALTER TABLE story_ideas DROP COLUMN search_vector;
ALTER TABLE story_ideas ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_parse_config(ts_config_for(language)), title), 'A')
     || setweight(to_tsvector(ts_parse_config(ts_config_for(language)), prompt), 'B')
     || setweight(to_tsvector(ts_parse_config(ts_config_for(language)), story_tags_text(tags)), 'B')) STORED;
CREATE INDEX story_ideas_search_idx ON story_ideas USING gin (organization_id, search_vector);

ALTER TABLE story_scenes DROP COLUMN search_vector;
ALTER TABLE story_scenes ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_parse_config(ts_config), title), 'A')
     || setweight(to_tsvector(ts_parse_config(ts_config), coalesce(description, '')), 'B')) STORED;
CREATE INDEX story_scenes_search_idx ON story_scenes USING gin (organization_id, search_vector);

ALTER TABLE story_segments DROP COLUMN search_vector;
ALTER TABLE story_segments ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_parse_config(ts_config), input_text), 'B')
     || setweight(to_tsvector(ts_parse_config(ts_config), expanded_script), 'C')) STORED;
CREATE INDEX story_segments_search_idx ON story_segments USING gin (organization_id, search_vector);

ALTER TABLE story_bibles DROP COLUMN search_vector;
ALTER TABLE story_bibles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        to_tsvector(ts_parse_config(ts_config), story_bible_text(data))) STORED;
CREATE INDEX story_bibles_search_idx ON story_bibles USING gin (organization_id, search_vector);

ALTER TABLE decisions DROP COLUMN search_vector;
ALTER TABLE decisions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_parse_config('english'::regconfig), summary), 'A')
     || setweight(to_tsvector(ts_parse_config('english'::regconfig), coalesce(context, '')), 'B')) STORED;
CREATE INDEX decisions_search_idx ON decisions USING gin (search_vector);
