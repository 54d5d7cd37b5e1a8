-- -- AI layers -------------------------------------------------------------------------------

-- name: layer_columns
SELECT l.id, l.video_id, l.kind, l.model, l.model_version, l.source, l.status, l.transcript_id, l.artifact_uri,
       l.parameters, l.error, l.superseded_by, l.job_id, l.created_by, l.created_at, l.completed_at,
       (CASE l.kind
          WHEN 'summary' THEN (SELECT count(*) FROM ai_summaries x WHERE x.organization_id = l.organization_id AND x.layer_id = l.id)
          WHEN 'decisions' THEN (SELECT count(*) FROM decisions x WHERE x.organization_id = l.organization_id AND x.layer_id = l.id)
          WHEN 'action_items' THEN (SELECT count(*) FROM ai_action_items x WHERE x.organization_id = l.organization_id AND x.layer_id = l.id)
          WHEN 'topics' THEN (SELECT count(*) FROM ai_topic_mentions x WHERE x.organization_id = l.organization_id AND x.layer_id = l.id)
          WHEN 'moments' THEN (SELECT count(*) FROM video_moments x WHERE x.organization_id = l.organization_id AND x.layer_id = l.id)
          ELSE 0 END)::int AS item_count
  FROM ai_layers l

-- name: current_transcript
SELECT id FROM transcripts WHERE organization_id = %(org)s AND video_id = %(video_id)s AND is_current;

-- name: insert_layer
INSERT INTO ai_layers (organization_id, video_id, kind, model, model_version, source, status, transcript_id,
                       artifact_uri, parameters, created_by)
VALUES (%(org)s, %(video_id)s, %(kind)s, %(model)s, %(model_version)s, %(source)s, %(status)s, %(transcript_id)s,
        %(artifact_uri)s, %(parameters)s, %(created_by)s)
RETURNING id;

-- name: lock_layer
SELECT l.id, l.video_id, l.kind, l.model, l.model_version, l.source, l.parameters, l.status, l.created_by,
       v.author_id
  FROM ai_layers l JOIN videos v ON v.organization_id = l.organization_id AND v.id = l.video_id
 WHERE l.organization_id = %(org)s AND l.id = %(id)s
   FOR UPDATE OF l;

-- name: delete_layer
DELETE FROM ai_layers WHERE organization_id = %(org)s AND id = %(id)s;

-- name: layer_ready
UPDATE ai_layers SET status = 'ready' WHERE organization_id = %(org)s AND id = %(id)s;

-- name: set_layer_job
UPDATE ai_layers SET job_id = %(job_id)s WHERE organization_id = %(org)s AND id = %(id)s;

-- name: enqueue_layer_job
SELECT id FROM enqueue_job('ai.layer.build', %(input)s, idempotency_key => %(key)s);

-- name: insert_summary
INSERT INTO ai_summaries (organization_id, layer_id, video_id, summary, key_points, language)
VALUES (%(org)s, %(layer_id)s, %(video_id)s, %(summary)s, %(key_points)s, %(language)s);

