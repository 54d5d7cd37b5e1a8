"""The music ledger's service over 0028: mints, transfers, burns, corrections and reversals post
balanced entries; balances never go negative (an overdraft writes nothing); a replayed
idempotency key returns the first entry; the journal is append-only for the application role;
nothing crosses organizations; cap tables now and at an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from mediabase.common.errors import Conflict, Invalid, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import EntryCreate, EntryKind, LineIn, Movement
from tests.factories import Tenant
from tests.integration.music_world_ledger import coin_asset, make_label, member_accounts

pytestmark = pytest.mark.asyncio


async def _counts(owner_db: Database) -> tuple[int, int]:
    async with owner_db.transaction() as conn:
        row = await (
            await conn.execute(
                "SELECT (SELECT count(*) FROM music_journal_entries) AS e,"
                " (SELECT count(*) FROM music_journal_lines) AS l"
            )
        ).fetchone()
    assert row is not None
    return row["e"], row["l"]


async def test_mint_transfer_burn_and_cap_table(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    label = await make_label(db, t)
    asset = await coin_asset(db, label)
    a, b = await member_accounts(db, t)
    p = t.owner
    mint = await ledger.move(db, p, EntryKind.mint, Movement(asset_id=asset, quantity=10**30, to_account_id=a))
    assert mint.kind == EntryKind.mint and sorted(line.amount for line in mint.lines) == [-(10**30), 10**30]
    await ledger.move(
        db, p, EntryKind.transfer, Movement(asset_id=asset, quantity=25 * 10**28, from_account_id=a, to_account_id=b)
    )
    await ledger.move(db, p, EntryKind.burn, Movement(asset_id=asset, quantity=5 * 10**28, from_account_id=b))
    got = await ledger.get_asset(db, p, asset)
    assert (got.minted, got.burned, got.outstanding) == (10**30, 5 * 10**28, 95 * 10**28)
    cap = await ledger.cap_table(db, p, asset)
    assert [(h.account_id, h.quantity) for h in cap.holders] == [(a, 75 * 10**28), (b, 20 * 10**28)]
    assert sum(h.quantity for h in cap.holders) == cap.outstanding
    assert cap.holders[0].share == Decimal("0.789473684210526316")
    assert [x.balance for x in await ledger.balances(db, p, b)] == [20 * 10**28]
    assert await ledger.verify(db, p) == []
    # a MEMBER reads but does not move
    assert (await ledger.cap_table(db, t.member, asset)).outstanding == 95 * 10**28
    with pytest.raises(MediabaseError) as e:
        await ledger.move(db, t.member, EntryKind.mint, Movement(asset_id=asset, quantity=1, to_account_id=b))
    assert e.value.status == 403


async def test_replay_returns_the_first_entry(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, _ = await member_accounts(db, t)
    m = Movement(asset_id=asset, quantity=7, to_account_id=a, idempotency_key="order-1")
    first = await ledger.move(db, t.owner, EntryKind.mint, m)
    before = await _counts(owner_db)
    again = await ledger.move(db, t.owner, EntryKind.mint, m)
    assert again.id == first.id and await _counts(owner_db) == before
    assert (await ledger.get_asset(db, t.owner, asset)).minted == 7


async def test_overdraft_refused_and_writes_nothing(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, b = await member_accounts(db, t)
    await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=10, to_account_id=a))
    before = await _counts(owner_db)
    with pytest.raises(Conflict) as e:
        await ledger.move(
            db, t.owner, EntryKind.transfer, Movement(asset_id=asset, quantity=11, from_account_id=a, to_account_id=b)
        )
    assert e.value.field == "quantity" and "negative" in e.value.detail
    with pytest.raises(Conflict):
        await ledger.move(db, t.owner, EntryKind.burn, Movement(asset_id=asset, quantity=1, from_account_id=b))
    assert await _counts(owner_db) == before
    assert [x.balance for x in await ledger.balances(db, t.owner, a)] == [10]


async def test_fixed_supply_is_a_cap(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t), "CAP", max_supply=100)
    a, _ = await member_accounts(db, t)
    await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=100, to_account_id=a))
    with pytest.raises(Conflict) as e:
        await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=1, to_account_id=a))
    assert e.value.field == "quantity" and "max_supply" in e.value.detail
    # burning frees nothing: minted counts every mint, the cap bounds minted
    await ledger.move(db, t.owner, EntryKind.burn, Movement(asset_id=asset, quantity=10, from_account_id=a))
    with pytest.raises(Conflict):
        await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=1, to_account_id=a))


async def test_reversal_and_correction(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, b = await member_accounts(db, t)
    p = t.owner
    await ledger.move(db, p, EntryKind.mint, Movement(asset_id=asset, quantity=50, to_account_id=a))
    wrong = await ledger.move(
        db, p, EntryKind.transfer, Movement(asset_id=asset, quantity=30, from_account_id=a, to_account_id=b)
    )
    rev = await ledger.reverse(db, p, wrong.id, "sent to the wrong fan")
    assert rev.kind == EntryKind.reversal and rev.reverses_id == wrong.id
    assert {(line.account_id, line.amount) for line in rev.lines} == {(a, 30), (b, -30)}
    with pytest.raises(Conflict) as e:
        await ledger.reverse(db, p, wrong.id)
    assert e.value.field == "entry_id"
    with pytest.raises(Conflict):
        await ledger.reverse(db, p, rev.id)  # a reversal is corrected by a correction, not reversed
    fix = await ledger.post_entry(
        db,
        p,
        EntryCreate(
            lines=[LineIn(asset_id=asset, account_id=a, amount=-12), LineIn(asset_id=asset, account_id=b, amount=12)],
            memo="the right amount",
        ),
    )
    assert fix.kind == EntryKind.correction
    assert {h.account_id: h.quantity for h in (await ledger.cap_table(db, p, asset)).holders} == {a: 38, b: 12}
    with pytest.raises(ValueError, match="sum to zero"):
        EntryCreate(
            lines=[LineIn(asset_id=asset, account_id=a, amount=-1), LineIn(asset_id=asset, account_id=b, amount=2)]
        )
    assert await ledger.verify(db, p) == []


async def test_database_refuses_an_unbalanced_entry(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, b = await member_accounts(db, t)
    with pytest.raises(Invalid) as e:
        async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
            await ledger.post(conn, t.owner, EntryKind.correction, [(asset, a, 5), (asset, b, -4)])
    assert e.value.field == "lines"


async def test_issuance_moves_only_by_mint_and_burn(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, _ = await member_accounts(db, t)
    await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=5, to_account_id=a))
    issuance = next(
        e
        for e in (
            await ledger.get_entry(db, t.owner, (await ledger.list_entries(db, t.owner, asset_id=asset))[0].id)
        ).lines
        if e.amount < 0
    ).account_id
    with pytest.raises(Invalid) as e:
        await ledger.move(
            db,
            t.owner,
            EntryKind.transfer,
            Movement(asset_id=asset, quantity=1, from_account_id=a, to_account_id=issuance),
        )
    assert e.value.field == "to_account_id"
    with pytest.raises(Invalid) as e:
        await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=1))
    assert e.value.field == "to_account_id"


async def test_application_role_cannot_change_the_journal(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, _ = await member_accounts(db, t)
    entry = await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=5, to_account_id=a))
    for stmt in (
        "UPDATE music_journal_lines SET amount = 6 WHERE entry_id = %(e)s AND amount = 5",
        "DELETE FROM music_journal_lines WHERE entry_id = %(e)s",
        "UPDATE music_journal_entries SET memo = 'x' WHERE id = %(e)s",
        "DELETE FROM music_journal_entries WHERE id = %(e)s",
        "TRUNCATE music_journal_lines",
        "TRUNCATE music_journal_entries",
        "UPDATE music_balances SET balance = 1000",
        "UPDATE music_assets SET minted = 0",
    ):
        with pytest.raises(MediabaseError):  # InsufficientPrivilege
            async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
                await conn.execute(stmt, {"e": entry.id})
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        row = await (
            await conn.execute(
                "SELECT bool_or(has_table_privilege('mediabase_app', t, p)) AS any FROM unnest("
                "ARRAY['mediabase.music_journal_entries', 'mediabase.music_journal_lines']) t,"
                " unnest(ARRAY['UPDATE', 'DELETE', 'TRUNCATE']) p"
            )
        ).fetchone()
    assert row is not None and row["any"] is False
    assert [line.amount for line in (await ledger.get_entry(db, t.owner, entry.id)).lines] == [-5, 5]


async def test_nothing_crosses_organizations(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, u = tenants
    mine = await coin_asset(db, await make_label(db, t))
    theirs = await coin_asset(db, await make_label(db, u, "echo"), "ECHO")
    a, _ = await member_accounts(db, t)
    x, _ = await member_accounts(db, u)
    await ledger.move(db, u.owner, EntryKind.mint, Movement(asset_id=theirs, quantity=9, to_account_id=x))
    with pytest.raises(NotFound) as e:
        await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=theirs, quantity=1, to_account_id=a))
    assert e.value.field == "asset_id"
    with pytest.raises(NotFound) as e:
        await ledger.move(db, t.owner, EntryKind.mint, Movement(asset_id=mine, quantity=1, to_account_id=x))
    assert e.value.field == "account_id"
    for read in (
        ledger.cap_table(db, t.owner, theirs),
        ledger.balances(db, t.owner, x),
        ledger.get_asset(db, t.owner, theirs),
    ):
        with pytest.raises(NotFound):
            await read
    assert [s.symbol for s in await ledger.list_assets(db, t.owner)] == ["NOVA"]


async def test_holdings_at_an_instant(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, _ = tenants
    asset = await coin_asset(db, await make_label(db, t))
    a, b = await member_accounts(db, t)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    await ledger.move(
        db, t.owner, EntryKind.mint, Movement(asset_id=asset, quantity=100, to_account_id=a, effective_at=t0)
    )
    await ledger.move(
        db,
        t.owner,
        EntryKind.transfer,
        Movement(asset_id=asset, quantity=40, from_account_id=a, to_account_id=b, effective_at=t0 + timedelta(days=2)),
    )
    before = await ledger.cap_table(db, t.owner, asset, at=t0 + timedelta(days=1))
    assert [(h.account_id, h.quantity, h.share) for h in before.holders] == [(a, 100, Decimal(1))]
    after = await ledger.cap_table(db, t.owner, asset, at=t0 + timedelta(days=2))
    assert {h.account_id: h.quantity for h in after.holders} == {a: 60, b: 40} and after.outstanding == 100
    with pytest.raises(Invalid):
        await ledger.cap_table(db, t.owner, asset, block=5)
