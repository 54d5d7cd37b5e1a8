"""The test harness: one PostgreSQL server per run, one migrated template database per
session, and a fresh clone of it (CREATE DATABASE … TEMPLATE) for every test that asks.

The server is the embedded one in a temporary data directory, or the one named by
MEDIABASE_TEST_DATABASE_URL (an admin URL that may CREATE DATABASE).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.connection import Database
from mediabase.db.migrator import Migrator
from tests.citus import (  # noqa: F401  (tests/citus.py)
    citus_cluster,
    citus_dbs,
    citus_migrated,
    group_citus_tests,
    throwaway,
)

REPO = Path(__file__).resolve().parent.parent
pytest_plugins = ["tests.log_privacy"]  # no e-mail address or API key in the logs of the suite


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    group_citus_tests(items)


def make_settings(url: str | None = None, **overrides: object) -> Settings:
    """Settings for a test: never read from the developer's environment."""
    values: dict[str, object] = {
        "database_url": url,
        "data_dir": Path(tempfile.gettempdir()) / "mediabase-unused",
        "pool_min_size": 0,
        "pool_max_size": 4,
        "migration_lock_wait": 10.0,
    }
    values.update(overrides)
    return Settings.model_validate(values)


def db_url(admin_url: str, name: str) -> str:
    return make_conninfo(admin_url, dbname=name)


def create_db(admin_url: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        conn.execute(stmt)
    return db_url(admin_url, name)


def drop_db(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def embedded_server() -> Iterator[Settings | None]:
    """The settings of this session's embedded test server (None with MEDIABASE_TEST_DATABASE_URL)."""
    if os.environ.get("MEDIABASE_TEST_DATABASE_URL"):
        yield None
        return
    data_dir = Path(tempfile.mkdtemp(prefix="mbtest-"))
    settings = make_settings(None, data_dir=data_dir)
    embedded.start(settings)
    throwaway(embedded.server_url(settings))
    try:
        yield settings
    finally:
        embedded.stop_replica(settings)
        embedded.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def admin_url(embedded_server: Settings | None) -> str:
    """A URL to the server's maintenance database, as a role that may create databases."""
    if embedded_server is None:
        return os.environ["MEDIABASE_TEST_DATABASE_URL"]
    return embedded.server_url(embedded_server)


@pytest.fixture(scope="session")
def template_db(admin_url: str) -> Iterator[str]:
    """A database migrated once per session; tests get clones of it."""
    name = f"mbtmpl_{uuid.uuid4().hex[:10]}"
    url = create_db(admin_url, name)
    asyncio.run(Migrator(url, make_settings(url)).migrate())
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true").format(sql.Identifier(name)))
    yield name
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name)))
    drop_db(admin_url, name)


@pytest.fixture(scope="session")
def demo_template(admin_url: str, template_db: str) -> Iterator[tuple[str, subprocess.CompletedProcess[str]]]:
    """A clone of the migrated template with ``mediabase seed demo`` run on it once per session
    (per xdist worker: each has its own server), and what the command answered. The seed loads
    every domain's demo (30–100 s); the tests of what the demo shows start from a clone of this
    instead of seeding again (``demo_url``). The seeding itself stays tested end to end by the
    tests that still run it (test_pgbouncer, test_citus, test_insights_demo)."""
    name = f"mbdemo_{uuid.uuid4().hex[:10]}"
    url = create_db(admin_url, name, template=template_db)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    seeded = subprocess.run([sys.executable, "-m", "mediabase", "seed", "demo"], capture_output=True, text=True,
                            env={**env, "MEDIABASE_DATABASE_URL": url, "COLUMNS": "200"}, timeout=900,
                            check=False, stdin=subprocess.DEVNULL)
    assert seeded.returncode == 0, seeded.stderr
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE true").format(sql.Identifier(name)))
    yield name, seeded
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} WITH IS_TEMPLATE false").format(sql.Identifier(name)))
    drop_db(admin_url, name)


@pytest.fixture
def demo_seed(demo_template: tuple[str, subprocess.CompletedProcess[str]]) -> subprocess.CompletedProcess[str]:
    """What ``mediabase seed demo`` answered when it made the session's demo template."""
    return demo_template[1]


@pytest.fixture
def demo_url(admin_url: str, demo_template: tuple[str, subprocess.CompletedProcess[str]]) -> Iterator[str]:
    """A fresh database of this test's own, as ``mediabase seed demo`` leaves a migrated one."""
    name = f"mbd_{uuid.uuid4().hex[:12]}"
    url = create_db(admin_url, name, template=demo_template[0])
    yield url
    drop_db(admin_url, name)


@pytest.fixture
def migrated_url(admin_url: str, template_db: str) -> Iterator[str]:
    """A fresh, fully migrated database of this test's own."""
    name = f"mbt_{uuid.uuid4().hex[:12]}"
    url = create_db(admin_url, name, template=template_db)
    yield url
    drop_db(admin_url, name)


@pytest.fixture
def empty_url(admin_url: str) -> Iterator[str]:
    """A fresh, empty database (for migration tests)."""
    name = f"mbe_{uuid.uuid4().hex[:12]}"
    url = create_db(admin_url, name)
    yield url
    drop_db(admin_url, name)


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    return make_settings(migrated_url)


@pytest.fixture
async def db(migrated_url: str) -> AsyncIterator[Database]:
    """A pool on a fresh migrated database, running as the application role (RLS applies)."""
    async with Database(migrated_url, make_settings(migrated_url)) as database:
        yield database


@pytest.fixture
async def owner_db(migrated_url: str) -> AsyncIterator[Database]:
    """A pool on the same database as ``db``, as the owner (no RLS): for setup and checks."""
    async with Database(migrated_url, make_settings(migrated_url), role="") as database:
        yield database


@pytest.fixture
async def tenants(db: Database, owner_db: Database) -> tuple[object, object]:
    """Two organizations, each with an OWNER and a MEMBER and an API key for each."""
    from tests.factories import make_tenant

    return await make_tenant(db, owner_db, "alpha"), await make_tenant(db, owner_db, "bravo")
