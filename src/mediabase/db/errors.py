"""The one place where driver errors become domain errors (by constraint name).

The errors themselves are pure types in :mod:`mediabase.common.errors`; they are imported from
here too, as they always were.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import errors as pg_errors

from mediabase.common.errors import (
    Conflict,
    Forbidden,
    Invalid,
    MediabaseError,
    MigrationError,
    NotFound,
    SchemaNotCurrent,
    TooLarge,
    Unauthorized,
    Unavailable,
    UntranslatedError,
)

__all__ = [
    "Conflict",
    "ConstraintRule",
    "Forbidden",
    "Invalid",
    "MediabaseError",
    "MigrationError",
    "NotFound",
    "SchemaNotCurrent",
    "TooLarge",
    "Unauthorized",
    "Unavailable",
    "UntranslatedError",
    "register_constraint",
    "translate",
    "translated",
]


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


_NAMED = re.compile(r'constraint "([^"]{1,200})"')
_SHARD = re.compile(r"_[0-9]+$")  # a Citus shard's suffix: videos_pkey_102345


def _named_constraint(*texts: str | None) -> str | None:
    """The constraint an error's text names. A Citus coordinator passes on a worker's error with
    its message and detail but without the constraint field, and names the shard's constraint
    (``…_pkey_102345``); the suffix is dropped where the rule is known by the table's name."""
    for text in texts:
        if text and (m := _NAMED.search(text)):
            return m.group(1)
    return None


def translate(exc: psycopg.Error) -> MediabaseError:
    """Turn a driver error into the domain error its constraint (or SQLSTATE) stands for."""
    diag = exc.diag
    constraint = diag.constraint_name or _named_constraint(diag.message_detail, diag.message_primary)
    if constraint and constraint not in _RULES and _SHARD.sub("", constraint) in _RULES:
        constraint = _SHARD.sub("", constraint)
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
