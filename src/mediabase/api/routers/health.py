"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from mediabase.api.deps import DbDep
from mediabase.api.problems import problem
from mediabase.db.errors import MediabaseError
from mediabase.db.migrator import Migrator

router = APIRouter(tags=["health"])


class ReplicaState(BaseModel):
    configured: bool
    healthy: bool
    lag_ms: float | None = None
    max_lag_ms: int | None = None
    error: str | None = None


class Health(BaseModel):
    status: str
    replica: ReplicaState | None = None


@router.get("/health", summary="The process is alive")
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    summary="The database answers and its schema is current ('degraded': the read replica is down or lags)",
    responses={503: {"description": "database unreachable or schema not current"}},
    response_model=Health,
)
async def ready(request: Request, db: DbDep) -> Health | JSONResponse:
    try:
        async with db.transaction() as conn:
            await conn.execute("SELECT 1")
        migrator: Migrator = request.app.state.migrator
        await migrator.ensure_current()
    except MediabaseError as exc:
        return problem(503, "Not ready", exc.detail, code="not-ready")
    if db.replica is not None:
        # reads fall back to the primary, so the service is up, but an operator should know
        state = ReplicaState(**db.replica.status())
        return Health(status="ready" if state.healthy else "degraded", replica=state)
    return Health(status="ready")
