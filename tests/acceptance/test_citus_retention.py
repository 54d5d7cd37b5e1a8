"""Retention on a real Citus cluster (docs/retention.md; docs/scale-out.md): the two retention
tables are reference tables; the plan and every policy's purge run on the shards from the owner's
maintenance connection (no search_path of ours); a video in the trash goes with its transcripts,
comments, links and notifications, colocated on its organization's shard; the partitioned raw
tables and the sweepers run through their own mechanisms there too.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the test
works in organizations of its own and checks its own rows (another module's old rows may go too)."""

from __future__ import annotations

import os
import uuid

import pytest

from mediabase.db.connection import Database
from mediabase.governance import retention
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant, make_video

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def test_every_policy_plans_and_purges_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT logicalrelid::regclass::text AS t, partmethod FROM pg_dist_partition"
            " WHERE logicalrelid IN ('mediabase.retention_policies'::regclass, 'mediabase.retention_runs'::regclass)"
        )).fetchall()
    assert sorted(r["partmethod"] for r in rows) == ["n", "n"]  # reference tables

    a = await make_tenant(db, system, f"ret-{uuid.uuid4().hex[:6]}")
    org, usr = a.owner.organization_id, a.owner.user_id
    old = await make_video(db, a.owner, "in the trash for 40 days")
    young = await make_video(db, a.owner, "in the trash for 5 days")
    async with system.transaction() as conn:
        for vid, age in ((old, "40 days"), (young, "5 days")):
            await conn.execute("UPDATE videos SET deleted_at = now() - %s::interval WHERE organization_id = %s"
                               " AND id = %s", (age, org, vid))
        await conn.execute("INSERT INTO comments (organization_id, video_id, author_id, body, position_ms)"
                           " VALUES (%s, %s, %s, 'on the shard', 0)", (org, old, usr))
        await conn.execute("INSERT INTO share_links (organization_id, video_id, token_sha256, created_at, expires_at)"
                           " VALUES (%s, %s, %s, now() - interval '90 days', now() - interval '60 days'),"
                           " (%s, %s, %s, now(), NULL)", (org, young, os.urandom(32), org, young, os.urandom(32)))
        await conn.execute("INSERT INTO notifications (organization_id, user_id, kind, title, comment_id, created_at,"
                           " read_at) SELECT %s, %s, 'comment', 'old and read', id, now() - interval '40 days', now()"
                           " FROM comments WHERE organization_id = %s", (org, usr, org))

    async with system.owner_connection() as conn:  # the worker's maintenance connection
        planned = {(i.policy, i.table): i.rows for i in await retention.plan(conn)}
        assert planned[("videos.trash", "videos")] >= 1 and planned[("videos.trash", "comments")] >= 1
        assert planned[("share_links.expired", "share_links")] >= 1
        assert planned[("notifications.read", "notifications")] >= 1
        done = await retention.run(conn, batch_size=2)
        assert done.counts["videos.trash"]["videos"] >= 1 and done.counts["videos.trash"]["transcripts"] >= 1
        assert set(done.counts) >= {"mail.sent", "invitations.closed", "view_events.raw", "sessions.expired",
                                    "events.dispatched"}
        again = await retention.run(conn, policy="videos.trash")
        assert again.counts["videos.trash"]["videos"] == 0
        assert await retention.upkeep(conn, None) is None  # the worker's pass: nothing left
        await retention.set_policy(conn, "notifications.unread", keep_days=90, enabled=True)

    async with system.transaction() as conn:
        async def ids(q: str) -> list[object]:
            return [r["x"] for r in await (await conn.execute(q, (org,))).fetchall()]
        assert await ids("SELECT id AS x FROM videos WHERE organization_id = %s") == [young]
        assert await ids("SELECT video_id AS x FROM transcripts WHERE organization_id = %s") == [young]
        assert await ids("SELECT id AS x FROM comments WHERE organization_id = %s") == []
        assert await ids("SELECT expires_at AS x FROM share_links WHERE organization_id = %s") == [None]
        assert await ids("SELECT id AS x FROM notifications WHERE organization_id = %s") == []
        [run] = await (await conn.execute("SELECT run_by, counts FROM retention_runs WHERE id = %s",
                                          (done.run_id,))).fetchall()
        assert run["run_by"] == "cli" and run["counts"]["videos.trash"]["videos"] >= 1
        [pol] = await (await conn.execute("SELECT keep_days FROM retention_policies"
                                          " WHERE name = 'notifications.unread'")).fetchall()
        assert pol["keep_days"] == 90
