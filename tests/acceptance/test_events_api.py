"""The event outbox over HTTP and from the CLI (docs/events.md): a member reads the
organization's events newest first, never another's; bad filters are 422s naming the field;
a worker's dispatcher marks them dispatched."""

from __future__ import annotations

import asyncio
import json

from fastapi.testclient import TestClient

import mediabase.jobs.testing
from mediabase.db.connection import Database
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from tests.acceptance.cli import mediabase
from tests.conftest import make_settings
from tests.factories import Tenant


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_events_over_http_and_the_cli(client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    r = client.post("/videos", headers=h(a.member_key), json={"title": "kick-off"})
    assert r.status_code == 201, r.text
    video = r.json()["id"]
    r = client.post(f"/videos/{video}/comments", headers=h(a.member_key), json={"body": "first", "position_ms": 10})
    assert r.status_code == 201, r.text
    r = client.get("/outbox", headers=h(a.member_key))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [e["type"] for e in items] == ["comment.created", "video.created"]
    assert items[1]["subject_id"] == video and items[1]["data"]["title"] == "kick-off"
    assert all(e["dispatched_at"] is None for e in items)
    # paging and filters
    r = client.get("/outbox?limit=1", headers=h(a.member_key))
    nxt = r.json()["next_cursor"]
    assert [e["type"] for e in r.json()["items"]] == ["comment.created"] and nxt
    r = client.get(f"/outbox?limit=1&cursor={nxt}", headers=h(a.member_key))
    assert [e["type"] for e in r.json()["items"]] == ["video.created"] and r.json()["next_cursor"] is None
    r = client.get(f"/outbox?subject={video}", headers=h(a.member_key))
    assert [e["type"] for e in r.json()["items"]] == ["video.created"]
    assert client.get(f"/outbox/{items[0]['id']}", headers=h(a.member_key)).json()["data"]["body"] == "first"
    # another tenant sees none of it
    assert client.get("/outbox", headers=h(b.owner_key)).json()["items"] == []
    assert client.get(f"/outbox/{items[0]['id']}", headers=h(b.owner_key)).status_code == 404
    for query, field in (("type=Video", "type"), ("subject=x", "subject"), ("limit=0", "limit"),
                         ("cursor=%00", "cursor"), ("cursor=abc", "cursor")):
        r = client.get(f"/outbox?{query}", headers=h(a.member_key))
        assert r.status_code == 422 and field in r.text, (query, r.text)
    types = {t["type"] for t in client.get("/event-types", headers=h(a.member_key)).json()}
    assert {"video.created", "video.transcribed", "comment.created", "decision.created"} <= types

    # a worker (with its maintenance connection) dispatches them
    async def work() -> None:
        async with Database(migrated_url, make_settings(migrated_url)) as db:
            w = Worker(db, JobSettings(poller_interval=0.05), maintenance_url=migrated_url, name="events-test")
            task = asyncio.create_task(w.run())
            for _ in range(200):
                async with db.transaction() as conn:
                    row = await (await conn.execute(
                        "SELECT count(*) AS n FROM mediabase.events_pending_organizations(10)")).fetchone()
                if row and row["n"] == 0:
                    break
                await asyncio.sleep(0.05)
            w.stop()
            await task

    asyncio.run(work())
    assert all(e["dispatched_at"] for e in client.get("/outbox", headers=h(a.member_key)).json()["items"])

    out = mediabase("events", "list", "--org", a.slug, "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    assert [e["type"] for e in json.loads(out.stdout)["items"]] == ["comment.created", "video.created"]
    out = mediabase("events", "list", "--org", a.slug, "--subject", "nope", url=migrated_url)
    assert out.returncode != 0 and "--subject" in out.stderr
    out = mediabase("events", "types", url=migrated_url)
    assert out.returncode == 0 and "video.transcribed" in out.stdout
