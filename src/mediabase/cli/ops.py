"""Operations: seed, psql, doctor."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from mediabase import demo as seeds
from mediabase.cli.common import JsonOpt, console, database_url, fail, print_json, print_table, run, settings
from mediabase.config import Settings
from mediabase.db import observe
from mediabase.db.connection import SEARCH_PATH, Database
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator
from mediabase.db.sessions import connect
from mediabase.db.tools import program
from mediabase.jobs.service import queue_counts


def seed(
    name: Annotated[
        str,
        typer.Argument(
            help="Which data set: 'demo' (real AMI meetings, the story community 'tales' and the music"
            " artist 'demo-artist'), 'music' (the artist alone) or 'test'."
        ),
    ] = "demo",
) -> None:
    """Load a seed data set. Seeds are deterministic and idempotent: running one twice
    changes nothing the second time."""
    if name not in seeds.SEEDS:
        fail(f"unknown seed {name!r}; choose one of: {', '.join(seeds.SEEDS)}")

    async def _run() -> str:
        url = database_url()
        await Migrator(url, settings()).ensure_current()
        async with Database(url, settings(), role="") as db:
            return await seeds.SEEDS[name](db)

    console.print(run(_run()))


def psql(ctx: typer.Context) -> None:
    """Open a psql session on the current database (psql ships with the embedded server).

    Extra arguments go to psql, e.g. mediabase psql -c 'select count(*) from videos'.
    """
    url = database_url()
    exe = str(program("psql"))
    env = dict(os.environ, PGOPTIONS="-c search_path=" + SEARCH_PATH.replace(" ", ""))
    os.execve(exe, [exe, url, *ctx.args], env)  # noqa: S606 - replace this process with psql


async def _doctor() -> tuple[list[tuple[str, bool, str]], dict[str, Any]]:
    s = settings()
    checks: list[tuple[str, bool, str]] = []
    facts: dict[str, Any] = {}
    try:
        url = database_url()
    except MediabaseError as exc:
        return [("database reachable", False, str(exc))], facts
    target = "MEDIABASE_DATABASE_URL" if s.database_url else f"embedded server in {s.data_dir}"
    try:
        async with Database(url, s, role="").owner_connection() as conn:
            row = await (await conn.execute(
                "SELECT current_setting('server_version_num')::int AS num, version() AS version")).fetchone()
            assert row is not None
            facts["server_version"] = row["version"]
            checks.append(("database reachable", True, target))
            checks.append(("PostgreSQL 15 or newer", row["num"] >= 150000, str(row["version"]).split(",")[0]))
            ext = await (
                await conn.execute(
                    "SELECT a.default_version AS available, e.extversion AS installed FROM pg_available_extensions a"
                    " LEFT JOIN pg_extension e ON e.extname = a.name WHERE a.name = 'vector'"
                )
            ).fetchone()
            if ext is None:
                checks.append(("pgvector available", False, "the 'vector' extension is not installed on the server"))
            else:
                checks.append(("pgvector available", True,
                               f"installed {ext['installed'] or '-'}, available {ext['available']}"))
    except MediabaseError as exc:
        checks.append(("database reachable", False, f"{target}: {exc}"))
        return checks, facts
    try:
        st = await Migrator(url, s).status()
        if st.problems:
            checks.append(("schema", False, "; ".join(st.problems)))
        elif st.pending or st.views_pending:
            checks.append(("schema", False, f"{len(st.pending)} migration(s) pending: run 'mediabase migrate'"))
        else:
            checks.append(("schema", True, f"current ({len(st.applied)} migrations)"))
    except MediabaseError as exc:
        checks.append(("schema", False, str(exc)))
    facts["pool"] = {
        "min_size": s.pool_min_size,
        "max_size": s.pool_max_size,
        "idle_timeout_s": s.pool_idle_timeout,
        "connect_timeout_s": s.connect_timeout,
        "statement_timeout_ms": s.statement_timeout_ms,
    }
    try:
        async with Database(url, s) as db, db.transaction() as conn:
            await conn.execute("SELECT 1")
        checks.append(("application role", True, "pool opens and runs as mediabase_app"))
    except MediabaseError as exc:
        checks.append(("application role", False, str(exc)))
    facts.update(await _statistics(url, s, checks))
    return checks, facts


async def _statistics(url: str, s: Settings, checks: list[tuple[str, bool, str]]) -> dict[str, Any]:
    """What GET /metrics reports from the database (jobs, replica lag), the database's size and
    its slowest statements; a replica that does not answer as a standby is a failed check."""
    facts: dict[str, Any] = {}
    try:
        async with Database(url, s, role="").owner_connection() as conn:
            facts["database_size"] = (await observe.database_size(conn)).model_dump()
            try:
                facts["jobs"] = [c.model_dump() for c in await queue_counts(conn)]
            except MediabaseError:
                facts["jobs"] = None  # no jobs table yet: the schema check says what to do
            facts["slow_statements"] = (await observe.slow_statements(conn)).model_dump()
    except MediabaseError as exc:
        checks.append(("statistics", False, str(exc)))
    replica_url = getattr(s, "database_replica_url", None)
    if replica_url is not None:
        try:
            async with connect(replica_url.get_secret_value(), s) as conn:  # a standby: no pool of ours
                state = await observe.replica_state(conn)
            facts["replica"] = state.model_dump()
            if not state.in_recovery:
                checks.append(("replica", False, "MEDIABASE_DATABASE_REPLICA_URL names a server that is not a standby"))
            else:
                lag = "unknown (nothing replayed yet)" if state.lag_seconds is None else f"{state.lag_seconds:.1f} s"
                checks.append(("replica", True, f"streaming standby, lag {lag}"))
        except MediabaseError as exc:
            facts["replica"] = None
            checks.append(("replica", False, f"MEDIABASE_DATABASE_REPLICA_URL: {exc}"))
    return facts


def _print_statistics(facts: dict[str, Any]) -> None:
    if "database_size" in facts:
        console.print(f"database size: {facts['database_size']['pretty']}")
    jobs = facts.get("jobs")
    if jobs is not None:
        if jobs:
            table = Table("job type", "state", "jobs", "oldest ready (s)", title="jobs (failed: created in 24 h)")
            for j in jobs:
                age = j["oldest_ready_seconds"]
                table.add_row(j["type"], j["state"], str(j["jobs"]), "" if age is None else f"{age:.1f}")
            print_table(table)
        else:
            console.print("jobs: none ready, scheduled or running, none failed in 24 h")
    slow = facts.get("slow_statements")
    if slow is not None:
        if slow["enabled"]:
            table = Table("calls", "mean ms", "query", title="slowest statements (pg_stat_statements, by mean time)")
            for st in slow["statements"]:
                table.add_row(str(st["calls"]), f"{st['mean_ms']:.2f}", st["query"])
            print_table(table)
        else:
            console.print(f"slowest statements: {slow['hint']}", soft_wrap=True)


def doctor(as_json: JsonOpt = False) -> None:
    """Check the connection, server version, extensions, schema state, pool settings and the
    replica (MEDIABASE_DATABASE_REPLICA_URL: a standby, and its lag); show the database size,
    jobs ready/scheduled/running/failed by type, and the slowest statements (pg_stat_statements,
    or how to enable it). Exits non-zero if anything is wrong, saying what to do."""
    checks, facts = run(_doctor())
    ok = all(c[1] for c in checks)
    if as_json:
        print_json({"ok": ok, "checks": [{"check": c, "ok": o, "detail": d} for c, o, d in checks], **facts})
    else:
        table = Table("check", "", "detail")
        for name, good, detail in checks:
            table.add_row(name, "[green]ok[/]" if good else "[red]FAIL[/]", detail)
        print_table(table)
        if "pool" in facts:
            console.print("pool: " + ", ".join(f"{k}={v}" for k, v in facts["pool"].items()))
        _print_statistics(facts)
    raise typer.Exit(0 if ok else 1)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Operations")(seed)
    app.command(
        rich_help_panel="Operations",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": ["--help"]},
    )(psql)
    app.command(rich_help_panel="Operations")(doctor)
