"""Domain errors, and the one place where driver errors become them (by constraint name)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import psycopg
from psycopg import errors as pg_errors


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


@dataclass(frozen=True, slots=True)
class ConstraintRule:
    error: type[MediabaseError]
    message: str | None  # None: the database's own message says it best (raised by a trigger)
    field: str | None = None


_RULES: dict[str, ConstraintRule] = {}


def register_constraint(
    name: str, error: type[MediabaseError], message: str | None, *, field: str | None = None
) -> None:
    """Say what a violated constraint means to a user; domain modules call this at import."""
    _RULES[name] = ConstraintRule(error, message, field)


def translate(exc: psycopg.Error) -> MediabaseError:
    """Turn a driver error into the domain error its constraint (or SQLSTATE) stands for."""
    diag = exc.diag
    constraint = diag.constraint_name
    if constraint and constraint in _RULES:
        rule = _RULES[constraint]
        message = rule.message or diag.message_primary or str(exc)
        return rule.error(message, field=rule.field, constraint=constraint)
    detail = diag.message_primary or str(exc)
    column = diag.column_name
    # A constraint with no rule still has a plain meaning by its kind; the API logs it as
    # untranslated (a warning) so that it gets a rule.
    untranslated: dict[str, Any] = {"untranslated": True} if constraint else {}
    if isinstance(exc, pg_errors.UniqueViolation | pg_errors.ExclusionViolation):
        return Conflict(f"already exists ({constraint})", field=column, constraint=constraint, **untranslated)
    if isinstance(exc, pg_errors.ForeignKeyViolation):
        return NotFound(f"a referenced row does not exist ({constraint})", constraint=constraint, **untranslated)
    if isinstance(exc, pg_errors.CheckViolation | pg_errors.NotNullViolation):
        return Invalid(detail, field=column, constraint=constraint, **untranslated)
    if isinstance(
        exc,
        pg_errors.InvalidTextRepresentation
        | pg_errors.NumericValueOutOfRange
        | pg_errors.StringDataRightTruncation
        | pg_errors.InvalidDatetimeFormat
        | pg_errors.DatetimeFieldOverflow
        | pg_errors.InvalidParameterValue
        | pg_errors.CharacterNotInRepertoire
        | pg_errors.UntranslatableCharacter
        | pg_errors.RaiseException,
    ):
        return Invalid(detail, field=column)
    if isinstance(exc, pg_errors.InsufficientPrivilege):
        # Row-level security hides other tenants' rows: to a caller they do not exist.
        return NotFound("not found")
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.QueryCanceled):
        return Unavailable(detail)
    if isinstance(exc, pg_errors.SerializationFailure | pg_errors.DeadlockDetected):
        return Conflict(f"concurrent update, try again: {detail}")
    if isinstance(exc, psycopg.OperationalError):
        return Unavailable(f"database unavailable: {detail}")
    return UntranslatedError(detail, sqlstate=exc.sqlstate, constraint=constraint)


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise any driver error inside the block as its domain error."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(exc) from exc
