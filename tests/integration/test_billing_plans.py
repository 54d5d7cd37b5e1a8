"""Billing's hot reads and the replay's lookups use their indexes (sequential scans off, so the plan
names the index that serves the query on a small table): usage per period
(billing_usage_records_period_idx), the invoice and payment lists (their recent indexes), the live
subscription of a subscriber (the partial unique indexes). The replay's set-based statements are
measured at scale instead (bench/billing_replay_bench.py)."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

from mediabase.billing.service import Q
from mediabase.db.connection import Database
from mediabase.db.rows import sql
from tests.factories import Tenant


async def plan(db: Database, t: Tenant, stmt: Any, params: dict[str, Any]) -> str:
    async with db.transaction(t.owner.organization_id, t.owner.user_id) as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        text = stmt.as_string(conn) if hasattr(stmt, "as_string") else stmt
        row = await (await conn.execute("EXPLAIN (FORMAT JSON) " + text, params)).fetchone()
        assert row is not None
        return json.dumps(row["QUERY PLAN"])


async def test_the_hot_reads_use_their_indexes(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    org = t.owner.organization_id
    usage = await plan(db, t, Q.usage_per_period, {"org": org, "metric": "seats", "since": None, "until": None})
    assert "billing_usage_records_period_idx" in usage
    for columns, index in ((Q.invoice_columns, "billing_invoices_recent_idx"),
                           (Q.payment_columns, "billing_payments_recent_idx"),
                           (Q.refund_columns, "billing_refunds_recent_idx"),
                           (Q.event_columns, "billing_provider_events_recent_idx")):
        stmt = sql.SQL("{} WHERE organization_id = %(org)s ORDER BY created DESC, id DESC LIMIT 51").format(
            sql.SQL(columns))
        assert index in await plan(db, t, stmt, {"org": org}), index
    live = ("SELECT id FROM billing_subscriptions WHERE organization_id = %(org)s"
            " AND subscriber_organization_id IS NOT NULL AND status NOT IN ('canceled', 'incomplete_expired')")
    assert "billing_subscriptions_one_live_org" in await plan(db, t, live, {"org": org})
    member = ("SELECT id FROM billing_subscriptions WHERE organization_id = %(org)s AND subscriber_user_id = %(u)s"
              " AND status NOT IN ('canceled', 'incomplete_expired')")
    assert "billing_subscriptions_one_live_user" in await plan(db, t, member, {"org": org, "u": uuid4()})
