"""Query plans of the integrations' hot statements, with two tenants' rows and ANALYZE: the
webhook's account lookup by id (no organization in the URL), the delivery's dedupe, the
external-item map's lookup, and an account's events read their indexes, not the whole table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, LiteralString

import psycopg

from mediabase.integrations.service import Q
from tests.factories import Tenant


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(conn: psycopg.Connection[Any], query: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
    row = conn.execute("EXPLAIN (FORMAT JSON) " + query, params).fetchone()
    assert row is not None
    plan = row[0] if isinstance(row[0], list) else json.loads(row[0])
    return list(nodes(plan[0]["Plan"]))


def uses(plan: list[dict[str, Any]], index: str, table: str) -> bool:
    scanned = {n.get("Relation Name") for n in plan if n["Node Type"] == "Seq Scan"}
    return any(n.get("Index Name") == index for n in plan) and table not in scanned


def test_the_hot_statements_read_their_indexes(migrated_url: str, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, bravo = tenants
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("SET search_path = mediabase")
        for t in (alpha, bravo):
            org = t.owner.organization_id
            conn.execute("INSERT INTO integration_accounts (organization_id, provider, external_account_id)"
                         " SELECT %s, 'zoom', 'acct-' || g FROM generate_series(1, 1500) g", (org,))
            conn.execute(
                "INSERT INTO integration_events (organization_id, account_id, provider, delivery_id, event_type,"
                " payload, body_sha256)"
                " SELECT a.organization_id, a.id, 'zoom', 'sha256:' || md5(a.id::text || g), 'recording.completed',"
                "        '{}', repeat('0', 64)"
                "   FROM integration_accounts a, generate_series(1, 4) g WHERE a.organization_id = %s", (org,))
            conn.execute(
                "INSERT INTO integration_external_items (organization_id, provider, external_id, kind, account_id)"
                " SELECT a.organization_id, 'zoom', 'rec-' || md5(a.id::text || g), 'recording', a.id"
                "   FROM integration_accounts a, generate_series(1, 4) g WHERE a.organization_id = %s", (org,))
        conn.execute("ANALYZE integration_accounts, integration_events, integration_external_items")
        account = conn.execute("SELECT id FROM integration_accounts WHERE organization_id = %s LIMIT 1",
                               (alpha.owner.organization_id,)).fetchone()
        assert account is not None
        org = alpha.owner.organization_id
        # the webhook's lookup runs on the owner pool, by id alone
        assert uses(explain(conn, Q.webhook_target, {"id": account[0]}), "integration_accounts_id_idx",
                    "integration_accounts")
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
        assert uses(explain(conn, Q.event_by_delivery, {"org": org, "provider": "zoom", "delivery_id": "sha256:x"}),
                    "integration_events_delivery_key", "integration_events")
        assert uses(explain(conn, Q.items_for, {"org": org, "provider": "zoom", "external_ids": ["rec-1", "f-1"]}),
                    "integration_external_items_external_key", "integration_external_items")
        events = (Q.event_columns + " WHERE organization_id = %(org)s AND account_id = %(account_id)s"
                  " ORDER BY received_at DESC, id DESC LIMIT 50")
        assert uses(explain(conn, events, {"org": org, "account_id": account[0]}), "integration_events_account_idx",
                    "integration_events")
