"""Backup and restore: a pg_dump custom-format archive of schema ``mediabase``, restored in one
transaction.

``backup`` runs the wheel's pg_dump (one snapshot, so the archive is consistent while the app
writes) into a temporary file beside the target, and renames it only when pg_dump succeeded.

``restore`` checks the archive first (``pg_restore --list`` reads its table of contents; reading
its last data block proves the file is whole), then the target (reachable; empty, or ``force``;
extensions available), then streams ``pg_restore --file=-`` into one psql session, inside one
transaction that also creates the cluster-wide roles and, with ``force``, drops the old schema.
COMMIT is sent only after pg_restore has finished cleanly: a damaged archive, a failing
statement, a missing extension or Ctrl-C leaves the target as it was. (``pg_restore --dbname``
with ``--single-transaction`` could not include the roles or the drop in its transaction.)
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, LiteralString

import psycopg
from psycopg import sql

from mediabase.db.errors import Conflict, Invalid, MediabaseError, NotFound, Unavailable
from mediabase.db.tools import program

SCHEMA = "mediabase"
LEDGER = "schema_migrations"
MAGIC = b"PGDMP"  # the first bytes of every pg_dump custom-format archive
ROLES = (  # what migrations 0001 and 0011 create; cluster-wide, so not in a database's archive
    ("mediabase_owner", "NOLOGIN"),
    ("mediabase_app", "NOLOGIN"),
    ("mediabase_api", "LOGIN NOINHERIT"),
)
MEMBERSHIPS = (("mediabase_app", "mediabase_api"),)  # (role, member)
# TOC entry kinds, longest first so that 'TABLE DATA' is not read as 'TABLE'
_DESCS = sorted(
    ("TABLE DATA", "TABLE", "SCHEMA", "EXTENSION", "INDEX", "INDEX ATTACH", "CONSTRAINT", "FK CONSTRAINT",
     "TRIGGER", "POLICY", "ROW SECURITY", "ACL", "DEFAULT ACL", "COMMENT", "STATISTICS DATA", "SEQUENCE",
     "SEQUENCE SET", "SEQUENCE OWNED BY", "VIEW", "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA", "FUNCTION",
     "PROCEDURE", "AGGREGATE", "TYPE", "DOMAIN", "TABLE ATTACH", "DEFAULT", "BLOBS", "LARGE OBJECT",
     "BLOB METADATA", "LARGE OBJECTS"),
    key=len, reverse=True,
)
_DATA = frozenset({"TABLE DATA", "BLOBS", "LARGE OBJECT", "LARGE OBJECTS"})  # entries with a data block
_POST_DATA = frozenset({"INDEX", "INDEX ATTACH", "CONSTRAINT", "FK CONSTRAINT", "TRIGGER", "POLICY",
                        "ROW SECURITY"})
_POST_TAGS = ("CREATE INDEX", "ALTER TABLE", "ALTER INDEX", "CREATE TRIGGER", "CREATE POLICY")

Progress = Callable[[str, int, int], None]
"""Told ``(phase, done, total)`` as work advances; ``total`` 0 when unknown."""


def _quiet(phase: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of ``pg_restore --list``."""

    line: str
    desc: str
    rest: str  # schema, name and owner, as pg_restore prints them
    owner: str


@dataclass(slots=True)
class Archive:
    """What a backup file holds, read from its table of contents."""

    path: Path
    size: int
    header: dict[str, str]
    entries: list[Entry]
    extensions: dict[str, str] = field(default_factory=dict)  # name -> schema it is created in

    def count(self, *descs: str) -> int:
        return sum(1 for e in self.entries if e.desc in descs)

    @property
    def tables(self) -> int:
        return self.count("TABLE DATA")

    @property
    def owners(self) -> set[str]:
        return {e.owner for e in self.entries if e.owner}


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    size: int
    tables: int
    seconds: float


@dataclass(frozen=True, slots=True)
class RestoreReport:
    path: Path
    tables: int
    rows: int
    seconds: float
    migrations: int
    last_migration: str | None
    created_roles: list[str]
    replaced: bool  # a non-empty schema was dropped (force)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _connect(url: str, what: str) -> psycopg.Connection[Any]:
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="mediabase-backup")
    except psycopg.Error as exc:
        raise Unavailable(f"cannot connect to the {what} database: {_one_line(str(exc))}") from exc


