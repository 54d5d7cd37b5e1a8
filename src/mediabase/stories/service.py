"""Story services, part one: topics, categories, topic proposals and ideas; the pages every list
of the domain answers with.

Every function runs in the caller's tenant on the application pool (row-level security
applies). MEMBERs read, propose topics and write ideas; ADMINs (and OWNERs) curate topics and
categories, review proposals and moderate. The invariants live in the database
(0020_stories_core.sql); these functions check roles, turn requests into SQL, and let a violated
constraint surface as its domain error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, LiteralString, TypeVar
from uuid import UUID

from mediabase.common.cursors import decode_cursor, decode_position, encode_cursor
from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import may_change
from mediabase.stories.models import (
    Category,
    CategoryCreate,
    CategoryUpdate,
    Idea,
    IdeaCreate,
    IdeaSort,
    IdeaStatus,
    IdeaUpdate,
    Proposal,
    ProposalCreate,
    ProposalReview,
    ProposalStatus,
    ReviewDecision,
    Topic,
    TopicCreate,
    TopicUpdate,
)

Q = load_queries("mediabase.stories", "queries.sql")
T = TypeVar("T")

register_constraint("story_topics_slug_key", Conflict, "a topic with this slug exists", field="slug")
register_constraint("story_categories_slug_key", Conflict, "this topic has a category with this slug", field="slug")
register_constraint("story_ideas_topic_fk", NotFound, "no such topic", field="topic_id")
register_constraint(
    "story_ideas_category_fk", NotFound, "no such category in the idea's topic", field="category_id"
)
register_constraint("story_ideas_tags_valid", Invalid, "at most 20 distinct tags of lowercase words", field="tags")
register_constraint("story_user_topics_status_transition", Conflict, "the proposal was reviewed already",
                    field="decision")
for _table in ("story_topics", "story_categories", "story_user_topics", "story_ideas", "story_scenes",
               "story_segments", "story_scene_summaries", "story_continuations"):
    register_constraint(f"{_table}_immutable", Invalid, None)
_KEY_RULE = "a storage key: letters, digits and _ . = / -, no '..' or '//' segment, at most 1,024 characters"
for _constraint, _field in (("story_topics_icon_key_valid", "icon_key"), ("story_scenes_thumbnail_key_valid",
                            "thumbnail_key"), ("story_segments_video_key_valid", "video_key"),
                            ("story_segments_hls_key_valid", "hls_key"),
                            ("story_segments_thumbnail_key_valid", "thumbnail_key")):
    register_constraint(_constraint, Invalid, _KEY_RULE, field=_field)


def require_admin(p: Principal, what: str) -> None:
    if not p.can(Role.ADMIN):
        raise Forbidden(f"only an ADMIN may {what}")


def _columns(query: LiteralString, alias: LiteralString | None = None) -> sql.Composed:
    return by_id(query, alias)


@dataclass(frozen=True, slots=True)
class PageQuery:
    """One keyset page's statement and parameters (``limit + 1`` rows: one more says there is a
    next page), and how the next cursor is made from the last row. Builders of these (``*_query``)
    sit beside the functions that run them, so the plan tests EXPLAIN exactly what runs."""

    stmt: sql.Composed
    params: dict[str, Any]
    limit: int
    key: Callable[[Any], tuple[Any, ...]]


def page_query(select: LiteralString, where: list[LiteralString], order: LiteralString, params: Mapping[str, Any],
               limit: int, key: Callable[[Any], tuple[Any, ...]]) -> PageQuery:
    """``select`` narrowed by ``where`` (the cursor's condition among them), in ``order``."""
    stmt = sql.SQL("{} WHERE {} ORDER BY {} LIMIT %(page_limit)s").format(
        sql.SQL(select), sql.SQL(" AND ").join(sql.SQL(w) for w in where), sql.SQL(order)
    )
    return PageQuery(stmt, {**params, "page_limit": limit + 1}, limit, key)


async def run_page(conn: Conn, model: type[T], q: PageQuery) -> Page[T]:
    cur = conn.cursor(row_factory=class_row(model))
    rows = await (await cur.execute(q.stmt, q.params)).fetchall()
    items = rows[: q.limit]
    return Page(items=items, next_cursor=encode_cursor(*q.key(items[-1])) if len(rows) > q.limit else None)


async def page(
    conn: Conn,
    model: type[T],
    select: LiteralString,
    where: list[LiteralString],
    order: LiteralString,
    params: Mapping[str, Any],
    limit: int,
    key: Callable[[T], tuple[Any, ...]],
) -> Page[T]:
    """One keyset page (:func:`page_query`), as ``model`` rows."""
    return await run_page(conn, model, page_query(select, where, order, params, limit, key))


def position(cursor: str | None) -> dict[str, Any]:
    """The (instant, id) of a cursor, as the parameters ``after_at`` and ``after_id``."""
    if cursor is None:
        return {}
    at, last = decode_position(cursor)
    return {"after_at": at, "after_id": last}


def sequence_after(cursor: str | None) -> int:
    if cursor is None:
        return 0
    (value,) = decode_cursor(cursor, 1)
    if not value.isdigit() or len(value) > 10:
        raise Invalid("invalid cursor", field="cursor")
    return int(value)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100].strip("-")
    return slug or "topic"


