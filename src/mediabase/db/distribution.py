"""Distribution on Citus (DESIGN.md decision 15; docs/scale-out.md, "Distribution").

Every table declares its distribution in its migration (``mediabase.declare_table``, 0019); on a
Citus coordinator the declaration is applied at once. This module holds what needs the role that
connects to migrate rather than the schema's owner: the roles that run SQL through Citus must be
able to log in (Citus connects to the workers as the current role), and ``mediabase db distribute``
applies the declarations to a database migrated before Citus was added.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from mediabase.config import Settings
from mediabase.db.connection import OWNER_ROLE, direct_url
from mediabase.db.errors import MigrationError

# Run by the connecting role before each migration (and by `db distribute`). With Citus
# installed: the owner (migrations, SECURITY DEFINER functions) and the application role must
# log in on the workers (no password here; docs/scale-out.md: citus.node_conninfo, .pgpass); and
# the application role may run the keyword matchers (match_segments, match_videos: SECURITY
# DEFINER, called in the FROM of a statement Citus routes to the tenant's shard) on that worker,
# where their own statements name the same organization and read its colocated shards
# (citus.allow_nested_distributed_execution, a superuser's setting: without one, a notice says so).
CITUS_LOGINS = b"""
DO $$
DECLARE
    r name;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RETURN;
    END IF;
    FOR r IN SELECT rolname FROM pg_roles
              WHERE rolname IN ('mediabase_owner', 'mediabase_app') AND NOT rolcanlogin LOOP
        EXECUTE format('ALTER ROLE %I LOGIN', r);
    END LOOP;
    IF to_regrole('mediabase_app') IS NOT NULL AND NOT EXISTS (
        SELECT FROM pg_db_role_setting s
         WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = 'mediabase_app') AND s.setdatabase = 0
           AND 'citus.allow_nested_distributed_execution=on' = ANY (s.setconfig)) THEN
        IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
            ALTER ROLE mediabase_app SET citus.allow_nested_distributed_execution = on;
        ELSE
            RAISE NOTICE 'keyword search on Citus needs, by a superuser: '
                         'ALTER ROLE mediabase_app SET citus.allow_nested_distributed_execution = on';
        END IF;
    END IF;
END
$$
"""


async def distribute(url: str, settings: Settings) -> tuple[bool, list[dict[str, Any]]]:
    """Apply every declared distribution not applied yet (``distribute_tables(strict)``), as the
    owner, after letting the roles log in. Returns whether Citus is installed in the database and
    what was done (nothing on plain PostgreSQL). Idempotent: a second run finds nothing to do."""
    try:
        conn = await psycopg.AsyncConnection.connect(
            direct_url(url, settings), autocommit=True, row_factory=dict_row,
            connect_timeout=max(1, int(settings.connect_timeout)),
        )
    except psycopg.OperationalError as exc:
        raise MigrationError(f"cannot connect to the database: {exc}") from exc
    async with conn:
        try:
            ready = await (await conn.execute(
                "SELECT to_regprocedure('mediabase.distribute_tables(boolean)') IS NOT NULL AS ok")).fetchone()
            if not (ready and ready["ok"]):
                raise MigrationError("the database is not migrated to 0019 yet: run 'mediabase migrate' "
                                     "(it distributes as it goes when Citus is installed)")
            citus = await (await conn.execute("SELECT mediabase.citus_installed() AS yes")).fetchone()
            if not (citus and citus["yes"]):
                return False, []
            async with conn.transaction():
                await conn.execute(CITUS_LOGINS)
                await conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(OWNER_ROLE)))
                await conn.execute("SELECT set_config('statement_timeout', %s, true)",
                                   (f"{settings.migration_statement_timeout_ms}ms",))
                rows = await (await conn.execute(
                    "SELECT table_name::text AS table_name, kind, action"
                    " FROM mediabase.distribute_tables(strict => true)")).fetchall()
        except psycopg.Error as exc:
            raise MigrationError(f"distribute: {exc.diag.message_primary or exc}") from exc
    return True, rows
