"""schemathesis over the whole OpenAPI schema of a real ``mediabase serve``: no 5xx, every
answer's status, content type and body as the schema declares them, and stateful sequences
along the schema's links (create, then read, change, delete what was created).

Two organizations are in the database; the run acts as the first one's OWNER, on a video with
a transcript, a decision and an action item of its own. Bounded for CI (a fixed seed, few
examples per operation; the coverage phase's valid cases only: its invalid ones, ~11,000 requests
for ~350 operations, took 60% of the run, and tests/acceptance/test_fuzz_openapi.py sends every
operation its bad input; the fuzzing phase still sends both); ``MEDIABASE_SCHEMATHESIS_PROFILE=nightly``
runs many more, and the coverage phase's invalid cases too (docs/operations.md, "Fuzzing the API").
"""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import Tenant
from tests.log_privacy import leaks, watch

CONFIG = Path(__file__).resolve().parent / "schemathesis" / "schemathesis.toml"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
SEED = "20261206"


@dataclass(frozen=True)
class Profile:
    examples: int  # per operation in the fuzzing phase
    scenarios: int  # stateful sequences
    steps: int  # at most, per sequence
    timeout: float  # of the whole run, seconds (a hang is a failure, not a budget)
    coverage: str  # the coverage phase's generation mode: "positive" or "all" (positive and negative)


PROFILES = {"ci": Profile(6, 30, 8, 600, "positive"), "nightly": Profile(200, 500, 20, 4 * 3600, "all")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    base: str
    log: Path


@pytest.fixture
def server(migrated_url: str, tmp_path: Path) -> Iterator[Server]:
    """``mediabase serve`` on a port of its own, logging JSON to a file."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=migrated_url, MEDIABASE_LOG_FORMAT="json", COLUMNS="200",
               MEDIABASE_INTEGRATIONS_KEY=base64.b64encode(os.urandom(32)).decode())  # integrations configured
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "mediabase", "serve", "--port", str(port)], env=env,
                                stdout=subprocess.DEVNULL, stderr=out, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"mediabase serve did not become ready:\n{log.read_text()}")
            time.sleep(0.2)
        yield Server(base, log)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _post(server: Server, key: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = httpx.post(f"{server.base}{path}", json=body, headers={"X-API-Key": key}, timeout=30)
    assert r.status_code in (201, 202), r.text
    answer: dict[str, Any] = r.json()
    return answer


def seed(server: Server, a: Tenant) -> dict[str, str]:
    """What the run needs besides its key: rows to find, a worker key, and the member and spare
    key that its removals are aimed at (never the OWNER's own membership or key)."""
    key = a.owner_key
    video = _post(server, key, "/videos", {"title": "Design review", "language": "en"})["id"]
    _post(server, key, f"/videos/{video}/transcripts", {"language": "en", "segments": [
        {"start_ms": 0, "end_ms": 4000, "text": "Welcome to the design review.", "speaker": "PM"},
        {"start_ms": 4000, "end_ms": 9000, "text": "The remote control should cost twelve fifty.", "speaker": "ID"},
    ]})
    _post(server, key, "/decisions", {"summary": "Twelve fifty it is", "video_id": video, "position_ms": 4000})
    _post(server, key, f"/videos/{video}/action-items", {"title": "Price the battery", "start_ms": 9000})
    worker = _post(server, key, "/keys", {"name": "worker", "scope": "worker"})
    spare = _post(server, key, "/keys", {"name": "spare"})
    watch(worker["key"], spare["key"])
    return {
        "MB_SCHEMATHESIS_KEY": key,
        "MB_SCHEMATHESIS_WORKER_KEY": worker["key"],
        "MB_SCHEMATHESIS_SPARE_KEY_ID": spare["id"],
        "MB_SCHEMATHESIS_MEMBER_ID": str(a.member.user_id),
    }


def config(profile: Profile, path: Path) -> Path:
    """The repository's configuration with the profile's sizes appended."""
    path.write_text(CONFIG.read_text() + f"""
[generation]
max-examples = {profile.examples}
database = "none"

[phases.coverage.generation]
mode = "{profile.coverage}"

[phases.stateful]
max-steps = {profile.steps}

[phases.stateful.generation]
max-examples = {profile.scenarios}
""")
    return path


@pytest.mark.slow
@pytest.mark.timeout(4 * 3600 + 600)
def test_schemathesis_finds_no_failure(server: Server, tenants: tuple[Tenant, Tenant], tmp_path: Path) -> None:
    profile = PROFILES[os.environ.get("MEDIABASE_SCHEMATHESIS_PROFILE", "ci")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEMATHESIS_")}
    env.update(COLUMNS="200", **seed(server, tenants[0]))
    # the server builds its schema once (several seconds for ~350 operations on a busy machine, more
    # than schemathesis waits for it) and keeps it: build it before schemathesis asks
    httpx.get(f"{server.base}/openapi.json", timeout=300).raise_for_status()
    cmd = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config(profile, tmp_path / "st.toml")),
        "run", f"{server.base}/openapi.json",
        "--checks", CHECKS,
        "--phases", "examples,coverage,fuzzing,stateful",
        # one worker: hypothesis describing strategies in threads trips CPython 3.11's parser
        # ("AST constructor recursion depth mismatch")
        "--seed", SEED, "--workers", "1", "--request-timeout", "20",
        "--no-color",
    ]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=profile.timeout,
                         stdin=subprocess.DEVNULL, check=False)
    if os.environ.get("MEDIABASE_SCHEMATHESIS_OUTPUT"):  # keep the report and the server's log
        out = Path(os.environ["MEDIABASE_SCHEMATHESIS_OUTPUT"])
        out.write_text(run.stdout + run.stderr)
        out.with_suffix(".server.log").write_text(server.log.read_text())
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    # the server logged JSON only (uvicorn's records too), no 5xx, and every request once
    records = [json.loads(line) for line in server.log.read_text().splitlines()]
    assert not [r for r in records if r["level"] in ("error", "critical")]
    assert all(r.get("request_id") for r in records if r["logger"] == "mediabase.access")
    assert not leaks(server.log.read_text().splitlines())  # no e-mail address, no key
