"""Billing over HTTP as a client meets it: plans, a subscription (201, then 409), the books, usage
(201, then 200 for the same key), entitlements, roles and tenants (403, 404), bad input (4xx naming
the field, nothing written), and the provider's signed webhook (recorded once; a bad or stale
signature is a 401)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mediabase.billing.generator import LogGenerator, Subscriber
from mediabase.billing.provider import sign
from mediabase.billing.settings import get_billing_settings
from mediabase.db.connection import Database
from tests.acceptance.dbstate import fingerprint
from tests.factories import Tenant
from tests.integration.billing_world import make_catalog

SECRET = "whsec_test_0123456789abcdef"


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
def webhook_secret(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("MEDIABASE_BILLING_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("MEDIABASE_BILLING_PROVIDER", "offline")
    get_billing_settings.cache_clear()
    yield SECRET
    get_billing_settings.cache_clear()


async def test_subscriptions_books_and_usage_over_http(
    client: TestClient, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    await make_catalog(owner_db)
    a, b = tenants
    plans = ok(client.get("/billing/plans", headers=h(a.member_key)))
    assert {p["code"] for p in plans} == {"pro", "team"} and all(p["prices"] for p in plans)

    body = {"price": "team-monthly-usd", "quantity": 2}
    assert client.post("/billing/subscriptions", json=body, headers=h(a.member_key)).status_code == 403
    sub = ok(client.post("/billing/subscriptions", json=body, headers=h(a.owner_key)), 201)
    assert not sub["pending"] and sub["subscription"]["status"] == "active"
    sid = sub["subscription"]["id"]
    again = client.post("/billing/subscriptions", json=body, headers=h(a.owner_key))
    assert again.status_code == 409 and "live subscription" in again.json()["detail"]
    before = fingerprint(migrated_url)
    for bad, field in (({"price": "team-monthly-usd", "quantity": 0}, "quantity"),
                       ({"price": "a\u0000b"}, "price"), ({"price": "x", "extra": 1}, "extra"),
                       ({"price": "team-monthly-usd", "trial_days": -1}, "trial_days")):
        r = client.post("/billing/subscriptions", json=bad, headers=h(b.owner_key))
        assert r.status_code == 422 and field in r.text, r.text
    assert client.post("/billing/subscriptions", json={"price": "nope"}, headers=h(b.owner_key)).status_code == 404
    assert fingerprint(migrated_url) == before

    invoices = ok(client.get("/billing/invoices", headers=h(a.member_key)))["items"]
    assert [(i["status"], i["total"]) for i in invoices] == [("paid", 9800)]
    one = ok(client.get(f"/billing/invoices/{invoices[0]['id']}", headers=h(a.member_key)))
    assert sum(x["amount"] for x in one["lines"]) == one["total"]
    assert ok(client.get("/billing/payments", headers=h(a.member_key)))["items"][0]["amount"] == 9800
    assert ok(client.get("/billing/refunds", headers=h(a.member_key)))["items"] == []
    assert ok(client.get("/billing/events", params={"type": "customer.subscription"}, headers=h(a.member_key)))[
        "items"][0]["type"] == "customer.subscription.created"
    assert client.get("/billing/invoices", params={"status": "late"}, headers=h(a.member_key)).status_code == 422

    # the other tenant sees none of it and changes none of it
    assert client.get(f"/billing/subscriptions/{sid}", headers=h(b.owner_key)).status_code == 404
    assert client.get(f"/billing/invoices/{invoices[0]['id']}", headers=h(b.owner_key)).status_code == 404
    assert ok(client.get("/billing/invoices", headers=h(b.owner_key)))["items"] == []
    assert client.post(f"/billing/subscriptions/{sid}/cancel", json={}, headers=h(b.owner_key)).status_code == 404

    usage = {"metric": "transcription_minutes", "quantity": 42, "idempotency_key": "job-1"}
    first = ok(client.post("/billing/usage", json=usage, headers=h(a.member_key)), 201)
    assert ok(client.post("/billing/usage", json=usage, headers=h(a.member_key)))["id"] == first["id"]
    assert client.post("/billing/usage", json={**usage, "quantity": 43}, headers=h(a.member_key)).status_code == 409
    for change, status in (({"metric": "nope"}, 404), ({"quantity": -1}, 422)):
        r = client.post("/billing/usage", json={**usage, **change, "idempotency_key": "job-2"}, headers=h(a.member_key))
        assert r.status_code == status, r.text
    per = ok(client.get("/billing/usage", headers=h(a.owner_key)))
    assert [(u["metric"], u["quantity"]) for u in per] == [("transcription_minutes", 42)]
    ent = ok(client.get("/billing/entitlements", headers=h(a.member_key)))
    assert {f["feature"]: f["used"] for f in ent["features"]} == {"seats": 2, "transcription_minutes": 42}

    changed = ok(client.post(f"/billing/subscriptions/{sid}/change", json={"price": "pro-monthly-usd"},
                             headers=h(a.owner_key)))
    assert changed["plan_code"] == "pro"
    canceled = ok(client.post(f"/billing/subscriptions/{sid}/cancel", json={}, headers=h(a.owner_key)))
    assert canceled["status"] == "canceled"
    assert ok(client.get("/billing/subscriptions", params={"live": True}, headers=h(a.owner_key))) == []


def signed(client: TestClient, event: dict[str, Any], *, secret: str = SECRET, at: int | None = None,
           provider: str = "offline") -> Any:
    body = json.dumps(event).encode()
    return client.post(f"/billing/webhooks/{provider}", content=body,
                       headers={"Stripe-Signature": sign(body, secret, at), "Content-Type": "application/json"})


async def test_the_webhook_verifies_records_once_and_applies(
    client: TestClient, owner_db: Database, tenants: tuple[Tenant, Tenant], webhook_secret: str, migrated_url: str
) -> None:
    prices = await make_catalog(owner_db)
    a = tenants[0]
    events = list(LogGenerator([Subscriber(a.owner.organization_id)], prices, seed=4).events(12))
    first = ok(signed(client, events[0]))
    assert (first["read"], first["recorded"]) == (1, 1)
    assert ok(signed(client, events[0]))["recorded"] == 0  # the provider retried: recorded once
    for e in events[1:]:
        ok(signed(client, e))
    subs = ok(client.get("/billing/subscriptions", headers=h(a.owner_key)))
    assert len(subs) == 1 and subs[0]["provider_subscription_id"] == events[1]["data"]["object"]["id"]
    assert {e["source"] for e in ok(client.get("/billing/events", headers=h(a.owner_key)))["items"]} == {"webhook"}

    before = fingerprint(migrated_url)
    body = json.dumps(events[3]).encode()
    stale = sign(body, SECRET, int(time.time()) - 3600)
    for headers in ({}, {"Stripe-Signature": "t=1,v1=00"}, {"Stripe-Signature": sign(body, "whsec_wrong")},
                    {"Stripe-Signature": stale}, {"Stripe-Signature": "garbage"}):
        r = client.post("/billing/webhooks/offline", content=body, headers=headers)
        assert r.status_code == 401, r.text
    assert signed(client, events[3], provider="stripe").status_code == 403
    assert client.post("/billing/webhooks/paypal", content=body).status_code == 422
    bad = signed(client, {**events[3], "id": "evt_bad", "created": "yesterday"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("created:"), bad.text
    unknown = signed(client, {**events[2], "id": "evt_unknown",
                              "data": {"object": {**events[2]["data"]["object"], "customer": "cus_nobody"}}})
    assert unknown.status_code == 422 and "unknown customer cus_nobody" in unknown.text
    assert fingerprint(migrated_url) == before


def test_the_webhook_refuses_without_a_secret(client: TestClient) -> None:
    get_billing_settings.cache_clear()
    r = client.post("/billing/webhooks/offline", content=b"{}", headers={"Stripe-Signature": "t=1,v1=00"})
    assert r.status_code == 403 and "MEDIABASE_BILLING_WEBHOOK_SECRET" in r.text
