"""Story services, part three: likes, views, moderation flags, and counters that stay true.

Likes and views never update the liked or viewed row: each is a row of its own plus a delta row
appended by a trigger (0021). Upkeep folds the deltas into the stored counters
(:func:`fold`), and every read adds what is still pending, so a count is exact at any moment.
:func:`verify` recomputes every counter from the rows it counts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any, LiteralString
from uuid import UUID

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.rows import Conn, class_row, fetch_one_or_404, lock_or_404
from mediabase.identity.models import Principal, Role
from mediabase.stories.models import (
    TARGETS,
    CounterDifference,
    Flag,
    FlagAction,
    FlagCreate,
    FlagDecision,
    FlagReview,
    FlagStatus,
    Liked,
)
from mediabase.stories.scenes import fetch_readable_scene
from mediabase.stories.service import PageQuery, Q, _columns, page_query, position, require_admin, run_page

register_constraint("story_likes_member_fk", Forbidden, "only members like")
register_constraint("story_flags_member_fk", NotFound, "no such member in this organization", field="member_id")
for _kind in ("idea", "scene", "segment", "topic"):
    register_constraint(f"story_flags_{_kind}_fk", NotFound, f"no such {_kind} in this organization",
                        field=f"{_kind}_id")
    register_constraint(f"story_flags_open_{_kind}_key", Conflict,
                        f"you reported this {_kind} already; the report is still open", field=f"{_kind}_id")
register_constraint("story_flags_open_member_key", Conflict,
                    "you reported this member already; the report is still open", field="member_id")
register_constraint("story_flags_status_transition", Conflict, "the flag was closed already", field="decision")
register_constraint("story_flags_one_target", Invalid, "a flag names exactly one target")

# What resolving a flag may do to each kind of target (besides nothing).
ACTIONS: dict[str, dict[FlagAction, tuple[LiteralString, Any]]] = {
    "idea_id": {FlagAction.hidden: ("UPDATE story_ideas SET status = %(v)s", "hidden"),
                FlagAction.removed: ("UPDATE story_ideas SET status = %(v)s", "removed"),
                FlagAction.rejected: ("UPDATE story_ideas SET moderation_status = %(v)s", "rejected")},
    "scene_id": {FlagAction.hidden: ("UPDATE story_scenes SET status = %(v)s", "hidden"),
                 FlagAction.removed: ("UPDATE story_scenes SET status = %(v)s", "removed"),
                 FlagAction.locked: ("UPDATE story_scenes SET status = %(v)s", "locked")},
    "segment_id": {FlagAction.hidden: ("UPDATE story_segments SET status = %(v)s", "hidden"),
                   FlagAction.removed: ("UPDATE story_segments SET status = %(v)s", "removed")},
    "topic_id": {FlagAction.deactivated: ("UPDATE story_topics SET is_active = %(v)s", False)},
    "member_id": {},
}


class ViewSettings(BaseSettings):
    """The key of the client addresses' HMAC (``MEDIABASE_STORIES_VIEW_KEY``, rotated by setting a
    new one with a new ``MEDIABASE_STORIES_VIEW_KEY_ID``). Unset: a random key per process, so
    nothing can link two processes' digests, nor reverse one."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_STORIES_", extra="ignore")

    view_key: SecretStr | None = Field(default=None, description="HMAC key of viewers' addresses (32+ characters)")
    view_key_id: str = Field(default="k1", pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="names the key in rows")


_PROCESS_KEY = (secrets.token_bytes(32), "p-" + secrets.token_hex(4))


def address_digest(address: str | None, settings: ViewSettings | None = None) -> tuple[bytes | None, str | None]:
    """HMAC-SHA-256 of a client address under the configured key, and the key's id. An unsalted
    SHA-256 of an IPv4 address is reversed by trying all 2^32 of them; a keyed one is not."""
    if not address:
        return None, None
    s = settings or ViewSettings()
    if s.view_key is not None:
        key, key_id = s.view_key.get_secret_value().encode(), s.view_key_id
    else:
        key, key_id = _PROCESS_KEY
    return hmac.new(key, address.encode(), hashlib.sha256).digest(), key_id


# -- likes and views -----------------------------------------------------------------------------------


async def _idea_visible(conn: Conn, p: Principal, idea_id: UUID) -> dict[str, Any]:
    row = await fetch_one_or_404(conn, _columns(Q.idea_columns), {"org": p.organization_id, "id": idea_id}, "idea")
    if row["status"] != "active" and not (p.can(Role.ADMIN) or row["user_id"] == p.user_id):
        raise NotFound("idea not found")
    return row


async def set_like(db: Database, p: Principal, kind: str, target: UUID, *, on: bool) -> Liked:
    """Like (``on``) or unlike an idea or a scene ("idea" or "scene"); doing it twice changes nothing."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if kind == "scene":
            await fetch_readable_scene(conn, p, target)
        else:
            await _idea_visible(conn, p, target)
        params = {"org": p.organization_id, "user": p.user_id, "id": target}
        await conn.execute(getattr(Q, f"{'like' if on else 'unlike'}_{kind}"), params)
    return await get_like(db, p, kind, target)


async def get_like(db: Database, p: Principal, kind: str, target: UUID) -> Liked:
    """Whether the caller likes the idea or scene, and its (exact) like count."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        if kind == "scene":
            count = (await fetch_readable_scene(conn, p, target)).like_count
        else:
            count = (await _idea_visible(conn, p, target))["like_count"]
        row = await fetch_one_or_404(conn, getattr(Q, f"has_liked_{kind}"),
                                     {"org": p.organization_id, "user": p.user_id, "id": target}, kind)
        return Liked(liked=row["liked"], like_count=count)


