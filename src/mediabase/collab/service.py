"""Collaboration services: comments and reactions, moments, clips, highlight reels, quote cards.

Every function runs in the caller's tenant on the application pool (row-level security
applies). MEMBERs read everything and write their own content; ADMINs and OWNERs manage all
content. Invariants live in the database (0007_collab.sql); these functions check roles, turn
requests into SQL, and let constraint violations surface as domain errors.
"""

from __future__ import annotations

from typing import Any, LiteralString
from uuid import UUID

from mediabase.collab.models import (
    Clip,
    ClipCreate,
    ClipUpdate,
    Comment,
    CommentCreate,
    CommentUpdate,
    Moment,
    MomentCreate,
    MomentUpdate,
    QuoteCard,
    QuoteCardCreate,
    QuoteCardUpdate,
    Reel,
    ReelCreate,
    ReelUpdate,
)
from mediabase.common.types import RANGE_TEXT
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, by_id, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal
from mediabase.identity.service import may_change
from mediabase.media.service import fetch_live_video

Q = load_queries("mediabase.collab", "queries.sql")

register_constraint(
    "comments_parent_fk", NotFound, "the parent comment is not a comment of this video", field="parent_id"
)
register_constraint("comments_parent_live", Conflict, "cannot reply to a deleted comment", field="parent_id")
register_constraint("comments_deleted_final", Conflict, "a deleted comment stays deleted and cannot be edited")
register_constraint("comment_reactions_comment_live", Conflict, "cannot react to a deleted comment")
register_constraint("comment_reactions_member_fk", Forbidden, "only members react")
register_constraint("video_clips_moment_fk", NotFound, "no such moment on this video", field="moment_id")
register_constraint("video_clips_ready_has_file", Invalid, "a ready clip needs its storage_key", field="storage_key")
register_constraint(
    "highlight_reels_ready_has_file", Invalid, "a ready reel needs its storage_key", field="storage_key"
)
register_constraint("video_clips_error_only_when_failed", Invalid, "error is only set on a failed clip", field="error")
register_constraint(
    "highlight_reels_error_only_when_failed", Invalid, "error is only set on a failed reel", field="error"
)
register_constraint("highlight_reel_clips_clip_fk", NotFound, "no such clip in this organization", field="clip_ids")
register_constraint("highlight_reel_clips_clip_once", Invalid, "a clip appears once in a reel", field="clip_ids")
register_constraint("highlight_reel_clips_reel_editable", Conflict, None, field="clip_ids")
register_constraint("highlight_reels_has_clips", Conflict, None, field="status")
register_constraint("quote_cards_speaker_fk", NotFound, "no such speaker on this video", field="speaker_id")
register_constraint("share_links_expires_at_range", Invalid, f"expires_at must be {RANGE_TEXT}", field="expires_at")
for _table, _fields in (
    ("comments", "position_ms"),
    ("video_moments", "end_ms"),
    ("video_clips", "end_ms"),
    ("quote_cards", "end_ms"),
):
    register_constraint(f"{_table}_within_video", Invalid, None, field=_fields)
for _table in ("video_clips", "highlight_reels"):
    register_constraint(f"{_table}_status_transition", Conflict, None, field="status")
for _table in ("video_moments", "video_clips", "quote_cards"):
    register_constraint(f"{_table}_times_valid", Invalid, "times must satisfy 0 <= start_ms <= end_ms", field="end_ms")


# -- comments ---------------------------------------------------------------------------------


async def _comment(conn: Conn, p: Principal, comment_id: UUID) -> Comment:
    params = {"org": p.organization_id, "id": comment_id, "me": p.user_id}
    return await fetch_one_or_404(conn, by_id(Q.comment_columns, "c"), params, "comment", model=Comment)


