"""The web console at ``/console`` (docs/console.md): server-rendered HTML with a little htmx,
served by ``mediabase serve`` and ``mediabase up`` beside the API, signed in with the same API
keys and session tokens. Nothing is loaded from another host; htmx is vendored in ``static/``."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from mediabase.api.console import domains, ops, pages
from mediabase.api.console.base import HERE


def install(app: FastAPI) -> None:
    app.include_router(pages.router)
    app.include_router(ops.router)
    app.include_router(domains.router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
