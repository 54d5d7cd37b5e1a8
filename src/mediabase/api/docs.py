"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) from the package's own copies of their assets.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc's fonts from Google): a
machine without internet shows a blank page, and every reader is announced to a third party.
Here the JavaScript, CSS and favicon are vendored under ``static/docs/`` (versions and licences
in its README.md), served at ``/static/docs``, and every URL the pages name is passed
explicitly, so no default of FastAPI's can point elsewhere. A Content-Security-Policy keeps the
pages on this server: Swagger UI's online validator is off, and ReDoc's sidebar logo (a
``cdn.redoc.ly`` image) is refused and hides itself.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "docs"
STATIC_PATH = "/static/docs"
OAUTH2_REDIRECT_PATH = "/docs/oauth2-redirect"
# Inline scripts and styles: the pages' own bootstrap; blob: workers: ReDoc's search index.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)


def _root(request: Request) -> str:
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")


def _page(response: HTMLResponse) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = CSP
    return response


def install(app: FastAPI) -> None:
    """Serve the assets and the two pages; the app is built with ``docs_url=None, redoc_url=None``."""
    app.mount(STATIC_PATH, StaticFiles(directory=ASSETS), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root(request)
        assets = f"{root}{STATIC_PATH}/swagger-ui"
        return _page(
            get_swagger_ui_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - Swagger UI",
                swagger_js_url=f"{assets}/swagger-ui-bundle.js",
                swagger_css_url=f"{assets}/swagger-ui.css",
                swagger_favicon_url=f"{assets}/favicon-32x32.png",
                oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT_PATH}",
                init_oauth=app.swagger_ui_init_oauth,
                swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
            )
        )

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return _page(get_swagger_ui_oauth2_redirect_html())

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root(request)
        return _page(
            get_redoc_html(
                openapi_url=f"{root}{app.openapi_url}",
                title=f"{app.title} - ReDoc",
                redoc_js_url=f"{root}{STATIC_PATH}/redoc/redoc.standalone.js",
                redoc_favicon_url=f"{root}{STATIC_PATH}/swagger-ui/favicon-32x32.png",
                with_google_fonts=False,
            )
        )
