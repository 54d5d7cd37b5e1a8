from __future__ import annotations

import pytest

from mediabase.transcripts.formats import ParsedTranscript, TranscriptFormatError, parse_text


def vtt(text: str) -> ParsedTranscript:
    return parse_text(text, source="t.vtt", format="vtt")


def cues(text: str) -> list[tuple[int, int, str, str | None]]:
    return [(s.start_ms, s.end_ms, s.text, s.speaker) for s in vtt(text).segments]


def test_basic_file_with_ids_notes_styles_regions() -> None:
    parsed = vtt(
        "WEBVTT - a title\nKind: captions\nLanguage: sv\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "REGION\nid:fred width:40%\n\n"
        "NOTE a comment\nover two lines\n\n"
        "intro\n00:00:01.000 --> 00:00:02.000 align:start region:fred\nHej\npå dig\n\n"
        "NOTE between cues\n\n"
        "00:02.000 --> 00:03.000\nTvå\n"
    )
    assert parsed.format == "vtt"
    assert parsed.language == "sv"
    assert [(s.start_ms, s.end_ms, s.text, s.line) for s in parsed.segments] == [
        (1000, 2000, "Hej\npå dig", 14),
        (2000, 3000, "Två", 21),
    ]
    assert parsed.warnings == []


def test_voices_become_speakers() -> None:
    parsed = vtt(
        "WEBVTT\n\n"
        "00:11.000 --> 00:13.000\n<v Roger Bingham>We are in New York City\n\n"
        "00:13.000 --> 00:16.000\n<v.loud.angry  Neil  deGrasse Tyson >No!</v>\n\n"
        "00:16.000 --> 00:18.000\n<v>no annotation\n\n"
        "00:18.000 --> 00:19.000\n<v A &amp; B>x\n\n"
        "00:19.000 --> 00:20.000\nplain <i>text</i>\n"
    )
    assert [(s.text, s.speaker) for s in parsed.segments] == [
        ("We are in New York City", "Roger Bingham"),
        ("No!", "Neil deGrasse Tyson"),
        ("no annotation", None),
        ("x", "A & B"),
        ("plain text", None),
    ]
    assert parsed.speakers == {
        "Roger Bingham": "Roger Bingham",
        "Neil deGrasse Tyson": "Neil deGrasse Tyson",
        "A & B": "A & B",
    }


def test_first_voice_of_a_cue_wins() -> None:
    assert cues("WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>hi</v> <v B>yo</v>\n") == [
        (0, 1000, "hi yo", "A")
    ]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("<b>b</b> <i>i</i> <u>u</u> <c.yellow.bg_blue>c</c> <lang en>l</lang>", "b i u c l"),
        ("this<00:05:04.199><c> will</c><00:05:04.379><c> happen</c>", "this will happen"),
        ("<ruby>漢<rt>kan</rt></ruby>", "漢kan"),
        ("&lt;not a tag&gt; &amp; &lrm;&rlm;&nbsp;x", "<not a tag> & \u200e\u200f\xa0x"),
        ("unclosed <b tag runs to the end", "unclosed"),  # trailing space dropped
        ("{\\an8}ass block", "ass block"),
        ("  leading spaces kept", "  leading spaces kept"),
    ],
)
def test_markup_is_stripped(body: str, text: str) -> None:
    assert cues(f"WEBVTT\n\n00:00.000 --> 00:01.000\n{body}\n")[0][2] == text


def test_arrow_line_inside_cue_text_starts_the_next_cue() -> None:
    assert cues(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nyeah\n<c>what</c>\n00:01.000 --> 00:02.000\nnext\n"
    ) == [(0, 1000, "yeah\nwhat", None), (1000, 2000, "next", None)]


def test_invalid_timing_drops_the_cue_with_a_warning() -> None:
    parsed = vtt(
        "WEBVTT\n\n00:00.000 --> 00:01.000\nkept\n\n"
        "00:02.badbad --> 00:03.456\ndropped\n\n"
        "00:04.000 --> 00:05.000\nkept too\n"
    )
    assert [s.text for s in parsed.segments] == ["kept", "kept too"]
    assert parsed.warnings == ["t.vtt:6: cue dropped: invalid timing '00:02.badbad --> 00:03.456'"]


def test_lenient_timestamps_are_accepted_with_one_warning() -> None:
    parsed = vtt(
        "WEBVTT\n\n00:00:00,500 --> 00:00:07,000\na\n\n00:01:39 --> 00:01:41.04\nb\n"
    )
    assert [(s.start_ms, s.end_ms) for s in parsed.segments] == [(500, 7000), (99000, 101040)]
    assert len(parsed.warnings) == 1
    assert parsed.warnings[0].startswith("t.vtt:3: 2 timing line(s) use a non-WebVTT")


def test_nul_becomes_replacement_character() -> None:
    assert cues("WEBVTT\n\n00:00.000 --> 00:01.000\na\x00b\n")[0][2] == "a\ufffdb"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    text = "WEBVTT\n\n00:00.000 --> 00:01.000\na\nb\n\n00:01.000 --> 00:02.000\nc"
    assert [c[2] for c in cues(text.replace("\n", newline))] == ["a\nb", "c"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "WEBVT",
        "webvtt\n\n00:00.000 --> 00:01.000\nx",
        "WEBVTTX\n\n00:00.000 --> 00:01.000\nx",
        "\nWEBVTT\n\n00:00.000 --> 00:01.000\nx",
        "1\n00:00:00,500 --> 00:00:07,000\nan SRT file\n",
    ],
)
def test_signature_is_required(text: str) -> None:
    with pytest.raises(TranscriptFormatError) as info:
        vtt(text)
    assert str(info.value) == "t.vtt:1: not a WebVTT file (the first line must start with 'WEBVTT')"


@pytest.mark.parametrize(
    "text",
    ["WEBVTT", "WEBVTT\n", "WEBVTT\n\nNOTE only a note\n", "WEBVTT\n\n00:00.000 --> xx\nx\n"],
)
def test_no_cues(text: str) -> None:
    with pytest.raises(TranscriptFormatError, match="^t.vtt: no cues$"):
        vtt(text)


def test_end_before_start_is_refused_with_line() -> None:
    with pytest.raises(TranscriptFormatError) as info:
        vtt("WEBVTT\n\n00:00.000 --> 00:01.000\nok\n\n00:00:05.000 --> 00:00:04.999\nbad\n")
    assert info.value.line == 6
    assert "cue ends before it starts" in info.value.reason


def test_overlapping_cues_are_kept_in_file_order() -> None:
    got = cues(
        "WEBVTT\n\n00:30.000 --> 00:31.500\nA\n\n00:30.500 --> 00:32.500\nB\n\n"
        "00:30.000 --> 00:31.500\nA\n"
    )
    assert [c[:3] for c in got] == [(30000, 31500, "A"), (30500, 32500, "B"), (30000, 31500, "A")]
