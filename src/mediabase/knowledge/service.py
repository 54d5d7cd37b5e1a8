"""The knowledge graph's use cases (docs/knowledge.md): build, write and delete layers (ADMIN),
and read the current graph (every member): nodes, neighbours, paths, semantic lookup, and
everything the graph knows about a video or a moment of it.

Reads go to the organization's current ('ready') graph layer; a node of an older layer is not
found. Every read runs as read-only work (a replica may answer it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, Unavailable
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row, sql
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.jobs import Enqueued, enqueue
from mediabase.knowledge import build
from mediabase.knowledge.models import (
    MAX_DEPTH,
    Built,
    Direction,
    Evidence,
    GraphLayer,
    LayerIn,
    Moment,
    Neighbour,
    Node,
    NodeDetail,
    NodeMatch,
    NodeType,
    Path,
    PathStep,
)
from mediabase.media.service import fetch_live_video
from mediabase.search.vectors import VectorType, embed_query, embedder_for, vector_literal

Q = load_queries("mediabase.knowledge", "queries.sql")
NO_GRAPH = "this organization has no knowledge graph yet (POST /graph/build, or 'mediabase graph build')"
PATH_TIMEOUT_MS = 5000  # a path search that takes longer asks for a narrower question (422)
NODE_COLUMNS = ("id", "layer_id", "type", "name", "normalized_name", "description", "properties")


def _q(block: str) -> sql.Composed:
    return sql.SQL(block).format(columns=sql.SQL(Q.node_columns))


async def current_layer(conn: Conn, org: UUID) -> UUID:
    row = await (await conn.execute(Q.current_layer, {"org": org})).fetchone()
    if row is None:
        raise NotFound(NO_GRAPH)
    layer: UUID = row["id"]
    return layer


def _node(row: dict[str, Any]) -> Node:
    return Node(**{k: row[k] for k in NODE_COLUMNS})


async def _node_in_layer(conn: Conn, org: UUID, layer: UUID, node_id: UUID, field: str = "node") -> Node:
    row = await (await conn.execute(_q(Q.node_in_layer), {"org": org, "layer": layer, "id": node_id})).fetchone()
    if row is None:
        raise NotFound(f"no node {node_id} in the current knowledge graph", field=field)
    return _node(row)


# -- layers -------------------------------------------------------------------------------------------


async def enqueue_build(db: Database, p: Principal) -> Enqueued:
    """Ask a worker to build a new graph (ADMIN). A build that has not started yet is joined
    (``created`` false): it will read everything there is when it starts."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.queued_build, {"org": p.organization_id})).fetchone()
        if row is not None:
            return Enqueued.model_validate(row)
        return await enqueue(conn, org_id=p.organization_id, type=build.BUILD_JOB, input={}, max_retries=3)


async def build_now(db: Database, p: Principal) -> Built:
    """Build a new graph in this process and make it current (ADMIN; the CLI's way)."""
    require(p, Role.ADMIN)
    return await build.build_graph(db, p.organization_id, created_by=p.user_id)


async def write_layer(db: Database, p: Principal, data: LayerIn) -> GraphLayer:
    """Store a whole graph given by an external extractor as a new layer (ADMIN); made current
    unless ``activate`` is false. Its node vectors are made by a knowledge.embed job."""
    require(p, Role.ADMIN)
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        layer = await build.write_layer(conn, org, data, p.user_id)
        if data.activate:
            await conn.execute(Q.layer_ready, {"org": org, "id": layer})
            await conn.execute(Q.prune_layers, {"org": org, "keep_after": layer})
        await enqueue(conn, org_id=org, type=build.EMBED_JOB, input={"layer_id": str(layer)},
                      idempotency_key=f"knowledge.embed:{layer}")
        return await _layer(conn, org, layer)


async def _layer(conn: Conn, org: UUID, layer: UUID) -> GraphLayer:
    stmt = sql.SQL("{} WHERE l.organization_id = %(org)s AND l.id = %(id)s AND l.kind = 'knowledge_graph'").format(
        sql.SQL(Q.layer_columns))
    row = await (await conn.cursor(row_factory=class_row(GraphLayer)).execute(stmt, {"org": org, "id": layer}))\
        .fetchone()
    if row is None:
        raise NotFound(f"no knowledge graph layer {layer}")
    return row


async def list_layers(db: Database, p: Principal) -> list[GraphLayer]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(GraphLayer))
        stmt = sql.SQL(Q.list_layers).format(columns=sql.SQL(Q.layer_columns))
        return await (await cur.execute(stmt, {"org": p.organization_id})).fetchall()


