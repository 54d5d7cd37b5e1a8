"""Billing test helpers: a catalog, subscribers, generated logs, and dumps of the billing tables."""

from __future__ import annotations

from typing import Any

from mediabase.billing import catalog
from mediabase.billing.generator import LogGenerator, Subscriber
from mediabase.billing.models import Interval, PlanCreate, PlanLimitSet, PriceCreate
from mediabase.billing.objects import PriceRef
from mediabase.db.connection import Database
from tests.factories import Tenant

PRICES = [
    ("pro", "pro-monthly-usd", "USD", 1500, Interval.month),
    ("pro", "pro-yearly-usd", "USD", 15000, Interval.year),
    ("team", "team-monthly-usd", "USD", 4900, Interval.month),
    ("team", "team-monthly-eur", "EUR", 4500, Interval.month),
    ("pro", "pro-monthly-eur", "EUR", 1400, Interval.month),
]

# every billing table; billing_customers (global) last so the others' keys go first
TABLES = ["billing_provider_events", "billing_refunds", "billing_payments", "billing_invoice_lines", "billing_invoices",
          "billing_usage_records", "billing_subscriptions", "billing_customers"]


async def make_catalog(system: Database) -> list[PriceRef]:
    """Plans pro and team with monthly (and a yearly) prices in USD and EUR, and their limits."""
    await catalog.add_plan(system, PlanCreate(code="pro", name="Pro"))
    await catalog.add_plan(system, PlanCreate(code="team", name="Team"))
    for plan, code, currency, amount, interval in PRICES:
        await catalog.add_price(system, PriceCreate(plan=plan, code=code, currency=currency, unit_amount=amount,
                                                    interval=interval))
    await catalog.set_limit(system, "pro", PlanLimitSet(feature="transcription_minutes", limit=600))
    await catalog.set_limit(system, "pro", PlanLimitSet(feature="storage_bytes", limit=None))
    await catalog.set_limit(system, "team", PlanLimitSet(feature="transcription_minutes", limit=6000))
    await catalog.set_limit(system, "team", PlanLimitSet(feature="seats", limit=1, per_unit=True))
    return await catalog.price_refs(system)


def subscribers(*tenants: Tenant) -> list[Subscriber]:
    """Each organization itself (seed 001) and its member (seed 004)."""
    out: list[Subscriber] = []
    for t in tenants:
        out += [Subscriber(t.owner.organization_id), Subscriber(t.owner.organization_id, t.member.user_id)]
    return out


def log(who: list[Subscriber], prices: list[PriceRef], n: int, seed: int = 1) -> list[tuple[int, str]]:
    return list(enumerate(LogGenerator(who, prices, seed=seed).lines(n), 1))


# What the books hold, by the provider's ids (no surrogate key, no time of our own): two databases, or
# one before and after, compare equal exactly when they hold the same billing state.
SEMANTIC = {
    "customers": "SELECT provider, provider_customer_id, organization_id, user_id FROM billing_customers",
    "events": "SELECT organization_id, provider, provider_event_id, type, created, object_type, object_id, livemode,"
              " api_version, payload::text FROM billing_provider_events",
    "subscriptions": "SELECT s.organization_id, s.provider, s.provider_subscription_id, k.provider_customer_id,"
                     " s.subscriber_organization_id, s.subscriber_user_id, p.code, s.currency, s.quantity, s.status,"
                     " s.current_period_start, s.current_period_end, s.cancel_at_period_end, s.trial_start,"
                     " s.trial_end, s.canceled_at, s.ended_at, s.started_at, s.source_event_created,"
                     " s.source_event_id FROM billing_subscriptions s JOIN billing_customers k ON k.id = s.customer_id"
                     " JOIN billing_prices p ON p.id = s.price_id",
    "invoices": "SELECT i.organization_id, i.provider_invoice_id, s.provider_subscription_id, i.number, i.status,"
                " i.currency, i.total, i.amount_due, i.amount_paid, i.period_start, i.period_end, i.created,"
                " i.paid_at, i.source_event_id FROM billing_invoices i LEFT JOIN billing_subscriptions s"
                " ON s.organization_id = i.organization_id AND s.id = i.subscription_id",
    "lines": "SELECT i.provider_invoice_id, l.provider_line_id, l.position, l.amount, l.currency, l.quantity,"
             " l.description, p.code, l.period_start, l.period_end, l.proration FROM billing_invoice_lines l"
             " JOIN billing_invoices i ON i.organization_id = l.organization_id AND i.id = l.invoice_id"
             " LEFT JOIN billing_prices p ON p.id = l.price_id",
    "payments": "SELECT p.organization_id, p.provider_charge_id, p.provider_payment_intent_id, i.provider_invoice_id,"
                " p.currency, p.amount, p.amount_refunded, p.status, p.failure_code, p.created, p.source_event_id"
                " FROM billing_payments p LEFT JOIN billing_invoices i ON i.organization_id = p.organization_id"
                " AND i.id = p.invoice_id",
    "refunds": "SELECT r.organization_id, r.provider_refund_id, p.provider_charge_id, r.currency, r.amount, r.status,"
               " r.reason, r.created, r.source_event_id FROM billing_refunds r JOIN billing_payments p"
               " ON p.organization_id = r.organization_id AND p.id = r.payment_id",
}


async def semantic_dump(system: Database) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with system.transaction() as conn:
        for name, query in SEMANTIC.items():
            rows = await (await conn.execute(query)).fetchall()
            out[name] = sorted((tuple(r.values()) for r in rows), key=repr)
    return out


async def full_dump(system: Database) -> dict[str, list[str]]:
    """Every row of every billing table, every column (ids and times of our own too)."""
    out: dict[str, list[str]] = {}
    async with system.transaction() as conn:
        for t in TABLES:
            rows = await (await conn.execute(f"SELECT to_jsonb(x)::text AS r FROM mediabase.{t} x")).fetchall()
            out[t] = sorted(r["r"] for r in rows)
    return out


async def wipe(system: Database) -> None:
    async with system.transaction() as conn:
        await conn.execute("TRUNCATE " + ", ".join(f"mediabase.{t}" for t in TABLES))
