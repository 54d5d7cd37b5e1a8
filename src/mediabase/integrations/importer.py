"""Importing recordings and their transcripts into videos and transcripts: one code path for a
feed read by ``mediabase integrations import`` and for a delivered ``recording.completed``.

1. **Read** (:func:`read_feed`, or the delivery): every recording's shape is checked; any
   problem (``file:line`` or ``file: field``) refuses the whole feed before anything is written.
2. **Plan** (:func:`plan`): what the external-item map already has is left alone; the transcript
   files still to import are fetched (:mod:`.fetch`) and parsed (WebVTT, speakers from Zoom's
   ``Name: text``). A file that cannot be had or read refuses the whole feed too.
3. **Write** (:func:`write`): each recording in one transaction of the owner pool (the transcript
   ingest's COPY needs it), through the media and transcripts services: the video
   (:func:`mediabase.media.service.insert_video`), its transcript
   (:func:`mediabase.transcripts.service.ingest_into`, which enqueues its indexing), the map's
   rows, the account's sync cursor and, for a delivery, the event's completion: all or nothing.

Importing the same recordings again writes nothing: the map says what each became.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, MediabaseError, NotFound
from mediabase.db.rows import Conn, Jsonb, fetch_one_or_404, update_columns
from mediabase.identity.models import Principal
from mediabase.integrations.fetch import Fetcher, FetchError
from mediabase.integrations.models import AccountStatus, ImportOutcome, ImportReport, ImportStatus, ItemKind
from mediabase.integrations.service import Q
from mediabase.integrations.zoom import FeedError, FeedRecording, Recording, later_cursor, recordings_of, with_speakers
from mediabase.media.models import VideoCreate
from mediabase.media.service import fetch_live_video, insert_video
from mediabase.transcripts.formats import DEFAULT_MAX_BYTES, ParsedTranscript, TranscriptFormatError, read_file
from mediabase.transcripts.service import ingest_into, parse_file

FEED_SUFFIXES = (".json", ".jsonl")
_VIDEO_FIELDS = {"title": "topic", "recorded_at": "start_time", "duration_ms": "duration"}


# -- 1. read ----------------------------------------------------------------------------------------


def _feed_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix.lower() in FEED_SUFFIXES and p.is_file())
    return [path]


def read_feed(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[FeedRecording]:
    """The recordings of a feed file (JSON: a recording event, a list-recordings answer, a
    recording, or an array of them; JSON Lines: one of those a line) or of every ``*.json`` and
    ``*.jsonl`` under a folder. FeedError lists every problem."""
    if not path.exists():
        raise FeedError([f"{path}: no such file or folder"])
    files = _feed_files(path)
    if not files:
        raise FeedError([f"{path}: no feed files (*.json, *.jsonl) in this folder"])
    found: list[FeedRecording] = []
    problems: list[str] = []
    for file in files:
        try:
            text = read_file(file, max_bytes).decode("utf-8")
        except TranscriptFormatError as exc:
            problems.append(str(exc))
            continue
        except UnicodeDecodeError as exc:
            problems.append(f"{file}: not UTF-8 (byte {exc.start})")
            continue
        if file.suffix.lower() == ".jsonl":
            values = []
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        values.append((f"{file}:{n}", json.loads(line)))
                    except ValueError as exc:
                        problems.append(f"{file}:{n}: not JSON: {exc}")
        else:
            try:
                values = [(str(file), json.loads(text))]
            except json.JSONDecodeError as exc:
                problems.append(f"{file}:{exc.lineno}: not JSON: {exc.msg}")
                continue
        for where, value in values:
            for item in recordings_of(value, where):
                if isinstance(item, str):
                    problems.append(item)
                else:
                    found.append(item)
    if problems:
        raise FeedError(problems)
    return found  # a recording met twice (completed, then transcript_completed) is imported once


# -- 2. plan ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Planned:
    """A recording and what importing it needs: its video, and its transcript when it is new."""

    item: FeedRecording
    video: VideoCreate
    transcript_file_id: str | None
    parsed: ParsedTranscript | None


def _video(item: FeedRecording, account_id: UUID, fetcher: Fetcher, parsed: ParsedTranscript | None) -> VideoCreate:
    rec: Recording = item.recording
    last = max((s.end_ms for s in parsed.segments), default=0) if parsed else 0
    media = rec.media_file()
    files = [f.model_dump(mode="json", include={"id", "file_type", "file_extension", "file_size", "recording_start",
                                                 "recording_end"}, exclude_none=True) for f in rec.recording_files]
    try:
        return VideoCreate(
            title=rec.topic.strip() or f"Zoom meeting {rec.id}",
            recorded_at=rec.start_time,
            duration_ms=max(rec.span_ms() or 0, last) or None,
            media_url=fetcher.media_url(media.download_url) if media and media.download_url else None,
            metadata={"integration": {"provider": "zoom", "account_id": str(account_id), "meeting_id": str(rec.id),
                                      "meeting_uuid": rec.uuid, "files": files}},
            tags=["zoom"],
        )
    except ValidationError as exc:
        field, message = next(iter((".".join(str(x) for x in e["loc"]), e["msg"]) for e in exc.errors()))
        raise FeedError([f"{item.at(_VIDEO_FIELDS.get(field, field))}: {message}"]) from None


async def _known(conn: Conn, org: UUID, provider: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    rows = await (await conn.execute(Q.items_for, {"org": org, "provider": provider, "external_ids": ids})).fetchall()
    return {r["external_id"]: r for r in rows}


def _ids(item: FeedRecording) -> list[str]:
    tf = item.recording.transcript_file()
    return [item.recording.uuid, *([tf.id] if tf else [])]


async def plan(system: Database, org: UUID, account_id: UUID, items: list[FeedRecording],
               fetcher: Fetcher, provider: str = "zoom") -> list[Planned]:
    """Fetch and parse the transcripts not imported yet; FeedError lists every problem."""
    async with system.transaction(org, readonly=True) as conn:
        known = await _known(conn, org, provider, [i for item in items for i in _ids(item)])
    planned: list[Planned] = []
    problems: list[str] = []
    for item in items:
        rec = item.recording
        tf = rec.transcript_file()
        gone = rec.uuid in known and known[rec.uuid]["video_id"] is None  # deleted here: not brought back
        parsed = None
        if tf is not None and tf.download_url and tf.id not in known and not gone:
            index = rec.recording_files.index(tf)
            try:
                data = await fetcher.fetch(tf.download_url)
                parsed = with_speakers(parse_file(data, source=fetcher.name(tf.download_url), fmt="vtt"))
            except FetchError as exc:
                problems.append(f"{item.at(f'recording_files[{index}].download_url')}: {exc}")
                continue
            except Invalid as exc:  # the transcript's own file:line and reason
                problems.append(str(exc))
                continue
        try:
            planned.append(Planned(item, _video(item, account_id, fetcher, parsed), tf.id if tf else None, parsed))
        except FeedError as exc:
            problems.extend(exc.lines)
    if problems:
        raise FeedError(problems)
    return planned


# -- 3. write ---------------------------------------------------------------------------------------


async def _write_one(conn: Conn, p: Principal, account_id: UUID, provider: str, job: Planned) -> ImportOutcome:
    org = p.organization_id
    rec = job.item.recording
    account = await fetch_one_or_404(conn, Q.lock_account, {"org": org, "id": account_id}, "integration account")
    if account["status"] not in (AccountStatus.active.value, AccountStatus.error.value):
        raise Conflict(f"the integration account is {account['status']}: nothing is imported through it",
                       field="status")
    known = await _known(conn, org, provider, _ids(job.item))
    out = ImportOutcome(source=job.item.where, external_id=rec.uuid, title=job.video.title,
                        status=ImportStatus.skipped, video_id=None)
    if rec.uuid not in known:
        video = await insert_video(conn, p, job.video)
        await conn.execute(Q.insert_item, {"org": org, "provider": provider, "external_id": rec.uuid,
                                           "kind": ItemKind.recording.value, "account_id": account_id,
                                           "video_id": video.id, "transcript_id": None})
        out.video_id, out.status = video.id, ImportStatus.loaded
    else:
        out.video_id = known[rec.uuid]["video_id"]
    tf_id = job.transcript_file_id
    if job.parsed is not None and tf_id is not None and tf_id not in known and out.video_id is not None:
        try:
            live = await fetch_live_video(conn, org, out.video_id)
        except NotFound:
            return out  # the video was deleted here (it is in the bin): no transcript is added to it
        last = max(s.end_ms for s in job.parsed.segments)
        if live["duration_ms"] is not None and live["duration_ms"] < last:
            # Zoom's file times are whole seconds: a transcript may run a little past them
            await update_columns(conn, "videos", org, out.video_id, {"duration_ms": last}, ("duration_ms",))
        result = await ingest_into(conn, p, out.video_id, job.parsed, language=job.video.language)
        await conn.execute(Q.insert_item, {"org": org, "provider": provider, "external_id": tf_id,
                                           "kind": ItemKind.transcript.value, "account_id": account_id,
                                           "video_id": out.video_id, "transcript_id": result.transcript.id})
        out.transcript_id, out.segments, out.speakers = result.transcript.id, result.transcript.segment_count, \
            result.speakers
        if out.status is ImportStatus.skipped:
            out.status = ImportStatus.transcript_added
    cursor = later_cursor(account["sync_cursor"], rec.cursor())
    if cursor != account["sync_cursor"]:
        await conn.execute(Q.set_cursor, {"org": org, "id": account_id, "cursor": cursor})
    return out


async def write(system: Database, p: Principal, account_id: UUID, planned: list[Planned], *,
                provider: str = "zoom", event_id: UUID | None = None) -> list[ImportOutcome]:
    """Write each planned recording in a transaction of its own; with ``event_id`` (a delivery of
    one recording) the event is marked processed in that same transaction."""
    outcomes = []
    for job in planned:
        for last in (False, True):
            try:
                async with system.transaction(p.organization_id, p.user_id) as conn:
                    out = await _write_one(conn, p, account_id, provider, job)
                    if event_id is not None:
                        await finish_event(conn, p.organization_id, event_id, "processed",
                                           result=out.model_dump(mode="json"))
                outcomes.append(out)
                break
            except MediabaseError as exc:
                if (not last and isinstance(exc, Conflict)
                        and exc.extra.get("constraint") == "integration_external_items_external_key"):
                    continue  # another import of the same item got there first: look again (it is known then)
                exc.detail = f"{job.item.where}: {exc.detail}"  # which recording, in the one line said
                raise
    return outcomes


async def finish_event(conn: Conn, org: UUID, event_id: UUID, status: str, *, result: dict[str, Any] | None = None,
                       error: str | None = None) -> None:
    await conn.execute(Q.finish_event, {"org": org, "id": event_id, "status": status,
                                        "result": Jsonb(result) if result is not None else None,
                                        "error": error[:4000] if error else None})


async def import_recordings(system: Database, p: Principal, account_id: UUID, items: list[FeedRecording],
                            fetcher: Fetcher, *, provider: str = "zoom", event_id: UUID | None = None) -> ImportReport:
    """Plan, then write (the module's steps 2 and 3); the report ends with the account's cursor."""
    planned = await plan(system, p.organization_id, account_id, items, fetcher, provider)
    outcomes = await write(system, p, account_id, planned, provider=provider, event_id=event_id)
    if event_id is not None and not outcomes:
        async with system.transaction(p.organization_id) as conn:
            await finish_event(conn, p.organization_id, event_id, "processed", result={"recordings": 0})
    async with system.transaction(p.organization_id, readonly=True) as conn:
        account = await fetch_one_or_404(conn, "SELECT sync_cursor FROM integration_accounts"
                                         " WHERE organization_id = %(org)s AND id = %(id)s",
                                         {"org": p.organization_id, "id": account_id}, "integration account")
    return ImportReport(account_id=account_id, outcomes=outcomes, sync_cursor=account["sync_cursor"])
