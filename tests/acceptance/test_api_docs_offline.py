"""``/docs`` and ``/redoc`` work without the internet: every asset they name is served by mediabase."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

import mediabase.api.docs

ASSETS = Path(mediabase.api.docs.__file__).parent / "static" / "docs"
# What each kind of asset may be served as.
CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
    ".json": ("application/json",),
}


class Links(HTMLParser):
    """Every src= and href= of a page, and the attributes that name URLs ReDoc and Swagger UI load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href", "spec-url") and v]


def urls_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    # Swagger UI's bootstrap script names the spec and the OAuth2 redirect in JavaScript.
    parser.urls += re.findall(r"""\burl:\s*'([^']+)'""", html)
    return parser.urls


def assert_same_server(url: str, base: str) -> None:
    """A relative URL, or an absolute one (``http(s)://``, ``//``) to this very server."""
    assert urlsplit(urljoin(base, url)).netloc == urlsplit(base).netloc, f"{url} points to another host"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_this_server(client: TestClient, page: str) -> None:
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert not re.search(r"(?i)(cdn\.jsdelivr|unpkg|fonts\.googleapis|fonts\.gstatic|fastapi\.tiangolo)", html)
    urls = urls_of(html)
    base = str(r.url)
    suffixes = {Path(urlsplit(u).path).suffix for u in urls}
    assert {".js", ".png", ".json"} <= suffixes, urls  # the script, the favicon, the spec
    if page == "/docs":
        assert ".css" in suffixes, urls
    for url in urls:
        assert_same_server(url, base)
        asset = client.get(urljoin(base, url))
        assert asset.status_code == 200, url
        assert asset.content, url
        expected = CONTENT_TYPES[Path(urlsplit(url).path).suffix]
        assert asset.headers["content-type"].split(";")[0] in expected, (url, asset.headers["content-type"])
    # The browser is told so: nothing but this server (ReDoc's sidebar logo on a CDN is refused).
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "img-src 'self' data:" in csp


def test_swagger_ui_has_no_online_validator_and_keeps_its_oauth2_redirect(client: TestClient) -> None:
    html = client.get("/docs").text
    assert '"validatorUrl": null' in html
    assert "'/docs/oauth2-redirect'" in html
    redirect = client.get("/docs/oauth2-redirect")
    assert redirect.status_code == 200 and "swaggerUIRedirectOauth2" in redirect.text


def test_redoc_loads_no_web_fonts(client: TestClient) -> None:
    html = client.get("/redoc").text
    assert all('rel="shortcut icon"' in link for link in re.findall(r"<link[^>]*>", html))  # no stylesheet
    assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
    bundle = client.get("/static/docs/redoc/redoc.standalone.js").text
    assert "fonts.googleapis" not in bundle and "fonts.gstatic" not in bundle


def test_docs_pages_are_not_in_the_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(paths)
    assert not any(p.startswith("/static") for p in paths)


def test_each_vendored_package_keeps_its_licence() -> None:
    assert (ASSETS / "swagger-ui" / "LICENSE").read_text().lstrip().startswith("Apache License")
    assert "SmartBear" in (ASSETS / "swagger-ui" / "NOTICE").read_text()
    assert "MIT License" in (ASSETS / "redoc" / "LICENSE").read_text()
    readme = (ASSETS / "README.md").read_text()
    assert "swagger-ui-dist" in readme and "5.36.0" in readme and "redoc" in readme and "2.5.4" in readme
