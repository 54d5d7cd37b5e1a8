"""Format detection and the parse entry points."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePath

from .decoding import decode
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
    """Decode (see decode), detect the format unless given, and parse; the result says which
    encoding was used and whether that was a guess.

    Input longer than `max_bytes` is refused before anything else is done.
    """
    if len(data) > max_bytes:
        raise _too_large(source, len(data), max_bytes)
    decoded = decode(data, source=source, encoding=encoding)
    fmt = format if format is not None else detect_format(source, decoded.text)
    parsed = parse_text(decoded.text, source=source, format=fmt)
    parsed.encoding, parsed.encoding_guessed = decoded.encoding, decoded.guessed
    return parsed


def _too_large(source: str, size: int | str, max_bytes: int) -> TranscriptFormatError:
    return TranscriptFormatError(source, None, f"file too large: {size} bytes (the limit is {max_bytes})")


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or TranscriptFormatError.

    The file is opened without blocking (a FIFO with no writer does not hang) and looked at
    before anything is read: devices, FIFOs, sockets and folders are refused, and so is a file
    whose size is over the limit. It is then read with a bound (never more than `max_bytes` + 1
    bytes, whatever it grew to meanwhile).
    """
    source = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise TranscriptFormatError(source, None, f"cannot open: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a file")
            raise TranscriptFormatError(source, None, f"not a regular file ({kind})")
        if st.st_size > max_bytes:
            raise _too_large(source, st.st_size, max_bytes)
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # it grew after the look
            raise _too_large(source, f"more than {max_bytes}", max_bytes)
        return b"".join(chunks)
    except OSError as exc:
        raise TranscriptFormatError(source, None, f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
