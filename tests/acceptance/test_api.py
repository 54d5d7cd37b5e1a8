"""The HTTP API as a client meets it: auth, roles, problem+json, uploads, exports."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.factories import Tenant

SRT = (
    b"1\r\n00:00:01,000 --> 00:00:02,500\r\nremote control price\r\n\r\n"
    b"2\r\n00:00:03,000 --> 00:00:04,000\r\nsecond cue\r\n"
)


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_health_ready_and_docs(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200


def test_auth_errors_are_problem_json(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    r = client.get("/videos")
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert client.get("/videos", headers=h("mb_nope")).status_code == 401
    assert client.get("/videos", headers=h("mb_aaaaaaaaaaaa_wrong")).status_code == 401
    assert client.get("/videos", headers={"Authorization": f"Bearer {tenants[0].owner_key}"}).status_code == 200


def test_video_lifecycle_upload_and_export(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    r = client.post(
        "/videos", json={"title": "Kick-off", "tags": ["design"], "language": "en"}, headers=h(a.member_key)
    )
    assert r.status_code == 201, r.text
    vid = r.json()["id"]
    r = client.post(f"/videos/{vid}/transcripts/file", files={"file": ("talk.srt", SRT)}, headers=h(a.member_key))
    assert r.status_code == 201, r.text
    assert r.json()["transcript"]["segment_count"] == 2
    segs = client.get(f"/videos/{vid}/segments", params={"from_ms": 2600}, headers=h(a.member_key)).json()
    assert [s["text"] for s in segs["segments"]] == ["second cue"]
    srt = client.get(f"/videos/{vid}/export", params={"format": "srt"}, headers=h(a.member_key))
    assert srt.status_code == 200 and "00:00:01,000 --> 00:00:02,500" in srt.text
    assert client.get(f"/videos/{vid}", headers=h(b.owner_key)).status_code == 404
    assert client.delete(f"/videos/{vid}", headers=h(a.member_key)).status_code == 204
    assert client.get(f"/videos/{vid}", headers=h(a.member_key)).status_code == 404
    assert client.post(f"/videos/{vid}/restore", headers=h(a.member_key)).status_code == 200


def test_bad_uploads_are_4xx_and_write_nothing(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = client.post("/videos", json={"title": "v"}, headers=h(a.owner_key)).json()["id"]
    bad = b"1\n00:00:05,000 --> 00:00:04,000\nbackwards\n"
    r = client.post(f"/videos/{vid}/transcripts/file", files={"file": ("bad.srt", bad)}, headers=h(a.owner_key))
    assert r.status_code == 422 and "bad.srt" in r.json()["detail"], r.text
    r = client.post(
        f"/videos/{vid}/transcripts",
        json={"segments": [{"start_ms": 5, "end_ms": 1, "text": "x"}]},
        headers=h(a.owner_key),
    )
    assert r.status_code == 422
    r = client.post(
        f"/videos/{vid}/transcripts",
        json={"segments": [{"start_ms": "soon", "end_ms": 1, "text": "x"}]},
        headers=h(a.owner_key),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("start_ms")
    assert client.get(f"/videos/{vid}/transcripts", headers=h(a.owner_key)).json() == []
    assert client.post("/videos", json={"title": ""}, headers=h(a.owner_key)).status_code == 422
    assert client.get("/videos", params={"cursor": "%%%"}, headers=h(a.owner_key)).status_code == 422
    assert client.get(f"/videos/{uuid.uuid4()}", headers=h(a.owner_key)).status_code == 404
    assert client.get("/videos/not-a-uuid", headers=h(a.owner_key)).status_code == 422


def test_upload_too_large_is_413(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    from mediabase.api.app import create_app
    from tests.conftest import make_settings

    a, _ = tenants
    with TestClient(create_app(make_settings(migrated_url, max_upload_bytes=100), url=migrated_url)) as c:
        vid = c.post("/videos", json={"title": "v"}, headers=h(a.owner_key)).json()["id"]
        r = c.post(f"/videos/{vid}/transcripts/file", files={"file": ("big.srt", SRT * 10)}, headers=h(a.owner_key))
        assert r.status_code == 413, r.text


def test_roles_over_http(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    assert client.post("/channels", json={"name": "c"}, headers=h(a.member_key)).status_code == 403
    assert client.post("/channels", json={"name": "c"}, headers=h(a.owner_key)).status_code == 201
    assert client.post("/channels", json={"name": "C"}, headers=h(a.owner_key)).status_code == 422
    assert client.get("/keys", headers=h(a.member_key)).status_code == 403
    r = client.post("/keys", json={"name": "ci"}, headers=h(a.owner_key))
    assert r.status_code == 201 and r.json()["key"].startswith("mb_")
    new_key, key_id = r.json()["key"], r.json()["id"]
    assert client.get("/organization", headers=h(new_key)).status_code == 200
    assert client.delete(f"/keys/{key_id}", headers=h(a.owner_key)).status_code == 200
    assert client.get("/organization", headers=h(new_key)).status_code == 401
    r = client.post("/members", json={"email": "new@alpha.example.com", "role": "ADMIN"}, headers=h(a.owner_key))
    assert r.status_code == 201 and r.json()["role"] == "ADMIN"
    assert client.post("/members", json={"email": "new@alpha.example.com"}, headers=h(a.owner_key)).status_code == 409
    keys = client.get("/keys", headers=h(a.owner_key)).json()
    assert all("secret" not in k and "key" not in k for k in keys)
