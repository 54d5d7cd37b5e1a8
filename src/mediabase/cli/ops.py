"""Operations: seed, psql, doctor."""

from __future__ import annotations

import os
from typing import Annotated, Any

import psycopg
import typer
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, database_url, fail, print_json, run, settings
from mediabase.db import seeds
from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator
from mediabase.db.tools import program


def seed(
    name: Annotated[str, typer.Argument(help="Which data set: 'demo' (real AMI meetings) or 'test'.")] = "demo",
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
    env = dict(os.environ, PGOPTIONS="-c search_path=mediabase,public")
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
        async with await psycopg.AsyncConnection.connect(url, connect_timeout=int(s.connect_timeout)) as conn:
            row = await (await conn.execute("SELECT current_setting('server_version_num')::int, version()")).fetchone()
            assert row is not None
            facts["server_version"] = row[1]
            checks.append(("database reachable", True, target))
            checks.append(("PostgreSQL 15 or newer", row[0] >= 150000, str(row[1]).split(",")[0]))
            ext = await (
                await conn.execute(
                    "SELECT a.name, a.default_version, e.extversion FROM pg_available_extensions a"
                    " LEFT JOIN pg_extension e ON e.extname = a.name WHERE a.name = 'vector'"
                )
            ).fetchone()
            if ext is None:
                checks.append(("pgvector available", False, "the 'vector' extension is not installed on the server"))
            else:
                checks.append(("pgvector available", True, f"installed {ext[2] or '-'}, available {ext[1]}"))
    except psycopg.Error as exc:
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
    return checks, facts


def doctor(as_json: JsonOpt = False) -> None:
    """Check the connection, server version, extensions, schema state and pool settings.
    Exits non-zero if anything is wrong, saying what to do."""
    checks, facts = run(_doctor())
    ok = all(c[1] for c in checks)
    if as_json:
        print_json({"ok": ok, "checks": [{"check": c, "ok": o, "detail": d} for c, o, d in checks], **facts})
    else:
        table = Table("check", "", "detail")
        for name, good, detail in checks:
            table.add_row(name, "[green]ok[/]" if good else "[red]FAIL[/]", detail)
        console.print(table)
        if "pool" in facts:
            console.print("pool: " + ", ".join(f"{k}={v}" for k, v in facts["pool"].items()))
    raise typer.Exit(0 if ok else 1)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Operations")(seed)
    app.command(
        rich_help_panel="Operations",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": ["--help"]},
    )(psql)
    app.command(rich_help_panel="Operations")(doctor)
