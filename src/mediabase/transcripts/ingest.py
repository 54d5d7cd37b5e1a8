"""Bulk ingest of files and folders: each file (or AMI meeting) is one video, in one transaction.

A file that fails to parse or to load is refused with its reason (file, line) and leaves
nothing behind; the others still load. Every source carries a key that does not depend on its
path (a file: its format and the sha256 of its bytes; an AMI meeting: ``ami:<meeting id>``) and
the sha256 of its content: ingesting again skips what is there unchanged, reports what changed
(``replace`` loads it as a new transcript version) and loads the rest (docs/formats.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from pydantic import ValidationError

from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError, Unavailable
from mediabase.identity.models import Principal
from mediabase.media.models import VideoCreate, VideoSource
from mediabase.transcripts.formats import (
    DEFAULT_MAX_BYTES,
    ParsedTranscript,
    TranscriptFormatError,
    ami_meeting_ids,
    is_ami_folder,
    iter_ami_meetings,
    read_file,
)
from mediabase.transcripts.models import SourceIngest, SourceStatus
from mediabase.transcripts.service import ingest_new_video, ingest_source, parse_file

EXTENSIONS = {".srt": "srt", ".vtt": "vtt", ".json": None, ".msrt": "srt"}
LOOKED_FOR = ", ".join(f"*{ext}" for ext in EXTENSIONS)


@dataclass(slots=True)
class Outcome:
    source: str
    title: str | None = None
    video_id: UUID | None = None
    segments: int = 0
    speakers: int = 0
    error: str | None = None
    encoding: str | None = None
    encoding_guessed: bool = False
    status: SourceStatus | None = None
    """loaded, skipped, replaced or changed; None when refused (``error`` says why)."""
    source_key: str | None = None
    version: int | None = None
    """The transcript version written (1 for a new video)."""


@dataclass(slots=True)
class Item:
    """One unit of ingest: a parsed transcript and the video it becomes, or a refusal."""

    source: str
    parsed: ParsedTranscript | None
    video: VideoCreate | None
    error: str | None = None
    origin: VideoSource | None = None
    """The source's key and digest (None: ingested without one, as a new video every time)."""


def file_source(fmt: str, data: bytes) -> VideoSource:
    """A file's source: its content is its identity (``<format>:<sha256 of the bytes>``)."""
    digest = hashlib.sha256(data).hexdigest()
    return VideoSource(key=f"{fmt}:{digest}", sha256=digest)


def meeting_source(meeting_id: str, t: ParsedTranscript) -> VideoSource:
    """An AMI meeting's source: its id, and the sha256 of the meeting as read (segments, words,
    speakers, times; not the paths), so that an edit of any of its files is a change."""
    h = hashlib.sha256()
    head = [t.format, t.title, t.language, t.duration_ms, t.recorded_at and t.recorded_at.isoformat(),
            sorted(t.speakers.items())]
    h.update(json.dumps(head, ensure_ascii=False).encode())
    for s in t.segments:
        words = [[w.text, w.start_ms, w.end_ms, w.confidence] for w in s.words] if s.words else None
        h.update(b"\n")
        h.update(json.dumps([s.start_ms, s.end_ms, s.text, s.speaker, s.confidence, words],
                            ensure_ascii=False).encode())
    return VideoSource(key=f"ami:{meeting_id}", sha256=h.hexdigest())


def _meeting_path(path: Path) -> tuple[Path, str] | None:
    """``CORPUS/ES2002b`` (as the report names a meeting) -> (CORPUS, 'ES2002b'), when CORPUS is
    an AMI corpus folder that has that meeting."""
    if path.exists() or not (path.parent.is_dir() and is_ami_folder(path.parent)):
        return None
    return (path.parent, path.name) if path.name in ami_meeting_ids(path.parent) else None


def unknown_meetings(paths: list[Path], only: Collection[str]) -> tuple[list[str], list[Path]]:
    """For ``--only``: the ids that no AMI folder among ``paths`` has, and the paths that are
    not AMI folders (or meetings of one); reads no meeting."""
    have: set[str] = set()
    not_ami: list[Path] = []
    for path in paths:
        if path.is_dir() and is_ami_folder(path):
            have.update(ami_meeting_ids(path))
        elif (named := _meeting_path(path)) is not None:
            have.add(named[1])
        else:
            not_ami.append(path)
    return [m for m in only if m not in have], not_ami


