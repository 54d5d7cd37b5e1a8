"""detect_format, parse_bytes and parse_text: the entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediabase.transcripts.formats import (
    DEFAULT_MAX_BYTES,
    FORMATS,
    TranscriptFormatError,
    detect_format,
    parse_bytes,
    parse_text,
)

SRT = "1\n00:00:01,000 --> 00:00:02,000\nhi\n"
VTT = "WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n"
WHISPER = '{"segments": [{"start": 1.0, "end": 2.0, "text": " hi"}], "language": "en"}'
OURS = '[{"start_ms": 1000, "end_ms": 2000, "text": "hi"}]'


def test_formats() -> None:
    assert FORMATS == ("srt", "vtt", "whisper", "json")
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        ("a.srt", "", "srt"),
        ("a.SRT", VTT, "srt"),  # the extension decides
        ("a.msrt", SRT, "srt"),
        ("dir/a.vtt", "", "vtt"),
        ("a.webvtt", "", "vtt"),
        ("a.json", WHISPER, "whisper"),
        ("a.json", OURS, "json"),
        ("a.json", "", "json"),
        ("a.txt", "\ufeff  " + VTT, "vtt"),
        ("noext", SRT, "srt"),
        ("noext", "[*] header\n\n" + SRT, "srt"),
        ("noext", WHISPER, "whisper"),
        ("noext", "\n " + OURS, "json"),
    ],
)
def test_detect_format(name: str, text: str, fmt: str) -> None:
    assert detect_format(name, text) == fmt


@pytest.mark.parametrize("text", ["", "hello world", "0:00:00.378,0:00:11.378\nsbv\n"])
def test_detect_format_unknown(text: str) -> None:
    with pytest.raises(TranscriptFormatError, match="unknown transcript format") as info:
        detect_format("upload.bin", text)
    assert info.value.source == "upload.bin"
    assert info.value.line is None


@pytest.mark.parametrize(
    ("name", "text", "fmt", "language"),
    [
        ("x.srt", SRT, "srt", None),
        ("x.vtt", VTT, "vtt", None),
        ("x.json", WHISPER, "whisper", "en"),
        ("x.json", OURS, "json", None),
    ],
)
def test_parse_bytes_every_format(name: str, text: str, fmt: str, language: str | None) -> None:
    parsed = parse_bytes(text.encode(), source=name)
    assert parsed.format == fmt
    assert parsed.source == name
    assert parsed.language == language
    assert [(s.start_ms, s.end_ms, s.text) for s in parsed.segments] == [(1000, 2000, "hi")]


def test_explicit_format_and_encoding() -> None:
    parsed = parse_bytes(SRT.replace("hi", "h\xe9").encode("latin-1"), source="upload",
                         format="srt", encoding="latin-1")
    assert parsed.segments[0].text == "h\xe9"


def test_max_bytes() -> None:
    data = SRT.encode()
    assert parse_bytes(data, source="x.srt", max_bytes=len(data)).segments
    with pytest.raises(TranscriptFormatError) as info:
        parse_bytes(data, source="x.srt", max_bytes=len(data) - 1)
    assert str(info.value) == (
        f"x.srt: file too large: {len(data)} bytes (the limit is {len(data) - 1})"
    )


def test_default_limit_is_50_mb() -> None:
    big = b"1\n00:00:01,000 --> 00:00:02,000\nx\n\n" * (DEFAULT_MAX_BYTES // 34 + 1)
    assert len(big) > DEFAULT_MAX_BYTES
    with pytest.raises(TranscriptFormatError, match="file too large"):
        parse_bytes(big, source="big.srt")


def test_unsupported_format() -> None:
    with pytest.raises(TranscriptFormatError, match="unsupported format 'ami'"):
        parse_text(SRT, source="x", format="ami")


def test_error_str_and_attributes() -> None:
    e = TranscriptFormatError("a.srt", 7, "bad")
    assert (str(e), e.source, e.line, e.reason) == ("a.srt:7: bad", "a.srt", 7, "bad")
    assert str(TranscriptFormatError("a.srt", None, "bad")) == "a.srt: bad"
    assert isinstance(e, ValueError)


def test_read_file_refuses_what_is_not_a_regular_file_without_blocking(tmp_path: Path) -> None:
    import os

    from mediabase.transcripts.formats import read_file

    fifo = tmp_path / "pipe.srt"
    os.mkfifo(fifo)  # no writer: a plain open() would wait for one for ever
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device"), (tmp_path, "a folder")):
        with pytest.raises(TranscriptFormatError, match=rf"not a regular file \({kind}\)"):
            read_file(path)
    big = tmp_path / "big.srt"
    with big.open("wb") as f:
        f.truncate(10**9)  # sparse
    with pytest.raises(TranscriptFormatError, match=r"file too large: 1000000000 bytes \(the limit is 1000\)"):
        read_file(big, 1000)
    small = tmp_path / "small.srt"
    small.write_bytes(b"x" * 1000)
    assert read_file(small, 1000) == b"x" * 1000
    with pytest.raises(TranscriptFormatError, match="cannot open"):
        read_file(tmp_path / "missing.srt")
