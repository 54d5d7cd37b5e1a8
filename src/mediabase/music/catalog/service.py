"""Music catalog services: roles, artists and producers, masters and their credits.

Every function runs in the caller's tenant on the application pool (row-level security
applies). Who may do what: ADMINs (and OWNERs) manage the catalog and grant roles; a member with
the ``artist`` role edits the masters of the artist profile linked to their user; every member
reads. The invariants live in the database (0028 spine, 0029_music_catalog.sql); these
functions check roles, turn requests into SQL and let a violated constraint surface as its
domain error. Contracts are in :mod:`mediabase.music.catalog.contracts`.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from uuid import UUID

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.music.catalog.models import (
    Credit,
    CreditCreate,
    Master,
    MasterCreate,
    MasterStatus,
    MasterUpdate,
    MusicRole,
    Profile,
    ProfileCreate,
    ProfileUpdate,
    RoleAssignment,
    RoleGrant,
)

Q = load_queries("mediabase.music.catalog", "queries.sql")
ProfileKind = Literal["artist", "producer"]

register_constraint("music_roles_member_fk", NotFound, "no such member of this organization", field="user_id")
for _kind in ("artist", "producer"):
    register_constraint(f"music_{_kind}s_slug_key", Conflict, f"an {_kind} with this slug exists", field="slug")
register_constraint("music_masters_artist_fk", NotFound, "no such artist", field="artist_id")
register_constraint("music_masters_video_fk", NotFound, "no such video", field="video_id")
register_constraint("music_masters_video_key", Conflict, "another master has this video as its audio", field="video_id")
register_constraint("music_masters_isrc_key", Conflict, "another master has this ISRC", field="isrc")
register_constraint("music_masters_status_transition", Conflict, None, field="status")
register_constraint("music_master_credits_producer_fk", NotFound, "no such producer", field="producer_id")
register_constraint("music_master_credits_master_fk", NotFound, "no such master", field="master_id")


def require_admin(p: Principal, what: str) -> None:
    if not p.can(Role.ADMIN):
        raise Forbidden(f"only an ADMIN may {what}")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100].strip("-")
    return slug or "artist"


# -- roles ----------------------------------------------------------------------------------------


async def has_music_role(db: Database, p: Principal, role: MusicRole) -> bool:
    """Whether the caller holds ``role`` in their organization."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _has_role(conn, p, role)


async def _has_role(conn: Conn, p: Principal, role: MusicRole) -> bool:
    row = await fetch_one_or_404(
        conn, Q.has_role, {"org": p.organization_id, "user_id": p.user_id, "role": role.value}, "role"
    )
    return bool(row["has"])


async def grant_role(db: Database, p: Principal, data: RoleGrant) -> list[RoleAssignment]:
    """Give a member a music role (ADMIN); granting one held already changes nothing. Returns the
    member's roles."""
    require_admin(p, "grant music roles")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await conn.execute(
            Q.grant_role, {"org": p.organization_id, "user_id": data.user_id, "role": data.role.value, "by": p.user_id}
        )
        return await _roles(conn, p.organization_id, user_id=data.user_id)


async def revoke_role(db: Database, p: Principal, data: RoleGrant) -> list[RoleAssignment]:
    """Take a music role back (ADMIN); 404 when the member does not hold it."""
    require_admin(p, "revoke music roles")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(
            Q.revoke_role, {"org": p.organization_id, "user_id": data.user_id, "role": data.role.value}
        )
        if cur.rowcount == 0:
            raise NotFound("the member does not hold this role", field="role")
        return await _roles(conn, p.organization_id, user_id=data.user_id)


async def _roles(
    conn: Conn, org: UUID, *, role: MusicRole | None = None, user_id: UUID | None = None
) -> list[RoleAssignment]:
    cur = conn.cursor(row_factory=class_row(RoleAssignment))
    params = {"org": org, "role": role.value if role else None, "user_id": user_id}
    return await (await cur.execute(Q.list_roles, params)).fetchall()


async def list_roles(
    db: Database, p: Principal, *, role: MusicRole | None = None, user_id: UUID | None = None
) -> list[RoleAssignment]:
    """The organization's music roles (any member reads them)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _roles(conn, p.organization_id, role=role, user_id=user_id)


# -- artists and producers ------------------------------------------------------------------------


def _columns(kind: ProfileKind) -> Any:
    return by_id(Q.artist_columns if kind == "artist" else Q.producer_columns)


async def _profile(conn: Conn, kind: ProfileKind, org: UUID, profile_id: UUID) -> Profile:
    return await fetch_one_or_404(conn, _columns(kind), {"org": org, "id": profile_id}, kind, model=Profile)


async def create_profile(db: Database, p: Principal, kind: ProfileKind, data: ProfileCreate) -> Profile:
    """An artist or producer profile (ADMIN), of a member (``user_id``) or of someone without an
    account."""
    require_admin(p, f"create {kind}s")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if data.user_id is not None:
            await _require_member(conn, p.organization_id, data.user_id)
        params = {**data.model_dump(), "slug": data.slug or slugify(data.name), "org": p.organization_id}
        row = await fetch_one_or_404(conn, Q.insert_artist if kind == "artist" else Q.insert_producer, params, kind)
        return await _profile(conn, kind, p.organization_id, row["id"])


async def _require_member(conn: Conn, org: UUID, user_id: UUID) -> None:
    row = await fetch_one_or_404(conn, Q.is_member, {"org": org, "user_id": user_id}, "member")
    if not row["member"]:
        raise NotFound("no such member of this organization", field="user_id")


async def get_profile(db: Database, p: Principal, kind: ProfileKind, profile_id: UUID) -> Profile:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _profile(conn, kind, p.organization_id, profile_id)


async def list_profiles(db: Database, p: Principal, kind: ProfileKind) -> list[Profile]:
    """The organization's artists (or producers), by name."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Profile))
        stmt = Q.list_artists if kind == "artist" else Q.list_producers
        return await (await cur.execute(stmt, {"org": p.organization_id})).fetchall()


