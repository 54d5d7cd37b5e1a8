"""Replaying a payment provider's event log: 100,000 Stripe-shaped events of a few thousand customers
(organizations and their members, seed 001 and 004) through the offline adapter into the embedded
database, then the same file again (idempotent: nothing new, nothing changed). Prints events/s of
the first replay and the second replay's time relative to the first.

    .venv/bin/python bench/billing_replay_bench.py [--events 100000] [--seed 1] [--steps]

``--steps`` prints where each replay's time goes: every statement of 0.1 s or more, the COPYs, the
Python reader, and the commit (the deferred checks of the invoices' totals run there).

An embedded server in a temporary directory. Organizations, owners and members are inserted
set-based; the log is the generator's (mediabase.billing.generator: subscriptions, renewals, failed
payments and retries, plan changes with prorations, cancellations, refunds), written to a file and
replayed with ``mediabase.billing.replay.replay_file`` (what ``mediabase billing replay FILE`` runs):
read and check every line, record each event once, apply every object's newest snapshot, set-based.
After the second replay the books are compared with a checksum of every billing table: equal.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from mediabase.billing import catalog, replay
from mediabase.billing.generator import LogGenerator, Subscriber
from mediabase.billing.models import Interval, PlanCreate, PlanLimitSet, PriceCreate
from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator

EVENTS_PER_CUSTOMER = 33  # what the generator's timelines average over its three years

CHECKSUM = """
SELECT t, count(*) AS n, md5(string_agg(r, ',' ORDER BY r)) AS digest FROM (
    SELECT 'subscriptions' AS t, to_jsonb(x)::text AS r FROM mediabase.billing_subscriptions x
    UNION ALL SELECT 'invoices', to_jsonb(x)::text FROM mediabase.billing_invoices x
    UNION ALL SELECT 'lines', to_jsonb(x)::text FROM mediabase.billing_invoice_lines x
    UNION ALL SELECT 'payments', to_jsonb(x)::text FROM mediabase.billing_payments x
    UNION ALL SELECT 'refunds', to_jsonb(x)::text FROM mediabase.billing_refunds x
    UNION ALL SELECT 'customers', to_jsonb(x)::text FROM mediabase.billing_customers x
    UNION ALL SELECT 'events', (x.id, x.provider_event_id, x.received_at, md5(x.payload::text))::text
                FROM mediabase.billing_provider_events x
) s GROUP BY t ORDER BY t
"""


def show_steps() -> None:
    """Time the replay's statements, COPYs, reader and commit (printed as they happen)."""
    apply, copy, parse = replay.apply, replay._copy, replay.parse_numbered

    async def timed_apply(conn: Any, *args: Any, **kw: Any) -> Any:
        execute = conn.execute

        async def timed(query: Any, *a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            out = await execute(query, *a, **k)
            if (took := time.perf_counter() - t) >= 0.1:
                text = query.decode() if isinstance(query, bytes) else str(query)
                first = next((x for x in text.splitlines() if x and not x.startswith("--")), text)
                print(f"    {took:6.2f} s  {first[:90]}")
            return out

        conn.execute = timed
        try:
            t = time.perf_counter()
            out = await apply(conn, *args, **kw)
            print(f"    {time.perf_counter() - t:6.2f} s  (apply, before the commit)")
            return out
        finally:
            conn.execute = execute

    async def timed_copy(conn: Any, table: str, *a: Any) -> None:
        t = time.perf_counter()
        await copy(conn, table, *a)
        print(f"    {time.perf_counter() - t:6.2f} s  COPY {table} (with the Python that makes its rows)")

    def timed_parse(*a: Any, **k: Any) -> Any:
        t = time.perf_counter()
        out = parse(*a, **k)
        print(f"    {time.perf_counter() - t:6.2f} s  the Python reader (the new events in full)")
        return out

    replay.apply, replay._copy, replay.parse_numbered = timed_apply, timed_copy, timed_parse  # type: ignore[assignment]


def settings_for(url: str, data_dir: Path) -> Settings:
    return Settings.model_validate({"database_url": url, "data_dir": data_dir, "pool_min_size": 0, "pool_max_size": 4})


async def catalog_of(system: Database) -> None:
    for code, name in (("pro", "Pro"), ("team", "Team"), ("studio", "Studio")):
        await catalog.add_plan(system, PlanCreate(code=code, name=name))
    for plan, amount in (("pro", 1500), ("team", 4900), ("studio", 9900)):
        for currency in ("USD", "EUR"):
            c = currency.lower()
            await catalog.add_price(system, PriceCreate(plan=plan, code=f"{plan}-monthly-{c}", currency=currency,
                                                        unit_amount=amount, interval=Interval.month))
            await catalog.add_price(system, PriceCreate(plan=plan, code=f"{plan}-yearly-{c}", currency=currency,
                                                        unit_amount=amount * 10, interval=Interval.year))
        await catalog.set_limit(system, plan, PlanLimitSet(feature="transcription_minutes", limit=amount))
    await catalog.set_limit(system, "team", PlanLimitSet(feature="seats", limit=1, per_unit=True))


async def tenants(system: Database, customers: int) -> list[Subscriber]:
    """Organizations with an owner each; every other one's owner also subscribes as a member."""
    orgs = (customers * 2 + 2) // 3
    tag = uuid.uuid4().hex[:6]
    async with system.transaction() as conn:
        users = [r["id"] for r in await (await conn.execute(
            "INSERT INTO users (email, username) SELECT 'u' || %(t)s || i || '@bench.example.com', 'u' || %(t)s || i"
            " FROM generate_series(1, %(n)s) i RETURNING id", {"t": tag, "n": orgs})).fetchall()]
        ids = [r["id"] for r in await (await conn.execute(
            "INSERT INTO organizations (name, slug) SELECT 'Org ' || i, 'org-' || %(t)s || '-' || i"
            " FROM generate_series(1, %(n)s) i RETURNING id", {"t": tag, "n": orgs})).fetchall()]
        await conn.execute("INSERT INTO memberships (organization_id, user_id, role)"
                           " SELECT o, u, 'OWNER' FROM unnest(%s::uuid[], %s::uuid[]) x (o, u)", (ids, users))
    who = [Subscriber(o) for o in ids]
    who += [Subscriber(o, u) for i, (o, u) in enumerate(zip(ids, users, strict=True)) if i % 2 == 0]
    return who[:customers]


async def checksum(system: Database) -> list[tuple[str, int, str]]:
    async with system.transaction() as conn:
        return [(r["t"], r["n"], r["digest"]) for r in await (await conn.execute(CHECKSUM)).fetchall()]


async def run(url: str, data_dir: Path, events: int, seed: int) -> None:
    await Migrator(url, settings_for(url, data_dir)).migrate()
    s = settings_for(url, data_dir)
    async with Database(url, s) as db, Database(url, s, role="") as system:
        await catalog_of(system)
        customers = max(10, events // EVENTS_PER_CUSTOMER)
        who = await tenants(system, customers)
        prices = await catalog.price_refs(db)
        log = data_dir / "events.jsonl"
        t = time.perf_counter()
        n = 0
        while n < events:  # a few more customers when the timelines end early
            n = 0
            with log.open("w", encoding="utf-8") as f:
                for line in LogGenerator(who, prices, seed=seed).lines(events):
                    f.write(line + "\n")
                    n += 1
            if n < events:
                who += await tenants(system, max(10, (events - n) // EVENTS_PER_CUSTOMER + 10))
        size = log.stat().st_size
        took = time.perf_counter() - t
        print(f"generated {n:,} events of {len(who):,} customers ({size / 1e6:.0f} MB) in {took:.1f} s")
        t = time.perf_counter()
        first = await replay.replay_file(db, "offline", str(log))
        one = time.perf_counter() - t
        print(f"replay 1: {one:.2f} s, {n / one:,.0f} events/s; recorded {first.recorded:,}, applied "
              f"{first.subscriptions:,} subscriptions, {first.invoices:,} invoices, {first.payments:,} payments, "
              f"{first.refunds:,} refunds")
        async with system.transaction() as conn:
            await conn.execute("ANALYZE mediabase.billing_provider_events")  # as autovacuum would meanwhile
        before = await checksum(system)
        t = time.perf_counter()
        second = await replay.replay_file(db, "offline", str(log))
        two = time.perf_counter() - t
        same = await checksum(system) == before
        print(f"replay 2 (the same file): {two:.2f} s, {two / one:.2f}x the first; recorded {second.recorded}, "
              f"applied {second.subscriptions + second.invoices + second.payments + second.refunds}; "
              f"books unchanged: {same}")
        for table, rows, _ in before:
            print(f"  {table}: {rows:,} rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", action="store_true", help="where each replay's time goes")
    args = ap.parse_args()
    if args.steps:
        show_steps()
    with tempfile.TemporaryDirectory(prefix="mbbench-") as tmp:
        base = Settings.model_validate({"data_dir": Path(tmp)})
        embedded.start(base)
        try:
            admin = embedded.server_url(base)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("billbench")))
            asyncio.run(run(embedded.server_url(base, "billbench"), Path(tmp), args.events, args.seed))
        finally:
            embedded.stop(base)


if __name__ == "__main__":
    main()
