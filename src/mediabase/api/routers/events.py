"""The event outbox, read-only (docs/events.md): what happened, as webhooks and workflows see it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from mediabase import events
from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.events import Event, EventType

router = APIRouter(tags=["events"])


@router.get("/event-types", summary="The catalog of event types webhooks and workflows may subscribe to")
async def list_event_types(db: DbDep, p: PrincipalDep) -> list[EventType]:
    return await events.list_types(db)


@router.get("/outbox", summary="The organization's outbox: its domain events, newest first")
async def list_events(
    db: DbDep,
    p: PrincipalDep,
    type: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$",
                                      description="Only this event type, e.g. video.transcribed")] = None,
    subject: Annotated[UUID | None, Query(description="Only events about this object (its id)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> Page[Event]:
    """Each event was written in the transaction of the change it reports (an event exists iff
    its change committed); ``dispatched_at`` says when webhooks and workflows were handed it.
    Dispatched events are kept ``MEDIABASE_EVENTS_KEEP_DAYS`` days (30)."""
    items, next_cursor = await events.list_events(db, p, type=type, subject_id=subject, limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/outbox/{event_id}", summary="One outbox event")
async def get_event(db: DbDep, p: PrincipalDep, event_id: UUID) -> Event:
    return await events.get_event(db, p, event_id)
