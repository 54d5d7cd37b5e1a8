"""Query plans of the knowledge graph's reads, on two tenants' synthetic graphs after ANALYZE, as
the application role: neighbours read both edge indexes, paths walk them (a recursive CTE, never
a scan of the edges), the semantic lookup reads one key range of the vectors, a video's moments
read the evidence's video index, and name lookups the node name index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg

from mediabase.db.rows import sql
from mediabase.knowledge import synthetic
from mediabase.knowledge.service import Q
from mediabase.search.vectors import VectorType
from tests.factories import Tenant


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(conn: psycopg.Connection[Any], query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    row = conn.execute(sql.SQL("EXPLAIN (FORMAT JSON) ") + (query if isinstance(query, sql.Composable)
                                                          else sql.SQL(query)), params).fetchone()
    assert row is not None
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return list(nodes(plan[0]["Plan"]))


def indexes(plan: list[dict[str, Any]]) -> set[str]:
    return {n["Index Name"] for n in plan if "Index Name" in n}


def scanned(plan: list[dict[str, Any]]) -> set[str]:
    return {n.get("Relation Name", "") for n in plan if n["Node Type"] == "Seq Scan"}


def columns(block: str) -> sql.Composed:
    return sql.SQL(block).format(columns=sql.SQL(Q.node_columns))


def test_the_graph_reads_use_their_indexes(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("SET search_path = mediabase, public")
        layers = {}
        for t in (alpha, bravo):
            org = t.owner.organization_id
            layer = conn.execute(synthetic.LAYER, {"org": org}).fetchone()
            assert layer is not None
            params = {"org": org, "layer": layer[0], "nodes": 3000, "degree": 4}
            for stmt in (synthetic.NODES, synthetic.EDGES, synthetic.VECTORS, synthetic.READY):
                conn.execute(stmt, params)
            layers[org] = layer[0]
        org = alpha.owner.organization_id
        layer = layers[org]
        video = conn.execute("INSERT INTO videos (organization_id, title) VALUES (%s, 'v') RETURNING id",
                             (org,)).fetchone()
        assert video is not None
        conn.execute("INSERT INTO graph_evidence (organization_id, layer_id, node_id, video_id, start_ms, end_ms)"
                     " SELECT organization_id, layer_id, id, %s, (row_number() OVER ()) * 1000,"
                     "        (row_number() OVER ()) * 1000 + 500 FROM graph_nodes WHERE organization_id = %s",
                     (video[0], org))
        conn.execute("ANALYZE graph_nodes, graph_edges, graph_evidence, graph_node_vectors")
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
        a, b = synthetic.node_id(layer, 1), synthetic.node_id(layer, 2)

        plan = explain(conn, Q.neighbours, {"org": org, "id": a, "relations": None, "limit": 100, "out": True,
                                            "in": True})
        assert {"graph_edges_triple_key", "graph_edges_target_idx"} <= indexes(plan), plan
        assert not scanned(plan) & {"graph_edges", "graph_nodes"}
        plan = explain(conn, Q.neighbours, {"org": org, "id": a, "relations": ["about"], "limit": 100, "out": True,
                                            "in": True})
        assert {"graph_edges_triple_key", "graph_edges_target_idx"} <= indexes(plan)

        plan = explain(conn, Q.paths, {"org": org, "from": a, "to": b, "max_depth": 3, "relations": None,
                                       "directed": False, "limit": 10})
        assert any(n["Node Type"] == "Recursive Union" for n in plan)
        assert {"graph_edges_triple_key", "graph_edges_target_idx"} <= indexes(plan), plan
        assert "graph_edges" not in scanned(plan)

        vt = VectorType("synthetic", 3)
        plan = explain(conn, sql.SQL(Q.semantic).format(vtype=vt.vtype()), {
            "org": org, "layer": layer, "model": "synthetic", "dim": 3, "type": None, "qvec": "[1,0,0]",
            "limit": 10})
        # one key range of the tenant's layer (the model's, or the layer's with the model filtered)
        assert indexes(plan) & {"graph_node_vectors_pkey", "graph_node_vectors_node_idx"}, plan
        assert "graph_node_vectors" not in scanned(plan), plan

        plan = explain(conn, Q.about_video, {"org": org, "video": video[0], "layer": layer, "from": 100_000,
                                             "to": 200_000, "limit": 500})
        assert "graph_evidence_video_idx" in indexes(plan) and "graph_evidence" not in scanned(plan), plan

        plan = explain(conn, columns(Q.find_nodes), {"org": org, "layer": layer, "prefix": "node 12%",
                                                     "type": None, "limit": 50})
        assert indexes(plan) & {"graph_nodes_name_idx", "graph_nodes_name_key"} and not scanned(plan), plan
        plan = explain(conn, columns(Q.node_by_name), {"org": org, "layer": layer, "type": "topic", "name": "Node 5"})
        assert "graph_nodes_name_key" in indexes(plan), plan
        plan = explain(conn, Q.current_layer, {"org": org})
        assert "ai_layers_one_ready_graph" in indexes(plan), plan
