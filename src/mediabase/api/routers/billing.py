"""Billing: plans, subscriptions, invoices, payments, refunds, usage, entitlements, and the payment
provider's webhook (docs/billing.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, Response, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.billing import catalog, replay, service
from mediabase.billing.models import (
    Entitlements,
    Invoice,
    Payment,
    Plan,
    ProviderEvent,
    Refund,
    ReplayResult,
    Subscription,
    SubscriptionCancel,
    SubscriptionChange,
    SubscriptionCreate,
    UsageCreate,
    UsagePeriod,
    UsageRecord,
)
from mediabase.billing.provider import verify_signature
from mediabase.billing.settings import get_billing_settings
from mediabase.common.errors import Forbidden, Invalid, TooLarge
from mediabase.common.models import Model, Page
from mediabase.common.types import Instant

router = APIRouter(tags=["billing"])
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]
When = Annotated[Instant | None, Query()]
MAX_WEBHOOK_BYTES = 1 << 20


class SubscriptionRequested(Model):
    """A subscription made (offline provider), or asked of the provider, whose webhook brings it."""

    pending: bool
    subscription: Subscription | None


@router.get("/billing/plans", summary="The plans one can subscribe to, with their prices and limits")
async def list_plans(db: DbDep, p: PrincipalDep) -> list[Plan]:
    return await catalog.list_plans(db)


@router.get("/billing/subscriptions",
            summary="The organization's subscriptions (its own and its members'), newest first")
async def list_subscriptions(db: DbDep, p: PrincipalDep, live: bool = False) -> list[Subscription]:
    return await service.list_subscriptions(db, p, live=live)


@router.post(
    "/billing/subscriptions",
    status_code=status.HTTP_201_CREATED,
    summary="Subscribe the organization (OWNER or ADMIN) or a member (themselves, or by an ADMIN) to a price; "
    "409 when the subscriber has a live subscription already",
)
async def subscribe(db: DbDep, p: PrincipalDep, data: SubscriptionCreate, response: Response) -> SubscriptionRequested:
    sub = await service.subscribe(db, p, data)
    if sub is None:
        response.status_code = status.HTTP_202_ACCEPTED
    return SubscriptionRequested(pending=sub is None, subscription=sub)


@router.get("/billing/subscriptions/{subscription_id}", summary="A subscription")
async def get_subscription(db: DbDep, p: PrincipalDep, subscription_id: UUID) -> Subscription:
    return await service.get_subscription(db, p, subscription_id)


@router.post("/billing/subscriptions/{subscription_id}/cancel",
             summary="Cancel a subscription now, or at the end of its paid period")
async def cancel(db: DbDep, p: PrincipalDep, subscription_id: UUID, data: SubscriptionCancel) -> Subscription:
    return await service.cancel(db, p, subscription_id, data)


@router.post("/billing/subscriptions/{subscription_id}/change", summary="Move a subscription to another price")
async def change_plan(db: DbDep, p: PrincipalDep, subscription_id: UUID, data: SubscriptionChange) -> Subscription:
    return await service.change_plan(db, p, subscription_id, data)


@router.get("/billing/invoices", summary="Invoices, newest first")
async def list_invoices(
    db: DbDep,
    p: PrincipalDep,
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None = None,
    subscription_id: UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Invoice]:
    return await service.list_invoices(db, p, status=status, subscription_id=subscription_id, limit=limit,
                                       cursor=cursor)


@router.get("/billing/invoices/{invoice_id}", summary="An invoice and its lines (they add up to its total)")
async def get_invoice(db: DbDep, p: PrincipalDep, invoice_id: UUID) -> Invoice:
    return await service.get_invoice(db, p, invoice_id)


@router.get("/billing/payments", summary="Payments (the provider's charges), newest first")
async def list_payments(
    db: DbDep, p: PrincipalDep, invoice_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None
) -> Page[Payment]:
    return await service.list_payments(db, p, invoice_id=invoice_id, limit=limit, cursor=cursor)


@router.get("/billing/refunds", summary="Refunds, newest first")
async def list_refunds(
    db: DbDep, p: PrincipalDep, payment_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None
) -> Page[Refund]:
    return await service.list_refunds(db, p, payment_id=payment_id, limit=limit, cursor=cursor)


@router.get("/billing/events", summary="The provider events recorded for the organization, newest first")
async def list_events(
    db: DbDep,
    p: PrincipalDep,
    type: Annotated[str | None, Query(pattern=r"^[a-z_.]{1,100}$", description="A type or its prefix")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ProviderEvent]:
    return await service.list_events(db, p, type_prefix=type, limit=limit, cursor=cursor)


@router.post(
    "/billing/usage",
    status_code=status.HTTP_201_CREATED,
    summary="Record usage (any key of the organization); 200 with the record made before when its idempotency "
    "key was sent already",
)
async def record_usage(db: DbDep, p: PrincipalDep, data: UsageCreate, response: Response) -> UsageRecord:
    record, created = await service.record_usage(db, p, data)
    if not created:
        response.status_code = status.HTTP_200_OK
    return record


@router.get("/billing/usage", summary="Usage per metric and billing period, newest period first")
async def usage(
    db: DbDep,
    p: PrincipalDep,
    metric: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,39}$")] = None,
    since: When = None,
    until: When = None,
) -> list[UsagePeriod]:
    return await service.usage_per_period(db, p, metric=metric, since=since, until=until)


@router.get("/billing/entitlements",
            summary="What the live subscription grants and what was used of it this period (user_id: a member's)")
async def entitlements(db: DbDep, p: PrincipalDep, user_id: UUID | None = None) -> Entitlements:
    return await service.entitlements(db, p, user_id)


@router.post(
    "/billing/webhooks/{provider}",
    summary="The payment provider's webhook: one Stripe-shaped event, signed (Stripe-Signature) with "
    "MEDIABASE_BILLING_WEBHOOK_SECRET; recorded once, applied idempotently. No API key.",
    responses={403: {"description": "billing webhooks are not configured here (no MEDIABASE_BILLING_WEBHOOK_SECRET),"
                                     " or the stripe provider lacks its API key"}},
)
async def webhook(
    db: DbDep,
    request: Request,
    provider: Literal["offline", "stripe"],
    stripe_signature: Annotated[str | None, Header(max_length=2000)] = None,
) -> ReplayResult:
    settings = get_billing_settings()
    if settings.webhook_secret is None:
        raise Forbidden("billing webhooks are not configured: set MEDIABASE_BILLING_WEBHOOK_SECRET")
    if provider != settings.provider:
        raise Forbidden(f"this server's billing provider is {settings.provider}, not {provider}")
    body = await request.body()
    if len(body) > MAX_WEBHOOK_BYTES:
        raise TooLarge(f"an event is at most {MAX_WEBHOOK_BYTES} bytes")
    verify_signature(body, stripe_signature, settings.webhook_secret.get_secret_value(), settings.webhook_tolerance_s,
                     now=int(datetime.now().timestamp()))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("body: not UTF-8 text", field="body") from None
    if not text.strip():
        raise Invalid("body: empty: send one event", field="body")
    return await replay.replay_lines(db, provider, [(1, text.strip())], source="webhook")
