-- Keyword matching that stops early (docs/search.md, "Stopping after a page").
--
-- 0006's match_segments joined every matching segment to its transcript and video before the
-- caller sorted them: a common word (3,000 matches in one organization) paid 3,000 index
-- probes for "is the transcript current, is the video live" and 3,000 rows through a
-- tuplestore, to keep 10. Counting the query's words in a row unnested its tsvector.
--
-- This version, per configuration: matches and ranks with the GIN index as before, counts the
-- words with ts_delete (two binary searches, no unnest), applies the caller's cursor, sorts by
-- the page order (matched DESC, score DESC, id), and only then checks liveness, row by row,
-- until `lim` rows have passed (a NULL lim: every row, for callers that filter further).
-- Liveness is two scalar subqueries on primary keys, so the work after the sort is a few
-- probes per row returned, not per row matched.

DROP FUNCTION mediabase.match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[]);

CREATE FUNCTION mediabase.match_segments(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL,
                                         words text[] DEFAULT NULL, ranked_by tsquery[] DEFAULT NULL,
                                         lim integer DEFAULT NULL, after_matched integer DEFAULT NULL,
                                         after_score double precision DEFAULT NULL, after_kind text DEFAULT NULL,
                                         after_id uuid DEFAULT NULL)
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
REVOKE ALL ON FUNCTION mediabase.match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[], integer,
    integer, double precision, text, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION mediabase.match_segments(regconfig[], tsquery[], tsquery[], text[], tsquery[], integer,
    integer, double precision, text, uuid) TO mediabase_app;

-- The videos' twin counts words the same way (their titles are short, and few match).
CREATE OR REPLACE FUNCTION mediabase.match_videos(cfgs regconfig[], queries tsquery[], excluded tsquery[] DEFAULT NULL,
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
                        ELSE length(v.search_vector) - length(ts_delete(v.search_vector, w)) END,
                   ts_rank_cd('{0.5,0.5,0.7,1.0}'::float4[], v.search_vector, r, 1)::float8
              FROM mediabase.videos v
             WHERE v.organization_id = org AND v.search_vector @@ q AND v.deleted_at IS NULL
               AND mediabase.ts_config_for(v.language) = cfgs[i] AND (x IS NULL OR NOT v.search_vector @@ x);
    END LOOP;
END
$$;