async def record_view(db: Database, p: Principal, scene_id: UUID, address: str | None) -> None:
    """A member watched the scene (from ``address``, kept only as a keyed HMAC)."""
    digest, key_id = address_digest(address)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        await conn.execute(Q.insert_view, {"org": p.organization_id, "scene": scene_id, "user": p.user_id,
                                           "ip_hmac": digest, "ip_key": key_id})


# -- moderation flags ------------------------------------------------------------------------------------


async def _flag(conn: Conn, org: UUID, flag_id: UUID) -> Flag:
    return await fetch_one_or_404(conn, _columns(Q.flag_columns), {"org": org, "id": flag_id}, "flag", model=Flag)


async def create_flag(db: Database, p: Principal, data: FlagCreate) -> Flag:
    """Report an idea, scene, segment, member or topic of the organization (one open report per
    reporter and target)."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await fetch_one_or_404(conn, Q.insert_flag, {**data.model_dump(), "org": p.organization_id,
                                                           "user": p.user_id}, "flag")
        return await _flag(conn, p.organization_id, row["id"])


async def get_flag(db: Database, p: Principal, flag_id: UUID) -> Flag:
    """A flag: its reporter and ADMINs see it."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        f = await _flag(conn, p.organization_id, flag_id)
    if f.reporter_id != p.user_id and not p.can(Role.ADMIN):
        raise NotFound("flag not found")
    return f


async def list_flags(
    db: Database, p: Principal, *, status: FlagStatus = FlagStatus.pending, limit: int = 50, cursor: str | None = None,
) -> Page[Flag]:
    """The moderation queue (ADMIN): flags of a status, oldest first."""
    require_admin(p, "read the moderation queue")
    q = flags_query(p.organization_id, status=status, limit=limit, cursor=cursor)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await run_page(conn, Flag, q)


def flags_query(org: UUID, *, status: FlagStatus = FlagStatus.pending, limit: int = 50,
                cursor: str | None = None) -> PageQuery:
    """Flags of a status, oldest first; the pending ones are the moderation queue,
    story_flags_pending_idx (keyset on created_at, id)."""
    where: list[LiteralString] = ["organization_id = %(org)s", "status = %(status)s"]
    if cursor is not None:
        where.append("(created_at, id) > (%(after_at)s, %(after_id)s)")
    return page_query(Q.flag_columns, where, "created_at, id", {"org": org, "status": status, **position(cursor)},
                      limit, lambda f: (f.created_at, f.id))


async def review_flag(db: Database, p: Principal, flag_id: UUID, review: FlagReview) -> Flag:
    """Take a flag in review, dismiss it, or resolve it (ADMIN). Resolving acts on the target —
    hides or removes it, locks a scene, rejects an idea, deactivates a topic — and closes this
    flag and every other open flag of the same target, all in one transaction."""
    require_admin(p, "review flags")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_flag, p.organization_id, flag_id, "flag")
        if row["status"] in ("resolved", "dismissed"):
            raise Conflict(f"the flag was {row['status']} already", field="decision")
        if review.decision is FlagDecision.reviewing:
            await conn.execute(Q.flag_reviewing, {"org": p.organization_id, "id": flag_id, "status": "reviewing"})
            return await _flag(conn, p.organization_id, flag_id)
        kind = next(t for t in TARGETS if row[t] is not None)
        if review.action is not FlagAction.none:
            allowed = ACTIONS[kind]
            if review.action not in allowed:
                raise Invalid(f"a flag on a {kind.removesuffix('_id')} cannot be resolved as {review.action}"
                              f" (possible: none{''.join(', ' + a for a in allowed)})", field="action")
            stmt, value = allowed[review.action]
            cur = await conn.execute(stmt + " WHERE organization_id = %(org)s AND id = %(id)s",
                                     {"org": p.organization_id, "id": row[kind], "v": value})
            if cur.rowcount != 1:
                raise NotFound(f"the flagged {kind.removesuffix('_id')} is gone")
        await conn.execute(Q.close_flags, {
            "org": p.organization_id, "id": flag_id, "user": p.user_id, "action": review.action,
            "notes": review.notes, "status": "resolved" if review.decision is FlagDecision.resolve else "dismissed",
            **{t: (row[t] if review.decision is FlagDecision.resolve else None) for t in TARGETS},
        })
        return await _flag(conn, p.organization_id, flag_id)


# -- counters ---------------------------------------------------------------------------------------------


async def fold_counters(system: Database, org: UUID | None = None, *, batch: int = 100_000) -> int:
    """Fold pending like and view deltas into the stored counters (of ``org``, or of every
    organization with some), ``batch`` at a time, each batch its own transaction; returns how many."""
    async with system.transaction() as conn:
        backlog = [r["organization_id"] for r in await (await conn.execute(Q.counter_backlog)).fetchall()]
    total = 0
    for o in backlog:
        if org is not None and o != org:
            continue
        while True:
            async with system.transaction() as conn:
                row = await fetch_one_or_404(conn, Q.fold_counters, {"org": o, "max_rows": batch}, "organization")
            total += row["folded"]
            if row["folded"] < batch:
                break
    return total


async def verify_counters(system: Database, org: UUID) -> list[CounterDifference]:
    """Every counter of the organization recomputed from its rows (likes, views, segments,
    scenes, bible versions); the ones that differ. An empty list: every counter is true."""
    async with system.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(CounterDifference))
        return await (await cur.execute(Q.counter_differences, {"org": org})).fetchall()
