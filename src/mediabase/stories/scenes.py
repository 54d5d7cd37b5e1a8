"""Story services, part two: scenes, their playlists (segments), bibles and summaries.

A scene grows from an idea, in the idea's topic, and starts with bible version 1 (written in the
same transaction). Its segments come only from continuations (:mod:`mediabase.stories.continuations`);
its bible advances with each finalized continuation, or by hand with a compare-and-set on the
version it replaces.
"""

from __future__ import annotations

from typing import Any, Literal, LiteralString
from uuid import UUID

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.rows import Conn, Jsonb, class_row, fetch_one_or_404, lock_or_404, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import may_change
from mediabase.stories import bible as bibles
from mediabase.stories.models import (
    Bible,
    BibleWrite,
    Scene,
    SceneCreate,
    SceneStatus,
    SceneUpdate,
    Segment,
    SegmentStatus,
    Summary,
    SummaryCreate,
)
from mediabase.stories.service import (
    PageQuery,
    Q,
    _columns,
    page,
    page_query,
    position,
    require_admin,
    run_page,
    sequence_after,
)

register_constraint("story_scenes_idea_fk", NotFound, "no such idea in this topic", field="idea_id")
register_constraint("story_segments_scene_open", Conflict, None, field="scene_id")
register_constraint("story_segments_latest_bible", Conflict, None, field="bible_version")
register_constraint("story_segments_gapless", Conflict, None, field="sequence")
register_constraint("story_bibles_contiguous", Conflict, None, field="expected_version")
register_constraint("story_bibles_append_only", Conflict, None)
register_constraint("story_segments_append_only", Conflict, None)
register_constraint("story_scenes_has_bible", Invalid, None, field="bible")
register_constraint("story_bibles_shape", Invalid, "the bible needs version, characters, setting and timeline",
                    field="data")
register_constraint("story_bibles_version_matches", Invalid, "the bible's data.version must be the version written",
                    field="data.version")
register_constraint("story_bibles_entity_ids", Invalid,
                    "every character needs a unique entityId like char_abc123", field="data.characters")
register_constraint("story_bibles_plot_thread_status", Invalid,
                    "a plot thread's status is active, resolved or abandoned", field="data.plotThreads")
register_constraint("story_bibles_size", Invalid, "a bible holds at most 1 MB", field="data")
register_constraint("story_scene_summaries_no_overlap", Conflict,
                    "a summary of this scene covers some of these sequences already", field="first_sequence")
register_constraint("story_scene_summaries_within_scene", Invalid, None, field="last_sequence")

VISIBLE: tuple[SceneStatus, ...] = (SceneStatus.active, SceneStatus.locked)


async def fetch_scene(conn: Conn, org: UUID, scene_id: UUID) -> Scene:
    return await fetch_one_or_404(conn, _columns(Q.scene_columns), {"org": org, "id": scene_id}, "scene", model=Scene)


async def fetch_readable_scene(conn: Conn, p: Principal, scene_id: UUID) -> Scene:
    """A scene the caller may read: active or locked, or any to its creator and ADMINs."""
    s = await fetch_scene(conn, p.organization_id, scene_id)
    if s.status not in VISIBLE and not (p.can(Role.ADMIN) or s.user_id == p.user_id):
        raise NotFound("scene not found")
    return s


async def create_scene(db: Database, p: Principal, idea_id: UUID, data: SceneCreate) -> Scene:
    """A scene from an idea (active, not rejected), in the idea's topic, with its first bible."""
    first = bibles.validate(data.bible, version=1) if data.bible is not None else bibles.empty(data.title)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        idea = await lock_or_404(conn, Q.idea_for_scene, p.organization_id, idea_id, "idea")
        if idea["status"] != "active" or idea["moderation_status"] == "rejected":
            raise Conflict(f"the idea is {idea['status']} ({idea['moderation_status']}): it grows no scenes",
                           field="idea_id")
        row = await fetch_one_or_404(conn, Q.insert_scene, {
            "org": p.organization_id, "topic": idea["topic_id"], "idea": idea_id, "user": p.user_id,
            "title": data.title, "description": data.description,
        }, "scene")
        await conn.execute(Q.insert_bible, {"org": p.organization_id, "scene": row["id"], "version": 1,
                                            "data": Jsonb(first), "user": p.user_id})
        return await fetch_scene(conn, p.organization_id, row["id"])


async def get_scene(db: Database, p: Principal, scene_id: UUID) -> Scene:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await fetch_readable_scene(conn, p, scene_id)


