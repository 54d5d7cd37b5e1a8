"""Builders for the music ledger's tests: an artist with a master in a tenant, member accounts,
and an asset to move."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import AccountOpen, AssetCreate, AssetKind, SupplyPolicy
from tests.factories import Tenant


@dataclass
class Label:
    tenant: Tenant
    artist: UUID
    master: UUID

    @property
    def org(self) -> UUID:
        return self.tenant.owner.organization_id


async def make_label(db: Database, t: Tenant, slug: str = "nova") -> Label:
    """An artist and one master, written as the catalog would (0028's tables)."""
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        artist = await (
            await conn.execute(
                "INSERT INTO music_artists (organization_id, name, slug) VALUES (%s, %s, %s) RETURNING id",
                (t.owner.organization_id, slug.title(), slug),
            )
        ).fetchone()
        assert artist is not None
        master = await (
            await conn.execute(
                "INSERT INTO music_masters (organization_id, artist_id, title)"
                " VALUES (%s, %s, 'First light') RETURNING id",
                (t.owner.organization_id, artist["id"]),
            )
        ).fetchone()
        assert master is not None
    return Label(t, artist["id"], master["id"])


async def member_accounts(db: Database, t: Tenant) -> tuple[UUID, UUID]:
    """The accounts of the tenant's OWNER and MEMBER."""
    a = await ledger.open_account(db, t.owner, AccountOpen(user_id=t.owner.user_id))
    b = await ledger.open_account(db, t.owner, AccountOpen(user_id=t.member.user_id))
    return a.id, b.id


async def coin_asset(db: Database, label: Label, symbol: str = "NOVA", *, max_supply: int | None = None) -> UUID:
    policy = SupplyPolicy.fixed if max_supply is not None else SupplyPolicy.mintable
    asset = await ledger.create_asset(
        db,
        label.tenant.owner,
        AssetCreate(
            kind=AssetKind.coin,
            symbol=symbol,
            name=f"{symbol} coin",
            artist_id=label.artist,
            supply_policy=policy,
            max_supply=max_supply,
        ),
    )
    return asset.id
