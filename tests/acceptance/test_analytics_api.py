"""Viewing analytics over HTTP (docs/analytics.md): a batch of events in through POST /events
(a bad one is a 422 naming events[i].field and writes nothing, never a 500), the rollups out
through the report endpoints, another tenant sees nothing, and the retention chart is a real
PNG (and SVG) of the size asked for."""

from __future__ import annotations

import asyncio
import struct
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from mediabase import analytics
from mediabase.db.connection import Database
from tests.conftest import make_settings
from tests.factories import Tenant


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking the signature and the chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[16:29]
    assert struct.unpack(">I", data[29:33])[0] == zlib.crc32(kind + body)
    width, height = struct.unpack(">II", body[:8])
    assert data.rstrip(b"\x00")[-8:-4] == b"IEND"
    return width, height


def refresh(url: str, org: Any) -> None:
    async def go() -> None:
        async with Database(url, make_settings(url)) as db:
            await analytics.refresh(db, org)

    asyncio.run(go())


def test_events_in_rollups_and_charts_out(client: TestClient, migrated_url: str,
                                          tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    r = client.post("/videos", headers=h(a.member_key), json={"title": "kick-off", "duration_ms": 60_000})
    assert r.status_code == 201, r.text
    video = r.json()["id"]
    at = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    good = [
        {"kind": "view", "occurred_at": at, "video_id": video, "anonymous_id": "cookie-1", "client": "web/2"},
        {"kind": "watch", "occurred_at": at, "video_id": video, "anonymous_id": "cookie-1", "start_ms": 0,
         "end_ms": 30_000},
        {"kind": "watch", "occurred_at": at, "video_id": video, "user_id": str(a.member.user_id), "start_ms": 0,
         "end_ms": 60_000},
    ]
    bad: list[tuple[dict[str, Any], str]] = [
        ({"start_ms": 40_000}, "events[1].end_ms"),  # out of order
        ({"end_ms": 70_000}, "end_ms"),  # beyond the video
        ({"anonymous_id": "a\u0000b"}, "anonymous_id"),
        ({"video_id": "00000000-0000-0000-0000-000000000000"}, "events[1].video_id"),
        ({"scene_id": "00000000-0000-0000-0000-000000000000"}, "events[1].video_id"),  # two subjects
        ({"user_id": str(b.member.user_id)}, "events[1].user_id"),  # two viewers
        ({"occurred_at": "2026-01-01T00:00:00"}, "occurred_at"),  # no time zone
        ({"start_ms": "x"}, "start_ms"),
        ({"colour": "red"}, "colour"),
    ]
    for change, field in bad:
        r = client.post("/events", headers=h(a.member_key), json={"events": [good[0], {**good[1], **change}]})
        assert r.status_code == 422 and field in r.text, (change, r.status_code, r.text)
    r = client.post("/events", headers=h(b.member_key), json={"events": good})  # another tenant's video
    assert r.status_code == 422 and "events[0].video_id" in r.text, r.text
    assert client.post("/events", headers=h(a.member_key), json={"events": []}).status_code == 422
    r = client.post("/events", headers=h(a.member_key), json={"events": good})
    assert r.status_code == 201 and r.json() == {"accepted": 3}, r.text
    refresh(migrated_url, a.owner.organization_id)

    r = client.get(f"/videos/{video}/retention", headers=h(a.member_key))
    assert r.status_code == 200, r.text
    curve = r.json()
    assert curve["viewer_days"] == 2 and curve["shares"][0] == 1.0 and curve["shares"][100] == 0.5
    top = client.get("/analytics/top-videos", headers=h(a.member_key)).json()
    assert [(t["video_id"], t["watch_ms"], t["views"]) for t in top] == [(video, 90_000, 1)]
    assert client.get("/analytics/active-viewers", headers=h(a.member_key)).json()["viewers"] == 2
    assert client.get(f"/videos/{video}/talk-time", headers=h(a.member_key)).json() == []
    assert client.get("/analytics/talk-time", headers=h(a.member_key)).status_code == 200
    r = client.get(f"/channels/{video}/trend", headers=h(a.member_key))
    assert r.status_code == 404, r.text
    r = client.get("/analytics/top-videos?since=2026-02-01&until=2026-01-01", headers=h(a.member_key))
    assert r.status_code == 422 and "since" in r.text

    # the pictures: a PNG of the size asked for, an SVG
    r = client.get(f"/videos/{video}/retention.png?width=640&height=360", headers=h(a.member_key))
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert png_size(r.content) == (640, 360)
    assert png_size(client.get(f"/videos/{video}/retention.png", headers=h(a.member_key)).content) == (800, 450)
    r = client.get(f"/videos/{video}/retention.svg", headers=h(a.member_key))
    assert r.status_code == 200 and r.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in r.content and b'width="576pt"' in r.content
    assert client.get(f"/videos/{video}/retention.png?width=10", headers=h(a.member_key)).status_code == 422

    # the other tenant sees none of it
    assert client.get(f"/videos/{video}/retention", headers=h(b.owner_key)).status_code == 404
    assert client.get(f"/videos/{video}/retention.png", headers=h(b.owner_key)).status_code == 404
    assert client.get("/analytics/top-videos", headers=h(b.owner_key)).json() == []
    assert client.get("/analytics/active-viewers", headers=h(b.owner_key)).json()["viewers"] == 0
