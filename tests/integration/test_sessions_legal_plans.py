"""Query plans of the hot lookups of 0043: a session by its token's prefix (every request made with
a session), and "has this user accepted the terms in effect" (every request with
MEDIABASE_REQUIRE_TERMS): each an index probe, never a scan of the table, with thousands of
sessions, acceptances and document versions around. The tables are analyzed; nothing is
switched off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity import legal, sessions
from tests.factories import Tenant


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


async def plan_of(owner_db: Database, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        row = await (await conn.execute(b"EXPLAIN (FORMAT JSON) " + query.encode(), params)).fetchone()
    assert row is not None
    plan = row["QUERY PLAN"]
    return list(nodes((plan if isinstance(plan, list) else json.loads(plan))[0]["Plan"]))


def scans(plan: list[dict[str, Any]]) -> dict[str, str]:
    return {n["Relation Name"]: n["Node Type"] for n in plan if "Relation Name" in n}


async def test_the_session_lookup_and_the_terms_check_probe_their_indexes(
    owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, b = tenants
    async with owner_db.transaction() as conn:
        await conn.execute(
            "INSERT INTO sessions (user_id, active_organization_id, prefix, secret_sha256, expires_at)"
            " SELECT %s, %s, lpad(g::text, 12, '0'), sha256(g::text::bytea), now() + interval '1 day'"
            " FROM generate_series(1, 5000) g", (b.owner.user_id, b.owner.organization_id))
        await conn.execute(
            "INSERT INTO legal_documents (kind, version, title, content, content_sha256, effective_at)"
            " SELECT k, 'v' || g, 't', 'c' || g, sha256(convert_to('c' || g, 'UTF8')), now() - g * interval '1 day'"
            " FROM generate_series(1, 400) g, unnest(ARRAY['terms', 'privacy', 'cookies']) k")
        await conn.execute(
            "INSERT INTO legal_acceptances (user_id, document_id)"
            " SELECT u.id, d.id FROM users u, legal_documents d WHERE u.id <> %s", (a.member.user_id,))
        for t in ("sessions", "legal_documents", "legal_acceptances", "users", "memberships"):
            await conn.execute(f"ANALYZE {t}")
    plan = await plan_of(owner_db, sessions.Q.session_by_prefix, {"prefix": "000000004242"})
    assert scans(plan)["sessions"] == "Index Scan", plan
    assert any(n.get("Index Name") == "sessions_prefix_key" for n in plan), plan
    plan = await plan_of(owner_db, legal.Q.acceptance_status, {"user_id": a.member.user_id, "kind": "terms"})
    found = scans(plan)
    assert found["legal_documents"] in ("Index Scan", "Index Only Scan"), plan
    assert found["legal_acceptances"] in ("Index Scan", "Index Only Scan"), plan
    assert any(n.get("Index Name") == "legal_documents_current_idx" for n in plan), plan
    assert any(n.get("Index Name") == "legal_acceptances_once" for n in plan), plan
    # and it answers: the member accepted none, the latest terms in effect is v1
    status = await legal.status(owner_db, a.member.user_id)
    assert (status.version, status.accepted) == ("v1", False)
    status = await legal.status(owner_db, a.owner.user_id)
    assert (status.version, status.accepted) == ("v1", True)
    assert isinstance(a.member.user_id, UUID)
