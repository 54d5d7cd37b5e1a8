"""What is offered on the music ledger (0030): IPOs of a master's shares and their allocations,
artist coins and their liquidity snapshots (docs/music-ledger.md).

The journal entries of an offering are the database's: inserting an IPO mints its supply into a
treasury account of its own, inserting an allocation moves shares treasury → buyer under the
IPO's row lock, canceling burns the supply (0030's triggers). These functions check roles, find
or create the master's share asset, and read the rows back.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404, update_columns
from mediabase.identity.models import Principal
from mediabase.music.ledger.models import (
    Allocation,
    AllocationCreate,
    AssetCreate,
    AssetKind,
    Coin,
    CoinCreate,
    EntryKind,
    Ipo,
    IpoCreate,
    IpoStatus,
    IpoUpdate,
    Snapshot,
    SnapshotCreate,
    SupplyPolicy,
)
from mediabase.music.ledger.service import Q, account_for, insert_asset, issuance_account, post, require_admin

register_constraint("music_ipos_one_open", Conflict, "the master has an open IPO already", field="status")
register_constraint(
    "music_ipos_allocated_within_supply",
    Conflict,
    "the allocation exceeds the IPO's remaining supply",
    field="quantity",
)
register_constraint(
    "music_ipos_canceled_unallocated", Conflict, "an IPO with allocations cannot be canceled", field="status"
)
register_constraint("music_ipos_status_transition", Conflict, None, field="status")
register_constraint("music_ipos_window", Invalid, "opens_at is before closes_at", field="closes_at")
register_constraint(
    "music_ipos_window_fixed", Conflict, "an IPO's window changes only while it is scheduled", field="opens_at"
)
register_constraint(
    "music_ipos_asset_of_master", Invalid, "the asset of an IPO is its master's share asset", field="asset_id"
)
register_constraint("music_ipos_master_fk", NotFound, "no such master", field="master_id")
register_constraint("music_ipos_immutable", Invalid, None)
register_constraint("music_ipo_allocations_while_open", Conflict, None, field="ipo_id")
register_constraint(
    "music_ipo_allocations_buyer",
    Invalid,
    "shares are allocated to a buyer's account, not to an issuance or treasury account",
    field="account_id",
)
register_constraint("music_ipo_allocations_ipo_fk", NotFound, "no such IPO", field="ipo_id")
register_constraint("music_ipo_allocations_account_fk", NotFound, "no such account", field="account_id")
register_constraint("music_coins_artist_fk", NotFound, "no such artist", field="artist_id")
register_constraint("music_coins_asset_key", Conflict, "the asset is another coin's already", field="asset_id")
register_constraint(
    "music_coins_asset_is_coin", Invalid, "a coin's asset is of kind coin and of its artist", field="asset_id"
)
register_constraint("music_coins_immutable", Invalid, None)
register_constraint(
    "music_liquidity_snapshots_pkey", Conflict, "the pool has a snapshot at this instant already", field="observed_at"
)
register_constraint("music_liquidity_snapshots_coin_fk", NotFound, "no such coin", field="coin_id")


# -- IPOs -------------------------------------------------------------------------------------------


async def _ipo(conn: Conn, org: UUID, ipo_id: UUID) -> Ipo:
    return await fetch_one_or_404(conn, by_id(Q.ipo_columns), {"org": org, "id": ipo_id}, "IPO", model=Ipo)


async def create_ipo(db: Database, p: Principal, data: IpoCreate) -> Ipo:
    """Issue an IPO of a master's shares (ADMIN): total_supply minted to a treasury account of the
    IPO's own, in the same transaction. The master's share asset is created when it has none (a
    fixed supply of total_supply, so no later offering dilutes it unless the asset is mintable)."""
    require_admin(p, "issue IPOs")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        master = await (
            await conn.execute(
                "SELECT id FROM music_masters WHERE organization_id = %(org)s AND id = %(id)s",
                {"org": p.organization_id, "id": data.master_id},
            )
        ).fetchone()
        if master is None:
            raise NotFound("master not found", field="master_id")
        row = await (
            await conn.execute(Q.master_share_asset, {"org": p.organization_id, "master": data.master_id})
        ).fetchone()
        if row is not None:
            asset_id: UUID = row["id"]
        else:
            if data.symbol is None or data.name is None:
                raise Invalid("the master has no share asset yet: give its symbol and name", field="symbol")
            asset_id = await insert_asset(
                conn,
                p,
                AssetCreate(
                    kind=AssetKind.master_share,
                    symbol=data.symbol,
                    name=data.name,
                    master_id=data.master_id,
                    supply_policy=SupplyPolicy.fixed,
                    max_supply=data.total_supply,
                ),
            )
        row = await fetch_one_or_404(
            conn,
            Q.insert_ipo,
            {
                **data.model_dump(exclude={"open_now", "symbol", "name"}),
                "org": p.organization_id,
                "asset": asset_id,
                "status": IpoStatus.open.value if data.open_now else IpoStatus.scheduled.value,
                "user": p.user_id,
            },
            "IPO",
        )
        return await _ipo(conn, p.organization_id, row["id"])


async def list_ipos(
    db: Database, p: Principal, *, master_id: UUID | None = None, status: IpoStatus | None = None
) -> list[Ipo]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Ipo))
        return await (
            await cur.execute(
                Q.list_ipos, {"org": p.organization_id, "master": master_id, "status": status.value if status else None}
            )
        ).fetchall()


async def get_ipo(db: Database, p: Principal, ipo_id: UUID) -> Ipo:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _ipo(conn, p.organization_id, ipo_id)


async def update_ipo(db: Database, p: Principal, ipo_id: UUID, data: IpoUpdate) -> Ipo:
    """Open, close or cancel an IPO, or move its window while scheduled (ADMIN). Closing keeps the
    unallocated remainder in the IPO's treasury (the issuer's shares); canceling (only without
    allocations) burns the supply."""
    require_admin(p, "change IPOs")
    changes = data.model_dump(exclude_unset=True)
    for name in ("status", "opens_at", "closes_at"):
        if name in changes and changes[name] is None:
            raise Invalid(f"{name} cannot be cleared", field=name)
    if "status" in changes:
        changes["status"] = changes["status"].value
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await lock_or_404(conn, Q.lock_ipo, p.organization_id, ipo_id, "IPO")
        await update_columns(
            conn, "music_ipos", p.organization_id, ipo_id, changes, ("status", "opens_at", "closes_at")
        )
        return await _ipo(conn, p.organization_id, ipo_id)


async def allocate(db: Database, p: Principal, ipo_id: UUID, data: AllocationCreate) -> Allocation:
    """Sell ``quantity`` shares to a buyer (ADMIN): one journal entry treasury → buyer, only while
    the IPO is open, never beyond its supply (concurrent allocations take turns on the IPO's row)."""
    require_admin(p, "allocate IPO shares")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        if data.account_id is not None:
            account_id = data.account_id
        else:
            account_id = await account_for(conn, p, user_id=data.user_id, address=data.address)
        cur = conn.cursor(row_factory=class_row(Allocation))
        row = await (
            await cur.execute(
                Q.insert_allocation,
                {
                    "org": p.organization_id,
                    "ipo": ipo_id,
                    "account": account_id,
                    "quantity": data.quantity,
                    "user": p.user_id,
                },
            )
        ).fetchone()
        assert row is not None
        return row


async def list_allocations(db: Database, p: Principal, ipo_id: UUID) -> list[Allocation]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _ipo(conn, p.organization_id, ipo_id)
        cur = conn.cursor(row_factory=class_row(Allocation))
        return await (await cur.execute(Q.list_allocations, {"org": p.organization_id, "ipo": ipo_id})).fetchall()


# -- coins ------------------------------------------------------------------------------------------


async def _coin(conn: Conn, org: UUID, coin_id: UUID) -> Coin:
    return await fetch_one_or_404(conn, by_id(Q.coin_columns, "c"), {"org": org, "id": coin_id}, "coin", model=Coin)


async def create_coin(db: Database, p: Principal, data: CoinCreate) -> Coin:
    """An artist's coin (ADMIN): a ledger asset of kind coin with a fixed or mintable supply; an
    ``initial_supply`` is minted to a treasury account of the coin at once (one entry)."""
    require_admin(p, "create coins")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        artist = await (
            await conn.execute(
                "SELECT id FROM music_artists WHERE organization_id = %(org)s AND id = %(id)s",
                {"org": p.organization_id, "id": data.artist_id},
            )
        ).fetchone()
        if artist is None:
            raise NotFound("artist not found", field="artist_id")
        asset_id = await insert_asset(
            conn,
            p,
            AssetCreate(
                kind=AssetKind.coin,
                symbol=data.symbol,
                name=data.name,
                artist_id=data.artist_id,
                decimals=data.decimals,
                supply_policy=data.supply_policy,
                max_supply=data.max_supply,
            ),
        )
        row = await fetch_one_or_404(
            conn,
            Q.insert_coin,
            {
                "org": p.organization_id,
                "artist_id": data.artist_id,
                "asset": asset_id,
                "name": data.name,
                "description": data.description,
                "user": p.user_id,
            },
            "coin",
        )
        if data.initial_supply is not None:
            treasury = await fetch_one_or_404(
                conn, Q.insert_treasury, {"org": p.organization_id, "label": f"coin {data.symbol}"}, "account"
            )
            await post(
                conn,
                p,
                EntryKind.mint,
                [
                    (asset_id, await issuance_account(conn), -data.initial_supply),
                    (asset_id, treasury["id"], data.initial_supply),
                ],
                memo=f"coin {data.symbol}: initial supply",
            )
        return await _coin(conn, p.organization_id, row["id"])


async def list_coins(db: Database, p: Principal, artist_id: UUID | None = None) -> list[Coin]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Coin))
        return await (await cur.execute(Q.list_coins, {"org": p.organization_id, "artist": artist_id})).fetchall()


