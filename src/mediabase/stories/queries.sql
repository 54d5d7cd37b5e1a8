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
-- Counters are the stored value plus the deltas not folded yet (0021): exact at every read. The
-- deltas' subqueries name the organization (%(org)s), not the outer row's: on Citus a subquery
-- correlated on organization_id sends the statement to every shard, one on the parameter to one.
SELECT id, topic_id, category_id, user_id, title, prompt, tags, language, status, moderation_status, scene_count,
       like_count + coalesce((SELECT sum(d.likes) FROM story_counter_deltas d
                               WHERE d.organization_id = %(org)s AND d.idea_id = story_ideas.id), 0)::int AS like_count,
       created_at, updated_at
  FROM story_ideas

-- name: insert_idea
INSERT INTO story_ideas (organization_id, topic_id, category_id, user_id, title, prompt, tags, language)
VALUES (%(org)s, %(topic)s, %(category)s, %(user)s, %(title)s, %(prompt)s, %(tags)s, %(language)s)
RETURNING id

-- name: lock_idea
SELECT user_id, status, moderation_status FROM story_ideas
 WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- -- scenes, bibles, segments, summaries ---------------------------------------------------------

-- name: scene_columns
SELECT id, topic_id, idea_id, user_id, title, description, status, thumbnail_key, segment_count,
       total_duration_ms, contributor_count, last_segment_at, bible_version,
       like_count + coalesce(p.likes, 0) AS like_count, view_count + coalesce(p.views, 0) AS view_count,
       created_at, updated_at
  FROM story_scenes
  LEFT JOIN LATERAL (SELECT sum(d.likes)::int AS likes, sum(d.views)::bigint AS views FROM story_counter_deltas d
                      WHERE d.organization_id = %(org)s AND d.scene_id = story_scenes.id) p ON true

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

-- name: continuations_ahead
-- The continuations of the same scene created before this one and not finished yet (their jobs'
-- liveness is asked apart: the queue is another table, coordinator-local on Citus).
SELECT c.job_id, c.job_created_at, me.scene_id
  FROM story_continuations c
  JOIN story_continuations me ON me.organization_id = c.organization_id AND me.scene_id = c.scene_id
 WHERE me.organization_id = %(org)s AND me.job_id = %(job)s AND c.organization_id = %(org)s
   AND c.state IN ('queued', 'running', 'conflict')
   AND (c.created_at, c.job_id) < (me.created_at, me.job_id)
 ORDER BY c.created_at, c.job_id
 LIMIT 100

-- name: live_jobs
SELECT count(*) AS n
  FROM jobs j JOIN unnest(%(ids)s::uuid[], %(created)s::timestamptz[]) AS k (id, created_at)
    ON j.id = k.id AND j.created_at = k.created_at
 WHERE j.organization_id = %(org)s AND j.status IN ('queued', 'processing')

-- name: set_state
-- (finished_at is set by its own statement: Citus refuses now() inside a CASE of an UPDATE)
UPDATE story_continuations
   SET state = %(state)s, message = %(message)s,
       attempts = attempts + %(attempt)s::int,
       base_bible_version = coalesce(%(base)s, base_bible_version)
 WHERE organization_id = %(org)s AND job_id = %(job)s AND state <> 'finalized'

-- name: fail_continuation
UPDATE story_continuations
   SET state = 'failed', message = %(message)s, attempts = attempts + %(attempt)s::int, finished_at = now()
 WHERE organization_id = %(org)s AND job_id = %(job)s AND state <> 'finalized'

-- name: scene_version
SELECT status, bible_version FROM story_scenes WHERE organization_id = %(org)s AND id = %(id)s

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

-- -- community: likes, views, flags, counters (0021) ----------------------------------------------

-- name: like_scene
INSERT INTO story_likes (organization_id, user_id, scene_id) VALUES (%(org)s, %(user)s, %(id)s)
ON CONFLICT (organization_id, scene_id, user_id) DO NOTHING

-- name: like_idea
INSERT INTO story_likes (organization_id, user_id, idea_id) VALUES (%(org)s, %(user)s, %(id)s)
ON CONFLICT (organization_id, idea_id, user_id) DO NOTHING

-- name: unlike_scene
DELETE FROM story_likes WHERE organization_id = %(org)s AND scene_id = %(id)s AND user_id = %(user)s

-- name: unlike_idea
DELETE FROM story_likes WHERE organization_id = %(org)s AND idea_id = %(id)s AND user_id = %(user)s

-- name: has_liked_scene
-- "has this member liked this scene": one probe of story_likes_scene_key
SELECT EXISTS (SELECT FROM story_likes
                WHERE organization_id = %(org)s AND scene_id = %(id)s AND user_id = %(user)s) AS liked

