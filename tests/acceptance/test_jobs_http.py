"""Jobs over HTTP, with a worker "in another language": plain SQL calls of the functions."""

from __future__ import annotations

import psycopg
from fastapi.testclient import TestClient

from tests.factories import Tenant


def h(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


def worker_key(client: TestClient, owner_key: str) -> str:
    """A key that runs the worker protocol (and nothing else), made by the organization's OWNER."""
    r = client.post("/keys", json={"name": "worker", "scope": "worker"}, headers=h(owner_key))
    assert r.status_code == 201, r.text
    return str(r.json()["key"])


def sql_worker_completes(url: str, result: str) -> list[str]:
    """What a worker in any language does: claim, report progress, complete."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET ROLE mediabase_app")
        rows = conn.execute("SELECT id, organization_id FROM mediabase.claim_jobs('polyglot', NULL, 10, 30)").fetchall()
        for job_id, _org in rows:
            conn.execute("SELECT mediabase.job_progress(%s, 'polyglot', 50, 'running', 'half')", (job_id,))
            conn.execute("SELECT mediabase.complete_job(%s, 'polyglot', %s::jsonb)", (job_id, result))
        return [str(r[0]) for r in rows]


def test_enqueue_get_wait_cancel_retry_list_over_http(
    client: TestClient, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, b = tenants
    r = client.post(
        "/jobs", json={"type": "demo.http", "input": {"x": 1}, "idempotency_key": "req-1"}, headers=h(a.member_key)
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["created"] and first["status"] == "queued"
    again = client.post("/jobs", json={"type": "demo.http"}, headers=h(a.member_key, **{"Idempotency-Key": "req-1"}))
    assert again.status_code == 200 and again.json()["id"] == first["id"] and not again.json()["created"]
    assert client.get(f"/jobs/{first['id']}", headers=h(b.owner_key)).status_code == 404  # other tenant
    assert client.post(f"/jobs/{first['id']}/cancel", headers=h(b.owner_key)).status_code == 404

    polled = client.get(f"/jobs/{first['id']}/wait", params={"timeout": 0.2}, headers=h(a.member_key))
    assert polled.status_code == 200 and polled.json()["status"] == "queued"

    assert sql_worker_completes(migrated_url, '{"ok": true}') == [first["id"]]
    done = client.get(f"/jobs/{first['id']}/wait", params={"timeout": 5}, headers=h(a.member_key)).json()
    assert done["status"] == "completed" and done["result"] == {"ok": True} and done["message"] == "half"

    second = client.post("/jobs", json={"type": "demo.http"}, headers=h(a.owner_key)).json()
    cancelled = client.post(f"/jobs/{second['id']}/cancel", headers=h(a.owner_key)).json()
    assert cancelled["status"] == "cancelled"
    retried = client.post(f"/jobs/{second['id']}/retry", headers=h(a.owner_key)).json()
    assert retried["status"] == "queued"

    listed = client.get("/jobs", headers=h(a.member_key)).json()
    assert [j["id"] for j in listed] == [second["id"], first["id"]]
    assert client.get("/jobs", params={"status": "completed"}, headers=h(a.member_key)).json()[0]["id"] == first["id"]
    assert client.get("/jobs", headers=h(b.owner_key)).json() == []
    stats = {(s["type"], s["status"]): s["jobs"] for s in client.get("/jobs/stats", headers=h(a.member_key)).json()}
    assert stats == {("demo.http", "completed"): 1, ("demo.http", "queued"): 1}


def test_bad_requests_are_problem_json(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    assert client.post("/jobs", json={"type": "demo.http"}).status_code == 401
    bad = client.post("/jobs", json={"type": "Not A Type"}, headers=h(a.member_key))
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert client.post("/jobs", json={"type": "demo.x", "priority": 5000}, headers=h(a.member_key)).status_code == 422
    missing = client.get("/jobs/01900000-0000-7000-8000-000000000000", headers=h(a.member_key))
    assert missing.status_code == 404


def test_a_tenants_worker_over_http_sees_and_touches_only_its_jobs(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    wa, wb = worker_key(client, a.owner_key), worker_key(client, b.owner_key)
    ja = client.post("/jobs", json={"type": "demo.remote", "input": {"n": 1}}, headers=h(a.member_key)).json()
    jb = client.post("/jobs", json={"type": "demo.remote"}, headers=h(b.member_key)).json()
    jc = client.post("/jobs", json={"type": "demo.remote", "max_retries": 0}, headers=h(a.member_key)).json()

    claimed = client.post(
        "/jobs/claim", json={"worker": "go-1", "types": ["demo.remote"], "batch": 10}, headers=h(wa)
    ).json()
    assert {j["id"] for j in claimed} == {ja["id"], jc["id"]}  # never tenant b's job
    assert all(j["status"] == "processing" and j["locked_by"] == "http:go-1" for j in claimed)
    # tenant b, even with the same worker name, can touch none of them
    for path, body in (
        (f"/jobs/{ja['id']}/complete", {"worker": "go-1"}),
        (f"/jobs/{ja['id']}/fail", {"worker": "go-1", "code": "x"}),
    ):
        assert client.post(path, json=body, headers=h(wb)).status_code == 404  # not even seen
    assert client.post("/jobs/heartbeat", json={"worker": "go-1", "ids": [ja["id"]]}, headers=h(wb)).json() == []
    assert client.post("/jobs/release", json={"worker": "go-1", "ids": [ja["id"]]}, headers=h(wb)).json() == {
        "released": 0
    }

    held = client.post("/jobs/heartbeat", json={"worker": "go-1", "ids": [ja["id"], jc["id"]]}, headers=h(wa))
    assert sorted(x["id"] for x in held.json()) == sorted([ja["id"], jc["id"]])
    client.post(f"/jobs/{ja['id']}/cancel", headers=h(a.owner_key))  # asked while it runs
    state = client.post(
        f"/jobs/{ja['id']}/progress",
        json={"worker": "go-1", "progress": 30, "stage": "video_generation", "message": "frame 300"},
        headers=h(wa),
    ).json()
    assert state == {"state": "cancel_requested"}
    assert client.post(
        f"/jobs/{ja['id']}/progress", json={"worker": "other", "progress": 1}, headers=h(wa)
    ).json() == {"state": "lost"}
    stopped = client.post(
        f"/jobs/{ja['id']}/fail",
        json={"worker": "go-1", "code": "cancelled", "retryable": False},
        headers=h(wa),
    ).json()
    assert stopped["status"] == "cancelled" and stopped["stage"] == "video_generation"
    failed = client.post(
        f"/jobs/{jc['id']}/fail", json={"worker": "go-1", "code": "boom", "message": "no"}, headers=h(wa)
    ).json()
    assert failed["status"] == "failed" and failed["error_code"] == "boom"  # max_retries 0

    again = client.post("/jobs/claim", json={"worker": "go-2", "types": ["demo.remote"]}, headers=h(wb)).json()
    assert [j["id"] for j in again] == [jb["id"]]
    assert client.post("/jobs/release", json={"worker": "go-2", "ids": [jb["id"]]}, headers=h(wb)).json() == {
        "released": 1
    }
    again = client.post("/jobs/claim", json={"worker": "go-3", "types": ["demo.remote"]}, headers=h(wb)).json()
    done = client.post(f"/jobs/{jb['id']}/complete", json={"worker": "go-3", "result": [1, 2]}, headers=h(wb))
    assert done.status_code == 200 and done.json()["result"] == [1, 2] and done.json()["status"] == "completed"
    assert client.post(f"/jobs/{jb['id']}/complete", json={"worker": "go-3"}, headers=h(wb)).status_code == 409
