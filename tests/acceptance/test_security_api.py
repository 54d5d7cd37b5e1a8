"""The security log over HTTP and from the CLI (docs/security.md): sign-ins recorded with the
request's id, admins only, bad filters a 422, the unattributed failures for operators."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase
from tests.factories import Tenant


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key, "User-Agent": "sec-test/1.0"}


def test_events_over_http(client: TestClient, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    r = client.get("/security/events", headers={**h(a.owner_key), "X-Request-ID": "req-sec-1"})
    assert r.status_code == 200, r.text
    page: dict[str, Any] = r.json()
    login = page["items"][0]  # the request itself signed in first (the key's first use)
    assert login["kind"] == "login" and login["request_id"] == "req-sec-1"
    assert login["user_agent"] == "sec-test/1.0" and len(login["ip_hash"]) == 64
    assert {e["kind"] for e in page["items"]} == {"login", "key_created", "member_added"}
    # a member may not read it
    r = client.get("/security/events", headers=h(a.member_key))
    assert r.status_code == 403 and "ADMIN" in r.json()["detail"]
    # bad filters are 422s naming the field
    for query, field in (
        ("kind=nope", "kind"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("user=not-a-uuid", "user"),
        ("cursor=%00", "cursor"),
    ):
        r = client.get(f"/security/events?{query}", headers=h(a.owner_key))
        assert r.status_code == 422, (query, r.text)
        assert field in r.text, (query, r.text)
    r = client.get("/security/events?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", headers=h(a.owner_key))
    assert r.status_code == 422 and "since" in r.text
    # a wrong secret for B's key: the same 401 as a key of nobody's, and nothing in A's log
    wrong = b.member_key.rsplit("_", 1)[0] + "_" + "x" * 43
    answers = [client.get("/security/events", headers=h(k)) for k in (wrong, "mb_zzzzzzzzzzzz_" + "x" * 43)]
    assert [r.status_code for r in answers] == [401, 401] and answers[0].json() == answers[1].json()
    r = client.get("/security/events?kind=login_failed", headers=h(a.owner_key))
    assert r.json()["items"] == []
    r = client.get("/security/events?kind=login_failed", headers=h(b.owner_key))
    assert [e["details"]["reason"] for e in r.json()["items"]] == ["wrong_secret"]


def test_events_from_the_cli(client: TestClient, tenants: tuple[Tenant, Tenant], migrated_url: str) -> None:
    a, _ = tenants
    client.get("/organization", headers=h("mb_zzzzzzzzzzzz_" + "x" * 43))
    out = mediabase("security", "events", "--org", a.slug, "--kind", "key_created", url=migrated_url)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("key_created") == 2 and a.owner_key.split("_", 2)[2] not in out.stdout
    out = mediabase("security", "events", "--unattributed", "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    assert '"unknown_key"' in out.stdout
    bad = mediabase("security", "events", "--org", a.slug, "--since", "soon", url=migrated_url)
    assert bad.returncode == 1 and "--since" in bad.stderr
    both = mediabase("security", "events", url=migrated_url)
    assert both.returncode == 1 and "--unattributed" in both.stderr
