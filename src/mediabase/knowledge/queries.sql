-- The knowledge graph (0041, docs/knowledge.md). Every statement names the organization.

-- -- layers ----------------------------------------------------------------------------------------

-- name: layer_columns
SELECT l.id, l.model, l.model_version, l.source, l.status, l.parameters, l.error, l.superseded_by, l.job_id,
       l.created_at, l.completed_at,
       (SELECT count(*) FROM graph_nodes n WHERE n.organization_id = l.organization_id AND n.layer_id = l.id)::int AS nodes,
       (SELECT count(*) FROM graph_edges e WHERE e.organization_id = l.organization_id AND e.layer_id = l.id)::int AS edges
  FROM ai_layers l

-- name: list_layers
-- (ai_layers_video_idx: organization_id, video_id IS NULL, kind, created_at DESC)
{columns} WHERE l.organization_id = %(org)s AND l.video_id IS NULL AND l.kind = 'knowledge_graph'
 ORDER BY l.created_at DESC, l.id DESC LIMIT 50

-- name: current_layer
SELECT l.id FROM ai_layers l
 WHERE l.organization_id = %(org)s AND l.video_id IS NULL AND l.kind = 'knowledge_graph' AND l.status = 'ready';

-- name: insert_layer
INSERT INTO ai_layers (organization_id, video_id, kind, model, model_version, source, status, parameters, job_id,
                       created_by)
VALUES (%(org)s, NULL, 'knowledge_graph', %(model)s, %(model_version)s, %(source)s, 'running', %(parameters)s,
        %(job_id)s, %(created_by)s)
RETURNING id;

-- name: layer_ready
UPDATE ai_layers SET status = 'ready'
 WHERE organization_id = %(org)s AND id = %(id)s AND kind = 'knowledge_graph';

-- name: layer_failed
UPDATE ai_layers SET status = 'failed', error = left(%(error)s, 10000)
 WHERE organization_id = %(org)s AND id = %(id)s AND kind = 'knowledge_graph' AND status IN ('pending', 'running');

-- name: lock_graph_layer
SELECT l.id, l.status FROM ai_layers l
 WHERE l.organization_id = %(org)s AND l.id = %(id)s AND l.kind = 'knowledge_graph'
   FOR UPDATE;

-- name: delete_layer
DELETE FROM ai_layers WHERE organization_id = %(org)s AND id = %(id)s AND kind = 'knowledge_graph';

-- name: prune_layers
-- Superseded graphs but the one the current graph replaced (kept for a rollback), and failed ones.
DELETE FROM ai_layers l
 WHERE l.organization_id = %(org)s AND l.video_id IS NULL AND l.kind = 'knowledge_graph'
   AND (l.status = 'failed' OR (l.status = 'superseded' AND l.superseded_by IS DISTINCT FROM %(keep_after)s))
   AND l.id <> %(keep_after)s;

-- name: new_ids
SELECT coalesce(array_agg(new_id()), '{}') AS ids FROM generate_series(1, %(n)s);

-- -- building from what mediabase knows ---------------------------------------------------------------

