"""Property: whatever members of two organizations do through the API, no response ever
returns, changes or references the other organization's rows.

Each example drives a random sequence of operations by the OWNER and MEMBER of two
organizations, aimed at their own objects and at the other organization's; every response
is checked for the other organization's ids and marker text, and every request aimed at
the other organization's object must answer 404 and change nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Tenant

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class World:
    tenants: list[Tenant]
    ids: list[set[str]] = field(default_factory=lambda: [set(), set()])  # every id seen per org
    videos: list[list[str]] = field(default_factory=lambda: [[], []])
    # collaboration objects per organization (comments, clips, decisions …), share links, titles
    objs: dict[str, list[list[str]]] = field(default_factory=lambda: defaultdict(lambda: [[], []]))
    shares: list[list[dict[str, Any]]] = field(default_factory=lambda: [[], []])
    titles: dict[str, str] = field(default_factory=dict)
    deleted: set[str] = field(default_factory=set)

    def learn(self, org: int, body: Any) -> None:
        self.ids[org].update(UUID_RE.findall(str(body)))


ZERO = "00000000-0000-0000-0000-000000000000"
COLLAB_OPS = [
    "comment",
    "comments",
    "comment_edit",
    "react",
    "moment",
    "clip",
    "reel",
    "reel_get",
    "quote_card",
    "share",
    "share_revoke",
    "share_open",
    "decision",
    "decision_get",
    "decision_patch",
    "decision_link",
    "decision_edits",
    "decisions_search",
    "tag",
    "action_item",
    "action_item_patch",
    "action_items",
    "ai_layer",
    "layer_get",
    "topics",
    "video_topics",
    "notifications",
    "activity",
    "audit",
    "overview",
]


def collab_call(
    c: TestClient, w: World, org: int, hdr: dict[str, str], op: str, target: int, pick: int, vid: str, marker: str
) -> tuple[Any, bool]:
    """The collaboration and meeting-intelligence endpoints: (response, aimed at the other org)."""
    video_aimed = target != org and bool(w.videos[target])

    def obj(kind: str) -> tuple[str, bool]:
        pool = w.objs[kind][target]
        return (pool[pick % len(pool)] if pool else ZERO), target != org and bool(pool)

    def keep(kind: str, r: Any) -> Any:
        if r.status_code == 201:
            w.objs[kind][org].append(r.json()["id"])
        return r

    if op == "comment":
        r = keep("comments", c.post(f"/videos/{vid}/comments", json={"body": f"{marker} @own-alpha"}, headers=hdr))
        return r, video_aimed
    if op == "comments":
        return c.get(f"/videos/{vid}/comments", headers=hdr), video_aimed
    if op in ("comment_edit", "react"):
        cid, aimed = obj("comments")
        if op == "react":
            return c.put(f"/comments/{cid}/reactions/👍", headers=hdr), aimed
        return c.patch(f"/comments/{cid}", json={"body": f"{marker} edit"}, headers=hdr), aimed
    if op == "moment":
        moment = {"title": marker, "start_ms": 0, "end_ms": 1}
        return c.post(f"/videos/{vid}/moments", json=moment, headers=hdr), video_aimed
    if op == "clip":
        clip = {"title": marker, "start_ms": 0, "end_ms": 10}
        return keep("clips", c.post(f"/videos/{vid}/clips", json=clip, headers=hdr)), video_aimed
    if op == "reel":
        clip_id, aimed = obj("clips")
        return keep("reels", c.post("/reels", json={"title": marker, "clip_ids": [clip_id]}, headers=hdr)), aimed
    if op == "reel_get":
        reel_id, aimed = obj("reels")
        return c.get(f"/reels/{reel_id}", headers=hdr), aimed
    if op == "quote_card":
        card = {"quote_text": marker, "start_ms": 0}
        return c.post(f"/videos/{vid}/quote-cards", json=card, headers=hdr), video_aimed
    if op == "share":
        r = c.post(f"/videos/{vid}/share-links", json={}, headers=hdr)
        if r.status_code == 201:
            w.shares[org].append({"id": r.json()["id"], "token": r.json()["token"], "video": vid, "revoked": False})
        return r, video_aimed
    if op == "share_revoke":
        links = w.shares[target]
        link: dict[str, Any] = links[pick % len(links)] if links else {"id": ZERO}
        r = c.post(f"/share-links/{link['id']}/revoke", headers=hdr)
        if r.status_code == 200:
            link["revoked"] = True
        return r, target != org and bool(links)
    if op == "share_open":
        # a link opens exactly its video, without ids, and nothing once revoked (or its video deleted)
        links = w.shares[org]
        if not links or pick % 3 == 0:
            r = c.get(f"/share/mbs_{pick:043d}")
            assert r.status_code == 404, r.text
            return r, False
        link = links[pick % len(links)]
        r = c.get(f"/share/{link['token']}")
        if link["revoked"] or link["video"] in w.deleted:
            assert r.status_code == 404, r.text
        else:
            assert r.status_code == 200 and r.json()["title"] == w.titles[link["video"]], r.text
            assert not UUID_RE.search(r.text), r.text
        return r, False
    if op == "decision":
        body = {"summary": f"{marker} {pick}", "video_id": vid} if pick % 2 else {"summary": f"{marker} {pick}"}
        return keep("decisions", c.post("/decisions", json=body, headers=hdr)), video_aimed and bool(pick % 2)
    if op in ("decision_get", "decision_patch", "decision_edits"):
        did, aimed = obj("decisions")
        if op == "decision_patch":
            return c.patch(f"/decisions/{did}", json={"context": f"{marker} edit"}, headers=hdr), aimed
        return c.get(f"/decisions/{did}" + ("/edits" if op == "decision_edits" else ""), headers=hdr), aimed
    if op == "decision_link":
        own = w.objs["decisions"][org]
        source = own[pick % len(own)] if own else ZERO
        did, aimed = obj("decisions")
        kind = ["related", "supersedes", "depends_on"][pick % 3]
        return c.post(
            f"/decisions/{source}/links", json={"target_decision_id": did, "link_type": kind}, headers=hdr
        ), aimed and bool(own)
    if op == "decisions_search":
        mode = ["keyword", "semantic", "hybrid"][pick % 3]
        return c.get("/decisions", params={"q": f"{w.tenants[target].slug}-marker", "mode": mode}, headers=hdr), False
    if op == "tag":
        return c.post("/decision-tags", json={"name": f"{marker} {pick % 7}"}, headers=hdr), False
    if op == "action_item":
        return keep("actions", c.post(f"/videos/{vid}/action-items", json={"title": marker}, headers=hdr)), video_aimed
    if op == "action_item_patch":
        aid, aimed = obj("actions")
        return c.patch(f"/action-items/{aid}", json={"description": marker, "status": "completed"}, headers=hdr), aimed
    if op == "action_items":
        return c.get("/action-items", headers=hdr), False
    if op == "ai_layer":
        layer = {"kind": "topics", "model": "m", "topics": [{"topic": f"{marker} topic", "start_ms": 0, "end_ms": 1}]}
        return keep("layers", c.post(f"/videos/{vid}/ai-layers", json=layer, headers=hdr)), video_aimed
    if op == "layer_get":
        lid, aimed = obj("layers")
        return c.get(f"/ai-layers/{lid}", headers=hdr), aimed
    if op == "video_topics":
        return c.get(f"/videos/{vid}/topics", headers=hdr), video_aimed
    if op == "overview":
        return c.get(f"/videos/{vid}/overview", headers=hdr), video_aimed
    path = {"topics": "/topics", "notifications": "/notifications", "activity": "/activity", "audit": "/audit"}[op]
    return c.get(path, headers=hdr), False


OPS = [
    "create_video",
    "list_videos",
    "get_video",
    "update_video",
    "delete_video",
    "restore_video",
    "upload_transcript",
    "segments",
    "export",
    "speakers",
    "progress",
    "tags",
    "members",
    "organization",
    "channels",
    "people",
    "transcripts",
    "search",
    *COLLAB_OPS,
]


def call(c: TestClient, w: World, org: int, role: int, op: str, target: int, pick: int) -> tuple[int, Any, bool]:
    """Run one operation; returns (status, body, aimed_at_other_org)."""
    t = w.tenants[org]
    key = t.owner_key if role == 0 else t.member_key
    hdr = {"X-API-Key": key}
    victim = w.videos[target]
    aimed_other = target != org and bool(victim)
    vid = victim[pick % len(victim)] if victim else "00000000-0000-0000-0000-000000000000"
    marker = f"{t.slug}-marker"
    if op == "create_video":
        r = c.post("/videos", json={"title": f"{marker} {pick}", "tags": [marker]}, headers=hdr)
        if r.status_code == 201:
            w.videos[org].append(r.json()["id"])
            w.titles[r.json()["id"]] = r.json()["title"]
        return r.status_code, r.json(), False
    if op in COLLAB_OPS:
        r, aimed = collab_call(c, w, org, hdr, op, target, pick, vid, marker)
        return r.status_code, r.json() if r.content else r.text, aimed
    if op == "list_videos":
        r = c.get("/videos", params={"limit": 5 + pick % 5}, headers=hdr)
    elif op == "get_video":
        r = c.get(f"/videos/{vid}", headers=hdr)
    elif op == "update_video":
        r = c.patch(f"/videos/{vid}", json={"description": f"{marker} edit"}, headers=hdr)
    elif op == "delete_video":
        r = c.delete(f"/videos/{vid}", headers=hdr)
    elif op == "restore_video":
        r = c.post(f"/videos/{vid}/restore", headers=hdr)
    elif op == "upload_transcript":
        r = c.post(
            f"/videos/{vid}/transcripts",
            json={"segments": [{"start_ms": 0, "end_ms": 1000, "text": f"{marker} said", "speaker": f"{marker}-spk"}]},
            headers=hdr,
        )
    elif op == "segments":
        r = c.get(f"/videos/{vid}/segments", headers=hdr)
    elif op == "export":
        r = c.get(f"/videos/{vid}/export", params={"format": "json"}, headers=hdr)
    elif op == "speakers":
        r = c.get(f"/videos/{vid}/speakers", headers=hdr)
    elif op == "progress":
        r = c.put(f"/videos/{vid}/progress", json={"position_ms": 10}, headers=hdr)
    elif op == "tags":
        r = c.post(f"/videos/{vid}/tags", json={"add": [marker]}, headers=hdr)
    elif op == "members":
        r = c.get("/members", headers=hdr)
    elif op == "organization":
        r = c.get("/organization", headers=hdr)
    elif op == "channels":
        r = (
            c.post("/channels", json={"name": f"{marker} {pick}"}, headers=hdr)
            if pick % 2
            else c.get("/channels", headers=hdr)
        )
    elif op == "people":
        r = c.get("/people", headers=hdr)
    elif op == "search":  # the target organization's name: found in its own rows, never across
        mode = ["keyword", "hybrid", "semantic"][pick % 3]
        r = c.get("/search", params={"q": w.tenants[target].slug, "mode": mode}, headers=hdr)
        assert r.status_code == 200, r.text
        assert target == org or mode == "semantic" or r.json()["hits"] == [], r.text
    else:
        r = c.get(f"/videos/{vid}/transcripts", headers=hdr)
    if op == "delete_video" and r.status_code == 204:
        w.deleted.add(vid)
    elif op == "restore_video" and r.status_code == 200:
        w.deleted.discard(vid)
    body: Any = r.json() if r.content and "json" in r.headers.get("content-type", "") else r.text
    return (
        r.status_code,
        body,
        aimed_other and op not in {"list_videos", "members", "organization", "channels", "people", "search"},
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from(OPS), st.integers(0, 1), st.integers(0, 1000)),
        min_size=1,
        max_size=25,
    )
)
def test_no_response_crosses_organizations(
    client: TestClient, tenants: tuple[Tenant, Tenant], steps: list[tuple[int, int, str, int, int]]
) -> None:
    w = World(list(tenants))
    for org in (0, 1):  # each organization starts with a video of its own
        call(client, w, org, 0, "create_video", org, 0)
        w.learn(org, client.get("/organization", headers={"X-API-Key": w.tenants[org].owner_key}).json())
        w.learn(org, client.get("/members", headers={"X-API-Key": w.tenants[org].owner_key}).json())
    for org, role, op, target, pick in steps:
        status, body, aimed_other = call(client, w, org, role, op, target, pick)
        other = 1 - org
        text = str(body)
        assert status < 500, (op, status, body)
        leaked = w.ids[other] & set(UUID_RE.findall(text))
        assert not leaked, f"{op} by org {org} returned ids of org {other}: {leaked}"
        assert f"{w.tenants[other].slug}-marker" not in text, f"{op} leaked the other organization's text"
        if aimed_other:
            assert status == 404, (op, status, body)
        else:
            w.learn(org, body)
    # nothing aimed at the other organization changed it: its rows carry only its own marker
    for org in (0, 1):
        own = {"X-API-Key": w.tenants[org].owner_key}
        for vid in w.videos[org]:
            r = client.get(f"/videos/{vid}", params={"include_deleted": True}, headers=own)
            assert f"{w.tenants[1 - org].slug}-marker" not in r.text
            seg = client.get(f"/videos/{vid}/segments", headers=own)
            assert f"{w.tenants[1 - org].slug}-marker" not in seg.text
            comments = client.get(f"/videos/{vid}/comments", headers=own)
            assert f"{w.tenants[1 - org].slug}-marker" not in comments.text
        for did in w.objs["decisions"][org]:
            r = client.get(f"/decisions/{did}", headers=own)
            assert r.status_code == 200 and f"{w.tenants[1 - org].slug}-marker" not in r.text
