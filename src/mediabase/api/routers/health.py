"""The root index, liveness and readiness."""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel

from mediabase import __version__
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


class Index(BaseModel):
    name: str
    version: str
    links: dict[str, str]


LINKS = {
    "docs": "/docs",
    "redoc": "/redoc",
    "openapi": "/openapi.json",
    "ready": "/ready",
    "health": "/health",
    "metrics": "/metrics",
}


@router.get(
    "/",
    summary="What is here: the version and where the API's documentation, health and metrics are",
    response_model=Index,
    responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}}},
)
async def index(request: Request) -> Index | HTMLResponse:
    """JSON for programs; a small page for a browser (which asks for text/html)."""
    links = {k: str(request.url_for("index")).rstrip("/") + v for k, v in LINKS.items()}
    if "text/html" in request.headers.get("accept", ""):
        items = "".join(f'<li><a href="{escape(u)}">{escape(k)}</a> <code>{escape(LINKS[k])}</code></li>'
                        for k, u in links.items())
        return HTMLResponse(
            f"<!doctype html><html lang=en><meta charset=utf-8><title>mediabase {__version__}</title>"
            f"<h1>mediabase {__version__}</h1><p>The PostgreSQL source of truth for video, audio and story"
            f" platforms. Every route needs an API key (<code>X-API-Key</code>) except these:</p><ul>{items}</ul>"
        )
    return Index(name="mediabase", version=__version__, links=links)


@router.get("/health", summary="The process is alive", response_model_exclude_none=True)
async def health() -> Health:
    return Health(status="ok")


@router.get(
    "/ready",
    summary="The database answers and its schema is current ('degraded': the read replica is down or lags)",
    responses={503: {"description": "database unreachable or schema not current"}},
    response_model=Health,
    response_model_exclude_none=True,
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
