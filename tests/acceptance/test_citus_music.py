"""The music marketplace on a real Citus cluster (issue 13; docs/music.md, "On Citus"), through the
coordinator: the ledger's statement-level trigger keeps balances and supply on the shards, its
refusals (unbalanced, overdraft, past the cap) name their constraint as on one server (an entry
without lines is refused at commit, unnamed), the verifier is clean, and nothing crosses organizations.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): every test
works in organizations of its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from mediabase.common.errors import MediabaseError
from mediabase.db.connection import Database
from mediabase.demo.music import MUSIC_SLUG, demo_feed, music_demo
from mediabase.identity import service as identity
from mediabase.music.chain import service as chain
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import AssetKind
from mediabase.music.revenue import service as revenue
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import Tenant, make_tenant
from tests.integration.test_music_chain import _holdings
from tests.integration.test_music_core import balances, post, run, world

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def tenant(citus_dbs: tuple[Database, Database], name: str) -> Tenant:
    return await make_tenant(citus_dbs[0], citus_dbs[1], f"{name}-{uuid.uuid4().hex[:6]}")


async def test_the_ledger_keeps_its_rules_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db = citus_dbs[0]
    t = await tenant(citus_dbs, "label")
    w = await world(db, t)
    a = w["asset"]
    await post(db, t, "mint", [(a, w["issuance"], -600), (a, w["alice"], 600)])
    await post(db, t, "transfer", [(a, w["alice"], -250), (a, w["bob"], 250)])
    await post(db, t, "burn", [(a, w["bob"], -50), (a, w["issuance"], 50)])
    assert await balances(db, t, a) == {w["alice"]: 350, w["bob"]: 200}
    for legs, constraint in (
        ([(a, w["alice"], -10), (a, w["bob"], 11)], "music_journal_lines_balanced"),
        ([(a, w["alice"], -351), (a, w["bob"], 351)], "music_balances_nonnegative"),
        ([(a, w["issuance"], -401), (a, w["bob"], 401)], "music_assets_supply_cap"),
    ):
        with pytest.raises(MediabaseError) as info:
            await post(db, t, "transfer", legs)
        assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)
    [before] = await run(db, t, "SELECT count(*) AS n FROM music_journal_entries")
    # The deferred check fires in the shard's COMMIT, whose refusal the coordinator reports as
    # "could not commit transaction for shard …" without the worker's constraint: refused, and
    # nothing written, but not named (docs/music.md, "On Citus").
    with pytest.raises(MediabaseError):
        await run(
            db,
            t,
            "INSERT INTO music_journal_entries (organization_id, kind) VALUES (%s, 'transfer')",
            t.owner.organization_id,
        )
    assert await run(db, t, "SELECT count(*) AS n FROM music_journal_entries") == [before]
    [s] = await run(db, t, "SELECT minted, burned FROM music_assets WHERE id = %s", a)
    assert (s["minted"], s["burned"]) == (600, 50)
    assert await balances(db, t, a) == {w["alice"]: 350, w["bob"]: 200}
    assert await run(db, t, "SELECT * FROM music_verify_ledger()") == []


async def test_nothing_crosses_organizations_on_the_cluster(citus_dbs: tuple[Database, Database]) -> None:
    db = citus_dbs[0]
    alpha, bravo = await tenant(citus_dbs, "north"), await tenant(citus_dbs, "south")
    wa, wb = await world(db, alpha), await world(db, bravo)
    await post(db, alpha, "mint", [(wa["asset"], wa["issuance"], -5), (wa["asset"], wa["alice"], 5)])
    with pytest.raises(MediabaseError) as info:
        await post(db, bravo, "mint", [(wb["asset"], wb["issuance"], -1), (wb["asset"], wa["alice"], 1)])
    # a foreign key's name comes from the shard (…_fk_104047); the ledger service registers its rule
    assert info.value.extra["constraint"] == "music_journal_lines_account_fk"
    assert await run(db, bravo, "SELECT * FROM music_balances") == []
    assert await balances(db, alpha, wa["asset"]) == {wa["alice"]: 5}


async def test_the_demo_artist_on_the_cluster(citus_dbs: tuple[Database, Database]) -> None:
    """The demo artist, made through every music service on the cluster: offering, coin, a chain
    feed whose reorg reaches into an earlier batch, a dividend paid, a weighted vote; the ledger and
    the mirror verify clean and the mirror holds the feed's fold."""
    system = citus_dbs[1]
    first = await music_demo(system)  # made here, or by test_citus's 'mediabase seed demo' on the cluster
    assert ("1 reorg" in first and "paid to 4 holders" in first) or "is there already" in first, first
    assert (await revenue.list_dividends(system, await identity.acting_owner(system, MUSIC_SLUG))).items[
        0
    ].status == "paid"
    owner = await identity.acting_owner(system, MUSIC_SLUG)
    assert await ledger.verify(system, owner) == []
    assert await chain.verify(system, owner) == []
    feed, _, _ = demo_feed()
    assert await _holdings(system, owner.organization_id) == feed.fold()
    # holdings recomputed from the journal at an instant (the cap table's aggregate) equal the kept balances
    [share] = await ledger.list_assets(system, owner, AssetKind.master_share)
    now, then = (
        await ledger.cap_table(system, owner, share.id),
        await ledger.cap_table(system, owner, share.id, at=datetime.now(UTC)),
    )
    assert [(h.account_id, h.quantity) for h in then.holders] == [(h.account_id, h.quantity) for h in now.holders]
    assert sum(h.quantity for h in now.holders) == share.outstanding == 10_000
