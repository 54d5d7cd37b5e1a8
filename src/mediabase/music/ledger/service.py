"""The music ledger's services over 0028's double-entry journal: assets, accounts, entries (mint,
transfer, burn, corrections, reversals), balances, cap tables and the verifier (docs/music-ledger.md).

Every function runs in the caller's tenant on the application pool (row-level security applies).
MEMBERs read; ADMINs (and OWNERs) create assets and post entries. The invariants live in the
database: an entry's lines sum to zero per asset, balances never go negative, minted never passes
a fixed supply's maximum; these functions check roles and references, turn requests into one
entry row and ONE statement of lines, and let a violated constraint surface as its domain error.
Cap tables, holdings at an instant or block and the verifier are analytics reads: read-only
transactions, which the replica routing may send to a replica.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, sql
from mediabase.identity.models import Principal, Role
from mediabase.music.ledger.models import (
    Account,
    AccountKind,
    AccountOpen,
    Asset,
    AssetCreate,
    AssetKind,
    Balance,
    CapTable,
    CapTableRow,
    Entry,
    EntryCreate,
    EntryKind,
    LedgerProblem,
    Line,
    Movement,
)

Q = load_queries("mediabase.music.ledger", "queries.sql")

# 0028's constraints (the spine's names), as a user should read them.
register_constraint(
    "music_balances_nonnegative", Conflict, "insufficient balance: no balance may go negative", field="quantity"
)
register_constraint(
    "music_journal_lines_balanced", Invalid, "the lines of an entry sum to zero per asset", field="lines"
)
register_constraint(
    "music_assets_supply_cap", Conflict, "the asset's fixed supply (max_supply) would be exceeded", field="quantity"
)
register_constraint("music_journal_entries_reverses_fk", NotFound, "no such journal entry", field="entry_id")
register_constraint(
    "music_journal_entries_reversal_of_reversal",
    Conflict,
    "a reversal is not reversed: post a correction instead",
    field="entry_id",
)
register_constraint(
    "music_journal_entries_idempotency_key", Conflict, "this idempotency key was used already", field="idempotency_key"
)
register_constraint("music_assets_symbol_key", Conflict, "an asset with this symbol exists", field="symbol")
register_constraint("music_assets_master_key", Conflict, "the master has a share asset already", field="master_id")
register_constraint("music_journal_lines_account_fk", NotFound, "no such account in this organization", field="lines")
register_constraint("music_journal_lines_asset_fk", NotFound, "no such asset in this organization", field="lines")
register_constraint("music_journal_entries_have_lines", Invalid, "a journal entry needs lines", field="lines")
register_constraint("music_journal_entries_reverses_key", Conflict, "the entry was reversed already", field="entry_id")


def require_admin(p: Principal, what: str) -> None:
    if not p.can(Role.ADMIN):
        raise Forbidden(f"only an ADMIN may {what}")


# -- assets -----------------------------------------------------------------------------------------


async def _asset(conn: Conn, org: UUID, asset_id: UUID) -> Asset:
    return await fetch_one_or_404(conn, by_id(Q.asset_columns), {"org": org, "id": asset_id}, "asset", model=Asset)


async def insert_asset(conn: Conn, p: Principal, data: AssetCreate) -> UUID:
    row = await fetch_one_or_404(
        conn,
        Q.insert_asset,
        {
            **data.model_dump(),
            "org": p.organization_id,
            "kind": data.kind.value,
            "supply_policy": data.supply_policy.value,
            "max_supply": data.max_supply,
        },
        "asset",
    )
    asset_id: UUID = row["id"]
    return asset_id


async def create_asset(db: Database, p: Principal, data: AssetCreate) -> Asset:
    """A ledger asset: a master's shares or an artist's coin (ADMIN)."""
    require_admin(p, "create assets")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _asset(conn, p.organization_id, await insert_asset(conn, p, data))


async def list_assets(db: Database, p: Principal, kind: AssetKind | None = None) -> list[Asset]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Asset))
        return await (
            await cur.execute(Q.list_assets, {"org": p.organization_id, "kind": kind.value if kind else None})
        ).fetchall()


async def get_asset(db: Database, p: Principal, asset_id: UUID) -> Asset:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _asset(conn, p.organization_id, asset_id)


# -- accounts ---------------------------------------------------------------------------------------


async def _account(conn: Conn, org: UUID, account_id: UUID) -> Account:
    return await fetch_one_or_404(
        conn, by_id(Q.account_columns), {"org": org, "id": account_id}, "account", model=Account
    )


async def account_for(conn: Conn, p: Principal, *, user_id: UUID | None = None, address: str | None = None) -> UUID:
    """A member's or an address's account, created on first use."""
    if user_id is not None:
        member = await (
            await conn.execute(
                "SELECT 1 FROM memberships WHERE organization_id = %(org)s AND user_id = %(user)s",
                {"org": p.organization_id, "user": user_id},
            )
        ).fetchone()
        if member is None:
            raise NotFound("no such member of this organization", field="user_id")
        row = await fetch_one_or_404(conn, Q.user_account, {"user": user_id}, "account")
    elif address is not None:
        row = await fetch_one_or_404(conn, Q.address_account, {"address": address}, "account")
    else:
        raise Invalid("name a user_id or an address", field="user_id")
    account_id: UUID = row["id"]
    return account_id


async def open_account(db: Database, p: Principal, data: AccountOpen) -> Account:
    """Get or create the account of a member or of a chain address (ADMIN)."""
    require_admin(p, "open accounts")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        account_id = await account_for(conn, p, user_id=data.user_id, address=data.address)
        return await _account(conn, p.organization_id, account_id)


async def get_account(db: Database, p: Principal, account_id: UUID) -> Account:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _account(conn, p.organization_id, account_id)


async def issuance_account(conn: Conn) -> UUID:
    row = await fetch_one_or_404(conn, Q.issuance_account, {}, "account")
    account_id: UUID = row["id"]
    return account_id


# -- journal ----------------------------------------------------------------------------------------


async def _entry(conn: Conn, org: UUID, entry_id: UUID) -> Entry:
    entry = await fetch_one_or_404(conn, by_id(Q.entry_columns), {"org": org, "id": entry_id}, "entry", model=Entry)
    cur = conn.cursor(row_factory=class_row(Line))
    entry.lines = await (await cur.execute(Q.entry_lines, {"org": org, "id": entry_id})).fetchall()
    return entry


def lines_sql(n: int) -> sql.Composed:
    """ONE ``INSERT`` of an entry's ``n`` lines (0028: all lines of an entry in one statement), as
    multi-row VALUES: on Citus a router insert (an ``INSERT … SELECT FROM unnest()`` goes through
    the coordinator as COPY, which row-level security refuses)."""
    row = sql.SQL("(%s, %s, %s, %s, %s, %s::numeric)")
    return sql.SQL(
        "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount) VALUES {}"
    ).format(sql.SQL(", ").join([row] * n))


async def post(
    conn: Conn,
    p: Principal,
    kind: EntryKind,
    lines: list[tuple[UUID, UUID, int]],
    *,
    memo: str | None = None,
    effective_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> tuple[UUID, bool]:
    """Post one entry of ``lines`` (asset, account, amount): its row, then its lines in ONE
    statement. Returns (entry id, whether it is new): with an idempotency key already used, the
    first entry's id and nothing posted."""
    row = await (
        await conn.execute(
            Q.insert_entry,
            {
                "org": p.organization_id,
                "kind": kind.value,
                "effective_at": effective_at,
                "memo": memo,
                "key": idempotency_key,
                "user": p.user_id,
            },
        )
    ).fetchone()
    if row is None:
        found = await fetch_one_or_404(
            conn, Q.entry_by_key, {"org": p.organization_id, "key": idempotency_key}, "entry"
        )
        existing: UUID = found["id"]
        return existing, False
    entry_id: UUID = row["id"]
    params: list[Any] = []
    for n, (asset, account, amount) in enumerate(lines, start=1):
        params += [p.organization_id, entry_id, n, asset, account, amount]
    await conn.execute(lines_sql(len(lines)), params)
    return entry_id, True


