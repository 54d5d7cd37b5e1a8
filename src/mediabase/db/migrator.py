"""The migration runner: ordered, checksummed, locked, one transaction per file.

Guarantees (each has a test in tests/integration/test_migrator.py):
- files are validated before anything runs: names, numbering, checksums, renames, order;
- one session-level advisory lock, polled with ``pg_try_advisory_lock`` on the migrating
  connection (never a blocking or transaction-scoped lock: those deadlock with CREATE INDEX
  CONCURRENTLY), with a bounded wait whose error names the holder; the ledger is re-read
  once the lock is held;
- each file runs verbatim in its own transaction with ``SET LOCAL lock_timeout`` and
  ``statement_timeout``, its ledger row in the same transaction;
- ``-- mediabase:no-transaction`` files hold exactly one statement and leave no invalid index;
- read-model views are re-applied, in dependency order, when their text changes.
"""

from __future__ import annotations

import asyncio
import graphlib
import hashlib
import os
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from mediabase.config import Settings
from mediabase.db import sqlscan
from mediabase.db.connection import OWNER_ROLE, SEARCH_PATH, direct_url
from mediabase.db.distribution import CITUS_LOGINS
from mediabase.db.errors import MigrationError, SchemaNotCurrent

FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<name>[a-z0-9][a-z0-9_]*)\.sql$")
VIEW_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
NO_TRANSACTION = "mediabase:no-transaction"
LOCK_KEY = (0x6D656469, 0x61)  # 'medi', 'a': two int4 keys, shown as classid/objid in pg_locks
SCHEMAS = ("mediabase",)

LEDGER_DDL = b"""
CREATE SCHEMA IF NOT EXISTS mediabase;
CREATE TABLE IF NOT EXISTS mediabase.schema_migrations (
    version       integer PRIMARY KEY CHECK (version > 0),
    name          text NOT NULL,
    checksum      text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at    timestamptz NOT NULL DEFAULT now(),
    applied_by    text NOT NULL,
    duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
    transactional boolean NOT NULL,
    baseline      boolean NOT NULL DEFAULT false
);
CREATE TABLE IF NOT EXISTS mediabase.schema_migration_repairs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version      integer NOT NULL REFERENCES mediabase.schema_migrations (version),
    old_checksum text NOT NULL,
    new_checksum text NOT NULL,
    reason       text NOT NULL CHECK (length(btrim(reason)) > 0),
    repaired_at  timestamptz NOT NULL DEFAULT now(),
    repaired_by  text NOT NULL
);
CREATE TABLE IF NOT EXISTS mediabase.schema_views (
    name       text PRIMARY KEY,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL
);
"""


