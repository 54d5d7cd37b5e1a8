"""Subscriptions through the offline provider, usage and entitlements (docs/billing.md): one live
subscription per subscriber even when N transactions race for it (one wins, the rest get a 409),
roles, and every change recorded as the provider events a replay turns into the same books."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from mediabase.billing import replay, service
from mediabase.billing.models import SubscriptionCancel, SubscriptionChange, SubscriptionCreate, UsageCreate
from mediabase.common.errors import Conflict, Forbidden, NotFound
from mediabase.db.connection import Database
from tests.factories import Tenant
from tests.integration.billing_world import make_catalog, semantic_dump, wipe

N = 8


async def test_one_live_subscription_per_subscriber_under_concurrent_creation(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await make_catalog(owner_db)
    a, b = tenants
    for who, subscriber in ((a.owner, None), (a.member, a.member.user_id)):
        data = SubscriptionCreate(price="pro-monthly-usd", subscriber_user_id=subscriber)
        results = await asyncio.gather(*(service.subscribe(db, who, data) for _ in range(N)), return_exceptions=True)
        won = [r for r in results if not isinstance(r, BaseException)]
        lost = [r for r in results if isinstance(r, BaseException)]
        assert len(won) == 1 and len(lost) == N - 1, results
        assert all(isinstance(e, Conflict) and "live subscription" in str(e) for e in lost), lost
    subs = await service.list_subscriptions(db, a.owner, live=True)
    assert sorted(str(s.subscriber_user_id) for s in subs) == sorted(["None", str(a.member.user_id)])
    assert await service.list_subscriptions(db, b.owner) == []  # the other tenant has none
    # a second subscription of the organization, one at a time, is refused too
    with pytest.raises(Conflict, match="live subscription"):
        await service.subscribe(db, a.owner, SubscriptionCreate(price="team-monthly-usd"))


async def test_subscribe_change_cancel_and_the_books(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await make_catalog(owner_db)
    a, b = tenants
    sub = await service.subscribe(db, a.owner, SubscriptionCreate(price="team-monthly-usd", quantity=3))
    assert sub is not None and (sub.status, sub.plan_code, sub.quantity, sub.subscriber_user_id) == (
        "active", "team", 3, None)
    invoices = (await service.list_invoices(db, a.owner)).items
    assert [(i.status, i.total, i.amount_paid) for i in invoices] == [("paid", 3 * 4900, 3 * 4900)]
    inv = await service.get_invoice(db, a.owner, invoices[0].id)
    assert inv.lines is not None and sum(x.amount for x in inv.lines) == inv.total
    payments = (await service.list_payments(db, a.owner)).items
    assert [(p.amount, p.status, p.invoice_id) for p in payments] == [(3 * 4900, "succeeded", inv.id)]
    ent = await service.entitlements(db, a.owner)
    assert ent.plan_code == "team"
    assert {e.feature: (e.limit, e.used) for e in ent.features} == {
        "seats": (3, 2), "transcription_minutes": (6000, 0)}

    changed = await service.change_plan(db, a.owner, sub.id, SubscriptionChange(price="pro-monthly-usd"))
    assert (changed.plan_code, changed.quantity, changed.status) == ("pro", 3, "active")
    with pytest.raises(Conflict, match="already"):
        await service.change_plan(db, a.owner, sub.id, SubscriptionChange(price="pro-monthly-usd"))
    later = await service.cancel(db, a.owner, sub.id, SubscriptionCancel(at_period_end=True))
    assert later.status == "active" and later.cancel_at_period_end
    gone = await service.cancel(db, a.owner, sub.id, SubscriptionCancel())
    assert gone.status == "canceled" and gone.ended_at is not None
    with pytest.raises(Conflict, match="canceled"):
        await service.cancel(db, a.owner, sub.id, SubscriptionCancel())
    assert (await service.entitlements(db, a.owner)).subscription_id is None

    # roles and tenants
    with pytest.raises(Forbidden):
        await service.subscribe(db, a.member, SubscriptionCreate(price="pro-monthly-usd"))
    with pytest.raises(NotFound):
        await service.get_subscription(db, b.owner, sub.id)
    with pytest.raises(NotFound):
        await service.cancel(db, b.owner, sub.id, SubscriptionCancel())
    with pytest.raises(NotFound, match="member"):
        await service.subscribe(db, a.owner, SubscriptionCreate(price="pro-monthly-usd",
                                                                subscriber_user_id=b.member.user_id))
    mine = await service.subscribe(db, a.member, SubscriptionCreate(price="pro-monthly-eur",
                                                                    subscriber_user_id=a.member.user_id, trial_days=14))
    assert mine is not None and mine.status == "trialing" and mine.currency == "EUR"
    assert (await service.entitlements(db, a.owner, a.member.user_id)).plan_code == "pro"
    with pytest.raises(NotFound, match="price"):
        await service.subscribe(db, a.owner, SubscriptionCreate(price="nope"))

    # every change is a provider event: replaying them into empty books gives the same books
    events = (await service.list_events(db, a.owner, limit=500)).items
    assert {e.source for e in events} == {"api"} and len(events) >= 6
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT payload::text AS p FROM billing_provider_events ORDER BY created, provider_event_id")).fetchall()
    before = await semantic_dump(owner_db)
    await wipe(owner_db)
    await replay.replay_lines(db, "offline", [(i, r["p"]) for i, r in enumerate(rows, 1)])
    assert await semantic_dump(owner_db) == before


async def test_usage_per_period_and_idempotency(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await make_catalog(owner_db)
    a, b = tenants
    at = datetime(2026, 3, 14, 12, tzinfo=UTC)
    first, created = await service.record_usage(db, a.member, UsageCreate(
        metric="transcription_minutes", quantity=30, occurred_at=at, idempotency_key="k1"))
    assert created and (first.period_start, first.period_end) == (datetime(2026, 3, 1, tzinfo=UTC),
                                                                   datetime(2026, 4, 1, tzinfo=UTC))
    again, created = await service.record_usage(db, a.member, UsageCreate(
        metric="transcription_minutes", quantity=30, occurred_at=at, idempotency_key="k1"))
    assert not created and again.id == first.id
    with pytest.raises(Conflict):
        await service.record_usage(db, a.member, UsageCreate(metric="transcription_minutes", quantity=31,
                                                             idempotency_key="k1"))
    with pytest.raises(NotFound, match="metric"):
        await service.record_usage(db, a.member, UsageCreate(metric="nope", quantity=1))
    await service.record_usage(db, a.member, UsageCreate(metric="transcription_minutes", quantity=12,
                                                         occurred_at=at + timedelta(days=30)))
    per = await service.usage_per_period(db, a.owner, metric="transcription_minutes")
    assert [(u.period_start.month, u.quantity, u.records) for u in per] == [(4, 12, 1), (3, 30, 1)]
    assert await service.usage_per_period(db, b.owner) == []
    # inside a live subscription's period, usage counts there and against its limit
    sub = await service.subscribe(db, a.owner, SubscriptionCreate(price="pro-monthly-usd"))
    assert sub is not None
    now, _ = await service.record_usage(db, a.owner, UsageCreate(metric="transcription_minutes", quantity=100))
    assert (now.subscription_id, now.period_start) == (sub.id, sub.current_period_start)
    ent = {e.feature: e for e in (await service.entitlements(db, a.owner)).features}
    assert (ent["transcription_minutes"].used, ent["transcription_minutes"].remaining) == (100, 500)
    assert ent["storage_bytes"].limit is None and ent["storage_bytes"].remaining is None


async def test_the_offline_clock_renews_and_ends(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    await make_catalog(owner_db)
    a = tenants[0]
    org = await service.subscribe(db, a.owner, SubscriptionCreate(price="pro-monthly-usd"))
    mine = await service.subscribe(db, a.member, SubscriptionCreate(price="pro-monthly-usd",
                                                                    subscriber_user_id=a.member.user_id, trial_days=14))
    assert org is not None and mine is not None and mine.status == "trialing"
    later = int((org.current_period_end + timedelta(days=1)).timestamp())
    async with owner_db.transaction() as conn:
        assert await service.advance_offline(conn, later) == 2
    renewed = await service.get_subscription(db, a.owner, org.id)
    assert renewed.current_period_start == org.current_period_end and renewed.status == "active"
    assert (await service.get_subscription(db, a.owner, mine.id)).status == "active"  # the trial is over
    paid = [i for i in (await service.list_invoices(db, a.owner)).items if i.total > 0]
    assert len(paid) == 3 and all(i.status == "paid" for i in paid)
    async with owner_db.transaction() as conn:
        assert await service.advance_offline(conn, later) == 0  # nothing more is due then
    await service.cancel(db, a.owner, org.id, SubscriptionCancel(at_period_end=True))
    end = int((renewed.current_period_end + timedelta(seconds=1)).timestamp())
    async with owner_db.transaction() as conn:
        assert await service.advance_offline(conn, end) == 2
    assert (await service.get_subscription(db, a.owner, org.id)).status == "canceled"
    assert (await service.get_subscription(db, a.owner, mine.id)).status == "active"
