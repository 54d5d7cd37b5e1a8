"""Export of a person's data as one JSON archive (issue 16; docs/governance.md, "Export").

The archive is read from the catalog, so a new table is in it without a change here: the
``users`` row, and every row of every table with a foreign key to ``users`` whose key column is
the person (their sessions, consents, comments, decisions, views, authored stories, ledger
accounts …), the speaker identities linked to them, and the comments' bodies as they are now.
Left out: columns the application role may not read (password and token hashes, secrets: the
grants of 0002/0043 say which) and columns whose names say they hold a hash or a key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from mediabase.db.browse import readable_columns
from mediabase.db.errors import NotFound
from mediabase.db.rows import Conn, sql

FORMAT = "mediabase.export/1"
USER_COLUMNS = """
SELECT c.conrelid::regclass::text AS tbl, array_agg(DISTINCT a.attname::text) AS keys
  FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
 WHERE c.contype = 'f' AND c.confrelid = 'mediabase.users'::regclass AND cardinality(c.conkey) = 1
   AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.conrelid)
 GROUP BY c.conrelid ORDER BY 1
"""


# Cap per table: an archive is answered in one piece; a table with more rows says so.
MAX_ROWS = 100_000


async def archive(conn: Conn, user_id: UUID) -> dict[str, Any]:
    """The person's data: ``{"format", "user_id", "generated_at", "tables": {table: [rows]},
    "truncated": [tables]}``; every value JSON (uuids and instants as strings)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    truncated: list[str] = []

    async def add(tbl: str, where: sql.Composable, params: dict[str, Any]) -> None:
        cols = [c.name for c in await readable_columns(conn, tbl)]
        if not cols:
            return
        statement = sql.SQL(
            "SELECT to_jsonb(x) AS row FROM (SELECT {cols} FROM {t} WHERE {where} LIMIT {limit}) AS x").format(
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in cols), t=sql.Identifier("mediabase", tbl),
            where=where, limit=sql.Literal(MAX_ROWS + 1))
        rows = [r["row"] for r in await (await conn.execute(statement, params)).fetchall()]
        if len(rows) > MAX_ROWS:
            rows = rows[:MAX_ROWS]
            truncated.append(tbl)
        if rows:
            tables.setdefault(tbl, []).extend(rows)

    user = await (await conn.execute("SELECT erased_at FROM mediabase.users WHERE id = %(id)s",
                                     {"id": user_id})).fetchone()
    if user is None:
        raise NotFound("user not found")
    await add("users", sql.SQL("id = %(user_id)s"), {"user_id": user_id})
    for fk in await (await conn.execute(USER_COLUMNS)).fetchall():
        tbl = fk["tbl"].removeprefix("mediabase.")
        where = sql.SQL(" OR ").join(sql.SQL("{} = %(user_id)s").format(sql.Identifier(k)) for k in sorted(fk["keys"]))
        await add(tbl, where, {"user_id": user_id})
    await add("people", sql.SQL("user_id = %(user_id)s"), {"user_id": user_id})
    await add("speakers", sql.SQL("(organization_id, person_id) IN (SELECT organization_id, id FROM mediabase.people"
                                  " WHERE user_id = %(user_id)s)"), {"user_id": user_id})
    return {"format": FORMAT, "user_id": str(user_id), "generated_at": datetime.now(UTC).isoformat(),
            "erased": user["erased_at"] is not None, "tables": tables, "truncated": truncated}
