"""Pydantic models of billing (docs/billing.md). Money is an integer of minor units, never a float."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import BeforeValidator, Field, StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, Instant


def _upper(v: object) -> object:
    return v.strip().upper() if isinstance(v, str) else v


def _lower(v: object) -> object:
    return v.strip().lower() if isinstance(v, str) else v


FeatureCode = Annotated[
    str, BeforeValidator(_lower), StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$"),
    Field(description="A feature: transcription_minutes, storage_bytes, seats …"),
]
PlanCode = Annotated[
    str, BeforeValidator(_lower), StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$"),
    Field(description="A plan's code, e.g. pro"),
]
PriceCode = Annotated[
    str, BeforeValidator(_lower), StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$"),
    Field(description="A price's code (its lookup key), e.g. pro-monthly-usd"),
]
ProviderId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,255}$")]
Currency = Annotated[
    str, BeforeValidator(_upper), StringConstraints(pattern=r"^[A-Z]{3}$"),
    Field(description="ISO 4217 code, e.g. USD"),
]
Minor = Annotated[int, Field(ge=0, le=2**63 - 1, description="An amount in minor units (cents), an integer")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), TEXT]
IdempotencyKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,200}$")]


class Interval(StrEnum):
    month = "month"
    year = "year"


class SubscriptionStatus(StrEnum):
    incomplete = "incomplete"
    incomplete_expired = "incomplete_expired"
    trialing = "trialing"
    active = "active"
    past_due = "past_due"
    canceled = "canceled"
    unpaid = "unpaid"
    paused = "paused"


# -- catalog -----------------------------------------------------------------------------------------


class FeatureCreate(Model):
    code: FeatureCode
    unit: Annotated[str, BeforeValidator(_lower), StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), LINE
    ] | None = None


class Feature(Model):
    code: str
    unit: str
    description: str | None


class PlanCreate(Model):
    code: PlanCode
    name: Name
    description: Description | None = None


class PriceCreate(Model):
    plan: PlanCode
    code: PriceCode
    currency: Currency
    unit_amount: Minor
    interval: Interval
    provider_price_id: ProviderId | None = Field(None, description="The provider's id of this price (Stripe: price_…)")


class Price(Model):
    id: UUID
    code: str
    plan_code: str
    currency: str
    unit_amount: int
    interval: Interval
    provider_price_id: str | None
    active: bool


class PlanLimit(Model):
    feature: str
    limit: int | None = Field(description="The most a subscription may use (per period); null: unlimited")
    per_unit: bool = Field(description="The limit is per unit of the subscription's quantity")


class PlanLimitSet(Model):
    feature: FeatureCode
    limit: Annotated[int, Field(ge=0, le=2**63 - 1)] | None
    per_unit: bool = False


class Plan(Model):
    id: UUID
    code: str
    name: str
    description: str | None
    active: bool
    created_at: datetime
    prices: list[Price] = Field(default_factory=list)
    limits: list[PlanLimit] = Field(default_factory=list)


# -- subscriptions -----------------------------------------------------------------------------------


class SubscriptionCreate(Model):
    price: PriceCode
    subscriber_user_id: UUID | None = Field(
        None, description="A member who subscribes (seed 004); none: the organization itself (seed 001)"
    )
    quantity: Annotated[int, Field(ge=1, le=100_000)] = 1
    trial_days: Annotated[int, Field(ge=0, le=730)] = 0


class SubscriptionCancel(Model):
    at_period_end: bool = Field(False, description="Keep it until the end of the period it is paid for")


class SubscriptionChange(Model):
    price: PriceCode
    quantity: Annotated[int, Field(ge=1, le=100_000)] | None = None


class Subscription(Model):
    id: UUID
    provider: str
    provider_subscription_id: str
    subscriber_organization_id: UUID | None
    subscriber_user_id: UUID | None
    plan_code: str
    price_code: str
    currency: str
    unit_amount: int
    quantity: int
    status: SubscriptionStatus
    current_period_start: datetime
    current_period_end: datetime
    cancel_at_period_end: bool
    trial_start: datetime | None
    trial_end: datetime | None
    canceled_at: datetime | None
    ended_at: datetime | None
    started_at: datetime
    created_at: datetime
    updated_at: datetime


# -- invoices, payments, refunds ------------------------------------------------------------------------


class InvoiceLine(Model):
    provider_line_id: str
    position: int
    amount: int
    quantity: int | None
    description: str | None
    price_code: str | None
    period_start: datetime
    period_end: datetime
    proration: bool


class Invoice(Model):
    id: UUID
    provider: str
    provider_invoice_id: str
    subscription_id: UUID | None
    number: str | None
    status: str
    currency: str
    total: int
    amount_due: int
    amount_paid: int
    period_start: datetime
    period_end: datetime
    created: datetime
    paid_at: datetime | None
    lines: list[InvoiceLine] | None = None


class Payment(Model):
    id: UUID
    provider: str
    provider_charge_id: str
    provider_payment_intent_id: str | None
    invoice_id: UUID | None
    currency: str
    amount: int
    amount_refunded: int
    status: str
    failure_code: str | None
    created: datetime


class Refund(Model):
    id: UUID
    provider: str
    provider_refund_id: str
    payment_id: UUID
    currency: str
    amount: int
    status: str
    reason: str | None
    created: datetime


class ProviderEvent(Model):
    id: UUID
    provider: str
    provider_event_id: str
    type: str
    created: datetime
    object_type: str
    object_id: str | None
    source: str
    received_at: datetime


# -- usage and entitlements ------------------------------------------------------------------------------


class UsageCreate(Model):
    metric: FeatureCode
    quantity: Annotated[int, Field(ge=0, le=2**62)]
    occurred_at: Instant | None = Field(None, description="When it was used (default: now)")
    idempotency_key: IdempotencyKey | None = Field(
        None, description="Sending the same key again records nothing new (the same content answers the record)"
    )


class UsageRecord(Model):
    id: UUID
    metric: str
    quantity: int
    occurred_at: datetime
    period_start: datetime
    period_end: datetime
    subscription_id: UUID | None
    idempotency_key: str | None
    created_at: datetime


class UsagePeriod(Model):
    """Usage of one metric in one billing period."""

    metric: str
    period_start: datetime
    period_end: datetime
    quantity: int
    records: int


class Entitlement(Model):
    feature: str
    unit: str
    limit: int | None = Field(description="null: unlimited")
    used: int = Field(description="Used in the current period (seats: the members)")
    remaining: int | None


class Entitlements(Model):
    """What a live subscription grants (none: ``subscription_id`` null and no features)."""

    subscription_id: UUID | None
    plan_code: str | None
    status: str | None
    period_start: datetime | None
    period_end: datetime | None
    features: list[Entitlement]


class ReplayResult(Model):
    """What a replay did: events read, new ones recorded, events of no organization skipped, and
    the objects whose snapshot changed."""

    read: int
    recorded: int
    skipped: int
    subscriptions: int
    invoices: int
    payments: int
    refunds: int
