"""The embedded server as processes meet it: two commands starting on one new data directory
at once, and a streaming replica made and stopped from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.acceptance.cli import mediabase

pytestmark = pytest.mark.slow


def env_for(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATA_DIR=str(data_dir), MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB="64", COLUMNS="200")
    return env


def test_two_processes_starting_on_an_empty_data_directory_both_succeed(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    procs = [
        subprocess.Popen([sys.executable, "-m", "mediabase", "migrate"], env=env, text=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        for _ in range(2)
    ]
    try:
        outs = [p.communicate(timeout=240) for p in procs]
        for p, (out, err) in zip(procs, outs, strict=True):
            assert p.returncode == 0, (out, err)
            assert "Traceback" not in err, err
        status = mediabase("status", MEDIABASE_DATA_DIR=str(tmp_path / "data"))
        assert status.returncode == 0, status.stdout + status.stderr
    finally:
        mediabase("db", "stop", MEDIABASE_DATA_DIR=str(tmp_path / "data"))


def test_replica_start_status_stop(tmp_path: Path) -> None:
    env = {"MEDIABASE_DATA_DIR": str(tmp_path / "data"), "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64"}
    try:
        assert mediabase("migrate", **env).returncode == 0
        none = mediabase("db", "replica", "status", "--json", **env)
        assert none.returncode == 1 and json.loads(none.stdout)["initialized"] is False
        started = mediabase("db", "replica", "start", **env)
        assert started.returncode == 0, started.stderr
        assert "MEDIABASE_DATABASE_REPLICA_URL=" in started.stdout
        st = mediabase("db", "replica", "status", "--json", **env)
        data = json.loads(st.stdout)
        assert st.returncode == 0 and data["running"] and data["lag_ms"] is not None, st.stdout
        # the replica has the primary's schema, and refuses writes
        q = mediabase("psql", "-At", "-c", "select pg_is_in_recovery(), count(*) from mediabase.schema_migrations",
                      MEDIABASE_DATABASE_URL=data["url"])
        assert q.returncode == 0 and q.stdout.strip().startswith("t|"), q.stdout + q.stderr
        assert mediabase("db", "replica", "stop", **env).returncode == 0
        st = mediabase("db", "replica", "status", **env)
        assert st.returncode == 1 and "stopped" in st.stdout
    finally:
        mediabase("db", "replica", "stop", **env)
        mediabase("db", "stop", **env)
