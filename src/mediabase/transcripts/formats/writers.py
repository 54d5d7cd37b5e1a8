"""Writers: SubRip, WebVTT and our JSON list.

Reading back what they write gives the same start_ms, end_ms and text (SRT, WebVTT: the
canonical text, see text.normalize_text; JSON: the text exactly), and the same speaker
(WebVTT: whitespace-collapsed; JSON: exactly). Only what a reader would take for markup is
escaped, as a character reference: a ``<`` opening a tag (``&lt;``), the ``&`` of a
reference (``&amp;``), the ``>`` of ``-->`` (``&gt;``), the ``{`` of ``{\\`` (``&#123;``);
so "Tom & Jerry" stays as it is and a text line can never read as a tag or timing line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from .model import MAX_TIME_MS, Segment, Word
from .text import escape_srt, escape_vtt, normalize_speaker, normalize_text
from .timecode import format_srt_timestamp, format_vtt_timestamp


def _check(segments: Sequence[Segment]) -> None:
    """ValueError for a segment no format can hold."""
    for k, s in enumerate(segments):
        for name, value in (("start_ms", s.start_ms), ("end_ms", s.end_ms)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"segments[{k}].{name}: not an integer ({value!r})")
            if not 0 <= value <= MAX_TIME_MS:
                raise ValueError(f"segments[{k}].{name}: out of range ({value})")
        if s.end_ms < s.start_ms:
            raise ValueError(f"segments[{k}]: ends before it starts")
        if s.confidence is not None and not (
            math.isfinite(s.confidence) and 0.0 <= s.confidence <= 1.0
        ):
            raise ValueError(f"segments[{k}].confidence: {s.confidence} outside 0..1")
        if not isinstance(s.text, str):
            raise ValueError(f"segments[{k}].text: not a string")
        for j, w in enumerate(s.words or ()):
            _check_word(w, f"segments[{k}].words[{j}]")


def _check_word(w: Word, where: str) -> None:
    for name, value in (("start_ms", w.start_ms), ("end_ms", w.end_ms)):
        if value is not None and not (
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TIME_MS
        ):
            raise ValueError(f"{where}.{name}: out of range ({value!r})")
    if w.start_ms is not None and w.end_ms is not None and w.end_ms < w.start_ms:
        raise ValueError(f"{where}: ends before it starts")
    if w.confidence is not None and not (
        math.isfinite(w.confidence) and 0.0 <= w.confidence <= 1.0
    ):
        raise ValueError(f"{where}.confidence: {w.confidence} outside 0..1")


def write_srt(segments: Sequence[Segment]) -> str:
    """SubRip, numbered from 1; speakers are not written (SubRip has no place for them)."""
    _check(segments)
    blocks = []
    for k, s in enumerate(segments, 1):
        timing = f"{format_srt_timestamp(s.start_ms)} --> {format_srt_timestamp(s.end_ms)}"
        text = escape_srt(normalize_text(s.text))
        blocks.append(f"{k}\n{timing}\n{text}\n" if text else f"{k}\n{timing}\n")
    return "\n".join(blocks)


def write_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT; a speaker becomes a ``<v Name>`` voice span over the cue text."""
    _check(segments)
    blocks = ["WEBVTT\n"]
    for s in segments:
        timing = f"{format_vtt_timestamp(s.start_ms)} --> {format_vtt_timestamp(s.end_ms)}"
        text = escape_vtt(normalize_text(s.text))
        speaker = normalize_speaker(s.speaker)
        if speaker is not None:
            text = f"<v {escape_vtt(speaker, annotation=True)}>{text}"
        blocks.append(f"{timing}\n{text}\n" if text else f"{timing}\n")
    return "\n".join(blocks)


def _word_obj(w: Word) -> dict[str, Any]:
    return {"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms, "confidence": w.confidence}


def write_json(segments: Sequence[Segment]) -> str:
    """A JSON list, one segment object per line: ``{"start_ms", "end_ms", "text",
    "speaker", "confidence", "words"}`` (words: ``{"text", "start_ms", "end_ms",
    "confidence"}``)."""
    _check(segments)
    if not segments:
        return "[]\n"
    rows = []
    for s in segments:
        obj = {
            "start_ms": s.start_ms,
            "end_ms": s.end_ms,
            "text": s.text,
            "speaker": s.speaker,
            "confidence": s.confidence,
            "words": None if s.words is None else [_word_obj(w) for w in s.words],
        }
        rows.append("  " + json.dumps(obj, ensure_ascii=False, allow_nan=False))
    return "[\n" + ",\n".join(rows) + "\n]\n"
