"""Builders for the story platform's tests: a community with a topic, a category, an idea and a
scene whose first bible names one character."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mediabase.common.errors import Conflict
from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.stories import scenes, service
from mediabase.stories.continuations import continue_scene, run_continuation
from mediabase.stories.models import (
    CategoryCreate,
    ContinuationCreate,
    IdeaCreate,
    SceneCreate,
    TopicCreate,
)
from tests.factories import Tenant

BIBLE: dict[str, Any] = {
    "version": 1,
    "characters": [{"entityId": "char_ada", "canonicalName": "Ada", "aliases": ["the engineer"]}],
    "setting": {"primaryLocation": "a lighthouse", "timePeriod": "1890s"},
    "timeline": {"currentPoint": "a storm is coming", "majorEvents": []},
    "plotThreads": [{"id": "storm", "description": "the storm", "status": "active"}],
    "styleGuide": {"tone": "quiet", "genre": "mystery"},
}


@dataclass
class Story:
    tenant: Tenant
    topic: UUID
    category: UUID
    idea: UUID
    scene: UUID

    @property
    def owner(self) -> Principal:
        return self.tenant.owner

    @property
    def member(self) -> Principal:
        return self.tenant.member

    @property
    def org(self) -> UUID:
        return self.tenant.owner.organization_id


async def make_story(db: Database, t: Tenant, slug: str = "mysteries") -> Story:
    topic = await service.create_topic(db, t.owner, TopicCreate(name=slug.title(), slug=slug))
    category = await service.create_category(db, t.owner, topic.id, CategoryCreate(name="Sea", slug="sea"))
    idea = await service.create_idea(db, t.member, IdeaCreate(
        topic_id=topic.id, category_id=category.id, title="The keeper's log", prompt="A keeper finds a log.",
        tags=["sea", "storm"]))
    scene = await scenes.create_scene(db, t.member, idea.id, SceneCreate(title="Night one", bible=BIBLE))
    return Story(t, topic.id, category.id, idea.id, scene.id)


async def continue_until_done(
    db: Database, p: Principal, job_id: UUID, *, attempts: int = 200, turn_wait: float | None = None
) -> tuple[dict[str, Any], int]:
    """Run a continuation's attempts as the queue would, retrying each lost race at once; returns
    the result and how many races it lost (``turn_wait=0``: no waiting for older continuations)."""
    lost = 0
    for _ in range(attempts):
        try:
            return await run_continuation(db, p.organization_id, job_id, turn_wait=turn_wait), lost
        except Conflict:
            lost += 1
            await asyncio.sleep(0)
    raise AssertionError(f"continuation {job_id} did not finalize in {attempts} attempts")


async def enqueue_continuations(db: Database, p: Principal, scene: UUID, n: int) -> list[UUID]:
    out = []
    for i in range(n):
        c = await continue_scene(db, p, scene, ContinuationCreate(text=f"Ada climbs to the lamp, time {i}."))
        out.append(c.job_id)
    return out
