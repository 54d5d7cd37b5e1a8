"""AI topics (organization-wide, with derived counters and a trend) and action items.

A topic's mention and video counts, first and last mention and trend are computed by the
database from the mentions of current topics layers (``refresh_topics``, run by triggers when
mentions or layers change; ``refresh`` recomputes trends, which age with time). The trend rule
is in docs/insights.md and ``topic_trend_score``.

Action items keep ``completed_at``/``completed_by`` consistent with their status by trigger.
Their creator, their assignee and ADMINs may change them.
"""

from __future__ import annotations

from typing import Any, LiteralString
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import (
    Conn,
    by_id,
    class_row,
    fetch_one_or_404,
    lock_or_404,
    sql,
    tuple_row,
    update_columns,
)
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.insights.models import (
    ActionItem,
    ActionItemCreate,
    ActionItemUpdate,
    ActionStatus,
    Priority,
    Topic,
    TopicMention,
    TopicUpdate,
    Trend,
)
from mediabase.media.service import fetch_live_video

Q = load_queries("mediabase.insights", "queries.sql")

register_constraint("ai_topics_normalized_name_key", Conflict, "a topic with this name exists", field="name")
register_constraint(
    "ai_action_items_assignee_fk",
    Invalid,
    "the assignee must be a member of the organization",
    field="assignee_user_id",
)
register_constraint(
    "ai_action_items_times_valid", Invalid, "times must satisfy 0 <= start_ms <= end_ms", field="end_ms"
)
register_constraint("ai_action_items_end_needs_start", Invalid, "end_ms needs start_ms", field="start_ms")
register_constraint("ai_action_items_immutable", Invalid, None)
register_constraint("ai_action_items_within_video", Invalid, None, field="end_ms")
register_constraint("ai_topic_mentions_within_video", Invalid, None, field="end_ms")


# -- topics --------------------------------------------------------------------------------------


async def list_topics(
    db: Database, p: Principal, *, trend: Trend | None = None, q: str | None = None, limit: int = 100
) -> list[Topic]:
    """Topics by mentions (most first); filtered by trend or a name fragment."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    if trend is not None:
        where.append("trend = %(trend)s")
    if q:
        where.append("normalized_name LIKE '%%' || lower(%(q)s) || '%%'")
    stmt = sql.SQL("{} WHERE {} ORDER BY mention_count DESC, trend_score DESC, normalized_name LIMIT %(limit)s").format(
        sql.SQL(Q.topic_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where)
    )
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Topic))
        return await (
            await cur.execute(
                stmt, {"org": p.organization_id, "trend": trend.value if trend else None, "q": q, "limit": limit}
            )
        ).fetchall()


async def _topic(conn: Conn, org: UUID, topic_id: UUID) -> Topic:
    return await fetch_one_or_404(conn, by_id(Q.topic_columns), {"org": org, "id": topic_id}, "topic", model=Topic)


async def get_topic(db: Database, p: Principal, topic_id: UUID) -> Topic:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _topic(conn, p.organization_id, topic_id)


async def list_topic_mentions(
    db: Database, p: Principal, *, topic_id: UUID | None = None, video_id: UUID | None = None, limit: int = 500
) -> list[TopicMention]:
    """Where topics were found (current layers, live videos), newest first."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if topic_id is not None:
            await _topic(conn, p.organization_id, topic_id)
        if video_id is not None:
            await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(TopicMention))
        return await (
            await cur.execute(
                Q.topic_mentions, {"org": p.organization_id, "topic_id": topic_id, "video_id": video_id, "limit": limit}
            )
        ).fetchall()


async def update_topic(db: Database, p: Principal, topic_id: UUID, data: TopicUpdate) -> Topic:
    require(p, Role.ADMIN)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise Invalid("name cannot be cleared", field="name")
    if "keywords" in changes and changes["keywords"] is None:
        changes["keywords"] = []
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _topic(conn, p.organization_id, topic_id)
        await update_columns(conn, "ai_topics", p.organization_id, topic_id, changes, TopicUpdate.model_fields)
        return await _topic(conn, p.organization_id, topic_id)


async def delete_topic(db: Database, p: Principal, topic_id: UUID) -> None:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(Q.delete_topic, {"org": p.organization_id, "id": topic_id})
        if cur.rowcount == 0:
            raise NotFound("topic not found")


