"""The decision registry: decisions, their tags, participants and links, subscriptions, search.

The edit trail is written by the database (``decision_edits``, triggers of 0007_collab.sql):
every changed field of a decision, every tag, participant and link added or removed, with the
old and new value and the acting user. These functions never write it and cannot forget it.
A 'supersedes' link and ``superseded_by`` are one fact, kept on both sides by triggers.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, LiteralString
from uuid import UUID

from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.models import Page
from mediabase.common.types import RANGE_TEXT
from mediabase.config import get_settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import may_change, require
from mediabase.insights.models import (
    Decision,
    DecisionCreate,
    DecisionDetail,
    DecisionEdit,
    DecisionHit,
    DecisionLink,
    DecisionLinkCreate,
    DecisionSource,
    DecisionStatus,
    DecisionUpdate,
    Subscription,
    SubscriptionSet,
    Tag,
    TagCreate,
    TagUpdate,
)
from mediabase.search.embedding import Embedder
from mediabase.search.models import SearchMode
from mediabase.search.vectors import VectorType, embed_query, embedder_for, vector_literal

Q = load_queries("mediabase.insights", "queries.sql")
RANK_DEPTH = 1000  # semantic and hybrid rank the best 1,000 of each list, then filter

register_constraint("decisions_video_fk", NotFound, "no such video in this organization", field="video_id")
register_constraint("decisions_within_video", Invalid, None, field="position_ms")
register_constraint("decisions_decided_at_range", Invalid, f"decided_at must be {RANGE_TEXT}", field="decided_at")
register_constraint(
    "decisions_superseded_by_fk", NotFound, "no such decision in this organization", field="superseded_by"
)
register_constraint(
    "decisions_not_superseded_by_self", Invalid, "a decision cannot supersede itself", field="superseded_by"
)
register_constraint("decisions_supersede_cycle", Conflict, None, field="superseded_by")
register_constraint("decisions_state_while_superseded", Conflict, None, field="status")
register_constraint("decisions_position_needs_video", Invalid, "a position needs a video", field="position_ms")
register_constraint("decisions_layer_video", Invalid, None, field="video_id")
register_constraint("decisions_immutable", Invalid, None)
register_constraint("decision_links_not_self", Invalid, "a decision cannot link to itself", field="target_decision_id")
register_constraint(
    "decision_links_target_fk", NotFound, "no such decision in this organization", field="target_decision_id"
)
register_constraint("decision_links_pkey", Conflict, "these decisions are already linked", field="target_decision_id")
register_constraint(
    "decision_links_one_superseder",
    Conflict,
    "that decision is already superseded by another",
    field="target_decision_id",
)
register_constraint("decision_tags_name_key", Conflict, "a tag with this name exists", field="name")
register_constraint("decision_tag_assignments_tag_fk", NotFound, "no such tag in this organization", field="tag_ids")
register_constraint(
    "decision_participants_member_fk",
    NotFound,
    "participants must be members of the organization",
    field="participant_user_ids",
)
register_constraint(
    "decision_participants_person_fk", NotFound, "no such person in this organization", field="participant_person_ids"
)
register_constraint("decision_subscriptions_tag_fk", NotFound, "no such tag in this organization", field="tag_id")
register_constraint("decision_subscriptions_member_fk", Forbidden, "only members subscribe")

_COLUMNS = ("summary", "context", "source", "video_id", "position_ms", "decided_at", "superseded_by")


# made by a person, or by the current ('ready') decisions layer of its video (as decision_log)
VISIBLE = sql.SQL("(d.layer_id IS NULL OR al.status = 'ready')")
DECISION = sql.SQL(Q.decision_hits).format(search_columns=sql.SQL(""))


async def fetch_decision(conn: Conn, org: UUID, decision_id: UUID) -> Decision:
    params = {"org": org, "id": decision_id}
    stmt = sql.SQL("{} WHERE d.organization_id = %(org)s AND d.id = %(id)s AND {}").format(DECISION, VISIBLE)
    return await fetch_one_or_404(conn, stmt, params, "decision", model=Decision)


async def _lock_decision(conn: Conn, p: Principal, decision_id: UUID) -> dict[str, Any]:
    """Lock a decision the caller may change (its creator or an ADMIN), or 404/403."""
    row = await lock_or_404(conn, Q.lock_decision, p.organization_id, decision_id, "decision")
    may_change(p, row["created_by"], "decision")
    return row


async def _set_tags(conn: Conn, p: Principal, decision_id: UUID, tag_ids: list[UUID]) -> None:
    params = {"org": p.organization_id, "id": decision_id, "user_id": p.user_id}
    have = {r["tag_id"] for r in await (await conn.execute(Q.decision_tag_ids, params)).fetchall()}
    for tag_id in sorted(have - set(tag_ids)):
        await conn.execute(Q.unassign_tag, {**params, "tag_id": tag_id})
    for tag_id in dict.fromkeys(tag_ids):
        if tag_id not in have:
            await conn.execute(Q.assign_tag, {**params, "tag_id": tag_id})


async def _set_participants(
    conn: Conn, p: Principal, decision_id: UUID, user_ids: list[UUID] | None, person_ids: list[UUID] | None
) -> None:
    params = {"org": p.organization_id, "id": decision_id}
    rows = await (await conn.execute(Q.decision_participant_ids, params)).fetchall()
    for kind, wanted in (("user_id", user_ids), ("person_id", person_ids)):
        if wanted is None:
            continue
        other = "person_id" if kind == "user_id" else "user_id"
        have = {r[kind] for r in rows if r[kind] is not None}
        for gone in sorted(have - set(wanted)):
            await conn.execute(Q.remove_participant, {**params, kind: gone, other: None})
        for new in dict.fromkeys(wanted):
            if new not in have:
                await conn.execute(Q.add_participant, {**params, kind: new, other: None})


async def create_decision(db: Database, p: Principal, data: DecisionCreate) -> Decision:
    """Record a decision (any member); tags and participants come with it."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (
            await conn.execute(
                Q.insert_decision,
                {
                    "org": p.organization_id,
                    "summary": data.summary,
                    "context": data.context,
                    "source": data.source.value,
                    "video_id": data.video_id,
                    "position_ms": data.position_ms,
                    "state": data.status.value,
                    "decided_at": data.decided_at,
                    "created_by": p.user_id,
                },
            )
        ).fetchone()
        assert row is not None
        await _set_tags(conn, p, row["id"], data.tag_ids)
        await _set_participants(conn, p, row["id"], data.participant_user_ids, data.participant_person_ids)
        return await fetch_decision(conn, p.organization_id, row["id"])


