"""Importing Zoom-shaped recordings into videos and transcripts, against a real PostgreSQL: the
fixture feed becomes videos with transcripts and speakers through the media and transcripts
services; importing again (or at once, twice) creates nothing new; a problem anywhere in a feed
is named and writes nothing; a transcript that comes later is added; what was deleted here is not
brought back (docs/integrations.md)."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.integrations import importer, service
from mediabase.integrations.crypto import Keyring, new_key
from mediabase.integrations.fetch import Fetcher
from mediabase.integrations.models import AccountCreate, AccountStatus, AccountUpdate, Provider
from mediabase.integrations.settings import IntegrationSettings
from mediabase.integrations.zoom import FeedError
from tests.factories import Tenant, make_tenant

DATA = Path(__file__).resolve().parents[1] / "data" / "zoom"
SPEAKERS = {"Project Manager", "Marketing Expert", "Industrial Designer", "User Interface Designer"}


async def connect(db: Database, p: Principal) -> Any:
    ring = Keyring.from_settings(IntegrationSettings.model_validate({"key": new_key()}))
    return await service.create_account(db, p, AccountCreate(
        provider=Provider.zoom, external_account_id=f"acct-{uuid.uuid4().hex[:6]}",
        webhook_secret=SecretStr("whsec-import-tests")), ring)


async def run(db: Database, p: Principal, account: Any, feed: Path) -> Any:
    """Import a feed folder, as the CLI does."""
    system = await db.as_system()
    items = importer.read_feed(feed)
    return await importer.import_recordings(system, p, account.id, items, Fetcher.local(feed))


async def state(owner_db: Database, org: Any) -> dict[str, Any]:
    """What an import writes, per table: row counts and the map's targets."""
    async with owner_db.transaction(org) as conn:
        out: dict[str, Any] = {}
        for table in ("videos", "transcripts", "transcript_segments", "speakers", "integration_external_items"):
            row = await (await conn.execute(f"SELECT count(*) AS n FROM {table} WHERE organization_id = %s",
                                            (org,))).fetchone()
            out[table] = row["n"] if row else 0
        jobs = await (await conn.execute("SELECT count(*) AS n FROM jobs WHERE organization_id = %s"
                                         " AND type = 'transcript.index'", (org,))).fetchone()
        out["index_jobs"] = jobs["n"] if jobs else 0
        items = await (await conn.execute("SELECT external_id, kind, video_id, transcript_id FROM"
                                          " integration_external_items WHERE organization_id = %s ORDER BY 1",
                                          (org,))).fetchall()
        out["items"] = [tuple(r.values()) for r in items]
        cur = await (await conn.execute("SELECT sync_cursor, sync_cursor_updated_at FROM integration_accounts"
                                        " WHERE organization_id = %s", (org,))).fetchall()
        out["cursors"] = [tuple(r.values()) for r in cur]
    return out


def copy_feed(tmp_path: Path) -> Path:
    feed = tmp_path / "feed"
    shutil.copytree(DATA, feed, ignore=shutil.ignore_patterns("*.py", "*.md"))
    return feed


