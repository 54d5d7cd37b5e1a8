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
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from mediabase import logs
from mediabase.db.errors import MediabaseError, UntranslatedError

PROBLEM = "application/problem+json"
log = logging.getLogger("mediabase.api")

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
    in the OpenAPI schema."""
    app.openapi = lambda: openapi_with_problems(app)  # type: ignore[method-assign]

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
    return problem(
        status,
        title,
        public or _GENERIC.get(status, _GENERIC[500]),
        code=code,
        instance=f"urn:mediabase:request:{request_id}" if request_id else None,
        request_id=request_id,
    )


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})

    type: str = Field(examples=["https://mediabase.dev/problems/not-found"])
    title: str
    status: int
    detail: str
    instance: str | None = Field(default=None, description="urn:mediabase:request:<request id> (5xx)")
    request_id: str | None = Field(default=None, description="the X-Request-ID of the request (5xx)")
    field: str | None = Field(default=None, description="the input field at fault")
    constraint: str | None = None
    errors: list[dict[str, Any]] | None = Field(default=None, description="every invalid field (422)")


_TITLES = {
    401: "no or an unknown API key",
    403: "the caller's role may not do this",
    404: "not found (or in another organization)",
    409: "conflicts with the current state",
    413: "the upload is too large",
    422: "invalid input (the field is named)",
    503: "unavailable for the moment",
}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def problem_statuses(operation: dict[str, Any], method: str) -> set[int]:
    """The error statuses an operation can answer, from what it takes: a key (401, 403), a path
    parameter or a body naming rows (404), a write (409), any input (422)."""
    statuses: set[int] = set()
    params = operation.get("parameters", [])
    if operation.get("security"):
        statuses |= {401, 403}
    if any(p.get("in") == "path" for p in params) or "requestBody" in operation:
        statuses.add(404)
    if method in ("post", "put", "patch", "delete"):
        statuses.add(409)
    if params or "requestBody" in operation:
        statuses.add(422)
    return statuses


def openapi_with_problems(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema with every error status an operation can answer declared as
    ``application/problem+json`` (:class:`Problem`), in place of FastAPI's validation error."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title, version=app.version, summary=app.summary, description=app.description,
        routes=app.routes, openapi_version=app.openapi_version, tags=app.openapi_tags, servers=app.servers,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
            for status in sorted(problem_statuses(operation, method) | declared):
                given = responses.get(str(status), {})
                entry = _problem_response(given.get("description") or _TITLES.get(status, "error"))
                responses[str(status)] = entry
    app.openapi_schema = schema
    return schema
