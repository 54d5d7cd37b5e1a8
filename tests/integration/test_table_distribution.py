"""Every table declares its distribution (0019; docs/scale-out.md, "Distribution"), and the schema
keeps what Citus needs (0018), checked over the catalog of a database migrated on plain PostgreSQL.
On Citus itself: tests/acceptance/test_citus.py."""

from __future__ import annotations

import psycopg
import pytest

# Tables of schema mediabase (partitions follow their parent) without a declaration.
UNDECLARED = """
SELECT c.relname::text FROM pg_class c
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND NOT EXISTS (SELECT FROM mediabase.table_distribution d WHERE d.table_name = c.oid)
 ORDER BY 1
"""


def test_every_table_of_the_schema_declares_its_distribution(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET search_path = mediabase")  # regclass::text: table names without the schema
        assert conn.execute(UNDECLARED).fetchall() == [], "declare it in its migration: SELECT declare_table(…)"
        stale = conn.execute("SELECT table_name::text FROM mediabase.table_distribution d"
                             " WHERE NOT EXISTS (SELECT FROM pg_class c WHERE c.oid = d.table_name)").fetchall()
        assert stale == []
        kinds = dict(conn.execute("SELECT table_name::text, kind FROM mediabase.table_distribution").fetchall())
        tenant = {r[0] for r in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid"
            " WHERE c.relnamespace = 'mediabase'::regnamespace AND p.polname = 'tenant_isolation'"
            "   AND NOT c.relispartition").fetchall()}
    queue = {"jobs", "job_idempotency_keys"}  # coordinator-local: the claim runs across tenants
    assert {t for t in tenant if kinds[t] != "distributed"} == queue | {"organizations"}
    assert kinds["organizations"] == kinds["users"] == "reference"
    # per user, read before the tenant is known, written seldom; legal documents are global (0043)
    assert {kinds[t] for t in ("sessions", "user_tokens", "legal_documents", "legal_acceptances",
                               "user_consents")} == {"reference"}
    assert kinds["invitations"] == "distributed"
    assert kinds["retention_policies"] == kinds["retention_runs"] == "reference"  # global, small (0044)
    assert {t for t, k in kinds.items() if k == "local"} == queue | {
        "job_type_limits", "partitioned_tables", "schema_migrations", "schema_migration_repairs", "schema_views",
        "table_distribution"}


def test_a_table_added_without_a_declaration_is_found(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        conn.execute("CREATE TABLE mediabase.later (organization_id uuid, id uuid, PRIMARY KEY (organization_id, id))"
                     " PARTITION BY HASH (id)")
        conn.execute("CREATE TABLE mediabase.later_0 PARTITION OF mediabase.later"
                     " FOR VALUES WITH (MODULUS 1, REMAINDER 0)")
        assert conn.execute(UNDECLARED).fetchall() == [("later",)]  # the partition follows its parent
        conn.execute("SELECT mediabase.declare_table('mediabase.later', 'distributed')")
        assert conn.execute(UNDECLARED).fetchall() == []
        # plain PostgreSQL: recorded, nothing distributed, nothing to do
        assert conn.execute("SELECT mediabase.citus_kind('mediabase.later')").fetchone() == ("local",)
        assert conn.execute("SELECT count(*) FROM mediabase.distribute_tables(strict => true)").fetchone() == (0,)


@pytest.mark.parametrize(
    ("table", "kind", "reason", "message"),
    [
        ("mediabase.videos", "sharded", None, "kind must be distributed, reference or local"),
        ("mediabase.jobs", "local", " ", "needs the reason why"),
        ("mediabase.users", "distributed", None, "needs its organization_id uuid column"),
        ("mediabase.jobs_default", "local", "x", "a partition follows its parent"),
    ],
)
def test_declare_table_refuses_what_cannot_work(
    migrated_url: str, table: str, kind: str, reason: str | None, message: str
) -> None:
    with psycopg.connect(migrated_url) as conn, pytest.raises(psycopg.errors.InvalidParameterValue, match=message):
        conn.execute("SELECT mediabase.declare_table(%s::regclass, %s, %s)", (table, kind, reason))


def test_the_schema_keeps_what_citus_needs(migrated_url: str) -> None:
    """Policies without subqueries, no trigger on a reference table, no foreign key that sets a
    tenant key's column to NULL or cascades an update of it (0018)."""
    with psycopg.connect(migrated_url) as conn:
        subqueries = conn.execute(
            "SELECT tablename || '.' || policyname FROM pg_policies WHERE schemaname = 'mediabase'"
            " AND (qual ~* '\\mselect\\M' OR with_check ~* '\\mselect\\M')").fetchall()
        assert subqueries == []
        triggers = conn.execute(
            "SELECT t.tgrelid::regclass::text || ' ' || t.tgname FROM pg_trigger t"
            "  JOIN mediabase.table_distribution d ON d.table_name = t.tgrelid"
            " WHERE d.kind = 'reference' AND NOT t.tgisinternal").fetchall()
        assert triggers == []
        keys = conn.execute(
            "SELECT c.conname FROM pg_constraint c"
            "  JOIN mediabase.table_distribution d ON d.table_name = c.conrelid AND d.kind = 'distributed'"
            " WHERE c.contype = 'f' AND (c.confdeltype IN ('n', 'd') OR c.confupdtype NOT IN ('a', 'r'))"
            "   AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)"
            "                  AND a.attname = 'organization_id')").fetchall()
        assert keys == []
        # foreign keys between tenant tables include organization_id; none points from a global
        # (reference) table at a tenant table
        loose = conn.execute(
            "SELECT c.conname FROM pg_constraint c"
            "  JOIN mediabase.table_distribution s ON s.table_name = c.conrelid"
            "  JOIN mediabase.table_distribution t ON t.table_name = c.confrelid"
            " WHERE c.contype = 'f' AND t.kind = 'distributed'"
            "   AND (s.kind <> 'distributed' OR NOT EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.conrelid"
            "        AND a.attnum = c.conkey[1] AND a.attname = 'organization_id'))").fetchall()
        assert loose == []
        # a trigger names its table by unsharded(TG_TABLE_NAME) (0027): on Citus TG_TABLE_NAME is
        # the shard's name, <table>_<shard id>, so no table's own name may end in _<digits>
        digits = conn.execute(
            "SELECT table_name::text FROM mediabase.table_distribution WHERE table_name::text ~ '_[0-9]+$'").fetchall()
        assert digits == []
        raw = conn.execute(
            "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'mediabase'::regnamespace"
            " AND p.prosrc ~ 'TG_TABLE_NAME' AND p.prosrc !~ 'unsharded\\(TG_TABLE_NAME\\)'").fetchall()
        assert raw == [], "a trigger function names its table by unsharded(TG_TABLE_NAME), or takes it as an argument"
