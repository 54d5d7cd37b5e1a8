"""Bytes to text: byte order marks, UTF-8, then legacy-encoding detection."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from .model import TranscriptFormatError

# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)

# Control characters that text files do not contain (tab, LF, VT, FF, CR excluded).
_BINARY_CHARS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\v\f\r")
_BINARY_SAMPLE = 65536


def _line_of(data: bytes, offset: int, encoding: str) -> int:
    prefix = data[:offset].decode(encoding, errors="replace")
    return prefix.count("\n") + 1


def _strict(data: bytes, encoding: str, source: str, skip: int = 0) -> str:
    try:
        text = data[skip:].decode(encoding)
    except UnicodeDecodeError as e:
        line = _line_of(data[skip:], e.start, encoding)
        raise TranscriptFormatError(
            source, line, f"not valid {encoding} (byte offset {skip + e.start}): {e.reason}"
        ) from None
    return text


def looks_binary(text: str) -> bool:
    """More than 10 % control characters (beyond a handful): not a text file."""
    sample = text[:_BINARY_SAMPLE]
    count = sum(1 for ch in sample if ch in _BINARY_CHARS)
    return count > 8 and count * 10 > len(sample)


def decode_text(data: bytes, *, source: str, encoding: str | None = None) -> str:
    """Decode a transcript file.

    An explicit ``encoding`` wins (a leading U+FEFF is dropped). Otherwise a UTF-8/16/32
    byte order mark decides (and is stripped); else strict UTF-8; else charset-normalizer
    guesses a legacy encoding (cp1252, gb2312/gb18030, ...). Undecodable data and binary
    data raise TranscriptFormatError.
    """
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise TranscriptFormatError(source, None, f"unknown encoding {encoding!r}") from None
        text = _strict(data, encoding, source)
        text = text.removeprefix("\ufeff")
    else:
        for bom, name in _BOMS:
            if data.startswith(bom):
                text = _strict(data, name, source, skip=len(bom))
                break
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = _detect(data, source)
    if looks_binary(text):
        raise TranscriptFormatError(source, None, "binary data, not a text file")
    return text


def _detect(data: bytes, source: str) -> str:
    try:
        best = from_bytes(data).best()
    except Exception as e:  # a third-party heuristic: never let it escape as a crash
        raise TranscriptFormatError(source, None, f"cannot detect the encoding: {e}") from None
    if best is None:
        raise TranscriptFormatError(
            source, None, "not UTF-8 and no other text encoding fits (binary data?)"
        )
    return str(best)
