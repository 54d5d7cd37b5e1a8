"""Shared helpers of the conformance tests: run our reader, compare what we model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mediabase.transcripts.formats import TranscriptFormatError, parse_bytes

# Errors that mean "this file yields no cue" (the suites' "0 cues" / "failed to load").
NO_CUE_REASONS = ("no cues", "not a WebVTT file")


@dataclass(frozen=True)
class Cue:
    """A cue as a suite states it; None: the suite says nothing about that field."""

    start_ms: int | None = None
    end_ms: int | None = None
    text: str | None = None


def read_cues(path: Path) -> list[Cue] | str:
    """Our cues, [] when we refuse the file for having none, or the error message."""
    try:
        parsed = parse_bytes(path.read_bytes(), source=path.name, format="vtt")
    except TranscriptFormatError as e:
        if e.reason.startswith(NO_CUE_REASONS):
            return []
        return str(e)
    return [Cue(s.start_ms, s.end_ms, s.text) for s in parsed.segments]


def compare(expected: list[Cue], actual: list[Cue] | str) -> str | None:
    """None when equal in count, times and (where stated) text; else the first difference."""
    if isinstance(actual, str):
        return f"refused: {actual}"
    if len(expected) != len(actual):
        return f"{len(actual)} cues, expected {len(expected)}"
    for k, (e, a) in enumerate(zip(expected, actual, strict=True)):
        if e.start_ms is not None and e.start_ms != a.start_ms:
            return f"cue {k}: starts at {a.start_ms} ms, expected {e.start_ms}"
        if e.end_ms is not None and e.end_ms != a.end_ms:
            return f"cue {k}: ends at {a.end_ms} ms, expected {e.end_ms}"
        if e.text is not None and e.text != a.text:
            return f"cue {k}: text {a.text!r}, expected {e.text!r}"
    return None
