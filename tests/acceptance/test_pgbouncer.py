"""mediabase behind a real pgbouncer in transaction mode (a pool of 2 server connections per
database and user, so every transaction may run on a connection another client used last).

Nothing mediabase does may depend on session state: role, search_path, statement timeout and
tenant are set per transaction. The tests run the HTTP isolation property, concurrent
interleaved requests of two organizations, ingest, the worker and search through it, and
check that a foreign client of the same pgbouncer keeps its own identity and settings.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from mediabase.config import Settings
from mediabase.db.connection import Database
from tests.acceptance.cli import mediabase
from tests.acceptance.test_isolation_property import test_no_response_crosses_organizations  # noqa: F401
from tests.conftest import make_settings
from tests.factories import Tenant, make_video
from tests.servers import PgBouncer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def bouncer(admin_url: str) -> Iterator[PgBouncer]:
    b = PgBouncer(admin_url, pool_size=2).start()
    yield b
    b.stop()


def bouncer_env(bouncer: PgBouncer, url: str) -> dict[str, str]:
    """What an operator sets: the pooler for the pools, the server itself for sessions."""
    return {
        "MEDIABASE_DATABASE_URL": bouncer.url(url),
        "MEDIABASE_APP_DATABASE_URL": bouncer.url(url, user="mediabase_api"),
        "MEDIABASE_DIRECT_URL": url,
        "MEDIABASE_PREPARED_STATEMENTS": "false",
    }


def bouncer_settings(bouncer: PgBouncer, url: str, *, app_login: bool = True, **kw: Any) -> Settings:
    return make_settings(
        bouncer.url(url),
        app_database_url=bouncer.url(url, user="mediabase_api") if app_login else None,
        direct_url=url,
        prepared_statements=False,
        **kw,
    )


@pytest.fixture
def client(bouncer: PgBouncer, migrated_url: str) -> Iterator[TestClient]:
    """The API with every pool behind pgbouncer (overrides the acceptance ``client``, so the
    isolation property imported above runs through pgbouncer here)."""
    s = bouncer_settings(bouncer, migrated_url, pool_max_size=6)
    app = create_app(s, url=s.database_url.get_secret_value() if s.database_url else None)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


FOREIGN = (
    "SELECT current_user::text AS role, current_setting('search_path') AS path,"
    " coalesce(current_setting('mediabase.organization_id', true), '') AS org,"
    " current_setting('statement_timeout') AS timeout"
)


@pytest.mark.parametrize("app_login", [True, False], ids=["login-as-mediabase_api", "login-as-owner"])
async def test_foreign_client_keeps_its_own_role_and_settings(
    bouncer: PgBouncer, migrated_url: str, tenants: tuple[Tenant, Tenant], app_login: bool
) -> None:
    """A plain client of the same pgbouncer, logging in as the same user as mediabase's pools,
    sees its own role and the server's defaults however much mediabase ran before it."""
    s = bouncer_settings(bouncer, migrated_url, app_login=app_login, statement_timeout_ms=12_345)
    a, b = tenants
    async with Database(s.database_url.get_secret_value() if s.database_url else "", s) as db:
        system = await db.as_system()
        async with await psycopg.AsyncConnection.connect(bouncer.url(migrated_url), autocommit=True) as foreign:
            baseline = await (await foreign.execute(FOREIGN)).fetchone()
            assert baseline is not None
            for i in range(40):
                t = (a, b)[i % 2]
                async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
                    row = await (await conn.execute(
                        "SELECT current_user::text AS role, current_setting('mediabase.organization_id') AS org,"
                        " current_setting('statement_timeout') AS timeout, count(*) AS n FROM organizations"
                    )).fetchone()
                    assert row == {"role": "mediabase_app", "org": str(t.owner.organization_id),
                                   "timeout": "12345ms", "n": 1}
                async with system.transaction() as conn:
                    await conn.execute("SELECT count(*) FROM videos")
                seen = await (await foreign.execute(FOREIGN)).fetchone()
                assert seen == baseline, f"after transaction {i}: {seen} != {baseline}"
            assert baseline[0] == "postgres" and "mediabase" not in baseline[1] and baseline[2] == ""
            # outside any transaction, a pooled connection of the app has no tenant and no owner rights
            async with db.transaction() as conn:
                n = await (await conn.execute("SELECT count(*) AS n FROM organizations")).fetchone()
                assert n == {"n": 0}


async def test_interleaved_concurrent_requests_never_cross_organizations(
    bouncer: PgBouncer, migrated_url: str, db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    """Two organizations, 400 concurrent requests interleaved over a pool of 2 server
    connections: every answer holds only the caller's own rows."""
    a, b = tenants
    own: dict[str, set[str]] = {}
    for t in (a, b):
        ids = {str(await make_video(db, t.owner, title=f"{t.slug} video {i}", n=3)) for i in range(3)}
        own[t.slug] = ids
    s = bouncer_settings(bouncer, migrated_url, pool_max_size=8)
    app = create_app(s, url=s.database_url.get_secret_value() if s.database_url else None)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:

            async def one(i: int) -> tuple[Tenant, httpx.Response]:
                t = (a, b)[i % 2]
                key = t.owner_key if i % 4 < 2 else t.member_key
                path = ("/videos", f"/videos/{sorted(own[t.slug])[i % 3]}", "/search?q=hello",
                        f"/videos/{sorted(own[t.slug])[i % 3]}/segments")[i % 4]
                return t, await http.get(path, headers={"X-API-Key": key})

            results = await asyncio.gather(*(one(i) for i in range(400)))
    for t, r in results:
        assert r.status_code == 200, (r.request.url, r.status_code, r.text[:300])
        other = b if t is a else a
        assert other.slug not in r.text and not (own[other.slug] & set(r.text.split('"'))), r.text[:300]
        if r.request.url.path == "/videos":
            assert {v["id"] for v in r.json()["items"]} == own[t.slug]


def test_ingest_worker_and_search_through_pgbouncer(bouncer: PgBouncer, migrated_url: str, tmp_path: Path) -> None:
    """The demo ingested through pgbouncer (COPY included), a worker indexing it through
    pgbouncer (LISTEN on the direct URL), and search answering through pgbouncer."""
    env = bouncer_env(bouncer, migrated_url)
    r = mediabase("seed", "demo", **env)
    assert r.returncode == 0, r.stderr
    log = tmp_path / "worker.log"
    full = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    full.update(env, MEDIABASE_JOBS_POLL_INTERVAL="0.3")
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mediabase", "worker", "--concurrency", "2"],
                                env=full, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        done: dict[str, int] = {}
        while time.monotonic() < deadline:
            with psycopg.connect(migrated_url) as conn:
                done = dict(conn.execute("SELECT status::text, count(*) FROM mediabase.jobs"
                                         " WHERE type = 'transcript.index' GROUP BY 1").fetchall())
            if done == {"completed": 5}:  # the four meetings and the music artist's lyrics
                break
            time.sleep(0.5)
        assert done == {"completed": 5}, (done, log.read_text()[-3000:])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()[-3000:]
    for mode in ("keyword", "semantic", "hybrid"):
        r = mediabase("search", "remote control price", "--mode", mode, "--org", "demo", "--json", "--no-index", **env)
        assert r.returncode == 0, r.stderr
        assert '"start_ms"' in r.stdout, r.stdout[:500]
    assert "prepared statement" not in bouncer.log()