async def refresh_topics(db: Database, p: Principal) -> int:
    """Recompute every topic's counters and trend as of now; returns how many topics."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (await conn.execute(Q.refresh_topics)).fetchone()
    return int(row["n"]) if row else 0


async def refresh_stale(conn: Conn, older_than_hours: float) -> int:
    """Recompute, in every organization, the topics whose trend was computed more than
    ``older_than_hours`` ago: trends age with time even when no mention changes. Needs the
    owner (the worker's upkeep connection); returns how many topics."""
    cur = conn.cursor(row_factory=tuple_row)
    row = await (await cur.execute(Q.refresh_stale_topics, {"hours": older_than_hours})).fetchone()
    return int(row[0]) if row else 0


# -- action items ----------------------------------------------------------------------------------


async def _item(conn: Conn, org: UUID, item_id: UUID) -> ActionItem:
    params = {"org": org, "id": item_id}
    return await fetch_one_or_404(conn, by_id(Q.action_item_columns, "a"), params, "action item", model=ActionItem)


async def list_action_items(
    db: Database,
    p: Principal,
    *,
    status: ActionStatus | None = None,
    open_only: bool = False,
    assignee_user_id: UUID | None = None,
    video_id: UUID | None = None,
    priority: Priority | None = None,
    limit: int = 200,
) -> list[ActionItem]:
    """Visible action items (people's, and the current layers'), of live videos; open ones first
    by priority and due date."""
    where: list[LiteralString] = [
        "a.organization_id = %(org)s",
        "v.deleted_at IS NULL",
        "(a.layer_id IS NULL OR EXISTS (SELECT 1 FROM ai_layers l WHERE l.organization_id = %(org)s"
        " AND l.id = a.layer_id AND l.status = 'ready'))",
    ]
    params: dict[str, Any] = {"org": p.organization_id, "limit": limit}
    for clause, name, value in (
        ("a.status = %(status)s", "status", status.value if status else None),
        ("a.assignee_user_id = %(assignee)s", "assignee", assignee_user_id),
        ("a.video_id = %(video_id)s", "video_id", video_id),
        ("a.priority = %(priority)s", "priority", priority.value if priority else None),
    ):
        if value is not None:
            where.append(clause)
            params[name] = value
    if open_only:
        where.append("a.status IN ('pending', 'in_progress')")
    stmt = sql.SQL(
        "{} WHERE {} ORDER BY (a.status IN ('pending', 'in_progress')) DESC,"
        " array_position(ARRAY['high', 'medium', 'low'], a.priority), a.due_date NULLS LAST, a.created_at, a.start_ms,"
        " a.id LIMIT %(limit)s"
    ).format(sql.SQL(Q.action_item_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if video_id is not None:
            await fetch_live_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(ActionItem))
        return await (await cur.execute(stmt, params)).fetchall()


async def create_action_item(db: Database, p: Principal, video_id: UUID, data: ActionItemCreate) -> ActionItem:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_live_video(conn, p.organization_id, video_id)
        values = data.model_dump()
        values["priority"] = data.priority.value
        row = await (
            await conn.execute(
                Q.insert_action_item,
                {**values, "org": p.organization_id, "video_id": video_id, "created_by": p.user_id},
            )
        ).fetchone()
        assert row is not None
        return await _item(conn, p.organization_id, row["id"])


async def _lock_item(conn: Conn, p: Principal, item_id: UUID, *, deleting: bool = False) -> dict[str, Any]:
    row = await lock_or_404(conn, Q.lock_action_item, p.organization_id, item_id, "action item")
    allowed = {row["created_by"]} if deleting else {row["created_by"], row["assignee_user_id"]}
    if p.user_id not in allowed and not p.can(Role.ADMIN):
        raise Forbidden("only the action item's creator, its assignee or an ADMIN may change it")
    return row


async def update_action_item(db: Database, p: Principal, item_id: UUID, data: ActionItemUpdate) -> ActionItem:
    """Change an action item; completing it stamps completed_at/by, reopening clears them."""
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "status", "priority"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    for enum_field in ("status", "priority"):
        if changes.get(enum_field) is not None:
            changes[enum_field] = changes[enum_field].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_item(conn, p, item_id)
        await update_columns(
            conn, "ai_action_items", p.organization_id, item_id, changes, ActionItemUpdate.model_fields
        )
        return await _item(conn, p.organization_id, item_id)


async def delete_action_item(db: Database, p: Principal, item_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_item(conn, p, item_id, deleting=True)
        await conn.execute(Q.delete_action_item, {"org": p.organization_id, "id": item_id})


async def get_action_item(db: Database, p: Principal, item_id: UUID) -> ActionItem:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_action_item, p.organization_id, item_id, "action item")  # visible, live video
        return await _item(conn, p.organization_id, item_id)
