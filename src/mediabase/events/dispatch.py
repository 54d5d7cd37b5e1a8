"""The dispatcher: hands each committed event once to the registered subscribers.

A subscriber is a coroutine ``fn(conn, org, events)`` registered with ``@subscriber("name")``
by the domain that acts on events (webhooks make deliveries, workflows start runs). It runs in
the dispatch transaction, in the events' tenant, and may only write rows there (deliveries,
jobs): no network, no waiting. The dispatch transaction takes a batch of one organization's
undispatched events with SKIP LOCKED, calls every subscriber, and marks the batch dispatched;
so a crash before the commit hands the same events over again and none is handed over twice.
A subscriber that raises rolls the batch back (it is tried again on the next poll, logged).

The worker runs :func:`dispatch` as a poller (``mediabase.jobs.registry.poller``): at once while
there are events, every ``MEDIABASE_JOBS_POLLER_INTERVAL`` seconds otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.rows import Conn, class_row
from mediabase.events.models import Event
from mediabase.events.service import Q
from mediabase.events.settings import event_settings
from mediabase.jobs.registry import periodic, poller

log = logging.getLogger("mediabase.events")

SubscriberFn = Callable[[Conn, UUID, list[Event]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Subscriber:
    name: str
    fn: SubscriberFn


_SUBSCRIBERS: dict[str, Subscriber] = {}


def subscriber(name: str, *, replace: bool = False) -> Callable[[SubscriberFn], SubscriberFn]:
    """Make the decorated coroutine a subscriber of every dispatched batch (it filters by type)."""

    def deco(fn: SubscriberFn) -> SubscriberFn:
        if name in _SUBSCRIBERS and not replace and _SUBSCRIBERS[name].fn is not fn:
            raise ValueError(f"event subscriber {name!r} is registered already")
        _SUBSCRIBERS[name] = Subscriber(name, fn)
        return fn

    return deco


def unsubscribe(name: str) -> None:
    _SUBSCRIBERS.pop(name, None)


def subscribers() -> list[Subscriber]:
    return sorted(_SUBSCRIBERS.values(), key=lambda s: s.name)


async def dispatch_organization(db: Database, org: UUID, *, limit: int = 500) -> int:
    """Hand one batch of ``org``'s undispatched events to the subscribers; returns how many."""
    async with db.transaction(org) as conn:
        cur = conn.cursor(row_factory=class_row(Event))
        events = await (await cur.execute(Q.take_pending, {"org": org, "limit": limit})).fetchall()
        if not events:
            return 0
        for s in subscribers():
            await s.fn(conn, org, events)
        await conn.execute(Q.mark_dispatched, {"org": org, "ids": [e.id for e in events]})
    return len(events)


async def dispatch(db: Database, settings: Any = None, *, max_orgs: int = 100) -> int:
    """One pass over the organizations with undispatched events; returns how many were handed."""
    limit = event_settings().batch_size
    async with db.transaction() as conn:
        orgs = [r["organization_id"] for r in await (await conn.execute(Q.pending_organizations,
                                                                        {"max_orgs": max_orgs})).fetchall()]
    moved = 0
    for org in orgs:
        moved += await dispatch_organization(db, org, limit=limit)
    return moved


@poller("events.dispatch")
async def dispatch_poller(db: Database, settings: Any) -> int:
    return await dispatch(db, settings)


async def prune_dispatched(conn: Conn, batch: int = 5000) -> int:
    """Delete the dispatched events older than MEDIABASE_EVENTS_KEEP_DAYS, ``batch`` at a time (each
    its own transaction on an autocommit connection); returns how many went. Also called by
    ``mediabase retention run`` (mediabase.governance.retention)."""
    days, total = event_settings().keep_days, 0
    while True:
        n = (await conn.execute(Q.prune, {"days": days, "batch": batch})).rowcount
        total += n
        if n < batch:
            return total


@periodic("events.prune", order=80)
async def prune(conn: Conn, settings: Any) -> str | None:
    """Dispatched events older than MEDIABASE_EVENTS_KEEP_DAYS go, 5,000 at a time."""
    total = await prune_dispatched(conn)
    return f"events: pruned {total} dispatched events older than {event_settings().keep_days} days" if total else None
