"""The hot revenue reads use their indexes: a holder's payouts and unpaid balance
(music_payouts_account_idx), a master's revenue of a period (music_revenue_events_master_idx), a
dividend's payouts (the primary key). Sequential scans are switched off so the plan shows which
index serves the query on a small table, as the stories' plan tests do."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from mediabase.db.connection import Database
from mediabase.music.revenue import service
from mediabase.music.revenue.service import Q
from tests.factories import Tenant


async def plan(db: Database, t: Tenant, stmt: Any, params: dict[str, Any]) -> str:
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        cur = await conn.execute(
            b"EXPLAIN (FORMAT JSON) " + stmt.as_bytes(conn)
            if hasattr(stmt, "as_bytes")
            else "EXPLAIN (FORMAT JSON) " + stmt,
            params,
        )
        row = await cur.fetchone()
        assert row is not None
        return json.dumps(row["QUERY PLAN"])


async def test_a_holders_reads_use_the_account_index(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    org = t.owner.organization_id
    text = await plan(db, t, Q.unpaid_balances, {"org": org, "account": uuid4()})
    assert "music_payouts_account_idx" in text
    stmt, params = service.payouts_query(org, account_id=uuid4())
    assert "music_payouts_account_idx" in await plan(db, t, stmt, params)
    stmt, params = service.payouts_query(org, dividend_id=uuid4())
    text = await plan(db, t, stmt, params)
    assert "Index" in text and "Seq Scan" not in text


async def test_a_masters_revenue_uses_its_index(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    text = await plan(
        db,
        t,
        Q.revenue_summary,
        {"org": t.owner.organization_id, "master": uuid4(), "bucket": "month", "since": None, "until": None},
    )
    assert "music_revenue_events_master_idx" in text
