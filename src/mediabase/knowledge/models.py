"""The knowledge graph as the API and the CLI see it (docs/knowledge.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from mediabase.common.models import Model, Ms
from mediabase.common.types import LINE, TEXT, JsonObject

MAX_DEPTH = 6  # paths: the longest walk a query may ask for
MAX_NODES = 20_000  # one written layer
MAX_EDGES = 100_000
MAX_EVIDENCE = 50  # per node or edge

NodeName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE]
Relation = Annotated[str, StringConstraints(max_length=63, pattern=r"^[a-z][a-z0-9_]{0,62}$")]
Key = Annotated[str, StringConstraints(min_length=1, max_length=200), LINE]
Excerpt = Annotated[str, StringConstraints(max_length=5000), TEXT]
Weight = Annotated[float, Field(gt=0, le=1_000_000, allow_inf_nan=False)]


class NodeType(StrEnum):
    person = "person"
    organization = "organization"
    product = "product"
    concept = "concept"
    decision = "decision"
    action_item = "action_item"
    topic = "topic"
    meeting = "meeting"
    place = "place"
    event = "event"
    other = "other"


class Direction(StrEnum):
    out = "out"
    into = "in"
    both = "both"


class EvidenceIn(Model):
    """Where a node or an edge was seen: at least one of video_id, segment_id, decision_id,
    action_item_id; a ms range and a moment need the video."""

    video_id: UUID | None = None
    start_ms: Ms | None = None
    end_ms: Ms | None = None
    segment_id: UUID | None = None
    decision_id: UUID | None = None
    action_item_id: UUID | None = None
    moment_id: UUID | None = None
    excerpt: Excerpt | None = None

    @model_validator(mode="after")
    def _consistent(self) -> EvidenceIn:
        if not any((self.video_id, self.segment_id, self.decision_id, self.action_item_id)):
            raise ValueError("evidence names at least one of video_id, segment_id, decision_id, action_item_id")
        if (self.start_ms is not None or self.moment_id is not None) and self.video_id is None:
            raise ValueError("start_ms and moment_id need video_id")
        if self.end_ms is not None and (self.start_ms is None or self.end_ms < self.start_ms):
            raise ValueError("end_ms needs start_ms and is not before it")
        return self


class NodeIn(Model):
    key: Key = Field(description="the node's name in this request, which edges use as source and target")
    type: NodeType
    name: NodeName = Field(description="unique per type in the layer after normalisation (trimmed, "
                                       "whitespace collapsed, lower case)")
    description: Excerpt | None = None
    properties: JsonObject = Field(default_factory=dict)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=MAX_EVIDENCE)


class EdgeIn(Model):
    source: Key = Field(description="the key of the source node")
    target: Key = Field(description="the key of the target node (not the source: no self-loops)")
    relation: Relation = Field(description="lower-case words joined by _, e.g. decided, owns, about")
    weight: Weight = 1.0
    properties: JsonObject = Field(default_factory=dict)
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=MAX_EVIDENCE)


class LayerIn(Model):
    """A whole graph, written at once as a new layer (docs/knowledge.md, "Writing a layer")."""

    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
    model_version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                             LINE] | None = None
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE] = "external"
    parameters: JsonObject = Field(default_factory=dict)
    nodes: list[NodeIn] = Field(max_length=MAX_NODES)
    edges: list[EdgeIn] = Field(default_factory=list, max_length=MAX_EDGES)
    activate: bool = Field(default=True, description="make it the current graph (superseding the current one)")

    @model_validator(mode="after")
    def _references(self) -> LayerIn:
        keys: dict[str, int] = {}
        names: dict[tuple[str, str], int] = {}
        for i, n in enumerate(self.nodes):
            if n.key in keys:
                raise ValueError(f"nodes[{i}].key: {n.key!r} is already the key of nodes[{keys[n.key]}]")
            keys[n.key] = i
            norm = (n.type.value, " ".join(n.name.split()).lower())
            if norm in names:
                raise ValueError(f"nodes[{i}].name: same type and name as nodes[{names[norm]}]")
            names[norm] = i
        triples: dict[tuple[str, str, str], int] = {}
        for i, e in enumerate(self.edges):
            for end in ("source", "target"):
                if getattr(e, end) not in keys:
                    raise ValueError(f"edges[{i}].{end}: no node has the key {getattr(e, end)!r}")
            if e.source == e.target:
                raise ValueError(f"edges[{i}].target: an edge joins two different nodes (no self-loops)")
            t = (e.source, e.relation, e.target)
            if t in triples:
                raise ValueError(f"edges[{i}]: the same source, relation and target as edges[{triples[t]}]")
            triples[t] = i
        return self


class GraphLayer(Model):
    id: UUID
    model: str
    model_version: str | None
    source: str
    status: str
    parameters: dict[str, Any]
    error: str | None
    superseded_by: UUID | None
    job_id: UUID | None
    created_at: datetime
    completed_at: datetime | None
    nodes: int = 0
    edges: int = 0


class Evidence(Model):
    video_id: UUID | None
    video_title: str | None = None
    start_ms: int | None
    end_ms: int | None
    segment_id: UUID | None
    decision_id: UUID | None
    action_item_id: UUID | None
    moment_id: UUID | None
    excerpt: str | None


class Node(Model):
    id: UUID
    layer_id: UUID
    type: NodeType
    name: str
    normalized_name: str
    description: str | None
    properties: dict[str, Any]


class NodeDetail(Node):
    degree_out: int
    degree_in: int
    evidence: list[Evidence]


class Neighbour(Model):
    edge_id: UUID
    direction: Direction
    relation: str
    weight: float
    node: Node


class PathStep(Model):
    edge_id: UUID
    relation: str
    forward: bool = Field(description="true when the edge points along the path (source before target)")


class Path(Model):
    length: int
    nodes: list[Node]
    steps: list[PathStep]


class NodeMatch(Model):
    node: Node
    score: float = Field(description="cosine similarity of the node's vector and the query's")


class Moment(Model):
    """A node or an edge the graph knows from a place in a video."""

    kind: str = Field(description="node or edge")
    node: Node | None = None
    edge_id: UUID | None = None
    relation: str | None = None
    source: Node | None = None
    target: Node | None = None
    start_ms: int | None
    end_ms: int | None
    excerpt: str | None


class Built(Model):
    layer_id: UUID
    nodes: int
    edges: int
    evidence: int
    embedded: int
    model: str | None = Field(description="the embedding model of the node vectors (None: none could run)")
