"""Runs: started by the event subscriber, carried out step by step as ``workflow.step`` jobs.

- :func:`on_events` (``@subscriber("workflows")``) runs in the dispatcher's transaction: for each
  event and each enabled template of the organization whose trigger is the event's type and whose
  filter matches its data, it starts a run — the run row, one row per step, and the first step's
  job — unless that template already has a run for that event (``workflow_runs_event_key``). So a
  run exists iff the event was dispatched, and a re-dispatched event starts none twice.
- :func:`run_step` (``workflow.step``, transactional) runs one step in the job's transaction: it
  locks the run, runs the step in a savepoint, records the step's outcome and the run's progress
  and enqueues the next step's job, then the queue completes the job — all in one commit. A crash
  before the commit redoes the step; after it, the successor's job exists exactly once.
- A step that raises is retried by the queue (``retries`` of the step, default 3, with backoff);
  on its last attempt, or on :class:`~mediabase.jobs.PermanentError` or a 4xx domain error
  (``NotFound``, ``Invalid``, ``Conflict`` …: a retry cannot fix them), the failure is recorded
  instead: the step failed, the steps after it skipped, the run failed (the job completes, its
  result says so). :func:`reap` (upkeep) fails the runs whose step job ended outside the handler
  (a lease that ran out on the last attempt, a timeout, a cancel through the jobs API).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from jsonschema.exceptions import best_match

from mediabase.common.errors import MediabaseError
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb
from mediabase.events import Event, subscriber
from mediabase.jobs import JobCancelled, JobContext, PermanentError, enqueue, register
from mediabase.jobs.registry import periodic
from mediabase.workflows import builtin  # noqa: F401 - the built-in steps
from mediabase.workflows.steps import StepContext, get_step, matches

log = logging.getLogger("mediabase.workflows")
Q = load_queries("mediabase.workflows", "queries.sql")
JOB_TYPE = "workflow.step"
DEFAULT_RETRIES = 3


async def enqueue_step(conn: Conn, org: UUID, run_id: UUID, position: int, spec: dict[str, Any], *,
                       delay: float = 0.0) -> UUID:
    """The job of step ``position`` of a run (idempotent by run and position), recorded on its row."""
    run_after = datetime.now(UTC) + timedelta(seconds=delay) if delay > 0 else None
    e = await enqueue(conn, org_id=org, type=JOB_TYPE, input={"run_id": str(run_id), "position": position},
                      max_retries=int(spec.get("retries", DEFAULT_RETRIES)), run_after=run_after,
                      idempotency_key=f"{JOB_TYPE}:{run_id}:{position}")
    await conn.execute(Q.set_step_job, {"org": org, "run": run_id, "position": position, "job": e.id})
    return e.id


async def start_run(conn: Conn, org: UUID, template_id: UUID, version: int, steps: list[dict[str, Any]],
                    event: Event | dict[str, Any], *, trigger: str = "event",
                    user_id: UUID | None = None) -> UUID | None:
    """Start a run of a template version on an event in the caller's transaction; None when the
    template has a run for this event already (event-triggered runs only)."""
    ev = event.model_dump() if isinstance(event, Event) else event
    row = await (await conn.execute(Q.insert_run, {
        "org": org, "template": template_id, "version": version, "trigger": trigger, "event_id": ev["id"],
        "event_type": ev["type"], "subject_type": ev["subject_type"], "subject_id": ev["subject_id"],
        "event_data": Jsonb(ev["data"]), "total": len(steps), "user_id": user_id,
    })).fetchone()
    if row is None:
        return None
    run_id = UUID(str(row["id"]))
    # the steps as stored (written past Python they may lack a name: never fail a dispatch for it)
    names = [str(s.get("name") or f"{s['type']}-{i}")[:100] for i, s in enumerate(steps)]
    await conn.cursor().executemany(Q.insert_step_run, [
        {"org": org, "run": run_id, "position": i, "type": s["type"], "name": names[i]} for i, s in enumerate(steps)])
    await enqueue_step(conn, org, run_id, 0, steps[0])
    return run_id


@subscriber("workflows")
async def on_events(conn: Conn, org: UUID, events: list[Event]) -> None:
    """Start the runs of a dispatched batch (one query for the templates of its event types)."""
    types = sorted({e.type for e in events})
    templates = await (await conn.execute(Q.templates_for_events, {"org": org, "types": types})).fetchall()
    if not templates:
        return
    for ev in events:
        for t in templates:
            if t["trigger_event_type"] == ev.type and matches(t["filter"], ev.data):
                await start_run(conn, org, t["id"], t["version"], t["steps"], ev)


def _input(ctx: JobContext) -> tuple[UUID, int]:
    raw = ctx.job.input if isinstance(ctx.job.input, dict) else {}
    try:
        return UUID(str(raw.get("run_id"))), int(raw.get("position"))  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise PermanentError(f"input is not {{run_id, position}}: {raw!r}", code="bad_input") from exc


def _error_text(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if not isinstance(exc, PermanentError | MediabaseError):
        text = f"{type(exc).__name__}: {text}"
    return text[:2000]


async def fail_run(conn: Conn, org: UUID, run_id: UUID, position: int, error: str, *,
                   job: UUID | None = None, started: datetime | None = None) -> None:
    """Step ``position`` failed: it is recorded, the steps after it are skipped, the run failed."""
    params = {"org": org, "run": run_id, "position": position, "error": error[:2000], "job": job, "started": started}
    await conn.execute(Q.step_failed, params)
    await conn.execute(Q.skip_steps, params)
    await conn.execute(Q.run_failed, params)


@register(JOB_TYPE, transactional=True, timeout=1800, replace=True)
async def run_step(ctx: JobContext) -> dict[str, Any]:
    """One step of a run (see the module docstring)."""
    assert ctx.conn is not None
    conn, org = ctx.conn, ctx.org_id
    run_id, position = _input(ctx)
    run = await (await conn.execute(Q.lock_run, {"org": org, "id": run_id})).fetchone()
    if run is None:
        return {"skipped": "the run no longer exists"}
    srow = await (await conn.execute(Q.lock_step, {"org": org, "run": run_id, "position": position})).fetchone()
    if srow is None:
        return {"skipped": f"the run has no step {position}"}
    if run["status"] != "running" or srow["status"] != "queued":
        return {"skipped": f"the run is {run['status']}, the step {srow['status']}"}
    vrow = await (await conn.execute(Q.template_version, {"org": org, "template": run["template_id"],
                                                          "version": run["template_version"]})).fetchone()
    steps: list[dict[str, Any]] = vrow["steps"] if vrow else []
    started = datetime.now(UTC)
    if position >= len(steps):
        await fail_run(conn, org, run_id, position, "the template version has no such step", job=ctx.job.id,
                       started=started)
        return {"step": "failed"}
    spec = steps[position]
    kind = get_step(spec["type"])
    if kind is None:
        await fail_run(conn, org, run_id, position, f"unknown step type {spec['type']!r} (is its module in"
                       " MEDIABASE_JOBS_IMPORTS?)", job=ctx.job.id, started=started)
        return {"step": "failed"}
    params = spec.get("with") or {}
    wrong = best_match(kind.validator.iter_errors(params))
    if wrong is not None:  # a template written past Python: no retry can fix it
        await fail_run(conn, org, run_id, position, f"steps[{position}].with: {wrong.message}"[:2000], job=ctx.job.id,
                       started=started)
        return {"step": "failed"}
    outputs = {r["name"]: r["output"] for r in await (await conn.execute(
        Q.step_outputs, {"org": org, "run": run_id})).fetchall()}
    event = {"id": str(run["event_id"]), "type": run["event_type"], "subject_type": run["subject_type"],
             "subject_id": str(run["subject_id"]), "data": run["event_data"]}
    sctx = StepContext(conn=conn, db=ctx.db, job=ctx, org=org, run_id=run_id, position=position, name=srow["name"],
                       params=dict(params), event=event, outputs=outputs)
    try:
        async with conn.transaction():  # a savepoint: a failing step's writes go, the bookkeeping stays
            output = await kind.fn(sctx) or {}
            if not isinstance(output, dict):
                raise PermanentError(f"step {spec['type']} returned {type(output).__name__}, not a JSON object")
            json.dumps(output)
    except JobCancelled:
        raise
    except Exception as exc:  # a step's failure is the run's, recorded below
        final = (isinstance(exc, PermanentError) or (isinstance(exc, MediabaseError) and exc.status < 500)
                 or ctx.job.retry_count >= ctx.job.max_retries)
        if not final:
            raise  # the queue retries the job (the whole transaction rolls back)
        log.warning("workflow run %s: step %s (%s) failed: %s", run_id, position, spec["type"], exc)
        await fail_run(conn, org, run_id, position, _error_text(exc), job=ctx.job.id, started=started)
        return {"step": "failed", "error": _error_text(exc)}
    await conn.execute(Q.step_succeeded, {"org": org, "run": run_id, "position": position,
                                          "output": Jsonb(output), "job": ctx.job.id, "started": started})
    progress = await (await conn.execute(Q.run_progress, {"org": org, "run": run_id, "now": datetime.now(UTC)}))\
        .fetchone()
    assert progress is not None
    if position + 1 < len(steps):
        await enqueue_step(conn, org, run_id, position + 1, steps[position + 1], delay=sctx.delay_next)
    return {"step": "succeeded", "run_status": progress["status"], "steps_done": progress["steps_done"]}


async def cancel_run_in(conn: Conn, org: UUID, run_id: UUID) -> bool:
    """Cancel a running run in the caller's transaction (its queued steps skipped, their jobs
    cancelled); False when it was not running."""
    run = await (await conn.execute(Q.lock_run, {"org": org, "id": run_id})).fetchone()
    if run is None or run["status"] != "running":
        return False
    jobs = [r["job_id"] for r in await (await conn.execute(Q.queued_step_jobs, {"org": org, "run": run_id}))
            .fetchall()]
    await conn.execute(Q.run_cancelled, {"org": org, "run": run_id})
    await conn.execute(Q.skip_steps, {"org": org, "run": run_id, "position": -1})
    for job in jobs:
        await conn.execute(Q.cancel_job, {"job": job})
    return True


@periodic("workflows.reap", every=60, order=90)
async def reap(conn: Conn, settings: Any) -> str | None:
    """Fail the runs whose current step's job ended outside the handler (owner, every tenant)."""
    waiting = await (await conn.execute(Q.waiting_steps)).fetchall()
    if not waiting:
        return None
    ended = {r["id"]: r for r in await (await conn.execute(Q.ended_jobs, {"ids": [w["job_id"] for w in waiting]}))
             .fetchall()}
    rows = [w for w in waiting if w["job_id"] in ended]
    for r in rows:
        async with conn.transaction():
            await conn.execute("SET LOCAL search_path = mediabase, pg_temp")
            job = ended[r["job_id"]]
            await fail_run(conn, r["organization_id"], r["run_id"], r["position"],
                           f"its job {job['status']}: {job['error']}")
    return f"workflows: failed {len(rows)} run(s) whose step job ended outside the handler" if rows else None
