"""Likes, views, moderation flags and the counters they feed (0021), against a real PostgreSQL:
exact counts without touching the counted row, integrity of every target, resolutions that act
in one transaction, and a verification that finds a counter that lies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from mediabase.common.errors import Conflict, Forbidden, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.identity.models import Principal, Role
from mediabase.stories import community, scenes, service
from mediabase.stories.models import FlagCreate, FlagReview, IdeaUpdate
from tests.factories import Tenant
from tests.integration.stories_world import Story, make_story


@pytest.fixture
async def two(db: Database, tenants: tuple[Tenant, Tenant]) -> tuple[Story, Story]:
    return await make_story(db, tenants[0]), await make_story(db, tenants[1], "fables")


async def run(database: Database, org: UUID, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with database.transaction(org) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def refused(database: Database, org: UUID, constraint: str, stmt: str, *params: Any) -> None:
    with pytest.raises(MediabaseError) as info:
        await run(database, org, stmt, *params)
    assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)


async def test_likes_are_exact_before_and_after_the_fold(db: Database, owner_db: Database,
                                                         two: tuple[Story, Story]) -> None:
    a, _ = two
    for p in (a.owner, a.member, a.member):  # the member's second like changes nothing
        got = await community.set_like(db, p, "scene", a.scene, on=True)
    assert got.liked and got.like_count == 2
    assert (await community.set_like(db, a.member, "idea", a.idea, on=True)).like_count == 1
    assert (await scenes.get_scene(db, a.member, a.scene)).like_count == 2
    (stored,) = await run(owner_db, a.org, "SELECT like_count FROM story_scenes WHERE id = %s", a.scene)
    assert stored["like_count"] == 0  # nothing folded yet: the read adds the pending deltas
    assert await community.fold_counters(owner_db) == 3
    (stored,) = await run(owner_db, a.org, "SELECT like_count FROM story_scenes WHERE id = %s", a.scene)
    assert stored["like_count"] == 2
    off = await community.set_like(db, a.owner, "scene", a.scene, on=False)
    assert not off.liked and off.like_count == 1
    assert (await community.get_like(db, a.member, "scene", a.scene)).liked
    assert (await service.get_idea(db, a.owner, a.idea)).like_count == 1
    assert await community.verify_counters(owner_db, a.org) == []


async def test_a_like_never_waits_for_nor_writes_the_scene_row(db: Database, owner_db: Database,
                                                               two: tuple[Story, Story]) -> None:
    a, _ = two
    (before,) = await run(owner_db, a.org, "SELECT xmin::text AS x FROM story_scenes WHERE id = %s", a.scene)
    async with owner_db.transaction(a.org) as holder:  # a finalization holding the scene's row lock
        await holder.execute("SELECT 1 FROM story_scenes WHERE id = %s FOR NO KEY UPDATE", (a.scene,))
        async with asyncio.timeout(10):
            liked = await community.set_like(db, a.member, "scene", a.scene, on=True)
    assert liked.like_count == 1
    await community.record_view(db, a.member, a.scene, "203.0.113.7")
    (after,) = await run(owner_db, a.org, "SELECT xmin::text AS x FROM story_scenes WHERE id = %s", a.scene)
    assert after == before  # the row was not updated by the like or the view


async def test_likes_and_flags_point_at_one_row_of_their_own_organization(
    db: Database, owner_db: Database, two: tuple[Story, Story]
) -> None:
    a, b = two
    ins = "INSERT INTO story_likes (organization_id, user_id, idea_id, scene_id) VALUES (%s, %s, %s, %s)"
    await refused(owner_db, b.org, "story_likes_scene_fk", ins, b.org, b.owner.user_id, None, a.scene)
    await refused(owner_db, b.org, "story_likes_idea_fk", ins, b.org, b.owner.user_id, a.idea, None)
    await refused(owner_db, a.org, "story_likes_member_fk", ins, a.org, b.owner.user_id, None, a.scene)
    await refused(owner_db, a.org, "story_likes_one_target", ins, a.org, a.owner.user_id, None, None)
    await refused(owner_db, a.org, "story_likes_one_target", ins, a.org, a.owner.user_id, a.idea, a.scene)
    flag = ("INSERT INTO story_flags (organization_id, reporter_id, scene_id, member_id, reason)"
            " VALUES (%s, %s, %s, %s, 'spam')")
    await refused(owner_db, b.org, "story_flags_scene_fk", flag, b.org, b.owner.user_id, a.scene, None)
    await refused(owner_db, b.org, "story_flags_member_fk", flag, b.org, b.owner.user_id, None, a.member.user_id)
    await refused(owner_db, a.org, "story_flags_one_target", flag, a.org, a.owner.user_id, None, None)
    await refused(owner_db, a.org, "story_flags_one_target", flag, a.org, a.owner.user_id, a.scene, a.member.user_id)
    with pytest.raises(NotFound):  # through the service: another organization's scene is not there
        await community.create_flag(db, b.owner, FlagCreate(scene_id=a.scene, reason="spam"))
    with pytest.raises(NotFound):
        await community.set_like(db, b.owner, "scene", a.scene, on=True)
    # counters, their inputs and the rollup are the database's to write
    for stmt in ("UPDATE story_scenes SET like_count = 9 WHERE id = %s", "UPDATE story_scenes SET view_count = 9"
                 " WHERE id = %s", "INSERT INTO story_counter_deltas (organization_id, scene_id, likes)"
                 " SELECT organization_id, id, 5 FROM story_scenes WHERE id = %s"):
        with pytest.raises(MediabaseError):
            await run(db, a.org, stmt, a.scene)


async def test_views_keep_no_address_and_survive_retention(db: Database, owner_db: Database,
                                                           two: tuple[Story, Story]) -> None:
    a, _ = two
    for addr in ("203.0.113.7", "203.0.113.7", "198.51.100.1", None):
        await community.record_view(db, a.member, a.scene, addr)
    rows = await run(owner_db, a.org, "SELECT ip_hmac, ip_key FROM story_scene_views WHERE scene_id = %s", a.scene)
    digests = [r["ip_hmac"] for r in rows if r["ip_hmac"]]
    assert len(digests) == 3 and len(set(digests)) == 2 and all(len(d) == 32 for d in digests)
    assert all(b"203.0.113.7" not in d for d in digests)
    assert (await scenes.get_scene(db, a.member, a.scene)).view_count == 4
    # views of a month long gone: made as the owner, then that month dropped by retention
    old = datetime.now(UTC).replace(day=1, hour=12) - timedelta(days=500)
    await run(owner_db, a.org, "INSERT INTO story_scene_views (organization_id, scene_id, viewed_at)"
              " SELECT %s, %s, %s FROM generate_series(1, 5)", a.org, a.scene, old)
    await community.fold_counters(owner_db)
    (registered,) = await run(owner_db, a.org, "SELECT keep_months FROM partitioned_tables"
                              " WHERE parent = 'mediabase.story_scene_views'::regclass")
    assert registered["keep_months"] == 13
    await run(owner_db, a.org, "SELECT mediabase.create_partition('mediabase.story_scene_views', %s::date)", old)
    await run(owner_db, a.org, "SELECT * FROM mediabase.prune_partitions('mediabase.story_scene_views', 13)")
    left = await run(owner_db, a.org, "SELECT count(*) AS n FROM story_scene_views WHERE scene_id = %s", a.scene)
    assert left[0]["n"] == 4
    assert (await scenes.get_scene(db, a.member, a.scene)).view_count == 9  # the rollup kept what retention took
    assert await community.verify_counters(owner_db, a.org) == []


async def test_flags_one_open_per_reporter_and_resolution_acts_in_one_transaction(
    db: Database, owner_db: Database, two: tuple[Story, Story]
) -> None:
    a, _ = two
    first = await community.create_flag(db, a.member, FlagCreate(scene_id=a.scene, reason="spam"))
    with pytest.raises(Conflict) as info:
        await community.create_flag(db, a.member, FlagCreate(scene_id=a.scene, reason="abuse"))
    assert info.value.field == "scene_id"
    second = await community.create_flag(db, a.owner, FlagCreate(scene_id=a.scene, reason="abuse"))
    other = await community.create_flag(db, a.member, FlagCreate(idea_id=a.idea, reason="off_topic"))
    with pytest.raises(Forbidden):
        await community.list_flags(db, a.member)
    queue = await community.list_flags(db, a.owner, limit=2)
    assert [f.id for f in queue.items] == [first.id, second.id] and queue.next_cursor
    assert [f.id for f in (await community.list_flags(db, a.owner, cursor=queue.next_cursor)).items] == [other.id]
    with pytest.raises(Forbidden):
        await community.review_flag(db, a.member, first.id, FlagReview(decision="resolve", action="hidden"))
    # an action the target cannot take: refused, nothing changed
    with pytest.raises(Invalid) as bad:
        await community.review_flag(db, a.owner, first.id, FlagReview(decision="resolve", action="rejected"))
    assert bad.value.field == "action"
    assert (await community.get_flag(db, a.owner, first.id)).status == "pending"
    taken = await community.review_flag(db, a.owner, first.id, FlagReview(decision="reviewing"))
    assert taken.status == "reviewing" and taken.reviewed_at is None
    done = await community.review_flag(db, a.owner, first.id,
                                       FlagReview(decision="resolve", action="hidden", notes="spam links"))
    assert (done.status, done.action_taken, done.reviewed_by, done.notes) == ("resolved", "hidden", a.owner.user_id,
                                                                               "spam links")
    closed = await community.get_flag(db, a.owner, second.id)  # the other open flag of the scene
    assert closed.status == "resolved" and closed.action_taken == "hidden"
    assert closed.notes == f"closed with flag {first.id}"
    assert (await scenes.get_scene(db, a.owner, a.scene)).status == "hidden"
    with pytest.raises(NotFound):
        await scenes.get_scene(db, Principal(organization_id=a.org, user_id=a.owner.user_id, role=Role.MEMBER),
                               a.scene)
    assert (await community.get_flag(db, a.member, other.id)).status == "pending"
    dismissed = await community.review_flag(db, a.owner, other.id, FlagReview(decision="dismiss"))
    assert dismissed.status == "dismissed" and dismissed.action_taken == "none"
    with pytest.raises(Conflict):
        await community.review_flag(db, a.owner, other.id, FlagReview(decision="resolve", action="removed"))
    # the resolution's fields are there exactly when it is resolved or dismissed
    await refused(owner_db, a.org, "story_flags_resolution",
                  "UPDATE story_flags SET reviewed_at = NULL WHERE id = %s", first.id)
    await refused(owner_db, a.org, "story_flags_resolution",
                  "INSERT INTO story_flags (organization_id, topic_id, reason, reviewed_at)"
                  " VALUES (%s, %s, 'spam', now())",
                  a.org, a.topic)
    again = await community.create_flag(db, a.member, FlagCreate(scene_id=a.scene, reason="spam"))
    assert again.status == "pending"  # the earlier report is closed: a new one may be open


async def test_resolving_can_reject_an_idea_and_the_failure_of_one_part_writes_nothing(
    db: Database, owner_db: Database, two: tuple[Story, Story]
) -> None:
    a, _ = two
    f = await community.create_flag(db, a.member, FlagCreate(idea_id=a.idea, reason="copyright"))
    # the resolution fails after the target was changed (a trigger refuses the flag's update):
    # the target's change is rolled back with it
    await run(owner_db, a.org, "CREATE FUNCTION mediabase.t_refuse() RETURNS trigger LANGUAGE plpgsql AS"
              " $$ BEGIN RAISE EXCEPTION 'no' USING ERRCODE = 'check_violation'; END $$")
    await run(owner_db, a.org, "CREATE TRIGGER t_refuse BEFORE UPDATE OF status ON story_flags FOR EACH ROW"
              " WHEN (NEW.status = 'resolved') EXECUTE FUNCTION mediabase.t_refuse()")
    with pytest.raises(Invalid):
        await community.review_flag(db, a.owner, f.id, FlagReview(decision="resolve", action="rejected"))
    assert (await service.get_idea(db, a.owner, a.idea)).moderation_status == "pending"
    await run(owner_db, a.org, "DROP TRIGGER t_refuse ON story_flags")
    await community.review_flag(db, a.owner, f.id, FlagReview(decision="resolve", action="rejected"))
    assert (await service.get_idea(db, a.owner, a.idea)).moderation_status == "rejected"
    await service.update_idea(db, a.owner, a.idea, IdeaUpdate(moderation_status="approved"))


async def test_verify_finds_a_counter_that_lies(db: Database, owner_db: Database, two: tuple[Story, Story]) -> None:
    a, b = two
    await community.set_like(db, a.member, "scene", a.scene, on=True)
    assert await community.verify_counters(owner_db, a.org) == []
    await run(owner_db, a.org, "ALTER TABLE story_scenes DISABLE TRIGGER USER")
    await run(owner_db, a.org, "UPDATE story_scenes SET total_duration_ms = 5, like_count = 7 WHERE id = %s", a.scene)
    await run(owner_db, a.org, "ALTER TABLE story_scenes ENABLE TRIGGER USER")
    found = {(d.table, d.counter, d.stored, d.actual) for d in await community.verify_counters(owner_db, a.org)}
    assert found == {("story_scenes", "total_duration_ms", "5", "0"), ("story_scenes", "like_count", "8", "1")}
    assert await community.verify_counters(owner_db, b.org) == []
