"""Billing for an organization: subscribe, cancel, change plan; the books; usage; entitlements
(docs/billing.md).

Reads run in the caller's tenant on the application pool (row-level security applies). Changes to
subscriptions go through the configured provider (:mod:`mediabase.billing.provider`): the offline
one turns them into provider events that :mod:`mediabase.billing.replay` applies, in the same
transaction that finds or creates the subscriber's customer, so concurrent subscriptions of one
subscriber meet at the customer row and at the one-live-subscription index (409 for all but one).
Who may: OWNERs and ADMINs for the organization's subscription and any member's; a MEMBER for
their own (seed 004's user subscriptions). Usage is recorded by any key of the organization.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, LiteralString
from uuid import UUID

from mediabase.billing import replay
from mediabase.billing.models import (
    Entitlement,
    Entitlements,
    Invoice,
    InvoiceLine,
    Payment,
    ProviderEvent,
    Refund,
    Subscription,
    SubscriptionCancel,
    SubscriptionChange,
    SubscriptionCreate,
    UsageCreate,
    UsagePeriod,
    UsageRecord,
)
from mediabase.billing.objects import PriceRef
from mediabase.billing.provider import OfflineProvider, StripeProvider, SubscriptionState, lines_of
from mediabase.billing.settings import BillingSettings, get_billing_settings
from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row, sql
from mediabase.identity.models import Principal, Role

Q = load_queries("mediabase.billing", "queries.sql")

register_constraint(
    "billing_usage_records_in_period", Invalid, "occurred_at falls outside its period", field="occurred_at"
)


def _may_manage(p: Principal, subscriber_user_id: UUID | None) -> None:
    """The organization's subscription: an ADMIN's (or OWNER's); a member's: theirs or an ADMIN's."""
    if p.is_worker:
        raise Forbidden("a worker key has no billing rights")
    if subscriber_user_id is None and not p.can(Role.ADMIN):
        raise Forbidden("only an OWNER or ADMIN may manage the organization's subscription")
    if subscriber_user_id is not None and subscriber_user_id != p.user_id and not p.can(Role.ADMIN):
        raise Forbidden("a MEMBER manages their own subscription only")


# -- reading -----------------------------------------------------------------------------------------


async def _page(
    db: Database, p: Principal, columns: LiteralString, model: type[Any], where: list[LiteralString],
    params: dict[str, Any], time_column: LiteralString, limit: int, cursor: str | None,
) -> Page[Any]:
    """Newest first by (time_column, id), keyset pagination."""
    conds: list[LiteralString] = ["organization_id = %(org)s", *where]
    params = {**params, "org": p.organization_id, "limit": limit + 1}
    if cursor is not None:
        params["at"], params["after"] = decode_position(cursor)
        conds.append("(" + time_column + ", id) < (%(at)s, %(after)s)")
    stmt = sql.SQL("{} WHERE {} ORDER BY {} DESC, id DESC LIMIT %(limit)s").format(
        sql.SQL(columns), sql.SQL(" AND ").join(sql.SQL(c) for c in conds), sql.SQL(time_column)
    )
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(model))
        rows = await (await cur.execute(stmt, params)).fetchall()
    items = rows[:limit]
    more = len(rows) > limit
    return Page(items=items, next_cursor=encode_cursor(getattr(items[-1], time_column), items[-1].id) if more else None)


async def list_subscriptions(db: Database, p: Principal, *, live: bool = False) -> list[Subscription]:
    """The organization's subscriptions, newest first (``live``: not canceled or expired)."""
    where = " AND billing_live(s.status)" if live else ""
    stmt = sql.SQL("{} WHERE s.organization_id = %(org)s" + where + " ORDER BY s.created_at DESC, s.id DESC").format(
        sql.SQL(Q.subscription_columns)
    )
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Subscription))
        return await (await cur.execute(stmt, {"org": p.organization_id})).fetchall()


async def _subscription(conn: Conn, org: UUID, sub_id: UUID) -> Subscription:
    cur = conn.cursor(row_factory=class_row(Subscription))
    stmt = sql.SQL("{} WHERE s.organization_id = %(org)s AND s.id = %(id)s").format(sql.SQL(Q.subscription_columns))
    row = await (await cur.execute(stmt, {"org": org, "id": sub_id})).fetchone()
    if row is None:
        raise NotFound("subscription not found")
    return row


