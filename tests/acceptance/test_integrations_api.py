"""Integrations over HTTP, through a real client (docs/integrations.md): accounts never answer or
log their secrets; the incoming-webhook endpoint stores a signed event once and enqueues its
processing, answers Zoom's challenge, and refuses a bad, missing or stale signature, an unknown
account, a malformed body, a paused account, a missing key and a body too large — each writing
nothing."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.integrations import zoom
from mediabase.integrations.crypto import new_key
from tests.acceptance.dbstate import Watch
from tests.factories import Tenant
from tests.log_privacy import watch

DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
ACCESS, REFRESH, HOOK = "zoom-api-access-token-5678", "zoom-api-refresh-token-8765", "whsec-api-zoom-secret"
watch(ACCESS, REFRESH, HOOK, "fixture-download-token-not-a-real-one")


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def signed(body: bytes, secret: str = HOOK, ts: float | None = None) -> dict[str, str]:
    stamp = str(int(time.time() if ts is None else ts))
    return {zoom.TIMESTAMP_HEADER: stamp, zoom.SIGNATURE_HEADER: zoom.sign(secret, stamp, body),
            "content-type": "application/json"}


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> str:
    key = new_key()
    monkeypatch.setenv("MEDIABASE_INTEGRATIONS_KEY", key)
    return key


def connect(client: TestClient, t: Tenant, **extra: Any) -> dict[str, Any]:
    body = {"provider": "zoom", "external_account_id": "fixture-account", "display_name": "Zoom",
            "scopes": ["recording:read"], "access_token": ACCESS, "refresh_token": REFRESH, "webhook_secret": HOOK,
            **extra}
    r = client.post("/integrations/accounts", headers=h(t.owner_key), json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def test_accounts_never_answer_or_log_their_secrets(
        client: TestClient, tenants: tuple[Tenant, Tenant], keyed: str, caplog: pytest.LogCaptureFixture) -> None:
    a, b = tenants
    caplog.set_level(logging.DEBUG)
    account = connect(client, a)
    assert account["has_access_token"] and account["has_webhook_secret"] and account["secrets_key_id"]
    answers = [client.get("/integrations/accounts", headers=h(a.owner_key)),
               client.get(f"/integrations/accounts/{account['id']}", headers=h(a.owner_key)),
               client.put(f"/integrations/accounts/{account['id']}/secrets", headers=h(a.owner_key),
                          json={"access_token": ACCESS + "-2"}),
               client.patch(f"/integrations/accounts/{account['id']}", headers=h(a.owner_key),
                            json={"display_name": "Zoom (sales)"})]
    assert [r.status_code for r in answers] == [200, 200, 200, 200]
    for r in [*answers, client.get("/openapi.json")]:
        for secret in (ACCESS, REFRESH, HOOK):
            assert secret not in r.text
    assert json.dumps(account).count("token") == 3  # the flags and token_expires_at, no value
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert all(s not in logged for s in (ACCESS, REFRESH, HOOK))
    # bad input names its field; the wrong role and another tenant are refused
    for bad, field in (({"provider": "teams"}, "provider"), ({"webhook_secret": "has space"}, "webhook_secret"),
                       ({"external_account_id": "x\x00"}, "external_account_id"), ({"scopes": ["a b"]}, "scopes"),
                       ({"token_expires_at": "2030-01-01T00:00:00Z"}, "token_expires_at")):
        r = client.post("/integrations/accounts", headers=h(a.owner_key),
                        json={"provider": "zoom", "external_account_id": "other", **bad})
        assert r.status_code == 422 and field in r.text, (bad, r.text)
    assert client.post("/integrations/accounts", headers=h(a.owner_key),
                       json={"provider": "zoom", "external_account_id": "fixture-account"}).status_code == 409
    assert client.get("/integrations/accounts", headers=h(a.member_key)).status_code == 403
    assert client.get(f"/integrations/accounts/{account['id']}", headers=h(b.owner_key)).status_code == 404
    assert client.delete(f"/integrations/accounts/{account['id']}", headers=h(b.owner_key)).status_code == 404


def rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_a_signed_event_is_stored_once_and_everything_else_writes_nothing(
        client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant], keyed: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    a, _ = tenants
    account = connect(client, a)
    url = f"/integrations/zoom/webhooks/{account['id']}"
    body = (DATA / "recording.completed.json").read_bytes()
    w = Watch(migrated_url)
    try:
        first = client.post(url, content=body, headers=signed(body))
        assert first.status_code == 200, first.text
        assert first.json()["status"] == "stored"
        changed = w.changes()
        assert sorted(t for t in changed if not t.startswith("jobs")) == ["integration_events", "job_idempotency_keys"]
        assert any(t.startswith("jobs") for t in changed)  # the job (a partition of jobs)
        # Zoom delivers again (a retry): the same body, a new timestamp and signature
        again = client.post(url, content=body, headers=signed(body))
        assert again.status_code == 200
        assert again.json() == {"status": "duplicate", "event_id": first.json()["event_id"]}
        assert w.changes() == []
        refused = [
            ("bad signature", client.post(url, content=body, headers=signed(body, secret="not-the-secret")), 401),
            ("no signature", client.post(url, content=body, headers={"content-type": "application/json"}), 401),
            ("stale", client.post(url, content=body, headers=signed(body, ts=time.time() - 301)), 401),
            ("changed body", client.post(url, content=body + b" ", headers=signed(body)), 401),
            ("unknown account", client.post("/integrations/zoom/webhooks/01234567-89ab-7def-8123-456789abcdef",
                                            content=body, headers=signed(body)), 404),
            ("no receiver", client.post(f"/integrations/slack/webhooks/{account['id']}", content=body,
                                        headers=signed(body)), 404),
            ("not json", client.post(url, content=b"{not json", headers=signed(b"{not json")), 422),
            ("not an object", client.post(url, content=b"[1]", headers=signed(b"[1]")), 422),
            ("no event", client.post(url, content=b'{"payload": {}}', headers=signed(b'{"payload": {}}')), 422),
        ]
        bad_shape = json.loads(body)
        del bad_shape["payload"]["object"]["start_time"]
        raw = json.dumps(bad_shape).encode()
        refused.append(("bad recording", client.post(url, content=raw, headers=signed(raw)), 422))
        nul = json.dumps({"event": "meeting.started", "payload": {"x": "a\u0000b"}}).encode()
        refused.append(("NUL", client.post(url, content=nul, headers=signed(nul)), 422))
        huge = b'{"event": "x", "pad": "' + b"x" * (1024 * 1024) + b'"}'
        refused.append(("too large", client.post(url, content=huge, headers=signed(huge)), 413))
        for what, r, code in refused:
            assert r.status_code == code, (what, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json"), what
            assert w.changes() == [], what
        assert "start_time" in refused[-3][1].json()["detail"]
        # Zoom's challenge: answered, nothing stored
        challenge = json.dumps({"event": "endpoint.url_validation", "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
                                "event_ts": 1654503849680}).encode()
        r = client.post(url, content=challenge, headers=signed(challenge))
        assert r.status_code == 200 and r.json()["plainToken"] == "qgg8vlvZRS6UYooatFL8Aw"
        assert r.json()["encryptedToken"] == zoom.url_validation(HOOK, json.loads(challenge))["encryptedToken"]
        assert w.changes() == []
        # a paused account, and a server without the key, refuse too
        assert client.patch(f"/integrations/accounts/{account['id']}", headers=h(a.owner_key),
                            json={"status": "paused"}).status_code == 200
        w.changes()
        assert client.post(url, content=body + b"\n", headers=signed(body + b"\n")).status_code == 409
        assert w.changes() == []
        client.patch(f"/integrations/accounts/{account['id']}", headers=h(a.owner_key), json={"status": "active"})
        w.changes()
        monkeypatch.delenv("MEDIABASE_INTEGRATIONS_KEY")
        r = client.post(url, content=body + b"\n", headers=signed(body + b"\n"))
        assert r.status_code == 503 and "MEDIABASE_INTEGRATIONS_KEY" not in r.text  # the operator's log says
        assert w.changes() == []
    finally:
        w.close()
    # the stored event: its download token sealed apart, not in the payload nor in any answer
    (payload, sealed), = rows(migrated_url,
                              "SELECT payload::text, secrets_enc IS NOT NULL FROM mediabase.integration_events")
    assert sealed and "fixture-download-token" not in payload
    events = client.get(f"/integrations/accounts/{account['id']}/events", headers=h(a.owner_key))
    assert events.status_code == 200 and [e["status"] for e in events.json()] == ["received"]
    assert "fixture-download-token" not in events.text and "download_token" not in events.text
    (job,), = rows(migrated_url, "SELECT input->>'event_id' FROM mediabase.jobs WHERE type = 'integrations.process'")
    assert job == first.json()["event_id"]
