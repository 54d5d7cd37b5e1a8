"""The public read path: a published community's approved stories, readable without a key.

Like a share link, it is a deliberate, narrow door (docs/stories.md, "Public read path"):

1. the organization is found by its slug and must be **published** (a row in
   ``story_publications``, made by an OWNER); an unknown slug and an unpublished organization
   answer the same 404;
2. every read then runs on the application pool in that organization's tenant (row-level
   security on, no user) and names what is published: active topics; active ideas whose
   moderation is **approved**; active or locked scenes of such ideas in active topics; the
   active segments of those scenes; their latest bible;
3. the answers are their own models (``Public*``): no user ids, no job ids, no moderation or
   status fields of ideas, no flags, likes by whom, views, continuations or proposals.

A view of a published scene may be counted anonymously (the address only as a keyed HMAC).
"""

from __future__ import annotations

from uuid import UUID

from mediabase.common.errors import Forbidden, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.rows import Conn, class_row, fetch_one_or_404
from mediabase.identity import service as identity
from mediabase.identity.models import Principal, Role
from mediabase.stories.community import address_digest
from mediabase.stories.models import (
    IdeaSort,
    Publication,
    PublicBible,
    PublicIdea,
    PublicScene,
    PublicSegment,
    PublicTopic,
)
from mediabase.stories.scenes import playlist_query, scenes_query
from mediabase.stories.service import Q, idea_page, ideas_query, run_page

_GONE = "no published story community here"


async def fetch_published_org(system: Database, slug: str) -> UUID:
    """The organization of a published community, or 404 (the same for unknown and unpublished)."""
    try:
        org = await identity.organization_by_slug(system, slug)
    except NotFound:
        raise NotFound(_GONE) from None
    async with system.transaction() as conn:
        if await (await conn.execute(Q.publication, {"org": org.id})).fetchone() is None:
            raise NotFound(_GONE)
    return org.id


async def _topic(conn: Conn, org: UUID, topic_id: UUID) -> None:
    await fetch_one_or_404(conn, Q.public_topic, {"org": org, "id": topic_id}, "topic")


async def _scene(conn: Conn, org: UUID, scene_id: UUID) -> PublicScene:
    return await fetch_one_or_404(conn, Q.public_scene, {"org": org, "id": scene_id}, "scene", model=PublicScene)


async def list_public_topics(db: Database, system: Database, slug: str) -> list[PublicTopic]:
    org = await fetch_published_org(system, slug)
    async with db.transaction(org, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(PublicTopic))
        return await (await cur.execute(Q.public_topics, {"org": org})).fetchall()


async def list_public_ideas(db: Database, system: Database, slug: str, topic_id: UUID, *,
                            sort: IdeaSort = IdeaSort.newest, limit: int = 50,
                            cursor: str | None = None) -> Page[PublicIdea]:
    """A published topic's approved ideas, newest or most liked first."""
    org = await fetch_published_org(system, slug)
    q = ideas_query(org, topic_id, sort=sort, limit=limit, cursor=cursor, audience="public")
    async with db.transaction(org, readonly=True) as conn:
        await _topic(conn, org, topic_id)
        rows = await idea_page(conn, q)
    return Page(items=[PublicIdea.model_validate({k: r[k] for k in PublicIdea.model_fields}) for r in rows.items],
                next_cursor=rows.next_cursor)


async def list_public_scenes(db: Database, system: Database, slug: str, topic_id: UUID, *, limit: int = 50,
                 cursor: str | None = None) -> Page[PublicScene]:
    """A published topic's scenes, recently active first."""
    org = await fetch_published_org(system, slug)
    q = scenes_query(org, topic_id, limit=limit, cursor=cursor, public=True)
    async with db.transaction(org, readonly=True) as conn:
        await _topic(conn, org, topic_id)
        return await run_page(conn, PublicScene, q)


async def get_public_scene(db: Database, system: Database, slug: str, scene_id: UUID) -> PublicScene:
    org = await fetch_published_org(system, slug)
    async with db.transaction(org, readonly=True) as conn:
        return await _scene(conn, org, scene_id)


async def list_public_segments(db: Database, system: Database, slug: str, scene_id: UUID, *, limit: int = 100,
                   cursor: str | None = None) -> Page[PublicSegment]:
    """A published scene's active segments in order (a hidden one leaves a gap in the numbers)."""
    org = await fetch_published_org(system, slug)
    q = playlist_query(org, scene_id, limit=limit, cursor=cursor, audience="public")
    async with db.transaction(org, readonly=True) as conn:
        await _scene(conn, org, scene_id)
        return await run_page(conn, PublicSegment, q)


async def get_public_bible(db: Database, system: Database, slug: str, scene_id: UUID) -> PublicBible:
    org = await fetch_published_org(system, slug)
    async with db.transaction(org, readonly=True) as conn:
        await _scene(conn, org, scene_id)
        return await fetch_one_or_404(conn, Q.public_bible, {"org": org, "scene": scene_id}, "bible",
                                      model=PublicBible)


async def record_public_view(db: Database, system: Database, slug: str, scene_id: UUID, address: str | None) -> None:
    """Count an anonymous view of a published scene."""
    org = await fetch_published_org(system, slug)
    digest, key_id = address_digest(address)
    async with db.transaction(org) as conn:
        await _scene(conn, org, scene_id)
        await conn.execute(Q.insert_view, {"org": org, "scene": scene_id, "user": None, "ip_hmac": digest,
                                           "ip_key": key_id})


# -- publishing (members' side) --------------------------------------------------------------------------


async def get_publication(db: Database, p: Principal) -> Publication:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        row = await (await conn.execute(Q.publication, {"org": p.organization_id})).fetchone()
    return Publication(published=False) if row is None else Publication(
        published=True, published_at=row["published_at"], published_by=row["published_by"])


async def publish_stories(db: Database, p: Principal, *, on: bool) -> Publication:
    """Open (``on``) or close the public read path of the organization's stories (OWNER)."""
    if not p.can(Role.OWNER):
        raise Forbidden("only an OWNER publishes or unpublishes the organization's stories")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await conn.execute(Q.publish if on else Q.unpublish, {"org": p.organization_id, "user": p.user_id})
    return await get_publication(db, p)
