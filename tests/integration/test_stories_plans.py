"""Query plans of the read paths seed 002 §5 documents: each uses its index, as the application
role, under row-level security, with two tenants' rows in the tables — ideas of a topic newest
and most liked first (first and later pages), scenes of a topic recently active, a scene's
playlist, the latest bible, the pending moderation queue, "has this member liked it", and the
public read path's feeds.

The plans are those of the statements the services really run: auto_explain, loaded on the
one connection of the pool, reports each as a JSON notice. The tables get enough rows and
ANALYZE for the planner to choose freely; nothing is switched off.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.stories import community, public, scenes, service
from mediabase.stories.models import IdeaSort
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.integration.stories_world import Story, make_story


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def explained(url: str, call: Callable[[Database, Database], Awaitable[Any]]) -> list[dict[str, Any]]:
    """Run ``call(db, system)`` on a one-connection pool with auto_explain on; every plan."""
    plans: list[dict[str, Any]] = []
    settings = make_settings(url, pool_min_size=1, pool_max_size=1, app_database_url=url)
    async with Database(url, settings) as db, Database(url, make_settings(url), role="") as system:
        async with db.pool.connection() as conn:
            await conn.execute("RESET ROLE")  # the session user may LOAD; the app role may not
            await conn.execute("LOAD 'auto_explain'")
            for k, v in {"log_min_duration": "0", "log_nested_statements": "on", "log_format": "json",
                         "log_level": "notice", "log_analyze": "off"}.items():
                await conn.execute(f"SET auto_explain.{k} = '{v}'")
            await conn.execute("SET ROLE mediabase_app")

            def collect(diag: psycopg.errors.Diagnostic) -> None:
                text = diag.message_primary or ""
                if "plan:" in text:
                    body = json.loads(text.split("plan:", 1)[1])
                    plans.append({"query": body.get("Query Text", ""), "plan": body["Plan"]})

            conn.add_notice_handler(collect)
        await call(db, system)
        async with db.pool.connection() as conn:
            await conn.execute("RESET ROLE")
            await conn.execute("SET auto_explain.log_min_duration = -1")
    return plans


def plan_of(plans: list[dict[str, Any]], marker: str) -> list[dict[str, Any]]:
    found = [p for p in plans if marker in p["query"]]
    assert found, [p["query"][:100] for p in plans]
    return [n for p in found for n in nodes(p["plan"])]


def uses(plan: list[dict[str, Any]], index: str, *, sorted_by_index: bool = True) -> dict[str, Any]:
    scans = [n for n in plan if n.get("Index Name") == index]
    assert scans, [(n["Node Type"], n.get("Index Name"), n.get("Relation Name")) for n in plan]
    if sorted_by_index:
        assert not [n for n in plan if n["Node Type"] in ("Sort", "Incremental Sort")], "sorted after the scan"
    assert not [n for n in plan if n["Node Type"] == "Seq Scan" and n.get("Relation Name", "").startswith("story_")]
    return scans[0]


@pytest.fixture
async def big(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> Story:
    """Two communities; the first with 10,000 ideas and 2,000 scenes in one topic, a scene with
    500 segments and 200 bible versions, 2,000 flags and 2,000 likes; ANALYZEd."""
    a = await make_story(db, tenants[0])
    await make_story(db, tenants[1], "fables")
    org, member = a.org, a.member.user_id
    async with owner_db.transaction(org) as conn:
        await conn.execute(
            "INSERT INTO story_ideas (organization_id, topic_id, user_id, title, prompt, moderation_status, created_at)"
            " SELECT %s, %s, %s, 'idea ' || g, 'p', CASE WHEN g %% 3 = 0 THEN 'approved' ELSE 'pending' END,"
            "        now() - make_interval(secs => g) FROM generate_series(1, 10000) g", (org, a.topic, member))
        await conn.execute("UPDATE story_ideas SET like_count = (hashtext(id::text) & 1023) WHERE topic_id = %s",
                           (a.topic,))
        await conn.execute(
            "INSERT INTO story_scenes (organization_id, topic_id, idea_id, user_id, title, created_at)"
            " SELECT %s, %s, %s, %s, 'scene ' || g, now() - make_interval(secs => g) FROM generate_series(1, 2000) g",
            (org, a.topic, a.idea, member))
        await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data)"
                           " SELECT s.organization_id, s.id, 1, b.data FROM story_scenes s, story_bibles b"
                           " WHERE s.organization_id = %s AND b.scene_id = %s AND b.version = 1 AND s.id <> %s",
                           (org, a.scene, a.scene))
        await conn.execute(
            "INSERT INTO story_segments (organization_id, scene_id, user_id, input_text, expanded_script, video_key,"
            " duration_ms, bible_version) SELECT %s, %s, %s, 'x', 'x', 'k.mp4', 1000, 1 FROM generate_series(1, 500)",
            (org, a.scene, member))
        await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data)"
                           " SELECT %s, %s, v, jsonb_set(b.data, '{version}', to_jsonb(v))"
                           " FROM generate_series(2, 200) v, story_bibles b WHERE b.scene_id = %s AND b.version = 1",
                           (org, a.scene, a.scene))
        await conn.execute("INSERT INTO story_flags (organization_id, scene_id, reason)"
                           " SELECT organization_id, id, 'spam' FROM story_scenes WHERE organization_id = %s", (org,))
        await conn.execute("UPDATE story_flags SET status = 'dismissed', reviewed_by = %s, reviewed_at = now(),"
                           " action_taken = 'none' WHERE organization_id = %s AND hashtext(id::text) %% 10 <> 0",
                           (a.owner.user_id, org))
        await conn.execute("INSERT INTO story_likes (organization_id, user_id, scene_id)"
                           " SELECT organization_id, %s, id FROM story_scenes WHERE organization_id = %s",
                           (member, org))
        await conn.execute("INSERT INTO story_publications (organization_id) VALUES (%s)", (org,))
        await conn.execute("UPDATE story_ideas SET moderation_status = 'approved' WHERE id = %s", (a.idea,))
    async with owner_db.transaction() as conn:
        for t in ("story_ideas", "story_scenes", "story_segments", "story_bibles", "story_flags", "story_likes",
                  "story_counter_deltas", "story_topics"):
            await conn.execute(f"ANALYZE mediabase.{t}")
    return a


async def test_ideas_of_a_topic_newest_and_most_liked_use_their_indexes(migrated_url: str, big: Story) -> None:
    pages: dict[IdeaSort, Any] = {}

    async def call(db: Database, system: Database) -> None:
        for sort in IdeaSort:
            first = await service.list_ideas(db, big.member, big.topic, sort=sort, limit=20)
            second = await service.list_ideas(db, big.member, big.topic, sort=sort, limit=20, cursor=first.next_cursor)
            pages[sort] = (first, second)

    plans = await explained(migrated_url, call)
    newest = uses(plan_of(plans, "ORDER BY created_at DESC"), "story_ideas_topic_new_idx")
    liked = uses(plan_of(plans, "ORDER BY story_ideas.like_count DESC"), "story_ideas_topic_liked_idx")
    # the cursor's row comparison bounds the index scan (a page 500 deep reads 21 rows, not 10,000)
    assert any("ROW(created_at, id) <" in n.get("Index Cond", "") for n in plan_of(plans, "(created_at, id) <"))
    assert any("like_count, id) <" in n.get("Index Cond", "").replace("ROW(", "(")
               for n in plan_of(plans, "(story_ideas.like_count, id) <"))
    assert newest and liked
    for sort, (first, second) in pages.items():
        assert len(first.items) == 20 and len(second.items) == 20 and not {i.id for i in first.items} & {
            i.id for i in second.items}, sort
    likes = [i.like_count for i in pages[IdeaSort.liked][0].items + pages[IdeaSort.liked][1].items]
    assert likes == sorted(likes, reverse=True)


async def test_scenes_playlist_bible_queue_and_liked_use_their_indexes(migrated_url: str, big: Story) -> None:
    async def call(db: Database, system: Database) -> None:
        first = await scenes.list_scenes(db, big.member, big.topic, limit=20)
        await scenes.list_scenes(db, big.member, big.topic, limit=20, cursor=first.next_cursor)
        listed = await scenes.list_segments(db, big.member, big.scene, limit=50)
        assert [s.sequence for s in listed.items] == list(range(1, 51))
        assert (await scenes.get_latest_bible(db, big.member, big.scene)).version == 200
        queue = await community.list_flags(db, big.owner, limit=20)
        assert len(queue.items) == 20 and {f.status for f in queue.items} == {"pending"}
        assert (await community.get_like(db, big.member, "scene", big.scene)).liked

    plans = await explained(migrated_url, call)
    uses(plan_of(plans, "coalesce(last_segment_at, created_at) DESC"), "story_scenes_topic_recent_idx")
    uses(plan_of(plans, "FROM story_segments"), "story_segments_sequence_key")
    bible = uses(plan_of(plans, "FROM story_bibles"), "story_bibles_pkey")
    assert bible["Scan Direction"] == "Backward"
    uses(plan_of(plans, "FROM story_flags"), "story_flags_pending_idx")
    uses(plan_of(plans, "FROM story_likes"), "story_likes_scene_key", sorted_by_index=False)


async def test_the_public_feeds_use_the_same_indexes(migrated_url: str, big: Story) -> None:
    slug = big.tenant.slug

    async def call(db: Database, system: Database) -> None:
        for sort in IdeaSort:
            ideas = await public.list_public_ideas(db, system, slug, big.topic, sort=sort, limit=20)
            assert len(ideas.items) == 20
        await public.list_public_scenes(db, system, slug, big.topic, limit=20)
        await public.list_public_segments(db, system, slug, big.scene, limit=20)

    plans = await explained(migrated_url, call)
    uses(plan_of(plans, "ORDER BY created_at DESC"), "story_ideas_topic_new_idx")
    uses(plan_of(plans, "ORDER BY story_ideas.like_count DESC"), "story_ideas_topic_liked_idx")
    uses(plan_of(plans, "coalesce(s.last_segment_at, s.created_at) DESC"), "story_scenes_topic_recent_idx")
    uses(plan_of(plans, "FROM story_segments"), "story_segments_sequence_key")
