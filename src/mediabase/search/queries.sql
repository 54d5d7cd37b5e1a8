-- Search SQL (docs/search.md). Blocks with {placeholders} are completed with psycopg.sql in
-- service.py: the match predicate per text-search configuration, the embedding model's name and
-- vector type (literals, so the planner can match the model's partial HNSW index), and the
-- filter fragments below (each starts with AND; {r} is the row alias: s segment, c chunk).
-- Keyword statements may be prepared: their plans do not depend on the query (the matching,
-- where the GIN estimates matter, is planned inside mediabase.match_segments). Semantic
-- statements run unprepared, so a selective filter can choose an exact scan over HNSW.

-- name: configs
-- The configurations in use in the organization (or the one of the language filter), each with
-- the query parsed by it (websearch syntax) and the distinct lexemes of its words (for the
-- relaxed "at least m of the words" queries and for highlighting). The text is parsed with
-- ts_parse_config(c.ts_config): the language's configuration, or its copy that ignores accents
-- (0046), as the rows' vectors are.
SELECT c.ts_config::oid::int8 AS cfg, c.ts_config::text AS name,
       websearch_to_tsquery(ts_parse_config(c.ts_config), %(q)s)::text AS tsq,
       numnode(websearch_to_tsquery(ts_parse_config(c.ts_config), %(q)s)) AS nodes,
       tsvector_to_array(to_tsvector(ts_parse_config(c.ts_config), %(words)s)) AS lexemes
  FROM search_configs c
 WHERE c.organization_id = %(org)s
   AND (%(language)s::text IS NULL OR c.ts_config = ts_config_for(%(language)s))
 ORDER BY c.ts_config::oid

-- name: keyword_segments
-- Matching segments of current transcripts of live videos (mediabase.match_segments: the GIN
-- index, ranked by ts_rank_cd); videos and transcripts are joined only for a filter on them.
-- Without such a filter the function returns only the first seg_lim rows after the cursor
-- (per configuration), in page order; with one, seg_lim is NULL and the filters come after.
SELECT 'segment'::text AS kind, s.id, s.video_id, s.transcript_id, s.seq, s.start_ms, s.end_ms,
       s.speaker_id, s.ts_config AS cfg, s.tsq, s.matched, s.score
  FROM match_segments(%(cfgs)s::oid[]::regconfig[], %(tsqs)s::tsquery[], %(excl)s::tsquery[], %(words)s::text[],
                      %(ranks)s::tsquery[], %(seg_lim)s::int, %(seg_c_m)s::int, %(seg_c_score)s::float8,
                      %(seg_c_kind)s::text, %(seg_c_id)s::uuid) s
  {joins}
 WHERE true {filters}

-- name: join_videos
JOIN videos v ON v.organization_id = %(org)s AND v.id = s.video_id

-- name: join_transcripts
JOIN transcripts t ON t.organization_id = %(org)s AND t.id = s.transcript_id

-- name: keyword_videos
-- Live videos whose title, tags or description match (a hit at the start of the video).
SELECT 'video'::text AS kind, m.id, m.id AS video_id, NULL::uuid AS transcript_id, NULL::int AS seq,
       0::int8 AS start_ms, 0::int8 AS end_ms, NULL::uuid AS speaker_id, m.ts_config AS cfg, m.tsq, m.matched,
       m.score
  FROM match_videos(%(cfgs)s::oid[]::regconfig[], %(tsqs)s::tsquery[], %(excl)s::tsquery[], %(words)s::text[],
                  %(ranks)s::tsquery[]) m
  JOIN videos v ON v.organization_id = %(org)s AND v.id = m.id
 WHERE true {filters}

-- name: keyword_page
-- One page of keyword hits after the cursor, by (matched DESC, score DESC, kind, id): moments
-- with more of the query's words first; text, speaker and the highlighted snippet are
-- computed for the page's rows only.
WITH hits AS ({hits}), page AS (
    SELECT * FROM hits
     WHERE %(c_score)s::float8 IS NULL OR matched < %(c_m)s
        OR (matched = %(c_m)s AND (score < %(c_score)s
            OR (score = %(c_score)s AND (kind, id) > (%(c_kind)s::text, %(c_id)s::uuid))))
     ORDER BY matched DESC, score DESC, kind, id
     LIMIT %(n)s
)
SELECT p.kind, p.id, p.video_id, p.transcript_id, p.start_ms, p.end_ms, p.speaker_id, p.score, p.matched,
       NULL::int AS keyword_rank, NULL::int AS semantic_rank, NULL::uuid AS chunk_id,
       v.title AS video_title, v.media_url,
       coalesce(sp.display_name, sp.label) AS speaker,
       coalesce(s.text, v.title) AS text,
       ts_headline(ts_parse_config(p.cfg),
                   translate(CASE WHEN p.kind = 'segment' THEN s.text
                                  ELSE concat_ws(' — ', v.title, v.description) END,
                             E'\x02\x03', ''),
                   p.tsq, %(hl_opts)s) AS snippet
  FROM page p
  JOIN videos v ON v.organization_id = %(org)s AND v.id = p.video_id
  LEFT JOIN transcript_segments s ON p.kind = 'segment' AND s.organization_id = %(org)s AND s.id = p.id
  LEFT JOIN speakers sp ON sp.organization_id = %(org)s AND sp.id = p.speaker_id
 ORDER BY p.matched DESC, p.score DESC, p.kind, p.id

-- name: keyword_groups
-- Keyword hits grouped by video: videos by their best hit (matched, then score; video_id)
-- after the cursor, the best per_video hits of each; snippets for the returned rows only.
WITH hits AS ({hits}), ranked AS (
    SELECT h.*, row_number() OVER w AS rn, first_value(h.matched) OVER w AS best_m,
           first_value(h.score) OVER w AS best
      FROM hits h
    WINDOW w AS (PARTITION BY h.video_id ORDER BY h.matched DESC, h.score DESC, h.kind, h.id)
), page AS (
    SELECT * FROM ranked
     WHERE rn <= %(per_video)s
       AND (%(c_score)s::float8 IS NULL OR best_m < %(c_m)s
            OR (best_m = %(c_m)s AND (best < %(c_score)s OR (best = %(c_score)s AND video_id > %(c_id)s::uuid))))
     ORDER BY best_m DESC, best DESC, video_id, rn
     LIMIT %(n)s
)
SELECT p.kind, p.id, p.video_id, p.transcript_id, p.start_ms, p.end_ms, p.speaker_id, p.score, p.matched,
       p.best, p.best_m, NULL::int AS keyword_rank, NULL::int AS semantic_rank, NULL::uuid AS chunk_id,
       v.title AS video_title, v.media_url,
       coalesce(sp.display_name, sp.label) AS speaker,
       coalesce(s.text, v.title) AS text,
       ts_headline(ts_parse_config(p.cfg),
                   translate(CASE WHEN p.kind = 'segment' THEN s.text
                                  ELSE concat_ws(' — ', v.title, v.description) END,
                             E'\x02\x03', ''),
                   p.tsq, %(hl_opts)s) AS snippet
  FROM page p
  JOIN videos v ON v.organization_id = %(org)s AND v.id = p.video_id
  LEFT JOIN transcript_segments s ON p.kind = 'segment' AND s.organization_id = %(org)s AND s.id = p.id
  LEFT JOIN speakers sp ON sp.organization_id = %(org)s AND sp.id = p.speaker_id
 ORDER BY p.best_m DESC, p.best DESC, p.video_id, p.rn

-- name: keyword_candidates
-- The top keyword hits for fusion (no text, no snippet), each with the chunk of the model
-- that holds the segment (the later one where two overlap), if the transcript is indexed.
WITH hits AS ({hits})
SELECT h.kind, h.id, h.video_id, h.transcript_id, h.start_ms, h.end_ms, h.speaker_id, h.score, h.matched,
       ch.id AS chunk_id, ch.start_ms AS chunk_start_ms, ch.end_ms AS chunk_end_ms
  FROM (SELECT * FROM hits ORDER BY matched DESC, score DESC, kind, id LIMIT %(n)s) h
  LEFT JOIN LATERAL (
        SELECT c.id, c.start_ms, c.end_ms FROM transcript_chunks c
         WHERE h.kind = 'segment' AND c.organization_id = %(org)s AND c.transcript_id = h.transcript_id
           AND c.model = {model} AND c.first_seq <= h.seq AND c.last_seq >= h.seq
         ORDER BY c.first_seq DESC LIMIT 1) ch ON true
 ORDER BY h.matched DESC, h.score DESC, h.kind, h.id

-- name: semantic_candidates
-- The chunks nearest the query vector among the organization's current transcripts, by the
-- model's HNSW index with an iterative scan (filters cannot starve it: the scan goes on until
-- enough rows pass, up to hnsw.max_scan_tuples); the outer ORDER BY restores exact order.
WITH nn AS MATERIALIZED (
    SELECT c.id, c.video_id, c.transcript_id, c.start_ms, c.end_ms, c.speaker_ids,
           {vec} <=> %(qvec)s::{vtype} AS distance
      FROM transcript_chunks c
     WHERE c.organization_id = %(org)s AND c.model = {model} AND c.embedding IS NOT NULL
       -- scalar subqueries, not EXISTS: a semi-join could be planned as a join that drives the
       -- scan from videos and sorts; a per-row filter keeps the index scan in front. Each names
       -- the organization itself, so that Citus sends the statement to the tenant's shard only.
       AND coalesce((SELECT t.is_current FROM transcripts t
                      WHERE t.organization_id = %(org)s AND t.id = c.transcript_id
                            {transcript_filters}), false)
       AND coalesce((SELECT true FROM videos v
                      WHERE v.organization_id = %(org)s AND v.id = c.video_id
                        AND v.deleted_at IS NULL {video_filters}), false)
       {filters}
     ORDER BY {vec} <=> %(qvec)s::{vtype}
     LIMIT %(n)s
)
SELECT 'chunk'::text AS kind, nn.id, nn.video_id, nn.transcript_id, nn.start_ms, nn.end_ms,
       nn.speaker_ids[1] AS speaker_id, (1 - nn.distance)::float8 AS score
  FROM nn
 ORDER BY nn.distance, nn.id

