"""The public read path, reviewed for leaks: without a key, a published community shows its
approved stories and nothing else — not unpublished communities, not pending or rejected ideas,
hidden scenes or segments, inactive topics, another community's rows, user or job ids — and the
demo community is there, public, grown by continuations."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from mediabase.db.connection import Database
from mediabase.demo.stories import LIGHTHOUSE, STORIES_SLUG, stories_demo
from mediabase.stories import community
from mediabase.stories.continuations import continue_scene, run_continuation
from mediabase.stories.models import ContinuationCreate
from tests.factories import Tenant
from tests.integration.stories_world import make_story

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
PUBLIC_FIELDS = {
    "topic": {"id", "name", "slug", "description", "icon_key", "scene_count"},
    "idea": {"id", "topic_id", "category_id", "title", "prompt", "tags", "scene_count", "like_count", "created_at"},
    "segment": {"id", "sequence", "input_text", "expanded_script", "video_key", "hls_key", "thumbnail_key",
                "duration_ms", "resolution", "created_at"},
}


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


async def test_only_published_approved_content_is_public(
    client: TestClient, db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a_t, b_t = tenants
    a, b = await make_story(db, a_t), await make_story(db, b_t, "fables")
    c, own, mem, base = client, h(a_t.owner_key), h(a_t.member_key), f"/public/{a_t.slug}"
    never = {str(x) for x in (a.owner.user_id, a.member.user_id, b.owner.user_id, b.member.user_id,
                              b.scene, b.idea, b.topic)}
    seen: list[str] = []

    def get(path: str, status: int = 200) -> Any:
        r = c.get(path)
        seen.append(r.text)
        return ok(r, status) if status < 400 else r.json()

    closed = get(f"{base}/story-topics", 404)
    assert closed == get("/public/nowhere/story-topics", 404)  # unpublished and unknown look the same
    assert c.put("/story-publication", headers=mem).status_code == 403
    assert ok(c.put("/story-publication", headers=own))["published"] is True
    topics = get(f"{base}/story-topics")
    assert [t["id"] for t in topics] == [str(a.topic)] and set(topics[0]) == PUBLIC_FIELDS["topic"]
    assert get(f"{base}/story-topics/{a.topic}/ideas")["items"] == []  # the idea is pending moderation
    get(f"{base}/scenes/{a.scene}", 404)
    ok(c.patch(f"/ideas/{a.idea}", json={"moderation_status": "approved"}, headers=own))
    ideas = get(f"{base}/story-topics/{a.topic}/ideas", 200)["items"]
    assert [i["id"] for i in ideas] == [str(a.idea)] and set(ideas[0]) == PUBLIC_FIELDS["idea"]
    assert get(f"{base}/story-topics/{a.topic}/ideas?sort=liked")["items"][0]["id"] == str(a.idea)
    for text in ("Ada sings.", "Ada stops."):
        cont = await continue_scene(db, a.member, a.scene, ContinuationCreate(text=text))
        await run_continuation(db, a.org, cont.job_id)
        never.add(str(cont.job_id))
    scene = get(f"{base}/scenes/{a.scene}")
    assert scene["segment_count"] == 2 and "user_id" not in scene
    assert [s["id"] for s in get(f"{base}/story-topics/{a.topic}/scenes")["items"]] == [str(a.scene)]
    playlist = get(f"{base}/scenes/{a.scene}/segments")["items"]
    assert [s["sequence"] for s in playlist] == [1, 2] and set(playlist[0]) == PUBLIC_FIELDS["segment"]
    assert get(f"{base}/scenes/{a.scene}/bible")["version"] == 3
    ok(c.patch(f"/segments/{playlist[0]['id']}", json={"status": "hidden"}, headers=own))
    assert [s["sequence"] for s in get(f"{base}/scenes/{a.scene}/segments")["items"]] == [2]
    ok(c.post(f"{base}/scenes/{a.scene}/views"), 204)
    assert get(f"{base}/scenes/{a.scene}")["view_count"] == 1
    # another community's rows through this slug: not there
    get(f"{base}/scenes/{b.scene}", 404)
    get(f"{base}/story-topics/{b.topic}/ideas", 404)
    # hidden scene, rejected idea, inactive topic: gone from the public
    ok(c.patch(f"/scenes/{a.scene}", json={"status": "hidden"}, headers=own))
    get(f"{base}/scenes/{a.scene}", 404)
    get(f"{base}/scenes/{a.scene}/segments", 404)
    assert c.post(f"{base}/scenes/{a.scene}/views").status_code == 404
    ok(c.patch(f"/scenes/{a.scene}", json={"status": "active"}, headers=own))
    ok(c.patch(f"/ideas/{a.idea}", json={"moderation_status": "rejected"}, headers=own))
    get(f"{base}/scenes/{a.scene}", 404)
    assert get(f"{base}/story-topics/{a.topic}/scenes")["items"] == []
    ok(c.patch(f"/story-topics/{a.topic}", json={"is_active": False}, headers=own))
    assert get(f"{base}/story-topics") == []
    get(f"{base}/story-topics/{a.topic}/ideas", 404)
    # nothing public named a user, a job, or the other community
    leaked = never & {m for text in seen for m in UUID_RE.findall(text)}
    assert not leaked, leaked
    assert not any("@" in text for text in seen)
    assert ok(c.delete("/story-publication", headers=own))["published"] is False
    get(f"{base}/story-topics", 404)
    assert await community.verify_counters(owner_db, a.org) == []


async def test_the_demo_community_is_public_and_grown_by_continuations(client: TestClient, owner_db: Database) -> None:
    first = await stories_demo(owner_db)
    assert "3 scenes" in first and await stories_demo(owner_db) == f"story demo: organization '{STORIES_SLUG}' is" \
        " there already"
    topics = ok(client.get(f"/public/{STORIES_SLUG}/story-topics"))
    assert [t["slug"] for t in topics] == ["sea-mysteries", "small-towns", "far-future"]
    sea = topics[0]["id"]
    scenes = ok(client.get(f"/public/{STORIES_SLUG}/story-topics/{sea}/scenes"))["items"]
    light = next(s for s in scenes if s["title"] == "The Lighthouse at Gull Rock")
    assert (light["segment_count"], light["bible_version"], light["contributor_count"]) == (len(LIGHTHOUSE),
                                                                                           len(LIGHTHOUSE) + 1, 3)
    assert light["like_count"] == 4 and light["view_count"] == 12
    playlist = ok(client.get(f"/public/{STORIES_SLUG}/scenes/{light['id']}/segments"))["items"]
    assert [s["input_text"] for s in playlist] == [text for _, text in LIGHTHOUSE]
    bible = ok(client.get(f"/public/{STORIES_SLUG}/scenes/{light['id']}/bible"))
    events = bible["data"]["timeline"]["majorEvents"]
    assert [e["segmentNumber"] for e in events] == [1, 2, 3, 4, 5]
    small = ok(client.get(f"/public/{STORIES_SLUG}/story-topics/{topics[1]['id']}/ideas"))["items"]
    assert [i["title"] for i in small] == ["A market that opens once a century"]  # the pending one is not public
    async with owner_db.transaction() as conn:
        jobs = await (await conn.execute("SELECT status, count(*) AS n FROM jobs WHERE type = 'story.continuation'"
                                         " GROUP BY status")).fetchall()
        org = await (await conn.execute("SELECT id FROM organizations WHERE slug = %s", (STORIES_SLUG,))).fetchone()
    assert jobs == [{"status": "completed", "n": 7}]
    assert org is not None and await community.verify_counters(owner_db, org["id"]) == []
