"""Pydantic models of chain mirroring: chains, contracts, NFTs, imports, reorgs, holders
(docs/music-chain.md).

Addresses and hashes are bytes in the database and lowercase 0x-hex here (input in any case);
token ids and amounts are Python ``int`` inside and decimal strings in JSON (a uint256 does not
fit a JavaScript number)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE

MAX_UINT256 = 2**256 - 1


def _hex_in(v: Any) -> Any:
    """bytes (a row's column) as 0x-hex; a string stripped and lowercased."""
    if isinstance(v, bytes | bytearray | memoryview):
        return "0x" + bytes(v).hex()
    return v.strip().lower() if isinstance(v, str) else v


def _uint(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError("a whole number is expected")
    if isinstance(v, Decimal):
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if not (1 <= len(s) <= 80) or not s.isdigit():
            raise ValueError("a whole number (decimal digits) is expected")
        return int(s)
    return v


Address = Annotated[
    str,
    BeforeValidator(_hex_in),
    StringConstraints(pattern=r"^0x[0-9a-f]{40}$"),
    Field(description="A 20-byte address as 0x-hex (any case in, lowercase out)"),
]
Hash = Annotated[
    str,
    BeforeValidator(_hex_in),
    StringConstraints(pattern=r"^0x[0-9a-f]{64}$"),
    Field(description="A 32-byte block or transaction hash as 0x-hex"),
]
Uint = Annotated[
    int,
    BeforeValidator(_uint),
    Field(ge=0, le=MAX_UINT256),
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
]
"""A token id or an amount (uint256): a decimal string in JSON."""
ChainId = Annotated[int, Field(gt=0, le=2**53, description="The chain's EIP-155 id (1 = Ethereum)")]
Block = Annotated[int, Field(ge=0, le=2**60)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]


def to_bytes(hex_text: str) -> bytes:
    """A validated 0x-hex string as bytes."""
    return bytes.fromhex(hex_text[2:])


class Standard(StrEnum):
    erc721 = "erc721"
    erc1155 = "erc1155"
    erc20 = "erc20"


class Chain(Model):
    chain_id: int
    name: str
    finality_depth: int


class ContractCreate(Model):
    chain_id: ChainId
    address: Address
    standard: Standard
    name: Name | None = None
    asset_id: UUID | None = Field(
        default=None, description="The ledger asset its tokens are: final transfers are posted to the journal"
    )
    master_id: UUID | None = None
    start_block: Block = Field(default=0, description="The block it was deployed in: logs before it are skipped")


class Contract(Model):
    id: UUID
    chain_id: int
    address: Address
    standard: Standard
    name: str | None
    asset_id: UUID | None
    master_id: UUID | None
    start_block: int
    created_at: datetime


class Reorg(Model):
    id: UUID
    chain_id: int
    fork_block: int
    old_head: int
    old_head_hash: Hash
    new_block_hash: Hash
    depth: int
    orphaned_transfers: int
    readopted_blocks: int
    reversed_entries: int
    detected_at: datetime


class ImportResult(Model):
    chain_id: int
    lines: int = Field(description="non-blank lines read")
    headers: int
    new_blocks: int
    transfers: int = Field(description="transfer logs of mirrored contracts in the feed")
    inserted: int = Field(description="transfers stored for the first time")
    moved: int = Field(description="stored transfers re-mined in another block")
    ignored: int = Field(description="other events, zero amounts, logs marked removed")
    reorgs: list[Reorg]
    head: int | None
    head_hash: Hash | None
    finalized: int | None = Field(description="the highest final block (head − finality depth)")
    posted: int = Field(default=0, description="journal entries posted for transfers that became final")
    reversed: int = Field(default=0, description="journal entries reversed by reorgs deeper than finality")


class CursorStatus(Model):
    contract_id: UUID
    address: Address
    standard: Standard
    name: str | None
    asset_id: UUID | None
    start_block: int
    last_block: int | None
    last_block_hash: Hash | None
    posted_block: int | None
    updated_at: datetime | None


class ChainStatus(Model):
    chain_id: int
    name: str
    finality_depth: int
    head: int | None
    head_hash: Hash | None
    finalized: int | None
    contracts: list[CursorStatus]


class Holder(Model):
    token_id: Uint
    address: Address
    balance: Uint


class Nft(Model):
    id: UUID
    contract_id: UUID
    token_id: Uint
    master_id: UUID | None
    metadata_uri: str | None
    owner: Address | None
    created_at: datetime


class ChainProblem(Model):
    contract_id: UUID | None
    token_id: Uint | None
    address: Annotated[str | None, BeforeValidator(_hex_in)] = Field(description="the holder, or the transaction")
    problem: str
    expected: Uint | None
    actual: Uint | None