# -- topics -----------------------------------------------------------------------------------------


async def _topic(conn: Conn, org: UUID, topic_id: UUID) -> Topic:
    return await fetch_one_or_404(conn, _columns(Q.topic_columns), {"org": org, "id": topic_id}, "topic", model=Topic)


async def _insert_topic(conn: Conn, p: Principal, data: TopicCreate) -> UUID:
    row = await fetch_one_or_404(conn, Q.insert_topic, {**data.model_dump(), "org": p.organization_id,
                                                        "user": p.user_id}, "topic")
    topic_id: UUID = row["id"]
    return topic_id


async def create_topic(db: Database, p: Principal, data: TopicCreate) -> Topic:
    """A curated topic (ADMIN)."""
    require_admin(p, "create topics")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _topic(conn, p.organization_id, await _insert_topic(conn, p, data))


async def list_topics(db: Database, p: Principal, *, inactive: bool = False) -> list[Topic]:
    """Topics in display order (inactive ones too when asked)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Topic))
        return await (await cur.execute(Q.list_topics, {"org": p.organization_id, "inactive": inactive})).fetchall()


async def get_topic(db: Database, p: Principal, topic_id: UUID) -> Topic:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _topic(conn, p.organization_id, topic_id)


async def update_topic(db: Database, p: Principal, topic_id: UUID, data: TopicUpdate) -> Topic:
    require_admin(p, "change topics")
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "slug", "is_curated", "is_active", "display_order"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_topic, p.organization_id, topic_id, "topic")
        await update_columns(conn, "story_topics", p.organization_id, topic_id, changes, changes)
        return await _topic(conn, p.organization_id, topic_id)


# -- categories -------------------------------------------------------------------------------------


async def _category(conn: Conn, org: UUID, category_id: UUID) -> Category:
    return await fetch_one_or_404(
        conn, _columns(Q.category_columns), {"org": org, "id": category_id}, "category", model=Category
    )


async def create_category(db: Database, p: Principal, topic_id: UUID, data: CategoryCreate) -> Category:
    """A category of a topic (ADMIN); its slug is unique within the topic."""
    require_admin(p, "create categories")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_topic, p.organization_id, topic_id, "topic")
        row = await fetch_one_or_404(
            conn, Q.insert_category, {**data.model_dump(), "org": p.organization_id, "topic": topic_id}, "category"
        )
        return await _category(conn, p.organization_id, row["id"])


async def list_categories(db: Database, p: Principal, topic_id: UUID, *, inactive: bool = False) -> list[Category]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _topic(conn, p.organization_id, topic_id)
        cur = conn.cursor(row_factory=class_row(Category))
        return await (
            await cur.execute(Q.list_categories, {"org": p.organization_id, "topic": topic_id, "inactive": inactive})
        ).fetchall()


async def update_category(db: Database, p: Principal, category_id: UUID, data: CategoryUpdate) -> Category:
    require_admin(p, "change categories")
    changes = data.model_dump(exclude_unset=True)
    for name in ("name", "slug", "display_order", "is_active"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_category, p.organization_id, category_id, "category")
        await update_columns(conn, "story_categories", p.organization_id, category_id, changes, changes)
        return await _category(conn, p.organization_id, category_id)


# -- topic proposals ----------------------------------------------------------------------------------


async def _proposal(conn: Conn, org: UUID, proposal_id: UUID) -> Proposal:
    return await fetch_one_or_404(
        conn, _columns(Q.proposal_columns), {"org": org, "id": proposal_id}, "topic proposal", model=Proposal
    )


async def propose_topic(db: Database, p: Principal, data: ProposalCreate) -> Proposal:
    """Any member proposes a topic; it waits for an ADMIN's review."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await fetch_one_or_404(
            conn, Q.insert_proposal, {**data.model_dump(), "org": p.organization_id, "user": p.user_id}, "proposal"
        )
        return await _proposal(conn, p.organization_id, row["id"])