async def _check_refs(conn: Conn, p: Principal, assets: set[UUID], accounts: set[UUID]) -> dict[UUID, dict[str, Any]]:
    """Assets and accounts of this tenant (another's, or a made-up id, is a 404 naming the field)."""
    found = await (
        await conn.execute(
            "SELECT id FROM music_assets WHERE organization_id = %(org)s AND id = ANY (%(ids)s::uuid[])",
            {"org": p.organization_id, "ids": list(assets)},
        )
    ).fetchall()
    if len(found) != len(assets):
        raise NotFound("asset not found", field="asset_id")
    rows = await (await conn.execute(Q.accounts_kinds, {"org": p.organization_id, "ids": list(accounts)})).fetchall()
    if len(rows) != len(accounts):
        raise NotFound("account not found", field="account_id")
    return {r["id"]: r for r in rows}


async def _replayed(conn: Conn, p: Principal, key: str | None) -> Entry | None:
    if key is None:
        return None
    row = await (await conn.execute(Q.entry_by_key, {"org": p.organization_id, "key": key})).fetchone()
    return None if row is None else await _entry(conn, p.organization_id, row["id"])


async def move(db: Database, p: Principal, kind: EntryKind, data: Movement) -> Entry:
    """A mint (issuance → ``to``), a burn (``from`` → issuance) or a transfer (``from`` → ``to``) of
    ``quantity`` (ADMIN). A replay of an idempotency key returns the first entry and moves nothing.
    An IPO's treasury moves by allocations only; the issuance account by mints and burns only."""
    require_admin(p, f"{kind.value} assets")
    need_from = kind in (EntryKind.burn, EntryKind.transfer)
    need_to = kind in (EntryKind.mint, EntryKind.transfer)
    for name, given, needed in (
        ("from_account_id", data.from_account_id, need_from),
        ("to_account_id", data.to_account_id, need_to),
    ):
        if needed and given is None:
            raise Invalid(f"a {kind.value} names {name}", field=name)
        if not needed and given is not None:
            raise Invalid(f"a {kind.value} has no {name}", field=name)
    if kind is EntryKind.transfer and data.from_account_id == data.to_account_id:
        raise Invalid("a transfer goes to another account", field="to_account_id")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if (replay := await _replayed(conn, p, data.idempotency_key)) is not None:
            return replay
        named = {a for a in (data.from_account_id, data.to_account_id) if a is not None}
        kinds = await _check_refs(conn, p, {data.asset_id}, named)
        for field, account in (("from_account_id", data.from_account_id), ("to_account_id", data.to_account_id)):
            if account is None:
                continue
            if kinds[account]["kind"] == AccountKind.issuance:
                raise Invalid("the issuance account moves by mints and burns only", field=field)
            if field == "from_account_id" and kinds[account]["ipo_treasury"]:
                raise Invalid("an IPO's treasury moves by allocations only", field=field)
        issuance = await issuance_account(conn)
        source = data.from_account_id or issuance
        target = data.to_account_id or issuance
        entry_id, _ = await post(
            conn,
            p,
            kind,
            [(data.asset_id, source, -data.quantity), (data.asset_id, target, data.quantity)],
            memo=data.memo,
            effective_at=data.effective_at,
            idempotency_key=data.idempotency_key,
        )
        return await _entry(conn, p.organization_id, entry_id)


