"""JSON transcripts: Whisper / WhisperX output (seconds) and our own list (milliseconds).

Accepted shapes::

    {"segments": [{"start": 1.5, "end": 2.0, "text": " Hi", "speaker"?, "words"?,
                   "avg_logprob"?, "confidence"?}], "language"?, "duration"?}
    [{"start_ms": 1500, "end_ms": 2000, "text": "Hi", "speaker"?, "confidence"?, "words"?}]
    {"segments": [ ...the same ms objects... ], "language"?}

The unit is decided by the first segment ("start_ms" -> ms, "start" -> seconds) and every
segment must then use the same keys. Errors name the JSON path and its line.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, NoReturn

from .model import MAX_TIME_MS, ParsedTranscript, Segment, TranscriptFormatError, Word

_WS = re.compile(r"[ \t\n\r]*")
JsonPath = tuple[str | int, ...]


def _path_str(path: JsonPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


class _Doc:
    """The text plus a JSON scanner that reports positions (for line numbers)."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.decoder = json.JSONDecoder(parse_constant=_reject_constant)
        self._line_pos = 0
        self._line_no = 1

    def line_at(self, pos: int) -> int:
        if pos < self._line_pos:
            self._line_pos, self._line_no = 0, 1
        self._line_no += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line_no

    def fail(self, pos: int | None, reason: str) -> NoReturn:
        line = None if pos is None else self.line_at(min(pos, len(self.text)))
        raise TranscriptFormatError(self.source, line, reason)

    def ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        assert m is not None  # the pattern matches the empty string
        return m.end()

    def char(self, pos: int) -> str:
        if pos >= len(self.text):
            self.fail(pos, "invalid JSON: unexpected end of data")
        return self.text[pos]

    def value(self, pos: int) -> tuple[Any, int]:
        try:
            return self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as e:
            raise TranscriptFormatError(self.source, e.lineno, f"invalid JSON: {e.msg}") from None
        except (ValueError, RecursionError) as e:
            self.fail(pos, f"invalid JSON: {e}")

    def array(self, pos: int) -> tuple[list[tuple[int, Any]], int]:
        """(position, value) of each element of the array at pos, and the array's end."""
        items: list[tuple[int, Any]] = []
        pos = self.ws(pos + 1)
        if self.char(pos) == "]":
            return items, pos + 1
        while True:
            value, end = self.value(pos)
            items.append((pos, value))
            pos = self.ws(end)
            c = self.char(pos)
            if c == "]":
                return items, pos + 1
            if c != ",":
                self.fail(pos, "invalid JSON: expected ',' or ']'")
            pos = self.ws(pos + 1)

    def locate(self, pos: int, path: JsonPath) -> int:
        """Position of the value at relative `path` from the value at pos (best effort)."""
        for part in path:
            pos = self.ws(pos)
            if pos >= len(self.text):
                return pos
            if isinstance(part, int) and self.text[pos] == "[":
                elements = self.array(pos)[0]
                if part >= len(elements):
                    return pos
                pos = elements[part][0]
            elif isinstance(part, str) and self.text[pos] == "{":
                found = self._find_key(pos, part)
                if found is None:
                    return pos
                pos = found
            else:
                return pos
        return pos

    def _find_key(self, pos: int, key: str) -> int | None:
        pos = self.ws(pos + 1)
        while pos < len(self.text) and self.text[pos] == '"':
            k, end = self.value(pos)
            pos = self.ws(end)
            if self.char(pos) != ":":
                return None
            pos = self.ws(pos + 1)
            if k == key:
                return pos
            _, end = self.value(pos)
            pos = self.ws(end)
            if self.char(pos) != ",":
                return None
            pos = self.ws(pos + 1)
        return None


