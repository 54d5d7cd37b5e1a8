"""The security log (0034, docs/security.md): an event for each writer of the identity service,
failed sign-ins that leak nothing about other tenants, append-only for the app role (and the
owner), tenant isolation, the partition manager's months and retention, the list's filters,
pages and plans."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest

from mediabase.common.errors import Forbidden, Invalid, MediabaseError, Unauthorized
from mediabase.db.connection import Database
from mediabase.identity import security
from mediabase.identity import service as identity
from mediabase.identity.models import MemberAdd, Role
from mediabase.identity.security import NIL_ORG, Client, EventKind, SubjectType, events_query
from tests.factories import Tenant, make_tenant

Tenants = tuple[Tenant, Tenant]


async def events(owner_db: Database, org: UUID, kind: str | None = None) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (
            await conn.execute(
                "SELECT kind, actor_user_id, actor_key_id, subject_type, subject_id, details, ip_hmac, ip_key,"
                " user_agent FROM security_events WHERE organization_id = %s AND (%s::text IS NULL OR kind = %s)"
                " ORDER BY occurred_at, id",
                (org, kind, kind),
            )
        ).fetchall()


async def key_row(owner_db: Database, key: str) -> dict[str, Any]:
    prefix = key.split("_")[1]
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT * FROM api_keys WHERE prefix = %s", (prefix,))).fetchone()
    assert row is not None
    return row


# -- writers ---------------------------------------------------------------------------------------


async def test_making_a_tenant_records_its_member_and_keys(owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    rows = await events(owner_db, a.owner.organization_id)
    assert [r["kind"] for r in rows] == ["member_added", "key_created", "key_created"]
    added, okey, mkey = rows
    assert (added["actor_user_id"], added["subject_type"], added["subject_id"]) == (
        a.owner.user_id,
        "user",
        a.member.user_id,
    )
    assert added["details"] == {"role": "MEMBER"}
    assert okey["subject_type"] == "api_key" and okey["details"]["prefix"] == a.owner_key.split("_")[1]
    assert mkey["details"]["user_id"] == str(a.member.user_id)
    # no secret anywhere in the log
    flat = json.dumps([r["details"] for r in rows])
    assert a.owner_key.split("_", 2)[2] not in flat and a.member_key.split("_", 2)[2] not in flat


async def test_a_login_per_key_and_clock_hour(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    k = await key_row(owner_db, a.owner_key)
    client = Client("203.0.113.7", "curl/8.5\x00\n" + "x" * 2000)
    p = await identity.authenticate(owner_db, a.owner_key, client)  # first use
    start_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    assert p.user_id == a.owner.user_id
    await identity.authenticate(owner_db, a.owner_key, client)
    logins = await events(owner_db, a.owner.organization_id, "login")
    if datetime.now(UTC).replace(minute=0, second=0, microsecond=0) == start_hour:  # not across an hour
        assert len(logins) == 1
    e = logins[0]
    assert (e["actor_user_id"], e["actor_key_id"], e["subject_id"]) == (a.owner.user_id, k["id"], k["id"])
    assert e["details"] == {"prefix": k["prefix"], "role": "OWNER", "scope": "member"}
    # the address only as a keyed HMAC; the user agent without control characters, bounded
    assert len(e["ip_hmac"]) == 32 and b"203.0.113.7" not in bytes(e["ip_hmac"]) and e["ip_key"]
    assert e["ip_hmac"] == security.ip_digest("203.0.113.7")[0]
    assert e["user_agent"].startswith("curl/8.5x") and len(e["user_agent"]) == 512
    # used last in an earlier hour: the next request is a login again
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE api_keys SET last_used_at = now() - interval '2 hours' WHERE id = %s", (k["id"],))
    await identity.authenticate(owner_db, a.owner_key)
    assert len(await events(owner_db, a.owner.organization_id, "login")) == len(logins) + 1


async def test_failed_logins_land_with_the_key_and_leak_nothing(owner_db: Database, tenants: Tenants) -> None:
    a, b = tenants
    kb = await key_row(owner_db, b.member_key)
    wrong = f"mb_{kb['prefix']}_{'x' * 43}"
    unknown = f"mb_{'z' * 12}_{'x' * 43}"
    answers = []
    for key in (wrong, unknown):
        with pytest.raises(Unauthorized) as err:
            await identity.authenticate(owner_db, key, Client("198.51.100.1", "probe"))
        answers.append(str(err.value))
    assert answers[0] == answers[1] == "unknown API key"  # a wrong secret looks like no key at all
    # the wrong secret is B's to see (its key was tried), under B; never under A
    [failed] = await events(owner_db, b.owner.organization_id, "login_failed")
    assert failed["details"] == {"reason": "wrong_secret", "prefix": kb["prefix"]}
    assert (failed["subject_id"], failed["actor_user_id"]) == (kb["id"], None)
    assert await events(owner_db, a.owner.organization_id, "login_failed") == []
    # the unknown key and a malformed one belong to no organization
    with pytest.raises(Unauthorized, match="malformed"):
        await identity.authenticate(owner_db, "mb_short_secret")
    nil = await events(owner_db, NIL_ORG)
    assert [(r["kind"], r["details"], r["subject_id"]) for r in nil] == [
        ("login_failed", {"reason": "unknown_key", "prefix": "z" * 12}, None),
        ("login_failed", {"reason": "malformed"}, None),
    ]
    # a revoked key: its holder (the secret was right) tried it
    await identity.revoke_api_key(owner_db, b.owner, kb["id"])
    with pytest.raises(Unauthorized, match="revoked"):
        await identity.authenticate(owner_db, b.member_key)
    last = (await events(owner_db, b.owner.organization_id, "login_failed"))[-1]
    assert last["details"]["reason"] == "revoked" and last["actor_user_id"] == b.member.user_id


async def test_key_revoked_once(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    k = await key_row(owner_db, a.member_key)
    await identity.revoke_api_key(db, a.owner, k["id"])
    await identity.revoke_api_key_by_prefix(db, a.owner, k["prefix"])  # already revoked: no event
    [e] = await events(owner_db, a.owner.organization_id, "key_revoked")
    assert (e["actor_user_id"], e["subject_id"], e["details"]["prefix"]) == (a.owner.user_id, k["id"], k["prefix"])


async def test_role_changes_and_removals(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    await identity.update_member(db, a.owner, a.member.user_id, Role.ADMIN)
    await identity.update_member(db, a.owner, a.member.user_id, Role.ADMIN)  # no change, no event
    [e] = await events(owner_db, a.owner.organization_id, "role_changed")
    assert (e["subject_type"], e["subject_id"], e["details"]) == (
        "user",
        a.member.user_id,
        {"from": "MEMBER", "to": "ADMIN"},
    )
    await identity.remove_member(db, a.owner, a.member.user_id)
    [r] = await events(owner_db, a.owner.organization_id, "member_removed")
    assert (r["actor_user_id"], r["subject_id"], r["details"]) == (a.owner.user_id, a.member.user_id, {"role": "ADMIN"})


async def test_a_member_of_another_organization_is_not_added_nor_logged(
    db: Database, owner_db: Database, tenants: Tenants
) -> None:
    a, b = tenants
    before = await events(owner_db, a.owner.organization_id, "member_added")
    await identity.add_member(db, owner_db, a.owner, MemberAdd(email=f"member@{b.slug}.example.com"))
    assert await events(owner_db, a.owner.organization_id, "member_added") == before
    await identity.add_member(db, owner_db, a.owner, MemberAdd(email="new@elsewhere.example.com", role=Role.ADMIN))
    assert (await events(owner_db, a.owner.organization_id, "member_added"))[-1]["details"] == {"role": "ADMIN"}


# -- the table's rules ------------------------------------------------------------------------------


async def test_append_only_for_the_app_role_and_the_owner(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    for stmt in (
        "UPDATE security_events SET kind = 'login' WHERE organization_id = %(org)s",
        "DELETE FROM security_events WHERE organization_id = %(org)s",
        "TRUNCATE security_events",
    ):
        with pytest.raises(MediabaseError) as err:  # the app role: no such privilege at all
            async with db.transaction(org, a.owner.user_id) as conn:
                await conn.execute(stmt, {"org": org})
        assert "permission denied for table security_events" in str(err.value.__cause__)
        with pytest.raises(Forbidden, match="append-only"):  # the owner: the trigger
            async with owner_db.transaction() as conn:
                await conn.execute(stmt, {"org": org})
    async with db.transaction(org, a.owner.user_id) as conn:  # the app role may add its own
        await security.record_by(
            conn, a.owner, EventKind.payout, SubjectType.payout, a.owner.user_id, {"amount": "100", "currency": "EUR"}
        )
    assert len(await events(owner_db, org, "payout")) == 1


async def test_tenant_isolation(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, b = tenants
    async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
        seen = {
            r["organization_id"]
            for r in await (await conn.execute("SELECT DISTINCT organization_id FROM security_events")).fetchall()
        }
    assert seen == {a.owner.organization_id}
    for other in (b.owner.organization_id, NIL_ORG):  # nor may it write another tenant's event
        with pytest.raises(MediabaseError) as err:
            async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
                await security.record_security_event(conn, other, EventKind.login_failed)
        assert "row-level security" in str(err.value.__cause__)


async def test_shape_rules(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    with pytest.raises(Invalid) as err:
        async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
            await security.record_by(conn, a.owner, EventKind.payout, details={"x": "y" * 5000})
    assert err.value.field == "details"
    with pytest.raises(Invalid) as err:  # only a failed sign-in may belong to no organization
        async with owner_db.transaction() as conn:
            await security.record_security_event(conn, NIL_ORG, EventKind.login)
    assert err.value.field == "organization_id"


def test_partitions_created_ahead_and_dropped_by_retention(migrated_url: str) -> None:
    def month(delta: int) -> datetime:
        now = datetime.now(UTC)
        y, m = divmod(now.month - 1 + delta, 12)
        return datetime(now.year + y, m + 1, 1, tzinfo=UTC)

    with psycopg.connect(migrated_url, autocommit=True) as c:
        c.execute("SET search_path = mediabase")
        assert c.execute(
            "SELECT keep_months, min_keep_months FROM partitioned_tables WHERE parent = 'security_events'::regclass"
        ).fetchone() == (13, 3)
        org = UUID(int=7)
        for k in (-16, -14, -13, 0):  # old rows land in DEFAULT first
            c.execute(
                "INSERT INTO security_events (organization_id, occurred_at, kind) VALUES (%s, %s, 'login')",
                (org, month(k) + timedelta(days=2)),
            )
        done = c.execute(
            "SELECT table_name, partition_name, action FROM maintain_partitions(2) WHERE table_name = 'security_events'"
        ).fetchall()
        names = {p for _, p, a in done if a == "created"}
        assert {f"security_events_{month(k):%Y_%m}" for k in (-16, -14, -13, 0, 1, 2)} <= names
        dropped = {p for _, p, a in done if a == "dropped"}
        # 13 months after this one are kept: -14 and older go, with their rows
        assert dropped == {f"security_events_{month(k):%Y_%m}" for k in (-16, -14)}
        left = [r[0] for r in c.execute("SELECT occurred_at FROM security_events ORDER BY 1")]
        assert [t.astimezone(UTC).month for t in left] == [month(-13).month, month(0).month]
        # a run may keep fewer months, never fewer than 3
        with pytest.raises(psycopg.errors.InvalidParameterValue, match="at least 3"):
            c.execute("SELECT prune_partitions('security_events', 2)")


# -- the list ---------------------------------------------------------------------------------------


async def test_list_for_admins_with_filters_and_pages(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    with pytest.raises(Forbidden):
        await security.list_events(db, a.member)
    await identity.update_member(db, a.owner, a.member.user_id, Role.ADMIN)
    admin = a.member.model_copy(update={"role": Role.ADMIN})
    everything = await security.list_events(db, admin, limit=500)
    assert [e.kind for e in everything.items] == ["role_changed", "key_created", "key_created", "member_added"]
    assert everything.next_cursor is None
    # pages of 1, newest first, add up to the whole list
    seen, cursor = [], None
    while True:
        page = await security.list_events(db, admin, limit=1, cursor=cursor)
        seen += page.items
        if (cursor := page.next_cursor) is None:
            break
    assert [e.id for e in seen] == [e.id for e in everything.items]
    keys = await security.list_events(db, admin, kinds=[EventKind.key_created])
    assert [e.kind for e in keys.items] == ["key_created", "key_created"]
    about_member = await security.list_events(db, admin, user_id=a.member.user_id)
    assert {e.kind for e in about_member.items} == {"role_changed", "member_added"}
    at = everything.items[0].occurred_at
    assert [e.kind for e in (await security.list_events(db, admin, since=at)).items] == ["role_changed"]
    assert "role_changed" not in [e.kind for e in (await security.list_events(db, admin, until=at)).items]
    with pytest.raises(Invalid) as err:
        await security.list_events(db, admin, since=at, until=at)
    assert err.value.field == "since"
    with pytest.raises(Invalid) as err:
        await security.list_events(db, admin, cursor="not-a-cursor")
    assert err.value.field == "cursor"


async def test_the_operator_reads_the_unattributed_failures(owner_db: Database, db: Database) -> None:
    await make_tenant(db, owner_db, "charlie")
    with pytest.raises(Unauthorized):
        await identity.authenticate(owner_db, "mb_nothinghere1_secret")
    page = await security.list_events_system(owner_db, None)
    assert [(e.kind, e.details["reason"]) for e in page.items] == [("login_failed", "unknown_key")]


@pytest.mark.parametrize(
    ("tenant", "filters"),
    [
        ("small", {}),
        ("small", {"kinds": True}),
        ("small", {"user": True}),
        ("busy", {}),
        ("busy", {"kinds": True}),
        ("busy", {"after": True}),
    ],
)
def test_the_list_uses_its_indexes(migrated_url: str, tenant: str, filters: dict[str, bool]) -> None:
    """Two busy tenants and a small one: every month is read through an index of the tenant (the
    empty DEFAULT partition aside), and a busy tenant's page newest first without sorting the
    tenant's events (the planner chooses freely after ANALYZE)."""
    flags = {"kinds": False, "since": False, "until": False, "user": False, "after": False} | filters
    small, busy, user = UUID(int=3), UUID(int=1), UUID(int=9)
    with psycopg.connect(migrated_url, autocommit=True) as c:
        c.execute("SET search_path = mediabase")
        c.execute("SELECT ensure_partitions('security_events', 0)")
        c.execute(
            "INSERT INTO security_events (organization_id, occurred_at, kind, actor_user_id)"
            " SELECT ('00000000-0000-0000-0000-00000000000' || (g %% 2 + 1))::uuid,"
            "        now() - make_interval(secs => g), (ARRAY['login','key_created','payout'])[g %% 3 + 1],"
            "        CASE WHEN g %% 7 = 0 THEN %s::uuid END"
            "   FROM generate_series(1, 40000) g",
            (user,),
        )
        c.execute(
            "INSERT INTO security_events (organization_id, kind, actor_user_id)"
            " SELECT %s, 'login', %s FROM generate_series(1, 20)",
            (small, user),
        )
        c.execute("ANALYZE security_events")
        stmt = events_query(**flags).as_string(c)
        params = {
            "org": small if tenant == "small" else busy,
            "kinds": ["login"],
            "user": user,
            "page_limit": 51,
            "after_at": datetime.now(UTC) - timedelta(hours=1),
            "after_id": UUID(int=0),
        }
        row = c.execute("EXPLAIN (FORMAT JSON) " + stmt, params).fetchone()
    assert row is not None
    plan = row[0][0]["Plan"]

    def nodes(n: dict[str, Any]) -> list[dict[str, Any]]:
        return [n, *(m for child in n.get("Plans", []) for m in nodes(child))]

    scans = [n for n in nodes(plan) if "Relation Name" in n and n["Relation Name"] != "security_events_default"]
    assert scans and all(n["Node Type"] in ("Index Scan", "Index Only Scan", "Bitmap Heap Scan") for n in scans), (
        json.dumps(plan)
    )
    if tenant == "busy":
        assert all(n["Node Type"] != "Sort" for n in nodes(plan)), json.dumps(plan)
