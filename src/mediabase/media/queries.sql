-- name: video_columns
-- The first parameter is the organization: the tags subquery names it itself (Citus routes a
-- correlated subquery to one shard only by its own filter on organization_id).
SELECT v.id, v.organization_id, v.title, v.description, v.duration_ms, v.thumbnail_url, v.media_url,
       v.storage_key, v.author_id, v.channel_id, v.series_id, v.collection_id, v.processing_status,
       v.processing_error, v.language, v.recorded_at, v.location, v.notes, v.metadata,
       coalesce((SELECT array_agg(t.tag ORDER BY lower(t.tag)) FROM video_tags t
                  WHERE t.organization_id = %s AND t.video_id = v.id), '{}') AS tags,
       v.deleted_at, v.retention_until, v.source_key, v.created_at, v.updated_at
  FROM videos v

-- name: insert_video
INSERT INTO videos (organization_id, title, description, duration_ms, thumbnail_url, media_url,
                    storage_key, author_id, channel_id, series_id, collection_id, language,
                    recorded_at, location, notes, metadata, retention_until, source_key, source_sha256)
VALUES (%(org)s, %(title)s, %(description)s, %(duration_ms)s, %(thumbnail_url)s, %(media_url)s,
        %(storage_key)s, %(author_id)s, %(channel_id)s, %(series_id)s, %(collection_id)s,
        %(language)s, %(recorded_at)s, %(location)s, %(notes)s, %(metadata)s, %(retention_until)s,
        %(source_key)s, %(source_sha256)s)
RETURNING id;

-- name: live_video
SELECT id, author_id, duration_ms FROM videos
 WHERE organization_id = %(org)s AND id = %(video_id)s AND deleted_at IS NULL;

-- name: video_owner
SELECT author_id, deleted_at FROM videos WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE;

-- name: soft_delete_video
UPDATE videos SET deleted_at = now() WHERE organization_id = %(org)s AND id = %(id)s AND deleted_at IS NULL;

-- name: restore_video
UPDATE videos SET deleted_at = NULL WHERE organization_id = %(org)s AND id = %(id)s;

-- name: add_tag
INSERT INTO video_tags (organization_id, video_id, tag) VALUES (%(org)s, %(video_id)s, %(tag)s)
ON CONFLICT (organization_id, video_id, lower(tag)) DO NOTHING;

-- name: remove_tag
DELETE FROM video_tags WHERE organization_id = %(org)s AND video_id = %(video_id)s AND lower(tag) = lower(%(tag)s);

-- name: upsert_progress
INSERT INTO video_progress (organization_id, user_id, video_id, position_ms, completed, last_watched_at)
VALUES (%(org)s, %(user_id)s, %(video_id)s, %(position_ms)s, %(completed)s, now())
ON CONFLICT (organization_id, user_id, video_id) DO UPDATE
   SET position_ms = EXCLUDED.position_ms, completed = EXCLUDED.completed,
       last_watched_at = EXCLUDED.last_watched_at  -- now(), from VALUES: Citus takes no now() in DO UPDATE
RETURNING video_id, user_id, position_ms, completed, last_watched_at;

-- name: get_progress
SELECT video_id, user_id, position_ms, completed, last_watched_at FROM video_progress
 WHERE organization_id = %(org)s AND user_id = %(user_id)s AND video_id = %(video_id)s;

-- name: list_progress
SELECT video_id, user_id, position_ms, completed, last_watched_at FROM video_progress
 WHERE organization_id = %(org)s AND user_id = %(user_id)s ORDER BY last_watched_at DESC LIMIT 200;

-- name: insert_person
INSERT INTO people (organization_id, name, role, user_id) VALUES (%(org)s, %(name)s, %(role)s, %(user_id)s)
RETURNING id, name, role, user_id, created_at;

-- name: list_people
SELECT id, name, role, user_id, created_at FROM people WHERE organization_id = %(org)s ORDER BY lower(name), id;

-- name: list_speakers
SELECT s.id, s.video_id, s.label, s.display_name, s.person_id, p.name AS person_name,
       (SELECT count(*) FROM transcript_segments g
         WHERE g.organization_id = s.organization_id AND g.video_id = s.video_id AND g.speaker_id = s.id) AS segment_count
  FROM speakers s LEFT JOIN people p ON p.organization_id = s.organization_id AND p.id = s.person_id
 WHERE s.organization_id = %(org)s AND s.video_id = %(video_id)s
 ORDER BY s.label;

-- name: update_speaker
UPDATE speakers SET display_name = coalesce(%(display_name)s, display_name), person_id = coalesce(%(person_id)s, person_id)
 WHERE organization_id = %(org)s AND video_id = %(video_id)s AND id = %(id)s
RETURNING id;

-- name: processing_started
-- One of the video's jobs has started (mediabase.media.processing): processing, its last error gone.
UPDATE videos SET processing_status = 'processing', processing_error = NULL
 WHERE organization_id = %(org)s AND id = %(id)s AND processing_status <> 'processing';

-- name: lock_processing_status
-- Taken before the video's other jobs are counted: two of its jobs ending at once take turns.
SELECT processing_status FROM videos WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE;

-- name: processing_ended
UPDATE videos SET processing_status = %(status)s, processing_error = %(error)s
 WHERE organization_id = %(org)s AND id = %(id)s;
