"""The TypeScript client (clients/typescript, issue 25) against a live server, with a real Node.

The committed types are what the running server's OpenAPI document generates; the package and a
smoke script compile under ``tsc --strict``; the smoke script runs on Node against ``mediabase
serve`` on the seeded demo: pages of videos, segments by time range, the transcript as WebVTT,
search in three modes, a new comment, errors narrowed by their problem code, and another
organization's key that sees none of the demo's rows. Under ``CI=true`` a missing Node fails
(``.ci/run`` installs nodejs and npm); the npm packages come from the committed lockfile."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.acceptance.cli import mediabase
from tests.acceptance.test_faults_api import Api, serve, stop
from tests.browser.test_console_browser import new_key
from tests.conftest import create_db, drop_db
from tests.servers import require

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.xdist_group("typescript")]

PACKAGE = Path(__file__).resolve().parents[2] / "clients" / "typescript"


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(list(args), cwd=PACKAGE, capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def node() -> str:
    """Node, with the package's devDependencies installed from the committed lockfile."""
    node = require("node", "nodejs")
    npm = require("npm", "npm")
    run(npm, "ci", "--no-audit", "--no-fund", "--prefer-offline")
    return node


@dataclass
class Demo:
    api: Api
    key: str
    other_key: str


@pytest.fixture(scope="module")
def demo(admin_url: str, demo_template: tuple[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``mediabase serve`` on a clone of the seeded demo, its search index built (semantic too),
    and a second organization."""
    name = f"mbd_{uuid.uuid4().hex[:12]}"
    url = create_db(admin_url, name, template=demo_template[0])
    indexed = mediabase("reindex", "--org", "demo", url=url, timeout=600)
    assert indexed.returncode == 0, indexed.stderr
    assert mediabase("org", "create", "elsewhere", url=url).returncode == 0
    api = serve({"MEDIABASE_DATABASE_URL": url}, tmp_path_factory.mktemp("typescript") / "serve.log")
    try:
        yield Demo(api, new_key(url, "demo"), new_key(url, "elsewhere"))
    finally:
        stop(api)
        drop_db(admin_url, name)


def test_the_committed_types_are_what_the_server_generates(node: str, demo: Demo, tmp_path: Path) -> None:
    run(node, "scripts/generate.mjs", f"{demo.api.base}/openapi.json", str(tmp_path))
    for name in ("schema.ts", "operations.ts"):
        fresh, committed = (tmp_path / name).read_text(), (PACKAGE / "src" / name).read_text()
        assert fresh == committed, (
            f"clients/typescript/src/{name} is not what the API generates: run "
            f"'node scripts/generate.mjs http://127.0.0.1:8000/openapi.json' in clients/typescript and commit")
    operations = (PACKAGE / "src" / "operations.ts").read_text()
    for named in ('"videos.list"', '"videos.segments"', '"search"', '"comments.create"'):
        assert named in operations


def test_the_package_and_the_smoke_script_compile_strict_and_run_against_the_server(node: str, demo: Demo) -> None:
    tsc = str(PACKAGE / "node_modules" / "typescript" / "bin" / "tsc")
    run(node, tsc, "--strict", "-p", "tsconfig.json")
    assert (PACKAGE / "dist" / "index.d.ts").exists()
    run(node, tsc, "--strict", "-p", "smoke/tsconfig.json")
    done = run(node, "smoke/dist/smoke/smoke.js", env={
        "MEDIABASE_URL": demo.api.base, "MEDIABASE_KEY": demo.key, "MEDIABASE_OTHER_KEY": demo.other_key,
        "MEDIABASE_QUERY": "remote"})
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["videos"] == 4 and report["segments"] > 0 and report["other_videos"] == 0
    assert all(report[mode] > 0 for mode in ("keyword", "semantic", "hybrid"))
    assert report["errors"] == ["not-found", "invalid"]


def test_a_type_error_fails_the_compile(node: str, tmp_path: Path) -> None:
    """The strict compile is a real check: a call with a wrong argument type does not compile."""
    bad = PACKAGE / "smoke" / f"bad_{uuid.uuid4().hex[:6]}.ts"
    bad.write_text('import { createClient } from "../src/index.js";\n'
                   'const mb = createClient({ baseUrl: "http://x" });\n'
                   'await mb.videos.segments({ path: { video_id: "v" }, query: { from_ms: "soon" } });\n')
    try:
        tsc = str(PACKAGE / "node_modules" / "typescript" / "bin" / "tsc")
        done = subprocess.run([node, tsc, "--strict", "--noEmit", "--target", "ES2022", "--module", "NodeNext",
                               "--moduleResolution", "NodeNext", "--skipLibCheck", str(bad)],
                              cwd=PACKAGE, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode != 0 and f"{bad.name}(3," in done.stdout and "TS2322" in done.stdout, done.stdout
    finally:
        bad.unlink()
