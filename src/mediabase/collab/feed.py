"""Notifications, the organization's activity feed, the audit log and the video overview.

Notifications are written by database triggers (0007_collab.sql): a reply, a mention, a new
thread on one's video, a decision under a subscribed tag, an assigned action item. A member
reads and marks only their own (a restrictive row-level security policy). The activity feed
and the overview are the read models ``organization_activity`` and ``video_overview``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, LiteralString
from uuid import UUID

from mediabase.collab.models import Activity, AuditEntry, Notification, VideoOverview
from mediabase.collab.service import Q
from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import NotFound
from mediabase.db.rows import class_row, sql
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require


async def list_notifications(
    db: Database, p: Principal, *, unread: bool = False, limit: int = 50
) -> list[Notification]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Notification))
        return await (
            await cur.execute(
                Q.list_notifications, {"org": p.organization_id, "user_id": p.user_id, "unread": unread, "limit": limit}
            )
        ).fetchall()


async def mark_notifications_read(db: Database, p: Principal, notification_id: UUID | None = None) -> int:
    """Mark one (or every) unread notification of the caller read; returns how many changed."""
    params = {"org": p.organization_id, "user_id": p.user_id, "id": notification_id}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if (
            notification_id is not None
            and (await (await conn.execute(Q.notification_exists, params)).fetchone()) is None
        ):
            raise NotFound("notification not found")
        return (await conn.execute(Q.mark_read, params)).rowcount


async def _page(
    db: Database,
    p: Principal,
    cls: type[Any],
    columns: LiteralString,
    view: LiteralString,
    where: list[tuple[LiteralString, Any]],
    limit: int,
    cursor: str | None,
) -> tuple[list[Any], str | None]:
    clauses = [sql.SQL("organization_id = %s")]
    params: list[Any] = [p.organization_id]
    for clause, value in where:
        if value is not None:
            clauses.append(sql.SQL(clause))
            params.append(value)
    if cursor:
        at, last = decode_position(cursor)
        clauses.append(sql.SQL("(occurred_at, id) < (%s::timestamptz, %s::uuid)"))
        params += [at, last]
    stmt = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY occurred_at DESC, id DESC LIMIT %s").format(
        sql.SQL(columns), sql.Identifier(view), sql.SQL(" AND ").join(clauses)
    )
    params.append(limit + 1)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(cls))
        rows = await (await cur.execute(stmt, params)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1].occurred_at, rows[-1].id) if more else None


async def list_activity(
    db: Database,
    p: Principal,
    *,
    video_id: UUID | None = None,
    actor_id: UUID | None = None,
    since: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[Activity]:
    """What happened in the organization, newest first (any member)."""
    rows, nxt = await _page(
        db,
        p,
        Activity,
        "id, occurred_at, actor_id, actor_username, subject_type, action, subject_id, video_id, label",
        "organization_activity",
        [("video_id = %s", video_id), ("actor_id = %s", actor_id), ("occurred_at >= %s", since)],
        limit,
        cursor,
    )
    return Page[Activity](items=rows, next_cursor=nxt)


async def list_audit_entries(
    db: Database,
    p: Principal,
    *,
    table: str | None = None,
    row_id: UUID | None = None,
    actor_id: UUID | None = None,
    since: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[AuditEntry]:
    """The audit log of the organization, newest first (ADMIN)."""
    require(p, Role.ADMIN)
    rows, nxt = await _page(
        db,
        p,
        AuditEntry,
        "id, occurred_at, txid, actor_id, table_name, action, row_id, changed, before, after",
        "audit_log",
        [
            ("table_name = %s", table),
            ("row_id = %s", row_id),
            ("actor_id = %s", actor_id),
            ("occurred_at >= %s", since),
        ],
        limit,
        cursor,
    )
    return Page[AuditEntry](items=rows, next_cursor=nxt)


async def get_video_overview(db: Database, p: Principal, video_id: UUID) -> VideoOverview:
    """Counts of what the team made of a video and the caller's own progress."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(VideoOverview))
        row = await (await cur.execute(Q.video_overview, {"org": p.organization_id, "video_id": video_id})).fetchone()
    if row is None:
        raise NotFound("video not found")
    return row


async def maintain_audit_partitions(
    system: Database, *, months_ahead: int = 2, prune_keep: int | None = None
) -> dict[str, Any]:
    """Create the audit log's months ahead, drop the expired ones (when asked), list them all.

    Runs as the owner (system pool): the partition functions are not the app role's."""
    async with system.transaction() as conn:
        created = [
            r["p"]
            for r in await (await conn.execute(Q.ensure_audit_partitions, {"months_ahead": months_ahead})).fetchall()
        ]
        dropped: list[str] = []
        if prune_keep is not None:
            dropped = [
                r["p"]
                for r in await (await conn.execute(Q.prune_audit_partitions, {"keep_months": prune_keep})).fetchall()
            ]
        parts = [dict(r) for r in await (await conn.execute(Q.audit_partitions)).fetchall()]
    return {"created": created, "dropped": dropped, "partitions": parts}
