"""Zoom, the reference provider: webhook signatures, the URL validation challenge, the shape of
a recording (``recording.completed``'s ``payload.object``, or one of the ``meetings`` of the
list-recordings API) and its WebVTT transcript, whose cues say who speaks as ``Name: text``.

Pure: no database, no network (the importer and :mod:`.fetch` do those).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mediabase.common.errors import Invalid, Unauthorized
from mediabase.common.types import LINE
from mediabase.transcripts.formats import ParsedTranscript, Segment

NAME = "zoom"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
SIGNATURE_HEADER = "x-zm-signature"
URL_VALIDATION = "endpoint.url_validation"
RECORDING_EVENTS = ("recording.completed", "recording.transcript_completed")
# the download host of Zoom's recordings (zoom.us, us01web.zoom.us …)
DOWNLOAD_HOSTS = (".zoom.us",)
# the fields of a delivery that are secrets: sealed apart from the stored payload
SECRET_FIELDS = ("download_token",)
TRANSCRIPT_TYPES = ("TRANSCRIPT", "CC")  # the audio transcript first, closed captions else
MEDIA_TYPES = ("MP4", "M4A")
_PLAIN_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")

Printable = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,500}$")]


# -- signatures -------------------------------------------------------------------------------------


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>``, Zoom's x-zm-signature."""
    mac = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v0=" + mac.hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float, tolerance: int) -> None:
    """Refuse (401) a delivery that Zoom did not sign with ``secret``, or signed too long ago (or
    ahead): a replay of a captured request stops working after ``tolerance`` seconds."""
    timestamp = headers.get(TIMESTAMP_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if not timestamp or not signature:
        raise Unauthorized(f"a Zoom webhook carries the {TIMESTAMP_HEADER} and {SIGNATURE_HEADER} headers",
                           field=SIGNATURE_HEADER if timestamp else TIMESTAMP_HEADER)
    if not timestamp.isdigit() or len(timestamp) > 16:
        raise Unauthorized(f"{TIMESTAMP_HEADER} is not a Unix time", field=TIMESTAMP_HEADER)
    seconds = int(timestamp) / (1000 if len(timestamp) >= 13 else 1)  # milliseconds, or seconds
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), signature.strip().encode("utf-8", "replace")):
        raise Unauthorized(f"{SIGNATURE_HEADER} does not match the body and the account's webhook secret",
                           field=SIGNATURE_HEADER)
    if abs(now - seconds) > tolerance:
        raise Unauthorized(f"{TIMESTAMP_HEADER} is more than {tolerance} seconds away from now: a stale or"
                           " replayed delivery", field=TIMESTAMP_HEADER)


def url_validation(secret: str, payload: Mapping[str, Any]) -> dict[str, str]:
    """The answer to ``endpoint.url_validation``: the plain token and its HMAC under the secret.
    Only a short token of letters and digits is answered (as Zoom sends): the secret's HMAC of
    any text asked for would sign a forged ``v0:…`` message."""
    inner = payload.get("payload")
    token = inner.get("plainToken") if isinstance(inner, dict) else None
    if not isinstance(token, str) or not _PLAIN_TOKEN.fullmatch(token):
        raise Invalid("payload.plainToken must be 1 to 128 letters, digits, '-' or '_'", field="payload.plainToken")
    mac = hmac.new(secret.encode(), token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": token, "encryptedToken": mac}


# -- the shape of a recording ------------------------------------------------------------------------


class _Zoom(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)  # Zoom sends many more fields


class RecordingFile(_Zoom):
    id: Printable
    file_type: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_]{1,40}$")]
    file_extension: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,16}$")] | None = None
    download_url: Annotated[str, StringConstraints(min_length=1, max_length=4096), LINE] | None = None
    recording_start: AwareDatetime | None = None
    recording_end: AwareDatetime | None = None
    file_size: Annotated[int, Field(ge=0)] | None = None
    status: Annotated[str, StringConstraints(max_length=40), LINE] | None = None
    recording_type: Annotated[str, StringConstraints(max_length=100), LINE] | None = None


class Recording(_Zoom):
    uuid: Printable
    id: Annotated[int, Field(ge=0)] | Printable
    topic: Annotated[str, StringConstraints(max_length=500)] = ""
    start_time: AwareDatetime
    duration: Annotated[int, Field(ge=0, le=10**7)] | None = None
    """Minutes (Zoom's unit)."""
    recording_files: Annotated[list[RecordingFile], Field(max_length=1000)] = Field(default_factory=list)

    def transcript_file(self) -> RecordingFile | None:
        """The file that becomes the video's transcript: the first TRANSCRIPT, else the first CC
        (files not yet completed are passed over)."""
        for kind in TRANSCRIPT_TYPES:
            for f in self.recording_files:
                if f.file_type.upper() == kind and f.download_url and (f.status or "completed").lower() == "completed":
                    return f
        return None

    def media_file(self) -> RecordingFile | None:
        for kind in MEDIA_TYPES:
            for f in self.recording_files:
                if f.file_type.upper() == kind:
                    return f
        return None

    def span_ms(self) -> int | None:
        """The recording's length: its files' span, else the meeting's minutes."""
        spans = [int((f.recording_end - f.recording_start).total_seconds() * 1000) for f in self.recording_files
                 if f.recording_start and f.recording_end and f.recording_end >= f.recording_start]
        if spans:
            return max(spans)
        return self.duration * 60_000 if self.duration is not None else None

    def cursor(self) -> str:
        """The sync cursor this recording moves the account to: its start, as UTC ISO 8601."""
        return self.start_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Payload(_Zoom):
    account_id: Annotated[str, StringConstraints(max_length=200)] | None = None
    object: Recording


