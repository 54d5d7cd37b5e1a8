"""No personal data in the logs of the suite (a pytest plugin, loaded by tests/conftest.py).

Every record of mediabase's and uvicorn's loggers during the run is formatted as an operator
reads it (``MEDIABASE_LOG_FORMAT=json``). When the session ends, the lines are searched for
the e-mail addresses and API keys the tests made (:func:`watch`: the tenants' users and keys)
and for anything shaped like an e-mail address, a key or a webhook signing secret; one is an
error of the session.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

from mediabase.logs import ContextFilter, JsonFormatter

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_KEY = re.compile(r"mb_[a-z0-9]{12}_[A-Za-z0-9_-]{16,}")
_WEBHOOK_SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{16,}")  # docs/webhooks.md
_watched: set[str] = set()


def watch(*values: str) -> None:
    """Values that must never be logged (the tests' users' e-mail addresses, their keys)."""
    _watched.update(v for v in values if v)


def leaks(lines: list[str]) -> list[str]:
    """The lines that hold a watched value, an e-mail address or an API key."""
    return [
        line for line in lines
        if _EMAIL.search(line) or _KEY.search(line) or _WEBHOOK_SECRET.search(line)
        or any(value in line for value in _watched)
    ]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(ContextFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("mediabase", "uvicorn")):
            self.lines.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def _logs_hold_no_personal_data() -> Iterator[None]:
    handler = _Collect()
    root, ours = logging.getLogger(), logging.getLogger("mediabase")
    level = ours.level
    if ours.getEffectiveLevel() > logging.INFO:
        ours.setLevel(logging.INFO)  # the access log too
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)
        ours.setLevel(level)
    found = leaks(handler.lines)
    if found:
        pytest.fail(f"{len(found)} of {len(handler.lines)} log records of the suite hold personal data:\n"
                    + "\n".join(found[:5]), pytrace=False)
