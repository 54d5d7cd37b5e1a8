"""Billing's invariants held by the database itself (docs/billing.md, "Invariants"): money is never a
float, a subscription has exactly one subscriber, totals and refunds are the database's sums, the
application role reads only its own tenant's books and writes none of them."""

from __future__ import annotations

import pytest

from mediabase.billing import replay
from mediabase.common.errors import Conflict, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from tests.factories import Tenant
from tests.integration.billing_world import log, make_catalog, subscribers

MONEY = {
    ("billing_prices", "unit_amount"), ("billing_invoices", "total"), ("billing_invoices", "amount_due"),
    ("billing_invoices", "amount_paid"), ("billing_invoice_lines", "amount"), ("billing_payments", "amount"),
    ("billing_payments", "amount_refunded"), ("billing_refunds", "amount"),
}


async def test_money_is_never_a_float(owner_db: Database) -> None:
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT c.relname AS t, a.attname AS col, format_type(a.atttypid, a.atttypmod) AS type"
            "  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relname LIKE 'billing\\_%%' AND c.relkind = 'r'"
            "   AND a.attnum > 0 AND NOT a.attisdropped")).fetchall()
    types = {(r["t"], r["col"]): r["type"] for r in rows}
    assert {k: types[k] for k in MONEY} == dict.fromkeys(MONEY, "bigint")
    assert not [k for k, v in types.items() if v in ("real", "double precision", "money")]
    currencies = {k: v for k, v in types.items() if k[1] == "currency"}
    assert currencies and set(currencies.values()) == {"character(3)"}


async def books(owner_db: Database, tenants: tuple[Tenant, Tenant], n: int = 300) -> None:
    prices = await make_catalog(owner_db)
    await replay.replay_lines(owner_db, "offline", log(subscribers(*tenants), prices, n, seed=9))


async def raises(conn: Conn, stmt: str, error: type[MediabaseError], constraint: str | None = None) -> None:
    from mediabase.db.errors import translate

    try:
        async with conn.transaction():
            await conn.execute(stmt)  # type: ignore[arg-type]
    except Exception as exc:
        err = translate(exc) if not isinstance(exc, MediabaseError) else exc  # type: ignore[arg-type]
        assert isinstance(err, error), err
        if constraint is not None:
            assert err.extra.get("constraint") == constraint, err
        return
    raise AssertionError(f"{stmt} was not refused")


