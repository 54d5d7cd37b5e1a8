"""Input types every domain shares: text PostgreSQL can store, instants Python can read back.

PostgreSQL ``text`` cannot hold NUL (U+0000), and a lone surrogate (U+D800–U+DFFF, which a
JSON ``\\ud800`` escape produces) cannot be encoded to UTF-8 at all; ``timestamptz`` holds
instants Python's ``datetime`` cannot (year 10000 and later, anything before year 1). Each
rule lives here once; a domain model composes it into its own types, and a value that
breaks one is a 422 naming the field, before any SQL runs.

- :data:`LINE` (``Line``): a name, title, key or label: no control character at all.
- :data:`TEXT` (``Text``): free text (bodies, descriptions): tab, line feed and carriage
  return allowed, no other control character.
- :data:`JsonObject`, :data:`JsonValue`: JSON stored as ``jsonb``: no NUL or lone surrogate in
  any key or string inside.
- :data:`Instant`: an instant between :data:`MIN_INSTANT` and :data:`MAX_INSTANT` (UTC), which
  every PostgreSQL session time zone and Python both hold; :data:`Expiry` is one in the future.

Put a marker after the string constraints, so that it sees the value as stripped:
``Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), LINE]``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

# Control characters: C0 and DEL. Free text keeps tab, line feed and carriage return.
_LINE_BAD = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_TEXT_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_JSON_BAD = re.compile("[\x00\ud800-\udfff]")

# A day inside year 1 and a year before year 10000, so the instant stays representable in
# any session time zone (offsets are under a day) once PostgreSQL hands it back.
MIN_INSTANT = datetime(1, 1, 2, tzinfo=UTC)
MAX_INSTANT = datetime(9999, 1, 1, tzinfo=UTC)  # exclusive
RANGE_TEXT = "between 0001-01-02 and 9998-12-31 (UTC)"


def bad_character(value: str, pattern: re.Pattern[str]) -> str | None:
    """Why ``value`` cannot be stored as text under ``pattern``'s rule, or None when it can."""
    m = pattern.search(value)
    if m is None:
        return None
    c = m[0]
    if c == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored"
    if "\ud800" <= c <= "\udfff":
        return f"contains a lone surrogate (U+{ord(c):04X}), which is not text"
    return f"contains the control character U+{ord(c):04X}, which is not allowed here"


def _checker(pattern: re.Pattern[str], kind: str) -> WrapValidator:
    """What no text may hold is looked for before the string's own constraints (which would
    refuse a surrogate in words of their own, or strip a leading control character away);
    what a single line may not hold (tab, LF, CR) after them, so a stripped newline is fine."""

    def check(value: Any, handler: ValidatorFunctionWrapHandler) -> str:
        if isinstance(value, str) and (why := bad_character(value, _TEXT_BAD)):
            raise PydanticCustomError(kind, why)
        out: str = handler(value)
        if (why := bad_character(out, pattern)) is not None:
            raise PydanticCustomError(kind, why)
        return out

    return WrapValidator(check)


LINE = _checker(_LINE_BAD, "line")
TEXT = _checker(_TEXT_BAD, "text")

Line = Annotated[str, LINE]
Text = Annotated[str, TEXT]


def storable_text(value: str) -> str | None:
    """Why ``value`` (a query or path parameter) cannot reach PostgreSQL, or None when it can."""
    return bad_character(value, _JSON_BAD)


def json_bad_spot(value: Any, path: str = "") -> tuple[str, str | None, str] | None:
    """The first string of a JSON value that PostgreSQL cannot hold (a NUL, a lone surrogate):
    (the path of the value, or of the object whose key it is; that key, or None for a value; why),
    or None when every string can be stored."""
    if isinstance(value, str):
        why = bad_character(value, _JSON_BAD)
        return (path, None, why) if why else None
    if isinstance(value, dict):
        for k, v in value.items():
            key = str(k)
            why = bad_character(key, _JSON_BAD)
            if why:
                return path, key, why
            found = json_bad_spot(v, f"{path}.{key}" if path else key)
            if found:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = json_bad_spot(v, f"{path}[{i}]")
            if found:
                return found
    return None


def _json_problem(value: Any, path: str) -> str | None:
    spot = json_bad_spot(value, path)
    if spot is None:
        return None
    at, key, why = spot
    if key is not None:
        return f"the key {key!r} {why}"
    return f"the value at {at} {why}" if at else why


def _check_json(value: Any) -> Any:
    why = _json_problem(value, "")
    if why is not None:
        raise PydanticCustomError("json_text", why)
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_check_json)]
JsonValue = Annotated[Any, AfterValidator(_check_json)]


def utc(value: datetime) -> datetime | None:
    """``value`` in UTC (a naive one taken as UTC), or None when that is no datetime at all."""
    try:
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        return None


def in_range(value: datetime) -> bool:
    at = utc(value)
    return at is not None and MIN_INSTANT <= at < MAX_INSTANT


def _check_instant(value: datetime) -> datetime:
    if not in_range(value):
        raise PydanticCustomError("instant_range", f"must be {RANGE_TEXT}")
    return value


def _check_future(value: datetime) -> datetime:
    at = utc(value)
    if at is not None and at <= datetime.now(UTC):
        raise PydanticCustomError("instant_past", "must be in the future")
    return value


Instant = Annotated[datetime, AfterValidator(_check_instant)]
Expiry = Annotated[Instant, AfterValidator(_check_future)]
