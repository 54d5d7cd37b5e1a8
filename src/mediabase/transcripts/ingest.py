"""Bulk ingest of files and folders: each file (or AMI meeting) is one video, in one transaction.

A file that fails to parse or to load is refused with its reason (file, line) and leaves
nothing behind; the others still load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError, Unavailable
from mediabase.identity.models import Principal
from mediabase.media.models import VideoCreate
from mediabase.transcripts.formats import (
    DEFAULT_MAX_BYTES,
    ParsedTranscript,
    TranscriptFormatError,
    is_ami_folder,
    iter_ami_meetings,
    read_file,
)
from mediabase.transcripts.service import ingest_new_video, parse_file

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


@dataclass(slots=True)
class Item:
    """One unit of ingest: a parsed transcript and the video it becomes, or a refusal."""

    source: str
    parsed: ParsedTranscript | None
    video: VideoCreate | None
    error: str | None = None


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
) -> Iterator[Item]:
    """Parse every file or AMI meeting under ``paths``, lazily, one Item each."""
    for path in paths:
        if not path.exists():
            yield Item(str(path), None, None, f"{path}: no such file or folder")
            continue
        if fmt == "ami" or (path.is_dir() and is_ami_folder(path)):
            try:
                for meeting in iter_ami_meetings(path):
                    t = meeting.transcript
                    # The corpus's recorded meeting length can fall short of its last
                    # annotated segment (ES2002c by 1.3 s): the video is as long as both.
                    last = max((s.end_ms for s in t.segments), default=0)
                    duration = max(t.duration_ms or 0, last) or None
                    yield Item(
                        f"{path}/{meeting.meeting_id}",
                        t,
                        VideoCreate(
                            title=meeting.meeting_id,
                            language=language or "en",
                            duration_ms=duration,
                            recorded_at=t.recorded_at,
                            metadata={"corpus": "AMI", "meeting_id": meeting.meeting_id},
                            tags=["ami"],
                        ),
                    )
            except TranscriptFormatError as exc:
                yield Item(str(path), None, None, str(exc))
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
            )
        if not found:
            yield Item(str(path), None, None, f"no transcript files found in {path} (looked for {LOOKED_FOR})")


class Stopped(MediabaseError):
    """The database became unavailable during a bulk ingest: what loaded stays loaded, the
    item that was loading left nothing, and the rest were not tried."""

    def __init__(self, outcomes: list[Outcome], cause: Unavailable) -> None:
        super().__init__(f"stopped: {cause}")
        self.outcomes = outcomes
        self.cause = cause


async def ingest(
    db: Database, p: Principal, items: Iterator[Item], on_done: Callable[[Outcome], None] | None = None
) -> list[Outcome]:
    """Load each item in its own transaction; collect what loaded and what was refused.

    When the database becomes unavailable the run stops at once (:class:`Stopped`, carrying the
    outcomes so far) instead of trying every remaining file against a server that is gone."""
    outcomes: list[Outcome] = []
    for item in items:
        out = Outcome(item.source, error=item.error)
        if item.parsed is not None and item.video is not None and item.error is None:
            out.title = item.video.title
            out.encoding, out.encoding_guessed = item.parsed.encoding, item.parsed.encoding_guessed
            try:
                result = await ingest_new_video(db, p, item.video, item.parsed)
            except Unavailable as exc:
                raise Stopped(outcomes, exc) from exc
            except MediabaseError as exc:
                out.error = f"{item.source}: {exc}"
            else:
                out.video_id = result.video_id
                out.segments = result.transcript.segment_count
                out.speakers = result.speakers
        outcomes.append(out)
        if on_done:
            on_done(out)
    return outcomes