def scenes_query(org: UUID, topic: UUID, *, limit: int = 50, cursor: str | None = None, idea: UUID | None = None,
                 public: bool = False) -> PageQuery:
    """A topic's active and locked scenes, recently active first: by the last segment's time, or
    the scene's creation while it has none (story_scenes_topic_recent_idx; keyset on that instant
    and the id). For the public, only scenes of active approved ideas."""
    if public:
        where: list[LiteralString] = ["s.organization_id = %(org)s", "s.topic_id = %(topic)s",
                                      "s.status IN ('active', 'locked')", "i.status = 'active'",
                                      "i.moderation_status = 'approved'"]
        select, prefix = Q.public_scene_columns, "s."
    else:
        where = ["organization_id = %(org)s", "topic_id = %(topic)s", "status IN ('active', 'locked')"]
        select, prefix = Q.scene_columns, ""
    if idea is not None:
        where.append("idea_id = %(idea)s" if not public else "s.idea_id = %(idea)s")
    if cursor is not None:
        where.append("(coalesce(last_segment_at, created_at), id) < (%(after_at)s, %(after_id)s)" if not public else
                     "(coalesce(s.last_segment_at, s.created_at), s.id) < (%(after_at)s, %(after_id)s)")
    order: LiteralString = ("coalesce(s.last_segment_at, s.created_at) DESC, s.id DESC" if prefix else
                            "coalesce(last_segment_at, created_at) DESC, id DESC")
    return page_query(select, where, order, {"org": org, "topic": topic, "idea": idea, **position(cursor)}, limit,
                      lambda x: (x.last_segment_at or x.created_at, x.id))


async def list_scenes(
    db: Database, p: Principal, topic_id: UUID, *, idea_id: UUID | None = None, limit: int = 50,
    cursor: str | None = None,
) -> Page[Scene]:
    """A topic's scenes (active and locked), recently active first (:func:`scenes_query`)."""
    q = scenes_query(p.organization_id, topic_id, limit=limit, cursor=cursor, idea=idea_id)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_one_or_404(conn, _columns(Q.topic_columns), {"org": p.organization_id, "id": topic_id}, "topic")
        return await run_page(conn, Scene, q)


async def update_scene(db: Database, p: Principal, scene_id: UUID, data: SceneUpdate) -> Scene:
    """The creator (or an ADMIN) edits the title and description and may lock or unlock the
    scene; hiding and removing are an ADMIN's (moderation)."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "status"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_scene, p.organization_id, scene_id, "scene")
        may_change(p, row["user_id"], "scene")
        status = changes.get("status")
        moderated = {row["status"], status} & {"hidden", "removed"}
        if status is not None and status != row["status"] and moderated and not p.can(Role.ADMIN):
            raise Forbidden("only an ADMIN hides, removes or restores a scene", field="status")
        await update_columns(conn, "story_scenes", p.organization_id, scene_id, changes, changes)
        return await fetch_scene(conn, p.organization_id, scene_id)


# -- segments ---------------------------------------------------------------------------------------


def playlist_query(org: UUID, scene: UUID, *, limit: int = 100, cursor: str | None = None,
                   audience: Literal["member", "admin", "public"] = "member", me: UUID | None = None) -> PageQuery:
    """A scene's segments in order: one range of story_segments_sequence_key (keyset on sequence).
    Hidden and removed segments keep their place; ADMINs see them, members their own, the public none."""
    where: list[LiteralString] = ["organization_id = %(org)s", "scene_id = %(scene)s", "sequence > %(after)s"]
    if audience == "member":
        where.append("(status = 'active' OR user_id = %(me)s)")
    elif audience == "public":
        where.append("status = 'active'")
    select = Q.public_segments if audience == "public" else Q.segment_columns
    return page_query(select, where, "sequence", {"org": org, "scene": scene, "after": sequence_after(cursor),
                                                  "me": me}, limit, lambda g: (g.sequence,))


async def list_segments(
    db: Database, p: Principal, scene_id: UUID, *, limit: int = 100, cursor: str | None = None
) -> Page[Segment]:
    """A scene's playlist (:func:`playlist_query`)."""
    q = playlist_query(p.organization_id, scene_id, limit=limit, cursor=cursor, me=p.user_id,
                       audience="admin" if p.can(Role.ADMIN) else "member")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        return await run_page(conn, Segment, q)


