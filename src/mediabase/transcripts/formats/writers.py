"""Writers: SubRip, WebVTT and our JSON list.

Reading back what they write gives the same start_ms, end_ms and text (SRT, WebVTT: the
canonical text, see text.normalize_text; JSON: the text exactly), and the same speaker
(WebVTT: whitespace-collapsed; JSON: exactly). Markup characters are escaped as character
references (``&amp;`` ``&lt;`` ``&gt;``, ``&#123;`` for the ``{`` of ``{\\``), so a text
line can never read as a tag or a timing line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from .model import MAX_TIME_MS, Segment, Word
from .text import escape_markup, normalize_speaker, normalize_text
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


def write_srt(segments: Sequence[Segment]) -> str:
    """SubRip, numbered from 1; speakers are not written (SubRip has no place for them)."""
    _check(segments)
    blocks = []
    for k, s in enumerate(segments, 1):
        timing = f"{format_srt_timestamp(s.start_ms)} --> {format_srt_timestamp(s.end_ms)}"
        text = escape_markup(normalize_text(s.text))
        blocks.append(f"{k}\n{timing}\n{text}\n" if text else f"{k}\n{timing}\n")
    return "\n".join(blocks)


def write_vtt(segments: Sequence[Segment]) -> str:
    """WebVTT; a speaker becomes a ``<v Name>`` voice span over the cue text."""
    _check(segments)
    blocks = ["WEBVTT\n"]
    for s in segments:
        timing = f"{format_vtt_timestamp(s.start_ms)} --> {format_vtt_timestamp(s.end_ms)}"
        text = escape_markup(normalize_text(s.text))
        speaker = normalize_speaker(s.speaker)
        if speaker is not None:
            text = f"<v {escape_markup(speaker)}>{text}"
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