async def create_comment(db: Database, p: Principal, video_id: UUID, data: CommentCreate) -> Comment:
    """Comment on a video (any member), optionally at a position or as a reply."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        if data.parent_id is not None:
            parent = await (
                await conn.execute(Q.parent_comment, {"org": p.organization_id, "id": data.parent_id})
            ).fetchone()
            if parent is None or parent["video_id"] != video_id:
                raise NotFound("the parent comment is not a comment of this video", field="parent_id")
        row = await (
            await conn.execute(
                Q.insert_comment,
                {
                    "org": p.organization_id,
                    "video_id": video_id,
                    "parent_id": data.parent_id,
                    "author_id": p.user_id,
                    "body": data.body,
                    "position_ms": data.position_ms,
                },
            )
        ).fetchone()
        assert row is not None
        return await _comment(conn, p, row["id"])


async def list_comments(
    db: Database, p: Principal, video_id: UUID, *, from_ms: int | None = None, to_ms: int | None = None
) -> list[Comment]:
    """A video's comments, oldest first, with their parent ids. A deleted comment is listed
    (without its words) while a live comment is under it, so the thread keeps its shape."""
    where: list[LiteralString] = [
        "c.organization_id = %(org)s",
        "c.video_id = %(video_id)s",
        "c.id IN (SELECT id FROM shown)",
    ]
    if from_ms is not None:
        where.append("c.position_ms >= %(from_ms)s")
    if to_ms is not None:
        where.append("c.position_ms < %(to_ms)s")
    stmt = sql.SQL("{} {} WHERE {} ORDER BY c.created_at, c.id").format(
        sql.SQL(Q.shown_comments), sql.SQL(Q.comment_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where)
    )
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Comment))
        return await (
            await cur.execute(
                stmt,
                {"org": p.organization_id, "video_id": video_id, "me": p.user_id, "from_ms": from_ms, "to_ms": to_ms},
            )
        ).fetchall()


async def _lock_comment(conn: Conn, p: Principal, comment_id: UUID) -> dict[str, Any]:
    return await lock_or_404(conn, Q.lock_comment, p.organization_id, comment_id, "comment")


async def update_comment(db: Database, p: Principal, comment_id: UUID, data: CommentUpdate) -> Comment:
    """Only the author edits a comment's words (edited_at is stamped by the database)."""
    changes = data.model_dump(exclude_unset=True)
    if "body" in changes and changes["body"] is None:
        raise Invalid("body cannot be cleared; delete the comment instead", field="body")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await _lock_comment(conn, p, comment_id)
        if row["author_id"] != p.user_id:
            raise Forbidden("only the author edits a comment")
        await conn.execute(
            Q.update_comment,
            {
                "org": p.organization_id,
                "id": comment_id,
                "body": changes.get("body"),
                "set_position": "position_ms" in changes,
                "position_ms": changes.get("position_ms"),
            },
        )
        return await _comment(conn, p, comment_id)


async def delete_comment(db: Database, p: Principal, comment_id: UUID) -> None:
    """Soft delete (author or ADMIN): the comment keeps its place in the thread, not its words."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await _lock_comment(conn, p, comment_id)
        may_change(p, row["author_id"], "comment")
        await conn.execute(Q.delete_comment, {"org": p.organization_id, "id": comment_id, "user_id": p.user_id})


async def create_reaction(db: Database, p: Principal, comment_id: UUID, emoji: str) -> Comment:
    """React to a comment; one reaction per user, comment and emoji (twice changes nothing)."""
    return await _react(db, p, comment_id, emoji, on=True)


async def delete_reaction(db: Database, p: Principal, comment_id: UUID, emoji: str) -> Comment:
    """Take the caller's reaction back (none there changes nothing)."""
    return await _react(db, p, comment_id, emoji, on=False)


async def _react(db: Database, p: Principal, comment_id: UUID, emoji: str, *, on: bool) -> Comment:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_comment(conn, p, comment_id)
        params = {"org": p.organization_id, "comment_id": comment_id, "user_id": p.user_id, "emoji": emoji}
        await conn.execute(Q.add_reaction if on else Q.remove_reaction, params)
        return await _comment(conn, p, comment_id)


# -- moments ------------------------------------------------------------------------------------


async def _moment(conn: Conn, p: Principal, moment_id: UUID) -> Moment:
    params = {"org": p.organization_id, "id": moment_id}
    return await fetch_one_or_404(conn, by_id(Q.moment_columns, "m"), params, "moment", model=Moment)


async def create_moment(db: Database, p: Principal, video_id: UUID, data: MomentCreate) -> Moment:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        row = await (
            await conn.execute(
                Q.insert_moment,
                {
                    "org": p.organization_id,
                    "video_id": video_id,
                    "layer_id": None,
                    "created_by": p.user_id,
                    **data.model_dump(),
                },
            )
        ).fetchone()
        assert row is not None
        return await _moment(conn, p, row["id"])


