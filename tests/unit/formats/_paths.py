"""Where the test data lives."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / "tests" / "data"
SUBTITLES = DATA / "subtitles"
AMI_ES2002 = DATA / "ami" / "ES2002"
# The team's shared data folder (optional: tests that need it skip without it).
SHARED = Path(os.environ.get("MEDIABASE_SHARED_DATA", REPO.parent / "shared" / "data"))
