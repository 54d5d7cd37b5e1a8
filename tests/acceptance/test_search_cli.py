"""`mediabase search` and `mediabase reindex` as a user runs them, on the demo data."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from tests.acceptance.cli import mediabase


@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_demo_search_finds_the_moment_in_every_mode(demo_url: str, demo_seed: subprocess.CompletedProcess[str]) -> None:
    assert demo_seed.returncode == 0, demo_seed.stderr

    keyword = mediabase("search", "remote control price", "--mode", "keyword", "--json", url=demo_url)
    assert keyword.returncode == 0, keyword.stderr
    page = json.loads(keyword.stdout)
    assert page["mode"] == "keyword" and page["hits"][0]["video_title"] == "ES2002a"

    # the first semantic search indexes what the (absent) worker has not yet, and says so
    semantic = mediabase("search", "remote control price", "--mode", "semantic", url=demo_url)
    assert semantic.returncode == 0, semantic.stderr
    assert "indexing 4 transcript(s)" in semantic.stderr
    hybrid = mediabase("search", "remote control price", "--mode", "hybrid", url=demo_url)
    assert hybrid.returncode == 0, hybrid.stderr
    assert "indexing" not in hybrid.stderr
    for out in (semantic.stdout, hybrid.stdout):
        first = out.split("\n 1  ", 1)[1].splitlines()[0]
        # readable in a terminal: title, mm:ss–mm:ss, speaker, score; then the snippet and the link
        assert re.match(r"ES2002a  (7|8|9|10|11):\d\d–\d+:\d\d  \S.*score 0\.\d{4}", first), out
    assert "all-MiniLM-L6-v2" in hybrid.stdout and "/videos/" in hybrid.stdout

    grouped = mediabase("search", "remote control price", "--group", "--per-video", "2", "--json",
                        "--from", "5:00", "--speaker", "Project Manager", url=demo_url)
    assert grouped.returncode == 0, grouped.stderr
    groups = json.loads(grouped.stdout)["groups"]
    assert groups and all(len(g["hits"]) <= 2 for g in groups)
    assert all(h["end_ms"] >= 300_000 and "Project Manager" in h["speakers"] for g in groups for h in g["hits"])

    again = mediabase("reindex", "--missing", "--json", url=demo_url)
    assert again.returncode == 0, again.stderr
    # the meetings are indexed; what is missing is the music artist's lyrics (another organization)
    assert json.loads(again.stdout)["transcripts"] == 1
    none = mediabase("reindex", "--missing", "--json", url=demo_url)
    assert none.returncode == 0 and json.loads(none.stdout)["transcripts"] == 0, none.stderr
    full = mediabase("reindex", "--org", "demo", "--json", url=demo_url)
    report = json.loads(full.stdout)
    assert report["transcripts"] == 4 and report["embedded"] == report["chunks"] > 300
    assert report["index"] == "transcript_chunks_hnsw_all_minilm_l6_v2_384_635c7b1b"


def test_bad_input_is_one_clear_line(migrated_url: str) -> None:
    empty = mediabase("search", "\x01", "--org", "nobody", url=migrated_url)
    assert empty.returncode == 1 and "error:" in empty.stderr and "Traceback" not in empty.stderr
    bad_pos = mediabase("search", "x", "--from", "soon", url=migrated_url)
    assert bad_pos.returncode != 0 and "Traceback" not in bad_pos.stderr
