"""``mediabase mail …``: the outgoing mail outbox, its transport, and the decision digests."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run, settings
from mediabase.collab import digests
from mediabase.db.errors import Invalid
from mediabase.identity import service as identity
from mediabase.mail import service as mail
from mediabase.mail.models import MailStatus
from mediabase.mail.transport import config_from_settings, transport_from_settings

mail_app = typer.Typer(
    help="Outgoing mail: the outbox (what mediabase sends and how it went), sending what is due, retrying, "
    "and the daily and weekly decision digests. Where mail goes is MEDIABASE_MAIL_URL (SMTP), or by default "
    ".eml files in MEDIABASE_MAIL_DIR; a running 'mediabase worker' sends and composes by itself.",
    no_args_is_help=True,
)

MessageArg = Annotated[UUID, typer.Argument(help="The message's id (from 'mediabase mail list').")]
AnyOrgOpt = Annotated[
    str | None, typer.Option("--org", help="Only this organization (slug); default: every organization.")
]


class PeriodChoice(StrEnum):
    daily = "daily"
    weekly = "weekly"
    both = "both"


@mail_app.command("config")
def mail_config() -> None:
    """Say where mail goes with the current settings (MEDIABASE_MAIL_URL, MEDIABASE_MAIL_DIR,
    MEDIABASE_MAIL_FROM), without sending anything; a setting that cannot work is an error."""
    s = settings()
    try:
        config = config_from_settings(s)
    except Invalid as exc:
        fail(str(exc))
    console.print(config.describe())
    console.print(f"From: {s.mail_from}; links to {s.public_url}; {s.mail_max_attempts} attempts per message")


@mail_app.command("list")
def mail_list(
    org: OrgOpt = "demo",
    status: Annotated[MailStatus | None, typer.Option(help="Only messages in this state.")] = None,
    kind: Annotated[str | None, typer.Option(help="Only messages of this kind, e.g. decision.digest.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List an organization's outbox, newest first: to whom, what, and how sending went.

    status is queued (waiting), sending, sent, failed (tried again later) or dead (given up:
    see last_error; 'mediabase mail retry' queues it again)."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            page = await mail.list_messages(app_db, p, status=status, kind=kind, limit=limit)
            return [m.model_dump(mode="json") for m in page.items]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("created", "status", "tries", "kind", "to", "subject", "last error")
    table.add_column("id", no_wrap=True, min_width=36)
    for m in rows:
        table.add_row(m["created_at"][:19], m["status"], f"{m['attempts']}/{m['max_attempts']}", m["kind"],
                      m["to_address"], m["subject"], m["last_error"] or "", m["id"])
    print_table(table)


@mail_app.command("show")
def mail_show(message: MessageArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Show one message with its text body and its delivery state."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            return (await mail.get_message(app_db, p, message)).model_dump(mode="json")

    m = run(_run())
    if as_json:
        print_json(m)
        return
    console.print(f"[bold]{m['subject']}[/]  to {m['to_address']}  ({m['status']}, attempt {m['attempts']} of "
                  f"{m['max_attempts']}{', sent ' + m['sent_at'][:19] if m['sent_at'] else ''})", soft_wrap=True)
    if m["last_error"]:
        console.print(f"last error: {m['last_error']}", soft_wrap=True)
    console.print(m["body_text"], markup=False, highlight=False)


@mail_app.command("send")
def mail_send(
    org: AnyOrgOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many messages.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Send the messages that are due now, from this process, through the configured transport.

    A running worker does this by itself (one 'mail.send' job per attempt); use this without a
    worker, or to flush the outbox now. A message that fails is tried again later with a growing
    delay, and given up ('dead') after MEDIABASE_MAIL_MAX_ATTEMPTS attempts or at once when the
    server refuses it for good."""

    async def _run() -> dict[str, Any]:
        s = settings()
        transport = transport_from_settings(s)  # a bad MEDIABASE_MAIL_URL fails here, before anything
        async with open_databases() as (app_db, system):
            org_id = (await identity.organization_by_slug(system, org)).id if org else None
            report = await mail.send_due(app_db, system, transport, s, org=org_id, limit=limit)
        return report.model_dump()

    out = run(_run())
    if as_json:
        print_json(out)
        return
    console.print(f"sent {out['sent']}, failed {out['failed']} (tried again later), dead {out['dead']}, "
                  f"busy {out['busy']} (held by another sender or not due)")


@mail_app.command("retry")
def mail_retry(message: MessageArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Queue a failed or dead message again now, with a fresh set of attempts (a worker, or
    'mediabase mail send', then sends it)."""

    async def _run() -> dict[str, Any]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            return (await mail.retry_message(app_db, p, message)).model_dump(mode="json")

    m = run(_run())
    if as_json:
        print_json(m)
        return
    console.print(f"queued {m['id']} again")


@mail_app.command("digests")
def mail_digests(
    period: Annotated[PeriodChoice, typer.Option(help="Which digests: daily, weekly or both.")] = PeriodChoice.both,
    org: AnyOrgOpt = None,
    at: Annotated[
        datetime | None,
        typer.Option(help="Compose as if it were this instant (UTC unless an offset is given; not in the future); "
                     "default now.", formats=["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
                     metavar="YYYY-MM-DD[THH:MM:SS]"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list whose digests are due; write nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compose the decision digests of the periods that have ended (the worker does this on each
    maintenance pass).

    A member who follows a decision tag with frequency daily or weekly gets one mail per UTC day
    (the day before today) or ISO week (Monday to Monday, UTC) listing those decisions, with a
    link to each decision's moment. Running it again composes nothing twice."""
    when = at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at

    async def _run() -> list[dict[str, Any]]:
        out = []
        async with open_databases() as (_, system):
            org_id = (await identity.organization_by_slug(system, org)).id if org else None
            async with system.owner_connection() as conn:
                for frequency in digests.FREQUENCIES:
                    if period in (PeriodChoice.both, frequency):
                        lines = await digests.compose_digests(conn, frequency=frequency, at=when, org=org_id,
                                                              dry_run=dry_run)
                        out += [line.model_dump(mode="json") for line in lines]
        return out

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("no digest is due")
        return
    table = Table("frequency", "period", "user", "notifications", "outcome", "message")
    for r in rows:
        table.add_row(r["frequency"], r["period"], r["user_id"], str(r["notifications"]),
                      r["outcome"] + (f" ({r['skipped']})" if r["skipped"] else ""), r["message_id"] or "")
    print_table(table)


def register(app: typer.Typer) -> None:
    app.add_typer(mail_app, name="mail", rich_help_panel="Platform")
