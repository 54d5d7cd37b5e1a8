"""Every file of curated/, exoplayer/, pysrt/, webvtt-py/ and morevna/ either parses or is
refused with a TranscriptFormatError naming the file (and the line, unless the reason
concerns the whole file); then explicit expectations for the interesting ones."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from mediabase.transcripts.formats import (
    ParsedTranscript,
    TranscriptFormatError,
    parse_bytes,
)

from ._paths import SUBTITLES

FOLDERS = ("curated", "exoplayer", "pysrt", "webvtt-py", "morevna")
NOT_SUBTITLES = {".md", ".txt", ".tsv", ""}
# Reasons about a whole file: no single line is to blame.
WHOLE_FILE_REASONS = ("no cues", "unknown transcript format", "binary data", "file too large")


def _files() -> list[Path]:
    out = []
    for folder in FOLDERS:
        for path in sorted((SUBTITLES / folder).rglob("*")):
            if path.is_file() and path.suffix not in NOT_SUBTITLES and "LICENSES" not in path.parts:
                out.append(path)
    return out


FILES = _files()


def load(rel: str) -> ParsedTranscript:
    path = SUBTITLES / rel
    return parse_bytes(path.read_bytes(), source=path.name)


def outcome(path: Path) -> ParsedTranscript | TranscriptFormatError:
    try:
        return parse_bytes(path.read_bytes(), source=path.name)
    except TranscriptFormatError as e:
        return e


def refusal(rel: str) -> TranscriptFormatError:
    with pytest.raises(TranscriptFormatError) as info:
        load(rel)
    return info.value


def test_enough_files() -> None:
    assert len(FILES) > 80


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(SUBTITLES)))
def test_parses_or_names_file_and_line(path: Path) -> None:
    parsed = outcome(path)
    if isinstance(parsed, TranscriptFormatError):
        message = str(parsed)
        assert message.startswith(f"{path.name}:")
        if parsed.line is None:
            assert parsed.reason.startswith(WHOLE_FILE_REASONS), message
            assert message == f"{path.name}: {parsed.reason}"
        else:
            assert message.startswith(f"{path.name}:{parsed.line}: ")
        return
    assert parsed.segments
    for s in parsed.segments:
        assert 0 <= s.start_ms <= s.end_ms
        assert s.line is not None and s.line >= 1


# --- explicit expectations ---------------------------------------------------------------
BOM_FILES = ["bom-utf-8.srt", "bom-utf-16-le.srt", "bom-utf-16-be.srt", "bom-utf-32-le.srt",
             "bom-utf-32-be.srt"]


def test_bom_variants_give_identical_cues() -> None:
    results = [load(f"pysrt/{name}").segments for name in BOM_FILES]
    assert len(results[0]) > 5
    assert all(r == results[0] for r in results)


def test_exoplayer_encodings_give_identical_cues() -> None:
    names = ["typical.srt", "typical_utf16le.srt", "typical_utf16be.srt",
             "typical_with_byte_order_mark.srt"]
    results = [load(f"exoplayer/subrip/{n}").segments for n in names]
    assert [(s.start_ms, s.end_ms, s.text) for s in results[0]] == [
        (0, 1234, "This is the first subtitle."),
        (2345, 3456, "This is the second subtitle.\nSecond subtitle with second line."),
        (7204567, 7208901, "This is the third subtitle."),
    ]
    assert all(r == results[0] for r in results)


def test_gb2312_decodes() -> None:
    parsed = load("curated/srt03-gb2312.srt")
    assert [s.text for s in parsed.segments] == [
        "宇宙守护神  保护我们远离邪恶",
        "他能徒手抓住子弹  拦住疾速的火车",
        "轻轻一跳就能飞跃高楼",
    ]


def test_cp1252_decodes_and_voices_become_speakers() -> None:
    parsed = load("curated/vtt06-popcorn-voices_overlap_cp1252.vtt")
    texts = {s.text: s.speaker for s in parsed.segments}
    assert texts["When we e-mailed\u2014"] == "Roger Bingham"
    assert texts["Laughs"] == "Neil DeGrass Tyson"
    assert set(parsed.speakers) == {"Roger Bingham", "Neil DeGrass Tyson"}


def test_overlapping_cues_are_kept() -> None:
    parsed = load("curated/vtt06-popcorn-voices_overlap_cp1252.vtt")
    times = [(s.start_ms, s.end_ms) for s in parsed.segments]
    assert (30000, 31500) in times and (30500, 32500) in times
    talk = load("curated/srt16-morevna-talk-autocaptions-overlapping.msrt").segments
    assert len(talk) == 845
    overlaps = sum(1 for a, b in itertools.pairwise(talk) if b.start_ms < a.end_ms)
    assert overlaps == 808
    capability = load("curated/srt01-capability_tester.srt").segments
    assert any(b.start_ms < a.end_ms for a, b in itertools.pairwise(capability))


def test_cr_only_line_endings() -> None:
    parsed = load("curated/srt11-astisub-cr_only.srt")
    assert [(s.start_ms, s.end_ms, s.text) for s in parsed.segments] == [
        (0, 3766, "Did one of the last stories strike you as\nmore interesting than the other?"),
        (3767, 10732, "That's true. You don\u2019t often find 632\n"
         "pieces of gum stuck on a sidewalk"),
        (10733, 14066, "at a busy bus stop or anywhere\nelse for that matter."),
    ]


def test_mixed_newlines() -> None:
    parsed = load("curated/vtt11-wpt-mixed_newlines.vtt")
    assert [s.text for s in parsed.segments] == ["text0", "text1", "text2", "text3"]


@pytest.mark.parametrize("rel", ["curated/srt06-exo-negative_timestamps.srt",
                                 "exoplayer/subrip/typical_negative_timestamps.srt"])
def test_negative_timestamps_refused_with_line(rel: str) -> None:
    error = refusal(rel)
    assert (error.line, error.reason) == (2, "negative timestamp")
    assert str(error) == f"{Path(rel).name}:2: negative timestamp"


def test_malformed_timing_line_refused_with_line() -> None:
    error = refusal("curated/srt08-exo-missing_timecode.srt")
    assert error.line == 14
    assert error.reason == "malformed timing line '--> 02:00:10,901'"


def test_missing_sequence_and_extra_blank_line() -> None:
    for rel in ("curated/srt07-exo-missing_sequence.srt", "curated/srt10-exo-extra_blank_line.srt"):
        assert [s.start_ms for s in load(rel).segments] == [0, 2345, 7204567]


def test_no_hours_and_no_millis() -> None:
    parsed = load("curated/srt05-exo-no_hours_and_millis.srt")
    assert [(s.start_ms, s.end_ms) for s in parsed.segments] == [
        (0, 1234), (2000, 3000), (7204567, 7208901)
    ]


def test_ssa_tags_and_odd_digit_counts() -> None:
    parsed = load("curated/srt09-exo-with_ssa_tags.srt")
    assert parsed.segments[0].text == "This is  the first subtitle."
    assert parsed.segments[3].text.startswith("This { \\an2} is not a valid tag")
    assert (parsed.segments[4].start_ms, parsed.segments[4].text) == (
        13567, "This  is the fifth subtitle with multiple  valid  tags.")
    assert len(parsed.segments) == 14


def test_popcorn_markup() -> None:
    texts = [s.text for s in load("curated/srt04-popcorn-unit.srt").segments]
    assert texts[3] == "This text is RED and has not been positioned."
    assert texts[5] == "This contains nested bold, italic, underline and strike-through HTML tags"
    assert texts[9] == "Greater than (<) and less than (>) are shown"


def test_utf16_arabic() -> None:
    parsed = load("curated/srt12-utf16-arabic.srt")
    assert [(s.start_ms, s.end_ms, s.text) for s in parsed.segments] == [
        (0, 1000, "ترجمه و تنظيم زيرنويس")
    ]


def test_youtube_autocaptions() -> None:
    parsed = load("curated/vtt01-youtube_autocaptions.vtt")
    assert parsed.language == "en"
    assert [s.text for s in parsed.segments] == [
        "yeah", "yeah\nwhat", "this will happen is I'm telling", "this will happen is I'm telling"
    ]


def test_style_blocks_and_voice_classes() -> None:
    parsed = load("curated/vtt07-exo-style_blocks_voice_classes.vtt")
    assert [(s.text, s.speaker) for s in parsed.segments] == [
        ("This is the first subtitle.", None),
        ("This is the second subtitle.", None),
        ("This is a reference by element", "Mary"),
        ("You are an idiot\nYou don't have the guts", "LaGord"),
    ]


def test_loose_webvtt_timestamps() -> None:
    parsed = load("curated/vtt13-astisub-style_note_region_loose_timestamps.vtt")
    assert [(s.start_ms, s.end_ms) for s in parsed.segments][:2] == [
        (99000, 101040), (124080, 127120)
    ]
    assert len(parsed.segments) == 6
    assert parsed.warnings


def test_hls_timestamp_map_and_long_hours() -> None:
    parsed = load("curated/vtt10-exo-hls_timestamp_map.vtt")
    assert [(s.start_ms, s.text) for s in parsed.segments] == [
        (958715679, "  Cue text one"), (958717433, "  Cue text two")
    ]


def test_multi_language_srt() -> None:
    parsed = load("morevna/pepper-and-carrot-ep04.msrt")
    assert parsed.format == "srt"
    assert all(s.text.startswith("[") for s in parsed.segments)


@pytest.mark.parametrize(
    ("rel", "reason"),
    [
        ("exoplayer/subrip/empty.srt", "no cues (empty file)"),
        ("webvtt-py/invalid.vtt", "not a WebVTT file"),
        ("webvtt-py/no_captions.vtt", "no cues"),
        ("webvtt-py/sample.sbv", "unknown transcript format"),
        ("morevna/course-synfig/synfig-promo.msrt", "no cues"),
    ],
)
def test_refused_files(rel: str, reason: str) -> None:
    assert refusal(rel).reason.startswith(reason)
