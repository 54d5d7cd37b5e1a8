"""What an operator looks at beside the schema: database size, the slowest statements
(pg_stat_statements, where installed) and a standby's replay lag. Used by ``mediabase doctor``
and ``GET /metrics``; every function takes an open connection and reads catalogs only."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from mediabase.db.errors import translate
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn

Q = load_queries("mediabase.db", "observe.sql")


ENABLE_STAT_STATEMENTS = (
    "set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf (embedded server: "
    "mediabase psql -c \"ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'\"), "
    "restart the server (mediabase db stop && mediabase db start), then run "
    "CREATE EXTENSION pg_stat_statements in this database"
)


class DatabaseSize(BaseModel):
    bytes: int
    pretty: str


class Statement(BaseModel):
    calls: int
    mean_ms: float
    total_ms: float
    rows: int
    query: str


class SlowStatements(BaseModel):
    """pg_stat_statements' view of this database, or why there is none (``hint``)."""

    enabled: bool
    statements: list[Statement]
    hint: str | None = None


async def _one(conn: Conn, query: Any, params: dict[str, Any] | None = None) -> dict[str, Any]:
    rows = await _all(conn, query, params)
    assert rows, "the query returns one row"
    return rows[0]


async def _all(conn: Conn, query: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    try:
        async with conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, params)
            return await cur.fetchall()
    except psycopg.Error as exc:
        raise translate(exc) from exc


async def database_size(conn: Conn) -> DatabaseSize:
    """The current database's size on disk (``pg_database_size``) and the same for people."""
    return DatabaseSize.model_validate(await _one(conn, Q.database_size))


async def slow_statements(conn: Conn, limit: int = 5, width: int = 120) -> SlowStatements:
    """This database's ``limit`` statements with the highest mean time, their text cut to
    ``width`` characters; when pg_stat_statements is missing or not preloaded, none and a hint
    saying how to enable it."""
    state = await _one(conn, Q.stat_statements_state)
    if state["schema"] is None:
        if not state["available"]:
            hint = "pg_stat_statements is not available on this server (PostgreSQL's contrib modules)"
        elif state["preloaded"]:
            hint = "pg_stat_statements is loaded but not installed here: run CREATE EXTENSION pg_stat_statements"
        else:
            hint = "pg_stat_statements is not enabled: " + ENABLE_STAT_STATEMENTS
        return SlowStatements(enabled=False, statements=[], hint=hint)
    query = sql.SQL(Q.slow_statements).format(schema=sql.Identifier(state["schema"]))
    try:
        # a savepoint (or a transaction of its own): the error below leaves the caller's intact
        async with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(query, {"limit": limit, "width": width})
            rows = await cur.fetchall()
    except psycopg.errors.ObjectNotInPrerequisiteState:  # installed, but the library is not loaded
        hint = "pg_stat_statements is installed but not loaded: " + ENABLE_STAT_STATEMENTS
        return SlowStatements(enabled=False, statements=[], hint=hint)
    except psycopg.Error as exc:
        raise translate(exc) from exc
    return SlowStatements(enabled=True, statements=[Statement.model_validate(r) for r in rows])


class ReplicaState(BaseModel):
    in_recovery: bool
    lag_seconds: float | None


async def replica_state(conn: Conn) -> ReplicaState:
    """On a standby's connection: ``in_recovery`` true and how many seconds its replay is behind
    (0 when it has replayed all it received; None before it has replayed anything)."""
    return ReplicaState.model_validate(await _one(conn, Q.replica_lag))