-- name: iterative_scan
-- SET LOCAL, not set_config(): a Citus coordinator passes SET LOCAL on to the workers that run
-- the statement (citus.propagate_set_commands = 'local', set by the prelude), a function call not.
SET LOCAL hnsw.iterative_scan = {mode}; SET LOCAL hnsw.ef_search = {ef}; SET LOCAL hnsw.max_scan_tuples = {max_tuples}

-- name: unindexed
-- Current transcripts of live videos not (completely) embedded for the model yet.
SELECT count(*) AS n FROM transcripts t
  JOIN videos v ON v.organization_id = t.organization_id AND v.id = t.video_id AND v.deleted_at IS NULL
 WHERE t.organization_id = %(org)s AND t.is_current AND t.segment_count > 0
   AND NOT EXISTS (SELECT FROM search_index_state x
                    WHERE x.organization_id = t.organization_id AND x.transcript_id = t.id
                      AND x.model = %(model)s AND x.embedded = x.chunks)

-- name: hydrate
-- Display fields for one page of fused hits: text, speakers, title, and the snippet
-- (the query's words highlighted, in the configuration of the hit's language; of a chunk hit's
-- speaker turn, when it has one: search/context.py).
WITH p AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(ids)s::uuid[], %(segment_ids)s::uuid[], %(speaker_ids)s::uuid[],
                         %(turn_texts)s::text[])
        WITH ORDINALITY AS p (kind, id, segment_id, speaker_id, turn_text, ord)
)
SELECT p.ord, p.kind, p.id, v.title AS video_title, v.media_url,
       (SELECT coalesce(sp.display_name, sp.label) FROM speakers sp
         WHERE sp.organization_id = %(org)s AND sp.id = p.speaker_id) AS speaker,
       coalesce(c.text, s.text, v.title) AS text,
       coalesce(c.speakers, ARRAY[]::text[]) AS labels,
       ARRAY(SELECT coalesce(sp.display_name, sp.label)
               FROM unnest(CASE WHEN p.kind = 'chunk' THEN c.speaker_ids ELSE ARRAY[s.speaker_id] END)
                    WITH ORDINALITY u (id, n)
               JOIN speakers sp ON sp.organization_id = %(org)s AND sp.id = u.id
              ORDER BY u.n) AS speakers,
       ts_headline(ts_parse_config(cfg.cfg),
                   translate(CASE p.kind WHEN 'chunk' THEN coalesce(p.turn_text, c.text) WHEN 'segment' THEN s.text
                                         ELSE concat_ws(' — ', v.title, v.description) END,
                             E'\x02\x03', ''),
                   coalesce(q.tsq, ''::tsquery), %(hl_opts)s) AS snippet
  FROM p
  LEFT JOIN transcript_chunks c ON p.kind = 'chunk' AND c.organization_id = %(org)s AND c.id = p.id
  LEFT JOIN transcript_segments s ON p.kind = 'segment' AND s.organization_id = %(org)s AND s.id = p.id
  LEFT JOIN transcripts t ON t.organization_id = %(org)s AND t.id = coalesce(c.transcript_id, s.transcript_id)
  LEFT JOIN videos v ON v.organization_id = %(org)s AND v.id = coalesce(c.video_id, s.video_id, p.id)
  CROSS JOIN LATERAL (SELECT coalesce(s.ts_config, ts_config_for(coalesce(t.language, v.language))) AS cfg) cfg
  LEFT JOIN unnest(%(hl_cfgs)s::regconfig[], %(hl_tsqs)s::tsquery[]) AS q (cfg, tsq) ON q.cfg = cfg.cfg
 ORDER BY p.ord

