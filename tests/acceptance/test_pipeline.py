"""The ingest pipeline end to end: ingest enqueues indexing in its own transaction, a worker
makes the chunks searchable, and a worker killed mid-way is replaced without manual steps."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.acceptance.cli import mediabase


def worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=url, MEDIABASE_JOBS_LEASE_SECONDS="3", MEDIABASE_JOBS_POLL_INTERVAL="0.3")
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mediabase", "worker", "--concurrency", "1"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def states(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        # the AMI meetings' jobs (the demo's other organizations, e.g. the music artist's lyrics, have theirs)
        rows = conn.execute("SELECT j.status, count(*) FROM mediabase.jobs j"
                            " JOIN mediabase.organizations o ON o.id = j.organization_id AND o.slug = 'demo'"
                            " WHERE j.type = 'transcript.index' GROUP BY j.status").fetchall()
    return {str(s): int(n) for s, n in rows}


@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_ingest_then_worker_killed_mid_way_still_ends_searchable(demo_url: str, tmp_path: Path) -> None:
    assert states(demo_url) == {"queued": 4}  # enqueued by the ingest transactions themselves
    log = tmp_path / "worker.log"
    first = worker(demo_url, log)
    try:
        deadline = time.monotonic() + 120
        seen = states(demo_url)
        while time.monotonic() < deadline and seen.get("processing", 0) == 0:
            time.sleep(0.1)
            seen = states(demo_url)
        assert seen.get("processing", 0) >= 1, (seen, log.read_text())
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert states(demo_url).get("completed", 0) < 4
    second = worker(demo_url, log)
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and states(demo_url) != {"completed": 4}:
            time.sleep(0.5)
        assert states(demo_url) == {"completed": 4}, (states(demo_url), log.read_text()[-3000:])
    finally:
        second.terminate()
        second.wait(timeout=60)
    r = mediabase("search", "remote control price", "--mode", "semantic", "--org", "demo", "--json", "--no-index",
                  url=demo_url)
    assert r.returncode == 0, r.stderr
    page = json.loads(r.stdout)
    assert page["unindexed"] == 0
    assert page["hits"][0]["video_title"] == "ES2002a"
