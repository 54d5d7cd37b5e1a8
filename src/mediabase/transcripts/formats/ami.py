"""The AMI Meeting Corpus (manual annotations, NXT XML): speaker segments with their words.

A corpus folder holds ``segments/<meeting>.<agent>.segments.xml``, whose ``<segment>``s
point at a range of ``<w>`` words in ``words/<meeting>.<agent>.words.xml``
(``href="X.words.xml#id(first)..id(last)"``), and ``corpusResources/meetings.xml``, which
gives each agent letter its scenario role (PM, ME, UI, ID) or, in non-scenario meetings,
only the participant's global name.

Every segment becomes one Segment: text = its ``<w>`` words (no space before a
``punc="true"`` word; gaps, vocal sounds and disfluency markers are not words), times =
``transcriber_start``/``transcriber_end``, speaker = the agent letter, words = the time-
aligned words. Segments without any word are kept (text ""). Segments whose end precedes
their start (2 in release 1.6.2) get their two times swapped, with a warning.
"""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .model import MAX_TIME_MS, ParsedTranscript, Segment, TranscriptFormatError, Word

ROLE_NAMES = {
    "PM": "Project Manager",
    "ME": "Marketing Expert",
    "UI": "User Interface Designer",
    "ID": "Industrial Designer",
}
_NITE_ID = "{http://nite.sourceforge.net/}id"
_NITE_CHILD = "{http://nite.sourceforge.net/}child"
_HREF = re.compile(r"([^#]+)#id\(([^()]+)\)(?:\.\.id\(([^()]+)\))?")
_SEGMENTS_FILE = re.compile(r"(.+)\.([^.]+)\.segments\.xml")
_SEGMENT_TAG = re.compile(rb"<segment[\s>/]")


@dataclass(slots=True)
class AmiMeeting:
    meeting_id: str
    transcript: ParsedTranscript


@dataclass(slots=True)
class _MeetingInfo:
    duration_ms: int | None = None
    recorded_at: datetime | None = None
    speakers: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    """agent letter -> (role, global name)"""


@dataclass(slots=True)
class _WordsFile:
    index: dict[str, int]
    """nite:id -> position in items"""
    items: list[tuple[Word, bool] | None]
    """(word, is punctuation) for <w>, None for the other elements (gap, vocalsound ...)"""


def is_ami_folder(path: Path) -> bool:
    """A folder with ``segments/*.segments.xml`` and ``words/`` (an AMI NXT corpus)."""
    segments = path / "segments"
    if not (segments.is_dir() and (path / "words").is_dir()):
        return False
    return any(segments.glob("*.segments.xml"))


def _iterparse(data: bytes, path: Path) -> Iterator[ET.Element]:
    """End events of a document. ElementTree fetches no external entities and expat
    bounds entity expansion, so corpus files cannot reach outside themselves."""
    try:
        for _, elem in ET.iterparse(io.BytesIO(data), events=("end",)):  # noqa: S314
            yield elem
    except ET.ParseError as e:
        line = e.position[0] if e.position else None
        raise TranscriptFormatError(str(path), line, f"malformed XML: {e.msg}") from None


def _line_of_id(data: bytes, nite_id: str) -> int | None:
    pos = data.find(f'nite:id="{nite_id}"'.encode("latin-1", errors="replace"))
    return None if pos < 0 else data.count(b"\n", 0, pos) + 1


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise TranscriptFormatError(str(path), None, f"cannot read: {e.strerror}") from None


def _seconds_to_ms(value: str | None) -> int | None:
    """'77.408' -> 77408; None for absent or non-finite; ValueError for non-numbers."""
    if value is None:
        return None
    seconds = float(value)
    if not math.isfinite(seconds):
        return None
    ms = round(seconds * 1000)
    if not 0 <= ms <= MAX_TIME_MS:
        raise ValueError(value)
    return ms


