-- 0006_search: keyword search (generated tsvector columns, GIN) and semantic search (transcript
-- chunks with embeddings, pgvector HNSW per model). docs/search.md explains the rules.
--
-- Keyword. A segment is indexed with the text-search configuration of its transcript's
-- language (ts_config, filled at ingest from mediabase.ts_config_for(language); 'simple' when
-- no configuration fits): search_vector = to_tsvector(ts_config, text), a stored generated
-- column, so it can never disagree with the text. A query is parsed once per configuration in
-- use in the organization (search_configs) and every row is matched and ranked with the query
-- parsed by its own configuration. Videos get a weighted vector: title A, tags B, description C.
--
-- Semantic. transcript_chunks holds windows of segments (per embedding model: chunking may
-- depend on the model's input length), each with its vector, the model's name and dimension.
-- The embedding column is an untyped `vector`, so models of any dimension coexist; each model
-- gets a partial HNSW index on a typed cast, (embedding::vector(d)) WHERE model = '<name>'.
-- This file creates the index of the default model; `mediabase reindex --model` creates the
-- others (same naming rule: mediabase.search.indexing.index_name).

-- The text-search configuration for a language code (ISO 639-1 or -2/3, any region subtag):
-- the built-in snowball configurations this server has, 'simple' for everything else. Built
-- from the configurations present, so it works on PostgreSQL 15 (fewer of them) and later.
-- IMMUTABLE: the constants are resolved once, when the function is created.
DO $$
DECLARE
    wanted text[][] := ARRAY[
        ['ar', 'arabic'], ['ara', 'arabic'], ['hy', 'armenian'], ['hye', 'armenian'], ['arm', 'armenian'],
        ['eu', 'basque'], ['eus', 'basque'], ['baq', 'basque'], ['ca', 'catalan'], ['cat', 'catalan'],
        ['da', 'danish'], ['dan', 'danish'], ['nl', 'dutch'], ['nld', 'dutch'], ['dut', 'dutch'],
        ['en', 'english'], ['eng', 'english'], ['et', 'estonian'], ['est', 'estonian'],
        ['fi', 'finnish'], ['fin', 'finnish'], ['fr', 'french'], ['fra', 'french'], ['fre', 'french'],
        ['de', 'german'], ['deu', 'german'], ['ger', 'german'], ['el', 'greek'], ['ell', 'greek'],
        ['gre', 'greek'], ['hi', 'hindi'], ['hin', 'hindi'], ['hu', 'hungarian'], ['hun', 'hungarian'],
        ['id', 'indonesian'], ['ind', 'indonesian'], ['ga', 'irish'], ['gle', 'irish'],
        ['it', 'italian'], ['ita', 'italian'], ['lt', 'lithuanian'], ['lit', 'lithuanian'],
        ['ne', 'nepali'], ['nep', 'nepali'], ['no', 'norwegian'], ['nor', 'norwegian'],
        ['nb', 'norwegian'], ['nob', 'norwegian'], ['nn', 'norwegian'], ['nno', 'norwegian'],
        ['pt', 'portuguese'], ['por', 'portuguese'], ['ro', 'romanian'], ['ron', 'romanian'],
        ['rum', 'romanian'], ['ru', 'russian'], ['rus', 'russian'], ['sr', 'serbian'], ['srp', 'serbian'],
        ['es', 'spanish'], ['spa', 'spanish'], ['sv', 'swedish'], ['swe', 'swedish'],
        ['ta', 'tamil'], ['tam', 'tamil'], ['tr', 'turkish'], ['tur', 'turkish'],
        ['yi', 'yiddish'], ['yid', 'yiddish']];
    arms text := '';
    i int;
BEGIN
    FOR i IN 1 .. array_length(wanted, 1) LOOP
        IF EXISTS (SELECT FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
                    WHERE n.nspname = 'pg_catalog' AND c.cfgname = wanted[i][2]) THEN
            arms := arms || format(' WHEN %L THEN %L::regconfig', wanted[i][1], 'pg_catalog.' || wanted[i][2]);
        END IF;
    END LOOP;
    EXECUTE format(
        'CREATE FUNCTION mediabase.ts_config_for(language text) RETURNS regconfig'
        ' LANGUAGE sql IMMUTABLE PARALLEL SAFE'
        ' RETURN CASE lower(split_part(language, %L, 1))%s ELSE %L::regconfig END',
        '-', arms, 'pg_catalog.simple');
END
$$;
ALTER FUNCTION mediabase.ts_config_for(text) OWNER TO mediabase_owner;

-- btree_gin: GIN operator classes for scalar types, so a GIN index can lead with
-- organization_id. Extensions are created by the role that connects to migrate, as 0001 does
-- for vector (it is trusted, but mediabase_owner may not create objects in the database).
SET LOCAL ROLE NONE;
CREATE EXTENSION IF NOT EXISTS btree_gin;
SET LOCAL ROLE mediabase_owner;

-- -- keyword: segments ------------------------------------------------------------------------

-- Ingest COPYs segments without naming ts_config: the column's default is the configuration
-- of the transcript inserted last in the same transaction (set by the transcripts trigger
-- below, transaction-local), and a statement trigger corrects any row whose configuration is
-- not its transcript's (segments added to a transcript of another transaction, several
-- transcripts in one statement). So the common path costs one setting read per row, and no
-- path can store a vector built with the wrong configuration.
CREATE FUNCTION mediabase.ingest_ts_config() RETURNS regconfig
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(nullif(current_setting('mediabase.ts_config', true), '')::oid::regconfig,
                    'pg_catalog.simple'::regconfig);

