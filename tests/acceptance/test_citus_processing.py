"""A video's processing status follows its jobs on a real Citus cluster (docs/scale-out.md): the
follower's statements on the distributed ``videos`` in the job's transaction on the coordinator-local
``jobs`` — the completion, the video's row lock, the count of its other jobs, the new status.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the test
works in organizations of its own.
"""

from __future__ import annotations

import random
import uuid

import pytest

from mediabase.db.connection import Database
from mediabase.jobs import JobContext, PermanentError
from mediabase.jobs.registry import Registration
from mediabase.search.jobs import handle_transcript_index
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant, make_video
from tests.integration.test_video_processing import INDEX, _video_with_jobs, run_jobs, status, watching

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def test_videos_go_pending_processing_ready_or_failed_on_the_cluster(
        citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    t = await make_tenant(db, system, f"proc-{uuid.uuid4().hex[:6]}")
    org = t.owner.organization_id
    video = await make_video(db, t.owner)
    assert await status(system, video) == ("pending", None)
    seen: list[str] = []
    watched = watching(system, seen, handle_transcript_index, video=video)
    await run_jobs(db, org, {INDEX: Registration(INDEX, watched, False, None)})
    assert seen == ["processing"] and await status(system, video) == ("ready", None)

    rng = random.Random(7)
    fine = [await _video_with_jobs(db, t, 3, "test.video") for _ in range(2)]
    bad, bad_jobs = await _video_with_jobs(db, t, 3, "test.video")
    doomed = rng.choice(bad_jobs)

    async def work(ctx: JobContext) -> None:
        if ctx.job.id == doomed:
            raise PermanentError("this one breaks")

    for transactional in (False, True):
        await run_jobs(db, org, {"test.video": Registration("test.video", work, transactional, None)}, concurrency=6)
        if not transactional:
            fine.append(await _video_with_jobs(db, t, 3, "test.video"))
    for v, _ in fine:
        assert await status(system, v) == ("ready", None)
    assert await status(system, bad) == ("failed", "test.video: permanent: this one breaks")
