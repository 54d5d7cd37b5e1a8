"""The spine of the music marketplace (0028_music_core.sql), tried and broken in SQL as the
application role: the journal balances per asset, arrives whole, never changes; balances are never
negative and always sum to minted − burned; nothing points into another organization."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from mediabase.common.errors import MediabaseError
from mediabase.db.connection import Database
from mediabase.db.rows import sql
from tests.factories import Tenant


async def run(db: Database, t: Tenant, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def refused(db: Database, t: Tenant, constraint: str, stmt: str, *params: Any) -> None:
    with pytest.raises(MediabaseError) as info:
        await run(db, t, stmt, *params)
    assert info.value.extra.get("constraint") == constraint, (info.value, info.value.extra)


async def world(db: Database, t: Tenant, max_supply: int | None = 1000) -> dict[str, UUID]:
    """An artist, a master, its share asset, the issuance account and two holders."""
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        org = t.owner.organization_id
        artist = (
            await (
                await conn.execute(
                    "INSERT INTO music_artists (organization_id, name, slug) VALUES (%s, 'Ada', 'ada') RETURNING id",
                    (org,),
                )
            ).fetchone()
        )["id"]
        master = (
            await (
                await conn.execute(
                    "INSERT INTO music_masters (organization_id, artist_id, title)"
                    " VALUES (%s, %s, 'Tide') RETURNING id",
                    (org, artist),
                )
            ).fetchone()
        )["id"]
        asset = (
            await (
                await conn.execute(
                    "INSERT INTO music_assets"
                    " (organization_id, kind, master_id, symbol, name, supply_policy, max_supply)"
                    " VALUES (%s, 'master_share', %s, 'TIDE', 'Tide shares', %s, %s) RETURNING id",
                    (org, master, "fixed" if max_supply else "mintable", max_supply),
                )
            ).fetchone()
        )["id"]
        row = await (
            await conn.execute(
                "SELECT music_issuance_account() AS issuance, music_user_account(%s) AS alice,"
                " music_address_account(decode(repeat('ab', 20), 'hex')) AS bob",
                (t.member.user_id,),
            )
        ).fetchone()
    return {"artist": artist, "master": master, "asset": asset, **row}


async def post(db: Database, t: Tenant, kind: str, legs: list[tuple[UUID, UUID, int]], **entry: Any) -> UUID:
    """One entry and all its lines, the way every poster writes them: two statements."""
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        org = t.owner.organization_id
        entry_id = (
            await (
                await conn.execute(
                    "INSERT INTO music_journal_entries (organization_id, kind, effective_at)"
                    " VALUES (%s, %s, %s) RETURNING id",
                    (org, kind, entry.get("at", datetime.now(UTC))),
                )
            ).fetchone()
        )["id"]
        # one multi-row VALUES statement: all lines at once (an INSERT … SELECT from unnest() would
        # go through Citus's COPY, which row-level security refuses to the application role)
        values = sql.SQL(", ").join(sql.SQL("(%s, %s, %s, %s, %s, %s)") for _ in legs)
        params: list[Any] = []
        for n, (asset, account, amount) in enumerate(legs, 1):
            params += [org, entry_id, n, asset, account, amount]
        await conn.execute(
            sql.SQL(
                "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
                " VALUES {}"
            ).format(values),
            params,
        )
    return entry_id


async def balances(db: Database, t: Tenant, asset: UUID) -> dict[UUID, int]:
    rows = await run(db, t, "SELECT account_id, balance FROM music_balances WHERE asset_id = %s AND balance > 0", asset)
    return {r["account_id"]: int(r["balance"]) for r in rows}


async def test_mint_transfer_burn_keep_conservation(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    w = await world(db, t)
    a = w["asset"]
    await post(db, t, "mint", [(a, w["issuance"], -600), (a, w["alice"], 600)])
    await post(db, t, "transfer", [(a, w["alice"], -250), (a, w["bob"], 250)])
    await post(db, t, "burn", [(a, w["bob"], -50), (a, w["issuance"], 50)])
    assert await balances(db, t, a) == {w["alice"]: 350, w["bob"]: 200}
    [s] = await run(db, t, "SELECT minted, burned FROM music_assets WHERE id = %s", a)
    assert (s["minted"], s["burned"]) == (600, 50)
    assert await run(db, t, "SELECT * FROM music_verify_ledger()") == []


async def test_what_the_journal_refuses_writes_nothing(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    w = await world(db, t)
    a = w["asset"]
    await post(db, t, "mint", [(a, w["issuance"], -100), (a, w["alice"], 100)])
    with pytest.raises(MediabaseError) as info:  # lines that do not sum to zero
        await post(db, t, "transfer", [(a, w["alice"], -10), (a, w["bob"], 11)])
    assert info.value.extra["constraint"] == "music_journal_lines_balanced"
    with pytest.raises(MediabaseError) as info:  # an overdraft
        await post(db, t, "transfer", [(a, w["alice"], -101), (a, w["bob"], 101)])
    assert info.value.extra["constraint"] == "music_balances_nonnegative"
    with pytest.raises(MediabaseError) as info:  # past a fixed supply
        await post(db, t, "mint", [(a, w["issuance"], -901), (a, w["bob"], 901)])
    assert info.value.extra["constraint"] == "music_assets_supply_cap"
    with pytest.raises(MediabaseError) as info:  # an entry that moves nothing
        await run(
            db,
            t,
            "INSERT INTO music_journal_entries (organization_id, kind) VALUES (%s, 'transfer')",
            t.owner.organization_id,
        )
    assert info.value.extra["constraint"] == "music_journal_entries_have_lines"
    entry = await post(db, t, "transfer", [(a, w["alice"], -1), (a, w["bob"], 1)])
    await refused(
        db,
        t,
        "music_journal_lines_one_statement",  # more lines for an entry, later
        "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
        " VALUES (%s, %s, 3, %s, %s, 5), (%s, %s, 4, %s, %s, -5)",
        t.owner.organization_id,
        entry,
        a,
        w["alice"],
        t.owner.organization_id,
        entry,
        a,
        w["bob"],
    )
    assert await balances(db, t, a) == {w["alice"]: 99, w["bob"]: 1}
    [n] = await run(db, t, "SELECT count(*) AS n FROM music_journal_entries")
    assert n["n"] == 2
    assert await run(db, t, "SELECT * FROM music_verify_ledger()") == []


@pytest.mark.parametrize(
    "stmt",
    [
        "UPDATE music_journal_lines SET amount = amount * 2",
        "DELETE FROM music_journal_lines",
        "UPDATE music_journal_entries SET memo = 'edited'",
        "DELETE FROM music_journal_entries",
        "TRUNCATE music_journal_lines",
        "UPDATE music_balances SET balance = balance + 1",
        "INSERT INTO music_balances SELECT organization_id, asset_id, account_id, 1 FROM music_balances",
        "UPDATE music_assets SET minted = minted + 1",
    ],
)
async def test_the_application_cannot_rewrite_the_journal(
    db: Database, tenants: tuple[Tenant, Tenant], stmt: str
) -> None:
    t = tenants[0]
    w = await world(db, t)
    await post(db, t, "mint", [(w["asset"], w["issuance"], -10), (w["asset"], w["alice"], 10)])
    with pytest.raises(MediabaseError) as info:
        await run(db, t, stmt)
    assert "permission denied" in str(info.value.__cause__)


async def test_a_reversal_negates_once_and_holdings_have_a_history(
    db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    t = tenants[0]
    w = await world(db, t, max_supply=None)
    a = w["asset"]
    before = datetime.now(UTC) - timedelta(days=2)
    await post(db, t, "mint", [(a, w["issuance"], -(10**30)), (a, w["alice"], 10**30)], at=before)
    moved = await post(db, t, "transfer", [(a, w["alice"], -(10**29)), (a, w["bob"], 10**29)])
    [r] = await run(db, t, "SELECT music_reverse_entry(%s) AS id", moved)
    assert await balances(db, t, a) == {w["alice"]: 10**30}
    await refused(db, t, "music_journal_entries_reverses_key", "SELECT music_reverse_entry(%s)", moved)
    await refused(db, t, "music_journal_entries_reversal_of_reversal", "SELECT music_reverse_entry(%s)", r["id"])
    then = await run(db, t, "SELECT * FROM music_holdings_at(%s, %s)", a, before + timedelta(days=1))
    assert [(x["account_id"], int(x["quantity"])) for x in then] == [(w["alice"], 10**30)]
    assert await run(db, t, "SELECT * FROM music_holdings_at(%s, %s)", a, before - timedelta(seconds=1)) == []
    assert await run(db, t, "SELECT * FROM music_verify_ledger()") == []


async def test_nothing_points_into_another_organization(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    wa = await world(db, alpha)
    wb = await world(db, bravo)
    # bravo's entry naming alpha's asset or account: the composite keys refuse it
    with pytest.raises(MediabaseError) as info:
        await post(db, bravo, "mint", [(wa["asset"], wb["issuance"], -1), (wa["asset"], wb["alice"], 1)])
    assert info.value.extra["constraint"] == "music_journal_lines_asset_fk"
    with pytest.raises(MediabaseError) as info:
        await post(db, bravo, "mint", [(wb["asset"], wb["issuance"], -1), (wb["asset"], wa["alice"], 1)])
    assert info.value.extra["constraint"] == "music_journal_lines_account_fk"
    await post(db, alpha, "mint", [(wa["asset"], wa["issuance"], -5), (wa["asset"], wa["alice"], 5)])
    assert await run(db, bravo, "SELECT * FROM music_balances") == []
    assert await run(db, bravo, "SELECT * FROM music_verify_ledger()") == []


async def test_a_master_moves_through_its_lifecycle_only(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    w = await world(db, t)
    await refused(
        db,
        t,
        "music_masters_status_transition",
        "UPDATE music_masters SET status = 'published' WHERE id = %s",
        w["master"],
    )
    await run(db, t, "UPDATE music_masters SET status = 'review' WHERE id = %s", w["master"])
    await run(db, t, "UPDATE music_masters SET status = 'published', released_at = now() WHERE id = %s", w["master"])
    await refused(
        db, t, "music_masters_status_transition", "UPDATE music_masters SET status = 'draft' WHERE id = %s", w["master"]
    )
    await refused(
        db,
        t,
        "music_assets_master_key",
        "INSERT INTO music_assets"
                    " (organization_id, kind, master_id, symbol, name, supply_policy, max_supply)"
        " VALUES (%s, 'master_share', %s, 'TIDE2', 'again', 'fixed', 5)",
        t.owner.organization_id,
        w["master"],
    )
