"""Format detection and the parse entry points."""

from __future__ import annotations

import re
from pathlib import PurePath

from .decoding import decode_text
from .jsonfmt import parse_json
from .model import DEFAULT_MAX_BYTES, FORMATS, ParsedTranscript, TranscriptFormatError
from .srt import parse_srt
from .text import split_lines
from .timecode import is_srt_timing
from .vtt import parse_vtt

_EXTENSIONS = {".srt": "srt", ".msrt": "srt", ".vtt": "vtt", ".webvtt": "vtt"}
_FIRST_START_KEY = re.compile(r'"(start_ms|start)"\s*:')
_JSON_START = re.compile(r'\[\s*[\[{\]"]|\{\s*["}]')  # not "[*] msrt header"
_SNIFF_CHARS = 65536
_SNIFF_LINES = 500


def _json_kind(text: str) -> str:
    m = _FIRST_START_KEY.search(text, 0, _SNIFF_CHARS)
    return "whisper" if m is not None and m[1] == "start" else "json"


def detect_format(name: str, text: str) -> str:
    """'srt', 'vtt', 'whisper' or 'json': by extension (.srt .msrt .vtt .webvtt .json), then
    by content (``WEBVTT`` signature, JSON, a SubRip timing line near the top)."""
    ext = PurePath(name).suffix.lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    if ext == ".json":
        return _json_kind(text)
    head = text[:_SNIFF_CHARS].lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return "vtt"
    if _JSON_START.match(head):
        return _json_kind(head)
    for line in split_lines(head)[:_SNIFF_LINES]:
        if "-->" in line and is_srt_timing(line):
            return "srt"
    raise TranscriptFormatError(
        name, None, "unknown transcript format (not SubRip, WebVTT or JSON by name or content)"
    )


def parse_text(text: str, *, source: str, format: str) -> ParsedTranscript:
    """Parse decoded text as `format` (one of FORMATS). 'whisper' and 'json' share one
    reader; the result's format says which shape the file had."""
    if format == "srt":
        return parse_srt(text, source=source)
    if format == "vtt":
        return parse_vtt(text, source=source)
    if format in ("whisper", "json"):
        return parse_json(text, source=source)
    raise TranscriptFormatError(
        source, None, f"unsupported format {format!r} (expected one of {', '.join(FORMATS)})"
    )


def parse_bytes(
    data: bytes,
    *,
    source: str,
    format: str | None = None,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParsedTranscript:
    """Decode (see decode_text), detect the format unless given, and parse.

    Input longer than `max_bytes` is refused before anything else is done.
    """
    if len(data) > max_bytes:
        raise TranscriptFormatError(
            source, None, f"file too large: {len(data)} bytes (the limit is {max_bytes})"
        )
    text = decode_text(data, source=source, encoding=encoding)
    fmt = format if format is not None else detect_format(source, text)
    return parse_text(text, source=source, format=fmt)
