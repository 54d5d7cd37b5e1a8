-- 0041_knowledge: the knowledge graph (issue 15; docs/knowledge.md explains every table).
--
--   graph layers   an ai_layers row of kind 'knowledge_graph': one organization-wide layer (no
--                  video), built by the knowledge.build job or written whole by an external
--                  extractor; at most one is ready (current) per organization; making one ready
--                  supersedes the previous; deleting one deletes its graph.
--   graph_nodes    entities (person, meeting, decision, topic …), one per (layer, type, normalised name)
--   graph_edges    source -relation-> target, one per (source, relation, target), never a self-loop
--   graph_evidence where a node or an edge was seen: a video and its ms range, a transcript
--                  segment, a decision, an action item, a moment
--   graph_node_vectors  a node's embedding per model (like decision_vectors: no schema change
--                  for another model)
--
-- Every row names its layer by (layer_id, layer_kind) and every reference inside the graph is
-- composite with the layer: an edge joins two nodes of its own layer, evidence belongs to a node
-- or edge of its own layer. Uniqueness is per layer: a rebuild writes a complete new layer next
-- to the current one (same names, new ids) and switches over in one UPDATE.

-- -- graph layers: organization-wide AI layers ---------------------------------------------------

ALTER TABLE ai_layers DROP CONSTRAINT ai_layers_kind_valid;
ALTER TABLE ai_layers ADD CONSTRAINT ai_layers_kind_valid CHECK (kind IN (
    'summary', 'topics', 'action_items', 'decisions', 'moments',
    'chunks_embeddings', 'chapters', 'keywords', 'quotes', 'knowledge_graph'));
ALTER TABLE ai_layers ALTER COLUMN video_id DROP NOT NULL;
-- a layer of one video, except a knowledge graph, which spans the organization
ALTER TABLE ai_layers ADD CONSTRAINT ai_layers_video_unless_graph
    CHECK ((video_id IS NULL) = (kind = 'knowledge_graph'));
-- ai_layers_one_ready covers video layers (NULLs are distinct): one ready graph per organization
CREATE UNIQUE INDEX ai_layers_one_ready_graph ON ai_layers (organization_id, kind)
    WHERE status = 'ready' AND video_id IS NULL;

-- Making a layer ready supersedes the current ready layer of its video (or, for a graph, of its
-- organization) and kind.
CREATE OR REPLACE FUNCTION mediabase.activate_ai_layer() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'ready' AND (TG_OP = 'INSERT' OR OLD.status <> 'ready') THEN
        IF NEW.video_id IS NULL THEN
            UPDATE mediabase.ai_layers SET status = 'superseded', superseded_by = NEW.id
             WHERE organization_id = NEW.organization_id AND video_id IS NULL AND kind = NEW.kind
               AND status = 'ready' AND id <> NEW.id;
        ELSE
            UPDATE mediabase.ai_layers SET status = 'superseded', superseded_by = NEW.id
             WHERE organization_id = NEW.organization_id AND video_id = NEW.video_id AND kind = NEW.kind
               AND status = 'ready' AND id <> NEW.id;
        END IF;
        NEW.superseded_by := NULL;
        NEW.completed_at := coalesce(NEW.completed_at, now());
        NEW.error := NULL;
    END IF;
    IF NEW.status = 'failed' AND (TG_OP = 'INSERT' OR OLD.status <> 'failed') THEN
        NEW.completed_at := coalesce(NEW.completed_at, now());
    END IF;
    RETURN NEW;
END
$$;

-- -- nodes -----------------------------------------------------------------------------------------

CREATE TABLE graph_nodes (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    layer_id        uuid NOT NULL,
    layer_kind      text NOT NULL DEFAULT 'knowledge_graph'
        CONSTRAINT graph_nodes_layer_kind CHECK (layer_kind = 'knowledge_graph'),
    type            text NOT NULL CONSTRAINT graph_nodes_type_valid CHECK (type IN (
                        'person', 'organization', 'product', 'concept', 'decision', 'action_item',
                        'topic', 'meeting', 'place', 'event', 'other')),
    name            text NOT NULL CONSTRAINT graph_nodes_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 500),
    normalized_name text NOT NULL GENERATED ALWAYS AS (lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))) STORED,
    description     text CONSTRAINT graph_nodes_description_length CHECK (length(description) <= 5000),
    properties      jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT graph_nodes_properties_object CHECK (jsonb_typeof(properties) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    -- the target of the edges' and evidence's foreign keys: a node of the same layer
    CONSTRAINT graph_nodes_layer_id_key UNIQUE (organization_id, layer_id, id),
    -- one entity per name and type in a layer; also "find the node named …" in the current layer
    CONSTRAINT graph_nodes_name_key UNIQUE (organization_id, layer_id, type, normalized_name),
    CONSTRAINT graph_nodes_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, kind) ON DELETE CASCADE
);
-- name lookups by prefix, in name order, without a type ("who or what starts with 'marketing'"):
-- in the C collation, so that one index serves both LIKE 'prefix%' and the order
CREATE INDEX graph_nodes_name_idx ON graph_nodes (organization_id, layer_id, (normalized_name COLLATE "C"));
SELECT declare_table('graph_nodes', 'distributed');

