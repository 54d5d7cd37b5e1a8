"""``mediabase db …``: the embedded PostgreSQL server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer

from mediabase.cli import dbcluster
from mediabase.cli.common import (
    JsonOpt,
    console,
    database_url,
    err_console,
    fail,
    print_json,
    print_rows,
    run,
    settings,
)
from mediabase.db import distribution, embedded, roles, sessions
from mediabase.db.errors import MediabaseError
from mediabase.db.rows import Conn

T = TypeVar("T")

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
    if st.listen:
        console.print(f"tcp: {st.listen}:{st.port}, password logins only (scram-sha-256): 'mediabase db role create"
                      " NAME' makes one", soft_wrap=True)


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
        "tcp": f"{st.listen}:{st.port}" if st.listen else None,
    }
    if as_json:
        print_json(data)
    else:
        state = "running" if st.running else ("stopped" if st.initialized else "not initialized")
        console.print(f"embedded PostgreSQL: {state} ({st.pgdata})" + (f", pid {st.pid}" if st.pid else "")
                      + (f", tcp {data['tcp']}" if data["tcp"] else ""))
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


role_app = typer.Typer(
    help="Login roles for direct SQL clients, one per client application (docs/clients.md): members of"
    " mediabase_app only, so row-level security always applies to them.",
    no_args_is_help=True,
)
app.add_typer(role_app, name="role")
RoleName = Annotated[str, typer.Argument(
    help="The role's name: lowercase letters, digits and _, starting with a letter (not pg_… or mediabase_…).")]


def _on_server(work: Callable[[Conn], Awaitable[T]]) -> T:
    async def _run() -> T:
        async with sessions.connect(database_url(), settings()) as conn:
            return await work(conn)

    return run(_run())


@role_app.command("create")
def role_create(name: RoleName, as_json: JsonOpt = False) -> None:
    """Create a login role for a client application and print its URL with a new password.

    The password is shown this once; the server keeps only a SCRAM verifier. The role is a member
    of mediabase_app and nothing else: it reads and writes what the application may, always under
    row-level security, so a transaction sees an organization's rows only after it sets
    mediabase.organization_id (docs/clients.md, "The tenant protocol").

    The URL names the embedded server's TCP port when MEDIABASE_EMBEDDED_PORT is set (127.0.0.1,
    password required), its Unix socket otherwise; with MEDIABASE_DATABASE_URL, that server.
    """
    try:
        roles.check_name(name)
    except MediabaseError as exc:
        fail(str(exc))
    s = settings()
    base = database_url()
    password = _on_server(lambda conn: roles.create(conn, name))
    tcp = (embedded.LOOPBACK, s.embedded_port) if s.database_url is None and s.embedded_port else None
    url = roles.client_url(base, name, password, tcp=tcp)
    if as_json:
        print_json({"name": name, "url": url})
        return
    typer.echo(url)
    if s.database_url is None and tcp is None:
        err_console.print("(the embedded server's Unix socket; set MEDIABASE_EMBEDDED_PORT for clients over TCP)",
                          soft_wrap=True)


@role_app.command("list")
def role_list(as_json: JsonOpt = False) -> None:
    """List the client roles ('db role create' made them) and whether each keeps the login rule.

    The rule: a member of mediabase_app only, no superuser, no BYPASSRLS, owner of nothing; 'ok'
    when it holds. Also how many sessions each has now."""
    found = _on_server(roles.list_clients)
    rows = [{"name": r.name, "connections": r.connections, "rule": "; ".join(r.problems) or "ok"} for r in found]
    if as_json:
        print_json(rows)
    elif not rows:
        console.print("no client roles ('mediabase db role create NAME' makes one)")
    else:
        print_rows(rows, "name", "connections", "rule", titles=("rule",))


@role_app.command("drop")
def role_drop(name: RoleName) -> None:
    """Drop a client role, ending its sessions first (only roles 'db role create' made)."""
    try:
        roles.check_name(name)
    except MediabaseError as exc:
        fail(str(exc))
    ended = _on_server(lambda conn: roles.drop(conn, name))
    console.print(f"dropped role {name}" + (f" (ended {ended} of its sessions)" if ended else ""))


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
