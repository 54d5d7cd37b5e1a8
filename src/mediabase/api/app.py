"""The FastAPI application: a lifespan-managed pool, problem+json errors, one router per domain."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from mediabase import __version__
from mediabase.api import docs, guards, metrics, openapi, problems
from mediabase.api.console import install as install_console
from mediabase.api.context import RequestContextMiddleware
from mediabase.api.routers import (
    analytics,
    auth,
    billing,
    collab,
    events,
    governance,
    health,
    identity,
    insights,
    integrations,
    jobs,
    knowledge,
    legal,
    mail,
    media,
    music_catalog,
    music_chain,
    music_ledger,
    music_revenue,
    music_studio,
    search,
    security,
    stories,
    transcripts,
    webhooks,
    workflows,
)
from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database, resolve_url
from mediabase.db.migrator import Migrator


def create_app(settings: Settings | None = None, *, url: str | None = None, worker: bool = False) -> FastAPI:
    """Build the app; the pool opens at start-up, which refuses a schema that is behind.

    With ``worker=True`` (``mediabase up``) a job worker runs in the same process, so a
    single command also indexes what is ingested; production runs ``mediabase worker`` apart.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db_url = url or resolve_url(settings)
        migrator = Migrator(db_url, settings)
        await migrator.ensure_current()
        db = Database(db_url, settings)
        await db.open()
        app.state.db = db
        app.state.system_db = await db.as_system()
        app.state.migrator = migrator
        app.state.settings = settings
        task: asyncio.Task[None] | None = None
        runner = None
        from mediabase.jobs.worker import import_handler_modules
        from mediabase.wiring import WORKER_MODULES

        # with or without a worker here: cancelling a queued job tells its followers (jobs.cancel_job)
        import_handler_modules([], builtin=WORKER_MODULES)
        if worker:
            from mediabase.jobs.settings import JobSettings
            from mediabase.jobs.worker import Worker

            runner = Worker(db, JobSettings(concurrency=2), maintenance_url=db_url)
            task = asyncio.create_task(runner.run(), name="in-process-worker")
        try:
            yield
        finally:
            if runner is not None and task is not None:
                runner.stop()
                await asyncio.wait_for(task, timeout=60)
            await db.close()

    app = FastAPI(
        title="mediabase",
        version=__version__,
        summary="The PostgreSQL source of truth for video, audio and story platforms.",
        lifespan=lifespan,
        dependencies=[Depends(guards.storable_parameters)],
        docs_url=None,  # /docs and /redoc from the package's own assets: mediabase.api.docs
        redoc_url=None,
        generate_unique_id_function=openapi.operation_id,  # videos.list, comments.create, search …
    )
    problems.install(app)
    docs.install(app)
    app.add_middleware(RequestContextMiddleware)  # request ids, log context, access log, 500s
    metrics.install(app, settings)
    app.include_router(health.router)
    app.include_router(identity.router)
    app.include_router(media.router)
    app.include_router(transcripts.router)
    app.include_router(jobs.router)
    app.include_router(search.router)
    app.include_router(collab.router)
    app.include_router(insights.router)
    app.include_router(stories.router)
    for music_part in (music_catalog, music_ledger, music_chain, music_revenue, music_studio):
        app.include_router(music_part.router)
    app.include_router(security.router)
    app.include_router(integrations.router)
    app.include_router(events.router)
    app.include_router(workflows.router)
    app.include_router(mail.router)
    app.include_router(webhooks.router)
    app.include_router(billing.router)
    app.include_router(knowledge.router)
    app.include_router(analytics.router)
    app.include_router(auth.router)
    app.include_router(auth.invitations_router)
    app.include_router(legal.router)
    app.include_router(governance.router)
    install_console(app)  # /console: the web console (docs/console.md)
    return app