-- Filter fragments. Video-level ones read v, transcript-level ones t, row-level ones {r}.

-- name: f_video_ids
AND v.id = ANY(%(video_ids)s::uuid[])

-- name: f_row_video_ids
AND {r}.video_id = ANY(%(video_ids)s::uuid[])

-- name: f_channel
AND v.channel_id = %(channel_id)s

-- name: f_series
AND v.series_id = %(series_id)s

-- name: f_collection
AND v.collection_id = %(collection_id)s

-- name: f_tags
AND (SELECT count(DISTINCT lower(vt.tag)) FROM video_tags vt
      WHERE vt.organization_id = v.organization_id AND vt.video_id = v.id
        AND lower(vt.tag) = ANY(%(tags)s::text[])) = cardinality(%(tags)s::text[])

-- name: f_recorded_from
AND v.recorded_at >= %(recorded_from)s

-- name: f_recorded_to
AND v.recorded_at < %(recorded_to)s

-- name: f_video_language
AND (v.language = %(language)s OR v.language LIKE %(language)s || '-%%')

-- name: f_transcript_language
AND (t.language = %(language)s OR t.language LIKE %(language)s || '-%%')

-- name: f_from_ms
AND {r}.end_ms >= %(from_ms)s

-- name: f_to_ms
AND {r}.start_ms < %(to_ms)s

