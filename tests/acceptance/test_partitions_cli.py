"""``mediabase partitions`` as an operator runs it: every registered table maintained, old
months written to an archive directory before they are dropped."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

from tests.acceptance.cli import mediabase

NOW = datetime.now(UTC)


def month(delta: int) -> datetime:
    y, m = divmod(NOW.month - 1 + delta, 12)
    return NOW.replace(year=NOW.year + y, month=m + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


def old_jobs(url: str) -> tuple[str, str]:
    """40 finished jobs eight months ago (one with a message CSV must quote), one queued job
    nine months ago; returns the names of those two months' partitions."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO mediabase.organizations (name, slug) VALUES ('Ops', 'ops') RETURNING id"
        ).fetchone()
        assert row is not None
        conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at, status, completed_at, stage, message)"
            " SELECT %s, 'demo.old', %s + g * interval '1 hour', 'completed', now(), 'completed',"
            " CASE WHEN g = 1 THEN e'a \"quoted\", multi-line\\nmessage' END FROM generate_series(1, 40) g",
            (row[0], month(-8)),
        )
        conn.execute(
            "INSERT INTO mediabase.jobs (organization_id, type, created_at) VALUES (%s, 'demo.waiting', %s)",
            (row[0], month(-9)),
        )
    return f"jobs_{month(-8):%Y_%m}", f"jobs_{month(-9):%Y_%m}"


def partition_csv(url: str, partition: str) -> list[str]:
    """The partition's rows as COPY writes them (header first, then the rows sorted)."""
    out = io.BytesIO()
    stmt = sql.SQL("COPY {} TO STDOUT (FORMAT csv, HEADER)").format(sql.Identifier("mediabase", partition))
    with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy(stmt) as copy:
        for chunk in copy:
            out.write(chunk)
    return split_csv(out.getvalue())


def split_csv(data: bytes) -> list[str]:
    # a quoted field may span lines: split records on the newlines outside quotes
    records: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in data.decode("utf-8"):
        if ch == '"':
            quoted = not quoted
        if ch == "\n" and not quoted:
            records.append("".join(current))
            current = []
        else:
            current.append(ch)
    return [records[0], *sorted(records[1:])]


def partitions_of(url: str) -> set[str]:
    status = mediabase("partitions", "status", "--json", url=url)
    assert status.returncode == 0, status.stderr
    return {p["name"] for p in json.loads(status.stdout)}


def test_old_months_are_archived_then_dropped(migrated_url: str, tmp_path: Path) -> None:
    done, waiting = old_jobs(migrated_url)
    assert mediabase("partitions", "ensure", url=migrated_url).returncode == 0  # the old months leave DEFAULT
    expected = partition_csv(migrated_url, done)
    assert len(expected) == 41

    archive = tmp_path / "cold"
    run = mediabase("partitions", "--months-ahead", "1", "--archive-dir", str(archive), url=migrated_url)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert f"dropped {done} (archived to {archive / f'{done}.csv.gz'}, 40 rows)" in lines
    assert f"kept {waiting}: it still holds rows where status IN ('queued', 'processing')" in lines
    assert sorted(p.name for p in archive.iterdir()) == [f"{done}.csv.gz"]  # no temporary file left
    with gzip.open(archive / f"{done}.csv.gz") as f:
        assert split_csv(f.read()) == expected  # the very rows of the dropped month
    parts = partitions_of(migrated_url)
    assert done not in parts and waiting in parts and f"audit_log_{month(1):%Y_%m}" in parts

    again = mediabase("partitions", "--archive-dir", str(archive), "--json", url=migrated_url)
    assert again.returncode == 0, again.stderr
    assert [(a["partition"], a["action"]) for a in json.loads(again.stdout)] == [(waiting, "kept")]


def test_a_month_whose_archive_cannot_be_written_is_not_dropped(migrated_url: str, tmp_path: Path) -> None:
    done, _ = old_jobs(migrated_url)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    run = mediabase("partitions", "--archive-dir", str(blocker / "sub"), url=migrated_url)
    assert run.returncode == 1
    assert f"failed {done}: not dropped: cannot create {blocker / 'sub'}" in run.stdout
    assert done in partitions_of(migrated_url)

    # the file's place is taken: COPY and drop ran, the rename failed, all of it rolled back
    archive = tmp_path / "cold"
    (archive / f"{done}.csv.gz").mkdir(parents=True)
    run = mediabase("partitions", "--archive-dir", str(archive), url=migrated_url)
    assert run.returncode == 1 and f"failed {done}: not dropped: cannot write" in run.stdout
    assert done in partitions_of(migrated_url)
    assert sorted(p.name for p in archive.iterdir()) == [f"{done}.csv.gz"]  # the directory, nothing else
    with psycopg.connect(migrated_url) as conn:
        count = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("mediabase", done))
        assert conn.execute(count).fetchone() == (40,)


def test_the_policy_is_the_database_s(migrated_url: str) -> None:
    done, _ = old_jobs(migrated_url)
    changed = mediabase("partitions", "policy", "jobs", "--keep-months", "12", "--json", url=migrated_url)
    assert changed.returncode == 0, changed.stderr
    assert json.loads(changed.stdout)[0]["keep_months"] == 12
    run = mediabase("partitions", url=migrated_url)
    assert run.returncode == 0 and done in partitions_of(migrated_url)  # eight months < twelve
    listed = mediabase("partitions", "policy", url=migrated_url)
    assert "audit_log" in listed.stdout and "forever" in listed.stdout
    too_short = mediabase("partitions", "policy", "audit_log", "--keep-months", "3", url=migrated_url)
    assert too_short.returncode == 1 and "audit_log keeps at least 12 months" in too_short.stderr
    unknown = mediabase("partitions", "policy", "nope", "--archive", url=migrated_url)
    assert unknown.returncode == 1 and "nope is not a registered partitioned table" in unknown.stderr
    misplaced = mediabase("partitions", "--prune-keep", "3", "status", url=migrated_url)
    assert misplaced.returncode == 1 and "without a subcommand" in misplaced.stderr