async def activate_layer(db: Database, p: Principal, layer: UUID) -> GraphLayer:
    """Make a ready-built (running) or superseded layer current again (ADMIN): a rollback."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.lock_graph_layer, {"org": p.organization_id, "id": layer})).fetchone()
        if row is None:
            raise NotFound(f"no knowledge graph layer {layer}")
        if row["status"] not in ("running", "superseded", "ready"):
            raise Conflict(f"a {row['status']} layer cannot become current", field="status")
        await conn.execute(Q.layer_ready, {"org": p.organization_id, "id": layer})
        return await _layer(conn, p.organization_id, layer)


async def delete_layer(db: Database, p: Principal, layer: UUID) -> None:
    """Delete a graph layer with all its nodes, edges, evidence and vectors (ADMIN)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.lock_graph_layer, {"org": p.organization_id, "id": layer})).fetchone()
        if row is None:
            raise NotFound(f"no knowledge graph layer {layer}")
        await conn.execute(Q.delete_layer, {"org": p.organization_id, "id": layer})


# -- reading ------------------------------------------------------------------------------------------


async def find_nodes(db: Database, p: Principal, *, q: str = "", type: NodeType | None = None,
                     limit: int = 50) -> list[Node]:
    """Nodes of the current graph whose normalised name starts with ``q`` (any, when empty)."""
    prefix = " ".join(q.split()).lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        layer = await current_layer(conn, p.organization_id)
        rows = await (await conn.execute(_q(Q.find_nodes), {
            "org": p.organization_id, "layer": layer, "prefix": prefix, "type": type.value if type else None,
            "limit": limit})).fetchall()
    return [_node(r) for r in rows]


async def resolve(db: Database, p: Principal, ref: str) -> UUID:
    """A node's id from a reference: its id, or ``type:name`` in the current graph."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    kind, sep, name = ref.partition(":")
    if not sep or kind not in NodeType.__members__ or not name.strip():
        raise Invalid(f"{ref!r} is neither a node id nor type:name (e.g. person:Project Manager)", field="node")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        layer = await current_layer(conn, p.organization_id)
        row = await (await conn.execute(_q(Q.node_by_name), {
            "org": p.organization_id, "layer": layer, "type": kind, "name": name})).fetchone()
    if row is None:
        raise NotFound(f"no {kind} named {name.strip()!r} in the current knowledge graph", field="node")
    node_id: UUID = row["id"]
    return node_id


async def get_node(db: Database, p: Principal, node_id: UUID) -> NodeDetail:
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        layer = await current_layer(conn, org)
        node = await _node_in_layer(conn, org, layer, node_id)
        deg = await (await conn.execute(Q.degrees, {"org": org, "id": node_id})).fetchone()
        assert deg is not None
        ev = await (await conn.cursor(row_factory=class_row(Evidence)).execute(
            Q.node_evidence, {"org": org, "layer": layer, "id": node_id})).fetchall()
    return NodeDetail(**node.model_dump(), degree_out=deg["degree_out"], degree_in=deg["degree_in"], evidence=ev)


async def neighbours(db: Database, p: Principal, node_id: UUID, *, direction: Direction = Direction.both,
                     relations: list[str] | None = None, limit: int = 100) -> list[Neighbour]:
    """The node's neighbours along its outgoing and/or incoming edges, heaviest edges first."""
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        layer = await current_layer(conn, org)
        await _node_in_layer(conn, org, layer, node_id)
        rows = await (await conn.execute(Q.neighbours, {
            "org": org, "id": node_id, "relations": relations or None, "limit": limit,
            "out": direction is not Direction.into, "in": direction is not Direction.out})).fetchall()
    return [Neighbour(edge_id=r["edge_id"], direction=Direction(r["direction"]), relation=r["relation"],
                      weight=r["weight"], node=_node(r)) for r in rows]


async def paths(db: Database, p: Principal, source: UUID, target: UUID, *, max_depth: int = 3,
                relations: list[str] | None = None, directed: bool = False, limit: int = 10) -> list[Path]:
    """Up to ``limit`` paths from ``source`` to ``target`` of at most ``max_depth`` edges, no node
    twice, shortest first; along edges either way unless ``directed``."""
    if not 1 <= max_depth <= MAX_DEPTH:
        raise Invalid(f"max_depth is between 1 and {MAX_DEPTH}", field="max_depth")
    if source == target:
        raise Invalid("a path joins two different nodes", field="to")
    org = p.organization_id
    try:
        async with db.transaction(org, p.user_id, readonly=True) as conn:
            layer = await current_layer(conn, org)
            await _node_in_layer(conn, org, layer, source, "from")
            await _node_in_layer(conn, org, layer, target, "to")
            # the walks between hubs grow with the depth: a bound of their own, not the server's
            await conn.execute(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(PATH_TIMEOUT_MS)))
            rows = await (await conn.execute(Q.paths, {
                "org": org, "from": source, "to": target, "max_depth": max_depth, "relations": relations or None,
                "directed": directed, "limit": limit})).fetchall()
            await conn.execute("SET LOCAL statement_timeout = DEFAULT")
            return await _paths(conn, org, rows)
    except Unavailable as exc:
        if "statement timeout" not in str(exc):
            raise
        raise Invalid(f"no answer within {PATH_TIMEOUT_MS // 1000} s: ask for fewer edges (max_depth), only some "
                      "relations, or directed paths", field="max_depth") from exc


