"""``mediabase events …``: the event outbox (docs/events.md)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from mediabase import events as event_service
from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.identity import service as identity

app = typer.Typer(
    help="The event outbox: what happened in an organization (video.created, video.transcribed,"
    " comment.created …), written in the same transaction as the change. Webhooks and workflows"
    " subscribe to these events; the worker hands each one over once.",
    no_args_is_help=True,
)


@app.command("types")
def types(as_json: JsonOpt = False) -> None:
    """List the event types that webhook endpoints and workflow templates may subscribe to."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (db, _):
            return [t.model_dump() for t in await event_service.list_types(db)]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("type", "subject", "description")
    for r in rows:
        table.add_row(r["type"], r["subject_type"], r["description"])
    print_table(table)


@app.command("list")
def list_(
    org: OrgOpt = "demo",
    type: Annotated[str | None, typer.Option("--type", help="Only this event type, e.g. video.transcribed.")] = None,
    subject: Annotated[str | None, typer.Option(help="Only events about this object (its UUID).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many events (newest first).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page (its next_cursor).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List an organization's events, newest first, with whether they were dispatched yet."""
    subject_id: UUID | None = None
    if subject is not None:
        try:
            subject_id = UUID(subject)
        except ValueError:
            fail(f"--subject: not a UUID: {subject!r}")

    async def _run() -> dict[str, Any]:
        async with open_databases() as (db, system):
            p = await identity.acting_owner(system, org)
            items, nxt = await event_service.list_events(db, p, type=type, subject_id=subject_id, limit=limit,
                                                         cursor=cursor)
            return {"items": [e.model_dump(mode="json") for e in items], "next_cursor": nxt}

    page = run(_run())
    if as_json:
        print_json(page)
        return
    table = Table("occurred", "type", "subject", "dispatched", "id")
    for e in page["items"]:
        table.add_row(e["occurred_at"][:19], e["type"], f"{e['subject_type']} {e['subject_id']}",
                      (e["dispatched_at"] or "pending")[:19], e["id"])
    print_table(table)
    if page["next_cursor"]:
        console.print(f"more: --cursor {page['next_cursor']}")


@app.command("dispatch")
def dispatch() -> None:
    """Hand every undispatched event to the subscribers now (the worker does this on its own):
    webhook deliveries and workflow runs are enqueued for the worker to carry out."""
    from mediabase.jobs.worker import import_handler_modules
    from mediabase.wiring import WORKER_MODULES

    import_handler_modules([], builtin=WORKER_MODULES)  # every subscriber, as the worker has them

    async def _run() -> int:
        async with open_databases() as (db, _):
            total = 0
            while n := await event_service.dispatch(db):
                total += n
            return total

    console.print(f"dispatched {run(_run())} event(s)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="events", rich_help_panel="Platform")