-- name: has_liked_idea
SELECT EXISTS (SELECT FROM story_likes
                WHERE organization_id = %(org)s AND idea_id = %(id)s AND user_id = %(user)s) AS liked

-- name: insert_view
INSERT INTO story_scene_views (organization_id, scene_id, user_id, ip_hmac, ip_key)
VALUES (%(org)s, %(scene)s, %(user)s, %(ip_hmac)s, %(ip_key)s)

-- name: flag_columns
SELECT id, reporter_id, idea_id, scene_id, segment_id, member_id, topic_id, reason, description, status,
       reviewed_by, reviewed_at, action_taken, notes, created_at, updated_at
  FROM story_flags

-- name: insert_flag
INSERT INTO story_flags (organization_id, reporter_id, idea_id, scene_id, segment_id, member_id, topic_id, reason,
                         description)
VALUES (%(org)s, %(user)s, %(idea_id)s, %(scene_id)s, %(segment_id)s, %(member_id)s, %(topic_id)s, %(reason)s,
        %(description)s)
RETURNING id

-- name: lock_flag
SELECT status, idea_id, scene_id, segment_id, member_id, topic_id FROM story_flags
 WHERE organization_id = %(org)s AND id = %(id)s FOR UPDATE

-- name: flag_reviewing
UPDATE story_flags SET status = %(status)s WHERE organization_id = %(org)s AND id = %(id)s

-- name: close_flags
-- The flag, and every other open flag of the same target, closed with the same decision.
UPDATE story_flags
   SET status = %(status)s, reviewed_by = %(user)s, reviewed_at = now(), action_taken = %(action)s,
       notes = CASE WHEN id = %(id)s THEN %(notes)s ELSE 'closed with flag ' || %(id)s::text END
 WHERE organization_id = %(org)s AND status IN ('pending', 'reviewing')
   AND (id = %(id)s OR idea_id = %(idea_id)s OR scene_id = %(scene_id)s OR segment_id = %(segment_id)s
        OR member_id = %(member_id)s OR topic_id = %(topic_id)s)

-- name: counter_backlog
SELECT organization_id, pending FROM mediabase.story_counter_backlog()

-- name: fold_counters
SELECT mediabase.story_fold_counters(%(org)s, %(max_rows)s) AS folded

