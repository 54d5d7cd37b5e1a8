"""``mediabase billing plans|prices|features …``: the operator's catalog (docs/billing.md, "Catalog")."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from mediabase.billing import catalog
from mediabase.billing.models import FeatureCreate, Interval, PlanCreate, PlanLimitSet, PriceCreate
from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, print_table, run

plans_app = typer.Typer(
    help="Plans: what organizations and members subscribe to, each with prices and limits (entitlements). "
    "Global: every organization sees the same catalog; only an operator (this command line) changes it.",
    no_args_is_help=True,
)
prices_app = typer.Typer(
    help="Prices of a plan: an integer amount in minor units (cents) per month or year in one currency. "
    "A price's code is its lookup key: the provider's events name it by that (or by --provider-id).",
    no_args_is_help=True,
)
features_app = typer.Typer(
    help="Features a plan can limit: transcription_minutes, storage_bytes, seats, or your own metric.",
    no_args_is_help=True,
)
PlanArg = Annotated[str, typer.Argument(help="The plan's code, e.g. pro.")]


def _show_plans(plans: list[dict[str, Any]]) -> None:
    table = Table("plan", "name", "active", "prices", "limits")
    for p in plans:
        prices = ", ".join(f"{x['code']} {x['unit_amount']} {x['currency']}/{x['interval']}"
                           + ("" if x["active"] else " (archived)") for x in p["prices"])
        limits = ", ".join(f"{x['feature']}={'unlimited' if x['limit'] is None else x['limit']}"
                           + (" per unit" if x["per_unit"] else "") for x in p["limits"])
        table.add_row(p["code"], p["name"], "yes" if p["active"] else "no", prices, limits)
    print_table(table)


@plans_app.command("list")
def list_plans(
    all_: Annotated[bool, typer.Option("--all", help="Archived plans and prices too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the plans with their prices and limits."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, _):
            return [p.model_dump(mode="json") for p in await catalog.list_plans(db, include_inactive=all_)]

    rows = run(_run())
    print_json(rows) if as_json else _show_plans(rows)


@plans_app.command("add")
def add_plan(
    code: PlanArg,
    name: Annotated[str, typer.Option(help="The plan's name as customers see it.")],
    description: Annotated[str | None, typer.Option(help="What it is for.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a plan (then give it prices with 'billing prices add' and limits with 'billing plans limit')."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            data = PlanCreate(code=code, name=name, description=description)
            return (await catalog.add_plan(system, data)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(f"plan {out['code']} added")


def _set_plan_active(code: str, active: bool, as_json: bool) -> None:
    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            return (await catalog.set_plan_active(system, code, active)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(f"plan {out['code']} {'available' if active else 'archived'}")


@plans_app.command("archive")
def archive_plan(code: PlanArg, as_json: JsonOpt = False) -> None:
    """Archive a plan: nobody new subscribes to it; live subscriptions go on."""
    _set_plan_active(code, False, as_json)


@plans_app.command("restore")
def restore_plan(code: PlanArg, as_json: JsonOpt = False) -> None:
    """Make an archived plan available again."""
    _set_plan_active(code, True, as_json)


@plans_app.command("limit")
def set_limit(
    code: PlanArg,
    feature: Annotated[str, typer.Argument(help="The feature, e.g. transcription_minutes.")],
    limit: Annotated[
        int | None, typer.Argument(min=0, help="The most a subscription may use per period (omit: unlimited).")
    ] = None,
    per_unit: Annotated[bool, typer.Option(help="The limit is per unit of the subscription's quantity.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set what a plan grants of a feature (an entitlement)."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            data = PlanLimitSet(feature=feature, limit=limit, per_unit=per_unit)
            return (await catalog.set_limit(system, code, data)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else _show_plans([out])


@plans_app.command("unlimit")
def remove_limit(
    code: PlanArg,
    feature: Annotated[str, typer.Argument(help="The feature the plan should no longer grant.")],
    as_json: JsonOpt = False,
) -> None:
    """Remove a feature from a plan (it then grants none of it)."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            return (await catalog.remove_limit(system, code, feature)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else _show_plans([out])


@prices_app.command("add")
def add_price(
    code: Annotated[str, typer.Argument(help="The price's code (its lookup key), e.g. pro-monthly-usd.")],
    plan: Annotated[str, typer.Option(help="The plan it is a price of.")],
    amount: Annotated[
        str, typer.Option(help="The amount in minor units (cents), an integer: 1500 is 15.00.")
    ],
    currency: Annotated[str, typer.Option(help="ISO 4217 code, e.g. USD.")],
    interval: Annotated[Interval, typer.Option(help="Billed every month or year.")] = Interval.month,
    provider_id: Annotated[
        str | None, typer.Option(help="The provider's id of this price (Stripe: price_…), when it differs.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a price to a plan. Amounts are integers: money is never a float."""

    if not amount.isascii() or not amount.isdigit() or len(amount) > 18:
        fail(f"--amount: {amount!r} is not a whole number of minor units (cents): money is never a fraction")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            data = PriceCreate(plan=plan, code=code, currency=currency, unit_amount=int(amount), interval=interval,
                               provider_price_id=provider_id)
            return (await catalog.add_price(system, data)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(
        f"price {out['code']}: {out['unit_amount']} {out['currency']} per {out['interval']} of {out['plan_code']}"
    )


def _set_price_active(code: str, active: bool, as_json: bool) -> None:
    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            return (await catalog.set_price_active(system, code, active)).model_dump(mode="json")

    out = run(_run())
    print_json(out) if as_json else console.print(f"price {out['code']} {'available' if active else 'archived'}")


@prices_app.command("archive")
def archive_price(
    code: Annotated[str, typer.Argument(help="The price's code.")], as_json: JsonOpt = False
) -> None:
    """Archive a price: nobody new subscribes at it; live subscriptions keep it."""
    _set_price_active(code, False, as_json)


@prices_app.command("restore")
def restore_price(
    code: Annotated[str, typer.Argument(help="The price's code.")], as_json: JsonOpt = False
) -> None:
    """Make an archived price available again."""
    _set_price_active(code, True, as_json)


@features_app.command("list")
def list_features(as_json: JsonOpt = False) -> None:
    """List the features plans can limit."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, _):
            return [f.model_dump() for f in await catalog.list_features(db)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("feature", "unit", "description")
    for r in rows:
        table.add_row(r["code"], r["unit"], r["description"] or "")
    print_table(table)


@features_app.command("add")
def add_feature(
    code: Annotated[str, typer.Argument(help="The feature's code, e.g. api_calls.")],
    unit: Annotated[str, typer.Option(help="What it counts, e.g. calls.")],
    description: Annotated[str | None, typer.Option(help="What it is.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a feature (a usage metric plans can limit)."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (_, system):
            return (await catalog.add_feature(system, FeatureCreate(code=code, unit=unit,
                                                                    description=description))).model_dump()

    out = run(_run())
    print_json(out) if as_json else console.print(f"feature {out['code']} ({out['unit']}) added")


def add_commands(app: typer.Typer) -> None:
    app.add_typer(plans_app, name="plans")
    app.add_typer(prices_app, name="prices")
    app.add_typer(features_app, name="features")