async def update_profile(
    db: Database, p: Principal, kind: ProfileKind, profile_id: UUID, data: ProfileUpdate
) -> Profile:
    """Change a profile: an ADMIN, or the user the profile belongs to (not its owner though)."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "slug"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(
            conn, Q.lock_artist if kind == "artist" else Q.lock_producer, p.organization_id, profile_id, kind
        )
        if not p.can(Role.ADMIN):
            if row["user_id"] != p.user_id:
                raise Forbidden(f"only the {kind} or an ADMIN may change this profile")
            if "user_id" in changes:
                raise Forbidden("only an ADMIN may link a profile to a user")
        if changes.get("user_id") is not None:
            await _require_member(conn, p.organization_id, changes["user_id"])
        await update_columns(
            conn, f"music_{kind}s", p.organization_id, profile_id, changes, ("name", "slug", "user_id", "bio")
        )
        return await _profile(conn, kind, p.organization_id, profile_id)


# -- masters -------------------------------------------------------------------------------------


async def _master(conn: Conn, org: UUID, master_id: UUID) -> Master:
    return await fetch_one_or_404(conn, by_id(Q.master_columns), {"org": org, "id": master_id}, "master", model=Master)


async def _may_edit_master(conn: Conn, p: Principal, artist_user_id: UUID | None) -> None:
    """An ADMIN, or the artist-role member whose user the master's artist profile is linked to."""
    if p.can(Role.ADMIN):
        return
    if artist_user_id is None or artist_user_id != p.user_id or not await _has_role(conn, p, MusicRole.artist):
        raise Forbidden("only an ADMIN or the master's artist (with the artist role) may change it")


async def create_master(db: Database, p: Principal, data: MasterCreate) -> Master:
    """A master in ``draft`` (an ADMIN, or the artist for their own profile)."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        artist = await lock_or_404(conn, Q.lock_artist, p.organization_id, data.artist_id, "artist")
        await _may_edit_master(conn, p, artist["user_id"])
        row = await fetch_one_or_404(
            conn, Q.insert_master, {**data.model_dump(), "org": p.organization_id, "user": p.user_id}, "master"
        )
        return await _master(conn, p.organization_id, row["id"])


async def get_master(db: Database, p: Principal, master_id: UUID) -> Master:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _master(conn, p.organization_id, master_id)


async def list_masters(
    db: Database, p: Principal, *, artist_id: UUID | None = None, status: MasterStatus | None = None, limit: int = 100
) -> list[Master]:
    """Masters, newest first (of one artist, in one status, if asked)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Master))
        params = {
            "org": p.organization_id,
            "artist": artist_id,
            "status": status.value if status else None,
            "limit": limit,
        }
        return await (await cur.execute(Q.list_masters, params)).fetchall()


async def update_master(db: Database, p: Principal, master_id: UUID, data: MasterUpdate) -> Master:
    """Change a master's title, type, ISRC, duration, video link or status (an ADMIN or its
    artist). The status moves along the lifecycle the database enforces."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "master_type", "status"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_master, p.organization_id, master_id, "master")
        await _may_edit_master(conn, p, row["artist_user_id"])
        await update_columns(
            conn,
            "music_masters",
            p.organization_id,
            master_id,
            changes,
            ("title", "master_type", "isrc", "duration_ms", "video_id", "status"),
        )
        return await _master(conn, p.organization_id, master_id)


# -- credits -------------------------------------------------------------------------------------


async def _credits(conn: Conn, org: UUID, master_id: UUID) -> list[Credit]:
    cur = conn.cursor(row_factory=class_row(Credit))
    return await (await cur.execute(Q.list_credits, {"org": org, "master": master_id})).fetchall()


async def add_credit(db: Database, p: Principal, master_id: UUID, data: CreditCreate) -> list[Credit]:
    """Credit a producer with a role on a master (an ADMIN or its artist); again changes nothing."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_master, p.organization_id, master_id, "master")
        await _may_edit_master(conn, p, row["artist_user_id"])
        await conn.execute(Q.insert_credit, {**data.model_dump(), "org": p.organization_id, "master": master_id})
        return await _credits(conn, p.organization_id, master_id)


async def remove_credit(db: Database, p: Principal, master_id: UUID, data: CreditCreate) -> list[Credit]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_master, p.organization_id, master_id, "master")
        await _may_edit_master(conn, p, row["artist_user_id"])
        cur = await conn.execute(Q.delete_credit, {**data.model_dump(), "org": p.organization_id, "master": master_id})
        if cur.rowcount == 0:
            raise NotFound("no such credit on this master", field="producer_id")
        return await _credits(conn, p.organization_id, master_id)


async def list_credits(db: Database, p: Principal, master_id: UUID) -> list[Credit]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _master(conn, p.organization_id, master_id)
        return await _credits(conn, p.organization_id, master_id)