ALTER TABLE transcript_segments
    ADD COLUMN ts_config regconfig NOT NULL DEFAULT ingest_ts_config(),
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector(ts_config, text)) STORED;

CREATE FUNCTION mediabase.check_segment_ts_config() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM new_rows n JOIN mediabase.transcripts t
                 ON t.organization_id = n.organization_id AND t.id = n.transcript_id
                WHERE n.ts_config <> mediabase.ts_config_for(t.language)) THEN
        UPDATE mediabase.transcript_segments s SET ts_config = mediabase.ts_config_for(t.language)
          FROM mediabase.transcripts t
         WHERE t.organization_id = s.organization_id AND t.id = s.transcript_id
           AND (s.organization_id, s.transcript_id) IN (SELECT DISTINCT organization_id, transcript_id FROM new_rows)
           AND s.ts_config <> mediabase.ts_config_for(t.language);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER transcript_segments_ts_config AFTER INSERT ON transcript_segments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION check_segment_ts_config();
-- rows of an existing database take their transcript's configuration
UPDATE transcript_segments s SET ts_config = ts_config_for(t.language)
  FROM transcripts t
 WHERE t.organization_id = s.organization_id AND t.id = s.transcript_id
   AND ts_config_for(t.language) <> 'pg_catalog.simple'::regconfig;
-- One GIN per segment row, led by the tenant like every index of a tenant table: a query reads
-- the posting lists of its own organization only, so its cost does not grow with the number of
-- tenants that use the same words (btree_gin gives uuid a GIN operator class).
CREATE INDEX transcript_segments_search_idx ON transcript_segments USING gin (organization_id, search_vector);

-- Matching under row-level security (segments of current transcripts of live videos). PostgreSQL applies a query's operators only after the
-- policy's filter unless they are leakproof, and @@ is not: under RLS a GIN index could never
-- serve a text search, and every search would read all of the tenant's rows. These functions
-- do the matching (and the ranking: ts_rank_cd, weights D transcript .5, C description .5,
-- B tags .7, A title 1, normalised by 1 + log(length)) as the tables' owner, for the
-- transaction's tenant only: they take no organization argument, read current_org_id(), and
-- return nothing without one. Per configuration i: rows matching queries[i] and not
-- excluded[i] (a better tier of the same search), with how many of the query's lexemes
-- (words[i], space-separated) each row holds, ranked by ranked_by[i] (default queries[i]; an
-- "any of the words" query when queries[i] asks for m of n words as an OR of ANDs, which
-- ts_headline cannot take). Static SQL: PL/pgSQL keeps the plans for the session.
CREATE FUNCTION mediabase.match_segments(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL,
                                         words text[] DEFAULT NULL, ranked_by tsquery[] DEFAULT NULL)
    RETURNS TABLE (id uuid, transcript_id uuid, video_id uuid, seq integer, start_ms bigint, end_ms bigint,
                   speaker_id uuid, ts_config regconfig, tsq tsquery, matched integer, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp ROWS 100 AS $$
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
            SELECT s.id, s.transcript_id, s.video_id, s.seq, s.start_ms, s.end_ms, s.speaker_id, s.ts_config, r,
                   CASE WHEN w IS NULL THEN 0
                        ELSE (SELECT count(*)::int FROM unnest(tsvector_to_array(s.search_vector)) l
                               WHERE l = ANY (w)) END,
                   ts_rank_cd('{0.5,0.5,0.7,1.0}'::float4[], s.search_vector, r, 1)::float8
              FROM mediabase.transcript_segments s
              JOIN mediabase.transcripts t ON t.organization_id = s.organization_id AND t.id = s.transcript_id
              JOIN mediabase.videos v ON v.organization_id = s.organization_id AND v.id = s.video_id
             WHERE s.organization_id = org AND s.ts_config = cfgs[i] AND s.search_vector @@ q AND t.is_current
               AND v.deleted_at IS NULL AND (x IS NULL OR NOT s.search_vector @@ x);
    END LOOP;
END
$$;

CREATE FUNCTION mediabase.match_videos(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL,
                                       words text[] DEFAULT NULL, ranked_by tsquery[] DEFAULT NULL)
    RETURNS TABLE (id uuid, ts_config regconfig, tsq tsquery, matched integer, score double precision)
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = mediabase, pg_temp ROWS 10 AS $$
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
                        ELSE (SELECT count(*)::int FROM unnest(tsvector_to_array(v.search_vector)) l
                               WHERE l = ANY (w)) END,
                   ts_rank_cd('{0.5,0.5,0.7,1.0}'::float4[], v.search_vector, r, 1)::float8
              FROM mediabase.videos v
             WHERE v.organization_id = org AND v.search_vector @@ q AND v.deleted_at IS NULL
               AND mediabase.ts_config_for(v.language) = cfgs[i] AND (x IS NULL OR NOT v.search_vector @@ x);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION mediabase.match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[]),
    mediabase.match_videos(regconfig[], tsquery[], tsquery[], text[], tsquery[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[]),
    mediabase.match_videos(regconfig[], tsquery[], tsquery[], text[], tsquery[]) TO mediabase_app;

-- The configurations in use per organization: a query is parsed once with each of them.
-- Kept by triggers on transcripts and videos (a handful of rows per organization).
CREATE TABLE search_configs (
    organization_id uuid NOT NULL REFERENCES organizations ON DELETE CASCADE,
    ts_config       regconfig NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, ts_config)
);
SELECT make_tenant_table('search_configs');