-- name: counter_differences
-- Every counter of one organization recomputed from its rows; the rows where they differ. Likes
-- count stored + pending deltas; views: the stored count equals the monthly rollup, and each
-- month still held (from the oldest view kept on; older ones went with retention) has as many
-- view rows as the rollup and the pending deltas say. Each table is read once, grouped, and every
-- read names the organization, so on Citus the statement is one task on the tenant's shard (no
-- correlated subqueries, no VALUES with casts that are only STABLE).
WITH pend AS (
    SELECT idea_id, scene_id, month, sum(likes) AS likes, sum(views) AS views
      FROM story_counter_deltas WHERE organization_id = %(org)s GROUP BY idea_id, scene_id, month
), kept AS (
    SELECT date_trunc('month', min(viewed_at) AT TIME ZONE 'UTC')::date AS since
      FROM story_scene_views WHERE organization_id = %(org)s
), seen AS (
    SELECT scene_id, date_trunc('month', viewed_at AT TIME ZONE 'UTC')::date AS month, count(*) AS n
      FROM story_scene_views WHERE organization_id = %(org)s GROUP BY 1, 2
), segs AS (
    SELECT scene_id, count(*) AS n, sum(duration_ms) AS ms, count(DISTINCT user_id) AS people,
           max(created_at) AS last, max(sequence) AS top
      FROM story_segments WHERE organization_id = %(org)s GROUP BY scene_id
), bibles AS (
    SELECT scene_id, max(version) AS top FROM story_bibles WHERE organization_id = %(org)s GROUP BY scene_id
), likes AS (
    SELECT idea_id, scene_id, count(*) AS n FROM story_likes WHERE organization_id = %(org)s GROUP BY idea_id, scene_id
), viewed AS (
    SELECT scene_id, sum(views) AS views FROM story_view_months WHERE organization_id = %(org)s GROUP BY scene_id
), grown AS (
    SELECT topic_id, idea_id, count(*) AS n FROM story_scenes WHERE organization_id = %(org)s GROUP BY topic_id, idea_id
), facts AS (
    SELECT 'story_topics' AS tbl, t.id, 'scene_count' AS counter, t.scene_count::text AS stored,
           coalesce((SELECT sum(g.n) FROM grown g WHERE g.topic_id = t.id), 0)::text AS actual
      FROM story_topics t WHERE t.organization_id = %(org)s
    UNION ALL
    SELECT 'story_ideas', i.id, c.counter, c.stored, c.actual
      FROM story_ideas i
      LEFT JOIN (SELECT idea_id, sum(n) AS n FROM grown GROUP BY idea_id) g ON g.idea_id = i.id
      LEFT JOIN (SELECT idea_id, sum(likes) AS likes FROM pend WHERE idea_id IS NOT NULL GROUP BY idea_id) p
             ON p.idea_id = i.id
      LEFT JOIN likes l ON l.idea_id = i.id
      CROSS JOIN LATERAL unnest(ARRAY['scene_count', 'like_count'],
                                ARRAY[i.scene_count::text, (i.like_count + coalesce(p.likes, 0))::text],
                                ARRAY[coalesce(g.n, 0)::text, coalesce(l.n, 0)::text]) AS c (counter, stored, actual)
     WHERE i.organization_id = %(org)s
    UNION ALL
    SELECT 'story_scenes', s.id, c.counter, c.stored, c.actual
      FROM story_scenes s
      LEFT JOIN segs g ON g.scene_id = s.id
      LEFT JOIN bibles b ON b.scene_id = s.id
      LEFT JOIN likes l ON l.scene_id = s.id
      LEFT JOIN viewed v ON v.scene_id = s.id
      LEFT JOIN (SELECT scene_id, sum(likes) AS likes FROM pend WHERE scene_id IS NOT NULL GROUP BY scene_id) p
             ON p.scene_id = s.id
      CROSS JOIN LATERAL unnest(
          ARRAY['segment_count', 'max_sequence', 'total_duration_ms', 'contributor_count', 'last_segment_at',
                'bible_version', 'like_count', 'view_count'],
          ARRAY[s.segment_count::text, s.segment_count::text, s.total_duration_ms::text, s.contributor_count::text,
                s.last_segment_at::text, s.bible_version::text, (s.like_count + coalesce(p.likes, 0))::text,
                s.view_count::text],
          ARRAY[coalesce(g.n, 0)::text, coalesce(g.top, 0)::text, coalesce(g.ms, 0)::text,
                coalesce(g.people, 0)::text, g.last::text, b.top::text, coalesce(l.n, 0)::text,
                coalesce(v.views, 0)::text]) AS c (counter, stored, actual)
     WHERE s.organization_id = %(org)s
    UNION ALL
    SELECT 'story_view_months', k.scene_id, 'views ' || to_char(k.month, 'YYYY-MM'),
           (coalesce(m.views, 0) + coalesce(p.views, 0))::text, coalesce(v.n, 0)::text
      FROM (SELECT scene_id, month FROM seen
            UNION SELECT scene_id, month FROM story_view_months WHERE organization_id = %(org)s
            UNION SELECT scene_id, month FROM pend WHERE views > 0) k
      CROSS JOIN kept
      LEFT JOIN story_view_months m ON m.organization_id = %(org)s AND m.scene_id = k.scene_id AND m.month = k.month
      LEFT JOIN (SELECT scene_id, month, sum(views) AS views FROM pend GROUP BY 1, 2) p
             ON p.scene_id = k.scene_id AND p.month = k.month
      LEFT JOIN seen v ON v.scene_id = k.scene_id AND v.month = k.month
     WHERE kept.since IS NOT NULL AND k.month >= kept.since
)
SELECT tbl AS table, id, counter, stored, actual FROM facts
 WHERE stored IS DISTINCT FROM actual
 ORDER BY 1, 3, 2

-- -- reads (0022) ------------------------------------------------------------------------------------

-- name: idea_rank_columns
-- idea_columns with the stored like count the "most liked" order and its cursor use
SELECT id, topic_id, category_id, user_id, title, prompt, tags, language, status, moderation_status, scene_count,
       like_count + coalesce((SELECT sum(d.likes) FROM story_counter_deltas d
                               WHERE d.organization_id = %(org)s AND d.idea_id = story_ideas.id), 0)::int AS like_count,
       created_at, updated_at, story_ideas.like_count AS rank_likes
  FROM story_ideas

-- name: publication
SELECT organization_id, published_by, published_at FROM story_publications WHERE organization_id = %(org)s

-- name: publish
INSERT INTO story_publications (organization_id, published_by) VALUES (%(org)s, %(user)s)
ON CONFLICT (organization_id) DO NOTHING

-- name: unpublish
DELETE FROM story_publications WHERE organization_id = %(org)s

-- name: public_topics
SELECT id, name, slug, description, icon_key, scene_count FROM story_topics
 WHERE organization_id = %(org)s AND is_active
 ORDER BY display_order, name, id

-- name: public_topic
SELECT id FROM story_topics WHERE organization_id = %(org)s AND id = %(id)s AND is_active

