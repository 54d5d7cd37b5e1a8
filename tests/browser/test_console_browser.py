"""The web console in a real browser (issue 17): Debian's Chromium driven by Playwright against a
real ``mediabase serve`` on the seeded demo. Sign in with a key, search, open the moment, click a
line, watch a job finish and retry a failure, and see that another organization's key sees none
of the demo's rows. Under ``CI=true`` a missing Chromium fails (``.ci/run`` installs it)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.acceptance.cli import mediabase, worker
from tests.acceptance.test_faults_api import Api, serve, stop
from tests.conftest import create_db, drop_db
from tests.servers import require

# one worker runs them all (one server, one browser); the first to ask seeds the demo (minutes)
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600), pytest.mark.xdist_group("browser")]

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@dataclass
class Demo:
    api: Api
    url: str
    key: str


def new_key(url: str, org: str) -> str:
    r = mediabase("key", "create", "--org", org, url=url)
    assert r.returncode == 0, r.stderr
    found = re.search(r"\bmb_\S+", r.stdout)  # the secret is base64url: - and _ too
    assert found, r.stdout
    return found.group(0)


@pytest.fixture(scope="module")
def demo(admin_url: str, demo_template: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """One server for the module's tests, on a clone of the session's seeded demo (none of the
    tests undoes what another expects)."""
    name = f"mbd_{uuid.uuid4().hex[:12]}"
    url = create_db(admin_url, name, template=demo_template[0])
    api = serve({"MEDIABASE_DATABASE_URL": url}, tmp_path_factory.mktemp("console") / "serve.log")
    try:
        yield Demo(api, url, new_key(url, "demo"))
    finally:
        stop(api)
        drop_db(admin_url, name)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = require("chromium", "chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def sign_in(browser: Any, base: str, key: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(f"{base}/console")
    assert "/console/login" in page.url  # no cookie yet: the sign-in form
    page.fill("input[name=key]", key)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/console/videos", page.content()[-2000:]
    return page


def test_sign_in_search_open_the_moment_and_click_a_line(demo: Demo, browser: Any, tmp_path: Path) -> None:
    base = demo.api.base
    page = sign_in(browser, base, demo.key)
    titles = page.locator("#videos tbody td:first-child a").all_inner_texts()
    assert sorted(titles) == ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]

    page.click("text=Search")
    page.fill("input[name=q]", "remote control price")
    page.select_option("select[name=mode]", "keyword")
    page.click("form.filters button[type=submit]")
    first = page.locator(".hit a.moment").first
    first.wait_for()
    assert page.locator(".hit .snippet mark").count() > 0  # the matched words highlighted
    label = first.inner_text()  # "ES2002b · 7:52"
    title, at = (x.strip() for x in label.split("·"))
    first.click()
    page.wait_for_url(re.compile(r"/console/videos/[0-9a-f-]+\?t=\d+"))
    assert page.inner_text("#title") == title
    current = page.locator(".seg.current")
    assert current.count() == 1 and current.locator(".time").inner_text() == at
    assert page.inner_text("#position") == at

    other = page.locator(".seg").nth(3)
    other.click()
    assert page.inner_text("#position") == other.locator(".time").inner_text()
    assert "t=" in page.url and "#seg-" in page.url and page.locator(".seg.current").count() == 1

    shot = tmp_path / "video.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, len(data)


def test_watch_a_job_finish_and_retry_a_failure(demo: Demo, browser: Any, tmp_path: Path) -> None:
    base = demo.api.base
    headers = {"X-API-Key": demo.key}
    slow = httpx.post(f"{base}/jobs", json={"type": "test.sleep", "input": {"seconds": 1.5}, "queue": "console"},
                      headers=headers)
    assert slow.status_code == 201, slow.text
    job = slow.json()["id"]
    page = sign_in(browser, base, demo.key)
    page.goto(f"{base}/console/jobs")
    page.locator(f"#recent tr[data-job='{job}'][data-status='queued']").wait_for()
    # its own queue: the demo's indexing jobs (minutes of embedding) are not this test's to wait for
    with worker(demo.url, tmp_path / "worker.log", "--import", "mediabase.jobs.testing", "--queues", "console"):
        # the board polls every two seconds: the same page sees the job run and finish
        page.locator(f"#recent tr[data-job='{job}'][data-status='completed']").wait_for(timeout=90_000)
        bad = httpx.post(f"{base}/jobs", json={"type": "test.fail", "input": {"permanent": True}, "queue": "console"},
                         headers=headers)
        failed = bad.json()["id"]
        row = page.locator(f"#failed tr[data-job='{failed}']")
        row.wait_for(timeout=90_000)
        assert "told_to" in row.inner_text()
    row.locator("button.retry").click()
    page.locator(".notice").wait_for()
    assert f"job {failed} queued again" in page.inner_text(".notice")
    assert httpx.get(f"{base}/jobs/{failed}", headers=headers).json()["status"] == "queued"
    shot = page.screenshot(full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 10_000


def test_another_organization_sees_none_of_the_demo(demo: Demo, browser: Any) -> None:
    assert mediabase("org", "create", "elsewhere", url=demo.url).returncode == 0
    key = new_key(demo.url, "elsewhere")
    page = sign_in(browser, demo.api.base, key)
    assert page.locator("#videos tbody a").count() == 0
    page.goto(f"{demo.api.base}/console/search?q=remote+control&mode=keyword")
    assert page.locator(".hit").count() == 0 and "ES2002" not in page.content()
    demo_video = httpx.get(f"{demo.api.base}/videos", headers={"X-API-Key": demo.key}).json()["items"][0]["id"]
    response = page.goto(f"{demo.api.base}/console/videos/{demo_video}")
    assert response is not None and response.status == 404 and "ES2002" not in page.content()
