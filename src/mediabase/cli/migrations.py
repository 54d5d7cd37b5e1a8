"""Schema commands: migrate, status, validate, plan, baseline, repair, new, dump-schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.syntax import Syntax
from rich.table import Table

from mediabase.cli.common import (
    JsonOpt,
    console,
    database_url,
    err_console,
    fail,
    print_json,
    print_table,
    run,
    settings,
)
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator, Status, default_migrations_dir, new_migration
from mediabase.db.tools import dump_schema


def _migrator() -> Migrator:
    m = Migrator(database_url(), settings())
    m.log = lambda msg: err_console.print(f"[dim]{msg}[/]")
    return m


def migrate(
    target: Annotated[int | None, typer.Option("--target", help="Stop after this migration number.")] = None,
) -> None:
    """Apply every pending migration in order, then re-apply changed read-model views.

    Each file runs in its own transaction with its ledger row; a failing file leaves
    nothing behind. Safe to run from several processes at once: they take turns.
    """
    report = run(_migrator().migrate(target=target))
    if not report.applied and not report.views:
        console.print("schema is current; nothing to apply")
        return
    for f, ms in report.applied:
        console.print(f"applied {f.filename} ({ms} ms)")
    if report.views:
        console.print(f"re-applied views: {', '.join(report.views)}")


def status(as_json: JsonOpt = False) -> None:
    """Show applied and pending migrations. Exit 0 current, 1 pending, 2 drift or error."""
    try:
        st: Status = run(_migrator().status())
    except typer.Exit:
        raise typer.Exit(2) from None
    code = 2 if st.problems else (1 if st.pending or st.views_pending else 0)
    if as_json:
        print_json(
            {
                "applied": [
                    {
                        "version": a.version,
                        "name": a.name,
                        "applied_at": a.applied_at,
                        "applied_by": a.applied_by,
                        "duration_ms": a.duration_ms,
                        "baseline": a.baseline,
                    }
                    for a in st.applied
                ],
                "pending": [f.filename for f in st.pending],
                "views_pending": st.views_pending,
                "problems": st.problems,
                "current": st.current,
            }
        )
        raise typer.Exit(code)
    table = Table("version", "name", "state", "applied at", "ms")
    applied = {a.version: a for a in st.applied}
    for f in st.files:
        a = applied.get(f.version)
        if a:
            state = "baseline" if a.baseline else "applied"
            table.add_row(f"{f.version:04d}", f.name, state, f"{a.applied_at:%Y-%m-%d %H:%M:%S}", str(a.duration_ms))
        else:
            table.add_row(f"{f.version:04d}", f.name, "[yellow]pending[/]", "", "")
    print_table(table)
    for p in st.problems:
        err_console.print(f"[bold red]drift:[/] {p}")
    if st.views_pending:
        console.print(f"views to re-apply: {', '.join(st.views_pending)}")
    console.print(
        {
            0: "schema is current",
            1: f"{len(st.pending)} migration(s) pending: run 'mediabase migrate'",
            2: "schema has drifted from the migration files",
        }[code]
    )
    raise typer.Exit(code)


def validate() -> None:
    """Check the migration files and the ledger without changing anything or taking a lock.

    Fails (exit 1) on a malformed name, a duplicate or missing number, an edited, renamed
    or deleted applied file, or a pending file numbered below the highest applied one.
    """
    st = run(_migrator().status())
    if st.problems:
        for p in st.problems:
            err_console.print(f"[bold red]error:[/] {p}")
        raise typer.Exit(1)
    console.print(f"ok: {len(st.files)} migration files, {len(st.applied)} applied, {len(st.pending)} pending")


def plan() -> None:
    """List the migrations 'migrate' would apply and print their SQL; changes nothing."""
    pending = run(_migrator().plan())
    if not pending:
        console.print("nothing to apply")
        return
    for f in pending:
        mode = "one transaction" if f.transactional else "outside a transaction"
        console.rule(f"{f.filename} ({mode})")
        console.print(Syntax(f.sql, "sql", word_wrap=True))
    console.print(f"{len(pending)} migration(s) pending")


def baseline(
    to: Annotated[int, typer.Option("--to", help="Highest migration number already in the database.")],
) -> None:
    """Mark migrations 1..N as applied without running them, for a database whose schema
    was created some other way. Only on an empty ledger."""
    files = run(_migrator().baseline(to))
    console.print(f"baselined {len(files)} migration(s), up to {files[-1].filename}")


def repair(
    accept_checksum: Annotated[
        int, typer.Option("--accept-checksum", help="Number of the applied migration whose edit you accept.")
    ],
    reason: Annotated[str, typer.Option("--reason", help="Why the edit is harmless (recorded).")],
) -> None:
    """Accept the current text of an applied migration after a harmless edit (a comment,
    whitespace). Recorded with your reason; never done automatically."""
    old, new = run(_migrator().repair(accept_checksum, reason))
    console.print(f"accepted checksum {new[:12]}… for {accept_checksum:04d} (was {old[:12]}…)")


def new(
    name: Annotated[str, typer.Argument(help="What the migration does, e.g. 'add video tags'.")],
) -> None:
    """Create the next numbered migration file, ready to edit."""
    directory = settings().migrations_dir or default_migrations_dir()
    try:
        path = new_migration(directory, name)
    except MediabaseError as exc:
        fail(str(exc))
    console.print(f"created {path}")


def dump_schema_cmd(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the schema of the current database as SQL (the committed schema.sql)."""
    try:
        text = dump_schema(database_url())
    except MediabaseError as exc:
        fail(str(exc))
    if output:
        output.write_text(text, encoding="utf-8")
        console.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Schema")(migrate)
    app.command(rich_help_panel="Schema")(status)
    app.command(rich_help_panel="Schema")(validate)
    app.command(rich_help_panel="Schema")(plan)
    app.command(rich_help_panel="Schema")(baseline)
    app.command(rich_help_panel="Schema")(repair)
    app.command(rich_help_panel="Schema")(new)
    app.command("dump-schema", rich_help_panel="Schema")(dump_schema_cmd)