-- name: insert_ai_decision
-- A decision taken in a meeting was decided when it was said: the recording's start plus its
-- moment (the start alone without a moment). Without a recording date the trigger stamps the
-- insert time, and listings say the date is when it was recorded here (docs/insights.md).
-- (INSERT … SELECT, not a subquery in VALUES: Citus refuses those; the layer's video exists)
INSERT INTO decisions (organization_id, summary, context, source, video_id, position_ms, state, layer_id, confidence,
                       decided_at)
SELECT %(org)s, %(summary)s, %(context)s, 'meeting', v.id, %(position_ms)s, 'decided', %(layer_id)s, %(confidence)s,
       v.recorded_at + coalesce(%(position_ms)s::bigint, 0) * interval '1 millisecond'
  FROM videos v WHERE v.organization_id = %(org)s AND v.id = %(video_id)s
RETURNING id;
-- (layers.py inserts a layer's decisions, then asks once for their vectors: request_decision_embed)

-- name: decision_words
SELECT decision_text(summary, context) AS text FROM decisions WHERE organization_id = %(org)s AND id = %(id)s;

-- name: request_decision_embed
-- Decisions of the transaction's organization were added or reworded: one `decision.embed`
-- job unless one is queued (a statement, not a trigger: the queue stays on the Citus coordinator).
SELECT request_decision_embed();

-- name: insert_ai_action_item
INSERT INTO ai_action_items (organization_id, video_id, layer_id, title, description, assignee, priority, start_ms,
                             end_ms, confidence, extracted_from)
VALUES (%(org)s, %(video_id)s, %(layer_id)s, %(title)s, %(description)s, %(assignee)s, %(priority)s, %(start_ms)s,
        %(end_ms)s, %(confidence)s, %(extracted_from)s);

-- name: upsert_topic
INSERT INTO ai_topics (organization_id, name) VALUES (%(org)s, %(name)s)
ON CONFLICT (organization_id, normalized_name) DO UPDATE SET name = ai_topics.name
RETURNING id;

-- name: insert_topic_mention
INSERT INTO ai_topic_mentions (organization_id, topic_id, video_id, layer_id, start_ms, end_ms, relevance, excerpt)
VALUES (%(org)s, %(topic_id)s, %(video_id)s, %(layer_id)s, %(start_ms)s, %(end_ms)s, %(relevance)s, %(excerpt)s);

-- name: insert_ai_moment
INSERT INTO video_moments (organization_id, video_id, layer_id, title, description, start_ms, end_ms, moment_type,
                           confidence, transcript_excerpt)
VALUES (%(org)s, %(video_id)s, %(layer_id)s, %(title)s, %(description)s, %(start_ms)s, %(end_ms)s, %(moment_type)s,
        %(confidence)s, %(transcript_excerpt)s);

-- name: current_summary
SELECT s.layer_id, s.video_id, s.summary, s.key_points, s.language, l.model, l.source, s.created_at
  FROM ai_layers l JOIN ai_summaries s ON s.organization_id = l.organization_id AND s.layer_id = l.id
 WHERE l.organization_id = %(org)s AND l.video_id = %(video_id)s AND l.kind = 'summary' AND l.status = 'ready';

-- -- decisions ------------------------------------------------------------------------------

-- name: decision_hits
-- The decision log as the services read it: the rows of the decision_log view (the same columns,
-- the same visibility, which the caller adds: WHERE d.organization_id = %(org)s AND
-- (d.layer_id IS NULL OR al.status = 'ready')), with each per-decision list a subquery that
-- names the organization: Citus sends the statement to the tenant's shard, and one server
-- computes the lists for the page's rows only (the view, which cannot name the tenant, groups
-- every decision's; docs/collab.md). search_columns: empty, or a search's rank and snippet.
SELECT d.id, d.summary, d.context, d.source, d.status, d.decided_at, d.video_id, v.title AS video_title,
       d.position_ms, d.superseded_by, s.summary AS superseded_by_summary, d.layer_id, d.confidence, d.created_by,
       d.created_at, d.updated_at,
       coalesce((SELECT array_agg(t.name ORDER BY lower(t.name))
                   FROM decision_tag_assignments ta
                   JOIN decision_tags t ON t.organization_id = ta.organization_id AND t.id = ta.tag_id
                  WHERE ta.organization_id = %(org)s AND ta.decision_id = d.id), '{{}}') AS tags,
       coalesce((SELECT array_agg(coalesce(u.username, pe.name) ORDER BY coalesce(u.username, pe.name))
                   FROM decision_participants dp
                   LEFT JOIN users u ON u.id = dp.user_id
                   LEFT JOIN people pe ON pe.organization_id = dp.organization_id AND pe.id = dp.person_id
                  WHERE dp.organization_id = %(org)s AND dp.decision_id = d.id), '{{}}') AS participants,
       (SELECT count(*) FROM decision_links l
         WHERE l.organization_id = %(org)s AND (l.decision_id = d.id OR l.target_decision_id = d.id)) AS link_count,
       (SELECT count(*) FROM decision_edits e WHERE e.organization_id = %(org)s AND e.decision_id = d.id) AS edit_count
       {search_columns}
  FROM decisions d
  LEFT JOIN videos v ON v.organization_id = d.organization_id AND v.id = d.video_id
  LEFT JOIN decisions s ON s.organization_id = d.organization_id AND s.id = d.superseded_by
  LEFT JOIN ai_layers al ON al.organization_id = d.organization_id AND al.id = d.layer_id

-- name: decisions_to_embed
-- Decisions whose vector for the model is missing or was made from other words (0010).
SELECT d.id, decision_text(d.summary, d.context) AS text
  FROM decisions d
  LEFT JOIN decision_vectors v ON v.organization_id = d.organization_id AND v.model = %(model)s AND v.decision_id = d.id
 WHERE d.organization_id = %(org)s
   AND (v.decision_id IS NULL OR v.text_sha256 <> sha256(convert_to(decision_text(d.summary, d.context), 'UTF8')))
 ORDER BY d.id
 LIMIT %(limit)s;

-- name: upsert_decision_vectors
-- The vectors of the texts read by decisions_to_embed, each with the sha256 of its text: a
-- decision reworded meanwhile stays stale (its own job embeds it again); one deleted is skipped.
INSERT INTO decision_vectors AS dv (organization_id, decision_id, model, dimension, embedding, text_sha256)
SELECT d.organization_id, d.id, %(model)s, x.dim, x.vec::vector, sha256(convert_to(x.text, 'UTF8'))
  FROM unnest(%(ids)s::uuid[], %(texts)s::text[], %(dims)s::int[], %(vectors)s::text[]) AS x (id, text, dim, vec)
  JOIN decisions d ON d.organization_id = %(org)s AND d.id = x.id
ON CONFLICT (organization_id, model, decision_id) DO UPDATE
   SET dimension = EXCLUDED.dimension, embedding = EXCLUDED.embedding, text_sha256 = EXCLUDED.text_sha256,
       embedded_at = EXCLUDED.embedded_at;  -- its default, now(): Citus takes no now() in DO UPDATE

-- name: decision_ranked
-- The ids of the organization's decisions ranked for a search, as (id, score): the semantic list
-- (s; score = cosine similarity) or its reciprocal rank fusion with the keyword list (k). The
-- semantic list is exact: every vector of the tenant and model (cast to the model's dimension),
-- nearest first; a registry is small enough per organization for a scan of its key range. Keywords
-- are parsed as the decisions' vectors are (English, accents ignored: ts_parse_config, 0046).
WITH k AS (
    SELECT d.id, row_number() OVER (ORDER BY ts_rank_cd(d.search_vector,
                                                        websearch_to_tsquery(ts_parse_config('english'), %(q)s)) DESC,
                                             d.id) AS r
      FROM decisions d
     WHERE %(use_k)s AND d.organization_id = %(org)s
       AND d.search_vector @@ websearch_to_tsquery(ts_parse_config('english'), %(q)s)
     ORDER BY r LIMIT %(depth)s
), s AS (
    SELECT v.decision_id AS id, 1 - (v.embedding::{vtype} <=> %(qvec)s::{vtype}) AS similarity,
           row_number() OVER (ORDER BY v.embedding::{vtype} <=> %(qvec)s::{vtype}, v.decision_id) AS r
      FROM decision_vectors v
     WHERE v.organization_id = %(org)s AND v.model = %(model)s AND v.dimension = %(dim)s
     ORDER BY r LIMIT %(depth)s
)
SELECT coalesce(k.id, s.id) AS id,
       CASE WHEN NOT %(use_k)s THEN s.similarity
            ELSE coalesce(1.0 / (60 + k.r), 0) + coalesce(1.0 / (60 + s.r), 0) END::float8 AS score
  FROM k FULL JOIN s ON s.id = k.id

-- name: insert_decision
-- and asks for its vector (request_decision_embed: no trigger reaches the job queue)
WITH d AS (
    INSERT INTO decisions (organization_id, summary, context, source, video_id, position_ms, state, decided_at,
                           created_by)
    VALUES (%(org)s, %(summary)s, %(context)s, %(source)s, %(video_id)s, %(position_ms)s, %(state)s, %(decided_at)s,
            %(created_by)s)
    RETURNING id
)
SELECT d.id FROM d CROSS JOIN LATERAL request_decision_embed() AS requested;

-- name: lock_decision
-- visible: made by a person, or by its video's current ('ready') decisions layer
SELECT d.id, d.created_by, d.layer_id FROM decisions d WHERE d.organization_id = %(org)s AND d.id = %(id)s
   AND (d.layer_id IS NULL OR EXISTS (SELECT 1 FROM ai_layers l  -- names the organization: Citus
         WHERE l.organization_id = %(org)s AND l.id = d.layer_id AND l.status = 'ready'))  -- locks on one shard
   FOR UPDATE OF d;

-- name: delete_decision
DELETE FROM decisions WHERE organization_id = %(org)s AND id = %(id)s;

-- name: decision_tag_ids
SELECT tag_id FROM decision_tag_assignments WHERE organization_id = %(org)s AND decision_id = %(id)s;

-- name: assign_tag
INSERT INTO decision_tag_assignments (organization_id, decision_id, tag_id, created_by)
VALUES (%(org)s, %(id)s, %(tag_id)s, %(user_id)s);

-- name: unassign_tag
DELETE FROM decision_tag_assignments WHERE organization_id = %(org)s AND decision_id = %(id)s AND tag_id = %(tag_id)s;

-- name: decision_participant_ids
SELECT user_id, person_id FROM decision_participants WHERE organization_id = %(org)s AND decision_id = %(id)s;

-- name: add_participant
INSERT INTO decision_participants (organization_id, decision_id, user_id, person_id)
VALUES (%(org)s, %(id)s, %(user_id)s, %(person_id)s);

-- name: remove_participant
DELETE FROM decision_participants
 WHERE organization_id = %(org)s AND decision_id = %(id)s
   AND user_id IS NOT DISTINCT FROM %(user_id)s AND person_id IS NOT DISTINCT FROM %(person_id)s;

-- name: decision_links
SELECT decision_id, target_decision_id, link_type, created_by, created_at FROM decision_links
 WHERE organization_id = %(org)s AND (decision_id = %(id)s OR target_decision_id = %(id)s)
 ORDER BY created_at, decision_id, target_decision_id;

-- name: insert_link
INSERT INTO decision_links (organization_id, decision_id, target_decision_id, link_type, created_by)
VALUES (%(org)s, %(id)s, %(target)s, %(link_type)s, %(user_id)s);

-- name: delete_link
DELETE FROM decision_links WHERE organization_id = %(org)s AND decision_id = %(id)s AND target_decision_id = %(target)s;

-- name: decision_edits
SELECT id, decision_id, user_id, field, old_value, new_value, edited_at FROM decision_edits
 WHERE organization_id = %(org)s AND decision_id = %(id)s
 ORDER BY edited_at, id;

-- name: tag_columns
SELECT t.id, t.name, t.color, t.created_by, t.created_at,
       (SELECT count(*) FROM decision_tag_assignments a
         WHERE a.organization_id = t.organization_id AND a.tag_id = t.id)::int AS decision_count
  FROM decision_tags t

-- name: insert_tag
INSERT INTO decision_tags (organization_id, name, color, created_by) VALUES (%(org)s, %(name)s, %(color)s, %(user_id)s)
RETURNING id;

-- name: delete_tag
DELETE FROM decision_tags WHERE organization_id = %(org)s AND id = %(id)s;

-- name: tag_exists
SELECT id, name FROM decision_tags WHERE organization_id = %(org)s AND id = %(id)s;

-- name: upsert_subscription
INSERT INTO decision_subscriptions (organization_id, user_id, tag_id, frequency)
VALUES (%(org)s, %(user_id)s, %(tag_id)s, %(frequency)s)
ON CONFLICT (organization_id, user_id, tag_id) DO UPDATE SET frequency = EXCLUDED.frequency;

-- name: delete_subscription
DELETE FROM decision_subscriptions WHERE organization_id = %(org)s AND user_id = %(user_id)s AND tag_id = %(tag_id)s;

-- name: list_subscriptions
SELECT s.tag_id, t.name AS tag_name, s.frequency, s.created_at
  FROM decision_subscriptions s JOIN decision_tags t ON t.organization_id = s.organization_id AND t.id = s.tag_id
 WHERE s.organization_id = %(org)s AND s.user_id = %(user_id)s
 ORDER BY lower(t.name);

-- -- topics and action items ----------------------------------------------------------------------

-- name: topic_columns
SELECT id, name, normalized_name, description, keywords, mention_count, video_count, first_mentioned_at,
       last_mentioned_at, trend, trend_score, trend_computed_at, created_at, updated_at
  FROM ai_topics

-- name: topic_mentions
SELECT m.id, m.topic_id, t.name AS topic_name, m.video_id, v.title AS video_title, m.layer_id, m.start_ms, m.end_ms,
       m.mentioned_at, m.relevance, m.excerpt
  FROM ai_topic_mentions m
  JOIN ai_topics t ON t.organization_id = m.organization_id AND t.id = m.topic_id
  JOIN ai_layers l ON l.organization_id = m.organization_id AND l.id = m.layer_id AND l.status = 'ready'
  JOIN videos v ON v.organization_id = m.organization_id AND v.id = m.video_id AND v.deleted_at IS NULL
 WHERE m.organization_id = %(org)s
   AND (%(topic_id)s::uuid IS NULL OR m.topic_id = %(topic_id)s)
   AND (%(video_id)s::uuid IS NULL OR m.video_id = %(video_id)s)
 ORDER BY m.mentioned_at DESC, m.start_ms, m.id
 LIMIT %(limit)s;

-- name: refresh_topics
SELECT refresh_tenant_topics() AS n;

-- name: refresh_stale_topics
-- Every organization's topics whose trend is older than %(hours)s (the worker's upkeep, as the
-- owner, on a connection of its own: names are qualified).
SELECT coalesce(sum(mediabase.refresh_topics(g.organization_id, g.ids)), 0)::int8 AS n
  FROM (SELECT organization_id, array_agg(id) AS ids
          FROM mediabase.ai_topics
         WHERE trend_computed_at IS NULL OR trend_computed_at < now() - %(hours)s::float8 * interval '1 hour'
         GROUP BY organization_id) g;

-- name: delete_topic
DELETE FROM ai_topics WHERE organization_id = %(org)s AND id = %(id)s;

-- name: action_item_columns
SELECT a.id, a.video_id, v.title AS video_title, a.layer_id, a.title, a.description, a.assignee, a.assignee_user_id,
       a.status, a.priority, a.due_date, a.completed_at, a.completed_by, a.start_ms, a.end_ms, a.confidence,
       a.extracted_from, a.created_by, a.created_at, a.updated_at
  FROM ai_action_items a JOIN videos v ON v.organization_id = a.organization_id AND v.id = a.video_id

-- name: insert_action_item
INSERT INTO ai_action_items (organization_id, video_id, title, description, assignee, assignee_user_id, priority,
                             due_date, start_ms, end_ms, created_by)
VALUES (%(org)s, %(video_id)s, %(title)s, %(description)s, %(assignee)s, %(assignee_user_id)s, %(priority)s,
        %(due_date)s, %(start_ms)s, %(end_ms)s, %(created_by)s)
RETURNING id;

-- name: lock_action_item
SELECT a.id, a.created_by, a.assignee_user_id FROM ai_action_items a
  JOIN videos v ON v.organization_id = a.organization_id AND v.id = a.video_id AND v.deleted_at IS NULL
 WHERE a.organization_id = %(org)s AND a.id = %(id)s
   AND (a.layer_id IS NULL OR EXISTS (SELECT 1 FROM ai_layers l  -- names the organization: Citus
         WHERE l.organization_id = %(org)s AND l.id = a.layer_id AND l.status = 'ready'))  -- locks on one shard
   FOR UPDATE OF a;

-- name: delete_action_item
DELETE FROM ai_action_items WHERE organization_id = %(org)s AND id = %(id)s;

-- -- the AMI demo annotations --------------------------------------------------------------------

-- name: ami_videos
SELECT metadata->>'meeting_id' AS meeting, id FROM videos
 WHERE organization_id = %(org)s AND metadata->>'corpus' = 'AMI' AND deleted_at IS NULL
 ORDER BY 1;

-- name: ami_layers
SELECT kind FROM ai_layers
 WHERE organization_id = %(org)s AND video_id = %(video_id)s AND source = %(source)s AND status = 'ready';

-- name: ami_link
INSERT INTO decision_links (organization_id, decision_id, target_decision_id, link_type, created_by)
SELECT %(org)s, s.id, t.id, %(link_type)s, %(user_id)s
  FROM decisions s
  JOIN ai_layers sl ON sl.organization_id = s.organization_id AND sl.id = s.layer_id AND sl.status = 'ready'
                   AND sl.source = %(source)s,
       decisions t
  JOIN ai_layers tl ON tl.organization_id = t.organization_id AND tl.id = t.layer_id AND tl.status = 'ready'
                   AND tl.source = %(source)s
 WHERE s.organization_id = %(org)s AND s.video_id = %(source_video)s AND s.summary = %(source_summary)s
   AND t.organization_id = %(org)s AND t.video_id = %(target_video)s AND t.summary = %(target_summary)s
ON CONFLICT DO NOTHING
RETURNING decision_id;
