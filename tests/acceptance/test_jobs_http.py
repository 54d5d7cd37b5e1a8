"""Jobs over HTTP, with a worker "in another language": plain SQL calls of the functions."""

from __future__ import annotations

import psycopg
from fastapi.testclient import TestClient

from tests.factories import Tenant


def h(key: str, **extra: str) -> dict[str, str]:
    return {"X-API-Key": key, **extra}


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
    r = client.post("/jobs", json={"type": "demo.http", "input": {"x": 1}, "idempotency_key": "req-1"},
                    headers=h(a.member_key))
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
