"""Chain mirror edges: a header that would orphan stored blocks without a stored ancestor is
refused (file:line, field, nothing written), while a first import or a gap forward starts there;
a transaction re-mined with another log under the same index takes the new block's log."""

from __future__ import annotations

import pytest

from mediabase.common.errors import Invalid
from mediabase.db.connection import Database
from mediabase.music.chain import service
from mediabase.music.chain.feed import ZERO, FeedContract, FeedGenerator, GenBlock, Log, block_lines
from mediabase.music.chain.models import ContractCreate, Standard
from tests.factories import Tenant
from tests.integration.test_music_chain import CHAIN, _holdings, _import, _register


async def test_a_stray_header_cannot_orphan_the_stored_chain(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    alpha = tenants[0]
    org = alpha.owner.organization_id
    await _register(db, alpha, 21)
    gen = FeedGenerator(21, holders=6)
    await _import(db, alpha, list(gen.lines(30, 2)))
    before = await _holdings(owner_db, org), await service.status(db, alpha.owner, CHAIN)
    stray = FeedGenerator(99, holders=2)  # another chain's block 1: its parent is unknown
    with pytest.raises(Invalid) as info:
        await _import(db, alpha, list(block_lines(stray._block(0))))
    assert info.value.field == "parentHash" and "feed:1:" in str(info.value), str(info.value)
    assert (await _holdings(owner_db, org), await service.status(db, alpha.owner, CHAIN)) == before
    assert await service.list_reorgs(db, alpha.owner) == []
    # a gap forward (a sparse feed) still starts where it starts
    gen.number, gen.parent = gen.number + 5, bytes(range(32))
    ahead = await _import(db, alpha, list(gen.lines(3, 2)))
    assert ahead.reorgs == [] and ahead.head == 38
    assert await _holdings(owner_db, org) == gen.fold()


async def test_a_transaction_re_mined_with_another_log_takes_the_new_one(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    """After a reorg the same transaction (hash, log index) may log otherwise in its new block:
    the mirror holds what the canonical block says, not what the orphaned one said."""
    alpha = tenants[0]
    org = alpha.owner.organization_id
    coin = FeedContract(bytes(range(40, 60)), "erc20")
    await service.add_contract(
        db, alpha.owner, ContractCreate(chain_id=CHAIN, address="0x" + coin.address.hex(), standard=Standard.erc20)
    )
    gen = FeedGenerator(5, [coin], holders=4)
    await _import(db, alpha, list(gen.lines(10, 2)))
    tx = bytes(range(100, 132))
    x, y = gen.holders[0], gen.holders[1]
    await _import(db, alpha, list(block_lines(gen._block(0, [Log(coin, tx, 0, ZERO, x, 0, 100)]))))
    gen._rewind(1)
    result = await _import(db, alpha, list(block_lines(gen._block(0, [Log(coin, tx, 0, ZERO, y, 0, 250)]))))
    assert [r.depth for r in result.reorgs] == [1] and result.moved == 1
    assert await _holdings(owner_db, org) == gen.fold()
    assert await service.verify(db, alpha.owner) == []


async def test_a_stored_block_under_another_number_is_refused(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    alpha = tenants[0]
    org = alpha.owner.organization_id
    await _register(db, alpha, 23)
    gen = FeedGenerator(23, holders=4)
    await _import(db, alpha, list(gen.lines(5, 1)))
    before = await _holdings(owner_db, org), await service.status(db, alpha.owner, CHAIN)
    b = gen.chain[2]
    lying = GenBlock(b.number + 10, b.hash, b.parent, b.timestamp)  # block 3's hash, said to be block 13
    with pytest.raises(Invalid) as info:
        await _import(db, alpha, list(block_lines(lying)))
    assert info.value.field == "hash" and "feed:1:" in str(info.value), str(info.value)
    assert (await _holdings(owner_db, org), await service.status(db, alpha.owner, CHAIN)) == before
    # a replay of the same headers is still nothing at all
    again = await _import(db, alpha, [line for blk in gen.chain for line in block_lines(blk)])
    assert (again.new_blocks, again.inserted, again.reorgs) == (0, 0, [])