async def list_moments(db: Database, p: Principal, video_id: UUID) -> list[Moment]:
    """People's moments and those of the video's current moments layer, by start."""
    stmt = sql.SQL(
        "{} WHERE m.organization_id = %(org)s AND m.video_id = %(video_id)s"
        " AND (m.layer_id IS NULL OR EXISTS (SELECT 1 FROM ai_layers l WHERE l.organization_id = %(org)s"
        " AND l.id = m.layer_id AND l.status = 'ready')) ORDER BY m.start_ms, m.id"
    ).format(sql.SQL(Q.moment_columns))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Moment))
        return await (await cur.execute(stmt, {"org": p.organization_id, "video_id": video_id})).fetchall()


async def update_moment(db: Database, p: Principal, moment_id: UUID, data: MomentUpdate) -> Moment:
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "start_ms", "end_ms", "moment_type"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_moment, p.organization_id, moment_id, "moment")
        may_change(p, row["created_by"], "moment")
        await update_columns(conn, "video_moments", p.organization_id, moment_id, changes, MomentUpdate.model_fields)
        return await _moment(conn, p, moment_id)


async def delete_moment(db: Database, p: Principal, moment_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_moment, p.organization_id, moment_id, "moment")
        may_change(p, row["created_by"], "moment")
        await conn.execute(Q.delete_moment, {"org": p.organization_id, "id": moment_id})


# -- clips ----------------------------------------------------------------------------------------


async def _clip(conn: Conn, p: Principal, clip_id: UUID) -> Clip:
    params = {"org": p.organization_id, "id": clip_id}
    return await fetch_one_or_404(conn, by_id(Q.clip_columns, "k"), params, "clip", model=Clip)


async def create_clip(db: Database, p: Principal, video_id: UUID, data: ClipCreate) -> Clip:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        row = await (
            await conn.execute(
                Q.insert_clip,
                {"org": p.organization_id, "video_id": video_id, "created_by": p.user_id, **data.model_dump()},
            )
        ).fetchone()
        assert row is not None
        return await _clip(conn, p, row["id"])


async def list_clips(db: Database, p: Principal, video_id: UUID) -> list[Clip]:
    stmt = sql.SQL(
        "{} WHERE k.organization_id = %(org)s AND k.video_id = %(video_id)s ORDER BY k.start_ms, k.id"
    ).format(sql.SQL(Q.clip_columns))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Clip))
        return await (await cur.execute(stmt, {"org": p.organization_id, "video_id": video_id})).fetchall()


async def get_clip(db: Database, p: Principal, clip_id: UUID) -> Clip:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_clip, p.organization_id, clip_id, "clip")  # a live video's clip
        return await _clip(conn, p, clip_id)


async def update_clip(db: Database, p: Principal, clip_id: UUID, data: ClipUpdate) -> Clip:
    """Edit a clip or move it along its status workflow (creator or ADMIN)."""
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "start_ms", "end_ms", "status"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    if changes.get("status") is not None:
        changes["status"] = changes["status"].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_clip, p.organization_id, clip_id, "clip")
        may_change(p, row["created_by"], "clip")
        await update_columns(conn, "video_clips", p.organization_id, clip_id, changes, ClipUpdate.model_fields)
        return await _clip(conn, p, clip_id)


async def delete_clip(db: Database, p: Principal, clip_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_clip, p.organization_id, clip_id, "clip")
        may_change(p, row["created_by"], "clip")
        await conn.execute(Q.delete_clip, {"org": p.organization_id, "id": clip_id})


# -- highlight reels ----------------------------------------------------------------------------


async def _reels(conn: Conn, p: Principal, reel_id: UUID | None, limit: int = 200) -> list[Reel]:
    cur = conn.cursor(row_factory=class_row(Reel))
    return await (await cur.execute(Q.get_reel, {"org": p.organization_id, "id": reel_id, "limit": limit})).fetchall()


async def _reel(conn: Conn, p: Principal, reel_id: UUID) -> Reel:
    rows = await _reels(conn, p, reel_id, 1)
    if not rows:
        raise NotFound("highlight reel not found")
    return rows[0]


async def _set_reel_clips(conn: Conn, p: Principal, reel_id: UUID, clip_ids: list[UUID]) -> None:
    if len(set(clip_ids)) != len(clip_ids):
        raise Invalid("a clip appears once in a reel", field="clip_ids")
    await conn.execute(Q.clear_reel_clips, {"org": p.organization_id, "reel_id": reel_id})
    if clip_ids:
        async with conn.cursor() as cur:
            await cur.executemany(Q.insert_reel_clip, [
                {"org": p.organization_id, "reel_id": reel_id, "position": i, "clip_id": c}
                for i, c in enumerate(clip_ids, 1)])


