"""The embedded server as processes meet it: two commands starting on one new data directory
at once, and a streaming replica made and stopped from the command line."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.acceptance.cli import mediabase

pytestmark = pytest.mark.slow


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A folder outside pytest's own temporary root: as root, the embedded server runs as its
    own OS user, which must traverse every parent, and pytest keeps its root at mode 0700. It is
    a parent of the data directories here, which mediabase does not open unless asked (mkdtemp
    makes it 0700): the test does."""
    path = Path(tempfile.mkdtemp(prefix="mbstart-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


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


def start_up(env: dict[str, str], *extra: str) -> tuple[subprocess.Popen[str], int]:
    import httpx

    from tests.servers import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mediabase", "up", "--port", str(port), *extra], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                return proc, port
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            pytest.fail(f"mediabase up exited: {proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.3)
    proc.kill()
    pytest.fail("mediabase up never became ready")


def postgres_running_in(pgdata: Path) -> bool:
    import psutil

    for p in psutil.process_iter(["name", "cmdline"]):
        if p.info["name"] == "postgres" and str(pgdata) in " ".join(p.info["cmdline"] or []):
            return True
    return False


def test_ctrl_c_stops_up_and_the_server_it_started(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    pgdata = tmp_path / "data" / "pg18"
    proc, _ = start_up(env)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    assert "API stopped (with its worker)" in out and "embedded PostgreSQL stopped" in out, out
    assert not postgres_running_in(pgdata), "the server 'up' started is still running"


def test_ctrl_c_leaves_a_server_that_was_running_before(tmp_path: Path) -> None:
    env = env_for(tmp_path / "data")
    pgdata = tmp_path / "data" / "pg18"
    assert mediabase("db", "start", MEDIABASE_DATA_DIR=str(tmp_path / "data")).returncode == 0
    try:
        proc, _ = start_up(env, "--no-worker")
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, out
        assert "left running" in out and "Traceback" not in out, out
        assert postgres_running_in(pgdata)
    finally:
        mediabase("db", "stop", MEDIABASE_DATA_DIR=str(tmp_path / "data"))


def test_start_right_after_a_crash_is_one_clean_start(tmp_path: Path) -> None:
    """kill -9 of the postmaster, then any command that starts the server: it starts (after
    waiting for the dead one to be reaped) and never prints a traceback (issue 26, 1)."""
    env = {"MEDIABASE_DATA_DIR": str(tmp_path / "data"), "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64"}
    try:
        assert mediabase("db", "start", **env).returncode == 0
        for _ in range(3):
            st = json.loads(mediabase("db", "status", "--json", **env).stdout)
            os.kill(int(st["pid"]), signal.SIGKILL)
            r = mediabase("db", "start", **env)
            assert r.returncode == 0 and "Traceback" not in r.stderr, r.stdout + r.stderr
            q = mediabase("psql", "-At", "-c", "select 1", **env)
            assert q.returncode == 0 and q.stdout.strip() == "1", q.stdout + q.stderr
    finally:
        mediabase("db", "stop", **env)


def test_an_unreadable_data_directory_is_one_line_naming_the_cause(tmp_path: Path) -> None:
    """chmod 000 on the cluster directory: one line with the cause and the path, not the
    server's whole log (issue 26, 5)."""
    env = {"MEDIABASE_DATA_DIR": str(tmp_path / "data"), "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64"}
    pgdata = tmp_path / "data" / "pg18"
    assert mediabase("db", "start", **env).returncode == 0
    assert mediabase("db", "stop", **env).returncode == 0
    mode = pgdata.stat().st_mode
    pgdata.chmod(0)
    try:
        r = mediabase("db", "start", **env)
    finally:
        pgdata.chmod(mode)
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2 and "Traceback" not in r.stderr, r.stderr
    assert "Permission denied" in r.stderr and str(pgdata) in r.stderr.replace("\n", ""), r.stderr
