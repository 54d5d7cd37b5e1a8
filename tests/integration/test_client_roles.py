"""Login roles for direct SQL clients (issue 25; docs/clients.md, "Roles and the embedded port"):
``mediabase db role create`` makes a member of mediabase_app only, under row-level security
whatever its SQL does; with no tenant set it sees no row of any table, with one it sees that
organization's rows, ``SELECT *`` works on what it may read and the ``*_readable`` views give the
rest; partitions are read through their parent."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.rows import dict_row

from mediabase.db import roles, sessions
from mediabase.db.errors import Conflict, Invalid, MediabaseError
from tests.client_roles import client_role
from tests.conftest import make_settings

pytestmark = pytest.mark.timeout(600)  # the first test on the demo's data may seed the session's demo template

RLS_TABLES = """
SELECT c.relname::text AS name,
       EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
                                            AND NOT a.attisdropped) AS tenant_column,
       ARRAY(SELECT p.polname::text FROM pg_policy p WHERE p.polrelid = c.oid ORDER BY 1) AS policies,
       has_table_privilege('mediabase_app', c.oid, 'SELECT') AS whole
  FROM pg_class c
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND c.relrowsecurity AND has_any_column_privilege('mediabase_app', c.oid, 'SELECT')
 ORDER BY 1
"""

READABLE_COLUMNS = """
SELECT a.attname::text FROM pg_attribute a
 WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
   AND has_column_privilege('mediabase_app', a.attrelid, a.attnum, 'SELECT')
 ORDER BY a.attnum
