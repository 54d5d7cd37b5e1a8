"""Node for the tests of clients/drizzle (docs/clients.md): node and npm found (under CI=true a
missing one fails the test: .ci/run installs them), ``npm ci`` from the committed lockfile once per
session, and TypeScript programs compiled with ``tsc --strict`` beside a generated schema."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.servers import require

REPO = Path(__file__).resolve().parent.parent
DRIZZLE = REPO / "clients" / "drizzle"
NPM_CI = ["ci", "--prefer-offline", "--no-audit", "--no-fund"]


@dataclass(frozen=True)
class Node:
    node: str
    package: Path

    @property
    def tsc(self) -> list[str]:
        return [self.node, str(self.package / "node_modules" / "typescript" / "bin" / "tsc")]

    def run(self, script: Path, env: dict[str, str], timeout: float = 120) -> Any:
        """Run a compiled program; its stdout is one JSON document."""
        proc = subprocess.run([self.node, str(script)], capture_output=True, text=True, env=env, timeout=timeout,
                              check=False, stdin=subprocess.DEVNULL)
        assert proc.returncode == 0, proc.stderr + proc.stdout
        return json.loads(proc.stdout)


def install(package: Path = DRIZZLE) -> Node:
    """node and npm, and ``npm ci`` in ``package`` unless its node_modules already holds what
    package.json and package-lock.json say (a stamp); one process at a time (xdist workers share
    the folder)."""
    node = require("node", "nodejs")
    npm = require("npm", "npm")
    digest = hashlib.sha256((package / "package.json").read_bytes()
                            + (package / "package-lock.json").read_bytes()).hexdigest()
    stamp = package / "node_modules" / ".mediabase-npm-ci"
    with open(package / ".npm-ci.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (stamp.exists() and stamp.read_text() == digest):
                proc = subprocess.run([npm, *NPM_CI], cwd=package, capture_output=True, text=True, timeout=900,
                                      check=False, stdin=subprocess.DEVNULL)
                assert proc.returncode == 0, f"npm ci in {package} failed: {proc.stderr[-3000:]}"
                stamp.write_text(digest)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Node(node, package)


@contextmanager
def build(node: Node, files: dict[str, str], *, examples: bool = True,
          emit: bool = True) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    """A folder of ``package``/.build with ``files`` (name → text) and the examples, compiled by
    ``tsc --strict`` (``--noEmit`` unless ``emit``) with the package's tsconfig into its ``out``;
    yields the folder and what tsc answered, and removes the folder afterwards."""
    folder = node.package / ".build" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    try:
        if examples:
            for source in (node.package / "examples").glob("*.ts"):
                shutil.copy(source, folder / source.name)
        for name, text in files.items():
            (folder / name).write_text(text)
        (folder / "tsconfig.json").write_text(json.dumps({
            "extends": "../../tsconfig.json", "include": ["*.ts"],
            "compilerOptions": {"outDir": "out", "rootDir": "."},
        }))
        command = [*node.tsc, "--strict", *([] if emit else ["--noEmit"]), "-p", str(folder)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False,
                              stdin=subprocess.DEVNULL)
        yield folder, proc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
