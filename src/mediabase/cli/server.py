"""``mediabase up`` (the main job) and ``mediabase serve``."""

from __future__ import annotations

from typing import Annotated

import typer
import uvicorn

from mediabase.api.app import create_app
from mediabase.cli.common import console, database_url, run, settings
from mediabase.db import seeds
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from mediabase.logs import configure_logging

HostOpt = Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")]


def _serve(url: str, host: str | None, port: int | None, *, worker: bool = False) -> None:
    s = settings()
    host, port = host or s.api_host, port or s.api_port
    console.print(f"API:      http://{host}:{port}/  (OpenAPI docs at http://{host}:{port}/docs)")
    console.print(f"ready at: http://{host}:{port}/ready   stop with Ctrl-C")
    if worker:
        console.print("worker:   running in this process (indexes what is ingested; see 'mediabase jobs list')")
    configure_logging(s.log_format, s.log_level,
                      hash_key=s.log_hash_key.get_secret_value() if s.log_hash_key else None)
    # uvicorn's loggers go through the same handler; its access line is replaced by mediabase.access
    # (route template, status, duration, request id; no client address but a keyed hash).
    uvicorn.run(create_app(s, url=url, worker=worker), host=host, port=port, log_config=None,
                log_level=s.log_level.lower(), access_log=False)


def up(
    host: HostOpt = None,
    port: PortOpt = None,
    worker: Annotated[bool, typer.Option(help="Also run a job worker in this process.")] = True,
) -> None:
    """The main job: start the embedded database if needed, migrate, load the demo data
    if the database is empty, and serve the HTTP API (127.0.0.1:8000 by default) with a job
    worker beside it that indexes the demo for search."""
    url = database_url()

    async def prepare() -> str:
        report = await Migrator(url, settings()).migrate()
        done = f"migrated ({len(report.applied)} applied)" if report.applied else "schema current"
        async with Database(url, settings(), role="") as db:
            loaded = await seeds.load_demo_if_empty(db)
        return f"{done}; {loaded}"

    console.print(run(prepare()))
    console.print(f"database: {'MEDIABASE_DATABASE_URL' if settings().database_url else url}")
    _serve(url, host, port, worker=worker)


def serve(host: HostOpt = None, port: PortOpt = None) -> None:
    """Serve the HTTP API. Refuses to start if the schema is behind (run 'mediabase migrate')."""
    url = database_url()
    run(Migrator(url, settings()).ensure_current())
    _serve(url, host, port)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Run")(up)
    app.command(rich_help_panel="Run")(serve)
