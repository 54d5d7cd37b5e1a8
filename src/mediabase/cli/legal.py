"""``mediabase legal …``: legal documents, acceptances and consents (docs/legal.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, run
from mediabase.common.types import in_range
from mediabase.identity import legal, sessions
from mediabase.identity.legal import Acceptance, AcceptanceStatus, Consent, ConsentSet, DocumentCreate, DocumentSummary

app = typer.Typer(
    help="Legal documents (terms, privacy, …: versioned, each with its text's sha256 and effective date), "
    "users' acceptances of them, and consent history (marketing, analytics, …).",
    no_args_is_help=True,
)
UserOpt = Annotated[str, typer.Option("--user", help="E-mail of the user.")]


@app.command("publish")
def publish(
    kind: Annotated[str, typer.Argument(help="The document's kind: terms, privacy, … (lowercase).")],
    version: Annotated[str, typer.Argument(help="Its version, e.g. 2026-12 or 1.2 (unique per kind).")],
    file: Annotated[Path, typer.Argument(help="A UTF-8 text file with the document's content.")],
    title: Annotated[str, typer.Option(help="The document's title.")] = "Terms of service",
    effective: Annotated[
        str | None, typer.Option(help="When it takes effect, ISO 8601 with a time zone (default: now).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a version of a legal document. With MEDIABASE_REQUIRE_TERMS, a new 'terms' version in
    effect must be accepted by every user before the API serves them again."""
    try:
        content = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except UnicodeDecodeError as exc:
        fail(f"{file}:{content_line(file.read_bytes(), exc.start)}: not UTF-8 text")
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    when = datetime.now(UTC)
    if effective is not None:
        try:
            when = datetime.fromisoformat(effective)
        except ValueError:
            fail(f"--effective: not an ISO 8601 instant (e.g. 2026-12-01T00:00:00+00:00): {effective!r}")
        if when.tzinfo is None or not in_range(when):
            fail(f"--effective: give a time zone and a date between 0001 and 9998: {effective!r}")
    if "\x00" in content:
        fail(f"{file}:{content[: content.index(chr(0))].count(chr(10)) + 1}: a NUL character")

    async def _run() -> DocumentSummary:
        data = DocumentCreate(kind=kind, version=version, title=title, content=content, effective_at=when)
        async with open_databases() as (_, system):
            return await legal.publish(system, data)

    doc = run(_run())
    if as_json:
        print_json(doc.model_dump(mode="json"))
        return
    console.print(f"published {doc.kind} {doc.version} (sha256 {doc.content_sha256[:16]}…), "
                  f"effective {doc.effective_at:%Y-%m-%d %H:%M}Z", markup=False)


def content_line(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


@app.command("list")
def list_documents(as_json: JsonOpt = False) -> None:
    """Every document version, by kind, newest first."""

    async def _run() -> list[DocumentSummary]:
        async with open_databases() as (_, system):
            return await legal.list_documents(system)

    docs = run(_run())
    if as_json:
        print_json([d.model_dump(mode="json") for d in docs])
        return
    for d in docs:
        state = "in effect" if d.in_effect else "future"
        console.print(f"{d.kind:<10} {d.version:<12} {d.effective_at:%Y-%m-%d %H:%M}Z  {state:<9}  {d.title}",
                      markup=False, soft_wrap=True)
    if not docs:
        console.print("no legal documents")


@app.command("status")
def status(user: UserOpt, kind: Annotated[str, typer.Option(help="The document kind.")] = "terms",
           as_json: JsonOpt = False) -> None:
    """Whether a user accepted the version of a kind in effect (exit 1 when not)."""

    async def _run() -> AcceptanceStatus:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, user)
            return await legal.status(system, p.user_id, kind)

    s = run(_run())
    if as_json:
        print_json(s.model_dump(mode="json"))
    elif s.version is None:
        console.print(f"no {kind} document in effect")
    else:
        console.print(f"{kind} {s.version}: {'accepted' if s.accepted else 'NOT accepted'}", markup=False)
    if not s.accepted:
        raise typer.Exit(1)


@app.command("accept")
def accept(
    user: UserOpt,
    kind: Annotated[str, typer.Option(help="The document kind.")] = "terms",
    version: Annotated[str | None, typer.Option(help="The version (default: the one in effect).")] = None,
) -> None:
    """Record that a user accepted a document version (e.g. accepted on paper)."""

    async def _run() -> Acceptance:
        async with open_databases() as (db, system):
            p = await sessions.user_principal(system, user)
            return await legal.accept(db, system, p, kind, version)

    a = run(_run())
    console.print(f"accepted {a.kind} {a.version} at {a.accepted_at:%Y-%m-%d %H:%M}Z", markup=False)


@app.command("consent")
def consent(
    user: UserOpt,
    purpose: Annotated[str, typer.Argument(help="What for: marketing, analytics, … (lowercase).")],
    state: Annotated[str, typer.Argument(help="grant or withdraw.")],
) -> None:
    """Record a consent granted or withdrawn (the history is kept; the latest counts)."""
    if state not in ("grant", "withdraw"):
        fail(f"state: grant or withdraw, not {state!r}")

    async def _run() -> Consent:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, user)
            data = ConsentSet(purpose=purpose, granted=state == "grant")
            return await legal.set_consent(system, p, data, source="cli")

    c = run(_run())
    console.print(f"{c.purpose}: {'granted' if c.granted else 'withdrawn'}", markup=False)


@app.command("consents")
def consents(user: UserOpt, history: Annotated[bool, typer.Option("--history", help="Every row.")] = False,
             as_json: JsonOpt = False) -> None:
    """A user's current consents (or their whole history)."""

    async def _run() -> list[Consent]:
        async with open_databases() as (db, system):
            p = await sessions.user_principal(system, user)
            return await (legal.consent_history(db, p) if history else legal.current_consents(db, p))

    rows = run(_run())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        console.print(f"{r.purpose:<16} {'granted' if r.granted else 'withdrawn':<9} "
                      f"{r.recorded_at:%Y-%m-%d %H:%M}Z {r.source}", markup=False)
    if not rows:
        console.print("no consents recorded")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="legal", rich_help_panel="Tenants")