async def test_the_fixture_feed_becomes_videos_with_transcripts_and_speakers_once(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, _ = tenants
    org = alpha.owner.organization_id
    account = await connect(db, alpha.owner)
    report = await run(db, alpha.owner, account, DATA)
    assert [o.status.value for o in report.outcomes] == ["loaded"] * 3
    assert {o.title for o in report.outcomes} == {"Remote control kick-off", "Remote control functional design",
                                                  "Remote control conceptual design"}
    assert all(o.segments == 30 and o.speakers >= 3 for o in report.outcomes)
    assert report.sync_cursor == "2004-12-13T11:00:00Z"  # the latest recording's start
    async with owner_db.transaction(org) as conn:
        speakers = await (await conn.execute("SELECT DISTINCT label FROM speakers WHERE organization_id = %s",
                                             (org,))).fetchall()
        video = await (await conn.execute("SELECT title, recorded_at, duration_ms, media_url, metadata FROM videos"
                                          " WHERE organization_id = %s AND title = 'Remote control kick-off'",
                                          (org,))).fetchone()
        seg = await (await conn.execute(
            "SELECT s.text, p.label FROM transcript_segments s JOIN speakers p ON p.organization_id = s.organization_id"
            " AND p.id = s.speaker_id WHERE s.organization_id = %s AND s.seq = 2 AND s.video_id = ("
            "SELECT id FROM videos WHERE organization_id = %s AND title = 'Remote control kick-off')",
            (org, org))).fetchone()
    assert {r["label"] for r in speakers} == SPEAKERS
    assert video is not None and video["media_url"] == "https://example.zoom.us/rec/download/ES2002a.mp4"
    assert str(video["recorded_at"]) == "2004-12-13 09:00:00+00:00"
    assert video["metadata"]["integration"]["meeting_uuid"] == "aW1wb3J0ZWQtRVMyMDAyYQ=="
    assert "download_url" not in json.dumps(video["metadata"])
    assert seg is not None and seg["label"] == "Project Manager" and seg["text"].startswith("Um well this is")
    first = await state(owner_db, org)
    assert first["videos"] == first["transcripts"] == first["index_jobs"] == 3
    assert first["integration_external_items"] == 6 and first["transcript_segments"] == 90
    again = await run(db, alpha.owner, account, DATA)
    assert [o.status.value for o in again.outcomes] == ["skipped"] * 3
    assert await state(owner_db, org) == first  # nothing new, the cursor where it was


async def test_two_imports_at_once_import_each_recording_once(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    alpha, _ = tenants
    one, two = await connect(db, alpha.owner), await connect(db, alpha.owner)  # two accounts, one map
    reports = await asyncio.gather(run(db, alpha.owner, one, DATA), run(db, alpha.owner, two, DATA))
    statuses = sorted(o.status.value for r in reports for o in r.outcomes)
    assert statuses == ["loaded"] * 3 + ["skipped"] * 3
    s = await state(owner_db, alpha.owner.organization_id)
    assert (s["videos"], s["transcripts"], s["integration_external_items"]) == (3, 3, 6)


async def test_a_problem_anywhere_in_a_feed_is_named_and_writes_nothing(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], tmp_path: Path) -> None:
    alpha, _ = tenants
    org = alpha.owner.organization_id
    account = await connect(db, alpha.owner)
    before = await state(owner_db, org)
    feed = copy_feed(tmp_path)
    answer = json.loads((feed / "recordings.json").read_text())
    answer["meetings"][1]["recording_files"][0]["file_size"] = -3
    (feed / "recordings.json").write_text(json.dumps(answer))
    with pytest.raises(FeedError) as bad_field:
        await run(db, alpha.owner, account, feed)
    assert bad_field.value.lines == [
        f"{feed / 'recordings.json'}: meetings[1].recording_files[0].file_size: Input should be greater than or equal"
        " to 0"]
    feed = copy_feed(tmp_path / "2")
    vtt = feed / "transcripts" / "ES2002b.vtt"
    lines = vtt.read_text().splitlines()
    lines[7] = "00:00:09.000 --> 00:00:08.000"  # cue 3 ends before it starts
    vtt.write_text("\n".join(lines))
    with pytest.raises(FeedError) as bad_vtt:
        await run(db, alpha.owner, account, feed)
    assert bad_vtt.value.lines == [f"{vtt}:8: cue ends before it starts ('00:00:09.000 --> 00:00:08.000')"]
    (feed / "transcripts" / "ES2002b.vtt").unlink()
    with pytest.raises(FeedError, match=r"meetings\[1\]\.recording_files\[2\]\.download_url: .*cannot open"):
        await run(db, alpha.owner, account, feed)
    (feed / "more.jsonl").write_text('{"event": "meeting.started", "payload": {}}\n{"uuid": \n')
    with pytest.raises(FeedError, match=r"more\.jsonl:2: not JSON"):
        await run(db, alpha.owner, account, feed)
    assert await state(owner_db, org) == before


async def test_a_transcript_that_comes_later_is_added_and_a_deleted_video_is_not_brought_back(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], tmp_path: Path) -> None:
    alpha, _ = tenants
    org = alpha.owner.organization_id
    account = await connect(db, alpha.owner)
    feed = copy_feed(tmp_path)
    event = json.loads((feed / "recording.completed.json").read_text())
    (feed / "recordings.json").unlink()
    files = event["payload"]["object"]["recording_files"]
    event["payload"]["object"]["recording_files"] = [f for f in files if f["file_type"] != "TRANSCRIPT"]
    (feed / "recording.completed.json").write_text(json.dumps(event))
    first = await run(db, alpha.owner, account, feed)
    assert [(o.status.value, o.transcript_id) for o in first.outcomes] == [("loaded", None)]
    event["event"] = "recording.transcript_completed"
    event["payload"]["object"]["recording_files"] = files
    (feed / "recording.completed.json").write_text(json.dumps(event))
    later = await run(db, alpha.owner, account, feed)
    (o,) = later.outcomes
    assert (o.status.value, o.video_id, o.segments) == ("transcript_added", first.outcomes[0].video_id, 30)
    # deleted here: the map keeps a tombstone and a re-sync leaves it deleted
    async with owner_db.transaction(org) as conn:
        await conn.execute("DELETE FROM videos WHERE organization_id = %s", (org,))
    again = await run(db, alpha.owner, account, DATA)
    assert [x.status.value for x in again.outcomes] == ["skipped", "loaded", "loaded"]  # files in name order
    # a paused account imports nothing
    await service.update_account(db, alpha.owner, account.id, AccountUpdate(status=AccountStatus.paused))
    with pytest.raises(Exception, match="is paused"):
        await run(db, alpha.owner, account, tmp_path / "feed")


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(st.sampled_from(["ES2002a", "ES2002b", "ES2002c"]), max_size=4), min_size=1,
                        max_size=4))
def test_any_sequence_of_imports_leaves_one_video_per_recording(
        migrated_url: str, batches: list[list[str]], tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.conftest import make_settings

    async def go() -> None:
        async with Database(migrated_url, make_settings(migrated_url)) as db, \
                Database(migrated_url, make_settings(migrated_url), role="") as owner_db:
            t = await make_tenant(db, owner_db)
            account = await connect(db, t.owner)
            every = {r.recording.topic: r for r in importer.read_feed(DATA)}
            names = {"ES2002a": "Remote control kick-off", "ES2002b": "Remote control functional design",
                     "ES2002c": "Remote control conceptual design"}
            system = await db.as_system()
            for batch in batches:
                items = [every[names[m]] for m in batch]
                await importer.import_recordings(system, t.owner, account.id, items, Fetcher.local(DATA))
            s = await state(owner_db, t.owner.organization_id)
            wanted = len({m for b in batches for m in b})
            assert (s["videos"], s["transcripts"], s["integration_external_items"]) == (wanted, wanted, 2 * wanted)

    asyncio.run(go())
