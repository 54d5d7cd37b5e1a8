"""Run the mediabase command line as a subprocess, the way a user does."""

from __future__ import annotations

import os
import subprocess
import sys


def mediabase(*args: str, url: str | None = None, timeout: float = 300, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    if url:
        full["MEDIABASE_DATABASE_URL"] = url
    full.update(env)
    full.setdefault("COLUMNS", "200")
    return subprocess.run(
        [sys.executable, "-m", "mediabase", *args],
        capture_output=True,
        text=True,
        env=full,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
