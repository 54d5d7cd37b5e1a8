"""``mediabase billing …``: subscriptions, the books, usage, entitlements and provider event logs
(docs/billing.md). An organization is named by ``--org`` (slug); commands act as its first OWNER.
The catalog (plans, prices, features) is in :mod:`mediabase.cli.billing_catalog`."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from mediabase.billing import catalog, replay, service
from mediabase.billing.generator import LogGenerator, Subscriber
from mediabase.billing.models import SubscriptionCancel, SubscriptionChange, SubscriptionCreate, UsageCreate
from mediabase.billing.settings import get_billing_settings
from mediabase.cli import billing_catalog
from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_rows, run
from mediabase.common.errors import Invalid
from mediabase.identity import service as identity

app = typer.Typer(
    help="Billing: plans and prices (the operator's catalog), subscriptions of an organization or of its "
    "members, invoices, payments, refunds, usage and entitlements, and the payment provider's event log "
    "(replayed idempotently). Start with 'mediabase billing plans list'.",
    no_args_is_help=True,
)
SubArg = Annotated[UUID, typer.Argument(help="The subscription's id ('mediabase billing subscriptions').")]
LimitOpt = Annotated[int, typer.Option(min=1, max=500, help="How many.")]
PriceOpt = Annotated[str, typer.Option("--price", help="The price's code, e.g. pro-monthly-usd.")]


async def _user_id(system: Any, email: str | None) -> UUID | None:
    return None if email is None else (await identity.user_by_email(system, email)).id


def _sub_line(s: dict[str, Any]) -> str:
    who = f"member {s['subscriber_user_id']}" if s["subscriber_user_id"] else "the organization"
    end = " (cancels at period end)" if s["cancel_at_period_end"] else ""
    return (f"subscription {s['id']} of {who}: {s['plan_code']} at {s['price_code']} × {s['quantity']}, "
            f"{s['status']}{end}, period {s['current_period_start']} to {s['current_period_end']}")


@app.command("subscribe")
def subscribe(
    org: OrgOpt,
    price: PriceOpt,
    user: Annotated[str | None, typer.Option(help="Email of a member who subscribes (default: the organization).")]
    = None,
    quantity: Annotated[int, typer.Option(min=1, max=100_000, help="Units, e.g. seats.")] = 1,
    trial_days: Annotated[int, typer.Option(min=0, max=730, help="Days of free trial.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Subscribe the organization (or one of its members) to a price, through the configured provider
    (MEDIABASE_BILLING_PROVIDER; offline by default). One live subscription per subscriber."""

    async def _run() -> dict[str, Any] | None:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            data = SubscriptionCreate(price=price, subscriber_user_id=await _user_id(system, user),
                                      quantity=quantity, trial_days=trial_days)
            sub = await service.subscribe(db, p, data)
            return None if sub is None else sub.model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
    else:
        console.print("asked the provider; its webhook brings the subscription" if out is None else _sub_line(out))