async def _paths(conn: Conn, org: UUID, rows: list[dict[str, Any]]) -> list[Path]:
    """The walks' rows as paths: their nodes and relations read once."""
    node_ids = list({n for r in rows for n in r["nodes"]})
    edge_ids = list({e for r in rows for e in r["edges"]})
    nodes = {r["id"]: _node(r) for r in await (await conn.execute(
        _q(Q.nodes_by_ids), {"org": org, "ids": node_ids})).fetchall()}
    rels = {r["id"]: r["relation"] for r in await (await conn.execute(
        Q.relations_by_ids, {"org": org, "ids": edge_ids})).fetchall()}
    out = [Path(length=r["depth"], nodes=[nodes[n] for n in r["nodes"]],
                steps=[PathStep(edge_id=e, relation=rels[e], forward=f)
                       for e, f in zip(r["edges"], r["forward"], strict=True)])
           for r in rows]
    return sorted(out, key=lambda x: x.length)


async def semantic(db: Database, p: Principal, q: str, *, type: NodeType | None = None,
                   limit: int = 10) -> list[NodeMatch]:
    """The current graph's nodes nearest in meaning to ``q`` (the configured embedding model)."""
    embedder = embedder_for(get_settings())
    qvec = await embed_query(embedder, q)
    vt = VectorType(embedder.name, len(qvec))
    org = p.organization_id
    stmt = sql.SQL(Q.semantic).format(vtype=vt.vtype())
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        layer = await current_layer(conn, org)
        rows = await (await conn.execute(stmt, {
            "org": org, "layer": layer, "model": embedder.name, "dim": len(qvec), "type": type.value if type else None,
            "qvec": vector_literal(qvec), "limit": limit}, prepare=False)).fetchall()
    return [NodeMatch(node=_node(r), score=r["score"]) for r in rows]


async def about_video(db: Database, p: Principal, video_id: UUID, *, from_ms: int | None = None,
                      to_ms: int | None = None, limit: int = 500) -> list[Moment]:
    """Every node and edge whose evidence lies on the video (overlapping [from_ms, to_ms] when
    given), in the order of the video."""
    if from_ms is not None and to_ms is not None and to_ms < from_ms:
        raise Invalid("to_ms is not before from_ms", field="to_ms")
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        await fetch_live_video(conn, org, video_id)
        layer = await current_layer(conn, org)
        rows = await (await conn.execute(Q.about_video, {
            "org": org, "video": video_id, "layer": layer, "from": from_ms, "to": to_ms, "limit": limit})).fetchall()
        edges = {r["id"]: r for r in await (await conn.execute(Q.edges_by_ids, {
            "org": org, "ids": list({r["edge_id"] for r in rows if r["edge_id"]})})).fetchall()}
        node_ids = {r["node_id"] for r in rows if r["node_id"]}
        node_ids |= {e[k] for e in edges.values() for k in ("source_id", "target_id")}
        nodes = {r["id"]: _node(r) for r in await (await conn.execute(
            _q(Q.nodes_by_ids), {"org": org, "ids": list(node_ids)})).fetchall()}
    out: list[Moment] = []
    for r in rows:
        if r["node_id"]:
            out.append(Moment(kind="node", node=nodes[r["node_id"]], start_ms=r["start_ms"], end_ms=r["end_ms"],
                              excerpt=r["excerpt"]))
        else:
            e = edges[r["edge_id"]]
            out.append(Moment(kind="edge", edge_id=e["id"], relation=e["relation"], source=nodes[e["source_id"]],
                              target=nodes[e["target_id"]], start_ms=r["start_ms"], end_ms=r["end_ms"],
                              excerpt=r["excerpt"]))
    return out



async def resolve_video(db: Database, p: Principal, ref: str) -> UUID:
    """A video's id from its id or its title (which must name one live video)."""
    try:
        return UUID(ref)
    except ValueError:
        pass
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.execute(Q.video_by_title, {"org": p.organization_id, "title": ref})).fetchall()
    if len(rows) != 1:
        raise (NotFound if not rows else Invalid)(
            f"{'no' if not rows else 'more than one'} video titled {ref!r}; give its id", field="video")
    video: UUID = rows[0]["id"]
    return video
