"""The story platform over HTTP, as a client meets it, with a worker in the server's process: a
continuation goes from POST to the scene's next segment and bible version."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.integration.stories_world import BIBLE


@pytest.fixture
def months(migrated_url: str) -> None:
    """This month's partitions made before anything is written: the in-process worker's upkeep
    then has no rows to move out of a DEFAULT partition while requests write (that move locks
    the parent table)."""
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("SELECT * FROM mediabase.maintain_partitions()")


@pytest.fixture
def server(migrated_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(migrated_url), url=migrated_url, worker=True)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    return body


def test_a_community_from_topic_to_continued_scene(
    months: None, server: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    c, own, mem = server, h(a.owner_key), h(a.member_key)
    problem(c.post("/story-topics", json={"name": "Sea", "slug": "sea"}, headers=mem), 403)
    topic = ok(c.post("/story-topics", json={"name": "Sea", "slug": "sea"}, headers=own), 201)
    problem(c.post("/story-topics", json={"name": "Sea again", "slug": "sea"}, headers=own), 409)
    storms = ok(c.post(f"/story-topics/{topic['id']}/categories", json={"name": "Storms", "slug": "storms"},
                       headers=own), 201)
    other = ok(c.post("/story-topics", json={"name": "Land", "slug": "land"}, headers=own), 201)
    fields = ok(c.post(f"/story-topics/{other['id']}/categories", json={"name": "Fields", "slug": "fields"},
                       headers=own), 201)
    # a category of another topic: refused, naming the field
    body = problem(c.post("/ideas", json={"topic_id": topic["id"], "category_id": fields["id"], "title": "t",
                                          "prompt": "p"}, headers=mem), 404)
    assert body["field"] == "category_id" and body["constraint"] == "story_ideas_category_fk"
    ideas = [ok(c.post("/ideas", json={"topic_id": topic["id"], "category_id": storms["id"], "title": f"Idea {i}",
                                       "prompt": "A keeper finds a log.", "tags": ["sea", "Log"]}, headers=mem), 201)
             for i in range(3)]
    assert ideas[0]["tags"] == ["sea", "log"] and ideas[0]["moderation_status"] == "pending"
    first = ok(c.get(f"/story-topics/{topic['id']}/ideas", params={"limit": 2}, headers=mem))
    assert [i["title"] for i in first["items"]] == ["Idea 2", "Idea 1"] and first["next_cursor"]
    rest = ok(c.get(f"/story-topics/{topic['id']}/ideas", params={"limit": 2, "cursor": first["next_cursor"]},
                    headers=mem))
    assert [i["title"] for i in rest["items"]] == ["Idea 0"] and rest["next_cursor"] is None
    problem(c.get(f"/story-topics/{topic['id']}/ideas", params={"cursor": "garbage"}, headers=mem), 422)
    # an invalid first bible: the JSON path of the error, and no scene
    bad = copy.deepcopy(BIBLE)
    bad["characters"][0]["entityId"] = "Ada"
    body = problem(c.post(f"/ideas/{ideas[0]['id']}/scenes", json={"title": "Night", "bible": bad}, headers=mem), 422)
    assert body["field"] == "data.characters[0].entityId" and "$.characters[0].entityId" in body["detail"]
    scene = ok(c.post(f"/ideas/{ideas[0]['id']}/scenes", json={"title": "Night", "bible": BIBLE}, headers=mem), 201)
    assert (scene["topic_id"], scene["bible_version"], scene["segment_count"]) == (topic["id"], 1, 0)
    sid = scene["id"]
    # another organization sees nothing of it
    problem(c.get(f"/scenes/{sid}", headers=h(b.owner_key)), 404)
    problem(c.post(f"/scenes/{sid}/continuations", json={"text": "x"}, headers=h(b.owner_key)), 404)

    jobs = []
    for text in ("Ada lights the lamp.", "The storm breaks the window.", "A ship answers the light."):
        cont = ok(c.post(f"/scenes/{sid}/continuations", json={"text": text}, headers=mem), 202)
        assert cont["state"] == "queued" and cont["job_status"] == "queued"
        jobs.append(cont["job_id"])
    for job in jobs:
        done = ok(c.get(f"/jobs/{job}/wait", params={"timeout": 60}, headers=mem))
        assert done["status"] == "completed", done
        assert done["stage"] == "completed" and done["progress"] == 100
    conts = ok(c.get(f"/scenes/{sid}/continuations", headers=mem))["items"]
    assert {x["state"] for x in conts} == {"finalized"} and len(conts) == 3
    playlist = ok(c.get(f"/scenes/{sid}/segments", params={"limit": 2}, headers=mem))
    tail = ok(c.get(f"/scenes/{sid}/segments", params={"cursor": playlist["next_cursor"]}, headers=mem))
    segments = playlist["items"] + tail["items"]
    assert [s["sequence"] for s in segments] == [1, 2, 3] and tail["next_cursor"] is None
    assert {s["input_text"] for s in segments} == {"Ada lights the lamp.", "The storm breaks the window.",
                                                  "A ship answers the light."}
    latest = ok(c.get(f"/scenes/{sid}/bible", headers=mem))
    assert latest["version"] == 4 and len(latest["data"]["timeline"]["majorEvents"]) == 3
    versions = ok(c.get(f"/scenes/{sid}/bible/versions", headers=mem))["items"]
    assert [v["version"] for v in versions] == [4, 3, 2, 1]
    assert ok(c.get(f"/scenes/{sid}/bible/versions/1", headers=mem))["data"] == BIBLE
    scene = ok(c.get(f"/scenes/{sid}", headers=mem))
    assert (scene["segment_count"], scene["bible_version"], scene["contributor_count"]) == (3, 4, 1)
    listed = ok(c.get(f"/story-topics/{topic['id']}/scenes", headers=mem))["items"]
    assert [s["id"] for s in listed] == [sid]

    # a hand-written bible: compare-and-set on the version it replaces
    problem(c.post(f"/scenes/{sid}/bible", json={"expected_version": 3, "data": {**BIBLE, "version": 4}},
                   headers=mem), 409)
    ok(c.post(f"/scenes/{sid}/bible", json={"expected_version": 4, "data": {**BIBLE, "version": 5}}, headers=mem), 201)
    # summaries never overlap
    ok(c.post(f"/scenes/{sid}/summaries", json={"first_sequence": 1, "last_sequence": 2, "summary": "Night."},
              headers=mem), 201)
    problem(c.post(f"/scenes/{sid}/summaries", json={"first_sequence": 2, "last_sequence": 3, "summary": "x"},
                   headers=mem), 409)
    # locked: no more continuations
    ok(c.patch(f"/scenes/{sid}", json={"status": "locked"}, headers=mem))
    body = problem(c.post(f"/scenes/{sid}/continuations", json={"text": "Too late."}, headers=mem), 409)
    assert "locked" in body["detail"]
    problem(c.patch(f"/scenes/{sid}", json={"status": "removed"}, headers=mem), 403)
    # the job type is mediabase's own: not enqueued through /jobs
    problem(c.post("/jobs", json={"type": "story.continuation", "input": {}}, headers=mem), 403)


def test_topic_proposals_are_reviewed_by_admins(
    months: None, server: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    c, own, mem = server, h(a.owner_key), h(a.member_key)
    prop = ok(c.post("/story-topic-proposals", json={"name": "Ghost Ships"}, headers=mem), 201)
    queue = ok(c.get("/story-topic-proposals", headers=mem))["items"]
    assert [p["id"] for p in queue] == [prop["id"]]
    problem(c.post(f"/story-topic-proposals/{prop['id']}/review", json={"decision": "approve"}, headers=mem), 403)
    problem(c.post(f"/story-topic-proposals/{prop['id']}/review", json={"decision": "approve", "reason": "x"},
                   headers=own), 422)
    done = ok(c.post(f"/story-topic-proposals/{prop['id']}/review", json={"decision": "approve", "promote": True},
                     headers=own))
    assert done["status"] == "approved" and done["reviewed_at"] and done["promoted_topic_id"]
    assert ok(c.get(f"/story-topics/{done['promoted_topic_id']}", headers=mem))["slug"] == "ghost-ships"
    problem(c.post(f"/story-topic-proposals/{prop['id']}/review", json={"decision": "reject"}, headers=own), 409)
    assert ok(c.get("/story-topic-proposals", headers=mem))["items"] == []


def test_likes_views_and_moderation_over_http(
    months: None, server: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    c, own, mem = server, h(a.owner_key), h(a.member_key)
    topic = ok(c.post("/story-topics", json={"name": "Sea", "slug": "sea"}, headers=own), 201)
    idea = ok(c.post("/ideas", json={"topic_id": topic["id"], "title": "t", "prompt": "p"}, headers=mem), 201)
    sid = ok(c.post(f"/ideas/{idea['id']}/scenes", json={"title": "Night"}, headers=mem), 201)["id"]
    assert ok(c.put(f"/scenes/{sid}/like", headers=mem)) == {"liked": True, "like_count": 1}
    assert ok(c.put(f"/scenes/{sid}/like", headers=mem)) == {"liked": True, "like_count": 1}
    assert ok(c.put(f"/scenes/{sid}/like", headers=own))["like_count"] == 2
    assert ok(c.delete(f"/scenes/{sid}/like", headers=own)) == {"liked": False, "like_count": 1}
    assert ok(c.get(f"/scenes/{sid}/like", headers=mem))["liked"] is True
    assert ok(c.put(f"/ideas/{idea['id']}/like", headers=own))["like_count"] == 1
    assert ok(c.get(f"/ideas/{idea['id']}", headers=mem))["like_count"] == 1
    for _ in range(3):
        ok(c.post(f"/scenes/{sid}/views", headers=mem), 204)
    scene = ok(c.get(f"/scenes/{sid}", headers=mem))
    assert (scene["like_count"], scene["view_count"]) == (1, 3)
    problem(c.put(f"/scenes/{sid}/like", headers=h(b.owner_key)), 404)
    problem(c.post("/story-flags", json={"reason": "spam"}, headers=mem), 422)
    problem(c.post("/story-flags", json={"scene_id": sid, "idea_id": idea["id"], "reason": "spam"}, headers=mem), 422)
    flag = ok(c.post("/story-flags", json={"scene_id": sid, "reason": "spam"}, headers=mem), 201)
    assert problem(c.post("/story-flags", json={"scene_id": sid, "reason": "abuse"}, headers=mem), 409)["field"] \
        == "scene_id"
    problem(c.get("/story-flags", headers=mem), 403)
    assert [f["id"] for f in ok(c.get("/story-flags", headers=own))["items"]] == [flag["id"]]
    body = problem(c.post(f"/story-flags/{flag['id']}/review", json={"decision": "resolve", "action": "deactivated"},
                          headers=own), 422)
    assert body["field"] == "action"
    done = ok(c.post(f"/story-flags/{flag['id']}/review", json={"decision": "resolve", "action": "removed"},
                     headers=own))
    assert done["status"] == "resolved" and done["action_taken"] == "removed"
    ok(c.get(f"/scenes/{sid}", headers=mem))  # its creator still sees it
    assert ok(c.get(f"/scenes/{sid}", headers=own))["status"] == "removed"
    assert ok(c.get("/story-counters/differences", headers=own)) == []
    problem(c.get("/story-counters/differences", headers=mem), 403)
