"""Seed data sets: deterministic, idempotent, no real personal data.

Each seed is an async function taking an owner-role :class:`Database` and returning a
one-line summary. ``demo`` is what ``mediabase up`` loads into an empty database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mediabase.db.connection import Database

Seed = Callable[[Database], Awaitable[str]]


async def demo(db: Database) -> str:
    """The demo data set (filled by the domain packages)."""
    return "demo seed: nothing to load yet"


async def test(db: Database) -> str:
    """A small deterministic data set for tests and local experiments."""
    return "test seed: nothing to load yet"


SEEDS: dict[str, Seed] = {"demo": demo, "test": test}


async def load_demo_if_empty(db: Database) -> str:
    """Load the demo seed unless the database already holds data."""
    return await demo(db)
