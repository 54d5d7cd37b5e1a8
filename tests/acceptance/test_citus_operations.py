"""Operating mediabase through a Citus coordinator (issue 24; docs/scale-out.md): the migrator
keeps its guarantees there (two runners apply a migration once, a failing one leaves nothing on
any node, an edited applied file is refused), and `mediabase backup` of the cluster restores into
one server with every row.

Uses the session's migrated cluster (``citus_migrated``, tests/citus.py); the probe migrations
of the migrator test are removed again at its end, so the other Citus modules see the schema of
the repository.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from mediabase.db.migrator import default_migrations_dir, default_views_dir
from tests.acceptance.cli import mediabase
from tests.citus import CITUS_TIMEOUT_S
from tests.integration.test_migrator import cli, ledger, start_migrate, write

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]

PROBE = """CREATE TABLE probe (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id bigint NOT NULL,
    PRIMARY KEY (organization_id, id)
);
SELECT declare_table('probe', 'distributed');
SELECT pg_sleep(1);
"""
FAILING = """CREATE TABLE probe_failed (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    id bigint NOT NULL,
    PRIMARY KEY (organization_id, id)
);
SELECT declare_table('probe_failed', 'distributed');
SELECT 1 / 0;
"""


def on_every_node(url: str, query: str) -> list[str]:
    """``query``'s one value on the coordinator and on each worker."""
    with psycopg.connect(url) as conn:
        here = conn.execute(query).fetchone()
        there = conn.execute("SELECT result FROM run_command_on_workers(%s) ORDER BY nodeport", (query,)).fetchall()
    assert here is not None
    return [str(here[0]), *(str(r[0]) for r in there)]


@pytest.fixture
def migrations(citus_migrated: str, tmp_path: Path) -> Iterator[Path]:
    """A copy of the repository's migrations and views; the probes are gone again afterwards."""
    mdir = tmp_path / "m"
    shutil.copytree(default_migrations_dir(), mdir)
    shutil.copytree(default_views_dir(), mdir / "views")
    last = max(v for v, _ in ledger(citus_migrated))
    try:
        yield mdir
    finally:
        with psycopg.connect(citus_migrated) as conn:
            conn.execute("DROP TABLE IF EXISTS mediabase.probe, mediabase.probe_failed")
            conn.execute("DELETE FROM mediabase.schema_migrations WHERE version > %s", (last,))


def test_the_migrator_keeps_its_guarantees_through_the_coordinator(citus_migrated: str, migrations: Path) -> None:
    url = citus_migrated
    last = max(v for v, _ in ledger(url))
    write(migrations, {f"{last + 1:04d}_probe.sql": PROBE})
    runners = [start_migrate(url, migrations) for _ in range(2)]
    outs = [p.communicate(timeout=CITUS_TIMEOUT_S) for p in runners]
    assert [p.returncode for p in runners] == [0, 0], outs
    assert [v for v, _ in ledger(url)].count(last + 1) == 1
    with psycopg.connect(url) as conn:
        kind = conn.execute("SELECT citus_table_type FROM citus_tables"
                            " WHERE table_name = 'mediabase.probe'::regclass").fetchone()
    assert kind == ("distributed",)

    # a migration failing in its last statement leaves no table, no shard and no ledger row on any node
    write(migrations, {f"{last + 2:04d}_failing.sql": FAILING})
    failed = cli(url, "migrate", mdir=migrations, timeout=CITUS_TIMEOUT_S)
    assert failed.returncode == 1 and "division by zero" in failed.stderr, failed.stderr
    assert [v for v, _ in ledger(url)][-1] == last + 1
    assert on_every_node(url, "SELECT count(*) FROM pg_class WHERE relname LIKE 'probe\\_failed%'") == ["0"] * 3

    # an applied file edited afterwards is refused, by status and by migrate
    (migrations / f"{last + 2:04d}_failing.sql").unlink()
    (migrations / f"{last + 1:04d}_probe.sql").write_text(PROBE.replace("pg_sleep(1)", "pg_sleep(2)"))
    status = cli(url, "status", mdir=migrations, timeout=CITUS_TIMEOUT_S)
    assert status.returncode == 2 and f"{last + 1:04d}_probe.sql" in status.stderr, status.stderr


TABLES = """
SELECT c.relname::text FROM pg_class c
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
 ORDER BY 1
"""


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(TABLES).fetchall()]
        counts = {}
        for t in tables:
            row = conn.execute(sql.SQL("SELECT count(*) FROM mediabase.{}").format(sql.Identifier(t))).fetchone()
            assert row is not None
            counts[t] = int(row[0])
    return counts


def test_a_backup_of_the_cluster_restores_into_one_server_with_every_row(
    citus_migrated: str, empty_url: str, tmp_path: Path,
) -> None:
    seeded = mediabase("seed", "demo", url=citus_migrated, timeout=CITUS_TIMEOUT_S)
    assert seeded.returncode == 0, seeded.stderr
    archive = tmp_path / "cluster.dump"
    made = mediabase("backup", str(archive), url=citus_migrated, timeout=CITUS_TIMEOUT_S)
    assert made.returncode == 0, made.stderr
    restored = mediabase("restore", str(archive), url=empty_url, timeout=CITUS_TIMEOUT_S)
    assert restored.returncode == 0, restored.stderr
    before, after = row_counts(citus_migrated), row_counts(empty_url)
    assert before == after
    assert before["transcript_segments"] > 1000 and before["story_segments"] > 0
    with psycopg.connect(empty_url) as conn:  # a plain server: no Citus, the declarations kept
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname LIKE 'citus%'").fetchone() == (0,)
        assert conn.execute("SELECT mediabase.citus_kind('mediabase.videos')").fetchone() == ("local",)
    status = mediabase("status", url=empty_url)
    assert status.returncode == 0, status.stdout + status.stderr
