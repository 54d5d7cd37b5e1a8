"""The music catalog and V Studio over HTTP through the real app: roles, an artist's master,
credits, a contract drafted, refused off 10,000 bps and signed, a studio vote; bad input is a 4xx
naming the field with nothing written, another tenant's rows are 404, a wrong role 403."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from tests.conftest import make_settings
from tests.factories import Tenant


@pytest.fixture
def server(migrated_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(migrated_url), url=migrated_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json() if r.content else None


def problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    return body


def test_catalog_contract_and_studio(server: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    c, own, mem, other = server, h(a.owner_key), h(a.member_key), h(b.owner_key)
    member = str(a.member.user_id)
    problem(c.post("/music/roles", json={"user_id": member, "role": "artist"}, headers=mem), 403)
    ok(c.post("/music/roles", json={"user_id": member, "role": "artist"}, headers=own))
    assert [r["role"] for r in ok(c.get("/music/roles", headers=mem))] == ["artist"]
    artist = ok(c.post("/music/artists", json={"name": "Nova", "user_id": member}, headers=own), 201)
    assert artist["slug"] == "nova"
    problem(c.post("/music/artists", json={"name": "Nova"}, headers=own), 409)
    producer = ok(c.post("/music/producers", json={"name": "Deep Room"}, headers=own), 201)
    body = problem(
        c.post("/music/masters", json={"artist_id": artist["id"], "title": "One", "isrc": "bad"}, headers=mem), 422
    )
    assert "isrc" in str(body)
    master = ok(c.post("/music/masters", json={"artist_id": artist["id"], "title": "One"}, headers=mem), 201)
    assert ok(c.get("/music/masters", headers=own))[0]["id"] == master["id"]
    problem(c.get(f"/music/masters/{master['id']}", headers=other), 404)
    problem(c.patch(f"/music/masters/{master['id']}", json={"status": "published"}, headers=mem), 409)
    ok(c.patch(f"/music/masters/{master['id']}", json={"status": "review"}, headers=mem))
    ok(
        c.post(
            f"/music/masters/{master['id']}/credits",
            json={"producer_id": producer["id"], "role": "mixing"},
            headers=mem,
        )
    )
    splits = [
        {"party": "artist", "artist_id": artist["id"], "bps": 7000},
        {"party": "producer", "producer_id": producer["id"], "bps": 500},
        {"party": "investors", "bps": 2500},
    ]
    body = problem(c.post(f"/music/masters/{master['id']}/contracts", json={"splits": splits[:2]}, headers=own), 422)
    assert "splits" in str(body)
    assert ok(c.get(f"/music/masters/{master['id']}/contracts", headers=mem)) == []
    problem(c.post(f"/music/masters/{master['id']}/contracts", json={"splits": splits}, headers=mem), 403)
    v1 = ok(c.post(f"/music/masters/{master['id']}/contracts", json={"splits": splits}, headers=own), 201)
    problem(c.get(f"/music/contracts/{v1['id']}", headers=other), 404)
    signed = ok(c.post(f"/music/contracts/{v1['id']}/sign", headers=own))
    assert (signed["version"], signed["status"]) == (1, "signed")
    problem(c.patch(f"/music/contracts/{v1['id']}", json={"notes": "x"}, headers=own), 409)
    assert ok(c.get(f"/music/masters/{master['id']}/contract", headers=mem))["id"] == v1["id"]
    now = datetime.now(UTC)
    session = ok(
        c.post(
            "/music/studio/sessions",
            json={
                "master_id": master["id"],
                "title": "Which mix?",
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(hours=1)).isoformat(),
                "options": ["Warm", "Bright"],
            },
            headers=mem,
        ),
        201,
    )
    problem(
        c.post(
            "/music/studio/sessions",
            json={
                "master_id": master["id"],
                "title": "Bad",
                "opens_at": now.isoformat(),
                "closes_at": now.isoformat(),
                "options": ["a", "b"],
            },
            headers=own,
        ),
        422,
    )
    ok(
        c.post(
            f"/music/studio/sessions/{session['id']}/vote", json={"option_id": session["options"][1]["id"]}, headers=mem
        )
    )
    tally = ok(c.get(f"/music/studio/sessions/{session['id']}/tally", headers=own))
    assert [(t["label"], t["votes"]) for t in tally] == [("Warm", 0), ("Bright", 1)]
    problem(c.get(f"/music/studio/sessions/{session['id']}/tally", headers=other), 404)
