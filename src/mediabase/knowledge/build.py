"""Building the knowledge graph: derived from what mediabase knows, or written whole by an
external extractor, always as a new organization-wide AI layer (docs/knowledge.md).

A build is set-based SQL in one transaction: the layer goes in 'running', four INSERT … SELECT
statements derive its nodes, edges and their evidence from the meetings (live videos), who spoke
in them, the visible decisions (and participants), action items (and assignees), topic
mentions and decision links (each pushed down to the tenant's shard on Citus: queries.sql,
insert_nodes); then the node vectors are made with the configured embedding
model (outside any transaction), and the switch to 'ready' supersedes the previous graph.
Superseded graphs but the one just replaced are deleted (a rollback needs only that one).

``knowledge.build`` jobs (enqueued by POST /graph/build) run :func:`build_graph`;
``knowledge.embed`` jobs embed a layer written through the API.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, sql
from mediabase.jobs import JobContext, PermanentError, register
from mediabase.knowledge.models import Built, EvidenceIn, LayerIn
from mediabase.search.embedding import Embedder, EmbeddingError
from mediabase.search.indexing import embed_texts, resolve_embedder
from mediabase.search.vectors import vector_literal

Q = load_queries("mediabase.knowledge", "queries.sql")
BUILD_JOB = "knowledge.build"
EMBED_JOB = "knowledge.embed"
MODEL = "mediabase-derive"
MODEL_VERSION = "1"
SOURCE = "mediabase"
EMBED_BATCH = 256

register_constraint("graph_edges_no_self_loop", Invalid, "an edge joins two different nodes (no self-loops)",
                    field="target")
register_constraint("graph_edges_triple_key", Conflict, "an edge with this source, relation and target exists",
                    field="relation")
register_constraint("graph_nodes_name_key", Conflict, "a node of this type and name exists in the layer", field="name")
register_constraint("graph_edges_source_fk", NotFound, "no such node in this layer", field="source")
register_constraint("graph_edges_target_fk", NotFound, "no such node in this layer", field="target")
register_constraint("graph_evidence_video_fk", NotFound, "no such video", field="video_id")
register_constraint("graph_evidence_segment_fk", NotFound, "no such transcript segment", field="segment_id")
register_constraint("graph_evidence_decision_fk", NotFound, "no such decision", field="decision_id")
register_constraint("graph_evidence_action_item_fk", NotFound, "no such action item", field="action_item_id")
register_constraint("graph_evidence_moment_fk", NotFound, "no such moment of this video", field="moment_id")
register_constraint("graph_evidence_points_somewhere", Invalid,
                    "evidence names a video, a segment, a decision or an action item", field="evidence")
register_constraint("graph_evidence_one_subject", Invalid, "evidence belongs to one node or one edge", field="evidence")
register_constraint("graph_edges_weight_range", Invalid, "weight is above 0 and at most 1000000", field="weight")
register_constraint("ai_layers_one_ready_graph", Conflict, "another graph became current at the same time",
                    field="status")
register_constraint("ai_layers_video_unless_graph", Invalid, "a knowledge graph layer has no video", field="kind")


def _derive(stmt: str) -> sql.Composed:
    return sql.SQL(stmt).format(base=sql.SQL(Q.base), node_facts=sql.SQL(Q.node_facts),
                                edge_facts=sql.SQL(Q.edge_facts))


async def new_layer(conn: Conn, org: UUID, *, model: str, model_version: str | None, source: str,
                    parameters: dict[str, Any], job_id: UUID | None, created_by: UUID | None) -> UUID:
    row = await (await conn.execute(Q.insert_layer, {
        "org": org, "model": model, "model_version": model_version, "source": source,
        "parameters": Jsonb(parameters), "job_id": job_id, "created_by": created_by})).fetchone()
    assert row is not None
    layer_id: UUID = row["id"]
    return layer_id


async def derive(conn: Conn, org: UUID, layer: UUID) -> dict[str, int]:
    """Fill ``layer`` with the graph of what the organization knows (four set-based statements)."""
    params = {"org": org, "layer": layer}
    for stmt in (Q.insert_nodes, Q.insert_node_evidence, Q.insert_edges, Q.insert_edge_evidence):
        await conn.execute(_derive(stmt), params, prepare=False)
    row = await (await conn.execute(Q.layer_counts, params)).fetchone()
    assert row is not None
    return dict(row)


async def embed_layer(db: Database, org: UUID, layer: UUID, embedder: Embedder) -> int:
    """Embed every node of ``layer`` without a vector of the embedder's model; batches commit
    on their own. Returns how many were embedded."""
    done = 0
    while True:
        async with db.transaction(org) as conn:
            rows = await (await conn.execute(Q.nodes_to_embed, {
                "org": org, "layer": layer, "model": embedder.name, "limit": EMBED_BATCH})).fetchall()
        if not rows:
            return done
        vectors = await embed_texts(embedder, [r["text"] for r in rows])
        async with db.transaction(org) as conn:
            await conn.cursor().executemany(Q.insert_vector, [
                {"org": org, "layer": layer, "model": embedder.name, "id": r["id"], "dim": len(v),
                 "vec": vector_literal(v)} for r, v in zip(rows, vectors, strict=True)])
        done += len(rows)
        if len(rows) < EMBED_BATCH:
            return done


async def _embed(db: Database, org: UUID, layer: UUID) -> tuple[int, str | None]:
    embedder, _why = resolve_embedder(get_settings())
    if embedder is None:
        return 0, None
    return await embed_layer(db, org, layer, embedder), embedder.name


async def activate(db: Database, org: UUID, layer: UUID) -> None:
    """Make ``layer`` the current graph and drop the superseded ones but the one it replaced."""
    async with db.transaction(org) as conn:
        await conn.execute(Q.layer_ready, {"org": org, "id": layer})
        await conn.execute(Q.prune_layers, {"org": org, "keep_after": layer})


async def build_graph(db: Database, org: UUID, *, job_id: UUID | None = None,
                      created_by: UUID | None = None) -> Built:
    """Derive a new graph layer of ``org``, embed its nodes, and make it current."""
    async with db.transaction(org, created_by) as conn:
        layer = await new_layer(conn, org, model=MODEL, model_version=MODEL_VERSION, source=SOURCE,
                                parameters={"derived_from": ["speakers", "decisions", "action_items", "topics",
                                                             "decision_links"]},
                                job_id=job_id, created_by=created_by)
        counts = await derive(conn, org, layer)
    try:
        embedded, model = await _embed(db, org, layer)
    except EmbeddingError as exc:
        async with db.transaction(org) as conn:
            await conn.execute(Q.layer_failed, {"org": org, "id": layer, "error": f"embedding failed: {exc}"})
        raise
    await activate(db, org, layer)
    return Built(layer_id=layer, nodes=counts["nodes"], edges=counts["edges"], evidence=counts["evidence"],
                 embedded=embedded, model=model)


async def write_layer(conn: Conn, org: UUID, data: LayerIn, created_by: UUID | None) -> UUID:
    """Store a layer given whole (nodes, edges, evidence) in the open transaction, 'running';
    the caller makes it ready. Ids are made up front; the rows go a statement each, in one
    pipeline (queries.sql, write_node: Citus)."""
    layer = await new_layer(conn, org, model=data.model, model_version=data.model_version, source=data.source,
                            parameters=data.parameters, job_id=None, created_by=created_by)
    n_ids = await _ids(conn, len(data.nodes))
    e_ids = await _ids(conn, len(data.edges))
    by_key = {n.key: n_ids[i] for i, n in enumerate(data.nodes)}
    base = {"org": org, "layer": layer}
    cur = conn.cursor()
    if data.nodes:
        await cur.executemany(Q.write_node, [
            {**base, "id": n_ids[i], "type": n.type.value, "name": n.name, "description": n.description,
             "properties": Jsonb(n.properties)} for i, n in enumerate(data.nodes)])
    if data.edges:
        await cur.executemany(Q.write_edge, [
            {**base, "id": e_ids[i], "source_id": by_key[e.source], "target_id": by_key[e.target],
             "relation": e.relation, "weight": e.weight, "properties": Jsonb(e.properties)}
            for i, e in enumerate(data.edges)])
    subjects: list[tuple[UUID | None, UUID | None, list[EvidenceIn]]]
    subjects = [(n_ids[i], None, n.evidence) for i, n in enumerate(data.nodes)]
    subjects += [(None, e_ids[i], e.evidence) for i, e in enumerate(data.edges)]
    evidence = [
        {**base, "node_id": node_id, "edge_id": edge_id, "video_id": ev.video_id, "start_ms": ev.start_ms,
         "end_ms": ev.end_ms, "segment_id": ev.segment_id, "decision_id": ev.decision_id,
         "action_item_id": ev.action_item_id, "moment_id": ev.moment_id, "excerpt": ev.excerpt}
        for node_id, edge_id, items in subjects for ev in items]
    if evidence:
        await cur.executemany(Q.write_evidence, evidence)
    return layer


async def _ids(conn: Conn, n: int) -> list[UUID]:
    row = await (await conn.execute(Q.new_ids, {"n": n})).fetchone()
    assert row is not None
    return list(row["ids"])


@register(BUILD_JOB, timeout=3600)
async def handle_build(ctx: JobContext) -> dict[str, Any]:
    """Build the organization's knowledge graph (a new layer; the current one stays current
    until the new one is ready)."""
    org = ctx.job.organization_id
    await ctx.progress(10, "running", "deriving the graph")
    try:
        built = await build_graph(ctx.db, org, job_id=ctx.job.id)
    except EmbeddingError as exc:  # a model endpoint that fails: retried with backoff
        raise RuntimeError(f"embedding failed: {exc}") from exc
    return built.model_dump(mode="json")


@register(EMBED_JOB, timeout=3600)
async def handle_embed(ctx: JobContext) -> dict[str, Any]:
    """Embed the nodes of a graph layer written through the API (input: layer_id)."""
    org = ctx.job.organization_id
    layer = (ctx.job.input or {}).get("layer_id")
    if not isinstance(layer, str):
        raise PermanentError("a knowledge.embed job names its organization and layer_id")
    try:
        embedded, model = await _embed(ctx.db, org, UUID(layer))
    except EmbeddingError as exc:
        raise RuntimeError(f"embedding failed: {exc}") from exc
    return {"embedded": embedded, "model": model}