-- name: speaker_ids
-- The speakers a speaker filter means: named by id, by person, or by label or display name.
SELECT sp.id FROM speakers sp
 WHERE sp.organization_id = %(org)s
   AND (sp.id = ANY(%(speaker_ids)s::uuid[]) OR sp.person_id = ANY(%(person_ids)s::uuid[])
        OR lower(sp.label) = lower(%(speaker)s::text) OR lower(sp.display_name) = lower(%(speaker)s::text))

-- name: f_segment_speaker
AND s.speaker_id = ANY(%(speakers)s::uuid[])

-- name: f_chunk_speaker
AND c.speaker_ids && %(speakers)s::uuid[]

-- name: turns
-- The speaker turn each semantic or hybrid hit lies in, so that a hit starts where the answer
-- does: its segment (the keyword match fusion kept, or else the chunk's segment that holds most
-- of the query's words: ts_rank_cd, the earliest on a tie or when none does), widened to the run
-- of that speaker's consecutive segments around it, at most turn_ms either side and 40 segments.
WITH p AS (
    SELECT * FROM unnest(%(chunk_ids)s::uuid[], %(segment_ids)s::uuid[]) WITH ORDINALITY AS p (chunk_id, segment_id, ord)
), best AS (
    SELECT p.ord, b.id, b.transcript_id, b.seq, b.speaker_id, b.start_ms, b.end_ms
      FROM p
      CROSS JOIN LATERAL (
            SELECT s.id, s.transcript_id, s.seq, s.speaker_id, s.start_ms, s.end_ms
              FROM transcript_segments s
             WHERE p.segment_id IS NOT NULL AND s.organization_id = %(org)s AND s.id = p.segment_id
            UNION ALL
            (SELECT s.id, s.transcript_id, s.seq, s.speaker_id, s.start_ms, s.end_ms
               FROM transcript_chunks c
               JOIN transcript_segments s ON s.organization_id = %(org)s AND s.transcript_id = c.transcript_id
                                         AND s.seq BETWEEN c.first_seq AND c.last_seq
              WHERE p.segment_id IS NULL AND c.organization_id = %(org)s AND c.id = p.chunk_id
              ORDER BY ts_rank_cd(s.search_vector, %(tsq)s::tsquery) DESC, s.seq
              LIMIT 1)) b
)
SELECT best.ord, best.id AS segment_id, best.speaker_id, t.start_ms, t.end_ms, t.text
  FROM best
 CROSS JOIN LATERAL (
        SELECT min(x.start_ms) AS start_ms, max(x.end_ms) AS end_ms, string_agg(x.text, ' ' ORDER BY x.seq) AS text
          FROM transcript_segments x
         WHERE x.organization_id = %(org)s AND x.transcript_id = best.transcript_id
           AND x.seq BETWEEN best.seq - 40 AND best.seq + 40
           AND x.start_ms >= best.start_ms - %(turn_ms)s AND x.end_ms <= best.end_ms + %(turn_ms)s
           AND x.seq > coalesce((SELECT max(y.seq) FROM transcript_segments y
                                  WHERE y.organization_id = %(org)s AND y.transcript_id = best.transcript_id
                                    AND y.seq < best.seq AND y.seq >= best.seq - 40
                                    AND y.speaker_id IS DISTINCT FROM best.speaker_id), -1)
           AND x.seq < coalesce((SELECT min(y.seq) FROM transcript_segments y
                                  WHERE y.organization_id = %(org)s AND y.transcript_id = best.transcript_id
                                    AND y.seq > best.seq AND y.seq <= best.seq + 40
                                    AND y.speaker_id IS DISTINCT FROM best.speaker_id), 2147483647)) t
 ORDER BY best.ord

-- name: rerank_texts
-- The text a reranker reads of each of the first fused candidates: a chunk's, a segment's, a
-- video's title and description.
WITH p AS (
    SELECT * FROM unnest(%(kinds)s::text[], %(ids)s::uuid[]) WITH ORDINALITY AS p (kind, id, ord)
)
SELECT p.ord, coalesce(c.text, s.text, concat_ws(' — ', v.title, v.description), '') AS text
  FROM p
  LEFT JOIN transcript_chunks c ON p.kind = 'chunk' AND c.organization_id = %(org)s AND c.id = p.id
  LEFT JOIN transcript_segments s ON p.kind = 'segment' AND s.organization_id = %(org)s AND s.id = p.id
  LEFT JOIN videos v ON p.kind = 'video' AND v.organization_id = %(org)s AND v.id = p.id
 ORDER BY p.ord
