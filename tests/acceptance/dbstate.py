"""What a database holds, fingerprinted, so a test can say that a request wrote nothing."""

from __future__ import annotations

import psycopg
from psycopg import sql

# Columns a request may touch without writing anything the caller asked for (a key's last use).
VOLATILE = ["last_used_at"]


def fingerprint(url: str) -> dict[str, str]:
    """Per table of the ``mediabase`` schema: its row count and a digest of every row."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = 'mediabase' AND c.relkind = 'r' ORDER BY 1"
            )
        ]
        parts = [
            sql.SQL(
                "SELECT {name}::text, count(*)::text || ':' || coalesce(md5(string_agg("
                "(to_jsonb(t) - {volatile}::text[])::text, ',' ORDER BY (to_jsonb(t) - {volatile}::text[])::text)), '')"
                " FROM mediabase.{table} t"
            ).format(name=sql.Literal(t), volatile=sql.Literal(VOLATILE), table=sql.Identifier(t))
            for t in tables
        ]
        rows = conn.execute(sql.SQL(" UNION ALL ").join(parts)).fetchall()
    return {name: digest for name, digest in rows}


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The tables whose rows differ between two fingerprints."""
    return sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
