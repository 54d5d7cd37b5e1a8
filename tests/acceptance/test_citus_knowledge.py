"""The knowledge graph on a real Citus cluster (docs/knowledge.md; docs/scale-out.md): its tables
are distributed by organization and colocated with the layers, the set-based build runs as router
statements on the tenant's shard, and the reads (names, neighbours, paths, semantic lookup, a
video's moments), an external layer and deleting a layer as a unit work there.

The build, an external layer and its deletion run as the application role, as the worker and the
API run them: each of the build's INSERT … SELECT statements is pushed down to the tenant's shard
(their plans are checked below: "pull to coordinator" would write through COPY, which row-level
security refuses), and a layer given whole goes in a row per statement.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the tests
work in organizations of their own.
"""

from __future__ import annotations

import contextlib
import uuid

import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import NotFound
from mediabase.knowledge import build
from mediabase.knowledge import service as graph
from mediabase.knowledge.models import LayerIn, NodeType
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant
from tests.integration.knowledge_world import DECISION, kickoff

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]
TABLES = ("graph_nodes", "graph_edges", "graph_evidence", "graph_node_vectors")


async def test_the_graph_is_built_read_and_deleted_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    a = await make_tenant(db, system, f"kg-{uuid.uuid4().hex[:6]}")
    b = await make_tenant(db, system, f"kg-{uuid.uuid4().hex[:6]}")
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT c.relname AS t, p.partmethod, p.colocationid FROM pg_dist_partition p"
            " JOIN pg_class c ON c.oid = p.logicalrelid"
            " WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relname = ANY (%s)",
            ([*TABLES, "ai_layers"],))).fetchall()
    placed = {r["t"]: r for r in rows}
    assert set(placed) == {*TABLES, "ai_layers"} and all(r["partmethod"] == "h" for r in rows)
    assert len({r["colocationid"] for r in rows}) == 1  # colocated: the build's joins stay on one shard

    # the meeting is written as the owner: the insights topic upsert as the application role is
    # refused on the shards (column-level grants of ai_topics, 0007), which is not the graph's part
    video = await kickoff(system, system, a.owner)
    await _pushed_down(db, a.owner.organization_id)
    built = await graph.build_now(db, a.owner)
    assert built.nodes == 6 and built.edges > 6
    ada = await graph.resolve(db, a.member, "person:Ada")
    bob = await graph.resolve(db, a.member, "person:Bob")
    assert {n.node.name for n in await graph.neighbours(db, a.member, ada)} == {"Kickoff", DECISION}
    assert (await graph.get_node(db, a.member, ada)).evidence
    assert {m.node.name for m in await graph.about_video(db, a.member, video) if m.node} >= {"Ada", DECISION}
    if built.embedded:
        assert (await graph.semantic(db, a.member, "buttons", type=NodeType.topic))[0].node.name == "Buttons"
    with pytest.raises(NotFound):
        await graph.get_node(db, b.owner, ada)

    # bounded paths: a recursive CTE over the distributed edges, on the tenant's shard
    [shortest, *_] = await graph.paths(db, a.member, ada, bob, max_depth=3)
    assert [n.name for n in shortest.nodes] == ["Ada", "Kickoff", "Bob"]

    layer = await graph.write_layer(db, a.owner, LayerIn.model_validate({
        "model": "an-llm", "nodes": [{"key": "r", "type": "product", "name": "Remote",
                                      "evidence": [{"video_id": str(video), "start_ms": 10}]},
                                     {"key": "k", "type": "concept", "name": "Kinetic battery"}],
        "edges": [{"source": "r", "target": "k", "relation": "uses"}]}))
    assert (layer.status, layer.nodes, layer.edges) == ("ready", 2, 1)
    await graph.delete_layer(db, a.owner, layer.id)
    async with system.transaction() as conn:
        for t in TABLES:
            row = await (await conn.execute(f"SELECT count(*) AS n FROM {t} WHERE organization_id = %s"
                                            " AND layer_id = %s", (a.owner.organization_id, layer.id))).fetchone()
            assert row is not None and row["n"] == 0, t


async def _pushed_down(db: Database, org: uuid.UUID) -> None:
    """Every statement of the build is planned on the tenant's shard (a router plan), not pulled
    to the coordinator (EXPLAIN with literals: Citus plans a parameterised INSERT … SELECT only
    when it runs). The layer made for it is rolled back."""
    with contextlib.suppress(_RolledBack):
        async with db.transaction(org) as conn:
            layer = await build.new_layer(conn, org, model="explain", model_version=None, source="test",
                                          parameters={}, job_id=None, created_by=None)
            for name in ("insert_nodes", "insert_node_evidence", "insert_edges", "insert_edge_evidence"):
                text = build._derive(getattr(build.Q, name)).as_string(conn)
                text = text.replace("%(org)s", f"'{org}'::uuid").replace("%(layer)s", f"'{layer}'::uuid")
                rows = await (await conn.execute("EXPLAIN " + text)).fetchall()
                plan = "\n".join(r["QUERY PLAN"] for r in rows)
                assert "pull to coordinator" not in plan and "Citus Adaptive" in plan, (name, plan)
            raise _RolledBack


class _RolledBack(Exception):
    pass
