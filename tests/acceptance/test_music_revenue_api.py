"""Revenue, dividends and payouts over HTTP, as a client meets them: a statement posted twice is
recorded once, a distribution answers 201 then 200 with the same dividend, payouts are marked paid,
bad input is a 422 naming the field, a MEMBER may read but not write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from mediabase.db.connection import Database
from tests.factories import Tenant
from tests.integration.music_world_revenue import make_accounts, make_master, mint


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


async def test_revenue_to_paid_dividend_over_http(
    client: TestClient, db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    t = tenants[0]
    m = await make_master(db, t)
    accounts = await make_accounts(db, m, 3)
    await mint(db, m, accounts, [1, 2, 3], at=datetime.now(UTC) - timedelta(days=1))
    events = [
        {
            "master_id": str(m.master),
            "source": "spotify",
            "external_id": f"s{i}",
            "period_start": "2026-01-01",
            "period_end": "2026-02-01",
            "amount": 100 + i,
            "currency": "EUR",
        }
        for i in range(3)
    ]
    assert ok(client.post("/music/revenue/events", json=events, headers=h(t.owner_key)))["inserted"] == 3
    again = ok(client.post("/music/revenue/events", json=events, headers=h(t.owner_key)))
    assert (again["inserted"], again["unchanged"]) == (0, 3)
    bad = client.post("/music/revenue/events", json=[{**events[0], "currency": "euro"}], headers=h(t.owner_key))
    assert bad.status_code == 422 and "currency" in bad.text
    assert client.post("/music/revenue/events", json=events, headers=h(t.member_key)).status_code == 403
    summary = ok(client.get("/music/revenue/summary", params={"master_id": str(m.master)}, headers=h(t.member_key)))
    assert [(b["amount"], b["events"]) for b in summary] == [(303, 3)]

    body = {
        "master_id": str(m.master),
        "period_start": "2026-01-01",
        "period_end": "2026-02-01",
        "currency": "EUR",
        "record_at": datetime.now(UTC).isoformat(),
    }
    first = ok(client.post("/music/dividends", json=body, headers=h(t.owner_key)), 201)
    second = ok(client.post("/music/dividends", json=body, headers=h(t.owner_key)), 200)
    assert first["created"] and not second["created"] and first["dividend"] == second["dividend"]
    d = first["dividend"]
    assert (d["distributable"], d["remainder"], d["holders"]) == (303, 0, 3)
    both = client.post(
        "/music/dividends", json={**body, "record_block": 5, "record_chain_id": 1}, headers=h(t.owner_key)
    )
    assert both.status_code == 422
    payouts = ok(client.get(f"/music/dividends/{d['id']}/payouts", headers=h(t.member_key)))["items"]
    assert sum(p["amount"] for p in payouts) == 303
    unpaid = ok(client.get("/music/payouts/unpaid", headers=h(t.member_key)))
    assert sum(u["amount"] for u in unpaid) == 303
    one = payouts[0]["account_id"]
    paid = ok(
        client.post(
            f"/music/dividends/{d['id']}/payouts/{one}",
            json={"status": "paid", "external_ref": "t1"},
            headers=h(t.owner_key),
        )
    )
    assert paid["status"] == "paid"
    final = client.post(f"/music/dividends/{d['id']}/payouts/{one}", json={"status": "failed"}, headers=h(t.owner_key))
    assert final.status_code == 409
    assert (
        ok(client.post(f"/music/dividends/{d['id']}/pay-all", json={"external_ref": "b1"}, headers=h(t.owner_key)))[
            "paid"
        ]
        == 2
    )
    assert ok(client.get(f"/music/dividends/{d['id']}", headers=h(t.member_key)))["status"] == "paid"
    mine = ok(client.get("/music/payouts", params={"account_id": one}, headers=h(t.member_key)))["items"]
    assert [p["external_ref"] for p in mine] == ["t1"]
    other = tenants[1]
    assert client.get(f"/music/dividends/{d['id']}", headers=h(other.owner_key)).status_code == 404