-- name: base
-- What the graph is derived from: the live videos (meetings; a title shared by several videos
-- gets the video's id), who spoke in each (a person, or a speaker's display name), and the
-- visible decisions, action items and topic mentions (made by people, or by a ready layer).
-- NOT MATERIALIZED: each is a subquery where it is used, which Citus can push down with the rest
-- of the statement (a materialized CTE it would plan apart, on the coordinator).
live_videos AS NOT MATERIALIZED (
    SELECT v.id,
           CASE WHEN count(*) OVER (PARTITION BY lower(regexp_replace(btrim(v.title), '\s+', ' ', 'g'))) > 1
                THEN left(btrim(v.title), 480) || ' (' || right(v.id::text, 12) || ')'
                ELSE btrim(v.title) END AS name
      FROM videos v
     WHERE v.organization_id = %(org)s AND v.deleted_at IS NULL
), ready AS NOT MATERIALIZED (
    SELECT l.id FROM ai_layers l WHERE l.organization_id = %(org)s AND l.status = 'ready' AND l.video_id IS NOT NULL
), voices AS NOT MATERIALIZED (
    SELECT s.organization_id, s.id, s.video_id, left(coalesce(p.name, nullif(btrim(s.display_name), '')), 500) AS name
      FROM speakers s
      LEFT JOIN people p ON p.organization_id = s.organization_id AND p.id = s.person_id
     WHERE s.organization_id = %(org)s AND coalesce(p.name, nullif(btrim(s.display_name), '')) IS NOT NULL
), spoken AS NOT MATERIALIZED (
    SELECT vo.video_id, vo.name, min(g.start_ms) AS start_ms, max(g.end_ms) AS end_ms,
           (array_agg(g.id ORDER BY g.start_ms, g.seq))[1] AS segment_id, count(*) AS turns
      FROM voices vo
      JOIN transcripts t ON t.organization_id = %(org)s AND t.video_id = vo.video_id AND t.is_current
      JOIN transcript_segments g ON g.organization_id = %(org)s AND g.speaker_id = vo.id AND g.transcript_id = t.id
     WHERE vo.video_id IN (SELECT id FROM live_videos)
     GROUP BY vo.video_id, vo.name
), decs AS NOT MATERIALIZED (
    SELECT d.id, d.video_id, d.position_ms, left(btrim(d.summary), 500) AS name, left(d.context, 5000) AS context,
           d.status
      FROM decisions d
     WHERE d.organization_id = %(org)s AND (d.layer_id IS NULL OR d.layer_id IN (SELECT id FROM ready))
       AND (d.video_id IS NULL OR d.video_id IN (SELECT id FROM live_videos))
), items AS NOT MATERIALIZED (
    SELECT a.id, a.video_id, a.start_ms, a.end_ms, left(btrim(a.title), 500) AS name,
           left(a.extracted_from, 5000) AS excerpt,
           left(coalesce(nullif(btrim(u.display_name), ''), u.username, btrim(a.assignee)), 500) AS assignee
      FROM ai_action_items a LEFT JOIN users u ON u.id = a.assignee_user_id
     WHERE a.organization_id = %(org)s AND (a.layer_id IS NULL OR a.layer_id IN (SELECT id FROM ready))
       AND a.video_id IN (SELECT id FROM live_videos)
), mentions AS NOT MATERIALIZED (
    SELECT m.video_id, m.start_ms, m.end_ms, btrim(t.name) AS name, left(m.excerpt, 5000) AS excerpt
      FROM ai_topic_mentions m JOIN ai_topics t ON t.organization_id = m.organization_id AND t.id = m.topic_id
     WHERE m.organization_id = %(org)s AND m.layer_id IN (SELECT id FROM ready)
       AND m.video_id IN (SELECT id FROM live_videos)
), participants AS NOT MATERIALIZED (
    SELECT dp.decision_id, left(coalesce(p.name, nullif(btrim(u.display_name), ''), u.username), 500) AS name
      FROM decision_participants dp
      LEFT JOIN people p ON p.organization_id = dp.organization_id AND p.id = dp.person_id
      LEFT JOIN users u ON u.id = dp.user_id
     WHERE dp.organization_id = %(org)s
)

-- name: node_facts
-- One row per (node, place it was seen): type, name, and the evidence columns.
SELECT 'meeting' AS type, v.name, jsonb_build_object('video_id', v.id) AS properties, v.id AS video_id,
       NULL::bigint AS start_ms, NULL::bigint AS end_ms, NULL::uuid AS segment_id, NULL::uuid AS decision_id,
       NULL::uuid AS action_item_id, NULL::text AS excerpt
  FROM live_videos v
UNION ALL
SELECT 'person', s.name, '{}', s.video_id, s.start_ms, s.end_ms, s.segment_id, NULL, NULL, NULL FROM spoken s
UNION ALL
SELECT 'decision', d.name, jsonb_build_object('decision_id', d.id, 'status', d.status), d.video_id,
       CASE WHEN d.video_id IS NOT NULL THEN d.position_ms END, CASE WHEN d.video_id IS NOT NULL THEN d.position_ms END,
       NULL, d.id, NULL, d.context
  FROM decs d