@app.command("cancel")
def cancel(
    subscription: SubArg,
    org: OrgOpt,
    at_period_end: Annotated[bool, typer.Option(help="Keep it until the end of the paid period.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Cancel a subscription now, or at the end of the period it is paid for."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            out = await service.cancel(db, p, subscription, SubscriptionCancel(at_period_end=at_period_end))
            return out.model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(_sub_line(out))


@app.command("change-plan")
def change_plan(
    subscription: SubArg,
    org: OrgOpt,
    price: PriceOpt,
    quantity: Annotated[int | None, typer.Option(min=1, max=100_000, help="New units (default: unchanged).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a live subscription to another price (from now on; the next period is invoiced at it)."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            out = await service.change_plan(db, p, subscription, SubscriptionChange(price=price, quantity=quantity))
            return out.model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(_sub_line(out))


@app.command("subscriptions")
def subscriptions(
    org: OrgOpt,
    live: Annotated[bool, typer.Option(help="Only live ones (not canceled or expired).")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the organization's subscriptions (its own and its members'), newest first."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [s.model_dump(mode="json") for s in await service.list_subscriptions(db, p, live=live)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    print_rows(rows, "id", "subscriber_user_id", "plan_code", "price_code", "quantity", "status", "current_period_end")


async def _books(org: str, what: str, limit: int) -> list[dict[str, Any]]:
    async with open_databases() as (db, system):
        p = await identity.acting_owner(system, org)
        if what == "invoices":
            items: list[Any] = (await service.list_invoices(db, p, limit=limit)).items
        elif what == "payments":
            items = (await service.list_payments(db, p, limit=limit)).items
        elif what == "refunds":
            items = (await service.list_refunds(db, p, limit=limit)).items
        else:
            items = (await service.list_events(db, p, limit=limit)).items
        return [x.model_dump(mode="json") for x in items]


@app.command("invoices")
def invoices(org: OrgOpt, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List invoices, newest first (amounts in minor units; a total is the sum of its lines)."""
    rows = run(_books(org, "invoices", limit))
    print_json(rows) if as_json else print_rows(rows, "id", "number", "status", "currency", "total", "amount_due",
                                            "amount_paid", "created")


@app.command("payments")
def payments(org: OrgOpt, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List payments (the provider's charges), newest first, with what was refunded of each."""
    rows = run(_books(org, "payments", limit))
    print_json(rows) if as_json else print_rows(rows, "id", "provider_charge_id", "status", "currency", "amount",
                                            "amount_refunded", "created")


@app.command("refunds")
def refunds(org: OrgOpt, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List refunds, newest first."""
    rows = run(_books(org, "refunds", limit))
    print_json(rows) if as_json else print_rows(rows, "id", "provider_refund_id", "status", "currency", "amount",
                                            "created")


@app.command("events")
def events(org: OrgOpt, limit: LimitOpt = 50, as_json: JsonOpt = False) -> None:
    """List the provider events recorded for the organization, newest first."""
    rows = run(_books(org, "events", limit))
    print_json(rows) if as_json else print_rows(rows, "provider_event_id", "type", "created", "object_id", "source")


@app.command("invoice")
def invoice(
    invoice_id: Annotated[UUID, typer.Argument(help="The invoice's id ('mediabase billing invoices').")],
    org: OrgOpt,
    as_json: JsonOpt = False,
) -> None:
    """Show one invoice with its lines."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.get_invoice(db, p, invoice_id)).model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"invoice {out['number'] or out['provider_invoice_id']}: {out['status']}, total {out['total']} "
                  f"{out['currency']}, due {out['amount_due']}, paid {out['amount_paid']}")
    print_rows(out["lines"] or [], "position", "description", "quantity", "amount", "price_code", "proration")


usage_app = typer.Typer(help="Metered usage: record it, and read it per billing period.", no_args_is_help=True)


@usage_app.command("record")
def usage_record(
    metric: Annotated[str, typer.Argument(help="A feature's code, e.g. transcription_minutes.")],
    quantity: Annotated[int, typer.Argument(min=0, help="How much was used.")],
    org: OrgOpt,
    at: Annotated[datetime | None, typer.Option(help="When (ISO 8601; default now).")] = None,
    key: Annotated[str | None, typer.Option(help="An idempotency key: the same key records once.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record usage; it counts in the billing period it falls in."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            data = UsageCreate(metric=metric, quantity=quantity, occurred_at=at, idempotency_key=key)
            record, _ = await service.record_usage(db, p, data)
            return record.model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(
        f"{out['quantity']} {out['metric']} in the period {out['period_start']} to {out['period_end']}")


@usage_app.command("list")
def usage_list(
    org: OrgOpt,
    metric: Annotated[str | None, typer.Option(help="Only this metric.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Usage per metric and billing period, newest period first."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return [u.model_dump(mode="json") for u in await service.usage_per_period(db, p, metric=metric)]

    rows = run(_run())
    print_json(rows) if as_json else print_rows(rows, "metric", "period_start", "period_end", "quantity", "records")


@app.command("entitlements")
def entitlements(
    org: OrgOpt,
    user: Annotated[str | None, typer.Option(help="Email of a member: their own subscription's.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """What the live subscription grants, and what was used of it this period."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            return (await service.entitlements(db, p, await _user_id(system, user))).model_dump(mode="json")

    out = run(_run())
    if as_json:
        print_json(out)
        return
    if out["subscription_id"] is None:
        console.print("no live subscription: no entitlements")
        return
    console.print(f"plan {out['plan_code']} ({out['status']}), period {out['period_start']} to {out['period_end']}")
    print_rows(out["features"], "feature", "unit", "limit", "used", "remaining")


@app.command("advance")
def advance(
    at: Annotated[datetime | None, typer.Option(help="The clock's time (ISO 8601; default now).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """The offline provider's clock (the worker runs it every maintenance pass): subscriptions whose
    period is over start the next one with a paid invoice, or end when cancelled at period end."""

    async def _run() -> int:
        async with open_databases() as (_, system), system.transaction() as conn:
            await conn.execute(f"SET LOCAL statement_timeout = '{replay.STATEMENT_TIMEOUT}'".encode())
            return await service.advance_offline(conn, None if at is None else int(at.timestamp()))

    n = run(_run())
    print_json({"advanced": n}) if as_json else console.print(f"{n} subscription period(s) advanced")


@app.command("replay")
def replay_log(
    file: Annotated[Path, typer.Argument(help="A JSON-lines log of the provider's webhook events (Stripe's shape).")],
    provider: Annotated[
        str | None, typer.Option(help="Whose events they are: offline or stripe (default: MEDIABASE_BILLING_PROVIDER).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Record and apply a provider's event log. Every event is recorded once; every object ends with the
    snapshot of its newest event, so replaying a log again changes nothing. A bad line is named
    (file:line: field: problem) and nothing is written."""
    name = provider or get_billing_settings().provider
    if name not in ("offline", "stripe"):
        fail(f"--provider: offline or stripe, not {name!r}")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, _):
            t = time.perf_counter()
            out = (await replay.replay_file(db, name, str(file), file.name)).model_dump()
            return {**out, "seconds": round(time.perf_counter() - t, 3)}

    if not file.is_file():
        fail(f"{file}: no such file")
    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"{out['read']} event(s) read in {out['seconds']} s: {out['recorded']} new, {out['skipped']} of no "
                  f"organization; applied {out['subscriptions']} subscription(s), {out['invoices']} invoice(s), "
                  f"{out['payments']} payment(s), {out['refunds']} refund(s)")


@app.command("generate")
def generate(
    out: Annotated[Path, typer.Argument(help="Where to write the JSON-lines log.")],
    orgs: Annotated[list[str], typer.Option("--org", help="An organization (slug) whose customers to simulate; "
                                                          "repeat it for more.")],
    members: Annotated[bool, typer.Option(help="Its members subscribe too (seed 004's user subscriptions).")] = False,
    events: Annotated[int, typer.Option(min=1, max=10_000_000, help="How many events.")] = 1000,
    seed: Annotated[int, typer.Option(help="The same seed writes the same log.")] = 1,
) -> None:
    """Write a realistic provider event log (Stripe's shape) for existing organizations, on the catalog's
    prices: subscriptions, renewals, failed payments, plan changes, cancellations and refunds."""

    async def _run() -> int:
        async with open_databases() as (db, system):
            who: list[Subscriber] = []
            for slug in orgs:
                o = await identity.organization_by_slug(system, slug)
                who.append(Subscriber(o.id))
                if members:
                    p = await identity.acting_owner(system, slug)
                    who += [Subscriber(o.id, m.user_id) for m in await identity.list_members(db, p)]
            prices = await catalog.price_refs(db)
            if not prices:
                raise Invalid("the catalog has no prices: add one with 'mediabase billing prices add'")
        n = 0
        with out.open("w", encoding="utf-8") as f:
            for line in LogGenerator(who, prices, seed=seed).lines(events):
                f.write(line + "\n")
                n += 1
        return n

    console.print(f"{run(_run())} event(s) written to {out}")


def register(root: typer.Typer) -> None:
    billing_catalog.add_commands(app)
    app.add_typer(usage_app, name="usage")
    root.add_typer(app, name="billing", rich_help_panel="Platform")