async def post_entry(db: Database, p: Principal, data: EntryCreate) -> Entry:
    """A balanced entry of any lines (a correction, by default) (ADMIN). Lines that touch the
    issuance account mint or burn; the database refuses what does not sum to zero per asset or
    would take a balance below zero."""
    require_admin(p, "post journal entries")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if (replay := await _replayed(conn, p, data.idempotency_key)) is not None:
            return replay
        await _check_refs(conn, p, {line.asset_id for line in data.lines}, {line.account_id for line in data.lines})
        entry_id, _ = await post(
            conn,
            p,
            data.kind,
            [(line.asset_id, line.account_id, line.amount) for line in data.lines],
            memo=data.memo,
            effective_at=data.effective_at,
            idempotency_key=data.idempotency_key,
        )
        return await _entry(conn, p.organization_id, entry_id)


async def reverse(db: Database, p: Principal, entry_id: UUID, memo: str | None = None) -> Entry:
    """A new entry that negates ``entry_id`` line by line (at most once per entry) (ADMIN)."""
    require_admin(p, "reverse journal entries")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_one_or_404(
            conn, by_id("SELECT id FROM music_journal_entries"), {"org": p.organization_id, "id": entry_id}, "entry"
        )
        row = await fetch_one_or_404(conn, Q.reverse_entry, {"id": entry_id, "memo": memo}, "entry")
        return await _entry(conn, p.organization_id, row["id"])


