"""What every console page shares: its templates, its sign-in (a cookie holding the API key or
session token the person signed in with), and a route class that answers a failure with an HTML
page of the same status instead of a problem document (docs/console.md).

The cookie is ``HttpOnly`` (no script reads it), ``SameSite=Strict`` (no other site's page sends
it, so no other site can make the console act: the retry and cancel buttons need no further
token) and scoped to ``/console``; ``Secure`` when the console is served over HTTPS.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from mediabase.api.deps import SettingsDep, SystemDbDep, authenticate
from mediabase.db.errors import MediabaseError, Unauthorized
from mediabase.identity import legal
from mediabase.identity.models import Principal

COOKIE = "mediabase_console"
HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")


def mmss(ms: int | None) -> str:
    """12:34 (or 1:02:03 past an hour) of a position in milliseconds; '' for none."""
    if ms is None:
        return ""
    s = max(int(ms), 0) // 1000
    h, m, sec = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def when(t: datetime | None) -> str:
    return "" if t is None else t.strftime("%Y-%m-%d %H:%M")


templates.env.filters["mmss"] = mmss
templates.env.filters["when"] = when


class NeedsSignIn(Exception):
    """No console cookie, or one that no longer signs in: the page answers with the sign-in form."""

    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or "")
        self.reason = reason


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _sign_in_redirect(request: Request, reason: str | None) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/console/login?next={quote(target, safe='')}"
    if reason:
        location += f"&reason={quote(reason, safe='')}"
    if request.headers.get("hx-request"):  # htmx follows a redirect in place; send the whole page there
        return Response(status_code=204, headers={"HX-Redirect": location})
    response = RedirectResponse(location, status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


class ConsoleRoute(APIRoute):
    """A console route: a domain refusal (404, 403, 409 …) or bad input renders ``error.html`` with
    that status; without a valid sign-in, a redirect to the sign-in page. Server errors are left
    to the application's handlers (logged, a 500 problem)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except NeedsSignIn as exc:
                return _sign_in_redirect(request, exc.reason)
            except Unauthorized as exc:
                return _sign_in_redirect(request, exc.detail)
            except MediabaseError as exc:
                if exc.status >= 500:
                    raise
                return page(request, "error.html", exc.status, title=exc.title, detail=exc.detail)
            except RequestValidationError as exc:
                first = exc.errors()[0] if exc.errors() else {}
                where = ".".join(str(x) for x in first.get("loc", ())) or "request"
                return page(request, "error.html", 422, title="Invalid input",
                            detail=f"{where}: {first.get('msg', 'invalid')}")

        return run


async def console_principal(request: Request, system: SystemDbDep, settings: SettingsDep) -> Principal:
    """The signed-in person of a console request (cookie), as a member: worker keys are refused,
    and with MEDIABASE_REQUIRE_TERMS only once the terms in effect are accepted."""
    token = request.cookies.get(COOKIE)
    if not token:
        raise NeedsSignIn()
    try:
        p = await authenticate(request, system, token)
    except Unauthorized as exc:
        raise NeedsSignIn(exc.detail) from exc
    if p.is_worker:
        raise NeedsSignIn("a worker key cannot use the console")
    if settings.require_terms:
        await legal.check_terms(system, p)
    return p


Console = Annotated[Principal, Depends(console_principal)]