async def test_the_database_refuses_what_breaks_the_books(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await books(owner_db, tenants)
    async with owner_db.transaction() as conn:
        await raises(conn, "UPDATE billing_subscriptions SET subscriber_user_id = (SELECT user_id FROM memberships"
                           " LIMIT 1) WHERE subscriber_organization_id IS NOT NULL", Invalid,
                     "billing_subscriptions_immutable")
        await raises(conn, "UPDATE billing_subscriptions SET current_period_end = current_period_start", Invalid,
                     "billing_subscriptions_period_order")
        await raises(conn, "UPDATE billing_subscriptions SET status = 'incomplete' WHERE status = 'active'", Conflict,
                     "billing_subscriptions_status_transition")
        await raises(conn, "SET CONSTRAINTS billing_invoices_total_is_lines IMMEDIATE;"
                           " UPDATE billing_invoices SET total = total + 1", Invalid, "billing_invoices_total_is_lines")
        # a change of lines sets the total: the invoice stays consistent
        async with conn.transaction(force_rollback=True):
            await conn.execute("SET CONSTRAINTS billing_invoices_total_is_lines IMMEDIATE")
            row = await (await conn.execute(
                "DELETE FROM billing_invoice_lines WHERE (organization_id, id) IN (SELECT organization_id, id FROM"
                " billing_invoice_lines WHERE amount > 0 LIMIT 1) RETURNING organization_id, invoice_id, amount"
            )).fetchone()
            assert row is not None
            after = await (await conn.execute(
                "SELECT i.total, (SELECT coalesce(sum(amount), 0) FROM billing_invoice_lines l WHERE"
                " l.organization_id = i.organization_id AND l.invoice_id = i.id) AS summed FROM billing_invoices i"
                " WHERE i.organization_id = %(org)s AND i.id = %(id)s",
                {"org": row["organization_id"], "id": row["invoice_id"]})).fetchone()
            assert after is not None and after["total"] == after["summed"]
        await raises(conn, "UPDATE billing_invoices SET status = 'draft' WHERE status = 'paid'", Conflict,
                     "billing_invoices_status_transition")
        await raises(conn, "UPDATE billing_payments SET amount_refunded = amount", Invalid,
                     "billing_payments_refunded_is_refunds")
        await raises(conn, "INSERT INTO billing_refunds (organization_id, provider, provider_refund_id, payment_id,"
                           " currency, amount, status, created, source_event_created, source_event_id)"
                           " SELECT organization_id, provider, 're_over', id, currency, amount + 1, 'succeeded', now(),"
                           " now(), 'evt_x' FROM billing_payments LIMIT 1", Conflict,
                     "billing_payments_refunds_within_amount")
        await raises(conn, "INSERT INTO billing_prices (plan_id, code, currency, unit_amount, interval)"
                           " SELECT id, 'neg', 'USD', -1, 'month' FROM billing_plans LIMIT 1", Invalid,
                     "billing_prices_unit_amount_nonnegative")
        await raises(conn, "INSERT INTO billing_prices (plan_id, code, currency, unit_amount, interval)"
                           " SELECT id, 'low', 'usd', 1, 'month' FROM billing_plans LIMIT 1", Invalid,
                     "billing_prices_currency_format")
        # exactly one subscriber: both, or neither, is refused
        await raises(conn, "ALTER TABLE billing_subscriptions DISABLE TRIGGER billing_subscriptions_subscriber;"
                           " UPDATE billing_subscriptions SET subscriber_user_id = (SELECT user_id FROM memberships m"
                           " WHERE m.organization_id = billing_subscriptions.organization_id LIMIT 1)"
                           " WHERE subscriber_organization_id IS NOT NULL", Invalid,
                     "billing_subscriptions_one_subscriber")
        await raises(conn, "ALTER TABLE billing_subscriptions DISABLE TRIGGER billing_subscriptions_subscriber;"
                           " UPDATE billing_subscriptions SET subscriber_user_id = NULL"
                           " WHERE subscriber_user_id IS NOT NULL", Invalid, "billing_subscriptions_one_subscriber")


async def test_the_application_role_reads_its_tenant_and_writes_no_books(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await books(owner_db, tenants)
    a, b = tenants
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(
            "SELECT count(*) FILTER (WHERE organization_id = %(a)s) AS a,"
            " count(*) FILTER (WHERE organization_id = %(b)s) AS b FROM billing_invoices",
            {"a": a.owner.organization_id, "b": b.owner.organization_id})).fetchone()
    assert row is not None and row["a"] > 0 and row["b"] > 0
    for table in ("billing_subscriptions", "billing_invoices", "billing_invoice_lines", "billing_payments",
                  "billing_refunds", "billing_provider_events", "billing_usage_records"):
        async with db.transaction(a.owner.organization_id, a.owner.user_id, readonly=True) as conn:
            seen = await (await conn.execute(
                f"SELECT count(*) FILTER (WHERE organization_id <> %(a)s) AS other FROM {table}",  # type: ignore[arg-type]
                {"a": a.owner.organization_id})).fetchone()
        assert seen is not None and seen["other"] == 0, table
    for stmt in ("UPDATE billing_invoices SET status = 'void'", "DELETE FROM billing_payments",
                 "INSERT INTO billing_provider_events (organization_id, provider, provider_event_id, type, created,"
                 " object_type, payload, source) VALUES (current_org_id(), 'offline', 'evt_1', 'a.b', now(), 'x',"
                 " '{}', 'api')", "SELECT * FROM billing_customers", "UPDATE billing_plans SET active = false"):
        with pytest.raises(NotFound):  # insufficient privilege: nothing to see here
            async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
                await conn.execute(stmt)  # type: ignore[arg-type]
    # usage: appended in its own tenant only
    with pytest.raises(MediabaseError):
        async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
            await conn.execute(
                "INSERT INTO billing_usage_records (organization_id, metric, quantity, occurred_at, period_start,"
                " period_end) VALUES (%(b)s, 'seats', 1, now(), now() - interval '1 day', now() + interval '1 day')",
                {"b": b.owner.organization_id})