async def get_subscription(db: Database, p: Principal, sub_id: UUID) -> Subscription:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _subscription(conn, p.organization_id, sub_id)


async def list_invoices(
    db: Database, p: Principal, *, status: str | None = None, subscription_id: UUID | None = None, limit: int = 50,
    cursor: str | None = None,
) -> Page[Invoice]:
    where: list[LiteralString] = []
    if status is not None:
        where.append("status = %(status)s")
    if subscription_id is not None:
        where.append("subscription_id = %(sub)s")
    return await _page(db, p, Q.invoice_columns, Invoice, where, {"status": status, "sub": subscription_id},
                       "created", limit, cursor)


async def get_invoice(db: Database, p: Principal, invoice_id: UUID) -> Invoice:
    """An invoice with its lines (their amounts add up to its total)."""
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Invoice))
        stmt = sql.SQL("{} WHERE organization_id = %(org)s AND id = %(id)s").format(sql.SQL(Q.invoice_columns))
        inv = await (await cur.execute(stmt, {"org": org, "id": invoice_id})).fetchone()
        if inv is None:
            raise NotFound("invoice not found")
        lines = conn.cursor(row_factory=class_row(InvoiceLine))
        inv.lines = await (await lines.execute(Q.invoice_lines, {"org": org, "id": invoice_id})).fetchall()
    return inv


async def list_payments(
    db: Database, p: Principal, *, invoice_id: UUID | None = None, limit: int = 50, cursor: str | None = None
) -> Page[Payment]:
    where: list[LiteralString] = ["invoice_id = %(invoice)s"] if invoice_id is not None else []
    return await _page(db, p, Q.payment_columns, Payment, where, {"invoice": invoice_id}, "created", limit, cursor)


async def list_refunds(
    db: Database, p: Principal, *, payment_id: UUID | None = None, limit: int = 50, cursor: str | None = None
) -> Page[Refund]:
    where: list[LiteralString] = ["payment_id = %(payment)s"] if payment_id is not None else []
    return await _page(db, p, Q.refund_columns, Refund, where, {"payment": payment_id}, "created", limit, cursor)


async def list_events(
    db: Database, p: Principal, *, type_prefix: str | None = None, limit: int = 50, cursor: str | None = None
) -> Page[ProviderEvent]:
    """The provider events recorded for the organization, newest first."""
    where: list[LiteralString] = ["type LIKE %(prefix)s::text"] if type_prefix else []
    prefix = (type_prefix or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return await _page(db, p, Q.event_columns, ProviderEvent, where, {"prefix": prefix}, "created", limit, cursor)


# -- subscribing through the provider ------------------------------------------------------------------


def _provider(settings: BillingSettings | None) -> tuple[BillingSettings, OfflineProvider | None]:
    s = settings or get_billing_settings()
    return s, (OfflineProvider() if s.provider == "offline" else None)


async def _price(system: Database, code: str) -> PriceRef:
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.price_for_subscribing, {"code": code})).fetchone()
    if row is None:
        raise NotFound(f"no price {code!r}", field="price")
    if not (row["active"] and row["plan_active"]):
        raise Conflict(f"the price {code!r} is archived: choose another", field="price")
    return PriceRef(row["code"], row["unit_amount"], row["currency"], row["interval"])


async def _customer(
    conn: Conn, provider: str, org: UUID, user: UUID | None, make: OfflineProvider
) -> tuple[str, list[Any]]:
    """The subscriber's customer id, created with its customer.created event when it has none (a
    concurrent creator's row is waited for and taken)."""
    params = {"provider": provider, "org": org, "user": user}
    row = await (await conn.execute(Q.find_customer, params)).fetchone()
    if row is not None:
        return str(row["provider_customer_id"]), []
    cid, created = make.new_customer(str(org), None if user is None else str(user))
    row = await (await conn.execute(Q.create_customer, {**params, "customer": cid})).fetchone()
    if row is not None:
        return cid, [created]
    row = await (await conn.execute(Q.find_customer, params)).fetchone()
    assert row is not None
    return str(row["provider_customer_id"]), []


