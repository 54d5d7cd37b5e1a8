"""Data subject requests as a person and an operator meet them (issue 16, docs/governance.md): over
HTTP a member asks for an export and an erasure, the worker (a real ``mediabase worker``
subprocess) answers both; the CLI exports to a file and erases at once; bad input is a 4xx or one
line on stderr and writes nothing."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase, worker
from tests.factories import Tenant

pytestmark = pytest.mark.timeout(900)


def one(url: str, query: str, *params: Any) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, params).fetchone()
        return row[0] if row else None


def wait_for(url: str, request_id: str, seconds: float = 180) -> str:
    deadline = time.monotonic() + seconds
    status = "pending"
    while time.monotonic() < deadline:
        status = one(url, "SELECT status FROM mediabase.data_requests WHERE id = %s", request_id)
        if status in ("completed", "failed"):
            break
        time.sleep(0.3)
    return str(status)


def test_a_member_asks_the_worker_answers(
    client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant], tmp_path: Path
) -> None:
    a, b = tenants
    member = {"X-API-Key": a.member_key}
    r = client.post("/me/data-requests", headers=member, json={"kind": "export"})
    assert r.status_code == 202, r.text
    export = r.json()
    assert export["status"] == "pending" and export["deadline_at"] > export["requested_at"]
    again = client.post("/me/data-requests", headers=member, json={"kind": "export"})
    assert again.status_code == 200 and again.json()["id"] == export["id"]
    # another person sees none of it
    other = {"X-API-Key": b.member_key}
    assert client.get(f"/me/data-requests/{export['id']}", headers=other).status_code == 404
    assert client.get("/me/data-requests", headers=other).json() == []
    assert client.post(f"/me/data-requests/{export['id']}/cancel", headers=other).status_code == 404
    # bad input: 422, nothing written
    before = one(migrated_url, "SELECT count(*) FROM mediabase.data_requests")
    for body in ({"kind": "delete"}, {"kind": "erase\x00"}, {"kind": 1}, {}, {"kind": "export", "x": 1}):
        assert client.post("/me/data-requests", headers=member, json=body).status_code == 422, body
    assert client.get("/me/data-requests/not-a-uuid", headers=member).status_code == 422
    assert client.post("/me/data-requests", json={"kind": "export"}).status_code == 401
    assert one(migrated_url, "SELECT count(*) FROM mediabase.data_requests") == before

    with worker(migrated_url, tmp_path / "worker.log"):
        assert wait_for(migrated_url, export["id"]) == "completed", (tmp_path / "worker.log").read_text()[-3000:]
        done = client.get(f"/me/data-requests/{export['id']}", headers=member).json()
        assert done["summary"]["tables"]["users"] == 1 and done["archive_expires_at"]
        archive = client.get(f"/me/data-requests/{export['id']}/archive", headers=member)
        assert archive.status_code == 200 and f"member@{a.slug}.example.com" in archive.text
        assert archive.json()["format"] == "mediabase.export/1"
        assert client.post(f"/me/data-requests/{export['id']}/cancel", headers=member).status_code == 409

        erase = client.post("/me/data-requests", headers=member, json={"kind": "erase"})
        assert erase.status_code == 202, erase.text
        assert client.get(f"/me/data-requests/{erase.json()['id']}/archive", headers=member).status_code == 404
        assert wait_for(migrated_url, erase.json()["id"]) == "completed", (tmp_path / "worker.log").read_text()[-3000:]
    # the person's key went with the membership; the account is a tombstone
    assert client.get("/me/data-requests", headers=member).status_code == 401
    assert one(migrated_url, "SELECT email FROM mediabase.users WHERE email LIKE %s", f"member@{a.slug}%") is None
    assert one(migrated_url, "SELECT archive FROM mediabase.data_requests WHERE id = %s", export["id"]) is None


def test_the_operator_exports_and_erases(migrated_url: str, tenants: tuple[Tenant, Tenant], tmp_path: Path) -> None:
    a, _ = tenants
    email = f"member@{a.slug}.example.com"
    out = tmp_path / "archive.json"
    r = mediabase("users", "export", email, "-o", str(out), url=migrated_url)
    assert r.returncode == 0, r.stderr
    archive = json.loads(out.read_text(encoding="utf-8"))
    assert archive["tables"]["users"][0]["email"] == email and "password_hash" not in archive["tables"]["users"][0]

    for args, message in (
        (("users", "erase", email), "pass --yes"),
        (("users", "erase", "nobody@example.com", "--yes"), "no user with email"),
        (("users", "erase", "not-an-address", "--yes"), "give an e-mail address or a user id"),
        (("users", "erase", str(uuid.uuid4()), "--yes"), "user not found"),
        (("users", "process", "nope"), "not a request id"),
        (("users", "cancel", str(uuid.uuid4())), "not found"),
        (("users", "export", email, "-o", str(tmp_path / "missing" / "x.json")), "missing"),
    ):
        bad = mediabase(*args, url=migrated_url)
        assert bad.returncode != 0 and message in bad.stderr, (args, bad.stderr)
        assert bad.stderr.strip().count("\n") == 0, bad.stderr
    assert one(migrated_url, "SELECT erased_at FROM mediabase.users WHERE email = %s", email) is None

    r = mediabase("users", "erase", email, "--yes", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    done = json.loads(r.stdout)
    assert done["status"] == "completed" and done["summary"]["counts"]["users"] == 1
    assert one(migrated_url, "SELECT count(*) FROM mediabase.users WHERE email = %s", email) == 0
    listed = mediabase("users", "requests", "--json", url=migrated_url)
    assert listed.returncode == 0, listed.stderr
    assert [(x["kind"], x["status"]) for x in json.loads(listed.stdout)] == [("erase", "completed"),
                                                                            ("export", "completed")]
    cancel = mediabase("users", "cancel", done["id"], url=migrated_url)
    assert cancel.returncode == 1 and "only a pending request" in cancel.stderr
