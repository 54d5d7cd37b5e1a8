"""Step types for tests and trying workflows out (``--import mediabase.workflows.testing``).

- ``test.record``: inserts ``(run_id, position, worker)`` into ``workflow_test_steps`` (a table a
  test creates) in the step's transaction, after ``sleep`` seconds: a step run twice shows up as
  two rows.
- ``test.fail``: raises (``permanent``: a PermanentError, the run fails at once).
"""

from __future__ import annotations

import asyncio
from typing import Any

from mediabase.jobs import PermanentError
from mediabase.workflows.steps import StepContext, step


@step("test.record", schema={"type": "object", "additionalProperties": False,
                             "properties": {"sleep": {"type": "number", "minimum": 0, "maximum": 10}}},
      replace=True, description="record the step in workflow_test_steps (tests)")
async def record(ctx: StepContext) -> dict[str, Any]:
    if ctx.params.get("sleep"):
        await asyncio.sleep(float(ctx.params["sleep"]))
    await ctx.conn.execute("INSERT INTO workflow_test_steps (run_id, position, worker) VALUES (%s, %s, %s)",
                           (ctx.run_id, ctx.position, ctx.job.worker))
    return {"recorded_by": ctx.job.worker}


@step("test.fail", schema={"type": "object", "additionalProperties": False,
                           "properties": {"permanent": {"type": "boolean"}}},
      replace=True, description="fail (tests)")
async def fail(ctx: StepContext) -> dict[str, Any]:
    if ctx.params.get("permanent"):
        raise PermanentError("told to fail for good", code="told_to")
    raise RuntimeError("told to fail")