async def list_proposals(
    db: Database, p: Principal, *, status: ProposalStatus | None = ProposalStatus.pending, limit: int = 50,
    cursor: str | None = None,
) -> Page[Proposal]:
    """Proposals oldest first (the review queue: pending ones by default)."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    if status is not None:
        where.append("status = %(status)s")
    params: dict[str, Any] = {"org": p.organization_id, "status": status, **position(cursor)}
    if cursor is not None:
        where.append("(created_at, id) > (%(after_at)s, %(after_id)s)")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await page(conn, Proposal, Q.proposal_columns, where, "created_at, id", params, limit,
                          lambda r: (r.created_at, r.id))


async def review_proposal(db: Database, p: Principal, proposal_id: UUID, review: ProposalReview) -> Proposal:
    """Approve (and with ``promote`` make it a curated topic, in the same transaction) or reject."""
    require_admin(p, "review topic proposals")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_proposal, p.organization_id, proposal_id, "topic proposal")
        if row["status"] != "pending":
            raise Conflict(f"the proposal was {row['status']} already", field="decision")
        topic_id: UUID | None = None
        if review.promote:
            topic_id = await _insert_topic(conn, p, TopicCreate(
                name=row["name"], slug=review.slug or slugify(row["name"]), description=row["description"]))
        await conn.execute(Q.review_proposal, {
            "org": p.organization_id, "id": proposal_id, "user": p.user_id, "topic": topic_id,
            "status": "approved" if review.decision is ReviewDecision.approve else "rejected",
            "reason": review.reason,
        })
        return await _proposal(conn, p.organization_id, proposal_id)


# -- ideas ------------------------------------------------------------------------------------------


async def _idea(conn: Conn, org: UUID, idea_id: UUID) -> Idea:
    return await fetch_one_or_404(conn, _columns(Q.idea_columns), {"org": org, "id": idea_id}, "idea", model=Idea)


async def create_idea(db: Database, p: Principal, data: IdeaCreate) -> Idea:
    """A member's idea under a topic (and optionally one of that topic's categories); it waits
    for moderation (``moderation_status`` pending) but may already grow scenes."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        topic = await lock_or_404(conn, Q.lock_topic, p.organization_id, data.topic_id, "topic")
        if not topic["is_active"]:
            raise Conflict("the topic is not active", field="topic_id")
        row = await fetch_one_or_404(conn, Q.insert_idea, {
            "org": p.organization_id, "user": p.user_id, "topic": data.topic_id, "category": data.category_id,
            "title": data.title, "prompt": data.prompt, "tags": data.tags, "language": data.language,
        }, "idea")
        return await _idea(conn, p.organization_id, row["id"])


async def get_idea(db: Database, p: Principal, idea_id: UUID) -> Idea:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _idea(conn, p.organization_id, idea_id)