async def create_reel(db: Database, p: Principal, data: ReelCreate) -> Reel:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (
            await conn.execute(
                Q.insert_reel,
                {
                    "org": p.organization_id,
                    "title": data.title,
                    "description": data.description,
                    "created_by": p.user_id,
                },
            )
        ).fetchone()
        assert row is not None
        await _set_reel_clips(conn, p, row["id"], data.clip_ids)
        return await _reel(conn, p, row["id"])


async def list_reels(db: Database, p: Principal, limit: int = 200) -> list[Reel]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _reels(conn, p, None, limit)


async def get_reel(db: Database, p: Principal, reel_id: UUID) -> Reel:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _reel(conn, p, reel_id)


async def _lock_reel(conn: Conn, p: Principal, reel_id: UUID) -> dict[str, Any]:
    row = await lock_or_404(conn, Q.lock_reel, p.organization_id, reel_id, "highlight reel")
    may_change(p, row["created_by"], "reel")
    return row


async def update_reel(db: Database, p: Principal, reel_id: UUID, data: ReelUpdate) -> Reel:
    """Edit a reel or move it along draft -> rendering -> ready | failed (creator or ADMIN)."""
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "status"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    if changes.get("status") is not None:
        changes["status"] = changes["status"].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_reel(conn, p, reel_id)
        await update_columns(conn, "highlight_reels", p.organization_id, reel_id, changes, ReelUpdate.model_fields)
        return await _reel(conn, p, reel_id)


async def update_reel_clips(db: Database, p: Principal, reel_id: UUID, clip_ids: list[UUID]) -> Reel:
    """Replace a reel's ordered clips; a ready or failed reel goes back to draft first."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await _lock_reel(conn, p, reel_id)
        if row["status"] in ("ready", "failed"):
            await conn.execute(Q.reel_to_draft, {"org": p.organization_id, "id": reel_id})
        await _set_reel_clips(conn, p, reel_id, clip_ids)
        return await _reel(conn, p, reel_id)


async def delete_reel(db: Database, p: Principal, reel_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_reel(conn, p, reel_id)
        await conn.execute(Q.delete_reel, {"org": p.organization_id, "id": reel_id})


# -- quote cards ---------------------------------------------------------------------------------


async def _quote_card(conn: Conn, p: Principal, card_id: UUID) -> QuoteCard:
    params = {"org": p.organization_id, "id": card_id}
    return await fetch_one_or_404(conn, by_id(Q.quote_card_columns, "q"), params, "quote card", model=QuoteCard)


async def create_quote_card(db: Database, p: Principal, video_id: UUID, data: QuoteCardCreate) -> QuoteCard:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        values = data.model_dump()
        values.update(org=p.organization_id, video_id=video_id, created_by=p.user_id, template=Jsonb(data.template))
        row = await (await conn.execute(Q.insert_quote_card, values)).fetchone()
        assert row is not None
        return await _quote_card(conn, p, row["id"])


async def list_quote_cards(db: Database, p: Principal, video_id: UUID) -> list[QuoteCard]:
    stmt = sql.SQL(
        "{} WHERE q.organization_id = %(org)s AND q.video_id = %(video_id)s ORDER BY q.start_ms, q.id"
    ).format(sql.SQL(Q.quote_card_columns))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(QuoteCard))
        return await (await cur.execute(stmt, {"org": p.organization_id, "video_id": video_id})).fetchall()


async def update_quote_card(db: Database, p: Principal, card_id: UUID, data: QuoteCardUpdate) -> QuoteCard:
    changes = data.model_dump(exclude_unset=True)
    for required in ("quote_text", "start_ms"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    if "template" in changes:
        changes["template"] = Jsonb(changes["template"] or {})
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_quote_card, p.organization_id, card_id, "quote card")
        may_change(p, row["created_by"], "quote card")
        await update_columns(conn, "quote_cards", p.organization_id, card_id, changes, QuoteCardUpdate.model_fields)
        return await _quote_card(conn, p, card_id)


async def delete_quote_card(db: Database, p: Principal, card_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_quote_card, p.organization_id, card_id, "quote card")
        may_change(p, row["created_by"], "quote card")
        await conn.execute(Q.delete_quote_card, {"org": p.organization_id, "id": card_id})