async def update_decision(db: Database, p: Principal, decision_id: UUID, data: DecisionUpdate) -> Decision:
    """Change fields of a decision (its creator or an ADMIN); the trail records each change."""
    changes = data.model_dump(exclude_unset=True)
    for required in ("summary", "source", "status"):
        if required in changes and changes[required] is None:
            raise Invalid(f"{required} cannot be cleared", field=required)
    columns: dict[str, Any] = {k: changes[k] for k in _COLUMNS if k in changes}
    if isinstance(columns.get("source"), DecisionSource):
        columns["source"] = columns["source"].value
    if "status" in changes:
        columns["state"] = changes["status"].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_decision(conn, p, decision_id)
        words = {"org": p.organization_id, "id": decision_id}
        reworded = bool({"summary", "context"} & columns.keys())
        before = await (await conn.execute(Q.decision_words, words)).fetchone() if reworded else None
        await update_columns(conn, "decisions", p.organization_id, decision_id, columns, [*_COLUMNS, "state"])
        if before is not None and before != await (await conn.execute(Q.decision_words, words)).fetchone():
            await conn.execute(Q.request_decision_embed)  # new words, a new vector (no trigger reaches the queue)
        if changes.get("tag_ids") is not None:
            await _set_tags(conn, p, decision_id, changes["tag_ids"])
        if changes.get("participant_user_ids") is not None or changes.get("participant_person_ids") is not None:
            await _set_participants(
                conn, p, decision_id, changes.get("participant_user_ids"), changes.get("participant_person_ids")
            )
        return await fetch_decision(conn, p.organization_id, decision_id)


async def get_decision(db: Database, p: Principal, decision_id: UUID) -> DecisionDetail:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        d = await fetch_decision(conn, p.organization_id, decision_id)
        cur = conn.cursor(row_factory=class_row(DecisionLink))
        links = await (await cur.execute(Q.decision_links, {"org": p.organization_id, "id": decision_id})).fetchall()
    return DecisionDetail(**d.model_dump(), links=links)