UNION ALL
SELECT 'action_item', a.name, jsonb_build_object('action_item_id', a.id), a.video_id, a.start_ms, a.end_ms, NULL, NULL,
       a.id, a.excerpt
  FROM items a
UNION ALL
SELECT 'person', a.assignee, '{}', a.video_id, a.start_ms, a.end_ms, NULL, NULL, a.id, NULL
  FROM items a WHERE a.assignee IS NOT NULL
UNION ALL
SELECT 'topic', m.name, '{}', m.video_id, m.start_ms, m.end_ms, NULL, NULL, NULL, m.excerpt FROM mentions m
UNION ALL
SELECT 'person', pa.name, '{}', NULL, NULL, NULL, NULL, pa.decision_id, NULL, NULL
  FROM participants pa WHERE pa.name IS NOT NULL

-- name: edge_facts
-- One row per (edge, place it was seen); w adds to the edge's weight.
SELECT 'person' AS s_type, s.name AS s_name, 'spoke_in' AS relation, 'meeting' AS t_type, v.name AS t_name,
       s.turns AS w, s.video_id, s.start_ms, s.end_ms, s.segment_id, NULL::uuid AS decision_id,
       NULL::uuid AS action_item_id, NULL::text AS excerpt
  FROM spoken s JOIN live_videos v ON v.id = s.video_id
UNION ALL
SELECT 'decision', d.name, 'made_in', 'meeting', v.name, 1, d.video_id, d.position_ms, d.position_ms, NULL, d.id, NULL,
       d.context
  FROM decs d JOIN live_videos v ON v.id = d.video_id
UNION ALL
SELECT 'action_item', a.name, 'raised_in', 'meeting', v.name, 1, a.video_id, a.start_ms, a.end_ms, NULL, NULL, a.id,
       a.excerpt
  FROM items a JOIN live_videos v ON v.id = a.video_id
UNION ALL
SELECT 'topic', m.name, 'discussed_in', 'meeting', v.name, 1, m.video_id, m.start_ms, m.end_ms, NULL, NULL, NULL,
       m.excerpt
  FROM mentions m JOIN live_videos v ON v.id = m.video_id
UNION ALL
-- who was speaking when the decision was taken (the segment under its position)
SELECT 'person', vo.name, 'decided', 'decision', d.name, 1, d.video_id, g.start_ms, g.end_ms, g.id, d.id, NULL,
       left(g.text, 5000)
  FROM decs d
  JOIN transcripts t ON t.organization_id = %(org)s AND t.video_id = d.video_id AND t.is_current
  CROSS JOIN LATERAL (
        SELECT g.id, g.start_ms, g.end_ms, g.text, g.speaker_id FROM transcript_segments g
         WHERE g.organization_id = %(org)s AND g.video_id = d.video_id AND g.transcript_id = t.id
           AND g.start_ms <= d.position_ms AND g.end_ms >= d.position_ms AND g.speaker_id IS NOT NULL
         ORDER BY g.start_ms DESC LIMIT 1) g
  JOIN voices vo ON vo.id = g.speaker_id
 WHERE d.position_ms IS NOT NULL
UNION ALL
SELECT 'person', pa.name, 'decided', 'decision', d.name, 1, d.video_id, d.position_ms, d.position_ms, NULL, d.id, NULL,
       NULL
  FROM participants pa JOIN decs d ON d.id = pa.decision_id
 WHERE pa.name IS NOT NULL
UNION ALL
SELECT 'person', a.assignee, 'owns', 'action_item', a.name, 1, a.video_id, a.start_ms, a.end_ms, NULL, NULL, a.id,
       a.excerpt
  FROM items a WHERE a.assignee IS NOT NULL
UNION ALL
-- what was being discussed when it was decided / raised
SELECT 'decision', d.name, 'about', 'topic', m.name, 1, d.video_id, d.position_ms, d.position_ms, NULL, d.id, NULL,
       NULL
  FROM decs d JOIN mentions m ON m.video_id = d.video_id AND m.start_ms <= d.position_ms AND m.end_ms >= d.position_ms