-- name: public_scene
-- A published scene: active or locked, of an active approved idea, in an active topic.
SELECT s.id, s.topic_id, s.idea_id, s.title, s.description, s.status, s.thumbnail_key, s.segment_count,
       s.total_duration_ms, s.contributor_count, s.last_segment_at, s.bible_version,
       s.like_count + coalesce(p.likes, 0) AS like_count, s.view_count + coalesce(p.views, 0) AS view_count,
       s.created_at
  FROM story_scenes s
  JOIN story_ideas i ON i.organization_id = s.organization_id AND i.id = s.idea_id
  JOIN story_topics t ON t.organization_id = s.organization_id AND t.id = s.topic_id
  LEFT JOIN LATERAL (SELECT sum(d.likes)::int AS likes, sum(d.views)::bigint AS views FROM story_counter_deltas d
                      WHERE d.organization_id = %(org)s AND d.scene_id = s.id) p ON true
 WHERE s.organization_id = %(org)s AND s.id = %(id)s AND s.status IN ('active', 'locked')
   AND i.status = 'active' AND i.moderation_status = 'approved' AND t.is_active

-- name: public_scene_columns
SELECT s.id, s.topic_id, s.idea_id, s.title, s.description, s.status, s.thumbnail_key, s.segment_count,
       s.total_duration_ms, s.contributor_count, s.last_segment_at, s.bible_version,
       s.like_count + coalesce(p.likes, 0) AS like_count, s.view_count + coalesce(p.views, 0) AS view_count,
       s.created_at
  FROM story_scenes s
  JOIN story_ideas i ON i.organization_id = s.organization_id AND i.id = s.idea_id
  LEFT JOIN LATERAL (SELECT sum(d.likes)::int AS likes, sum(d.views)::bigint AS views FROM story_counter_deltas d
                      WHERE d.organization_id = %(org)s AND d.scene_id = s.id) p ON true

-- name: public_segments
SELECT id, sequence, input_text, expanded_script, video_key, hls_key, thumbnail_key, duration_ms, resolution,
       created_at
  FROM story_segments

-- name: public_bible
SELECT version, data, created_at FROM story_bibles
 WHERE organization_id = %(org)s AND scene_id = %(scene)s
 ORDER BY version DESC
 LIMIT 1

-- -- keyword search (0024; docs/stories.md, "Search") ----------------------------------------------

-- name: search_configs
-- The configurations the organization's story texts use, each with the query parsed by it
-- (websearch syntax; by ts_parse_config, as the texts' vectors: accents ignored where the
-- language allows it, 0046); those where nothing is left of it (stop words only) are skipped.
SELECT c.ts_config::oid::int8 AS cfg, websearch_to_tsquery(ts_parse_config(c.ts_config), %(q)s)::text AS tsq
  FROM story_search_configs c
 WHERE c.organization_id = %(org)s AND numnode(websearch_to_tsquery(ts_parse_config(c.ts_config), %(q)s)) > 0
 ORDER BY c.ts_config::oid

-- name: search_page
-- One page of hits after the cursor (story_match: the GIN indexes, ranked, the audience's
-- visibility), by (score DESC, kind, id); titles and highlighted snippets for the page only.
WITH m AS (
    SELECT * FROM story_match(%(cfgs)s::oid[]::regconfig[], %(tsqs)s::tsquery[], %(kinds)s::text[], %(public)s,
                              %(topic)s::uuid, %(scene)s::uuid, %(n)s::int, %(c_score)s::float8, %(c_kind)s::text,
                              %(c_id)s::uuid)
     ORDER BY score DESC, kind, id
     LIMIT %(n)s
)
SELECT m.kind, m.id, m.scene_id, m.version, m.score, g.sequence, coalesce(i.id, s.idea_id) AS idea_id,
       coalesce(i.topic_id, s.topic_id) AS topic_id, coalesce(i.title, s.title) AS title,
       ts_headline(ts_parse_config(m.ts_config),
                   translate(CASE m.kind WHEN 'idea' THEN concat_ws(' — ', i.title, i.prompt)
                                         WHEN 'scene' THEN concat_ws(' — ', s.title, s.description)
                                         WHEN 'segment' THEN concat_ws(E'\n', g.input_text, g.expanded_script)
                                         ELSE story_bible_text(b.data) END, E'\x02\x03', ''),
                   m.tsq, %(hl_opts)s) AS snippet
  FROM m
  LEFT JOIN story_ideas i ON m.kind = 'idea' AND i.organization_id = %(org)s AND i.id = m.id
  LEFT JOIN story_scenes s ON s.organization_id = %(org)s AND s.id = m.scene_id
  LEFT JOIN story_segments g ON m.kind = 'segment' AND g.organization_id = %(org)s AND g.id = m.id
  LEFT JOIN story_bibles b ON m.kind = 'bible' AND b.organization_id = %(org)s AND b.scene_id = m.scene_id
                          AND b.version = m.version
 ORDER BY m.score DESC, m.kind, m.id
