"""The errors mediabase raises on purpose, each with its HTTP status and a code.

Pure types, below every domain and the driver: a cursor refused in :mod:`mediabase.common.cursors`
is as much an :class:`Invalid` as a violated constraint. Turning driver errors into these is
:mod:`mediabase.db.errors`' work (by constraint name); the API answers them with problem+json,
the CLI with one line and a non-zero exit.
"""

from __future__ import annotations

from typing import Any, ClassVar


class MediabaseError(Exception):
    """Base of every error mediabase raises on purpose; carries an HTTP status and a code.

    A 4xx's detail is written for the client. A 5xx's detail is for the operator: the API logs
    it and answers ``public_detail`` (or a generic sentence) instead, so no driver or Python
    text reaches a client.
    """

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal error"
    public_detail: ClassVar[str | None] = None

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra

    def __str__(self) -> str:
        return self.detail


class Invalid(MediabaseError):
    status = 422
    code = "invalid"
    title = "Invalid input"


class NotFound(MediabaseError):
    status = 404
    code = "not-found"
    title = "Not found"


class Conflict(MediabaseError):
    status = 409
    code = "conflict"
    title = "Conflict"


class Unauthorized(MediabaseError):
    status = 401
    code = "unauthorized"
    title = "Unauthorized"


class Forbidden(MediabaseError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class TooLarge(MediabaseError):
    status = 413
    code = "too-large"
    title = "Payload too large"


class Unavailable(MediabaseError):
    status = 503
    code = "unavailable"
    title = "Service unavailable"


class SchemaNotCurrent(Unavailable):
    code = "schema-not-current"
    title = "Database schema is not current"


class UntranslatedError(MediabaseError):
    """A driver error no rule gives a meaning (an unknown SQLSTATE): a 500 the API logs as an
    "untranslated database error", so a constraint or failure without a meaning is found."""


class MigrationError(MediabaseError):
    code = "migration-error"
    title = "Migration error"
