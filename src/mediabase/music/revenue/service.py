"""Revenue, dividends and payouts of the music marketplace (docs/music-revenue.md).

Every function runs in the caller's tenant on the application pool (row-level security applies).
ADMINs (and OWNERs) import revenue, distribute dividends and mark payouts; members read. The rules
live in the database (0032_music_revenue.sql): the distribution itself is one SQL function,
``mediabase.music_distribute_dividend``, whose payouts are ONE set-based statement; these functions
check roles, turn requests into SQL and let a violated constraint surface as its domain error.
Reads open read-only transactions (the replica may answer them).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, LiteralString
from uuid import UUID

from mediabase.common.cursors import decode_cursor, encode_cursor
from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, sql
from mediabase.identity.models import Principal, Role
from mediabase.identity.security import EventKind, SubjectType, record_security_event
from mediabase.music.revenue.models import (
    Bucket,
    Distribution,
    Dividend,
    DividendCreate,
    ImportResult,
    PaidAll,
    Payout,
    PayoutMark,
    PayoutStatus,
    RevenueBucket,
    RevenueEvent,
    RevenueEventCreate,
    UnpaidBalance,
)

Q = load_queries("mediabase.music.revenue", "queries.sql")

register_constraint("music_revenue_events_master_fk", NotFound, "no such master", field="master_id")
register_constraint("music_revenue_events_period_open", Conflict, None, field="period_start")
register_constraint(
    "music_revenue_events_period_order", Invalid, "period_end must be after period_start", field="period_end"
)
register_constraint("music_revenue_events_amount_positive", Invalid, "the amount must be positive", field="amount")
register_constraint("music_dividends_master_fk", NotFound, "no such master", field="master_id")
register_constraint("music_dividends_share_asset", Conflict, None, field="master_id")
register_constraint("music_dividends_revenue_positive", Conflict, None, field="period_start")
register_constraint("music_dividends_distributable_positive", Conflict, None, field="master_id")
register_constraint("music_dividends_record_point", Invalid, None, field="record_at")
register_constraint("music_dividends_record_past", Invalid, None, field="record_at")
register_constraint("music_dividends_period_key", Conflict, None, field="period_start")
register_constraint(
    "music_dividends_no_overlap",
    Conflict,
    "this master has a dividend in this currency for an overlapping period",
    field="period_start",
)
register_constraint("music_dividends_exact", Conflict, None)
register_constraint("music_dividends_immutable", Invalid, None)
register_constraint("music_dividends_status_transition", Conflict, None, field="status")
register_constraint("music_payouts_immutable", Invalid, None)
register_constraint("music_payouts_status_transition", Conflict, "a paid payout is final", field="status")
register_constraint(
    "music_payouts_reason_when_failed", Invalid, "failure_reason goes with status failed", field="failure_reason"
)

_BUCKETS: dict[Bucket, LiteralString] = {Bucket.month: "month", Bucket.quarter: "quarter", Bucket.year: "year"}


def require_admin(p: Principal, what: str) -> None:
    if not p.can(Role.ADMIN):
        raise Forbidden(f"only an ADMIN may {what}")


def _key_cursor(cursor: str | None) -> UUID | None:
    if cursor is None:
        return None
    (value,) = decode_cursor(cursor, 1)
    try:
        return UUID(value)
    except ValueError as exc:
        raise Invalid("invalid cursor", field="cursor") from exc


# -- revenue ----------------------------------------------------------------------------------------


def _same(row: dict[str, Any], e: RevenueEventCreate) -> bool:
    return (row["master_id"], row["period_start"], row["period_end"], int(row["amount"]), row["currency"]) == (
        e.master_id,
        e.period_start,
        e.period_end,
        e.amount,
        e.currency,
    )


async def import_events(
    db: Database, p: Principal, events: Sequence[RevenueEventCreate], where: Sequence[str] | None = None
) -> ImportResult:
    """Record a statement's lines in one transaction: a line recorded before (same source and
    external id, same content) is counted ``unchanged``; the same id with other content, an unknown
    master or a line dated into a distributed period refuses the whole import (``where[i]`` names
    line i in the error, e.g. ``statement.csv:12``)."""
    require_admin(p, "import revenue")
    names = list(where) if where is not None else [f"event {i + 1}" for i in range(len(events))]
    first: dict[tuple[str, str], int] = {}
    unique: list[RevenueEventCreate] = []
    for i, e in enumerate(events):
        key = (e.source, e.external_id)
        if key in first:
            if not _same_event(events[first[key]], e):
                raise Conflict(
                    f"{names[i]}: external_id {e.external_id!r} of {e.source} appears twice with different "
                    f"content (first at {names[first[key]]})",
                    field="external_id",
                )
            continue
        first[key] = i
        unique.append(e)
    if not unique:
        return ImportResult(read=len(events), inserted=0, unchanged=0)
    org = p.organization_id
    async with db.transaction(org, p.user_id) as conn:
        known = {
            r["id"]
            for r in await (
                await conn.execute(Q.masters_known, {"org": org, "ids": list({e.master_id for e in unique})})
            ).fetchall()
        }
        for e in unique:
            if e.master_id not in known:
                raise NotFound(f"{names[first[(e.source, e.external_id)]]}: no master {e.master_id}", field="master_id")
        inserted = await (
            await conn.execute(
                Q.insert_events,
                {
                    "org": org,
                    "user": p.user_id,
                    "masters": [e.master_id for e in unique],
                    "sources": [e.source for e in unique],
                    "external_ids": [e.external_id for e in unique],
                    "starts": [e.period_start for e in unique],
                    "ends": [e.period_end for e in unique],
                    "amounts": [e.amount for e in unique],
                    "currencies": [e.currency for e in unique],
                    "received": [e.received_at for e in unique],
                },
            )
        ).fetchall()
        done = {(r["source"], r["external_id"]) for r in inserted}
        rest = [e for e in unique if (e.source, e.external_id) not in done]
        if rest:
            rows = await (
                await conn.execute(
                    Q.existing_events,
                    {
                        "org": org,
                        "sources": [e.source for e in rest],
                        "external_ids": [e.external_id for e in rest],
                    },
                )
            ).fetchall()
            stored = {(r["source"], r["external_id"]): r for r in rows}
            for e in rest:
                row = stored.get((e.source, e.external_id))
                if row is None or not _same(row, e):
                    raise Conflict(
                        f"{names[first[(e.source, e.external_id)]]}: {e.source} {e.external_id!r} was "
                        "recorded before with other content (revenue events never change)",
                        field="external_id",
                    )
    return ImportResult(read=len(events), inserted=len(done), unchanged=len(unique) - len(done))


def _same_event(a: RevenueEventCreate, b: RevenueEventCreate) -> bool:
    return a.model_dump(exclude={"received_at"}) == b.model_dump(exclude={"received_at"})


async def list_events(
    db: Database,
    p: Principal,
    *,
    master_id: UUID | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[RevenueEvent]:
    """Revenue events newest first (by id: ids are time-ordered), optionally of one master and of
    periods starting in [since, until)."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    params: dict[str, Any] = {
        "org": p.organization_id,
        "master": master_id,
        "since": since,
        "until": until,
        "after": _key_cursor(cursor),
        "limit": limit + 1,
    }
    if master_id is not None:
        where.append("master_id = %(master)s")
    if since is not None:
        where.append("period_start >= %(since)s")
    if until is not None:
        where.append("period_start < %(until)s")
    if cursor is not None:
        where.append("id < %(after)s")
    stmt = sql.SQL("{} WHERE {} ORDER BY id DESC LIMIT %(limit)s").format(
        sql.SQL(Q.event_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where)
    )
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(RevenueEvent))
        rows = await (await cur.execute(stmt, params)).fetchall()
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(str(items[-1].id)) if len(rows) > limit else None)


