"""Every piece of the worker's upkeep runs on a maintenance connection that has no search_path of
mediabase's (the owner's URL as an operator gives it): each names its tables and functions. Two
of them did not (the sessions sweep, the story counters' fold) and failed only in a real worker."""

from __future__ import annotations

from mediabase.db.connection import Database
from mediabase.jobs.registry import upkeeps
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import import_handler_modules
from mediabase.wiring import WORKER_MODULES


async def test_every_upkeep_runs_without_mediabase_on_the_search_path(owner_db: Database) -> None:
    import_handler_modules([], builtin=WORKER_MODULES)
    names = [u.name for u in upkeeps()]
    assert {"stories.counters", "identity.sessions", "governance.retention"} <= set(names), names
    failed = {}
    async with owner_db.owner_connection() as conn:
        await conn.execute("SET search_path TO pg_catalog")
        for u in upkeeps():
            try:
                await u.fn(conn, JobSettings())
            except Exception as exc:  # every failure is the finding
                failed[u.name] = f"{type(exc).__name__}: {exc}"
    assert failed == {}
