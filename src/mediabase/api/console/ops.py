"""The console's jobs dashboard and its schema and data browser (docs/console.md)."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse

from mediabase.api.console.base import Console, ConsoleRoute, page
from mediabase.api.deps import DbDep
from mediabase.db import browse
from mediabase.db.errors import Forbidden
from mediabase.db.migrator import Migrator
from mediabase.identity import service as identity
from mediabase.identity.models import Role
from mediabase.jobs import service as jobs
from mediabase.jobs.models import JobStatus

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

STATUSES = [s.value for s in JobStatus]


async def _board(db: DbDep, p: Console) -> dict[str, Any]:
    """What the dashboard shows: counts by type and status (the last day), the running jobs with
    their stage and progress, the failures with their error, and the newest jobs."""
    stats = await jobs.job_stats(db, p.organization_id, timedelta(hours=24))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STATUSES, 0))
    for s in stats:
        counts[s.type][s.status.value] += s.jobs
    running = await jobs.list_jobs(db, p.organization_id, status=JobStatus.PROCESSING, limit=50)
    failed = await jobs.list_jobs(db, p.organization_id, status=JobStatus.FAILED, limit=20)
    recent = await jobs.list_jobs(db, p.organization_id, limit=20)
    return {"counts": dict(sorted(counts.items())), "statuses": STATUSES, "running": running,
            "failed": failed, "recent": recent}


@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(request: Request, db: DbDep, p: Console) -> HTMLResponse:
    org = await identity.get_organization(db, p)
    return page(request, "jobs.html", org=org, principal=p, **await _board(db, p))


@router.get("/jobs/live", response_class=HTMLResponse)
async def jobs_live(request: Request, db: DbDep, p: Console) -> HTMLResponse:
    """The dashboard's body alone: the page polls it (htmx, every two seconds)."""
    return page(request, "_jobs_live.html", principal=p, **await _board(db, p))


@router.post("/jobs/{job_id}/retry", response_class=HTMLResponse)
async def retry(request: Request, db: DbDep, p: Console, job_id: UUID) -> HTMLResponse:
    """Requeue a failed or cancelled job (MEMBER: their own; ADMIN: any), then the board again."""
    await jobs.retry_as(db, p, job_id)
    return page(request, "_jobs_live.html", principal=p, notice=f"job {job_id} queued again", **await _board(db, p))


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, db: DbDep, p: Console, job_id: UUID) -> HTMLResponse:
    """Cancel a queued job, or ask a running one to stop (MEMBER: their own; ADMIN: any)."""
    status = await jobs.cancel_as(db, p, job_id)
    return page(request, "_jobs_live.html", principal=p, notice=f"job {job_id}: {status.value}",
                **await _board(db, p))


@router.get("/schema", response_class=HTMLResponse)
async def schema(request: Request, db: DbDep, p: Console) -> HTMLResponse:
    """Every table the application role may read, with the rows this organization sees in each,
    and the migration ledger."""
    org = await identity.get_organization(db, p)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        tables = await browse.tables(conn)
    migrator: Migrator = request.app.state.migrator
    status = await migrator.status()
    return page(request, "schema.html", org=org, principal=p, tables=tables, cap=browse.COUNT_CAP,
                ledger=list(reversed(status.applied)), pending=status.pending, may_browse=p.can(Role.ADMIN))


@router.get("/schema/{table}", response_class=HTMLResponse)
async def table_page(
    request: Request, db: DbDep, p: Console,
    table: Annotated[str, Path(max_length=63, pattern=r"^[a-z_][a-z0-9_]*$")],
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> HTMLResponse:
    """A page of one table's rows as this organization sees them (ADMIN: people's addresses and
    other members' rows are in them); read-only, secrets never shown."""
    if not p.can(Role.ADMIN):
        raise Forbidden("browsing rows needs the ADMIN role; the schema page lists the tables and counts")
    org = await identity.get_organization(db, p)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        rows = await browse.table_rows(conn, table, offset=offset, limit=50)
    return page(request, "table.html", org=org, principal=p, data=rows)
