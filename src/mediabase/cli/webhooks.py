"""``mediabase webhooks …``: outgoing webhooks (docs/webhooks.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from mediabase import webhooks as service
from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.webhooks import DeliveryStatus, EndpointCreate, EndpointDisable, EndpointUpdate

app = typer.Typer(
    help="Outgoing webhooks: endpoints (https URLs) that receive an organization's events"
    " (video.created, comment.created … see 'mediabase events types'), each request signed in the"
    " Standard Webhooks format with the endpoint's secret, retried with backoff, dead after its"
    " attempts. The worker ('mediabase worker') sends them.",
    no_args_is_help=True,
)

EndpointArg = Annotated[UUID, typer.Argument(help="The endpoint's id (see 'mediabase webhooks list').")]
DeliveryArg = Annotated[UUID, typer.Argument(help="The delivery's id (see 'mediabase webhooks deliveries').")]
EventOpt = Annotated[list[str] | None, typer.Option(
    "--event", help="An event type to receive, e.g. video.transcribed (repeat for several).")]


_OPTIONS = {"url": "--url", "event_types": "--event", "description": "--description", "reason": "--reason",
            "cursor": "--cursor"}


def _as_owner(org: str, fn: Callable[[Database, Principal], Awaitable[Any]]) -> Any:
    """Run ``fn`` as the organization's first OWNER; a refusal names the option it is about."""

    async def _run() -> Any:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            try:
                return await fn(db, p)
            except MediabaseError as exc:
                if exc.field in _OPTIONS:
                    fail(f"{_OPTIONS[exc.field]}: {exc}")
                raise

    return run(_run())


