"""The story domain's background work, registered with the job queue: the built-in handler of
``story.continuation`` (every stage offline and deterministic, :mod:`.continuations`), and the
upkeep that folds like and view deltas into the stored counters (:mod:`.community`).

A deployment with real models takes the stages over by running its own worker on the stories
queue (``MEDIABASE_STORIES_QUEUE``, default ``stories``) and ``mediabase worker --queues`` for the
others; any language finalizes through the SQL function ``story_finalize_continuation``
(docs/stories.md, "Workers in any language").
"""

from __future__ import annotations

from typing import Any

from mediabase.db.rows import Conn
from mediabase.jobs.registry import JobContext, periodic, register
from mediabase.stories.continuations import JOB_TYPE, run_continuation
from mediabase.stories.service import Q

FOLD_BATCH = 100_000


@register(JOB_TYPE)
async def continuation(ctx: JobContext) -> dict[str, Any]:
    """Script expansion, continuity validation, video generation, upload, finalization."""

    async def progress(percent: int, stage: str) -> None:
        await ctx.progress(percent, stage)

    return await run_continuation(
        ctx.db, ctx.org_id, ctx.job.id, progress=progress, check_cancelled=ctx.raise_if_cancelled,
        last_attempt=ctx.job.retry_count >= ctx.job.max_retries,
    )


@periodic("stories.counters", order=60)
async def fold_counters(conn: Conn, _settings: Any) -> str | None:
    """Fold the pending like and view deltas into the stored counters, one organization and one
    batch per transaction (reads add what is pending, so this only keeps that sum short)."""
    rows = await (await conn.execute(Q.counter_backlog)).fetchall()
    total = 0
    for r in rows:
        while True:
            cur = await conn.execute(Q.fold_counters, {"org": r["organization_id"], "max_rows": FOLD_BATCH})
            folded = (await cur.fetchone() or {"folded": 0})["folded"]
            total += folded
            if folded < FOLD_BATCH:
                break
    return f"story counters: folded {total} delta(s)" if total else None