async def revenue_summary(
    db: Database,
    p: Principal,
    *,
    master_id: UUID | None = None,
    by: Bucket = Bucket.month,
    since: date | None = None,
    until: date | None = None,
) -> list[RevenueBucket]:
    """Revenue per master, currency and month (quarter, year) of the events' period start."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(RevenueBucket))
        return await (
            await cur.execute(
                Q.revenue_summary,
                {
                    "org": p.organization_id,
                    "master": master_id,
                    "bucket": _BUCKETS[by],
                    "since": since,
                    "until": until,
                },
            )
        ).fetchall()


# -- dividends --------------------------------------------------------------------------------------


async def _dividend(conn: Conn, org: UUID, dividend_id: UUID) -> Dividend:
    return await fetch_one_or_404(
        conn, by_id(Q.dividend_columns), {"org": org, "id": dividend_id}, "dividend", model=Dividend
    )


async def distribute(db: Database, p: Principal, data: DividendCreate) -> Distribution:
    """Distribute a master's revenue of a period in one currency to the holders of its share asset
    at the record point (ADMIN). Idempotent: the same period again answers the existing dividend
    (``created`` false); another record point for it is a conflict."""
    require_admin(p, "distribute dividends")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await fetch_one_or_404(
            conn,
            Q.distribute,
            {
                "master": data.master_id,
                "period_start": data.period_start,
                "period_end": data.period_end,
                "currency": data.currency,
                "record_at": data.record_at,
                "record_chain_id": data.record_chain_id,
                "record_block": data.record_block,
            },
            "dividend",
        )
    # read in a transaction of its own: the function wrote as its owner (SECURITY DEFINER), and on
    # Citus one transaction reaches a tenant's shards as one role (docs/scale-out.md)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return Distribution(
            created=row["created"], dividend=await _dividend(conn, p.organization_id, row["dividend_id"])
        )


async def get_dividend(db: Database, p: Principal, dividend_id: UUID) -> Dividend:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _dividend(conn, p.organization_id, dividend_id)


async def list_dividends(
    db: Database,
    p: Principal,
    *,
    master_id: UUID | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[Dividend]:
    """Dividends newest first, optionally of one master."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    if master_id is not None:
        where.append("master_id = %(master)s")
    if cursor is not None:
        where.append("id < %(after)s")
    stmt = sql.SQL("{} WHERE {} ORDER BY id DESC LIMIT %(limit)s").format(
        sql.SQL(Q.dividend_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where)
    )
    params = {"org": p.organization_id, "master": master_id, "after": _key_cursor(cursor), "limit": limit + 1}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Dividend))
        rows = await (await cur.execute(stmt, params)).fetchall()
    items = rows[:limit]
    return Page(items=items, next_cursor=encode_cursor(str(items[-1].id)) if len(rows) > limit else None)


