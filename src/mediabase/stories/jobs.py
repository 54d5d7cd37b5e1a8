"""The story domain's background work, registered with the job queue: the built-in handler of
``story.continuation`` (every stage offline and deterministic, :mod:`.continuations`).

A deployment with real models takes the stages over by running its own worker on the stories
queue (``MEDIABASE_STORIES_QUEUE``, default ``stories``) and ``mediabase worker --queues`` for the
others; any language finalizes through the SQL function ``story_finalize_continuation``
(docs/stories.md, "Workers in any language").
"""

from __future__ import annotations

from typing import Any

from mediabase.jobs.registry import JobContext, register
from mediabase.stories.continuations import JOB_TYPE, run_continuation


@register(JOB_TYPE)
async def continuation(ctx: JobContext) -> dict[str, Any]:
    """Script expansion, continuity validation, video generation, upload, finalization."""

    async def progress(percent: int, stage: str) -> None:
        await ctx.progress(percent, stage)

    return await run_continuation(
        ctx.db, ctx.org_id, ctx.job.id, progress=progress, check_cancelled=ctx.raise_if_cancelled,
        last_attempt=ctx.job.retry_count >= ctx.job.max_retries,
    )
