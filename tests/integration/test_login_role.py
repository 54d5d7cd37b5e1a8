"""Least privilege at login (issue 11, 8): the application pool logs in as mediabase_api, a
role that can become mediabase_app and nothing else, so no SQL on its connections can leave
row-level security by RESET ROLE or become the owner."""

from __future__ import annotations

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from tests.factories import Tenant


async def test_app_pool_logs_in_as_the_login_role(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
        row = await (await conn.execute("SELECT session_user::text AS login, current_user::text AS role")).fetchone()
    assert row == {"login": "mediabase_api", "role": "mediabase_app"}


@pytest.mark.parametrize(
    "escape",
    ["RESET ROLE", "SET ROLE NONE", "SET LOCAL ROLE mediabase_owner", "SET ROLE postgres",
     "SET SESSION AUTHORIZATION postgres"],
)
async def test_no_sql_on_an_app_connection_escapes_row_level_security(
    db: Database, tenants: tuple[Tenant, Tenant], escape: str
) -> None:
    a, _ = tenants

    async def attempt() -> None:
        async with db.transaction(a.owner.organization_id, a.owner.user_id) as conn:
            try:
                await conn.execute(escape)
            except psycopg.errors.InsufficientPrivilege:
                raise MediabaseError("refused") from None
            # the escape "worked": it must have led nowhere with privileges
            await conn.execute("SELECT count(*) FROM mediabase.organizations")

    with pytest.raises(MediabaseError):
        await attempt()


async def test_login_role_has_no_privileges_of_its_own(migrated_url: str) -> None:
    from psycopg.conninfo import make_conninfo

    async with await psycopg.AsyncConnection.connect(make_conninfo(migrated_url, user="mediabase_api")) as conn:
        for stmt in ("SELECT count(*) FROM mediabase.organizations", "SELECT count(*) FROM mediabase.users"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                await conn.execute(stmt)
            await conn.rollback()
