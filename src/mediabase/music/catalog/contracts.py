"""Versioned master contracts and their splits (0029_music_catalog.sql; docs/music-catalog.md).

A version is written as a draft with all its split lines in one transaction; at commit the
database refuses it unless the lines sum to exactly 10,000 basis points (the deferred constraint
trigger ``music_contract_splits_sum``). Signing (``music_sign_contract``) supersedes the version in
force in the same transaction; a signed version never changes. ADMINs write and sign contracts;
every member reads them.
"""

from __future__ import annotations

from collections import defaultdict
from uuid import UUID

from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.rows import Conn, Jsonb, by_id, class_row, fetch_one_or_404, lock_or_404
from mediabase.identity.models import Principal
from mediabase.music.catalog.models import Contract, ContractCreate, ContractUpdate, SplitLine
from mediabase.music.catalog.service import Q, require_admin

register_constraint(
    "music_contract_splits_sum",
    Invalid,
    "the splits of a contract version must sum to exactly 10,000 basis points",
    field="splits",
)
register_constraint("music_contract_splits_party_key", Conflict, "a party appears twice in the splits", field="splits")
register_constraint("music_contract_splits_artist_fk", NotFound, "no such artist", field="splits")
register_constraint("music_contract_splits_producer_fk", NotFound, "no such producer", field="splits")
register_constraint("music_contract_splits_bps_range", Invalid, "a split is 1 to 10,000 basis points", field="splits")
register_constraint(
    "music_contract_splits_party_target",
    Invalid,
    "a split line names exactly the reference of its party",
    field="splits",
)
register_constraint("music_contracts_master_fk", NotFound, "no such master", field="master_id")
register_constraint(
    "music_contracts_signed_immutable", Conflict, "a signed contract version cannot change: write a new version"
)
register_constraint("music_contracts_append_only", Conflict, "contract versions are never deleted")
register_constraint("music_contracts_version_gapless", Conflict, None, field="version")
register_constraint("music_contracts_sign_draft", Conflict, None, field="status")
register_constraint("music_contracts_sign_order", Conflict, None, field="version")
register_constraint("music_contracts_sign_found", NotFound, "contract not found")
register_constraint("music_contracts_one_signed", Conflict, "another version of this master is signed", field="status")


async def _with_splits(conn: Conn, org: UUID, contracts: list[Contract]) -> list[Contract]:
    if not contracts:
        return contracts
    cur = await conn.execute(Q.contract_splits, {"org": org, "contracts": [c.id for c in contracts]})
    lines: dict[UUID, list[SplitLine]] = defaultdict(list)
    for row in await cur.fetchall():
        contract = row.pop("contract_id")
        lines[contract].append(SplitLine.model_validate(row))
    return [c.model_copy(update={"splits": lines[c.id]}) for c in contracts]


async def _contract(conn: Conn, org: UUID, contract_id: UUID) -> Contract:
    c = await fetch_one_or_404(
        conn, by_id(Q.contract_columns), {"org": org, "id": contract_id}, "contract", model=Contract
    )
    return (await _with_splits(conn, org, [c]))[0]


async def _insert_splits(conn: Conn, org: UUID, contract_id: UUID, splits: list[SplitLine]) -> None:
    await conn.execute(
        Q.insert_splits,
        {
            "org": org,
            "contract": contract_id,
            "parties": [s.party.value for s in splits],
            "artists": [s.artist_id for s in splits],
            "producers": [s.producer_id for s in splits],
            "labels": [s.label_name for s in splits],
            "bps": [s.bps for s in splits],
        },
    )


def check_sum(splits: list[SplitLine]) -> None:
    """The database's rule, said before any SQL runs (the deferred trigger stays the guard)."""
    total = sum(s.bps for s in splits)
    if total != 10_000:
        raise Invalid(f"the splits must sum to exactly 10,000 basis points, not {total:,}", field="splits")


async def create_contract(db: Database, p: Principal, master_id: UUID, data: ContractCreate) -> Contract:
    """The master's next contract version, as a draft with its splits (ADMIN)."""
    require_admin(p, "write contracts")
    check_sum(data.splits)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await fetch_one_or_404(
            conn,
            Q.insert_contract,
            {
                "org": p.organization_id,
                "master": master_id,
                "terms": Jsonb(data.terms),
                "notes": data.notes,
                "user": p.user_id,
            },
            "contract",
        )
        await _insert_splits(conn, p.organization_id, row["id"], data.splits)
        return await _contract(conn, p.organization_id, row["id"])


async def update_contract(db: Database, p: Principal, contract_id: UUID, data: ContractUpdate) -> Contract:
    """Change a draft's terms, notes or splits (all lines replaced) (ADMIN); a signed version is
    refused (409)."""
    require_admin(p, "change contracts")
    changes = data.model_dump(exclude_unset=True)
    if "splits" in changes and data.splits is None:
        raise Invalid("splits cannot be cleared", field="splits")
    if data.splits is not None:
        check_sum(data.splits)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, Q.lock_contract, p.organization_id, contract_id, "contract")
        if row["status"] != "draft":
            raise Conflict(
                f"the contract version is {row['status']}: it cannot change (write a new version)", field="status"
            )
        if "terms" in changes or "notes" in changes:
            await conn.execute(
                Q.update_contract,
                {
                    "org": p.organization_id,
                    "id": contract_id,
                    "terms": Jsonb(data.terms) if data.terms is not None else None,
                    "set_notes": "notes" in changes,
                    "notes": data.notes,
                },
            )
        if data.splits is not None:
            await conn.execute(Q.delete_splits, {"org": p.organization_id, "contract": contract_id})
            await _insert_splits(conn, p.organization_id, contract_id, data.splits)
        return await _contract(conn, p.organization_id, contract_id)


async def sign_contract(db: Database, p: Principal, contract_id: UUID) -> Contract:
    """Sign a draft (ADMIN): the version in force becomes superseded in the same transaction."""
    require_admin(p, "sign contracts")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_one_or_404(conn, Q.sign_contract, {"id": contract_id}, "contract")
    # read in a transaction of its own: music_sign_contract wrote as its owner (SECURITY DEFINER),
    # and on Citus one transaction reaches a tenant's shards as one role (docs/scale-out.md)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await _contract(conn, p.organization_id, contract_id)


async def get_contract(db: Database, p: Principal, contract_id: UUID) -> Contract:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _contract(conn, p.organization_id, contract_id)


async def list_contracts(db: Database, p: Principal, master_id: UUID) -> list[Contract]:
    """Every version of the master's contract, oldest first, with its splits."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_one_or_404(conn, by_id(Q.master_columns), {"org": p.organization_id, "id": master_id}, "master")
        cur = conn.cursor(row_factory=class_row(Contract))
        rows = await (await cur.execute(Q.list_contracts, {"org": p.organization_id, "master": master_id})).fetchall()
        return await _with_splits(conn, p.organization_id, rows)


async def contract_in_force(db: Database, p: Principal, master_id: UUID) -> Contract:
    """The master's signed version (404 when none is signed yet)."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Contract))
        row = await (await cur.execute(Q.contract_in_force, {"org": p.organization_id, "master": master_id})).fetchone()
        if row is None:
            raise NotFound("the master has no signed contract")
        return (await _with_splits(conn, p.organization_id, [row]))[0]
