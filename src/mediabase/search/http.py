"""What search's HTTP clients share: the OpenAI-compatible embedding endpoint
(embedding/openai_compat.py) and the rerank service (rerank.py)."""

from __future__ import annotations

import math

EXCERPT_CHARS = 300


def excerpt(text: str) -> str:
    """A response body on one line, cut at ``EXCERPT_CHARS``, for an error message."""
    flat = " ".join(text.split())
    if not flat:
        return "(empty body)"
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS] + "…"


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (HTTP dates are ignored)."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None
