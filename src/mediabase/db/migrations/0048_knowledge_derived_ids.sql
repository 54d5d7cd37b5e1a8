-- 0048_knowledge_derived_ids: ids a knowledge-graph build makes from what a row is, not drawn
-- (docs/knowledge.md, "Building"; docs/scale-out.md).
--
-- A build derives its nodes, edges and evidence with four INSERT … SELECT statements (0041). On
-- Citus such a statement runs on the tenant's shard only if Citus can push it down; otherwise it
-- pulls the rows to the coordinator and writes them back with COPY, which row-level security
-- refuses for the application role ("COPY FROM not supported with row-level security"), so the
-- build worked only as the owner. One thing that keeps it from the shard is a volatile value in
-- what it writes: the id column's default, new_id(). The build now writes ids made by this
-- IMMUTABLE function from the layer's id and the row's own key (a node's type and normalised
-- name; an edge's source, relation and target; the evidence's columns):
--
--   * the layer id's first 48 bits (its UUIDv7 time), so one layer's rows sit together in the
--     primary key's index, as new_id()'s do;
--   * then version 8 (RFC 9562, "custom") and 74 bits of md5(key): a collision within one layer
--     is a primary-key violation that fails that build (at 1 M rows, odds about 1 in 10^10).
--
-- derived_node_id and derived_edge_id name the key of a node (type and normalised name, as
-- graph_nodes.normalized_name) and of an edge (source, target, relation), derived_evidence_id
-- that of an evidence row (its node or edge and every column; tagged, NULLs left out, the free
-- text last, so two different rows never have one key). The build finds the
-- node of a fact, or the edge of an evidence row, by its primary key rather than by a join on
-- names, which the planner could not estimate for rows written earlier in the same transaction
-- (a 171-meeting build spent 80 s in such nested loops).
--
-- Ids of rows written by hand or through the API (0041's other paths) stay new_id()'s.
CREATE FUNCTION derived_id(base uuid, key text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (left(replace(base::text, '-', ''), 12) || '8' || substr(md5(key), 1, 3)
            || substr('89ab', (('x' || substr(md5(key), 4, 1))::bit(4)::int & 3) + 1, 1)
            || substr(md5(key), 5, 15))::uuid;

COMMENT ON FUNCTION derived_id(uuid, text) IS
    'A UUIDv8 of base''s 48-bit time prefix and md5(key): the ids a knowledge-graph build derives (0048)';

CREATE FUNCTION derived_node_id(layer uuid, type text, name text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN derived_id(layer, 'n' || chr(31) || type || chr(31) || lower(regexp_replace(btrim(name), '\s+', ' ', 'g')));

CREATE FUNCTION derived_edge_id(layer uuid, source uuid, target uuid, relation text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN derived_id(layer, 'e' || chr(31) || source::text || chr(31) || target::text || chr(31) || relation);

CREATE FUNCTION derived_evidence_id(layer uuid, subject uuid, video_id uuid, start_ms bigint, end_ms bigint,
                                    segment_id uuid, decision_id uuid, action_item_id uuid, excerpt text)
    RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN derived_id(layer, concat_ws(chr(31), 'x', subject::text, 'v' || video_id::text, 's' || start_ms::text,
                                       'e' || end_ms::text, 'g' || segment_id::text, 'd' || decision_id::text,
                                       'a' || action_item_id::text, 't' || excerpt));
