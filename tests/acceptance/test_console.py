"""The web console over HTTP (docs/console.md): sign-in by cookie, every page, bad input as an
HTML page of the right 4xx, and isolation — over every console route, another organization's
key never sees the first one's rows (the browser tests are in tests/browser/)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from mediabase.api.console import domains, ops, pages
from mediabase.api.console.base import COOKIE
from mediabase.collab import service as collab
from mediabase.collab.models import ClipCreate, CommentCreate
from mediabase.db.connection import Database
from tests.factories import Tenant, make_video
from tests.integration.music_world_catalog import make_catalog
from tests.integration.stories_world import make_story


def signed_in(client: TestClient, key: str) -> TestClient:
    r = client.post("/console/login", data={"key": key, "next": "/console/videos"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/videos", r.text
    cookie = r.cookies.get(COOKIE)
    assert cookie == key
    set_cookie = r.headers["set-cookie"].lower()
    assert "httponly" in set_cookie and "samesite=strict" in set_cookie and "path=/console" in set_cookie
    client.cookies.set(COOKIE, key)
    return client


async def world(db: Database, a: Tenant) -> dict[str, Any]:
    """Organization a's rows with markers that must never show up for anyone else."""
    marker = f"zanzibar{uuid.uuid4().hex[:6]}"
    vid = await make_video(db, a.owner, f"Secret {marker} meeting", n=8)
    await collab.create_comment(db, a.owner, vid, CommentCreate(body=f"comment {marker}", position_ms=2000))
    clip = await collab.create_clip(db, a.owner, vid, ClipCreate(title=f"clip {marker}", start_ms=1000, end_ms=3000))
    story = await make_story(db, a, slug=f"s{marker}")
    music = await make_catalog(db, a, name=f"Artist {marker}")
    return {"marker": marker, "video_id": vid, "clip_id": clip.id, "scene_id": story.scene, "master_id": music.master}


def console_gets() -> list[APIRoute]:
    """Every GET route of the console's routers (a new page is covered without a change here)."""
    routes = [r for r in (*pages.router.routes, *ops.router.routes, *domains.router.routes)
              if isinstance(r, APIRoute) and "GET" in (r.methods or set())]
    assert len(routes) >= 8, [r.path for r in routes]
    return routes


def fill(path: str, ids: dict[str, str]) -> str:
    def one(m: re.Match[str]) -> str:
        assert m.group(1) in ids, f"the isolation test does not know how to fill {{{m.group(1)}}} in {path}"
        return ids[m.group(1)]
    return re.sub(r"\{(\w+)\}", one, path)