UNION ALL
SELECT 'action_item', a.name, 'about', 'topic', m.name, 1, a.video_id, a.start_ms, a.end_ms, NULL, NULL, a.id, NULL
  FROM items a JOIN mentions m ON m.video_id = a.video_id AND m.start_ms <= a.start_ms AND m.end_ms >= a.start_ms
UNION ALL
SELECT 'decision', s.name, CASE WHEN l.link_type = 'related' THEN 'related_to' ELSE l.link_type END, 'decision', t.name,
       1, s.video_id, s.position_ms, s.position_ms, NULL, s.id, NULL, NULL
  FROM decision_links l
  JOIN decs s ON s.id = l.decision_id
  JOIN decs t ON t.id = l.target_decision_id
 WHERE l.organization_id = %(org)s

-- name: insert_nodes
-- The four statements of a build (build.derive). Each is one INSERT … SELECT that Citus pushes
-- down to the tenant's shard, as the application role (tests/acceptance/test_citus_knowledge.py):
-- what is derived is a subquery (its CTEs NOT MATERIALIZED), organization_id and layer_id come from
-- the layer's own row, and ids are derived from the row's key (0048), not new_id() — a volatile
-- value, or a CTE planned apart, would make Citus pull the rows to the coordinator and write them
-- back with COPY, which row-level security refuses. The same keys give a fact's node and an
-- evidence row's edge without a join on names.
INSERT INTO graph_nodes (organization_id, id, layer_id, type, name, properties)
SELECT l.organization_id, derived_node_id(l.id, f.type, f.name), l.id, f.type, f.name, f.properties
  FROM ai_layers l, (
        WITH {base}, f AS NOT MATERIALIZED ({node_facts})
        SELECT DISTINCT ON (f.type, f.norm) f.type, f.norm, f.name, f.properties
          FROM (SELECT f.*, lower(regexp_replace(btrim(f.name), '\s+', ' ', 'g')) AS norm FROM f
                 WHERE length(btrim(f.name)) > 0) f
         ORDER BY f.type, f.norm, f.name) f
 WHERE l.organization_id = %(org)s AND l.id = %(layer)s
ON CONFLICT DO NOTHING;

-- name: insert_node_evidence
INSERT INTO graph_evidence (organization_id, id, layer_id, node_id, video_id, start_ms, end_ms, segment_id,
                            decision_id, action_item_id, excerpt)
SELECT l.organization_id,
       derived_evidence_id(l.id, e.node_id, e.video_id, e.start_ms, e.end_ms, e.segment_id, e.decision_id,
                           e.action_item_id, e.excerpt),
       l.id, e.node_id, e.video_id, e.start_ms, e.end_ms, e.segment_id, e.decision_id, e.action_item_id, e.excerpt
  FROM ai_layers l, (
        WITH {base}, f AS NOT MATERIALIZED ({node_facts})
        SELECT DISTINCT derived_node_id(%(layer)s, f.type, f.name) AS node_id, f.video_id, f.start_ms, f.end_ms,
               f.segment_id, f.decision_id, f.action_item_id, f.excerpt
          FROM f  -- the facts insert_nodes made a node of, in the same transaction: no lookup
         WHERE length(btrim(f.name)) > 0
           AND num_nonnulls(f.video_id, f.segment_id, f.decision_id, f.action_item_id) > 0) e
 WHERE l.organization_id = %(org)s AND l.id = %(layer)s;

-- name: insert_edges
INSERT INTO graph_edges (organization_id, id, layer_id, source_id, target_id, relation, weight)
SELECT l.organization_id, derived_edge_id(l.id, g.source_id, g.target_id, g.relation), l.id,
       g.source_id, g.target_id, g.relation, g.weight
  FROM ai_layers l, (
        WITH {base}, f AS NOT MATERIALIZED ({edge_facts})
        SELECT f.source_id, f.target_id, f.relation, least(sum(f.w), 1000000) AS weight
          FROM (SELECT f.*, derived_node_id(%(layer)s, f.s_type, f.s_name) AS source_id,
                       derived_node_id(%(layer)s, f.t_type, f.t_name) AS target_id FROM f) f
         WHERE f.source_id <> f.target_id
           -- semi-joins by primary key: the planner, which has no statistics yet for the nodes
           -- this transaction wrote, cannot put them first and loop the facts for each
           AND EXISTS (SELECT FROM graph_nodes s WHERE s.organization_id = %(org)s AND s.id = f.source_id)
           AND EXISTS (SELECT FROM graph_nodes t WHERE t.organization_id = %(org)s AND t.id = f.target_id)
         GROUP BY f.source_id, f.target_id, f.relation) g
 WHERE l.organization_id = %(org)s AND l.id = %(layer)s;

