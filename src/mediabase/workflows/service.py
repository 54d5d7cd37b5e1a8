"""Workflow templates and runs: what the API and the CLI call (docs/workflows.md).

Templates are written by ADMINs and OWNERs and read by every member; runs are read by every
member and cancelled or started by hand ("run now") by ADMINs and OWNERs. Steps and filters are
checked in Python first (:mod:`mediabase.workflows.steps`, errors naming the JSON path) and kept
true by the table's CHECKs.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.common.cursors import decode_id, id_page
from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, by_id, class_row, fetch_one_or_404, sql
from mediabase.events import check_types
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import require
from mediabase.workflows.engine import cancel_run_in, start_run
from mediabase.workflows.models import (
    Run,
    RunDetail,
    RunStatus,
    StepRun,
    StepTypeInfo,
    Template,
    TemplateCreate,
    TemplateUpdate,
)
from mediabase.workflows.steps import step_types, validate_filter, validate_steps

Q = load_queries("mediabase.workflows", "queries.sql")


def list_step_types() -> list[StepTypeInfo]:
    """The step types this process knows (built-in, and those of MEDIABASE_JOBS_IMPORTS)."""
    return [StepTypeInfo.model_validate({"type": s.name, "description": s.description, "schema": s.schema})
            for s in step_types().values()]


async def _template(conn: Conn, org: UUID, template_id: UUID) -> Template:
    return await fetch_one_or_404(conn, by_id(Q.template_columns, "t"), {"org": org, "id": template_id},
                                  "workflow template", model=Template)


async def create_template(db: Database, p: Principal, data: TemplateCreate) -> Template:
    require(p, Role.ADMIN)
    steps = validate_steps(data.steps)
    flt = validate_filter(data.filter)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await check_types(conn, [data.trigger], field="trigger")
        row = await (await conn.execute(Q.insert_template, {
            "org": p.organization_id, "name": data.name, "description": data.description, "trigger": data.trigger,
            "filter": Jsonb(flt), "enabled": data.enabled, "steps": Jsonb(steps), "user_id": p.user_id,
        })).fetchone()
        assert row is not None
        return await _template(conn, p.organization_id, row["id"])


async def list_templates(db: Database, p: Principal, *, trigger: str | None = None,
                         enabled: bool | None = None) -> list[Template]:
    stmt = sql.SQL("{} WHERE t.organization_id = %(org)s AND (%(trigger)s::text IS NULL OR t.trigger_event_type"
                   " = %(trigger)s) AND (%(enabled)s::boolean IS NULL OR t.enabled = %(enabled)s)"
                   " ORDER BY lower(t.name)").format(sql.SQL(Q.template_columns))
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Template))
        return await (await cur.execute(stmt, {"org": p.organization_id, "trigger": trigger,
                                               "enabled": enabled})).fetchall()


async def get_template(db: Database, p: Principal, template_id: UUID) -> Template:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _template(conn, p.organization_id, template_id)


async def update_template(db: Database, p: Principal, template_id: UUID, data: TemplateUpdate) -> Template:
    require(p, Role.ADMIN)
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "description", "trigger", "filter", "enabled", "steps"):
        if key in changes and changes[key] is None:
            raise Invalid(f"{key} cannot be cleared", field=key)
    values: dict[str, Any] = {}
    if "steps" in changes:
        values["steps"] = Jsonb(validate_steps(changes["steps"]))
    if "filter" in changes:
        values["filter"] = Jsonb(validate_filter(changes["filter"]))
    for key, column in (("name", "name"), ("description", "description"), ("enabled", "enabled"),
                        ("trigger", "trigger_event_type")):
        if key in changes:
            values[column] = changes[key]
    async with db.transaction(p.organization_id, p.user_id) as conn:
        found = await (await conn.execute(Q.lock_template, {"org": p.organization_id, "id": template_id})).fetchone()
        if found is None:
            raise NotFound("workflow template not found")
        if "trigger_event_type" in values:
            await check_types(conn, [values["trigger_event_type"]], field="trigger")
        if values:
            assignments = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(k), sql.Placeholder(k))
                                             for k in values)
            await conn.execute(sql.SQL("UPDATE workflow_templates SET {} WHERE organization_id = %(org)s"
                                       " AND id = %(id)s").format(assignments),
                               {**values, "org": p.organization_id, "id": template_id})
        return await _template(conn, p.organization_id, template_id)


async def set_enabled(db: Database, p: Principal, template_id: UUID, enabled: bool) -> Template:
    return await update_template(db, p, template_id, TemplateUpdate(enabled=enabled))


async def delete_template(db: Database, p: Principal, template_id: UUID) -> None:
    """Delete a template with its versions and runs (running ones stop: their next job finds nothing)."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(Q.delete_template, {"org": p.organization_id, "id": template_id})
        if cur.rowcount == 0:
            raise NotFound("workflow template not found")


