"""The data every reader returns and every writer takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

FORMATS: tuple[str, ...] = ("srt", "vtt", "whisper", "json")
"""The formats `parse_text`/`parse_bytes` read (AMI is a folder, see `iter_ami_meetings`)."""

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
MAX_TIME_MS = 2**53 - 1
"""Larger times are refused: they fit no float exactly and no sane recording."""


@dataclass(frozen=True, slots=True)
class Word:
    """One time-aligned word (times may be unknown, e.g. WhisperX numerals, AMI gaps)."""

    text: str
    start_ms: int | None
    end_ms: int | None
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """One cue / utterance."""

    start_ms: int
    end_ms: int
    text: str
    speaker: str | None = None
    """The label as written in the file (VTT ``<v Name>``, whisper "speaker", AMI agent)."""
    confidence: float | None = None
    """0..1 when the source says."""
    words: tuple[Word, ...] | None = None
    line: int | None = None
    """1-based source line where the cue starts (for messages)."""


@dataclass(slots=True)
class ParsedTranscript:
    format: str
    """'srt' | 'vtt' | 'whisper' | 'json' | 'ami'"""
    source: str
    """File name / path used in messages."""
    segments: list[Segment]
    language: str | None = None
    title: str | None = None
    duration_ms: int | None = None
    recorded_at: datetime | None = None
    """When the recording was made, where the source says (AMI: meetings.xml's date and start)."""
    speakers: dict[str, str] = field(default_factory=dict)
    """label -> display name (AMI: 'A' -> 'Project Manager')."""
    warnings: list[str] = field(default_factory=list)
    """What the reader tolerated ("source:line: reason"), e.g. a WebVTT cue dropped as the
    WebVTT parser algorithm says, an SRT block without a timing line."""
    encoding: str | None = None
    """The text encoding the file was read as (None: given as text, or AMI's XML)."""
    encoding_guessed: bool = False
    """True when nothing declared ``encoding`` (no --encoding, no byte order mark, not UTF-8)."""


class TranscriptFormatError(ValueError):
    """A file that cannot be read, with where and why.

    ``str(e)`` is ``"source:line: reason"``, or ``"source: reason"`` when no line applies.
    """

    source: str
    line: int | None
    reason: str

    def __init__(self, source: str, line: int | None, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.source}: {self.reason}"
        return f"{self.source}:{self.line}: {self.reason}"

    def __reduce__(self) -> tuple[type[TranscriptFormatError], tuple[str, int | None, str]]:
        return (type(self), (self.source, self.line, self.reason))
