"""``mediabase jobs …`` and ``mediabase partitions …`` as an operator runs them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import psycopg

from tests.acceptance.cli import mediabase


def test_jobs_and_partitions_commands(migrated_url: str) -> None:
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        org = conn.execute(
            "INSERT INTO mediabase.organizations (name, slug) VALUES ('Ops', 'ops') RETURNING id"
        ).fetchone()
        assert org is not None
        ids = [
            r[0]
            for r in conn.execute(
                "INSERT INTO mediabase.jobs (organization_id, type, status, completed_at, error_code, stage) VALUES"
                " (%s, 'demo.cli', 'queued', NULL, NULL, 'pending'),"
                " (%s, 'demo.cli', 'failed', now(), 'boom', 'error') RETURNING id",
                (org[0], org[0]),
            ).fetchall()
        ]
    queued, failed = (str(i) for i in ids)

    listed = mediabase("jobs", "list", "--json", url=migrated_url)
    assert listed.returncode == 0, listed.stderr
    assert {j["id"]: j["status"] for j in json.loads(listed.stdout)} == {queued: "queued", failed: "failed"}
    shown = mediabase("jobs", "show", failed, "--json", url=migrated_url)
    assert json.loads(shown.stdout)["error_code"] == "boom"

    retried = mediabase("jobs", "retry", failed, url=migrated_url)
    assert retried.returncode == 0 and "queued again" in retried.stdout
    assert mediabase("jobs", "retry", failed, url=migrated_url).returncode == 1  # not failed any more
    cancelled = mediabase("jobs", "cancel", queued, url=migrated_url)
    assert cancelled.returncode == 0 and "cancelled" in cancelled.stdout
    # a queued job of a video, cancelled: the video is failed, as when a worker sees a cancel
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        row = conn.execute(
            "WITH v AS (INSERT INTO mediabase.videos (organization_id, title) VALUES (%s, 'cut') RETURNING id)"
            " INSERT INTO mediabase.jobs (organization_id, type, input)"
            " SELECT %s, 'demo.cli', jsonb_build_object('video_id', v.id) FROM v RETURNING id, input ->> 'video_id'",
            (org[0], org[0])).fetchone()
        assert row is not None
        video_job, video = str(row[0]), row[1]
    assert mediabase("jobs", "cancel", video_job, url=migrated_url).returncode == 0
    with psycopg.connect(migrated_url) as conn:
        assert conn.execute("SELECT processing_status, processing_error FROM mediabase.videos WHERE id = %s",
                            (video,)).fetchone() == ("failed", "demo.cli: cancelled before it ran")
    missing = mediabase("jobs", "show", "01900000-0000-7000-8000-000000000000", url=migrated_url)
    assert missing.returncode == 1 and "no job" in missing.stderr
    stats = json.loads(mediabase("jobs", "stats", "--json", url=migrated_url).stdout)
    assert {(s["status"], s["jobs"]) for s in stats} == {("queued", 1), ("cancelled", 2)}
    assert mediabase("jobs", "limit", "demo.cli", "3", url=migrated_url).returncode == 0

    ensured = mediabase("partitions", "ensure", "--months-ahead", "1", url=migrated_url)
    assert ensured.returncode == 0 and f"jobs_{datetime.now(UTC):%Y_%m}" in ensured.stdout
    status = json.loads(mediabase("partitions", "status", "--json", url=migrated_url).stdout)
    jobs = [p for p in status if p["table"] == "jobs"]  # every registered table is listed
    assert jobs[0]["name"] == "jobs_default" and len(jobs) == 3
    pruned = mediabase("partitions", "prune", url=migrated_url)
    assert pruned.returncode == 0 and "nothing to drop" in pruned.stdout
