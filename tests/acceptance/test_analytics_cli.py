"""``mediabase analytics`` as a person runs it on the demo: the demo's viewing sessions give the
meetings retention curves (drawn into a PNG of the size asked for), top videos and talk time;
a file of events goes in all or nothing, a bad line named file:line."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.acceptance.cli import mediabase
from tests.acceptance.test_analytics_api import png_size


@pytest.mark.slow
@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_the_demo_has_retention_curves_and_talk_time(demo_url: str, demo_seed: subprocess.CompletedProcess[str],
                                                    tmp_path: Path) -> None:
    seeded = demo_seed  # what `mediabase seed demo` said when it made the template of demo_url
    assert seeded.returncode == 0, seeded.stderr
    assert "viewing sessions" in seeded.stdout
    top = mediabase("analytics", "top", "--json", url=demo_url)
    assert top.returncode == 0, top.stderr
    videos = json.loads(top.stdout)
    assert len(videos) == 4 and all(v["watch_ms"] > 0 and v["title"].startswith("ES2002") for v in videos)
    video = videos[0]["video_id"]
    out = tmp_path / "retention.png"
    r = mediabase("analytics", "retention", video, "--plot", str(out), "--width", "900", "--height", "500",
                  url=demo_url)
    assert r.returncode == 0, r.stderr
    assert "viewer-day(s)" in r.stdout and "100%: " in r.stdout and png_size(out.read_bytes()) == (900, 500)
    curve = json.loads(mediabase("analytics", "retention", video, "--json", url=demo_url).stdout)
    assert curve["shares"][0] > curve["shares"][50] > curve["shares"][100] > 0  # most stop early, a few see the end
    talk = mediabase("analytics", "talk", video, "--json", url=demo_url)
    assert talk.returncode == 0 and len(json.loads(talk.stdout)) == 4, talk.stdout
    active = json.loads(mediabase("analytics", "active", "--json", url=demo_url).stdout)
    assert 0 < active["viewers"] <= 40

    # events from a file: a bad line is named, nothing is written; then the good file goes in
    at = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    line = {"kind": "watch", "occurred_at": at, "video_id": video, "anonymous_id": "cli", "start_ms": 0,
            "end_ms": 1000}
    bad = tmp_path / "events.jsonl"
    bad.write_text(json.dumps(line) + "\n\n" + json.dumps({**line, "start_ms": 5000}) + "\n")
    r = mediabase("analytics", "ingest", str(bad), url=demo_url)
    assert r.returncode == 1 and f"{bad}:3: end_ms" in r.stderr, r.stderr
    bad.write_text(json.dumps(line) + "\n" + json.dumps({**line, "start_ms": "x"}) + "\n")
    r = mediabase("analytics", "ingest", str(bad), url=demo_url)
    assert r.returncode == 1 and f"{bad}:2: start_ms" in r.stderr, r.stderr
    bad.write_text(json.dumps(line) + "\n")
    r = mediabase("analytics", "ingest", str(bad), url=demo_url)
    assert r.returncode == 0 and "recorded 1 event" in r.stdout, r.stderr
    r = mediabase("analytics", "refresh", url=demo_url)
    assert r.returncode == 0 and "recomputed 1 subject-day" in r.stdout, r.stdout
    r = mediabase("analytics", "rebuild", url=demo_url)
    assert r.returncode == 0 and "rebuilt" in r.stdout, r.stderr
    assert mediabase("analytics", "retention", "nope", url=demo_url).returncode == 1
    r = mediabase("analytics", "retention", video, "--plot", str(tmp_path / "x.gif"), url=demo_url)
    assert r.returncode == 1 and "--plot" in r.stderr
    r = mediabase("analytics", "top", "--since", "2026-13-01", url=demo_url)
    assert r.returncode == 1 and "--since" in r.stderr
