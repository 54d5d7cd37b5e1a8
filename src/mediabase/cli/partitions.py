"""``mediabase partitions …``: the one partition manager (mediabase.db.partitions) for every
registered monthly-partitioned table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, database_url, fail, print_json, print_table, run, settings
from mediabase.db import partitions
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.db.rows import Conn

T = TypeVar("T")

partitions_app = typer.Typer(
    help="Monthly partitions of every registered table (jobs, the audit log, …): create ahead, drop or"
    " archive old months, status, retention policy.",
)

MonthsAheadOpt = Annotated[
    int | None,
    typer.Option(
        "--months-ahead", min=0, max=36, help="Months after this one to create (default 2; MEDIABASE_JOBS_MONTHS_AHEAD)"
    ),
]


def _months_ahead(value: int | None) -> int:
    from mediabase.jobs.settings import JobSettings

    return value if value is not None else JobSettings().months_ahead


async def _with_owner_conn(fn: Callable[[Conn], Awaitable[T]]) -> T:
    url = database_url()
    await Migrator(url, settings()).ensure_current()
    async with Database(url, settings(), role="").owner_connection() as conn:
        return await fn(conn)


def _report(actions: list[partitions.Action], as_json: bool, nothing: str) -> None:
    """Print what was done, one line each (or ``nothing``); exit 1 if anything failed."""
    if as_json:
        print_json([a.model_dump(mode="json") for a in actions])
    else:
        for a in actions:
            line = f"{a.action} {a.partition or a.table}"
            if a.archive:
                line += f" (archived to {a.archive}, {a.rows} rows)"
            console.print(line + (f": {a.detail}" if a.detail else ""), soft_wrap=True, markup=False)
        if not actions and nothing:
            console.print(nothing)
    if any(a.action == "failed" for a in actions):
        raise typer.Exit(1)


@partitions_app.callback(invoke_without_command=True)
def partitions_main(
    ctx: typer.Context,
    months_ahead: MonthsAheadOpt = None,
    prune_keep: Annotated[
        int | None,
        typer.Option(
            "--prune-keep",
            min=1,
            help="Months kept, for this run, of every table that has a retention (never below its minimum)."
            " Default: each table's policy (mediabase partitions policy).",
        ),
    ] = None,
    archive_dir: Annotated[
        Path | None,
        typer.Option(
            "--archive-dir",
            file_okay=False,
            help="Write each month to DIR/<partition>.csv.gz before dropping it; a month whose file"
            " cannot be written is not dropped. Also drops the months of tables whose policy archives.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Maintain every registered table: create this month and the next ones (and the months
    waiting in DEFAULT), then detach and drop the months past each table's retention.

    Idempotent; safe beside running workers (their upkeep does the same hourly, without an
    archive directory). A month that still holds rows its table keeps (jobs: queued or
    processing) stays. Prints one line per partition created, dropped or kept; exits 1 if a
    table or a month failed.
    """
    if ctx.invoked_subcommand is not None:
        if months_ahead is not None or prune_keep is not None or archive_dir is not None or as_json:
            fail(f"the options of 'mediabase partitions' go without a subcommand (got '{ctx.invoked_subcommand}')")
        return
    ahead = _months_ahead(months_ahead)
    actions = run(
        _with_owner_conn(
            lambda conn: partitions.run(conn, months_ahead=ahead, prune_keep=prune_keep, archive_dir=archive_dir)
        )
    )
    _report(actions, as_json, "nothing to do: every month is there and none is due")


@partitions_app.command("status")
def partitions_status(as_json: JsonOpt = False) -> None:
    """List every registered table's partitions (the DEFAULT one first) with estimated row counts."""
    parts = run(_with_owner_conn(partitions.status))
    if as_json:
        print_json([p.model_dump(mode="json") for p in parts])
        return
    table = Table("table", "partition", "from", "to", "rows (est.)")
    for p in parts:
        table.add_row(
            p.table,
            p.name,
            f"{p.range_from:%Y-%m-%d}" if p.range_from else "DEFAULT",
            f"{p.range_to:%Y-%m-%d}" if p.range_to else "",
            str(p.est_rows),
        )
    print_table(table)


@partitions_app.command("ensure")
def partitions_ensure(months_ahead: MonthsAheadOpt = None) -> None:
    """Only create: this month's and the next months' partitions of every registered table.

    Rows waiting in the DEFAULT partition move into their month's new partition.
    """
    ahead = _months_ahead(months_ahead)
    actions = run(_with_owner_conn(lambda conn: partitions.maintain(conn, months_ahead=ahead, drop_due=False)))
    created = [a.partition or "" for a in actions if a.action == "created"]
    if created:
        console.print(f"created {', '.join(created)}")
    _report([a for a in actions if a.action != "created"], False, "" if created else "all partitions exist already")


@partitions_app.command("prune")
def partitions_prune(
    keep_months: Annotated[
        int | None,
        typer.Option(
            "--keep-months", min=1, help="Months kept of every table that has a retention (default: its policy)."
        ),
    ] = None,
) -> None:
    """Only drop: the months that ended more than each table's retention (or --keep-months) ago.

    A month that still holds rows its table keeps (jobs: queued or processing) stays, and so do
    months of tables whose policy archives first (use --archive-dir on 'mediabase partitions').
    The idempotency keys of dropped jobs go with them.
    """
    actions = run(_with_owner_conn(lambda conn: partitions.maintain(conn, months_ahead=None, prune_keep=keep_months)))
    dropped = [a.partition or "" for a in actions if a.action == "dropped"]
    if dropped:
        console.print(f"dropped {', '.join(dropped)}")
    _report([a for a in actions if a.action != "dropped"], False, "" if dropped else "nothing to drop")


@partitions_app.command("policy")
def partitions_policy(
    table: Annotated[str | None, typer.Argument(help="A registered table, e.g. jobs (default: list them all).")] = None,
    keep_months: Annotated[
        int | None, typer.Option("--keep-months", min=1, help="Keep this many months after the current one.")
    ] = None,
    keep_forever: Annotated[bool, typer.Option("--keep-forever", help="Never drop the table's months.")] = False,
    archive: Annotated[
        bool | None,
        typer.Option("--archive/--no-archive", help="Drop a month only after writing it to --archive-dir."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the registered tables' retention policies, or change one table's.

    The policy lives in the database (mediabase.partitioned_tables), so every worker and
    command follows the same one.
    """
    changing = keep_months is not None or keep_forever or archive is not None
    if changing and table is None:
        fail("name the table whose policy to change, e.g. 'mediabase partitions policy jobs --keep-months 12'")
    if keep_months is not None and keep_forever:
        fail("--keep-months and --keep-forever contradict each other")

    async def _run(conn: Conn) -> list[partitions.Policy]:
        if changing:
            assert table is not None
            return [await partitions.set_policy(conn, table, keep_months=keep_months, keep_forever=keep_forever,
                                                archive=archive)]
        return await partitions.policies(conn, table)

    rows = run(_with_owner_conn(_run))
    if as_json:
        print_json([p.model_dump(mode="json") for p in rows])
        return
    out = Table("table", "keep months", "minimum", "archive first", "kept while")
    for p in rows:
        out.add_row(p.table, "forever" if p.keep_months is None else str(p.keep_months), str(p.min_keep_months),
                    "yes" if p.archive else "no", p.keep_while or "")
    print_table(out)

