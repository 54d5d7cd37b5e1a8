"""Rollups, computed from the raw events by jobs and never incremented per request (docs/analytics.md).

- :func:`refresh`: incremental. Inserts and deletes of raw events mark their (subject, UTC day)
  pairs dirty (statement triggers, 0042); a refresh recomputes exactly those pairs.
- :func:`rebuild`: from scratch: every day that still has raw events is deleted and computed again.
- talk time: each video whose current transcript is not the one its talk time came from.

The worker's upkeep (``analytics.rollups``) refreshes every organization with dirty days; the
CLI runs the same functions (``mediabase analytics refresh | rebuild``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from pydantic import BaseModel

from mediabase.analytics.ingest import Q
from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from mediabase.jobs.registry import periodic

BATCH = 5_000  # dirty pairs per transaction
TALK_BATCH = 200  # videos per transaction


class Refreshed(BaseModel):
    pairs: int
    talk_videos: int


async def refresh_org(conn: Conn, org: UUID) -> Refreshed:
    """Recompute what is dirty in one organization, a batch per transaction, on an autocommit
    owner connection (or inside the caller's transaction)."""
    pairs = talk = 0
    while True:
        row = await (await conn.execute(Q.refresh, {"org": org, "max_pairs": BATCH})).fetchone()
        n = row["n"] if row else 0
        pairs += n
        if n < BATCH:
            break
    while True:
        row = await (await conn.execute(Q.talk_refresh, {"org": org, "max_videos": TALK_BATCH})).fetchone()
        n = row["n"] if row else 0
        talk += n
        if n < TALK_BATCH:
            break
    return Refreshed(pairs=pairs, talk_videos=talk)


async def refresh(db: Database, org: UUID) -> Refreshed:
    """Incremental maintenance of one organization's rollups (as the system: the rollups are
    the database's, the application role only reads them)."""
    system = await db.as_system()
    async with system.transaction(org) as conn:
        return await refresh_org(conn, org)


async def rebuild(db: Database, org: UUID, since: date | None = None) -> Refreshed:
    """Every rollup of the organization from ``since`` (default: the first day with raw events)
    computed again from the raw events, and talk time of every video; one transaction."""
    system = await db.as_system()
    async with system.transaction(org) as conn:
        row = await (await conn.execute(Q.rebuild, {"org": org, "since": since})).fetchone()
        await conn.execute(Q.talk_rebuild, {"org": org})
        talk = await refresh_org(conn, org)
        return Refreshed(pairs=row["n"] if row else 0, talk_videos=talk.talk_videos)


@periodic("analytics.rollups", order=65)
async def refresh_all(conn: Conn, _settings: Any) -> str | None:
    """Upkeep: refresh the rollups of every organization with dirty days or new transcripts."""
    orgs = {r["organization_id"] for r in await (await conn.execute(Q.dirty_organizations)).fetchall()}
    orgs |= {r["organization_id"] for r in await (await conn.execute(Q.talk_organizations)).fetchall()}
    pairs = talk = 0
    for org in sorted(orgs):
        done = await refresh_org(conn, org)
        pairs, talk = pairs + done.pairs, talk + done.talk_videos
    if not pairs and not talk:
        return None
    return f"analytics rollups: {pairs} subject-day(s), talk time of {talk} video(s)"