-- name: insert_edge_evidence
INSERT INTO graph_evidence (organization_id, id, layer_id, edge_id, video_id, start_ms, end_ms, segment_id,
                            decision_id, action_item_id, excerpt)
SELECT l.organization_id,
       derived_evidence_id(l.id, e.edge_id, e.video_id, e.start_ms, e.end_ms, e.segment_id, e.decision_id,
                           e.action_item_id, e.excerpt),
       l.id, e.edge_id, e.video_id, e.start_ms, e.end_ms, e.segment_id, e.decision_id, e.action_item_id, e.excerpt
  FROM ai_layers l, (
        WITH {base}, f AS NOT MATERIALIZED ({edge_facts})
        SELECT DISTINCT f.edge_id, f.video_id, f.start_ms, f.end_ms, f.segment_id, f.decision_id,
               f.action_item_id, f.excerpt
          FROM (SELECT f.*, derived_edge_id(%(layer)s, derived_node_id(%(layer)s, f.s_type, f.s_name),
                                            derived_node_id(%(layer)s, f.t_type, f.t_name), f.relation) AS edge_id
                  FROM f) f
         WHERE num_nonnulls(f.video_id, f.segment_id, f.decision_id, f.action_item_id) > 0
           AND EXISTS (SELECT FROM graph_edges g WHERE g.organization_id = %(org)s AND g.id = f.edge_id)) e
 WHERE l.organization_id = %(org)s AND l.id = %(layer)s;

-- name: layer_counts
SELECT (SELECT count(*) FROM graph_nodes WHERE organization_id = %(org)s AND layer_id = %(layer)s)::int AS nodes,
       (SELECT count(*) FROM graph_edges WHERE organization_id = %(org)s AND layer_id = %(layer)s)::int AS edges,
       (SELECT count(*) FROM graph_evidence WHERE organization_id = %(org)s AND layer_id = %(layer)s)::int AS evidence;

-- -- writing a layer given whole ------------------------------------------------------------------------

-- name: write_node
-- A layer given whole is written a row per statement (build.write_layer runs them as one pipeline,
-- executemany): on Citus an INSERT … SELECT from unnest() would be written through the coordinator
-- with COPY, which row-level security refuses the application role (docs/scale-out.md).
INSERT INTO graph_nodes (organization_id, id, layer_id, type, name, description, properties)
VALUES (%(org)s, %(id)s, %(layer)s, %(type)s, %(name)s, %(description)s, %(properties)s);

-- name: write_edge
INSERT INTO graph_edges (organization_id, id, layer_id, source_id, target_id, relation, weight, properties)
VALUES (%(org)s, %(id)s, %(layer)s, %(source_id)s, %(target_id)s, %(relation)s, %(weight)s, %(properties)s);

-- name: write_evidence
-- A segment's video is the evidence's video when none is given.
INSERT INTO graph_evidence (organization_id, layer_id, node_id, edge_id, video_id, start_ms, end_ms, segment_id,
                            decision_id, action_item_id, moment_id, excerpt)
VALUES (%(org)s, %(layer)s, %(node_id)s, %(edge_id)s, %(video_id)s, %(start_ms)s, %(end_ms)s, %(segment_id)s,
        %(decision_id)s, %(action_item_id)s, %(moment_id)s, %(excerpt)s);

-- -- vectors ----------------------------------------------------------------------------------------------

