"""Outgoing webhooks over HTTP and from the CLI (docs/webhooks.md): an ADMIN manages endpoints,
the secret is answered once (create, rotate) and never by list or get; every bad input is a 4xx
naming the field and writes nothing; a member, a worker key and another tenant are refused."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.acceptance.cli import mediabase
from tests.factories import Tenant
from tests.log_privacy import watch


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def test_endpoints_over_http(client: TestClient, tenants: tuple[Tenant, Tenant],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    a, b = tenants
    body = {"url": "https://hooks.example.com/in", "event_types": ["video.created"], "description": "ci"}
    r = client.post("/webhooks/endpoints", headers=h(a.owner_key), json=body)
    assert r.status_code == 201, r.text
    ep = r.json()
    watch(ep["secret"])
    assert ep["secret"].startswith("whsec_") and ep["event_types"] == ["video.created"]
    listed = client.get("/webhooks/endpoints", headers=h(a.owner_key))
    got = client.get(f"/webhooks/endpoints/{ep['id']}", headers=h(a.owner_key))
    assert listed.status_code == got.status_code == 200
    for text in (listed.text, got.text):
        assert ep["secret"] not in text and "secret\"" not in text.replace("previous_secret_expires_at\"", "")

    # bad input: a 4xx naming the field, nothing written
    for bad, field in (({**body, "url": "http://hooks.example.com/in"}, "url"),
                       ({**body, "url": "https://hooks.example.com/\x00"}, "url"),
                       ({**body, "url": "https://u:p@hooks.example.com/"}, "url"),
                       ({**body, "event_types": ["video.exploded"]}, "event_types"),
                       ({**body, "event_types": []}, "event_types"),
                       ({**body, "event_types": "video.created"}, "event_types"),
                       ({**body, "event_types": ["webhook.test"]}, "event_types"),
                       ({**body, "description": "nul\x00"}, "description"),
                       ({**body, "description": "x" * 501}, "description"),
                       ({**body, "secret": "whsec_mine"}, "secret")):
        r = client.post("/webhooks/endpoints", headers=h(a.owner_key), json=bad)
        assert r.status_code in (400, 422) and field in r.text, (bad, r.text)
    assert len(client.get("/webhooks/endpoints", headers=h(a.owner_key)).json()) == 1
    # wrong role, other tenant
    assert client.post("/webhooks/endpoints", headers=h(a.member_key), json=body).status_code == 403
    assert client.get("/webhooks/endpoints", headers=h(a.member_key)).status_code == 403
    assert client.get("/webhooks/deliveries", headers=h(a.member_key)).status_code == 403
    for method, path in (("GET", ""), ("PATCH", ""), ("DELETE", ""), ("POST", "/disable"), ("POST", "/enable"),
                         ("POST", "/rotate-secret"), ("POST", "/test")):
        r = client.request(method, f"/webhooks/endpoints/{ep['id']}{path}", headers=h(b.owner_key),
                           json={} if method == "PATCH" else None)
        assert r.status_code == 404, (method, path, r.text)
    assert client.get("/webhooks/endpoints", headers=h(b.owner_key)).json() == []
    assert client.get("/webhooks/endpoints/not-a-uuid", headers=h(a.owner_key)).status_code == 422

    # update, disable, enable, rotate
    r = client.patch(f"/webhooks/endpoints/{ep['id']}", headers=h(a.owner_key),
                     json={"event_types": ["comment.created", "video.created"], "url": "http://127.0.0.1:9/x"})
    assert r.status_code == 200 and r.json()["event_types"] == ["comment.created", "video.created"], r.text
    assert client.patch(f"/webhooks/endpoints/{ep['id']}", headers=h(a.owner_key),
                        json={"url": "ftp://x"}).status_code == 422
    r = client.post(f"/webhooks/endpoints/{ep['id']}/disable", headers=h(a.owner_key), json={"reason": "maintenance"})
    assert r.status_code == 200 and r.json()["disabled_reason"] == "maintenance"
    assert client.post(f"/webhooks/endpoints/{ep['id']}/test", headers=h(a.owner_key)).status_code == 409
    r = client.post(f"/webhooks/endpoints/{ep['id']}/enable", headers=h(a.owner_key))
    assert r.status_code == 200 and r.json()["disabled_at"] is None
    r = client.post(f"/webhooks/endpoints/{ep['id']}/rotate-secret", headers=h(a.owner_key))
    assert r.status_code == 200 and r.json()["secret"] != ep["secret"]
    watch(r.json()["secret"])

    # a test event: a pending delivery, listed by endpoint, event and status
    r = client.post(f"/webhooks/endpoints/{ep['id']}/test", headers=h(a.owner_key))
    assert r.status_code == 202 and r.json()["status"] == "pending", r.text
    d = r.json()
    for q in (f"endpoint={ep['id']}", f"event={d['event_id']}", "status=pending", ""):
        items = client.get(f"/webhooks/deliveries?{q}", headers=h(a.owner_key)).json()["items"]
        assert [x["id"] for x in items] == [d["id"]], q
    assert client.get("/webhooks/deliveries?status=delivered", headers=h(a.owner_key)).json()["items"] == []
    for q, field in (("status=lost", "status"), ("endpoint=x", "endpoint"), ("limit=0", "limit"),
                     ("cursor=abc", "cursor")):
        r = client.get(f"/webhooks/deliveries?{q}", headers=h(a.owner_key))
        assert r.status_code == 422 and field in r.text, (q, r.text)
    r = client.get(f"/webhooks/deliveries/{d['id']}", headers=h(a.owner_key))
    assert r.status_code == 200 and r.json()["attempts_made"] == []
    assert client.get(f"/webhooks/deliveries/{d['id']}", headers=h(b.owner_key)).status_code == 404
    assert client.post(f"/webhooks/deliveries/{d['id']}/redeliver", headers=h(a.owner_key)).status_code == 409
    assert client.post(f"/webhooks/deliveries/{d['id']}/redeliver", headers=h(b.owner_key)).status_code == 404

    assert client.delete(f"/webhooks/endpoints/{ep['id']}", headers=h(a.owner_key)).status_code == 204
    assert client.get(f"/webhooks/endpoints/{ep['id']}", headers=h(a.owner_key)).status_code == 404
    assert client.get("/webhooks/deliveries", headers=h(a.owner_key)).json()["items"] == []


@pytest.mark.timeout(300)  # a dozen commands, each a process of its own
def test_endpoints_from_the_cli(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    out = mediabase("webhooks", "create", "--org", a.slug, "--url", "https://hooks.example.com/x",
                    "--event", "video.created", "--event", "comment.created", "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    ep = json.loads(out.stdout)
    watch(ep["secret"])
    out = mediabase("webhooks", "list", "--org", a.slug, "--json", url=migrated_url)
    assert out.returncode == 0 and ep["secret"] not in out.stdout
    assert [e["id"] for e in json.loads(out.stdout)] == [ep["id"]]
    for args, says in ((("create", "--url", "http://hooks.example.com/x", "--event", "video.created"), "url"),
                       (("create", "--url", "https://hooks.example.com/x", "--event", "nope.nope"), "event"),
                       (("show", "01a24d8c-71e7-777c-9d70-993f02d6fdd9"), "not found")):
        out = mediabase("webhooks", *args, "--org", a.slug, url=migrated_url)
        assert out.returncode != 0 and says in out.stderr, (args, out.stderr)
    out = mediabase("webhooks", "test", ep["id"], "--org", a.slug, "--json", url=migrated_url)
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    out = mediabase("webhooks", "deliveries", "--org", a.slug, "--endpoint", ep["id"], "--json", url=migrated_url)
    assert [x["id"] for x in json.loads(out.stdout)["items"]] == [d["id"]]
    out = mediabase("webhooks", "delivery", d["id"], "--org", a.slug, url=migrated_url)
    assert out.returncode == 0 and "webhook.test" in out.stdout
    out = mediabase("webhooks", "redeliver", d["id"], "--org", a.slug, url=migrated_url)
    assert out.returncode != 0 and "pending already" in out.stderr
    out = mediabase("webhooks", "disable", ep["id"], "--reason", "off", "--org", a.slug, url=migrated_url)
    assert out.returncode == 0, out.stderr
    out = mediabase("webhooks", "rotate-secret", ep["id"], "--org", a.slug, "--json", url=migrated_url)
    assert out.returncode == 0 and json.loads(out.stdout)["secret"] != ep["secret"]
    watch(json.loads(out.stdout)["secret"])
    out = mediabase("webhooks", "delete", ep["id"], "--org", a.slug, url=migrated_url)
    assert out.returncode == 0, out.stderr
