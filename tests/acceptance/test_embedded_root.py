"""Running as root (issue 26, 6): PostgreSQL runs as the OS user embedded_postgres, which must
traverse the directories above the data directory. mediabase changes what lies in its own
directories (and says so), and a directory above them only when asked."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediabase.db import embedded
from tests.acceptance.cli import mediabase

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root starts the server "
                       "as another OS user (the suite runs as root in CI)"),
]

ALLOW = "MEDIABASE_EMBEDDED_ALLOW_PARENT_CHMOD"


@pytest.fixture
def parent() -> Iterator[Path]:
    """A directory outside the data directory, private to root (mode 0700, as mkdtemp makes it)."""
    path = Path(tempfile.mkdtemp(prefix="mbroot-"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o700
    yield path
    mediabase("db", "stop", MEDIABASE_DATA_DIR=str(path / "data"))
    shutil.rmtree(path, ignore_errors=True)


def env(data: Path, **more: str) -> dict[str, str]:
    return {"MEDIABASE_DATA_DIR": str(data), "MEDIABASE_EMBEDDED_SHARED_BUFFERS_MB": "64", **more}


def modes(*targets: Path) -> dict[Path, int]:
    """The mode of every directory above each target."""
    return {d: d.stat().st_mode for t in targets for d in Path(os.path.realpath(t)).parents}


def answers(data: Path) -> bool:
    q = mediabase("psql", "-At", "-c", "select 1", MEDIABASE_DATA_DIR=str(data))
    return q.returncode == 0 and q.stdout.strip() == "1"


def test_a_private_parent_is_refused_in_one_line_and_left_as_it_was(parent: Path) -> None:
    data = parent / "data"
    before = modes(data, embedded.bin_dir())
    r = mediabase("db", "start", **env(data))
    assert r.returncode == 1, r.stdout + r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    line = lines[0]
    assert line.startswith("error:") and "PostgreSQL refuses to run as root" in line, line
    assert f"{parent} (mode 0700)" in line and f"{ALLOW}=1" in line and "ordinary user" in line, line
    assert stat.S_IMODE(parent.stat().st_mode) == 0o700
    assert modes(data, embedded.bin_dir()) == before
    assert not data.exists(), "nothing made"


def test_with_the_opt_in_the_parent_gets_traverse_only_and_it_is_said(parent: Path) -> None:
    data = parent / "data"
    r = mediabase("db", "start", **env(data, **{ALLOW: "1"}))
    assert r.returncode == 0, r.stdout + r.stderr
    # traverse only: for the server process, which keeps root's group (the wheel sets its uid
    # only), and for the OS user as a login or a pooler has it (its own group: others' bit)
    assert stat.S_IMODE(parent.stat().st_mode) == 0o711
    assert f"changed the mode of {parent} from 0700 to 0711" in r.stderr and f"{ALLOW}=1" in r.stderr, r.stderr
    assert "PostgreSQL refuses to run as root" in r.stderr, r.stderr
    assert answers(data)
    # the next start finds nothing to change, and says nothing of it
    assert mediabase("db", "stop", **env(data)).returncode == 0
    again = mediabase("db", "start", **env(data))
    assert again.returncode == 0 and "changed the mode" not in again.stderr, again.stderr


def test_traversable_parents_are_not_touched(parent: Path) -> None:
    parent.chmod(0o755)
    data = parent / "data" / "deeper"
    before = modes(parent / "data", embedded.bin_dir())
    r = mediabase("db", "start", **env(data))
    assert r.returncode == 0, r.stdout + r.stderr
    assert modes(parent / "data", embedded.bin_dir()) == before, "a directory outside the data directory changed"
    assert "changed the mode" not in r.stderr, r.stderr  # the directories it made were traversable already
    assert f"gave {data / 'pg18'} to the OS user embedded_postgres" in r.stderr, r.stderr
    assert answers(data)
    mediabase("db", "stop", **env(data))


def test_a_private_data_directory_is_its_own_to_open_and_says_so(parent: Path) -> None:
    """The data directory itself (here made private by mkdtemp) is mediabase's own: it gets
    the one bit the server needs, reported, with no opt-in."""
    parent.chmod(0o755)
    data = parent / "data"
    data.mkdir(mode=0o700)
    r = mediabase("db", "start", **env(data))
    assert r.returncode == 0, r.stdout + r.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o711
    assert f"changed the mode of {data} from 0700 to 0711" in r.stderr, r.stderr
    assert stat.S_IMODE(parent.stat().st_mode) == 0o755
    mediabase("db", "stop", **env(data))
