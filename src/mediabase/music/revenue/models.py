"""Pydantic models of revenue, dividends and payouts (docs/music-revenue.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import BeforeValidator, Field, StringConstraints, model_validator

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, Instant


def _lower(v: object) -> object:
    return v.strip().lower() if isinstance(v, str) else v


def _upper(v: object) -> object:
    return v.strip().upper() if isinstance(v, str) else v


Source = Annotated[
    str,
    BeforeValidator(_lower),
    StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$"),
    Field(description="Where the money came from: spotify, apple, youtube, sync, direct …"),
]
ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    LINE,
    Field(description="The line's id in the source's statement (unique per source)"),
]
Currency = Annotated[
    str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{3}$"), Field(description="ISO 4217 code, e.g. EUR")
]
Minor = Annotated[int, Field(gt=0, lt=10**38, description="An amount in minor units (cents), an integer")]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), TEXT]
Day = Annotated[date, Field(ge=date(1970, 1, 1), le=date(9999, 1, 1))]
Block = Annotated[int, Field(ge=0, le=2**63 - 1)]
ChainId = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _Period(Model):
    period_start: Day = Field(description="First day of the period (inclusive)")
    period_end: Day = Field(description="Day after the period (exclusive): [period_start, period_end)")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.period_start >= self.period_end:
            raise ValueError("period_end must be after period_start (the period is [period_start, period_end))")
        return self


# -- revenue ----------------------------------------------------------------------------------------


class RevenueEventCreate(_Period):
    master_id: UUID
    source: Source
    external_id: ExternalId
    amount: Minor
    currency: Currency
    received_at: Instant | None = None


class RevenueEvent(Model):
    id: UUID
    master_id: UUID
    source: str
    external_id: str
    period_start: date
    period_end: date
    amount: int
    currency: str
    received_at: datetime
    created_at: datetime


class ImportResult(Model):
    """What an import did: lines read, events recorded, and lines already recorded (unchanged)."""

    read: int
    inserted: int
    unchanged: int


class Bucket(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class RevenueBucket(Model):
    """A master's revenue in one currency for the events whose period starts in one bucket."""

    master_id: UUID
    currency: str
    bucket_start: date
    amount: int
    events: int


# -- dividends --------------------------------------------------------------------------------------


class DividendCreate(_Period):
    master_id: UUID
    currency: Currency
    record_at: Instant | None = Field(None, description="The record point as an instant (holdings then count)")
    record_chain_id: ChainId | None = Field(None, description="With record_block: the record point as a block")
    record_block: Block | None = None

    @model_validator(mode="after")
    def _one_record_point(self) -> Self:
        if (self.record_at is None) == (self.record_block is None):
            raise ValueError("give one record point: record_at, or record_chain_id and record_block")
        if (self.record_chain_id is None) != (self.record_block is None):
            raise ValueError("record_chain_id and record_block go together")
        return self


class DividendStatus(StrEnum):
    computed = "computed"
    paying = "paying"
    paid = "paid"


class Dividend(Model):
    id: UUID
    master_id: UUID
    asset_id: UUID
    period_start: date
    period_end: date
    currency: str
    record_at: datetime | None
    record_chain_id: int | None
    record_block: int | None
    revenue: int = Field(description="The period's revenue of the master in this currency")
    investors_bps: int = Field(description="The investors' share in basis points (the signed contract's, or 10,000)")
    contract_id: UUID | None
    distributable: int = Field(description="floor(revenue × investors_bps / 10,000)")
    remainder: int = Field(description="What no payout got: 0 unless nobody held the asset")
    holders: int
    total_holding: int
    status: DividendStatus
    paid_at: datetime | None
    created_by: UUID | None
    created_at: datetime


class Distribution(Model):
    """A dividend and whether this call made it (false: the period was distributed already)."""

    created: bool
    dividend: Dividend


# -- payouts ----------------------------------------------------------------------------------------


class PayoutStatus(StrEnum):
    pending = "pending"
    paid = "paid"
    failed = "failed"


class Payout(Model):
    dividend_id: UUID
    account_id: UUID
    currency: str
    holding: int
    amount: int
    status: PayoutStatus
    paid_at: datetime | None
    failed_at: datetime | None
    external_ref: str | None
    failure_reason: str | None
    updated_at: datetime


class PayoutMark(Model):
    """paid (final), failed (with a reason), or pending again (a failed payout retried)."""

    status: PayoutStatus
    external_ref: Reference | None = Field(None, description="The payment's reference (bank, PSP, tx hash)")
    failure_reason: Reason | None = None

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if self.failure_reason is not None and self.status is not PayoutStatus.failed:
            raise ValueError("failure_reason goes with status failed")
        return self


class PaidAll(Model):
    """How many pending payouts of a dividend a bulk 'paid' marked."""

    dividend_id: UUID
    paid: int


class UnpaidBalance(Model):
    """Σ pending payouts of a holder in one currency."""

    account_id: UUID
    currency: str
    amount: int
    payouts: int
