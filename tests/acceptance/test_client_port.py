"""The embedded server's TCP port for direct SQL clients (issue 25; docs/clients.md, "Roles and
the embedded port"): with MEDIABASE_EMBEDDED_PORT it also listens on 127.0.0.1 at that port, and
takes password logins only (scram-sha-256), so a client role's URL from ``mediabase db role
create`` works over TCP while the superuser without a password does not get in."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.acceptance.cli import mediabase
from tests.servers import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]  # a server of its own, started and migrated


@pytest.fixture
def server() -> Iterator[dict[str, str]]:
    """The environment of an embedded server of this test's own, listening on a free port
    (started and migrated by the first command; stopped and removed afterwards). Its folder is
    one others may traverse: as root the server runs as its own OS user."""
    folder = Path(tempfile.mkdtemp(prefix="mbport-"))
    folder.chmod(0o755)
    env = {"MEDIABASE_DATA_DIR": str(folder / "data"), "MEDIABASE_EMBEDDED_PORT": str(free_port()),
           "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64"}
    try:
        yield env
    finally:
        mediabase("db", "stop", **env)
        shutil.rmtree(folder, ignore_errors=True)


def test_a_client_role_logs_in_over_tcp_with_its_password_and_nobody_without_one(server: dict[str, str]) -> None:
    port = int(server["MEDIABASE_EMBEDDED_PORT"])
    migrated = mediabase("migrate", **server)
    assert migrated.returncode == 0, migrated.stderr
    status = mediabase("db", "status", "--json", **server)
    assert json.loads(status.stdout)["tcp"] == f"127.0.0.1:{port}"
    hba = (Path(server["MEDIABASE_DATA_DIR"]) / "pg18" / "pg_hba.conf").read_text()
    host_lines = [ln.split() for ln in hba.splitlines() if ln.split()[:1] and ln.split()[0].startswith("host")]
    assert host_lines == [["host", "all", "all", "127.0.0.1/32", "scram-sha-256"]]

    made = mediabase("db", "role", "create", "reporting", "--json", **server)
    assert made.returncode == 0, made.stderr
    url = json.loads(made.stdout)["url"]
    parts = urlsplit(url)
    assert (parts.hostname, parts.port, parts.username, parts.path) == ("127.0.0.1", port, "reporting", "/mediabase")
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT current_user, inet_server_addr()::text, inet_server_port()").fetchone()
        assert row == ("reporting", "127.0.0.1/32", port)
        # no tenant set: nothing, in a table the app reads
        assert conn.execute("SELECT count(*) FROM organizations").fetchone() == (0,)

    listed = mediabase("db", "role", "list", "--json", **server)
    assert json.loads(listed.stdout) == [{"name": "reporting", "connections": 0, "rule": "ok"}]

    for bad in (url.replace(f":{parts.password}@", ":wrong@"), f"postgresql://postgres@127.0.0.1:{port}/mediabase",
                f"postgresql://mediabase_api@127.0.0.1:{port}/mediabase"):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(bad, connect_timeout=10)

    dropped = mediabase("db", "role", "drop", "reporting", **server)
    assert dropped.returncode == 0, dropped.stderr
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=10)


def test_a_server_running_without_the_port_is_named_not_restarted(server: dict[str, str]) -> None:
    without = {k: v for k, v in server.items() if k != "MEDIABASE_EMBEDDED_PORT"}
    started = mediabase("db", "start", **without)
    assert started.returncode == 0, started.stderr
    refused = mediabase("db", "url", **server)
    assert refused.returncode == 1
    assert "already running without TCP" in refused.stderr and "mediabase db stop" in refused.stderr
    assert mediabase("db", "stop", **without).returncode == 0
    again = mediabase("db", "start", **server)
    assert again.returncode == 0, again.stderr
    assert f"tcp: 127.0.0.1:{server['MEDIABASE_EMBEDDED_PORT']}" in again.stdout
