"""Worker processes under fire: SIGKILL at random while 10,000 jobs run, and SIGTERM."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

pytestmark = pytest.mark.slow

SETUP = """
INSERT INTO mediabase.organizations (name, slug) VALUES ('Crash', %s) RETURNING id
"""


def start_worker(url: str, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = dict(
        os.environ, MEDIABASE_DATABASE_URL=url, MEDIABASE_JOBS_POLL_INTERVAL="0.2", MEDIABASE_LOG_LEVEL="WARNING"
    )
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "mediabase", "worker", "--import", "mediabase.jobs.testing", *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def prepare(url: str, slug: str,
            request: pytest.FixtureRequest) -> tuple[psycopg.Connection[tuple[object, ...]], UUID]:
    """An organization and the completions table; the connection closes when the test ends, passed or
    failed (a connection left to the garbage collector fails whichever test it is collected in)."""
    conn = psycopg.connect(url, autocommit=True)
    request.addfinalizer(conn.close)
    row = conn.execute(SETUP, (slug,)).fetchone()
    assert row is not None
    conn.execute(
        "CREATE TABLE mediabase.job_test_completions (job_id uuid NOT NULL, worker text NOT NULL,"
        " at timestamptz NOT NULL DEFAULT clock_timestamp())"
    )
    conn.execute("GRANT INSERT, SELECT ON mediabase.job_test_completions TO mediabase_app")
    org = row[0]
    assert isinstance(org, UUID)
    return conn, org


def count(conn: psycopg.Connection[tuple[object, ...]], sql: str) -> int:
    row = conn.execute(sql.encode()).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_sigkilled_workers_lose_no_job_and_complete_none_twice(migrated_url: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    conn, org = prepare(migrated_url, "crash", request)
    n = 10_000
    conn.execute(
        "INSERT INTO mediabase.jobs (organization_id, type, input, max_retries)"
        " SELECT %s, 'test.record', jsonb_build_object('i', i, 'sleep', 0.002), 1000 FROM generate_series(1, %s) i",
        (org, n),
    )
    log = tmp_path / "workers.log"
    args = ("--concurrency", "8", "--lease-seconds", "2", "--batch-size", "8")
    workers = [start_worker(migrated_url, log, *args) for _ in range(3)]
    rng = random.Random(5)
    kills = 0
    deadline = time.monotonic() + 100
    try:
        while time.monotonic() < deadline:
            done = count(conn, "SELECT count(*) FROM mediabase.jobs WHERE status = 'completed'")
            if done == n:
                break
            time.sleep(rng.uniform(0.4, 1.2))
            if kills < 8 and done > 300:
                victim = workers.pop(rng.randrange(len(workers)))
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                kills += 1
                workers.append(start_worker(migrated_url, log, *args))
        else:
            pytest.fail(
                f"not done in time: {count(conn, 'SELECT count(*) FROM mediabase.jobs WHERE status = $$completed$$')}"
                f" of {n}\n{log.read_text()[-3000:]}"
            )
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        codes = [w.wait(timeout=30) for w in workers]
    assert codes == [0] * len(workers), log.read_text()[-3000:]
    assert kills == 8
    assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE status <> 'completed'") == 0
    # exactly one completion per job, recorded in the handler's own transaction
    assert count(conn, "SELECT count(*) FROM mediabase.job_test_completions") == n
    assert count(conn, "SELECT count(DISTINCT job_id) FROM mediabase.job_test_completions") == n
    assert (
        count(
            conn,
            "SELECT count(*) FROM mediabase.jobs j WHERE NOT EXISTS"
            " (SELECT 1 FROM mediabase.job_test_completions c WHERE c.job_id = j.id)",
        )
        == 0
    )
    # some jobs were held by killed workers and came back by themselves, after their lease: their
    # history says so, and none of the completed jobs shows an error (issue 26, 7)
    assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE failed_attempts @> '[{\"error_code\": "
                       "\"lease_expired\"}]' AND attempts > 1") > 0
    assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE error_code IS NOT NULL") == 0


def test_sigterm_finishes_short_jobs_and_gives_long_ones_back(migrated_url: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    conn, org = prepare(migrated_url, "term", request)
    conn.execute(
        "INSERT INTO mediabase.jobs (organization_id, type, input, priority) VALUES"
        " (%s, 'test.sleep', '{\"seconds\": 60}', 10), (%s, 'test.sleep', '{\"seconds\": 60}', 10)",
        (org, org),
    )
    conn.execute(
        "INSERT INTO mediabase.jobs (organization_id, type, input)"
        " SELECT %s, 'test.sleep', '{\"seconds\": 0.5}' FROM generate_series(1, 2)",
        (org,),
    )
    log = tmp_path / "worker.log"
    worker = start_worker(migrated_url, log, "--concurrency", "4", "--shutdown-grace", "2")
    try:
        deadline = time.monotonic() + 30
        while count(conn, "SELECT count(*) FROM mediabase.jobs WHERE status = 'processing'") < 4:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert code == 0, log.read_text()
    rows = conn.execute(
        "SELECT input->>'seconds', status, retry_count, locked_by FROM mediabase.jobs ORDER BY 1"
    ).fetchall()
    assert rows == [
        ("0.5", "completed", 0, None),
        ("0.5", "completed", 0, None),
        ("60", "queued", 0, None),
        ("60", "queued", 0, None),
    ]


def test_worker_refuses_a_schema_that_is_behind(empty_url: str, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    proc = start_worker(empty_url, log)
    assert proc.wait(timeout=60) != 0
    assert "behind" in log.read_text()


def test_a_dead_worker_delays_only_the_jobs_it_was_running(migrated_url: str, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    """A worker claims a batch but runs two at a time; killed, the jobs it had not started are
    claimable after the short prefetch lease, only the two running ones wait for the full
    lease (issue 26, 7)."""
    conn, org = prepare(migrated_url, "prefetch", request)
    conn.execute(
        "INSERT INTO mediabase.jobs (organization_id, type, input)"
        " SELECT %s, 'test.sleep', '{\"seconds\": 120}' FROM generate_series(1, 20)", (org,))
    log = tmp_path / "worker.log"
    first = start_worker(migrated_url, log, "--concurrency", "2", "--batch-size", "20", "--lease-seconds", "60",
                         "--name", "first")
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and count(
                conn, "SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'first'") < 20:
            time.sleep(0.2)
        assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'first'") == 20, log.read_text()
        # the batch was claimed on the short prefetch lease; the heartbeat's first beat (a third
        # of it) makes the two running jobs' lease full and keeps the 18 waiting short
        full = ("SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'first'"
                " AND lease_expires_at > now() + interval '30 seconds'")
        while time.monotonic() < deadline and count(conn, full) < 2:
            time.sleep(0.2)
        assert count(conn, full) == 2, log.read_text()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    second = start_worker(migrated_url, log, "--concurrency", "20", "--batch-size", "20", "--name", "second")
    try:
        deadline = time.monotonic() + 30  # far less than the first worker's 60 s lease
        while time.monotonic() < deadline and count(
                conn, "SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'second'") < 18:
            time.sleep(0.2)
        assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'second'") == 18, log.read_text()
        assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE locked_by = 'first'") == 2
    finally:
        second.send_signal(signal.SIGKILL)
        second.wait()
