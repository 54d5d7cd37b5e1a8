"""Real neighbours for the tests: a pgbouncer in transaction mode in front of the test server.

Under ``CI=true`` a missing binary fails the test (CI installs it: ``.ci/run``); elsewhere the
test is skipped with the reason.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def require(binary: str, package: str) -> str:
    """The path of ``binary``; fail under CI=true, skip elsewhere, when it is missing."""
    found = shutil.which(binary) or next(
        (str(p) for p in (Path("/usr/sbin") / binary, Path("/usr/bin") / binary) if p.exists()), None
    )
    if found:
        return found
    message = f"{binary} not found: apt-get install -y {package} (.ci/run does)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgBouncer:
    """A pgbouncer listening on 127.0.0.1 in front of a server reached by its Unix socket, in
    transaction mode with a small pool, so that server connections pass from client to client
    after every transaction (what a production pooler does)."""

    def __init__(self, admin_url: str, *, pool_size: int = 2) -> None:
        self.binary = require("pgbouncer", "pgbouncer")
        params = conninfo_to_dict(admin_url)
        self.server_host = str(params.get("host") or "/tmp")
        self.server_port = int(params.get("port") or 5432)
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="mbbouncer-"))
        self.pool_size = pool_size
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> PgBouncer:
        run_as = ""
        if os.geteuid() == 0:  # pgbouncer refuses to run as root; the embedded server's user will do
            user = "embedded_postgres" if _user_exists("embedded_postgres") else "nobody"
            run_as = f"user = {user}"
            os.chmod(self.dir, 0o777)  # noqa: S103 - pgbouncer runs as another user and writes its log here
        (self.dir / "users.txt").write_text('"postgres" ""\n"mediabase_api" ""\n')
        (self.dir / "pgbouncer.ini").write_text(
            f"""[databases]
* = host={self.server_host} port={self.server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.dir}/users.txt
pool_mode = transaction
default_pool_size = {self.pool_size}
min_pool_size = 0
max_client_conn = 500
max_db_connections = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = {self.dir}/pgbouncer.log
pidfile = {self.dir}/pgbouncer.pid
{run_as}
"""
        )
        with (self.dir / "stderr.txt").open("wb") as err:
            self.proc = subprocess.Popen([self.binary, str(self.dir / "pgbouncer.ini")],
                                         stdout=subprocess.DEVNULL, stderr=err)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = (self.dir / "stderr.txt").read_text(errors="replace")
                raise RuntimeError(f"pgbouncer exited {self.proc.returncode}: {err} {self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not listen on {self.port}: {self.log()}")

    def log(self) -> str:
        path = self.dir / "pgbouncer.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def url(self, database_url: str, user: str = "postgres") -> str:
        """The URL of ``database_url``'s database through this pgbouncer, as ``user``."""
        dbname = conninfo_to_dict(database_url).get("dbname", "postgres")
        return make_conninfo("", host="127.0.0.1", port=str(self.port), dbname=str(dbname), user=user)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
