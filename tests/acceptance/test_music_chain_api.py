"""Chain mirroring over HTTP (issue 13), as a client meets it: contracts registered, a generated
feed with reorgs imported as a batch and replayed to nothing, holders equal to the Python fold and
a clean verify; a malformed batch is a 422 naming its line and field and writes nothing; another
organization sees nothing of it; a MEMBER reads but may not register or import; wrong types are a
422, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mediabase.music.chain.feed import FeedGenerator, default_contracts
from tests.acceptance.dbstate import Watch
from tests.factories import Tenant

CHAIN, SEED = 31337, 9


def h(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


def problem(r: Any, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    text = json.dumps(r.json())
    for word in words:
        assert word in text, (word, text)


def batch(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.slow
async def test_chain_mirror_over_http(client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    owner, member, other = h(a.owner_key), h(a.member_key), h(b.owner_key)
    chains = ok(client.get("/music/chains", headers=member))
    assert any((c["chain_id"], c["finality_depth"]) == (CHAIN, 12) for c in chains), chains

    feed = default_contracts(SEED)
    ids: dict[str, str] = {}
    for c in feed:
        body = {"chain_id": CHAIN, "address": "0x" + c.address.hex().upper(), "standard": c.standard}
        problem(client.post("/music/chain/contracts", json=body, headers=member), 403)
        made = ok(client.post("/music/chain/contracts", json=body, headers=owner), 201)
        assert (made["address"], made["standard"]) == ("0x" + c.address.hex(), c.standard)
        ids[made["address"]] = made["id"]
    again = {"chain_id": CHAIN, "address": "0x" + feed[0].address.hex(), "standard": feed[0].standard}
    problem(client.post("/music/chain/contracts", json=again, headers=owner), 409, "address")
    problem(client.post("/music/chain/contracts", json={**again, "chain_id": 424242}, headers=owner), 404, "chain")
    listed = ok(client.get("/music/chain/contracts", params={"chain_id": CHAIN}, headers=member))
    assert {c["address"]: c["id"] for c in listed} == ids

    gen = FeedGenerator(SEED, feed, holders=7)
    lines = list(gen.lines(40, 3, {15: 4, 33: 6}))
    watch = Watch(migrated_url)
    try:
        problem(client.post(f"/music/chains/{CHAIN}/import", content=batch(lines), headers=member), 403)
        assert watch.changes() == []
        first = ok(client.post(f"/music/chains/{CHAIN}/import", content=batch(lines), headers=owner))
        head = gen.chain[-1].number
        assert (first["head"], first["head_hash"]) == (head, "0x" + gen.chain[-1].hash.hex())
        assert [(r["fork_block"], r["depth"]) for r in first["reorgs"]] == [(12, 4), (28, 6)]
        assert first["lines"] == len(lines) and first["inserted"] > 0 and first["finalized"] == head - 12
        assert "music_chain_holdings" in watch.changes()

        fold = {("0x" + c.hex(), t, "0x" + w.hex()): v for (c, t, w), v in gen.fold().items()}

        def holdings(key: dict[str, str]) -> dict[tuple[str, int, str], int]:
            out: dict[tuple[str, int, str], int] = {}
            for address, cid in ids.items():
                for r in ok(client.get(f"/music/chain/contracts/{cid}/holders", params={"limit": 1000}, headers=key)):
                    assert isinstance(r["balance"], str) and isinstance(r["token_id"], str)
                    out[(address, int(r["token_id"]), r["address"])] = int(r["balance"])
            return out

        assert len(fold) > 10 and holdings(member) == fold
        assert ok(client.get("/music/chain/verify", headers=member)) == []
        status = ok(client.get(f"/music/chains/{CHAIN}/status", headers=member))
        assert status["head"] == head and {c["last_block"] for c in status["contracts"]} == {head}
        reorgs = ok(client.get("/music/chain/reorgs", params={"chain_id": CHAIN}, headers=member))
        assert [(r["fork_block"], r["depth"]) for r in reorgs] == [(28, 6), (12, 4)]
        erc721 = next(c for c in feed if c.standard == "erc721")
        nfts = ok(
            client.get("/music/nfts", params={"contract_id": ids["0x" + erc721.address.hex()], "limit": 1000},
                       headers=member)
        )  # fmt: skip
        assert {(int(n["token_id"]), n["owner"]) for n in nfts if n["owner"]} == {
            (t, w) for (c, t, w) in fold if c == "0x" + erc721.address.hex()
        }
        token = next(t for (c, t, _) in fold if c == "0x" + erc721.address.hex())
        one = ok(
            client.get(f"/music/chain/contracts/{ids['0x' + erc721.address.hex()]}/holders",
                       params={"token_id": str(token)}, headers=member)
        )  # fmt: skip
        assert [(r["token_id"], r["balance"]) for r in one] == [(str(token), "1")]

        # the same batch again: a no-op, nothing in the database changes
        replay = ok(client.post(f"/music/chains/{CHAIN}/import", content=batch(lines), headers=owner))
        assert (replay["new_blocks"], replay["inserted"], replay["moved"], replay["reorgs"]) == (0, 0, 0, [])
        assert replay["head"] == head
        assert watch.changes() == []
        assert holdings(owner) == fold
        assert ok(client.get(f"/music/chains/{CHAIN}/status", headers=member)) == status

        # a malformed batch (line 3): 422 naming batch:3 and the field; nothing written
        nxt = json.dumps(
            {"number": hex(head + 1), "hash": "0x" + "cd" * 32, "parentHash": status["head_hash"], "timestamp": "0x1"}
        )
        log = json.loads(next(x for x in lines if '"topics"' in x))
        bad_lines: dict[str, bytes] = {
            "transactionHash": json.dumps({**log, "transactionHash": "0xnothex"}).encode(),
            "line": b'{"number": ',
            "address": json.dumps({**log, "address": "0x1234"}).encode(),
            "NUL": b'{"number": "\x00"}',
        }
        for field, line in bad_lines.items():
            content = b"\n".join([nxt.encode(), lines[1].encode(), line, lines[2].encode()])
            r = client.post(f"/music/chains/{CHAIN}/import", content=content, headers=owner)
            problem(r, 422, "batch:3: " + ("line" if field == "NUL" else field))
            assert watch.changes() == [], field
        # a transfer from an address that holds nothing overdraws it: refused whole, nothing written
        erc20 = "0x" + next(c for c in feed if c.standard == "erc20").address.hex()
        coin = next(d for d in map(json.loads, lines) if d.get("address") == erc20)
        topics = [coin["topics"][0], "0x" + "0" * 24 + "ee" * 20, coin["topics"][2]]
        theft = {
            **coin,
            "topics": topics,
            "blockNumber": hex(head + 1),
            "blockHash": "0x" + "cd" * 32,
            "transactionHash": "0x" + "ef" * 32,
        }
        r = client.post(f"/music/chains/{CHAIN}/import", content=batch([nxt, json.dumps(theft)]), headers=owner)
        problem(r, 422, "holds")
        assert watch.changes() == []
        assert holdings(owner) == fold
    finally:
        watch.close()

    # another organization sees nothing of it
    cid = next(iter(ids.values()))
    assert ok(client.get(f"/music/chain/contracts/{cid}/holders", headers=other)) == []
    assert ok(client.get("/music/chain/contracts", headers=other)) == []
    assert ok(client.get("/music/chain/reorgs", headers=other)) == []
    assert ok(client.get("/music/nfts", params={"contract_id": cid}, headers=other)) == []
    assert ok(client.get("/music/chain/verify", headers=other)) == []
    theirs = ok(client.get(f"/music/chains/{CHAIN}/status", headers=other))
    assert (theirs["head"], theirs["contracts"]) == (None, [])

    # wrong types: 422 naming the parameter, never a 500
    wrong: list[tuple[str, str, dict[str, Any]]] = [
        ("get", "/music/chains/abc/status", {}),
        ("post", "/music/chains/abc/import", {"content": b""}),
        ("get", "/music/chain/contracts/not-a-uuid/holders", {}),
        ("get", f"/music/chain/contracts/{cid}/holders", {"params": {"token_id": "-1"}}),
        ("get", f"/music/chain/contracts/{cid}/holders", {"params": {"limit": 0}}),
        ("get", "/music/chain/reorgs", {"params": {"chain_id": "x"}}),
        ("get", "/music/chain/contracts", {"params": {"chain_id": 0}}),
        ("get", "/music/nfts", {"params": {"contract_id": "1"}}),
        ("post", "/music/chain/contracts", {"json": {"chain_id": "one", "address": "0x" + "1" * 40}}),
        ("post", "/music/chain/contracts", {"json": {"chain_id": CHAIN, "address": "0x12", "standard": "erc20"}}),
        ("post", "/music/chain/contracts", {"json": {"chain_id": CHAIN, "address": "0x" + "1" * 40, "standard": "x"}}),
        ("post", "/music/chain/contracts", {"json": [1, 2]}),
    ]
    for method, url, kwargs in wrong:
        r = getattr(client, method)(url, headers=owner, **kwargs)
        assert r.status_code == 422, (url, kwargs, r.status_code, r.text)
    for url in (f"/music/chains/{2**70}/status", "/music/chains/-1/status", "/music/chains/424242/status"):
        r = client.get(url, headers=owner)
        assert r.status_code in (404, 422), (url, r.status_code, r.text)
    r = client.post(f"/music/chains/{2**70}/import", content=batch(lines[:3]), headers=owner)
    assert r.status_code in (404, 422), r.text