async def test_sign_in_pages_and_sign_out(client: TestClient, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    w = await world(db, a)
    r = client.get("/console/videos", follow_redirects=False)  # no cookie: the sign-in form
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login?next=%2Fconsole%2Fvideos")
    bad = client.post("/console/login", data={"key": "mb_nope_nope"})
    assert bad.status_code == 401 and 'id="problem"' in bad.text and "text/html" in bad.headers["content-type"]
    empty = client.post("/console/login", data={})
    assert empty.status_code == 422 and "API key" in empty.text
    signed_in(client, a.owner_key)
    videos = client.get("/console/videos")
    assert videos.status_code == 200 and w["marker"] in videos.text
    page = client.get(f"/console/videos/{w['video_id']}", params={"t": 3})
    assert page.status_code == 200
    assert f"clip {w['marker']}" in page.text and f"comment {w['marker']}" in page.text
    assert 'class="seg current"' in page.text and "hello number 3" in page.text  # the moment at 0:03
    found = client.get("/console/search", params={"q": "hello number", "mode": "keyword"})
    assert found.status_code == 200 and f"/console/videos/{w['video_id']}?t=" in found.text
    assert "<mark>" in found.text
    assert client.get("/console/jobs").status_code == 200 and 'id="counts"' in client.get("/console/jobs/live").text
    schema = client.get("/console/schema")
    assert schema.status_code == 200 and 'id="ledger"' in schema.text and "foundation" in schema.text
    assert re.search(r">videos</a></td>\s*<td class=\"num\">1<", schema.text), "the videos table counts one row"
    rows = client.get("/console/schema/videos")
    assert rows.status_code == 200 and w["marker"] in rows.text
    assert "key_hash" not in client.get("/console/schema/api_keys").text  # secrets are never shown
    out = client.post("/console/logout", follow_redirects=False)
    assert out.status_code == 303
    client.cookies.clear()
    assert client.get("/console/videos", follow_redirects=False).status_code == 303


async def test_bad_input_is_an_html_4xx_and_never_a_500(client: TestClient, db: Database,
                                                        tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    w = await world(db, a)
    signed_in(client, a.member_key)
    cases = {
        "/console/videos/not-a-uuid": 422,
        f"/console/videos/{uuid.uuid4()}": 404,
        f"/console/videos/{w['video_id']}?t=-1": 422,
        "/console/videos?status=nonsense": 422,
        "/console/videos?language=EN_us!": 422,
        "/console/videos?cursor=%00garbage": 422,
        "/console/search?q=" + "x" * 5000: 422,
        "/console/schema/videos": 403,  # a MEMBER browses no rows at all
        "/console/schema/Robert');DROP": 422,
    }
    owner_cases = {"/console/schema/users": 404, "/console/schema/no_such_table": 404}  # shared; none
    for path, status in [*cases.items(), *owner_cases.items()]:
        client.cookies.set(COOKIE, a.owner_key if path in owner_cases else a.member_key)
        r = client.get(path)
        assert r.status_code == status, (path, r.status_code, r.text[:300])
        assert "text/html" in r.headers["content-type"] and 'id="problem"' in r.text, path
    client.cookies.set(COOKIE, a.member_key)
    nul = client.get("/console/search", params={"q": "hello\x00world"})
    assert 400 <= nul.status_code < 500 or (nul.status_code == 200 and 'id="problem"' in nul.text), nul.text[:300]
    # a MEMBER may not retry another member's job; an unknown job is a 404 page
    assert client.post(f"/console/jobs/{uuid.uuid4()}/retry").status_code == 404
    # the sign-in form never sends anyone elsewhere
    for target in ("//evil.example/x", "https://evil.example", "/console\\@evil", "/videos"):
        r = client.post("/console/login", data={"key": a.member_key, "next": target}, follow_redirects=False)
        assert r.headers["location"] == "/console/videos", target


async def test_no_console_page_shows_another_organizations_rows(client: TestClient, db: Database,
                                                               tenants: tuple[Tenant, Tenant]) -> None:
    """Every GET route of the console, its ids taken from organization a: as a's OWNER the
    markers show (so the check can fail); as b's OWNER never — a 404 page or a page without them."""
    a, b = tenants
    w = await world(db, a)
    job = client.post("/jobs", json={"type": "demo.task", "input": {"note": w["marker"]}},
                      headers={"X-API-Key": a.owner_key})
    assert job.status_code == 201, job.text
    ids = {"video_id": str(w["video_id"]), "job_id": job.json()["id"], "table": "videos",
           "clip_id": str(w["clip_id"]), "scene_id": str(w["scene_id"]), "master_id": str(w["master_id"])}
    queries = {"/console/search": {"q": "hello number", "mode": "keyword"}}
    seen_by_a = []
    for route in console_gets():
        path = fill(route.path, ids)
        client.cookies.set(COOKIE, a.owner_key)
        mine = client.get(path, params=queries.get(route.path), follow_redirects=False)
        assert mine.status_code in (200, 303), (path, mine.status_code)
        secrets = [w["marker"], *(str(w[k]) for k in ("video_id", "scene_id", "master_id"))]
        if any(x in mine.text for x in secrets):
            seen_by_a.append(route.path)
        client.cookies.set(COOKIE, b.owner_key)
        theirs = client.get(path, params=queries.get(route.path), follow_redirects=False)
        assert theirs.status_code in (200, 303, 404), (path, theirs.status_code)
        assert not [x for x in secrets if x in theirs.text], path
    assert {"/console/videos", "/console/videos/{video_id}", "/console/search", "/console/schema/{table}",
            "/console/stories", "/console/stories/scenes/{scene_id}", "/console/music",
            "/console/music/masters/{master_id}"} - set(seen_by_a) == set()
    # b's retry or cancel of a's job: not found, and the job is untouched
    client.cookies.set(COOKIE, b.owner_key)
    assert client.post(f"/console/jobs/{ids['job_id']}/cancel").status_code == 404
    status = client.get(f"/jobs/{ids['job_id']}", headers={"X-API-Key": a.owner_key}).json()["status"]
    assert status == "queued"


def test_a_worker_key_cannot_sign_in(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    made = client.post("/keys", json={"name": "w", "scope": "worker"}, headers={"X-API-Key": a.owner_key})
    r = client.post("/console/login", data={"key": made.json()["key"]}, follow_redirects=False)
    assert r.status_code == 401 and "worker" in r.text


def test_console_routes_are_not_in_the_api_schema() -> None:
    """HTML pages are no API operations: the OpenAPI schema (and the clients made from it) skips them."""
    routes = [r for r in (*pages.router.routes, *ops.router.routes, *domains.router.routes) if isinstance(r, APIRoute)]
    assert routes and not [r.path for r in routes if r.include_in_schema]
