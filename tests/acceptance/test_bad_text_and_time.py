"""Issue 11, items 1 and 2: text PostgreSQL cannot hold (NUL, lone surrogates, control
characters in names) and instants outside the range PostgreSQL and Python share answer a
422 that names the field, and write nothing; a job's ``run_after`` can no longer break the
organization's job list."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.acceptance.dbstate import changed, fingerprint
from tests.factories import Tenant

FAR = "9999-12-31T23:00:00-12:00"  # year 10000 in UTC: PostgreSQL stores it, Python cannot read it


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


@pytest.fixture
def world(client: TestClient, tenants: tuple[Tenant, Tenant]) -> dict[str, str]:
    """A video with a transcript (so a speaker), a topic, a comment and a decision of org A."""
    key = tenants[0].owner_key
    vid = client.post("/videos", json={"title": "v", "duration_ms": 60_000}, headers=h(key)).json()["id"]
    r = client.post(
        f"/videos/{vid}/transcripts",
        json={"segments": [{"start_ms": 0, "end_ms": 900, "text": "hello", "speaker": "A"}]},
        headers=h(key),
    )
    assert r.status_code == 201, r.text
    speaker = client.get(f"/videos/{vid}/speakers", headers=h(key)).json()[0]["id"]
    layer = {"kind": "topics", "model": "m", "topics": [{"topic": "Release", "start_ms": 0, "end_ms": 900}]}
    assert client.post(f"/videos/{vid}/ai-layers", json=layer, headers=h(key)).status_code == 201
    topic = client.get("/topics", headers=h(key)).json()[0]["id"]
    comment = client.post(f"/videos/{vid}/comments", json={"body": "hi"}, headers=h(key)).json()["id"]
    decision = client.post("/decisions", json={"summary": "ship"}, headers=h(key)).json()["id"]
    return {"key": key, "video": vid, "speaker": speaker, "topic": topic, "comment": comment, "decision": decision}


def refused(r: Any, field: str) -> None:
    """A 422 problem document that names ``field`` (the last part of a location will do)."""
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    names = [body.get("field") or ""] + [e["field"] for e in body.get("errors", [])]
    assert any(field == n or field in n.split(".") for n in names), (field, body)


def raw_json(body: dict[str, Any]) -> bytes:
    """JSON text with ``\\uXXXX`` escapes (ASCII only), so a lone surrogate reaches the server."""
    return json.dumps(body).encode()


def body_cases(w: dict[str, str], bad: str) -> list[tuple[str, str, dict[str, Any], str]]:
    v, s, t, c, d = w["video"], w["speaker"], w["topic"], w["comment"], w["decision"]
    return [
        ("POST", "/videos", {"title": f"a{bad}b"}, "title"),
        ("POST", "/videos", {"title": "ok", "tags": [f"a{bad}b"]}, "tags"),
        ("PATCH", f"/videos/{v}", {"location": f"a{bad}b"}, "location"),
        ("POST", f"/videos/{v}/tags", {"add": [f"a{bad}b"]}, "add"),
        ("POST", f"/videos/{v}/comments", {"body": f"a{bad}b"}, "body"),
        ("PATCH", f"/comments/{c}", {"body": f"a{bad}b"}, "body"),
        ("POST", "/decision-tags", {"name": f"a{bad}b"}, "name"),
        ("PATCH", f"/topics/{t}", {"name": f"a{bad}b"}, "name"),
        ("PATCH", f"/topics/{t}", {"keywords": [f"a{bad}b"]}, "keywords"),
        ("POST", "/people", {"name": f"a{bad}b"}, "name"),
        ("PATCH", f"/videos/{v}/speakers/{s}", {"display_name": f"a{bad}b"}, "display_name"),
        ("POST", "/channels", {"name": f"a{bad}b"}, "name"),
        ("POST", "/keys", {"name": f"a{bad}b"}, "name"),
        ("POST", "/organizations", {"name": f"a{bad}b", "slug": "fresh-org"}, "name"),
        ("PATCH", "/organization", {"description": f"a{bad}b"}, "description"),
        ("POST", "/jobs", {"type": "demo.x", "idempotency_key": f"a{bad}b"}, "idempotency_key"),
        ("POST", "/jobs/claim", {"worker": "w1", "types": [f"a{bad}b"]}, "types"),
        ("POST", "/decisions", {"summary": f"a{bad}b"}, "summary"),
        ("PATCH", f"/decisions/{d}", {"context": f"a{bad}b"}, "context"),
        ("POST", f"/videos/{v}/action-items", {"title": "t", "assignee": f"a{bad}b"}, "assignee"),
        ("POST", f"/videos/{v}/quote-cards", {"quote_text": f"a{bad}b", "start_ms": 0}, "quote_text"),
        ("POST", f"/videos/{v}/share-links", {"password": f"abcd{bad}"}, "password"),
        (
            "POST",
            f"/videos/{v}/ai-layers",
            {"kind": "summary", "model": "m", "summary": {"summary": "s", "key_points": [f"a{bad}b"]}},
            "key_points",
        ),
        (
            "POST",
            f"/videos/{v}/ai-layers",
            {"kind": "topics", "model": "m", "topics": [{"topic": f"a{bad}b"}]},
            "topic",
        ),
        ("POST", f"/videos/{v}/ai-layers", {"kind": "summary", "model": f"a{bad}b"}, "model"),
        ("POST", "/videos", {"title": "ok", "metadata": {"k": f"a{bad}b"}}, "metadata"),
    ]


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "x\udfff"], ids=["nul", "high-surrogate", "low-surrogate"])
def test_text_postgresql_cannot_hold_is_a_422_naming_the_field(
    client: TestClient, world: dict[str, str], migrated_url: str, bad: str
) -> None:
    before = fingerprint(migrated_url)
    for method, path, body, field in body_cases(world, bad):
        r = client.request(
            method, path, content=raw_json(body), headers={**h(world["key"]), "Content-Type": "application/json"}
        )
        refused(r, field)
    assert changed(before, fingerprint(migrated_url)) == []


@pytest.mark.parametrize("bad", ["\x01", "\x1b[31m", "\x7f"])
def test_control_characters_are_refused_in_names(client: TestClient, world: dict[str, str], bad: str) -> None:
    hdr = h(world["key"])
    refused(client.post("/videos", json={"title": f"a{bad}b"}, headers=hdr), "title")
    refused(client.post("/channels", json={"name": f"a{bad}b"}, headers=hdr), "name")
    refused(client.post("/keys", json={"name": f"a{bad}b"}, headers=hdr), "name")
    refused(client.post(f"/videos/{world['video']}/comments", json={"body": f"a{bad}b"}, headers=hdr), "body")


def test_free_text_keeps_tabs_and_line_breaks_names_do_not(client: TestClient, world: dict[str, str]) -> None:
    hdr = h(world["key"])
    r = client.post(f"/videos/{world['video']}/comments", json={"body": "one\n\ttwo\r\nthree"}, headers=hdr)
    assert r.status_code == 201 and r.json()["body"] == "one\n\ttwo\r\nthree", r.text
    r = client.post("/videos", json={"title": "  padded  ", "description": "a\nb\tc"}, headers=hdr)
    assert r.status_code == 201 and r.json()["title"] == "padded" and r.json()["description"] == "a\nb\tc"
    refused(client.post("/videos", json={"title": "two\nlines"}, headers=hdr), "title")
    refused(client.post("/people", json={"name": "tab\there"}, headers=hdr), "name")


def test_nul_in_a_query_parameter_is_a_422_naming_it(client: TestClient, world: dict[str, str]) -> None:
    for path, params, field in [
        ("/decisions", {"q": "a\x00b"}, "q"),
        ("/decisions", {"tag": "a\x00b"}, "tag"),
        ("/search", {"q": "ok", "speaker": "a\x00b"}, "speaker"),
        ("/search", {"q": "ok", "tag": "a\x00b"}, "tag"),
        ("/search", {"q": "a\x00b"}, "q"),
        ("/videos", {"tag": "a\x00b"}, "tag"),
        ("/jobs", {"type": "a\x00b"}, "type"),
        ("/topics", {"q": "a\x00b"}, "q"),
        ("/audit", {"table": "a\x00b"}, "table"),
        ("/notifications", {"unread": "\x00"}, "unread"),
    ]:
        refused(client.get(path, params=params, headers=h(world["key"])), field)


def test_nul_in_a_path_parameter_is_a_422_naming_it(client: TestClient, world: dict[str, str]) -> None:
    refused(client.put(f"/comments/{world['comment']}/reactions/a%00b", headers=h(world["key"])), "emoji")
    refused(client.get("/share/mbs_a%00b"), "token")


def cursor(*values: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


BAD_CURSORS = [
    cursor("2024-01-01T00:00:00+00:00\x00", "01900000-0000-7000-8000-000000000000"),
    cursor("2024-01-01T00:00:00+00:00", "01900000-0000-7000-8000-00000000000\x00"),
    cursor("\ud800", "01900000-0000-7000-8000-000000000000"),
    cursor("yesterday", "01900000-0000-7000-8000-000000000000"),
    cursor("2024-01-01T00:00:00", "01900000-0000-7000-8000-000000000000"),
    cursor("2024-01-01T00:00:00+00:00", "not-a-uuid"),
    cursor(FAR, "01900000-0000-7000-8000-000000000000"),
    cursor("2024-01-01T00:00:00+00:00"),
    "%%%%",
    base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    base64.urlsafe_b64encode(b'{"a": 1}').decode(),
]


def test_a_cursor_with_nul_or_garbage_is_an_invalid_cursor(client: TestClient, world: dict[str, str]) -> None:
    for path in ("/videos", "/activity", "/audit", "/decisions"):
        for bad in BAD_CURSORS:
            r = client.get(path, params={"cursor": bad}, headers=h(world["key"]))
            refused(r, "cursor")
            assert "invalid cursor" in r.json()["detail"], (path, bad, r.text)


def test_instants_outside_the_shared_range_are_a_422_naming_the_field(
    client: TestClient, world: dict[str, str], migrated_url: str
) -> None:
    hdr, v, d = h(world["key"]), world["video"], world["decision"]
    before = fingerprint(migrated_url)
    for when in (FAR, "9999-06-01T00:00:00Z", "0001-01-01T00:00:00+14:00"):
        refused(client.post("/videos", json={"title": "t", "recorded_at": when}, headers=hdr), "recorded_at")
        refused(client.post("/videos", json={"title": "t", "retention_until": when}, headers=hdr), "retention_until")
        refused(client.patch(f"/videos/{v}", json={"recorded_at": when}, headers=hdr), "recorded_at")
        refused(client.post("/decisions", json={"summary": "s", "decided_at": when}, headers=hdr), "decided_at")
        refused(client.patch(f"/decisions/{d}", json={"decided_at": when}, headers=hdr), "decided_at")
        refused(client.post("/keys", json={"name": "k", "expires_at": when}, headers=hdr), "expires_at")
        refused(client.post(f"/videos/{v}/share-links", json={"expires_at": when}, headers=hdr), "expires_at")
        refused(client.post("/jobs", json={"type": "demo.x", "run_after": when}, headers=hdr), "run_after")
        refused(client.get("/videos", params={"recorded_from": when}, headers=hdr), "recorded_from")
        refused(client.get("/jobs", params={"before": when}, headers=hdr), "before")
        refused(client.get("/activity", params={"since": when}, headers=hdr), "since")
        refused(client.get("/search", params={"q": "x", "recorded_to": when}, headers=hdr), "recorded_to")
    assert changed(before, fingerprint(migrated_url)) == []


def test_expiries_in_the_past_and_run_after_beyond_ten_years_are_refused(
    client: TestClient, world: dict[str, str]
) -> None:
    hdr, v = h(world["key"]), world["video"]
    refused(client.post("/keys", json={"name": "k", "expires_at": "2020-01-01T00:00:00Z"}, headers=hdr), "expires_at")
    refused(
        client.post(f"/videos/{v}/share-links", json={"expires_at": "2020-01-01T00:00:00Z"}, headers=hdr),
        "expires_at",
    )
    late = {"type": "demo.x", "run_after": "2100-01-01T00:00:00Z"}
    refused(client.post("/jobs", json=late, headers=hdr), "run_after")
    # inside the window: fine (and a run_after in the past just means "now")
    r = client.post("/keys", json={"name": "k", "expires_at": "2099-01-01T00:00:00Z"}, headers=hdr)
    assert r.status_code == 201, r.text
    r = client.post("/jobs", json={"type": "demo.x", "run_after": "2030-01-01T00:00:00+14:00"}, headers=hdr)
    assert r.status_code == 201, r.text
    r = client.post("/jobs", json={"type": "demo.y", "run_after": "2001-01-01T00:00:00Z"}, headers=hdr)
    assert r.status_code == 201, r.text
    listed = client.get("/jobs", headers=hdr)
    assert listed.status_code == 200 and {"demo.x", "demo.y"} <= {j["type"] for j in listed.json()}


def test_a_json_transcript_turns_nul_into_a_replacement_character(client: TestClient, world: dict[str, str]) -> None:
    """As the file formats' readers do (found by the OpenAPI fuzz test: a NUL speaker was a 500)."""
    segs = [{"start_ms": 0, "end_ms": 900, "text": "a\x00b", "speaker": "S\x00"}]
    r = client.post(f"/videos/{world['video']}/transcripts", json={"segments": segs}, headers=h(world["key"]))
    assert r.status_code == 201, r.text
    got = client.get(f"/videos/{world['video']}/segments", headers=h(world["key"])).json()["segments"]
    assert [(s["text"], s["speaker"]) for s in got] == [("a\ufffdb", "S\ufffd")]
