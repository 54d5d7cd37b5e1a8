"""Run the mediabase command line as a subprocess, the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys


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