# -- payouts ----------------------------------------------------------------------------------------


def payouts_query(
    org: UUID,
    *,
    dividend_id: UUID | None = None,
    account_id: UUID | None = None,
    status: PayoutStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> tuple[sql.Composed, dict[str, Any]]:
    """A dividend's payouts by account id (its primary key), or a holder's payouts newest dividend
    first (music_payouts_account_idx); keyset on the other key."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    after = _key_cursor(cursor)
    order: LiteralString
    if dividend_id is not None:
        where.append("dividend_id = %(dividend)s")
    if account_id is not None:
        where.append("account_id = %(account)s")
    if status is not None:
        where.append("status = %(status)s")
    if account_id is not None and dividend_id is None:
        order = "dividend_id DESC"
        if after is not None:
            where.append("dividend_id < %(after)s")
    else:
        order = "account_id"
        if after is not None:
            where.append("account_id > %(after)s")
    stmt = sql.SQL("{} WHERE {} ORDER BY {} LIMIT %(limit)s").format(
        sql.SQL(Q.payout_columns), sql.SQL(" AND ").join(sql.SQL(w) for w in where), sql.SQL(order)
    )
    return stmt, {
        "org": org,
        "dividend": dividend_id,
        "account": account_id,
        "status": status,
        "after": after,
        "limit": limit + 1,
    }


async def list_payouts(
    db: Database,
    p: Principal,
    *,
    dividend_id: UUID | None = None,
    account_id: UUID | None = None,
    status: PayoutStatus | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[Payout]:
    """A dividend's payouts, or a holder's (``account_id``), or both narrowed."""
    if dividend_id is None and account_id is None:
        raise Invalid("name a dividend or an account", field="dividend_id")
    stmt, params = payouts_query(
        p.organization_id, dividend_id=dividend_id, account_id=account_id, status=status, limit=limit, cursor=cursor
    )
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        if dividend_id is not None:
            await _dividend(conn, p.organization_id, dividend_id)
        cur = conn.cursor(row_factory=class_row(Payout))
        rows = await (await cur.execute(stmt, params)).fetchall()
    items = rows[:limit]
    last = (
        (items[-1].account_id if dividend_id is not None or account_id is None else items[-1].dividend_id)
        if items
        else None
    )
    return Page(items=items, next_cursor=encode_cursor(str(last)) if len(rows) > limit else None)


async def _log_payment(conn: Conn, p: Principal, dividend_id: UUID, details: dict[str, Any]) -> None:
    """The security log's record of a payment (0034), in the marking transaction: who marked
    which dividend's payout(s) paid, how many, how much."""
    await record_security_event(
        conn,
        p.organization_id,
        EventKind.payout,
        actor_user_id=p.user_id,
        actor_key_id=p.key_id,
        subject_type=SubjectType.payout,
        subject_id=dividend_id,
        details={k: v for k, v in details.items() if v is not None},
    )


async def _payout(conn: Conn, org: UUID, dividend_id: UUID, account_id: UUID) -> Payout:
    stmt = sql.SQL(
        "{} WHERE organization_id = %(org)s AND dividend_id = %(dividend)s AND account_id = %(account)s"
    ).format(sql.SQL(Q.payout_columns))
    return await fetch_one_or_404(
        conn, stmt, {"org": org, "dividend": dividend_id, "account": account_id}, "payout", model=Payout
    )


async def mark_payout(db: Database, p: Principal, dividend_id: UUID, account_id: UUID, mark: PayoutMark) -> Payout:
    """Mark one payout paid (final: the security log records it), failed, or pending again (ADMIN)."""
    require_admin(p, "mark payouts")
    params = {"org": p.organization_id, "dividend": dividend_id, "account": account_id}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await fetch_one_or_404(conn, Q.lock_payout, params, "payout")
        if row["status"] == "paid":
            raise Conflict("the payout is paid already: paid is final", field="status")
        await conn.execute(
            Q.mark_payout,
            {
                **params,
                "status": mark.status.value,
                "external_ref": mark.external_ref,
                "failure_reason": mark.failure_reason,
            },
        )
        if mark.status is PayoutStatus.paid:
            await _log_payment(
                conn,
                p,
                dividend_id,
                {
                    "account_id": str(account_id),
                    "amount": str(row["amount"]),
                    "currency": row["currency"],
                    "payouts": 1,
                    "external_ref": mark.external_ref,
                },
            )
        return await _payout(conn, p.organization_id, dividend_id, account_id)


async def pay_all(db: Database, p: Principal, dividend_id: UUID, external_ref: str | None = None) -> PaidAll:
    """Mark every pending payout of a dividend paid, in one statement (ADMIN); one security event
    records the batch (how many, how much)."""
    require_admin(p, "mark payouts")
    params = {"org": p.organization_id, "dividend": dividend_id}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        d = await _dividend(conn, p.organization_id, dividend_id)
        row = await fetch_one_or_404(conn, Q.pay_all, {**params, "external_ref": external_ref}, "dividend")
        if row["paid"]:
            await _log_payment(
                conn,
                p,
                dividend_id,
                {
                    "amount": str(row["amount"]),
                    "currency": d.currency,
                    "payouts": row["paid"],
                    "external_ref": external_ref,
                },
            )
        return PaidAll(dividend_id=dividend_id, paid=row["paid"])


async def unpaid_balances(db: Database, p: Principal, *, account_id: UUID | None = None) -> list[UnpaidBalance]:
    """Σ pending payouts per holder and currency (of one holder with ``account_id``)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(UnpaidBalance))
        return await (
            await cur.execute(Q.unpaid_balances, {"org": p.organization_id, "account": account_id})
        ).fetchall()
