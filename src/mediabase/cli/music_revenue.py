"""``mediabase music revenue|dividends|payouts …``: revenue, dividends and payouts
(docs/music-revenue.md)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, print_rows, run
from mediabase.common.errors import MediabaseError
from mediabase.identity import service as identity
from mediabase.music.revenue import service as revenue
from mediabase.music.revenue.models import Bucket, DividendCreate, PayoutMark, PayoutStatus
from mediabase.music.revenue.statements import parse_statement

revenue_app = typer.Typer(
    help="Revenue per master: import statements (CSV or JSON lines), list them, sum them per period.",
    no_args_is_help=True,
)
dividends_app = typer.Typer(
    help="Dividends: a master's revenue of a period, shared exactly among the holders of its shares at a "
    "record point (an instant or a block).",
    no_args_is_help=True,
)
payouts_app = typer.Typer(
    help="Payouts: what each holder gets of a dividend; mark them paid or failed; unpaid balances.",
    no_args_is_help=True,
)

OrgOpt = Annotated[str, typer.Option("--org", help="The artist organization's slug.", envvar="MEDIABASE_ORG")]
MasterOpt = Annotated[UUID | None, typer.Option("--master", help="Only this master (its id).")]
DayOpt = Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="A day, YYYY-MM-DD.")]
LimitOpt = Annotated[int, typer.Option(min=1, max=500, help="How many.")]
DividendArg = Annotated[UUID, typer.Argument(help="The dividend's id ('mediabase music dividends list').")]


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


# -- revenue ----------------------------------------------------------------------------------------


@revenue_app.command("import")
def import_statement(
    file: Annotated[
        Path,
        typer.Argument(
            help="A statement: .csv with a header (master_id, source, external_id, "
            "period_start, period_end, amount, currency[, received_at]) or JSON "
            "lines with those keys. Amounts in minor units (cents)."
        ),
    ],
    org: OrgOpt,
    as_json: JsonOpt = False,
) -> None:
    """Record a revenue statement. Every line is checked first; a bad line is named (file:line and
    field) and nothing is written. Importing the same statement again records nothing new."""
    try:
        rows = parse_statement(file)
    except MediabaseError as exc:
        fail(str(exc))

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            result = await revenue.import_events(db, p, [e for _, e in rows], [w for w, _ in rows])
            return result.model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"{out['read']} line(s) read: {out['inserted']} recorded, {out['unchanged']} recorded before")


@revenue_app.command("list")
def list_events(
    org: OrgOpt,
    master: MasterOpt = None,
    since: DayOpt = None,
    until: DayOpt = None,
    limit: LimitOpt = 50,
    as_json: JsonOpt = False,
) -> None:
    """Revenue events newest first (of periods starting in [--since, --until))."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            page = await revenue.list_events(db, p, master_id=master, since=_day(since), until=_day(until), limit=limit)
            return [e.model_dump(mode="json") for e in page.items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "source", "external_id", "period_start", "period_end", "amount", "currency", "master_id")


@revenue_app.command("summary")
def summary(
    org: OrgOpt,
    master: MasterOpt = None,
    by: Annotated[Bucket, typer.Option(help="Sum per month, quarter or year of the period's start.")] = Bucket.month,
    since: DayOpt = None,
    until: DayOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revenue per master, currency and period (the analytics read; a replica may answer it)."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            out = await revenue.revenue_summary(db, p, master_id=master, by=by, since=_day(since), until=_day(until))
            return [b.model_dump(mode="json") for b in out]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "master_id", "currency", "bucket_start", "amount", "events")


# -- dividends --------------------------------------------------------------------------------------