def _error_line(stderr: str, default: str) -> str:
    """The line of a client program's stderr that says what went wrong (``default`` if none)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for marker in ("ERROR:", "FATAL:", "error:"):
        for ln in lines:
            if marker in ln:
                return _one_line(ln)
    return _one_line(lines[-1]) if lines else default


# ---------------------------------------------------------------- backup


def backup(url: str, path: Path, *, progress: Progress = _quiet) -> BackupReport:
    """Write a custom-format archive of schema ``mediabase`` (with the database's extensions and
    the planner's statistics) to ``path``; on failure nothing is left at ``path``."""
    path = Path(path)
    if path.is_dir():
        raise Invalid(f"{path} is a directory; give the name of the backup file to write", field="file")
    if not path.parent.is_dir():
        raise NotFound(f"{path.parent} does not exist (the folder the backup would go into)", field="file")
    started = time.perf_counter()
    with _connect(url, "source") as conn:
        if conn.execute("SELECT to_regclass('mediabase.schema_migrations')").fetchone() == (None,):
            raise NotFound("nothing to back up: the database has no mediabase schema (run 'mediabase migrate')")
        total = _one(conn, "SELECT count(*) FROM pg_class WHERE relnamespace = 'mediabase'::regnamespace"
                           " AND relkind = 'r'")
        # the extensions, wherever they live (0001 creates them in schema mediabase); Citus's own
        # are the deployment's, not the data's: a cluster's backup restores into one server too
        extensions = [r[0] for r in conn.execute(
            "SELECT extname FROM pg_extension WHERE extname NOT IN ('plpgsql', 'citus', 'citus_columnar')"
            " ORDER BY extname")]
    tmp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    cmd = [str(program("pg_dump")), "--format=custom", "--verbose", f"--schema={SCHEMA}",
           *(f'--extension="{name}"' for name in extensions), "--statistics", "--lock-wait-timeout=60s",
           f"--file={tmp}", f"--dbname={url}"]
    done = 0
    errors: list[str] = []
    try:
        with subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL) as proc:
            assert proc.stderr is not None
            for line in proc.stderr:
                if "dumping contents of table" in line:
                    done += 1
                    progress("tables", done, total)
                elif "error:" in line or "ERROR:" in line or "FATAL:" in line:
                    errors.append(line)
        if proc.returncode != 0:
            raise MediabaseError(f"pg_dump failed: {_error_line(''.join(errors), f'exit {proc.returncode}')}")
        archive = inspect(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupReport(path=path, size=archive.size, tables=archive.tables,
                        seconds=time.perf_counter() - started)


def _one(conn: psycopg.Connection[Any], query: LiteralString) -> Any:
    row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


# ---------------------------------------------------------------- reading an archive


def _entries(listing: str) -> tuple[dict[str, str], list[Entry]]:
    header: dict[str, str] = {}
    entries: list[Entry] = []
    for line in listing.splitlines():
        if line.startswith(";"):
            key, sep, value = line[1:].partition(":")
            if sep:
                header[key.strip()] = value.strip()
            continue
        m = re.match(r"^\d+; \d+ \d+ (.*)$", line)
        if not m:
            continue
        body = m[1]
        desc = next((d for d in _DESCS if body == d or body.startswith(d + " ")), body.split(" ", 1)[0])
        rest = body[len(desc):].strip()
        owner = "" if line.endswith(" ") or " " not in rest else rest.rsplit(" ", 1)[1]
        entries.append(Entry(line=line, desc=desc, rest=rest, owner=owner))
    return header, entries


def _run(cmd: list[str], what: str) -> str:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        how = f"exit {proc.returncode}" if proc.returncode > 0 else f"it crashed (signal {-proc.returncode})"
        raise Invalid(f"{what}: {_error_line(proc.stderr, f'{Path(cmd[0]).name}: {how}')}", field="file")
    return proc.stdout


@contextlib.contextmanager
def _list_file(lines: list[str]) -> Iterator[str]:
    """A ``pg_restore --use-list`` file selecting these entries."""
    fd, name = tempfile.mkstemp(prefix="mediabase-", suffix=".list")
    try:
        with os.fdopen(fd, "w") as f:
            f.write("\n".join(lines) + "\n")
        yield name
    finally:
        os.unlink(name)


def inspect(path: Path) -> Archive:
    """Check that ``path`` is a whole pg_dump custom-format archive of a mediabase database and
    say what it holds; raise a one-line error naming the file otherwise. Reads the table of
    contents and the last data block (data blocks follow the table of contents in its order,
    so a file cut anywhere short of its end loses that block)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise Invalid(f"{path} is a directory, not a backup file", field="file")
        with path.open("rb") as f:
            magic = f.read(len(MAGIC))
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFound(f"{path}: no such file", field="file") from None
    except PermissionError:
        raise Invalid(f"{path}: permission denied", field="file") from None
    except OSError as exc:
        raise Invalid(f"{path}: cannot read it ({exc.strerror})", field="file") from None
    if magic != MAGIC:
        raise Invalid(f"{path} is not a pg_dump custom-format archive (what 'mediabase backup' writes)",
                      field="file")
    restore_exe = str(program("pg_restore"))
    damaged = f"{path} is damaged or truncated"
    header, entries = _entries(_run([restore_exe, "--list", str(path)], damaged))
    if header.get("Format") != "CUSTOM":
        raise Invalid(f"{path} is a {header.get('Format', 'unknown')} pg_dump archive; expected custom format",
                      field="file")
    archive = Archive(path=path, size=size, header=header, entries=entries)
    has_schema = any(e.desc == "SCHEMA" and e.rest.split(" ")[:2] == ["-", SCHEMA] for e in entries)
    has_ledger = any(e.desc == "TABLE" and e.rest.split(" ")[:2] == [SCHEMA, LEDGER] for e in entries)
    if not (has_schema and has_ledger):
        raise Invalid(f"{path} is a pg_dump archive, but not of a mediabase database (no schema mediabase"
                      " with its migration ledger)", field="file")
    data = [e.line for e in entries if e.desc in _DATA]
    if data:
        with _list_file(data[-1:]) as listed:
            _run([restore_exe, "--file", os.devnull, "--use-list", listed, str(path)], damaged)
    ext = [e.line for e in entries if e.desc == "EXTENSION"]
    if ext:
        with _list_file(ext) as listed:
            script = _run([restore_exe, "--file=-", "--use-list", listed, str(path)], damaged)
        for name, schema in re.findall(r"CREATE EXTENSION IF NOT EXISTS (\S+) WITH SCHEMA (\S+);", script):
            archive.extensions[name.strip('"')] = schema.strip('"')
    return archive


# ---------------------------------------------------------------- restore


@dataclass(slots=True)
class _Target:
    version: int
    tables: int
    schema_exists: bool
    roles: set[str]
    extensions: dict[str, str]  # installed: name -> schema
    available: set[str]
    schemas: set[str]


def _target(conn: psycopg.Connection[Any]) -> _Target:
    row = conn.execute(
        "SELECT current_setting('server_version_num')::int,"
        " (SELECT count(*) FROM pg_class WHERE relnamespace = to_regnamespace('mediabase')"
        "   AND relkind IN ('r', 'p')),"
        " to_regnamespace('mediabase') IS NOT NULL").fetchone()
    assert row is not None
    return _Target(
        version=row[0], tables=row[1], schema_exists=row[2],
        roles={r[0] for r in conn.execute("SELECT rolname FROM pg_roles")},
        extensions={r[0]: r[1] for r in conn.execute(
            "SELECT extname, extnamespace::regnamespace::text FROM pg_extension")},
        available={r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")},
        schemas={r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")},
    )


def _ledger(conn: psycopg.Connection[Any]) -> tuple[int, str | None]:
    row = conn.execute("SELECT count(*), max(format('%s_%s', lpad(version::text, 4, '0'), name))"
                       " FROM mediabase.schema_migrations").fetchone()
    assert row is not None
    return int(row[0]), row[1]


def _create_role(name: str, options: str) -> str:
    return sql.SQL(
        "DO $$ BEGIN IF to_regrole({lit}) IS NULL THEN CREATE ROLE {ident} {options}; END IF;"
        " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
    ).format(lit=sql.Literal(name), ident=sql.Identifier(name), options=sql.SQL(options)).as_string(None)


def _grant(role: str, member: str | None) -> str:
    """GRANT role TO member (the session's user when None) unless it is one already: a user
    without ADMIN on the role may still restore where the memberships exist."""
    if member is None:
        return sql.SQL(
            "DO $$ BEGIN IF NOT pg_has_role(current_user, {lit}, 'MEMBER') THEN"
            " EXECUTE format('GRANT %I TO %I', {lit}, current_user); END IF; END $$;"
        ).format(lit=sql.Literal(role)).as_string(None)
    return sql.SQL(
        "DO $$ BEGIN IF NOT pg_has_role({member_lit}, {lit}, 'MEMBER') THEN GRANT {role} TO {member}; END IF;"
        " END $$;"
    ).format(lit=sql.Literal(role), member_lit=sql.Literal(member), role=sql.Identifier(role),
             member=sql.Identifier(member)).as_string(None)


def prelude(archive: Archive, target: _Target) -> tuple[str, list[str]]:
    """The statements run in the restore's transaction before the archive's own: mediabase's
    roles (as 0001 and 0011 make them), any other owner the archive names that the server lacks
    (NOLOGIN), the restoring user's membership in them (as 0001 grants it), and the drop of an
    old schema. Returns the SQL and the roles it creates."""
    created = [name for name, _ in ROLES if name not in target.roles]
    others = sorted(archive.owners - target.roles - {name for name, _ in ROLES})
    stmts = ["BEGIN;", "SET client_min_messages = warning;", "SET lock_timeout = '10s';"]
    stmts += [_create_role(name, options) for name, options in ROLES]
    stmts += [_create_role(name, "NOLOGIN") for name in others]
    stmts += [_grant(role, member) for role, member in MEMBERSHIPS]
    stmts += [_grant(name, None) for name in ("mediabase_owner", "mediabase_app", *others)]
    if target.schema_exists:
        stmts.append("DROP SCHEMA mediabase CASCADE;")
    return "\n".join(stmts) + "\n", created + others


def _check_target(archive: Archive, target: _Target, force: bool) -> None:
    if target.tables and not force:
        raise Conflict(f"the target database is not empty (schema mediabase holds {target.tables} tables);"
                       " restore into an empty database, or pass --force to replace its schema mediabase")
    for name, schema in sorted(archive.extensions.items()):
        have = target.extensions.get(name)
        if have is None and name not in target.available:
            raise Unavailable(f"the target server lacks the {name!r} extension that the backup needs")
        if have is None and schema != SCHEMA and schema not in target.schemas:
            raise Conflict(f"the backup creates extension {name} in schema {schema}, which the target database"
                           " lacks; create that schema first")
        if have is not None and have != schema and not (have == SCHEMA and target.schema_exists):
            raise Conflict(f"extension {name} is installed in schema {have} of the target database, but the"
                           f" backup creates it in schema {schema}; drop it there or restore into a new database")


@dataclass(slots=True)
class _Tally:
    """What psql's command tags say has been done; fed one stdout line at a time."""

    archive: Archive
    progress: Progress
    phase: str = "schema"
    statements: int = 0
    tables: int = 0
    rows: int = 0
    post: int = 0
    grants: int = 0
    committed: bool = False

    def line(self, tag: str) -> None:
        if tag == "COMMIT":
            self.committed = True
            self.progress("commit", 1, 1)
        elif tag.startswith("COPY "):
            self.phase = "data"
            self.tables += 1
            self.rows += int(tag.split()[1])
            self.progress("data", self.tables, self.archive.tables)
        elif self.phase == "schema":
            if tag[:1].isupper():
                self.statements += 1
                self.progress("schema", self.statements, 0)
        elif tag.startswith(_POST_TAGS):  # statistics ('t' rows) come between them: not a phase
            self.phase = "indexes"
            self.post += 1
            self.progress("indexes", self.post, self.archive.count(*_POST_DATA))
        elif tag in ("GRANT", "REVOKE", "ALTER DEFAULT PRIVILEGES"):
            self.phase = "privileges"
            self.grants += 1
            self.progress("privileges", self.grants, 0)


def _drain(stream: IO[bytes], sink: Callable[[str], None]) -> threading.Thread:
    def run() -> None:
        for raw in stream:
            sink(raw.decode("utf-8", "replace").rstrip("\r\n"))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def _stream(restore_cmd: list[str], psql_cmd: list[str], head: bytes, strip: list[bytes],
            tally: _Tally) -> tuple[int, list[str], int, list[str]]:
    """pg_restore's script into psql, between our BEGIN (in ``head``) and a COMMIT sent only when
    pg_restore exited 0; otherwise psql is killed, the connection drops and the server rolls the
    transaction back. Returns both exit codes and stderr lines."""
    restore_err: list[str] = []
    psql_err: list[str] = []
    env = dict(os.environ, PGAPPNAME="mediabase-restore")
    psql = subprocess.Popen(psql_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env)
    dump = subprocess.Popen(restore_cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert psql.stdin and psql.stdout and psql.stderr and dump.stdout and dump.stderr
    readers = [_drain(psql.stdout, tally.line), _drain(psql.stderr, psql_err.append),
               _drain(dump.stderr, restore_err.append)]
    commit = False
    try:
        psql.stdin.write(head)
        src = dump.stdout.fileno()
        pending = b""
        while strip and len(pending) < 65536:  # the lines to strip are among the script's first SET lines
            chunk = os.read(src, 65536)
            if not chunk:
                break
            pending += chunk
        psql.stdin.write(_strip(pending, strip))
        psql.stdin.flush()
        _copy(src, psql.stdin.fileno())
        if dump.wait() == 0:
            psql.stdin.write(b"COMMIT;\n")
            commit = True
    except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP)
        pass
    finally:
        if not commit:
            psql.kill()
            dump.kill()
        with contextlib.suppress(OSError):
            psql.stdin.close()
        dump.stdout.close()
        dump.wait()
        psql.wait()
        for t in readers:
            t.join(timeout=10)
    return dump.returncode, restore_err, psql.returncode, psql_err


def _copy(src: int, dst: int) -> None:
    """Everything from one pipe into another: in the kernel (splice) where there is one."""
    splice = getattr(os, "splice", None)
    while True:
        if splice is not None:
            if splice(src, dst, 1 << 20) == 0:
                return
        elif chunk := os.read(src, 1 << 20):
            view = memoryview(chunk)
            while view:
                view = view[os.write(dst, view):]
        else:
            return


def _strip(data: bytes, lines: list[bytes]) -> bytes:
    for line in lines:
        data = data.replace(b"\n" + line + b"\n", b"\n", 1)
    return data


def restore(url: str, path: Path, *, force: bool = False, progress: Progress = _quiet) -> RestoreReport:
    """Restore a backup into the database at ``url`` (empty, or its schema mediabase replaced when
    ``force``), in one transaction with the roles it needs; on failure the database is unchanged."""
    started = time.perf_counter()
    archive = inspect(Path(path))
    progress("check", 1, 1)
    with _connect(url, "target") as conn:
        target = _target(conn)
    _check_target(archive, target, force)
    head, created = prelude(archive, target)
    restore_cmd = [str(program("pg_restore")), "--file=-", "--exit-on-error", str(archive.path)]
    strip: list[bytes] = []
    stats = archive.count("STATISTICS DATA") > 0 and target.version >= 180000
    if target.version < 180000:  # pg_restore_relation_stats() is new in 18; ANALYZE instead
        restore_cmd.insert(-1, "--no-statistics")
    if target.version < 170000:  # pg_restore's script sets it whatever the server
        strip.append(b"SET transaction_timeout = 0;")
    psql_cmd = [str(program("psql")), "--no-psqlrc", "--no-align", "--tuples-only", "--set=ON_ERROR_STOP=1",
                f"--dbname={url}"]
    tally = _Tally(archive, progress)
    restore_rc, restore_err, psql_rc, psql_err = _stream(restore_cmd, psql_cmd, head.encode(), strip, tally)
    if not (tally.committed and psql_rc == 0):
        if restore_rc != 0 and not any("ERROR:" in ln for ln in psql_err):
            detail = _error_line("\n".join(restore_err), "pg_restore failed")
            reason = f"{archive.path} is damaged or truncated: {detail}"
        else:
            reason = _error_line("\n".join(psql_err), f"psql exit {psql_rc}")
            if "lock timeout" in reason:
                reason += " (stop the API and the workers that use the target database first)"
        raise MediabaseError(f"restore failed, nothing was changed: {reason}")
    with _connect(url, "target") as conn:
        if not stats:
            progress("analyze", 0, 0)
            conn.execute("ANALYZE")
        migrations, last = _ledger(conn)
    return RestoreReport(path=archive.path, tables=tally.tables, rows=tally.rows,
                         seconds=time.perf_counter() - started, migrations=migrations, last_migration=last,
                         created_roles=created, replaced=target.tables > 0)
