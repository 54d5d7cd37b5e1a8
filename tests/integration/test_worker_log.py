"""What ``mediabase worker`` writes to standard error, run as a subprocess on a real database:
one readable line per event by default (no Python reprs, no tracebacks, no library INFO),
``--log-format json`` one JSON object per line, ``-v`` the DEBUG lines besides."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

LINE = re.compile(r"\d\d:\d\d:\d\d(\.\d{3})? (DEBUG|INFO|WARN|ERROR|CRIT) {1,2}\S")
REPRS = ("<psutil", "object at 0x", "psutil.Process", "Traceback", "[", "{")


def run_worker(url: str, slug: str, tmp_path: Path, *args: str) -> tuple[list[str], dict[str, UUID]]:
    """Start a worker, enqueue a job that completes, one that fails for good and one that fails
    and is retried; wait until the first two are done and the third has failed once; stop it
    (SIGTERM). Its standard error's lines and the jobs' ids by name."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("INSERT INTO mediabase.organizations (name, slug) VALUES ('Log', %s) RETURNING id",
                           (slug,)).fetchone()
        assert row is not None
        jobs: dict[str, UUID] = {}
        for name, type_, payload in (("ok", "test.noop", "{}"), ("bad", "test.fail", '{"permanent": true}'),
                                     ("flaky", "test.fail", "{}")):
            job = conn.execute("INSERT INTO mediabase.jobs (organization_id, type, input, max_retries)"
                               " VALUES (%s, %s, %s::jsonb, 1) RETURNING id", (row[0], type_, payload)).fetchone()
            assert job is not None
            jobs[name] = job[0]
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_LOG_")}
        env.update(MEDIABASE_DATABASE_URL=url, MEDIABASE_JOBS_POLL_INTERVAL="0.2", COLUMNS="200")
        err = tmp_path / f"worker-{slug}.err"
        with err.open("wb") as out:
            worker = subprocess.Popen(
                [sys.executable, "-m", "mediabase", "worker", "--import", "mediabase.jobs.testing", *args],
                env=env, stdout=subprocess.DEVNULL, stderr=out)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                states = {r[0]: r[1] for r in conn.execute(
                    "SELECT id, status || ':' || attempts FROM mediabase.jobs WHERE id = ANY(%s)",
                    (list(jobs.values()),)).fetchall()}
                if (states[jobs["ok"]] == "completed:1" and states[jobs["bad"]] == "failed:1"
                        and states[jobs["flaky"]] in ("queued:1", "processing:2", "failed:2")):
                    break
                time.sleep(0.1)
            else:
                pytest.fail(f"the jobs did not finish: {states}; log:\n{err.read_text()}")
            time.sleep(0.3)  # the last lines are written after the commit
        finally:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
    return err.read_text().splitlines(), jobs


def test_the_default_log_is_one_readable_line_per_event(migrated_url: str, tmp_path: Path) -> None:
    lines, jobs = run_worker(migrated_url, "log-text", tmp_path)
    assert lines
    for line in lines:
        assert LINE.match(line), line  # no traceback, no continuation line
        assert not any(r in line for r in REPRS), line
        assert " DEBUG " not in line
    [done] = [line for line in lines if str(jobs["ok"]) in line]
    assert re.fullmatch(rf"\S+ INFO  job completed  test\.noop {jobs['ok']} org=log-text \d+\.\d+ ?m?s", done)
    [bad] = [line for line in lines if str(jobs["bad"]) in line]
    assert bad.split(" ", 1)[1].startswith(f"ERROR job failed for good  test.fail {jobs['bad']} org=log-text")
    assert bad.endswith("error=told_to: told to fail for good")
    flaky = [line for line in lines if str(jobs["flaky"]) in line]
    assert flaky and flaky[0].split(" ", 1)[1].startswith("WARN  job failed; it runs again later  test.fail")
    assert "attempt=1/2" in flaky[0] and "error=RuntimeError: told to fail" in flaky[0]
    assert any(" worker " in line and " started: " in line for line in lines)
    assert any(re.search(r"INFO  partitions: created \d+ \(", line) for line in lines)


def test_log_format_json_is_one_object_per_line(migrated_url: str, tmp_path: Path) -> None:
    lines, jobs = run_worker(migrated_url, "log-json", tmp_path, "--log-format", "json")
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(r, dict) and {"timestamp", "level", "logger", "message"} <= r.keys() for r in records)
    [done] = [r for r in records if r.get("job_id") == str(jobs["ok"])]
    assert done["message"] == "job completed" and done["job_type"] == "test.noop"
    assert done["org_slug"] == "log-json" and isinstance(done["duration_ms"], float) and done["level"] == "info"
    [bad] = [r for r in records if r.get("job_id") == str(jobs["bad"])]
    assert bad["level"] == "error" and bad["error"] == "told_to: told to fail for good"
    assert not [r for r in records if r["level"] == "debug"]


def test_verbose_adds_the_debug_lines(migrated_url: str, tmp_path: Path) -> None:
    lines, jobs = run_worker(migrated_url, "log-verbose", tmp_path, "-v")
    started = [line for line in lines if " DEBUG mediabase.jobs: job started" in line]
    assert any(str(jobs["ok"]) in line for line in started)
    assert "Traceback (most recent call last):" in lines  # the flaky job's, below its DEBUG line
    assert any(" DEBUG mediabase.jobs: job types: " in line for line in lines)
