"""Pydantic models of the music ledger: assets, accounts, journal entries, balances and cap tables,
IPOs and their allocations, artist coins and liquidity snapshots (docs/music-ledger.md).

Quantities are integers in the asset's smallest unit (a uint256 fits ``numeric(78,0)``): Python
``int`` inside, a decimal string in JSON (a JavaScript number loses precision past 2^53), and
either a JSON integer or a string of digits on input."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints, model_validator

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT

MAX_UINT = 10**78 - 1


def _integer(v: Any) -> Any:
    """A JSON integer, an int, a Decimal without fraction, or a string of digits (uint256 size)."""
    if isinstance(v, bool):
        raise ValueError("a whole number is expected")
    if isinstance(v, Decimal):
        if v != v.to_integral_value():
            raise ValueError("a whole number of the smallest unit is expected")
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if not (1 <= len(s) <= 80) or not s.lstrip("-").isdigit():
            raise ValueError("a whole number of the smallest unit (decimal digits) is expected")
        return int(s)
    return v


_AsString = PlainSerializer(lambda v: str(v), return_type=str, when_used="json")
Quantity = Annotated[int, BeforeValidator(_integer), Field(gt=0, le=MAX_UINT), _AsString]
"""A positive amount in the asset's smallest unit, at most 10^78 − 1."""
Amount = Annotated[int, BeforeValidator(_integer), Field(ge=-MAX_UINT, le=MAX_UINT), _AsString]
"""A signed journal line amount (never 0: the database refuses it)."""
Holding = Annotated[int, BeforeValidator(_integer), _AsString]
"""A balance or a supply as read back (≥ 0)."""
Fraction = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str, when_used="json")]

Symbol = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z][A-Z0-9]{1,10}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE]
Memo = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), TEXT]
IdempotencyKey = Annotated[str, StringConstraints(min_length=1, max_length=200), LINE]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Price = Annotated[
    Decimal,
    Field(gt=0, max_digits=38, decimal_places=18, allow_inf_nan=False),
    PlainSerializer(lambda v: str(v), return_type=str, when_used="json"),
]
Address = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^0x[0-9a-f]{40}$"),
    Field(description="A 20-byte chain address as 0x-prefixed hex (any case; stored as bytes)"),
]
Pool = Annotated[
    str,
    BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v),
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9:._-]{0,199}$"),
    Field(description="A pool's identifier, e.g. its chain address as hex (stored lowercase)"),
]


# -- assets and accounts ----------------------------------------------------------------------------


class AssetKind(StrEnum):
    master_share = "master_share"
    coin = "coin"


class SupplyPolicy(StrEnum):
    fixed = "fixed"
    mintable = "mintable"


class AssetCreate(Model):
    kind: AssetKind
    symbol: Symbol
    name: Name
    master_id: UUID | None = Field(default=None, description="The master whose shares these are (master_share)")
    artist_id: UUID | None = Field(default=None, description="The coin's artist (coin)")
    decimals: Annotated[int, Field(ge=0, le=18)] = 0
    supply_policy: SupplyPolicy = SupplyPolicy.fixed
    max_supply: Quantity | None = Field(default=None, description="Required for a fixed supply")

    @model_validator(mode="after")
    def _shape(self) -> AssetCreate:
        if self.kind is AssetKind.master_share and self.master_id is None:
            raise ValueError("a master_share asset names its master_id")
        if self.kind is AssetKind.coin and self.master_id is not None:
            raise ValueError("a coin has no master_id")
        if self.supply_policy is SupplyPolicy.fixed and self.max_supply is None:
            raise ValueError("a fixed supply needs max_supply")
        return self


class Asset(Model):
    id: UUID
    kind: AssetKind
    symbol: str
    name: str
    master_id: UUID | None
    artist_id: UUID | None
    decimals: int
    supply_policy: SupplyPolicy
    max_supply: Holding | None
    minted: Holding
    burned: Holding
    outstanding: Holding
    created_at: datetime


class AccountKind(StrEnum):
    issuance = "issuance"
    treasury = "treasury"
    user = "user"
    address = "address"
    pool = "pool"


class AccountOpen(Model):
    """An account to get or create: a member's (``user_id``) or a chain address's (``address``)."""

    user_id: UUID | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _one(self) -> AccountOpen:
        if (self.user_id is None) == (self.address is None):
            raise ValueError("name exactly one of user_id and address")
        return self


class Account(Model):
    id: UUID
    kind: AccountKind
    user_id: UUID | None
    address: str | None
    label: str | None
    created_at: datetime


# -- journal ----------------------------------------------------------------------------------------


class EntryKind(StrEnum):
    mint = "mint"
    burn = "burn"
    transfer = "transfer"
    allocation = "allocation"
    chain = "chain"
    correction = "correction"
    reversal = "reversal"


class LineIn(Model):
    asset_id: UUID
    account_id: UUID
    amount: Amount


class EntryCreate(Model):
    """A correction (or any balanced entry): lines summing to zero per asset, posted at once."""

    kind: Annotated[EntryKind, Field(description="correction (the default), transfer, mint or burn")] = (
        EntryKind.correction
    )
    lines: Annotated[list[LineIn], Field(min_length=2, max_length=1000)]
    memo: Memo | None = None
    effective_at: datetime | None = None
    idempotency_key: IdempotencyKey | None = None

    @model_validator(mode="after")
    def _balanced(self) -> EntryCreate:
        if self.kind in (EntryKind.reversal, EntryKind.chain, EntryKind.allocation):
            raise ValueError(f"{self.kind} entries are posted by their own operations")
        sums: dict[UUID, int] = {}
        for line in self.lines:
            if line.amount == 0:
                raise ValueError("a line moves a non-zero amount")
            sums[line.asset_id] = sums.get(line.asset_id, 0) + line.amount
        if any(sums.values()):
            raise ValueError("the lines of an entry sum to zero per asset")
        return self