def _top_level(doc: _Doc) -> tuple[JsonPath, list[tuple[int, Any]], dict[str, Any]]:
    """(path of the segment list, its (position, item) pairs, the other top-level keys)."""
    text = doc.text
    pos = doc.ws(0)
    if pos >= len(text):
        doc.fail(None, "no cues (empty file)")
    items: list[tuple[int, Any]] | None = None
    meta: dict[str, Any] = {}
    if text[pos] == "[":
        items, end = doc.array(pos)
        path: JsonPath = ()
    elif text[pos] == "{":
        path = ("segments",)
        pos = doc.ws(pos + 1)
        if doc.char(pos) != "}":
            while True:
                if doc.char(pos) != '"':
                    doc.fail(pos, "invalid JSON: expected a key")
                key, kend = doc.value(pos)
                pos = doc.ws(kend)
                if doc.char(pos) != ":":
                    doc.fail(pos, "invalid JSON: expected ':'")
                pos = doc.ws(pos + 1)
                if key == "segments" and doc.char(pos) == "[":
                    items, vend = doc.array(pos)
                else:
                    meta[key], vend = doc.value(pos)
                pos = doc.ws(vend)
                c = doc.char(pos)
                if c == "}":
                    break
                if c != ",":
                    doc.fail(pos, "invalid JSON: expected ',' or '}'")
                pos = doc.ws(pos + 1)
        end = pos + 1
        if items is None:
            if "segments" in meta:
                doc.fail(None, "segments: expected a list")
            doc.fail(None, "no 'segments' list in this JSON object")
    else:
        doc.value(pos)  # reports invalid JSON with its line
        doc.fail(pos, "expected a JSON list of segments or an object with 'segments'")
    if doc.ws(end) != len(text):
        doc.fail(doc.ws(end), "invalid JSON: extra data after the document")
    return path, items, meta


