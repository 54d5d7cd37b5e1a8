"""``mediabase backup | restore``: the database in one file, and back (docs/operations.md)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from mediabase.cli.common import JsonOpt, console, database_url, err_console, fail, print_json, settings
from mediabase.db import backup as ops
from mediabase.db.errors import MediabaseError

_NOUNS = {
    "tables": "tables dumped",
    "schema": "schema statements",
    "data": "tables of data",
    "indexes": "indexes, constraints, triggers and policies",
    "privileges": "grants",
}


class _Phases:
    """Progress of a backup or restore: a bar for the phase under way on a terminal, and a line
    for each phase, printed (on stderr) once the whole operation has succeeded: a failure
    prints one line, and no phase that it undid."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err_console, transient=True,
                            disable=quiet or not err_console.is_terminal)
        self.phase: str | None = None
        self.task: TaskID | None = None
        self.started = 0.0
        self.done = self.total = 0
        self.lines: list[str] = []

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.finish()
            self.phase, self.started = phase, time.perf_counter()
            self.task = self.bar.add_task(phase, total=total or None)
        self.done, self.total = done, total
        if self.task is not None:
            self.bar.update(self.task, completed=done, total=total or None)

    def finish(self) -> None:
        if self.phase in _NOUNS:
            of = f" of {self.total:,}" if self.total else ""
            self.lines.append(f"  {self.phase}: {self.done:,}{of} {_NOUNS[self.phase]}"
                              f" ({time.perf_counter() - self.started:.1f} s)")
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.phase, self.task = None, None

    def __enter__(self) -> _Phases:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()
        if exc[0] is None:
            self.finish()
            if not self.quiet:
                for line in self.lines:
                    err_console.print(line, highlight=False, soft_wrap=True)


def _where() -> str:
    s = settings()
    return "MEDIABASE_DATABASE_URL" if s.database_url is not None else f"the embedded server in {s.data_dir}"


def _size(n: int) -> str:
    units = ("bytes", "kB", "MB", "GB", "TB")
    value, i = float(n), 0
    while value >= 1000 and i < len(units) - 1:
        value, i = value / 1000, i + 1
    return f"{n} bytes" if i == 0 else f"{value:.1f} {units[i]}"


def backup(
    file: Annotated[Path, typer.Argument(help="The archive to write (pg_dump custom format); replaced if it exists.",
                                         show_default=False)],
    as_json: JsonOpt = False,
) -> None:
    """Write a consistent backup of the database to FILE (a pg_dump custom-format archive).

    The archive holds schema mediabase (tables, data, the migration ledger, indexes, policies,
    grants), the extensions it uses and the planner's statistics. The application may keep
    running: pg_dump reads one snapshot. The file appears only when the backup is complete.
    Restore it with 'mediabase restore FILE'.
    """
    try:
        with _Phases(as_json) as phases:
            report = ops.backup(database_url(), file, progress=phases)
    except MediabaseError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; no backup was written", 130)
    if as_json:
        print_json({"file": str(report.path), "bytes": report.size, "tables": report.tables,
                    "seconds": round(report.seconds, 2)})
        return
    console.print(f"wrote {report.path}: {_size(report.size)}, {report.tables} tables, {report.seconds:.1f} s",
                  highlight=False, soft_wrap=True)


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by 'mediabase backup'.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Replace the schema mediabase of a database that"
                                        " has one (drops it, with all its data, in the restore's transaction).")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Restore a backup written by 'mediabase backup' into an empty database, in one transaction.

    The target is MEDIABASE_DATABASE_URL's database, or the embedded server's (a
    MEDIABASE_DATA_DIR with no cluster yet gets a new one). The archive is checked first: a
    damaged, truncated or foreign file is refused. The roles mediabase_owner, mediabase_app
    and mediabase_api are created when the server lacks them, in the same transaction as
    everything else: if anything fails, the database is left as it was. A database that
    already holds mediabase tables is refused unless --force is given; stop the API and the
    workers before replacing a database they use.
    """
    try:
        with _Phases(as_json) as phases:
            report = ops.restore(database_url(), file, force=force, progress=phases)
    except MediabaseError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; nothing was changed", 130)
    if as_json:
        print_json({"file": str(report.path), "tables": report.tables, "rows": report.rows,
                    "migrations": report.migrations, "last_migration": report.last_migration,
                    "created_roles": report.created_roles, "replaced": report.replaced,
                    "seconds": round(report.seconds, 2)})
        return
    if report.created_roles:
        console.print(f"created roles: {', '.join(report.created_roles)}", highlight=False, soft_wrap=True)
    replaced = " (replacing the schema mediabase that was there)" if report.replaced else ""
    console.print(f"restored {report.path} into {_where()}{replaced}: {report.tables} tables, {report.rows:,} rows,"
                  f" {report.migrations} migrations (last {report.last_migration}), {report.seconds:.1f} s",
                  highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Operations")(backup)
    app.command(rich_help_panel="Operations")(restore)
