"""What every command shares: settings, the database URL, running a coroutine, printing."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Coroutine
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from mediabase.config import Settings, get_settings
from mediabase.db.connection import resolve_url
from mediabase.db.errors import MediabaseError

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
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run the async implementation of a command; domain errors become one line and exit 1."""
    try:
        return asyncio.run(coro)
    except MediabaseError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted", 130)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
