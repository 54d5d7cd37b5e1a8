"""``mediabase retention`` as an operator runs it: the policies listed, the plan shown before
anything goes, a dry run that deletes nothing, a run that deletes what the plan said (and a
second one nothing), the runs recorded; bad input is one line, a non-zero exit and no write."""

from __future__ import annotations

import json
import os

import psycopg

from tests.acceptance.cli import mediabase


def world(url: str) -> None:
    """One organization: a video in the trash for 40 days, one for 5, a live one; a share link
    expired 60 days ago and one that never expires."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("INSERT INTO mediabase.organizations (name, slug) VALUES ('Ret', 'ret') RETURNING id"
                           ).fetchone()
        assert row is not None
        org = row[0]
        conn.execute("INSERT INTO mediabase.videos (organization_id, title, deleted_at) VALUES"
                     " (%(o)s, 'old trash', now() - interval '40 days'),"
                     " (%(o)s, 'new trash', now() - interval '5 days'), (%(o)s, 'live', NULL)", {"o": org})
        conn.execute("INSERT INTO mediabase.share_links (organization_id, video_id, token_sha256, created_at,"
                     " expires_at) SELECT %(o)s, id, %(a)s, now() - interval '90 days', now() - interval '60 days'"
                     " FROM mediabase.videos WHERE title = 'live' UNION ALL"
                     " SELECT %(o)s, id, %(b)s, now(), NULL FROM mediabase.videos WHERE title = 'live'",
                     {"o": org, "a": os.urandom(32), "b": os.urandom(32)})


def state(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], int]:
    with psycopg.connect(url) as conn:
        videos = conn.execute("SELECT title FROM mediabase.videos ORDER BY title").fetchall()
        policies = conn.execute("SELECT name, keep_days, enabled FROM mediabase.retention_policies"
                                " ORDER BY name").fetchall()
        runs = conn.execute("SELECT count(*) FROM mediabase.retention_runs").fetchone()
        assert runs is not None
        return videos, policies, runs[0]


def test_plan_then_run_then_nothing_left(migrated_url: str) -> None:
    world(migrated_url)
    r = mediabase("retention", "policies", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    names = {p["name"]: p for p in json.loads(r.stdout)}
    assert {"videos.trash", "share_links.expired", "notifications.read", "mail.sent", "view_events.raw",
            "sessions.expired", "events.dispatched"} <= set(names)
    assert names["videos.trash"]["keep_days"] == 30 and names["videos.trash"]["enabled"]

    r = mediabase("retention", "plan", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    plan = {(i["policy"], i["table"]): i["rows"] for i in json.loads(r.stdout)}
    assert plan[("videos.trash", "videos")] == 1 and plan[("share_links.expired", "share_links")] == 1

    r = mediabase("retention", "run", "--dry-run", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert "videos.trash: would delete 1 videos" in r.stdout
    assert len(state(migrated_url)[0]) == 3 and state(migrated_url)[2] == 0  # nothing deleted, nothing recorded

    r = mediabase("retention", "run", "--batch-size", "1", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert "videos.trash: deleted 1 videos" in r.stdout and "share_links.expired: deleted 1 share_links" in r.stdout
    assert state(migrated_url)[0] == [("live",), ("new trash",)]

    r = mediabase("retention", "run", "--policy", "videos.trash", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["videos.trash"]["videos"] == 0

    r = mediabase("retention", "runs", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    runs = json.loads(r.stdout)
    assert [(x["run_by"], x["counts"]["videos.trash"]["videos"]) for x in runs] == [("cli", 0), ("cli", 1)]

    r = mediabase("retention", "set", "videos.trash", "--keep-days", "3", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert "videos.trash: keeps 3 days, enabled" in r.stdout
    r = mediabase("retention", "run", "--policy", "videos.trash", url=migrated_url)
    assert "videos.trash: deleted 1 videos" in r.stdout


def test_bad_input_is_one_line_and_writes_nothing(migrated_url: str) -> None:
    world(migrated_url)
    before = state(migrated_url)
    bad = [
        ("retention", "plan", "--policy", "nope"),
        ("retention", "run", "--policy", "videos"),
        ("retention", "run", "--batch-size", "0"),
        ("retention", "run", "--batch-size", "many"),
        ("retention", "set", "nope", "--keep-days", "3"),
        ("retention", "set", "videos.trash", "--keep-days", "-1"),
        ("retention", "set", "videos.trash", "--keep-days", "0"),
        ("retention", "set", "videos.trash", "--keep-days", "99999"),
        ("retention", "set", "videos.trash"),
        ("retention", "set", "videos.trash", "--keep-months", "2"),
        ("retention", "set", "view_events.raw", "--keep-days", "30"),
        ("retention", "set", "security_events.raw", "--keep-months", "1"),
        ("retention", "set", "sessions.expired", "--disable"),
    ]
    for args in bad:
        r = mediabase(*args, url=migrated_url)
        assert r.returncode != 0, args
        lines = [x for x in r.stderr.splitlines() if x.strip()]
        assert r.returncode == 2 or len(lines) == 1, (args, r.stderr)  # 2: the argument parser's usage box
    assert state(migrated_url) == before


def test_help_explains_every_command() -> None:
    for cmd in ("policies", "plan", "run", "set", "runs"):
        r = mediabase("retention", cmd, "--help")
        assert r.returncode == 0 and len(r.stdout) > 200, cmd
