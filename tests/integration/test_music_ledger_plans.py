"""Query plans of the ledger's documented hot reads, as the application role under row-level
security with enough rows and ANALYZE: a cap table now reads the holders index of
music_balances, the latest liquidity snapshot per pool and a coin's price series read their
indexes, not the whole table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from mediabase.db.connection import Database
from mediabase.music.ledger import offerings
from mediabase.music.ledger.models import CoinCreate, SupplyPolicy
from mediabase.music.ledger.service import Q
from tests.factories import Tenant
from tests.integration.music_world_ledger import make_label

pytestmark = pytest.mark.asyncio


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def fill(db: Database, owner_db: Database, t: Tenant, symbol: str) -> tuple[UUID, UUID]:
    label = await make_label(db, t, symbol.lower())
    coin = await offerings.create_coin(
        db, t.owner, CoinCreate(artist_id=label.artist, symbol=symbol, name=symbol, supply_policy=SupplyPolicy.mintable)
    )
    org = t.owner.organization_id
    async with owner_db.transaction(org) as conn:
        issuance = (await (await conn.execute("SELECT mediabase.music_issuance_account() AS id")).fetchone() or {})[
            "id"
        ]
        await conn.execute(
            "INSERT INTO music_accounts (organization_id, kind, label)"
            " SELECT %s, 'treasury', 'h' || g FROM generate_series(1, 3000) g",
            (org,),
        )
        entry = (
            await (
                await conn.execute(
                    "INSERT INTO music_journal_entries (organization_id, kind) VALUES (%s, 'mint') RETURNING id", (org,)
                )
            ).fetchone()
            or {}
        )["id"]
        await conn.execute(
            "WITH h AS (SELECT id, (1 + (random() * 100)::int)::numeric AS q FROM music_accounts"
            "            WHERE organization_id = %(org)s AND kind = 'treasury')"
            " INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
            " SELECT %(org)s, %(e)s, (row_number() OVER (ORDER BY id) + 1)::smallint, %(a)s, id, q FROM h"
            " UNION ALL SELECT %(org)s, %(e)s, 1::smallint, %(a)s, %(i)s, -(SELECT sum(q) FROM h)",
            {"org": org, "e": entry, "a": coin.asset_id, "i": issuance},
        )
        await conn.execute(
            "INSERT INTO music_liquidity_snapshots (organization_id, coin_id, pool, observed_at, reserve_coin,"
            " reserve_quote, quote_symbol) SELECT %s, %s, 'pool-' || (g %% 20), now() - g * interval '1 minute',"
            " 1000 + g, 2000 + g, 'USDC' FROM generate_series(1, 20000) g",
            (org, coin.id),
        )
    return coin.asset_id, coin.id


async def plan(db: Database, t: Tenant, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    async with db.transaction(t.owner.organization_id, t.owner.user_id, readonly=True) as conn:
        row = await (await conn.execute("EXPLAIN (FORMAT JSON) " + query, params)).fetchone()
    assert row is not None
    doc = row["QUERY PLAN"]
    return list(nodes((json.loads(doc) if isinstance(doc, str) else doc)[0]["Plan"]))


async def test_hot_reads_use_their_indexes(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t, u = tenants
    asset, coin = await fill(db, owner_db, t, "AAA")
    await fill(db, owner_db, u, "BBB")
    async with owner_db.transaction() as conn:
        await conn.execute("ANALYZE music_balances, music_accounts, music_liquidity_snapshots")
    org = t.owner.organization_id
    cap = await plan(db, t, Q.cap_table, {"org": org, "asset": asset, "outstanding": 1})
    assert any(n.get("Index Name") == "music_balances_holders_idx" for n in cap), cap
    latest = await plan(db, t, Q.latest_snapshots, {"org": org, "coin": coin})
    assert any(n.get("Index Name") == "music_liquidity_snapshots_pkey" for n in latest), latest
    series = await plan(
        db,
        t,
        Q.price_series,
        {"org": org, "coin": coin, "since": "2026-01-01", "until": "2026-01-02", "pool": None, "limit": 100},
    )
    assert any(
        n.get("Index Name") in ("music_liquidity_snapshots_time_idx", "music_liquidity_snapshots_pkey") for n in series
    ), series
    for p in (cap, latest, series):
        assert not any(
            n.get("Node Type") == "Seq Scan"
            and n.get("Relation Name") in ("music_balances", "music_liquidity_snapshots")
            for n in p
        ), p
