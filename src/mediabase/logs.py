"""Logging: the request a record belongs to, one JSON object or one readable line per record,
and no personal data.

A request (or a job a worker runs) binds a :class:`RequestContext` in a context variable; a
:class:`ContextFilter` on the handler copies its request id, organization, method and route onto
every record logged while it is bound, whichever logger logs it. ``MEDIABASE_LOG_FORMAT=json``
(``--log-format json``) writes one JSON object per record; the default, ``text``, one readable
line: ``12:04:05 INFO  job completed  transcript.index <job id> org=demo 0.41s``. By default
mediabase's own records from INFO and the libraries' from WARNING are written; ``verbose``
(``-v``) adds mediabase's DEBUG and the libraries' INFO, ``-vv`` everything. Both formatters
redact e-mail addresses and API key secrets from messages and tracebacks, and a client address
is only ever logged as a keyed hash (:func:`client_hash`).
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

# "console" is the old name of "text" (MEDIABASE_LOG_FORMAT=console keeps working)
LogFormat = Literal["text", "console", "json"]

REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from a proxy may look like: a UUID, a hex or base64 token, a trace id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_API_KEY = re.compile(r"\b(mb_[a-z0-9]{12})_[A-Za-z0-9_-]+")
_CONTEXT_FIELDS = ("request_id", "organization", "org_slug", "method", "route", "job_id", "job_type")
# Attributes of a record that the JSON formatter writes when a caller gives them (``extra=``).
_EXTRA_FIELDS = ("status", "duration_ms", "client", "sqlstate", "constraint", "attempt", "error")
_LEVEL_NAMES = {"WARNING": "WARN", "CRITICAL": "CRIT"}  # the text format's level column is 5 wide


@dataclass(slots=True)
class RequestContext:
    """What every log record of one request (or job) carries. Mutable: the organization is
    known only once the caller is authenticated, the route once the router has matched."""

    request_id: str | None
    organization: str | None = None
    method: str | None = None
    route: str | None = None
    job_id: str | None = None
    job_type: str | None = None
    org_slug: str | None = None  # the organization's slug, where the logger knows it (the worker)
    route_of: Callable[[], str | None] | None = None  # how to find the route once it is matched

    def field(self, name: str) -> str | None:
        if name == "route" and self.route is None and self.route_of is not None:
            self.route = self.route_of()
        value: str | None = getattr(self, name)
        return value


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("mediabase_request", default=None)


def current() -> RequestContext | None:
    """The context of the request (or job) being served, if any."""
    return _current.get()


def current_request_id() -> str | None:
    ctx = _current.get()
    return ctx.request_id if ctx else None


def bind(ctx: RequestContext) -> contextvars.Token[RequestContext | None]:
    """Make ``ctx`` the current context (until :func:`unbind` with the token returned)."""
    return _current.set(ctx)


def unbind(token: contextvars.Token[RequestContext | None]) -> None:
    _current.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str | None:
    """A request id sent by a proxy if it is one (1-128 characters of ``A-Za-z0-9._:=+/-``)."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return None


def redact(text: str) -> str:
    """``text`` without e-mail addresses and API key secrets (a key's prefix is kept: it names
    the key to an operator, as ``mediabase key revoke`` does)."""
    if "@" in text:
        text = _EMAIL.sub("<email>", text)
    if "mb_" in text:
        text = _API_KEY.sub(r"\1_<secret>", text)
    return text


_hash_key = os.urandom(32)


def client_hash(address: str | None) -> str | None:
    """A client address as a keyed hash (HMAC-SHA-256, 16 hex digits): the same address gives
    the same value while the key is the same (MEDIABASE_LOG_HASH_KEY, else one per process)."""
    if not address:
        return None
    return hmac.new(_hash_key, address.encode(), hashlib.sha256).hexdigest()[:16]


