"""``mediabase stories …`` as a person runs it: a community from nothing to a continued scene,
with ``mediabase worker`` running the continuation jobs offline."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.acceptance.cli import mediabase
from tests.acceptance.cli import worker as run_worker
from tests.integration.stories_world import BIBLE

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def created(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 0, out.stderr
    found = UUID_RE.search(out.stdout)
    assert found, out.stdout
    return found.group(0)


@pytest.fixture
def worker(migrated_url: str, tmp_path: Path) -> Iterator[Path]:
    """``mediabase worker`` running against the test's database; yields its log file."""
    with run_worker(migrated_url, tmp_path / "worker.log", "--concurrency", "2", "--poll-interval", "0.2") as log:
        yield log


@pytest.mark.slow
@pytest.mark.timeout(600)  # some thirty CLI processes and a worker: minutes on a loaded machine
def test_a_community_continued_through_the_worker(migrated_url: str, tmp_path: Path, worker: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return mediabase("stories", *args, "--org", "tales", url=migrated_url)

    assert mediabase("org", "create", "tales", url=migrated_url).returncode == 0
    created(run("topic-add", "Sea stories", "--slug", "sea"))
    topics = json.loads(run("topics", "--json").stdout)
    assert [t["slug"] for t in topics] == ["sea"]
    created(run("category-add", "sea", "Storms", "--slug", "storms"))
    idea = created(run("idea-add", "sea", "The keeper", "--prompt", "A keeper finds a log.", "--tag", "sea"))
    assert "The keeper" in run("ideas", "sea").stdout
    bible = tmp_path / "bible.json"
    bible.write_text(json.dumps(BIBLE), encoding="utf-8")
    scene = created(run("scene-add", idea, "Night one", "--bible", str(bible)))

    cont = run("continue", scene, "Ada lights the lamp. The storm breaks.", "--wait", "60", "--json")
    assert cont.returncode == 0, (cont.stderr, cont.stdout, worker.read_text())
    body = json.loads(cont.stdout)
    assert body["state"] == "finalized" and body["job_status"] == "completed" and body["job_stage"] == "completed"
    shown = json.loads(run("scene", scene, "--json").stdout)
    assert shown["segment_count"] == 1 and shown["bible_version"] == 2
    assert shown["segments"][0]["input_text"] == "Ada lights the lamp. The storm breaks."
    latest = json.loads(run("bible", scene).stdout)
    assert latest["version"] == 2 and latest["data"]["timeline"]["currentPoint"] == "Ada lights the lamp."
    assert json.loads(run("bible", scene, "--version", "1").stdout)["data"] == BIBLE
    assert "finalized" in run("continuations", scene).stdout

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**BIBLE, "version": 3, "characters": [{"entityId": "ada", "canonicalName": "Ada"}]}),
                   encoding="utf-8")
    refused = run("bible-write", scene, str(bad), "--expected-version", "2")
    assert refused.returncode == 1 and "$.characters[0].entityId" in refused.stderr
    assert "Traceback" not in refused.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("{\n  \"version\": 3,\n", encoding="utf-8")
    unreadable = run("bible-write", scene, str(broken), "--expected-version", "2")
    assert unreadable.returncode == 1 and "broken.json:3" in unreadable.stderr
    assert json.loads(run("bible", scene).stdout)["version"] == 2  # nothing written

    assert run("lock", scene).returncode == 0
    locked = run("continue", scene, "Too late.")
    assert locked.returncode == 1 and "locked" in locked.stderr
    assert run("unlock", scene).returncode == 0
    missing = run("ideas", "nowhere")
    assert missing.returncode == 1 and "no topic with the slug 'nowhere'" in missing.stderr


def test_verify_and_fold(migrated_url: str) -> None:
    assert mediabase("org", "create", "tales", url=migrated_url).returncode == 0
    created(mediabase("stories", "topic-add", "Sea", "--slug", "sea", "--org", "tales", url=migrated_url))
    folded = mediabase("stories", "fold", url=migrated_url)
    assert folded.returncode == 0 and "folded 0 delta(s)" in folded.stdout
    clean = mediabase("stories", "verify", url=migrated_url)
    assert clean.returncode == 0 and "every story counter equals its recomputation" in clean.stdout
    assert json.loads(mediabase("stories", "flags", "--org", "tales", "--json", url=migrated_url).stdout) == []
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("UPDATE mediabase.story_topics SET scene_count = 4")
    lying = mediabase("stories", "verify", "--org", "tales", "--json", url=migrated_url)
    assert lying.returncode == 1 and "1 counter(s) differ from their rows" in lying.stderr
    (diff,) = json.loads(lying.stdout)
    assert (diff["table"], diff["counter"], diff["stored"], diff["actual"]) == ("story_topics", "scene_count", "4", "0")
