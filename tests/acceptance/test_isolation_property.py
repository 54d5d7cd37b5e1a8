"""Property: whatever members of two organizations do through the API, no response ever
returns, changes or references the other organization's rows.

Each example drives a random sequence of operations by the OWNER and MEMBER of two
organizations, aimed at their own objects and at the other organization's; every response
is checked for the other organization's ids and marker text, and every request aimed at
the other organization's object must answer 404 and change nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import Tenant

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass
class World:
    tenants: list[Tenant]
    ids: list[set[str]] = field(default_factory=lambda: [set(), set()])  # every id seen per org
    videos: list[list[str]] = field(default_factory=lambda: [[], []])

    def learn(self, org: int, body: Any) -> None:
        self.ids[org].update(UUID_RE.findall(str(body)))


OPS = [
    "create_video",
    "list_videos",
    "get_video",
    "update_video",
    "delete_video",
    "restore_video",
    "upload_transcript",
    "segments",
    "export",
    "speakers",
    "progress",
    "tags",
    "members",
    "organization",
    "channels",
    "people",
    "transcripts",
]


def call(c: TestClient, w: World, org: int, role: int, op: str, target: int, pick: int) -> tuple[int, Any, bool]:
    """Run one operation; returns (status, body, aimed_at_other_org)."""
    t = w.tenants[org]
    key = t.owner_key if role == 0 else t.member_key
    hdr = {"X-API-Key": key}
    victim = w.videos[target]
    aimed_other = target != org and bool(victim)
    vid = victim[pick % len(victim)] if victim else "00000000-0000-0000-0000-000000000000"
    marker = f"{t.slug}-marker"
    if op == "create_video":
        r = c.post("/videos", json={"title": f"{marker} {pick}", "tags": [marker]}, headers=hdr)
        if r.status_code == 201:
            w.videos[org].append(r.json()["id"])
        return r.status_code, r.json(), False
    if op == "list_videos":
        r = c.get("/videos", params={"limit": 5 + pick % 5}, headers=hdr)
    elif op == "get_video":
        r = c.get(f"/videos/{vid}", headers=hdr)
    elif op == "update_video":
        r = c.patch(f"/videos/{vid}", json={"description": f"{marker} edit"}, headers=hdr)
    elif op == "delete_video":
        r = c.delete(f"/videos/{vid}", headers=hdr)
    elif op == "restore_video":
        r = c.post(f"/videos/{vid}/restore", headers=hdr)
    elif op == "upload_transcript":
        r = c.post(
            f"/videos/{vid}/transcripts",
            json={"segments": [{"start_ms": 0, "end_ms": 1000, "text": f"{marker} said", "speaker": f"{marker}-spk"}]},
            headers=hdr,
        )
    elif op == "segments":
        r = c.get(f"/videos/{vid}/segments", headers=hdr)
    elif op == "export":
        r = c.get(f"/videos/{vid}/export", params={"format": "json"}, headers=hdr)
    elif op == "speakers":
        r = c.get(f"/videos/{vid}/speakers", headers=hdr)
    elif op == "progress":
        r = c.put(f"/videos/{vid}/progress", json={"position_ms": 10}, headers=hdr)
    elif op == "tags":
        r = c.post(f"/videos/{vid}/tags", json={"add": [marker]}, headers=hdr)
    elif op == "members":
        r = c.get("/members", headers=hdr)
    elif op == "organization":
        r = c.get("/organization", headers=hdr)
    elif op == "channels":
        r = (
            c.post("/channels", json={"name": f"{marker} {pick}"}, headers=hdr)
            if pick % 2
            else c.get("/channels", headers=hdr)
        )
    elif op == "people":
        r = c.get("/people", headers=hdr)
    else:
        r = c.get(f"/videos/{vid}/transcripts", headers=hdr)
    body: Any = r.json() if r.content and "json" in r.headers.get("content-type", "") else r.text
    return (
        r.status_code,
        body,
        aimed_other and op not in {"list_videos", "members", "organization", "channels", "people"},
    )


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from(OPS), st.integers(0, 1), st.integers(0, 1000)),
        min_size=1,
        max_size=25,
    )
)
def test_no_response_crosses_organizations(
    client: TestClient, tenants: tuple[Tenant, Tenant], steps: list[tuple[int, int, str, int, int]]
) -> None:
    w = World(list(tenants))
    for org in (0, 1):  # each organization starts with a video of its own
        call(client, w, org, 0, "create_video", org, 0)
        w.learn(org, client.get("/organization", headers={"X-API-Key": w.tenants[org].owner_key}).json())
        w.learn(org, client.get("/members", headers={"X-API-Key": w.tenants[org].owner_key}).json())
    for org, role, op, target, pick in steps:
        status, body, aimed_other = call(client, w, org, role, op, target, pick)
        other = 1 - org
        text = str(body)
        assert status < 500, (op, status, body)
        leaked = w.ids[other] & set(UUID_RE.findall(text))
        assert not leaked, f"{op} by org {org} returned ids of org {other}: {leaked}"
        assert f"{w.tenants[other].slug}-marker" not in text, f"{op} leaked the other organization's text"
        if aimed_other:
            assert status == 404, (op, status, body)
        else:
            w.learn(org, body)
    # nothing aimed at the other organization changed it: its rows carry only its own marker
    for org in (0, 1):
        own = {"X-API-Key": w.tenants[org].owner_key}
        for vid in w.videos[org]:
            r = client.get(f"/videos/{vid}", params={"include_deleted": True}, headers=own)
            assert f"{w.tenants[1 - org].slug}-marker" not in r.text
            seg = client.get(f"/videos/{vid}/segments", headers=own)
            assert f"{w.tenants[1 - org].slug}-marker" not in seg.text
