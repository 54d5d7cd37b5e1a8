-- The story platform's SQL (0020_stories_core.sql; docs/stories.md). Every query names the
-- tenant (%(org)s) itself; row-level security stays the guard behind it.

-- -- topics, categories, proposals -----------------------------------------------------------

-- name: topic_columns
SELECT id, name, slug, description, icon_key, is_curated, is_active, display_order, scene_count,
       created_at, updated_at
  FROM story_topics

-- name: insert_topic
INSERT INTO story_topics (organization_id, name, slug, description, icon_key, is_curated, display_order, created_by)
VALUES (%(org)s, %(name)s, %(slug)s, %(description)s, %(icon_key)s, %(is_curated)s, %(display_order)s, %(user)s)
RETURNING id

-- name: list_topics
SELECT id, name, slug, description, icon_key, is_curated, is_active, display_order, scene_count,
       created_at, updated_at
  FROM story_topics
 WHERE organization_id = %(org)s AND (is_active OR %(inactive)s)
 ORDER BY display_order, name, id

-- name: lock_topic
SELECT id, is_active FROM story_topics WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: category_columns
SELECT id, topic_id, name, slug, description, display_order, is_active, created_at
  FROM story_categories

-- name: insert_category
INSERT INTO story_categories (organization_id, topic_id, name, slug, description, display_order)
VALUES (%(org)s, %(topic)s, %(name)s, %(slug)s, %(description)s, %(display_order)s)
RETURNING id

-- name: list_categories
SELECT id, topic_id, name, slug, description, display_order, is_active, created_at
  FROM story_categories
 WHERE organization_id = %(org)s AND topic_id = %(topic)s AND (is_active OR %(inactive)s)
 ORDER BY display_order, name, id

-- name: lock_category
SELECT id FROM story_categories WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: proposal_columns
SELECT id, user_id, name, description, status, reviewed_by, reviewed_at, rejection_reason,
       promoted_topic_id, created_at
  FROM story_user_topics

-- name: insert_proposal
INSERT INTO story_user_topics (organization_id, user_id, name, description)
VALUES (%(org)s, %(user)s, %(name)s, %(description)s)
RETURNING id

-- name: lock_proposal
SELECT status, name, description FROM story_user_topics
 WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: review_proposal
UPDATE story_user_topics
   SET status = %(status)s, reviewed_by = %(user)s, reviewed_at = now(),
       rejection_reason = %(reason)s, promoted_topic_id = %(topic)s
 WHERE organization_id = %(org)s AND id = %(id)s

-- -- ideas ------------------------------------------------------------------------------------

-- name: idea_columns
SELECT id, topic_id, category_id, user_id, title, prompt, tags, status, moderation_status, scene_count,
       created_at, updated_at
  FROM story_ideas

-- name: insert_idea
INSERT INTO story_ideas (organization_id, topic_id, category_id, user_id, title, prompt, tags)
VALUES (%(org)s, %(topic)s, %(category)s, %(user)s, %(title)s, %(prompt)s, %(tags)s)
RETURNING id

-- name: lock_idea
SELECT user_id, status, moderation_status FROM story_ideas
 WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- -- scenes, bibles, segments, summaries ---------------------------------------------------------

-- name: scene_columns
SELECT id, topic_id, idea_id, user_id, title, description, status, thumbnail_key, segment_count,
       total_duration_ms, contributor_count, last_segment_at, bible_version, created_at, updated_at
  FROM story_scenes

-- name: idea_for_scene
SELECT topic_id, status, moderation_status FROM story_ideas
 WHERE organization_id = %(org)s AND id = %(id)s FOR SHARE

-- name: insert_scene
INSERT INTO story_scenes (organization_id, topic_id, idea_id, user_id, title, description)
VALUES (%(org)s, %(topic)s, %(idea)s, %(user)s, %(title)s, %(description)s)
RETURNING id

-- name: insert_bible
INSERT INTO story_bibles (organization_id, scene_id, version, data, created_by)
VALUES (%(org)s, %(scene)s, %(version)s, %(data)s, %(user)s)

-- name: lock_scene
SELECT user_id, status, bible_version FROM story_scenes
 WHERE organization_id = %(org)s AND id = %(id)s FOR NO KEY UPDATE

-- name: scene_exists
SELECT status FROM story_scenes WHERE organization_id = %(org)s AND id = %(id)s

