"""The replay of provider events (docs/billing.md, "Replay"): recorded once, applied idempotently.

The property (hypothesis): for a valid event log L (the generator's), any permutation of L with
duplicated events, delivered in chunks (each chunk one replay, as webhooks and partial logs come),
where a chunk the books refuse for now (an invoice before its subscription, a second live
subscription before the first one's cancellation) is retried event by event until all is in,
leaves exactly the books of L applied once in order, one event at a time. And replaying anything
again changes no row (a full dump, ids and times included, is equal)."""

from __future__ import annotations

import asyncio
import json
import random
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.billing import replay
from mediabase.billing.objects import PriceRef
from mediabase.common.errors import Conflict, Invalid
from mediabase.db.connection import Database
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant
from tests.integration.billing_world import full_dump, log, make_catalog, semantic_dump, subscribers, wipe

Lines = list[tuple[int, str]]


async def replay_all(db: Database, lines: Lines) -> None:
    await replay.replay_lines(db, "offline", lines, name="log")


async def test_a_log_replayed_twice_changes_nothing(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    prices = await make_catalog(owner_db)
    lines = log(subscribers(*tenants), prices, 400, seed=7)
    first = await replay.replay_lines(db, "offline", lines, name="log")
    assert first.recorded == len(lines) and first.subscriptions > 0 and first.invoices > 0 and first.payments > 0
    before = await full_dump(owner_db)
    again = await replay.replay_lines(db, "offline", lines, name="log")
    assert (again.recorded, again.subscriptions, again.invoices, again.payments, again.refunds) == (0, 0, 0, 0, 0)
    assert await full_dump(owner_db) == before
    # a prefix, then the whole log: the same books as the whole log at once
    await wipe(owner_db)
    await replay_all(db, lines[: len(lines) // 3])
    await replay_all(db, lines)
    whole = await semantic_dump(owner_db)
    await wipe(owner_db)
    await replay_all(db, lines)
    assert await semantic_dump(owner_db) == whole


async def test_the_books_keep_their_sums(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    prices = await make_catalog(owner_db)
    await replay_all(db, log(subscribers(*tenants), prices, 1500, seed=3))
    async with owner_db.transaction() as conn:
        bad_totals = await (await conn.execute(
            "SELECT count(*) AS n FROM billing_invoices i WHERE i.total <> coalesce((SELECT sum(amount)"
            " FROM billing_invoice_lines l WHERE l.organization_id = i.organization_id AND l.invoice_id = i.id), 0)"
        )).fetchone()
        refunded = await (await conn.execute(
            "SELECT count(*) FILTER (WHERE amount_refunded > 0) AS some,"
            " count(*) FILTER (WHERE amount_refunded <> coalesce((SELECT sum(r.amount) FROM billing_refunds r"
            "   WHERE r.organization_id = p.organization_id AND r.payment_id = p.id"
            "     AND r.status IN ('pending', 'requires_action', 'succeeded')), 0)) AS wrong"
            " FROM billing_payments p")).fetchone()
        lines = await (await conn.execute(
            "SELECT count(*) AS n FROM billing_invoice_lines WHERE amount < 0")).fetchone()
    assert bad_totals is not None and bad_totals["n"] == 0
    assert refunded is not None and refunded["wrong"] == 0 and refunded["some"] > 0
    assert lines is not None and lines["n"] > 0  # proration credits are there


def event_of(lines: Lines, type_: str) -> dict[str, object]:
    return next(json.loads(t) for _, t in lines if json.loads(t)["type"] == type_)


async def test_an_older_event_never_overwrites_a_newer_one(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    prices = await make_catalog(owner_db)
    lines = log(subscribers(tenants[0])[:1], prices, 40, seed=11)
    await replay_all(db, lines)
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT status, source_event_id FROM billing_subscriptions")).fetchone()
    assert row is not None
    created = next(json.loads(t) for _, t in lines if json.loads(t)["type"] == "customer.subscription.created")
    stale = {**created, "id": "evt_stale_but_new", "created": created["created"] - 1}
    stale["data"] = {"object": {**created["data"]["object"], "status": "past_due"}}
    out = await replay.replay_lines(db, "offline", [(1, json.dumps(stale))], source="webhook")
    assert out.recorded == 1 and out.subscriptions == 0  # recorded, but older than what the row holds
    async with owner_db.transaction() as conn:
        again = await (await conn.execute("SELECT status, source_event_id FROM billing_subscriptions")).fetchone()
    assert again == row


async def test_a_bad_line_is_named_and_nothing_is_written(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    prices = await make_catalog(owner_db)
    lines = log(subscribers(tenants[0]), prices, 60, seed=5)
    before = await full_dump(owner_db)
    broken = [*lines[:20], (21, '{"id": "evt_x", "object": "event"'), *lines[21:]]
    with pytest.raises(Invalid, match=r"^log:21: event: not JSON"):
        await replay_all(db, broken)
    inv = next(i for i, (_, t) in enumerate(lines) if '"invoice.paid"' in t)
    doc = json.loads(lines[inv][1])
    doc["data"]["object"]["total"] += 1
    bad = [*lines[:inv], (lines[inv][0], json.dumps(doc)), *lines[inv + 1:]]
    with pytest.raises(Invalid, match=rf"^log:{lines[inv][0]}: data.object.total: is \d+ but its lines add up to"):
        await replay_all(db, bad)
    doc = json.loads(lines[0][1])
    doc["data"]["object"]["metadata"] = {"organization_id": str(uuid.uuid4())}
    with pytest.raises(Invalid, match=r"^log:1: data.object.metadata.organization_id: no organization"):
        await replay_all(db, [(1, json.dumps(doc)), *lines[1:]])
    with pytest.raises(Invalid, match=r"^log:2: data.object.customer: unknown customer"):
        await replay_all(db, lines[1:])
    assert await full_dump(owner_db) == before


async def test_a_recorded_event_must_come_again_unchanged(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    prices = await make_catalog(owner_db)
    lines = log(subscribers(tenants[0]), prices, 30, seed=2)
    await replay_all(db, lines)
    doc = json.loads(lines[5][1])
    doc["created"] += 1
    with pytest.raises(Conflict, match="recorded before with another type, time or object"):
        await replay_all(db, [(1, json.dumps(doc))])


async def test_a_customer_belongs_to_one_organization(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    prices = await make_catalog(owner_db)
    a_lines = log(subscribers(tenants[0])[:1], prices, 5, seed=1)
    await replay_all(db, a_lines)
    doc = json.loads(a_lines[0][1])
    doc["id"] = "evt_claim"
    doc["data"]["object"]["metadata"] = {"organization_id": str(tenants[1].owner.organization_id)}
    with pytest.raises(Conflict, match="stands for another organization or user"):
        await replay_all(db, [(1, json.dumps(doc))])


# -- the property --------------------------------------------------------------------------------------


async def deliver(db: Database, chunks: list[Lines]) -> int:
    """Each chunk one replay; a refused chunk comes back event by event after the others (a
    provider retries what was refused), until every event is in. Returns how many were retried."""
    queue = list(chunks)
    retried = 0
    stuck = 0
    while queue:
        chunk = queue.pop(0)
        try:
            await replay_all(db, chunk)
            stuck = 0
        except (Invalid, Conflict) as exc:  # anything else fails the test
            retried += 1
            stuck += 1
            if stuck > len(queue) + len(chunk) + 1:
                raise AssertionError(f"no progress: {exc}") from exc
            queue += [[e] for e in chunk] if len(chunk) > 1 else [chunk]
    return retried


async def scenario(url: str, seed: int, n: int, order: random.Random) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"p-{uuid.uuid4().hex[:10]}")
        prices = PRICES_CACHE.get(url) or await make_catalog(owner)
        PRICES_CACHE[url] = prices
        lines = log(subscribers(t), prices, n, seed=seed)
        await wipe(owner)
        for one in lines:  # in order, one event at a time
            await replay_all(db, [one])
        expected = await semantic_dump(owner)
        await wipe(owner)
        shuffled = lines + order.sample(lines, k=order.randint(0, len(lines)))
        order.shuffle(shuffled)
        chunks: list[Lines] = []
        while shuffled:
            k = order.randint(1, 12)
            chunks.append(shuffled[:k])
            shuffled = shuffled[k:]
        await deliver(db, chunks)
        assert await semantic_dump(owner) == expected
        before = await full_dump(owner)
        await replay_all(db, lines)
        assert await full_dump(owner) == before


PRICES_CACHE: dict[str, list[PriceRef]] = {}


@pytest.mark.timeout(900)  # each example replays its log some fifty times, one small transaction each
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**6), n=st.integers(1, 32), order=st.randoms(use_true_random=False))
def test_any_order_with_duplicates_gives_the_books_of_the_log(
    migrated_url: str, seed: int, n: int, order: random.Random
) -> None:
    asyncio.run(scenario(migrated_url, seed, n, order))