async def delete_decision(db: Database, p: Principal, decision_id: UUID) -> None:
    """Delete a decision (its creator or an ADMIN); what it superseded is decided again."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_decision(conn, p, decision_id)
        await conn.execute(Q.delete_decision, {"org": p.organization_id, "id": decision_id})


async def list_decision_edits(db: Database, p: Principal, decision_id: UUID) -> list[DecisionEdit]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_decision(conn, p.organization_id, decision_id)
        cur = conn.cursor(row_factory=class_row(DecisionEdit))
        return await (await cur.execute(Q.decision_edits, {"org": p.organization_id, "id": decision_id})).fetchall()


async def create_decision_link(
    db: Database, p: Principal, decision_id: UUID, data: DecisionLinkCreate
) -> DecisionDetail:
    """Link two decisions (the source's creator or an ADMIN); 'supersedes' marks the target."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_decision(conn, p, decision_id)
        await fetch_decision(conn, p.organization_id, data.target_decision_id)
        await conn.execute(
            Q.insert_link,
            {
                "org": p.organization_id,
                "id": decision_id,
                "target": data.target_decision_id,
                "link_type": data.link_type.value,
                "user_id": p.user_id,
            },
        )
    return await get_decision(db, p, decision_id)


async def delete_decision_link(db: Database, p: Principal, decision_id: UUID, target_id: UUID) -> None:
    """Remove a link; removing a 'supersedes' link makes the target decided again."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _lock_decision(conn, p, decision_id)
        cur = await conn.execute(Q.delete_link, {"org": p.organization_id, "id": decision_id, "target": target_id})
        if cur.rowcount == 0:
            raise NotFound("no such link")


# The keyword ranking of list_decisions, joined to the decision log on (organization_id, id): a
# join on the distribution column, which Citus keeps on the organization's shard (a subquery
# correlated with the log's row would send the statement to every shard, or fail).
KEYWORD_RANKED = sql.SQL(
    "SELECT x.organization_id, x.id,"
    "       ts_rank_cd(x.search_vector, websearch_to_tsquery(ts_parse_config('english'), %(q)s)) AS score"
    "  FROM decisions x WHERE x.organization_id = %(org)s"
    "   AND x.search_vector @@ websearch_to_tsquery(ts_parse_config('english'), %(q)s)"
)


def search_sql(q: str | None) -> tuple[sql.Composable, sql.Composable, sql.Composable]:
    """The keyword-search parts of list_decisions: (condition, rank, snippet); with ``q`` the
    decisions are those of KEYWORD_RANKED, joined as ``r``. The query is websearch syntax
    ("quoted phrases", or, -not), English stemming with accents ignored (``ts_parse_config``, 0046),
    over summary (weight A) and context (weight B)."""
    if not q:
        return sql.SQL("true"), sql.SQL("NULL::real"), sql.SQL("NULL::text")
    snippet = sql.SQL(
        "ts_headline(ts_parse_config('english'), d.summary || coalesce(' / ' || d.context, ''),"
        " websearch_to_tsquery(ts_parse_config('english'), %(q)s), 'MaxFragments=2, MaxWords=20, MinWords=5')"
    )
    return sql.SQL("true"), sql.SQL("r.score"), snippet


async def _ranked_sql(q: str, mode: SearchMode, embedder: Embedder | None, params: dict[str, Any]) -> sql.Composed:
    """The semantic or hybrid ranking of list_decisions (queries.sql decision_ranked); sets its
    parameters. The query is embedded here, in a worker thread."""
    embedder = embedder or embedder_for(get_settings())
    qvec = await embed_query(embedder, q)
    vt = VectorType(embedder.name, len(qvec))
    params.update(use_k=mode is SearchMode.hybrid, model=embedder.name, dim=vt.dimension,
                  qvec=vector_literal(qvec), depth=RANK_DEPTH)
    return sql.SQL(Q.decision_ranked).format(vtype=vt.vtype())


async def list_decisions(
    db: Database,
    p: Principal,
    *,
    q: str | None = None,
    status: DecisionStatus | None = None,
    tag: str | None = None,
    video_id: UUID | None = None,
    source: DecisionSource | None = None,
    decided_from: datetime | None = None,
    decided_to: datetime | None = None,
    limit: int = 50,
    cursor: str | None = None,
    mode: SearchMode = SearchMode.keyword,
    embedder: Embedder | None = None,
) -> Page[DecisionHit]:
    """The decision log, newest decision first; with ``q``, the best matches first (one page,
    with a highlighted snippet): by keywords, by meaning (``mode`` semantic: the decisions'
    vectors nearest the query's, score = cosine similarity) or both (hybrid: reciprocal rank
    fusion). Filters combine. Semantic and hybrid raise SemanticUnavailable without a model."""
    match, rank, snippet = search_sql(q)
    params: dict[str, Any] = {"org": p.organization_id, "q": q, "limit": limit + 1}
    ranked: sql.Composable | None = None
    on = sql.SQL("r.organization_id = d.organization_id AND r.id = d.id")
    if q and mode is not SearchMode.keyword:
        ranked = await _ranked_sql(q, mode, embedder, params)
        match, rank, on = sql.SQL("true"), sql.SQL("r.score"), sql.SQL("r.id = d.id")
    elif q:
        ranked = KEYWORD_RANKED
    where: list[sql.Composable] = [sql.SQL("d.organization_id = %(org)s"), VISIBLE, match]
    filters: list[tuple[LiteralString, str, Any]] = [
        ("d.status = %(status)s", "status", status.value if status else None),
        ("d.video_id = %(video_id)s", "video_id", video_id),
        ("d.source = %(source)s", "source", source.value if source else None),
        ("d.decided_at >= %(decided_from)s", "decided_from", decided_from),
        ("d.decided_at < %(decided_to)s", "decided_to", decided_to),
        ("EXISTS (SELECT FROM decision_tag_assignments ta JOIN decision_tags t"
         "         ON t.organization_id = ta.organization_id AND t.id = ta.tag_id"
         " WHERE ta.organization_id = %(org)s AND ta.decision_id = d.id AND lower(t.name) = lower(%(tag)s))",
         "tag", tag),
    ]
    for clause, name, value in filters:
        if value is not None:
            where.append(sql.SQL(clause))
            params[name] = value
    if q:
        order = sql.SQL("rank DESC, d.id DESC")
    else:
        order = sql.SQL("coalesce(d.decided_at, d.created_at) DESC, d.id DESC")
        if cursor:
            at, last = decode_position(cursor)
            where.append(
                sql.SQL("(coalesce(d.decided_at, d.created_at), d.id) < (%(c_at)s::timestamptz, %(c_id)s::uuid)")
            )
            params.update(c_at=at, c_id=last)
    hits: sql.Composable = sql.SQL(Q.decision_hits).format(
        search_columns=sql.SQL(", {} AS rank, {} AS snippet").format(rank, snippet))
    if ranked is not None:
        hits = sql.SQL("{} JOIN ({}) r ON {}").format(hits, ranked, on)
    stmt = sql.SQL("{} WHERE {} ORDER BY {} LIMIT %(limit)s").format(hits, sql.SQL(" AND ").join(where), order)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(DecisionHit))
        rows = await (await cur.execute(stmt, params)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = None
    if more and not q:
        nxt = encode_cursor(rows[-1].decided_at or rows[-1].created_at, rows[-1].id)
    return Page[DecisionHit](items=rows, next_cursor=nxt)


# -- tags and subscriptions ---------------------------------------------------------------------


async def _tag(conn: Conn, org: UUID, tag_id: UUID) -> Tag:
    return await fetch_one_or_404(conn, by_id(Q.tag_columns, "t"), {"org": org, "id": tag_id}, "tag", model=Tag)


async def create_tag(db: Database, p: Principal, data: TagCreate) -> Tag:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await (
            await conn.execute(
                Q.insert_tag, {"org": p.organization_id, "name": data.name, "color": data.color, "user_id": p.user_id}
            )
        ).fetchone()
        assert row is not None
        return await _tag(conn, p.organization_id, row["id"])


async def list_tags(db: Database, p: Principal) -> list[Tag]:
    stmt = sql.SQL("{} WHERE t.organization_id = %(org)s ORDER BY lower(t.name)").format(sql.SQL(Q.tag_columns))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Tag))
        return await (await cur.execute(stmt, {"org": p.organization_id})).fetchall()


async def update_tag(db: Database, p: Principal, tag_id: UUID, data: TagUpdate) -> Tag:
    require(p, Role.ADMIN)
    changes = data.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise Invalid("name cannot be cleared", field="name")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _tag(conn, p.organization_id, tag_id)
        await update_columns(conn, "decision_tags", p.organization_id, tag_id, changes, ("name", "color"))
        return await _tag(conn, p.organization_id, tag_id)


async def delete_tag(db: Database, p: Principal, tag_id: UUID) -> None:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(Q.delete_tag, {"org": p.organization_id, "id": tag_id})
        if cur.rowcount == 0:
            raise NotFound("tag not found")


async def update_subscription(db: Database, p: Principal, tag_id: UUID, data: SubscriptionSet) -> Subscription:
    """Hear about decisions tagged ``tag_id`` (the caller's own subscription)."""
    params = {"org": p.organization_id, "user_id": p.user_id, "tag_id": tag_id, "frequency": data.frequency.value}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _tag(conn, p.organization_id, tag_id)
        await conn.execute(Q.upsert_subscription, params)
        cur = conn.cursor(row_factory=class_row(Subscription))
        rows = await (await cur.execute(Q.list_subscriptions, params)).fetchall()
    return next(s for s in rows if s.tag_id == tag_id)


async def delete_subscription(db: Database, p: Principal, tag_id: UUID) -> None:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(
            Q.delete_subscription, {"org": p.organization_id, "user_id": p.user_id, "tag_id": tag_id}
        )
        if cur.rowcount == 0:
            raise NotFound("no subscription to this tag")


async def list_subscriptions(db: Database, p: Principal) -> list[Subscription]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Subscription))
        return await (
            await cur.execute(Q.list_subscriptions, {"org": p.organization_id, "user_id": p.user_id})
        ).fetchall()
