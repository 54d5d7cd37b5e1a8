"""Request ids, the request's log context, the access log, and the last word on a failure.

:class:`RequestContextMiddleware` is pure ASGI (``BaseHTTPMiddleware`` would run the app in
another task, so context variables set there would not be seen here, and it buffers streams).
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mediabase import logs
from mediabase.api.problems import server_error

access_log = logging.getLogger("mediabase.access")


def route_of(scope: Scope) -> str | None:
    """The matched route's template (``/videos/{video_id}``), never the raw path (which may hold
    a share token or anything a client typed); None before or without a match."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) else None


class RequestContextMiddleware:
    """Gives every HTTP request an id (a valid ``X-Request-ID`` from a proxy, or a new one),
    binds the log context for its lifetime, returns the id on the response, answers an
    unexpected exception with a logged 500, and writes one access record per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = logs.accepted_request_id(given.decode("latin-1") if given else None) or logs.new_request_id()
        ctx = logs.RequestContext(request_id=request_id, method=scope["method"], route_of=lambda: route_of(scope))
        token = logs.bind(ctx)
        start = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message).append(logs.REQUEST_ID_HEADER, request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if status is not None:  # the answer has begun: too late for a problem document
                logging.getLogger("mediabase.api").error(
                    "unexpected error after the response started", exc_info=exc, extra={"status": status})
                raise
            await server_error(exc)(scope, receive, send_with_id)
        finally:
            route = ctx.field("route")
            client = scope.get("client")
            ms = round((time.perf_counter() - start) * 1000, 1)
            access_log.info(
                "%s %s %s %.1f ms", scope["method"], route or "(no route)", status or "-", ms,
                extra={"status": status, "duration_ms": ms, "client": logs.client_hash(client[0] if client else None)},
            )
            logs.unbind(token)
