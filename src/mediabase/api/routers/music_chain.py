"""The music marketplace: chain mirroring — contracts, feed batches, status, holders, NFTs and
reorgs (docs/music-chain.md). Token ids and amounts are decimal strings in JSON."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.errors import Invalid
from mediabase.music.chain import service as chain
from mediabase.music.chain.models import (
    Chain,
    ChainProblem,
    ChainStatus,
    Contract,
    ContractCreate,
    Holder,
    ImportResult,
    Nft,
    Reorg,
)

router = APIRouter(tags=["music"])
MAX_BATCH = 64 * 1024 * 1024  # bytes of JSON lines in one request; larger feeds go through the CLI


@router.get("/music/chains")
async def list_chains(db: DbDep, _p: PrincipalDep) -> list[Chain]:
    return await chain.list_chains(db)


@router.post("/music/chain/contracts", status_code=status.HTTP_201_CREATED)
async def add_contract(db: DbDep, p: PrincipalDep, data: ContractCreate) -> Contract:
    return await chain.add_contract(db, p, data)


@router.get("/music/chain/contracts")
async def list_contracts(
    db: DbDep, p: PrincipalDep, chain_id: Annotated[int | None, Query(gt=0)] = None
) -> list[Contract]:
    return await chain.list_contracts(db, p, chain_id)


@router.post("/music/chains/{chain_id}/import")
async def import_batch(db: DbDep, p: PrincipalDep, chain_id: int, request: Request) -> ImportResult:
    """A batch of the feed as the request body (JSON lines: block headers and logs), in one
    transaction: a bad line (``batch:line: field: problem``) writes nothing."""
    body = await request.body()
    if len(body) > MAX_BATCH:
        raise Invalid(f"a batch holds at most {MAX_BATCH} bytes; split the feed", field="body")
    return await chain.import_lines(db, p, chain_id, body, name="batch")


@router.get("/music/chains/{chain_id}/status")
async def chain_status(db: DbDep, p: PrincipalDep, chain_id: int) -> ChainStatus:
    return await chain.status(db, p, chain_id)


@router.get("/music/chain/contracts/{contract_id}/holders")
async def holders(
    db: DbDep,
    p: PrincipalDep,
    contract_id: UUID,
    token_id: Annotated[str | None, Query(pattern=r"^[0-9]{1,78}$")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Holder]:
    return await chain.holders(db, p, contract_id, int(token_id) if token_id else None, limit)


@router.get("/music/nfts")
async def list_nfts(
    db: DbDep, p: PrincipalDep, contract_id: UUID | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> list[Nft]:
    return await chain.list_nfts(db, p, contract_id, limit)


@router.get("/music/chain/reorgs")
async def list_reorgs(
    db: DbDep,
    p: PrincipalDep,
    chain_id: Annotated[int | None, Query(gt=0)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Reorg]:
    return await chain.list_reorgs(db, p, chain_id, limit)


@router.get("/music/chain/verify")
async def verify(db: DbDep, p: PrincipalDep) -> list[ChainProblem]:
    return await chain.verify(db, p)