class Movement(Model):
    """A mint (to ``to_account_id``), a burn (from ``from_account_id``) or a transfer (both)."""

    asset_id: UUID
    quantity: Quantity
    from_account_id: UUID | None = None
    to_account_id: UUID | None = None
    memo: Memo | None = None
    effective_at: datetime | None = None
    idempotency_key: IdempotencyKey | None = Field(
        default=None, description="Sending the same key again returns the first entry and moves nothing"
    )


class Line(Model):
    line_no: int
    asset_id: UUID
    account_id: UUID
    amount: Amount


class Entry(Model):
    id: UUID
    kind: EntryKind
    effective_at: datetime
    chain_id: int | None
    block_number: int | None
    memo: str | None
    reverses_id: UUID | None
    idempotency_key: str | None
    created_by: UUID | None
    created_at: datetime
    lines: list[Line] = Field(default_factory=list)


class Reversal(Model):
    memo: Memo | None = None


class Balance(Model):
    asset_id: UUID
    symbol: str
    account_id: UUID
    balance: Holding


class CapTableRow(Model):
    """One holder of an asset: its account, quantity and share of the outstanding supply."""

    account_id: UUID
    kind: AccountKind
    user_id: UUID | None
    address: str | None
    label: str | None
    quantity: Holding
    share: Fraction


class CapTable(Model):
    asset_id: UUID
    symbol: str
    outstanding: Holding
    at: datetime | None = None
    block: int | None = None
    holders: list[CapTableRow]


class LedgerProblem(Model):
    asset_id: UUID | None
    account_id: UUID | None
    problem: str
    expected: Fraction | None
    actual: Fraction | None


# -- IPOs -------------------------------------------------------------------------------------------


class IpoStatus(StrEnum):
    scheduled = "scheduled"
    open = "open"
    closed = "closed"
    canceled = "canceled"


class IpoCreate(Model):
    """A master's share offering. Its share asset is the master's (created when the master has
    none: ``symbol`` and ``name`` are then required; a fixed supply of ``total_supply``)."""

    master_id: UUID
    total_supply: Quantity
    price: Price
    currency: Currency
    opens_at: datetime
    closes_at: datetime
    open_now: Annotated[bool, Field(description="Start as open rather than scheduled")] = False
    symbol: Symbol | None = None
    name: Name | None = None

    @model_validator(mode="after")
    def _window(self) -> IpoCreate:
        if self.opens_at >= self.closes_at:
            raise ValueError("opens_at is before closes_at")
        return self


class IpoUpdate(Model):
    status: IpoStatus | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class Ipo(Model):
    id: UUID
    master_id: UUID
    asset_id: UUID
    treasury_account_id: UUID
    total_supply: Holding
    price: Fraction
    currency: str
    opens_at: datetime
    closes_at: datetime
    status: IpoStatus
    allocated: Holding
    remaining: Holding
    issue_entry_id: UUID
    cancel_entry_id: UUID | None
    created_by: UUID | None
    created_at: datetime
    updated_at: datetime


class AllocationCreate(Model):
    """Shares for a buyer: an account id, or a member (``user_id``) or address to get one for."""

    quantity: Quantity
    account_id: UUID | None = None
    user_id: UUID | None = None
    address: Address | None = None

    @model_validator(mode="after")
    def _one(self) -> AllocationCreate:
        if sum(x is not None for x in (self.account_id, self.user_id, self.address)) != 1:
            raise ValueError("name exactly one of account_id, user_id and address")
        return self


class Allocation(Model):
    id: UUID
    ipo_id: UUID
    account_id: UUID
    quantity: Holding
    entry_id: UUID
    created_by: UUID | None
    created_at: datetime


# -- coins and liquidity ----------------------------------------------------------------------------


class CoinCreate(Model):
    artist_id: UUID
    symbol: Symbol
    name: Name
    description: Annotated[str, Field(max_length=5000), TEXT] | None = None
    decimals: Annotated[int, Field(ge=0, le=18)] = 18
    supply_policy: SupplyPolicy = SupplyPolicy.fixed
    max_supply: Quantity | None = None
    initial_supply: Quantity | None = Field(default=None, description="Minted at once to the coin's treasury account")

    @model_validator(mode="after")
    def _supply(self) -> CoinCreate:
        if self.supply_policy is SupplyPolicy.fixed and self.max_supply is None:
            raise ValueError("a fixed supply needs max_supply")
        if self.initial_supply is not None and self.max_supply is not None and self.initial_supply > self.max_supply:
            raise ValueError("initial_supply is at most max_supply")
        return self


class Coin(Model):
    id: UUID
    artist_id: UUID
    asset_id: UUID
    symbol: str
    name: str
    description: str | None
    decimals: int
    supply_policy: SupplyPolicy
    max_supply: Holding | None
    outstanding: Holding
    created_at: datetime


class SnapshotCreate(Model):
    pool: Pool
    observed_at: datetime
    reserve_coin: Annotated[int, BeforeValidator(_integer), Field(ge=0, le=MAX_UINT), _AsString]
    reserve_quote: Annotated[int, BeforeValidator(_integer), Field(ge=0, le=MAX_UINT), _AsString]
    quote_symbol: Symbol
    quote_decimals: Annotated[int, Field(ge=0, le=18)] = 18


class Snapshot(Model):
    coin_id: UUID
    pool: str
    observed_at: datetime
    reserve_coin: Holding
    reserve_quote: Holding
    quote_symbol: str
    quote_decimals: int
    coin_decimals: int
    price: Fraction | None
