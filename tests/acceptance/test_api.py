"""The HTTP API as a client meets it: auth, roles, problem+json, uploads, exports."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import UserCreate
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
    assert r.status_code == 202 and r.json() == {"email": "new@alpha.example.com", "role": "ADMIN"}
    assert client.post("/members", json={"email": "new@alpha.example.com"}, headers=h(a.owner_key)).status_code == 409
    keys = client.get("/keys", headers=h(a.owner_key)).json()
    assert all("secret" not in k and "key" not in k for k in keys)


def test_jobs_roles_over_http(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    """Members enqueue, cancel and retry their own jobs (ADMIN/OWNER any); only worker keys run
    the worker protocol; system job types are beyond every key (docs/jobs.md "Who may do what")."""
    a, _ = tenants
    made = client.post("/keys", json={"name": "renderer", "scope": "worker"}, headers=h(a.owner_key))
    assert made.status_code == 201 and made.json()["scope"] == "worker", made.text
    worker = made.json()["key"]
    assert client.post("/keys", json={"name": "w", "scope": "worker"}, headers=h(a.member_key)).status_code == 403

    vid = client.post("/videos", json={"title": "v"}, headers=h(a.member_key)).json()["id"]
    assert client.post(f"/videos/{vid}/transcripts/file", files={"file": ("t.srt", SRT)},
                       headers=h(a.member_key)).status_code == 201
    system_job = client.get("/jobs", params={"type": "transcript.index"}, headers=h(a.owner_key)).json()[0]

    mine = client.post("/jobs", json={"type": "demo.task"}, headers=h(a.member_key))
    assert mine.status_code == 201
    theirs = client.post("/jobs", json={"type": "demo.task"}, headers=h(a.owner_key)).json()["id"]
    for job_type in ("transcript.index", "decision.embed"):
        for key in (a.member_key, a.owner_key, worker):
            r = client.post("/jobs", json={"type": job_type}, headers=h(key))
            assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json", r.text
    assert client.post("/jobs", json={"type": "demo.task"}, headers=h(worker)).status_code == 403

    # cancel and retry: a MEMBER only their own jobs, an OWNER any; never with a worker key
    assert client.post(f"/jobs/{theirs}/cancel", headers=h(a.member_key)).status_code == 403
    assert client.post(f"/jobs/{system_job['id']}/cancel", headers=h(a.member_key)).status_code == 403
    assert client.post(f"/jobs/{mine.json()['id']}/cancel", headers=h(worker)).status_code == 403
    assert client.post(f"/jobs/{mine.json()['id']}/cancel", headers=h(a.member_key)).json()["status"] == "cancelled"
    assert client.post(f"/jobs/{mine.json()['id']}/retry", headers=h(a.member_key)).json()["status"] == "queued"
    assert client.post(f"/jobs/{theirs}/cancel", headers=h(a.owner_key)).json()["status"] == "cancelled"
    assert client.post(f"/jobs/{theirs}/retry", headers=h(a.member_key)).status_code == 403
    assert client.post(f"/jobs/{theirs}/retry", headers=h(a.owner_key)).json()["status"] == "queued"
    # an ADMIN cancels the video's indexing before it ran: the video says so (its follower is told)
    assert client.get(f"/videos/{vid}", headers=h(a.member_key)).json()["processing_status"] == "pending"
    assert client.post(f"/jobs/{system_job['id']}/cancel", headers=h(a.owner_key)).json()["status"] == "cancelled"
    video = client.get(f"/videos/{vid}", headers=h(a.member_key)).json()
    assert video["processing_status"] == "failed"
    assert video["processing_error"] == "transcript.index: cancelled before it ran"
    assert client.post(f"/jobs/{system_job['id']}/retry", headers=h(a.owner_key)).json()["status"] == "queued"

    # the worker protocol: worker keys only, never a system job type
    claim = {"worker": "w1", "types": ["demo.task"]}
    for key in (a.member_key, a.owner_key):
        assert client.post("/jobs/claim", json=claim, headers=h(key)).status_code == 403
        assert client.post("/jobs/heartbeat", json={"worker": "w1", "ids": []}, headers=h(key)).status_code == 403
        assert client.post("/jobs/release", json={"worker": "w1", "ids": []}, headers=h(key)).status_code == 403
    sneaky = client.post("/jobs/claim", json={"worker": "w1", "types": ["transcript.index"]}, headers=h(worker))
    assert sneaky.status_code == 403, sneaky.text
    assert client.post("/jobs/claim", json={"worker": "w1"}, headers=h(worker)).status_code == 422  # name the types
    claimed = client.post("/jobs/claim", json=claim, headers=h(worker)).json()
    assert sorted(j["id"] for j in claimed) == sorted([mine.json()["id"], theirs])
    for path, body in (
        (f"/jobs/{system_job['id']}/complete", {"worker": "w1", "result": {"chunks": 0}}),
        (f"/jobs/{system_job['id']}/fail", {"worker": "w1", "code": "x"}),
        (f"/jobs/{system_job['id']}/progress", {"worker": "w1", "progress": 5}),
    ):
        assert client.post(path, json=body, headers=h(worker)).status_code == 403
    for key in (a.member_key, a.owner_key):
        done = client.post(f"/jobs/{theirs}/complete", json={"worker": "w1", "result": 1}, headers=h(key))
        assert done.status_code == 403
    assert client.post(f"/jobs/{theirs}/progress", json={"worker": "w1", "progress": 5},
                       headers=h(a.member_key)).status_code == 403
    done = client.post(f"/jobs/{theirs}/complete", json={"worker": "w1", "result": 1}, headers=h(worker))
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert client.get(f"/jobs/{system_job['id']}", headers=h(a.owner_key)).json()["status"] == "queued"

    # a worker key does nothing else: no videos, no members, no keys
    for path in ("/videos", "/members", "/keys", "/organization", "/jobs", f"/jobs/{theirs}"):
        assert client.get(path, headers=h(worker)).status_code == 403, path
    assert client.post("/members", json={"email": "x@alpha.example.com"}, headers=h(worker)).status_code == 403


def test_a_person_links_only_to_a_member_and_never_tells_whether_a_user_exists(
    client: TestClient, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    elsewhere = client.post("/people", json={"name": "x", "user_id": str(b.member.user_id)}, headers=h(a.owner_key))
    made_up = client.post("/people", json={"name": "x", "user_id": str(uuid.uuid4())}, headers=h(a.owner_key))
    assert elsewhere.status_code == made_up.status_code == 422, elsewhere.text
    assert elsewhere.json() == made_up.json()
    assert "member" in elsewhere.json()["detail"] and elsewhere.json()["field"] == "user_id"
    linked = client.post("/people", json={"name": "Mem", "user_id": str(a.member.user_id)}, headers=h(a.owner_key))
    assert linked.status_code == 201, linked.text
    assert client.delete(f"/members/{a.member.user_id}", headers=h(a.owner_key)).status_code == 204
    people = client.get("/people", headers=h(a.owner_key)).json()
    assert [(p["name"], p["user_id"]) for p in people] == [("Mem", None)]  # kept, unlinked


async def test_adding_a_member_by_email_reveals_nothing_about_other_organizations(
    client: TestClient, tenants: tuple[Tenant, Tenant], owner_db: Database
) -> None:
    a, _ = tenants

    def add(email: str, **extra: str) -> tuple[int, dict[str, object]]:
        r = client.post("/members", json={"email": email, **extra}, headers=h(a.owner_key))
        body = r.json()
        body.pop("email", None)
        return r.status_code, body

    # bravo's member belongs to another organization: not added, and the answer is the unknown one's
    taken, unknown = add("member@bravo.example.com"), add("nobody@bravo.example.com")
    assert taken == unknown and taken[0] == 202, (taken, unknown)
    assert not {"user_id", "username", "display_name", "id"} & set(taken[1])
    # a username that is taken is refused alike, whoever the email is
    assert add("member@bravo.example.com", username="mem-bravo") == add("else@x.example.com", username="mem-bravo")
    assert add("member@bravo.example.com", username="mem-bravo")[0] == 409
    # a user of no other organization (only their own personal one) is added directly
    await identity.create_user(owner_db, UserCreate(email="free@example.com", username="free"))
    assert add("free@example.com", role="ADMIN") == (202, {**taken[1], "role": "ADMIN"})
    members = {m["email"]: m["role"] for m in client.get("/members", headers=h(a.owner_key)).json()}
    assert members.get("nobody@bravo.example.com") == "MEMBER" and members.get("free@example.com") == "ADMIN"
    assert "member@bravo.example.com" not in members and "else@x.example.com" not in members
    assert add("free@example.com")[0] == 409  # already a member here: the caller can see that anyway
    assert client.post("/members", json={"email": "y@x.example.com"}, headers=h(a.member_key)).status_code == 403


def test_root_says_what_is_here(client: TestClient) -> None:
    """The address the banner prints answers (issue 23): JSON for programs, a page for browsers."""
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert body["name"] == "mediabase" and body["version"]
    assert {"docs", "redoc", "openapi", "ready", "metrics"} <= set(body["links"])
    for link in body["links"].values():
        assert client.get(link).status_code == 200, link
    page = client.get("/", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="http://testserver/docs"' in page.text and "/metrics" in page.text
