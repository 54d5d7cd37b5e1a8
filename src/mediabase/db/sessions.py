"""Connections of their own, outside the pools: what needs a session (LISTEN, DDL that cannot run
in a transaction) and the owner's maintenance. Reached through :class:`~mediabase.db.connection.Database`
(``owner_connection``, ``direct_connection``, ``listen``); nothing outside :mod:`mediabase.db`
opens a connection itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import aclosing, asynccontextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from mediabase.config import Settings
from mediabase.db.errors import translate
from mediabase.db.rows import Conn


def connection_kwargs(settings: Settings) -> dict[str, Any]:
    """How every connection of mediabase's is made, pooled or not: autocommit (a unit of work
    begins its own transaction), dict rows, the connect timeout, an application name, and no
    prepared statements where ``MEDIABASE_PREPARED_STATEMENTS`` is false."""
    kwargs: dict[str, Any] = {
        "autocommit": True,
        "row_factory": dict_row,
        "connect_timeout": max(1, int(settings.connect_timeout)),
        "application_name": "mediabase",
    }
    if not settings.prepared_statements:
        kwargs["prepare_threshold"] = None  # pgbouncer < 1.21 in transaction mode: no prepared statements
    return kwargs


@asynccontextmanager
async def connect(
    url: str, settings: Settings, *, role: str | None = None, search_path: str | None = None
) -> AsyncIterator[Conn]:
    """One autocommit connection (dict rows), closed on leaving; ``role`` and ``search_path``
    are set for the session (it is nobody else's). Driver errors, in the block too, leave as
    domain errors (a server that does not answer: ``Unavailable``)."""
    try:
        async with await psycopg.AsyncConnection.connect(url, **connection_kwargs(settings)) as conn:
            if search_path is not None:
                await conn.execute(sql.SQL("SET search_path TO {}").format(
                    sql.SQL(", ").join(sql.Identifier(s.strip()) for s in search_path.split(","))))
            if role is not None:
                await conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
            yield conn
    except psycopg.Error as exc:
        raise translate(exc) from exc


class Listener:
    """A session LISTENing to some channels (:func:`listen`)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    async def wait(self, timeout: float | None = None) -> list[str]:  # noqa: ASYNC109 - a wait with a bound
        """The payloads of the next notifications (those that came in one batch), or ``[]`` after
        ``timeout`` seconds without any (None: wait as long as it takes)."""
        payloads: list[str] = []
        try:
            async with aclosing(self._conn.notifies(timeout=timeout, stop_after=1)) as notes:
                async for note in notes:
                    payloads.append(note.payload)
        except psycopg.Error as exc:
            raise translate(exc) from exc
        return payloads


@asynccontextmanager
async def listen(url: str, settings: Settings, channels: Sequence[str]) -> AsyncIterator[Listener]:
    """A session of its own on ``url`` that LISTENs to ``channels`` until the block ends.

    Notifications sent while nobody listened are lost: check what you wait for after entering."""
    async with connect(url, settings) as conn:
        for channel in channels:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        yield Listener(conn)
