"""Faults met gracefully (issue 26): the database stopped under the API, and started again."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from mediabase.config import Settings
from mediabase.db import embedded
from tests.acceptance.cli import mediabase

pytestmark = pytest.mark.slow


@pytest.fixture
def own_server() -> Iterator[tuple[Settings, str]]:
    """An embedded server of this test's own (it is stopped and started), with an organization."""
    data_dir = Path(tempfile.mkdtemp(prefix="mbfault-"))
    env = {"MEDIABASE_DATA_DIR": str(data_dir), "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64"}
    try:
        assert mediabase("migrate", **env).returncode == 0
        assert mediabase("org", "create", "acme", **env).returncode == 0
        key = json.loads(mediabase("key", "create", "--org", "acme", "--json", **env).stdout)["key"]
        # a connect timeout far above what failing fast takes, so the difference cannot hide
        settings = Settings.model_validate({"data_dir": data_dir, "connect_timeout": 30, "pool_min_size": 2})
        yield settings, key
    finally:
        embedded.stop(Settings.model_validate({"data_dir": data_dir}))
        shutil.rmtree(data_dir, ignore_errors=True)


def test_database_stopped_under_the_api_fails_fast_and_recovers_at_once(own_server: tuple[Settings, str]) -> None:
    settings, key = own_server
    hdr = {"X-API-Key": key}
    with TestClient(create_app(settings, url=embedded.start(settings)), raise_server_exceptions=False) as c:
        for _ in range(5):
            assert c.get("/videos", headers=hdr).status_code == 200
        embedded.stop(settings)
        took = []
        for _ in range(8):
            t0 = time.monotonic()
            r = c.get("/videos", headers=hdr)
            took.append(time.monotonic() - t0)
            assert r.status_code == 503, r.text
            assert r.headers.get("Retry-After") == "1" and r.headers["content-type"].startswith("application/problem")
        # none waited for the pool's 30 s connect timeout
        assert max(took) < 10, took
        ready = c.get("/ready")
        assert ready.status_code == 503, ready.text
        # as an operator would (in another process: the wheel keeps one handle per process)
        assert mediabase("db", "start", MEDIABASE_DATA_DIR=str(settings.data_dir)).returncode == 0
        time.sleep(1.1)  # past the second in which the database is taken to be down
        r = c.get("/videos", headers=hdr)
        assert r.status_code == 200, r.text  # the first request after the restart succeeds
        assert c.get("/ready").status_code == 200


def test_ingest_stops_when_the_database_goes_and_says_what_loaded(own_server: tuple[Settings, str]) -> None:
    """The database stops mid-ingest: the command stops within seconds, says what loaded and
    that the rest was not tried, exits 1, and prints no pool noise (issue 26, 2)."""
    import subprocess
    import sys

    settings, _ = own_server
    folder = settings.data_dir / "many"
    folder.mkdir()
    for i in range(400):
        (folder / f"talk{i:03d}.srt").write_text(
            "".join(f"{n}\n00:00:{n:02d},000 --> 00:00:{n:02d},900\nline {n} of talk {i}\n\n" for n in range(1, 40)))
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATA_DIR=str(settings.data_dir), COLUMNS="200")
    proc = subprocess.Popen([sys.executable, "-m", "mediabase", "ingest", str(folder), "--org", "acme"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
    url = embedded.server_url(settings, settings.database_name)
    deadline = time.monotonic() + 120
    n = 0
    while time.monotonic() < deadline and n < 5:
        with psycopg.connect(url) as conn:
            n = int((conn.execute("SELECT count(*) FROM mediabase.videos").fetchone() or [0])[0])
        time.sleep(0.05)
    assert n >= 5, "the ingest did not start loading"
    assert mediabase("db", "stop", MEDIABASE_DATA_DIR=str(settings.data_dir)).returncode == 0
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    assert "stopped" in err and "were not tried" in err, err
    assert "reconnection attempt" not in err and "error connecting" not in err and "Traceback" not in err, err
    loaded = int(out.split("loaded ")[1].split(" ")[0])
    assert 5 <= loaded < 400, out
