"""``GET /story-search``, ``GET /public/{slug}/story-search`` and ``mediabase stories search`` as
clients use them: hits with snippets, the members' and the public's visibility, another
organization's stories never found, bad input answered with a 4xx problem and nothing else."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from mediabase.db.connection import Database
from tests.acceptance.cli import mediabase
from tests.factories import Tenant
from tests.integration.test_stories_search import lighthouse


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


async def test_story_search_over_http(client: TestClient, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a_t, b_t = tenants
    a, b = await lighthouse(db, a_t), await lighthouse(db, b_t, slug="fables")
    mem, own = h(a_t.member_key), h(a_t.owner_key)
    page = ok(client.get("/story-search", params={"q": "lighthouses"}, headers=mem))
    assert {x["kind"] for x in page["hits"]} == {"idea", "segment", "bible"} and page["next_cursor"] is None
    assert {(x["topic_id"], x["idea_id"]) for x in page["hits"]} == {(str(a.topic), str(a.idea))}
    assert all("<mark>lighthouse</mark>" in x["snippet"] for x in page["hits"])
    only = ok(client.get("/story-search", params=[("q", "lighthouse"), ("kind", "segment"), ("kind", "bible")],
                         headers=mem))
    assert {x["kind"] for x in only["hits"]} == {"segment", "bible"}
    first = ok(client.get("/story-search", params={"q": "lighthouse", "limit": 1}, headers=mem))
    second = ok(client.get("/story-search", params={"q": "lighthouse", "limit": 1, "cursor": first["next_cursor"]},
                           headers=mem))
    assert first["hits"][0]["id"] != second["hits"][0]["id"]
    assert ok(client.get("/story-search", params={"q": "lighthouse", "scene_id": str(a.scene)}, headers=own))["hits"]
    # bad input: a problem naming the field, nothing else
    bad: list[tuple[dict[str, Any], str]] = [
        ({}, "q"), ({"q": ""}, "q"), ({"q": "x" * 1001}, "q"), ({"q": "\x00"}, "q"),
        ({"q": "a", "kind": "video"}, "kind"), ({"q": "a", "limit": 0}, "limit"),
        ({"q": "a", "match": "some"}, "match"), ({"q": "a", "cursor": "!!"}, "cursor"),
        ({"q": "keeper", "cursor": first["next_cursor"]}, "cursor"), ({"q": "a", "topic_id": "nope"}, "topic_id")]
    for params, field in bad:
        r = client.get("/story-search", params=params, headers=mem)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), (params, r.text)
        assert field in r.text, (params, r.text)
    assert client.get("/story-search", params={"q": "a", "topic_id": str(b.topic)}, headers=mem).status_code == 404
    assert client.get("/story-search", params={"q": "a", "scene_id": str(b.scene)}, headers=mem).status_code == 404
    assert client.get("/story-search", params={"q": "lighthouse"}).status_code == 401

    # the public read path: published and approved only; no user ids
    base = f"/public/{a_t.slug}/story-search"
    closed = client.get(base, params={"q": "lighthouse"})
    assert closed.status_code == 404 and closed.json() == client.get(
        "/public/nowhere/story-search", params={"q": "lighthouse"}).json()
    ok(client.put("/story-publication", headers=own))
    assert ok(client.get(base, params={"q": "lighthouse"}))["hits"] == []  # the idea waits for moderation
    ok(client.patch(f"/ideas/{a.idea}", json={"moderation_status": "approved"}, headers=own))
    shown = client.get(base, params={"q": "lighthouse"})
    assert {x["kind"] for x in ok(shown)["hits"]} == {"idea", "segment", "bible"}
    for user in (a.owner.user_id, a.member.user_id, b.owner.user_id, b.member.user_id):
        assert str(user) not in shown.text
    assert client.get(base, params={"q": ""}).status_code == 422


async def test_stories_search_command(migrated_url: str, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a = await lighthouse(db, tenants[0])
    await lighthouse(db, tenants[1], slug="fables")
    r = mediabase("stories", "search", "lighthouses", "--org", tenants[0].slug, "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    hits = json.loads(r.stdout)["hits"]
    assert {x["kind"] for x in hits} == {"idea", "segment", "bible"}
    assert {x["idea_id"] for x in hits} == {str(a.idea)}
    shown = mediabase("stories", "search", "lamp room", "--kind", "segment", "--topic", "sea", "--org",
                      tenants[0].slug, url=migrated_url)
    assert shown.returncode == 0 and "Gull Rock" in shown.stdout and "segment 1" in shown.stdout, shown.stderr
    empty = mediabase("stories", "search", "  ", "--org", tenants[0].slug, url=migrated_url)
    assert empty.returncode == 1 and "the query is empty" in empty.stderr and "Traceback" not in empty.stderr