def _meeting_start(date: str | None, start: str | None) -> datetime | None:
    """``dateOnly="29-10-2004" startTime="10h46"`` (or ``"13-12-04"`` and no start) as an instant.
    The corpus gives local times
    without a zone (the sites are in Edinburgh, Martigny and Delft); they are kept as UTC, off by
    an hour or two at most, and a meeting without a readable date has none."""
    if not date:
        return None
    try:
        day = datetime.strptime(date, "%d-%m-%Y" if len(date.rsplit("-", 1)[-1]) == 4 else "%d-%m-%y")
        if start:
            hours, _, minutes = start.partition("h")
            day = day.replace(hour=int(hours), minute=int(minutes or 0))
    except ValueError:
        return None
    return day.replace(tzinfo=UTC)


def _read_meetings(path: Path) -> dict[str, _MeetingInfo]:
    data = _read(path)
    meetings: dict[str, _MeetingInfo] = {}
    for elem in _iterparse(data, path):
        if elem.tag != "meeting":
            continue
        info = _MeetingInfo()
        try:
            info.duration_ms = _seconds_to_ms(elem.get("duration"))
        except ValueError:
            info.duration_ms = None
        info.recorded_at = _meeting_start(elem.get("dateOnly"), elem.get("startTime"))
        for sp in elem.iter("speaker"):
            agent = sp.get("nxt_agent")
            if agent:
                info.speakers[agent] = (sp.get("role"), sp.get("global_name"))
        observation = elem.get("observation")
        if observation:
            meetings[observation] = info
        elem.clear()
    return meetings


def _read_words(path: Path) -> _WordsFile:
    data = _read(path)
    index: dict[str, int] = {}
    items: list[tuple[Word, bool] | None] = []
    for elem in _iterparse(data, path):
        nite_id = elem.get(_NITE_ID)
        if nite_id is None or elem.tag == "{http://nite.sourceforge.net/}root":
            continue
        index[nite_id] = len(items)
        if elem.tag == "w":
            try:
                start = _seconds_to_ms(elem.get("starttime"))
                end = _seconds_to_ms(elem.get("endtime"))
            except ValueError as e:
                raise TranscriptFormatError(
                    str(path), _line_of_id(data, nite_id), f"word {nite_id}: bad time {e}"
                ) from None
            text = (elem.text or "").strip()
            items.append((Word(text, start, end), elem.get("punc") == "true"))
        else:
            items.append(None)
        elem.clear()
    return _WordsFile(index, items)


def _join(words: list[tuple[Word, bool]]) -> str:
    parts: list[str] = []
    for word, punc in words:
        if not word.text:
            continue
        if parts and not punc:
            parts.append(" ")
        parts.append(word.text)
    return "".join(parts)


def _display_name(agent: str, info: _MeetingInfo | None) -> str:
    role, global_name = info.speakers.get(agent, (None, None)) if info else (None, None)
    if role:
        return ROLE_NAMES.get(role, role)
    return global_name or f"Speaker {agent}"


def _segment_lines(data: bytes) -> list[int]:
    """Line of each ``<segment`` start tag, in document order."""
    lines: list[int] = []
    line, last = 1, 0
    for m in _SEGMENT_TAG.finditer(data):
        line += data.count(b"\n", last, m.start())
        last = m.start()
        lines.append(line)
    return lines


