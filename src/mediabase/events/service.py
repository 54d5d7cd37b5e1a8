"""Emit and read events (docs/events.md). Triggers emit the built-in types; a service emits
its own with :func:`emit` inside the transaction of the change, so the event commits with it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.common.cursors import decode_id, id_page
from mediabase.common.errors import Invalid
from mediabase.db.connection import Database
from mediabase.db.errors import NotFound
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, class_row
from mediabase.events.models import Event, EventType
from mediabase.identity.models import Principal

Q = load_queries("mediabase.events", "queries.sql")


async def emit(conn: Conn, org: UUID, type: str, subject_type: str, subject_id: UUID,
               data: dict[str, Any] | None = None) -> UUID:
    """Write one event in the caller's transaction (it exists iff that transaction commits).
    ``type`` must be in the catalog (``event_types``), ``data`` a small JSON object."""
    row = await (await conn.execute(Q.emit, {"org": org, "type": type, "subject_type": subject_type,
                                             "subject_id": subject_id, "data": Jsonb(data or {})})).fetchone()
    assert row is not None
    return UUID(str(row["id"]))


async def list_types(db: Database) -> list[EventType]:
    async with db.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(EventType))
        return await (await cur.execute(Q.list_types)).fetchall()


async def check_types(conn: Conn, types: list[str], field: str = "event_types") -> None:
    """Refuse an event type the catalog does not know (one clear error naming it)."""
    for t in types:
        row = await (await conn.execute(Q.type_exists, {"type": t})).fetchone()
        if not row or not row["known"]:
            raise Invalid(f"unknown event type {t!r} (mediabase events types lists them)", field=field)


async def get_event(db: Database, p: Principal, event_id: UUID) -> Event:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Event))
        ev = await (await cur.execute(Q.get_event, {"org": p.organization_id, "id": event_id})).fetchone()
    if ev is None:
        raise NotFound("event not found")
    return ev


async def list_events(db: Database, p: Principal, *, type: str | None = None, subject_id: UUID | None = None,
                      limit: int = 50, cursor: str | None = None) -> tuple[list[Event], str | None]:
    """The organization's events, newest first, a page at a time (opaque cursor)."""
    before = decode_id(cursor)
    params = {"org": p.organization_id, "type": type, "subject_id": subject_id, "before": before, "limit": limit + 1}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Event))
        rows = await (await cur.execute(Q.list_events, params)).fetchall()
    return id_page(rows, limit)
