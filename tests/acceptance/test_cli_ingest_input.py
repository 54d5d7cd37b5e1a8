"""``mediabase ingest`` on hostile input, as a user meets it (issue 11, items 5 and 6): files too
large, devices, FIFOs, empty folders, and text whose encoding is guessed or wrong."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.acceptance.cli import mediabase

SRT = "1\n00:00:01,000 --> 00:00:02,000\n{text}\n\n2\n00:00:02,500 --> 00:00:04,000\nsecond line\n"
MEMORY_CAP = 1024**3  # address space of the CLI process: far below the 2 GiB file, far above its needs


def capped(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    """The CLI as a subprocess whose address space is capped: reading a 2 GiB file would fail."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))

    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(MEDIABASE_DATABASE_URL=url, COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "mediabase", *args],
        capture_output=True, text=True, env=env, timeout=300, check=False, stdin=subprocess.DEVNULL,
        preexec_fn=cap,
    )


@pytest.fixture
def demo(migrated_url: str) -> str:
    assert mediabase("org", "create", "demo", url=migrated_url).returncode == 0
    return migrated_url


def test_a_huge_sparse_file_is_refused_by_its_size_without_reading_it(demo: str, tmp_path: Path) -> None:
    big = tmp_path / "big.srt"
    with big.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: 2 GiB long, no disk used
    r = capped("ingest", str(big), "--json", url=demo)
    assert r.returncode == 1, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr
    [refused] = json.loads(r.stdout)["refused"]
    assert refused["source"] == str(big)
    assert "file too large: 2147483648 bytes (the limit is 52428800)" in refused["error"]


def test_devices_and_fifos_are_refused_at_once(demo: str, tmp_path: Path) -> None:
    r = capped("ingest", "/dev/zero", "--format", "srt", url=demo)
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "/dev/zero: not a regular file (a character device)" in r.stderr
    fifo = tmp_path / "pipe.srt"
    os.mkfifo(fifo)  # nobody ever writes to it: opening it for reading the usual way blocks for ever
    r = mediabase("ingest", str(fifo), url=demo, timeout=120)
    assert r.returncode == 1 and f"{fifo}: not a regular file (a FIFO)" in r.stderr, r.stderr


def test_a_folder_without_transcripts_says_what_was_looked_for(demo: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a transcript")
    os.mkfifo(empty / "pipe.srt")  # not a regular file: skipped, never opened
    r = mediabase("ingest", str(empty), url=demo)
    assert r.returncode == 1
    assert f"no transcript files found in {empty} (looked for *.srt, *.vtt, *.json, *.msrt)" in r.stderr, r.stderr


def test_the_encoding_is_reported_guessed_forced_or_refused(demo: str, tmp_path: Path) -> None:
    utf8 = tmp_path / "utf8.srt"
    utf8.write_bytes(SRT.format(text="Größe café").encode())
    legacy = tmp_path / "legacy.srt"
    legacy.write_bytes(SRT.format(text="Größe café, déjà vu — naïve").encode("cp1252"))
    r = mediabase("ingest", str(utf8), str(legacy), "--json", url=demo)
    assert r.returncode == 0, r.stderr
    loaded = {Path(o["source"]).name: o for o in json.loads(r.stdout)["loaded"]}
    assert (loaded["utf8.srt"]["encoding"], loaded["utf8.srt"]["encoding_guessed"]) == ("utf-8", False)
    assert (loaded["legacy.srt"]["encoding"], loaded["legacy.srt"]["encoding_guessed"]) == ("cp1252", True)
    # a file already loaded is skipped (its bytes are its source): the next two read new ones
    legacy = tmp_path / "legacy2.srt"
    legacy.write_bytes(SRT.format(text="Größe café, déjà vu — naïve, again").encode("cp1252"))
    text = mediabase("ingest", str(legacy), url=demo)
    assert text.returncode == 0
    assert f"note: {legacy}: no encoding declared and not UTF-8: read as cp1252 (a guess; --encoding" in text.stderr

    legacy = tmp_path / "legacy3.srt"
    legacy.write_bytes(SRT.format(text="Größe café, déjà vu — naïve, forced").encode("cp1252"))
    forced = mediabase("ingest", str(legacy), "--encoding", "cp1252", "--json", url=demo)
    [one] = json.loads(forced.stdout)["loaded"]
    assert (one["encoding"], one["encoding_guessed"]) == ("cp1252", False)

    # UTF-8 with one broken byte is damaged UTF-8, not cp1252: read as cp1252 it would be mojibake
    damaged = tmp_path / "damaged.srt"
    damaged.write_bytes(SRT.format(text="Größe café").encode() + b"3\n00:00:05,000 --> 00:00:06,000\nbad \xff byte\n")
    # a byte that no candidate encoding reads (0x81 is undefined in windows-1252) in ASCII text
    stray = tmp_path / "stray.srt"
    stray.write_bytes(SRT.format(text="hello \x81 world").encode("latin-1"))
    r = mediabase("ingest", str(damaged), str(stray), "--json", url=demo)
    assert r.returncode == 1
    errors = {Path(o["source"]).name: o["error"] for o in json.loads(r.stdout)["refused"]}
    assert errors["damaged.srt"].startswith(f"{damaged}:10: not valid UTF-8"), errors
    assert errors["stray.srt"].startswith(f"{stray}:3: not valid UTF-8"), errors
    assert "--encoding" in errors["damaged.srt"] and "--encoding" in errors["stray.srt"]


def test_worker_keys_from_the_command_line(demo: str) -> None:
    r = mediabase("key", "create", "--org", "demo", "--worker", "--json", url=demo)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["scope"] == "worker"
    assert json.loads(mediabase("key", "create", "--org", "demo", "--json", url=demo).stdout)["scope"] == "member"