class _MeetingReader:
    def __init__(self, root: Path, meeting_id: str) -> None:
        self.root = root
        self.meeting_id = meeting_id
        self.words_files: dict[str, _WordsFile] = {}
        self.segments: list[Segment] = []
        self.warnings: list[str] = []

    def words_file(self, name: str) -> _WordsFile:
        wf = self.words_files.get(name)
        if wf is None:
            wf = self.words_files[name] = _read_words(self.root / "words" / name)
        return wf

    def read_agent(self, agent: str, path: Path) -> None:
        data = _read(path)
        lines = _segment_lines(data)
        k = 0
        for elem in _iterparse(data, path):
            if elem.tag != "segment":
                continue
            line = lines[k] if k < len(lines) else None
            k += 1
            self.segments.append(self.segment(elem, agent, path, line))
            elem.clear()

    def segment(self, elem: ET.Element, agent: str, path: Path, line: int | None) -> Segment:
        seg_id = elem.get(_NITE_ID, "?")
        try:
            start = _seconds_to_ms(elem.get("transcriber_start"))
            end = _seconds_to_ms(elem.get("transcriber_end"))
        except ValueError as e:
            raise TranscriptFormatError(
                str(path), line, f"segment {seg_id}: bad time {e}"
            ) from None
        if start is None or end is None:
            raise TranscriptFormatError(
                str(path), line, f"segment {seg_id}: transcriber_start/transcriber_end missing"
            )
        if end < start:
            self.warnings.append(
                f"{path}:{line}: segment {seg_id} ends before it starts; times swapped"
            )
            start, end = end, start
        words: list[tuple[Word, bool]] = []
        for child in elem.iter(_NITE_CHILD):
            href = child.get("href", "")
            m = _HREF.fullmatch(href)
            if m is None:
                raise TranscriptFormatError(
                    str(path), line, f"segment {seg_id}: unreadable nite:child href {href!r}"
                )
            name, first, last = m[1], m[2], m[3] or m[2]
            wf = self.words_file(name)
            a, b = wf.index.get(first), wf.index.get(last)
            if a is None or b is None or b < a:
                raise TranscriptFormatError(
                    str(path), line, f"segment {seg_id}: href {href!r} names no range of {name}"
                )
            words.extend(item for item in wf.items[a : b + 1] if item is not None)
        return Segment(
            start,
            end,
            _join(words),
            speaker=agent,
            words=tuple(w for w, _ in words),
            line=line,
        )


def _read_meeting(
    root: Path, meeting_id: str, agent_files: dict[str, Path], info: _MeetingInfo | None
) -> ParsedTranscript:
    reader = _MeetingReader(root, meeting_id)
    for agent in sorted(agent_files):
        reader.read_agent(agent, agent_files[agent])
    segments = reader.segments
    segments.sort(key=lambda s: (s.start_ms, s.end_ms, s.speaker or ""))
    return ParsedTranscript(
        format="ami",
        source=str(root / "segments" / f"{meeting_id}.*.segments.xml"),
        segments=segments,
        language="en",
        title=meeting_id,
        duration_ms=info.duration_ms if info else None,
        recorded_at=info.recorded_at if info else None,
        speakers={agent: _display_name(agent, info) for agent in sorted(agent_files)},
        warnings=reader.warnings,
    )


def _agent_files(root: Path) -> dict[str, dict[str, Path]]:
    """meeting id -> agent letter -> its segments file, from the listing of ``root/segments``."""
    by_meeting: dict[str, dict[str, Path]] = {}
    for path in (root / "segments").iterdir():
        m = _SEGMENTS_FILE.fullmatch(path.name)
        if m is not None and path.is_file():
            by_meeting.setdefault(m[1], {})[m[2]] = path
    return by_meeting


def ami_meeting_ids(root: Path) -> list[str]:
    """The ids of the meetings in an AMI corpus folder, sorted, without reading any of them."""
    return sorted(_agent_files(Path(root))) if is_ami_folder(Path(root)) else []


def iter_ami_meetings(root: Path, only: Collection[str] | None = None) -> Iterator[AmiMeeting]:
    """One AmiMeeting per meeting found in ``root/segments`` (those named in ``only``, when it
    is given), sorted by meeting id; a meeting is read only when its turn comes.

    Raises TranscriptFormatError(file, line, reason) for malformed XML, unreadable
    times, and word references that lead nowhere.
    """
    root = Path(root)
    if not is_ami_folder(root):
        raise TranscriptFormatError(
            str(root), None, "not an AMI corpus folder (needs segments/*.segments.xml and words/)"
        )
    meetings_xml = root / "corpusResources" / "meetings.xml"
    infos = _read_meetings(meetings_xml) if meetings_xml.is_file() else {}
    by_meeting = _agent_files(root)
    for meeting_id in sorted(by_meeting):
        if only is not None and meeting_id not in only:
            continue
        transcript = _read_meeting(root, meeting_id, by_meeting[meeting_id], infos.get(meeting_id))
        yield AmiMeeting(meeting_id, transcript)
