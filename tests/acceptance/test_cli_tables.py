"""The list commands as people read them: legible in an 80-column terminal, every value in full in a pipe."""

from __future__ import annotations

import json
import re

import pytest

from tests.acceptance.cli import mediabase

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def at_terminal(*args: str, url: str, columns: int = 80) -> tuple[list[str], str]:
    """``mediabase ARGS`` as an 80-column terminal shows it (rich told it is one): its lines and stderr."""
    done = mediabase(*args, url=url, COLUMNS=str(columns), TTY_COMPATIBLE="1")
    assert done.returncode == 0, done.stderr
    return [ANSI.sub("", line).rstrip() for line in done.stdout.splitlines()], ANSI.sub("", done.stderr)


def piped(*args: str, url: str) -> list[str]:
    done = mediabase(*args, url=url)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def words(texts: list[str]) -> list[str]:
    return [w for t in texts for w in t.split()]


def assert_legible(lines: list[str], ids: list[str], titles: list[str], columns: int = 80) -> None:
    """Within the width, nothing cut with '…', each id whole on one line, each title's words in order."""
    assert all(len(line) <= columns for line in lines), "\n".join(lines)
    assert not any("…" in line for line in lines), "\n".join(lines)
    assert all(sum(i in line for line in lines) == 1 for i in ids), "\n".join(lines)
    shown = " ".join(lines).split()
    for title in titles:  # wrapped by words in its column: its words come in order, none is lost
        position = 0
        for word in title.split():
            position = shown.index(word, position) + 1


@pytest.mark.timeout(900)  # the first test of a session to ask for demo_url seeds the demo template
def test_videos_decisions_and_jobs_lists_at_80_columns_and_in_a_pipe(demo_url: str) -> None:
    videos = json.loads(mediabase("videos", "list", "--json", url=demo_url).stdout)
    decisions = json.loads(mediabase("decisions", "list", "--json", url=demo_url).stdout)
    jobs = json.loads(mediabase("jobs", "list", "--json", url=demo_url).stdout)
    assert videos and decisions and jobs

    # A pipe: a header, then one line per row with every value in full, the columns aligned.
    lines = piped("videos", "list", url=demo_url)
    assert lines[0].split() == ["title", "status", "duration", "recorded", "added", "language", "tags", "id"]
    by_id = {v["id"]: v for v in videos}
    assert sorted(line.split()[-1] for line in lines[1:]) == sorted(by_id)
    assert all(line.startswith(by_id[line.split()[-1]]["title"]) for line in lines[1:])
    lines = piped("decisions", "list", url=demo_url)
    assert lines[0].split() == ["summary", "video", "at", "status", "decided", "id"]
    by_id = {d["id"]: d for d in decisions}
    assert sorted(line.split()[-1] for line in lines[1:]) == sorted(by_id)
    for line in lines[1:]:
        d = by_id[line.split()[-1]]
        assert line.startswith(d["summary"]) and d["video_title"] in line
    assert len({line.rindex(" ") for line in lines}) == 1  # the last column (id) aligned, the header's too
    lines = piped("jobs", "list", url=demo_url)
    assert lines[0].split() == ["type", "status", "progress", "org", "created", "stage", "tries", "id"]
    slugs = {j["organization_id"]: j["organization_slug"] for j in jobs}
    assert {"demo", "tales"} <= set(slugs.values())
    org_of = {j["id"]: j["organization_id"] for j in jobs}
    assert sorted(line.split()[-1] for line in lines[1:]) == sorted(org_of)
    for line in lines[1:]:  # the organization's slug, not a cut UUID
        org = org_of[line.split()[-1]]
        assert f"  {slugs[org]}  " in line and org not in line and "…" not in line

    # An 80-column terminal: the important columns, titles whole, ids whole; a note says what is left out.
    lines, note = at_terminal("videos", "list", url=demo_url)
    assert lines[0].split()[:2] == ["title", "status"] and lines[0].split()[-1] == "id"
    assert_legible(lines, [v["id"] for v in videos], [v["title"] for v in videos])
    assert "not shown in 80 columns" in note and "--json" in note
    lines, note = at_terminal("decisions", "list", url=demo_url)
    assert lines[0].split()[0] == "summary" and lines[0].split()[-1] == "id"
    assert_legible(lines, [d["id"] for d in decisions], [d["summary"] for d in decisions])
    lines, note = at_terminal("jobs", "list", url=demo_url)
    assert lines[0].split()[:2] == ["type", "status"] and lines[0].split()[-1] == "id"
    assert_legible(lines, [j["id"] for j in jobs], [])
    assert "  demo  " in "\n".join(lines) or "  tales  " in "\n".join(lines)

    # A wide terminal has room for every column.
    lines, note = at_terminal("videos", "list", url=demo_url, columns=160)
    assert lines[0].split() == ["title", "status", "duration", "recorded", "added", "language", "tags", "id"]
    assert note == ""


def test_a_list_with_nothing_in_it_prints_its_header(migrated_url: str) -> None:
    assert piped("jobs", "list", url=migrated_url) == ["type  status  progress  org  created  stage  tries  id"]
