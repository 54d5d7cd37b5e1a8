"""Builders for the revenue tests: a master with its share asset, holders minted set-based into
the journal (several entries in one statement: a line number is a smallint), revenue events, a
signed contract. Written with SQL on the spine's tables (0028, 0029), as the application role."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from tests.factories import Tenant

LINES_PER_ENTRY = 30_000


@dataclass
class Master:
    tenant: Tenant
    artist: UUID
    master: UUID
    asset: UUID

    @property
    def owner(self) -> Principal:
        return self.tenant.owner

    @property
    def org(self) -> UUID:
        return self.tenant.owner.organization_id


async def sql(db: Database, p: Principal, stmt: Any, params: Any = None) -> list[dict[str, Any]]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def make_master(db: Database, t: Tenant, title: str = "Night Drive") -> Master:
    """An artist, a master and its share asset (mintable, no cap)."""
    p = t.owner
    tag = uuid.uuid4().hex[:8]
    async with db.transaction(p.organization_id, p.user_id) as conn:
        artist = (
            await (
                await conn.execute(
                    "INSERT INTO music_artists (organization_id, name, slug) VALUES (%s, %s, %s) RETURNING id",
                    (p.organization_id, f"Artist {tag}", f"artist-{tag}"),
                )
            ).fetchone()
            or {}
        )["id"]
        master = (
            await (
                await conn.execute(
                    "INSERT INTO music_masters (organization_id, artist_id, title) VALUES (%s, %s, %s) RETURNING id",
                    (p.organization_id, artist, title),
                )
            ).fetchone()
            or {}
        )["id"]
        asset = (
            await (
                await conn.execute(
                    "INSERT INTO music_assets (organization_id, kind, master_id, symbol, name, supply_policy)"
                    " VALUES (%s, 'master_share', %s, %s, %s, 'mintable') RETURNING id",
                    (p.organization_id, master, "S" + tag.upper()[:8], f"{title} shares"),
                )
            ).fetchone()
            or {}
        )["id"]
    return Master(t, artist, master, asset)


async def make_accounts(db: Database, m: Master, n: int) -> list[UUID]:
    """``n`` treasury accounts (holders need no user), in id order."""
    rows = await sql(
        db,
        m.owner,
        "INSERT INTO music_accounts (organization_id, kind, label)"
        " SELECT %s, 'treasury', 'holder ' || i FROM generate_series(1, %s) i RETURNING id",
        (m.org, n),
    )
    return sorted(r["id"] for r in rows)


async def mint(
    db: Database,
    m: Master,
    accounts: list[UUID],
    holdings: list[int],
    *,
    at: datetime | None = None,
    chain: int | None = None,
    block: int | None = None,
) -> None:
    """Mint ``holdings[i]`` to ``accounts[i]``: entries of at most LINES_PER_ENTRY holders, all
    entries in one statement and all their lines in one more (issuance −Σ, each holder +h)."""
    chunks = [
        (accounts[i : i + LINES_PER_ENTRY], holdings[i : i + LINES_PER_ENTRY])
        for i in range(0, len(accounts), LINES_PER_ENTRY)
    ]
    async with db.transaction(m.org, m.owner.user_id) as conn:
        issuance = (await (await conn.execute("SELECT music_issuance_account() AS id")).fetchone() or {})["id"]
        entries = [
            e["id"]
            for e in await (
                await conn.execute(
                    "INSERT INTO music_journal_entries (organization_id, kind, effective_at, chain_id, block_number)"
                    " SELECT %s, 'mint', coalesce(%s, now()), %s, %s FROM generate_series(1, %s) RETURNING id",
                    (m.org, at, chain, block, len(chunks)),
                )
            ).fetchall()
        ]
        entry_ids: list[UUID] = []
        line_nos: list[int] = []
        acc: list[UUID] = []
        amounts: list[int] = []
        for entry, (accs, hs) in zip(entries, chunks, strict=True):
            entry_ids += [entry] * (len(accs) + 1)
            line_nos += list(range(1, len(accs) + 2))
            acc += [issuance, *accs]
            amounts += [-sum(hs), *hs]
        await conn.execute(
            "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
            " SELECT %s, e, n, %s, a, x"
            " FROM unnest(%s::uuid[], %s::int[], %s::uuid[], %s::numeric[]) AS u (e, n, a, x)",
            (m.org, m.asset, entry_ids, line_nos, acc, amounts),
        )


async def transfer(db: Database, m: Master, src: UUID, dst: UUID, amount: int, *, at: datetime | None = None) -> None:
    async with db.transaction(m.org, m.owner.user_id) as conn:
        entry = (
            await (
                await conn.execute(
                    "INSERT INTO music_journal_entries (organization_id, kind, effective_at)"
                    " VALUES (%s, 'transfer', coalesce(%s, now())) RETURNING id",
                    (m.org, at),
                )
            ).fetchone()
            or {}
        )["id"]
        await conn.execute(
            "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
            " VALUES (%s, %s, 1, %s, %s, %s), (%s, %s, 2, %s, %s, %s)",
            (m.org, entry, m.asset, src, -amount, m.org, entry, m.asset, dst, amount),
        )


async def add_revenue(
    db: Database,
    m: Master,
    amounts: list[int],
    *,
    start: date = date(2026, 1, 1),
    end: date = date(2026, 2, 1),
    currency: str = "EUR",
    source: str = "spotify",
) -> None:
    await sql(
        db,
        m.owner,
        "INSERT INTO music_revenue_events (organization_id, master_id, source, external_id, period_start,"
        " period_end, amount, currency)"
        " SELECT %s, %s, %s, gen_random_uuid()::text, %s, %s, x, %s FROM unnest(%s::numeric[]) AS u (x)",
        (m.org, m.master, source, start, end, currency, amounts),
    )


async def sign_contract(db: Database, m: Master, investors_bps: int) -> UUID:
    """A signed contract: the artist gets 10,000 − investors_bps, the investors' pool the rest."""
    async with db.transaction(m.org, m.owner.user_id) as conn:
        contract = (
            await (
                await conn.execute(
                    "INSERT INTO music_contracts (organization_id, master_id, version) VALUES (%s, %s, 1) RETURNING id",
                    (m.org, m.master),
                )
            ).fetchone()
            or {}
        )["id"]
        await conn.execute(
            "INSERT INTO music_contract_splits (organization_id, contract_id, line_no, party, artist_id, bps)"
            " VALUES (%s, %s, 1, 'artist', %s, %s), (%s, %s, 2, 'investors', NULL, %s)",
            (m.org, contract, m.artist, 10_000 - investors_bps, m.org, contract, investors_bps),
        )
    await sql(db, m.owner, "SELECT music_sign_contract(%s)", (contract,))
    return UUID(str(contract))


def largest_remainder(d: int, holdings: dict[UUID, int]) -> dict[UUID, int]:
    """The reference allocation, in Python: floor(D·h/H) each, the leftover units one each to the
    largest D·h mod H, ties by account id."""
    total = sum(holdings.values())
    base = {a: d * h // total for a, h in holdings.items()}
    left = d - sum(base.values())
    order = sorted(holdings, key=lambda a: (-(d * holdings[a] % total), a))
    for a in order[:left]:
        base[a] += 1
    return base
