from __future__ import annotations

import pytest

from mediabase.transcripts.formats.model import MAX_TIME_MS
from mediabase.transcripts.formats.timecode import (
    TimecodeError,
    Timing,
    format_srt_timestamp,
    format_vtt_timestamp,
    is_srt_timing,
    parse_srt_timing,
    parse_vtt_timing,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("00:00:01.000 --> 00:00:02.500", Timing(1000, 2500)),
        ("01:02:03.004 --> 01:02:03.005 align:start position:0%", Timing(3723004, 3723005)),
        ("00:16.500 --> 00:18.500", Timing(16500, 18500)),  # hours left out
        ("0:00:00.000 --> 00:00:01.000", Timing(0, 1000)),  # one-digit hours
        ("000:00:00.000 --> 00:00:01.000", Timing(0, 1000)),  # three-digit hours
        ("266:18:35.679 --> 266:18:37.305", Timing(958715679, 958717305)),
        ("00:00:25.000\t\t-->\t\t00:00:27.000", Timing(25000, 27000)),
        ("00:00:25.000-->00:00:27.000", Timing(25000, 27000)),
        ("00:00.000 --> 00:01.000line:40%", Timing(0, 1000)),  # settings need no space
        ("   00:00:00.000    -->  00:00:01.000 ", Timing(0, 1000)),
        ("\f00:00:00.000\f-->\f00:00:01.000", Timing(0, 1000)),  # form feed is whitespace
        ("60:00:00.000 --> 60:00:01.000", Timing(216000000, 216001000)),
    ],
)
def test_vtt_spec_timings(line: str, expected: Timing) -> None:
    assert parse_vtt_timing(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("00:00:00,500 --> 00:00:07,000", Timing(500, 7000, lenient=True)),
        ("00:01:39 --> 00:01:41.04", Timing(99000, 101040, lenient=True)),
        ("00:02:04.08 --> 00:02:07.12  region:fred", Timing(124080, 127120, lenient=True)),
        ("00:00 --> 00:01.234", Timing(0, 1234, lenient=True)),
        ("00:00:00.5 --> 00:00:01.25", Timing(500, 1250, lenient=True)),
    ],
)
def test_vtt_lenient_timings(line: str, expected: Timing) -> None:
    assert parse_vtt_timing(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "00:00:60.000 --> 00:00:01.000",  # seconds > 59
        "00:60:00.000 --> 00:00:01.000",  # minutes > 59
        "0:00.000 --> 00:01.000",  # one digit first field means hours: 3 fields needed
        "000:00.000 --> 00:01.000",
        "00:000.000 --> 00:01.000",
        "00:00:00.0000 --> 00:00:01.000",
        "00.00.000 --> 00:02.000",
        "00:00:00.000 00:00:01.000",  # no arrow
        "00:00:00.000 -> 00:00:01.000",
        "00:00:00.000x --> 00:00:01.000",
        "00:00:00.000 --> 00:00:01x000",
        "00:00:00.000 --> 00:00:01.00x",
        "-00:00:01.000 --> 00:00:02.000",  # no sign in WebVTT
        "\v00:00:00.000 --> 00:00:01.000",  # vertical tab is not whitespace
        "00:00:00\ufffd.000 --> 00:00:01.000",
        "00:00:00.000 --> not-a-timestamp",
        "9" * 5000 + ":00:00.000 --> 00:00:01.000",  # no int() of huge digit runs
        "-->",
        "",
    ],
)
def test_vtt_invalid_timings(line: str) -> None:
    assert parse_vtt_timing(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("00:00:01,000 --> 00:00:02,000", (1000, 2000)),
        ("00:00:02.400 --> 00:00:05.200", (2400, 5200)),  # dot separator
        ("00:00:07,000 --> 00:00:11.890", (7000, 11890)),  # mixed separators
        ("00:00,000 --> 00:01,234", (0, 1234)),  # no hours
        ("00:00:02 --> 00:00:03", (2000, 3000)),  # no milliseconds
        ("00:00:013,567 --> 00:00:14,901", (13567, 14901)),  # 3-digit seconds field
        ("00:00:0,000 --> 00:00:01,000", (0, 1000)),  # 1-digit seconds field
        ("00:00:15,712 --> 00:00:17,399 X1:000 X2:000 Y1:050 Y2:100", (15712, 17399)),
        ("  00:00:01,5   -->   00:00:02,25  ", (1500, 2250)),
        ("00:00:01,0004 --> 00:00:01,0006", (1000, 1001)),  # rounded to the ms
        ("75:30,000 --> 76:00,000", (4530000, 4560000)),  # mm:ss with minutes > 59
    ],
)
def test_srt_timings(line: str, expected: tuple[int, int]) -> None:
    assert is_srt_timing(line)
    timing = parse_srt_timing(line)
    assert (timing.start_ms, timing.end_ms) == expected


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("-0:00:04,567 --> -0:00:03,456", "negative timestamp"),
        ("-00:00:02,345 --> 00:00:01,234", "negative timestamp"),
        ("00:00:60,000 --> 00:01:00,000", "seconds out of range"),
        ("00:60:00,000 --> 01:00:00,000", "minutes out of range"),
        ("             --> 02:00:10,901", "malformed timing line"),
        ("02:00:12,901 -->", "malformed timing line"),
        ("00:00:01:500 --> 00:00:02:000", "malformed timing line"),
        ("00:00:01,000 --> 00:00:02,000garbage", "malformed timing line"),
        ("9" * 30 + ":00:00,000 --> 00:00:01,000", "time out of range"),
    ],
)
def test_srt_bad_timings(line: str, reason: str) -> None:
    with pytest.raises(TimecodeError, match=reason):
        parse_srt_timing(line)


def test_srt_time_limit() -> None:
    hours = MAX_TIME_MS // 3_600_000 + 1
    with pytest.raises(TimecodeError, match="out of range"):
        parse_srt_timing(f"{hours}:00:00,000 --> {hours}:00:00,001")


@pytest.mark.parametrize(
    ("ms", "srt", "vtt"),
    [
        (0, "00:00:00,000", "00:00:00.000"),
        (3723004, "01:02:03,004", "01:02:03.004"),
        (360000000, "100:00:00,000", "100:00:00.000"),
    ],
)
def test_format(ms: int, srt: str, vtt: str) -> None:
    assert format_srt_timestamp(ms) == srt
    assert format_vtt_timestamp(ms) == vtt
    assert parse_srt_timing(f"{srt} --> {srt}").start_ms == ms
    assert parse_vtt_timing(f"{vtt} --> {vtt}") == Timing(ms, ms)


def test_format_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_srt_timestamp(-1)
