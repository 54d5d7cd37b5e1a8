"""The continuation flow and the invariants it must keep, tried against a real PostgreSQL:
gapless sequences under concurrency, one winner per bible version, no segment in a closed
scene, invalid bibles refused whole, and the flow through a real worker."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import pytest

from mediabase.common.errors import Conflict, Invalid, MediabaseError
from mediabase.db.connection import Database
from mediabase.db.rows import Jsonb
from mediabase.jobs.registry import PermanentError, Registration
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.stories import bible as bibles
from mediabase.stories import continuations, scenes
from mediabase.stories.jobs import continuation as continuation_handler
from mediabase.stories.models import BibleWrite, ContinuationCreate, SceneCreate, SceneStatus, SceneUpdate
from tests.conftest import make_settings
from tests.factories import Tenant
from tests.integration.stories_world import (
    BIBLE,
    Story,
    continue_until_done,
    enqueue_continuations,
    make_story,
)


@pytest.fixture
async def big_db(migrated_url: str) -> AsyncIterator[Database]:
    """The app-role pool with room for 20 concurrent continuations."""
    async with Database(migrated_url, make_settings(migrated_url, pool_max_size=24)) as database:
        yield database


@pytest.fixture
async def story(db: Database, tenants: tuple[Tenant, Tenant]) -> Story:
    return await make_story(db, tenants[0])


async def rows(owner_db: Database, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (await conn.execute(stmt, params)).fetchall()


async def scene_state(owner_db: Database, scene: UUID) -> dict[str, Any]:
    segs = await rows(owner_db, "SELECT sequence, bible_version, duration_ms, user_id FROM story_segments"
                      " WHERE scene_id = %s ORDER BY sequence", scene)
    versions = await rows(owner_db, "SELECT version, data FROM story_bibles WHERE scene_id = %s"
                          " ORDER BY version", scene)
    (sc,) = await rows(owner_db, "SELECT * FROM story_scenes WHERE id = %s", scene)
    return {"segments": segs, "bibles": versions, "scene": sc}


async def test_a_continuation_becomes_the_next_segment_and_bible_version(
    db: Database, owner_db: Database, story: Story
) -> None:
    c = await continuations.continue_scene(db, story.member, story.scene,
                                           ContinuationCreate(text="Ada lights the lamp. The storm breaks."))
    assert c.state == "queued" and c.base_bible_version == 1 and c.job_status == "queued"
    stages: list[tuple[int, str]] = []

    async def progress(percent: int, stage: str) -> None:
        stages.append((percent, stage))

    result = await continuations.run_continuation(db, story.org, c.job_id, progress=progress)
    assert result["sequence"] == 1 and result["bible_version"] == 2 and result["created"] is True
    assert [s for _, s in stages] == ["script_expansion", "continuity_validation", "video_generation", "upload",
                                      "finalization"]
    state = await scene_state(owner_db, story.scene)
    assert [s["sequence"] for s in state["segments"]] == [1]
    assert state["segments"][0]["bible_version"] == 1  # written against version 1
    assert [b["version"] for b in state["bibles"]] == [1, 2]
    v2 = state["bibles"][1]["data"]
    assert v2["version"] == 2
    assert v2["timeline"]["majorEvents"] == [{"segmentNumber": 1, "event": "Ada lights the lamp."}]
    assert v2["characters"][0]["introducedInSegment"] == 1
    sc = state["scene"]
    assert (sc["segment_count"], sc["bible_version"], sc["contributor_count"]) == (1, 2, 1)
    assert sc["total_duration_ms"] == state["segments"][0]["duration_ms"] and sc["last_segment_at"] is not None
    done = await continuations.get_continuation(db, story.member, c.job_id)
    assert done.state == "finalized" and str(done.segment_id) == result["segment_id"] and done.attempts == 1
    seg = (await scenes.list_segments(db, story.member, story.scene)).items[0]
    assert "Ada" in seg.expanded_script and seg.job_id == c.job_id
    assert seg.video_key.startswith(f"stories/{story.scene}/segments/") and str(c.job_id) not in seg.video_key
    # finalization run twice (a crash between finalizing and completing the job) appends once
    again = await continuations.run_continuation(db, story.org, c.job_id)
    assert again == {**result, "created": False}
    assert len((await scene_state(owner_db, story.scene))["segments"]) == 1


async def test_twenty_concurrent_continuations_get_gapless_unique_sequences(
    big_db: Database, owner_db: Database, story: Story
) -> None:
    jobs = await enqueue_continuations(big_db, story.member, story.scene, 20)
    # all at once, none waiting for its turn: the compare-and-set alone keeps the playlist whole
    results = await asyncio.gather(*(continue_until_done(big_db, story.member, j, turn_wait=0) for j in jobs))
    state = await scene_state(owner_db, story.scene)
    assert [s["sequence"] for s in state["segments"]] == list(range(1, 21))
    assert sorted(r["sequence"] for r, _ in results) == list(range(1, 21))
    # every segment was written against the bible version just before the one it created
    assert [s["bible_version"] for s in state["segments"]] == list(range(1, 21))
    assert [b["version"] for b in state["bibles"]] == list(range(1, 22))
    events = [e["segmentNumber"] for e in state["bibles"][-1]["data"]["timeline"]["majorEvents"]]
    assert events == list(range(1, 21))  # no lost update: every continuation is in the latest bible
    assert state["scene"]["segment_count"] == 20 and state["scene"]["bible_version"] == 21
    assert sum(lost for _, lost in results) > 0  # they did race
    finalized = await rows(owner_db, "SELECT count(*) AS n FROM story_continuations WHERE scene_id = %s"
                           " AND state = 'finalized'", story.scene)
    assert finalized[0]["n"] == 20


async def test_continuations_that_wait_their_turn_land_in_order_without_a_race(
    big_db: Database, owner_db: Database, story: Story
) -> None:
    jobs = await enqueue_continuations(big_db, story.member, story.scene, 12)
    results = await asyncio.gather(*(continue_until_done(big_db, story.member, j) for j in reversed(jobs)))
    assert sum(lost for _, lost in results) == 0  # each started from the version it finalized on
    state = await scene_state(owner_db, story.scene)
    assert [s["sequence"] for s in state["segments"]] == list(range(1, 13))
    texts = await rows(owner_db, "SELECT g.sequence, c.job_id FROM story_segments g JOIN story_continuations c"
                       " ON c.organization_id = g.organization_id AND c.segment_id = g.id WHERE g.scene_id = %s"
                       " ORDER BY g.sequence", story.scene)
    assert [t["job_id"] for t in texts] == jobs  # in the order they were made


async def test_exactly_one_finalization_wins_each_bible_version(
    big_db: Database, owner_db: Database, story: Story
) -> None:
    jobs = await enqueue_continuations(big_db, story.member, story.scene, 12)
    new = bibles.advance(bibles.validate(BIBLE), sequence=1, text="Ada waits.")

    async def finalize(job: UUID) -> None:
        async with big_db.transaction(story.org) as conn:
            await conn.execute("UPDATE story_continuations SET state = 'running' WHERE job_id = %s", (job,))
            await conn.execute(
                "SELECT * FROM story_finalize_continuation(%s, 1, %s, 'script', %s, 1000)",
                (job, Jsonb(new), f"stories/x/{job}.mp4"),
            )

    outcomes = await asyncio.gather(*(finalize(j) for j in jobs), return_exceptions=True)
    assert outcomes.count(None) == 1
    lost = [o for o in outcomes if o is not None]
    assert all(isinstance(o, Conflict) and o.extra["constraint"] == "story_continuations_bible_cas"
               and "another continuation finalized first" in str(o) for o in lost), lost
    state = await scene_state(owner_db, story.scene)
    assert len(state["segments"]) == 1 and [b["version"] for b in state["bibles"]] == [1, 2]
    losers = await rows(owner_db, "SELECT count(*) AS n FROM story_continuations WHERE scene_id = %s"
                        " AND state = 'queued'", story.scene)
    assert losers[0]["n"] == 11  # a loser wrote nothing, not even its state change


async def test_a_locked_scene_takes_no_segment(db: Database, owner_db: Database, story: Story) -> None:
    pending = await continuations.continue_scene(db, story.member, story.scene, ContinuationCreate(text="Ada runs."))
    await scenes.update_scene(db, story.member, story.scene, SceneUpdate(status=SceneStatus.locked))
    with pytest.raises(Conflict, match="locked"):
        await continuations.continue_scene(db, story.member, story.scene, ContinuationCreate(text="Ada hides."))
    with pytest.raises(PermanentError, match="locked"):
        await continuations.run_continuation(db, story.org, pending.job_id)
    assert (await continuations.get_continuation(db, story.member, pending.job_id)).state == "failed"
    # raw SQL, as the application role and as the owner: the allocation trigger refuses
    for status, database in ((SceneStatus.locked, db), (SceneStatus.locked, owner_db),
                             (SceneStatus.hidden, owner_db), (SceneStatus.removed, owner_db)):
        await scenes.update_scene(db, story.owner, story.scene, SceneUpdate(status=status))
        with pytest.raises(Conflict) as info:
            async with database.transaction(story.org) as conn:
                await conn.execute(
                    "INSERT INTO story_segments (organization_id, scene_id, input_text, expanded_script, video_key,"
                    " duration_ms, bible_version) VALUES (%s, %s, 'x', 'x', 'k.mp4', 1000, 1)",
                    (story.org, story.scene),
                )
        assert info.value.extra["constraint"] == "story_segments_scene_open" and status in str(info.value)
    assert (await scene_state(owner_db, story.scene))["segments"] == []


async def test_an_invalid_bible_is_refused_with_its_json_path_and_nothing_written(
    db: Database, owner_db: Database, story: Story
) -> None:
    bad = {**BIBLE, "version": 2, "characters": [{"entityId": "Ada", "canonicalName": "Ada"}]}
    with pytest.raises(Invalid) as info:
        await scenes.create_bible(db, story.member, story.scene, BibleWrite(expected_version=1, data=bad))
    assert "$.characters[0].entityId" in str(info.value) and info.value.field == "data.characters[0].entityId"
    nested = {**BIBLE, "version": 2, "plotThreads": [{"id": "x", "status": "forgotten"}]}
    with pytest.raises(Invalid) as info:
        await scenes.create_bible(db, story.member, story.scene, BibleWrite(expected_version=1, data=nested))
    assert info.value.field == "data.plotThreads[0].status"
    twins = {**BIBLE, "version": 2, "characters": [BIBLE["characters"][0], BIBLE["characters"][0]]}
    with pytest.raises(Invalid, match=r"\$\.characters\[1\]\.entityId"):
        await scenes.create_bible(db, story.member, story.scene, BibleWrite(expected_version=1, data=twins))
    with pytest.raises(Invalid, match=r"at \$\.version"):
        await scenes.create_bible(db, story.member, story.scene, BibleWrite(expected_version=1, data=BIBLE))
    with pytest.raises(Invalid, match=r"at \$: 'timeline' is a required property"):
        await scenes.create_scene(db, story.member, story.idea, SceneCreate(
            title="Broken", bible={k: v for k, v in BIBLE.items() if k != "timeline"}))
    # what Python would have caught, the database refuses too (a writer in any language)
    for data, constraint in (
        (twins, "story_bibles_entity_ids"),
        (nested, "story_bibles_plot_thread_status"),
        ({**BIBLE, "version": 3}, "story_bibles_version_matches"),
        ({"version": 2, "characters": []}, "story_bibles_shape"),
    ):
        with pytest.raises(MediabaseError) as err:
            async with db.transaction(story.org, story.member.user_id) as conn:
                await conn.execute("INSERT INTO story_bibles (organization_id, scene_id, version, data)"
                                   " VALUES (%s, %s, 2, %s)", (story.org, story.scene, Jsonb(data)))
        assert err.value.extra["constraint"] == constraint
    state = await scene_state(owner_db, story.scene)
    assert [b["version"] for b in state["bibles"]] == [1] and state["scene"]["bible_version"] == 1
    assert len(await rows(owner_db, "SELECT 1 FROM story_scenes WHERE idea_id = %s", story.idea)) == 1
    ok = await scenes.create_bible(db, story.member, story.scene,
                                  BibleWrite(expected_version=1, data={**BIBLE, "version": 2}))
    assert ok.version == 2
    with pytest.raises(Conflict, match="at version 2"):  # the compare-and-set of a hand-written bible
        await scenes.create_bible(db, story.member, story.scene,
                                 BibleWrite(expected_version=1, data={**BIBLE, "version": 2}))


async def test_a_continuation_built_on_an_old_bible_conflicts_and_retries_on_the_new(
    db: Database, owner_db: Database, story: Story
) -> None:
    c = await continuations.continue_scene(db, story.member, story.scene, ContinuationCreate(text="Ada sleeps."))
    # a hand-written version lands between the attempt's start and its finalization
    started = asyncio.Event()
    proceed = asyncio.Event()

    async def progress(_: int, stage: str) -> None:
        if stage == "finalization":
            started.set()
            await proceed.wait()

    attempt = asyncio.create_task(continuations.run_continuation(db, story.org, c.job_id, progress=progress))
    await started.wait()
    await scenes.create_bible(db, story.owner, story.scene,
                              BibleWrite(expected_version=1, data={**BIBLE, "version": 2}))
    proceed.set()
    with pytest.raises(Conflict, match="started from bible version 1, the scene is at version 2"):
        await attempt
    assert (await continuations.get_continuation(db, story.member, c.job_id)).state == "conflict"
    assert (await scene_state(owner_db, story.scene))["segments"] == []
    result = await continuations.run_continuation(db, story.org, c.job_id)  # the retry
    assert (result["sequence"], result["bible_version"]) == (1, 3)
    done = await continuations.get_continuation(db, story.member, c.job_id)
    assert done.state == "finalized" and done.base_bible_version == 2 and done.attempts == 2


async def test_the_worker_runs_continuations_to_segments_retrying_conflicts(
    db: Database, owner_db: Database, story: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEDIABASE_STORIES_CONTINUATION_TURN_WAIT", "0")  # race, so that the queue retries
    jobs = await enqueue_continuations(db, story.member, story.scene, 3)
    settings = JobSettings.model_validate({"lease_seconds": 5, "poll_interval": 0.2, "concurrency": 3,
                                           "batch_size": 5, "shutdown_grace": 2})
    worker = Worker(db, settings, registrations={
        "story.continuation": Registration("story.continuation", continuation_handler, False, None)})
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(60):
            while True:
                done = await rows(owner_db, "SELECT count(*) AS n FROM jobs WHERE status = 'completed'")
                if done[0]["n"] == 3:
                    break
                await asyncio.sleep(0.1)
    finally:
        worker.stop()
        await task
    state = await scene_state(owner_db, story.scene)
    assert [s["sequence"] for s in state["segments"]] == [1, 2, 3]
    assert [b["version"] for b in state["bibles"]] == [1, 2, 3, 4]
    job_rows = await rows(owner_db, "SELECT id, stage, progress, result, error_code, retry_count, failed_attempts"
                                    " FROM jobs")
    assert {r["stage"] for r in job_rows} == {"completed"} and {r["progress"] for r in job_rows} == {100}
    assert sorted(r["result"]["sequence"] for r in job_rows) == [1, 2, 3]
    assert {r["id"] for r in job_rows} == set(jobs)
    retried = [r for r in job_rows if r["retry_count"] > 0]
    assert retried and {a["error_code"] for r in retried for a in r["failed_attempts"]} == {"Conflict"}
    assert {r["error_code"] for r in job_rows} == {None}  # completed: the conflicts are history (issue 26, 7)


async def test_an_attempt_that_fell_behind_gives_up_before_generating_the_video(
    db: Database, owner_db: Database, story: Story
) -> None:
    c = await continuations.continue_scene(db, story.member, story.scene, ContinuationCreate(text="Ada waits."))
    stages: list[str] = []

    async def progress(_: int, stage: str) -> None:
        stages.append(stage)
        if stage == "continuity_validation":  # another version lands while this attempt works
            await scenes.create_bible(db, story.owner, story.scene,
                                      BibleWrite(expected_version=1, data={**BIBLE, "version": 2}))

    with pytest.raises(Conflict, match="the scene is at version 2"):
        await continuations.run_continuation(db, story.org, c.job_id, progress=progress)
    assert stages == ["script_expansion", "continuity_validation"]  # no video was made for a lost race
    assert (await continuations.get_continuation(db, story.member, c.job_id)).state == "conflict"
    assert (await continuations.run_continuation(db, story.org, c.job_id))["bible_version"] == 3
