"""``mediabase up`` (the main job) and ``mediabase serve``."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Annotated

import typer

from mediabase import demo as seeds
from mediabase.cli.common import console, database_url, fail, run, settings
from mediabase.cli.logopts import LogFormatOpt, VerboseOpt, setup_logging
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator

HostOpt = Annotated[str | None, typer.Option("--host", help="Interface to listen on (default 127.0.0.1).")]
PortOpt = Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")]


def _serve(url: str, host: str | None, port: int | None, *, worker: bool = False, libraries_level: int) -> None:
    s = settings()
    host, port = host or s.api_host, port or s.api_port
    console.print(f"API:      http://{host}:{port}/  (OpenAPI docs at http://{host}:{port}/docs)")
    console.print(f"console:  http://{host}:{port}/console  (sign in with an API key: 'mediabase key create')")
    console.print(f"ready at: http://{host}:{port}/ready   stop with Ctrl-C")
    if worker:
        console.print("worker:   running in this process (indexes what is ingested; see 'mediabase jobs list')")
    import uvicorn

    from mediabase.api.app import create_app  # here: every other command starts without the web app's imports

    # uvicorn's loggers go through the same handler at the libraries' level (its startup lines
    # with -v); its access line is replaced by mediabase.access (route template, status, duration,
    # request id; no client address but a keyed hash).
    uvicorn.run(create_app(s, url=url, worker=worker), host=host, port=port, log_config=None,
                log_level=libraries_level, access_log=False)


def up(
    host: HostOpt = None,
    port: PortOpt = None,
    worker: Annotated[bool, typer.Option(help="Also run a job worker in this process.")] = True,
    log_format: LogFormatOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """The main job: start the embedded database if needed, migrate, load the demo data
    if the database is empty, and serve the HTTP API (127.0.0.1:8000 by default) with a job
    worker beside it that indexes the demo for search.

    Ctrl-C (or SIGTERM) stops, in order, the API, its worker and the embedded server if this
    command started it; a server that was already running is left running."""
    libraries_level = setup_logging(log_format, verbose)
    s = settings()
    started_server = s.database_url is None and not embedded.status(s).running
    url = database_url()

    async def prepare() -> str:
        report = await Migrator(url, settings()).migrate()
        done = f"migrated ({len(report.applied)} applied)" if report.applied else "schema current"
        async with Database(url, settings(), role="") as db:
            loaded = await seeds.load_demo_if_empty(db)
        return f"{done}; {loaded}"

    console.print(run(prepare()))
    console.print(f"database: {'MEDIABASE_DATABASE_URL' if settings().database_url else url}")
    with _stopped_by_signals():
        _serve(url, host, port, worker=worker, libraries_level=libraries_level)
    # uvicorn has shut the API (and the worker in its lifespan) down by now
    _quit_at_once_on_interrupt()
    console.print("API stopped" + (" (with its worker)" if worker else ""))
    if started_server:
        try:
            embedded.stop(s)
        except MediabaseError as exc:
            fail(str(exc))
        console.print(f"embedded PostgreSQL stopped ({embedded.pgdata_dir(s)})")
    elif s.database_url is None:
        console.print("embedded PostgreSQL left running: it was running before 'up' ('mediabase db stop' stops it)")


class _Stop(Exception):
    """A SIGINT or SIGTERM that uvicorn passed on after its graceful shutdown."""


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """uvicorn handles SIGINT/SIGTERM itself and, once shut down, raises the signal again for
    the handler that was there before: make that handler end the block quietly."""

    def stop(_sig: int, _frame: FrameType | None) -> None:
        raise _Stop

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def _quit_at_once_on_interrupt() -> None:
    """During the last steps of shutting down, a second Ctrl-C stops at once, quietly."""

    def now(_sig: int, _frame: FrameType | None) -> None:
        console.print("stopped at once")
        os._exit(130)

    signal.signal(signal.SIGINT, now)


def serve(host: HostOpt = None, port: PortOpt = None, log_format: LogFormatOpt = None,
          verbose: VerboseOpt = 0) -> None:
    """Serve the HTTP API. Refuses to start if the schema is behind (run 'mediabase migrate')."""
    libraries_level = setup_logging(log_format, verbose)
    url = database_url()
    run(Migrator(url, settings()).ensure_current())
    _serve(url, host, port, libraries_level=libraries_level)


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Run")(up)
    app.command(rich_help_panel="Run")(serve)