async def get_entry(db: Database, p: Principal, entry_id: UUID) -> Entry:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _entry(conn, p.organization_id, entry_id)


async def list_entries(
    db: Database, p: Principal, *, asset_id: UUID | None = None, account_id: UUID | None = None, limit: int = 50
) -> list[Entry]:
    """The newest entries (without their lines), of an asset or an account when asked."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Entry))
        return await (
            await cur.execute(
                Q.list_entries, {"org": p.organization_id, "asset": asset_id, "account": account_id, "limit": limit}
            )
        ).fetchall()


# -- balances, cap tables, verify (analytics reads) ---------------------------------------------------


async def balances(db: Database, p: Principal, account_id: UUID) -> list[Balance]:
    """What an account holds, per asset (non-zero balances)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _account(conn, p.organization_id, account_id)
        cur = conn.cursor(row_factory=class_row(Balance))
        return await (
            await cur.execute(Q.account_balances, {"org": p.organization_id, "account": account_id})
        ).fetchall()


async def cap_table(
    db: Database,
    p: Principal,
    asset_id: UUID,
    *,
    at: datetime | None = None,
    chain_id: int | None = None,
    block: int | None = None,
) -> CapTable:
    """An asset's holders and their shares: now (the maintained balances), at an instant or at a
    chain's block (recomputed from the journal). A read-only transaction (replica routing)."""
    if (chain_id is None) != (block is None):
        raise Invalid("a block is named with its chain_id", field="block" if block is None else "chain_id")
    if at is not None and block is not None:
        raise Invalid("name an instant or a block, not both", field="at")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        asset = await _asset(conn, p.organization_id, asset_id)
        cur = conn.cursor(row_factory=class_row(CapTableRow))
        params: dict[str, Any] = {"org": p.organization_id, "asset": asset_id}
        if at is not None:
            rows = await (await cur.execute(Q.cap_table_at, {**params, "at": at})).fetchall()
        elif block is not None:
            rows = await (
                await cur.execute(Q.cap_table_at_block, {**params, "chain": chain_id, "block": block})
            ).fetchall()
        else:
            rows = await (await cur.execute(Q.cap_table, {**params, "outstanding": asset.outstanding})).fetchall()
        outstanding = asset.outstanding if at is None and block is None else sum(r.quantity for r in rows)
        return CapTable(
            asset_id=asset.id, symbol=asset.symbol, outstanding=outstanding, at=at, block=block, holders=rows
        )


async def verify(db: Database, p: Principal) -> list[LedgerProblem]:
    """Balances and supplies recomputed from the journal and compared (0028's verifier); an empty
    list means the ledger is consistent."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await (await conn.execute(Q.verify)).fetchall()
    return [
        LedgerProblem(
            asset_id=r["asset_id"],
            account_id=r["account_id"],
            problem=r["problem"],
            expected=_dec(r["expected"]),
            actual=_dec(r["actual"]),
        )
        for r in rows
    ]


def _dec(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)
