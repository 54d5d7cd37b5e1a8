"""A dividend across 100,000 holders: the one set-based statement (music_distribute_dividend)
against a row-by-row Python loop (read the holdings, allocate in Python, INSERT each payout on its
own). Goal: >= 50x. Prints both times and the ratio, per round and the medians of the rounds (a
round: one dividend each, of two months with the same revenue, at the same record point).

    .venv/bin/python bench/music_dividend.py [--holders 100000] [--rounds 3] [--explain]

An embedded server in a temporary directory; holders are minted set-based (entries of 30,000
lines, all in one statement: a journal line number is a smallint), then the ledger is vacuumed
and analyzed: a dividend is paid on lines committed long before, which autovacuum has visited
(without it the first reader after the mint, the statement, paid the hint bits and a plan made
without statistics, and the loop after it did not; autovacuum could also start in the middle).

``--explain`` measures where the statement's time goes instead of racing the loop: its plan
(auto_explain inside the function, with trigger times; instrumenting the 200,000 nested
foreign-key queries inflates those), then the statement timed in rolled-back transactions as it
is, without the payouts' dividend foreign key, and without both payout foreign keys (dropped
inside the transaction that is rolled back), three times each, median.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
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


def periods(n: int) -> list[tuple[date, date]]:
    """n consecutive months from January 2026, each with the same revenue (one per dividend)."""
    months = [date(2026 + i // 12, i % 12 + 1, 1) for i in range(n + 1)]
    return list(itertools.pairwise(months))


async def build(db: Database, p: Principal, holders: int, rounds: int = 1) -> tuple[UUID, UUID]:
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
    for start, end in periods(2 * rounds):
        await one(
            db,
            p,
            "INSERT INTO music_revenue_events (organization_id, master_id, source, external_id,"
            " period_start, period_end, amount, currency) VALUES (%s, %s, 'spotify', %s, %s, %s,"
            " 123456789012, 'EUR')",
            (org, master, f"s-{start}", start, end),
        )
    return master, asset


async def row_by_row(
    owner: Database, p: Principal, master: UUID, asset: UUID, at: datetime, period: tuple[date, date]
) -> tuple[int, UUID]:
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
                    " AND currency = 'EUR' AND period_start >= %s AND period_start < %s",
                    (org, master, *period),
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
                    " VALUES (%s, %s, %s, %s, %s, 'EUR', %s, %s, 10000, %s, 0, %s, %s)"
                    " RETURNING id",
                    (org, master, asset, *period, at, d, d, len(hs), total),
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
    return len(pay), div


async def vacuum(url: str, *tables: str) -> None:
    """The ledger as a dividend finds it: lines committed long ago, visited by autovacuum."""
    names = tables or ("music_journal_lines", "music_journal_entries", "music_accounts")
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute(
            sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(sql.Identifier("mediabase", t) for t in names))
        )


DISTRIBUTE = "SELECT * FROM mediabase.music_distribute_dividend(%s, '2026-01-01', '2026-02-01', 'EUR', %s)"
WITHOUT = {
    "as it is": "",
    "without the payouts' dividend FK": "ALTER TABLE mediabase.music_payouts DROP CONSTRAINT music_payouts_dividend_fk",
    "without both payout FKs": "ALTER TABLE mediabase.music_payouts DROP CONSTRAINT music_payouts_dividend_fk,"
    " DROP CONSTRAINT music_payouts_account_fk",
}


async def rolled_back(
    url: str, p: Principal, master: UUID, at: datetime, before: str = "", explain: bool = False
) -> float:
    """The distribution in a transaction that is rolled back (its deferred check run first)."""
    plans: list[str] = []
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        conn.add_notice_handler(lambda d: plans.append(d.message_primary or ""))
        await conn.execute("VACUUM mediabase.music_payouts, mediabase.music_dividends, mediabase.music_accounts")
        await conn.execute("BEGIN")
        await conn.execute(
            sql.SQL("SET LOCAL mediabase.organization_id = {}; SET LOCAL mediabase.user_id = {}").format(
                sql.Literal(str(p.organization_id)), sql.Literal(str(p.user_id))
            )
        )
        if before:
            await conn.execute(before)
        if explain:
            await conn.execute(
                "LOAD 'auto_explain'; SET auto_explain.log_min_duration = 20; SET auto_explain.log_analyze = on;"
                " SET auto_explain.log_buffers = on; SET auto_explain.log_verbose = on;"
                " SET auto_explain.log_triggers = on; SET auto_explain.log_nested_statements = on;"
                " SET client_min_messages = log"
            )
        t = time.perf_counter()
        await conn.execute(DISTRIBUTE, (master, at))
        await conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # music_dividends_exact, as at commit
        took = time.perf_counter() - t
        await conn.execute("ROLLBACK")
    for plan in plans:
        lines = plan.splitlines()
        if "Query Text: WITH h AS" in plan:  # the statement: its plan without its text
            start = next(i for i, line in enumerate(lines) if line.startswith("Insert on"))
            print("\n".join([lines[0], *lines[start:]]))
        elif "FROM music_payouts p WHERE" in plan:  # music_dividends_exact at commit
            print(plan)
        elif "music_distribute_dividend(" in plan:  # the whole call
            print(lines[0], "(the function call)")
    return took


async def explain(url: str, p: Principal, master: UUID) -> None:
    at = datetime.now(UTC)
    await rolled_back(url, p, master, at, explain=True)
    for name, before in WITHOUT.items():
        runs = [await rolled_back(url, p, master, at, before) for _ in range(3)]
        print(f"statement {name}: {statistics.median(runs):.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)})")


async def run(url: str, data_dir: Path, holders: int, rounds: int, explain_only: bool) -> None:
    await Migrator(url, settings_for(url, data_dir)).migrate()
    s = settings_for(url, data_dir)
    async with Database(url, s) as db, Database(url, s, role="") as owner:
        user, _ = await identity.create_user(owner, UserCreate(email="bench@example.com", username="bench"))
        org = await identity.create_organization(owner, OrganizationCreate(name="Bench", slug="bench"), user.id)
        p = Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)
        t = time.perf_counter()
        master, asset = await build(db, p, holders, rounds)
        print(f"built {holders:,} holders in {time.perf_counter() - t:.1f} s")
        await vacuum(url)
        if explain_only:
            await explain(url, p, master)
            return
        statements: list[float] = []
        loops: list[float] = []
        months = periods(2 * rounds)
        for i in range(rounds):
            # each round: a dividend by the statement, one by the loop, of two periods with the
            # same revenue at the same record point; both start from a vacuumed payouts table
            if i:
                await vacuum(url, "music_payouts", "music_dividends", "music_accounts")
            at = datetime.now(UTC)
            (start, end), period = months[2 * i], months[2 * i + 1]
            t = time.perf_counter()
            out = await service.distribute(
                db,
                p,
                DividendCreate(master_id=master, period_start=start, period_end=end, currency="EUR", record_at=at),
            )
            statements.append(time.perf_counter() - t)
            assert out.dividend.holders == holders and out.dividend.remainder == 0
            t = time.perf_counter()
            n, loop_dividend = await row_by_row(owner, p, master, asset, at, period)
            loops.append(time.perf_counter() - t)
            assert n == holders
            async with owner.transaction(org.id, user.id) as conn:
                same = (
                    await (
                        await conn.execute(
                            "SELECT count(*) AS n FROM (SELECT account_id, holding, amount FROM music_payouts"
                            " WHERE organization_id = %(org)s AND dividend_id = %(a)s"
                            " INTERSECT SELECT account_id, holding, amount FROM music_payouts"
                            " WHERE organization_id = %(org)s AND dividend_id = %(b)s) x",
                            {"org": org.id, "a": out.dividend.id, "b": loop_dividend},
                        )
                    ).fetchone()
                    or {}
                )
            print(
                f"round {i + 1}: set-based statement: {statements[-1]:.2f} s; row-by-row loop: {loops[-1]:.2f} s;"
                f" ratio {loops[-1] / statements[-1]:.1f}x; payouts equal in both: {same['n']:,}/{holders:,}"
            )
        st, lo = statistics.median(statements), statistics.median(loops)
        print(f"median of {rounds}: set-based statement: {st:.2f} s; row-by-row loop: {lo:.2f} s; ratio {lo / st:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--holders", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=3, help="statement and loop, each this many times (median)")
    ap.add_argument("--explain", action="store_true", help="where the statement's time goes (no loop)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbbench-") as tmp:
        base = Settings.model_validate({"data_dir": Path(tmp)})
        embedded.start(base)
        try:
            admin = embedded.server_url(base)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("divbench")))
            asyncio.run(run(embedded.server_url(base, "divbench"), Path(tmp), args.holders, args.rounds, args.explain))
        finally:
            embedded.stop(base)


if __name__ == "__main__":
    main()