class _Reader:
    def __init__(self, doc: _Doc, list_path: JsonPath) -> None:
        self.doc = doc
        self.list_path = list_path

    def fail(self, item_pos: int, rel: JsonPath, reason: str) -> NoReturn:
        pos = self.doc.locate(item_pos, rel[1:])
        self.doc.fail(pos, f"{_path_str(self.list_path + rel)}: {reason}")

    def number(self, obj: dict[str, Any], key: str, pos: int, rel: JsonPath) -> float | None:
        if key not in obj or obj[key] is None:
            return None
        v = obj[key]
        if isinstance(v, bool) or not isinstance(v, int | float):
            self.fail(pos, (*rel, key), f"expected a number, got {json.dumps(v)[:40]}")
        if not math.isfinite(v):
            self.fail(pos, (*rel, key), "expected a finite number")
        return float(v) if isinstance(v, float) else v

    def time(self, obj: dict[str, Any], key: str, pos: int, rel: JsonPath, scale: int) -> int | None:
        v = self.number(obj, key, pos, rel)
        if v is None:
            return None
        ms = round(v * scale)
        if ms < 0:
            self.fail(pos, (*rel, key), f"negative time {v}")
        if ms > MAX_TIME_MS:
            self.fail(pos, (*rel, key), f"time out of range {v}")
        return ms

    def required_time(
        self, obj: dict[str, Any], key: str, pos: int, rel: JsonPath, scale: int
    ) -> int:
        ms = self.time(obj, key, pos, rel, scale)
        if ms is None:
            self.fail(pos, (*rel, key), "missing (a number is required)")
        return ms

    def confidence(self, obj: dict[str, Any], key: str, pos: int, rel: JsonPath) -> float | None:
        v = self.number(obj, key, pos, rel)
        if v is not None and not 0.0 <= v <= 1.0:
            self.fail(pos, (*rel, key), f"confidence {v} outside 0..1")
        return None if v is None else float(v)

    def string(self, obj: dict[str, Any], key: str, pos: int, rel: JsonPath) -> str | None:
        v = obj.get(key)
        if v is None or isinstance(v, str):
            return v
        self.fail(pos, (*rel, key), f"expected a string, got {json.dumps(v)[:40]}")

    def words(
        self, obj: dict[str, Any], pos: int, rel: JsonPath, seconds: bool
    ) -> tuple[Word, ...] | None:
        raw = obj.get("words")
        if raw is None:
            return None
        if not isinstance(raw, list):
            self.fail(pos, (*rel, "words"), "expected a list")
        out: list[Word] = []
        for k, w in enumerate(raw):
            wrel: JsonPath = (*rel, "words", k)
            if not isinstance(w, dict):
                self.fail(pos, wrel, "expected an object")
            if seconds:
                key = "word" if "word" in w else "text"
                start = self.time(w, "start", pos, wrel, 1000)
                end = self.time(w, "end", pos, wrel, 1000)
                conf_key = "score" if "score" in w else "probability"
            else:
                key = "text"
                start = self.time(w, "start_ms", pos, wrel, 1)
                end = self.time(w, "end_ms", pos, wrel, 1)
                conf_key = "confidence"
            text = self.string(w, key, pos, wrel)
            if text is None:
                self.fail(pos, (*wrel, key), "missing (a string is required)")
            if start is not None and end is not None and end < start:
                self.fail(pos, wrel, f"word ends before it starts ({end} < {start} ms)")
            conf = self.confidence(w, conf_key, pos, wrel)
            out.append(Word(text.strip() if seconds else text, start, end, conf))
        return tuple(out)

    def segment(self, pos: int, index: int, item: Any, seconds: bool) -> Segment:
        rel: JsonPath = (index,)
        if not isinstance(item, dict):
            self.fail(pos, rel, "expected an object")
        skey, ekey, scale = ("start", "end", 1000) if seconds else ("start_ms", "end_ms", 1)
        start = self.required_time(item, skey, pos, rel, scale)
        end = self.required_time(item, ekey, pos, rel, scale)
        if end < start:
            self.fail(pos, rel, f"segment ends before it starts ({end} < {start} ms)")
        text = self.string(item, "text", pos, rel)
        if text is None:
            self.fail(pos, (*rel, "text"), "missing (a string is required)")
        if seconds:
            text = text.strip()
        speaker = self.string(item, "speaker", pos, rel)
        confidence = self.confidence(item, "confidence", pos, rel)
        if confidence is None and seconds:
            logprob = self.number(item, "avg_logprob", pos, rel)
            if logprob is not None:
                confidence = min(1.0, math.exp(min(logprob, 0.0)))
        words = self.words(item, pos, rel, seconds)
        return Segment(
            start,
            end,
            text,
            speaker=speaker,
            confidence=confidence,
            words=words,
            line=self.doc.line_at(pos),
        )


def parse_json(text: str, *, source: str) -> ParsedTranscript:
    doc = _Doc(text.removeprefix("\ufeff"), source)
    list_path, items, meta = _top_level(doc)
    if not items:
        doc.fail(None, "no cues (the segment list is empty)")
    first = items[0][1]
    seconds = isinstance(first, dict) and "start_ms" not in first and "start" in first
    reader = _Reader(doc, list_path)
    segments = [reader.segment(pos, k, item, seconds) for k, (pos, item) in enumerate(items)]
    language = meta.get("language")
    # Whisper states "duration" in seconds; our ms objects may carry "duration_ms".
    duration = meta.get("duration" if seconds else "duration_ms")
    duration_ms: int | None = None
    if isinstance(duration, int | float) and not isinstance(duration, bool):
        scaled = duration * (1000 if seconds else 1)
        if math.isfinite(scaled) and 0 <= scaled <= MAX_TIME_MS:
            duration_ms = round(scaled)
    speakers = {s.speaker: s.speaker for s in segments if s.speaker is not None}
    return ParsedTranscript(
        format="whisper" if seconds else "json",
        source=source,
        segments=segments,
        language=language if isinstance(language, str) and language else None,
        duration_ms=duration_ms,
        speakers=speakers,
    )
