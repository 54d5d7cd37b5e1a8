"""0030's offerings: an IPO mints its fixed supply to a treasury of its own; allocations are
journal entries treasury -> buyer, only while the IPO is open, never beyond the supply (two
concurrent allocations that together exceed it: one wins); one open IPO per master; cancel burns,
close keeps the remainder; coins are ledger assets of kind coin; liquidity snapshots derive
their price and answer the latest per pool and a price series."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mediabase.common.errors import Conflict, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.music.ledger import offerings
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import (
    AllocationCreate,
    CoinCreate,
    EntryKind,
    IpoCreate,
    IpoStatus,
    IpoUpdate,
    Movement,
    SnapshotCreate,
    SupplyPolicy,
)
from tests.factories import Tenant
from tests.integration.music_world_ledger import Label, make_label, member_accounts

pytestmark = pytest.mark.asyncio
NOW = datetime.now(UTC)


def ipo_request(label: Label, supply: int = 1000, *, open_now: bool = True, **kw: object) -> IpoCreate:
    return IpoCreate.model_validate(
        {
            "master_id": label.master,
            "total_supply": supply,
            "price": "2.50",
            "currency": "EUR",
            "opens_at": NOW - timedelta(hours=1),
            "closes_at": NOW + timedelta(days=7),
            "open_now": open_now,
            "symbol": "FLIGHT",
            "name": "First light shares",
            **kw,
        }
    )


async def test_ipo_issues_allocates_and_closes(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    label = await make_label(db, t)
    a, b = await member_accounts(db, t)
    ipo = await offerings.create_ipo(db, t.owner, ipo_request(label))
    assert (ipo.status, ipo.allocated, ipo.remaining, ipo.price) == (IpoStatus.open, 0, 1000, Decimal("2.5"))
    asset = await ledger.get_asset(db, t.owner, ipo.asset_id)
    assert (asset.kind, asset.master_id, asset.max_supply, asset.minted) == ("master_share", label.master, 1000, 1000)
    issue = await ledger.get_entry(db, t.owner, ipo.issue_entry_id)
    assert issue.kind == EntryKind.mint and {(x.account_id, x.amount) for x in issue.lines} >= {
        (ipo.treasury_account_id, 1000)
    }
    sold = await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=600))
    await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(user_id=t.member.user_id, quantity=150))
    assert (await ledger.get_entry(db, t.owner, sold.entry_id)).kind == EntryKind.allocation
    ipo = await offerings.get_ipo(db, t.owner, ipo.id)
    assert (ipo.allocated, ipo.remaining) == (750, 250)
    with pytest.raises(Conflict) as e:
        await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=251))
    assert e.value.field == "quantity"
    cap = await ledger.cap_table(db, t.owner, ipo.asset_id)
    assert {h.account_id: h.quantity for h in cap.holders} == {a: 600, b: 150, ipo.treasury_account_id: 250}
    # the treasury moves by allocations only
    with pytest.raises(Invalid) as e:
        await ledger.move(
            db,
            t.owner,
            EntryKind.transfer,
            Movement(asset_id=ipo.asset_id, quantity=1, from_account_id=ipo.treasury_account_id, to_account_id=a),
        )
    assert e.value.field == "from_account_id"
    closed = await offerings.update_ipo(db, t.owner, ipo.id, IpoUpdate(status=IpoStatus.closed))
    assert closed.status == IpoStatus.closed and closed.cancel_entry_id is None
    assert (await ledger.get_asset(db, t.owner, ipo.asset_id)).outstanding == 1000  # the remainder is kept
    with pytest.raises(Conflict) as e:
        await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=1))
    assert e.value.field == "ipo_id"
    with pytest.raises(Conflict):
        await offerings.update_ipo(db, t.owner, ipo.id, IpoUpdate(status=IpoStatus.open))
    assert [x.quantity for x in await offerings.list_allocations(db, t.owner, ipo.id)] == [600, 150]
    assert await ledger.verify(db, t.owner) == []


async def test_allocation_only_while_open(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    label = await make_label(db, t)
    a, _ = await member_accounts(db, t)
    ipo = await offerings.create_ipo(db, t.owner, ipo_request(label, open_now=False))
    assert ipo.status == IpoStatus.scheduled
    with pytest.raises(Conflict) as e:
        await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=1))
    assert e.value.field == "ipo_id" and "not open" in e.value.detail
    later = await offerings.update_ipo(db, t.owner, ipo.id, IpoUpdate(opens_at=NOW + timedelta(days=1)))
    await offerings.update_ipo(db, t.owner, later.id, IpoUpdate(status=IpoStatus.open))
    with pytest.raises(Conflict):  # open, but its window has not begun
        await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=1))
    with pytest.raises(Conflict) as e:  # the window is fixed once open
        await offerings.update_ipo(db, t.owner, ipo.id, IpoUpdate(opens_at=NOW - timedelta(days=1)))
    assert e.value.field == "opens_at"
    with pytest.raises(Invalid) as e:  # shares go to buyers, not back to a treasury
        await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=ipo.treasury_account_id, quantity=1))
    with pytest.raises(MediabaseError) as e:
        await offerings.allocate(db, t.member, ipo.id, AllocationCreate(account_id=a, quantity=1))
    assert e.value.status == 403


async def test_concurrent_allocations_never_exceed_the_supply(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    label = await make_label(db, t)
    a, b = await member_accounts(db, t)
    ipo = await offerings.create_ipo(db, t.owner, ipo_request(label, 100))
    gate = asyncio.Event()

    async def buy(account: object) -> str:
        async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
            await conn.execute("SELECT 1")
            await gate.wait()  # both transactions are open before either allocates
            try:
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO music_ipo_allocations (organization_id, ipo_id, account_id, quantity)"
                        " VALUES (%s, %s, %s, 70)",
                        (t.owner.organization_id, ipo.id, account),
                    )
            except Exception as exc:  # the loser's error is the result
                return type(exc).__name__
            await asyncio.sleep(0.2)  # hold the lock while the other waits on it
            return "ok"

    tasks = [asyncio.create_task(buy(a)), asyncio.create_task(buy(b))]
    await asyncio.sleep(0.2)
    gate.set()
    results = sorted(await asyncio.gather(*tasks))
    assert results == ["CheckViolation", "ok"]
    ipo = await offerings.get_ipo(db, t.owner, ipo.id)
    assert ipo.allocated == 70
    cap = await ledger.cap_table(db, t.owner, ipo.asset_id)
    assert sorted(h.quantity for h in cap.holders) == [30, 70]
    assert await ledger.verify(db, t.owner) == []


async def test_one_open_ipo_per_master_and_cancel(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, u = tenants
    label = await make_label(db, t)
    first = await offerings.create_ipo(db, t.owner, ipo_request(label, 500))
    with pytest.raises(Conflict):  # the share asset is fixed at 500 (and an open IPO exists)
        await offerings.create_ipo(db, t.owner, ipo_request(label, 10))
    canceled = await offerings.update_ipo(db, t.owner, first.id, IpoUpdate(status=IpoStatus.canceled))
    assert canceled.cancel_entry_id is not None
    asset = await ledger.get_asset(db, t.owner, first.asset_id)
    assert (asset.minted, asset.burned, asset.outstanding) == (500, 500, 0)
    with pytest.raises(ValueError, match="opens_at is before closes_at"):
        IpoCreate(master_id=label.master, total_supply=1, price=Decimal(1), currency="EUR", opens_at=NOW, closes_at=NOW)
    with pytest.raises(NotFound) as e2:
        await offerings.create_ipo(db, u.owner, ipo_request(label))
    assert e2.value.field == "master_id"


async def test_open_ipo_index_and_no_cancel_after_sales(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    t, _ = tenants
    label = await make_label(db, t)
    a, _ = await member_accounts(db, t)
    async with owner_db.transaction() as conn:  # a mintable share asset allows a second offering
        await conn.execute(
            "INSERT INTO music_assets (organization_id, kind, master_id, symbol, name, supply_policy)"
            " VALUES (%s, 'master_share', %s, 'FLX', 'Flexible', 'mintable')",
            (label.org, label.master),
        )
    ipo = await offerings.create_ipo(db, t.owner, ipo_request(label, 100))
    with pytest.raises(Conflict) as e:
        await offerings.create_ipo(db, t.owner, ipo_request(label, 100))
    assert e.value.field == "status" and "open IPO" in e.value.detail
    second = await offerings.create_ipo(db, t.owner, ipo_request(label, 100, open_now=False))
    assert second.status == IpoStatus.scheduled
    await offerings.allocate(db, t.owner, ipo.id, AllocationCreate(account_id=a, quantity=1))
    with pytest.raises(Conflict) as e:
        await offerings.update_ipo(db, t.owner, ipo.id, IpoUpdate(status=IpoStatus.canceled))
    assert e.value.field == "status"
    # the app role cannot touch the counter or the supply
    with pytest.raises(MediabaseError):
        async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
            await conn.execute("UPDATE music_ipos SET allocated = 0 WHERE id = %s", (ipo.id,))
    with pytest.raises(MediabaseError):
        async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
            await conn.execute("UPDATE music_ipos SET total_supply = 5 WHERE id = %s", (ipo.id,))
    # what the caller sends for trigger-kept columns is overwritten
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        await conn.execute(
            "INSERT INTO music_ipos (organization_id, master_id, asset_id, total_supply, price, currency, opens_at,"
            " closes_at, allocated, treasury_account_id, issue_entry_id)"
            " VALUES (%s, %s, %s, 10, 1, 'USD', now(), now() + interval '1 day', 9, %s, %s)",
            (label.org, label.master, ipo.asset_id, a, ipo.issue_entry_id),
        )
        row = await (
            await conn.execute(
                "SELECT allocated, treasury_account_id <> %s AS own FROM music_ipos"
                " WHERE organization_id = %s AND total_supply = 10",
                (a, label.org),
            )
        ).fetchone()
    assert row == {"allocated": 0, "own": True}


async def test_coins_and_liquidity(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, u = tenants
    label = await make_label(db, t)
    coin = await offerings.create_coin(
        db,
        t.owner,
        CoinCreate(
            artist_id=label.artist,
            symbol="NOVA",
            name="Nova coin",
            decimals=18,
            supply_policy=SupplyPolicy.mintable,
            initial_supply=10**24,
        ),
    )
    assert (coin.symbol, coin.outstanding, coin.decimals) == ("NOVA", 10**24, 18)
    assert [c.id for c in await offerings.list_coins(db, t.owner, label.artist)] == [coin.id]
    pool = "0x" + "AB" * 20
    for hours, rc, rq in ((3, 10**21, 2 * 10**9), (2, 10**21, 3 * 10**9), (1, 0, 0)):
        await offerings.add_snapshot(
            db,
            t.owner,
            coin.id,
            SnapshotCreate(
                pool=pool,
                observed_at=NOW - timedelta(hours=hours),
                reserve_coin=rc,
                reserve_quote=rq,
                quote_symbol="USDC",
                quote_decimals=6,
            ),
        )
    other = await offerings.add_snapshot(
        db,
        t.owner,
        coin.id,
        SnapshotCreate(
            pool="uni-v3:nova-weth",
            observed_at=NOW - timedelta(hours=2),
            reserve_coin=4 * 10**18,
            reserve_quote=10**18,
            quote_symbol="WETH",
        ),
    )
    assert other.price == Decimal("0.25") and other.coin_decimals == 18
    latest = await offerings.latest_snapshots(db, t.owner, coin.id)
    assert [(s.pool, s.price) for s in latest] == [("0x" + "ab" * 20, None), ("uni-v3:nova-weth", Decimal("0.25"))]
    series = await offerings.price_series(db, t.owner, coin.id, NOW - timedelta(hours=4), NOW, pool=pool)
    assert [s.price for s in series] == [Decimal(2), Decimal(3), None]  # 2,000 USDC for 1,000 NOVA: 2 per coin
    assert len(await offerings.price_series(db, t.owner, coin.id, NOW - timedelta(hours=4), NOW)) == 4
    with pytest.raises(Conflict) as e:
        await offerings.add_snapshot(
            db,
            t.owner,
            coin.id,
            SnapshotCreate(
                pool=pool, observed_at=NOW - timedelta(hours=1), reserve_coin=1, reserve_quote=1, quote_symbol="USDC"
            ),
        )
    assert e.value.field == "observed_at"
    with pytest.raises(NotFound):
        await offerings.latest_snapshots(db, u.owner, coin.id)
    with pytest.raises(NotFound) as e2:
        await offerings.create_coin(
            db, u.owner, CoinCreate(artist_id=label.artist, symbol="NOPE", name="x", max_supply=5)
        )
    assert e2.value.field == "artist_id"
    # a coin row must stand on a coin asset of its artist
    share = (await offerings.create_ipo(db, t.owner, ipo_request(label))).asset_id
    with pytest.raises(Invalid) as e3:
        async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
            await conn.execute(
                "INSERT INTO music_coins (organization_id, artist_id, asset_id, name) VALUES (%s, %s, %s, 'bad')",
                (label.org, label.artist, share),
            )
    assert e3.value.field == "asset_id"