class ContextFilter(logging.Filter):
    """Copies the bound request context onto each record (a value given with ``extra=`` wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        ctx = _current.get()
        for name in _CONTEXT_FIELDS:
            if not hasattr(record, name):
                setattr(record, name, ctx.field(name) if ctx else None)
        return True


def _exception_text(formatter: logging.Formatter, record: logging.LogRecord) -> str | None:
    if record.exc_info:
        return formatter.formatException(record.exc_info)
    return record.exc_text or None


def _duration(ms: float) -> str:
    return f"{ms / 1000:.2f}s" if ms >= 10 else f"{ms:.1f} ms"


class ConsoleFormatter(logging.Formatter):
    """One readable line: ``time LEVEL message  key fields``, the traceback (if any) below it.

    The key fields are the job (type and id, as 'mediabase jobs show' takes it), the organization
    (its slug when known, else its id), the request id and route of a request, the attempt, the
    duration, an error; a value the message already says is not repeated. A library's records name
    their logger (``uvicorn.error: …``); with ``verbose`` mediabase's do too, and the time has
    milliseconds."""

    def __init__(self, *, verbose: bool = False) -> None:
        super().__init__()
        self.verbose = verbose

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        when = datetime.fromtimestamp(record.created)
        stamp = f"{when:%H:%M:%S}.{int(record.msecs):03d}" if self.verbose else f"{when:%H:%M:%S}"
        level = _LEVEL_NAMES.get(record.levelname, record.levelname)
        name = f"{record.name}: " if self.verbose or not record.name.startswith("mediabase") else ""
        line = f"{stamp} {level:<5} {name}{message}"
        tags = [tag for tag in self._tags(record) if tag not in message]
        if tags:
            line += "  " + " ".join(tags)
        trace = _exception_text(self, record)
        if trace:
            line += "\n" + trace
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return redact(line)

    @staticmethod
    def _tags(record: logging.LogRecord) -> list[str]:
        def get(name: str) -> Any:
            return getattr(record, name, None)

        tags: list[str] = []
        job_id, org = get("job_id"), get("organization")
        if job_id:
            tags.append(" ".join(str(v) for v in (get("job_type"), job_id) if v))
        if get("org_slug") or org:
            tags.append(f"org={get('org_slug') or org}")
        if get("request_id") and not job_id:
            tags.append(f"request_id={get('request_id')}")
            if get("route"):
                tags.append(" ".join(str(v) for v in (get("method"), get("route")) if v))
        if get("attempt"):
            tags.append(f"attempt={get('attempt')}")
        if isinstance(get("duration_ms"), int | float):
            tags.append(_duration(float(get("duration_ms"))))
        if get("error"):
            tags.append(f"error={get('error')}")
        return tags


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp, level, logger, message, the request context,
    status and duration when known, the traceback as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in (*_CONTEXT_FIELDS, *_EXTRA_FIELDS):
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        trace = _exception_text(self, record)
        if trace:
            out["exception"] = redact(trace)
        return json.dumps(out, default=str, ensure_ascii=False)


class _MediabaseHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler :func:`configure_logging` installs (so a second call replaces it)."""


def levels(level: str | int = "INFO", verbose: int = 0) -> tuple[int, int]:
    """The level of mediabase's own loggers and of everyone else's (the libraries': uvicorn,
    psycopg, asyncio …): ``level`` and WARNING (or ``level`` if higher); with ``verbose`` 1,
    DEBUG and INFO; 2 or more, DEBUG for both."""
    ours = logging.getLevelName(level.upper()) if isinstance(level, str) else level
    if not isinstance(ours, int):
        raise ValueError(f"unknown log level {level!r}")
    if verbose >= 2:
        return logging.DEBUG, logging.DEBUG
    if verbose == 1:
        return logging.DEBUG, logging.INFO
    return ours, max(ours, logging.WARNING)


def configure_logging(
    log_format: LogFormat = "text",
    level: str | int = "INFO",
    *,
    verbose: int = 0,
    hash_key: str | None = None,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every record (mediabase's, uvicorn's, the libraries') through one handler on the root
    logger, in ``log_format``, with the request context, at the :func:`levels` of ``level`` and
    ``verbose``. Other handlers (pytest's) are left alone."""
    global _hash_key
    if hash_key:
        _hash_key = hashlib.sha256(hash_key.encode()).digest()
    handler = _MediabaseHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else ConsoleFormatter(verbose=verbose > 0))
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _MediabaseHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    ours, theirs = levels(level, verbose)
    root.setLevel(theirs)
    logging.getLogger("mediabase").setLevel(ours)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
        named.setLevel(logging.NOTSET)  # the libraries' level, from the root
    return handler