async def _apply(conn: Conn, provider: str, events: list[Any]) -> None:
    await replay.apply(conn, provider, lines_of(events), source="api")


async def subscribe(
    db: Database, p: Principal, data: SubscriptionCreate, settings: BillingSettings | None = None
) -> Subscription | None:
    """Subscribe the organization (or a member) to a price. Offline: the subscription exists when
    this returns; stripe: it is created there and arrives by webhook (None here)."""
    _may_manage(p, data.subscriber_user_id)
    org, user = p.organization_id, data.subscriber_user_id
    system = await db.as_system()
    if user is not None:
        async with system.transaction() as conn:
            member = await (await conn.execute(Q.is_member, {"org": org, "user": user})).fetchone()
        if not (member and member["member"]):
            raise NotFound("no such member", field="subscriber_user_id")
    price = await _price(system, data.price)
    s, offline = _provider(settings)
    if offline is None:
        await _stripe_subscribe(system, s, org, user, price, data)
        return None
    async with system.transaction(None, p.user_id) as conn:  # the actor of the audit rows
        customer, events = await _customer(conn, offline.name, org, user, offline)
        events += offline.subscribe(customer, price, data.quantity, data.trial_days)
        await _apply(conn, offline.name, events)
        row = await (await conn.execute(Q.subscription_by_provider_id, {
            "org": org, "provider": offline.name, "sid": _subscription_id(events)})).fetchone()
        assert row is not None
    return await get_subscription(db, p, row["id"])


def _subscription_id(events: list[Any]) -> str:
    return str(next(e["data"]["object"]["id"] for e in events if e["type"] == "customer.subscription.created"))


async def _stripe_subscribe(
    system: Database, s: BillingSettings, org: UUID, user: UUID | None, price: PriceRef, data: SubscriptionCreate
) -> None:
    stripe = StripeProvider(s.stripe_api_key.get_secret_value() if s.stripe_api_key else None, s.stripe_api_base)
    try:
        async with system.transaction() as conn:
            params = {"provider": "stripe", "org": org, "user": user}
            row = await (await conn.execute(Q.find_customer, params)).fetchone()
        if row is None:
            customer = await stripe.create_customer(str(org), None if user is None else str(user))
            async with system.transaction() as conn:
                await conn.execute(Q.create_customer, {"provider": "stripe", "customer": customer, "org": org,
                                                       "user": user})
        else:
            customer = str(row["provider_customer_id"])
        await stripe.subscribe(customer, price, data.quantity, data.trial_days)
    finally:
        await stripe.close()


async def _load(conn: Conn, org: UUID, sub_id: UUID) -> tuple[SubscriptionState, dict[str, Any]]:
    row = await (await conn.execute(Q.subscription_state, {"org": org, "id": sub_id})).fetchone()
    if row is None:
        raise NotFound("subscription not found")
    price = PriceRef(row["price_code"], row["unit_amount"], row["currency"], row["interval"])
    state = SubscriptionState(
        row["provider_subscription_id"], row["customer"], row["status"], price, row["quantity"], row["period_start"],
        row["period_end"], row["cancel_at_period_end"], row["trial_start"], row["trial_end"], row["canceled_at"],
        row["started_at"], row["version"],
    )
    return state, row


async def _state(conn: Conn, p: Principal, sub_id: UUID) -> tuple[SubscriptionState, dict[str, Any]]:
    state, row = await _load(conn, p.organization_id, sub_id)
    _may_manage(p, row["subscriber_user_id"])
    if row["status"] in ("canceled", "incomplete_expired"):
        raise Conflict(f"the subscription is {row['status']}: it cannot change any more", field="status")
    return state, row


async def advance_offline(conn: Conn, now: int | None = None, limit: int = 10_000) -> int:
    """The offline provider's clock, in the caller's (owner's) transaction: every live offline
    subscription whose period is over is renewed (its next period and a paid invoice) or, when
    cancelled at period end, ended. Returns how many; run again, it finds none."""
    provider = OfflineProvider(now)
    at = provider.now()
    due = await (await conn.execute(Q.offline_due, {"now": at, "limit": limit})).fetchall()
    events: list[Any] = []
    for d in due:
        state, _ = await _load(conn, d["organization_id"], d["id"])
        events += provider.renew(state)
    if events:
        await _apply(conn, provider.name, events)
    return len(due)


