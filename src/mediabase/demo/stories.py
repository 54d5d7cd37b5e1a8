"""The demo story community: organization ``tales`` (kind community, published), with topics,
categories, ideas, scenes grown by continuations through the real job flow, bibles of several
versions, a summary, likes, views and a reviewed flag.

The stories are written for mediabase and dedicated to the public domain (CC0 1.0): anyone may
copy, change and use them without asking. The members are invented (``example.com``
addresses); nothing here names a real person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.rows import Jsonb

STORIES_SLUG = "tales"
WORKER = "demo-seed"
MEMBERS = (("ada@tales.example.com", "ada-marr"), ("ben@tales.example.com", "ben-okafor"),
           ("chen@tales.example.com", "chen-li"))

TOPICS: list[dict[str, Any]] = [
    {"name": "Sea Mysteries", "slug": "sea-mysteries", "description": "Lighthouses, wrecks and what the tide brings.",
     "categories": [("Lighthouses", "lighthouses"), ("Shipwrecks", "shipwrecks")]},
    {"name": "Small Towns", "slug": "small-towns", "description": "Places where everybody knows, almost.",
     "categories": [("Markets", "markets")]},
    {"name": "Far Future", "slug": "far-future", "description": "Ships, sleepers and very long letters.",
     "categories": []},
]

LIGHTHOUSE_BIBLE: dict[str, Any] = {
    "version": 1,
    "characters": [
        {"entityId": "char_ada", "canonicalName": "Ada Marr", "aliases": ["the keeper"],
         "description": "Keeper of the Gull Rock light for nineteen years; keeps a log in green ink.",
         "traits": ["patient", "stubborn", "precise"], "isActive": True},
        {"entityId": "char_tomas", "canonicalName": "Tomas Reed", "aliases": ["the fisherman"],
         "description": "Brings supplies every second Thursday; talks too much, notices everything.",
         "traits": ["talkative", "observant"], "isActive": True,
         "relationships": [{"targetEntityId": "char_ada", "relationshipType": "old friend"}]},
        {"entityId": "char_wren", "canonicalName": "Wren", "aliases": ["the stranger"],
         "description": "Arrives in a storm with no boat and a dry coat.", "isActive": True},
    ],
    "setting": {"primaryLocation": "the lighthouse on Gull Rock", "timePeriod": "an autumn in the 1890s",
                "worldRules": ["the lamp must never go out", "the sea keeps what it is given"],
                "locations": [{"name": "the lamp room", "description": "glass on every side, smelling of oil"},
                              {"name": "the landing", "description": "wet steps cut into the rock"}]},
    "timeline": {"currentPoint": "a storm is coming in from the west", "majorEvents": []},
    "plotThreads": [{"id": "missing-pages", "description": "three pages are missing from the old log",
                     "status": "active"},
                    {"id": "the-stranger", "description": "who is Wren, and how did she arrive?", "status": "active"}],
    "styleGuide": {"tone": "quiet, uncanny", "genre": "mystery", "visualStyle": "lamplight and grey sea",
                   "narrativeStyle": "close third person, present tense"},
}

# (member index, text) in order: each becomes a segment through a continuation
LIGHTHOUSE: list[tuple[int, str]] = [
    (0, "Ada Marr trims the wick as the first gust hits the glass. She writes the time in green ink and "
        "notices that three pages of the old log have been cut out, neatly, with a knife."),
    (1, "Tomas Reed's boat does not come on Thursday. Instead the keeper sees a light far out on the water, "
        "blinking the way the Gull Rock lamp blinked before it was changed, forty years ago."),
    (2, "At midnight someone knocks on the door of the landing. A woman who calls herself Wren stands there "
        "in a dry coat, though the rain is coming sideways, and asks if the lamp has ever gone out."),
    (0, "Ada lets the stranger in and watches her climb to the lamp room without asking the way. Wren runs a "
        "finger along the cut edge of the log and says the missing pages were hers to keep."),
    (1, "At dawn Tomas finally reaches the rock, soaked and shaking, and swears he passed an empty boat with "
        "Wren's coat folded on the seat. When they turn around, the stranger is gone and the lamp is still lit."),
]

BELL_BIBLE: dict[str, Any] = {
    "version": 1,
    "characters": [{"entityId": "char_ines", "canonicalName": "Ines Varga", "aliases": ["the diver"],
                    "description": "Salvage diver who hears a bell where no bell should be."}],
    "setting": {"primaryLocation": "Harbour of Saint Aldric", "timePeriod": "the present day"},
    "timeline": {"currentPoint": "low tide at dusk", "majorEvents": []},
    "plotThreads": [{"id": "the-bell", "description": "a bell rings under the harbour", "status": "active"}],
    "styleGuide": {"tone": "eerie", "genre": "mystery"},
}
BELL: list[tuple[int, str]] = [
    (2, "Ines Varga hears the bell again at low tide, a single note from under the harbour wall."),
    (0, "The diver goes down with a lamp and finds a church bell wedged between two wrecks, its rope new."),
]

IDEAS: list[dict[str, Any]] = [
    {"topic": "sea-mysteries", "category": "lighthouses", "title": "The keeper's last log",
     "prompt": "A lighthouse keeper finds pages cut from the old log on the night a stranger arrives.",
     "tags": ["lighthouse", "storm", "mystery"], "approved": True},
    {"topic": "sea-mysteries", "category": "shipwrecks", "title": "The bell under the harbour",
     "prompt": "Divers keep hearing a bell where the charts show only sand.", "tags": ["diving", "bell"],
     "approved": True},
    {"topic": "small-towns", "category": "markets", "title": "A market that opens once a century",
     "prompt": "Every hundred years the square fills with stalls nobody remembers setting up.",
     "tags": ["market", "time"], "approved": True},
    {"topic": "far-future", "category": None, "title": "Letters to a sleeping ship",
     "prompt": "The crew sleeps for four hundred years; the ship writes to them every morning.",
     "tags": ["space", "letters"], "approved": True},
    {"topic": "small-towns", "category": None, "title": "The mayor's second shadow",
     "prompt": "The mayor casts two shadows and only one of them votes.", "tags": ["town"], "approved": False},
]


async def _members(system: Database, owner: Any) -> list[Any]:
    from mediabase.identity import service as identity
    from mediabase.identity.models import MemberAdd, Principal, Role

    out = []
    for email, username in MEMBERS:
        await identity.add_member(system, system, owner, MemberAdd(email=email, username=username))
        user = await identity.user_by_email(system, email)
        out.append(Principal(organization_id=owner.organization_id, user_id=user.id, role=Role.MEMBER))
    return out


async def _continue(system: Database, p: Any, scene: UUID, text: str) -> None:
    """One continuation through the real flow: recorded and enqueued, claimed by this seed as a
    worker, run stage by stage, finalized, and its job completed."""
    from mediabase.stories.continuations import continue_scene, run_continuation
    from mediabase.stories.models import ContinuationCreate

    c = await continue_scene(system, p, scene, ContinuationCreate(text=text))
    org = p.organization_id
    async with system.transaction(org) as conn:
        await conn.execute("SELECT id FROM mediabase.claim_jobs(%s, ARRAY['story.continuation'], 1, 300, NULL, %s)"
                           " WHERE id = %s", (WORKER, org, c.job_id))
    result = await run_continuation(system, org, c.job_id)
    async with system.transaction(org) as conn:
        await conn.execute("SELECT mediabase.complete_job(%s, %s, %s, %s)", (c.job_id, WORKER, Jsonb(result), org))


async def stories_demo(system: Database) -> str:
    """Organization 'tales': the demo story community (idempotent: kept as it is once made)."""
    from mediabase.common.errors import NotFound
    from mediabase.identity import service as identity
    from mediabase.identity.models import OrganizationCreate
    from mediabase.stories import community, public, scenes, service
    from mediabase.stories.models import (
        CategoryCreate,
        FlagCreate,
        FlagReview,
        IdeaCreate,
        IdeaUpdate,
        SceneCreate,
        SceneStatus,
        SceneUpdate,
        SummaryCreate,
        TopicCreate,
    )

    try:
        await identity.organization_by_slug(system, STORIES_SLUG)
        return f"story demo: organization '{STORIES_SLUG}' is there already"
    except NotFound:
        pass
    operator = await identity.operator_user(system)
    await identity.create_organization(system, OrganizationCreate(
        name="Tales: a demo story community", slug=STORIES_SLUG, kind="community",
        description="Stories written for mediabase's demo, public domain (CC0 1.0)."), operator.id)
    owner = await identity.acting_owner(system, STORIES_SLUG)
    ada, ben, chen = members = await _members(system, owner)
    topics: dict[str, UUID] = {}
    categories: dict[str, UUID] = {}
    for order, t in enumerate(TOPICS):
        topic = await service.create_topic(system, owner, TopicCreate(
            name=t["name"], slug=t["slug"], description=t["description"], display_order=order))
        topics[t["slug"]] = topic.id
        for name, slug in t["categories"]:
            categories[slug] = (await service.create_category(system, owner, topic.id,
                                                              CategoryCreate(name=name, slug=slug))).id
    ideas = []
    for i, spec in enumerate(IDEAS):
        idea = await service.create_idea(system, members[i % 3], IdeaCreate(
            topic_id=topics[spec["topic"]], category_id=categories.get(spec["category"] or ""), title=spec["title"],
            prompt=spec["prompt"], tags=spec["tags"], language="en"))
        if spec["approved"]:
            await service.update_idea(system, owner, idea.id, IdeaUpdate(moderation_status="approved"))
        ideas.append(idea.id)
    lighthouse = await scenes.create_scene(system, ada, ideas[0], SceneCreate(
        title="The Lighthouse at Gull Rock", description="Five nights of a storm, told by three members.",
        bible=LIGHTHOUSE_BIBLE))
    bell = await scenes.create_scene(system, chen, ideas[1], SceneCreate(title="Below the Bell", bible=BELL_BIBLE))
    market = await scenes.create_scene(system, ben, ideas[2], SceneCreate(title="Stalls at Dawn"))
    for scene, story in ((lighthouse.id, LIGHTHOUSE), (bell.id, BELL)):
        for who, text in story:
            await _continue(system, members[who], scene, text)
    await scenes.update_scene(system, ben, market.id, SceneUpdate(status=SceneStatus.locked))
    await scenes.create_summary(system, ada, lighthouse.id, SummaryCreate(
        first_sequence=1, last_sequence=3, summary="A storm, pages cut from the log, a light that should not "
        "exist, and a stranger in a dry coat at the door."))
    for p in (ada, ben, chen, owner):
        await community.set_like(system, p, "scene", lighthouse.id, on=True)
    for p in (ben, chen):
        await community.set_like(system, p, "idea", ideas[0], on=True)
    await community.set_like(system, ada, "scene", bell.id, on=True)
    for k in range(12):
        await community.record_view(system, members[k % 3], lighthouse.id, f"198.51.100.{k % 5}")
    flag = await community.create_flag(system, chen, FlagCreate(idea_id=ideas[4], reason="off_topic",
                                                                 description="Is this a small-town story?"))
    await community.review_flag(system, owner, flag.id, FlagReview(decision="dismiss", notes="It is; kept."))
    await community.fold_counters(system)
    await public.publish_stories(system, owner, on=True)
    return (f"story demo: community '{STORIES_SLUG}' (public) with {len(TOPICS)} topics, {len(IDEAS)} ideas, 3 scenes,"
            f" {len(LIGHTHOUSE) + len(BELL)} segments made by continuations")
