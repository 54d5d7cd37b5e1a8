"""Taking view and watch events in: validated in Python, written by COPY (docs/analytics.md).

Every event of a call is checked first (its subject and viewer belong to the caller's
organization, its range lies within the subject's duration, its time within the retention);
the first bad one is an :class:`Invalid` naming ``events[i].field``, and nothing is written.
Then one COPY per chunk writes them, and one statement marks their (subject, UTC day) pairs
dirty for the rollups, all in the one transaction of the call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any
from uuid import UUID

from mediabase.analytics.models import RawEvent, ViewEventIn
from mediabase.common.errors import Forbidden, Invalid
from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn
from mediabase.identity.models import Principal, Role

Q = load_queries(__package__, "queries.sql")

CHUNK = 50_000  # events validated and copied at a time
PAST = timedelta(days=365)  # raw events are kept 13 months; older ones would be dropped at once
FUTURE = timedelta(minutes=5)  # clocks differ a little
COPY_TYPES = ["uuid", "timestamptz", "text", "uuid", "uuid", "uuid", "uuid", "bytea", "text", "int8", "int8",
              "int8", "text"]
_PROCESS_KEY = secrets.token_bytes(32)


def viewer_key(settings: Settings | None = None) -> tuple[bytes, str]:
    """The HMAC key of anonymous viewers and the id that names it in rows."""
    s = settings or get_settings()
    if s.analytics_viewer_key is not None:
        return s.analytics_viewer_key.get_secret_value().encode(), s.analytics_viewer_key_id
    return _PROCESS_KEY, "process"


def anonymous_digest(org: UUID, anonymous_id: str, key: bytes) -> bytes:
    """HMAC-SHA-256 of the organization and the identifier: never the identifier itself, and
    the same device is not linkable across organizations."""
    return hmac.new(key, org.bytes + anonymous_id.encode(), hashlib.sha256).digest()


def _bad(i: int, field: str, why: str) -> Invalid:
    return Invalid(f"events[{i}].{field}: {why}", field=f"events[{i}].{field}")


def _check(i: int, e: RawEvent, lo: datetime, hi: datetime) -> None:
    """What one event must be on its own (its subject and viewer are looked up after)."""
    if e.kind not in ("view", "watch"):
        raise _bad(i, "kind", "must be view or watch")
    subjects = (e.video_id is not None) + (e.scene_id is not None) + (e.master_id is not None)
    if subjects != 1:
        raise _bad(i, "video_id", "exactly one of video_id, scene_id and master_id")
    if (e.user_id is None) == (e.anonymous_id is None):
        raise _bad(i, "user_id", "exactly one of user_id and anonymous_id")
    if e.anonymous_id is not None and (not e.anonymous_id or len(e.anonymous_id) > 200
                                       or any(c < " " or c == "\x7f" for c in e.anonymous_id)):
        raise _bad(i, "anonymous_id", "1 to 200 characters, no control characters")
    if e.client is not None and not (0 < len(e.client) <= 100 and all(" " <= c <= "~" for c in e.client)):
        raise _bad(i, "client", "1 to 100 printable ASCII characters")
    at = e.occurred_at
    if at.tzinfo is None:
        raise _bad(i, "occurred_at", "needs a time zone")
    if not lo <= at <= hi:
        raise _bad(i, "occurred_at", "must lie within the last 365 days (and not in the future)")
    if e.kind == "watch":
        if e.start_ms is None or e.end_ms is None:
            raise _bad(i, "start_ms", "a watch event needs start_ms and end_ms")
        if e.start_ms < 0:
            raise _bad(i, "start_ms", "must be 0 or more")
        if e.end_ms <= e.start_ms:
            raise _bad(i, "end_ms", "must be greater than start_ms")
    elif e.start_ms is not None or e.end_ms is not None:
        raise _bad(i, "start_ms", "a view event has no range (send a watch event)")


async def _known(conn: Conn, query: Any, org: UUID, ids: set[UUID]) -> dict[UUID, int | None]:
    if not ids:
        return {}
    rows = await (await conn.execute(query, {"org": org, "ids": list(ids)})).fetchall()
    return {r["id"]: r["duration_ms"] for r in rows}


def _chunks(events: Iterable[RawEvent | ViewEventIn]) -> Iterator[list[RawEvent]]:
    it = iter(events)
    while chunk := list(islice(it, CHUNK)):
        yield [e.raw() if isinstance(e, ViewEventIn) else e for e in chunk]


async def mark_dirty(conn: Conn, org: UUID, rows: list[tuple[Any, ...]]) -> None:
    """Mark the (subject, UTC day) pairs of copied rows (in :data:`COPY_TYPES`' order) for the
    next refresh; in the caller's transaction, so they commit or roll back with the rows."""
    pairs: dict[tuple[UUID, date], str] = {}
    for r in rows:
        day = r[1].astimezone(UTC).date()
        if r[3] is not None:
            pairs[(r[3], day)] = "video"
        elif r[4] is not None:
            pairs[(r[4], day)] = "scene"
        else:
            pairs[(r[5], day)] = "master"
    if pairs:
        await conn.execute(Q.mark_dirty, {"org": org, "subjects": [s for s, _ in pairs],
                                          "days": [d for _, d in pairs], "kinds": list(pairs.values())})


async def ingest_into(conn: Conn, p: Principal, events: Iterable[RawEvent | ViewEventIn],
                      *, now: datetime | None = None, settings: Settings | None = None) -> int:
    """Validate and COPY ``events`` on ``conn`` (the owner's connection, the caller's
    transaction); returns how many. The first bad event raises before anything is copied of its chunk."""
    org = p.organization_id
    key, key_id = viewer_key(settings)
    t = now or datetime.now(UTC)
    lo, hi = t - PAST, t + FUTURE
    total = 0
    for chunk in _chunks(events):
        videos: set[UUID] = set()
        scenes: set[UUID] = set()
        masters: set[UUID] = set()
        users: set[UUID] = set()
        for n, e in enumerate(chunk):
            _check(total + n, e, lo, hi)
            if e.video_id is not None:
                videos.add(e.video_id)
            elif e.scene_id is not None:
                scenes.add(e.scene_id)
            else:
                assert e.master_id is not None
                masters.add(e.master_id)
            if e.user_id is not None:
                users.add(e.user_id)
        durations = {
            "video_id": await _known(conn, Q.video_durations, org, videos),
            "scene_id": await _known(conn, Q.scene_durations, org, scenes),
            "master_id": await _known(conn, Q.master_durations, org, masters),
        }
        members: set[UUID] = set()
        if users:
            rows = await (await conn.execute(Q.members, {"org": org, "ids": list(users)})).fetchall()
            members = {r["user_id"] for r in rows}
        digests: dict[str, bytes] = {}
        rows_out: list[tuple[Any, ...]] = []
        for n, e in enumerate(chunk):
            i = total + n
            field = "video_id" if e.video_id is not None else "scene_id" if e.scene_id is not None else "master_id"
            subject = e.video_id or e.scene_id or e.master_id
            known = durations[field]
            if subject not in known:
                raise _bad(i, field, f"no such {field[:-3].replace('master', 'music master')} in this organization")
            duration = known[subject]
            if e.end_ms is not None and duration is not None and e.end_ms > duration:
                raise _bad(i, "end_ms", f"beyond the end of the {field[:-3]} ({duration} ms)")
            digest = None
            if e.user_id is not None:
                if e.user_id not in members:
                    raise _bad(i, "user_id", "not a member of this organization")
            else:
                assert e.anonymous_id is not None
                digest = digests.get(e.anonymous_id)
                if digest is None:
                    digest = digests[e.anonymous_id] = anonymous_digest(org, e.anonymous_id, key)
            rows_out.append((org, e.occurred_at, e.kind, e.video_id, e.scene_id, e.master_id, e.user_id, digest,
                             key_id if digest is not None else None, e.start_ms, e.end_ms, duration, e.client))
        async with conn.cursor().copy(Q.copy_events) as copy:
            copy.set_types(COPY_TYPES)
            for row in rows_out:
                await copy.write_row(row)
        await mark_dirty(conn, org, rows_out)
        total += len(chunk)
    return total


async def ingest(db: Database, p: Principal, events: Iterable[RawEvent | ViewEventIn],
                 *, settings: Settings | None = None) -> int:
    """Take in a batch of events for the caller's organization, all or nothing (MEMBER+; a
    worker's key may not). Runs on the owner pool (COPY); every row carries the caller's organization."""
    if not p.can(Role.MEMBER) or p.is_worker:
        raise Forbidden("recording viewing events needs a member's key")
    system = await db.as_system()
    async with system.transaction(p.organization_id, p.user_id) as conn:
        return await ingest_into(conn, p, events, settings=settings)