async def cancel(
    db: Database, p: Principal, sub_id: UUID, data: SubscriptionCancel, settings: BillingSettings | None = None
) -> Subscription:
    """Cancel now, or at the end of the paid period (it stays live until then)."""
    s, offline = _provider(settings)
    system = await db.as_system()
    async with system.transaction(None, p.user_id) as conn:
        state, row = await _state(conn, p, sub_id)
        if row["provider"] != s.provider:
            raise Conflict(f"the subscription is {row['provider']}'s, the configured provider is {s.provider}")
        if offline is None:
            stripe = StripeProvider(s.stripe_api_key.get_secret_value() if s.stripe_api_key else None,
                                    s.stripe_api_base)
            try:
                await stripe.cancel(state.provider_subscription_id, data.at_period_end)
            finally:
                await stripe.close()
        else:
            await _apply(conn, offline.name, offline.cancel(state, data.at_period_end))
    return await get_subscription(db, p, sub_id)


async def change_plan(
    db: Database, p: Principal, sub_id: UUID, data: SubscriptionChange, settings: BillingSettings | None = None
) -> Subscription:
    """Move a live subscription to another price (and quantity) from now on."""
    _, offline = _provider(settings)
    system = await db.as_system()
    price = await _price(system, data.price)
    if offline is None:
        raise Conflict("with the stripe provider, change the plan in Stripe: its webhook brings the change")
    async with system.transaction(None, p.user_id) as conn:
        state, row = await _state(conn, p, sub_id)
        if row["provider"] != offline.name:
            raise Conflict(f"the subscription is {row['provider']}'s, the configured provider is {offline.name}")
        if price.code == state.price.code and (data.quantity or state.quantity) == state.quantity:
            raise Conflict("the subscription has this price and quantity already", field="price")
        await _apply(conn, offline.name, offline.change(state, price, data.quantity or state.quantity))
    return await get_subscription(db, p, sub_id)


# -- usage and entitlements -----------------------------------------------------------------------------


async def record_usage(db: Database, p: Principal, data: UsageCreate) -> tuple[UsageRecord, bool]:
    """Record usage in its billing period; with an idempotency key sent before, the record made
    then (False), or a 409 when the content differs."""
    at = data.occurred_at or datetime.now(UTC)
    params = {"org": p.organization_id, "metric": data.metric, "quantity": data.quantity, "at": at,
              "key": data.idempotency_key, "user": p.user_id}
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(UsageRecord))
        row = await (await cur.execute(Q.insert_usage, params)).fetchone()
        if row is not None:
            return row, True
        old = await (await cur.execute(Q.usage_by_key, params)).fetchone()
    assert old is not None
    same = (old.metric, old.quantity) == (data.metric, data.quantity) and (
        data.occurred_at is None or old.occurred_at == data.occurred_at)
    if not same:
        raise Conflict("this idempotency key was used for other usage", field="idempotency_key")
    return old, False


async def usage_per_period(
    db: Database, p: Principal, *, metric: str | None = None, since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsagePeriod]:
    """Usage per metric and billing period, newest period first."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(UsagePeriod))
        return await (await cur.execute(
            Q.usage_per_period, {"org": p.organization_id, "metric": metric, "since": since, "until": until}
        )).fetchall()


async def entitlements(db: Database, p: Principal, user_id: UUID | None = None) -> Entitlements:
    """What the organization's live subscription grants (or a member's, ``user_id``), and what was
    used of it in the current period."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.execute(Q.entitlements, {"org": p.organization_id, "user": user_id})).fetchall()
    if not rows:
        return Entitlements(subscription_id=None, plan_code=None, status=None, period_start=None, period_end=None,
                            features=[])
    first = rows[0]
    return Entitlements(
        subscription_id=first["subscription_id"], plan_code=first["plan_code"], status=first["status"],
        period_start=first["period_start"], period_end=first["period_end"],
        features=[Entitlement(feature=r["feature"], unit=r["unit"], limit=r["limit"], used=r["used"],
                              remaining=None if r["limit"] is None else max(r["limit"] - r["used"], 0))
                  for r in rows],
    )
