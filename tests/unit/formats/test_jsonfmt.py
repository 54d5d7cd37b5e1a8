from __future__ import annotations

import json
import math

import pytest

from mediabase.transcripts.formats import (
    ParsedTranscript,
    Segment,
    TranscriptFormatError,
    Word,
    parse_bytes,
    parse_text,
)


def parse(text: str) -> ParsedTranscript:
    return parse_text(text, source="t.json", format="json")


def refused(text: str) -> TranscriptFormatError:
    with pytest.raises(TranscriptFormatError) as info:
        parse(text)
    assert info.value.source == "t.json"
    return info.value


WHISPER = {
    "text": " Hello there. General Kenobi.",
    "language": "en",
    "segments": [
        {
            "id": 0,
            "seek": 0,
            "start": 0.0,
            "end": 1.52,
            "text": " Hello there.",
            "tokens": [50364, 2425],
            "temperature": 0.0,
            "avg_logprob": -0.25,
            "compression_ratio": 1.1,
            "no_speech_prob": 0.01,
            "words": [
                {"word": " Hello", "start": 0.0, "end": 0.6, "probability": 0.9},
                {"word": " there.", "start": 0.6, "end": 1.52, "probability": 0.8},
            ],
        },
        {"id": 1, "start": 1.52, "end": 3.001, "text": " General Kenobi.", "avg_logprob": 0.1},
    ],
}

WHISPERX = {
    "segments": [
        {
            "start": 0.031,
            "end": 2.5,
            "text": " I have 2 cats.",
            "speaker": "SPEAKER_00",
            "words": [
                {"word": "I", "start": 0.031, "end": 0.1, "score": 0.99, "speaker": "SPEAKER_00"},
                {"word": "have", "start": 0.12, "end": 0.4, "score": 0.87},
                {"word": "2"},
                {"word": "cats.", "start": 1.0, "end": 2.5, "score": 0.5},
            ],
        },
        {"start": 2.6, "end": 4.0, "text": "Me too.", "speaker": "SPEAKER_01"},
    ],
    "language": "en",
}


def test_openai_whisper() -> None:
    parsed = parse(json.dumps(WHISPER, indent=2))
    assert parsed.format == "whisper"
    assert parsed.language == "en"
    first, second = parsed.segments
    assert (first.start_ms, first.end_ms, first.text) == (0, 1520, "Hello there.")
    assert first.confidence == pytest.approx(math.exp(-0.25))
    assert first.words == (Word("Hello", 0, 600, 0.9), Word("there.", 600, 1520, 0.8))
    assert (second.start_ms, second.end_ms, second.text) == (1520, 3001, "General Kenobi.")
    assert second.confidence == 1.0  # a positive avg_logprob is capped
    assert first.line is not None and second.line is not None and first.line < second.line


def test_whisperx_speakers_and_words_without_times() -> None:
    parsed = parse(json.dumps(WHISPERX))
    assert parsed.format == "whisper"
    assert [(s.start_ms, s.end_ms, s.text, s.speaker) for s in parsed.segments] == [
        (31, 2500, "I have 2 cats.", "SPEAKER_00"),
        (2600, 4000, "Me too.", "SPEAKER_01"),
    ]
    assert parsed.segments[0].words is not None
    assert parsed.segments[0].words[2] == Word("2", None, None, None)
    assert parsed.segments[0].words[1].confidence == 0.87
    assert parsed.segments[1].confidence is None
    assert parsed.speakers == {"SPEAKER_00": "SPEAKER_00", "SPEAKER_01": "SPEAKER_01"}


def test_plain_ms_list() -> None:
    text = (
        '[{"start_ms": 0, "end_ms": 1000, "text": "  exact text ", "speaker": "Ann",'
        ' "confidence": 0.5},\n {"start_ms": 500, "end_ms": 1500, "text": "b"}]'
    )
    parsed = parse(text)
    assert parsed.format == "json"
    assert parsed.segments == [
        Segment(0, 1000, "  exact text ", speaker="Ann", confidence=0.5, line=1),
        Segment(500, 1500, "b", line=2),
    ]


