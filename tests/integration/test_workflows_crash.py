"""Workflow runs under SIGKILL (docs/workflows.md "Runs, failures, cancels"): worker processes killed
at random while 100 runs of three steps each go through dispatch and the queue; every run
succeeds, every step ran exactly once (its record commits with its outcome), and every run has
exactly one job per step — no successor enqueued twice, none lost."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

import pytest

from tests.integration.test_jobs_crash import count, prepare, start_worker

pytestmark = pytest.mark.slow

STEPS = [{"type": "test.record", "name": f"r{i}", "with": {"sleep": 0.2}, "retries": 10} for i in range(3)]


@pytest.mark.timeout(600)
def test_sigkilled_workers_run_every_step_once_and_lose_no_successor(migrated_url: str, tmp_path: Path,
                                                                  request: pytest.FixtureRequest) -> None:
    conn, org = prepare(migrated_url, "wfcrash", request)
    conn.execute("CREATE TABLE mediabase.workflow_test_steps (run_id uuid NOT NULL, position int NOT NULL,"
                 " worker text NOT NULL)")
    conn.execute("GRANT INSERT, SELECT ON mediabase.workflow_test_steps TO mediabase_app")
    conn.execute("INSERT INTO mediabase.workflow_templates (organization_id, name, trigger_event_type, steps)"
                 " VALUES (%s, 'crash', 'video.created', %s::jsonb)", (org, json.dumps(STEPS)))
    n = 100
    conn.execute("SELECT mediabase.emit_event(%s, 'video.created', 'video', gen_random_uuid())"
                 " FROM generate_series(1, %s)", (org, n))
    log = tmp_path / "workers.log"
    args = ("--import", "mediabase.workflows.testing", "--concurrency", "4", "--lease-seconds", "2",
            "--batch-size", "4")
    workers = [start_worker(migrated_url, log, *args) for _ in range(3)]
    rng = random.Random(14)
    kills = 0
    done_sql = "SELECT count(*) FROM mediabase.workflow_runs WHERE status = 'succeeded'"
    deadline = time.monotonic() + 480
    try:
        while time.monotonic() < deadline:
            done = count(conn, done_sql)
            if done == n:
                break
            time.sleep(rng.uniform(0.2, 0.6))
            # kills follow progress (every 30 steps of 300), not the clock: a fast machine that
            # finishes early would otherwise see fewer kills than the test means to make
            if kills < 6 and count(conn, "SELECT count(*) FROM mediabase.workflow_test_steps") > 30 * (kills + 1):
                victim = workers.pop(rng.randrange(len(workers)))
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                kills += 1
                workers.append(start_worker(migrated_url, log, *args))
        else:
            pytest.fail(f"not done in time: {count(conn, done_sql)} of {n}\n{log.read_text()[-3000:]}")
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(timeout=60)
    assert kills == 6
    assert count(conn, "SELECT count(*) FROM mediabase.workflow_runs") == n  # one run per event
    assert count(conn, "SELECT count(*) FROM mediabase.workflow_step_runs WHERE status <> 'succeeded'") == 0
    # every step exactly once
    assert count(conn, "SELECT count(*) FROM mediabase.workflow_test_steps") == 3 * n
    assert count(conn, "SELECT count(DISTINCT (run_id, position)) FROM mediabase.workflow_test_steps") == 3 * n
    # one job per step: no successor enqueued twice, none lost; each step run points at its job
    assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE type = 'workflow.step'") == 3 * n
    assert count(conn, "SELECT count(*) FROM mediabase.workflow_step_runs s JOIN mediabase.jobs j"
                       " ON j.organization_id = s.organization_id AND j.id = s.job_id"
                       " WHERE j.status = 'completed'") == 3 * n
    # killed workers held some step jobs: they came back after their lease and ran once
    assert count(conn, "SELECT count(*) FROM mediabase.jobs WHERE type = 'workflow.step' AND failed_attempts @>"
                       " '[{\"error_code\": \"lease_expired\"}]'") > 0, log.read_text()[-3000:]
