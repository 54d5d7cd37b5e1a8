"""Share links: one video (and its current transcript) for someone without an account.

A link's token is ``mbs_`` + 256 random bits, shown once; the database keeps sha256(token)
and, when the link has a password, its argon2 hash. Opening a link:

1. the system pool finds the open link by digest (not revoked, not expired) — before any
   tenant is known, like an API key;
2. the password, when there is one, is verified;
3. in the link's tenant, on the application pool (row-level security on), the view is counted
   (re-checking revocation and expiry in the same statement) and exactly that video and its
   current transcript are read. Nothing else is reachable from a token.

Unknown, revoked and expired tokens all answer 404: a token never tells whether it once worked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from uuid import UUID

from argon2 import PasswordHasher

from mediabase.collab.models import SharedSegment, SharedVideo, ShareLink, ShareLinkCreate, ShareLinkCreated
from mediabase.collab.service import Q
from mediabase.db.connection import Database
from mediabase.db.errors import Invalid, NotFound, Unauthorized
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404
from mediabase.identity.models import Principal
from mediabase.identity.service import may_change, verify_password
from mediabase.media.service import fetch_live_video

TOKEN_PREFIX = "mbs_"  # noqa: S105 - a prefix, not a secret
MAX_SEGMENTS = 200_000
_hasher = PasswordHasher()
_GONE = "this share link does not exist, was revoked or has expired"


def new_token() -> tuple[str, bytes]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


async def _link(conn: Conn, p: Principal, link_id: UUID) -> ShareLink:
    params = {"org": p.organization_id, "id": link_id}
    return await fetch_one_or_404(conn, by_id(Q.share_link_columns, "s"), params, "share link", model=ShareLink)


async def create_share_link(db: Database, p: Principal, video_id: UUID, data: ShareLinkCreate) -> ShareLinkCreated:
    """Share a video (its author or an ADMIN); the token is returned once."""
    if data.expires_at is not None and data.expires_at <= datetime.now(UTC):
        raise Invalid("expires_at must be in the future", field="expires_at")
    token, token_digest = new_token()
    password_hash = _hasher.hash(data.password) if data.password else None
    async with db.transaction(p.organization_id, p.user_id) as conn:
        video = await fetch_live_video(conn, p.organization_id, video_id)
        may_change(p, video["author_id"], "video")
        row = await (
            await conn.execute(
                Q.insert_share_link,
                {
                    "org": p.organization_id,
                    "video_id": video_id,
                    "token_sha256": token_digest,
                    "password_hash": password_hash,
                    "expires_at": data.expires_at,
                    "created_by": p.user_id,
                },
            )
        ).fetchone()
        assert row is not None
        link = await _link(conn, p, row["id"])
    return ShareLinkCreated(**link.model_dump(), token=token, path=f"/share/{token}")


async def list_share_links(db: Database, p: Principal, video_id: UUID) -> list[ShareLink]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(ShareLink))
        return await (
            await cur.execute(
                Q.share_link_columns + " WHERE s.organization_id = %(org)s AND s.video_id = %(video_id)s"
                " ORDER BY s.created_at DESC, s.id DESC",
                {"org": p.organization_id, "video_id": video_id},
            )
        ).fetchall()


async def revoke_share_link(db: Database, p: Principal, link_id: UUID) -> ShareLink:
    """Revoke for good (the link's creator or an ADMIN); revoking twice changes nothing."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_share_link, p.organization_id, link_id, "share link")
        may_change(p, row["created_by"], "share link")
        await conn.execute(Q.revoke_share_link, {"org": p.organization_id, "id": link_id, "user_id": p.user_id})
        return await _link(conn, p, link_id)


async def open_share_link(db: Database, system: Database, token: str, password: str | None) -> SharedVideo:
    """What a share link shows: its one video and current transcript; the view is counted."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise NotFound(_GONE)
    async with system.transaction() as conn:
        link = await (await conn.execute(Q.share_link_by_token, {"digest": digest(token)})).fetchone()
    if link is None:
        raise NotFound(_GONE)
    if link["password_hash"] is not None:
        if not password:
            raise Unauthorized("this share link needs its password (X-Share-Password header or ?password=)")
        if not verify_password(link["password_hash"], password):
            raise Unauthorized("wrong password for this share link")
    org, video_id = link["organization_id"], link["video_id"]
    async with db.transaction(org, None) as conn:
        head = await (await conn.execute(Q.shared_video, {"org": org, "video_id": video_id})).fetchone()
        if head is None:
            raise NotFound(_GONE)
        counted = await (await conn.execute(Q.count_share_view, {"org": org, "id": link["id"]})).fetchone()
        if counted is None or counted["video_id"] != video_id:
            raise NotFound(_GONE)
        seg_cur = conn.cursor(row_factory=class_row(SharedSegment))
        segments = await (
            await seg_cur.execute(Q.shared_segments, {"org": org, "video_id": video_id, "limit": MAX_SEGMENTS})
        ).fetchall()
    return SharedVideo(**head, segments=segments)