-- name: nodes_to_embed
SELECT n.id, n.name || coalesce(E'\n' || nullif(btrim(n.description), ''), '') AS text
  FROM graph_nodes n
 WHERE n.organization_id = %(org)s AND n.layer_id = %(layer)s
   AND NOT EXISTS (SELECT FROM graph_node_vectors v WHERE v.organization_id = %(org)s AND v.model = %(model)s
                      AND v.layer_id = %(layer)s AND v.node_id = n.id)
 ORDER BY n.id
 LIMIT %(limit)s;

-- name: insert_vector
-- A row per statement, run as one pipeline (executemany), for Citus as write_node says.
INSERT INTO graph_node_vectors (organization_id, layer_id, node_id, model, dimension, embedding)
VALUES (%(org)s, %(layer)s, %(id)s, %(model)s, %(dim)s, %(vec)s::vector)
ON CONFLICT (organization_id, model, layer_id, node_id) DO UPDATE
   SET dimension = EXCLUDED.dimension, embedding = EXCLUDED.embedding, embedded_at = EXCLUDED.embedded_at;

-- -- reading ---------------------------------------------------------------------------------------------

-- name: node_columns
SELECT n.id, n.layer_id, n.type, n.name, n.normalized_name, n.description, n.properties FROM graph_nodes n

-- name: node_in_layer
{columns} WHERE n.organization_id = %(org)s AND n.layer_id = %(layer)s AND n.id = %(id)s

-- name: node_by_name
{columns} WHERE n.organization_id = %(org)s AND n.layer_id = %(layer)s AND n.type = %(type)s
   AND n.normalized_name = lower(regexp_replace(btrim(%(name)s), '\s+', ' ', 'g'))

-- name: find_nodes
-- Names starting with the words given (graph_nodes_name_idx), of one type or any.
{columns} WHERE n.organization_id = %(org)s AND n.layer_id = %(layer)s
   AND n.normalized_name COLLATE "C" LIKE %(prefix)s AND (%(type)s::text IS NULL OR n.type = %(type)s)
 ORDER BY n.normalized_name COLLATE "C", n.type LIMIT %(limit)s

-- name: degrees
SELECT (SELECT count(*) FROM graph_edges e WHERE e.organization_id = %(org)s AND e.source_id = %(id)s)::int AS degree_out,
       (SELECT count(*) FROM graph_edges e WHERE e.organization_id = %(org)s AND e.target_id = %(id)s)::int AS degree_in;

-- name: node_evidence
SELECT x.video_id, v.title AS video_title, x.start_ms, x.end_ms, x.segment_id, x.decision_id, x.action_item_id,
       x.moment_id, x.excerpt
  FROM graph_evidence x
  LEFT JOIN videos v ON v.organization_id = x.organization_id AND v.id = x.video_id
 WHERE x.organization_id = %(org)s AND x.layer_id = %(layer)s AND x.node_id = %(id)s
 ORDER BY x.video_id, x.start_ms NULLS FIRST, x.id
 LIMIT 200;

-- name: neighbours
-- Both directions, each by its own index (graph_edges_triple_key out, graph_edges_target_idx in).
SELECT x.edge_id, x.direction, x.relation, x.weight,
       n.id, n.layer_id, n.type, n.name, n.normalized_name, n.description, n.properties
  FROM (SELECT e.id AS edge_id, 'out' AS direction, e.relation, e.weight, e.target_id AS other
          FROM graph_edges e
         WHERE %(out)s AND e.organization_id = %(org)s AND e.source_id = %(id)s
           AND (%(relations)s::text[] IS NULL OR e.relation = ANY (%(relations)s::text[]))
        UNION ALL
        SELECT e.id, 'in', e.relation, e.weight, e.source_id
          FROM graph_edges e
         WHERE %(in)s AND e.organization_id = %(org)s AND e.target_id = %(id)s
           AND (%(relations)s::text[] IS NULL OR e.relation = ANY (%(relations)s::text[]))) x
  JOIN graph_nodes n ON n.organization_id = %(org)s AND n.id = x.other
 ORDER BY x.weight DESC, x.relation, n.normalized_name, x.edge_id
 LIMIT %(limit)s

