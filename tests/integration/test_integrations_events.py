"""Processing stored webhook events (``integrations.process``'s work, called in-process): a
recording is imported and its event marked processed in the same transaction, other events are
ignored, a failure is recorded on the event with its reason and writes nothing else, a transient
one is left for the retry, and an event done already is left alone."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pydantic import SecretStr

from mediabase.db.connection import Database
from mediabase.integrations import service, webhooks, zoom
from mediabase.integrations.crypto import Keyring, new_key
from mediabase.integrations.jobs import process_event
from mediabase.integrations.models import AccountCreate, Provider, WebhookAck
from mediabase.integrations.settings import IntegrationSettings
from mediabase.jobs import PermanentError
from tests.factories import Tenant

DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
HOOK = "whsec-events-zoom-secret"


async def deliver(db: Database, account: UUID, body: bytes, settings: IntegrationSettings) -> UUID:
    stamp = str(int(time.time()))
    ack = await webhooks.receive(db, "zoom", account, {zoom.TIMESTAMP_HEADER: stamp,
                                                      zoom.SIGNATURE_HEADER: zoom.sign(HOOK, stamp, body)}, body,
                                 settings=settings)
    assert isinstance(ack, WebhookAck) and ack.status == "stored"
    return ack.event_id


async def event_row(owner_db: Database, org: UUID, event: UUID) -> dict[str, Any]:
    async with owner_db.transaction(org) as conn:
        row = await (await conn.execute("SELECT status, error, result, secrets_enc IS NULL AS cleared,"
                                        " processed_at IS NOT NULL AS done FROM integration_events WHERE id = %s",
                                        (event,))).fetchone()
    assert row is not None
    return row


async def count(owner_db: Database, org: UUID, table: str) -> int:
    async with owner_db.transaction(org) as conn:
        row = await (await conn.execute(f"SELECT count(*) AS n FROM {table} WHERE organization_id = %s",
                                        (org,))).fetchone()
    return int(row["n"]) if row else 0


async def test_events_are_processed_ignored_or_failed_once(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    alpha, _ = tenants
    org = alpha.owner.organization_id
    root = tmp_path / "root"
    shutil.copytree(DATA, root, ignore=shutil.ignore_patterns("*.py", "*.md"))
    key = new_key()
    monkeypatch.setenv("MEDIABASE_INTEGRATIONS_KEY", key)
    settings = IntegrationSettings.model_validate({"key": key, "file_root": str(root)})
    account = await service.create_account(db, alpha.owner, AccountCreate(
        provider=Provider.zoom, external_account_id="fixture-account", webhook_secret=SecretStr(HOOK)),
        Keyring.from_settings(settings))

    # another event: ignored
    other = await deliver(db, account.id, b'{"event": "meeting.started", "payload": {"object": {}}}', settings)
    assert await process_event(owner_db, org, other, settings=settings) == {
        "ignored": "meeting.started is not a recording event"}
    assert (await event_row(owner_db, org, other))["status"] == "ignored"

    # a transcript that does not parse: the event fails with file:line, nothing else is written
    body = json.loads((DATA / "recording.completed.json").read_text())
    vtt = root / "transcripts" / "ES2002c.vtt"
    vtt.write_text("not a transcript\n")
    broken = await deliver(db, account.id, json.dumps(body).encode(), settings)
    with pytest.raises(PermanentError, match="not a WebVTT file"):
        await process_event(owner_db, org, broken, settings=settings)
    row = await event_row(owner_db, org, broken)
    assert row["status"] == "failed" and f"{vtt}:1: not a WebVTT file" in row["error"] and row["cleared"]
    assert await count(owner_db, org, "videos") == 0
    # done: a second run (a retry, another worker) leaves it alone
    assert await process_event(owner_db, org, broken, settings=settings) == {"already": "failed"}

    # a file outside the root: refused for good
    body["payload"]["object"]["recording_files"][2]["download_url"] = "../../../etc/passwd"
    outside = await deliver(db, account.id, json.dumps(body).encode(), settings)
    with pytest.raises(PermanentError, match="outside MEDIABASE_INTEGRATIONS_FILE_ROOT"):
        await process_event(owner_db, org, outside, settings=settings)

    # the key missing on this worker: retried (the event waits), failed on the last attempt
    shutil.copy(DATA / "transcripts" / "ES2002c.vtt", vtt)
    good = await deliver(db, account.id, (DATA / "recording.completed.json").read_bytes(), settings)
    monkeypatch.delenv("MEDIABASE_INTEGRATIONS_KEY")
    keyless = IntegrationSettings.model_validate({"file_root": str(root)})
    with pytest.raises(Exception, match="MEDIABASE_INTEGRATIONS_KEY is not set"):
        await process_event(owner_db, org, good, settings=keyless, last_attempt=False)
    assert (await event_row(owner_db, org, good))["status"] == "received"

    # the recording: a video with its transcript, the event processed in the same transaction
    result = await process_event(owner_db, org, good, settings=settings)
    (outcome,) = result["outcomes"]
    assert outcome["status"] == "loaded" and outcome["segments"] == 30 and outcome["speakers"] == 3
    row = await event_row(owner_db, org, good)
    assert row["status"] == "processed" and row["result"]["video_id"] == outcome["video_id"] and row["cleared"]
    assert (await count(owner_db, org, "videos"), await count(owner_db, org, "transcripts")) == (1, 1)
    assert await process_event(owner_db, org, good, settings=settings) == {"already": "processed"}
