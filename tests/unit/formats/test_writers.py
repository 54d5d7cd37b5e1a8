"""Writers, and the round trip parse -> write -> parse."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediabase.transcripts.formats import (
    Segment,
    TranscriptFormatError,
    Word,
    normalize_text,
    parse_bytes,
    parse_text,
    write_json,
    write_srt,
    write_vtt,
)
from mediabase.transcripts.formats.model import MAX_TIME_MS
from mediabase.transcripts.formats.text import normalize_speaker

from ._paths import SUBTITLES

Writer = Callable[[Sequence[Segment]], str]
WRITERS: dict[str, Writer] = {"srt": write_srt, "vtt": write_vtt, "json": write_json}


def round_trip(fmt: str, segments: Sequence[Segment]) -> list[Segment]:
    return parse_text(WRITERS[fmt](segments), source=f"rt.{fmt}", format=fmt).segments


def test_write_srt() -> None:
    out = write_srt(
        [
            Segment(1000, 2500, "Hello\nworld", speaker="A"),
            Segment(3_723_004, 3_723_005, ""),
            Segment(0, 1, "a <b> & c --> {\\an8} &amp; I <3 x < y"),
        ]
    )
    assert out == (
        "1\n00:00:01,000 --> 00:00:02,500\nHello\nworld\n\n"
        "2\n01:02:03,004 --> 01:02:03,005\n\n"
        "3\n00:00:00,000 --> 00:00:00,001\n"
        "a &lt;b> & c --&gt; &#123;\\an8} &amp;amp; I &lt;3 x < y\n"
    )


def test_write_vtt() -> None:
    out = write_vtt(
        [
            Segment(1000, 2500, "Hello\n\nworld  ", speaker=" Roger  <B> "),
            Segment(0, 1, ""),
            Segment(0, 1, "Tom & Jerry: 1 < 2 > 0 --> <i>"),
        ]
    )
    assert out == (
        "WEBVTT\n\n"
        "00:00:01.000 --> 00:00:02.500\n<v Roger &lt;B&gt;>Hello\nworld\n\n"
        "00:00:00.000 --> 00:00:00.001\n\n"
        "00:00:00.000 --> 00:00:00.001\nTom & Jerry: 1 &lt; 2 > 0 --&gt; &lt;i>\n"
    )


def test_write_json() -> None:
    out = write_json(
        [Segment(1, 2, "x\n", speaker="A", confidence=0.25, words=(Word("x", 1, None),))]
    )
    assert out == (
        '[\n  {"start_ms": 1, "end_ms": 2, "text": "x\\n", "speaker": "A", "confidence": 0.25,'
        ' "words": [{"text": "x", "start_ms": 1, "end_ms": null, "confidence": null}]}\n]\n'
    )
    assert write_json([]) == "[]\n"


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize(
    ("segment", "problem"),
    [
        (Segment(5, 4, "x"), "ends before it starts"),
        (Segment(-1, 4, "x"), "out of range"),
        (Segment(0, MAX_TIME_MS + 1, "x"), "out of range"),
        (Segment(0, 1, "x", confidence=1.5), "outside 0..1"),
        (Segment(0, 1, "x", confidence=float("nan")), "outside 0..1"),
        (Segment(0, 1, "x", words=(Word("w", 5, 4),)), r"words\[0\]: ends before it starts"),
        (Segment(0, 1, "x", words=(Word("w", -5, None),)), r"words\[0\].start_ms: out of"),
        (Segment(0, 1, "x", words=(Word("w", 1, 2, 7.0),)), "outside 0..1"),
    ],
)
def test_writers_refuse_impossible_segments(fmt: str, segment: Segment, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        WRITERS[fmt]([Segment(0, 1, "ok"), segment])


# --- round trip over the real files ----------------------------------------------------
def _real_files() -> list[Path]:
    files = []
    for folder in ("curated", "exoplayer", "pysrt", "webvtt-py", "morevna", "vttjs"):
        for path in sorted((SUBTITLES / folder).rglob("*")):
            if path.suffix in (".srt", ".vtt", ".msrt"):
                files.append(path)
    return files


@pytest.mark.parametrize("path", _real_files(), ids=lambda p: str(p.relative_to(SUBTITLES)))
def test_real_files_round_trip(path: Path) -> None:
    try:
        parsed = parse_bytes(path.read_bytes(), source=path.name)
    except TranscriptFormatError:
        return  # refusals are covered by test_corpus_files
    for fmt in WRITERS:
        again = round_trip(fmt, parsed.segments)
        assert [(s.start_ms, s.end_ms, s.text) for s in again] == [
            (s.start_ms, s.end_ms, s.text) for s in parsed.segments
        ], fmt
        if fmt != "srt":
            assert [s.speaker for s in again] == [s.speaker for s in parsed.segments]


# --- property: any segments survive every writer ---------------------------------------
TRICKY = [
    "-->",
    "<a<b>",
    "&<b",
    "&#12{\\x}",
    "&lt-->",
    "&amp;lt;",
    "I <3 you & me",
    "a --> b",
    "00:00:01,000 --> 00:00:02,000",
    "1\n00:00:01,000 --> 00:00:02,000\nfake cue",
    "12",
    "a\n\nb",
    "\n\n",
    " ",
    "\t\f\v",
    "<b>x</b>",
    "<v Bob>x",
    "{\\an8}x",
    "&amp; &lt; &#123; &nbsp",
    "NOTE x",
    "STYLE",
    "WEBVTT",
    "x\r\ny\rz",
    "x\x00y",
    "\ufeffbom",
    "\u2028\x85\x1c",
    "trailing   ",
    "   leading",
]
text_st = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(TRICKY),
    st.lists(st.sampled_from(TRICKY), max_size=4).map("\n".join),
)
speaker_st = st.one_of(st.none(), st.sampled_from(["Ann", " A  B ", "", "x>y", "&amp;"]),
                       st.text(max_size=12))


@st.composite
def word_st(draw: st.DrawFn) -> Word:
    start = draw(st.none() | st.integers(0, 10**6))
    end = draw(st.none() | st.integers(start or 0, 10**7))
    return Word(draw(st.text(max_size=8)), start, end, draw(st.none() | st.floats(0, 1)))


@st.composite
def segments_st(draw: st.DrawFn) -> list[Segment]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, 400 * 3_600_000))
        end = draw(st.one_of(st.just(start), st.integers(start, start + 10**7)))
        words = draw(st.none() | st.lists(word_st(), max_size=3).map(tuple))
        out.append(
            Segment(
                start,
                end,
                draw(text_st),
                speaker=draw(speaker_st),
                confidence=draw(st.none() | st.floats(0, 1)),
                words=words,
            )
        )
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(segments_st())
def test_property_round_trip(segments: list[Segment]) -> None:
    srt = round_trip("srt", segments)
    vtt = round_trip("vtt", segments)
    js = round_trip("json", segments)
    assert len(srt) == len(vtt) == len(js) == len(segments)
    for s, a, b, c in zip(segments, srt, vtt, js, strict=True):
        canonical = normalize_text(s.text)
        assert (a.start_ms, a.end_ms, a.text) == (s.start_ms, s.end_ms, canonical)
        assert (b.start_ms, b.end_ms, b.text) == (s.start_ms, s.end_ms, canonical)
        assert b.speaker == normalize_speaker(s.speaker)
        # JSON keeps everything exactly, line breaks and spaces included
        assert (c.start_ms, c.end_ms, c.text, c.speaker) == (
            s.start_ms,
            s.end_ms,
            s.text,
            s.speaker,
        )
        assert (c.confidence, c.words) == (s.confidence, s.words)


@settings(max_examples=200, deadline=None)
@given(text_st)
def test_canonical_text_is_stable(text: str) -> None:
    canonical = normalize_text(text)
    assert normalize_text(canonical) == canonical
    assert "\n\n" not in canonical and "\r" not in canonical and "\x00" not in canonical
    assert all(line == line.rstrip() and line for line in canonical.split("\n") if canonical)


def test_speaker_ending_in_dashes_survives_vtt() -> None:
    # found by the round-trip property: "<v -->text" reads as a timing line
    for text in ("0", ""):
        seg = Segment(0, 0, text, speaker="--")
        back = parse_text(write_vtt([seg]), source="x.vtt", format="vtt").segments
        assert [(b.text, b.speaker) for b in back] == [(text, "--")]