def _show_endpoint(ep: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(ep)
        return
    state = f"disabled since {ep['disabled_at'][:19]}: {ep['disabled_reason']}" if ep["disabled_at"] else "enabled"
    console.print(f"[bold]{ep['url']}[/]  ({state}, {ep['consecutive_failures']} failures in a row)")
    console.print(f"id {ep['id']}; events: {', '.join(ep['event_types'])}")
    if ep.get("description"):
        console.print(ep["description"])
    if ep.get("secret"):
        console.print(f"signing secret (shown this once, keep it): [bold]{ep['secret']}[/]")


@app.command("create")
def create(
    url: Annotated[str, typer.Option("--url", help="The https:// URL events are POSTed to.")],
    event: EventOpt = None,
    description: Annotated[str, typer.Option(help="What the endpoint is for (at most 500 characters).")] = "",
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Add an endpoint and print its signing secret: it is shown this once, never again."""
    ep = _as_owner(org, lambda db, p: service.create_endpoint(
        db, p, EndpointCreate(url=url, event_types=event or [], description=description)))
    _show_endpoint(ep.model_dump(mode="json"), as_json)


@app.command("list")
def list_(org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """List the organization's endpoints (never their secrets)."""
    eps = [e.model_dump(mode="json") for e in _as_owner(org, service.list_endpoints)]
    if as_json:
        print_json(eps)
        return
    table = Table("id", "url", "events", "state", "failures")
    for e in eps:
        table.add_row(e["id"], e["url"], ", ".join(e["event_types"]),
                      "disabled" if e["disabled_at"] else "enabled", str(e["consecutive_failures"]))
    print_table(table)


@app.command("show")
def show(endpoint: EndpointArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Show one endpoint (no secret)."""
    ep = _as_owner(org, lambda db, p: service.get_endpoint(db, p, endpoint))
    _show_endpoint(ep.model_dump(mode="json"), as_json)


@app.command("update")
def update(
    endpoint: EndpointArg,
    url: Annotated[str | None, typer.Option("--url", help="A new https:// URL.")] = None,
    event: EventOpt = None,
    description: Annotated[str | None, typer.Option(help="A new description.")] = None,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """Change an endpoint's URL, description, or event types (--event replaces the whole list)."""
    ep = _as_owner(org, lambda db, p: service.update_endpoint(
        db, p, endpoint, EndpointUpdate(url=url, event_types=event or None, description=description)))
    _show_endpoint(ep.model_dump(mode="json"), as_json)


@app.command("disable")
def disable(
    endpoint: EndpointArg,
    reason: Annotated[str, typer.Option(help="Why (shown with the endpoint).")] = "disabled by hand",
    org: OrgOpt = "demo",
) -> None:
    """Disable an endpoint: no new deliveries; its pending ones go dead when their turn comes."""
    ep = _as_owner(org, lambda db, p: service.set_disabled(db, p, endpoint, EndpointDisable(reason=reason).reason))
    console.print(f"disabled {ep.id}")


@app.command("enable")
def enable(endpoint: EndpointArg, org: OrgOpt = "demo") -> None:
    """Enable an endpoint again; its failures in a row count from 0 (dead deliveries stay dead until redelivered)."""
    ep = _as_owner(org, lambda db, p: service.set_disabled(db, p, endpoint, None))
    console.print(f"enabled {ep.id}")


@app.command("delete")
def delete(endpoint: EndpointArg, org: OrgOpt = "demo") -> None:
    """Delete an endpoint with its deliveries and their attempts."""
    _as_owner(org, lambda db, p: service.delete_endpoint(db, p, endpoint))
    console.print(f"deleted {endpoint}")


@app.command("rotate-secret")
def rotate_secret(endpoint: EndpointArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Give an endpoint a new signing secret, printed this once; the previous one signs too for a grace period.

    The grace period is MEDIABASE_WEBHOOKS_SECRET_GRACE_HOURS (24): requests carry two signatures
    meanwhile, so the receiver can switch to the new secret without losing one."""
    ep = _as_owner(org, lambda db, p: service.rotate_secret(db, p, endpoint))
    _show_endpoint(ep.model_dump(mode="json"), as_json)


@app.command("test")
def send_test(endpoint: EndpointArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Send a webhook.test event to one endpoint (the worker sends it); prints its delivery."""
    d = _as_owner(org, lambda db, p: service.send_test(db, p, endpoint)).model_dump(mode="json")
    if as_json:
        print_json(d)
        return
    console.print(f"delivery {d['id']} of event {d['event_id']} is {d['status']}")


@app.command("deliveries")
def deliveries(
    status: Annotated[DeliveryStatus | None, typer.Option(help="Only pending, delivered or dead ones.")] = None,
    endpoint: Annotated[UUID | None, typer.Option(help="Only this endpoint's deliveries.")] = None,
    event: Annotated[UUID | None, typer.Option(help="Only this event's deliveries.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many (newest first).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page (its next_cursor).")] = None,
    org: OrgOpt = "demo",
    as_json: JsonOpt = False,
) -> None:
    """List deliveries, newest first: their status, attempts and last error."""
    items, nxt = _as_owner(org, lambda db, p: service.list_deliveries(
        db, p, status=status, endpoint_id=endpoint, event_id=event, limit=limit, cursor=cursor))
    page = {"items": [d.model_dump(mode="json") for d in items], "next_cursor": nxt}
    if as_json:
        print_json(page)
        return
    table = Table("id", "event", "type", "status", "attempts", "last", "endpoint")
    for d in page["items"]:
        table.add_row(d["id"], d["event_id"], d["event_type"], d["status"], f"{d['attempts']}/{d['max_attempts']}",
                      str(d["last_status_code"] or d["last_error"] or ""), d["endpoint_id"])
    print_table(table)
    if nxt:
        console.print(f"more: --cursor {nxt}")


@app.command("delivery")
def delivery(delivery_id: DeliveryArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Show one delivery and every attempt made (status code, duration, error)."""
    d = _as_owner(org, lambda db, p: service.get_delivery(db, p, delivery_id)).model_dump(mode="json")
    if as_json:
        print_json(d)
        return
    console.print(f"[bold]{d['event_type']}[/] {d['event_id']} → endpoint {d['endpoint_id']}: {d['status']}")
    table = Table("attempt", "started", "status", "ms", "error")
    for t in d["attempts_made"]:
        table.add_row(str(t["attempt"]), t["started_at"][:19], str(t["status_code"] or ""), str(t["duration_ms"]),
                      t["error"] or "")
    print_table(table)


@app.command("redeliver")
def redeliver(delivery_id: DeliveryArg, org: OrgOpt = "demo") -> None:
    """Send a dead (or delivered) delivery again: same webhook-id, a fresh budget of attempts."""
    d = _as_owner(org, lambda db, p: service.redeliver(db, p, delivery_id))
    console.print(f"delivery {d.id} is pending again")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="webhooks", rich_help_panel="Platform")
