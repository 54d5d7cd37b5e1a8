"""``mediabase retention …``: what mediabase deletes on its own, and when (docs/retention.md).
Shows every policy's plan before acting, runs them, changes them. Runs as the owner, across all
organizations (mediabase.governance.retention)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, database_url, fail, print_json, print_table, run, settings
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.db.rows import Conn
from mediabase.governance import retention

T = TypeVar("T")

app = typer.Typer(
    help="Retention: what mediabase deletes by policy (trash, expired links, old notifications and mail, raw"
    " analytics, expired sessions). 'plan' shows what would go, 'run' deletes it, 'policies' and 'set'"
    " show and change the windows. The worker does the same every upkeep pass.",
    no_args_is_help=True,
)

POLICY_HELP = "One policy, e.g. videos.trash (see: mediabase retention policies). Default: all of them."
PolicyOpt = Annotated[str | None, typer.Option("--policy", help=POLICY_HELP, show_default=False)]


async def _with_owner_conn(fn: Callable[[Conn], Awaitable[T]]) -> T:
    url = database_url()
    await Migrator(url, settings()).ensure_current()
    async with Database(url, settings(), role="").owner_connection() as conn:
        return await fn(conn)


def _known(policy: str | None) -> None:
    """Refuse an unknown policy before touching the database: one line, exit 1."""
    if policy is not None and policy not in retention.NAMES:
        fail(f"unknown retention policy {policy!r}; known: {', '.join(retention.NAMES)}")


@app.command("policies")
def policies_cmd(as_json: JsonOpt = False) -> None:
    """List every retention policy: what it deletes, its window, whether it is on.

    Also which upkeep of the worker runs it.
    'purge' policies live in mediabase.retention_policies (change with 'mediabase retention set');
    'partitions' drop whole months of raw analytics (their window is the table's keep_months);
    'sweeper' policies are run by their own code with a fixed or environment-set window.
    """
    rows = run(_with_owner_conn(retention.policies))
    if as_json:
        print_json([p.model_dump(mode="json") for p in rows])
        return
    out = Table("policy", "kind", "keeps", "on", "run by upkeep", "deletes")
    for p in rows:
        keeps = (f"{p.keep_days} days" if p.keep_days is not None
                 else "forever" if p.kind == "partitions" and p.keep_months is None else f"{p.keep_months} months")
        out.add_row(p.name, p.kind, keeps, "yes" if p.enabled else "no", p.runs_in, p.description)
    print_table(out)


@app.command("plan")
def plan_cmd(policy: PolicyOpt = None, as_json: JsonOpt = False) -> None:
    """Show what 'mediabase retention run' would delete now. Changes nothing.

    Per policy and table: how many rows, and the oldest one's time.

    A disabled policy shows nothing; a month of a partitioned table that must stay says why.
    """
    _known(policy)
    items = run(_with_owner_conn(lambda conn: retention.plan(conn, policy)))
    if as_json:
        print_json([i.model_dump(mode="json") for i in items])
        return
    out = Table("policy", "table", "rows", "oldest", "detail")
    for i in items:
        out.add_row(i.policy, i.table, str(i.rows), f"{i.oldest:%Y-%m-%d %H:%M}" if i.oldest else "", i.detail or "")
    print_table(out)


@app.command("run")
def run_cmd(
    policy: PolicyOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what would go (the plan's counts); delete nothing.")]
    = False,
    batch_size: Annotated[
        int,
        typer.Option("--batch-size", min=1, max=retention.MAX_BATCH,
                     help="Rows deleted per transaction (short transactions keep the application unblocked;"
                          " videos go one per transaction)."),
    ] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Delete what has outlived its window, by every enabled policy (or --policy).

    Short transactions, across all organizations; prints the counts. Idempotent: a second run
    finds nothing. Each run is recorded in mediabase.retention_runs (see 'mediabase retention runs').
    """
    _known(policy)
    result = run(_with_owner_conn(
        lambda conn: retention.run(conn, policy=policy, batch_size=batch_size, dry_run=dry_run)))
    if as_json:
        print_json(result.model_dump(mode="json"))
        return
    verb = "would delete" if dry_run else "deleted"
    for name, by_table in result.counts.items():
        went = ", ".join(f"{n} {t}" for t, n in by_table.items()) or "nothing"
        console.print(f"{name}: {verb} {went}", markup=False, soft_wrap=True)
    for note in result.notes:
        console.print(note, markup=False, soft_wrap=True)
    if not result.counts:
        console.print("nothing to do: no enabled policy selected")


@app.command("set")
def set_cmd(
    policy: Annotated[str, typer.Argument(help="The policy to change, e.g. videos.trash.", show_default=False)],
    keep_days: Annotated[
        int | None,
        typer.Option("--keep-days", help="Keep rows this many days (1 to 36500) before they go (purge policies).",
                     show_default=False),
    ] = None,
    keep_months: Annotated[
        int | None,
        typer.Option("--keep-months", help="Months kept of a partitioned table (view_events.raw, …); never below"
                                           " the table's minimum.", show_default=False),
    ] = None,
    enabled: Annotated[
        bool | None,
        typer.Option("--enable/--disable", help="Turn a purge policy on or off.", show_default=False),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change one policy's window, or turn it on or off.

    The change is stored in the database, so every worker and command follows it. Nothing is
    written when the change is refused."""
    _known(policy)
    if keep_days is not None and not 1 <= keep_days <= 36500:
        fail("--keep-days must be between 1 and 36500")
    if keep_months is not None and keep_months < 1:
        fail("--keep-months must be at least 1")
    view = run(_with_owner_conn(
        lambda conn: retention.set_policy(conn, policy, keep_days=keep_days, keep_months=keep_months,
                                          enabled=enabled)))
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    keeps = f"{view.keep_days} days" if view.keep_days is not None else f"{view.keep_months} months"
    console.print(f"{view.name}: keeps {keeps}, {'enabled' if view.enabled else 'disabled'}", markup=False)


@app.command("runs")
def runs_cmd(
    limit: Annotated[int, typer.Option("--limit", min=1, max=1000, help="How many of the latest runs.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List the latest recorded runs, newest first: who ran them, when, and what went."""
    rows = run(_with_owner_conn(lambda conn: retention.runs(conn, limit)))
    if as_json:
        print_json(rows)
        return
    out = Table("started", "by", "finished", "deleted", "error")
    for r in rows:
        out.add_row(f"{r['started_at']:%Y-%m-%d %H:%M:%S}", r["run_by"],
                    f"{r['finished_at']:%H:%M:%S}" if r["finished_at"] else "", retention.summary(r["counts"]) or "-",
                    r["error"] or "")
    print_table(out)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="retention", rich_help_panel="Operations")
