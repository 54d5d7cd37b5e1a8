"""Every error answered as ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mediabase.db.errors import MediabaseError

PROBLEM = "application/problem+json"
log = logging.getLogger("mediabase.api")


def problem(status: int, title: str, detail: str, *, code: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://mediabase.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a problem document."""

    @app.exception_handler(MediabaseError)
    async def _domain(_: Request, exc: MediabaseError) -> JSONResponse:
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            code=exc.code,
            field=exc.field,
            constraint=exc.extra.get("constraint"),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": None, "message": "invalid request"}
        return problem(
            422,
            "Invalid input",
            f"{first['field']}: {first['message']}",
            code="invalid",
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Error"),
            str(exc.detail),
            code=titles.get(exc.status_code, "error").lower().replace(" ", "-"),
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem(500, "Internal error", "an unexpected error occurred", code="internal-error")