class RecordingEvent(_Zoom):
    event: Annotated[str, StringConstraints(pattern=r"^[!-~]{1,200}$")]
    event_ts: Annotated[int, Field(ge=0)] | None = None
    payload: _Payload


class ListAnswer(_Zoom):
    meetings: Annotated[list[Recording], Field(max_length=100_000)]


def later_cursor(old: str | None, new: str) -> str:
    """The later of two cursors (an old one that does not read as a time is replaced)."""
    if old is None:
        return new
    try:
        return new if datetime.fromisoformat(new) > datetime.fromisoformat(old) else old
    except ValueError:
        return new


@dataclass(frozen=True, slots=True)
class FeedRecording:
    """A recording as read from a feed or a delivery, and where (for messages): the file (or
    file:line) and the recording's path in it (``meetings[1]``, ``payload.object``)."""

    source: str
    path: str
    recording: Recording
    download_token: str | None = None

    @property
    def where(self) -> str:
        return f"{self.source}: {self.path}" if self.path else self.source

    def at(self, field: str) -> str:
        """``source: path.field``: where a field of the recording is."""
        return f"{self.source}: {self.path}.{field}" if self.path else f"{self.source}: {field}"

    def __repr__(self) -> str:
        return f"FeedRecording({self.where!r}, {self.recording.uuid!r})"


def problems(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """(field path, message) of every error, e.g. ('payload.object.recording_files[1].file_type', …)."""
    out = []
    for e in exc.errors():
        path = prefix
        for part in e["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        out.append((path or "value", e["msg"]))
    return out


class FeedError(ValueError):
    """Every problem of a feed, each ``where: field: reason``; nothing was written."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines[:20]) + (f" (and {len(lines) - 20} more)" if len(lines) > 20 else ""))
        self.lines = lines


def _token(obj: Mapping[str, Any]) -> str | None:
    for holder in (obj, obj.get("payload")):
        if isinstance(holder, dict) and isinstance(holder.get("download_token"), str):
            return str(holder["download_token"])
    return None


def recordings_of(obj: Any, where: str, prefix: str = "") -> Iterator[FeedRecording | str]:
    """The recordings a JSON value holds (a recording event, a list-recordings answer with its
    ``meetings``, a bare recording object, or an array of those), or one message per problem.
    Events of other types hold none."""
    if isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from recordings_of(item, where, f"{prefix}[{i}]")
        return
    if not isinstance(obj, dict):
        got = type(obj).__name__
        yield f"{where}: {prefix or 'value'}: a recording event, a recording or a list of them (got {got})"
        return
    dotted = f"{prefix}." if prefix else ""
    try:
        if "meetings" in obj:
            for i, rec in enumerate(ListAnswer.model_validate(obj).meetings):
                yield FeedRecording(where, f"{dotted}meetings[{i}]", rec, _token(obj))
        elif "event" in obj:
            event_type = obj.get("event")
            if event_type in RECORDING_EVENTS:
                yield FeedRecording(where, f"{dotted}payload.object", RecordingEvent.model_validate(obj).payload.object,
                                    _token(obj))
            elif not isinstance(event_type, str):
                yield f"{where}: {dotted}event: a string naming the event"
        else:
            yield FeedRecording(where, prefix, Recording.model_validate(obj), _token(obj))
    except ValidationError as exc:
        for field, message in problems(exc, prefix):
            yield f"{where}: {field}: {message}"


# -- transcripts ---------------------------------------------------------------------------------------

# "Name: text": a name of 1 to 100 characters without a colon, a colon and a space, then the text
_SPEAKER = re.compile(r"^(?P<name>[^:\n]{1,100}?):\s+(?P<text>\S.*)$", re.DOTALL)


def with_speakers(parsed: ParsedTranscript) -> ParsedTranscript:
    """Zoom's WebVTT says who speaks as ``Name: text`` at the start of a cue: the name becomes the
    segment's speaker (a cue that names none, or has a ``<v Name>`` voice already, stays)."""
    segments: list[Segment] = []
    for s in parsed.segments:
        m = _SPEAKER.match(s.text) if s.speaker is None else None
        if m is not None and m["name"].strip():
            s = replace(s, speaker=m["name"].strip(), text=m["text"].strip())
        segments.append(s)
    speakers = {s.speaker: s.speaker for s in segments if s.speaker is not None}
    return replace(parsed, segments=segments, speakers=speakers)
