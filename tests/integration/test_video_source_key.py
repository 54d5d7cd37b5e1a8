"""A video's source (0025): one live video per source key and organization, kept by the
database; ``ingest_source`` loads, skips, reports or replaces by it (issue 26, defect 3)."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid
from mediabase.media import service as media
from mediabase.media.models import VideoCreate, VideoSource
from mediabase.transcripts import service as transcripts
from mediabase.transcripts.models import SourceStatus
from tests.factories import Tenant, transcript


def source(key: str, content: str) -> VideoSource:
    return VideoSource(key=key, sha256=hashlib.sha256(content.encode()).hexdigest())


async def live_videos(owner_db: Database, t: Tenant) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (await conn.execute(
            "SELECT id, source_key, source_sha256 FROM videos WHERE organization_id = %s AND deleted_at IS NULL",
            (t.owner.organization_id,))).fetchall()


async def test_loaded_skipped_changed_replaced(db: Database, owner_db: Database, tenants: Any) -> None:
    a: Tenant = tenants[0]
    talk = VideoCreate(title="Talk", language="en")
    first = await transcripts.ingest_source(db, a.owner, talk, transcript(4), source("srt:talk", "v1"))
    assert first.status is SourceStatus.loaded and first.result and first.result.transcript.version == 1
    again = await transcripts.ingest_source(db, a.owner, talk, transcript(4), source("srt:talk", "v1"))
    assert (again.status, again.video_id, again.result) == (SourceStatus.skipped, first.video_id, None)
    changed = await transcripts.ingest_source(db, a.owner, talk, transcript(6), source("srt:talk", "v2"))
    assert (changed.status, changed.video_id, changed.result) == (SourceStatus.changed, first.video_id, None)
    replaced = await transcripts.ingest_source(
        db, a.owner, talk, transcript(6), source("srt:talk", "v2"), replace=True
    )
    assert replaced.status is SourceStatus.replaced and replaced.video_id == first.video_id
    assert replaced.result and replaced.result.transcript.version == 2 and replaced.result.transcript.segment_count == 6
    assert [v["source_sha256"] for v in await live_videos(owner_db, a)] == [source("x:y", "v2").sha256]
    # the same key in another organization is another source
    b: Tenant = tenants[1]
    other = await transcripts.ingest_source(db, b.owner, talk, transcript(4), source("srt:talk", "v1"))
    assert other.status is SourceStatus.loaded and other.video_id != first.video_id


async def test_two_ingests_of_one_source_at_once_make_one_video(db: Database, owner_db: Database,
                                                               tenants: Any) -> None:
    a: Tenant = tenants[0]
    outcomes = await asyncio.gather(*(
        transcripts.ingest_source(db, a.owner, VideoCreate(title="Same"), transcript(50), source("ami:ES2002a", "x"))
        for _ in range(4)
    ))
    assert sorted(o.status for o in outcomes) == [SourceStatus.loaded] + [SourceStatus.skipped] * 3
    assert len({o.video_id for o in outcomes}) == 1
    assert len(await live_videos(owner_db, a)) == 1


async def test_a_deleted_video_frees_its_source_and_is_not_restored_beside_a_live_one(
    db: Database, owner_db: Database, tenants: Any
) -> None:
    a: Tenant = tenants[0]
    key = source("vtt:lecture", "one")
    old = await transcripts.ingest_source(db, a.owner, VideoCreate(title="Lecture"), transcript(3), key)
    await media.delete_video(db, a.owner, old.video_id)
    new = await transcripts.ingest_source(db, a.owner, VideoCreate(title="Lecture"), transcript(3), key)
    assert new.status is SourceStatus.loaded and new.video_id != old.video_id
    with pytest.raises(Conflict, match="a live video of this source is already there"):
        await media.restore_video(db, a.owner, old.video_id)


@pytest.mark.parametrize(
    ("key", "sha256"),
    [
        ("no-kind", "0" * 64),  # no 'kind:'
        ("srt:with space", "0" * 64),
        ("srt:line\nbreak", "0" * 64),
        ("x" * 301, "0" * 64),
        ("srt:abc", "0" * 63),
        ("srt:abc", "G" * 64),
        ("srt:abc", None),  # a key without its digest
        (None, "0" * 64),
    ],
)
async def test_the_database_refuses_a_malformed_source(owner_db: Database, tenants: Any, key: str | None,
                                                      sha256: str | None) -> None:
    a: Tenant = tenants[0]
    with pytest.raises(Invalid):
        async with owner_db.transaction() as conn:
            await conn.execute(
                "INSERT INTO videos (organization_id, title, source_key, source_sha256) VALUES (%s, 't', %s, %s)",
                (a.owner.organization_id, key, sha256),
            )


async def test_videos_made_otherwise_have_no_source(db: Database, tenants: Any) -> None:
    a: Tenant = tenants[0]
    made = await media.create_video(db, a.owner, VideoCreate(title="By hand"))
    assert made.source_key is None
    loaded = await transcripts.ingest_source(db, a.owner, VideoCreate(title="T"), transcript(2), source("json:t", "t"))
    assert (await media.get_video(db, a.owner, loaded.video_id)).source_key == "json:t"
