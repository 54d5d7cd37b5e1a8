"""The knowledge graph over HTTP (docs/knowledge.md): an ADMIN asks for a build, a worker runs it,
members read nodes, neighbours, paths, semantic matches and a video's moments; an external
extractor writes a whole layer; bad input is a 4xx naming the field, never a 500, and another
tenant's graph is a 404."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi.testclient import TestClient

from mediabase.db.connection import Database
from mediabase.jobs.registry import handlers
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.knowledge import build
from tests.factories import Tenant
from tests.integration.knowledge_world import DECISION, ITEM, kickoff


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


async def run_graph_jobs(db: Database, owner_db: Database) -> None:
    settings = JobSettings(lease_seconds=30, poll_interval=0.2, shutdown_grace=2.0)
    worker = Worker(db, settings, registrations={t: handlers()[t] for t in (build.BUILD_JOB, build.EMBED_JOB)})
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(120):
            while True:
                async with owner_db.transaction() as conn:
                    row = await (await conn.execute(
                        "SELECT count(*) FILTER (WHERE status <> 'completed') AS left, count(*) AS n FROM jobs"
                        " WHERE type LIKE 'knowledge.%%'")).fetchone()
                assert row is not None
                if row["left"] == 0:
                    return
                await asyncio.sleep(0.2)
    finally:
        worker.stop()
        await task


async def test_the_graph_over_http(client: TestClient, db: Database, owner_db: Database,
                                   tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    video = await kickoff(db, owner_db, a.owner)
    assert client.get("/graph/nodes", headers=h(a.member_key)).status_code == 404  # no graph yet
    assert client.post("/graph/build", headers=h(a.member_key)).status_code == 403
    job = ok(client.post("/graph/build", headers=h(a.owner_key)), 202)
    assert job["created"] and not ok(client.post("/graph/build", headers=h(a.owner_key)), 202)["created"]
    await run_graph_jobs(db, owner_db)
    later = ok(client.post("/graph/build", headers=h(a.owner_key)), 202)  # a finished build does not block the next
    assert later["created"] and later["id"] != job["id"]

    [ada] = ok(client.get("/graph/nodes", params={"q": "ad", "type": "person"}, headers=h(a.member_key)))
    [bob] = ok(client.get("/graph/nodes", params={"q": "BOB"}, headers=h(a.member_key)))
    node = ok(client.get(f"/graph/nodes/{ada['id']}", headers=h(a.member_key)))
    assert node["name"] == "Ada" and node["degree_out"] == 2 and node["evidence"][0]["video_title"] == "Kickoff"
    near = ok(client.get(f"/graph/nodes/{ada['id']}/neighbours", params={"relation": "decided", "direction": "out"},
                         headers=h(a.member_key)))
    assert [(n["relation"], n["node"]["name"]) for n in near] == [("decided", DECISION)]
    found = ok(client.get("/graph/paths", params={"from": ada["id"], "to": bob["id"], "max_depth": 2},
                          headers=h(a.member_key)))
    assert [[n["name"] for n in p["nodes"]] for p in found] == [["Ada", "Kickoff", "Bob"]]
    hits = ok(client.get("/graph/search", params={"q": "drawing the remote's case", "type": "action_item"},
                         headers=h(a.member_key)))
    assert hits[0]["node"]["name"] == ITEM
    moment = ok(client.get(f"/videos/{video}/graph", params={"from_ms": 3100, "to_ms": 3200},
                           headers=h(a.member_key)))
    assert {"owns"} <= {m["relation"] for m in moment if m["kind"] == "edge"}

    nodes = f"/graph/nodes/{ada['id']}"
    for method, url, params, status, field in (
        ("get", "/graph/paths", {"from": ada["id"], "to": bob["id"], "max_depth": 7}, 422, "max_depth"),
        ("get", "/graph/paths", {"from": ada["id"], "to": bob["id"], "max_depth": 0}, 422, "max_depth"),
        ("get", "/graph/paths", {"from": ada["id"], "to": ada["id"]}, 422, "to"),
        ("get", "/graph/paths", {"from": ada["id"], "to": "not-a-uuid"}, 422, "to"),
        ("get", "/graph/paths", {"from": ada["id"], "to": video}, 404, "to"),
        ("get", f"{nodes}/neighbours", {"relation": "Decided!"}, 422, "relation"),
        ("get", f"{nodes}/neighbours", {"direction": "sideways"}, 422, "direction"),
        ("get", f"{nodes}/neighbours", {"limit": 0}, 422, "limit"),
        ("get", "/graph/nodes", {"q": "a\x00b"}, 422, "q"),
        ("get", "/graph/nodes", {"type": "spaceship"}, 422, "type"),
        ("get", "/graph/search", {"q": ""}, 422, "q"),
        ("get", f"/videos/{video}/graph", {"from_ms": 5, "to_ms": 4}, 422, "to_ms"),
        ("get", f"/videos/{video}/graph", {"from_ms": -1}, 422, "from_ms"),
        ("get", f"/graph/nodes/{video}", {}, 404, "node"),
    ):
        r = client.request(method, url, params=params, headers=h(a.member_key))
        assert r.status_code == status and field in r.text, (url, params, r.status_code, r.text)
    # the other tenant: none of it exists
    for url in (nodes, f"{nodes}/neighbours", f"/videos/{video}/graph"):
        assert client.get(url, headers=h(b.owner_key)).status_code == 404, url


LAYER: dict[str, Any] = {
    "model": "an-llm",
    "nodes": [{"key": "r", "type": "product", "name": "Remote control"},
              {"key": "k", "type": "concept", "name": "Kinetic battery"}],
    "edges": [{"source": "r", "target": "k", "relation": "uses"}],
}


async def test_an_extractor_writes_a_whole_layer(client: TestClient, db: Database, owner_db: Database,
                                                 tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    video = await kickoff(db, owner_db, a.owner)
    for body, status, field in (
        ({**LAYER, "edges": [{"source": "r", "target": "r", "relation": "uses"}]}, 422, "edges[0].target"),
        ({**LAYER, "edges": [{"source": "r", "target": "q", "relation": "uses"}]}, 422, "edges[0].target"),
        ({**LAYER, "nodes": [{"key": "r", "type": "product", "name": "a\x00b"}], "edges": []}, 422, "name"),
        ({**LAYER, "nodes": [{"key": "r", "type": "product", "name": "x", "evidence": [{"video_id": str(video)}]}],
          "edges": []}, 404, "video_id"),  # the other tenant's video
        ({**LAYER, "nodes": "many"}, 422, "nodes"),
        ({**LAYER, "edges": [{"source": "r", "target": "k", "relation": "uses", "weight": 1e9}]}, 422, "weight"),
    ):
        r = client.post("/graph/layers", json=body, headers=h(b.owner_key))
        assert r.status_code == status and field in r.text, (body, r.status_code, r.text)
    assert ok(client.get("/graph/layers", headers=h(b.owner_key))) == []  # nothing was written
    assert client.post("/graph/layers", json=LAYER, headers=h(a.member_key)).status_code == 403

    evidence = [{"video_id": str(video), "start_ms": 100, "end_ms": 200, "excerpt": "the remote"}]
    body = {**LAYER, "nodes": [{**LAYER["nodes"][0], "evidence": evidence}, LAYER["nodes"][1]]}
    layer = ok(client.post("/graph/layers", json=body, headers=h(a.owner_key)), 201)
    assert (layer["status"], layer["nodes"], layer["edges"]) == ("ready", 2, 1)
    [m] = ok(client.get(f"/videos/{video}/graph", params={"from_ms": 150}, headers=h(a.member_key)))
    assert m["node"]["name"] == "Remote control" and m["excerpt"] == "the remote"
    second = ok(client.post("/graph/layers", json={**LAYER, "activate": False}, headers=h(a.owner_key)), 201)
    assert second["status"] == "running"
    assert ok(client.post(f"/graph/layers/{second['id']}/activate", headers=h(a.owner_key)))["status"] == "ready"
    assert client.post(f"/graph/layers/{second['id']}/activate", headers=h(b.owner_key)).status_code == 404
    assert client.delete(f"/graph/layers/{second['id']}", headers=h(a.member_key)).status_code == 403
    assert client.delete(f"/graph/layers/{second['id']}", headers=h(a.owner_key)).status_code == 204
    assert client.get("/graph/nodes", headers=h(a.member_key)).status_code == 404  # the first stays superseded
    assert client.get(f"/layers/{layer['id']}", headers=h(a.member_key)).status_code == 404  # not a video's layer
