"""The music ledger over HTTP and from the CLI, as a client meets them: a coin minted, moved and
burned, an IPO issued and allocated, cap tables and the verifier; bad input is a 4xx naming its
field; another organization's asset is a 404; ``mediabase music verify`` exits 0 on a consistent
ledger and 1 on a mismatch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from tests.acceptance.cli import mediabase
from tests.conftest import make_settings
from tests.factories import Tenant


@pytest.fixture
def server(migrated_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(migrated_url), url=migrated_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def problem(r: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    if field is not None:
        assert field in json.dumps(body), body
    return body


def artist_and_master(url: str, org: UUID) -> tuple[str, str]:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path TO mediabase, public")
        row = conn.execute(
            "INSERT INTO music_artists (organization_id, name, slug) VALUES (%s, 'Nova', 'nova') RETURNING id", (org,)
        ).fetchone()
        assert row is not None
        m = conn.execute(
            "INSERT INTO music_masters (organization_id, artist_id, title) VALUES (%s, %s, 'Tide') RETURNING id",
            (org, row[0]),
        ).fetchone()
        assert m is not None
    return str(row[0]), str(m[0])


def test_ledger_over_http(server: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    artist, master = artist_and_master(migrated_url, a.owner.organization_id)
    k = h(a.owner_key)
    coin = ok(
        server.post(
            "/music/coins",
            headers=k,
            json={"artist_id": artist, "symbol": "NOVA", "name": "Nova", "decimals": 18, "max_supply": str(10**27)},
        ),
        201,
    )
    asset = coin["asset_id"]
    fan = ok(server.post("/music/accounts", headers=k, json={"user_id": str(a.member.user_id)}))["id"]
    addr = ok(server.post("/music/accounts", headers=k, json={"address": "0x" + "AB" * 20}))
    assert addr["address"] == "0x" + "ab" * 20
    big = str(10**26 + 1)  # past 2^53: a string both ways
    entry = ok(
        server.post(
            "/music/mint",
            headers=k,
            json={"asset_id": asset, "quantity": big, "to_account_id": fan, "idempotency_key": "m-1"},
        ),
        201,
    )
    assert sorted(line["amount"] for line in entry["lines"]) == sorted([big, "-" + big])
    again = ok(
        server.post(
            "/music/mint",
            headers=k,
            json={"asset_id": asset, "quantity": big, "to_account_id": fan, "idempotency_key": "m-1"},
        ),
        201,
    )
    assert again["id"] == entry["id"]
    ok(
        server.post(
            "/music/transfer",
            headers=k,
            json={"asset_id": asset, "quantity": 1, "from_account_id": fan, "to_account_id": addr["id"]},
        ),
        201,
    )
    cap = ok(server.get(f"/music/assets/{asset}/cap-table", headers=h(a.member_key)))
    assert cap["outstanding"] == big and [x["quantity"] for x in cap["holders"]] == [str(10**26), "1"]
    assert ok(server.get("/music/ledger/verify", headers=k)) == []
    # bad input: 4xx naming the field
    problem(
        server.post(
            "/music/transfer",
            headers=k,
            json={"asset_id": asset, "quantity": big, "from_account_id": addr["id"], "to_account_id": fan},
        ),
        409,
        "quantity",
    )
    problem(
        server.post("/music/mint", headers=k, json={"asset_id": asset, "quantity": "1.5", "to_account_id": fan}),
        422,
        "quantity",
    )
    problem(
        server.post("/music/mint", headers=k, json={"asset_id": asset, "quantity": 0, "to_account_id": fan}),
        422,
        "quantity",
    )
    problem(
        server.post("/music/mint", headers=k, json={"asset_id": asset, "quantity": str(10**28), "to_account_id": fan}),
        409,
        "quantity",
    )
    problem(
        server.post(
            "/music/mint", headers=h(a.member_key), json={"asset_id": asset, "quantity": 1, "to_account_id": fan}
        ),
        403,
    )
    problem(server.get(f"/music/assets/{asset}/cap-table", headers=h(b.owner_key)), 404)
    problem(
        server.post(
            "/music/mint", headers=h(b.owner_key), json={"asset_id": asset, "quantity": 1, "to_account_id": fan}
        ),
        404,
        "asset_id",
    )
    # an IPO: issued, allocated, closed
    now = datetime.now(UTC)
    window = {"opens_at": (now - timedelta(hours=1)).isoformat(), "closes_at": (now + timedelta(days=1)).isoformat()}
    problem(
        server.post(
            "/music/ipos",
            headers=k,
            json={"master_id": master, "total_supply": 100, "price": "1.5", "currency": "eur", **window},
        ),
        422,
        "currency",
    )
    ipo = ok(
        server.post(
            "/music/ipos",
            headers=k,
            json={
                "master_id": master,
                "total_supply": 100,
                "price": "1.5",
                "currency": "EUR",
                "open_now": True,
                "symbol": "TIDE",
                "name": "Tide shares",
                **window,
            },
        ),
        201,
    )
    ok(server.post(f"/music/ipos/{ipo['id']}/allocations", headers=k, json={"account_id": fan, "quantity": 60}), 201)
    problem(
        server.post(f"/music/ipos/{ipo['id']}/allocations", headers=k, json={"account_id": fan, "quantity": 41}),
        409,
        "quantity",
    )
    closed = ok(server.patch(f"/music/ipos/{ipo['id']}", headers=k, json={"status": "closed"}))
    assert (closed["status"], closed["allocated"], closed["remaining"]) == ("closed", "60", "40")
    shares = ok(server.get(f"/music/assets/{ipo['asset_id']}/cap-table", headers=k))
    assert {x["account_id"]: x["quantity"] for x in shares["holders"]} == {fan: "60", ipo["treasury_account_id"]: "40"}


def test_ledger_from_the_cli(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    artist, _ = artist_and_master(migrated_url, a.owner.organization_id)

    def run(*args: str) -> Any:
        out = mediabase("music", *args, "--org", a.slug, url=migrated_url)
        assert out.returncode == 0, out.stderr
        return out

    coin = json.loads(run("coins", "add", artist, "NOVA", "Nova", "--initial", "1000", "--json").stdout)
    wallet = "0x" + "12" * 20
    assets = json.loads(run("assets", "--json").stdout)
    assert [x["symbol"] for x in assets] == ["NOVA"]
    treasury = json.loads(run("cap-table", coin["asset_id"], "--json").stdout)["holders"][0]["account_id"]
    run("transfer", coin["asset_id"], "250", "--from", treasury, "--to", wallet)
    assert run("balances", wallet).stdout.split() == ["NOVA", "250"]
    bad = mediabase(
        "music",
        "transfer",
        coin["asset_id"],
        "5000",
        "--from",
        wallet,
        "--to",
        treasury,
        "--org",
        a.slug,
        url=migrated_url,
    )
    assert bad.returncode == 1 and "insufficient balance" in bad.stderr
    assert "consistent" in run("verify").stdout
    with psycopg.connect(migrated_url, autocommit=True) as conn:  # damage a derived row behind the ledger's back
        conn.execute("UPDATE mediabase.music_balances SET balance = balance + 1 WHERE account_id = %s", (treasury,))
    broken = mediabase("music", "verify", "--org", a.slug, url=migrated_url)
    assert broken.returncode == 1 and "balance" in broken.stdout
