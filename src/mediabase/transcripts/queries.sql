-- name: lock_video
SELECT id, author_id, language FROM videos
 WHERE organization_id = %(org)s AND id = %(video_id)s AND deleted_at IS NULL FOR UPDATE;

-- name: lock_source
-- The live video ingested from a source (0025: at most one per organization and key).
SELECT id, source_sha256 FROM videos
 WHERE organization_id = %(org)s AND source_key = %(key)s AND deleted_at IS NULL FOR UPDATE;

-- name: update_source
-- A changed source replaced: its new digest, and a known duration grown to cover the new transcript.
UPDATE videos
   SET source_sha256 = %(sha256)s,
       duration_ms = CASE WHEN duration_ms < %(duration_ms)s::bigint THEN %(duration_ms)s ELSE duration_ms END
 WHERE organization_id = %(org)s AND id = %(video_id)s;

-- name: next_version
SELECT coalesce(max(version), 0) + 1 AS version FROM transcripts
 WHERE organization_id = %(org)s AND video_id = %(video_id)s;

-- name: retire_current
UPDATE transcripts SET is_current = false
 WHERE organization_id = %(org)s AND video_id = %(video_id)s AND is_current;

-- name: insert_transcript
INSERT INTO transcripts (organization_id, video_id, language, source, version, is_current, format,
                         source_name, segment_count, created_by)
VALUES (%(org)s, %(video_id)s, %(language)s, %(source)s, %(version)s, true, %(format)s,
        %(source_name)s, %(segment_count)s, %(created_by)s)
RETURNING id, video_id, language, source, version, is_current, format, source_name, segment_count,
          created_by, created_at;

-- name: upsert_speakers
INSERT INTO speakers (organization_id, video_id, label, display_name)
SELECT %(org)s, %(video_id)s, l.label, l.display_name
  FROM unnest(%(labels)s::text[], %(names)s::text[]) AS l (label, display_name)
ON CONFLICT (organization_id, video_id, label)
   DO UPDATE SET display_name = coalesce(speakers.display_name, EXCLUDED.display_name)
RETURNING id, label;

-- name: copy_segments
-- PostgreSQL refuses COPY FROM into a table under row-level security, so ingest runs on
-- the system (owner) connection; every row carries the caller's organization and the
-- composite foreign keys tie it to that organization's transcript, video and speakers.
COPY transcript_segments (organization_id, transcript_id, video_id, seq, start_ms, end_ms,
                          speaker_id, text, confidence) FROM STDIN (FORMAT BINARY);

-- name: copy_words
-- Word timings, for the segments that have them, beside their segments (0009: the hot segment
-- row stays narrow).
COPY transcript_segment_words (organization_id, transcript_id, seq, words) FROM STDIN (FORMAT BINARY);

-- name: list_transcripts
SELECT id, video_id, language, source, version, is_current, format, source_name, segment_count,
       created_by, created_at
  FROM transcripts WHERE organization_id = %(org)s AND video_id = %(video_id)s ORDER BY version DESC;

-- name: get_transcript
SELECT id, video_id, language, source, version, is_current, format, source_name, segment_count,
       created_by, created_at
  FROM transcripts
 WHERE organization_id = %(org)s AND video_id = %(video_id)s
   AND (id = %(transcript_id)s OR (%(transcript_id)s::uuid IS NULL AND is_current));

-- name: segments
SELECT g.id, g.transcript_id, g.seq, g.start_ms, g.end_ms, g.speaker_id,
       coalesce(s.display_name, s.label) AS speaker, g.text, g.confidence, w.words
  FROM transcript_segments g
  LEFT JOIN speakers s ON s.organization_id = g.organization_id AND s.video_id = g.video_id AND s.id = g.speaker_id
  LEFT JOIN transcript_segment_words w
         ON w.organization_id = g.organization_id AND w.transcript_id = g.transcript_id AND w.seq = g.seq
 WHERE g.organization_id = %(org)s AND g.transcript_id = %(transcript_id)s AND g.video_id = %(video_id)s
   AND g.start_ms < %(to_ms)s AND g.end_ms >= %(from_ms)s
   AND (%(speaker_id)s::uuid IS NULL OR g.speaker_id = %(speaker_id)s)
 ORDER BY g.start_ms, g.seq
 LIMIT %(limit)s;
