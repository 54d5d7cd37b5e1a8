"""Failures visible to the operator and opaque to the client: logged 5xx with request ids, no
driver text in answers, request ids on responses, logs and the jobs a request enqueues."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from mediabase import logs
from mediabase.db.connection import Database
from mediabase.jobs import JobContext, enqueue, get_job, list_jobs
from mediabase.jobs.worker import Worker
from mediabase.logs import configure_logging
from mediabase.media import service as media_service
from mediabase.media.models import Video
from tests.factories import Tenant
from tests.integration.test_jobs_queue import fast, regs, run_until

Records = Callable[[], list[dict[str, Any]]]
DRIVER_WORDS = "the database own secret words"


@pytest.fixture
def json_logs() -> Iterator[Records]:
    """What ``MEDIABASE_LOG_FORMAT=json`` writes while the test runs, one dict per record."""
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    handler = configure_logging("json", "INFO", stream=stream)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def h(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


async def _raises_unknown_sqlstate(db: Database, p: Any, video_id: UUID, **_: Any) -> Video:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await conn.execute(
            f"DO $$ BEGIN RAISE EXCEPTION '{DRIVER_WORDS}' USING ERRCODE = 'assert_failure'; END $$"
        )
    raise AssertionError("not reached")


def test_an_untranslated_database_error_is_logged_once_and_answered_plainly(
    client: TestClient, tenants: tuple[Tenant, Tenant], json_logs: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(media_service, "get_video", _raises_unknown_sqlstate)
    a = tenants[0]
    video = "0190a5d2-0000-7000-8000-000000000001"
    r = client.get(f"/videos/{video}", headers=h(a.member_key, **{"X-Request-ID": "proxy-req-42"}))

    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"] == "proxy-req-42"
    body = r.json()
    assert body["title"] == "Internal error" and body["status"] == 500
    assert body["request_id"] == "proxy-req-42" and body["instance"] == "urn:mediabase:request:proxy-req-42"
    assert "secret" not in r.text and "assert" not in r.text.lower() and "Traceback" not in r.text

    errors = [rec for rec in json_logs() if rec["level"] == "error"]
    assert len(errors) == 1, errors
    [err] = errors
    assert err["message"] == "untranslated database error" and err["sqlstate"] == "P0004"
    assert err["request_id"] == "proxy-req-42" and err["status"] == 500
    assert err["method"] == "GET" and err["route"] == "/videos/{video_id}"
    assert err["organization"] == str(a.owner.organization_id)
    assert "Traceback" in err["exception"] and DRIVER_WORDS in err["exception"]
    [access] = [rec for rec in json_logs() if rec["logger"] == "mediabase.access"]
    assert access["status"] == 500 and access["request_id"] == "proxy-req-42" and "duration_ms" in access
    assert video not in json.dumps(access)  # the route template, not the path


def test_an_unexpected_python_error_is_a_logged_500_with_a_new_request_id(
    client: TestClient, tenants: tuple[Tenant, Tenant], json_logs: Records, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> Video:
        raise RuntimeError("python's own words")

    monkeypatch.setattr(media_service, "get_video", broken)
    # a request id that is not one (spaces, too long) is replaced, not trusted
    r = client.get("/videos/0190a5d2-0000-7000-8000-000000000001",
                   headers=h(tenants[0].member_key, **{"X-Request-ID": "x" * 129}))
    assert r.status_code == 500 and "python" not in r.text
    request_id = r.headers["x-request-id"]
    assert len(request_id) == 32 and r.json()["request_id"] == request_id
    [err] = [rec for rec in json_logs() if rec["level"] == "error"]
    assert err["message"] == "unexpected error" and err["request_id"] == request_id
    assert "RuntimeError: python's own words" in err["exception"]


def test_client_errors_keep_their_detail_and_every_answer_has_a_request_id(
    client: TestClient, tenants: tuple[Tenant, Tenant], json_logs: Records
) -> None:
    r = client.get("/videos/0190a5d2-0000-7000-8000-000000000001", headers=h(tenants[0].member_key))
    assert r.status_code == 404 and r.json()["detail"] == "video not found"
    assert r.headers["x-request-id"]
    r = client.post("/videos", json={"title": ""}, headers=h(tenants[0].member_key))
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("title")
    assert client.get("/health").headers["x-request-id"]
    assert client.get("/no/such/route").headers["x-request-id"]
    assert not [rec for rec in json_logs() if rec["level"] == "error"]
    routes = [rec.get("route") for rec in json_logs() if rec["logger"] == "mediabase.access"]
    assert routes == ["/videos/{video_id}", "/videos", "/health", None]


def test_the_jobs_a_request_enqueues_carry_its_id(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    key = tenants[0].owner_key
    r = client.post("/jobs", json={"type": "demo.traced"}, headers=h(key, **{"X-Request-ID": "enqueue-1"}))
    assert r.status_code == 201, r.text
    job = client.get(f"/jobs/{r.json()['id']}", headers=h(key)).json()
    assert job["request_id"] == "enqueue-1"
    # ingest enqueues the transcript's indexing in its own transaction: the same id
    r = client.post("/videos", json={"title": "Traced"}, headers=h(key))
    video = r.json()["id"]
    r = client.post(f"/videos/{video}/transcripts", headers=h(key, **{"X-Request-ID": "ingest-7"}),
                    json={"language": "en", "segments": [{"start_ms": 0, "end_ms": 900, "text": "hello"}]})
    assert r.status_code == 201, r.text
    jobs = client.get("/jobs", params={"type": "transcript.index"}, headers=h(key)).json()
    assert [j["request_id"] for j in jobs] == ["ingest-7"]


async def test_a_worker_runs_a_job_under_the_request_id_that_enqueued_it(
    db: Database, tenants: tuple[Tenant, Tenant], json_logs: Records
) -> None:
    org = tenants[0].owner.organization_id
    log = logging.getLogger("mediabase.jobs.test")

    async def parent(ctx: JobContext) -> None:
        log.info("parent ran")
        assert ctx.conn is not None
        await enqueue(ctx.conn, org_id=ctx.org_id, type="demo.child")

    token = logs.bind(logs.RequestContext("req-job-1"))
    try:
        async with db.transaction(org) as conn:
            first = await enqueue(conn, org_id=org, type="demo.parent")
    finally:
        logs.unbind(token)
    worker = Worker(db, fast(), registrations=regs(demo__parent=(parent, True)))

    async def done() -> bool:
        return (await get_job(db, org, first.id)).status == "completed"

    await run_until(worker, done)
    [child] = await list_jobs(db, org, type="demo.child")
    assert child.request_id == "req-job-1"
    [ran] = [r for r in json_logs() if r["message"] == "parent ran"]
    assert ran["request_id"] == "req-job-1" and ran["job_id"] == str(first.id)
    assert ran["organization"] == str(org) and ran["route"] == "job demo.parent"
