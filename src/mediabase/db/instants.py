"""Reading a ``timestamptz`` Python cannot hold without failing the whole read.

PostgreSQL keeps instants up to 294276 AD; Python's ``datetime`` stops at year 9999 (and
starts at year 1). psycopg refuses such a value with ``DataError``, which fails the statement's
every row: one bad row would make a whole list unreadable. A cursor with
:func:`tolerate_instants` reads it as the nearest end of Python's range instead (UTC).
Migration 0014 and the API's :data:`mediabase.common.types.Instant` keep such values out; this
is the reader's side of the same rule, for rows that got in some other way.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import pq
from psycopg.abc import AdaptContext, Buffer
from psycopg.adapt import Loader

TIMESTAMPTZ_OID = 1184
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


class ClampingTimestamptzLoader(Loader):
    """The default ``timestamptz`` loader, except that out-of-range values are clamped."""

    def __init__(self, oid: int, context: AdaptContext | None = None) -> None:
        super().__init__(oid, context)
        default = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, pq.Format.TEXT)
        assert default is not None
        self._inner = default(oid, context)

    def load(self, data: Buffer) -> datetime:
        try:
            value: datetime = self._inner.load(data)
        except psycopg.DataError:
            return EARLIEST if b" BC" in bytes(data) or b"-infinity" in bytes(data) else LATEST
        return value


def tolerate_instants(cursor: psycopg.AsyncCursor[Any] | psycopg.Cursor[Any]) -> None:
    """Make ``cursor`` read out-of-range ``timestamptz`` values clamped instead of failing."""
    cursor.adapters.register_loader("timestamptz", ClampingTimestamptzLoader)
