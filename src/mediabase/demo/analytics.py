"""The demo's viewing analytics: deterministic synthetic viewing sessions (a seeded random
generator) over the demo organization's AMI meetings in the last 14 days, then the rollups.
Idempotent: an organization that has view events already is left as it is."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from uuid import UUID

from mediabase import analytics
from mediabase.analytics.models import RawEvent
from mediabase.db.connection import Database

SEED = 15
DAYS = 14
SESSIONS_PER_MEETING = 60
CHUNK_MS = 60_000  # a player reports what it played once a minute


def sessions(videos: list[tuple[str, int]], today: datetime, seed: int = SEED) -> list[RawEvent]:
    """Each session: a view, then the minutes played, from the start (or a seek) to where the
    viewer stopped; most stop early, a few watch to the end, some skip back and watch again."""
    rng = random.Random(seed)
    out: list[RawEvent] = []
    for video, duration in sorted(videos):
        for n in range(SESSIONS_PER_MEETING):
            viewer = f"demo-viewer-{rng.randrange(40):02d}"
            day = today - timedelta(days=rng.randrange(DAYS), hours=rng.randrange(1, 10), minutes=rng.randrange(60))
            start = 0 if rng.random() < 0.8 else rng.randrange(duration // 2)
            stop = min(duration, start + int(duration * min(1.0, rng.expovariate(2.2))) + 1)
            out.append(RawEvent("view", day, video_id=UUID(video), anonymous_id=viewer, client="demo-player/1"))
            at, pos = day, start
            while pos < stop:
                end = min(stop, pos + CHUNK_MS)
                at += timedelta(milliseconds=end - pos)
                out.append(RawEvent("watch", at, video_id=UUID(video), anonymous_id=viewer, start_ms=pos,
                                    end_ms=end, client="demo-player/1"))
                pos = end
            if n % 7 == 0 and start < stop - 1:  # went back to the beginning of what they saw
                back = rng.randrange(start, stop - 1)
                out.append(RawEvent("watch", at + timedelta(seconds=5), video_id=UUID(video), anonymous_id=viewer,
                                    start_ms=back, end_ms=min(stop, back + CHUNK_MS), client="demo-player/1"))
    return out


async def analytics_demo(system: Database, slug: str) -> str:
    """Viewing sessions over the organization's meetings and their rollups (once)."""
    from mediabase.identity import service as identity

    p = await identity.acting_owner(system, slug)
    org = p.organization_id
    async with system.transaction(org) as conn:
        if await (await conn.execute("SELECT 1 FROM view_events WHERE organization_id = %s LIMIT 1",
                                     (org,))).fetchone():
            return "analytics: viewing sessions were there already"
        rows = await (await conn.execute(
            "SELECT id::text AS id, duration_ms FROM videos WHERE organization_id = %s AND deleted_at IS NULL"
            " AND duration_ms > 0 AND metadata ? 'meeting_id'", (org,))).fetchall()
    videos = [(r["id"], r["duration_ms"]) for r in rows]
    today = datetime.combine(datetime.now(UTC).date(), time(23, 0), UTC) - timedelta(days=1)
    events = sessions(videos, today)
    n = await analytics.ingest(system, p, events)
    done = await analytics.rebuild(system, org)
    return (f"analytics: {len(videos) * SESSIONS_PER_MEETING} viewing sessions ({n} events) over {len(videos)}"
            f" meetings, {done.pairs} daily rollups, talk time of {done.talk_videos} meetings")
