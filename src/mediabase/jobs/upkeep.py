"""The job queue's own upkeep, registered like every domain's (``@periodic``): the monthly
partitions of every registered table (jobs, the audit log, …) exist ahead and old months go by
each table's policy (migration 0012, :mod:`mediabase.db.partitions`). It runs first in a pass:
a month's partition created while rows sit in DEFAULT moves them, and a statement planned
before that move and run after it would miss them.
"""

from __future__ import annotations

import logging

from mediabase.db import partitions
from mediabase.db.rows import Conn
from mediabase.identity import sessions
from mediabase.jobs.registry import periodic
from mediabase.jobs.settings import JobSettings

log = logging.getLogger("mediabase.jobs")


@periodic("partitions", order=0)
async def maintain_partitions(conn: Conn, settings: JobSettings) -> str | None:
    done = await partitions.maintain(conn, months_ahead=settings.months_ahead)
    for a in done:
        if a.action == "failed":
            log.warning("partitions of %s: %s", a.table, a.detail)
    created = [a for a in done if a.action == "created"]
    dropped = [a for a in done if a.action == "dropped"]
    if created or dropped:
        log.debug("partitions: created %s; dropped %s", ", ".join(str(a.partition) for a in created) or "none",
                  ", ".join(str(a.partition) for a in dropped) or "none")
        return f"partitions: created {_count(created)}, dropped {_count(dropped)}"
    return None


def _count(actions: list[partitions.Action]) -> str:
    """``3 (audit_log, jobs, view_events)``: how many partitions, of which tables."""
    if not actions:
        return "none"
    return f"{len(actions)} ({', '.join(sorted({a.table for a in actions}))})"


@periodic("identity.sessions", order=90)
async def sweep_sessions(conn: Conn, _settings: JobSettings) -> str | None:
    """Sign-in sessions and single-use tokens expired (or signed out) more than a day ago go
    (docs/identity.md "Sessions and tokens")."""
    gone = await sessions.sweep(conn)
    if gone["sessions"] or gone["tokens"]:
        return f"sessions: deleted {gone['sessions']} sessions, {gone['tokens']} tokens"
    return None
