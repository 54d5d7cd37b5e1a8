"""The layers of pyproject's import-linter contract hold, and a wrong import breaks them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

LINT = Path(sys.executable).parent / "lint-imports"


def run_lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LINT), "--config", str(root / "pyproject.toml"), "--no-cache"], cwd=root,
                          env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, check=False, timeout=120)


def test_the_contract_is_kept() -> None:
    r = run_lint(REPO)
    assert r.returncode == 0, r.stdout + r.stderr


def copy_tree(tmp_path: Path) -> Path:
    """The pyproject and the package in ``tmp_path``; returns the package's folder."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(REPO / "src" / "mediabase", tmp_path / "src" / "mediabase",
                    ignore=shutil.ignore_patterns("__pycache__", "*.onnx", "ami_es2002"))
    return tmp_path / "src" / "mediabase"


def test_a_ground_module_importing_a_domain_breaks_it(tmp_path: Path) -> None:
    errors = copy_tree(tmp_path) / "db" / "errors.py"
    errors.write_text(errors.read_text() + "\nfrom mediabase.collab import service as _wrong  # noqa\n")
    r = run_lint(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "BROKEN" in r.stdout and "mediabase.db.errors -> mediabase.collab" in r.stdout, r.stdout


def test_a_domain_importing_the_driver_breaks_it(tmp_path: Path) -> None:
    service = copy_tree(tmp_path) / "media" / "service.py"
    service.write_text(service.read_text() + "\nfrom psycopg.rows import class_row as _wrong  # noqa\n")
    r = run_lint(tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "only mediabase.db knows the driver BROKEN" in r.stdout, r.stdout
    assert "mediabase.media.service -> psycopg" in r.stdout, r.stdout
