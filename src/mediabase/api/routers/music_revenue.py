"""The music marketplace: revenue, dividends and payouts (docs/music-revenue.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, Response, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.music.revenue import service as revenue
from mediabase.music.revenue.models import (
    Bucket,
    Distribution,
    Dividend,
    DividendCreate,
    ImportResult,
    PaidAll,
    Payout,
    PayoutMark,
    PayoutStatus,
    Reference,
    RevenueBucket,
    RevenueEvent,
    RevenueEventCreate,
    UnpaidBalance,
)

router = APIRouter(tags=["music"])
Limit = Annotated[int, Query(ge=1, le=500)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]
Day = Annotated[date | None, Query(ge=date(1970, 1, 1), le=date(9999, 1, 1))]
Events = Annotated[list[RevenueEventCreate], Body(min_length=1, max_length=10_000)]


@router.post("/music/revenue/events", summary="Record revenue events (ADMIN); a line recorded before is skipped")
async def import_events(db: DbDep, p: PrincipalDep, events: Events) -> ImportResult:
    return await revenue.import_events(db, p, events)


@router.get("/music/revenue/events", summary="Revenue events, newest first")
async def list_events(
    db: DbDep,
    p: PrincipalDep,
    master_id: UUID | None = None,
    since: Day = None,
    until: Day = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RevenueEvent]:
    return await revenue.list_events(db, p, master_id=master_id, since=since, until=until, limit=limit, cursor=cursor)


@router.get("/music/revenue/summary", summary="Revenue per master, currency and month (quarter, year)")
async def revenue_summary(
    db: DbDep,
    p: PrincipalDep,
    master_id: UUID | None = None,
    by: Bucket = Bucket.month,
    since: Day = None,
    until: Day = None,
) -> list[RevenueBucket]:
    return await revenue.revenue_summary(db, p, master_id=master_id, by=by, since=since, until=until)


@router.post(
    "/music/dividends",
    status_code=status.HTTP_201_CREATED,
    summary="Distribute a master's revenue of a period to its holders (ADMIN); idempotent: 200 with the "
    "existing dividend when the period was distributed already",
)
async def distribute(db: DbDep, p: PrincipalDep, data: DividendCreate, response: Response) -> Distribution:
    out = await revenue.distribute(db, p, data)
    if not out.created:
        response.status_code = status.HTTP_200_OK
    return out


@router.get("/music/dividends", summary="Dividends, newest first")
async def list_dividends(
    db: DbDep, p: PrincipalDep, master_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None
) -> Page[Dividend]:
    return await revenue.list_dividends(db, p, master_id=master_id, limit=limit, cursor=cursor)


@router.get("/music/dividends/{dividend_id}", summary="A dividend")
async def get_dividend(db: DbDep, p: PrincipalDep, dividend_id: UUID) -> Dividend:
    return await revenue.get_dividend(db, p, dividend_id)


@router.get("/music/dividends/{dividend_id}/payouts", summary="A dividend's payouts, by account")
async def dividend_payouts(
    db: DbDep,
    p: PrincipalDep,
    dividend_id: UUID,
    status: PayoutStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Payout]:
    return await revenue.list_payouts(db, p, dividend_id=dividend_id, status=status, limit=limit, cursor=cursor)


@router.post(
    "/music/dividends/{dividend_id}/payouts/{account_id}",
    summary="Mark a payout paid (final), failed or pending again (ADMIN)",
)
async def mark_payout(db: DbDep, p: PrincipalDep, dividend_id: UUID, account_id: UUID, mark: PayoutMark) -> Payout:
    return await revenue.mark_payout(db, p, dividend_id, account_id, mark)


@router.post("/music/dividends/{dividend_id}/pay-all", summary="Mark every pending payout of a dividend paid (ADMIN)")
async def pay_all(
    db: DbDep, p: PrincipalDep, dividend_id: UUID, external_ref: Annotated[Reference | None, Body(embed=True)] = None
) -> PaidAll:
    return await revenue.pay_all(db, p, dividend_id, external_ref)


@router.get("/music/payouts", summary="A holder's payouts, newest dividend first")
async def holder_payouts(
    db: DbDep,
    p: PrincipalDep,
    account_id: UUID,
    status: PayoutStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Payout]:
    return await revenue.list_payouts(db, p, account_id=account_id, status=status, limit=limit, cursor=cursor)


@router.get("/music/payouts/unpaid", summary="Unpaid balances: Σ pending payouts per holder and currency")
async def unpaid(db: DbDep, p: PrincipalDep, account_id: UUID | None = None) -> list[UnpaidBalance]:
    return await revenue.unpaid_balances(db, p, account_id=account_id)
