"""The scene bible and the offline continuation pipeline's deterministic steps.

- :func:`validate`: the seed's JSON Schema (``bible.schema.json``, seed 002 §3, draft-07) checked
  with ``jsonschema``, plus what a schema cannot say (entity ids unique within a bible, the
  version the row must carry). A refusal names the JSON path of the first error. The database
  keeps the essential rules itself as CHECK constraints (0020_stories_core.sql), so a writer
  that bypasses Python (a worker in another language) cannot store a broken bible either.
- :func:`expand_script`, :func:`advance`, :func:`placeholder_media`: script expansion,
  continuity update and "video generation" without any AI service: a template, an appended
  timeline event, storage keys derived from the job. Same input, same output.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any
from uuid import UUID

from jsonschema import Draft7Validator
from jsonschema.exceptions import best_match

from mediabase.common.errors import Invalid

SCHEMA: dict[str, Any] = json.loads(
    resources.files("mediabase.stories").joinpath("bible.schema.json").read_text(encoding="utf-8")
)
_VALIDATOR = Draft7Validator(SCHEMA)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[\w-]+")


def _refuse(path: str, message: str) -> Invalid:
    field = "data" + path[1:] if path.startswith("$") else "data"
    return Invalid(f"the bible is invalid at {path}: {message[:300]}", field=field, json_path=path)


def validate(data: Any, *, version: int | None = None) -> dict[str, Any]:
    """``data`` as a valid bible (a copy, its version an int), or ``Invalid`` naming the JSON path
    of the first error (``$.characters[0].entityId``). With ``version``, ``data["version"]`` must
    equal it."""
    error = best_match(_VALIDATOR.iter_errors(data))
    if error is not None:
        raise _refuse(error.json_path, error.message)
    out: dict[str, Any] = copy.deepcopy(data)
    if isinstance(out["version"], float):
        out["version"] = int(out["version"])  # 2.0 is an integer to JSON Schema; stored as 2
    seen: dict[str, int] = {}
    for i, character in enumerate(out["characters"]):
        entity = character["entityId"]
        if entity in seen:
            raise _refuse(f"$.characters[{i}].entityId",
                          f"{entity!r} is the entityId of characters[{seen[entity]}] too")
        seen[entity] = i
    if version is not None and out["version"] != version:
        raise _refuse("$.version", f"must be {version} (the version this bible is written as), not {out['version']}")
    if out["version"] < 1:
        raise _refuse("$.version", "versions start at 1")
    return out


def empty(title: str) -> dict[str, Any]:
    """The first bible of a scene created without one."""
    return {
        "version": 1,
        "characters": [],
        "setting": {},
        "timeline": {"currentPoint": f"the beginning of {title}", "majorEvents": []},
        "plotThreads": [],
        "styleGuide": {},
    }


def first_sentence(text: str, limit: int = 200) -> str:
    sentence = _SENTENCE.split(" ".join(text.split()), maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"


def _words(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def characters_in(text: str, bible: dict[str, Any]) -> list[str]:
    """The entity ids of the bible's characters the text names (canonical name or an alias)."""
    words = _words(text)
    found: list[str] = []
    for c in bible.get("characters", []):
        names = [c.get("canonicalName", ""), *c.get("aliases", [])]
        if any(n.strip() and _words(n) in words for n in names if isinstance(n, str)):
            found.append(c["entityId"])
    return found


def expand_script(text: str, bible: dict[str, Any], *, title: str, sequence: int) -> str:
    """Script expansion without a model: the contribution framed by the bible's continuity."""
    setting = bible.get("setting", {})
    style = bible.get("styleGuide", {})
    by_id = {c["entityId"]: c for c in bible.get("characters", [])}
    present = [by_id[e].get("canonicalName", e) for e in characters_in(text, bible)]
    lines = [
        f"SCENE: {title} - part {sequence}",
        f"SETTING: {setting.get('primaryLocation', 'unspecified')}"
        + (f", {setting['timePeriod']}" if setting.get("timePeriod") else ""),
        f"STYLE: {style.get('tone', 'neutral')} {style.get('genre', 'story')}".rstrip(),
        f"CHARACTERS: {', '.join(present) if present else 'none named'}",
        f"PREVIOUSLY: {bible.get('timeline', {}).get('currentPoint', 'the beginning')}",
        "",
        "ACTION:",
        " ".join(text.split()),
        "",
        f"(continuity: bible version {bible['version']})",
    ]
    return "\n".join(lines)


def advance(bible: dict[str, Any], *, sequence: int, text: str) -> dict[str, Any]:
    """Continuity update without a model: the next version, the contribution as the timeline's
    newest major event and its current point, characters it names marked as introduced."""
    new = copy.deepcopy(bible)
    new["version"] = bible["version"] + 1
    event = first_sentence(text)
    timeline = new.setdefault("timeline", {})
    timeline.setdefault("majorEvents", []).append({"segmentNumber": sequence, "event": event})
    timeline["currentPoint"] = event
    named = set(characters_in(text, bible))
    for c in new.get("characters", []):
        if c["entityId"] in named and "introducedInSegment" not in c:
            c["introducedInSegment"] = sequence
    return new


@dataclass(frozen=True, slots=True)
class Media:
    video_key: str
    hls_key: str
    thumbnail_key: str
    duration_ms: int
    resolution: str
    size_bytes: int


def placeholder_media(scene_id: UUID, job_id: UUID, script: str) -> Media:
    """Video generation and upload without a renderer: storage keys derived from the job (a digest
    of its id), a
    duration from the script's length (0.4 s a word, 2 s to 2 min) and 2 Mbit/s of 720p."""
    words = len(script.split())
    duration_ms = max(2_000, min(120_000, words * 400))
    # named after the job, not by its id: a published segment's keys do not reveal queue ids
    base = f"stories/{scene_id}/segments/{hashlib.sha256(job_id.bytes).hexdigest()[:24]}"
    return Media(
        video_key=f"{base}.mp4",
        hls_key=f"{base}/index.m3u8",
        thumbnail_key=f"{base}.jpg",
        duration_ms=duration_ms,
        resolution="720p",
        size_bytes=duration_ms * 250,
    )
