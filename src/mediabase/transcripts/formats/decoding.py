"""Bytes to text: byte order marks, UTF-8, then legacy-encoding detection (said to be a guess)."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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
_WESTERN_SAMPLE = 262144
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
# Bytes that are not UTF-8 are damaged UTF-8, not a legacy encoding, when valid UTF-8 sequences
# outnumber them this many times (legacy double-byte text: at most ~0.9 valid per invalid byte).
_DAMAGED_UTF8_RATIO = 3
_CENSUS_SAMPLE = 1 << 20
# Fewer non-ASCII bytes than this tell a statistical detector nothing: no guess is made.
_MIN_DETECT_BYTES = 8
_HIGH_BYTES = bytes(range(0x80, 0x100))


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text, the encoding it was read as, and whether that was a guess (nothing declared it)."""

    text: str
    encoding: str
    guessed: bool


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
    """Decode a transcript file (see :func:`decode`); the text only."""
    return decode(data, source=source, encoding=encoding).text


def decode(data: bytes, *, source: str, encoding: str | None = None) -> Decoded:
    """Decode a transcript file, saying which encoding was used and whether it was a guess.

    An explicit ``encoding`` wins (a leading U+FEFF is dropped). Otherwise a UTF-8/16/32
    byte order mark decides (and is stripped); else strict UTF-8. Only then is the encoding
    guessed: UTF-16 when it is full of NULs in every other byte (UTF-16 without a mark);
    windows-1252 when the bytes read as Western European text; else charset-normalizer's
    legacy encoding (gb2312/gb18030, windows-1251, ...). Refused with the line of the first
    byte that is not UTF-8: UTF-8 with a few broken bytes (damaged, or two encodings mixed:
    any guess would garble it), bytes that no candidate reads, too few non-ASCII bytes to
    guess from, and binary data (TranscriptFormatError).
    """
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise TranscriptFormatError(source, None, f"unknown encoding {encoding!r}") from None
        result = Decoded(_strict(data, encoding, source).removeprefix("\ufeff"), name, False)
    else:
        for bom, name in _BOMS:
            if data.startswith(bom):
                result = Decoded(_strict(data, name, source, skip=len(bom)), name, False)
                break
        else:
            bomless = _bomless_utf16(data)
            if bomless is not None:
                result = Decoded(*bomless, True)
            else:
                try:
                    result = Decoded(data.decode("utf-8"), "utf-8", False)
                except UnicodeDecodeError as e:
                    result = Decoded(*_guess(data, source, e), True)
    if looks_binary(result.text):
        raise TranscriptFormatError(source, None, "binary data, not a text file")
    return result


# Non-letters that Western European windows-1252 text commonly holds.
_WESTERN_PUNCT = frozenset(
    "\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00ab\u00bb"
    "\u00a1\u00bf\u00b0\u20ac\u00a3\u00a7\u00a9\u00ae\u00b7\u00a0\u2022\u2122"
)


def _western(data: bytes) -> str | None:
    """The windows-1252 reading of data when it looks like Western European text.

    Legacy subtitle files are most often windows-1252, and short ones fool statistical
    detectors. Accepted when nearly every non-ASCII character is a letter or common
    punctuation and stands beside ASCII (accents inside words), which text in CJK
    double-byte or Cyrillic/Greek/Hebrew code pages does not. Czech/Slovak windows-1250
    (r-caron read as o-slash, e-caron as i-grave, no a-ring/ae) is left to the detector.
    Judged on the first 256 KiB.
    """
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    sample = text[:_WESTERN_SAMPLE]
    n = good = interior = 0
    last = len(sample) - 1
    for m in _NON_ASCII.finditer(sample):
        i, ch = m.start(), m[0]
        n += 1
        if ch.isalpha() or ch in _WESTERN_PUNCT:
            good += 1
        if 0 < i < last and sample[i - 1] >= "\x80" and sample[i + 1] >= "\x80":
            interior += 1
    if n == 0:
        return text
    if good < 0.95 * n or interior > 0.1 * n:
        return None
    central = sample.count("\u00f8") + sample.count("\u00ec")  # o-slash, i-grave
    if central > 0.1 * n and not any(c in sample for c in "\u00e5\u00e6\u00c5\u00c6"):
        return None
    return text


def _bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a byte order mark: ASCII-range text has a NUL in every other byte."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    codec = "utf-16-le" if odd > 3 * even else "utf-16-be" if even > 3 * odd else None
    if codec is None:
        return None
    try:
        return data.decode(codec), codec
    except UnicodeDecodeError:
        return None


def _utf8_census(data: bytes) -> tuple[int, int]:
    """Non-ASCII bytes that are valid UTF-8, and bytes that are not (of the first MiB)."""
    sample = data[:_CENSUS_SAMPLE]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    # an invalid byte becomes one lone surrogate, which surrogatepass writes as three bytes
    invalid = (len(sample.decode("utf-8", "surrogateescape").encode("utf-8", "surrogatepass")) - len(sample)) // 2
    return high - invalid, invalid


def _guess(data: bytes, source: str, error: UnicodeDecodeError) -> tuple[str, str]:
    """The text and encoding of bytes that declare none and are not UTF-8, or a refusal that
    names the line of the first byte that is not UTF-8."""
    line = _line_of(data, error.start, "utf-8")
    where = f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
    valid, invalid = _utf8_census(data)
    if valid >= _DAMAGED_UTF8_RATIO * invalid:
        raise TranscriptFormatError(
            source, line,
            f"{where}, though the rest of the file is UTF-8: a damaged file or mixed encodings; fix that"
            " byte, or pass --encoding to read the whole file as another encoding",
        )
    western = _western(data)
    if western is not None:
        return western, "cp1252"
    if valid + invalid < _MIN_DETECT_BYTES:
        raise TranscriptFormatError(
            source, line,
            f"{where} nor windows-1252, and too little such text to tell its encoding: pass --encoding",
        )
    return _detect(data, source, line, where)


def _detect(data: bytes, source: str, line: int, where: str) -> tuple[str, str]:
    try:
        best = from_bytes(data).best()
        if best is None:  # short samples of real text can look chaotic: ask less
            best = from_bytes(data, threshold=0.5).best()
    except Exception as e:  # a third-party heuristic: never let it escape as a crash
        raise TranscriptFormatError(source, None, f"cannot detect the encoding: {e}") from None
    if best is None:
        raise TranscriptFormatError(
            source, line, f"{where}, and no other text encoding fits (binary data?): pass --encoding if you know it"
        )
    return str(best), str(best.encoding)