async def get_coin(db: Database, p: Principal, coin_id: UUID) -> Coin:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _coin(conn, p.organization_id, coin_id)


# -- liquidity --------------------------------------------------------------------------------------


async def add_snapshot(db: Database, p: Principal, coin_id: UUID, data: SnapshotCreate) -> Snapshot:
    """A pool's reserves of the coin and its quote token at an instant (ADMIN); the price is the
    database's (a generated column)."""
    require_admin(p, "record liquidity")
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _coin(conn, p.organization_id, coin_id)
        cur = conn.cursor(row_factory=class_row(Snapshot))
        row = await (
            await cur.execute(Q.insert_snapshot, {**data.model_dump(), "org": p.organization_id, "coin": coin_id})
        ).fetchone()
        assert row is not None
        return row


async def latest_snapshots(db: Database, p: Principal, coin_id: UUID) -> list[Snapshot]:
    """The latest snapshot of each of the coin's pools."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _coin(conn, p.organization_id, coin_id)
        cur = conn.cursor(row_factory=class_row(Snapshot))
        return await (await cur.execute(Q.latest_snapshots, {"org": p.organization_id, "coin": coin_id})).fetchall()


async def price_series(
    db: Database,
    p: Principal,
    coin_id: UUID,
    since: datetime,
    until: datetime,
    *,
    pool: str | None = None,
    limit: int = 1000,
) -> list[Snapshot]:
    """The coin's snapshots in [since, until), oldest first (one pool's when asked)."""
    if since >= until:
        raise Invalid("since is before until", field="until")
    pool = pool.strip().lower() if pool is not None else None  # stored lowercase (0030's CHECK)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await _coin(conn, p.organization_id, coin_id)
        cur = conn.cursor(row_factory=class_row(Snapshot))
        return await (
            await cur.execute(
                Q.price_series,
                {
                    "org": p.organization_id,
                    "coin": coin_id,
                    "since": since,
                    "until": until,
                    "pool": pool,
                    "limit": limit,
                },
            )
        ).fetchall()
