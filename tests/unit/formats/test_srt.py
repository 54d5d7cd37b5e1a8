from __future__ import annotations

import pytest

from mediabase.transcripts.formats import ParsedTranscript, TranscriptFormatError, parse_text


def srt(text: str) -> ParsedTranscript:
    return parse_text(text, source="t.srt", format="srt")


def cues(text: str) -> list[tuple[int, int, str]]:
    return [(s.start_ms, s.end_ms, s.text) for s in srt(text).segments]


def test_basic_file() -> None:
    parsed = srt(
        "1\n00:00:01,000 --> 00:00:02,500\nHello\nworld\n\n"
        "2\n00:00:03,000 --> 00:00:04,000\nBye\n"
    )
    assert parsed.format == "srt"
    assert parsed.source == "t.srt"
    assert [(s.start_ms, s.end_ms, s.text, s.line) for s in parsed.segments] == [
        (1000, 2500, "Hello\nworld", 1),
        (3000, 4000, "Bye", 6),
    ]
    assert parsed.warnings == []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\na\nb\n\n2\n00:00:03,000 --> 00:00:04,000\nc\n"
    assert cues(text.replace("\n", newline)) == [(1000, 2000, "a\nb"), (3000, 4000, "c")]


def test_mixed_line_endings() -> None:
    text = "1\r\n00:00:01,000 --> 00:00:02,000\ra\nb\r\n\r2\n00:00:03,000 --> 00:00:04,000\r\nc"
    assert cues(text) == [(1000, 2000, "a\nb"), (3000, 4000, "c")]


def test_missing_numbers_gaps_and_extra_blank_lines() -> None:
    text = (
        "\n\n00:00:01,000 --> 00:00:02,000\nno number\n\n\n\n"
        "7\n00:00:03,000 --> 00:00:04,000\nnumber seven\n  \n \t\n"
        "3\n00:00:05,000 --> 00:00:06,000\nback to three\n"
    )
    assert cues(text) == [
        (1000, 2000, "no number"),
        (3000, 4000, "number seven"),
        (5000, 6000, "back to three"),
    ]


def test_missing_blank_line_before_next_cue() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n"
        "2\n00:00:03,000 --> 00:00:04,000\nsecond\n"
        "00:00:05,000 --> 00:00:06,000\nthird\n"
    )
    assert cues(text) == [(1000, 2000, "first"), (3000, 4000, "second"), (5000, 6000, "third")]


def test_block_without_timing_line_is_skipped_with_a_warning() -> None:
    parsed = srt(
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\n"
        "2\nThis is the second subtitle.\nSecond line.\n\n"
        "3\n00:00:05,000 --> 00:00:06,000\nthird\n"
    )
    assert [s.text for s in parsed.segments] == ["first", "third"]
    assert parsed.warnings == ["t.srt:5: block without a timing line skipped"]


def test_header_garbage_before_first_cue() -> None:
    parsed = srt("[*] Reference: https://example.org\n[*]\n\n1\n00:00:01,060 --> 00:00:05,660\nx\n")
    assert cues("[*] a\n\n1\n00:00:01,060 --> 00:00:05,660\nx\n") == [(1060, 5660, "x")]
    assert len(parsed.warnings) == 1


def test_empty_cue_text_is_kept() -> None:
    text = "1\n00:00:01,000 --> 00:00:02,000\n\n\n2\n00:00:03,000 --> 00:00:04,000\nx\n"
    assert cues(text) == [(1000, 2000, ""), (3000, 4000, "x")]


def test_overlapping_and_unordered_cues_are_kept() -> None:
    text = (
        "1\n00:00:05,000 --> 00:00:09,000\nA\n\n"
        "2\n00:00:06,000 --> 00:00:07,000\nB\n\n"
        "3\n00:00:01,000 --> 00:00:02,000\nC\n\n"
        "4\n00:00:05,000 --> 00:00:09,000\nA\n"
    )
    assert [c[2] for c in cues(text)] == ["A", "B", "C", "A"]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<b>bold</b> and <i>italic</i> <u>u</u>", "bold and italic u"),
        ('<font color="#ff0000" face="Arial">red</font>', "red"),
        ("{\\an8}top {\\pos(142,120)\\b1}pos", "top pos"),
        ("{ \\an2} is not a tag", "{ \\an2} is not a tag"),
        ("Tom &amp; Jerry &lt;3 &#233;t&#xE9; &nbsp;x", "Tom & Jerry <3 été \xa0x"),
        ("AT&T &nbsp no semicolon", "AT&T &nbsp no semicolon"),
        ("Greater than (<) and less than (>)", "Greater than (<) and less than (>)"),
        ("<c.yellow>karaoke</c> <00:00:01.500>word", "karaoke word"),
        ("trailing spaces   \n  leading kept", "trailing spaces\n  leading kept"),
        ("<i></i>\nonly line", "only line"),
        ("x\x00y", "x\ufffdy"),
    ],
)
def test_markup_is_stripped(body: str, text: str) -> None:
    assert cues(f"1\n00:00:01,000 --> 00:00:02,000\n{body}\n")[0][2] == text


def test_text_line_holding_an_arrow_is_text() -> None:
    assert cues("1\n00:00:01,000 --> 00:00:02,000\nhe said --> go\n") == [
        (1000, 2000, "he said --> go")
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("1\n-0:00:04,567 --> -0:00:03,456\nx\n", 2, "negative timestamp"),
        ("1\n00:00:05,000 --> 00:00:04,000\nx\n", 2, "cue ends before it starts"),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\n\n2\n02:00:12,901 -->\ny\n", 6, "malformed"),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\n\n4\n   --> 02:00:10,901\n", 6, "malformed"),
        ("1\n00:00:61,000 --> 00:00:62,000\nx\n", 2, "seconds out of range"),
        ("1\n00:00:01.000 -> 00:00:02.000\nx\n\n00:00:01 --> x\n", 5, "malformed"),
    ],
)
def test_refused_with_line(text: str, line: int, reason: str) -> None:
    with pytest.raises(TranscriptFormatError) as info:
        srt(text)
    assert info.value.source == "t.srt"
    assert info.value.line == line
    assert reason in info.value.reason
    assert str(info.value).startswith(f"t.srt:{line}: ")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "\ufeff", "1\nsome text\n", "just words"])
def test_no_cues(text: str) -> None:
    with pytest.raises(TranscriptFormatError, match="no cues") as info:
        srt(text)
    assert info.value.line is None


def test_bom_in_text_is_ignored() -> None:
    assert cues("\ufeff1\n00:00:01,000 --> 00:00:02,000\nx\n") == [(1000, 2000, "x")]


def test_multi_language_msrt_keeps_every_line() -> None:
    text = "5\n00:00:26,640 --> 00:00:30,640\n[rus] Кажется...\n[eng] It seems...\n"
    assert cues(text) == [(26640, 30640, "[rus] Кажется...\n[eng] It seems...")]
