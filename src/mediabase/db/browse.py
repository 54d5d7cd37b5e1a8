"""Read-only browsing of the schema from the catalog: which tables the application role may read,
how many rows a tenant sees in each, and a page of one table's rows (the console's "schema and
data" pages, docs/console.md; the person export, governance/export.py).

Only tables under row-level security show rows: there the database itself keeps a tenant to its
own (and a user to their own where a policy says so); a table without it holds shared reference
data or is not the application's to read, and is listed without its rows. Columns the
application role may not read, and columns whose names say they hold a hash, a secret or a key,
are never shown (:data:`SECRET`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mediabase.db.errors import NotFound
from mediabase.db.rows import Conn, sql

SECRET = re.compile(r"(hash|secret|hmac|token|sha256|password|_key$|^ip_)")
HIDDEN = ("search_vector", "embedding")  # derived and large: nothing a person reads

READABLE = """
SELECT a.attname::text AS col, format_type(a.atttypid, a.atttypmod) AS type
  FROM pg_attribute a
 WHERE a.attrelid = %(tbl)s::regclass AND a.attnum > 0 AND NOT a.attisdropped
   AND (NOT has_table_privilege('mediabase_app', %(tbl)s::regclass, 'SELECT')
        OR has_column_privilege('mediabase_app', %(tbl)s::regclass, a.attname, 'SELECT'))
 ORDER BY a.attnum
"""

TABLES = """
SELECT c.relname::text AS name, c.relrowsecurity AS tenant,
       obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'mediabase' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND has_table_privilege('mediabase_app', c.oid, 'SELECT')
 ORDER BY c.relname
"""

PRIMARY_KEY = """
SELECT a.attname::text AS col
  FROM pg_index i
  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
 WHERE i.indrelid = %(tbl)s::regclass AND i.indisprimary
 ORDER BY array_position(i.indkey::int2[], a.attnum)
"""

# A count stops here: a page of row counts stays cheap on a large table ("10000+").
COUNT_CAP = 10_000


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class TableInfo:
    name: str
    tenant: bool  # under row-level security: its rows are shown, the tenant's own only
    comment: str | None
    rows: int | None = None  # None for a shared table; at most COUNT_CAP + 1


@dataclass(frozen=True)
class Rows:
    table: TableInfo
    columns: list[Column]
    rows: list[list[Any]]
    offset: int
    more: bool


def shown(names: list[str]) -> list[str]:
    """The column names a person may be shown: no secrets, no derived vectors."""
    return [n for n in names if not SECRET.search(n) and n not in HIDDEN]


async def readable_columns(conn: Conn, table: str) -> list[Column]:
    """The columns of ``mediabase.<table>`` the application role may read, minus :func:`shown`'s."""
    rows = await (await conn.execute(READABLE, {"tbl": f"mediabase.{table}"})).fetchall()
    keep = set(shown([r["col"] for r in rows]))
    return [Column(r["col"], r["type"]) for r in rows if r["col"] in keep]


async def tables(conn: Conn, *, counts: bool = True) -> list[TableInfo]:
    """Every table the application role may read, with the rows the current tenant sees in each
    (capped at :data:`COUNT_CAP` + 1) when ``counts``; run it inside the tenant's transaction."""
    out = []
    for r in await (await conn.execute(TABLES)).fetchall():
        n = None
        if counts and r["tenant"]:
            q = sql.SQL("SELECT count(*) AS n FROM (SELECT 1 FROM {} LIMIT {}) AS x").format(
                sql.Identifier("mediabase", r["name"]), sql.Literal(COUNT_CAP + 1))
            row = await (await conn.execute(q)).fetchone()
            n = int(row["n"]) if row else 0
        out.append(TableInfo(r["name"], bool(r["tenant"]), r["comment"], n))
    return out


async def table_rows(conn: Conn, table: str, *, offset: int = 0, limit: int = 50) -> Rows:
    """A page of a tenant table's rows (as the current tenant sees them), in primary key order;
    NotFound for a table that is not listed or not under row-level security."""
    info = next((t for t in await tables(conn, counts=False) if t.name == table), None)
    if info is None or not info.tenant:
        raise NotFound(f"no table {table!r} to browse (only the tables under row-level security show rows)",
                       field="table")
    columns = await readable_columns(conn, table)
    if not columns:
        return Rows(info, [], [], offset, False)
    key = [r["col"] for r in await (await conn.execute(PRIMARY_KEY, {"tbl": f"mediabase.{table}"})).fetchall()]
    order = sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(map(sql.Identifier, key))) if key else sql.SQL("")
    q = sql.SQL("SELECT {cols} FROM {t}{order} LIMIT {lim} OFFSET {off}").format(
        cols=sql.SQL(", ").join(sql.Identifier(c.name) for c in columns), t=sql.Identifier("mediabase", table),
        order=order, lim=sql.Literal(limit + 1), off=sql.Literal(offset))
    rows = [[r[c.name] for c in columns] for r in await (await conn.execute(q)).fetchall()]
    return Rows(info, columns, rows[:limit], offset, len(rows) > limit)