def checksum(data: bytes) -> str:
    """sha256 of a file with a UTF-8 BOM stripped and CRLF turned into LF."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _normalized_text(data: bytes, path: Path) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.replace(b"\r\n", b"\n").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MigrationError(f"{path.name}: not UTF-8 ({exc})") from exc


@dataclass(frozen=True, slots=True)
class MigrationFile:
    version: int
    name: str
    path: Path
    sql: str
    checksum: str
    transactional: bool

    @property
    def filename(self) -> str:
        return self.path.name


@dataclass(frozen=True, slots=True)
class Applied:
    version: int
    name: str
    checksum: str
    applied_at: datetime
    applied_by: str
    duration_ms: int
    transactional: bool
    baseline: bool

    @property
    def filename(self) -> str:
        return f"{self.version:04d}_{self.name}.sql"


@dataclass(frozen=True, slots=True)
class ViewFile:
    name: str
    sql: str
    checksum: str
    depends_on: frozenset[str]


@dataclass(slots=True)
class Status:
    files: list[MigrationFile]
    applied: list[Applied]
    pending: list[MigrationFile]
    views_pending: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return not self.pending and not self.views_pending and not self.problems


@dataclass(slots=True)
class Report:
    applied: list[tuple[MigrationFile, int]] = field(default_factory=list)  # file, duration ms
    views: list[str] = field(default_factory=list)


def _header_says_no_transaction(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            return False
        if stripped[2:].strip().lower().startswith(NO_TRANSACTION):
            return True
    return False


def default_migrations_dir() -> Path:
    return Path(str(resources.files("mediabase.db").joinpath("migrations")))


def default_views_dir() -> Path:
    return Path(str(resources.files("mediabase.db").joinpath("views")))


def load_migrations(directory: Path) -> list[MigrationFile]:
    """Read and validate the migration files of ``directory`` (names, numbering, content)."""
    if not directory.is_dir():
        raise MigrationError(f"migrations folder {directory} does not exist")
    files: list[MigrationFile] = []
    seen: dict[int, str] = {}
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file() or path.suffix != ".sql":
            continue
        m = FILE_NAME.match(path.name)
        if not m:
            raise MigrationError(
                f"{path.name}: malformed migration name; expected NNNN_lowercase_words.sql",
                file=path.name,
            )
        version = int(m["version"])
        if version == 0:
            raise MigrationError(f"{path.name}: migrations are numbered from 0001", file=path.name)
        if version in seen:
            raise MigrationError(
                f"{path.name}: duplicate migration number {version:04d} (also {seen[version]})",
                file=path.name,
            )
        seen[version] = path.name
        data = path.read_bytes()
        text = _normalized_text(data, path)
        transactional = not _header_says_no_transaction(text)
        stmts = sqlscan.statements(text)
        if not stmts:
            raise MigrationError(f"{path.name}: the file holds no SQL statement", file=path.name)
        for st in stmts:
            if st.is_transaction_control:
                raise MigrationError(
                    f"{path.name}:{st.line}: {' '.join(st.words[:2])} is not allowed; each "
                    "migration already runs in its own transaction (use "
                    f"'-- {NO_TRANSACTION}' for a statement that cannot)",
                    file=path.name,
                )
        if not transactional and len(stmts) != 1:
            raise MigrationError(
                f"{path.name}: a '{NO_TRANSACTION}' file must hold exactly one statement "
                f"(found {len(stmts)}, at lines {', '.join(str(s.line) for s in stmts)})",
                file=path.name,
            )
        files.append(MigrationFile(version, m["name"], path, text, checksum(data), transactional))
    for expected, mf in enumerate(files, start=1):
        if mf.version != expected:
            raise MigrationError(
                f"{mf.filename}: migration number {expected:04d} is missing before it",
                file=mf.filename,
            )
    return files


def load_views(directory: Path) -> list[ViewFile]:
    """Read the read-model views, ordered so that each comes after the views it uses."""
    if not directory.is_dir():
        return []
    raw: dict[str, tuple[str, str]] = {}
    for path in sorted(directory.glob("*.sql")):
        name = path.stem
        if not VIEW_NAME.match(name):
            raise MigrationError(f"{path.name}: a view file is named after its view (lowercase)")
        data = path.read_bytes()
        raw[name] = (_normalized_text(data, path), checksum(data))
    views: dict[str, ViewFile] = {}
    for name, (text, digest) in raw.items():
        deps = frozenset(other for other in raw if other != name and re.search(rf"\b{re.escape(other)}\b", text))
        views[name] = ViewFile(name, text, digest, deps)
    sorter = graphlib.TopologicalSorter({n: v.depends_on for n, v in views.items()})
    try:
        order = list(sorter.static_order())
    except graphlib.CycleError as exc:
        raise MigrationError(f"views depend on each other in a cycle: {exc.args[1]}") from exc
    return [views[n] for n in order]


def check(files: list[MigrationFile], applied: list[Applied]) -> tuple[list[MigrationFile], list[str]]:
    """Compare files with the ledger: the pending files and every drift problem found."""
    problems: list[str] = []
    by_version = {f.version: f for f in files}
    for row in applied:
        f = by_version.get(row.version)
        if f is None:
            problems.append(f"{row.filename}: applied, but the file is missing (deleted?)")
        elif f.name != row.name:
            problems.append(f"{row.filename}: applied, but the file was renamed to {f.filename}")
        elif f.checksum != row.checksum:
            problems.append(
                f"{f.filename}: edited after it was applied (checksum {f.checksum[:12]}… "
                f"!= applied {row.checksum[:12]}…); add a new migration instead, or "
                f"'mediabase repair --accept-checksum {f.version}' if the edit is harmless"
            )
    done = {r.version for r in applied}
    highest = max(done, default=0)
    pending = [f for f in files if f.version not in done]
    for f in pending:
        if f.version < highest:
            problems.append(
                f"{f.filename}: pending but numbered below the highest applied migration "
                f"{highest:04d}; renumber it after {highest:04d}"
            )
    return pending, problems


class Migrator:
    """Runs migrations and views against one database as its owner."""

    def __init__(
        self,
        url: str,
        settings: Settings,
        *,
        migrations_dir: Path | None = None,
        views_dir: Path | None = None,
    ) -> None:
        # the advisory session lock needs a real session: MEDIABASE_DIRECT_URL behind a pooler
        self.url = direct_url(url, settings)
        self.settings = settings
        self.migrations_dir = migrations_dir or settings.migrations_dir or default_migrations_dir()
        self.views_dir = views_dir or settings.views_dir or default_views_dir()
        self.before_commit: Callable[[MigrationFile], Awaitable[None]] | None = None
        self.log: Callable[[str], None] = lambda _msg: None

    # -- connections and the lock -------------------------------------------------------

    async def _connect(self, purpose: str) -> psycopg.AsyncConnection[dict[str, Any]]:
        try:
            conn = await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,
                row_factory=dict_row,
                connect_timeout=max(1, int(self.settings.connect_timeout)),
                application_name=f"mediabase {purpose} pid={os.getpid()} host={socket.gethostname()}"[:63],
            )
        except psycopg.OperationalError as exc:
            raise MigrationError(f"cannot connect to the database: {exc}") from exc
        # A server backend notices within a second when this process dies mid-migration
        # (kill -9), so its transaction rolls back and the lock frees without waiting.
        await conn.execute("SET client_connection_check_interval = 1000")
        return conn

    async def _lock_holder(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> str:
        row = await (
            await conn.execute(
                """
                SELECT l.pid, a.application_name, a.usename, a.client_addr::text AS addr,
                       a.backend_start, a.state
                  FROM pg_locks l JOIN pg_stat_activity a USING (pid)
                 WHERE l.locktype = 'advisory' AND l.granted
                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                   AND l.classid = %s AND l.objid = %s AND l.objsubid = 2
                """,
                LOCK_KEY,
            )
        ).fetchone()
        if row is None:
            return "an unknown session"
        return (
            f"server pid {row['pid']} ({row['application_name'] or 'no application_name'}, "
            f"user {row['usename']}, since {row['backend_start']:%Y-%m-%d %H:%M:%S%z}, "
            f"state {row['state']})"
        )

    async def _acquire(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> None:
        deadline = time.monotonic() + self.settings.migration_lock_wait
        delay = 0.05
        told = False
        while True:
            row = await (await conn.execute("SELECT pg_try_advisory_lock(%s, %s) AS ok", LOCK_KEY)).fetchone()
            if row and row["ok"]:
                return
            if time.monotonic() >= deadline:
                holder = await self._lock_holder(conn)
                raise MigrationError(
                    f"another migration holds the lock: {holder}; gave up after "
                    f"{self.settings.migration_lock_wait:g} s (MEDIABASE_MIGRATION_LOCK_WAIT)"
                )
            if not told:
                self.log(f"waiting for the migration lock held by {await self._lock_holder(conn)}")
                told = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    # -- reading ----------------------------------------------------------------------------

    async def _ledger(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> list[Applied]:
        exists = await (await conn.execute("SELECT to_regclass('mediabase.schema_migrations') AS t")).fetchone()
        if not exists or exists["t"] is None:
            return []
        rows = await (
            await conn.execute(
                "SELECT version, name, checksum, applied_at, applied_by, duration_ms,"
                " transactional, baseline FROM mediabase.schema_migrations ORDER BY version"
            )
        ).fetchall()
        return [Applied(**r) for r in rows]

    async def _views_pending(self, conn: psycopg.AsyncConnection[dict[str, Any]], views: list[ViewFile]) -> list[str]:
        exists = await (await conn.execute("SELECT to_regclass('mediabase.schema_views') AS t")).fetchone()
        recorded: dict[str, str] = {}
        if exists and exists["t"] is not None:
            rows = await (await conn.execute("SELECT name, checksum FROM mediabase.schema_views")).fetchall()
            recorded = {r["name"]: r["checksum"] for r in rows}
        present = {
            r["viewname"]
            for r in await (
                await conn.execute("SELECT viewname FROM pg_views WHERE schemaname = 'mediabase'")
            ).fetchall()
        }
        wanted = {v.name: v.checksum for v in views}
        changed = [n for n, c in wanted.items() if recorded.get(n) != c or n not in present]
        removed = [n for n in recorded if n not in wanted]
        return changed + removed

    async def status(self) -> Status:
        """Where the database stands; read-only, takes no lock."""
        files = load_migrations(self.migrations_dir)
        views = load_views(self.views_dir)
        conn = await self._connect("status")
        async with conn:
            applied = await self._ledger(conn)
            pending, problems = check(files, applied)
            views_pending = await self._views_pending(conn, views) if not pending else [v.name for v in views]
        return Status(files, applied, pending, views_pending, problems)

    async def ensure_current(self) -> None:
        """Refuse to go on with a schema that is behind or drifted (API and worker start-up)."""
        st = await self.status()
        if st.problems:
            raise SchemaNotCurrent("schema drift: " + "; ".join(st.problems))
        if st.pending or st.views_pending:
            names = [f.filename for f in st.pending] + [f"view {v}" for v in st.views_pending]
            raise SchemaNotCurrent(
                "the database schema is behind; run 'mediabase migrate'. Pending: " + ", ".join(names)
            )

    # -- writing ----------------------------------------------------------------------------

    async def migrate(self, *, target: int | None = None) -> Report:
        """Apply every pending migration (up to ``target``), then the changed views."""
        files = load_migrations(self.migrations_dir)
        views = load_views(self.views_dir)
        report = Report()
        conn = await self._connect("migrate")
        async with conn:
            await self._acquire(conn)
            try:
                await conn.execute(LEDGER_DDL)
                applied = await self._ledger(conn)  # re-read under the lock
                pending, problems = check(files, applied)
                if problems:
                    raise MigrationError("; ".join(problems))
                await self._citus_extensions(conn, [f for f in pending if target is None or f.version <= target])
                for f in pending:
                    if target is not None and f.version > target:
                        break
                    self.log(f"applying {f.filename}")
                    duration = await (self._apply(conn, f) if f.transactional else self._apply_outside(conn, f))
                    report.applied.append((f, duration))
                if target is None or target >= len(files):
                    report.views = await self._apply_views(conn, views)
            finally:
                if not conn.closed:
                    await conn.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY)
        return report

    def _error(self, f: MigrationFile, exc: psycopg.Error, offset: int = 0) -> MigrationError:
        diag = exc.diag
        where = ""
        if diag.statement_position:
            pos = offset + int(diag.statement_position)
            where = f":{f.sql.count(chr(10), 0, pos - 1) + 1}"
        msg = diag.message_primary or str(exc)
        hint = f" (hint: {diag.message_hint})" if diag.message_hint else ""
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            hint = (
                f" (a lock was not granted within lock_timeout "
                f"{self.settings.migration_lock_timeout_ms} ms: another session holds it)"
            )
        return MigrationError(f"{f.filename}{where}: {msg}{hint}; nothing of it was applied", file=f.filename)

    async def _set_timeouts(self, conn: psycopg.AsyncConnection[dict[str, Any]], scope: str) -> None:
        s = self.settings
        assert scope in ("LOCAL", "SESSION")
        for name, value in (
            ("lock_timeout", s.migration_lock_timeout_ms),
            ("statement_timeout", s.migration_statement_timeout_ms),
        ):
            await conn.execute("SELECT set_config(%s, %s, %s)", (name, f"{value}ms", scope == "LOCAL"))
        await conn.execute("SELECT set_config('search_path', %s, %s)", (SEARCH_PATH, scope == "LOCAL"))

    async def _become_owner(self, conn: psycopg.AsyncConnection[dict[str, Any]], *, local: bool) -> bool:
        """Run as the owner role once migration 0001 has handed it the schema."""
        row = await (
            await conn.execute(
                "SELECT CASE WHEN to_regrole(%s) IS NULL THEN false"
                " ELSE n.nspowner = to_regrole(%s) AND pg_has_role(current_user, %s, 'MEMBER')"
                " END AS ok FROM pg_namespace n WHERE n.nspname = 'mediabase'",
                (OWNER_ROLE, OWNER_ROLE, OWNER_ROLE),
            )
        ).fetchone()
        if not (row and row["ok"]):
            return False
        stmt = "SET LOCAL ROLE {}" if local else "SET ROLE {}"
        await conn.execute(sql.SQL(stmt).format(sql.Identifier(OWNER_ROLE)))
        return True

    async def _record(self, conn: psycopg.AsyncConnection[dict[str, Any]], f: MigrationFile, ms: int) -> None:
        await conn.execute(
            "INSERT INTO mediabase.schema_migrations"
            " (version, name, checksum, applied_by, duration_ms, transactional)"
            " VALUES (%s, %s, %s, current_user || ' ' || %s, %s, %s)",
            (f.version, f.name, f.checksum, f"pid={os.getpid()}@{socket.gethostname()}", ms, f.transactional),
        )

    async def _apply(self, conn: psycopg.AsyncConnection[dict[str, Any]], f: MigrationFile) -> int:
        offset = 0  # where in the file the statement that failed begins (statements sent one by one)
        try:
            # on Citus the owner runs SQL on the workers too, so it must log in there: committed
            # before the migration's transaction (a worker authenticates against committed roles)
            await conn.execute(CITUS_LOGINS)
            async with conn.transaction():
                await self._set_timeouts(conn, "LOCAL")
                owner = await self._become_owner(conn, local=True)
                t0 = time.perf_counter()
                if await self._citus(conn):
                    # a table created with a key into a reference table (users) stays a plain table
                    # until its migration declares it (declare_table distributes it in place):
                    # Citus would otherwise make it a "citus local" table at once, and distributing
                    # one of those replaces the table (a new OID, its declaration orphaned)
                    await conn.execute("SET LOCAL citus.enable_local_reference_table_foreign_keys = off")
                    # one connection per worker: DDL on a function or a reference table may follow
                    # DDL on a distributed table in the same file ("cannot run function command
                    # because there was a parallel operation on a distributed table")
                    await conn.execute("SET LOCAL citus.multi_shard_modify_mode = 'sequential'")
                    # a migration's triggers on distributed tables touch their own organization's
                    # rows only (docs/scale-out.md, "Triggers"): Citus takes them with this on
                    await conn.execute("SET LOCAL citus.enable_unsafe_triggers = on")
                    # Citus sends the text of a statement on a distributed table (CREATE INDEX,
                    # ALTER TABLE, CREATE TRIGGER …) to the workers as it came: the whole file, if
                    # the file came as one message, which a worker refuses. One at a time there.
                    for st in sqlscan.statements(f.sql):
                        offset = st.start
                        await conn.execute(f.sql[st.start:st.end].encode())
                    offset = 0
                else:
                    await conn.execute(f.sql.encode())  # verbatim, simple protocol, no parameters
                ms = int((time.perf_counter() - t0) * 1000)
                if owner:
                    await conn.execute("SET LOCAL ROLE NONE")
                await self._record(conn, f, ms)
                if self.before_commit is not None:
                    await self.before_commit(f)
        except psycopg.Error as exc:
            raise self._error(f, exc, offset) from exc
        return ms

    async def _citus_extensions(self, conn: psycopg.AsyncConnection[dict[str, Any]],
                                files: list[MigrationFile]) -> None:
        """On a Citus coordinator, the extensions pending migrations create, created first and
        committed: a migration creates one as the connecting role, then uses it as the owner, and
        Citus reaches the workers as each role on its own connection, where an extension another
        connection has not committed yet does not exist ('uuid has no default operator class')."""
        if not files or not await self._citus(conn):
            return
        for f in files:
            for st in sqlscan.statements(f.sql):
                if st.words[:3] == ("CREATE", "EXTENSION", "IF"):  # IF NOT EXISTS: the file's own runs too
                    await self._set_timeouts(conn, "SESSION")
                    try:
                        await conn.execute(f.sql[st.start:st.end].encode())
                    except psycopg.Error as exc:
                        raise self._error(f, exc, st.start) from exc
                    finally:
                        await conn.execute("RESET search_path; RESET lock_timeout; RESET statement_timeout")

    async def _citus(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> bool:
        row = await (
            await conn.execute("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') AS c")
        ).fetchone()
        return bool(row and row["c"])

    async def _invalid_indexes(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> list[str]:
        rows = await (
            await conn.execute(
                "SELECT format('%%I.%%I', n.nspname, c.relname) AS name FROM pg_index i"
                " JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE NOT i.indisvalid AND n.nspname = ANY(%s)",
                (list(SCHEMAS),),
            )
        ).fetchall()
        return [r["name"] for r in rows]

    async def _drop_invalid_indexes(self, conn: psycopg.AsyncConnection[dict[str, Any]]) -> list[str]:
        names = await self._invalid_indexes(conn)
        for name in names:
            schema, _, rel = name.partition(".")
            self.log(f"dropping invalid index {name} left by an interrupted build")
            await conn.execute(
                sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}.{}").format(
                    sql.Identifier(schema.strip('"')), sql.Identifier(rel.strip('"'))
                )
            )
        return names

    async def _apply_outside(self, conn: psycopg.AsyncConnection[dict[str, Any]], f: MigrationFile) -> int:
        await self._drop_invalid_indexes(conn)
        await self._set_timeouts(conn, "SESSION")
        await self._become_owner(conn, local=False)
        t0 = time.perf_counter()
        try:
            await conn.execute(f.sql.encode())
        except psycopg.Error as exc:
            err = self._error(f, exc)
            await conn.execute("RESET ROLE; RESET lock_timeout; RESET statement_timeout")
            dropped = await self._drop_invalid_indexes(conn)
            if dropped:
                err.detail += f"; dropped the invalid index {', '.join(dropped)} it left"
            raise err from exc
        ms = int((time.perf_counter() - t0) * 1000)
        await conn.execute("RESET ROLE; RESET lock_timeout; RESET statement_timeout")
        invalid = await self._invalid_indexes(conn)
        if invalid:
            await self._drop_invalid_indexes(conn)
            raise MigrationError(f"{f.filename}: left invalid index {', '.join(invalid)}; dropped it")
        async with conn.transaction():
            await self._record(conn, f, ms)
            if self.before_commit is not None:
                await self.before_commit(f)
        return ms

    async def _apply_views(self, conn: psycopg.AsyncConnection[dict[str, Any]], views: list[ViewFile]) -> list[str]:
        changed = await self._views_pending(conn, views)
        if not changed:
            return []
        async with conn.transaction():
            await self._set_timeouts(conn, "LOCAL")
            recorded = [
                r["name"] for r in await (await conn.execute("SELECT name FROM mediabase.schema_views")).fetchall()
            ]
            # Dropped and created under one role: on a Citus coordinator each role has its own
            # connections to the workers, and a view dropped through one and created through
            # another waits on its own lock (a "distributed deadlock").
            owner = await self._become_owner(conn, local=True)
            for name in {*recorded, *(v.name for v in views)}:
                await conn.execute(sql.SQL("DROP VIEW IF EXISTS mediabase.{} CASCADE").format(sql.Identifier(name)))
            for v in views:
                try:
                    await conn.execute(v.sql.encode())
                except psycopg.Error as exc:
                    raise MigrationError(f"views/{v.name}.sql: {exc.diag.message_primary or exc}") from exc
            if owner:
                await conn.execute("SET LOCAL ROLE NONE")
            await conn.execute("DELETE FROM mediabase.schema_views")
            await conn.execute(
                "INSERT INTO mediabase.schema_views (name, checksum, applied_by)"
                " SELECT name, checksum, current_user FROM unnest(%s::text[], %s::text[]) AS v (name, checksum)",
                ([v.name for v in views], [v.checksum for v in views]),
            )
        return [v.name for v in views]

    async def plan(self) -> list[MigrationFile]:
        """The files ``migrate`` would apply; raises on drift; changes nothing."""
        st = await self.status()
        if st.problems:
            raise MigrationError("; ".join(st.problems))
        return st.pending

    async def baseline(self, to: int) -> list[MigrationFile]:
        """Record migrations 1..``to`` as applied without running them (empty ledger only)."""
        files = load_migrations(self.migrations_dir)
        if not 1 <= to <= len(files):
            raise MigrationError(f"--to must be between 1 and {len(files)} (the highest migration)")
        conn = await self._connect("baseline")
        async with conn:
            await self._acquire(conn)
            try:
                await conn.execute(LEDGER_DDL)
                if await self._ledger(conn):
                    raise MigrationError("baseline only works on an empty ledger; this one has rows")
                async with conn.transaction():
                    for f in files[:to]:
                        await conn.execute(
                            "INSERT INTO mediabase.schema_migrations (version, name, checksum,"
                            " applied_by, duration_ms, transactional, baseline)"
                            " VALUES (%s, %s, %s, current_user, 0, %s, true)",
                            (f.version, f.name, f.checksum, f.transactional),
                        )
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY)
        return files[:to]

    async def repair(self, version: int, reason: str) -> tuple[str, str]:
        """Accept the current checksum of an applied file, with the reason recorded."""
        if not reason.strip():
            raise MigrationError("--reason must say why the edit is accepted")
        files = {f.version: f for f in load_migrations(self.migrations_dir)}
        if version not in files:
            raise MigrationError(f"there is no migration file numbered {version:04d}")
        f = files[version]
        conn = await self._connect("repair")
        async with conn:
            await self._acquire(conn)
            try:
                rows = {r.version: r for r in await self._ledger(conn)}
                row = rows.get(version)
                if row is None:
                    raise MigrationError(f"{f.filename} is not applied; there is nothing to repair")
                if row.name != f.name:
                    raise MigrationError(f"{row.filename} was renamed to {f.filename}; rename it back")
                if row.checksum == f.checksum:
                    raise MigrationError(f"{f.filename}: checksum already matches; nothing to repair")
                async with conn.transaction():
                    await conn.execute(
                        "UPDATE mediabase.schema_migrations SET checksum = %s WHERE version = %s",
                        (f.checksum, version),
                    )
                    await conn.execute(
                        "INSERT INTO mediabase.schema_migration_repairs"
                        " (version, old_checksum, new_checksum, reason, repaired_by)"
                        " VALUES (%s, %s, %s, %s, current_user)",
                        (version, row.checksum, f.checksum, reason.strip()),
                    )
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s, %s)", LOCK_KEY)
        return row.checksum, f.checksum


def new_migration(directory: Path, name: str) -> Path:
    """Create the next numbered, empty migration file and return its path."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not slug:
        raise MigrationError("the name needs letters or digits, e.g. 'add video tags'")
    files = load_migrations(directory)
    path = directory / f"{len(files) + 1:04d}_{slug}.sql"
    path.write_text(
        f"-- {path.name}: {name}\n"
        "-- Runs in one transaction with lock_timeout and statement_timeout set.\n"
        "-- For CREATE INDEX CONCURRENTLY put it alone in a file whose first line is\n"
        f"-- '-- {NO_TRANSACTION}'. See docs/migrations.md.\n\n",
        encoding="utf-8",
    )
    return path
