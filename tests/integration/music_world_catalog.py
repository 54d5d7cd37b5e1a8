"""A small music catalog for tests: an artist linked to the tenant's MEMBER (with the artist
role), a producer without an account, and a master of the artist."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import MasterCreate, MusicRole, ProfileCreate, RoleGrant
from tests.factories import Tenant


@dataclass
class Catalog:
    tenant: Tenant
    artist: UUID
    producer: UUID
    master: UUID

    @property
    def org(self) -> UUID:
        return self.tenant.owner.organization_id

    @property
    def owner(self) -> Principal:
        return self.tenant.owner

    @property
    def member(self) -> Principal:
        return self.tenant.member


async def make_catalog(db: Database, t: Tenant, name: str = "Nova") -> Catalog:
    await catalog.grant_role(db, t.owner, RoleGrant(user_id=t.member.user_id, role=MusicRole.artist))
    artist = await catalog.create_profile(db, t.owner, "artist", ProfileCreate(name=name, user_id=t.member.user_id))
    producer = await catalog.create_profile(db, t.owner, "producer", ProfileCreate(name=f"{name} Producer"))
    master = await catalog.create_master(db, t.owner, MasterCreate(artist_id=artist.id, title=f"{name} One"))
    return Catalog(t, artist.id, producer.id, master.id)
