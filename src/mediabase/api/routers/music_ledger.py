"""The music marketplace: the ownership ledger (assets, accounts, journal entries, balances, cap
tables, the verifier), IPOs and their allocations, artist coins and liquidity (docs/music-ledger.md).

Quantities are decimal strings in JSON (uint256 does not fit a JavaScript number); a JSON integer
is accepted on input too."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.music.ledger import offerings
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import (
    Account,
    AccountOpen,
    Allocation,
    AllocationCreate,
    Asset,
    AssetCreate,
    AssetKind,
    Balance,
    CapTable,
    Coin,
    CoinCreate,
    Entry,
    EntryCreate,
    EntryKind,
    Ipo,
    IpoCreate,
    IpoStatus,
    IpoUpdate,
    LedgerProblem,
    Movement,
    Reversal,
    Snapshot,
    SnapshotCreate,
)

router = APIRouter(tags=["music"])
Limit = Annotated[int, Query(ge=1, le=1000)]
Block = Annotated[int | None, Query(ge=0, le=2**62, description="A block number (with chain_id)")]
ChainId = Annotated[int | None, Query(ge=0, le=2**62, description="The chain of the block")]


# -- assets and accounts ----------------------------------------------------------------------------


@router.get("/music/assets", summary="Ledger assets: master shares and coins")
async def list_assets(db: DbDep, p: PrincipalDep, kind: AssetKind | None = None) -> list[Asset]:
    return await ledger.list_assets(db, p, kind)


@router.post("/music/assets", status_code=status.HTTP_201_CREATED, summary="Create a ledger asset (ADMIN)")
async def create_asset(db: DbDep, p: PrincipalDep, data: AssetCreate) -> Asset:
    return await ledger.create_asset(db, p, data)


@router.get("/music/assets/{asset_id}", summary="An asset with its minted, burned and outstanding supply")
async def get_asset(db: DbDep, p: PrincipalDep, asset_id: UUID) -> Asset:
    return await ledger.get_asset(db, p, asset_id)


@router.get(
    "/music/assets/{asset_id}/cap-table",
    summary="An asset's holders and their shares: now, at an instant (at) or at a block",
)
async def cap_table(
    db: DbDep,
    p: PrincipalDep,
    asset_id: UUID,
    at: datetime | None = None,
    chain_id: ChainId = None,
    block: Block = None,
) -> CapTable:
    return await ledger.cap_table(db, p, asset_id, at=at, chain_id=chain_id, block=block)


@router.post("/music/accounts", summary="Get or create the account of a member (user_id) or an address (ADMIN)")
async def open_account(db: DbDep, p: PrincipalDep, data: AccountOpen) -> Account:
    return await ledger.open_account(db, p, data)


@router.get("/music/accounts/{account_id}", summary="An account")
async def get_account(db: DbDep, p: PrincipalDep, account_id: UUID) -> Account:
    return await ledger.get_account(db, p, account_id)


@router.get("/music/accounts/{account_id}/balances", summary="What an account holds, per asset")
async def balances(db: DbDep, p: PrincipalDep, account_id: UUID) -> list[Balance]:
    return await ledger.balances(db, p, account_id)


# -- journal ----------------------------------------------------------------------------------------


@router.post("/music/mint", status_code=status.HTTP_201_CREATED, summary="Mint to an account (ADMIN)")
async def mint(db: DbDep, p: PrincipalDep, data: Movement) -> Entry:
    return await ledger.move(db, p, EntryKind.mint, data)


@router.post("/music/transfer", status_code=status.HTTP_201_CREATED, summary="Transfer between accounts (ADMIN)")
async def transfer(db: DbDep, p: PrincipalDep, data: Movement) -> Entry:
    return await ledger.move(db, p, EntryKind.transfer, data)


@router.post("/music/burn", status_code=status.HTTP_201_CREATED, summary="Burn from an account (ADMIN)")
async def burn(db: DbDep, p: PrincipalDep, data: Movement) -> Entry:
    return await ledger.move(db, p, EntryKind.burn, data)


@router.post(
    "/music/entries", status_code=status.HTTP_201_CREATED, summary="Post a balanced entry, e.g. a correction (ADMIN)"
)
async def post_entry(db: DbDep, p: PrincipalDep, data: EntryCreate) -> Entry:
    return await ledger.post_entry(db, p, data)


@router.get("/music/entries", summary="The newest journal entries (of an asset or account)")
async def list_entries(
    db: DbDep, p: PrincipalDep, asset_id: UUID | None = None, account_id: UUID | None = None, limit: Limit = 50
) -> list[Entry]:
    return await ledger.list_entries(db, p, asset_id=asset_id, account_id=account_id, limit=limit)


@router.get("/music/entries/{entry_id}", summary="A journal entry with its lines")
async def get_entry(db: DbDep, p: PrincipalDep, entry_id: UUID) -> Entry:
    return await ledger.get_entry(db, p, entry_id)


@router.post(
    "/music/entries/{entry_id}/reverse",
    status_code=status.HTTP_201_CREATED,
    summary="Reverse an entry by a new one (ADMIN; once per entry)",
)
async def reverse(db: DbDep, p: PrincipalDep, entry_id: UUID, data: Reversal) -> Entry:
    return await ledger.reverse(db, p, entry_id, data.memo)


@router.get("/music/ledger/verify", summary="Balances and supplies recomputed from the journal: [] = consistent")
async def verify(db: DbDep, p: PrincipalDep) -> list[LedgerProblem]:
    return await ledger.verify(db, p)


# -- IPOs -------------------------------------------------------------------------------------------


@router.get("/music/ipos", summary="IPOs, newest first")
async def list_ipos(
    db: DbDep,
    p: PrincipalDep,
    master_id: UUID | None = None,
    status_: Annotated[IpoStatus | None, Query(alias="status")] = None,
) -> list[Ipo]:
    return await offerings.list_ipos(db, p, master_id=master_id, status=status_)


@router.post(
    "/music/ipos",
    status_code=status.HTTP_201_CREATED,
    summary="Issue an IPO of a master's shares: its supply is minted to its treasury (ADMIN)",
)
async def create_ipo(db: DbDep, p: PrincipalDep, data: IpoCreate) -> Ipo:
    return await offerings.create_ipo(db, p, data)


@router.get("/music/ipos/{ipo_id}", summary="An IPO")
async def get_ipo(db: DbDep, p: PrincipalDep, ipo_id: UUID) -> Ipo:
    return await offerings.get_ipo(db, p, ipo_id)


@router.patch("/music/ipos/{ipo_id}", summary="Open, close or cancel an IPO, or move its window (ADMIN)")
async def update_ipo(db: DbDep, p: PrincipalDep, ipo_id: UUID, data: IpoUpdate) -> Ipo:
    return await offerings.update_ipo(db, p, ipo_id, data)


@router.post(
    "/music/ipos/{ipo_id}/allocations",
    status_code=status.HTTP_201_CREATED,
    summary="Allocate shares to a buyer while the IPO is open (ADMIN)",
)
async def allocate(db: DbDep, p: PrincipalDep, ipo_id: UUID, data: AllocationCreate) -> Allocation:
    return await offerings.allocate(db, p, ipo_id, data)


@router.get("/music/ipos/{ipo_id}/allocations", summary="An IPO's allocations, oldest first")
async def list_allocations(db: DbDep, p: PrincipalDep, ipo_id: UUID) -> list[Allocation]:
    return await offerings.list_allocations(db, p, ipo_id)


# -- coins and liquidity ----------------------------------------------------------------------------


@router.get("/music/coins", summary="Artist coins")
async def list_coins(db: DbDep, p: PrincipalDep, artist_id: UUID | None = None) -> list[Coin]:
    return await offerings.list_coins(db, p, artist_id)


@router.post("/music/coins", status_code=status.HTTP_201_CREATED, summary="Create an artist coin (ADMIN)")
async def create_coin(db: DbDep, p: PrincipalDep, data: CoinCreate) -> Coin:
    return await offerings.create_coin(db, p, data)


@router.get("/music/coins/{coin_id}", summary="A coin")
async def get_coin(db: DbDep, p: PrincipalDep, coin_id: UUID) -> Coin:
    return await offerings.get_coin(db, p, coin_id)


@router.post(
    "/music/coins/{coin_id}/liquidity",
    status_code=status.HTTP_201_CREATED,
    summary="Record a pool's reserves at an instant (ADMIN)",
)
async def add_snapshot(db: DbDep, p: PrincipalDep, coin_id: UUID, data: SnapshotCreate) -> Snapshot:
    return await offerings.add_snapshot(db, p, coin_id, data)


@router.get("/music/coins/{coin_id}/liquidity", summary="The latest snapshot of each of the coin's pools")
async def latest_snapshots(db: DbDep, p: PrincipalDep, coin_id: UUID) -> list[Snapshot]:
    return await offerings.latest_snapshots(db, p, coin_id)


@router.get("/music/coins/{coin_id}/prices", summary="The coin's snapshots in [since, until), oldest first")
async def price_series(
    db: DbDep,
    p: PrincipalDep,
    coin_id: UUID,
    since: datetime,
    until: datetime,
    pool: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 1000,
) -> list[Snapshot]:
    return await offerings.price_series(db, p, coin_id, since, until, pool=pool, limit=limit)
