"""Query plans of the mail outbox's and the digests' hot queries: with 30,000 sent messages and
30,000 instant notifications beside a few pending ones, each reads its small partial index
(what is due; what is not digested yet), never the whole table. The tables are analyzed; nothing
is switched off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mediabase.collab import digests
from mediabase.db.connection import Database
from mediabase.mail import service as mail
from tests.factories import Tenant
from tests.integration.test_mail_digests import subscribe_and_decide

pytestmark = pytest.mark.slow


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def plan_of(owner_db: Database, query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(b"EXPLAIN (FORMAT JSON) " + query.encode(), params)).fetchone()
    assert row is not None
    return list(nodes(row["QUERY PLAN"][0]["Plan"] if isinstance(row["QUERY PLAN"], list)
                      else json.loads(row["QUERY PLAN"])[0]["Plan"]))


async def test_the_sender_and_the_composer_read_their_partial_indexes(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    await subscribe_and_decide(db, owner_db, a, "Alpha sells at 25 euro")
    await subscribe_and_decide(db, owner_db, b, "Bravo sells at 40 euro")
    async with owner_db.transaction() as conn:
        for t in (a, b):
            await conn.execute(
                "INSERT INTO mail_outbox (organization_id, to_address, subject, body_text, kind, dedupe_key, status,"
                " attempts, sent_at) SELECT %s, 'x@example.org', 's', 'b', 'test.bulk', 'bulk:' || g, 'queued', 0,"
                " NULL FROM generate_series(1, 15000) g", (t.owner.organization_id,))
            await conn.execute(
                "INSERT INTO notifications (organization_id, user_id, kind, decision_id, title, delivery)"
                " SELECT n.organization_id, n.user_id, 'decision', n.decision_id, 'bulk', 'instant'"
                "   FROM notifications n, generate_series(1, 15000) g WHERE n.organization_id = %s", (
                    t.owner.organization_id,))
        # sent, as the sender leaves them (status moves along its steps)
        await conn.execute("UPDATE mail_outbox SET status = 'sending', attempts = 1 WHERE kind = 'test.bulk'")
        await conn.execute("UPDATE mail_outbox SET status = 'sent', sent_at = now() WHERE kind = 'test.bulk'")
        for t in (a, b):  # a few due ones
            await conn.execute(
                "INSERT INTO mail_outbox (organization_id, to_address, subject, body_text, kind, dedupe_key)"
                " SELECT %s, 'x@example.org', 's', 'b', 'test.due', 'due:' || g FROM generate_series(1, 5) g",
                (t.owner.organization_id,))
    async with owner_db.owner_connection() as conn:
        await conn.execute("ANALYZE mediabase.mail_outbox, mediabase.notifications")

    due = await plan_of(owner_db, mail.Q.due_messages, {"org": None, "grace": 60, "limit": 1000})
    assert {n.get("Index Name") for n in due} >= {"mail_outbox_due_idx"}, due
    assert not any(n["Node Type"] == "Seq Scan" for n in due), due
    period = digests.last_closed_period("daily", datetime.now(UTC))
    params = {"frequency": "daily", "period_end": period.end, "org": None, "limit": 10_000}
    pending = await plan_of(owner_db, digests.Q.pending_members, params)
    # the pending partial index, or — when the statistics say every notification is newer than the
    # period's end — the retention index's created_at range, which reads none of them either
    read = {n["Index Name"] for n in pending if n.get("Index Name", "").startswith("notifications_")}
    assert read and read <= {"notifications_digest_pending_idx", "notifications_retention_idx"}, pending
    assert not any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == "notifications" for n in pending)
    lock = await plan_of(owner_db, digests.Q.lock_pending, {
        **params, "org": a.owner.organization_id, "user_id": a.member.user_id, "period_start": period.start})
    scans = [n for n in lock if n.get("Relation Name") == "notifications"]
    assert [n.get("Index Name") for n in scans] == ["notifications_digest_pending_idx"], lock
    newest = " WHERE organization_id = %(org)s ORDER BY created_at DESC, id DESC LIMIT 51"  # list_messages' page
    listing = await plan_of(owner_db, mail.Q.summary_columns + newest, {"org": a.owner.organization_id})
    assert any(n.get("Index Name") == "mail_outbox_created_idx" for n in listing), listing
