"""``mediabase integrations …``: accounts at external services, imports of their recordings, the
events their webhooks delivered, and the integrations key (docs/integrations.md)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from pydantic import SecretStr
from rich.table import Table

from mediabase.cli.common import JsonOpt, OrgOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.db.errors import Invalid, NotFound
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.integrations import crypto, importer, rotation, service, zoom
from mediabase.integrations.fetch import Fetcher
from mediabase.integrations.models import (
    Account,
    AccountCreate,
    AccountStatus,
    AccountUpdate,
    EventStatus,
    ImportReport,
    Provider,
    SecretsUpdate,
)
from mediabase.integrations.settings import IntegrationSettings

app = typer.Typer(help="Integrations: accounts at Zoom and other services, imports of their recordings, the events"
                  " their webhooks delivered, and the key their secrets are sealed under.", no_args_is_help=True)

AccountArg = Annotated[UUID, typer.Argument(help="The account's id (mediabase integrations list shows it).")]
SecretFile = Annotated[Path | None, typer.Option(
    metavar="FILE", help="Read it from this file ('-': standard input), never from the command line.")]


def _read_secret(path: Path | None, name: str) -> SecretStr | None:
    if path is None:
        return None
    text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8") if path.is_file() else None
    if text is None:
        fail(f"--{name}-file: {path}: no such file")
    value = text.strip()
    if not value:
        fail(f"--{name}-file: {path} is empty")
    return SecretStr(value)


def _account_line(a: Account) -> dict[str, Any]:
    return a.model_dump(mode="json")


def _accounts_table(rows: list[Account]) -> None:
    table = Table("provider", "external account", "name", "status", "secrets", "cursor")
    table.add_column("id", no_wrap=True, min_width=36)
    for a in rows:
        secrets = ", ".join(n for n, has in (("access", a.has_access_token), ("refresh", a.has_refresh_token),
                                              ("webhook", a.has_webhook_secret)) if has) or "-"
        table.add_row(a.provider.value, a.external_account_id, a.display_name or "", a.status.value, secrets,
                      a.sync_cursor or "", str(a.id))
    print_table(table)


@app.command("new-key")
def new_key() -> None:
    """Print a fresh key for MEDIABASE_INTEGRATIONS_KEY (base64 of 32 random bytes).

    Keep it where the API and the workers read their environment (a secrets manager); losing it
    loses every sealed token and webhook secret (they are then set again).
    """
    typer.echo(crypto.new_key())


@app.command("add")
def add(
    provider: Annotated[Provider, typer.Argument(help="zoom, google_drive or slack.")],
    external_account_id: Annotated[str, typer.Argument(help="The account's id at the provider (Zoom: account_id).")],
    org: OrgOpt = "demo",
    name: Annotated[str | None, typer.Option(help="A name to recognise the account by.")] = None,
    scope: Annotated[list[str] | None, typer.Option("--scope", help="A scope granted (repeat for more).")] = None,
    webhook_secret_file: SecretFile = None,
    access_token_file: SecretFile = None,
    refresh_token_file: SecretFile = None,
    token_expires_at: Annotated[datetime | None, typer.Option(help="When the access token expires (ISO 8601).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Connect an account; its secrets are sealed under MEDIABASE_INTEGRATIONS_KEY.

    The webhook secret is the provider's signing secret for this account's webhooks (Zoom: the
    app's Secret Token); the provider then calls POST /integrations/zoom/webhooks/ACCOUNT_ID.
    """
    secrets = {"webhook_secret": _read_secret(webhook_secret_file, "webhook-secret"),
               "access_token": _read_secret(access_token_file, "access-token"),
               "refresh_token": _read_secret(refresh_token_file, "refresh-token")}

    async def _run() -> Account:
        data = AccountCreate(provider=provider, external_account_id=external_account_id, display_name=name,
                             scopes=scope or [], token_expires_at=token_expires_at, **secrets)
        async with open_databases() as (app_db, system):
            return await service.create_account(app_db, await identity.acting_owner(system, org), data)

    account = run(_run())
    if as_json:
        print_json(_account_line(account))
    else:
        console.print(f"connected {account.provider.value} account {account.external_account_id}: {account.id}")


