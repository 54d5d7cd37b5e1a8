"""``mediabase users erase|export|requests|process|cancel``: a person's data subject requests,
answered by an operator (docs/governance.md). :func:`register` adds them to the group of
``users create`` (cli/admin.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, run
from mediabase.db.connection import Database
from mediabase.governance import requests
from mediabase.governance.requests import DataRequest, Kind
from mediabase.identity import service as identity

UserArg = Annotated[str, typer.Argument(help="The person: their e-mail address or user id.", show_default=False)]
RequestArg = Annotated[str, typer.Argument(help="The request's id (from `mediabase users requests`).")]


async def _user_id(system: Database, who: str) -> UUID:
    if "\x00" in who:
        fail("USER: a NUL character")
    try:
        return UUID(who)
    except ValueError:
        pass
    if "@" not in who:
        fail(f"USER: give an e-mail address or a user id, not {who!r}")
    return (await identity.user_by_email(system, who)).id


def _request_id(raw: str) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        fail(f"REQUEST: not a request id (a UUID): {raw!r}")


def _show(r: DataRequest) -> str:
    due = "OVERDUE " if r.overdue else ""
    return (f"{r.id}  {r.kind.value:<6} {r.status.value:<10} user {r.user_id}  asked {r.requested_at:%Y-%m-%d %H:%M}"
            f"  {due}due {r.deadline_at:%Y-%m-%d}" + (f"  error: {r.error}" if r.error else ""))


def erase(
    user: UserArg,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (needed when not at a terminal).")]
    = False,
    verify: Annotated[
        bool, typer.Option(help="After erasing, search every text column of every table for what named the person "
                                "and roll everything back if anything is left (slow on a large database).")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Erase a person now, for good (recorded as a data request).

    Their account becomes an anonymous tombstone; sessions, keys, consents, memberships and views are deleted; their comments, names, notifications, decision edit values, speaker labels and the copies of them in logs are erased or pseudonymised (docs/governance.md lists every table).

    Ledger and billing rows stay, held by the pseudonymous account."""  # noqa: E501 (help paragraphs are one line each)
    if not yes:
        if not sys.stdin.isatty():
            fail("erasing cannot be undone: pass --yes to confirm")
        typer.confirm(f"Erase {user} for good?", abort=True)

    async def _run() -> DataRequest:
        async with open_databases() as (_, system):
            uid = await _user_id(system, user)
            req, _ = await requests.create(system, uid, Kind.erase, via="cli")
            return await requests.process(system, req.id, verify=verify)

    done = run(_run())
    if as_json:
        print_json(done.model_dump(mode="json"))
        return
    counts = done.summary.get("counts", {})
    console.print(f"erased user {done.user_id} (request {done.id})", markup=False)
    for what, n in sorted(counts.items()):
        console.print(f"  {what:<32} {n}", markup=False)


def export(
    user: UserArg,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the JSON archive here "
                                                 "(default: standard output).")] = None,
) -> None:
    """Export everything mediabase holds about a person as one JSON archive.

    Their account, sessions, consents, memberships, comments, decisions, views, authored stories, ledger accounts … — no password or token hashes.

    Recorded as a data request."""  # noqa: E501 (help paragraphs are one line each)
    if output is not None and not output.parent.is_dir():
        fail(f"{output}: the folder {output.parent} does not exist")

    async def _run() -> dict[str, object]:
        async with open_databases() as (_, system):
            uid = await _user_id(system, user)
            req, _ = await requests.create(system, uid, Kind.export, via="cli")
            done = await requests.process(system, req.id)
            return await requests.archive_of(system, done.id, uid)

    archive = run(_run())
    text = json.dumps(archive, ensure_ascii=False, indent=2, sort_keys=True)
    if output is None:
        sys.stdout.write(text + "\n")
        return
    try:
        output.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        fail(f"{output}: {exc.strerror or exc}")
    console.print(f"wrote {output} ({len(text):,} characters)", markup=False)


def list_requests(
    user: Annotated[str | None, typer.Option("--user", help="Only this person's (e-mail or user id).")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only pending and processing requests.")] = False,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 100,
    as_json: JsonOpt = False,
) -> None:
    """Data subject requests (export or erase): open ones first by deadline, overdue ones marked."""

    async def _run() -> list[DataRequest]:
        async with open_databases() as (_, system):
            uid = await _user_id(system, user) if user is not None else None
            return await requests.listing(system, user_id=uid, open_only=open_only, limit=limit)

    rows = run(_run())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    if not rows:
        console.print("no data requests")
    for r in rows:
        console.print(_show(r), markup=False, soft_wrap=True)


def process(request: RequestArg, as_json: JsonOpt = False) -> None:
    """Answer a pending request now (what the worker does for requests made over the API)."""

    async def _run() -> DataRequest:
        async with open_databases() as (_, system):
            return await requests.process(system, _request_id(request))

    done = run(_run())
    if as_json:
        print_json(done.model_dump(mode="json"))
    else:
        console.print(_show(done), markup=False, soft_wrap=True)


def cancel(request: RequestArg) -> None:
    """Cancel a pending request (one being answered or answered cannot be)."""

    async def _run() -> DataRequest:
        async with open_databases() as (_, system):
            return await requests.cancel(system, _request_id(request))

    console.print(_show(run(_run())), markup=False, soft_wrap=True)


def register(group: typer.Typer) -> None:
    """Add the commands to the ``users`` group (``admin.user_app``, which creates users)."""
    for name, command in (("erase", erase), ("export", export), ("requests", list_requests), ("process", process),
                          ("cancel", cancel)):
        group.command(name)(command)
