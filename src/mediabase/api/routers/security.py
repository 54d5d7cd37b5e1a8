"""The security log (docs/security.md)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.common.types import Instant
from mediabase.identity import security
from mediabase.identity.security import EventKind, SecurityEvent

router = APIRouter(tags=["security"])


@router.get("/security/events", summary="The organization's security log, newest first (ADMIN)")
async def list_events(
    db: DbDep,
    p: PrincipalDep,
    kind: Annotated[list[EventKind] | None, Query(max_length=8, description="Only these kinds (repeat)")] = None,
    since: Annotated[Instant | None, Query(description="Events at or after this instant")] = None,
    until: Annotated[Instant | None, Query(description="Events before this instant")] = None,
    user: Annotated[UUID | None, Query(description="Events by this user or about them")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> Page[SecurityEvent]:
    """Sign-ins (a key's first request in each hour), failed sign-ins with the organization's keys,
    keys created and revoked, members added and removed, role changes, payouts. Client addresses
    appear only as ``ip_hash`` (an HMAC), comparable between events under the same ``ip_key``."""
    return await security.list_events(
        db, p, kinds=kind, since=since, until=until, user_id=user, limit=limit, cursor=cursor
    )
