"""Integrations on a real Citus cluster (docs/integrations.md, "Scale-out"): an account sealed and
opened through the coordinator, the fixture feed imported into videos and transcripts on the
shards and imported again without change, a webhook found by account id alone (every shard asked),
stored once and processed, and a deleted video left in the map as a tombstone by the shard's
trigger. The cluster's one database is shared with the other Citus modules: each test keeps to
organizations of its own."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from mediabase.db.connection import Database
from mediabase.integrations import importer, service, webhooks, zoom
from mediabase.integrations.crypto import Keyring, new_key
from mediabase.integrations.fetch import Fetcher
from mediabase.integrations.jobs import process_event
from mediabase.integrations.models import AccountCreate, Provider
from mediabase.integrations.settings import IntegrationSettings
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]
DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
HOOK = "whsec-citus-zoom-secret"


async def test_integrations_keep_their_rules_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    settings = IntegrationSettings.model_validate({"key": new_key(), "file_root": str(DATA)})
    ring = Keyring.from_settings(settings)
    t = await make_tenant(db, system, f"in-{uuid.uuid4().hex[:6]}")
    org = t.owner.organization_id
    account = await service.create_account(db, t.owner, AccountCreate(
        provider=Provider.zoom, external_account_id="fixture-account", webhook_secret=SecretStr(HOOK)), ring)
    assert (await service.open_secrets(system, org, account.id, ring)).webhook_secret == HOOK

    items = [i for i in importer.read_feed(DATA) if "recordings.json" in i.source]
    first = await importer.import_recordings(system, t.owner, account.id, items, Fetcher.local(DATA))
    assert [o.status.value for o in first.outcomes] == ["loaded", "loaded"]
    again = await importer.import_recordings(system, t.owner, account.id, items, Fetcher.local(DATA))
    assert [o.status.value for o in again.outcomes] == ["skipped", "skipped"]

    body = (DATA / "recording.completed.json").read_bytes()
    stamp = str(int(time.time()))
    headers = {zoom.TIMESTAMP_HEADER: stamp, zoom.SIGNATURE_HEADER: zoom.sign(HOOK, stamp, body)}
    stored = await webhooks.receive(db, "zoom", account.id, headers, body, settings=settings, keyring=ring)
    duplicate = await webhooks.receive(db, "zoom", account.id, headers, body, settings=settings, keyring=ring)
    assert stored.status == "stored" and duplicate.status == "duplicate"  # type: ignore[union-attr]
    assert duplicate.event_id == stored.event_id  # type: ignore[union-attr]
    result = await process_event(system, org, stored.event_id, settings=settings)  # type: ignore[union-attr]
    assert result["outcomes"][0]["status"] == "loaded" and result["sync_cursor"] == "2004-12-13T11:00:00Z"
    assert (await process_event(system, org, stored.event_id, settings=settings)) == {  # type: ignore[union-attr]
        "already": "processed"}

    async with system.transaction(org) as conn:
        counts = await (await conn.execute(
            "SELECT (SELECT count(*) FROM videos WHERE organization_id = %(org)s) AS videos,"
            " (SELECT count(*) FROM transcripts WHERE organization_id = %(org)s) AS transcripts,"
            " (SELECT count(*) FROM integration_external_items WHERE organization_id = %(org)s) AS items",
            {"org": org})).fetchone()
        assert counts == {"videos": 3, "transcripts": 3, "items": 6}
        await conn.execute("DELETE FROM videos WHERE organization_id = %s AND id = %s",
                           (org, first.outcomes[0].video_id))
    async with system.transaction(org) as conn:
        gone = await (await conn.execute(
            "SELECT count(*) AS n FROM integration_external_items WHERE organization_id = %s AND video_id IS NULL",
            (org,))).fetchone()
    assert gone == {"n": 2}  # the recording and its transcript file, kept as tombstones