-- -- edges -----------------------------------------------------------------------------------------

CREATE TABLE graph_edges (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    layer_id        uuid NOT NULL,
    layer_kind      text NOT NULL DEFAULT 'knowledge_graph'
        CONSTRAINT graph_edges_layer_kind CHECK (layer_kind = 'knowledge_graph'),
    source_id       uuid NOT NULL,
    target_id       uuid NOT NULL,
    relation        text NOT NULL CONSTRAINT graph_edges_relation_format CHECK (relation ~ '^[a-z][a-z0-9_]{0,62}$'),
    weight          double precision NOT NULL DEFAULT 1
        CONSTRAINT graph_edges_weight_range CHECK (weight > 0 AND weight <= 1000000),  -- NaN > 1000000
    properties      jsonb NOT NULL DEFAULT '{}'
        CONSTRAINT graph_edges_properties_object CHECK (jsonb_typeof(properties) = 'object'),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT graph_edges_layer_id_key UNIQUE (organization_id, layer_id, id),
    -- one edge per triple (a node's id names its layer); also the outgoing neighbours' index
    CONSTRAINT graph_edges_triple_key UNIQUE (organization_id, source_id, relation, target_id),
    CONSTRAINT graph_edges_no_self_loop CHECK (source_id <> target_id),
    CONSTRAINT graph_edges_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, kind) ON DELETE CASCADE,
    CONSTRAINT graph_edges_source_fk FOREIGN KEY (organization_id, layer_id, source_id)
        REFERENCES graph_nodes (organization_id, layer_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_edges_target_fk FOREIGN KEY (organization_id, layer_id, target_id)
        REFERENCES graph_nodes (organization_id, layer_id, id) ON DELETE CASCADE
);
-- the incoming neighbours' index (and the target foreign key's)
CREATE INDEX graph_edges_target_idx ON graph_edges (organization_id, target_id, relation, source_id);
-- the foreign keys to the layer and to the source node (deleting a layer or a node)
CREATE INDEX graph_edges_layer_idx ON graph_edges (organization_id, layer_id, source_id);
SELECT declare_table('graph_edges', 'distributed');

-- -- evidence --------------------------------------------------------------------------------------

