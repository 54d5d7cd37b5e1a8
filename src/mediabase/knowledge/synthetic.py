"""A synthetic knowledge graph made in SQL, set-based: for the query-plan tests and the benchmark
(bench/knowledge_graph.py). ``nodes`` nodes of five types and about ``nodes × degree`` edges to
random targets of five relations, in a new ready layer of the organization. Node ids are derived
from (layer, ordinal) (``md5(layer || ':' || n)::uuid``), so the edges need no join to find them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.db.rows import Conn

LAYER = """
INSERT INTO ai_layers (organization_id, kind, model, source, status, parameters)
VALUES (%(org)s, 'knowledge_graph', 'synthetic', 'synthetic', 'running', '{}') RETURNING id
"""
NODES = """
INSERT INTO graph_nodes (organization_id, id, layer_id, type, name)
SELECT %(org)s, md5(%(layer)s::text || ':' || g)::uuid, %(layer)s,
       (ARRAY['person', 'topic', 'decision', 'meeting', 'concept'])[1 + g %% 5], 'node ' || g
  FROM generate_series(1, %(nodes)s) g
"""
EDGES = """
INSERT INTO graph_edges (organization_id, layer_id, source_id, target_id, relation, weight)
SELECT %(org)s, %(layer)s, md5(%(layer)s::text || ':' || x.k)::uuid, md5(%(layer)s::text || ':' || x.t)::uuid,
       x.relation, 1 + x.j
  FROM (SELECT k, j, 1 + floor(random() * %(nodes)s)::int AS t,
               (ARRAY['about', 'decided', 'owns', 'mentions', 'related_to'])[1 + (k + j) %% 5] AS relation
          FROM generate_series(1, %(nodes)s) k, generate_series(1, %(degree)s) j) x
 WHERE x.t <> x.k
ON CONFLICT DO NOTHING
"""
VECTORS = """
INSERT INTO graph_node_vectors (organization_id, layer_id, node_id, model, dimension, embedding)
SELECT %(org)s, %(layer)s, md5(%(layer)s::text || ':' || g)::uuid, 'synthetic', 3,
       ARRAY[random(), random(), random()]::real[]::vector
  FROM generate_series(1, %(nodes)s) g
"""
# the edges' foreign-key checks plan against the nodes just written (a new table has no statistics)
ANALYZE = "ANALYZE graph_nodes"
READY = "UPDATE ai_layers SET status = 'ready' WHERE organization_id = %(org)s AND id = %(layer)s"


def node_id(layer: UUID, n: int) -> str:
    """The id of the synthetic node number ``n`` (1-based) of ``layer``, as the SQL makes it."""
    import hashlib

    h = hashlib.md5(f"{layer}:{n}".encode(), usedforsecurity=False).hexdigest()
    return str(UUID(h))


async def make_graph(conn: Conn, org: UUID, *, nodes: int, degree: int, vectors: bool = False) -> UUID:
    """A new ready synthetic graph layer of ``org``; returns its id (as the table owner: ANALYZE)."""
    row = await (await conn.execute(LAYER, {"org": org})).fetchone()
    assert row is not None
    params: dict[str, Any] = {"org": org, "layer": row["id"], "nodes": nodes, "degree": degree}
    await conn.execute(NODES, params)
    await conn.execute(ANALYZE)
    await conn.execute(EDGES, params)
    if vectors:
        await conn.execute(VECTORS, params)
    await conn.execute(READY, params)
    layer: UUID = row["id"]
    return layer
