"""The event outbox on a real Citus cluster (docs/events.md; docs/scale-out.md): the triggers run
on the shards and write the colocated events shard in the same transaction, a rolled-back change
leaves no event there either, and the dispatcher — one cross-tenant question, then one router
transaction per organization with FOR UPDATE SKIP LOCKED — hands every event over once.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): every test
works in organizations of its own and counts only their events.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from uuid import UUID

import pytest

from mediabase import events
from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate
from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from mediabase.events import Event
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import Tenant, make_tenant, make_video

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def test_events_commit_with_their_change_and_are_dispatched_once_on_the_shards(
        citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    ts: list[Tenant] = [await make_tenant(db, system, f"ev-{uuid.uuid4().hex[:6]}") for _ in range(3)]
    orgs = {t.owner.organization_id for t in ts}
    videos = [await make_video(db, t.owner, "on the cluster") for t in ts]
    for t, v in zip(ts, videos, strict=True):
        for i in range(40):
            await collab.create_comment(db, t.member, v, CommentCreate(body=f"comment {i}"))

    async def rolled_back() -> None:
        async with db.transaction(ts[0].owner.organization_id, ts[0].owner.user_id) as conn:
            await conn.execute("INSERT INTO comments (organization_id, video_id, author_id, body)"
                               " VALUES (%s, %s, %s, 'rolled back')",
                               (ts[0].owner.organization_id, videos[0], ts[0].owner.user_id))
            raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        await rolled_back()
    seen: Counter[UUID] = Counter()

    @events.subscriber("test.citus", replace=True)
    async def count(conn: Conn, org: UUID, batch: list[Event]) -> None:
        if org in orgs:
            seen.update(e.id for e in batch)

    try:
        await asyncio.gather(*(events.dispatch(db) for _ in range(3)))
        while await events.dispatch(db):
            pass
    finally:
        events.unsubscribe("test.citus")
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT organization_id, id, type, data, dispatched_at FROM events WHERE organization_id = ANY (%s)",
            (list(orgs),))).fetchall()
    kinds = Counter((r["organization_id"], r["type"]) for r in rows)
    for t in ts:
        org = t.owner.organization_id
        assert kinds[(org, "comment.created")] == 40
        assert kinds[(org, "video.created")] == kinds[(org, "video.transcribed")] == 1
    assert not any(r["data"].get("body") == "rolled back" for r in rows)
    assert all(r["dispatched_at"] is not None for r in rows)
    assert set(seen) == {r["id"] for r in rows} and set(seen.values()) == {1}
