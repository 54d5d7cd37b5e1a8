"""The event outbox (0035; docs/events.md): an event exists iff its change committed, each is
handed to the subscribers once — under concurrent dispatchers and a failing subscriber too —
and a tenant reads only its own."""

from __future__ import annotations

import asyncio
from collections import Counter
from uuid import UUID, uuid4

import pytest

from mediabase import events
from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate
from mediabase.db.connection import Database
from mediabase.db.errors import Invalid, MediabaseError, NotFound
from mediabase.db.rows import Conn
from mediabase.events import Event
from mediabase.media import service as media
from tests.factories import Tenant, make_video


async def _types(owner_db: Database, org: UUID) -> list[str]:
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute("SELECT type FROM events WHERE organization_id = %s ORDER BY id",
                                         (org,))).fetchall()
    return [r["type"] for r in rows]


async def test_a_change_and_its_event_commit_together(db: Database, owner_db: Database,
                                                      tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    video = await make_video(db, a.owner, "weekly sync")
    assert await _types(owner_db, org) == ["video.created", "video.transcribed"]

    class Boom(Exception):
        pass

    # a comment whose transaction rolls back leaves no event
    async def rolled_back() -> None:
        async with db.transaction(org, a.owner.user_id) as conn:
            await conn.execute("INSERT INTO comments (organization_id, video_id, author_id, body)"
                               " VALUES (%s, %s, %s, 'never')", (org, video, a.owner.user_id))
            assert (await _types_in(conn, org))[-1] == "comment.created"  # visible inside it
            raise Boom

    with pytest.raises(Boom):
        await rolled_back()
    assert await _types(owner_db, org) == ["video.created", "video.transcribed"]

    c = await collab.create_comment(db, a.member, video, CommentCreate(body="ship it", position_ms=1500))
    page, _ = await events.list_events(db, a.member, type="comment.created")
    assert [e.subject_id for e in page] == [c.id]
    assert page[0].data == {"id": str(c.id), "video_id": str(video), "parent_id": None,
                            "author_id": str(a.member.user_id), "body": "ship it", "position_ms": 1500,
                            "created_at": page[0].data["created_at"]}
    assert page[0].actor_id == a.member.user_id

    # soft deletes fire once, on the way into the trash
    await collab.delete_comment(db, a.member, c.id)
    await media.delete_video(db, a.owner, video)
    assert (await _types(owner_db, org))[-2:] == ["comment.deleted", "video.deleted"]


async def _types_in(conn: Conn, org: UUID) -> list[str]:
    rows = await (await conn.execute("SELECT type FROM events WHERE organization_id = %s ORDER BY id",
                                     (org,))).fetchall()
    return [r["type"] for r in rows]


async def test_emit_refuses_an_unknown_type_and_a_tenant_reads_only_its_own(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    org = a.owner.organization_id
    with pytest.raises(Invalid, match="unknown event type"):
        async with db.transaction(org) as conn:
            await events.emit(conn, org, "video.exploded", "video", uuid4())
    async with db.transaction(org) as conn:
        eid = await events.emit(conn, org, "video.created", "video", uuid4(), {"title": "by hand"})
    assert (await events.get_event(db, a.member, eid)).data == {"title": "by hand"}
    with pytest.raises(NotFound):
        await events.get_event(db, b.owner, eid)
    assert (await events.list_events(db, b.owner))[0] == []
    # row-level security: even a raw insert into another tenant is refused
    with pytest.raises(MediabaseError):
        async with db.transaction(b.owner.organization_id) as conn:
            await events.emit(conn, org, "video.created", "video", uuid4())
    assert len((await events.list_events(db, a.owner))[0]) == 1


async def test_each_event_is_handed_over_once_by_concurrent_dispatchers(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    seen: Counter[UUID] = Counter()

    @events.subscriber("test.count", replace=True)
    async def count(conn: Conn, org: UUID, batch: list[Event]) -> None:
        assert all(e.organization_id == org for e in batch)
        await asyncio.sleep(0.01)  # let the other dispatcher run into the locked rows
        seen.update(e.id for e in batch)

    try:
        for t in (a, b):
            org = t.owner.organization_id
            async with db.transaction(org) as conn:
                for _ in range(300):
                    await events.emit(conn, org, "video.created", "video", uuid4())
        totals = await asyncio.gather(*(events.dispatch(db) for _ in range(4)))
        while n := await events.dispatch(db):
            totals.append(n)
        async with owner_db.transaction() as conn:
            ids = [r["id"] for r in await (await conn.execute("SELECT id FROM events")).fetchall()]
            pending = await (await conn.execute("SELECT count(*) AS n FROM events WHERE dispatched_at IS NULL"))\
                .fetchone()
        assert sum(totals) == len(ids) == 600
        assert set(seen) == set(ids) and set(seen.values()) == {1}
        assert pending == {"n": 0}
    finally:
        events.unsubscribe("test.count")


async def test_a_failing_subscriber_rolls_the_batch_back_and_it_comes_again(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    calls: list[int] = []

    @events.subscriber("test.flaky", replace=True)
    async def flaky(conn: Conn, org_id: UUID, batch: list[Event]) -> None:
        calls.append(len(batch))
        await conn.execute("INSERT INTO events (organization_id, type, subject_type, subject_id)"
                           " VALUES (%s, 'video.created', 'video', %s)", (org_id, uuid4()))
        if len(calls) == 1:
            raise RuntimeError("receiver table full")

    try:
        async with db.transaction(org) as conn:
            first = await events.emit(conn, org, "video.created", "video", uuid4())
        with pytest.raises(RuntimeError):
            await events.dispatch(db)
        async with owner_db.transaction() as conn:
            rows = await (await conn.execute("SELECT id, dispatched_at FROM events WHERE organization_id = %s",
                                             (org,))).fetchall()
        assert [(r["id"], r["dispatched_at"]) for r in rows] == [(first, None)]  # its writes went with it
        assert await events.dispatch(db) == 1
        assert calls == [1, 1]
    finally:
        events.unsubscribe("test.flaky")


async def test_the_dispatcher_takes_pending_events_by_index(owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    from mediabase.events.service import Q

    org = tenants[0].owner.organization_id
    async with owner_db.transaction() as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await (await conn.execute(b"EXPLAIN " + Q.take_pending.encode(), {"org": org, "limit": 500}))\
            .fetchall()
    text = "\n".join(r["QUERY PLAN"] for r in plan)
    assert "events_pending_idx" in text, text


async def test_the_upkeep_prunes_old_dispatched_events_only(db: Database, owner_db: Database,
                                                             tenants: tuple[Tenant, Tenant]) -> None:
    from mediabase.events.dispatch import prune

    org = tenants[0].owner.organization_id
    async with db.transaction(org) as conn:
        old, fresh, pending = [await events.emit(conn, org, "video.created", "video", uuid4()) for _ in range(3)]
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE events SET occurred_at = now() - interval '40 days',"
                           " dispatched_at = now() - interval '40 days' WHERE id = %s", (old,))
        await conn.execute("UPDATE events SET dispatched_at = now() WHERE id = %s", (fresh,))
        await conn.execute("UPDATE events SET occurred_at = now() - interval '40 days' WHERE id = %s", (pending,))
    async with owner_db.owner_connection() as conn:  # the worker's maintenance connection
        said = await prune(conn, None)
    assert said is not None and "pruned 1" in said
    async with owner_db.transaction() as conn:
        left = {r["id"] for r in await (await conn.execute("SELECT id FROM events")).fetchall()}
    assert left == {fresh, pending}
