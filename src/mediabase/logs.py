"""Logging: the request a record belongs to, one JSON object or one readable line per record,
and no personal data.

A request (or a job a worker runs) binds a :class:`RequestContext` in a context variable; a
:class:`ContextFilter` on the handler copies its request id, organization, method and route onto
every record logged while it is bound, whichever logger logs it. ``MEDIABASE_LOG_FORMAT=json``
writes one JSON object per record; the default is a readable line. Both formatters redact
e-mail addresses and API key secrets from messages and tracebacks, and a client address is only
ever logged as a keyed hash (:func:`client_hash`).
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

LogFormat = Literal["console", "json"]

REQUEST_ID_HEADER = "X-Request-ID"
# What a request id from a proxy may look like: a UUID, a hex or base64 token, a trace id.
_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:=+/-]{0,127}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_API_KEY = re.compile(r"\b(mb_[a-z0-9]{12})_[A-Za-z0-9_-]+")
_CONTEXT_FIELDS = ("request_id", "organization", "method", "route", "job_id")
# Attributes of a record that the JSON formatter writes when a caller gives them (``extra=``).
_EXTRA_FIELDS = ("status", "duration_ms", "client", "sqlstate", "constraint")


@dataclass(slots=True)
class RequestContext:
    """What every log record of one request (or job) carries. Mutable: the organization is
    known only once the caller is authenticated, the route once the router has matched."""

    request_id: str | None
    organization: str | None = None
    method: str | None = None
    route: str | None = None
    job_id: str | None = None
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


class ConsoleFormatter(logging.Formatter):
    """``time LEVEL logger: message [request_id=… org=… route=…]`` and the traceback below."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(self._prepared(record))
        tags = [
            f"{label}={value}"
            for label, value in (
                ("request_id", getattr(record, "request_id", None)),
                ("org", getattr(record, "organization", None)),
                ("route", getattr(record, "route", None)),
                ("job", getattr(record, "job_id", None)),
            )
            if value
        ]
        if tags:
            line += " [" + " ".join(tags) + "]"
        trace = _exception_text(self, record)
        if trace:
            line += "\n" + trace
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return redact(line)

    def _prepared(self, record: logging.LogRecord) -> logging.LogRecord:
        record.message = record.getMessage()
        record.asctime = self.formatTime(record, self.datefmt)
        return record


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


def configure_logging(
    log_format: LogFormat = "console",
    level: str | int = "INFO",
    *,
    hash_key: str | None = None,
    stream: TextIO | None = None,
) -> logging.Handler:
    """Send every record (mediabase's, uvicorn's, the libraries') through one handler on the root
    logger, in ``log_format``, with the request context. Other handlers (pytest's) are left alone."""
    global _hash_key
    if hash_key:
        _hash_key = hashlib.sha256(hash_key.encode()).digest()
    handler = _MediabaseHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else ConsoleFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _MediabaseHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    return handler
