"""What every command shares: settings, the database URL, running a coroutine, printing (tables
legible in an 80-column terminal, plain full values in a pipe)."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich import box
from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database, resolve_url
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator

T = TypeVar("T")

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

OrgOpt = Annotated[str, typer.Option("--org", help="Organization slug.", envvar="MEDIABASE_ORG")]
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


TITLE_MIN = 20  # a title column is never narrower (unless its longest value is shorter)
TEXT_MIN = 16  # nor is any other column of running text
ATOM_MAX = 20  # a value up to this long, or without a space, is never wrapped: ids, slugs, dates, numbers


def _plain(cell: RenderableType) -> str:
    """A cell as the terminal would show its text (markup applied), on one line."""
    if isinstance(cell, str):
        text = console.render_str(cell).plain
    elif isinstance(cell, Text):
        text = cell.plain
    else:
        capture = Console(file=io.StringIO(), width=10_000, color_system=None, highlight=False)
        capture.print(cell)
        text = capture.file.getvalue()  # type: ignore[attr-defined]
    return " ".join(text.split("\n")).strip()


def plain_table(table: Table) -> str:
    """Aligned columns, two spaces apart, every value in full: what a pipe or a file gets."""
    columns = table.columns
    cells = [[_plain(c.header), *(_plain(v) for v in c.cells)] for c in columns]
    widths = [max(map(cell_len, col)) for col in cells]
    lines = [_plain(table.title) + "\n"] if table.title else []
    for row in zip(*cells, strict=True) if cells else ():
        parts = [
            " " * (w - cell_len(v)) + v if c.justify == "right" else v + " " * (w - cell_len(v))
            for c, v, w in zip(columns, row, widths, strict=True)
        ]
        lines.append("  ".join(parts).rstrip() + "\n")
    return "".join(lines)


def fit_table(table: Table, width: int, titles: Sequence[str], drop: Sequence[str]) -> tuple[Table, list[str]]:
    """The table sized to ``width``: which columns stay, how wide each is; and what was left out."""
    columns = list(table.columns)
    cells = [list(c.cells) for c in columns]
    lines = [[_plain(c.header), *map(_plain, col)] for c, col in zip(columns, cells, strict=True)]
    names = [col[0] for col in lines]
    natural = [max(map(cell_len, col)) for col in lines]
    text = [name in titles or (n > ATOM_MAX and any(" " in v for v in col[1:]))
            for name, n, col in zip(names, natural, lines, strict=True)]
    least = [min(n, TITLE_MIN if name in titles else TEXT_MIN) if t else n
             for name, n, t in zip(names, natural, text, strict=True)]
    keep = list(range(len(columns)))

    def need(kept: list[int]) -> int:  # the widths and two spaces between columns
        return sum(least[i] for i in kept) + 2 * len(kept) - 2

    dropped = []
    for name in drop:
        if need(keep) <= width:
            break
        for i in keep:
            if names[i] == name:
                keep.remove(i)
                dropped.append(name)
                break
    while need(keep) > width:  # then from the right: never the first column, a title or an id
        droppable = [i for i in keep[1:] if names[i] not in titles and names[i] != "id"
                     and not names[i].endswith(" id")]
        if not droppable:
            break
        keep.remove(droppable[-1])
        dropped.append(names[droppable[-1]])
    widths: list[int | None] = list(least)
    if need(keep) <= width:  # share what is left among the text columns, titles twice, up to their longest value
        spare = width - need(keep)
        while spare > 0:
            grow = [i for i in keep if text[i] and (widths[i] or 0) < natural[i]]
            if not grow:
                break
            shares = {i: 2 if names[i] in titles else 1 for i in grow}
            unit = max(1, spare // sum(shares.values()))
            for i in grow:
                add = min(unit * shares[i], natural[i] - (widths[i] or 0), spare)
                widths[i] = (widths[i] or 0) + add
                spare -= add
    else:  # even so too narrow: rich squeezes, folding rather than cutting what cannot wrap
        widths = [None] * len(columns)
    out = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, title=table.title)
    for i in keep:
        c = columns[i]
        out.add_column(c.header, justify=c.justify, style=c.style, width=widths[i],
                       no_wrap=not text[i] and widths[i] is not None, overflow="fold")
    for r in range(table.row_count):
        out.add_row(*(cells[i][r] for i in keep))
    return out, dropped


def print_table(table: Table, *, titles: Sequence[str] = (), drop: Sequence[str] = ()) -> None:
    """Print ``table`` so that people can read it and copy from it, wherever stdout goes.

    Not a terminal (a pipe, a file): plain text, columns aligned two spaces apart, every value in
    full (no borders, no ``…``), so ids and slugs can be copied and grepped. A terminal: sized to
    its width; what has no space or is short (ids, slugs, dates, numbers, states) is never wrapped
    or cut, running text wraps by words, the ``titles`` columns first (at least 20 characters, a
    double share of what is left); if the minimum still does not fit, the columns named in
    ``drop`` are left out, in that order, then others from the right (never the first column, a
    title or an id), and a note on stderr says which. Put the important columns first.
    """
    if not console.is_terminal:
        sys.stdout.write(plain_table(table))
        return
    out, dropped = fit_table(table, console.width, titles, drop)
    console.print(out)
    if dropped:
        err_console.print(f"[dim]({', '.join(dropped)} not shown in {console.width} columns; "
                          "a wider terminal, a pipe or --json shows every column)[/]")


def print_rows(rows: Sequence[dict[str, Any]], *columns: str, titles: Sequence[str] = (),
               drop: Sequence[str] = ()) -> None:
    """``rows`` (dicts) as a table of ``columns`` (their keys), values as text (not markup): :func:`print_table`."""
    table = Table(*columns)
    for r in rows:
        table.add_row(*("" if r.get(c) is None else escape(str(r[c])) for c in columns))
    print_table(table, titles=titles, drop=drop)


@asynccontextmanager
async def open_databases() -> AsyncIterator[tuple[Database, Database]]:
    """The application pool and the system (owner) pool, on a schema that must be current."""
    url = database_url()
    s = settings()
    await Migrator(url, s).ensure_current()
    small = s.model_copy(update={"pool_min_size": 0, "pool_max_size": 2})
    async with Database(url, small) as app_db, Database(url, small, role="") as system_db:
        yield app_db, system_db