-- Also sets mediabase.ts_config for the segments this transaction COPYs next (see above).
CREATE FUNCTION mediabase.note_transcript_configs() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    configs regconfig[];
BEGIN
    SELECT array_agg(DISTINCT mediabase.ts_config_for(n.language)) INTO configs FROM new_rows n;
    PERFORM set_config('mediabase.ts_config',
                       CASE WHEN cardinality(configs) = 1 THEN configs[1]::oid::text ELSE '' END, true);
    INSERT INTO mediabase.search_configs (organization_id, ts_config)
    SELECT DISTINCT n.organization_id, mediabase.ts_config_for(n.language) FROM new_rows n
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;
CREATE TRIGGER transcripts_search_configs AFTER INSERT ON transcripts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION note_transcript_configs();

CREATE FUNCTION mediabase.note_video_config() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO mediabase.search_configs (organization_id, ts_config)
    VALUES (NEW.organization_id, mediabase.ts_config_for(NEW.language))
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

-- -- keyword: videos (title A, tags B, description C) --------------------------------------

-- The video's tags as one text, kept by the trigger below (a generated column cannot read
-- another table); lower-cased, sorted, space-separated.
ALTER TABLE videos ADD COLUMN search_tags text NOT NULL DEFAULT '';
ALTER TABLE videos ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector(ts_config_for(language), title), 'A')
     || setweight(to_tsvector(ts_config_for(language), search_tags), 'B')
     || setweight(to_tsvector(ts_config_for(language), coalesce(description, '')), 'C')) STORED;
CREATE INDEX videos_search_idx ON videos USING gin (organization_id, search_vector);
CREATE TRIGGER videos_search_configs AFTER INSERT OR UPDATE OF language ON videos
    FOR EACH ROW EXECUTE FUNCTION note_video_config();

CREATE FUNCTION mediabase.sync_video_search_tags() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE mediabase.videos v
           SET search_tags = coalesce((SELECT string_agg(lower(t.tag), ' ' ORDER BY lower(t.tag))
                                         FROM mediabase.video_tags t
                                        WHERE t.organization_id = v.organization_id AND t.video_id = v.id), '')
          FROM (SELECT DISTINCT organization_id, video_id FROM new_rows) a
         WHERE v.organization_id = a.organization_id AND v.id = a.video_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE mediabase.videos v
           SET search_tags = coalesce((SELECT string_agg(lower(t.tag), ' ' ORDER BY lower(t.tag))
                                         FROM mediabase.video_tags t
                                        WHERE t.organization_id = v.organization_id AND t.video_id = v.id), '')
          FROM (SELECT DISTINCT organization_id, video_id FROM old_rows) a
         WHERE v.organization_id = a.organization_id AND v.id = a.video_id;
    ELSE
        UPDATE mediabase.videos v
           SET search_tags = coalesce((SELECT string_agg(lower(t.tag), ' ' ORDER BY lower(t.tag))
                                         FROM mediabase.video_tags t
                                        WHERE t.organization_id = v.organization_id AND t.video_id = v.id), '')
          FROM (SELECT organization_id, video_id FROM new_rows
                 UNION SELECT organization_id, video_id FROM old_rows) a
         WHERE v.organization_id = a.organization_id AND v.id = a.video_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER video_tags_search_ins AFTER INSERT ON video_tags
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sync_video_search_tags();
CREATE TRIGGER video_tags_search_del AFTER DELETE ON video_tags
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sync_video_search_tags();
CREATE TRIGGER video_tags_search_upd AFTER UPDATE ON video_tags
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION sync_video_search_tags();