-- name: bible_columns
SELECT scene_id, version, data, created_by, created_by_segment_id, created_at
  FROM story_bibles

-- name: bible_at
SELECT scene_id, version, data, created_by, created_by_segment_id, created_at
  FROM story_bibles
 WHERE organization_id = %(org)s AND scene_id = %(scene)s AND version = %(version)s

-- name: latest_bible
SELECT scene_id, version, data, created_by, created_by_segment_id, created_at
  FROM story_bibles
 WHERE organization_id = %(org)s AND scene_id = %(scene)s
 ORDER BY version DESC
 LIMIT 1

-- name: segment_columns
SELECT id, scene_id, sequence, user_id, input_text, expanded_script, video_key, hls_key, thumbnail_key,
       duration_ms, resolution, size_bytes, bible_version, job_id, status, created_at
  FROM story_segments

-- name: summary_columns
SELECT id, scene_id, lower(covered) AS first_sequence, upper(covered) - 1 AS last_sequence, summary,
       created_by, created_at, updated_at
  FROM story_scene_summaries

-- name: insert_summary
INSERT INTO story_scene_summaries (organization_id, scene_id, covered, summary, created_by)
VALUES (%(org)s, %(scene)s, int4range(%(first)s, %(last)s, '[]'), %(summary)s, %(user)s)
RETURNING id

-- -- continuations --------------------------------------------------------------------------------

-- name: continuation_columns
SELECT c.job_id, c.job_created_at, c.scene_id, c.user_id, c.input_text, c.base_bible_version, c.state, c.attempts,
       c.message, c.segment_id, c.created_at, c.updated_at, c.finished_at
  FROM story_continuations c

-- name: continuation_jobs
-- The jobs of some continuations (a query of its own: on Citus the queue is a coordinator-local
-- table and the continuations are distributed).
SELECT j.id, j.status, j.stage, j.progress::int AS progress, j.error_message
  FROM jobs j JOIN unnest(%(ids)s::uuid[], %(created)s::timestamptz[]) AS k (id, created_at)
    ON j.id = k.id AND j.created_at = k.created_at
 WHERE j.organization_id = %(org)s

-- name: insert_continuation
INSERT INTO story_continuations (organization_id, job_id, job_created_at, scene_id, user_id, input_text,
                                 base_bible_version)
VALUES (%(org)s, %(job)s, %(job_created_at)s, %(scene)s, %(user)s, %(text)s, %(base)s)

-- name: start_attempt
-- An attempt begins: the continuation (locked), its scene and the scene's latest bible, read in
-- one snapshot: the version the attempt builds on and the sequence it will get if it wins.
SELECT c.state, c.input_text, c.segment_id, c.scene_id, s.title, s.status AS scene_status,
       s.bible_version, s.segment_count, b.data AS bible
  FROM story_continuations c
  JOIN story_scenes s ON s.organization_id = c.organization_id AND s.id = c.scene_id
  JOIN story_bibles b ON b.organization_id = s.organization_id AND b.scene_id = s.id AND b.version = s.bible_version
 WHERE c.organization_id = %(org)s AND c.job_id = %(job)s
   FOR UPDATE OF c

-- name: set_state
UPDATE story_continuations
   SET state = %(state)s, message = %(message)s,
       attempts = attempts + %(attempt)s::int,
       base_bible_version = coalesce(%(base)s, base_bible_version),
       finished_at = CASE WHEN %(state)s::text = 'failed' THEN now() END
 WHERE organization_id = %(org)s AND job_id = %(job)s AND state <> 'finalized'

-- name: finalize
SELECT segment_id, sequence, bible_version, created
  FROM story_finalize_continuation(
       job_id => %(job)s, base_version => %(base)s, new_bible => %(bible)s, expanded_script => %(script)s,
       video_key => %(video_key)s, duration_ms => %(duration_ms)s, hls_key => %(hls_key)s,
       thumbnail_key => %(thumbnail_key)s, resolution => %(resolution)s, size_bytes => %(size_bytes)s)

-- name: finalized_result
SELECT g.id AS segment_id, g.sequence, b.version AS bible_version, false AS created
  FROM story_segments g
  LEFT JOIN story_bibles b ON b.organization_id = g.organization_id AND b.scene_id = g.scene_id
                          AND b.created_by_segment_id = g.id
 WHERE g.organization_id = %(org)s AND g.id = %(id)s
