"""What a database holds, fingerprinted, so a test can say that a request wrote nothing."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

# Columns a request may touch without writing anything the caller asked for (a key's last use).
VOLATILE = ["last_used_at"]
# Tables that record the attempt rather than what it asked for: the security log (0034) writes a
# key's first use in an hour or a failed login whatever the answer to the request is.
ATTEMPT_LOGS = "security_events"


def _fingerprint(conn: psycopg.Connection[Any]) -> dict[str, str]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'mediabase' AND c.relkind = 'r' ORDER BY 1"
        )
        if not r[0].startswith(ATTEMPT_LOGS)
    ]
    parts = [
        sql.SQL(
            "SELECT {name}::text, count(*)::text || ':' || coalesce(md5(string_agg("
            "(to_jsonb(t) - {volatile}::text[])::text, ',' ORDER BY (to_jsonb(t) - {volatile}::text[])::text)), '')"
            " FROM mediabase.{table} t"
        ).format(name=sql.Literal(t), volatile=sql.Literal(VOLATILE), table=sql.Identifier(t))
        for t in tables
    ]
    return {name: digest for name, digest in conn.execute(sql.SQL(" UNION ALL ").join(parts)).fetchall()}


def fingerprint(url: str) -> dict[str, str]:
    """Per table of the ``mediabase`` schema: its row count and a digest of every row."""
    with psycopg.connect(url, autocommit=True) as conn:
        return _fingerprint(conn)


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose rows differ between two fingerprints."""
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))


class Watch:
    """Tells, after each request, which tables it changed; cheap when it changed nothing.

    A transaction that writes is given a transaction id, so while the next id to be given
    stays the same nothing was written anywhere; only when it moved are the tables compared.
    """

    def __init__(self, url: str) -> None:
        self.conn: psycopg.Connection[Any] = psycopg.connect(url, autocommit=True)
        self.next_xid = self._next_xid()
        self.state = _fingerprint(self.conn)

    def _next_xid(self) -> str:
        row = self.conn.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()
        assert row is not None
        return str(row[0])

    def changes(self) -> list[str]:
        """The tables changed since the last call (or since the watch began)."""
        xid = self._next_xid()
        if xid == self.next_xid:
            return []
        self.next_xid = xid
        now = _fingerprint(self.conn)
        diff = changed(self.state, now)
        self.state = now
        return diff

    def close(self) -> None:
        self.conn.close()