-- existing rows
UPDATE videos v SET search_tags = x.tags
  FROM (SELECT organization_id, video_id, string_agg(lower(tag), ' ' ORDER BY lower(tag)) AS tags
          FROM video_tags GROUP BY organization_id, video_id) x
 WHERE v.organization_id = x.organization_id AND v.id = x.video_id;
INSERT INTO search_configs (organization_id, ts_config)
SELECT DISTINCT organization_id, ts_config_for(language) FROM transcripts
 UNION SELECT DISTINCT organization_id, ts_config_for(language) FROM videos
ON CONFLICT DO NOTHING;

-- -- semantic: chunks and their vectors ---------------------------------------------------

-- A chunk is a window of consecutive segments of one transcript (first_seq..last_seq) that
-- respects speaker turns and overlaps its neighbour (mediabase.search.chunking). Rows exist per
-- embedding model; embedding is NULL until the model has embedded the chunk.
CREATE TABLE transcript_chunks (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    transcript_id   uuid NOT NULL,
    video_id        uuid NOT NULL,
    model           text NOT NULL CONSTRAINT transcript_chunks_model_length CHECK (length(model) BETWEEN 1 AND 200),
    chunk_index     integer NOT NULL CONSTRAINT transcript_chunks_index_nonnegative CHECK (chunk_index >= 0),
    first_seq       integer NOT NULL,
    last_seq        integer NOT NULL,
    start_ms        bigint NOT NULL,
    end_ms          bigint NOT NULL,
    speaker_ids     uuid[] NOT NULL DEFAULT '{}',
    speakers        text[] NOT NULL DEFAULT '{}',  -- the speakers' labels, in order of first word
    text            text NOT NULL CONSTRAINT transcript_chunks_text_length CHECK (length(text) <= 100000),
    token_count     integer NOT NULL CONSTRAINT transcript_chunks_token_count_nonnegative CHECK (token_count >= 0),
    dimension       integer CONSTRAINT transcript_chunks_dimension_range CHECK (dimension BETWEEN 1 AND 16000),
    embedding       vector,
    embedded_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT transcript_chunks_key UNIQUE (organization_id, transcript_id, model, chunk_index),
    CONSTRAINT transcript_chunks_seq_valid CHECK (0 <= first_seq AND first_seq <= last_seq),
    CONSTRAINT transcript_chunks_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT transcript_chunks_embedding_dimension CHECK (
        (embedding IS NULL AND dimension IS NULL AND embedded_at IS NULL)
        OR (embedding IS NOT NULL AND vector_dims(embedding) = dimension AND embedded_at IS NOT NULL)),
    CONSTRAINT transcript_chunks_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id)
        REFERENCES transcripts (organization_id, id, video_id) ON DELETE CASCADE
);
-- the chunk that holds a segment (hybrid fusion maps keyword hits onto chunks)
CREATE INDEX transcript_chunks_transcript_idx ON transcript_chunks (organization_id, transcript_id, model, first_seq);
-- a few videos' chunks, when a filter names them (exact search beats the graph there)
CREATE INDEX transcript_chunks_video_idx ON transcript_chunks (organization_id, video_id, model);
-- the default model's vectors; other models get theirs from `mediabase reindex --model`
CREATE INDEX transcript_chunks_hnsw_all_minilm_l6_v2_384_635c7b1b ON transcript_chunks
    USING hnsw ((embedding::vector(384)) vector_cosine_ops) WITH (m = 16, ef_construction = 64)
    WHERE model = 'all-MiniLM-L6-v2';
SELECT make_tenant_table('transcript_chunks');

-- What the indexer has done per transcript and model: a transcript of the current version
-- without a complete row here is waiting for its index job (or for `mediabase reindex`).
CREATE TABLE search_index_state (
    organization_id uuid NOT NULL,
    transcript_id   uuid NOT NULL,
    video_id        uuid NOT NULL,
    model           text NOT NULL,
    chunker         text NOT NULL,
    chunks          integer NOT NULL CONSTRAINT search_index_state_chunks_nonnegative CHECK (chunks >= 0),
    embedded        integer NOT NULL CONSTRAINT search_index_state_embedded_range CHECK (embedded BETWEEN 0 AND chunks),
    dimension       integer,
    error           text CONSTRAINT search_index_state_error_length CHECK (length(error) <= 2000),
    indexed_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, transcript_id, model),
    CONSTRAINT search_index_state_transcript_fk FOREIGN KEY (organization_id, transcript_id, video_id)
        REFERENCES transcripts (organization_id, id, video_id) ON DELETE CASCADE
);
SELECT make_tenant_table('search_index_state');
