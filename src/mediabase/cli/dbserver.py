"""``mediabase db …``: the embedded PostgreSQL server."""

from __future__ import annotations

import typer

from mediabase.cli import dbcluster
from mediabase.cli.common import JsonOpt, console, database_url, fail, print_json, run, settings
from mediabase.db import distribution, embedded
from mediabase.db.errors import MediabaseError

app = typer.Typer(
    help="Start, stop and inspect the embedded PostgreSQL server (used when MEDIABASE_DATABASE_URL is not set).",
    no_args_is_help=True,
)


def _external() -> bool:
    if settings().database_url is not None:
        console.print("MEDIABASE_DATABASE_URL is set: mediabase uses that server, not the embedded one.")
        return True
    return False


@app.command()
def start() -> None:
    """Start the embedded server in MEDIABASE_DATA_DIR (initializing it the first time).

    The server keeps running for every mediabase process that uses the same data
    directory, until 'mediabase db stop'.
    """
    if _external():
        return
    try:
        url = embedded.start(settings())
    except MediabaseError as exc:
        fail(str(exc))
    st = embedded.status(settings())
    console.print(f"embedded PostgreSQL running (pid {st.pid}) in {st.pgdata}")
    console.print(f"url: {url}", soft_wrap=True)


@app.command()
def stop() -> None:
    """Stop the embedded server cleanly (connections are closed, data is kept)."""
    if _external():
        return
    if embedded.stop(settings()):
        console.print("embedded PostgreSQL stopped")
    else:
        console.print("embedded PostgreSQL was not running")


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """Say whether the embedded server is initialized and running. Exit 0 running, 1 not."""
    st = embedded.status(settings())
    data = {
        "external_url_set": settings().database_url is not None,
        "pgdata": str(st.pgdata),
        "initialized": st.initialized,
        "running": st.running,
        "pid": st.pid,
    }
    if as_json:
        print_json(data)
    else:
        state = "running" if st.running else ("stopped" if st.initialized else "not initialized")
        console.print(f"embedded PostgreSQL: {state} ({st.pgdata})" + (f", pid {st.pid}" if st.pid else ""))
    raise typer.Exit(0 if st.running else 1)


@app.command()
def url() -> None:
    """Print the connection URL mediabase uses (starts the embedded server if needed)."""
    s = settings()
    if s.database_url is not None:
        typer.echo(s.database_url.get_secret_value())
        return
    try:
        typer.echo(embedded.start(s))
    except MediabaseError as exc:
        fail(str(exc))


@app.command()
def distribute(as_json: JsonOpt = False) -> None:
    """Apply on Citus the distribution every table declares (docs/scale-out.md), for a database
    migrated before Citus was installed in it: reference tables, then tenant tables distributed by
    organization_id in one colocation group, each after the tables it points at.

    'mediabase migrate' does the same as it goes on a Citus coordinator; this is idempotent (a
    second run does nothing) and does nothing on plain PostgreSQL.
    """
    citus, done = run(distribution.distribute(database_url(), settings()))
    if as_json:
        print_json({"citus": citus, "done": done})
    elif not citus:
        console.print("Citus is not installed in this database: nothing to distribute (every table's declaration "
                      "is recorded in mediabase.table_distribution)")
    elif not done:
        console.print("every table is distributed as declared; nothing to do")
    else:
        for row in done:
            console.print(f"{row['table_name']}: {row['action']}")


replica_app = typer.Typer(
    help="A real streaming replica of the embedded server, for development and tests of read routing.",
    no_args_is_help=True,
)
app.add_typer(replica_app, name="replica")
app.add_typer(dbcluster.app, name="cluster")


@replica_app.command("start")
def replica_start() -> None:
    """Create (the first time, by pg_basebackup from the running server) and start a streaming
    replica of the embedded server, and print its URL.

    Point MEDIABASE_DATABASE_REPLICA_URL at that URL and read-only work (search, listings)
    goes there while it keeps up; 'mediabase doctor' shows its lag.
    """
    if _external():
        return
    try:
        url = embedded.start_replica(settings())
    except MediabaseError as exc:
        fail(str(exc))
    st = embedded.replica_status(settings())
    console.print(f"embedded replica running (pid {st.pid}) in {st.pgdata}")
    console.print(f"url: {url}", soft_wrap=True)
    console.print(f"use it: export MEDIABASE_DATABASE_REPLICA_URL='{url}'", soft_wrap=True)


@replica_app.command("stop")
def replica_stop() -> None:
    """Stop the embedded replica (its data is kept; 'start' resumes streaming)."""
    if _external():
        return
    if embedded.stop_replica(settings()):
        console.print("embedded replica stopped")
    else:
        console.print("embedded replica was not running")


@replica_app.command("status")
def replica_status(as_json: JsonOpt = False) -> None:
    """Say whether the embedded replica runs, and how far it lags. Exit 0 running, 1 not."""
    st = embedded.replica_status(settings())
    data: dict[str, object] = {"pgdata": str(st.pgdata), "initialized": st.initialized, "running": st.running,
                               "pid": st.pid, "url": None, "lag_ms": None}
    if st.running:
        data["url"] = embedded.replica_url(settings())
        data["lag_ms"] = embedded.replica_lag_ms(settings())
    if as_json:
        print_json(data)
    else:
        state = "running" if st.running else ("stopped" if st.initialized else "not created")
        lag = f", lag {data['lag_ms']} ms" if data["lag_ms"] is not None else ""
        console.print(f"embedded replica: {state} ({st.pgdata})" + (f", pid {st.pid}" if st.pid else "") + lag)
        if data["url"]:
            console.print(f"url: {data['url']}")
    raise typer.Exit(0 if st.running else 1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db", rich_help_panel="Operations")
