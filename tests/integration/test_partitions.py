"""The one partition manager (0012): mediabase.partitioned_tables and its functions, on a
partitioned table of the test's own registered beside jobs and the audit log."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from mediabase.db import partitions
from mediabase.db.connection import Database
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker

NOW = datetime.now(UTC)


def month(delta: int, d: datetime = NOW) -> datetime:
    y, m = divmod(d.month - 1 + delta, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1, hour=0, minute=0, second=0, microsecond=0)


def name(delta: int, table: str = "pings") -> str:
    return f"{table}_{month(delta):%Y_%m}"


@pytest.fixture
def conn(migrated_url: str) -> Iterator[psycopg.Connection[Any]]:
    """The owner role, autocommit, with ``pings`` (partitioned by month on ``at``, a DEFAULT
    partition, kept three months, months with a 'keep' row kept) registered."""
    with psycopg.connect(migrated_url, autocommit=True) as c:
        c.execute("SET search_path = mediabase")
        c.execute("SET ROLE mediabase_owner")  # tables are the owner's, as a migration makes them
        c.execute(
            "CREATE TABLE pings (id bigint NOT NULL, at timestamptz NOT NULL, kind text NOT NULL DEFAULT 'x',"
            " doubled bigint GENERATED ALWAYS AS (id * 2) STORED, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)"
        )
        c.execute("CREATE TABLE pings_default PARTITION OF pings DEFAULT")
        c.execute("CREATE TABLE upkeep_calls (cutoff timestamptz)")
        c.execute(
            "CREATE FUNCTION pings_upkeep(cutoff timestamptz) RETURNS void LANGUAGE sql"
            " AS 'INSERT INTO mediabase.upkeep_calls VALUES (cutoff)'"
        )
        c.execute(
            "INSERT INTO partitioned_tables (parent, keep_months, keep_while, partition_options, upkeep)"
            " VALUES ('pings', 3, $$kind = 'keep'$$, '{fillfactor=80}', 'pings_upkeep(timestamptz)')"
        )
        yield c


def add(conn: psycopg.Connection[Any], at: datetime, n: int = 1, kind: str = "x", start: int = 0) -> None:
    conn.execute(
        "INSERT INTO pings (id, at, kind) SELECT %s + g, %s, %s FROM generate_series(1, %s) g", (start, at, kind, n)
    )


def where(conn: psycopg.Connection[Any]) -> dict[int, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT id, tableoid::regclass::text FROM pings").fetchall()}


def maintain_ahead(c: psycopg.Connection[Any], months: int) -> list[tuple[Any, ...]]:
    return c.execute("SELECT * FROM mediabase.maintain_partitions(%s)", (months,)).fetchall()


def in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def target() -> None:
        try:
            out["value"] = fn()
        except Exception as exc:  # handed to the test
            out["error"] = exc

    t = threading.Thread(target=target)
    t.start()
    return t, out


def wait_for_lock_wait(url: str, pid: int) -> None:
    """Until the session ``pid`` waits for a lock (a bounded poll, no timing assertion)."""
    with psycopg.connect(url, autocommit=True) as watcher:  # the login role: it sees every session
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            row = watcher.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.01)
    pytest.fail(f"session {pid} never waited for a lock")


def test_registration_is_checked_when_it_is_made(conn: psycopg.Connection[Any]) -> None:
    conn.execute("CREATE TABLE plain (at timestamptz)")
    conn.execute("CREATE TABLE by_list (k text, at timestamptz) PARTITION BY LIST (k)")
    conn.execute("CREATE TABLE by_text (k text) PARTITION BY RANGE (k)")
    for values, message in (
        ("('plain', NULL, NULL, '{}')", "is not partitioned by range"),
        ("('by_list', NULL, NULL, '{}')", "is not partitioned by range"),
        ("('by_text', NULL, NULL, '{}')", "is not partitioned by range"),
        ("('no_such_table', NULL, NULL, '{}')", "does not exist"),
        ("('jobs', 0, NULL, '{}')", "violates check constraint"),
    ):
        with pytest.raises(psycopg.Error, match=message):
            conn.execute(
                f"INSERT INTO partitioned_tables (parent, keep_months, keep_while, partition_options) VALUES {values}"
            )
    for change, message in (
        ("keep_while = 'no_such_column = 1'", "keep_while of pings"),
        ("partition_options = '{fillfactor=80); DROP TABLE jobs; --}'", "is not name=value"),
        ("upkeep = 'mediabase.partition_key_column(regclass)'", "must take one timestamptz"),
        ("keep_months = 2, min_keep_months = 3", "keep_above_min"),
    ):
        with pytest.raises(psycopg.Error, match=message):
            conn.execute(f"UPDATE partitioned_tables SET {change} WHERE parent = 'pings'::regclass")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="not registered"):
        conn.execute("SELECT create_partition('plain', current_date)")


def test_create_ahead_is_idempotent(conn: psycopg.Connection[Any]) -> None:
    created = [r[0] for r in conn.execute("SELECT ensure_partitions('pings', 2)")]
    assert created == [name(0), name(1), name(2)]
    assert conn.execute("SELECT ensure_partitions('pings', 2)").fetchall() == []
    parts = conn.execute("SELECT name, range_from, range_to, is_default FROM partitions_of('pings')").fetchall()
    assert parts == [
        ("pings_default", None, None, True),
        *((name(k), month(k), month(k + 1), False) for k in range(3)),
    ]
    # made like the parent (generated column, defaults), with the registered storage options
    assert conn.execute("SELECT reloptions FROM pg_class WHERE relname = %s", (name(1),)).fetchone() == (
        ["fillfactor=80"],
    )
    add(conn, month(1) + timedelta(days=3))
    assert conn.execute("SELECT kind, doubled FROM pings").fetchall() == [("x", 2)]
    # the one entry point does every registered table; a second run has nothing to do
    done = conn.execute("SELECT table_name, partition_name, action FROM maintain_partitions(2)").fetchall()
    assert sorted(done) == [(t, name(k, t), "created") for t in ("audit_log", "jobs", "security_events",
                                                                         "story_scene_views", "view_events")
                            for k in range(3)]
    assert conn.execute("SELECT * FROM maintain_partitions(2)").fetchall() == []
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="months_ahead"):
        conn.execute("SELECT ensure_partitions('pings', 37)")


def test_two_sessions_create_the_same_month_at_once(conn: psycopg.Connection[Any], migrated_url: str) -> None:
    add(conn, NOW, 50)
    with psycopg.connect(migrated_url) as first, psycopg.connect(migrated_url, autocommit=True) as second:
        assert first.execute("SELECT mediabase.create_partition('mediabase.pings', now()::date)").fetchone() == (True,)
        t, out = in_thread(
            lambda: second.execute("SELECT mediabase.create_partition('mediabase.pings', now()::date)").fetchone()
        )
        wait_for_lock_wait(migrated_url, second.info.backend_pid)
        first.commit()
        t.join()
    assert out == {"value": (False,)}  # it waited, then found the month there
    assert set(where(conn).values()) == {name(0)}
    # and two whole maintenance runs at once: each month made once, by one of them
    runs = [psycopg.connect(migrated_url, autocommit=True) for _ in range(2)]
    try:
        threads = [in_thread(functools.partial(maintain_ahead, c, 3)) for c in runs]
        for t, _ in threads:
            t.join()
    finally:
        for c in runs:
            c.close()
    assert [o.get("error") for _, o in threads] == [None, None]
    made = sorted(r[1] for _, o in threads for r in o["value"] if r[0] == "pings")
    assert made == [name(1), name(2), name(3)]


def test_a_reader_never_misses_rows_moved_out_of_default(conn: psycopg.Connection[Any], migrated_url: str) -> None:
    """A query that starts while the month's rows move out of DEFAULT counts them all.

    Control first: the way 0003 and 0007 moved rows (ACCESS EXCLUSIVE on DEFAULT only) lets a
    count planned before the attach run after it without the new partition: it sees none."""
    add(conn, NOW, 100)
    add(conn, month(1), 10, start=100)

    def move_then_count(move: Callable[[psycopg.Connection[Any]], None]) -> int:
        with psycopg.connect(migrated_url) as mover, psycopg.connect(migrated_url, autocommit=True) as reader:
            mover.execute("SET search_path = mediabase")
            move(mover)  # inside a transaction still open: rows moved, partition attached
            t, out = in_thread(lambda: reader.execute("SELECT count(*) FROM mediabase.pings").fetchone())
            wait_for_lock_wait(migrated_url, reader.info.backend_pid)
            mover.commit()
            t.join()
        assert "error" not in out, out
        count: int = out["value"][0]
        return count

    def old_way(c: psycopg.Connection[Any]) -> None:  # next month's 10 rows, as 0003 moved them
        part = sql.Identifier(name(1))
        c.execute(sql.SQL("CREATE TABLE {} (LIKE pings INCLUDING DEFAULTS INCLUDING GENERATED)").format(part))
        c.execute("LOCK TABLE pings_default IN ACCESS EXCLUSIVE MODE")
        c.execute(sql.SQL("WITH moved AS (DELETE FROM pings_default WHERE at >= {} RETURNING id, at, kind)"
                          " INSERT INTO {} (id, at, kind) SELECT * FROM moved").format(sql.Literal(month(1)), part))
        c.execute(sql.SQL("ALTER TABLE pings ATTACH PARTITION {} FOR VALUES FROM ({}) TO ({})").format(
            part, sql.Literal(month(1)), sql.Literal(month(2))))

    def this_month(c: psycopg.Connection[Any]) -> None:  # this month's 100 rows, by create_partition
        c.execute("SELECT create_partition('pings', now()::date)")

    assert move_then_count(old_way) == 100  # the 10 moved rows were in neither place for it
    assert move_then_count(this_month) == 110
    assert set(where(conn).values()) == {name(0), name(1)}

    # and a reader counting over and over while months keep moving out of DEFAULT
    for k in range(2, 6):
        add(conn, month(k), 20, start=1000 * k)
    total = 110 + 4 * 20
    counts: list[int] = []
    stop = threading.Event()

    def count_until_stopped() -> None:
        with psycopg.connect(migrated_url, autocommit=True) as reader:
            while not stop.is_set():
                row = reader.execute("SELECT count(*) FROM mediabase.pings").fetchone()
                counts.append(row[0] if row else -1)

    reader = threading.Thread(target=count_until_stopped)
    reader.start()
    try:
        created = [r[0] for r in conn.execute("SELECT ensure_partitions('pings', 0)")]
    finally:
        stop.set()
        reader.join()
    assert created == [name(k) for k in range(2, 6)]  # the months found in DEFAULT
    assert counts and min(counts) == total
    assert conn.execute("SELECT count(*) FROM pings_default").fetchone() == (0,)


def test_a_row_that_reaches_default_during_the_attach_moves_too(
    conn: psycopg.Connection[Any], migrated_url: str
) -> None:
    with psycopg.connect(migrated_url) as writer, psycopg.connect(migrated_url, autocommit=True) as creator:
        writer.execute("INSERT INTO mediabase.pings (id, at) VALUES (1, %s)", (month(1) + timedelta(hours=5),))
        # the creator does not see the uncommitted row, so it attaches at once, and waits for the
        # writer's lock on DEFAULT; then the attach's scan of DEFAULT finds the row
        t, out = in_thread(lambda: creator.execute(
            "SELECT mediabase.create_partition('mediabase.pings', %s)", (month(1).date(),)).fetchone())
        wait_for_lock_wait(migrated_url, creator.info.backend_pid)
        writer.commit()
        t.join()
    assert out == {"value": (True,)}
    assert where(conn) == {1: name(1)}


def test_rollover_at_a_month_boundary(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT ensure_partitions('pings', 1)")
    edge = month(1)
    add(conn, edge - timedelta(microseconds=1), start=1)
    add(conn, edge, start=2)
    assert where(conn) == {2: name(0), 3: name(1)}
    # a table keyed by date is served too: its bounds are the months' first days
    conn.execute("CREATE TABLE daily (d date NOT NULL) PARTITION BY RANGE (d)")
    conn.execute("INSERT INTO partitioned_tables (parent) VALUES ('daily')")
    assert len(conn.execute("SELECT ensure_partitions('daily', 1)").fetchall()) == 2
    conn.execute("INSERT INTO daily VALUES (%s), (%s)", ((edge - timedelta(days=1)).date(), edge.date()))
    assert conn.execute("SELECT tableoid::regclass::text FROM daily ORDER BY d").fetchall() == [
        (name(0, "daily"),), (name(1, "daily"),)]
    assert conn.execute("SELECT range_from FROM partitions_of('daily')").fetchall() == [(month(0),), (month(1),)]


def test_prune_by_policy(conn: psycopg.Connection[Any]) -> None:
    for k in range(-6, 1):
        add(conn, month(k) + timedelta(days=1), 5, start=100 * (k + 10))
    add(conn, month(-5) + timedelta(days=2), kind="keep", start=10_000)
    conn.execute("SELECT ensure_partitions('pings', 0)")  # every month found in DEFAULT
    assert len(conn.execute("SELECT * FROM partitions_of('pings')").fetchall()) == 8
    conn.execute("SELECT create_partition('audit_log', %s)", (month(-30).date(),))  # kept forever
    done = conn.execute(
        "SELECT table_name, partition_name, action, detail FROM maintain_partitions(NULL)"
        " WHERE action <> 'created' ORDER BY 2").fetchall()
    # three months after this one are kept; -5 still holds a row its policy keeps
    assert done == [
        ("pings", name(-6), "dropped", None),
        ("pings", name(-5), "kept", "it still holds rows where kind = 'keep'"),
        ("pings", name(-4), "dropped", None),
    ]
    left = {r[0] for r in conn.execute("SELECT name FROM partitions_of('pings')")}
    assert left == {"pings_default", name(-5), name(-3), name(-2), name(-1), name(0)}
    assert conn.execute("SELECT cutoff FROM upkeep_calls").fetchall() == [(month(-3),)]

    # --prune-keep for one run, never below the table's minimum; tables kept forever stay so
    conn.execute("UPDATE partitioned_tables SET min_keep_months = 2 WHERE parent = 'pings'::regclass")
    dropped = [r[0] for r in conn.execute(
        "SELECT partition_name FROM maintain_partitions(NULL, 1) WHERE action = 'dropped'")]
    assert dropped == [name(-3)]
    assert name(-30, "audit_log") in {r[0] for r in conn.execute("SELECT name FROM partitions_of('audit_log')")}
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="at least 2"):
        conn.execute("SELECT prune_partitions('pings', 1)")

    # a policy that archives first: the upkeep leaves its months for the archive command
    conn.execute("UPDATE partitioned_tables SET archive = true, min_keep_months = 1, keep_months = 1"
                 " WHERE parent = 'pings'::regclass")
    kept = conn.execute("SELECT partition_name, action, detail FROM maintain_partitions(NULL)").fetchall()
    assert (name(-2), "kept", "its policy archives a month before dropping it (--archive-dir)") in kept
    assert name(-2) in {r[0] for r in conn.execute("SELECT name FROM partitions_of('pings')")}
    due = conn.execute("SELECT partition_name, archive, kept_because FROM partitions_due() WHERE table_name = 'pings'")
    assert due.fetchall() == [(name(-5), True, "it still holds rows where kind = 'keep'"), (name(-2), True, None)]


def test_a_table_that_fails_is_reported_and_rolled_back_alone(conn: psycopg.Connection[Any]) -> None:
    conn.execute("CREATE FUNCTION boom() RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE 'boom'; END$$")
    conn.execute("UPDATE partitioned_tables SET keep_while = 'boom()' WHERE parent = 'pings'::regclass")
    add(conn, month(-8))
    done = conn.execute("SELECT table_name, partition_name, action, detail FROM maintain_partitions(0)").fetchall()
    assert ("pings", None, "failed", "boom") in done
    assert {(t, a) for t, _, a, _ in done} == {("jobs", "created"), ("audit_log", "created"),
                                               ("story_scene_views", "created"), ("security_events", "created"),
                                               ("view_events", "created"), ("pings", "failed")}
    assert [r[0] for r in conn.execute("SELECT name FROM partitions_of('pings')")] == ["pings_default"]


def test_a_month_that_becomes_busy_before_its_drop_is_kept(conn: psycopg.Connection[Any]) -> None:
    add(conn, month(-8), 3)
    conn.execute("SELECT ensure_partitions('pings', 0)")
    conn.execute("UPDATE pings SET kind = 'keep' WHERE id = 1")  # after the month was found due
    assert conn.execute("SELECT drop_partition('pings', %s)", (name(-8),)).fetchone() == (False,)
    assert conn.execute("SELECT count(*) FROM pings").fetchone() == (3,)  # still attached, rows there
    with pytest.raises(psycopg.errors.UndefinedTable):
        conn.execute("SELECT drop_partition('pings', 'pings_default')")


def test_the_app_role_may_not_run_or_read_any_of_it(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT ensure_partitions('pings', 0)")
    conn.execute("RESET ROLE")
    conn.execute("SET ROLE mediabase_app")
    for stmt in (
        "SELECT * FROM partitioned_tables",
        f"SELECT * FROM {name(0)}",
        "SELECT maintain_partitions(1)",
        "SELECT create_partition('pings', current_date)",
        "SELECT * FROM partition_status()",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(stmt)
    conn.execute("RESET ROLE")


async def test_the_worker_upkeep_serves_every_registered_table(
    conn: psycopg.Connection[Any], db: Database, migrated_url: str
) -> None:
    add(conn, month(-9), 2)
    import mediabase.jobs.upkeep
    import mediabase.search.jobs  # noqa: F401 - registers the built-in handler a worker needs

    await Worker(db, JobSettings(months_ahead=1), maintenance_url=migrated_url)._upkeep()
    names = {r[0] for r in conn.execute("SELECT name FROM partition_status()")}
    assert {name(0), name(1), name(0, "jobs"), name(1, "jobs"), name(0, "audit_log")} <= names
    assert name(-9) not in names  # moved out of DEFAULT into its month, then dropped by policy
    async with await psycopg.AsyncConnection.connect(migrated_url, autocommit=True) as aconn:
        status = await partitions.status(aconn)
    assert {p.table for p in status} == {"jobs", "audit_log", "story_scene_views", "security_events", "view_events",
                                              "pings"}
