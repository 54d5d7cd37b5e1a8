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
import re
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


_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_CLIENT = re.compile("[ -~]{1,100}")


def _check(i: int, e: RawEvent, lo: datetime, hi: datetime, anons: set[str], clients: set[str]) -> None:
    """What one event must be on its own (its subject and viewer are looked up after). Written
    for speed (a bulk load checks millions): identifiers and clients seen valid are not checked again."""
    kind, at, video, scene, master, user, anon, start, end, client = e
    if kind == "watch":
        if start is None or end is None:
            raise _bad(i, "start_ms", "a watch event needs start_ms and end_ms")
        if start < 0:
            raise _bad(i, "start_ms", "must be 0 or more")
        if end <= start:
            raise _bad(i, "end_ms", "must be greater than start_ms")
    elif kind == "view":
        if start is not None or end is not None:
            raise _bad(i, "start_ms", "a view event has no range (send a watch event)")
    else:
        raise _bad(i, "kind", "must be view or watch")
    if (video is None) + (scene is None) + (master is None) != 2:
        raise _bad(i, "video_id", "exactly one of video_id, scene_id and master_id")
    if (user is None) == (anon is None):
        raise _bad(i, "user_id", "exactly one of user_id and anonymous_id")
    if anon is not None and anon not in anons:
        if not 0 < len(anon) <= 200 or _CONTROL.search(anon):
            raise _bad(i, "anonymous_id", "1 to 200 characters, no control characters")
        anons.add(anon)
    if client is not None and client not in clients:
        if not _CLIENT.fullmatch(client):
            raise _bad(i, "client", "1 to 100 printable ASCII characters")
        clients.add(client)
    if at.tzinfo is None:
        raise _bad(i, "occurred_at", "needs a time zone")
    if not lo <= at <= hi:
        raise _bad(i, "occurred_at", "must lie within the last 365 days (and not in the future)")


async def _known(conn: Conn, query: Any, org: UUID, ids: set[UUID]) -> dict[UUID, int | None]:
    if not ids:
        return {}
    rows = await (await conn.execute(query, {"org": org, "ids": list(ids)})).fetchall()
    return {r["id"]: r["duration_ms"] for r in rows}


def _chunks(events: Iterable[RawEvent | ViewEventIn]) -> Iterator[list[RawEvent]]:
    it = iter(events)
    while chunk := list(islice(it, CHUNK)):
        yield [e.raw() if isinstance(e, ViewEventIn) else e for e in chunk]


async def mark_dirty(conn: Conn, org: UUID, pairs: dict[tuple[UUID, date], str]) -> None:
    """Mark (subject, UTC day) pairs of copied rows for the next refresh; in the caller's
    transaction, so they commit or roll back with the rows."""
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
    durations: dict[str, dict[UUID, int | None]] = {"video": {}, "scene": {}, "master": {}}
    asked: set[UUID] = set()  # subjects and users looked up already (found or not)
    members: set[UUID] = set()
    anons: set[str] = set()
    clients: set[str] = set()
    digests: dict[str, bytes] = {}
    for chunk in _chunks(events):
        # what this chunk names that earlier chunks did not: one query per kind
        for what, query in (("video", Q.video_durations), ("scene", Q.scene_durations),
                            ("master", Q.master_durations)):
            ids = {x for e in chunk if (x := getattr(e, f"{what}_id")) is not None and x not in asked}
            durations[what].update(await _known(conn, query, org, ids))
            asked |= ids
        users = {e.user_id for e in chunk if e.user_id is not None and e.user_id not in asked}
        if users:
            rows = await (await conn.execute(Q.members, {"org": org, "ids": list(users)})).fetchall()
            members |= {r["user_id"] for r in rows}
            asked |= users
        pairs: dict[tuple[UUID, date], str] = {}
        # checked and written in one pass: the server takes in rows while the next are checked; the
        # first bad event raises out of the COPY, which aborts it, and the transaction rolls back
        async with conn.cursor().copy(Q.copy_events) as copy:
            copy.set_types(COPY_TYPES)
            for n, e in enumerate(chunk):
                _check(total + n, e, lo, hi, anons, clients)
                kind, at, video, scene, master, user, anon, start, end, client = e
                subject, what = (video, "video") if video is not None else (scene, "scene") if scene is not None \
                    else (master, "master")
                known = durations[what]
                if subject not in known:
                    name = {"video": "video", "scene": "story scene", "master": "music master"}[what]
                    raise _bad(total + n, f"{what}_id", f"no such {name} in this organization")
                duration = known[subject]
                if end is not None and duration is not None and end > duration:
                    raise _bad(total + n, "end_ms", f"beyond the end of the {what} ({duration} ms)")
                digest = None
                if user is not None:
                    if user not in members:
                        raise _bad(total + n, "user_id", "not a member of this organization")
                else:
                    digest = digests.get(anon)  # type: ignore[arg-type]
                    if digest is None:
                        digest = digests[anon] = anonymous_digest(org, anon, key)  # type: ignore[index,arg-type]
                pairs[(subject, at.date() if at.tzinfo is UTC else at.astimezone(UTC).date())] = what
                await copy.write_row((org, at, kind, video, scene, master, user, digest,
                                      key_id if digest is not None else None, start, end, duration, client))
        await mark_dirty(conn, org, pairs)
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