"""


def _tables(url: str) -> list[dict[str, Any]]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        return conn.execute(RLS_TABLES).fetchall()


def _count(conn: psycopg.Connection[Any], table: str, where: sql.Composable | None = None) -> int:
    row = conn.execute(sql.SQL("SELECT count(*) FROM mediabase.{} {}").format(
        sql.Identifier(table), where or sql.SQL(""))).fetchone()
    assert row is not None
    return int(row[0])


async def test_a_client_role_is_a_member_of_mediabase_app_only(migrated_url: str) -> None:
    settings = make_settings(migrated_url)
    async with client_role(migrated_url) as role:
        async with sessions.connect(migrated_url, settings) as conn:
            row = await (await conn.execute(
                "SELECT rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication,"
                " ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid"
                "        WHERE m.member = r.oid) AS member_of,"
                " pg_has_role(r.oid, 'mediabase_owner', 'MEMBER') AS owner,"
                " (SELECT setconfig FROM pg_db_role_setting s WHERE s.setrole = r.oid AND s.setdatabase = 0) AS config"
                " FROM pg_roles r WHERE rolname = %s", (role.name,))).fetchone()
            assert row == {"rolcanlogin": True, "rolinherit": True, "rolsuper": False, "rolbypassrls": False,
                           "rolcreaterole": False, "rolcreatedb": False, "rolreplication": False,
                           "member_of": ["mediabase_app"], "owner": False,
                           "config": ["search_path=mediabase, public"]}
            assert (await roles.inspect(conn, role.name)).problems == []
            assert role.name in [r.name for r in await roles.list_clients(conn)]
            # the rule is migration 0011's: mediabase_api keeps it too (and is no client role)
            api = await roles.inspect(conn, "mediabase_api")
            assert api.problems == [] and not api.client and not api.inherit
            # the password is stored as a SCRAM verifier
            verifier = await (await conn.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s",
                                                 (role.name,))).fetchone()
            assert verifier is not None and verifier["rolpassword"].startswith("SCRAM-SHA-256$")
            assert role.password not in verifier["rolpassword"]
        with psycopg.connect(role.url) as client:
            assert client.execute("SELECT current_user, session_user").fetchone() == (role.name, role.name)
    async with sessions.connect(migrated_url, settings) as conn:
        assert role.name not in [r.name for r in await roles.list_clients(conn)]
        gone = await (await conn.execute("SELECT to_regrole(%s) AS r", (role.name,))).fetchone()
        assert gone == {"r": None}


@pytest.mark.parametrize("name", ["", "Reports", "1app", "app-1", "app;drop role postgres", "a\"b", "x" * 64,
                                  "pg_reader", "mediabase_api", "mediabase_x", "app 1", "ä"])
def test_a_role_name_is_checked_before_any_sql(name: str) -> None:
    with pytest.raises(Invalid):
        roles.check_name(name)


async def test_create_and_drop_refuse_what_is_not_theirs(migrated_url: str) -> None:
    settings = make_settings(migrated_url)
    async with client_role(migrated_url) as role, sessions.connect(migrated_url, settings) as conn:
        with pytest.raises(Conflict):
            await roles.create(conn, role.name)
        for other in ("mediabase_api", "mediabase_app", "postgres"):
            with pytest.raises((Invalid, MediabaseError)):
                await roles.drop(conn, other)
        assert (await roles.inspect(conn, "mediabase_api")).name == "mediabase_api"  # still there


async def test_a_client_role_cannot_leave_row_level_security(migrated_url: str) -> None:
    async with client_role(migrated_url) as role:
        with psycopg.connect(role.url, autocommit=True) as client:
            for escape in ("SET ROLE mediabase_owner", "SET ROLE postgres", "SET SESSION AUTHORIZATION postgres",
                           "SET row_security = off; SELECT count(*) FROM mediabase.organizations",
                           "ALTER TABLE mediabase.videos DISABLE ROW LEVEL SECURITY", "CREATE ROLE t_other"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    client.execute(escape)


async def test_with_no_tenant_a_client_role_sees_no_row_of_any_table(demo_url: str) -> None:
    """Every table under row-level security that the app may read, on the demo's data: the owner
    counts rows in most of them; the client role with no tenant set counts none, with and without
    SET ROLE mediabase_app, in autocommit and in a transaction."""
    tables = _tables(demo_url)
    assert len(tables) > 100
    with psycopg.connect(demo_url) as owner:
        filled = [t["name"] for t in tables if _count(owner, t["name"])]
    assert len(filled) > 60, filled
    async with client_role(demo_url) as role, await psycopg.AsyncConnection.connect(role.url) as client:
        seen: dict[str, int] = {}
        for t in tables:
            for prelude in ("", "SET LOCAL ROLE mediabase_app"):
                if prelude:
                    await client.execute(prelude)
                row = await (await client.execute(
                    sql.SQL("SELECT count(*) FROM mediabase.{}").format(sql.Identifier(t["name"])))).fetchone()
                await client.rollback()
                if row and row[0]:
                    seen[f"{t['name']} ({prelude or 'no SET ROLE'})"] = row[0]
    assert seen == {}


async def test_with_a_tenant_a_client_role_sees_that_organizations_rows(demo_url: str) -> None:
    """Every table whose only policy is tenant_isolation, for every organization of the demo: as
    many rows as the organization has."""
    tables = [t for t in _tables(demo_url) if t["tenant_column"] and t["policies"] == ["tenant_isolation"]]
    assert len(tables) > 80
    with psycopg.connect(demo_url) as owner:
        orgs = owner.execute("SELECT o.id, (SELECT m.user_id FROM mediabase.memberships m"
                             "               WHERE m.organization_id = o.id ORDER BY m.user_id LIMIT 1)"
                             "  FROM mediabase.organizations o ORDER BY o.slug").fetchall()
        expected = {org: {t["name"]: _count(owner, t["name"], sql.SQL("WHERE organization_id = {}").format(
            sql.Literal(org))) for t in tables} for org, _ in orgs}
    assert len(orgs) >= 3
    assert len({name for counts in expected.values() for name, n in counts.items() if n}) > 40
    async with client_role(demo_url) as role:
        with psycopg.connect(role.url) as client:
            for org, user in orgs:
                client.execute("SET LOCAL ROLE mediabase_app")
                client.execute("SELECT set_config('mediabase.organization_id', %s, true),"
                               " set_config('mediabase.user_id', %s, true)", (str(org), str(user or "")))
                seen = {t["name"]: _count(client, t["name"]) for t in tables}
                client.rollback()
                assert seen == expected[org], org


async def test_select_star_works_where_the_role_may_read_and_the_readable_views_give_the_rest(
    demo_url: str,
) -> None:
    tables = _tables(demo_url)
    partial = sorted(t["name"] for t in tables if not t["whole"])
    assert partial == ["api_keys", "integration_accounts", "integration_events", "invitations", "oauth_accounts",
                       "sessions", "share_links", "user_tokens", "users", "webhook_endpoints"]
    with psycopg.connect(demo_url) as owner:
        org = owner.execute("SELECT id FROM mediabase.organizations WHERE slug = 'demo'").fetchone()
        assert org is not None
        # each view names exactly the columns the app role may read, in the table's order
        for name in partial:
            view = [r[0] for r in owner.execute(READABLE_COLUMNS, (f"mediabase.{name}_readable",))]
            assert view == [r[0] for r in owner.execute(READABLE_COLUMNS, (f"mediabase.{name}",))], name
        partitions = [r[0] for r in owner.execute(
            "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relispartition"
            " AND c.relkind IN ('r', 'p')")]
    assert "jobs_default" in partitions
    async with client_role(demo_url) as role, await psycopg.AsyncConnection.connect(role.url) as client:
        await client.execute("SET LOCAL ROLE mediabase_app")
        await client.execute("SELECT set_config('mediabase.organization_id', %s, true)", (str(org[0]),))
        for t in tables:
            star = sql.SQL("SELECT * FROM mediabase.{} LIMIT 5").format(sql.Identifier(t["name"]))
            async with client.transaction():
                if t["whole"]:
                    await client.execute(star)
                    continue
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    async with client.transaction():
                        await client.execute(star)
                rows = await (await client.execute(sql.SQL("SELECT count(*) FROM mediabase.{}").format(
                    sql.Identifier(t["name"] + "_readable")))).fetchone()
                base = await (await client.execute(sql.SQL("SELECT count(*) FROM mediabase.{}").format(
                    sql.Identifier(t["name"])))).fetchone()
                assert rows == base, t["name"]
        for name in partitions:  # a partition is nobody's to read by name: its parent is
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                async with client.transaction():
                    await client.execute(sql.SQL("SELECT count(*) FROM mediabase.{}").format(sql.Identifier(name)))
        # the readable views are for reading
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            async with client.transaction():
                await client.execute("UPDATE mediabase.users_readable SET bio = 'x'")