@app.command("list")
def list_(org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """List the organization's integration accounts (never their secrets: only which there are)."""

    async def _run() -> list[Account]:
        async with open_databases() as (app_db, system):
            return await service.list_accounts(app_db, await identity.acting_owner(system, org))

    rows = run(_run())
    if as_json:
        print_json([_account_line(a) for a in rows])
    else:
        _accounts_table(rows)


@app.command("show")
def show(account: AccountArg, org: OrgOpt = "demo", as_json: JsonOpt = False) -> None:
    """Show one account: provider, status, scopes, sync cursor, which secrets it has."""

    async def _run() -> Account:
        async with open_databases() as (app_db, system):
            return await service.get_account(app_db, await identity.acting_owner(system, org), account)

    a = run(_run())
    if as_json:
        print_json(_account_line(a))
    else:
        _accounts_table([a])


@app.command("set-secrets")
def set_secrets(
    account: AccountArg,
    org: OrgOpt = "demo",
    webhook_secret_file: SecretFile = None,
    access_token_file: SecretFile = None,
    refresh_token_file: SecretFile = None,
    token_expires_at: Annotated[datetime | None, typer.Option(help="When the access token expires (ISO 8601).")] = None,
) -> None:
    """Set an account's webhook secret or tokens; those not given stay.

    All of the account's secrets are then sealed again under the current key.
    """
    given: dict[str, Any] = {k: v for k, v in (
        ("webhook_secret", _read_secret(webhook_secret_file, "webhook-secret")),
        ("access_token", _read_secret(access_token_file, "access-token")),
        ("refresh_token", _read_secret(refresh_token_file, "refresh-token")),
        ("token_expires_at", token_expires_at)) if v is not None}
    if not given:
        fail("nothing to set: give --webhook-secret-file, --access-token-file, --refresh-token-file or"
             " --token-expires-at")

    async def _run() -> Account:
        data = SecretsUpdate(**given)
        async with open_databases() as (app_db, system):
            return await service.set_secrets(app_db, await identity.acting_owner(system, org), account, data)

    a = run(_run())
    console.print(f"secrets of {a.id} sealed under key id {a.secrets_key_id}")


@app.command("status")
def status(
    account: AccountArg,
    new: Annotated[AccountStatus, typer.Argument(metavar="STATUS", help="active, paused or revoked"
                                                 " (revoked clears the secrets).")],
    org: OrgOpt = "demo",
) -> None:
    """Pause (webhooks refused with 409, imports refused), resume (active) or revoke an account."""

    async def _run() -> Account:
        async with open_databases() as (app_db, system):
            return await service.update_account(app_db, await identity.acting_owner(system, org), account,
                                                AccountUpdate(status=new))

    a = run(_run())
    console.print(f"{a.id} is {a.status.value}")


@app.command("remove")
def remove(account: AccountArg, org: OrgOpt = "demo") -> None:
    """Remove an account and its events; what it imported stays.

    The imported items stay known: importing the same recordings through another account brings
    nothing twice.
    """

    async def _run() -> None:
        async with open_databases() as (app_db, system):
            await service.delete_account(app_db, await identity.acting_owner(system, org), account)

    run(_run())
    console.print(f"removed {account}")


async def _import_account(app_db: Any, p: Principal, account: UUID | None) -> Account:
    if account is not None:
        acc = await service.get_account(app_db, p, account)
        if acc.provider is not Provider.zoom:
            raise Invalid(f"--account: {account} is a {acc.provider.value} account; feeds are Zoom's", field="account")
        return acc
    accounts = await service.list_accounts(app_db, p, zoom.NAME)
    if len(accounts) != 1:
        raise (NotFound if not accounts else Invalid)(
            "no zoom account in this organization: connect one with 'mediabase integrations add zoom ACCOUNT_ID'"
            if not accounts else f"{len(accounts)} zoom accounts: name one with --account", field="account")
    return accounts[0]


@app.command("import")
def import_(
    feed: Annotated[Path, typer.Argument(
        help="A feed: a JSON file shaped like Zoom's recording.completed webhook or its list-recordings answer"
        " ({\"meetings\": [...]}), a JSON Lines file of those, or a folder of them.")],
    org: OrgOpt = "demo",
    account: Annotated[UUID | None, typer.Option(help="The zoom account to import through (default: the"
                                                 " organization's only one).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import Zoom recordings and their transcripts into videos, once.

    Each recording becomes a video, its TRANSCRIPT file (WebVTT, speakers as 'Name: text') the
    video's transcript, with speakers.

    download_url may be https (fetched with the account's token), file://, or a path relative to
    the feed's folder. The whole feed is checked first, transcripts fetched and parsed included:
    any problem is named (file:line or file: field) and nothing is written. Importing the same
    feed again writes nothing (the external-item map remembers what each recording became); a
    transcript that came later is added to its video. The account's sync cursor moves to the
    latest recording's start. The same code imports the recordings a webhook delivers.
    """
    s = IntegrationSettings()

    async def _run() -> ImportReport:
        items = importer.read_feed(feed, s.max_download_bytes)
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            acc = await _import_account(app_db, p, account)
            bearer = None
            if acc.has_access_token and any((f.download_url or "").startswith("https:")
                                            for i in items for f in i.recording.recording_files):
                bearer = (await service.open_secrets(system, p.organization_id, acc.id)).access_token
            fetcher = Fetcher.local(feed if feed.is_dir() else feed.parent, (*zoom.DOWNLOAD_HOSTS, *s.extra_hosts()),
                                    bearer=bearer, max_bytes=s.max_download_bytes, timeout=s.download_timeout)
            return await importer.import_recordings(system, p, acc.id, items, fetcher)

    try:
        report = run(_run())
    except zoom.FeedError as exc:
        for line in exc.lines:
            console.print(f"refused: {line}", soft_wrap=True, markup=False, style="red")
        fail(f"{len(exc.lines)} problem(s) in {feed}; nothing was imported")
    if as_json:
        print_json(report.model_dump(mode="json"))
        return
    for o in report.outcomes:
        extra = f", {o.segments} segments, {o.speakers} speakers" if o.transcript_id else ""
        console.print(f"{o.status.value}: {o.title} ({o.source}) -> video {o.video_id}{extra}", markup=False,
                      soft_wrap=True)
    counts = {st: sum(o.status.value == st for o in report.outcomes) for st in ("loaded", "transcript_added",
                                                                             "skipped")}
    console.print(f"{counts['loaded']} loaded, {counts['transcript_added']} transcripts added, {counts['skipped']}"
                  f" already there; sync cursor {report.sync_cursor}", markup=False)


@app.command("events")
def events(
    account: AccountArg,
    org: OrgOpt = "demo",
    state: Annotated[EventStatus | None, typer.Option("--status", help="received, processed, ignored or"
                                                      " failed.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The webhook deliveries an account received, newest first, and what came of each."""

    async def _run() -> list[dict[str, Any]]:
        async with open_databases() as (app_db, system):
            p = await identity.acting_owner(system, org)
            rows = await service.list_events(app_db, p, account, status=state, limit=limit)
            return [e.model_dump(mode="json") for e in rows]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("received", "event", "status", "error")
    table.add_column("id", no_wrap=True, min_width=36)
    for e in rows:
        table.add_row(str(e["received_at"])[:19], e["event_type"], e["status"], e["error"] or "", e["id"])
    print_table(table)


@app.command("rotate-key")
def rotate_key() -> None:
    """Seal every secret again under the current MEDIABASE_INTEGRATIONS_KEY.

    Rotation: make a key (new-key), set it as MEDIABASE_INTEGRATIONS_KEY and the old one in
    MEDIABASE_INTEGRATIONS_OLD_KEYS wherever mediabase runs, run this, then drop the old key.
    Running it again finds nothing to do.
    """

    async def _run() -> rotation.Rotated:
        async with open_databases() as (_, system):
            return await rotation.rotate_key(system)

    done = run(_run())
    console.print(f"sealed again under key id {done.key_id}: {done.accounts} account(s), {done.events} event(s)")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="integrations", rich_help_panel="Platform")
