"""Chain mirroring (issue 13): importing N transfer logs through the real importer against a raw
COPY of the same rows into the same table (goal: copy time / import time >= 0.8x), and a reorg of
depth 10 on a chain of N/10 and on a chain of N transfers (the time must not follow the history:
t(N) / t(N/10) <= 2). Prints the times and ratios side by side.

    .venv/bin/python bench/music_chain.py [--logs 1000000] [--per-block 50] [--rounds 3]

An embedded server in a temporary directory; feeds from mediabase.music.chain.feed (seeded). The
import is ``service.import_lines``, the path of ``mediabase music chain import FILE`` (the file's
bytes, COPYed and parsed in SQL, headers applied, logs upserted, holdings kept by the triggers).
The raw COPY writes the rows the import wrote, with the same columns, into ``music_transfers`` of
a second database made from the same migrated template, so both start from empty tables with the
same indexes, foreign keys and triggers (the holdings trigger runs for the COPY too); its blocks
are put in first, untimed. A reorg is the import of a small file on top of a chain: one block, then
the last 10 blocks dropped (their logs re-sent as removed) and a branch of 11 in their place,
measured ``--rounds`` times on each chain (the median is compared).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from uuid import UUID

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationCreate, Principal, Role, UserCreate
from mediabase.music.chain import service
from mediabase.music.chain.feed import FeedGenerator
from mediabase.music.chain.models import ContractCreate, ImportResult, Standard

CHAIN = 31337
DEPTH = 10
COLUMNS = (
    "organization_id, chain_id, tx_hash, log_index, block_number, block_hash, contract_id, token_id,"
    " from_address, to_address, amount, canonical"
)
BLOCK_COLUMNS = "organization_id, chain_id, number, hash, parent_hash, block_time, canonical"


def settings_for(url: str, data_dir: Path, timeout_ms: int = 30_000) -> Settings:
    return Settings.model_validate(
        {
            "database_url": url,
            "data_dir": data_dir,
            "pool_min_size": 0,
            "pool_max_size": 4,
            "statement_timeout_ms": timeout_ms,
        }
    )


async def tenant(owner: Database, slug: str) -> Principal:
    user, _ = await identity.create_user(owner, UserCreate(email=f"{slug}@example.com", username=slug))
    org = await identity.create_organization(owner, OrganizationCreate(name=slug.title(), slug=slug), user.id)
    return Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)


async def mirror(db: Database, p: Principal, gen: FeedGenerator) -> dict[bytes, UUID]:
    out = {}
    for c in gen.contracts:
        made = await service.add_contract(
            db, p, ContractCreate(chain_id=CHAIN, address="0x" + c.address.hex(), standard=Standard(c.standard))
        )
        out[c.address] = made.id
    return out


async def import_text(db: Database, p: Principal, lines: list[str]) -> tuple[float, ImportResult]:
    data = ("\n".join(lines) + "\n").encode()
    t = time.perf_counter()
    result = await service.import_lines(db, p, CHAIN, data)
    return time.perf_counter() - t, result


async def export(owner: Database, org: UUID) -> tuple[bytes, bytes]:
    """The organization's blocks and transfers as COPY text."""
    out = []
    async with owner.transaction() as conn:
        for columns, table in ((BLOCK_COLUMNS, "music_blocks"), (COLUMNS, "music_transfers")):
            parts = []
            query = sql.SQL("COPY (SELECT {} FROM {} WHERE organization_id = {}) TO STDOUT").format(
                sql.SQL(columns), sql.Identifier(table), sql.Literal(str(org))
            )
            async with conn.cursor().copy(query) as copy:
                async for chunk in copy:
                    parts.append(bytes(chunk))
            out.append(b"".join(parts))
    return out[0], out[1]


async def raw_copy(owner: Database, blocks: bytes, transfers: bytes) -> float:
    """The blocks (untimed, their own transaction), then the transfers in one COPY (timed)."""
    query = sql.SQL("COPY music_blocks ({}) FROM STDIN").format(sql.SQL(BLOCK_COLUMNS))
    async with owner.transaction() as conn, conn.cursor().copy(query) as c:
        await c.write(blocks)
    async with owner.transaction() as conn:
        t = time.perf_counter()
        async with conn.cursor().copy(sql.SQL("COPY music_transfers ({}) FROM STDIN").format(sql.SQL(COLUMNS))) as c:
            await c.write(transfers)
        return time.perf_counter() - t


async def count_transfers(owner: Database, org: UUID) -> int:
    async with owner.transaction() as conn:
        row = await (
            await conn.execute("SELECT count(*) AS n FROM music_transfers WHERE organization_id = %s", (org,))
        ).fetchone()
    return int(row["n"]) if row else 0


