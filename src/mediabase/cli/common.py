"""What every command shares: settings, the database URL, running a coroutine, printing."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database, resolve_url
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator

T = TypeVar("T")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of text.")]


def settings() -> Settings:
    return get_settings()


def database_url() -> str:
    """The URL to work on: MEDIABASE_DATABASE_URL, or the embedded server (started if needed)."""
    return resolve_url(settings())


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear line on stderr and exit non-zero."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run the async implementation of a command; domain errors become one line and exit 1."""
    try:
        return asyncio.run(coro)
    except MediabaseError as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()))
    except KeyboardInterrupt:
        fail("interrupted", 130)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


@asynccontextmanager
async def open_databases() -> AsyncIterator[tuple[Database, Database]]:
    """The application pool and the system (owner) pool, on a schema that must be current."""
    url = database_url()
    s = settings()
    await Migrator(url, s).ensure_current()
    small = s.model_copy(update={"pool_min_size": 0, "pool_max_size": 2})
    async with Database(url, small) as app_db, Database(url, small, role="") as system_db:
        yield app_db, system_db