@dividends_app.command("distribute")
def distribute(
    master: Annotated[UUID, typer.Argument(help="The master whose revenue is distributed.")],
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day of the period.")],
    end: Annotated[
        datetime,
        typer.Option("--to", formats=["%Y-%m-%d"], help="The day after the period (the period is [from, to))."),
    ],
    currency: Annotated[str, typer.Option(help="The revenue's currency, e.g. EUR.")],
    org: OrgOpt,
    at: Annotated[
        datetime | None, typer.Option(help="Record point: holders at this instant (ISO 8601, UTC if no offset).")
    ] = None,
    chain: Annotated[int | None, typer.Option(help="Record point: the chain id (with --block).")] = None,
    block: Annotated[int | None, typer.Option(help="Record point: holders at this block (with --chain).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Share a master's revenue of a period among its holders, exactly (largest remainder). Run it
    again and it answers the same dividend."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            out = await revenue.distribute(
                db,
                p,
                DividendCreate(
                    master_id=master,
                    period_start=start.date(),
                    period_end=end.date(),
                    currency=currency,
                    record_at=at,
                    record_chain_id=chain,
                    record_block=block,
                ),
            )
            return out.model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    d = out["dividend"]
    verb = "distributed" if out["created"] else "was distributed already"
    console.print(
        f"dividend {d['id']} {verb}: {d['distributable']} {d['currency']} to {d['holders']} holder(s), "
        f"remainder {d['remainder']}"
    )


@dividends_app.command("list")
def list_dividends(org: OrgOpt, master: MasterOpt = None, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """Dividends newest first."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            page = await revenue.list_dividends(db, p, master_id=master, limit=limit)
            return [d.model_dump(mode="json") for d in page.items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "id", "period_start", "period_end", "currency", "distributable", "holders", "status")


@dividends_app.command("show")
def show_dividend(dividend: DividendArg, org: OrgOpt, as_json: JsonOpt = False) -> None:
    """One dividend: revenue, investors' share, distributable, remainder, holders, status."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await revenue.get_dividend(db, p, dividend)).model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    for k, v in out.items():
        console.print(f"{k}: {'' if v is None else v}")


# -- payouts ----------------------------------------------------------------------------------------


@payouts_app.command("list")
def list_payouts(
    org: OrgOpt,
    dividend: Annotated[UUID | None, typer.Option(help="A dividend's payouts.")] = None,
    account: Annotated[UUID | None, typer.Option(help="A holder's payouts (a ledger account id).")] = None,
    status: Annotated[PayoutStatus | None, typer.Option(help="Only pending, paid or failed ones.")] = None,
    limit: LimitOpt = 50,
    as_json: JsonOpt = False,
) -> None:
    """Payouts of a dividend (by account) or of a holder (newest dividend first)."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            page = await revenue.list_payouts(
                db, p, dividend_id=dividend, account_id=account, status=status, limit=limit
            )
            return [x.model_dump(mode="json") for x in page.items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "dividend_id", "account_id", "holding", "amount", "currency", "status", "external_ref")


@payouts_app.command("mark")
def mark(
    dividend: DividendArg,
    account: Annotated[UUID, typer.Argument(help="The holder's ledger account id.")],
    status: Annotated[PayoutStatus, typer.Argument(help="paid (final), failed, or pending (retry a failed one).")],
    org: OrgOpt,
    ref: Annotated[str | None, typer.Option(help="The payment's reference (bank, PSP, tx hash).")] = None,
    reason: Annotated[str | None, typer.Option(help="Why it failed (with 'failed').")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark one payout paid, failed or pending again."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            out = await revenue.mark_payout(
                db, p, dividend, account, PayoutMark(status=status, external_ref=ref, failure_reason=reason)
            )
            return out.model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"payout of {out['amount']} {out['currency']} to {out['account_id']}: {out['status']}")


@payouts_app.command("pay-all")
def pay_all(
    dividend: DividendArg,
    org: OrgOpt,
    ref: Annotated[str | None, typer.Option(help="The batch payment's reference.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Mark every pending payout of a dividend paid."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await revenue.pay_all(db, p, dividend, ref)).model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"{out['paid']} payout(s) marked paid")


@payouts_app.command("unpaid")
def unpaid(
    org: OrgOpt,
    account: Annotated[UUID | None, typer.Option(help="Only this holder (a ledger account id).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Unpaid balances: Σ pending payouts per holder and currency."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [b.model_dump(mode="json") for b in await revenue.unpaid_balances(db, p, account_id=account)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "account_id", "currency", "amount", "payouts")


def add_commands(app: typer.Typer) -> None:
    """Add this part's commands (or sub-groups) to the ``music`` group."""
    app.add_typer(revenue_app, name="revenue")
    app.add_typer(dividends_app, name="dividends")
    app.add_typer(payouts_app, name="payouts")