CREATE TABLE graph_evidence (
    organization_id uuid NOT NULL,
    id              uuid NOT NULL DEFAULT new_id(),
    layer_id        uuid NOT NULL,
    layer_kind      text NOT NULL DEFAULT 'knowledge_graph'
        CONSTRAINT graph_evidence_layer_kind CHECK (layer_kind = 'knowledge_graph'),
    node_id         uuid,
    edge_id         uuid,
    video_id        uuid,
    start_ms        bigint,
    end_ms          bigint,
    segment_id      uuid,
    decision_id     uuid,
    action_item_id  uuid,
    moment_id       uuid,
    excerpt         text CONSTRAINT graph_evidence_excerpt_length CHECK (length(excerpt) <= 5000),
    PRIMARY KEY (organization_id, id),
    CONSTRAINT graph_evidence_one_subject CHECK (num_nonnulls(node_id, edge_id) = 1),
    CONSTRAINT graph_evidence_points_somewhere
        CHECK (num_nonnulls(video_id, segment_id, decision_id, action_item_id) >= 1),
    CONSTRAINT graph_evidence_range_needs_video CHECK (start_ms IS NULL OR video_id IS NOT NULL),
    CONSTRAINT graph_evidence_moment_needs_video CHECK (moment_id IS NULL OR video_id IS NOT NULL),
    CONSTRAINT graph_evidence_end_needs_start CHECK (end_ms IS NULL OR start_ms IS NOT NULL),
    CONSTRAINT graph_evidence_times_valid CHECK (0 <= start_ms AND start_ms <= end_ms),
    CONSTRAINT graph_evidence_layer_fk FOREIGN KEY (organization_id, layer_id, layer_kind)
        REFERENCES ai_layers (organization_id, id, kind) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_node_fk FOREIGN KEY (organization_id, layer_id, node_id)
        REFERENCES graph_nodes (organization_id, layer_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_edge_fk FOREIGN KEY (organization_id, layer_id, edge_id)
        REFERENCES graph_edges (organization_id, layer_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_video_fk FOREIGN KEY (organization_id, video_id)
        REFERENCES videos (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_segment_fk FOREIGN KEY (organization_id, segment_id)
        REFERENCES transcript_segments (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_action_item_fk FOREIGN KEY (organization_id, action_item_id)
        REFERENCES ai_action_items (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT graph_evidence_moment_fk FOREIGN KEY (organization_id, video_id, moment_id)
        REFERENCES video_moments (organization_id, video_id, id) ON DELETE CASCADE
);
-- "everything the graph knows about this video (between these times)", per layer
CREATE INDEX graph_evidence_video_idx ON graph_evidence (organization_id, video_id, layer_id, start_ms)
    INCLUDE (end_ms, node_id, edge_id) WHERE video_id IS NOT NULL;
-- the evidence of a node, of an edge (and their foreign keys)
CREATE INDEX graph_evidence_node_idx ON graph_evidence (organization_id, layer_id, node_id) WHERE node_id IS NOT NULL;
CREATE INDEX graph_evidence_edge_idx ON graph_evidence (organization_id, layer_id, edge_id) WHERE edge_id IS NOT NULL;
CREATE INDEX graph_evidence_layer_idx ON graph_evidence (organization_id, layer_id);
CREATE INDEX graph_evidence_segment_idx ON graph_evidence (organization_id, segment_id) WHERE segment_id IS NOT NULL;
CREATE INDEX graph_evidence_decision_idx ON graph_evidence (organization_id, decision_id) WHERE decision_id IS NOT NULL;
CREATE INDEX graph_evidence_action_item_idx ON graph_evidence (organization_id, action_item_id)
    WHERE action_item_id IS NOT NULL;
CREATE INDEX graph_evidence_moment_idx ON graph_evidence (organization_id, moment_id) WHERE moment_id IS NOT NULL;
SELECT declare_table('graph_evidence', 'distributed');

-- -- vectors ---------------------------------------------------------------------------------------

-- A node's vector per model, in an untyped vector column (any dimension: another model needs no
-- schema change), keyed so that a semantic lookup reads one range: the organization's vectors
-- of one model in one layer (an exact scan: the tenant filter cannot lose recall).
CREATE TABLE graph_node_vectors (
    organization_id uuid NOT NULL,
    layer_id        uuid NOT NULL,
    node_id         uuid NOT NULL,
    model           text NOT NULL CONSTRAINT graph_node_vectors_model_name CHECK (length(model) BETWEEN 1 AND 200),
    dimension       integer NOT NULL CONSTRAINT graph_node_vectors_dimension_range CHECK (dimension BETWEEN 1 AND 16000),
    embedding       vector NOT NULL,
    embedded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, model, layer_id, node_id),
    CONSTRAINT graph_node_vectors_dimension CHECK (vector_dims(embedding) = dimension),
    CONSTRAINT graph_node_vectors_node_fk FOREIGN KEY (organization_id, layer_id, node_id)
        REFERENCES graph_nodes (organization_id, layer_id, id) ON DELETE CASCADE
);
CREATE INDEX graph_node_vectors_node_idx ON graph_node_vectors (organization_id, layer_id, node_id);
SELECT declare_table('graph_node_vectors', 'distributed');

-- -- tenancy, privileges -------------------------------------------------------------------------------

SELECT make_tenant_table(t::regclass)
  FROM unnest(ARRAY['graph_nodes', 'graph_edges', 'graph_evidence', 'graph_node_vectors']) AS t;
-- a layer is written once and then only read, superseded or deleted as a whole
REVOKE UPDATE, TRUNCATE ON graph_nodes, graph_edges, graph_evidence FROM mediabase_app;
REVOKE TRUNCATE ON graph_node_vectors FROM mediabase_app;
