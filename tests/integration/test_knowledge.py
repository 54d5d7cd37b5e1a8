"""The knowledge graph (0041, mediabase.knowledge) against real PostgreSQL: the build derives
people, meetings, decisions, action items and topics with evidence at their moments; the queries
(neighbours, paths, semantic lookup, a video's moments) read the current layer of one tenant;
a layer is superseded, rolled back and deleted as a unit; bad input is refused by the models and
the constraints."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mediabase.db.connection import Database
from mediabase.db.errors import Forbidden, Invalid, NotFound
from mediabase.knowledge import service as graph
from mediabase.knowledge.models import Direction, LayerIn, NodeType
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant
from tests.integration.knowledge_world import DECISION, ITEM, kickoff


async def ids(db: Database, p: Any, *refs: str) -> list[Any]:
    return [await graph.resolve(db, p, r) for r in refs]


async def test_the_build_derives_a_graph_with_evidence_and_the_queries_read_it(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    video = await kickoff(db, owner_db, a.member)
    with pytest.raises(Forbidden):
        await graph.build_now(db, a.member)  # building is for ADMINs
    with pytest.raises(NotFound, match="no knowledge graph yet"):
        await graph.find_nodes(db, a.member)
    built = await graph.build_now(db, a.owner)
    assert built.nodes == 6 and built.embedded == 6 and built.model  # Ada, Bob, Kickoff, decision, item, Buttons
    names = {(n.type, n.name) for n in await graph.find_nodes(db, a.member)}
    assert names == {(NodeType.person, "Ada"), (NodeType.person, "Bob"), (NodeType.meeting, "Kickoff"),
                     (NodeType.decision, DECISION), (NodeType.action_item, ITEM), (NodeType.topic, "Buttons")}
    ada, bob, kick, dec = await ids(db, a.member, "person:Ada", "person: bob ", "meeting:kickoff",
                                    f"decision:{DECISION}")

    # neighbours, both ways, with relation filters
    out = await graph.neighbours(db, a.member, ada, direction=Direction.out)
    assert {(n.relation, n.node.name) for n in out} == {("spoke_in", "Kickoff"), ("decided", DECISION)}
    into = await graph.neighbours(db, a.member, kick, direction=Direction.into, relations=["spoke_in"])
    assert {n.node.name for n in into} == {"Ada", "Bob"} and all(n.weight == 5 for n in into)  # 5 turns each
    both = await graph.neighbours(db, a.member, dec)
    assert {(n.direction, n.relation, n.node.name) for n in both} == {
        (Direction.into, "decided", "Ada"), (Direction.out, "made_in", "Kickoff"), (Direction.out, "about", "Buttons")}

    # evidence at the moment: Ada decided in the segment under 2.1 s
    detail = await graph.get_node(db, a.member, dec)
    assert detail.degree_in == 1 and detail.degree_out == 2
    assert [(e.video_id, e.start_ms, e.video_title) for e in detail.evidence] == [(video, 2100, "Kickoff")]

    # paths: shortest first, no node twice; directed walks only go along the edges
    found = await graph.paths(db, a.member, ada, bob, max_depth=4, limit=10)
    assert found[0].length == 2 and [n.name for n in found[0].nodes] == ["Ada", "Kickoff", "Bob"]
    assert [s.forward for s in found[0].steps] == [True, False]
    assert [p.length for p in found] == sorted(p.length for p in found) and {p.length for p in found} == {2, 3, 4}
    assert all(len(set(n.id for n in p.nodes)) == len(p.nodes) for p in found)
    assert await graph.paths(db, a.member, ada, bob, max_depth=4, directed=True) == []
    assert [p.length for p in await graph.paths(db, a.member, ada, bob, relations=["spoke_in"])] == [2]
    for depth in (0, 7):
        with pytest.raises(Invalid, match="max_depth"):
            await graph.paths(db, a.member, ada, bob, max_depth=depth)
    with pytest.raises(Invalid):
        await graph.paths(db, a.member, ada, ada)

    # semantic lookup by meaning
    hits = await graph.semantic(db, a.member, "what the buttons are made of", limit=3)
    assert hits[0].node.name in (DECISION, "Buttons")
    assert [h.node.type for h in await graph.semantic(db, a.member, "a person", type=NodeType.meeting)] == [
        NodeType.meeting]

    # everything the graph knows about the video, and about a moment of it
    whole = await graph.about_video(db, a.member, video)
    assert {m.node.name for m in whole if m.node} >= {"Ada", "Bob", "Kickoff", DECISION, ITEM, "Buttons"}
    moment = await graph.about_video(db, a.member, video, from_ms=3100, to_ms=3200)
    assert {(m.relation, m.source.name, m.target.name) for m in moment if m.kind == "edge" and m.source
            and m.target} >= {("owns", "Bob", ITEM), ("about", ITEM, "Buttons")}
    assert all(m.start_ms is None or m.start_ms <= 3200 for m in moment)
    assert not any(m.node and m.node.name == DECISION for m in moment)  # said at 2.1 s
    with pytest.raises(Invalid):
        await graph.about_video(db, a.member, video, from_ms=5, to_ms=4)

    # the other tenant sees none of it
    with pytest.raises(NotFound):
        await graph.neighbours(db, b.owner, ada)
    await kickoff(db, owner_db, b.owner, "Their kickoff")
    await graph.build_now(db, b.owner)
    with pytest.raises(NotFound):
        await graph.get_node(db, b.owner, ada)
    with pytest.raises(NotFound):
        await graph.about_video(db, b.owner, video)
    assert "Kickoff" not in {n.name for n in await graph.find_nodes(db, b.owner)}


async def test_a_layer_is_superseded_rolled_back_and_deleted_as_a_unit(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    await kickoff(db, owner_db, a.owner)
    first = await graph.build_now(db, a.owner)
    old_ada = await graph.resolve(db, a.owner, "person:Ada")
    second = await graph.build_now(db, a.owner)
    layers = {x.id: x for x in await graph.list_layers(db, a.member)}
    assert layers[first.layer_id].status == "superseded" and layers[first.layer_id].superseded_by == second.layer_id
    assert layers[second.layer_id].status == "ready" and layers[second.layer_id].nodes == 6
    with pytest.raises(NotFound):  # a node of a superseded layer is not in the current graph
        await graph.get_node(db, a.owner, old_ada)
    assert await graph.resolve(db, a.owner, "person:Ada") != old_ada  # same name, the new layer's node

    rolled = await graph.activate_layer(db, a.owner, first.layer_id)  # a rollback
    assert rolled.status == "ready" and (await graph.get_node(db, a.owner, old_ada)).name == "Ada"
    await graph.activate_layer(db, a.owner, second.layer_id)
    third = await graph.build_now(db, a.owner)  # prunes what the current one did not replace
    assert {x.id for x in await graph.list_layers(db, a.member)} == {second.layer_id, third.layer_id}

    async def rows(layer: Any) -> list[int]:
        async with owner_db.transaction() as conn:
            return [(await (await conn.execute(f"SELECT count(*) AS n FROM {t} WHERE layer_id = %s",
                                               (layer,))).fetchone() or {"n": -1})["n"]
                    for t in ("graph_nodes", "graph_edges", "graph_evidence", "graph_node_vectors")]

    assert await rows(first.layer_id) == [0, 0, 0, 0]
    assert all(n > 0 for n in await rows(third.layer_id))
    with pytest.raises(Forbidden):
        await graph.delete_layer(db, a.member, third.layer_id)
    await graph.delete_layer(db, a.owner, third.layer_id)
    assert await rows(third.layer_id) == [0, 0, 0, 0]
    with pytest.raises(NotFound, match="no knowledge graph yet"):
        await graph.find_nodes(db, a.owner)  # the previous one stays superseded until made current


LAYER: dict[str, Any] = {
    "model": "an-llm", "source": "extractor",
    "nodes": [{"key": "r", "type": "product", "name": "Remote control"},
              {"key": "k", "type": "concept", "name": "Kinetic battery"}],
    "edges": [{"source": "r", "target": "k", "relation": "uses", "weight": 0.5}],
}


async def test_an_external_layer_is_written_whole_and_bad_input_is_refused(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str) -> None:
    a, b = tenants
    video = await kickoff(db, owner_db, a.owner)
    data = {**LAYER, "nodes": [{**LAYER["nodes"][0], "evidence": [{"video_id": str(video), "start_ms": 100,
                                                                   "end_ms": 200, "excerpt": "the remote"}]},
                               LAYER["nodes"][1]]}
    layer = await graph.write_layer(db, a.owner, LayerIn.model_validate(data))
    assert (layer.status, layer.nodes, layer.edges, layer.source) == ("ready", 2, 1, "extractor")
    remote = await graph.resolve(db, a.member, "product:remote control")
    [n] = await graph.neighbours(db, a.member, remote)
    assert (n.relation, n.weight, n.node.name) == ("uses", 0.5, "Kinetic battery")
    [m] = await graph.about_video(db, a.member, video, from_ms=150, to_ms=150)
    assert m.node is not None and m.node.name == "Remote control"

    bad: list[tuple[dict[str, Any], str]] = [
        ({**LAYER, "edges": [{"source": "r", "target": "r", "relation": "uses"}]}, "self-loops"),
        ({**LAYER, "edges": [{"source": "r", "target": "x", "relation": "uses"}]}, "no node has the key 'x'"),
        ({**LAYER, "nodes": [{"key": "r", "type": "product", "name": "Remote\x00"}]}, "NUL"),
        ({**LAYER, "nodes": [*LAYER["nodes"], {"key": "z", "type": "product", "name": " remote  CONTROL"}]},
         "same type and name"),
        ({**LAYER, "edges": [{"source": "r", "target": "k", "relation": "Uses!"}]}, "pattern"),
        ({**LAYER, "edges": [{"source": "r", "target": "k", "relation": "uses", "weight": 0}]}, "greater than 0"),
        ({**LAYER, "nodes": [{"key": "r", "type": "spaceship", "name": "x"}], "edges": []}, "type"),
        ({**LAYER, "nodes": [{"key": "r", "type": "product", "name": "x", "evidence": [{"start_ms": 1}]}],
          "edges": []}, "at least one of"),
    ]
    for body, why in bad:
        with pytest.raises(ValidationError, match=why):
            LayerIn.model_validate(body)
    # evidence in another tenant's video: its key is not found in this tenant, nothing is written
    theirs = {**LAYER, "nodes": [{"key": "r", "type": "product", "name": "x", "evidence": [{"video_id": str(video)}]}],
              "edges": []}
    with pytest.raises(NotFound, match="no such video"):
        await graph.write_layer(db, b.owner, LayerIn.model_validate(theirs))
    assert await graph.list_layers(db, b.owner) == []
    with pytest.raises(Forbidden):
        await graph.write_layer(db, a.member, LayerIn.model_validate(LAYER))

    # the constraints hold for writers that bypass the models (an extractor writing SQL)
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT id, layer_id FROM graph_nodes WHERE organization_id = %s LIMIT 1",
                                        (a.owner.organization_id,))).fetchone()
    assert row is not None
    for stmt, constraint in (
        ("INSERT INTO graph_edges (organization_id, layer_id, source_id, target_id, relation)"
         " VALUES (%(org)s, %(layer)s, %(id)s, %(id)s, 'x')", "graph_edges_no_self_loop"),
        ("INSERT INTO graph_edges (organization_id, layer_id, source_id, target_id, relation)"
         " VALUES (%(org)s, %(layer)s, %(id)s, gen_random_uuid(), 'x')", "graph_edges_target_fk"),
        ("INSERT INTO graph_edges (organization_id, layer_id, source_id, target_id, relation, weight)"
         " SELECT %(org)s, %(layer)s, %(id)s, n.id, 'x', 'NaN' FROM graph_nodes n"
         " WHERE n.layer_id = %(layer)s AND n.id <> %(id)s LIMIT 1", "graph_edges_weight_range"),
        ("INSERT INTO graph_evidence (organization_id, layer_id, node_id, edge_id, video_id)"
         " SELECT %(org)s, %(layer)s, %(id)s, e.id, NULL FROM graph_edges e WHERE e.layer_id = %(layer)s LIMIT 1",
         "graph_evidence_one_subject"),
        ("INSERT INTO graph_nodes (organization_id, layer_id, type, name)"
         " SELECT %(org)s, %(layer)s, type, upper(name) FROM graph_nodes WHERE id = %(id)s", "graph_nodes_name_key"),
        ("INSERT INTO ai_layers (organization_id, kind, model) VALUES (%(org)s, 'summary', 'x')",
         "ai_layers_video_unless_graph"),
    ):
        with (psycopg.connect(migrated_url, options="-c search_path=mediabase,public") as raw,
              pytest.raises(psycopg.errors.IntegrityError) as exc):
            raw.execute(stmt, {"org": a.owner.organization_id, "layer": row["layer_id"], "id": row["id"]})
        assert exc.value.diag.constraint_name == constraint, stmt


NAMES = st.sampled_from(["Ada", "ada", " Ada  Lovelace", "ada lovelace", "Bob", "Remote", "remote", "Ärger", "x y"])
NODE = st.tuples(st.sampled_from(["person", "product", "concept"]), NAMES)
EDGE = st.tuples(st.integers(0, 5), st.sampled_from(["uses", "owns", "about"]), st.integers(0, 5))


async def write_scenario(url: str, nodes: list[tuple[str, str]], edges: list[tuple[int, str, int]]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner)
        body = {"model": "prop", "nodes": [{"key": f"k{i}", "type": k, "name": n} for i, (k, n) in enumerate(nodes)],
                "edges": [{"source": f"k{s}", "target": f"k{d}", "relation": r} for s, r, d in edges]}
        try:
            data = LayerIn.model_validate(body)
        except ValidationError:  # refused before any SQL: a duplicate, a loop, an unknown key
            norm = [(k, " ".join(n.split()).lower()) for k, n in nodes]
            triples = [(s, r, d) for s, r, d in edges]
            assert (len(set(norm)) < len(norm) or any(s == d or max(s, d) >= len(nodes) for s, _, d in edges)
                    or len(set(triples)) < len(triples) or not nodes)
            return
        layer = await graph.write_layer(db, t.owner, data)
        assert (layer.nodes, layer.edges) == (len(nodes), len(edges))
        stored = {(n.type.value, n.name): n for n in await graph.find_nodes(db, t.owner, limit=500)}
        index = {(k, n.strip()): i for i, (k, n) in enumerate(nodes)}
        for k, n in nodes:  # the database's normalisation is the models'
            assert stored[k, n.strip()].normalized_name == " ".join(n.split()).lower() or not n.isascii()
        for i, (k, n) in enumerate(nodes):
            got = await graph.neighbours(db, t.owner, stored[k, n.strip()].id)
            want = [("out", r, d) for s, r, d in edges if s == i] + [("in", r, s) for s, r, d in edges if d == i]
            seen = [(x.direction.value, x.relation, index[x.node.type.value, x.node.name]) for x in got]
            assert sorted(seen) == sorted(want)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(NODE, min_size=0, max_size=6), edges=st.lists(EDGE, max_size=8))
def test_written_layers_hold_what_was_given_or_are_refused(migrated_url: str, nodes: list[tuple[str, str]],
                                                            edges: list[tuple[int, str, int]]) -> None:
    asyncio.run(write_scenario(migrated_url, nodes, edges))
