"""Read-replica routing against a real streaming replica of the test server (pg_basebackup -R
from the embedded server's own binaries): read-only units of work go to the replica, a
client reads its own writes, and a replica that is down or lags costs nothing but the
fallback to the primary (and /ready says 'degraded')."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from mediabase import analytics
from mediabase.analytics import reports, rollups
from mediabase.analytics.models import RawEvent
from mediabase.api.app import create_app
from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from tests.conftest import make_settings
from tests.factories import Tenant, make_video

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def replica_admin_url(embedded_server: Settings | None) -> str:
    if embedded_server is None:
        pytest.skip("the replica tests make a replica of the embedded test server")
    return embedded.start_replica(embedded_server)


def replica_of(replica_admin_url: str, url: str) -> str:
    """The same database on the replica, once replication has brought it there."""
    dbname = str(conninfo_to_dict(url)["dbname"])
    target = make_conninfo(replica_admin_url, dbname=dbname)
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(target, connect_timeout=2):
                return target
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
async def routed(migrated_url: str, replica_admin_url: str, tenants: tuple[Tenant, Tenant]) -> AsyncIterator[Database]:
    s = make_settings(migrated_url, database_replica_url=replica_of(replica_admin_url, migrated_url),
                      replica_max_lag_ms=2_000, replica_read_your_writes_s=30)
    async with Database(migrated_url, s) as db:
        yield db


async def on_replica(db: Database, t: Tenant) -> bool:
    async with db.transaction(t.owner.organization_id, t.owner.user_id, readonly=True) as conn:
        row = await (await conn.execute("SELECT pg_is_in_recovery() AS standby, current_user::text AS role")).fetchone()
    assert row is not None and row["role"] == "mediabase_app"
    return bool(row["standby"])


async def test_read_only_work_goes_to_the_replica_and_writers_read_their_writes(
    routed: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    assert routed.replica is not None and routed.replica.healthy, routed.replica and routed.replica.status()
    assert await on_replica(routed, a) and await on_replica(routed, b)
    async with routed.transaction(a.owner.organization_id, a.owner.user_id) as conn:  # a unit of work that writes
        assert not (await (await conn.execute("SELECT pg_is_in_recovery() AS r")).fetchone() or {})["r"]
    assert not await on_replica(routed, a), "a writer's next reads go to the primary"
    assert await on_replica(routed, b), "other clients keep reading from the replica"


async def test_replica_that_lags_is_skipped(
    routed: Database, replica_admin_url: str, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    assert routed.replica is not None
    with psycopg.connect(replica_admin_url, autocommit=True) as rconn:
        rconn.execute("SELECT pg_wal_replay_pause()")
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and routed.replica.healthy:
                async with owner_db.transaction() as conn:  # WAL the paused replica cannot replay
                    await conn.execute("UPDATE organizations SET name = name || '' WHERE id = %s",
                                       (a.owner.organization_id,))
                await asyncio.sleep(0.3)
            assert not routed.replica.healthy and "lags" in (routed.replica.error or ""), routed.replica.status()
            assert not await on_replica(routed, a)
        finally:
            rconn.execute("SELECT pg_wal_replay_resume()")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not routed.replica.healthy:  # noqa: ASYNC110 - the watcher task sets it
        await asyncio.sleep(0.2)
    assert routed.replica.healthy, routed.replica.status()


def test_replica_stopped_mid_run_reads_fall_back_and_ready_says_degraded(
    migrated_url: str, replica_admin_url: str, embedded_server: Settings, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    s = make_settings(migrated_url, database_replica_url=replica_of(replica_admin_url, migrated_url),
                      replica_read_your_writes_s=5)
    hdr = {"X-API-Key": a.owner_key}
    with TestClient(create_app(s, url=migrated_url), raise_server_exceptions=False) as c:
        assert c.get("/ready").json()["status"] == "ready"
        created = c.post("/videos", json={"title": "written then read at once"}, headers=hdr)
        assert created.status_code == 201, created.text
        vid = created.json()["id"]
        assert c.get(f"/videos/{vid}", headers=hdr).status_code == 200  # read-your-writes
        embedded.stop_replica(embedded_server)
        try:
            for _ in range(20):  # whenever the failure is noticed, every read still answers
                r = c.get("/videos", headers=hdr)
                assert r.status_code == 200 and vid in r.text, r.text
                assert c.get("/search", params={"q": "anything"}, headers=hdr).status_code == 200
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and c.get("/ready").json()["status"] != "degraded":
                time.sleep(0.2)
            ready = c.get("/ready").json()
            assert ready["status"] == "degraded" and ready["replica"]["healthy"] is False, ready
        finally:
            embedded.start_replica(embedded_server)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and c.get("/ready").json()["status"] != "ready":
            time.sleep(0.2)
        assert c.get("/ready").json()["status"] == "ready"


async def test_analytics_reports_are_read_from_the_replica(
    routed: Database, db: Database, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/analytics.md: reports are read-only units of work, so the replica answers them. Each
    report's own connection is asked whether it is a standby."""
    a, _ = tenants
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
    video = await make_video(db, a.owner, "watched on the primary", duration_ms=60_000)  # another client writes
    await analytics.ingest(db, a.member, [RawEvent("watch", now, video_id=video, user_id=a.member.user_id,
                                                   start_ms=0, end_ms=30_000, client="web/1")])
    await rollups.refresh(db, a.owner.organization_id)
    standby: list[bool] = []
    real = routed.transaction

    @contextlib.asynccontextmanager
    async def asking(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        async with real(*args, **kwargs) as conn:
            row = await (await conn.execute("SELECT pg_is_in_recovery() AS standby")).fetchone()
            standby.append(bool(row and row["standby"]))
            yield conn

    monkeypatch.setattr(routed, "transaction", asking)
    deadline = time.monotonic() + 30
    # until replication has brought the rollup over
    while not (top := await reports.top_videos(routed, a.member)) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    assert [(t.video_id, t.watch_ms) for t in top] == [(video, 30_000)]
    curve = await reports.retention(routed, a.member, video)
    assert curve.viewer_days == 1 and curve.shares[0] == 1.0 and curve.shares[60] == 0.0
    await reports.active_viewers(routed, a.member)
    assert standby and all(standby), standby
