-- Semantic search over the decision registry (seed 001: `decisions.embedding_vector`;
-- docs/collab.md, "Searching decisions").
--
-- Not a column on decisions: like transcript_chunks (0006), a vector is stored with the name of
-- the model that made it, in an untyped `vector` column, so models of any dimension coexist and
-- switching models needs no schema change; and with the sha256 of the text it embeds, so a
-- vector whose decision was edited since is known to be stale and is made again. Vectors are
-- made off the request path by the `decision.embed` job (mediabase.search.jobs), which the
-- trigger below enqueues, once per organization and statement, when decisions are added or
-- their words change. A search reads one tenant's vectors of one model: an exact scan of the
-- (organization_id, model) range of the primary key — a registry holds hundreds or thousands
-- of decisions per organization, not millions, so no HNSW index is kept for them.

-- What is embedded: the summary, then the context on a line of its own.
CREATE FUNCTION mediabase.decision_text(summary text, context text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN summary || coalesce(E'\n' || nullif(btrim(context), ''), '');

CREATE TABLE decision_vectors (
    organization_id uuid NOT NULL,
    decision_id     uuid NOT NULL,
    model           text NOT NULL CONSTRAINT decision_vectors_model_name CHECK (length(model) BETWEEN 1 AND 200),
    dimension       integer NOT NULL CONSTRAINT decision_vectors_dimension_range CHECK (dimension BETWEEN 1 AND 16000),
    embedding       vector NOT NULL,
    text_sha256     bytea NOT NULL CONSTRAINT decision_vectors_sha256 CHECK (length(text_sha256) = 32),
    embedded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, model, decision_id),
    CONSTRAINT decision_vectors_dimension CHECK (vector_dims(embedding) = dimension),
    CONSTRAINT decision_vectors_decision_fk FOREIGN KEY (organization_id, decision_id)
        REFERENCES decisions (organization_id, id) ON DELETE CASCADE
);
SELECT make_tenant_table('decision_vectors');
-- the foreign key's reverse lookup (deleting a decision)
CREATE INDEX decision_vectors_decision_idx ON decision_vectors (organization_id, decision_id);

-- One `decision.embed` job per organization whose decisions were added or reworded by a
-- statement, unless one is already queued (the job embeds every stale decision of its
-- organization, so one queued job is enough; two racing ones find nothing left to do).
CREATE FUNCTION mediabase.enqueue_decision_embed(org uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM jobs j
                    WHERE j.status = 'queued' AND j.organization_id = org AND j.type = 'decision.embed') THEN
        PERFORM enqueue_job('decision.embed', jsonb_build_object('organization_id', org), org => org);
    END IF;
END
$$;

CREATE FUNCTION mediabase.decisions_enqueue_embed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = mediabase, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM enqueue_decision_embed(o.organization_id) FROM (SELECT DISTINCT organization_id FROM new_rows) o;
    ELSE  -- only a change of the words embedded (summary, context) makes a vector stale
        PERFORM enqueue_decision_embed(o.organization_id)
           FROM (SELECT DISTINCT n.organization_id
                   FROM new_rows n JOIN old_rows p ON p.organization_id = n.organization_id AND p.id = n.id
                  WHERE (p.summary, p.context) IS DISTINCT FROM (n.summary, n.context)) o;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER decisions_enqueue_embed_ins AFTER INSERT ON decisions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mediabase.decisions_enqueue_embed();
CREATE TRIGGER decisions_enqueue_embed_upd AFTER UPDATE ON decisions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION mediabase.decisions_enqueue_embed();
REVOKE EXECUTE ON FUNCTION mediabase.decisions_enqueue_embed(), mediabase.enqueue_decision_embed(uuid)
    FROM PUBLIC, mediabase_app;

-- Decisions already in the registry get their vectors from one job per organization.
SELECT enqueue_decision_embed(o.organization_id) FROM (SELECT DISTINCT organization_id FROM decisions) o;