def test_segments_object_with_ms_keys() -> None:
    parsed = parse('{"language": "fr", "duration_ms": 9000, "segments": '
                   '[{"start_ms": 1, "end_ms": 2, "text": "x"}]}')
    assert parsed.format == "json"
    assert parsed.language == "fr"
    assert parsed.duration_ms == 9000
    assert parsed.segments[0].text == "x"


def test_whisper_duration_in_seconds() -> None:
    parsed = parse('{"duration": 12.5, "segments": [{"start": 1, "end": 2, "text": "x"}]}')
    assert parsed.duration_ms == 12500


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n{"end": 2, "text": "b"}\n]}', 3,
         "segments[1].start: missing"),
        ('{"segments": [\n{"start": 0, "end": 1, "text": "a"},\n{"start": "x", "end": 2}]}', 3,
         'segments[1].start: expected a number, got "x"'),
        ('{"segments": [\n{"start": 0,\n "end": true, "text": "a"}]}', 3,
         "segments[0].end: expected a number, got true"),
        ('[\n{"start_ms": 5, "end_ms": 4, "text": "a"}]', 2, "[0]: segment ends before it starts"),
        ('[\n{"start_ms": -5, "end_ms": 4, "text": "a"}]', 2, "[0].start_ms: negative time"),
        ('[{"start_ms": 1, "end_ms": 4,\n "text": "a", "confidence": 1.5}]', 2,
         "[0].confidence: confidence 1.5 outside 0..1"),
        ('[{"start_ms": 1, "end_ms": 4, "text": 7}]', 1, "[0].text: expected a string, got 7"),
        ('[{"start_ms": 1, "end_ms": 4}]', 1, "[0].text: missing"),
        ('[{"start_ms": 1, "end_ms": 4, "text": "a", "speaker": 3}]', 1, "[0].speaker"),
        ('[1, 2]', 1, "[0]: expected an object"),
        ('{"segments": [{"start": 0, "end": 1, "text": "a", "words": [\n{"word": "a",\n'
         '"start": 0, "end": 1, "score": 2}]}]}', 3, "segments[0].words[0].score: confidence 2"),
        ('{"segments": [{"start": 0, "end": 1, "text": "a", "words": [{"start": 0}]}]}', 1,
         "segments[0].words[0].text: missing"),
        ('{"segments": [{"start": 0, "end": 1, "text": "a", "words": 5}]}', 1,
         "segments[0].words: expected a list"),
        ('{"segments": [{"start": NaN, "end": 1, "text": "a"}]}', 1, "invalid JSON"),
        ('{"segments": [{"start": 1e999, "end": 1, "text": "a"}]}', 1,
         "segments[0].start: expected a finite number"),
        ('[{"start_ms": 1, "end_ms": 4, "text": "a"},\n\n{"start_ms": 1 "end_ms": 4}]', 3,
         "invalid JSON"),
        ('[{"start_ms": 1, "end_ms": 4, "text": "a"}] trailing', 1, "extra data"),
        ('{"segments": [{"start_ms": 1, "end_ms": 4, "text": "a"}', 1, "invalid JSON"),
    ],
)
def test_refused_with_path_and_line(text: str, line: int, reason: str) -> None:
    error = refused(text)
    assert error.line == line, str(error)
    assert reason in error.reason
    assert str(error) == f"t.json:{line}: {error.reason}"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "no cues (empty file)"),
        ("[]", "no cues"),
        ('{"segments": []}', "no cues"),
        ('{"text": "hello"}', "no 'segments' list"),
        ('{"segments": {"a": 1}}', "segments: expected a list"),
        ('"just a string"', "expected a JSON list of segments"),
    ],
)
def test_refused_files(text: str, reason: str) -> None:
    assert reason in refused(text).reason


def test_deep_nesting_is_a_format_error() -> None:
    with pytest.raises(TranscriptFormatError, match="invalid JSON"):
        parse_bytes(b"[" * 100000 + b"]" * 100000, source="t.json")


def test_unit_follows_the_first_segment() -> None:
    error = refused('[{"start": 1, "end": 2, "text": "a"}, {"start_ms": 1, "end_ms": 2, '
                    '"text": "b"}]')
    assert "[1].start: missing" in error.reason
