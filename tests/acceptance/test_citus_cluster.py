"""The Citus dev cluster as a user drives it: ``mediabase db cluster start`` on a fresh data
directory makes a coordinator and two workers that distribute a table over both workers, status
says so, stop stops them and a second start brings the same cluster back; a missing or broken
Citus source is one clear line. Also the ``citus_cluster`` fixture later tests build on."""

from __future__ import annotations

import json
import re
import shutil
import stat
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.acceptance.cli import mediabase
from tests.citus import BUILD_CACHE, CITUS_TIMEOUT_S, citus_pginstall, citus_source

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir() -> Iterator[Path]:
    """A folder outside pytest's temporary root: as root, the nodes run as the embedded server's
    OS user, which must traverse every parent, and pytest keeps its root at mode 0700."""
    path = Path(tempfile.mkdtemp(prefix="mbcluster-"))
    yield path
    mediabase("db", "cluster", "stop", MEDIABASE_DATA_DIR=str(path))
    shutil.rmtree(path, ignore_errors=True)


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return mediabase("db", "cluster", *args, timeout=CITUS_TIMEOUT_S, **env)


def status(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    r = cli(env, "status", "--json")
    return r.returncode, json.loads(r.stdout)


@pytest.mark.timeout(CITUS_TIMEOUT_S)
def test_start_distribute_status_stop_restart(data_dir: Path) -> None:
    citus_pginstall()  # built (or found) in the shared cache first, so the command reuses it
    env = {"MEDIABASE_DATA_DIR": str(data_dir), "MEDIABASE_CITUS_SOURCE": str(citus_source()),
           "MEDIABASE_CITUS_BUILD_DIR": str(BUILD_CACHE)}

    r = cli(env, "start")
    assert r.returncode == 0, r.stderr
    found = re.search(r"export MEDIABASE_DATABASE_URL='([^']+)'", r.stdout)
    assert found, r.stdout
    url = found.group(1)
    assert re.fullmatch(r"postgresql://postgres@127\.0\.0\.1:\d+/mediabase", url)

    code, st = status(env)
    assert code == 0, st
    nodes = st["nodes"]
    assert [(n["name"], n["role"]) for n in nodes] == [
        ("coordinator", "coordinator"), ("worker1", "worker"), ("worker2", "worker")]
    assert all(n["running"] and n["healthy"] and n["registered"] for n in nodes), nodes
    assert st["coordinator_url"] == url

    orgs = [uuid.uuid4() for _ in range(40)]
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE notes (organization_id uuid, id int, body text, PRIMARY KEY (organization_id, id))")
        conn.execute("SELECT create_distributed_table('notes', 'organization_id')")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO notes VALUES (%s, 1, 'hello')", [(o,) for o in orgs])
        row = conn.execute("SELECT count(DISTINCT nodeport) FROM citus_shards WHERE table_name = 'notes'::regclass"
                           ).fetchone()
        assert row == (2,), "the shards are spread over both workers"

    code, st = status(env)
    shards = {n["name"]: n["shards"] for n in st["nodes"]}
    assert shards["coordinator"] == 0 and shards["worker1"] > 0 and shards["worker2"] > 0, shards

    r = cli(env, "stop")
    assert r.returncode == 0 and "worker2" in r.stdout, r.stderr
    code, st = status(env)
    assert code == 1 and not any(n["running"] for n in st["nodes"])

    r = cli(env, "start")  # the same cluster again: same ports, same rows
    assert r.returncode == 0, r.stderr
    assert f"export MEDIABASE_DATABASE_URL='{url}'" in r.stdout
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone() == (len(orgs),)


@pytest.mark.parametrize("source", [None, "/tmp/mediabase-no-such-citus.tar.gz"])
def test_missing_citus_source_is_one_clear_line(data_dir: Path, source: str | None) -> None:
    env = {"MEDIABASE_DATA_DIR": str(data_dir)}
    if source:
        env["MEDIABASE_CITUS_SOURCE"] = source
    r = cli(env, "start")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "MEDIABASE_CITUS_SOURCE" in lines[0], r.stderr
    assert (source or "no Citus source") in lines[0]
    assert not (data_dir / "citus-cluster").exists() and not (data_dir / "citus").exists()


def test_failed_build_names_its_log(data_dir: Path) -> None:
    source = data_dir / "not-citus"
    source.mkdir()
    configure = source / "configure"
    configure.write_text("#!/bin/sh\necho 'configure: error: this is not Citus' >&2\nexit 1\n")
    configure.chmod(configure.stat().st_mode | stat.S_IXUSR)
    r = mediabase("db", "cluster", "start", MEDIABASE_DATA_DIR=str(data_dir), MEDIABASE_CITUS_SOURCE=str(source))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    if shutil.which("gcc") and shutil.which("make"):
        assert "configure: error: this is not Citus" in lines[0] and "build log:" in lines[0], lines[0]
        log = Path(lines[0].rsplit("build log: ", 1)[1].rstrip(")"))
        assert log.is_file() and "this is not Citus" in log.read_text()
    else:
        assert "build-essential" in lines[0]
    assert not (data_dir / "citus-cluster").exists()


@pytest.mark.timeout(CITUS_TIMEOUT_S)
def test_citus_cluster_fixture_has_two_active_workers(citus_cluster: str) -> None:
    with psycopg.connect(citus_cluster) as conn:
        rows = conn.execute("SELECT groupid = 0, count(*) FROM pg_dist_node WHERE isactive AND noderole = 'primary'"
                            " GROUP BY 1 ORDER BY 1").fetchall()
        assert rows == [(False, 2), (True, 1)], "two workers and the coordinator"
        health = conn.execute("SELECT bool_and(result) FROM citus_check_cluster_node_health()").fetchone()
        assert health == (True,)
