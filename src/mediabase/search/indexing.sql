-- The semantic indexer's SQL (mediabase.search.indexing).

-- name: transcript
SELECT id, video_id, is_current, language FROM transcripts
 WHERE organization_id = %(org)s AND id = %(id)s

-- name: segments
SELECT s.seq, s.start_ms, s.end_ms, s.text, s.speaker_id, sp.label
  FROM transcript_segments s
  LEFT JOIN speakers sp ON sp.organization_id = s.organization_id AND sp.id = s.speaker_id
 WHERE s.organization_id = %(org)s AND s.transcript_id = %(id)s
 ORDER BY s.seq

-- name: delete_transcript_chunks
WITH c AS (
    DELETE FROM transcript_chunks
     WHERE organization_id = %(org)s AND transcript_id = %(id)s AND model = %(model)s
)
DELETE FROM search_index_state
 WHERE organization_id = %(org)s AND transcript_id = %(id)s AND model = %(model)s

-- name: delete_video_chunks
-- Every chunk of the model for the video: the current transcript's (replaced next) and those
-- of its older versions.
WITH c AS (
    DELETE FROM transcript_chunks
     WHERE organization_id = %(org)s AND video_id = %(video_id)s AND model = %(model)s
)
DELETE FROM search_index_state
 WHERE organization_id = %(org)s AND video_id = %(video_id)s AND model = %(model)s

-- name: insert_chunk
-- One chunk (the writer sends them all in one pipeline): a single-row INSERT goes to the tenant's
-- shard on a Citus coordinator, where INSERT … SELECT from unnest() is written through the
-- coordinator by COPY, which row-level security refuses (docs/scale-out.md). embedded_at is the
-- transaction's now(), read once, or NULL for a chunk without a vector.
INSERT INTO transcript_chunks (organization_id, transcript_id, video_id, model, chunk_index, first_seq,
                               last_seq, start_ms, end_ms, speaker_ids, speakers, text, token_count,
                               dimension, embedding, embedded_at)
VALUES (%(org)s, %(transcript_id)s, %(video_id)s, %(model)s, %(idx)s, %(first_seq)s, %(last_seq)s, %(start_ms)s,
        %(end_ms)s, %(speaker_ids)s, %(speakers)s, %(text)s, %(tokens)s, %(dim)s, %(vec)s::vector,
        %(embedded_at)s)

-- name: transaction_now
SELECT now() AS now

-- name: record_state
INSERT INTO search_index_state (organization_id, transcript_id, video_id, model, chunker, chunks, embedded,
                                dimension, error)
VALUES (%(org)s, %(transcript_id)s, %(video_id)s, %(model)s, %(chunker)s, %(chunks)s, %(embedded)s,
        %(dimension)s, %(error)s)
ON CONFLICT (organization_id, transcript_id, model) DO UPDATE
   SET chunker = EXCLUDED.chunker, chunks = EXCLUDED.chunks, embedded = EXCLUDED.embedded,
       dimension = EXCLUDED.dimension, error = EXCLUDED.error,
       indexed_at = EXCLUDED.indexed_at  -- its default, now(): Citus takes no now() in DO UPDATE

-- name: fix_segment_configs
-- Segments whose text-search configuration is not their transcript language's (a language
-- changed, or rows written around ingest): set it, which regenerates search_vector.
WITH u AS (
    UPDATE transcript_segments s SET ts_config = ts_config_for(t.language)
      FROM transcripts t
     WHERE t.organization_id = s.organization_id AND t.id = s.transcript_id
       AND s.ts_config <> ts_config_for(t.language)
       AND (%(orgs)s::uuid[] IS NULL OR s.organization_id = ANY(%(orgs)s::uuid[]))
    RETURNING 1
)
SELECT count(*) AS n FROM u

-- name: refresh_configs
INSERT INTO search_configs (organization_id, ts_config)
SELECT DISTINCT organization_id, ts_config_for(language) FROM transcripts
 WHERE %(orgs)s::uuid[] IS NULL OR organization_id = ANY(%(orgs)s::uuid[])
UNION
SELECT DISTINCT organization_id, ts_config_for(language) FROM videos
 WHERE %(orgs)s::uuid[] IS NULL OR organization_id = ANY(%(orgs)s::uuid[])
ON CONFLICT DO NOTHING

-- name: reindex_targets
SELECT t.organization_id, t.id FROM transcripts t
  JOIN videos v ON v.organization_id = t.organization_id AND v.id = t.video_id AND v.deleted_at IS NULL
 WHERE t.is_current
   AND (%(orgs)s::uuid[] IS NULL OR t.organization_id = ANY(%(orgs)s::uuid[]))
   AND (%(videos)s::uuid[] IS NULL OR t.video_id = ANY(%(videos)s::uuid[]))
   AND (NOT %(missing_only)s OR NOT EXISTS (
        SELECT FROM search_index_state x
         WHERE x.organization_id = t.organization_id AND x.transcript_id = t.id AND x.model = %(model)s
           AND x.embedded = x.chunks AND x.error IS NULL))
 ORDER BY t.organization_id, t.created_at, t.id

-- name: drop_model_chunks
WITH d AS (DELETE FROM transcript_chunks WHERE model = %(model)s RETURNING 1)
SELECT count(*) AS n FROM d

-- name: drop_model_state
DELETE FROM search_index_state WHERE model = %(model)s

-- name: model_indexes
SELECT c.relname FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
 WHERE i.indrelid = 'mediabase.transcript_chunks'::regclass
   AND pg_get_indexdef(i.indexrelid) LIKE '%% USING hnsw %%'
   AND pg_get_indexdef(i.indexrelid) LIKE '%%WHERE (model = ' || quote_literal(%(model)s::text) || '::text)'
