"""Run the mediabase command line as a subprocess, the way a user does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from typer.testing import CliRunner


def mediabase(*args: str, url: str | None = None, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    if url:
        full["MEDIABASE_DATABASE_URL"] = url
    full["COLUMNS"] = "200"  # wide tables whatever the terminal (xdist and some CI set COLUMNS=80)
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "mediabase", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def worker(url: str, log: Path, *args: str) -> Iterator[Path]:
    """``mediabase worker`` with ``args`` against ``url`` while the block runs, its output in
    ``log`` (yielded); stopped with SIGTERM (killed after a minute)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env["MEDIABASE_DATABASE_URL"] = url
    with log.open("w") as out, subprocess.Popen(
        [sys.executable, "-m", "mediabase", "worker", *args],
        env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    ) as proc:
        try:
            yield log
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def help_of(root: Any, path: tuple[str, ...]) -> tuple[int | str | None, str]:
    """``mediabase PATH --help`` in this process, as ``CliRunner.invoke`` runs it, but on a tree of
    commands built once: ``invoke`` builds the whole tree (~290 commands, their signatures and
    type hints) again on every call, ~0.5 s each."""
    with CliRunner().isolation() as (_, _, output):
        try:
            root.main(args=[*path, "--help"], prog_name="mediabase")
            code: int | str | None = 0
        except SystemExit as exit_:
            code = exit_.code
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
        return code, output.getvalue().decode()
