"""Handlers for tests, benchmarks and trying the queue out (``--import mediabase.jobs.testing``).

- ``test.noop``: does nothing.
- ``test.record``: transactional; inserts a row into ``job_test_completions`` (a table a test
  creates) in the transaction that completes the job, so a double completion shows up as two rows.
- ``test.sleep``: sleeps ``input.seconds`` in small steps, reporting progress and honouring a
  cancel (cooperatively).
- ``test.fail``: raises; ``input.permanent`` makes it a permanent failure.
"""

from __future__ import annotations

import asyncio
from typing import Any

from mediabase.jobs.registry import JobContext, PermanentError, register


@register("test.noop", replace=True)
async def noop(ctx: JobContext) -> None:
    return None


@register("test.record", transactional=True, replace=True)
async def record(ctx: JobContext) -> dict[str, Any]:
    assert ctx.conn is not None
    delay = float(ctx.job.input.get("sleep", 0)) if isinstance(ctx.job.input, dict) else 0.0
    if delay:
        await asyncio.sleep(delay)
    await ctx.conn.execute(
        "INSERT INTO job_test_completions (job_id, worker) VALUES (%s, %s)", (ctx.job.id, ctx.worker)
    )
    return {"recorded_by": ctx.worker}


@register("test.sleep", replace=True)
async def sleep(ctx: JobContext) -> dict[str, Any]:
    seconds = float(ctx.job.input.get("seconds", 1.0))
    steps = max(1, int(seconds / 0.05))
    for i in range(steps):
        ctx.raise_if_cancelled()
        await asyncio.sleep(seconds / steps)
        if i % 5 == 0:
            await ctx.progress(int(100 * (i + 1) / steps), "running", f"step {i + 1} of {steps}")
    return {"slept": seconds}


@register("test.fail", replace=True)
async def fail(ctx: JobContext) -> None:
    if ctx.job.input.get("permanent"):
        raise PermanentError("told to fail for good", code="told_to")
    raise RuntimeError("told to fail")