# -- runs ------------------------------------------------------------------------------------------


async def _run(conn: Conn, org: UUID, run_id: UUID) -> RunDetail:
    run = await fetch_one_or_404(conn, by_id(Q.run_columns, "r"), {"org": org, "id": run_id}, "workflow run")
    steps = await (await conn.execute(Q.list_step_runs, {"org": org, "run": run_id})).fetchall()
    ids = [s["job_id"] for s in steps if s["job_id"] is not None]
    jobs = {r["id"]: r["status"] for r in await (await conn.execute(Q.job_statuses, {"org": org, "ids": ids}))
            .fetchall()} if ids else {}
    for s in steps:  # a queued step whose job a worker holds is running (its transaction is open)
        s["job_status"] = jobs.get(s["job_id"])
        if s["status"] == "queued" and s["job_status"] == "processing":
            s["status"] = "running"
    return RunDetail.model_validate({**run, "steps": [StepRun.model_validate(s) for s in steps]})


async def run_now(db: Database, p: Principal, template_id: UUID, event_id: UUID) -> RunDetail:
    """Start a run of the template's current version on an event of the organization, as if the
    event had triggered it (enabled or not, whatever its filter): for trying a template out. The
    event must be of the template's trigger type and still in the outbox."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        t = await _template(conn, p.organization_id, template_id)
        ev = await (await conn.execute(Q.get_event, {"org": p.organization_id, "id": event_id})).fetchone()
        if ev is None:
            raise NotFound("event not found (dispatched events are kept MEDIABASE_EVENTS_KEEP_DAYS days)",
                           field="event_id")
        if ev["type"] != t.trigger:
            raise Invalid(f"the event is a {ev['type']} event; the template runs on {t.trigger}", field="event_id")
        run_id = await start_run(conn, p.organization_id, t.id, t.version, t.steps, ev, trigger="manual",
                                 user_id=p.user_id)
        assert run_id is not None
        return await _run(conn, p.organization_id, run_id)


async def list_runs(db: Database, p: Principal, *, template_id: UUID | None = None, status: RunStatus | None = None,
                    limit: int = 50, cursor: str | None = None) -> tuple[list[Run], str | None]:
    before = decode_id(cursor)
    params = {"org": p.organization_id, "template": template_id, "status": status.value if status else None,
              "before": before, "limit": limit + 1}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Run))
        rows = await (await cur.execute(Q.list_runs, params)).fetchall()
    return id_page(rows, limit)


async def get_run(db: Database, p: Principal, run_id: UUID) -> RunDetail:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _run(conn, p.organization_id, run_id)


async def cancel_run(db: Database, p: Principal, run_id: UUID) -> RunDetail:
    """Cancel a running run: its queued steps are skipped and their jobs cancelled; a step that is
    running finishes (its transaction holds the run) and starts nothing after it."""
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        run = await _run(conn, p.organization_id, run_id)
        if not await cancel_run_in(conn, p.organization_id, run_id):
            raise Conflict(f"the run is {run.status.value}, not running", field="status")
        return await _run(conn, p.organization_id, run_id)
