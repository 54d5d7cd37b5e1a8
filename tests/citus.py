"""A real Citus cluster for the tests: Citus built once per machine, a coordinator and two
workers on 127.0.0.1 started once per session (``citus_cluster`` yields the coordinator's admin
URL: ``postgresql://postgres@127.0.0.1:PORT/mediabase``, a superuser, the citus extension
created on every node).

The build is cached in ``/tmp/mediabase-citus-build-cache`` by the source's sha256, so later
sessions and every xdist worker reuse one build (a file lock lets one process build while the
others wait). Source: ``MEDIABASE_CITUS_SOURCE``, else ``../shared/vendor/citus-14.0.1.tar.gz``
beside the repository. Under ``CI=true`` a missing source or compiler fails the test; elsewhere
it is skipped with the reason.

A first build takes about 30 s on two idle cores (minutes on busy ones), counted in the first
test's time: tests that use the cluster carry ``@pytest.mark.timeout(CITUS_TIMEOUT_S)``.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from mediabase.config import Settings
from mediabase.db import cluster
from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError

REPO = Path(__file__).resolve().parent.parent
BUILD_CACHE = Path("/tmp/mediabase-citus-build-cache")
VENDORED = REPO.parent / "shared" / "vendor" / "citus-14.0.1.tar.gz"
CITUS_TIMEOUT_S = 1800


def citus_source() -> Path | None:
    """MEDIABASE_CITUS_SOURCE, else the vendored archive if it exists."""
    named = os.environ.get("MEDIABASE_CITUS_SOURCE")
    if named:
        return Path(named)
    return VENDORED if VENDORED.exists() else None


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def cluster_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a cluster of the tests: never read from the developer's environment."""
    values: dict[str, object] = {"database_url": None, "data_dir": data_dir, "citus_source": citus_source(),
                                 "citus_build_dir": BUILD_CACHE}
    values.update(overrides)
    return Settings.model_validate(values)


@functools.cache
def _build() -> Path | str | MediabaseError:
    """The tree, or why there is none: a reason to skip (str) or a failed build (fails the tests)."""
    source = citus_source()
    if source is None or not source.exists():
        return (f"no Citus source: set MEDIABASE_CITUS_SOURCE or put citus-14.0.1.tar.gz in {VENDORED.parent}"
                + (f" ({source} does not exist)" if source else ""))
    missing = [tool for tool in ("gcc", "make") if shutil.which(tool) is None]
    if missing:
        return f"building Citus needs {' and '.join(missing)}: apt-get install -y build-essential (.ci/run does)"
    try:
        return cluster.build_citus(cluster_settings(Path(tempfile.gettempdir())), cache_dir=BUILD_CACHE)
    except MediabaseError as exc:
        return exc


def citus_pginstall() -> Path:
    """The private PostgreSQL tree with Citus installed (built once; skip or fail without it)."""
    built = _build()
    if isinstance(built, MediabaseError):
        pytest.fail(str(built))
    if isinstance(built, str):
        _unavailable(built)
    return built


@pytest.fixture(scope="session")
def citus_cluster() -> Iterator[str]:
    """A coordinator and two workers for this session; yields the coordinator's admin URL."""
    pginstall = citus_pginstall()
    data_dir = Path(tempfile.mkdtemp(prefix="mbcitus-"))
    settings = cluster_settings(data_dir)
    try:
        url = cluster.start_cluster(settings, workers=2, pginstall=pginstall)
        state = cluster.read_state(settings)
        assert state is not None
        for port in state.nodes.values():
            throwaway(cluster.node_url(port, "postgres"))
        yield url
    finally:
        cluster.stop_cluster(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def citus_migrated(citus_cluster: str) -> str:
    """The coordinator's database migrated from nothing by `mediabase migrate`, once per session
    (the cluster's one database, ``mediabase``: CREATE DATABASE does not reach the workers, so
    modules share it and keep their rows in their own organizations). Citus counts the single-
    and multi-shard queries it runs (citus_stat_counters)."""
    with psycopg.connect(citus_cluster, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS mediabase CASCADE")
        conn.execute("ALTER DATABASE mediabase SET citus.enable_stat_counters = on")
    r = subprocess.run([sys.executable, "-m", "mediabase", "migrate"], capture_output=True, text=True,
                       timeout=CITUS_TIMEOUT_S, stdin=subprocess.DEVNULL,
                       env={**{k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")},
                            "MEDIABASE_DATABASE_URL": citus_cluster})
    assert r.returncode == 0, r.stderr
    return citus_cluster


def app_url(url: str) -> str:
    """What the application logs in as (0011): mediabase_api, a member of mediabase_app only."""
    return make_conninfo(url, user="mediabase_api")


@pytest.fixture
async def citus_dbs(citus_migrated: str) -> AsyncIterator[tuple[Database, Database]]:
    """The application's pool (as mediabase_api, like a deployment) and the owner's, through the
    coordinator of ``citus_migrated`` (a module keeps to organizations of its own)."""
    from tests.conftest import make_settings

    s = make_settings(citus_migrated, app_database_url=app_url(citus_migrated))
    async with Database(citus_migrated, s) as app_db, Database(citus_migrated, s, role="") as system_db:
        yield app_db, system_db


def throwaway(admin_url: str) -> None:
    """A test server's data is thrown away after the run, so it need not survive a power cut:
    no fsync, no full-page images, commits not waited for (most of the suite's I/O is creating
    databases and tables). A server process a test kills still loses nothing: its writes are in
    the OS's cache."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in ("fsync", "full_page_writes", "synchronous_commit"):
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = off").format(sql.Identifier(name)))
        conn.execute("SELECT pg_reload_conf()")


def group_citus_tests(items: list[pytest.Item]) -> None:
    """Every test that uses the cluster runs on one xdist worker (``--dist loadgroup``), so the
    session starts one cluster, not one per worker (called from conftest's collection hook)."""
    for item in items:
        if "citus_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("citus"))
