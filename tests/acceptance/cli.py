"""Run the mediabase command line as a subprocess, the way a user does."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


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
