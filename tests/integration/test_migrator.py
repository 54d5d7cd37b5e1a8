"""Every guarantee of the migration runner, each with a test that fails if it breaks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from mediabase.db.errors import MigrationError, SchemaNotCurrent
from mediabase.db.migrator import LOCK_KEY, MigrationFile, Migrator, checksum, load_migrations
from tests.conftest import REPO, make_settings


def write(directory: Path, files: dict[str, str | bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        path = directory / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    return directory


def migrator(url: str, mdir: Path, **overrides: object) -> Migrator:
    return Migrator(url, make_settings(url, **overrides), migrations_dir=mdir, views_dir=mdir / "views")


def ledger(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('mediabase.schema_migrations')").fetchone() == (None,):
            return []
        return [
            (r[0], r[1]) for r in conn.execute("SELECT version, name FROM mediabase.schema_migrations ORDER BY version")
        ]


def table_exists(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT to_regclass(%s)", (f"mediabase.{name}",)).fetchone()
        return row is not None and row[0] is not None


def start_migrate(url: str, mdir: Path, *, quiet: bool = False) -> subprocess.Popen[str]:
    """``mediabase migrate`` as a separate process on the migrations of ``mdir``."""
    env = dict(
        os.environ,
        MEDIABASE_DATABASE_URL=url,
        MEDIABASE_MIGRATIONS_DIR=str(mdir),
        MEDIABASE_VIEWS_DIR=str(mdir / "views"),
    )
    out = subprocess.DEVNULL if quiet else subprocess.PIPE  # a killed process leaves no pipe to close
    return subprocess.Popen([sys.executable, "-m", "mediabase", "migrate"], env=env, stdout=out, stderr=out, text=True)


def backend_running(watch: psycopg.Connection[tuple[object, ...]], marker: str, proc: subprocess.Popen[str]) -> int:
    """Wait (up to 30 s) for a server backend running a query containing ``marker``; its pid."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row = watch.execute(
            "SELECT pid FROM pg_stat_activity WHERE strpos(query, %s) > 0 AND pid <> pg_backend_pid()", (marker,)
        ).fetchone()
        if row:
            return int(str(row[0]))
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"no backend ever ran {marker}")


BASIC = {
    "0001_a.sql": "CREATE TABLE a (id int PRIMARY KEY);",
    "0002_b.sql": "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a);",
}


def cli(
    url: str, *args: str, mdir: Path | None = None, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, MEDIABASE_DATABASE_URL=url, MEDIABASE_MIGRATION_LOCK_WAIT="60")
    if mdir is not None:
        full_env["MEDIABASE_MIGRATIONS_DIR"] = str(mdir)
        full_env["MEDIABASE_VIEWS_DIR"] = str(mdir / "views")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mediabase", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        check=False,
    )


async def test_fresh_database_migrates_and_second_run_does_nothing(empty_url: str) -> None:
    m = Migrator(empty_url, make_settings(empty_url))
    first = await m.migrate()
    assert [f.version for f, _ in first.applied] == [f.version for f in load_migrations(m.migrations_dir)]
    second = await m.migrate()
    assert second.applied == [] and second.views == []
    st = await m.status()
    assert st.current