def liked_position(cursor: str) -> dict[str, Any]:
    """The (stored like count, id) of a "most liked" cursor, as ``after_likes`` and ``after_id``."""
    likes, last = decode_cursor(cursor, 2)
    try:
        return {"after_likes": int(likes), "after_id": UUID(last)}
    except ValueError as exc:
        raise Invalid("invalid cursor", field="cursor") from exc


def ideas_query(
    org: UUID, topic: UUID, *, sort: IdeaSort = IdeaSort.newest, limit: int = 50, cursor: str | None = None,
    audience: Literal["member", "admin", "public"] = "member", status: IdeaStatus = IdeaStatus.active,
    tag: str | None = None,
) -> PageQuery:
    """A topic's ideas, newest first (story_ideas_topic_new_idx: keyset on created_at, id) or most
    liked first (story_ideas_topic_liked_idx: on the stored like count, id). Members see ideas that
    are not rejected, the public only approved ones, ADMINs every moderation status."""
    where: list[LiteralString] = ["organization_id = %(org)s", "topic_id = %(topic)s", "status = %(status)s"]
    if audience == "member":
        where.append("moderation_status <> 'rejected'")
    elif audience == "public":
        where.append("moderation_status = 'approved'")
    if tag is not None:
        where.append("tags @> ARRAY[%(tag)s::text]")
    params: dict[str, Any] = {"org": org, "topic": topic, "status": status, "tag": tag}
    if sort is IdeaSort.liked:
        if cursor is not None:
            where.append("(story_ideas.like_count, id) < (%(after_likes)s, %(after_id)s)")
            params.update(liked_position(cursor))
        return page_query(Q.idea_rank_columns, where, "story_ideas.like_count DESC, id DESC", params, limit,
                          lambda r: (r["rank_likes"], r["id"]))
    if cursor is not None:
        where.append("(created_at, id) < (%(after_at)s, %(after_id)s)")
        params.update(position(cursor))
    return page_query(Q.idea_rank_columns, where, "created_at DESC, id DESC", params, limit,
                      lambda r: (r["created_at"], r["id"]))


async def idea_page(conn: Conn, q: PageQuery) -> Page[dict[str, Any]]:
    rows = await run_page(conn, dict, q)
    return Page(items=[{k: v for k, v in r.items() if k != "rank_likes"} for r in rows.items],
                next_cursor=rows.next_cursor)


async def list_ideas(
    db: Database, p: Principal, topic_id: UUID, *, status: IdeaStatus = IdeaStatus.active, tag: str | None = None,
    sort: IdeaSort = IdeaSort.newest, limit: int = 50, cursor: str | None = None,
) -> Page[Idea]:
    """A topic's ideas, newest first (keyset on created_at, id) or most liked first (on the stored
    like count, id). Members see active ideas that are not rejected; ADMINs may list hidden or
    removed ones."""
    if status is not IdeaStatus.active:
        require_admin(p, "list hidden or removed ideas")
    q = ideas_query(p.organization_id, topic_id, sort=sort, limit=limit, cursor=cursor, status=status, tag=tag,
                    audience="admin" if p.can(Role.ADMIN) else "member")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _topic(conn, p.organization_id, topic_id)
        rows = await idea_page(conn, q)
    return Page(items=[Idea.model_validate(r) for r in rows.items], next_cursor=rows.next_cursor)


async def update_idea(db: Database, p: Principal, idea_id: UUID, data: IdeaUpdate) -> Idea:
    """The author edits title, prompt, tags and category; status and moderation are an ADMIN's."""
    changes = data.model_dump(exclude_unset=True)
    for name in ("title", "prompt", "tags", "status", "moderation_status"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    if {"status", "moderation_status"} & changes.keys():
        require_admin(p, "moderate ideas")
    if "tags" in changes:
        changes["tags"] = list(dict.fromkeys(changes["tags"]))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_idea, p.organization_id, idea_id, "idea")
        may_change(p, row["user_id"], "idea", owner="author")
        await update_columns(conn, "story_ideas", p.organization_id, idea_id, changes, changes)
        return await _idea(conn, p.organization_id, idea_id)
