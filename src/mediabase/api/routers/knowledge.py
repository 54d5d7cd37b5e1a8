"""The knowledge graph (docs/knowledge.md): what the meetings know, as nodes and edges with
evidence at their moments. Reading is for every member; building, writing, making current and
deleting a layer are for ADMINs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.jobs import Enqueued
from mediabase.knowledge import service
from mediabase.knowledge.models import (
    MAX_DEPTH,
    Direction,
    GraphLayer,
    LayerIn,
    Moment,
    Neighbour,
    Node,
    NodeDetail,
    NodeMatch,
    NodeType,
    Path,
)

router = APIRouter(tags=["knowledge"])
RELATION = r"^[a-z][a-z0-9_]{0,62}$"
Relations = Annotated[list[Annotated[str, Query(pattern=RELATION)]] | None,
                      Query(max_length=20, description="only edges of these relations (repeat the parameter)")]


@router.post("/graph/build", status_code=status.HTTP_202_ACCEPTED,
             summary="Build a new knowledge graph from the organization's meetings (ADMIN; a job)")
async def build_graph(db: DbDep, p: PrincipalDep) -> Enqueued:
    """A ``knowledge.build`` job derives people, meetings, decisions, action items and topics
    with their evidence, embeds the nodes, and makes the new layer current. One build is queued
    at a time (``created`` is false when one already is)."""
    return await service.enqueue_build(db, p)


@router.get("/graph/layers", summary="The organization's knowledge graph layers, newest first")
async def list_layers(db: DbDep, p: PrincipalDep) -> list[GraphLayer]:
    return await service.list_layers(db, p)


@router.post("/graph/layers", status_code=status.HTTP_201_CREATED,
             summary="Write a whole knowledge graph as a new layer (ADMIN; for external extractors)")
async def write_layer(db: DbDep, p: PrincipalDep, data: LayerIn) -> GraphLayer:
    """Nodes carry a ``key`` of the request's own, which edges name as source and target; each
    node and edge may carry evidence (a video with a ms range, a segment, a decision, an action
    item, a moment of this organization). Stored in one transaction, current unless ``activate``
    is false; a ``knowledge.embed`` job makes the node vectors."""
    return await service.write_layer(db, p, data)


@router.post("/graph/layers/{layer_id}/activate", summary="Make a graph layer the current one (ADMIN; a rollback)")
async def activate_layer(db: DbDep, p: PrincipalDep, layer_id: UUID) -> GraphLayer:
    return await service.activate_layer(db, p, layer_id)


@router.delete("/graph/layers/{layer_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a graph layer with its nodes, edges, evidence and vectors (ADMIN)")
async def delete_layer(db: DbDep, p: PrincipalDep, layer_id: UUID) -> None:
    await service.delete_layer(db, p, layer_id)


@router.get("/graph/nodes", summary="Nodes of the current graph whose name starts with q")
async def find_nodes(
    db: DbDep,
    p: PrincipalDep,
    q: Annotated[str, Query(max_length=500, description="the start of the name (case and spacing ignored)")] = "",
    type: Annotated[NodeType | None, Query(description="only nodes of this type")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> list[Node]:
    return await service.find_nodes(db, p, q=q, type=type, limit=limit)


@router.get("/graph/nodes/{node_id}", summary="A node of the current graph with its evidence")
async def get_node(db: DbDep, p: PrincipalDep, node_id: UUID) -> NodeDetail:
    return await service.get_node(db, p, node_id)


@router.get("/graph/nodes/{node_id}/neighbours", summary="A node's neighbours, heaviest edges first")
async def neighbours(
    db: DbDep,
    p: PrincipalDep,
    node_id: UUID,
    direction: Annotated[Direction, Query(description="out: edges from the node, in: edges to it")] = Direction.both,
    relation: Relations = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Neighbour]:
    return await service.neighbours(db, p, node_id, direction=direction, relations=relation, limit=limit)


@router.get("/graph/paths", summary="Paths between two nodes of the current graph, shortest first")
async def paths(
    db: DbDep,
    p: PrincipalDep,
    source: Annotated[UUID, Query(alias="from", description="the first node")],
    target: Annotated[UUID, Query(alias="to", description="the last node")],
    max_depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="at most this many edges")] = 3,
    relation: Relations = None,
    directed: Annotated[bool, Query(description="only along the edges' direction")] = False,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[Path]:
    """No node appears twice in a path; a walk stops at the target."""
    return await service.paths(db, p, source, target, max_depth=max_depth, relations=relation, directed=directed,
                               limit=limit)


@router.get("/graph/search", summary="Nodes of the current graph nearest in meaning to q")
async def search_nodes(
    db: DbDep,
    p: PrincipalDep,
    q: Annotated[str, Query(min_length=1, max_length=1000)],
    type: Annotated[NodeType | None, Query(description="only nodes of this type")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[NodeMatch]:
    return await service.semantic(db, p, q, type=type, limit=limit)


@router.get("/videos/{video_id}/graph", summary="Everything the graph knows about a video, or a moment of it")
async def about_video(
    db: DbDep,
    p: PrincipalDep,
    video_id: UUID,
    from_ms: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    to_ms: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    limit: Annotated[int, Query(ge=1, le=2000)] = 500,
) -> list[Moment]:
    """The nodes and edges whose evidence lies on the video (overlapping [from_ms, to_ms] when
    given), in the order of the video; evidence of the whole video (a meeting) always counts."""
    return await service.about_video(db, p, video_id, from_ms=from_ms, to_ms=to_ms, limit=limit)
