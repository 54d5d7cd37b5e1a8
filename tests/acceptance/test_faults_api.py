"""Faults under a real API process (issue 26): ``mediabase serve`` killed with SIGKILL while
clients write, and the database stopped and started under concurrent requests.

Real processes and real signals; every wait is bounded (a hang fails the test)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import httpx
import psycopg
import pytest

from mediabase.config import Settings
from mediabase.db.connection import Database
from tests.acceptance.cli import mediabase
from tests.acceptance.test_faults import own_server  # noqa: F401  (a fixture: an embedded server of the test's own)
from tests.factories import Tenant, make_tenant, make_video
from tests.servers import free_port

pytestmark = pytest.mark.slow

WRITERS = 8
KILL_AFTER = 150  # acknowledged writes before the kill: the rest are in flight or not sent yet


@dataclass
class Api:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path


def serve(env: dict[str, str], log: Path) -> Api:
    """``mediabase serve`` on a port of its own, ready (``/ready`` answers 200) within 60 s."""
    port = free_port()
    full = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    full.update(env, COLUMNS="200")
    with log.open("a") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mediabase", "serve", "--port", str(port)], env=full,
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return Api(proc, base, log)
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"mediabase serve did not become ready:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(api: Api) -> None:
    if api.proc.poll() is None:
        api.proc.terminate()
        try:
            api.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            api.proc.kill()
            api.proc.wait()


@pytest.fixture
async def tenant(db: Database, owner_db: Database) -> tuple[Tenant, UUID]:
    a = await make_tenant(db, owner_db, "killed")
    return a, await make_video(db, a.owner, "Design review")


# -- the API killed during acknowledged writes ---------------------------------------------------


@dataclass
class Writes:
    """What the clients sent, and what the API acknowledged (2xx with the new comment's id)."""

    sent: set[str] = field(default_factory=set)
    acknowledged: dict[str, str] = field(default_factory=dict)  # id -> body
    other: list[str] = field(default_factory=list)  # any answer but 201 before the kill
    lock: threading.Lock = field(default_factory=threading.Lock)
    killed: threading.Event = field(default_factory=threading.Event)


def writer(api: Api, key: str, video: UUID, n: int, w: Writes) -> None:
    with httpx.Client(base_url=api.base, headers={"X-API-Key": key}, timeout=30) as client:
        i = 0
        while not w.killed.is_set():
            body = f"writer {n}, comment {i}"
            i += 1
            with w.lock:
                w.sent.add(body)
            try:
                r = client.post(f"/videos/{video}/comments", json={"body": body})
            except httpx.TransportError:
                if not w.killed.is_set():  # the server went away: only the kill may do that
                    with w.lock:
                        w.other.append(f"{body}: connection lost before the kill")
                return
            with w.lock:
                if r.status_code == 201:
                    w.acknowledged[r.json()["id"]] = body
                elif not w.killed.is_set():
                    w.other.append(f"{body}: {r.status_code} {r.text[:200]}")


@pytest.mark.timeout(300)
def test_api_killed_during_acknowledged_writes_loses_none(
    migrated_url: str, tenant: tuple[Tenant, UUID], tmp_path: Path
) -> None:
    a, video = tenant
    api = serve({"MEDIABASE_DATABASE_URL": migrated_url}, tmp_path / "serve.log")
    w = Writes()
    threads = [threading.Thread(target=writer, args=(api, a.owner_key, video, n, w), daemon=True)
               for n in range(WRITERS)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 120
        while len(w.acknowledged) < KILL_AFTER:
            assert time.monotonic() < deadline, f"{len(w.acknowledged)} writes in 120 s: {w.other[:5]}"
            assert not w.other, w.other[:5]
            time.sleep(0.01)
        w.killed.set()  # from here on a lost connection is expected
        api.proc.send_signal(signal.SIGKILL)
        api.proc.wait(timeout=30)
        for t in threads:
            t.join(timeout=60)
            assert not t.is_alive(), "a writer hung after the kill"
    finally:
        w.killed.set()
        stop(api)
    assert api.proc.returncode == -signal.SIGKILL
    assert not w.other, w.other[:5]

    with psycopg.connect(migrated_url) as conn:
        rows: dict[str, str] = dict(conn.execute(
            "SELECT c.id::text, c.body FROM mediabase.comments c WHERE c.video_id = %s", (video,)).fetchall())
    missing = {i: body for i, body in w.acknowledged.items() if rows.get(i) != body}
    assert not missing, f"{len(missing)} acknowledged writes are not in the database: {list(missing.items())[:5]}"
    # nothing but what was sent, each comment whole: the database holds the acknowledged writes
    # and at most the few that committed as the process died, never a fragment
    assert set(rows.values()) <= w.sent, set(rows.values()) - w.sent
    assert len(rows) - len(w.acknowledged) <= WRITERS, (len(rows), len(w.acknowledged))

    # a new process serves every one of them at once
    again = serve({"MEDIABASE_DATABASE_URL": migrated_url}, tmp_path / "serve.log")
    try:
        r = httpx.get(f"{again.base}/videos/{video}/comments", headers={"X-API-Key": a.owner_key}, timeout=30)
        assert r.status_code == 200, r.text
        listed = {c["id"]: c["body"] for c in r.json()}
        assert {i: listed.get(i) for i in w.acknowledged} == w.acknowledged
    finally:
        stop(again)


# -- the database stopped and started under concurrent requests -----------------------------------


@dataclass
class Answers:
    codes: list[tuple[float, int, str | None]] = field(default_factory=list)  # (seconds taken, status, Retry-After)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)


def reader(api: Api, key: str, out: Answers) -> None:
    with httpx.Client(base_url=api.base, headers={"X-API-Key": key}, timeout=90) as client:
        while not out.done.is_set():
            t0 = time.monotonic()
            try:
                r = client.get("/videos")
            except httpx.TransportError as exc:
                with out.lock:
                    out.errors.append(repr(exc))
                continue
            with out.lock:
                out.codes.append((time.monotonic() - t0, r.status_code, r.headers.get("Retry-After")))
            time.sleep(0.02)


@pytest.mark.timeout(300)
def test_database_stopped_under_http_load_fails_fast_and_recovers(
    own_server: tuple[Settings, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    settings, key = own_server
    data = str(settings.data_dir)
    # a connect timeout far above what failing fast takes, so the difference cannot hide
    api = serve({"MEDIABASE_DATA_DIR": data, "MEDIABASE_CONNECT_TIMEOUT": "60", "MEDIABASE_POOL_MIN_SIZE": "2"},
                tmp_path / "serve.log")
    out = Answers()
    threads = [threading.Thread(target=reader, args=(api, key, out), daemon=True) for _ in range(6)]
    try:
        for t in threads:
            t.start()

        def seen(status: int, since: int = 0) -> int:
            with out.lock:
                return sum(1 for _, code, _ in out.codes[since:] if code == status)

        deadline = time.monotonic() + 60
        while seen(200) < 30:
            assert time.monotonic() < deadline, out.codes[-5:]
            time.sleep(0.05)
        assert mediabase("db", "stop", MEDIABASE_DATA_DIR=data).returncode == 0
        with out.lock:
            down_from = len(out.codes)
        deadline = time.monotonic() + 60
        while seen(503, down_from) < 30:
            assert time.monotonic() < deadline, out.codes[-5:]
            time.sleep(0.05)
        assert mediabase("db", "start", MEDIABASE_DATA_DIR=data).returncode == 0
        time.sleep(1.1)  # past the second in which the database is taken to be down
        with out.lock:
            up_from = len(out.codes)
        deadline = time.monotonic() + 60
        while seen(200, up_from) < 30:
            assert time.monotonic() < deadline, out.codes[-5:]
            time.sleep(0.05)
    finally:
        out.done.set()
        for t in threads:
            t.join(timeout=120)
        stop(api)
    assert not out.errors, out.errors[:5]
    during = out.codes[down_from:up_from]
    assert {code for _, code, _ in out.codes} <= {200, 503}, sorted({code for _, code, _ in out.codes})
    failed = [(took, retry) for took, code, retry in during if code == 503]
    assert failed and all(retry == "1" for _, retry in failed), failed[:5]
    # none waited for the pool's 60 s connect timeout
    assert max(took for took, _ in failed) < 30, max(took for took, _ in failed)
    # after the restart every request succeeds: no broken pooled connection is handed out
    assert [code for _, code, _ in out.codes[up_from:]] == [200] * len(out.codes[up_from:])
