"""Collaboration and meeting intelligence over HTTP, as a client meets them."""

from __future__ import annotations

import re
from typing import Any

import psycopg
from fastapi.testclient import TestClient

from tests.factories import Tenant

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def video(c: TestClient, key: str, title: str, *texts: str, duration_ms: int = 60_000) -> str:
    r = c.post("/videos", json={"title": title, "duration_ms": duration_ms}, headers=h(key))
    assert r.status_code == 201, r.text
    vid: str = r.json()["id"]
    if texts:
        segs = [
            {"start_ms": i * 1000, "end_ms": i * 1000 + 900, "text": t, "speaker": "A"} for i, t in enumerate(texts)
        ]
        r = c.post(f"/videos/{vid}/transcripts", json={"segments": segs}, headers=h(key))
        assert r.status_code == 201, r.text
    return vid


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    return body


def test_decision_edit_trail_is_complete(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    """Edit every field of a decision through the API: one trail row per change, with old and
    new value and the editor."""
    a, _ = tenants
    c, key = client, a.owner_key
    vid = video(c, key, "Pricing meeting")
    other = ok(c.post("/decisions", json={"summary": "Newer pricing"}, headers=h(key)), 201)["id"]
    t1 = ok(c.post("/decision-tags", json={"name": "Pricing", "color": "#ff8800"}, headers=h(key)), 201)["id"]
    t2 = ok(c.post("/decision-tags", json={"name": "Hardware"}, headers=h(key)), 201)["id"]
    d = ok(c.post("/decisions", json={"summary": "Sell for 25 Euro"}, headers=h(key)), 201)
    did = d["id"]
    assert (d["status"], d["source"], d["edit_count"]) == ("decided", "manual", 0)
    decided_at = d["decided_at"]
    member = a.member.user_id

    steps: list[tuple[dict[str, Any], list[tuple[str, Any, Any]]]] = [
        ({"summary": "Sell for 30 Euro"}, [("summary", "Sell for 25 Euro", "Sell for 30 Euro")]),
        ({"context": "costs went up"}, [("context", None, "costs went up")]),
        ({"source": "meeting"}, [("source", "manual", "meeting")]),
        ({"video_id": vid}, [("video_id", None, vid)]),
        ({"position_ms": 42_000}, [("position_ms", None, "42000")]),
        ({"status": "proposed"}, [("status", "decided", "proposed")]),
        ({"decided_at": "2026-01-02T03:04:05+00:00"}, [("decided_at", decided_at, "2026-01-02T03:04:05+00:00")]),
        ({"status": "decided"}, [("status", "proposed", "decided")]),
        ({"superseded_by": other}, [("status", "decided", "superseded"), ("superseded_by", None, other)]),
        ({"superseded_by": None}, [("status", "superseded", "decided"), ("superseded_by", other, None)]),
        ({"tag_ids": [t1]}, [("tags", None, "Pricing")]),
        ({"tag_ids": [t2]}, [("tags", "Pricing", None), ("tags", None, "Hardware")]),
        ({"participant_user_ids": [str(member)]}, [("participants", None, "user:mem-alpha")]),
        ({"participant_user_ids": []}, [("participants", "user:mem-alpha", None)]),
        ({"context": None}, [("context", "costs went up", None)]),
        ({"summary": "Sell for 30 Euro"}, []),  # no change, no row
    ]
    expected: list[tuple[str, Any, Any]] = []
    for patch, rows in steps:
        ok(c.patch(f"/decisions/{did}", json=patch, headers=h(key)))
        expected += rows
        trail = ok(c.get(f"/decisions/{did}/edits", headers=h(key)))
        got = [(e["field"], e["old_value"], e["new_value"]) for e in trail]
        assert _norm(got) == _norm(expected), patch
    ok(
        c.post(
            f"/decisions/{did}/links", json={"target_decision_id": other, "link_type": "depends_on"}, headers=h(key)
        ),
        201,
    )
    ok(c.delete(f"/decisions/{did}/links/{other}", headers=h(key)), 204)
    expected += [("links", None, f"depends_on {other}"), ("links", f"depends_on {other}", None)]
    trail = ok(c.get(f"/decisions/{did}/edits", headers=h(key)))
    assert _norm([(e["field"], e["old_value"], e["new_value"]) for e in trail]) == _norm(expected)
    assert {e["user_id"] for e in trail} == {str(a.owner.user_id)}
    # every field of DecisionUpdate was exercised
    assert {f for p, _ in steps for f in p} == {
        "summary",
        "context",
        "source",
        "video_id",
        "position_ms",
        "status",
        "decided_at",
        "superseded_by",
        "tag_ids",
        "participant_user_ids",
    }
    # a refused edit writes nothing, not even a trail row
    problem(c.patch(f"/decisions/{did}", json={"position_ms": 61_000}, headers=h(key)), 422)
    problem(c.patch(f"/decisions/{did}", json={"summary": "x", "tag_ids": [vid]}, headers=h(key)), 404)
    assert len(ok(c.get(f"/decisions/{did}/edits", headers=h(key)))) == len(expected)
    assert ok(c.get(f"/decisions/{did}", headers=h(key)))["summary"] == "Sell for 30 Euro"


def _norm(rows: list[tuple[str, Any, Any]]) -> list[tuple[str, Any, Any]]:
    """Timestamps as the database prints them in the trail; one comparable form."""

    def ts(v: Any) -> Any:
        return v.replace("T", " ")[:19] if isinstance(v, str) and re.match(r"\d{4}-\d\d-\d\dT", v) else v

    return [(f, ts(o), ts(n)) for f, o, n in rows]


def test_share_links_open_one_video_and_nothing_else(
    client: TestClient, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, b = tenants
    c = client
    v1 = video(c, a.owner_key, "Shared talk", "hello shared world", "second line")
    v2 = video(c, a.owner_key, "Private talk", "secret roadmap")
    problem(c.post(f"/videos/{v1}/share-links", json={}, headers=h(a.member_key)), 403)  # not the author
    problem(c.post(f"/videos/{v1}/share-links", json={}, headers=h(b.owner_key)), 404)  # another organization
    problem(
        c.post(f"/videos/{v1}/share-links", json={"expires_at": "2000-01-01T00:00:00Z"}, headers=h(a.owner_key)), 422
    )
    link = ok(c.post(f"/videos/{v1}/share-links", json={}, headers=h(a.owner_key)), 201)
    token = link["token"]
    assert link["path"] == f"/share/{token}" and not link["has_password"]
    shared = ok(c.get(f"/share/{token}"))  # no API key
    assert shared["title"] == "Shared talk"
    assert [s["text"] for s in shared["segments"]] == ["hello shared world", "second line"]
    assert not UUID_RE.search(str(shared)), "a share link reveals no ids"
    assert "secret" not in str(shared)
    assert c.get(f"/share/{token}").headers["cache-control"] == "no-store"
    links = ok(c.get(f"/videos/{v1}/share-links", headers=h(a.member_key)))
    assert [x["view_count"] for x in links] == [2] and "token" not in links[0]
    # with a password
    locked = ok(c.post(f"/videos/{v2}/share-links", json={"password": "open sesame"}, headers=h(a.owner_key)), 201)
    problem(c.get(f"/share/{locked['token']}"), 401)
    problem(c.get(f"/share/{locked['token']}", headers={"X-Share-Password": "wrong"}), 401)
    assert (
        ok(c.get(f"/share/{locked['token']}", headers={"X-Share-Password": "open sesame"}))["title"] == "Private talk"
    )
    assert ok(c.get(f"/share/{locked['token']}", params={"password": "open sesame"}))["title"] == "Private talk"
    # unknown, malformed, revoked and expired links are all simply not found
    problem(c.get("/share/mbs_" + "x" * 43), 404)
    problem(c.get("/share/not-a-token"), 404)
    problem(c.post(f"/share-links/{link['id']}/revoke", headers=h(b.owner_key)), 404)
    revoked = ok(c.post(f"/share-links/{link['id']}/revoke", headers=h(a.owner_key)))
    assert revoked["revoked_at"] is not None
    assert problem(c.get(f"/share/{token}"), 404)["detail"].startswith("this share link does not exist")
    with psycopg.connect(migrated_url) as conn:
        conn.execute(
            "UPDATE mediabase.share_links SET expires_at = created_at + interval '1 millisecond' WHERE id = %s",
            (locked["id"],),
        )
    problem(c.get(f"/share/{locked['token']}", headers={"X-Share-Password": "open sesame"}), 404)
    # a deleted video is gone from its links too
    fresh = ok(c.post(f"/videos/{v2}/share-links", json={}, headers=h(a.owner_key)), 201)
    ok(c.delete(f"/videos/{v2}", headers=h(a.owner_key)), 204)
    problem(c.get(f"/share/{fresh['token']}"), 404)


def test_comments_threads_reactions_and_notifications(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    c = client
    vid = video(c, a.owner_key, "Design review")
    root = ok(
        c.post(
            f"/videos/{vid}/comments",
            json={"body": "Look at 0:12 @mem-alpha", "position_ms": 12_000},
            headers=h(a.owner_key),
        ),
        201,
    )
    reply = ok(
        c.post(f"/videos/{vid}/comments", json={"body": "Agreed", "parent_id": root["id"]}, headers=h(a.member_key)),
        201,
    )
    problem(
        c.post(f"/videos/{vid}/comments", json={"body": "late", "position_ms": 61_000}, headers=h(a.owner_key)), 422
    )
    problem(c.patch(f"/comments/{root['id']}", json={"body": "not mine"}, headers=h(a.member_key)), 403)
    edited = ok(c.patch(f"/comments/{reply['id']}", json={"body": "Agreed!"}, headers=h(a.member_key)))
    assert edited["edited_at"] is not None
    assert ok(c.put(f"/comments/{root['id']}/reactions/👍", headers=h(a.member_key)))["reactions"] == {"👍": 1}
    assert ok(c.put(f"/comments/{root['id']}/reactions/👍", headers=h(a.member_key)))["reactions"] == {"👍": 1}
    mine = ok(c.put(f"/comments/{root['id']}/reactions/🎉", headers=h(a.owner_key)))
    assert mine["reactions"] == {"👍": 1, "🎉": 1} and mine["my_reactions"] == ["🎉"]
    # the member was mentioned, the owner got a reply
    member_notes = ok(c.get("/notifications", headers=h(a.member_key)))
    assert [n["kind"] for n in member_notes] == ["mention"]
    owner_notes = ok(c.get("/notifications", params={"unread": True}, headers=h(a.owner_key)))
    assert [n["kind"] for n in owner_notes] == ["reply"]
    assert ok(c.post("/notifications/read-all", headers=h(a.owner_key))) == {"marked": 1}
    problem(c.post(f"/notifications/{member_notes[0]['id']}/read", headers=h(a.owner_key)), 404)
    # an ADMIN deletes; the comment keeps its place in the thread while it has replies
    ok(c.delete(f"/comments/{root['id']}", headers=h(a.owner_key)), 204)
    thread = ok(c.get(f"/videos/{vid}/comments", headers=h(a.member_key)))
    assert [(x["id"], x["body"], x["reply_count"]) for x in thread] == [
        (root["id"], None, 1),
        (reply["id"], "Agreed!", 0),
    ]
    problem(c.post(f"/videos/{vid}/comments", json={"body": "x", "parent_id": root["id"]}, headers=h(a.owner_key)), 409)
    problem(c.put(f"/comments/{root['id']}/reactions/👍", headers=h(a.owner_key)), 409)
    problem(c.get(f"/videos/{vid}/comments", headers=h(b.owner_key)), 404)
    ok(c.delete(f"/comments/{reply['id']}", headers=h(a.member_key)), 204)
    assert ok(c.get(f"/videos/{vid}/comments", headers=h(a.member_key))) == []


def test_moments_clips_reels_quote_cards(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    c = client
    vid = video(c, a.member_key, "Demo day", "the big reveal")
    moment = ok(
        c.post(
            f"/videos/{vid}/moments",
            json={"title": "Reveal", "start_ms": 0, "end_ms": 900, "moment_type": "key_point"},
            headers=h(a.member_key),
        ),
        201,
    )
    problem(
        c.post(f"/videos/{vid}/moments", json={"title": "x", "start_ms": 9, "end_ms": 1}, headers=h(a.member_key)), 422
    )
    clip = ok(
        c.post(
            f"/videos/{vid}/clips",
            json={"title": "Reveal clip", "start_ms": 0, "end_ms": 900, "moment_id": moment["id"]},
            headers=h(a.member_key),
        ),
        201,
    )
    assert clip["status"] == "pending"
    problem(c.patch(f"/clips/{clip['id']}", json={"status": "ready"}, headers=h(a.member_key)), 409)
    ok(c.patch(f"/clips/{clip['id']}", json={"status": "processing"}, headers=h(a.member_key)))
    problem(c.patch(f"/clips/{clip['id']}", json={"status": "ready"}, headers=h(a.member_key)), 422)  # no file yet
    ready = ok(
        c.patch(f"/clips/{clip['id']}", json={"status": "ready", "storage_key": "clips/r.mp4"}, headers=h(a.member_key))
    )
    assert ready["status"] == "ready"
    clip2 = ok(
        c.post(f"/videos/{vid}/clips", json={"title": "Tail", "start_ms": 100, "end_ms": 600}, headers=h(a.owner_key)),
        201,
    )
    other_vid = video(c, b.owner_key, "theirs")
    foreign = ok(
        c.post(
            f"/videos/{other_vid}/clips", json={"title": "theirs", "start_ms": 0, "end_ms": 10}, headers=h(b.owner_key)
        ),
        201,
    )
    problem(
        c.post("/reels", json={"title": "Mixed", "clip_ids": [clip["id"], foreign["id"]]}, headers=h(a.member_key)), 404
    )
    assert ok(c.get("/reels", headers=h(a.member_key))) == []  # the refused reel left nothing behind
    reel = ok(
        c.post("/reels", json={"title": "Best of", "clip_ids": [clip2["id"], clip["id"]]}, headers=h(a.member_key)), 201
    )
    assert [x["clip_id"] for x in reel["clips"]] == [clip2["id"], clip["id"]] and reel["duration_ms"] == 1400
    problem(c.patch(f"/reels/{reel['id']}", json={"status": "rendering"}, headers=h(b.owner_key)), 404)
    ok(c.patch(f"/reels/{reel['id']}", json={"status": "rendering"}, headers=h(a.member_key)))
    problem(c.put(f"/reels/{reel['id']}/clips", json={"clip_ids": [clip["id"]]}, headers=h(a.member_key)), 409)
    ok(c.patch(f"/reels/{reel['id']}", json={"status": "ready", "storage_key": "reels/1.mp4"}, headers=h(a.member_key)))
    again = ok(c.put(f"/reels/{reel['id']}/clips", json={"clip_ids": [clip["id"]]}, headers=h(a.member_key)))
    assert again["status"] == "draft" and again["duration_ms"] == 900
    problem(c.delete(f"/clips/{clip2['id']}", headers=h(a.member_key)), 403)  # the owner's clip
    ok(c.delete(f"/clips/{clip['id']}", headers=h(a.member_key)), 204)
    assert ok(c.get(f"/reels/{reel['id']}", headers=h(a.member_key)))["clips"] == []
    card = ok(
        c.post(
            f"/videos/{vid}/quote-cards",
            json={
                "quote_text": "the big reveal",
                "speaker": "A",
                "start_ms": 0,
                "end_ms": 900,
                "template": {"theme": "dark"},
            },
            headers=h(a.member_key),
        ),
        201,
    )
    assert card["template"] == {"theme": "dark"}
    assert ok(c.patch(f"/quote-cards/{card['id']}", json={"template": None}, headers=h(a.member_key)))["template"] == {}
    overview = ok(c.get(f"/videos/{vid}/overview", headers=h(a.member_key)))
    assert (overview["moment_count"], overview["clip_count"], overview["quote_card_count"]) == (1, 1, 1)


def test_overview_activity_audit_and_roles(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    c = client
    vid = video(c, a.owner_key, "Weekly", "we decided to ship")
    ok(c.put(f"/videos/{vid}/progress", json={"position_ms": 15_000}, headers=h(a.member_key)))
    ok(c.post(f"/videos/{vid}/comments", json={"body": "nice"}, headers=h(a.member_key)), 201)
    ok(
        c.post("/decisions", json={"summary": "Ship it", "video_id": vid, "position_ms": 0}, headers=h(a.member_key)),
        201,
    )
    ok(
        c.post(
            f"/videos/{vid}/action-items",
            json={"title": "Tell sales", "priority": "high", "assignee_user_id": str(a.owner.user_id)},
            headers=h(a.member_key),
        ),
        201,
    )
    mine = ok(c.get(f"/videos/{vid}/overview", headers=h(a.member_key)))
    assert (
        mine["comment_count"],
        mine["decision_count"],
        mine["action_item_count"],
        mine["open_action_item_count"],
    ) == (1, 1, 1, 1)
    assert (mine["my_position_ms"], mine["my_progress_percent"]) == (15_000, 25.0)
    assert ok(c.get(f"/videos/{vid}/overview", headers=h(a.owner_key)))["my_position_ms"] is None
    assert [i["title"] for i in ok(c.get("/action-items", params={"mine": True}, headers=h(a.owner_key)))] == [
        "Tell sales"
    ]
    feed = ok(c.get("/activity", params={"limit": 3}, headers=h(a.member_key)))
    assert [(x["subject_type"], x["action"]) for x in feed["items"]] == [
        ("ai_action_items", "INSERT"),
        ("decisions", "INSERT"),
        ("comments", "INSERT"),
    ]
    assert feed["items"][0]["label"] == "Tell sales" and feed["next_cursor"]
    more = ok(c.get("/activity", params={"limit": 50, "cursor": feed["next_cursor"]}, headers=h(a.member_key)))
    assert ("videos", "INSERT") in [(x["subject_type"], x["action"]) for x in more["items"]]
    problem(c.get("/audit", headers=h(a.member_key)), 403)
    audit = ok(c.get("/audit", params={"table": "video_progress"}, headers=h(a.owner_key)))
    assert [x["after"]["position_ms"] for x in audit["items"]] == [15_000]
    problem(c.get("/decisions", params={"status": "maybe"}, headers=h(a.owner_key)), 422)
    problem(c.get("/activity", params={"cursor": "garbage"}, headers=h(a.owner_key)), 422)


def test_ai_layers_over_http(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    c = client
    vid = video(c, a.owner_key, "Planning", "we will ship in may")
    layer = ok(
        c.post(
            f"/videos/{vid}/ai-layers",
            json={
                "kind": "summary",
                "model": "local-llm",
                "model_version": "1",
                "summary": {"summary": "They plan to ship in May.", "key_points": ["ship in May"]},
            },
            headers=h(a.owner_key),
        ),
        201,
    )
    assert (layer["status"], layer["item_count"]) == ("ready", 1)
    assert ok(c.get(f"/videos/{vid}/summary", headers=h(a.member_key)))["summary"] == "They plan to ship in May."
    topics = ok(
        c.post(
            f"/videos/{vid}/ai-layers",
            json={"kind": "topics", "model": "m", "topics": [{"topic": "Release", "start_ms": 0, "end_ms": 900}]},
            headers=h(a.owner_key),
        ),
        201,
    )
    assert [t["name"] for t in ok(c.get("/topics", headers=h(a.member_key)))] == ["Release"]
    assert [m["start_ms"] for m in ok(c.get(f"/videos/{vid}/topics", headers=h(a.member_key)))] == [0]
    ok(c.delete(f"/ai-layers/{topics['id']}", headers=h(a.owner_key)), 204)
    assert [t["mention_count"] for t in ok(c.get("/topics", headers=h(a.member_key)))] == [0]
    problem(
        c.post(
            f"/videos/{vid}/ai-layers", json={"kind": "topics", "model": "m", "decisions": []}, headers=h(a.owner_key)
        ),
        422,
    )
    kinds = [x["kind"] for x in ok(c.get(f"/videos/{vid}/ai-layers", headers=h(a.member_key)))]
    assert kinds == ["summary"]


def test_decisions_found_by_meaning_over_http(client: TestClient, tenants: tuple[Tenant, Tenant],
                                             migrated_url: str) -> None:
    """mode=semantic finds a decision that shares no word with the query, once the
    decision.embed job (here: its function) has embedded it; hybrid adds the keyword matches;
    an unknown mode is a 422."""
    import asyncio

    from mediabase.db.connection import Database
    from mediabase.insights.decision_vectors import embed_stale
    from mediabase.search.vectors import embedder_for
    from tests.conftest import make_settings

    a, b = tenants
    price = ok(client.post("/decisions", json={"summary": "The remote will sell for 25 Euro"},
                           headers=h(a.owner_key)), 201)["id"]
    ok(client.post("/decisions", json={"summary": "Meetings start at nine"}, headers=h(a.owner_key)), 201)
    ok(client.post("/decisions", json={"summary": "Its price is 25 Euro"}, headers=h(b.owner_key)), 201)
    q = {"q": "how much will customers pay", "mode": "semantic"}
    assert ok(client.get("/decisions", params=q, headers=h(a.owner_key)))["items"] == []  # not embedded yet

    async def embed() -> None:
        settings = make_settings(migrated_url)
        async with Database(migrated_url, settings) as db:
            for t in (a, b):
                await embed_stale(db, t.owner.organization_id, embedder_for(settings))

    asyncio.run(embed())
    items = ok(client.get("/decisions", params=q, headers=h(a.owner_key)))["items"]
    assert [d["id"] for d in items][:1] == [price] and len(items) == 2  # b's decision never shows
    hybrid = ok(client.get("/decisions", params={"q": "nine", "mode": "hybrid"}, headers=h(a.owner_key)))["items"]
    assert hybrid[0]["summary"] == "Meetings start at nine"
    problem(client.get("/decisions", params={"q": "x", "mode": "fuzzy"}, headers=h(a.owner_key)), 422)