async def reorgs(db: Database, p: Principal, gen: FeedGenerator, per_block: int, rounds: int) -> list[float]:
    """``rounds`` imports of a reorg of depth DEPTH at the chain's tip; their times."""
    times = []
    for _ in range(rounds):
        head = gen.chain[-1].number
        t, result = await import_text(db, p, list(gen.lines(1, per_block, reorgs={head + 1: DEPTH})))
        assert [r.depth for r in result.reorgs] == [DEPTH], result.reorgs
        times.append(t)
    return times


async def run(url: str, copy_url: str, data_dir: Path, logs: int, per_block: int, rounds: int) -> None:
    s = settings_for(url, data_dir)
    blocks = max(1, logs // per_block)
    async with Database(url, s) as db, Database(url, s, role="") as owner:
        a, c = await tenant(owner, "bench-a"), await tenant(owner, "bench-c")
        gen = FeedGenerator(1, holders=1000)
        a_ids = await mirror(db, a, gen)
        t = time.perf_counter()
        lines = list(gen.lines(blocks, per_block))
        mib = sum(map(len, lines)) / 2**20
        print(f"generated {len(lines):,} lines ({mib:.0f} MiB) in {time.perf_counter() - t:.1f} s")
        imported, result = await import_text(db, a, lines)
        del lines
        assert result.inserted == blocks * per_block, result
        block_rows, transfer_rows = await export(owner, a.organization_id)
        # the small chain (N/10) in its own organization of the same database, then the reorgs
        small_gen = FeedGenerator(2, holders=1000)
        await mirror(db, c, small_gen)
        await import_text(db, c, list(small_gen.lines(max(1, blocks // 10), per_block)))
        small_n = await count_transfers(owner, c.organization_id)
        big_n = await count_transfers(owner, a.organization_id)
        small = await reorgs(db, c, small_gen, per_block, rounds)
        big = await reorgs(db, a, gen, per_block, rounds)
    # the raw COPY into a second database from the same template (empty tables, same schema), the
    # organization's and contracts' ids replaced by the second tenant's
    cs = settings_for(copy_url, data_dir, timeout_ms=0)
    async with Database(copy_url, cs) as db, Database(copy_url, cs, role="") as owner:
        b = await tenant(owner, "bench-b")
        b_ids = await mirror(db, b, FeedGenerator(1, holders=1000))
        renames = [(a.organization_id, b.organization_id)] + [(a_ids[k], b_ids[k]) for k in a_ids]
        for old, new in renames:
            block_rows = block_rows.replace(str(old).encode(), str(new).encode())
            transfer_rows = transfer_rows.replace(str(old).encode(), str(new).encode())
        copied = await raw_copy(owner, block_rows, transfer_rows)
        assert await count_transfers(owner, b.organization_id) == result.inserted
    print()
    print(f"| N = {logs:,} logs | importer | raw COPY | ratio copy/import (goal >= 0.8x) |")
    print("|---|---|---|---|")
    print(
        f"| import | {imported:.2f} s ({logs / imported:,.0f} logs/s) | {copied:.2f} s ({logs / copied:,.0f} rows/s)"
        f" | {copied / imported:.2f}x |"
    )
    ms = statistics.median(small) * 1000, statistics.median(big) * 1000
    print()
    print(
        f"| reorg of depth {DEPTH} | chain of {small_n:,} transfers | chain of {big_n:,} transfers"
        " | ratio t(N)/t(N/10) (goal <= 2) |"
    )
    print("|---|---|---|---|")
    print(
        f"| median of {rounds} ({', '.join(f'{x * 1000:.0f}' for x in small)} / "
        f"{', '.join(f'{x * 1000:.0f}' for x in big)} ms) | {ms[0]:.0f} ms | {ms[1]:.0f} ms | {ms[1] / ms[0]:.2f} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--logs", type=int, default=1_000_000)
    ap.add_argument("--per-block", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="mbbench-") as tmp:
        base = Settings.model_validate({"data_dir": Path(tmp)})
        embedded.start(base)
        try:
            admin = embedded.server_url(base)
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier("chainbench")))
            url = embedded.server_url(base, "chainbench")
            asyncio.run(Migrator(url, settings_for(url, Path(tmp))).migrate())
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                        sql.Identifier("chaincopy"), sql.Identifier("chainbench")
                    )
                )
            asyncio.run(
                run(url, embedded.server_url(base, "chaincopy"), Path(tmp), args.logs, args.per_block, args.rounds)
            )
        finally:
            embedded.stop(base)


if __name__ == "__main__":
    main()
