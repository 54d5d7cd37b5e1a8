"""The one partition manager (migration 0012): every monthly-partitioned table registered in
``mediabase.partitioned_tables`` gets its months created ahead and its old months detached and
dropped by its policy, optionally written to ``<partition>.csv.gz`` files first.

Used by ``mediabase partitions`` and the worker's upkeep. Every function takes an open
connection of the owner in autocommit mode (each maintenance step commits on its own; an
archive and the drop of its month share one transaction).
"""

from __future__ import annotations

import asyncio
import gzip
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from mediabase.db.errors import Invalid, MediabaseError, NotFound, translate
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn

Q = load_queries("mediabase.db", "partitions.sql")



class Action(BaseModel):
    """One thing a maintenance run did, or left and why."""

    table: str
    partition: str | None
    action: Literal["created", "dropped", "kept", "failed"]
    detail: str | None = None
    archive: str | None = None  # the file the month was written to before it was dropped
    rows: int | None = None  # rows in that file


class PartitionInfo(BaseModel):
    table: str
    name: str
    range_from: datetime | None
    range_to: datetime | None
    est_rows: int
    is_default: bool


class Policy(BaseModel):
    table: str
    keep_months: int | None  # None: kept forever
    min_keep_months: int
    archive: bool
    keep_while: str | None
    partition_options: list[str]
    upkeep: str | None


def qualified(table: str) -> str:
    """A registered table's name as the SQL functions report it ("jobs") made resolvable."""
    return table if "." in table else f"mediabase.{table}"


async def _rows(conn: Conn, query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    try:
        async with conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return await cur.fetchall() if cur.description else []
    except psycopg.Error as exc:
        raise translate(exc) from exc


async def maintain(
    conn: Conn, *, months_ahead: int | None, prune_keep: int | None = None, drop_due: bool = True
) -> list[Action]:
    """Create this month and the next ``months_ahead`` of every registered table (and the months
    that wait in DEFAULT); with ``drop_due``, drop the months past each table's retention
    (``prune_keep`` replaces it for the tables that have one). Months whose policy archives
    first are left for :func:`archive_and_drop`."""
    rows = await _rows(conn, Q.maintain, {"months_ahead": months_ahead, "prune_keep": prune_keep, "drop_due": drop_due})
    return [
        Action(table=r["table_name"], partition=r["partition_name"], action=r["action"], detail=r["detail"])
        for r in rows
    ]


class _Kept(Exception):
    """The month gained a row its table's keep_while keeps: the archive is thrown away."""


async def archive_and_drop(conn: Conn, directory: Path, *, prune_keep: int | None = None) -> list[Action]:
    """Write every month due for dropping (by each table's policy, or ``prune_keep``) to
    ``directory/<partition>.csv.gz`` (CSV with a header line, streamed by ``COPY … TO STDOUT``),
    then drop it. The file is written under a temporary name and renamed once complete, inside
    the transaction that drops the month: if writing fails, the month stays and no file
    appears under its name; a month that must stay leaves no file."""
    actions: list[Action] = []
    due = await _rows(conn, Q.due, {"prune_keep": prune_keep})
    if not due:
        return actions
    unwritable: str | None = None
    try:
        await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    except OSError as exc:
        unwritable = f"not dropped: cannot create {directory}: {exc.strerror or exc}"
    for d in due:
        table, partition = d["table_name"], d["partition_name"]
        if d["kept_because"]:
            actions.append(Action(table=table, partition=partition, action="kept", detail=d["kept_because"]))
            continue
        if unwritable:
            actions.append(Action(table=table, partition=partition, action="failed", detail=unwritable))
            continue
        final = directory / f"{partition}.csv.gz"
        try:
            rows = await _archive_month(conn, table, partition, final)
        except _Kept:
            actions.append(Action(table=table, partition=partition, action="kept",
                                  detail="it gained rows its table keeps while it was archived"))
        except OSError as exc:
            actions.append(Action(table=table, partition=partition, action="failed",
                                  detail=f"not dropped: cannot write {final}: {exc.strerror or exc}"))
        except (psycopg.Error, MediabaseError) as exc:
            reason = translate(exc) if isinstance(exc, psycopg.Error) else exc
            actions.append(Action(table=table, partition=partition, action="failed", detail=f"not dropped: {reason}"))
        else:
            actions.append(Action(table=table, partition=partition, action="dropped", archive=str(final), rows=rows))
    return actions


async def _archive_month(conn: Conn, table: str, partition: str, final: Path) -> int:
    schema = qualified(table).split(".", 1)[0]
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    copy_sql = sql.SQL("COPY {} TO STDOUT (FORMAT csv, HEADER)").format(sql.Identifier(schema, partition))
    try:
        async with conn.transaction():
            async with conn.cursor() as cur:
                with gzip.open(tmp, "wb") as out:
                    async with cur.copy(copy_sql) as copy:
                        async for chunk in copy:
                            out.write(chunk)
                rows = cur.rowcount
            _fsync(tmp)
            dropped = await _rows(conn, Q.drop, {"table": qualified(table), "partition": partition})
            if not dropped[0]["dropped"]:
                raise _Kept
            os.replace(tmp, final)  # before COMMIT: a failed rename keeps the month
            _fsync(final.parent)
        return rows
    finally:
        tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def run(
    conn: Conn, *, months_ahead: int, prune_keep: int | None = None, archive_dir: Path | None = None
) -> list[Action]:
    """What ``mediabase partitions`` does: months ahead for every table, then old months dropped
    by policy, each written to ``archive_dir`` first when one is given."""
    if archive_dir is None:
        return await maintain(conn, months_ahead=months_ahead, prune_keep=prune_keep)
    created = await maintain(conn, months_ahead=months_ahead, drop_due=False)
    return [*created, *await archive_and_drop(conn, archive_dir, prune_keep=prune_keep)]


async def status(conn: Conn) -> list[PartitionInfo]:
    """Every registered table's partitions (DEFAULT first) with estimated row counts."""
    rows = await _rows(conn, Q.status, {})
    return [PartitionInfo(table=r.pop("table_name"), **r) for r in rows]


async def policies(conn: Conn, table: str | None = None) -> list[Policy]:
    rows = await _rows(conn, Q.policies, {"table": qualified(table) if table else None})
    if table and not rows:
        raise NotFound(f"{table} is not a registered partitioned table (see: mediabase partitions policy)")
    return [Policy(table=r.pop("table_name"), **r) for r in rows]


async def set_policy(
    conn: Conn, table: str, *, keep_months: int | None = None, keep_forever: bool = False, archive: bool | None = None
) -> Policy:
    """Change a registered table's retention (``keep_forever`` clears it) and archive flag."""
    [current] = await policies(conn, table)  # a clear error for a table that is not registered
    if keep_months is not None and keep_months < current.min_keep_months:
        raise Invalid(f"{current.table} keeps at least {current.min_keep_months} months", field="keep_months")
    await _rows(
        conn,
        Q.set_policy,
        {
            "table": qualified(table),
            "set_keep": keep_forever or keep_months is not None,
            "keep_months": None if keep_forever else keep_months,
            "archive": archive,
        },
    )
    return (await policies(conn, table))[0]
