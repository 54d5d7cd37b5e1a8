"""Chain mirroring: import, replay, reorgs against a Python fold, conservation, bad lines, tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import Invalid
from mediabase.db.connection import Database
from mediabase.music.chain import service
from mediabase.music.chain.feed import FeedGenerator, default_contracts
from mediabase.music.chain.models import ContractCreate, Standard
from tests.factories import Tenant

CHAIN = 31337


async def _register(db: Database, t: Tenant, seed: int) -> dict[bytes, Any]:
    out = {}
    for c in default_contracts(seed):
        made = await service.add_contract(
            db, t.owner, ContractCreate(chain_id=CHAIN, address="0x" + c.address.hex(), standard=Standard(c.standard))
        )
        out[c.address] = made.id
    return out


async def _holdings(owner_db: Database, org: Any) -> dict[tuple[bytes, int, bytes], int]:
    async with owner_db.transaction() as conn:
        rows = await (
            await conn.execute(
                "SELECT c.address AS c, h.token_id, h.address, h.balance FROM music_chain_holdings h"
                " JOIN music_chain_contracts c ON c.organization_id = h.organization_id AND c.id = h.contract_id"
                " WHERE h.organization_id = %s AND h.balance <> 0",
                (org,),
            )
        ).fetchall()
    return {(bytes(r["c"]), int(r["token_id"]), bytes(r["address"])): int(r["balance"]) for r in rows}


async def _import(db: Database, t: Tenant, lines: list[str]) -> Any:
    return await service.import_lines(db, t.owner, CHAIN, ("\n".join(lines) + "\n").encode())


async def test_feed_with_reorgs_matches_the_fold_and_replays_to_nothing(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    alpha, bravo = tenants
    await _register(db, alpha, 7)
    gen = FeedGenerator(7, holders=8)
    lines = list(gen.lines(60, 4, reorgs={20: 3, 45: 7}))
    result = await _import(db, alpha, lines)
    assert [r.depth for r in result.reorgs] == [3, 7]
    assert await _holdings(owner_db, alpha.owner.organization_id) == gen.fold()
    assert await service.verify(db, alpha.owner) == []
    again = await _import(db, alpha, lines)
    assert (again.new_blocks, again.inserted, again.moved, again.reorgs) == (0, 0, 0, [])
    assert await _holdings(owner_db, alpha.owner.organization_id) == gen.fold()
    # nothing crosses organizations: bravo sees no contract, no holding, no reorg
    assert await service.list_contracts(db, bravo.owner) == []
    assert await _holdings(owner_db, bravo.owner.organization_id) == {}
    assert await service.list_reorgs(db, bravo.owner) == []
    status = await service.status(db, alpha.owner, CHAIN)
    assert status.head == gen.chain[-1].number
    assert all(c.last_block == status.head for c in status.contracts)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), depth=st.integers(1, 20), split=st.integers(1, 3))
async def test_reorg_depth_1_to_20_leaves_the_canonical_balances(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], seed: int, depth: int, split: int
) -> None:
    alpha = tenants[0]
    async with owner_db.transaction() as conn:  # a fresh mirror for every example
        org = alpha.owner.organization_id
        for table in (
            "music_chain_holdings",
            "music_transfers",
            "music_chain_cursors",
            "music_nfts",
            "music_chain_reorgs",
            "music_blocks",
            "music_chain_contracts",
        ):
            await conn.execute(f"DELETE FROM {table} WHERE organization_id = %s", (org,))  # type: ignore[arg-type]
    await _register(db, alpha, seed)
    gen = FeedGenerator(seed, holders=6)
    lines = list(gen.lines(25, 3, reorgs={22: depth}))
    # imported in parts (the reorg may fall in a later file than the blocks it orphans)
    cut = len(lines) * split // 4
    await _import(db, alpha, lines[:cut])
    result = await _import(db, alpha, lines[cut:])
    assert await _holdings(owner_db, org) == gen.fold()
    assert all(v > 0 for v in gen.fold().values())
    assert await service.verify(db, alpha.owner) == []
    assert result.head == gen.chain[-1].number
    # conservation: per token, holdings = minted - burned over the canonical transfers
    async with owner_db.transaction() as conn:
        bad = await (
            await conn.execute(
                "SELECT s.contract_id, s.token_id FROM (SELECT t.contract_id, coalesce(t.token_id, 0) AS token_id,"
                " sum(CASE WHEN t.from_address = music_zero_address() THEN t.amount ELSE 0 END)"
                " - sum(CASE WHEN t.to_address = music_zero_address() THEN t.amount ELSE 0 END) AS supply"
                " FROM music_transfers t WHERE t.organization_id = %(o)s AND t.canonical GROUP BY 1, 2) s"
                " WHERE s.supply <> coalesce((SELECT sum(h.balance) FROM music_chain_holdings h"
                " WHERE h.organization_id = %(o)s AND h.contract_id = s.contract_id AND h.token_id = s.token_id), 0)",
                {"o": org},
            )
        ).fetchall()
    assert bad == []


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("{not json", "line"),
        ('{"number":"0x5","hash":"0x12","parentHash":"0x' + "0" * 64 + '","timestamp":"0x1"}', "hash"),
        ('{"address":"0xZZ","topics":[],"data":"0x"}', "address"),
    ],
)
async def test_bad_line_is_refused_with_its_line_and_nothing_written(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], line: str, field: str
) -> None:
    alpha = tenants[0]
    await _register(db, alpha, 3)
    good = list(FeedGenerator(3, holders=4).lines(3, 2))
    with pytest.raises(Invalid) as err:
        await _import(db, alpha, [*good, line])
    assert err.value.detail.startswith(f"feed:{len(good) + 1}: {field}:")
    assert await _holdings(owner_db, alpha.owner.organization_id) == {}


async def test_final_transfers_are_posted_and_a_deep_reorg_reverses_them(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    from mediabase.music.chain.feed import ZERO, FeedContract

    alpha = tenants[0]
    org = alpha.owner.organization_id
    coin = FeedContract(bytes(range(20)), "erc20")
    async with owner_db.transaction() as conn:
        row = await (
            await conn.execute(
                "INSERT INTO music_assets (organization_id, kind, symbol, name, supply_policy)"
                " VALUES (%s, 'coin', 'TUNE', 'Tune coin', 'mintable') RETURNING id",
                (org,),
            )
        ).fetchone()
    assert row is not None
    await service.add_contract(
        db,
        alpha.owner,
        ContractCreate(chain_id=CHAIN, address="0x" + coin.address.hex(), standard=Standard.erc20, asset_id=row["id"]),
    )
    gen = FeedGenerator(11, [coin], holders=5)
    first = await _import(db, alpha, list(gen.lines(40, 3)))
    assert first.finalized == 40 - 12 and first.posted > 0
    # a reorg of depth 20 reaches below finality (12 on chain 31337): posted entries are reversed
    second = await _import(db, alpha, list(gen.lines(5, 3, reorgs={42: 20})))
    assert second.reversed > 0 and second.reorgs[0].reversed_entries == second.reversed
    final = second.finalized
    assert final is not None
    expected: dict[bytes, int] = {}
    for b in gen.chain:
        if b.number <= final:
            for log in b.logs:
                for who, delta in ((log.sender, -log.amount), (log.receiver, log.amount)):
                    if who != ZERO:
                        expected[who] = expected.get(who, 0) + delta
    async with owner_db.transaction(org) as conn:
        rows = await (
            await conn.execute(
                "SELECT a.address, b.balance FROM music_balances b JOIN music_accounts a"
                " ON a.organization_id = b.organization_id AND a.id = b.account_id"
                " WHERE b.organization_id = %s AND b.asset_id = %s AND b.balance <> 0",
                (org, row["id"]),
            )
        ).fetchall()
        problems = await (await conn.execute("SELECT * FROM music_verify_ledger()")).fetchall()
    assert {bytes(r["address"]): int(r["balance"]) for r in rows} == {k: v for k, v in expected.items() if v}
    assert problems == []