def _files(path: Path) -> Iterator[Path]:
    """The path itself, or the regular files with a transcript's extension under a folder
    (``is_file`` follows links and is False for FIFOs and devices: they are never opened)."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.suffix.lower() in EXTENSIONS and child.is_file():
                yield child
    else:
        yield path


def discover(
    paths: list[Path],
    *,
    fmt: str | None = None,
    title: str | None = None,
    language: str | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    only: Collection[str] | None = None,
) -> Iterator[Item]:
    """Parse every file or AMI meeting under ``paths``, lazily, one Item each; ``only``: just
    these AMI meetings (and no files). ``CORPUS/<meeting id>`` names one meeting of a corpus."""
    for path in paths:
        named = _meeting_path(path)
        if named is not None:
            yield from _meetings(named[0], language, {named[1]} if only is None else set(only) & {named[1]})
            continue
        if not path.exists():
            yield Item(str(path), None, None, f"{path}: no such file or folder")
            continue
        if fmt == "ami" or (path.is_dir() and is_ami_folder(path)) or only is not None:
            yield from _meetings(path, language, only)
            continue
        found = False
        for file in _files(path):
            found = True
            try:
                data = read_file(file, max_bytes or DEFAULT_MAX_BYTES)  # a regular file, size checked first
                parsed = parse_file(
                    data,
                    source=str(file),
                    fmt=fmt or EXTENSIONS.get(file.suffix.lower()),
                    encoding=encoding,
                    max_bytes=max_bytes,
                )
            except (MediabaseError, TranscriptFormatError) as exc:
                yield Item(str(file), None, None, str(exc))
                continue
            yield Item(
                str(file),
                parsed,
                VideoCreate(
                    title=title or parsed.title or file.stem,
                    language=language or parsed.language,
                    metadata={"source_file": file.name},
                ),
                origin=file_source(parsed.format, data),
            )
        if not found:
            yield Item(str(path), None, None, f"no transcript files found in {path} (looked for {LOOKED_FOR})")


def _meetings(path: Path, language: str | None, only: Collection[str] | None) -> Iterator[Item]:
    try:
        for meeting in iter_ami_meetings(path, only):
            source = f"{path}/{meeting.meeting_id}"
            t = meeting.transcript
            # The corpus's recorded meeting length can fall short of its last
            # annotated segment (ES2002c by 1.3 s): the video is as long as both.
            last = max((s.end_ms for s in t.segments), default=0)
            duration = max(t.duration_ms or 0, last) or None
            try:
                origin = meeting_source(meeting.meeting_id, t)
            except ValidationError:
                why = "the meeting id cannot be a source key (printable ASCII without spaces, at most 296 characters)"
                yield Item(source, None, None, f"{source}: {why}")
                continue
            yield Item(
                source,
                t,
                VideoCreate(
                    title=meeting.meeting_id,
                    language=language or "en",
                    duration_ms=duration,
                    recorded_at=t.recorded_at,
                    metadata={"corpus": "AMI", "meeting_id": meeting.meeting_id},
                    tags=["ami"],
                ),
                origin=origin,
            )
    except TranscriptFormatError as exc:
        yield Item(str(path), None, None, str(exc))


class Stopped(MediabaseError):
    """The database became unavailable during a bulk ingest: what loaded stays loaded, the
    item that was loading left nothing, and the rest were not tried."""

    def __init__(self, outcomes: list[Outcome], cause: Unavailable) -> None:
        super().__init__(f"stopped: {cause}")
        self.outcomes = outcomes
        self.cause = cause


async def ingest(
    db: Database,
    p: Principal,
    items: Iterator[Item],
    on_done: Callable[[Outcome], None] | None = None,
    *,
    replace: bool = False,
) -> list[Outcome]:
    """Load each item in its own transaction; collect what loaded, was skipped, replaced,
    found changed, or refused.

    When the database becomes unavailable the run stops at once (:class:`Stopped`, carrying the
    outcomes so far) instead of trying every remaining file against a server that is gone."""
    outcomes: list[Outcome] = []
    for item in items:
        out = Outcome(item.source, error=item.error, source_key=item.origin.key if item.origin else None)
        if item.parsed is not None and item.video is not None and item.error is None:
            out.title = item.video.title
            out.encoding, out.encoding_guessed = item.parsed.encoding, item.parsed.encoding_guessed
            try:
                if item.origin is None:
                    new = await ingest_new_video(db, p, item.video, item.parsed)
                    done = SourceIngest(status=SourceStatus.loaded, video_id=new.video_id, result=new)
                else:
                    done = await ingest_source(db, p, item.video, item.parsed, item.origin, replace=replace)
            except Unavailable as exc:
                raise Stopped(outcomes, exc) from exc
            except MediabaseError as exc:
                out.error = f"{item.source}: {exc}"
            else:
                out.status, out.video_id = done.status, done.video_id
                if done.result is not None:
                    out.segments = done.result.transcript.segment_count
                    out.speakers = done.result.speakers
                    out.version = done.result.transcript.version
        outcomes.append(out)
        if on_done:
            on_done(out)
    return outcomes
