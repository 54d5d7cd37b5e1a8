"""Every invariant of 0020_stories_core.sql, tried and broken: each statement must be refused by
the right constraint or trigger, as the application role and (where it says so) as the owner
that row-level security does not stop."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from mediabase.common.errors import Conflict, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.db.rows import Jsonb
from mediabase.stories import scenes, service
from mediabase.stories.models import (
    CategoryCreate,
    IdeaCreate,
    IdeaUpdate,
    ProposalCreate,
    ProposalReview,
    SceneCreate,
    SummaryCreate,
    TopicCreate,
)
from tests.factories import Tenant
from tests.integration.stories_world import BIBLE, Story, make_story


@pytest.fixture
async def two(db: Database, tenants: tuple[Tenant, Tenant]) -> tuple[Story, Story]:
    return await make_story(db, tenants[0]), await make_story(db, tenants[1], "fables")


async def run(database: Database, s: Story, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with database.transaction(s.org, s.owner.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def refused(database: Database, s: Story, constraint: str, stmt: str, *params: Any) -> MediabaseError:
    with pytest.raises(MediabaseError) as info:
        await run(database, s, stmt, *params)
    assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)
    return info.value


async def test_a_category_of_another_topic_is_refused(db: Database, owner_db: Database,
                                                      two: tuple[Story, Story]) -> None:
    a, _ = two
    other = await service.create_topic(db, a.owner, TopicCreate(name="Other", slug="other"))
    foreign = await service.create_category(db, a.owner, other.id, CategoryCreate(name="X", slug="x"))
    with pytest.raises(NotFound) as info:
        await service.create_idea(db, a.member, IdeaCreate(topic_id=a.topic, category_id=foreign.id, title="t",
                                                           prompt="p"))
    assert info.value.field == "category_id"
    with pytest.raises(NotFound):
        await service.update_idea(db, a.member, a.idea, IdeaUpdate(category_id=foreign.id))
    for database in (db, owner_db):
        await refused(database, a, "story_ideas_category_fk",
                      "INSERT INTO story_ideas (organization_id, topic_id, category_id, title, prompt)"
                      " VALUES (%s, %s, %s, 't', 'p')", a.org, a.topic, foreign.id)


async def test_a_scene_is_in_its_ideas_topic(db: Database, owner_db: Database, two: tuple[Story, Story]) -> None:
    a, _ = two
    other = await service.create_topic(db, a.owner, TopicCreate(name="Other", slug="other"))
    for database in (db, owner_db):
        await refused(database, a, "story_scenes_idea_fk",
                      "INSERT INTO story_scenes (organization_id, topic_id, idea_id, title) VALUES (%s, %s, %s, 't')",
                      a.org, other.id, a.idea)


async def test_nothing_points_into_another_organization(db: Database, owner_db: Database,
                                                         two: tuple[Story, Story]) -> None:
    a, b = two
    # b's rows naming a's topic, idea and scene: the composite keys find nothing in b
    await refused(owner_db, b, "story_ideas_topic_fk",
                  "INSERT INTO story_ideas (organization_id, topic_id, title, prompt) VALUES (%s, %s, 't', 'p')",
                  b.org, a.topic)
    await refused(owner_db, b, "story_scenes_idea_fk",
                  "INSERT INTO story_scenes (organization_id, topic_id, idea_id, title) VALUES (%s, %s, %s, 't')",
                  b.org, a.topic, a.idea)
    await refused(owner_db, b, "story_bibles_scene_fk",
                  "INSERT INTO story_bibles (organization_id, scene_id, version, data) VALUES (%s, %s, 2, %s)",
                  b.org, a.scene, Jsonb({**BIBLE, "version": 2}))
    # as the application role, a's rows are invisible in b's transaction, and b cannot write into a
    assert await run(db, b, "SELECT id FROM story_scenes WHERE id = %s", a.scene) == []
    with pytest.raises(NotFound):
        await scenes.get_scene(db, b.owner, a.scene)
    with pytest.raises(MediabaseError):
        await run(db, b, "INSERT INTO story_topics (organization_id, name, slug) VALUES (%s, 'x', 'x')", a.org)


async def test_counters_and_versions_are_not_the_applications_to_write(db: Database, two: tuple[Story, Story]) -> None:
    a, _ = two
    for stmt in (
        "UPDATE story_scenes SET segment_count = 5 WHERE id = %s",
        "UPDATE story_scenes SET bible_version = 7 WHERE id = %s",
        "UPDATE story_scenes SET total_duration_ms = 1 WHERE id = %s",
        "UPDATE story_scenes SET contributor_count = 0 WHERE id = %s",
        "UPDATE story_scenes SET last_segment_at = now() WHERE id = %s",
        "UPDATE story_ideas SET scene_count = 9 WHERE id = %s",
        "UPDATE story_topics SET scene_count = 9 WHERE id = %s",
        "UPDATE story_bibles SET data = '{}' WHERE scene_id = %s",
        "DELETE FROM story_bibles WHERE scene_id = %s",
        "DELETE FROM story_scenes WHERE id = %s",
    ):
        with pytest.raises(MediabaseError):  # column privileges: permission denied (answered as not found)
            await run(db, a, stmt, a.scene if "scene" in stmt else a.idea if "ideas" in stmt else a.topic)
    (sc,) = await run(db, a, "SELECT scene_count FROM story_ideas WHERE id = %s", a.idea)
    assert sc["scene_count"] == 1


async def test_a_new_scene_needs_its_first_bible_and_starts_at_zero(owner_db: Database,
                                                                    two: tuple[Story, Story]) -> None:
    a, _ = two
    await refused(owner_db, a, "story_scenes_has_bible",
                  "INSERT INTO story_scenes (organization_id, topic_id, idea_id, title) VALUES (%s, %s, %s, 't')",
                  a.org, a.topic, a.idea)
    # whatever an insert says, a scene starts with no segments and bible version 1
    sid = uuid4()
    async with owner_db.transaction(a.org) as conn:
        await conn.execute("INSERT INTO story_scenes (organization_id, id, topic_id, idea_id, title, segment_count,"
                           " total_duration_ms, contributor_count, bible_version) VALUES (%s, %s, %s, %s, 't', 40, 9,"
                           " 3, 9)", (a.org, sid, a.topic, a.idea))
        await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data) VALUES (%s, %s, 1, %s)",
                           (a.org, sid, Jsonb(BIBLE)))
    (sc,) = await run(owner_db, a, "SELECT segment_count, total_duration_ms, contributor_count, bible_version"
                      " FROM story_scenes WHERE id = %s", sid)
    assert sc == {"segment_count": 0, "total_duration_ms": 0, "contributor_count": 0, "bible_version": 1}


async def test_bible_versions_are_contiguous_and_append_only(db: Database, owner_db: Database,
                                                             two: tuple[Story, Story]) -> None:
    a, _ = two
    ins = "INSERT INTO story_bibles (organization_id, scene_id, version, data) VALUES (%s, %s, %s, %s)"
    for version in (1, 3):
        await refused(owner_db, a, "story_bibles_contiguous", ins, a.org, a.scene, version,
                      Jsonb({**BIBLE, "version": version}))
    await run(db, a, ins, a.org, a.scene, 2, Jsonb({**BIBLE, "version": 2}))
    (sc,) = await run(db, a, "SELECT bible_version FROM story_scenes WHERE id = %s", a.scene)
    assert sc["bible_version"] == 2
    await refused(owner_db, a, "story_bibles_append_only", "UPDATE story_bibles SET created_by = NULL"
                  " WHERE scene_id = %s", a.scene)
    await refused(owner_db, a, "story_bibles_append_only", "DELETE FROM story_bibles WHERE scene_id = %s", a.scene)


async def test_segments_are_gapless_immutable_and_written_against_the_latest_bible(
    owner_db: Database, two: tuple[Story, Story]
) -> None:
    a, _ = two
    ins = ("INSERT INTO story_segments (organization_id, scene_id, sequence, input_text, expanded_script, video_key,"
           " duration_ms, bible_version, user_id) VALUES (%s, %s, %s, 'x', 'x', 'k.mp4', 1000, %s, %s) RETURNING id,"
           " sequence")
    await refused(owner_db, a, "story_segments_gapless", ins, a.org, a.scene, 2, 1, a.owner.user_id)
    await refused(owner_db, a, "story_segments_latest_bible", ins, a.org, a.scene, None, 2, a.owner.user_id)
    (first,) = await run(owner_db, a, ins, a.org, a.scene, None, 1, a.owner.user_id)
    (second,) = await run(owner_db, a, ins, a.org, a.scene, None, 1, a.member.user_id)
    assert (first["sequence"], second["sequence"]) == (1, 2)
    await refused(owner_db, a, "story_segments_immutable", "UPDATE story_segments SET sequence = 5 WHERE id = %s",
                  first["id"])
    await refused(owner_db, a, "story_segments_append_only", "DELETE FROM story_segments WHERE id = %s", first["id"])
    (sc,) = await run(owner_db, a, "SELECT segment_count, total_duration_ms, contributor_count FROM story_scenes"
                      " WHERE id = %s", a.scene)
    assert sc == {"segment_count": 2, "total_duration_ms": 2000, "contributor_count": 2}


async def test_summaries_never_overlap_and_cover_existing_segments(db: Database, owner_db: Database,
                                                                   two: tuple[Story, Story]) -> None:
    a, _ = two
    for _ in range(4):
        await run(owner_db, a, "INSERT INTO story_segments (organization_id, scene_id, input_text, expanded_script,"
                  " video_key, duration_ms, bible_version) SELECT %s, %s, 'x', 'x', 'k.mp4', 10, bible_version"
                  " FROM story_scenes WHERE id = %s", a.org, a.scene, a.scene)
    def span(first: int, last: int) -> SummaryCreate:
        return SummaryCreate(first_sequence=first, last_sequence=last, summary="s")

    s1 = await scenes.create_summary(db, a.member, a.scene, span(1, 2))
    assert (s1.first_sequence, s1.last_sequence) == (1, 2)
    with pytest.raises(Conflict):
        await scenes.create_summary(db, a.member, a.scene, span(2, 3))
    await scenes.create_summary(db, a.member, a.scene, span(3, 4))
    with pytest.raises(MediabaseError) as info:
        await scenes.create_summary(db, a.member, a.scene, span(5, 5))
    assert info.value.extra["constraint"] == "story_scene_summaries_within_scene"
    await refused(owner_db, a, "story_scene_summaries_covered_bounded",
                  "INSERT INTO story_scene_summaries (organization_id, scene_id, covered, summary)"
                  " VALUES (%s, %s, '[0,2)', 's')", a.org, a.scene)
    assert [(s.first_sequence, s.last_sequence) for s in await scenes.list_summaries(db, a.member, a.scene)] == [
        (1, 2), (3, 4)]


async def test_proposal_reviews_are_whole_and_once(db: Database, owner_db: Database, two: tuple[Story, Story]) -> None:
    a, _ = two
    prop = await service.propose_topic(db, a.member, ProposalCreate(name="Sea Shanties"))
    await refused(owner_db, a, "story_user_topics_review_together",
                  "UPDATE story_user_topics SET status = 'approved', reviewed_at = now() WHERE id = %s", prop.id)
    await refused(owner_db, a, "story_user_topics_reviewed_unless_pending",
                  "UPDATE story_user_topics SET status = 'approved' WHERE id = %s", prop.id)
    done = await service.review_proposal(db, a.owner, prop.id, ProposalReview(decision="approve", promote=True))
    assert done.status == "approved" and done.reviewed_by == a.owner.user_id and done.promoted_topic_id is not None
    topic = await service.get_topic(db, a.member, done.promoted_topic_id)
    assert topic.slug == "sea-shanties"
    with pytest.raises(Conflict):
        await service.review_proposal(db, a.owner, prop.id, ProposalReview(decision="reject", reason="late"))
    await refused(owner_db, a, "story_user_topics_status_transition",
                  "UPDATE story_user_topics SET status = 'pending', reviewed_by = NULL, reviewed_at = NULL"
                  " WHERE id = %s", prop.id)


async def test_tags_are_lowercase_words_without_repeats(db: Database, owner_db: Database,
                                                        two: tuple[Story, Story]) -> None:
    a, _ = two
    ins = "INSERT INTO story_ideas (organization_id, topic_id, title, prompt, tags) VALUES (%s, %s, 't', 'p', %s)"
    for tags in (["Sea"], ["a b"], ["sea", "sea"], [f"t{i}" for i in range(21)], [None]):
        await refused(owner_db, a, "story_ideas_tags_valid", ins, a.org, a.topic, tags)
    await run(owner_db, a, ins, a.org, a.topic, [])
    idea = await service.create_idea(db, a.member, IdeaCreate(topic_id=a.topic, title="t", prompt="p",
                                                               tags=["Sea", "sea ", "storm"]))
    assert idea.tags == ["sea", "storm"]


async def test_a_scene_grows_only_from_a_live_idea(db: Database, two: tuple[Story, Story]) -> None:
    a, _ = two
    await service.update_idea(db, a.owner, a.idea, IdeaUpdate(moderation_status="rejected"))
    with pytest.raises(Conflict):
        await scenes.create_scene(db, a.member, a.idea, SceneCreate(title="again"))
    with pytest.raises(NotFound):
        await scenes.create_scene(db, a.member, UUID(int=1), SceneCreate(title="nowhere"))
