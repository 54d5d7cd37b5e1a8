"""Every error answered as ``application/problem+json`` (RFC 9457).

A 4xx says what was wrong with the request, naming the field. A 5xx is logged once, whole
(traceback, request id, route, organization), and answered plainly: a generic title and
detail and the request id the operator finds it by, never the driver's or Python's text.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mediabase import logs
from mediabase.db.errors import MediabaseError, UntranslatedError

PROBLEM = "application/problem+json"
log = logging.getLogger("mediabase.api")

HTTP_TITLES = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}
"""the titles (and so the codes) of the errors Starlette answers itself (no route, wrong method)"""
OTHER_CODES = ("error", "not-ready")
"""codes answered by :func:`problem` other than errors' (health's not-ready)"""


def problem_codes() -> list[str]:
    """Every problem code the API answers (``type`` is ``https://mediabase.dev/problems/<code>``):
    each :class:`MediabaseError` subclass's, validation's and Starlette's own. A client narrows an
    error by it; the OpenAPI schema lists them (``x-problem-codes``) for generated clients."""
    codes = {t.lower().replace(" ", "-") for t in HTTP_TITLES.values()} | set(OTHER_CODES) | {"invalid"}
    todo: list[type[MediabaseError]] = [MediabaseError]
    while todo:
        cls = todo.pop()
        codes.add(cls.code)
        todo.extend(cls.__subclasses__())
    return sorted(codes)


# What a client is told of a 5xx that has no public detail of its own.
_GENERIC = {
    500: "the server failed to answer this request; it is logged under the request id",
    503: "the service is unavailable for the moment; try again later",
}


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
    """Register the handlers that turn every failure into a problem document, and declare them
    in the OpenAPI schema (:mod:`mediabase.api.openapi`)."""
    from mediabase.api.openapi import complete_openapi

    app.openapi = lambda: complete_openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(MediabaseError)
    async def _domain(_: Request, exc: MediabaseError) -> JSONResponse:
        if exc.status >= 500:
            return server_error(exc)
        if exc.extra.get("untranslated"):
            log.warning("untranslated constraint %s answered as %d", exc.extra.get("constraint"), exc.status,
                        extra={"constraint": exc.extra.get("constraint"), "status": exc.status})
        return problem(
            exc.status,
            exc.title,
            exc.detail,
            code=exc.code,
            field=exc.field,
            constraint=exc.extra.get("constraint"),
            **exc.extra.get("problem", {}),  # members a problem type adds (terms-required: document, version)
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
        title = HTTP_TITLES.get(exc.status_code, "Error")
        return problem(exc.status_code, title, str(exc.detail), code=title.lower().replace(" ", "-"))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # Only without RequestContextMiddleware (which answers unexpected errors itself).
        return server_error(exc)


def server_error(exc: BaseException) -> JSONResponse:
    """Log a failure that ends in a 5xx (ERROR, with its traceback) and answer it plainly."""
    if isinstance(exc, MediabaseError) and exc.status >= 500:
        status, title, code, public = exc.status, exc.title, exc.code, exc.public_detail
    else:
        status, title, code, public = 500, "Internal error", "internal-error", None
    if isinstance(exc, UntranslatedError):
        what = "untranslated database error"
    elif isinstance(exc, MediabaseError):
        what = f"server error: {exc.code}"
    else:
        what = "unexpected error"
    extra: dict[str, Any] = {"status": status}
    if isinstance(exc, MediabaseError):
        extra.update({k: exc.extra.get(k) for k in ("sqlstate", "constraint") if exc.extra.get(k)})
    log.error(what, exc_info=(type(exc), exc, exc.__traceback__), extra=extra)
    request_id = logs.current_request_id()
    response = problem(
        status,
        title,
        public or _GENERIC.get(status, _GENERIC[500]),
        code=code,
        instance=f"urn:mediabase:request:{request_id}" if request_id else None,
        request_id=request_id,
    )
    retry_after = exc.extra.get("retry_after") if isinstance(exc, MediabaseError) else None
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response