async def test_sql_is_sent_verbatim(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_verbatim.sql": """
CREATE TABLE t (id int, doc jsonb, pct text);
CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;
DO $body$ BEGIN INSERT INTO t VALUES (1, '{"a": 1}'::jsonb, '100%'); END $body$;
INSERT INTO t VALUES (2, '{"semi": ";"}'::jsonb, E'it''s; 50%\\n');
CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
"""
        },
    )
    await migrator(empty_url, mdir).migrate()
    with psycopg.connect(empty_url) as conn:
        rows = conn.execute("SELECT id, doc->>'a', doc->>'semi', pct FROM mediabase.t ORDER BY id").fetchall()
        assert rows == [(1, "1", None, "100%"), (2, None, ";", "it's; 50%\n")]
        assert conn.execute("SELECT mediabase.g()").fetchone() == (2,)


async def test_two_processes_migrating_at_once(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_slow.sql": "CREATE TABLE runs (n int); INSERT INTO runs VALUES (1); SELECT pg_sleep(1);",
            "0002_more.sql": "INSERT INTO runs VALUES (2);",
        },
    )
    procs = [start_migrate(empty_url, mdir) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert ledger(empty_url) == [(1, "slow"), (2, "more")]
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT n FROM mediabase.runs ORDER BY n").fetchall() == [(1,), (2,)]


async def test_lock_wait_runs_out_clearly_and_applies_nothing(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    with psycopg.connect(empty_url, autocommit=True, application_name="the-other-migrator") as holder:
        holder.execute("SELECT pg_advisory_lock(%s, %s)", LOCK_KEY)
        holder_pid = holder.info.backend_pid
        started = time.monotonic()
        with pytest.raises(MigrationError) as err:
            await migrator(empty_url, mdir, migration_lock_wait=0.5).migrate()
        assert time.monotonic() - started < 5
    assert f"pid {holder_pid}" in str(err.value)
    assert "the-other-migrator" in str(err.value)
    assert ledger(empty_url) == []
    assert not table_exists(empty_url, "a")


async def test_kill_9_during_migration_leaves_nothing_and_next_run_succeeds(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_a.sql": "CREATE TABLE a (id int);",
            "0002_slow.sql": "CREATE TABLE half (id int); SELECT pg_sleep(60); CREATE TABLE never (id int);",
        },
    )
    proc = start_migrate(empty_url, mdir, quiet=True)
    with psycopg.connect(empty_url, autocommit=True) as watch:
        backend_running(watch, "pg_sleep(60)", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Never applied, so it may still change: the rerun should not sleep again.
    write(mdir, {"0002_slow.sql": "CREATE TABLE half (id int); CREATE TABLE never (id int);"})
    # The dead migrator's backend notices within about a second and frees the lock.
    report = await migrator(empty_url, mdir, migration_lock_wait=15).migrate()
    assert [f.name for f, _ in report.applied] == ["slow"]
    assert ledger(empty_url) == [(1, "a"), (2, "slow")]
    assert table_exists(empty_url, "half") and table_exists(empty_url, "never")


async def test_kill_9_leaves_no_ledger_row_and_no_partial_schema(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", {"0001_slow.sql": "CREATE TABLE half (id int); SELECT pg_sleep(60);"})
    proc = start_migrate(empty_url, mdir, quiet=True)
    with psycopg.connect(empty_url, autocommit=True) as watch:
        backend = backend_running(watch, "pg_sleep(60)", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for _ in range(100):  # client_connection_check_interval: the backend notices in ~1 s
            if watch.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (backend,)).fetchone() is None:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the dead migrator's backend kept running")
    assert ledger(empty_url) == []
    assert not table_exists(empty_url, "half")


async def test_failure_between_sql_and_commit_leaves_nothing(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    m = migrator(empty_url, mdir)

    async def crash(f: MigrationFile) -> None:
        if f.version == 2:
            raise RuntimeError("power cut")

    m.before_commit = crash
    with pytest.raises(RuntimeError):
        await m.migrate()
    assert ledger(empty_url) == [(1, "a")]
    assert table_exists(empty_url, "a") and not table_exists(empty_url, "b")


async def test_second_statement_failing_rolls_back_whole_file_earlier_files_stay(
    empty_url: str, tmp_path: Path
) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_a.sql": "CREATE TABLE a (id int);",
            "0002_bad.sql": "CREATE TABLE b (id int);\nSELECT 1/0;",
        },
    )
    with pytest.raises(MigrationError) as err:
        await migrator(empty_url, mdir).migrate()
    assert "0002_bad.sql" in str(err.value) and "division by zero" in str(err.value)
    assert ledger(empty_url) == [(1, "a")]
    assert table_exists(empty_url, "a") and not table_exists(empty_url, "b")


async def test_edited_applied_file_refused_but_crlf_or_bom_only_change_is_not(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    await migrator(empty_url, mdir).migrate()
    original = (mdir / "0001_a.sql").read_bytes()
    (mdir / "0001_a.sql").write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    assert checksum((mdir / "0001_a.sql").read_bytes()) == checksum(original)
    assert (await migrator(empty_url, mdir).status()).current
    (mdir / "0001_a.sql").write_text("CREATE TABLE a (id bigint PRIMARY KEY);")
    st = await migrator(empty_url, mdir).status()
    assert st.problems and "0001_a.sql" in st.problems[0] and "edited" in st.problems[0]
    with pytest.raises(MigrationError, match="0001_a.sql: edited"):
        await migrator(empty_url, mdir).migrate()


async def _applied_three(url: str, tmp_path: Path) -> Path:
    mdir = write(tmp_path / "m", {**BASIC, "0003_c.sql": "CREATE TABLE c (id int);"})
    await migrator(url, mdir).migrate()
    return mdir


async def test_renamed_applied_file_refused(empty_url: str, tmp_path: Path) -> None:
    mdir = await _applied_three(empty_url, tmp_path)
    (mdir / "0002_b.sql").rename(mdir / "0002_renamed.sql")
    with pytest.raises(MigrationError, match="0002_b.sql: applied, but the file was renamed to 0002_renamed.sql"):
        await migrator(empty_url, mdir).migrate()


async def test_deleted_applied_file_refused(empty_url: str, tmp_path: Path) -> None:
    mdir = await _applied_three(empty_url, tmp_path)
    (mdir / "0003_c.sql").unlink()
    with pytest.raises(MigrationError, match="0003_c.sql: applied, but the file is missing"):
        await migrator(empty_url, mdir).migrate()


async def test_new_file_numbered_below_applied_refused(empty_url: str, tmp_path: Path) -> None:
    mdir = await _applied_three(empty_url, tmp_path)
    with psycopg.connect(empty_url, autocommit=True) as conn:  # 0002 never applied here
        conn.execute("DELETE FROM mediabase.schema_migrations WHERE version = 2")
    (mdir / "0002_b.sql").unlink()
    (mdir / "0002_late.sql").write_text("CREATE TABLE late (id int);")
    with pytest.raises(
        MigrationError, match="0002_late.sql: pending but numbered below the highest applied migration 0003"
    ):
        await migrator(empty_url, mdir).migrate()
    assert not table_exists(empty_url, "late")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.sql": "SELECT 1;", "0001_b.sql": "SELECT 1;"}, "0001_b.sql: duplicate migration number 0001"),
        ({"0001_a.sql": "SELECT 1;", "0003_c.sql": "SELECT 1;"}, "0003_c.sql: migration number 0002 is missing"),
        ({"0001_a.sql": "SELECT 1;", "2_b.sql": "SELECT 1;"}, "2_b.sql: malformed migration name"),
        ({"0001_A b.sql": "SELECT 1;"}, "0001_A b.sql: malformed migration name"),
        ({"0001_a.sql": "BEGIN;\nCREATE TABLE x ();\nCOMMIT;"}, "0001_a.sql:1: BEGIN is not allowed"),
        ({"0001_a.sql": "CREATE TABLE x ();\nCOMMIT;"}, "0001_a.sql:2: COMMIT is not allowed"),
        (
            {"0001_a.sql": "-- mediabase:no-transaction\nCREATE TABLE x (); CREATE INDEX ON x ((1));"},
            "0001_a.sql: a 'mediabase:no-transaction' file must hold exactly one statement",
        ),
    ],
)
async def test_bad_files_are_refused_before_anything_runs(
    empty_url: str, tmp_path: Path, files: dict[str, str], message: str
) -> None:
    mdir = write(tmp_path / "m", files)
    with pytest.raises(MigrationError) as err:
        await migrator(empty_url, mdir).migrate()
    assert message in str(err.value)
    assert ledger(empty_url) == []


async def test_create_index_concurrently_while_second_runner_waits(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_big.sql": "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS t FROM generate_series(1, 300000) g;",
            "0002_idx.sql": "-- mediabase:no-transaction\nCREATE INDEX CONCURRENTLY big_t_idx ON big (t);",
            "0003_after.sql": "CREATE TABLE after_idx (id int);",
        },
    )
    procs = [start_migrate(empty_url, mdir) for _ in range(3)]
    outs = [p.communicate(timeout=90) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone() == (0,)
        assert conn.execute("SELECT to_regclass('mediabase.big_t_idx') IS NOT NULL").fetchone() == (True,)
        assert conn.execute("SELECT transactional FROM mediabase.schema_migrations WHERE version = 2").fetchone() == (
            False,
        )
    assert [v for v, _ in ledger(empty_url)] == [1, 2, 3]


async def test_failed_concurrent_index_leaves_no_invalid_index(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_dups.sql": "CREATE TABLE d (v int); INSERT INTO d VALUES (1), (1);",
            "0002_uniq.sql": "-- mediabase:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY d_v_key ON d (v);",
        },
    )
    with pytest.raises(MigrationError, match="0002_uniq.sql"):
        await migrator(empty_url, mdir).migrate()
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT count(*) FROM pg_index WHERE NOT indisvalid").fetchone() == (0,)
    assert ledger(empty_url) == [(1, "dups")]


async def test_alter_blocked_by_another_session_fails_within_lock_timeout(empty_url: str, tmp_path: Path) -> None:
    mdir = write(
        tmp_path / "m",
        {
            "0001_a.sql": "CREATE TABLE a (id int);",
        },
    )
    await migrator(empty_url, mdir).migrate()
    write(mdir, {"0002_alter.sql": "ALTER TABLE a ADD COLUMN note text;"})
    with psycopg.connect(empty_url) as blocker:
        blocker.execute("SELECT * FROM mediabase.a")  # holds ACCESS SHARE until rollback
        started = time.monotonic()
        with pytest.raises(MigrationError) as err:
            await migrator(empty_url, mdir, migration_lock_timeout_ms=300).migrate()
        elapsed = time.monotonic() - started
        blocker.rollback()
    assert "0002_alter.sql" in str(err.value) and "lock_timeout" in str(err.value)
    assert elapsed < 10
    assert ledger(empty_url) == [(1, "a")]


async def test_plan_changes_nothing(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    pending = await migrator(empty_url, mdir).plan()
    assert [f.filename for f in pending] == ["0001_a.sql", "0002_b.sql"]
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT to_regnamespace('mediabase')").fetchone() == (None,)
    result = subprocess.run(
        [sys.executable, "-m", "mediabase", "plan"],
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, MEDIABASE_DATABASE_URL=empty_url, MEDIABASE_MIGRATIONS_DIR=str(mdir)),
    )
    assert result.returncode == 0, result.stderr
    assert "0002_b.sql" in result.stdout and "REFERENCES" in result.stdout
    assert ledger(empty_url) == []


async def test_baseline_then_migrate_applies_only_what_follows(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", {**BASIC, "0003_c.sql": "CREATE TABLE c (id int);"})
    with psycopg.connect(empty_url, autocommit=True) as conn:  # a schema made by hand
        conn.execute(
            "CREATE SCHEMA mediabase; CREATE TABLE mediabase.a (id int PRIMARY KEY);"
            " CREATE TABLE mediabase.b (id int PRIMARY KEY, a_id int);"
        )
    m = migrator(empty_url, mdir)
    await m.baseline(2)
    report = await m.migrate()
    assert [f.filename for f, _ in report.applied] == ["0003_c.sql"]
    with pytest.raises(MigrationError, match="empty ledger"):
        await m.baseline(1)


async def test_repair_accepts_an_edit_with_a_recorded_reason(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    await migrator(empty_url, mdir).migrate()
    (mdir / "0001_a.sql").write_text("-- a comment\nCREATE TABLE a (id int PRIMARY KEY);")
    assert (await migrator(empty_url, mdir).status()).problems
    with pytest.raises(MigrationError, match="--reason"):
        await migrator(empty_url, mdir).repair(1, "  ")
    await migrator(empty_url, mdir).repair(1, "added a comment")
    assert (await migrator(empty_url, mdir).status()).current
    with psycopg.connect(empty_url) as conn:
        assert conn.execute("SELECT version, reason FROM mediabase.schema_migration_repairs").fetchall() == [
            (1, "added a comment")
        ]


async def test_views_reapplied_in_dependency_order_when_text_changes(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    write(
        mdir / "views",
        {
            # 'a_summary' sorts before 'z_base' but uses it: dependency order, not name order
            "a_summary.sql": "CREATE VIEW a_summary AS SELECT count(*) AS n FROM z_base;",
            "z_base.sql": "CREATE VIEW z_base AS SELECT id FROM a;",
        },
    )
    m = migrator(empty_url, mdir)
    report = await m.migrate()
    assert report.views == ["z_base", "a_summary"]
    assert (await m.migrate()).views == []
    write(mdir / "views", {"z_base.sql": "CREATE VIEW z_base AS SELECT id, id * 2 AS twice FROM a;"})
    assert (await m.status()).views_pending == ["z_base"]
    assert (await m.migrate()).views == ["z_base", "a_summary"]
    with psycopg.connect(empty_url) as conn:
        cols = conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'z_base' ORDER BY ordinal_position"
        ).fetchall()
        assert cols == [("id",), ("twice",)]


async def test_ensure_current_names_pending_migrations(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    m = migrator(empty_url, mdir)
    await m.migrate(target=1)
    with pytest.raises(SchemaNotCurrent, match="0002_b.sql"):
        await m.ensure_current()


def test_status_exit_codes_and_edited_file(empty_url: str, tmp_path: Path) -> None:
    mdir = write(tmp_path / "m", BASIC)
    assert cli(empty_url, "status", mdir=mdir).returncode == 1
    assert cli(empty_url, "migrate", mdir=mdir).returncode == 0
    assert cli(empty_url, "status", mdir=mdir).returncode == 0
    assert cli(empty_url, "validate", mdir=mdir).returncode == 0
    (mdir / "0002_b.sql").write_text("CREATE TABLE b (id bigint);")
    status = cli(empty_url, "status", mdir=mdir)
    assert status.returncode == 2 and "0002_b.sql" in status.stderr
    migrate = cli(empty_url, "migrate", mdir=mdir)
    assert migrate.returncode == 1 and "0002_b.sql" in migrate.stderr
    assert cli(empty_url, "validate", mdir=mdir).returncode == 1
    assert cli("postgresql://nobody@127.0.0.1:1/none", "status", mdir=mdir).returncode == 2


def test_committed_schema_sql_equals_a_freshly_migrated_dump(migrated_url: str) -> None:
    from mediabase.db.tools import dump_schema

    committed = (REPO / "src" / "mediabase" / "db" / "schema.sql").read_text(encoding="utf-8")
    assert dump_schema(migrated_url) == committed, (
        "schema.sql is stale: run 'mediabase dump-schema -o src/mediabase/db/schema.sql' on a freshly migrated database"
    )
