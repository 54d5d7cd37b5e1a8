"""The command line, driven as a subprocess against a real database."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from mediabase.config import Settings
from mediabase.db.embedded import tuning
from tests.acceptance.cli import mediabase
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "subtitles"
SHARED_AMI = REPO.parent / "shared" / "data" / "ami" / "ami_public_manual_1.6.2.tar.xz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.timeout(900)
def test_up_migrates_loads_demo_and_serves(empty_url: str) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=empty_url, COLUMNS="200")
    proc = subprocess.Popen([sys.executable, "-m", "mediabase", "up", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                pytest.fail(f"mediabase up exited: {proc.stdout.read() if proc.stdout else ''}")
            time.sleep(0.3)
        else:
            pytest.fail("mediabase up never became ready")
        key = json.loads(mediabase("key", "create", "--org", "demo", "--json", url=empty_url).stdout)["key"]
        videos = httpx.get(f"http://127.0.0.1:{port}/videos", headers={"X-API-Key": key}).json()["items"]
        assert sorted(v["title"] for v in videos) == ["ES2002a", "ES2002b", "ES2002c", "ES2002d"]
        speakers = httpx.get(f"http://127.0.0.1:{port}/videos/{videos[0]['id']}/speakers",
                             headers={"X-API-Key": key}).json()
        assert {s["display_name"] for s in speakers} >= {"Project Manager", "Industrial Designer"}
        # the worker running beside the API indexes the demo: semantic search finds the moment
        deadline = time.monotonic() + 180
        page: dict[str, object] = {}
        while time.monotonic() < deadline:
            page = httpx.get(f"http://127.0.0.1:{port}/search", headers={"X-API-Key": key},
                             params={"q": "remote control price", "mode": "semantic"}, timeout=30).json()
            if page.get("hits") and page.get("unindexed") == 0:
                break
            time.sleep(1)
        hits = page.get("hits")
        assert isinstance(hits, list) and hits, page
        assert hits[0]["video_title"] == "ES2002a"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "http://127.0.0.1" in out


def test_serve_refuses_a_schema_that_is_behind(empty_url: str, tmp_path: Path) -> None:
    mdir = tmp_path / "migrations"
    shutil.copytree(REPO / "src" / "mediabase" / "db" / "migrations", mdir)
    assert mediabase("migrate", url=empty_url, MEDIABASE_MIGRATIONS_DIR=str(mdir)).returncode == 0
    n = len(list(mdir.glob("*.sql")))
    (mdir / f"{n + 1:04d}_later.sql").write_text("CREATE TABLE later (id int);")
    r = mediabase("serve", "--port", str(free_port()), url=empty_url, MEDIABASE_MIGRATIONS_DIR=str(mdir))
    assert r.returncode == 1
    assert f"{n + 1:04d}_later.sql" in r.stderr and "mediabase migrate" in r.stderr


@pytest.mark.timeout(900)
def test_embedded_server_lifecycle_shared_by_processes() -> None:
    data = Path(tempfile.mkdtemp(prefix="mbcli-"))
    env = {"MEDIABASE_DATA_DIR": str(data)}
    try:
        assert mediabase("db", "status", **env).returncode == 1
        started = mediabase("db", "start", **env)
        assert started.returncode == 0, started.stderr
        assert mediabase("db", "status", **env).returncode == 0
        # two processes at once on the same data directory share one server
        procs = [subprocess.Popen([sys.executable, "-m", "mediabase", "migrate"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, **env, "MEDIABASE_DATABASE_URL": ""}) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0], outs
        assert mediabase("status", **env).returncode == 0
        assert mediabase("doctor", **env).returncode == 0
        url = mediabase("db", "url", **env).stdout.strip()
        assert url.startswith("postgresql://") and str(data) in url
        # the new cluster was tuned for this machine and restarted: shared_buffers took effect
        with psycopg.connect(url) as conn:
            row = conn.execute("SELECT setting::int8 * 8 / 1024 FROM pg_settings"
                               " WHERE name = 'shared_buffers'").fetchone()
        assert row is not None and f"{row[0]}MB" == tuning(Settings())["shared_buffers"]
        assert mediabase("db", "stop", **env).returncode == 0
        assert mediabase("db", "status", **env).returncode == 1
    finally:
        mediabase("db", "stop", **env)
        shutil.rmtree(data, ignore_errors=True)


def test_doctor_fails_clearly_without_a_database() -> None:
    r = mediabase("doctor", url="postgresql://nobody@127.0.0.1:1/none")
    assert r.returncode == 1
    assert "FAIL" in r.stdout


def test_org_user_key_commands(migrated_url: str) -> None:
    r = mediabase("user", "create", "ann@example.com", "--username", "ann", "--json", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["personal_organization"] == "u-ann"
    assert mediabase("org", "create", "acme", "--owner", "ann@example.com", url=migrated_url).returncode == 0
    dup = mediabase("org", "create", "acme", url=migrated_url)
    assert dup.returncode == 1 and "slug" in dup.stderr
    bad = mediabase("users", "create", "not-an-email", "--username", "x", url=migrated_url)
    assert bad.returncode == 1 and "email" in bad.stderr
    key = mediabase("key", "create", "--org", "acme", "--json", url=migrated_url)
    assert key.returncode == 0 and json.loads(key.stdout)["key"].startswith("mb_")
    prefix = json.loads(key.stdout)["prefix"]
    assert mediabase("key", "revoke", prefix, "--org", "acme", url=migrated_url).returncode == 0
    gone = mediabase("key", "revoke", "nosuchprefix", "--org", "acme", url=migrated_url)
    assert gone.returncode == 1 and "no key with prefix" in gone.stderr
    orgs = json.loads(mediabase("org", "list", "--json", url=migrated_url).stdout)
    assert {"acme", "u-ann"} <= {o["slug"] for o in orgs}


def test_ingest_loads_good_files_refuses_bad_ones_and_exports(migrated_url: str, tmp_path: Path) -> None:
    assert mediabase("org", "create", "demo", url=migrated_url).returncode == 0
    good = tmp_path / "good.srt"
    good.write_text("1\n00:00:01,000 --> 00:00:02,000\nfirst line\n\n2\n00:00:02,500 --> 00:00:04,000\nsecond\n")
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:09,000 --> 00:00:03,000\nbackwards\n")
    vtt = tmp_path / "voices.vtt"
    vtt.write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ann>Hello there\n\n00:02.000 --> 00:03.000\n<v Bob>Hi\n")
    r = mediabase("ingest", str(good), str(bad), str(vtt), "--org", "demo", "--json", url=migrated_url)
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert sorted(o["title"] for o in out["loaded"]) == ["good", "voices"]
    assert len(out["refused"]) == 1
    assert "bad.srt:6: cue ends before it starts" in out["refused"][0]["error"]
    videos = json.loads(mediabase("videos", "list", "--org", "demo", "--json", url=migrated_url).stdout)
    assert sorted(v["title"] for v in videos) == ["good", "voices"]
    vid = next(o["video_id"] for o in out["loaded"] if o["title"] == "voices")
    exported = mediabase("export", vid, "--format", "vtt", "--org", "demo", url=migrated_url)
    assert exported.returncode == 0
    assert "<v Ann>Hello there" in exported.stdout and "00:00:01.000 --> 00:00:02.000" in exported.stdout
    again = tmp_path / "again.vtt"
    again.write_text(exported.stdout)
    r2 = mediabase("ingest", str(again), "--org", "demo", "--title", "round trip", "--json", url=migrated_url)
    assert r2.returncode == 0 and json.loads(r2.stdout)["loaded"][0]["segments"] == 2
    missing = mediabase("ingest", str(tmp_path / "nope.srt"), "--org", "demo", url=migrated_url)
    assert missing.returncode == 1 and "no such file" in missing.stderr
    assert mediabase("export", vid, "--format", "docx", url=migrated_url).returncode == 2


@pytest.mark.slow
@pytest.mark.skipif(not SHARED_AMI.exists(), reason="the full AMI corpus lives in ../shared/data (CI has it)")
@pytest.mark.timeout(900)
def test_all_171_ami_meetings_ingest_with_the_corpus_segment_counts(migrated_url: str, tmp_path: Path) -> None:
    with tarfile.open(SHARED_AMI) as tar:
        tar.extractall(tmp_path, filter="data")
    root = next(p.parent.parent for p in tmp_path.rglob("segments/*.segments.xml"))
    expected = sum(f.read_bytes().count(b"<segment ") + f.read_bytes().count(b"<segment>")
                   for f in (root / "segments").glob("*.segments.xml"))
    assert mediabase("org", "create", "ami", url=migrated_url).returncode == 0
    r = mediabase("ingest", str(root), "--format", "ami", "--org", "ami", "--json", url=migrated_url, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert len(out["loaded"]) == 171 and out["refused"] == []
    assert sum(o["segments"] for o in out["loaded"]) == expected == 93_637


def test_psql_runs_on_the_current_database(migrated_url: str) -> None:
    r = mediabase("psql", "-Atc", "select count(*) from schema_migrations", url=migrated_url)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout.strip()) >= 5


def test_seed_is_idempotent(migrated_url: str) -> None:
    first = mediabase("seed", "test", url=migrated_url)
    assert first.returncode == 0 and "2 video(s) created" in first.stdout
    again = mediabase("seed", "test", url=migrated_url)
    assert again.returncode == 0 and "0 video(s) created" in again.stdout
    assert mediabase("seed", "nope", url=migrated_url).returncode == 1


def test_errors_print_brackets_literally(migrated_url: str) -> None:
    r = mediabase("org", "create", "NOT A SLUG", url=migrated_url)
    assert r.returncode == 1
    assert "[a-z0-9]" in r.stderr  # the pattern, not swallowed as console markup