async def get_segment(db: Database, p: Principal, segment_id: UUID) -> Segment:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        seg = await fetch_one_or_404(conn, _columns(Q.segment_columns), {"org": p.organization_id, "id": segment_id},
                                     "segment", model=Segment)
        await fetch_readable_scene(conn, p, seg.scene_id)
        if seg.status is not SegmentStatus.active and not (p.can(Role.ADMIN) or seg.user_id == p.user_id):
            raise NotFound("segment not found")
        return seg


async def update_segment(db: Database, p: Principal, segment_id: UUID, status: SegmentStatus) -> Segment:
    """Hide, remove or restore a segment (ADMIN): it keeps its sequence, so the playlist stays gapless."""
    require_admin(p, "moderate segments")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await update_columns(conn, "story_segments", p.organization_id, segment_id, {"status": status}, ["status"])
        return await fetch_one_or_404(conn, _columns(Q.segment_columns), {"org": p.organization_id, "id": segment_id},
                                      "segment", model=Segment)


# -- bibles -----------------------------------------------------------------------------------------


async def get_latest_bible(db: Database, p: Principal, scene_id: UUID) -> Bible:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        return await fetch_one_or_404(conn, Q.latest_bible, {"org": p.organization_id, "scene": scene_id}, "bible",
                                      model=Bible)


async def get_bible(db: Database, p: Principal, scene_id: UUID, version: int) -> Bible:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        b: Bible | None = await (await conn.cursor(row_factory=class_row(Bible)).execute(
            Q.bible_at, {"org": p.organization_id, "scene": scene_id, "version": version})).fetchone()
        if b is not None:
            return b
        raise NotFound(f"the scene has no bible version {version}")


async def list_bibles(
    db: Database, p: Principal, scene_id: UUID, *, limit: int = 50, cursor: str | None = None
) -> Page[Bible]:
    """A scene's bible versions, newest first."""
    before = sequence_after(cursor) if cursor is not None else None
    where: list[LiteralString] = ["organization_id = %(org)s", "scene_id = %(scene)s"]
    if before is not None:
        where.append("version < %(before)s")
    params: dict[str, Any] = {"org": p.organization_id, "scene": scene_id, "before": before}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        return await page(conn, Bible, Q.bible_columns, where, "version DESC", params, limit, lambda b: (b.version,))


async def create_bible(db: Database, p: Principal, scene_id: UUID, data: BibleWrite) -> Bible:
    """A new bible version by hand (the scene's creator or an ADMIN): written only if the scene's
    bible is still at ``expected_version`` (else 409 and nothing written)."""
    new = bibles.validate(data.data, version=data.expected_version + 1)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_scene, p.organization_id, scene_id, "scene")
        may_change(p, row["user_id"], "scene")
        if row["bible_version"] != data.expected_version:
            raise Conflict(f"the bible is at version {row['bible_version']}, not {data.expected_version}: read the "
                           "latest and write again", field="expected_version")
        await conn.execute(Q.insert_bible, {"org": p.organization_id, "scene": scene_id, "version": new["version"],
                                            "data": Jsonb(new), "user": p.user_id})
        return await fetch_one_or_404(conn, Q.latest_bible, {"org": p.organization_id, "scene": scene_id}, "bible",
                                      model=Bible)


# -- summaries --------------------------------------------------------------------------------------


async def create_summary(db: Database, p: Principal, scene_id: UUID, data: SummaryCreate) -> Summary:
    """Compress a range of the scene's sequences (creator or ADMIN); ranges never overlap."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        s = await fetch_readable_scene(conn, p, scene_id)
        may_change(p, s.user_id, "scene")
        row = await fetch_one_or_404(conn, Q.insert_summary, {
            "org": p.organization_id, "scene": scene_id, "first": data.first_sequence, "last": data.last_sequence,
            "summary": data.summary, "user": p.user_id,
        }, "summary")
        return await fetch_one_or_404(conn, _columns(Q.summary_columns), {"org": p.organization_id, "id": row["id"]},
                                      "summary", model=Summary)


async def list_summaries(db: Database, p: Principal, scene_id: UUID) -> list[Summary]:
    """A scene's summaries in sequence order."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        cur = conn.cursor(row_factory=class_row(Summary))
        return await (await cur.execute(
            Q.summary_columns + " WHERE organization_id = %(org)s AND scene_id = %(scene)s ORDER BY covered",
            {"org": p.organization_id, "scene": scene_id},
        )).fetchall()
