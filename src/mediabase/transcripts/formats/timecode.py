"""Timestamps of SubRip and WebVTT timing lines: reading and writing, in integer ms."""

from __future__ import annotations

import re
from typing import NamedTuple

from .model import MAX_TIME_MS


class TimecodeError(ValueError):
    """A timing line that cannot be read; the caller adds file and line."""


class Timing(NamedTuple):
    start_ms: int
    end_ms: int
    lenient: bool = False
    """True when only the lenient (non-spec) grammar accepted the line."""


def _fraction_ms(digits: str | None) -> int:
    """'5' -> 500, '04' -> 40, '123' -> 123 (a decimal fraction of a second)."""
    if not digits:
        return 0
    return int(digits.ljust(3, "0"))


# --- WebVTT ----------------------------------------------------------------------------
# ASCII whitespace of the WebVTT spec: tab, LF, FF, CR, space (not vertical tab).
_WS = "[\t\n\f\r ]"
# The "collect a WebVTT timestamp" algorithm as a regex: maximal digit runs (possessive),
# the length and range rules are checked in _vtt_spec_ms.
_VTT_TS = r"(\d++):(\d++)(?::(\d++))?\.(\d++)"
_VTT_STRICT = re.compile(rf"{_WS}*+{_VTT_TS}{_WS}*+-->{_WS}*+{_VTT_TS}")
# Lenient fallback (not in the spec): ',' or '.' before the fraction, 1-3 fraction digits
# or none; each timestamp must end at whitespace or the arrow / end of line.
_LTS = r"(?:(\d++):)?(\d{2}):(\d{2})(?:[.,](\d{1,3}))?"
_VTT_LENIENT = re.compile(rf"{_WS}*+{_LTS}(?={_WS}|-->){_WS}*+-->{_WS}*+{_LTS}(?={_WS}|$)")


_MAX_DIGITS = 15  # int() of longer runs is pointless (and Python caps it at 4300 digits)


def _vtt_spec_ms(g1: str, g2: str, g3: str | None, g4: str) -> int | None:
    if len(g1) > _MAX_DIGITS:
        return None
    if g3 is None:
        # Two fields: minutes:seconds, and the first must look like minutes.
        if len(g1) != 2 or int(g1) > 59:
            return None
        hours, minutes, seconds = 0, int(g1), g2
    else:
        if len(g2) != 2:
            return None
        hours, minutes, seconds = int(g1), int(g2), g3
    if len(seconds) != 2 or len(g4) != 3:
        return None
    if minutes > 59 or int(seconds) > 59:
        return None
    ms = ((hours * 60 + minutes) * 60 + int(seconds)) * 1000 + int(g4)
    return ms if ms <= MAX_TIME_MS else None


def _lenient_ms(hours: str | None, minutes: str, seconds: str, frac: str | None) -> int | None:
    if hours is not None and len(hours) > _MAX_DIGITS:
        return None
    if int(minutes) > 59 or int(seconds) > 59:
        return None
    h = int(hours) if hours is not None else 0
    ms = ((h * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + _fraction_ms(frac)
    return ms if ms <= MAX_TIME_MS else None


def parse_vtt_timing(line: str) -> Timing | None:
    """Start and end of a WebVTT timing line, settings ignored; None when invalid.

    The WebVTT grammar is tried first (``[hh:]mm:ss.ttt``, anything may follow the end
    timestamp). Failing that, a lenient grammar accepts ``,`` for ``.``, a 1-2 digit or
    missing fraction (``00:01:39``, ``00:02:04.08``) — forms found in real files that the
    spec rejects.
    """
    m = _VTT_STRICT.match(line)
    if m is not None:
        start = _vtt_spec_ms(m[1], m[2], m[3], m[4])
        end = _vtt_spec_ms(m[5], m[6], m[7], m[8])
        if start is not None and end is not None:
            return Timing(start, end)
    m = _VTT_LENIENT.match(line)
    if m is not None:
        start = _lenient_ms(m[1], m[2], m[3], m[4])
        end = _lenient_ms(m[5], m[6], m[7], m[8])
        if start is not None and end is not None:
            return Timing(start, end, lenient=True)
    return None


# --- SubRip ----------------------------------------------------------------------------
_SRT_TS = r"(-?)(?:(\d++):)?(\d++):(\d++)(?:[,.](\d++))?"
_SRT_LINE = re.compile(rf"[ \t]*+{_SRT_TS}[ \t]*+-->[ \t]*+{_SRT_TS}(?:[ \t].*)?")


def _srt_ms(sign: str, hours: str | None, minutes: str, seconds: str, frac: str | None) -> int:
    if sign:
        raise TimecodeError("negative timestamp")
    if max(len(hours or ""), len(minutes), len(seconds)) > _MAX_DIGITS:
        raise TimecodeError("time out of range")
    if int(seconds) > 59:
        raise TimecodeError(f"seconds out of range ({seconds})")
    if hours is not None and int(minutes) > 59:
        raise TimecodeError(f"minutes out of range ({minutes})")
    if frac is not None and len(frac) > 3:
        # More than ms precision: round to the nearest ms.
        frac = frac[:9]
        ms = round(float(f"0.{frac}") * 1000)
    else:
        ms = _fraction_ms(frac)
    h = int(hours) if hours is not None else 0
    total = ((h * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + ms
    if total > MAX_TIME_MS:
        raise TimecodeError("time out of range")
    return total


def is_srt_timing(line: str) -> bool:
    """True when the line has the shape of a SubRip timing line (values unchecked)."""
    return "-->" in line and _SRT_LINE.fullmatch(line.strip()) is not None


def parse_srt_timing(line: str) -> Timing:
    """Start and end of a SubRip timing line.

    Accepted: ``[h:]m:s[,ttt|.ttt]`` on both sides of ``-->`` with any spaces, any digit
    count per field (``00:00:013,567`` is 13.567 s, as players read it), trailing
    position info (``X1:.. Y1:..``). Raises TimecodeError (negative time, seconds > 59,
    minutes > 59 when hours are given, or not a timing line at all).
    """
    m = _SRT_LINE.fullmatch(line.strip())
    if m is None:
        raise TimecodeError(f"malformed timing line {line.strip()!r}")
    start = _srt_ms(m[1], m[2], m[3], m[4], m[5])
    end = _srt_ms(m[6], m[7], m[8], m[9], m[10])
    return Timing(start, end)


# --- writing ---------------------------------------------------------------------------
def format_timestamp(ms: int, sep: str) -> str:
    """``HH:MM:SS<sep>mmm`` (hours grow past two digits when needed)."""
    if ms < 0:
        raise ValueError(f"negative time {ms} ms")
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{sep}{millis:03d}"


def format_srt_timestamp(ms: int) -> str:
    return format_timestamp(ms, ",")


def format_vtt_timestamp(ms: int) -> str:
    return format_timestamp(ms, ".")
