"""Keyword search over the story texts (docs/stories.md, "Search"): ideas, scenes, segments and
the latest bibles are found with snippets, in the language of their idea; hidden, removed and
rejected content is not; another organization's stories never are; the public read path finds
published content only; bad input is refused; the matching reads the tenant-led GIN indexes."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from mediabase.common.errors import Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.search.models import Match
from mediabase.stories import public, scenes, service
from mediabase.stories.continuations import continue_scene, run_continuation
from mediabase.stories.models import (
    ContinuationCreate,
    IdeaCreate,
    IdeaUpdate,
    SceneCreate,
    SceneStatus,
    SceneUpdate,
    SegmentStatus,
    StoryHitKind,
    TopicCreate,
    TopicUpdate,
)
from mediabase.stories.search import search_public_stories, search_stories
from tests.factories import Tenant
from tests.integration.stories_world import BIBLE, Story
from tests.integration.test_stories_plans import explained, nodes

LIGHTHOUSE_BIBLE: dict[str, Any] = {**BIBLE, "setting": {"primaryLocation": "the lighthouse on Gull Rock",
                                                         "timePeriod": "1890s"}}


async def lighthouse(db: Database, t: Tenant, *, language: str | None = "en", slug: str = "sea") -> Story:
    """A community with an idea about a lighthouse keeper, its scene, and one continuation."""
    topic = await service.create_topic(db, t.owner, TopicCreate(name=slug.title(), slug=slug))
    idea = await service.create_idea(db, t.member, IdeaCreate(
        topic_id=topic.id, title="The lighthouse keeper", prompt="A keeper finds pages cut from the old log.",
        tags=["storm", "mystery"], language=language))
    scene = await scenes.create_scene(db, t.member, idea.id, SceneCreate(
        title="Gull Rock", description="Five nights of a storm.", bible=LIGHTHOUSE_BIBLE))
    c = await continue_scene(db, t.member, scene.id, ContinuationCreate(text="Ada climbs to the lamp room."))
    await run_continuation(db, t.member.organization_id, c.job_id)
    return Story(t, topic.id, topic.id, idea.id, scene.id)


def kinds(page: Any) -> dict[str, set[UUID]]:
    out: dict[str, set[UUID]] = {}
    for h in page.hits:
        out.setdefault(h.kind.value, set()).add(h.id)
    return out


async def test_story_texts_are_found_with_snippets_in_their_language(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a = await lighthouse(db, tenants[0])
    m = a.member
    # English stemming: "lighthouses" finds the idea's title, the bible's setting and the script
    page = await search_stories(db, m, "lighthouses")
    found = kinds(page)
    assert found.keys() == {"idea", "bible", "segment"} and found["idea"] == {a.idea} and found["bible"] == {a.scene}
    idea = next(h for h in page.hits if h.kind is StoryHitKind.idea)
    assert idea.title == "The lighthouse keeper" and idea.topic_id == a.topic and idea.idea_id == a.idea
    assert "<mark>lighthouse</mark>" in idea.snippet and idea.scene_id is None
    assert page.hits[0].kind is StoryHitKind.idea  # the title weighs most
    bible = next(h for h in page.hits if h.kind is StoryHitKind.bible)
    assert bible.version == 2 and bible.scene_id == a.scene and bible.title == "Gull Rock"  # the latest only
    assert "<mark>lighthouse</mark> on Gull Rock" in bible.snippet
    # the member's text of segment 1, and a scene's title and description
    seg = (await search_stories(db, m, "lamp room", kinds=[StoryHitKind.segment])).hits
    assert [(h.sequence, h.scene_id, h.idea_id) for h in seg] == [(1, a.scene, a.idea)]
    assert "<mark>lamp</mark> <mark>room</mark>" in seg[0].snippet
    scene = (await search_stories(db, m, "night", kinds=[StoryHitKind.scene, StoryHitKind.idea])).hits
    assert [(h.kind, h.id, h.scene_id) for h in scene] == [(StoryHitKind.scene, a.scene, a.scene)]
    assert "Five <mark>nights</mark>" in scene[0].snippet
    assert kinds(await search_stories(db, m, "mysteries", kinds=[StoryHitKind.idea])) == {"idea": {a.idea}}  # tags
    # websearch syntax and match=any
    assert (await search_stories(db, m, "lighthouse zeppelin")).hits == []
    assert {h.id for h in (await search_stories(db, m, "lighthouse zeppelin", match=Match.any)).hits} == {
        h.id for h in page.hits}
    assert kinds(await search_stories(db, m, '"lamp room" -zeppelin')).keys() == {"segment", "bible"}  # v2's event
    assert (await search_stories(db, m, '"room lamp"')).hits == []
    # narrowed to a scene (its texts, not the idea) or a topic
    assert StoryHitKind.idea not in {h.kind for h in (await search_stories(db, m, "lighthouse", scene_id=a.scene)).hits}
    assert len((await search_stories(db, m, "lighthouse", topic_id=a.topic)).hits) == len(page.hits)
    # pages of one hit each give the same hits, in the same order
    paged, cursor = [], None
    while True:
        one = await search_stories(db, m, "lighthouses", limit=1, cursor=cursor)
        paged += one.hits
        if (cursor := one.next_cursor) is None:
            break
    assert [(h.kind, h.id) for h in paged] == [(h.kind, h.id) for h in page.hits]
    assert page.hits == sorted(page.hits, key=lambda h: -h.score)
    # an idea without a language is indexed word for word ('simple'): no stemming
    b = await lighthouse(db, tenants[1], language=None)
    assert (await search_stories(db, b.member, "lighthouses")).hits == []
    assert kinds(await search_stories(db, b.member, "lighthouse"))["idea"] == {b.idea}


async def test_hidden_removed_and_rejected_texts_are_not_found(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a = await lighthouse(db, tenants[0])
    own, m = a.owner, a.member

    async def found(q: str = "lighthouse") -> dict[str, set[UUID]]:
        return kinds(await search_stories(db, m, q))

    before = await found()
    assert set(before) == {"idea", "bible", "segment"}
    (segment,) = before["segment"]
    await scenes.update_segment(db, own, segment, SegmentStatus.hidden)
    assert "segment" not in await found()
    await scenes.update_segment(db, own, segment, SegmentStatus.active)
    await scenes.update_scene(db, m, a.scene, SceneUpdate(status=SceneStatus.locked))
    assert await found() == before  # a locked scene is readable
    await scenes.update_scene(db, own, a.scene, SceneUpdate(status=SceneStatus.hidden))
    assert await found() == {"idea": {a.idea}}  # the scene, its segments and bible are gone
    assert "scene" not in await found("Gull")
    # its creator may still open it, and finds nothing in it
    assert (await search_stories(db, m, "lighthouse", scene_id=a.scene)).hits == []
    await scenes.update_scene(db, own, a.scene, SceneUpdate(status=SceneStatus.removed))
    assert await found() == {"idea": {a.idea}}
    await service.update_idea(db, own, a.idea, IdeaUpdate(moderation_status="rejected"))
    assert await found() == {}
    await service.update_idea(db, own, a.idea, IdeaUpdate(moderation_status="pending", status="hidden"))
    assert await found() == {}
    await service.update_idea(db, own, a.idea, IdeaUpdate(status="active"))
    assert await found() == {"idea": {a.idea}}


async def test_another_organizations_stories_are_never_found(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = await lighthouse(db, tenants[0]), await lighthouse(db, tenants[1], slug="fables")
    mine = {a.idea, a.scene}
    for p, other in ((a.member, b), (a.owner, b)):
        hits = (await search_stories(db, p, "lighthouse keeper lamp room gull rock", match=Match.any, limit=100)).hits
        assert {h.kind.value for h in hits} == {"idea", "scene", "segment", "bible"}
        assert {(h.topic_id, h.idea_id) for h in hits} == {(a.topic, a.idea)}
        assert {h.scene_id for h in hits} == {None, a.scene}
        assert not {other.idea, other.scene} & {h.id for h in hits}
    # a topic or scene of the other organization is not there
    with pytest.raises(NotFound):
        await search_stories(db, a.member, "lighthouse", topic_id=b.topic)
    with pytest.raises(NotFound):
        await search_stories(db, a.member, "lighthouse", scene_id=b.scene)
    # the matcher itself takes no organization: the application role in a's tenant sees a's rows
    async with db.transaction(a.org, a.member.user_id) as conn:
        rows = await (await conn.execute(
            "SELECT kind, id FROM story_match(ARRAY['english'::regconfig], ARRAY[to_tsquery('english', 'lighthouse')],"
            " ARRAY['idea', 'scene', 'segment', 'bible'])")).fetchall()
    assert rows and {r["id"] for r in rows if r["kind"] != "segment"} <= mine
    async with owner_db.transaction() as conn:  # no tenant: nothing
        none = await (await conn.execute(
            "SELECT count(*) AS n FROM story_match(ARRAY['english'::regconfig],"
            " ARRAY[to_tsquery('english', 'lighthouse')], ARRAY['idea', 'scene', 'segment', 'bible'])")).fetchone()
    assert none is not None and none["n"] == 0


async def test_the_public_search_finds_published_content_only(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a = await lighthouse(db, tenants[0])
    slug = a.tenant.slug
    with pytest.raises(NotFound):  # not published
        await search_public_stories(db, owner_db, slug, "lighthouse")
    await public.publish_stories(db, a.owner, on=True)
    assert (await search_public_stories(db, owner_db, slug, "lighthouse")).hits == []  # the idea is pending
    await service.update_idea(db, a.owner, a.idea, IdeaUpdate(moderation_status="approved"))
    page = await search_public_stories(db, owner_db, slug, "lighthouse")
    assert set(kinds(page)) == {"idea", "bible", "segment"}
    answer = json.dumps(page.model_dump(mode="json"))
    assert str(a.member.user_id) not in answer and str(a.owner.user_id) not in answer
    assert kinds(await search_public_stories(db, owner_db, slug, "lighthouse", scene_id=a.scene)).keys() == {
        "bible", "segment"}
    await service.update_topic(db, a.owner, a.topic, TopicUpdate(is_active=False))
    assert (await search_public_stories(db, owner_db, slug, "lighthouse")).hits == []
    with pytest.raises(NotFound):
        await search_public_stories(db, owner_db, slug, "lighthouse", topic_id=a.topic)
    assert kinds(await search_stories(db, a.member, "lighthouse")).keys() == {"idea", "bible", "segment"}  # members


async def test_bad_input_is_refused(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a = await lighthouse(db, tenants[0])
    m = a.member
    for q in ("", "  \x00\x01 ", "x" * 1001):
        with pytest.raises(Invalid) as e:
            await search_stories(db, m, q)
        assert e.value.field == "q"
    for limit in (0, 101):
        with pytest.raises(Invalid):
            await search_stories(db, m, "lighthouse", limit=limit)
    first = await search_stories(db, m, "lighthouse", limit=1)
    assert first.next_cursor
    for cursor in ("garbage!", "eyJ4IjoxfQ", first.next_cursor):
        with pytest.raises(Invalid) as e:
            await search_stories(db, m, "keeper", limit=1, cursor=cursor)  # another query's cursor too
        assert e.value.field == "cursor"
    with pytest.raises(NotFound):
        await search_stories(db, m, "lighthouse", topic_id=a.scene)
    stop = await search_stories(db, m, "the of and")
    assert stop.hits == [] and "no searchable words" in stop.notices[0]
    assert (await search_stories(db, m, "-")).hits == []


async def test_the_matching_reads_the_tenant_led_gin_indexes(
        migrated_url: str, db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    stories = [await lighthouse(db, tenants[0]), await lighthouse(db, tenants[1], slug="fables")]
    for s in stories:  # 5,000 ideas, 1,000 scenes with a bible each, 2,000 segments; a few say "zeppelin"
        async with owner_db.transaction(s.org) as conn:
            await conn.execute(
                "INSERT INTO story_ideas (organization_id, topic_id, user_id, title, prompt, language)"
                " SELECT %s, %s, %s, 'idea ' || g, CASE WHEN g %% 500 = 0 THEN 'a zeppelin' ELSE 'a ship' END, 'en'"
                "   FROM generate_series(1, 5000) g", (s.org, s.topic, s.member.user_id))
            await conn.execute(
                "INSERT INTO story_scenes (organization_id, topic_id, idea_id, user_id, title)"
                " SELECT %s, %s, %s, %s, CASE WHEN g %% 250 = 0 THEN 'zeppelin ' ELSE 'scene ' END || g"
                "   FROM generate_series(1, 1000) g", (s.org, s.topic, s.idea, s.member.user_id))
            await conn.execute(
                "INSERT INTO story_bibles (organization_id, scene_id, version, data)"
                " SELECT s.organization_id, s.id, 1, jsonb_set(%s::jsonb, '{setting,primaryLocation}',"
                "        to_jsonb(CASE WHEN s.title LIKE 'zeppelin%%' THEN 'a zeppelin' ELSE 'a ship' END))"
                "   FROM story_scenes s WHERE s.organization_id = %s AND s.id <> %s",
                (json.dumps(LIGHTHOUSE_BIBLE), s.org, s.scene))
            await conn.execute(
                "INSERT INTO story_segments (organization_id, scene_id, user_id, input_text, expanded_script,"
                " video_key, duration_ms, bible_version)"
                " SELECT %s, %s, %s, CASE WHEN g %% 400 = 0 THEN 'the zeppelin' ELSE 'the ship' END, 'x', 'k.mp4',"
                "        1000, 2 FROM generate_series(1, 2000) g", (s.org, s.scene, s.member.user_id))
    async with owner_db.transaction() as conn:
        for t in ("story_ideas", "story_scenes", "story_segments", "story_bibles", "story_topics"):
            await conn.execute(f"ANALYZE mediabase.{t}")
    a = stories[0]
    got: list[Any] = []

    async def call(pool: Database, system: Database) -> None:
        got.append(await search_stories(pool, a.member, "zeppelin", limit=50))

    plans = await explained(migrated_url, call)
    assert {h.kind.value for h in got[0].hits} == {"idea", "scene", "segment", "bible"}
    assert len(got[0].hits) == 10 + 4 + 5 + 4
    for table in ("story_ideas", "story_scenes", "story_segments", "story_bibles"):
        scans = [n for p in plans for n in nodes(p["plan"])
                 if n.get("Relation Name") == table and "search_vector" in json.dumps(n)]
        assert scans, (table, [p["query"][:80] for p in plans])
        assert all(n["Node Type"] == "Bitmap Heap Scan" for n in scans), (table, scans)
        index_conds = [c["Index Cond"] for n in scans for c in nodes(n) if c.get("Index Name") == f"{table}_search_idx"]
        assert index_conds and all("organization_id" in c and "@@" in c for c in index_conds), (table, index_conds)


async def test_an_insert_naming_every_column_cannot_set_counters_or_the_configuration(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    """What Citus sends to a shard: the coordinator names every column with a default. The
    application role may insert so (0024), and the database still decides the counters and the
    text-search configuration."""
    a = await lighthouse(db, tenants[0])
    async with db.transaction(a.org, a.member.user_id) as conn:
        idea = await (await conn.execute(
            "INSERT INTO story_ideas (organization_id, topic_id, user_id, title, prompt, language, scene_count,"
            " like_count, created_at, updated_at) VALUES (%s, %s, %s, 'x', 'y', 'de', 3, 5, now(), now())"
            " RETURNING id, scene_count, like_count", (a.org, a.topic, a.member.user_id))).fetchone()
        assert idea is not None and (idea["scene_count"], idea["like_count"]) == (0, 0)
        scene = await (await conn.execute(
            "INSERT INTO story_scenes (organization_id, topic_id, idea_id, user_id, title, segment_count,"
            " total_duration_ms, contributor_count, bible_version, like_count, view_count, ts_config, created_at,"
            " updated_at) VALUES (%s, %s, %s, %s, 'Die Leuchttürme', 40, 9, 3, 9, 7, 11, 'pg_catalog.english', now(),"
            " now()) RETURNING id, segment_count, bible_version, like_count, view_count, ts_config::text AS cfg",
            (a.org, a.topic, idea["id"], a.member.user_id))).fetchone()
        assert scene is not None
        assert (scene["segment_count"], scene["bible_version"], scene["like_count"], scene["view_count"],
                scene["cfg"]) == (0, 1, 0, 0, "german")
        await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data) VALUES (%s, %s, 1, %s)",
                           (a.org, scene["id"], json.dumps(LIGHTHOUSE_BIBLE)))
    hits = (await search_stories(db, a.member, "Leuchtturm", kinds=[StoryHitKind.scene])).hits
    assert [h.id for h in hits] == [scene["id"]]  # German stemming, the idea's language
