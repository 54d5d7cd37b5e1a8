"""Where the data directory is by default (issue 26, 6): root's own folder is private (mode
0700), and the embedded server, run as an OS user of its own, could not reach a cluster in it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mediabase.config import ROOT_DATA_DIR, Settings


def test_an_ordinary_user_gets_the_per_user_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("MEDIABASE_DATA_DIR", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert Settings().data_dir == tmp_path / "mediabase"


def test_root_gets_a_folder_any_user_may_reach(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("MEDIABASE_DATA_DIR", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert Settings().data_dir == ROOT_DATA_DIR == Path("/var/lib/mediabase")


def test_root_keeps_a_per_user_folder_it_already_has(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.delenv("MEDIABASE_DATA_DIR", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    (tmp_path / "mediabase").mkdir()
    assert Settings().data_dir == tmp_path / "mediabase"


def test_the_setting_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MEDIABASE_DATA_DIR", str(tmp_path / "here"))
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert Settings().data_dir == tmp_path / "here"
