"""At-least-once delivery under a worker crash (docs/webhooks.md): a few hundred events to three
endpoints on a real receiver on loopback; ``mediabase worker`` is SIGKILLed while requests are in
flight (the receiver is slow, so the worker is mid-delivery) and a second worker finishes. Every
(endpoint, event) arrives at least once, every duplicate carries the same webhook-id and body,
every signature verifies, and every delivery ends delivered with exactly one successful attempt."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from mediabase import webhooks
from mediabase.db.connection import Database
from mediabase.webhooks import EndpointCreate
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.log_privacy import watch
from tests.webhook_receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

N_EVENTS = 300
SUBSCRIPTIONS = {"one": ["comment.created"], "two": ["comment.created", "decision.created"],
                 "three": ["comment.created"]}


def start_worker(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=url, MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK="true",
               MEDIABASE_WEBHOOKS_TIMEOUT="3", MEDIABASE_JOBS_POLL_INTERVAL="0.2", MEDIABASE_JOBS_POLLER_INTERVAL="0.1",
               MEDIABASE_LOG_LEVEL="WARNING")
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "mediabase", "worker", "--concurrency", "8",
                                 "--lease-seconds", "2", "--batch-size", "8"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


def scalar(conn: psycopg.Connection[tuple[object, ...]], query: str) -> int:
    row = conn.execute(query.encode()).fetchone()
    assert row is not None
    return int(str(row[0]))


def test_a_sigkilled_worker_loses_no_delivery(migrated_url: str, tenants: tuple[Tenant, Tenant], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_WEBHOOKS_ALLOW_HTTP_LOOPBACK", "true")
    a, _ = tenants
    org = a.owner.organization_id
    receiver = Receiver(delay={name: 0.03 for name in SUBSCRIPTIONS}).start_in_thread()
    names: dict[UUID, str] = {}

    async def setup() -> None:
        async with Database(migrated_url, make_settings(migrated_url)) as db:
            for name, types in SUBSCRIPTIONS.items():
                ep = await webhooks.create_endpoint(db, a.owner, EndpointCreate(url=receiver.url(name),
                                                                               event_types=types))
                watch(ep.secret)
                receiver.secrets[name] = ep.secret
                names[ep.id] = name

    asyncio.run(setup())
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        check(conn, migrated_url, org, receiver, names, tmp_path)


def check(conn: psycopg.Connection[tuple[object, ...]], migrated_url: str, org: UUID, receiver: Receiver,
          names: dict[UUID, str], tmp_path: Path) -> None:
    conn.execute("SELECT mediabase.emit_event(%s, 'comment.created', 'comment', mediabase.new_id(),"
                 " jsonb_build_object('i', i)) FROM generate_series(1, %s) i", (org, N_EVENTS))
    expected = len(SUBSCRIPTIONS) * N_EVENTS
    log = tmp_path / "workers.log"
    first = start_worker(migrated_url, log)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 120
        while receiver.count < expected // 4 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        seen_at_kill = receiver.count
        delivered_at_kill = scalar(conn, "SELECT count(*) FROM mediabase.webhook_deliveries WHERE status = 'delivered'")
        assert 0 < seen_at_kill < expected, (seen_at_kill, log.read_text()[-3000:])
        assert delivered_at_kill < expected

        second = start_worker(migrated_url, log)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if scalar(conn, "SELECT count(*) FROM mediabase.webhook_deliveries WHERE status = 'delivered'") == expected:
                break
            assert second.poll() is None, log.read_text()[-3000:]
            time.sleep(0.2)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
        receiver.stop_thread()

    rows = conn.execute("SELECT d.endpoint_id, d.event_id, d.status,"
                        " (SELECT count(*) FROM mediabase.webhook_attempts t"
                        "   WHERE t.organization_id = d.organization_id AND t.delivery_id = d.id AND t.ok) AS oks"
                        " FROM mediabase.webhook_deliveries d").fetchall()
    assert len(rows) == expected
    assert {r[2] for r in rows} == {"delivered"} and {r[3] for r in rows} == {1}
    want = {(names[UUID(str(r[0]))], str(r[1])) for r in rows}
    got = receiver.snapshot()
    assert all(r.verified for r in got)
    pairs = Counter((r.name, r.webhook_id) for r in got)
    assert set(pairs) == want  # every (endpoint, event) at least once, nothing else
    bodies: dict[tuple[str, str], dict[str, object]] = {}
    for r in got:  # a duplicate is the same message: same webhook-id (the pair's event), same body
        assert bodies.setdefault((r.name, r.webhook_id), r.body) == r.body
        assert r.body["data"]["id"] == r.webhook_id
    duplicates = sum(n - 1 for n in pairs.values())
    print(f"received {len(got)} requests for {expected} deliveries ({duplicates} duplicates after the kill at"
          f" {seen_at_kill} requests, {delivered_at_kill} recorded delivered)")