-- name: paths
-- Walks from one node, at most max_depth edges, never through a node twice (the path array);
-- a walk stops at the target. The working table grows a level per iteration, so the rows come
-- out shortest first and the LIMIT stops the walk as soon as enough paths are found.
WITH RECURSIVE walk (node_id, depth, nodes, edges, forward) AS (
    SELECT %(from)s::uuid, 0, ARRAY[%(from)s::uuid], ARRAY[]::uuid[], ARRAY[]::boolean[]
    UNION ALL
    SELECT s.next, w.depth + 1, w.nodes || s.next, w.edges || s.edge_id, w.forward || s.fwd
      FROM walk w
      CROSS JOIN LATERAL (
            SELECT e.target_id AS next, e.id AS edge_id, true AS fwd FROM graph_edges e
             WHERE e.organization_id = %(org)s AND e.source_id = w.node_id
               AND (%(relations)s::text[] IS NULL OR e.relation = ANY (%(relations)s::text[]))
            UNION ALL
            SELECT e.source_id, e.id, false FROM graph_edges e
             WHERE NOT %(directed)s AND e.organization_id = %(org)s AND e.target_id = w.node_id
               AND (%(relations)s::text[] IS NULL OR e.relation = ANY (%(relations)s::text[]))) s
     WHERE w.depth < %(max_depth)s AND w.node_id <> %(to)s AND s.next <> ALL (w.nodes)
)
SELECT w.depth, w.nodes, w.edges, w.forward FROM walk w WHERE w.node_id = %(to)s LIMIT %(limit)s

-- name: nodes_by_ids
{columns} WHERE n.organization_id = %(org)s AND n.id = ANY (%(ids)s::uuid[])

-- name: relations_by_ids
SELECT e.id, e.relation FROM graph_edges e WHERE e.organization_id = %(org)s AND e.id = ANY (%(ids)s::uuid[])

-- name: semantic
-- Exact: every vector of the tenant, model and layer (one range of the primary key), nearest
-- first; the tenant filter cannot cost recall. A graph has thousands of nodes per organization.
SELECT n.id, n.layer_id, n.type, n.name, n.normalized_name, n.description, n.properties,
       (1 - (v.embedding::{vtype} <=> %(qvec)s::{vtype}))::float8 AS score
  FROM graph_node_vectors v
  JOIN graph_nodes n ON n.organization_id = %(org)s AND n.id = v.node_id
 WHERE v.organization_id = %(org)s AND v.model = %(model)s AND v.layer_id = %(layer)s AND v.dimension = %(dim)s
   AND (%(type)s::text IS NULL OR n.type = %(type)s)
 ORDER BY v.embedding::{vtype} <=> %(qvec)s::{vtype}, n.id
 LIMIT %(limit)s

-- name: about_video
-- The evidence on a video (between from_ms and to_ms, when given: what overlaps the range;
-- evidence of the whole video has no range and always counts), by graph_evidence_video_idx.
SELECT x.node_id, x.edge_id, x.start_ms, x.end_ms, x.excerpt
  FROM graph_evidence x
 WHERE x.organization_id = %(org)s AND x.video_id = %(video)s AND x.layer_id = %(layer)s
   AND (x.start_ms IS NULL OR ((%(to)s::bigint IS NULL OR x.start_ms <= %(to)s)
                               AND (%(from)s::bigint IS NULL OR coalesce(x.end_ms, x.start_ms) >= %(from)s)))
 ORDER BY x.start_ms NULLS FIRST, x.id
 LIMIT %(limit)s

-- name: edges_by_ids
SELECT e.id, e.relation, e.source_id, e.target_id FROM graph_edges e
 WHERE e.organization_id = %(org)s AND e.id = ANY (%(ids)s::uuid[])

-- name: video_by_title
SELECT v.id FROM videos v
 WHERE v.organization_id = %(org)s AND v.deleted_at IS NULL
   AND lower(btrim(v.title)) = lower(btrim(%(title)s))
 ORDER BY v.created_at, v.id LIMIT 2

-- name: queued_build
-- A build that has not started yet (jobs_org_created_idx): a second request joins it.
SELECT j.id, j.created_at, j.status, false AS created FROM jobs j
 WHERE j.organization_id = %(org)s AND j.type = 'knowledge.build' AND j.status = 'queued'
 ORDER BY j.created_at LIMIT 1
