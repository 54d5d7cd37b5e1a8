"""A dividend across 100,000 holders: the one set-based statement (music_distribute_dividend)
against a row-by-row Python loop (read the holdings, allocate in Python, INSERT each payout on its
own). Goal: >= 50x. Prints both times and the ratio.

    .venv/bin/python bench/music_dividend.py [--holders 100000]

An embedded server in a temporary directory; holders are minted set-based (entries of 30,000
lines, all in one statement: a journal line number is a smallint).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role, UserCreate
from mediabase.music.revenue import service
from mediabase.music.revenue.models import DividendCreate

CHUNK = 30_000


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.model_validate({"database_url": url, "data_dir": data_dir, "pool_min_size": 0, "pool_max_size": 4})


async def one(db: Database, p: Principal, stmt: Any, params: Any = None) -> Any:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else None


async def build(db: Database, p: Principal, holders: int) -> tuple[UUID, UUID]:
    org = p.organization_id
    artist = (
        await one(
            db, p, "INSERT INTO music_artists (organization_id, name, slug) VALUES (%s, 'A', 'a') RETURNING id", (org,)
        )
    )[0]["id"]
    master = (
        await one(
            db,
            p,
            "INSERT INTO music_masters (organization_id, artist_id, title) VALUES (%s, %s, 'M') RETURNING id",
            (org, artist),
        )
    )[0]["id"]
    asset = (
        await one(
            db,
            p,
            "INSERT INTO music_assets (organization_id, kind, master_id, symbol, name,"
            " supply_policy) VALUES (%s, 'master_share', %s, 'MS', 'M shares', 'mintable')"
            " RETURNING id",
            (org, master),
        )
    )[0]["id"]
    accounts = sorted(
        r["id"]
        for r in await one(
            db,
            p,
            "INSERT INTO music_accounts (organization_id, kind, label) SELECT %s, 'treasury', 'h' || i"
            " FROM generate_series(1, %s) i RETURNING id",
            (org, holders),
        )
    )
    rng = random.Random(4)
    amounts = [rng.choice([1, 2, 3, 10, 100, 1000, rng.randint(1, 10**9)]) for _ in accounts]
    chunks = [(accounts[i : i + CHUNK], amounts[i : i + CHUNK]) for i in range(0, holders, CHUNK)]
    at = datetime.now(UTC) - timedelta(days=1)
    async with db.transaction(org, p.user_id) as conn:
        iss = (await (await conn.execute("SELECT music_issuance_account() AS id")).fetchone() or {})["id"]
        entries = [
            r["id"]
            for r in await (
                await conn.execute(
                    "INSERT INTO music_journal_entries (organization_id, kind, effective_at)"
                    " SELECT %s, 'mint', %s FROM generate_series(1, %s) RETURNING id",
                    (org, at, len(chunks)),
                )
            ).fetchall()
        ]
        e_ids: list[UUID] = []
        nos: list[int] = []
        accs: list[UUID] = []
        xs: list[int] = []
        for entry, (a, h) in zip(entries, chunks, strict=True):
            e_ids += [entry] * (len(a) + 1)
            nos += list(range(1, len(a) + 2))
            accs += [iss, *a]
            xs += [-sum(h), *h]
        await conn.execute(
            "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
            " SELECT %s, e, n, %s, a, x"
            " FROM unnest(%s::uuid[], %s::int[], %s::uuid[], %s::numeric[]) AS u (e, n, a, x)",
            (org, asset, e_ids, nos, accs, xs),
        )
    for start, end in ((date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1))):
        await one(
            db,
            p,
            "INSERT INTO music_revenue_events (organization_id, master_id, source, external_id,"
            " period_start, period_end, amount, currency) VALUES (%s, %s, 'spotify', %s, %s, %s,"
            " 123456789012, 'EUR')",
            (org, master, f"s-{start}", start, end),
        )
    return master, asset


async def row_by_row(owner: Database, p: Principal, master: UUID, asset: UUID, at: datetime) -> int:
    """The loop a Python service would write: read holdings, allocate, one INSERT per payout."""
    org = p.organization_id
    async with owner.transaction(org, p.user_id) as conn:
        holdings = await (
            await conn.execute("SELECT account_id, quantity FROM music_holdings_at(%s, %s)", (asset, at))
        ).fetchall()
        revenue = (
            await (
                await conn.execute(
                    "SELECT sum(amount) AS s FROM music_revenue_events WHERE organization_id = %s AND master_id = %s"
                    " AND currency = 'EUR' AND period_start >= '2026-02-01' AND period_start < '2026-03-01'",
                    (org, master),
                )
            ).fetchone()
            or {}
        )["s"]
        d = int(revenue)
        hs = {r["account_id"]: int(r["quantity"]) for r in holdings}
        total = sum(hs.values())
        pay = {a: d * h // total for a, h in hs.items()}
        for a in sorted(hs, key=lambda a: (-(d * hs[a] % total), a))[: d - sum(pay.values())]:
            pay[a] += 1
        div = (
            await (
                await conn.execute(
                    "INSERT INTO music_dividends (organization_id, master_id, asset_id, period_start, period_end,"
                    " currency,"
                    " record_at, revenue, investors_bps, distributable, remainder, holders, total_holding)"
                    " VALUES (%s, %s, %s, '2026-02-01', '2026-03-01', 'EUR', %s, %s, 10000, %s, 0, %s, %s)"
                    " RETURNING id",
                    (org, master, asset, at, d, d, len(hs), total),
                )
            ).fetchone()
            or {}
        )["id"]
        for a, amount in pay.items():
            await conn.execute(
                "INSERT INTO music_payouts (organization_id, dividend_id, account_id, currency,"
                " holding, amount) VALUES (%s, %s, %s, 'EUR', %s, %s)",
                (org, div, a, hs[a], amount),
            )
    return len(pay)


async def run(url: str, data_dir: Path, holders: int) -> None:
    await Migrator(url, settings_for(url, data_dir)).migrate()
    s = settings_for(url, data_dir)
    async with Database(url, s) as db, Database(url, s, role="") as owner:
        user, _ = await identity.create_user(owner, UserCreate(email="bench@example.com", username="bench"))
        org = await identity.create_organization(owner, OrganizationCreate(name="Bench", slug="bench"), user.id)
        p = Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)
        t = time.perf_counter()
        master, asset = await build(db, p, holders)
        print(f"built {holders:,} holders in {time.perf_counter() - t:.1f} s")
        at = datetime.now(UTC)
        t = time.perf_counter()
        out = await service.distribute(
            db,
            p,
            DividendCreate(
                master_id=master,
                period_start=date(2026, 1, 1),
                period_end=date(2026, 2, 1),
                currency="EUR",
                record_at=at,
            ),
        )
        set_based = time.perf_counter() - t
        assert out.dividend.holders == holders and out.dividend.remainder == 0
        t = time.perf_counter()
        n = await row_by_row(owner, p, master, asset, at)
        loop = time.perf_counter() - t
        assert n == holders
        async with owner.transaction(org.id, user.id) as conn:
            same = (
                await (
                    await conn.execute(
                        "SELECT count(*) AS n FROM music_payouts a JOIN music_payouts b"
                        " ON b.organization_id = a.organization_id"
                        " AND b.account_id = a.account_id AND b.dividend_id <> a.dividend_id AND b.amount = a.amount"
                        " WHERE a.organization_id = %s AND a.dividend_id = %s",
                        (org.id, out.dividend.id),
                    )
                ).fetchone()
                or {}
            )
        print(
            f"set-based statement: {set_based:.2f} s; row-by-row loop: {loop:.2f} s; ratio {loop / set_based:.1f}x;"
            f" payouts equal in both: {same['n']:,}/{holders:,}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--holders", type=int, default=100_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbbench-") as tmp:
        base = Settings.model_validate({"data_dir": Path(tmp)})
        embedded.start(base)
        try:
            admin = embedded.server_url(base)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("divbench")))
            asyncio.run(run(embedded.server_url(base, "divbench"), Path(tmp), args.holders))
        finally:
            embedded.stop(base)


if __name__ == "__main__":
    main()
