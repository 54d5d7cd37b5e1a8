"""Counters are provably true: after any mix of scenes, continuations, likes, unlikes, views of
this and past months, folds, retention and moderation, every counter equals what its rows say
(``mediabase stories verify`` finds nothing), before and after a fold."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import MediabaseError
from mediabase.db.connection import Database
from mediabase.jobs.registry import PermanentError
from mediabase.stories import community, continuations, scenes, service
from mediabase.stories.models import (
    ContinuationCreate,
    FlagCreate,
    FlagReview,
    IdeaCreate,
    SceneCreate,
    SceneStatus,
    SceneUpdate,
    TopicCreate,
)
from tests.conftest import make_settings
from tests.factories import make_tenant

OPS = ("scene", "segment", "like_scene", "unlike_scene", "like_idea", "unlike_idea", "view", "fold", "retention",
       "lock", "unlock", "hide")
Step = tuple[str, int, int, int]


@dataclass
class World:
    ideas: list[UUID]
    scenes: list[UUID] = field(default_factory=list)


async def scenario(url: str, steps: list[Step]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"p-{uuid.uuid4().hex[:10]}")
        people = [t.owner, t.member]
        topic = await service.create_topic(db, t.owner, TopicCreate(name="Tales", slug="tales"))
        w = World([(await service.create_idea(db, t.member, IdeaCreate(topic_id=topic.id, title=f"Idea {i}",
                                                                       prompt="p"))).id for i in range(2)])
        org = t.owner.organization_id
        for op, i, j, k in steps:
            who = people[k % 2]
            scene = w.scenes[j % len(w.scenes)] if w.scenes else None
            try:
                if op == "scene":
                    w.scenes.append((await scenes.create_scene(db, who, w.ideas[i % 2], SceneCreate(title="s"))).id)
                elif op == "segment" and scene:
                    c = await continuations.continue_scene(db, who, scene, ContinuationCreate(text=f"Step {i}."))
                    await continuations.run_continuation(db, org, c.job_id)
                elif op in ("like_scene", "unlike_scene") and scene:
                    await community.set_like(db, who, "scene", scene, on=op == "like_scene")
                elif op in ("like_idea", "unlike_idea"):
                    await community.set_like(db, who, "idea", w.ideas[i % 2], on=op == "like_idea")
                elif op == "view" and scene:
                    async with owner.transaction(org) as conn:  # k months ago (0: now)
                        await conn.execute(
                            "INSERT INTO story_scene_views (organization_id, scene_id, viewed_at, user_id)"
                            " SELECT %s, %s, now() - make_interval(months => %s), %s FROM generate_series(1, %s)",
                            (org, scene, k, who.user_id, i + 1))
                elif op == "fold":
                    await community.fold_counters(owner, org, batch=3)
                elif op == "retention":  # what dropping the oldest months does: their rows go, no trigger
                    async with owner.transaction(org) as conn:
                        await conn.execute(
                            "DELETE FROM story_scene_views WHERE organization_id = %s"
                            " AND viewed_at < date_trunc('month', now()) - make_interval(months => %s)", (org, 3 - k))
                elif op in ("lock", "unlock") and scene:
                    status = SceneStatus.locked if op == "lock" else SceneStatus.active
                    await scenes.update_scene(db, t.owner, scene, SceneUpdate(status=status))
                elif op == "hide" and scene:
                    f = await community.create_flag(db, t.member, FlagCreate(scene_id=scene, reason="spam"))
                    await community.review_flag(db, t.owner, f.id, FlagReview(decision="resolve", action="hidden"))
            except (MediabaseError, PermanentError):
                pass  # refused (a locked or hidden scene, a flag already open): the counters must hold anyway
        assert await community.verify_counters(owner, org) == []
        await community.fold_counters(owner, org)
        assert await community.verify_counters(owner, org) == []
        async with owner.transaction(org) as conn:
            pending = await (await conn.execute("SELECT count(*) AS n FROM story_counter_deltas"
                                                " WHERE organization_id = %s", (org,))).fetchone()
        assert pending is not None and pending["n"] == 0


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
                min_size=1, max_size=30))
def test_counters_equal_their_recomputation(migrated_url: str, steps: list[Step]) -> None:
    asyncio.run(scenario(migrated_url, steps))
