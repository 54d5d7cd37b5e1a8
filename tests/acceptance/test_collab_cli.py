"""The meeting-intelligence commands, as a person runs them on the demo data."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.acceptance.cli import mediabase


@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_decisions_action_items_topics_and_audit_partitions(demo_url: str,
                                                            demo_seed: subprocess.CompletedProcess[str]) -> None:
    assert demo_seed.returncode == 0, demo_seed.stderr
    found = mediabase("decisions", "list", "--search", "kinetic battery", "--json", url=demo_url)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    kinetic = next(d for d in hits if d["summary"] == "The remote will have a kinetic battery.")
    assert kinetic["status"] == "superseded" and kinetic["video_title"] == "ES2002c"
    shown = mediabase("decisions", "show", kinetic["id"], url=demo_url)
    assert shown.returncode == 0 and "supersedes" in shown.stdout and "superseded_by" in shown.stdout
    table = mediabase("action-items", "list", "--open", url=demo_url)
    assert table.returncode == 0 and "Industrial Designer" in table.stdout and "0:16:" in table.stdout
    parts = mediabase("audit", "partitions", "--months-ahead", "1", "--json", url=demo_url)
    assert parts.returncode == 0, parts.stderr
    assert len(json.loads(parts.stdout)["created"]) == 2
    missing = mediabase("decisions", "show", "00000000-0000-0000-0000-000000000000", url=demo_url)
    assert missing.returncode == 1 and "decision not found" in missing.stderr
