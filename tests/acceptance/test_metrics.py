"""``GET /metrics`` through the real app and ``mediabase doctor`` as an operator runs them."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from mediabase.api.app import create_app
from mediabase.db import embedded
from mediabase.db.migrator import Migrator
from tests.acceptance.cli import mediabase
from tests.conftest import make_settings
from tests.factories import Tenant

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    r = client.get("/metrics", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, frozenset(labels.items())))


def test_metrics_count_routes_pools_and_jobs(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    key = {"X-API-Key": a.member_key}
    assert client.get("/health").status_code == 200
    for _ in range(3):
        assert client.get("/jobs", headers=key).status_code == 200
    missing = uuid.uuid4()
    assert client.get(f"/jobs/{missing}", headers=key).status_code == 404
    assert client.get("/no/such/thing").status_code == 404

    before = scrape(client)
    requests = "mediabase_http_requests_total"
    assert value(before, requests, method="GET", route="/health", status="200") == 1
    assert value(before, requests, method="GET", route="/jobs", status="200") == 3
    assert value(before, requests, method="GET", route="/jobs/{job_id}", status="404") == 1
    assert value(before, requests, method="GET", route="unmatched", status="404") == 1
    assert not any(str(missing) in dict(labels).get("route", "") for _, labels in before)  # templates, not paths
    assert value(before, "mediabase_http_request_duration_seconds_count", method="GET", route="/jobs",
                 status_class="2xx") == 3
    for pool in ("primary", "system"):
        assert value(before, "mediabase_pool_max", pool=pool) is not None
        assert value(before, "mediabase_pool_size", pool=pool) is not None
        assert value(before, "mediabase_pool_in_use", pool=pool) is not None
        assert value(before, "mediabase_pool_waiting", pool=pool) == 0
        assert (value(before, "mediabase_pool_requests_total", pool=pool) or 0) > 0
    assert value(before, "mediabase_scrape_errors_total", part="jobs") == 0
    assert value(before, "mediabase_jobs", type="demo.metrics", state="ready") is None

    assert client.post("/jobs", json={"type": "demo.metrics"}, headers=key).status_code == 201
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert client.post("/jobs", json={"type": "demo.metrics", "run_after": later}, headers=key).status_code == 201
    after = scrape(client)
    assert value(after, "mediabase_jobs", type="demo.metrics", state="ready") == 1
    assert value(after, "mediabase_jobs", type="demo.metrics", state="scheduled") == 1
    assert value(after, "mediabase_jobs", type="demo.metrics", state="running") == 0
    assert value(after, "mediabase_jobs", type="demo.metrics", state="failed") == 0
    assert (value(after, "mediabase_jobs_oldest_ready_seconds", type="demo.metrics") or 0) >= 0
    # the first scrape is counted by the second, under its own template
    assert value(after, requests, method="GET", route="/metrics", status="200") == 1
    assert value(after, requests, method="POST", route="/jobs", status="201") == 2
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_a_database_error_costs_the_jobs_series_not_the_scrape(client: TestClient, migrated_url: str) -> None:
    assert client.get("/health").status_code == 200
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE mediabase.jobs RENAME TO jobs_away")
    samples = scrape(client)
    assert value(samples, "mediabase_scrape_errors_total", part="jobs") == 1
    assert value(samples, "mediabase_http_requests_total", method="GET", route="/health", status="200") == 1
    assert value(samples, "mediabase_pool_max", pool="primary") is not None
    assert not any(name == "mediabase_jobs" for name, _ in samples)


@pytest.fixture
def private_client(migrated_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(migrated_url, metrics_token="s3cret-scrape", metrics_public=True), url=migrated_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_metrics_token_is_required_once_set(private_client: TestClient, migrated_url: str) -> None:
    assert private_client.get("/metrics").status_code == 401
    wrong = private_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["content-type"] == "application/problem+json"
    assert value(scrape(private_client, Authorization="Bearer s3cret-scrape"), "mediabase_pool_max", pool="primary")

    closed = create_app(make_settings(migrated_url, metrics_public=False), url=migrated_url)
    with TestClient(closed, raise_server_exceptions=False) as c:
        denied = c.get("/metrics")
        assert denied.status_code == 403 and "MEDIABASE_METRICS_TOKEN" in denied.json()["detail"]


def test_doctor_reports_size_jobs_and_how_to_enable_statement_stats(migrated_url: str) -> None:
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        org = conn.execute(
            "INSERT INTO mediabase.organizations (name, slug) VALUES ('Ops', 'ops') RETURNING id"
        ).fetchone()
        assert org is not None
        conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, status, completed_at, error_code, stage) VALUES"
            " (%s, 'demo.doctor', 'queued', NULL, NULL, 'pending'),"
            " (%s, 'demo.doctor', 'failed', now(), 'boom', 'error')",
            (org[0], org[0]),
        )

    text = mediabase("doctor", url=migrated_url)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "database size:" in text.stdout
    assert "demo.doctor" in text.stdout and "ready" in text.stdout and "failed" in text.stdout
    assert "shared_preload_libraries" in text.stdout and "CREATE EXTENSION pg_stat_statements" in text.stdout

    out = mediabase("doctor", "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["ok"] and report["database_size"]["bytes"] > 0 and report["database_size"]["pretty"]
    assert {(j["type"], j["state"], j["jobs"]) for j in report["jobs"]} == {
        ("demo.doctor", "ready", 1),
        ("demo.doctor", "failed", 1),
    }
    assert report["pool"]["max_size"] >= 1
    slow = report["slow_statements"]
    assert slow["enabled"] is False and slow["statements"] == [] and "shared_preload_libraries" in slow["hint"]
    assert "replica" not in report  # none configured

    primary_as_replica = mediabase("doctor", url=migrated_url, MEDIABASE_DATABASE_REPLICA_URL=migrated_url)
    assert primary_as_replica.returncode == 1 and "not a standby" in primary_as_replica.stdout


@dataclass
class OwnServer:
    url: str
    replica_url: str


def caught_up(url: str, replica_url: str) -> None:
    """Wait until the replica has replayed a commit of the primary: before that its lag is unknown
    (a replica that has received nothing yet has no last replay time to measure from)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.replicated_mark (n int)")
    deadline = time.monotonic() + 60
    with psycopg.connect(replica_url, autocommit=True) as conn:
        while conn.execute("SELECT to_regclass('public.replicated_mark')").fetchone() == (None,):
            assert time.monotonic() < deadline, "the replica replayed nothing in 60 s"
            time.sleep(0.05)


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    """A server of this module's own (the shared one is never restarted: pg_stat_statements needs
    shared_preload_libraries, which takes a restart), migrated, with a streaming replica."""
    data_dir = Path(tempfile.mkdtemp(prefix="mbstat-"))
    settings = make_settings(None, data_dir=data_dir, embedded_shared_buffers_mb=32)
    try:
        embedded.start(settings)
        with psycopg.connect(embedded.server_url(settings), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'")
        pgdata = embedded.pgdata_dir(settings)  # restarted the way a new cluster is after tuning
        embedded._embedded().pg_ctl(["-w", "-m", "fast", "-l", str(pgdata / "log"), "restart"], pgdata=pgdata,
                                    user=embedded._system_user(), timeout=60)
        url = embedded.start(settings)
        asyncio.run(Migrator(url, make_settings(url)).migrate())
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION pg_stat_statements")
        replica_url = embedded.start_replica(settings)
        caught_up(url, replica_url)
        yield OwnServer(url, replica_url)
    finally:
        embedded.stop_replica(settings)
        embedded.stop(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.slow
def test_doctor_lists_the_slowest_statements_and_the_replica(own_server: OwnServer) -> None:
    with psycopg.connect(own_server.url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")  # not the migrations' statements
        for _ in range(3):
            conn.execute("SELECT pg_sleep(0.2), 'a statement worth seeing'")
    replica = {"MEDIABASE_DATABASE_REPLICA_URL": own_server.replica_url}

    out = mediabase("doctor", "--json", url=own_server.url, **replica)
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    slow = report["slow_statements"]
    assert slow["enabled"] is True and slow["hint"] is None
    assert 1 <= len(slow["statements"]) <= 5
    means = [s["mean_ms"] for s in slow["statements"]]
    assert means == sorted(means, reverse=True)
    assert all(len(s["query"]) <= 120 and s["calls"] >= 1 for s in slow["statements"])
    assert any("pg_sleep" in s["query"] and s["calls"] == 3 for s in slow["statements"])
    assert report["replica"]["in_recovery"] is True and report["replica"]["lag_seconds"] is not None
    replica_check = next(c for c in report["checks"] if c["check"] == "replica")
    assert replica_check["ok"] and "streaming standby" in replica_check["detail"]

    text = mediabase("doctor", url=own_server.url, **replica)
    assert text.returncode == 0, text.stdout + text.stderr
    assert "slowest statements" in text.stdout and "pg_sleep" in text.stdout and "streaming standby" in text.stdout


@pytest.mark.slow
def test_metrics_read_the_replica_pool_and_lag(own_server: OwnServer) -> None:
    settings = make_settings(own_server.url, database_replica_url=own_server.replica_url)
    with TestClient(create_app(settings, url=own_server.url), raise_server_exceptions=False) as c:
        samples = scrape(c)
    for pool in ("primary", "system", "replica"):
        assert value(samples, "mediabase_pool_max", pool=pool) is not None
    assert (value(samples, "mediabase_replica_lag_seconds") or 0) >= 0
    assert value(samples, "mediabase_replica_lag_seconds") is not None
    assert value(samples, "mediabase_replica_healthy") == 1
    assert value(samples, "mediabase_scrape_errors_total", part="replica_lag") == 0
