"""``mediabase security …``: the security log (docs/security.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, run
from mediabase.common.models import Page
from mediabase.common.types import in_range
from mediabase.identity import security
from mediabase.identity import service as identity
from mediabase.identity.security import EventKind, SecurityEvent

app = typer.Typer(
    help="The security log: sign-ins, failed sign-ins, API keys created and revoked, members added and"
    " removed, role changes, payouts. Kept 13 months ('mediabase partitions policy security_events').",
    no_args_is_help=True,
)


def _instant(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--{name}: not an ISO 8601 instant (e.g. 2026-12-01T00:00:00+00:00): {value!r}")
    if when.tzinfo is None:
        fail(f"--{name}: give a time zone (e.g. +00:00 or Z): {value!r}")
    if not in_range(when):
        fail(f"--{name}: out of range: {value!r}")
    return when


@app.command("events")
def events(
    org: Annotated[
        str | None,
        typer.Option("--org", help="Organization slug whose log to read.", envvar="MEDIABASE_ORG"),
    ] = None,
    unattributed: Annotated[
        bool,
        typer.Option(
            "--unattributed",
            help="Read the failed sign-ins whose key names no organization (kept apart from every tenant).",
        ),
    ] = False,
    kind: Annotated[
        list[EventKind] | None, typer.Option("--kind", help="Only this kind of event (repeat for several).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="Events at or after this ISO 8601 instant.")] = None,
    until: Annotated[str | None, typer.Option(help="Events before this ISO 8601 instant.")] = None,
    user: Annotated[str | None, typer.Option(help="Only events by or about the user with this email.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many events (newest first).")] = 50,
    cursor: Annotated[str | None, typer.Option(help="Continue after a previous page (its next_cursor).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List security events, newest first: one organization's (--org) or the unattributed ones."""
    if unattributed == (org is not None):
        fail("name one: --org SLUG, or --unattributed")
    start, end = _instant(since, "since"), _instant(until, "until")

    async def _run() -> Page[SecurityEvent]:
        async with open_databases() as (_, system):
            org_id = (await identity.organization_by_slug(system, org)).id if org else None
            user_id = (await identity.user_by_email(system, user)).id if user else None
            return await security.list_events_system(
                system, org_id, kinds=kind, since=start, until=end, user_id=user_id, limit=limit, cursor=cursor
            )

    page = run(_run())
    if as_json:
        print_json(page.model_dump(mode="json"))
        return
    for e in page.items:
        who = f"user={e.actor_user_id}" if e.actor_user_id else "user=-"
        about = f"{e.subject_type.value}={e.subject_id}" if e.subject_type else ""
        ip = f"ip={e.ip_hash[:12]}" if e.ip_hash else ""
        details = " ".join(f"{k}={v}" for k, v in e.details.items())
        line = f"{e.occurred_at.astimezone(UTC):%Y-%m-%d %H:%M:%S}Z {e.kind.value:<14} {who} {about} {ip} {details}"
        console.print(" ".join(line.split()), soft_wrap=True, markup=False)
    if not page.items:
        console.print("no events")
    if page.next_cursor:
        console.print(f"more: --cursor {page.next_cursor}", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="security", rich_help_panel="Tenants")
