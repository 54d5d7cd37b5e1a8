"""Workflow templates and runs (docs/workflows.md): templates written by ADMINs and OWNERs, read by
every member; runs started by events (or by hand), each a pipeline of jobs."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.workflows import service
from mediabase.workflows.models import (
    Run,
    RunDetail,
    RunNow,
    RunStatus,
    StepTypeInfo,
    Template,
    TemplateCreate,
    TemplateUpdate,
)

router = APIRouter(prefix="/workflows", tags=["workflows"])


@router.get("/step-types", summary="The step types a template may use, with the JSON Schema of their `with`")
async def list_step_types(p: PrincipalDep) -> list[StepTypeInfo]:
    return service.list_step_types()


@router.post("/templates", status_code=status.HTTP_201_CREATED, summary="Create a workflow template (ADMIN)")
async def create_template(db: DbDep, p: PrincipalDep, data: TemplateCreate) -> Template:
    """Steps are checked against their types' schemas; an error names the JSON path
    (``steps[1].with.roles[0]: …``). The trigger must be in the event type catalog."""
    return await service.create_template(db, p, data)


@router.get("/templates", summary="The organization's workflow templates, by name")
async def list_templates(
    db: DbDep,
    p: PrincipalDep,
    trigger: Annotated[str | None, Query(max_length=100, pattern=r"^[a-z][a-z_]*(\.[a-z][a-z_]*)+$",
                                         description="Only templates triggered by this event type")] = None,
    enabled: Annotated[bool | None, Query(description="Only enabled (true) or disabled (false) templates")] = None,
) -> list[Template]:
    return await service.list_templates(db, p, trigger=trigger, enabled=enabled)


@router.get("/templates/{template_id}", summary="One workflow template")
async def get_template(db: DbDep, p: PrincipalDep, template_id: UUID) -> Template:
    return await service.get_template(db, p, template_id)


@router.patch("/templates/{template_id}", summary="Change a workflow template (ADMIN); new steps, new version")
async def update_template(db: DbDep, p: PrincipalDep, template_id: UUID, data: TemplateUpdate) -> Template:
    return await service.update_template(db, p, template_id, data)


@router.post("/templates/{template_id}/enable", summary="Enable a workflow template (ADMIN)")
async def enable_template(db: DbDep, p: PrincipalDep, template_id: UUID) -> Template:
    return await service.set_enabled(db, p, template_id, True)


@router.post("/templates/{template_id}/disable", summary="Disable a workflow template (ADMIN): no new runs")
async def disable_template(db: DbDep, p: PrincipalDep, template_id: UUID) -> Template:
    return await service.set_enabled(db, p, template_id, False)


@router.delete("/templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete a workflow template with its versions and runs (ADMIN)")
async def delete_template(db: DbDep, p: PrincipalDep, template_id: UUID) -> None:
    await service.delete_template(db, p, template_id)


@router.post("/templates/{template_id}/runs", status_code=status.HTTP_201_CREATED,
             summary="Run a template now on an event of its trigger type (ADMIN; for trying it out)")
async def run_now(db: DbDep, p: PrincipalDep, template_id: UUID, data: RunNow) -> RunDetail:
    return await service.run_now(db, p, template_id, data.event_id)


@router.get("/runs", summary="Workflow runs, newest first")
async def list_runs(
    db: DbDep,
    p: PrincipalDep,
    template: Annotated[UUID | None, Query(description="Only runs of this template")] = None,
    run_status: Annotated[RunStatus | None, Query(alias="status", description="Only runs in this status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> Page[Run]:
    items, next_cursor = await service.list_runs(db, p, template_id=template, status=run_status, limit=limit,
                                                 cursor=cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.get("/runs/{run_id}", summary="One workflow run with its step runs")
async def get_run(db: DbDep, p: PrincipalDep, run_id: UUID) -> RunDetail:
    return await service.get_run(db, p, run_id)


@router.post("/runs/{run_id}/cancel", summary="Cancel a running workflow run (ADMIN)")
async def cancel_run(db: DbDep, p: PrincipalDep, run_id: UUID) -> RunDetail:
    return await service.cancel_run(db, p, run_id)
