"""Organizations, members and API keys."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from mediabase.api.deps import DbDep, PrincipalDep, SystemDbDep
from mediabase.identity import service
from mediabase.identity.models import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    Member,
    MemberAdd,
    MemberAdded,
    MemberUpdate,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
)

router = APIRouter(tags=["organizations"])


@router.get("/organization", summary="The caller's organization")
async def get_organization(db: DbDep, p: PrincipalDep) -> Organization:
    return await service.get_organization(db, p)


@router.patch("/organization", summary="Rename or describe the organization (OWNER)")
async def update_organization(db: DbDep, p: PrincipalDep, data: OrganizationUpdate) -> Organization:
    return await service.update_organization(db, p, data)


@router.post(
    "/organizations",
    status_code=status.HTTP_201_CREATED,
    summary="Create a new organization owned by the caller's user",
)
async def create_organization(system: SystemDbDep, p: PrincipalDep, data: OrganizationCreate) -> Organization:
    return await service.create_organization(system, data, p.user_id)


@router.get("/members", summary="Members of the organization")
async def list_members(db: DbDep, p: PrincipalDep) -> list[Member]:
    return await service.list_members(db, p)


@router.post(
    "/members",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Add a member by email, creating the user if needed (ADMIN)",
)
async def add_member(db: DbDep, system: SystemDbDep, p: PrincipalDep, data: MemberAdd) -> MemberAdded:
    """Adds the user with this email if they belong to no other organization (a new address
    gets a new user); a user of another organization is not added. The answer is the same
    either way and tells nothing about the address: see ``GET /members`` for who was added."""
    return await service.add_member(db, system, p, data)


@router.patch("/members/{user_id}", summary="Change a member's role (ADMIN; OWNER for owners)")
async def update_member(db: DbDep, p: PrincipalDep, user_id: UUID, data: MemberUpdate) -> Member:
    return await service.update_member(db, p, user_id, data.role)


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a member (ADMIN)")
async def remove_member(db: DbDep, p: PrincipalDep, user_id: UUID) -> None:
    await service.remove_member(db, p, user_id)


@router.get("/keys", summary="API keys of the organization (OWNER)")
async def list_keys(db: DbDep, p: PrincipalDep) -> list[ApiKey]:
    return await service.list_api_keys(db, p)


@router.post(
    "/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Create an API key for a member (OWNER); the key is shown once",
)
async def create_key(db: DbDep, p: PrincipalDep, data: ApiKeyCreate) -> ApiKeyCreated:
    return await service.create_api_key(db, p, data)


@router.delete("/keys/{key_id}", summary="Revoke an API key (OWNER)")
async def revoke_key(db: DbDep, p: PrincipalDep, key_id: UUID) -> ApiKey:
    return await service.revoke_api_key(db, p, key_id)
