"""A delivered Zoom ``recording.completed`` end to end: the webhook, received over HTTP, stores the
event and enqueues ``integrations.process``; a real ``mediabase worker`` (a subprocess, as in
production) imports the recording through the same code as ``mediabase integrations import``, and
the video ends with its transcript and speakers. The event's files are read from
MEDIABASE_INTEGRATIONS_FILE_ROOT (offline); a re-delivery afterwards changes nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from mediabase.integrations import zoom
from mediabase.integrations.crypto import new_key
from tests.acceptance.dbstate import fingerprint
from tests.factories import Tenant
from tests.log_privacy import watch

# a worker subprocess and the import it runs: minutes on a busy machine
pytestmark = pytest.mark.timeout(600)
DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
HOOK = "whsec-worker-zoom-secret"
watch(HOOK)


@contextmanager
def worker(url: str, log: Path, key: str) -> Iterator[None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=url, MEDIABASE_INTEGRATIONS_KEY=key, MEDIABASE_INTEGRATIONS_FILE_ROOT=str(DATA),
               MEDIABASE_JOBS_POLL_INTERVAL="0.3")
    with log.open("w") as out, subprocess.Popen(
        [sys.executable, "-m", "mediabase", "worker", "--concurrency", "2"],
        env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    ) as proc:
        try:
            yield
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def one(url: str, query: str, *args: Any) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, args).fetchone()
    return row[0] if row else None


def test_a_delivered_recording_becomes_a_video_with_its_transcript_and_speakers(
        client: TestClient, migrated_url: str, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    a, _ = tenants
    key = new_key()
    monkeypatch.setenv("MEDIABASE_INTEGRATIONS_KEY", key)
    r = client.post("/integrations/accounts", headers={"X-API-Key": a.owner_key},
                    json={"provider": "zoom", "external_account_id": "fixture-account", "webhook_secret": HOOK})
    assert r.status_code == 201, r.text
    account = r.json()["id"]
    body = (DATA / "recording.completed.json").read_bytes()
    stamp = str(int(time.time()))
    delivered = client.post(f"/integrations/zoom/webhooks/{account}", content=body,
                            headers={zoom.TIMESTAMP_HEADER: stamp, zoom.SIGNATURE_HEADER: zoom.sign(HOOK, stamp, body)})
    assert delivered.status_code == 200 and delivered.json()["status"] == "stored", delivered.text
    event = delivered.json()["event_id"]
    log = tmp_path / "worker.log"
    with worker(migrated_url, log, key):
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            status = one(migrated_url, "SELECT status FROM mediabase.integration_events WHERE id = %s", event)
            if status != "received":
                break
            time.sleep(0.3)
    assert status == "processed", (status, log.read_text()[-3000:])
    video = one(migrated_url, "SELECT video_id FROM mediabase.integration_external_items WHERE external_id = %s",
                "aW1wb3J0ZWQtRVMyMDAyYw==")
    headers = {"X-API-Key": a.owner_key}
    got = client.get(f"/videos/{video}", headers=headers).json()
    assert got["title"] == "Remote control conceptual design" and got["tags"] == ["zoom"]
    segments = client.get(f"/videos/{video}/segments", headers=headers)
    assert segments.status_code == 200, segments.text
    seg = segments.json()
    items = seg["segments"] if isinstance(seg, dict) else seg
    assert len(items) == 30 and items[0]["speaker"] and ":" not in items[0]["text"][:3]
    speakers = client.get(f"/videos/{video}/speakers", headers=headers).json()
    assert {s["label"] for s in speakers} >= {"Project Manager", "Marketing Expert"}
    done = client.get(f"/integrations/events/{event}", headers=headers).json()
    assert done["status"] == "processed" and done["result"]["status"] == "loaded" and done["result"]["segments"] == 30
    assert one(migrated_url, "SELECT secrets_enc FROM mediabase.integration_events WHERE id = %s", event) is None
    assert one(migrated_url, "SELECT status FROM mediabase.jobs WHERE type = 'integrations.process'") == "completed"
    # the same delivery again: stored already, nothing changes
    before = fingerprint(migrated_url)
    stamp = str(int(time.time()))
    again = client.post(f"/integrations/zoom/webhooks/{account}", content=body,
                        headers={zoom.TIMESTAMP_HEADER: stamp, zoom.SIGNATURE_HEADER: zoom.sign(HOOK, stamp, body)})
    assert again.json() == {"status": "duplicate", "event_id": event}
    after = fingerprint(migrated_url)
    assert {t for t in before if before[t] != after.get(t) and not t.startswith("security_events")} == set()
