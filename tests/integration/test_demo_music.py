"""The demo artist organization (``mediabase seed music``, part of ``seed demo``): made once through
the services, idempotent, and consistent: the ledger and the chain mirror verify clean, the mirror
holds the canonical balances of the demo feed (its reorg reached into the first batch), the
dividend is paid in full, and the studio vote is tallied by holdings."""

from __future__ import annotations

from mediabase.db.connection import Database
from mediabase.demo.music import MUSIC_SLUG, demo_feed, music_demo
from mediabase.identity import service as identity
from mediabase.music.catalog import service as catalog
from mediabase.music.chain import service as chain
from mediabase.music.ledger import service as ledger
from mediabase.music.revenue import service as revenue
from mediabase.music.studio import service as studio
from tests.integration.test_music_chain import _holdings


async def test_the_demo_artist_is_complete_and_consistent(owner_db: Database) -> None:
    first = await music_demo(owner_db)
    assert "1 reorg" in first and "paid to 4 holders" in first, first
    assert await music_demo(owner_db) == f"music demo: organization '{MUSIC_SLUG}' is there already"
    owner = await identity.acting_owner(owner_db, MUSIC_SLUG)
    assert await ledger.verify(owner_db, owner) == []
    assert await chain.verify(owner_db, owner) == []
    feed, _, _ = demo_feed()
    assert await _holdings(owner_db, owner.organization_id) == feed.fold()
    [reorg] = await chain.list_reorgs(owner_db, owner)
    assert (reorg.depth, reorg.fork_block) == (3, 29) and reorg.orphaned_transfers > 0
    [dividend] = (await revenue.list_dividends(owner_db, owner)).items
    assert dividend.status == "paid" and dividend.remainder == 0 and dividend.holders == 4
    payouts = (await revenue.list_payouts(owner_db, owner, dividend_id=dividend.id)).items
    assert sum(p.amount for p in payouts) == dividend.distributable
    assert await revenue.unpaid_balances(owner_db, owner) == []
    [master] = await catalog.list_masters(owner_db, owner)
    [session] = await studio.list_sessions(owner_db, owner, master.id)
    tally = await studio.tally(owner_db, owner, session.id)
    assert sorted(r.weight for r in tally if r.votes) == [800, 1200]
