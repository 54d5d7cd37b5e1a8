"""What every domain does with rows, once, beside the driver.

- :data:`Conn`: the connection a unit of work hands out (:meth:`Database.transaction`, the
  owner and direct sessions): dict rows unless a cursor asks for others.
- :func:`fetch_one_or_404`: one row (or one model, ``model=``) of a query, or ``NotFound``;
  :func:`by_id` narrows a ``SELECT … FROM …`` to one row of a tenant for it.
- :func:`lock_or_404`: a ``lock_<noun>`` query (``FOR UPDATE``) by organization and id, or
  ``NotFound``; who may then change the row is the domain's rule
  (:func:`mediabase.identity.service.may_change`).
- :func:`update_columns`: one row's ``UPDATE … SET`` of the columns a request changed.

The driver's names a domain needs (``sql``, the row factories, ``Jsonb``) are exported from
here too: outside :mod:`mediabase.db` no module imports psycopg (pyproject's import contract).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, LiteralString, TypeVar, overload
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.abc import QueryNoTemplate as Query
from psycopg.rows import class_row, dict_row, tuple_row
from psycopg.types.json import Jsonb

from mediabase.db.errors import NotFound

__all__ = [
    "Conn",
    "Jsonb",
    "Query",
    "by_id",
    "class_row",
    "dict_row",
    "fetch_one_or_404",
    "lock_or_404",
    "sql",
    "tuple_row",
    "update_columns",
]

Conn = psycopg.AsyncConnection[dict[str, Any]]

T = TypeVar("T")


def by_id(columns: LiteralString, alias: LiteralString | None = None) -> sql.Composed:
    """``columns`` (a ``SELECT … FROM …`` block) narrowed to the row ``%(id)s`` of the
    organization ``%(org)s``; ``alias`` is the table's alias in the block, if it has one."""
    prefix = sql.SQL(alias + "." if alias else "")
    return sql.SQL("{} WHERE {}organization_id = %(org)s AND {}id = %(id)s").format(sql.SQL(columns), prefix, prefix)


@overload
async def fetch_one_or_404(conn: Conn, query: Query, params: Mapping[str, Any], what: str) -> dict[str, Any]: ...


@overload
async def fetch_one_or_404(
    conn: Conn, query: Query, params: Mapping[str, Any], what: str, *, model: type[T]
) -> T: ...


async def fetch_one_or_404(
    conn: Conn, query: Query, params: Mapping[str, Any], what: str, *, model: type[Any] | None = None
) -> Any:
    """The first row of ``query`` (as ``model`` when given), or ``NotFound("<what> not found")``."""
    cur = conn.cursor(row_factory=class_row(model)) if model is not None else conn.cursor()
    row = await (await cur.execute(query, params)).fetchone()
    if row is None:
        raise NotFound(f"{what} not found")
    return row


async def lock_or_404(conn: Conn, query: Query, org: UUID, row_id: UUID, what: str) -> dict[str, Any]:
    """The row a ``lock_<noun>`` query locks (its parameters ``%(org)s`` and ``%(id)s``), or
    ``NotFound("<what> not found")``: another tenant's row and a made-up id answer alike."""
    return await fetch_one_or_404(conn, query, {"org": org, "id": row_id}, what)


async def update_columns(
    conn: Conn, table: str, org: UUID, row_id: UUID, changes: Mapping[str, Any], allowed: Iterable[str]
) -> None:
    """``UPDATE table SET`` the keys of ``changes`` that are ``allowed`` (column names), for the
    row ``row_id`` of the organization ``org``; nothing to change runs nothing."""
    permitted = set(allowed)
    cols = [k for k in changes if k in permitted]
    if not cols:
        return
    assignments = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in cols)
    stmt = sql.SQL("UPDATE {} SET {} WHERE organization_id = %(org)s AND id = %(id)s").format(
        sql.Identifier(table), assignments
    )
    await conn.execute(stmt, {**{k: changes[k] for k in cols}, "org": org, "id": row_id})
