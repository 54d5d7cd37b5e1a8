"""The music marketplace: catalog — roles, artists, producers, masters, credits and contracts
(docs/music-catalog.md)."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.music.catalog import contracts
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import (
    Contract,
    ContractCreate,
    ContractUpdate,
    Credit,
    CreditCreate,
    Master,
    MasterCreate,
    MasterStatus,
    MasterUpdate,
    MusicRole,
    Profile,
    ProfileCreate,
    ProfileUpdate,
    RoleAssignment,
    RoleGrant,
)

router = APIRouter(tags=["music"])


@router.get("/music/roles", summary="Music roles of the organization's members")
async def list_roles(
    db: DbDep, p: PrincipalDep, role: MusicRole | None = None, user_id: UUID | None = None
) -> list[RoleAssignment]:
    return await catalog.list_roles(db, p, role=role, user_id=user_id)


@router.post("/music/roles", summary="Grant a member a music role (ADMIN)")
async def grant_role(db: DbDep, p: PrincipalDep, data: RoleGrant) -> list[RoleAssignment]:
    return await catalog.grant_role(db, p, data)


@router.post("/music/roles/revoke", summary="Take a music role back (ADMIN)")
async def revoke_role(db: DbDep, p: PrincipalDep, data: RoleGrant) -> list[RoleAssignment]:
    return await catalog.revoke_role(db, p, data)


def _profile_routes(kind: Literal["artist", "producer"]) -> None:
    """The same five routes for artists and producers, under their own literal paths (no
    ``/music/{kind}`` pattern that would shadow the other music routers' paths)."""
    base = f"/music/{kind}s"

    @router.get(base, summary=f"The organization's {kind}s, by name", name=f"list_{kind}s")
    async def list_profiles(db: DbDep, p: PrincipalDep) -> list[Profile]:
        return await catalog.list_profiles(db, p, kind)

    @router.post(
        base, status_code=status.HTTP_201_CREATED, summary=f"Create a {kind} profile (ADMIN)", name=f"create_{kind}"
    )
    async def create_profile(db: DbDep, p: PrincipalDep, data: ProfileCreate) -> Profile:
        return await catalog.create_profile(db, p, kind, data)

    @router.get(base + "/{profile_id}", summary=f"A {kind}", name=f"get_{kind}")
    async def get_profile(db: DbDep, p: PrincipalDep, profile_id: UUID) -> Profile:
        return await catalog.get_profile(db, p, kind, profile_id)

    @router.patch(
        base + "/{profile_id}", summary=f"Change a {kind} (ADMIN, or the profile's user)", name=f"update_{kind}"
    )
    async def update_profile(db: DbDep, p: PrincipalDep, profile_id: UUID, data: ProfileUpdate) -> Profile:
        return await catalog.update_profile(db, p, kind, profile_id, data)


_profile_routes("artist")
_profile_routes("producer")


@router.get("/music/masters", summary="Masters, newest first")
async def list_masters(
    db: DbDep,
    p: PrincipalDep,
    artist_id: UUID | None = None,
    status: MasterStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Master]:
    return await catalog.list_masters(db, p, artist_id=artist_id, status=status, limit=limit)


@router.post(
    "/music/masters",
    status_code=status.HTTP_201_CREATED,
    summary="Create a master (ADMIN, or the artist for their own profile)",
)
async def create_master(db: DbDep, p: PrincipalDep, data: MasterCreate) -> Master:
    return await catalog.create_master(db, p, data)


@router.get("/music/masters/{master_id}", summary="A master")
async def get_master(db: DbDep, p: PrincipalDep, master_id: UUID) -> Master:
    return await catalog.get_master(db, p, master_id)


@router.patch("/music/masters/{master_id}", summary="Change a master or move its status (ADMIN or its artist)")
async def update_master(db: DbDep, p: PrincipalDep, master_id: UUID, data: MasterUpdate) -> Master:
    return await catalog.update_master(db, p, master_id, data)


@router.get("/music/masters/{master_id}/credits", summary="A master's credits")
async def list_credits(db: DbDep, p: PrincipalDep, master_id: UUID) -> list[Credit]:
    return await catalog.list_credits(db, p, master_id)


@router.post("/music/masters/{master_id}/credits", summary="Credit a producer on a master (ADMIN or its artist)")
async def add_credit(db: DbDep, p: PrincipalDep, master_id: UUID, data: CreditCreate) -> list[Credit]:
    return await catalog.add_credit(db, p, master_id, data)


@router.post("/music/masters/{master_id}/credits/remove", summary="Remove a credit (ADMIN or its artist)")
async def remove_credit(db: DbDep, p: PrincipalDep, master_id: UUID, data: CreditCreate) -> list[Credit]:
    return await catalog.remove_credit(db, p, master_id, data)


@router.get("/music/masters/{master_id}/contracts", summary="Every contract version of a master, with splits")
async def list_contracts(db: DbDep, p: PrincipalDep, master_id: UUID) -> list[Contract]:
    return await contracts.list_contracts(db, p, master_id)


@router.post(
    "/music/masters/{master_id}/contracts",
    status_code=status.HTTP_201_CREATED,
    summary="Write the master's next contract version as a draft (ADMIN)",
)
async def create_contract(db: DbDep, p: PrincipalDep, master_id: UUID, data: ContractCreate) -> Contract:
    return await contracts.create_contract(db, p, master_id, data)


@router.get("/music/masters/{master_id}/contract", summary="The master's signed contract version")
async def contract_in_force(db: DbDep, p: PrincipalDep, master_id: UUID) -> Contract:
    return await contracts.contract_in_force(db, p, master_id)


@router.get("/music/contracts/{contract_id}", summary="A contract version")
async def get_contract(db: DbDep, p: PrincipalDep, contract_id: UUID) -> Contract:
    return await contracts.get_contract(db, p, contract_id)


@router.patch("/music/contracts/{contract_id}", summary="Change a draft contract version (ADMIN)")
async def update_contract(db: DbDep, p: PrincipalDep, contract_id: UUID, data: ContractUpdate) -> Contract:
    return await contracts.update_contract(db, p, contract_id, data)


@router.post(
    "/music/contracts/{contract_id}/sign", summary="Sign a draft (ADMIN); the version in force becomes superseded"
)
async def sign_contract(db: DbDep, p: PrincipalDep, contract_id: UUID) -> Contract:
    return await contracts.sign_contract(db, p, contract_id)
