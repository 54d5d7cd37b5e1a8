"""Conservation, property-tested: after any random sequence of mints, transfers, burns, reversals
and replays (the same idempotency key again), for every asset the balances sum to minted − burned,
none is negative (an overdraft is refused with its 409 and writes nothing), 0028's verifier finds
nothing, and every balance equals a fold of the accepted operations computed in Python."""

from __future__ import annotations

import asyncio
import uuid
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.common.errors import Conflict
from mediabase.db.connection import Database
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import AccountOpen, EntryKind, Movement
from tests.conftest import make_settings
from tests.factories import make_tenant
from tests.integration.music_world_ledger import coin_asset, make_label, member_accounts

Step = tuple[str, int, int, int, int]
OPS = st.tuples(
    st.sampled_from(["mint", "transfer", "burn", "reverse", "replay"]),
    st.integers(0, 1),
    st.integers(0, 2),
    st.integers(0, 2),
    st.integers(1, 10**20),
)


async def scenario(url: str, steps: list[Step]) -> None:
    async with Database(url, make_settings(url)) as db, Database(url, make_settings(url), role="") as owner:
        t = await make_tenant(db, owner, f"p-{uuid.uuid4().hex[:10]}")
        label = await make_label(db, t)
        assets = [await coin_asset(db, label, "AAA"), await coin_asset(db, label, "BBB")]
        a, b = await member_accounts(db, t)
        c = (await ledger.open_account(db, t.owner, AccountOpen(address="0x" + "11" * 20))).id
        accounts = [a, b, c]
        fold: dict[tuple[UUID, UUID], int] = {}
        posted: list[tuple[UUID, list[tuple[UUID, UUID, int]]]] = []  # entry, its holder-side deltas
        reversed_: set[UUID] = set()
        keys: list[tuple[str, Movement, EntryKind]] = []
        p = t.owner

        def apply(deltas: list[tuple[UUID, UUID, int]], sign: int = 1) -> None:
            for asset, account, amount in deltas:
                fold[asset, account] = fold.get((asset, account), 0) + sign * amount

        def fits(deltas: list[tuple[UUID, UUID, int]], sign: int = 1) -> bool:
            return all(fold.get((s, x), 0) + sign * q >= 0 for s, x, q in deltas)

        for n, (op, i, j, k, q) in enumerate(steps):
            asset, src, dst = assets[i], accounts[j], accounts[k]
            if op == "reverse":
                live = [(e, d) for e, d in posted if e not in reversed_]
                if not live:
                    continue
                entry, deltas = live[q % len(live)]
                try:
                    await ledger.reverse(db, p, entry)
                except Conflict:
                    assert not fits(deltas, -1)
                    continue
                assert fits(deltas, -1)
                apply(deltas, -1)
                reversed_.add(entry)
                continue
            if op == "replay":
                if not keys:
                    continue
                key, m, kind = keys[q % len(keys)]
                before = await ledger.get_entry(db, p, (await ledger.list_entries(db, p, limit=1))[0].id)
                again = await ledger.move(db, p, kind, m)
                assert again.idempotency_key == key
                assert (await ledger.list_entries(db, p, limit=1))[0].id == before.id  # nothing new
                continue
            if op == "transfer" and src == dst:
                continue
            kind = EntryKind(op)
            deltas = {
                "mint": [(asset, dst, q)],
                "burn": [(asset, src, -q)],
                "transfer": [(asset, src, -q), (asset, dst, q)],
            }[op]
            key = f"k{n}"
            m = Movement(
                asset_id=asset,
                quantity=q,
                idempotency_key=key,
                from_account_id=src if op != "mint" else None,
                to_account_id=dst if op != "burn" else None,
            )
            refused: str | None = None
            try:
                entry = await ledger.move(db, p, kind, m)
            except Conflict as exc:
                refused = exc.field
            if refused is not None:
                assert refused == "quantity" and not fits(deltas)
                continue
            assert fits(deltas)
            apply(deltas)
            posted.append((entry.id, deltas))
            keys.append((key, m, kind))

        assert await ledger.verify(db, p) == []
        for asset in assets:
            got = await ledger.get_asset(db, p, asset)
            cap = await ledger.cap_table(db, p, asset)
            held = {h.account_id: h.quantity for h in cap.holders}
            assert held == {x: v for (s, x), v in fold.items() if s == asset and v != 0}
            assert sum(held.values()) == got.minted - got.burned == got.outstanding
            assert all(v >= 0 for v in held.values())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(OPS, min_size=1, max_size=25))
def test_conservation_under_random_operations(migrated_url: str, steps: list[Step]) -> None:
    asyncio.run(scenario(migrated_url, steps))
