"""What restore reads from ``pg_restore --list`` and what it runs before the archive (no database)."""

from __future__ import annotations

from pathlib import Path

from mediabase.db.backup import Archive, _entries, _strip, _Target, prelude

LISTING = "\n".join([  # as pg_restore prints it: an entry without an owner ends in a space
    ';',
    '; Archive created at 2026-12-06 03:31:21 UTC',
    ';     dbname: mediabase',
    ';     Format: CUSTOM',
    ';     Dumped from database version: 18.6',
    ';',
    '8; 2615 16385 SCHEMA - mediabase mediabase_owner',
    '2; 3079 16440 EXTENSION - vector ',
    '4449; 0 0 COMMENT - EXTENSION vector ',
    '229; 1259 16780 TABLE mediabase schema_migrations alice',
    '4452; 0 0 ACL mediabase TABLE users mediabase_owner',
    '4396; 0 16839 TABLE DATA mediabase user_extensions mediabase_owner',
    '4662; 0 0 STATISTICS DATA mediabase user_extensions ',
    '3726; 2606 16854 FK CONSTRAINT mediabase user_extensions user_extensions_user_id_fkey mediabase_owner',
    '4139; 3256 16982 POLICY mediabase user_extensions own_rows mediabase_owner',
    '595; 1255 18999 FUNCTION mediabase actor_name(uuid) mediabase_owner',
    '',
])


def archive() -> Archive:
    header, entries = _entries(LISTING)
    return Archive(path=Path("x.dump"), size=1, header=header, entries=entries, extensions={"vector": "mediabase"})


def test_the_table_of_contents_is_read_by_kind_and_owner() -> None:
    a = archive()
    assert a.header["Format"] == "CUSTOM" and a.header["dbname"] == "mediabase"
    assert [e.desc for e in a.entries] == ["SCHEMA", "EXTENSION", "COMMENT", "TABLE", "ACL", "TABLE DATA",
                                          "STATISTICS DATA", "FK CONSTRAINT", "POLICY", "FUNCTION"]
    assert a.tables == 1 and a.count("FK CONSTRAINT", "POLICY") == 2
    assert a.owners == {"mediabase_owner", "alice"}  # entries without an owner (extensions, statistics) add none


def target(roles: set[str], schema_exists: bool = False, tables: int = 0) -> _Target:
    return _Target(version=180006, tables=tables, schema_exists=schema_exists, roles=roles, extensions={},
                   available={"vector"}, schemas={"public"})


def test_prelude_creates_missing_roles_and_drops_only_an_existing_schema() -> None:
    sql, created = prelude(archive(), target({"postgres"}))
    assert created == ["mediabase_owner", "mediabase_app", "mediabase_api", "alice"]
    assert sql.startswith("BEGIN;") and "DROP SCHEMA" not in sql and "COMMIT" not in sql
    assert 'CREATE ROLE "mediabase_api" LOGIN NOINHERIT' in sql and 'CREATE ROLE "alice" NOLOGIN' in sql
    assert 'GRANT "mediabase_app" TO "mediabase_api"' in sql
    sql, created = prelude(archive(), target({"mediabase_owner", "mediabase_app", "mediabase_api", "alice"},
                                             schema_exists=True, tables=52))
    assert created == [] and sql.rstrip().endswith("DROP SCHEMA mediabase CASCADE;")


def test_only_the_named_header_lines_are_stripped() -> None:
    script = b"BEGIN;\nSET lock_timeout = 0;\nSET transaction_timeout = 0;\nSET client_encoding = 'UTF8';\n"
    assert _strip(script, [b"SET transaction_timeout = 0;"]) == (
        b"BEGIN;\nSET lock_timeout = 0;\nSET client_encoding = 'UTF8';\n")
    assert _strip(script, []) == script
