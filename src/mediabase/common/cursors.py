"""Opaque page cursors: JSON in URL-safe base64 without padding.

:func:`pack` and :func:`unpack` are the one encoding every cursor uses (search keeps its own
fields and a fingerprint on top of them). :func:`encode_cursor` and :func:`decode_position` are
the keyset cursor of the lists ordered by (instant, id), newest first; :func:`decode_id` and
:func:`id_page` that of the lists ordered by a time-ordered (v7) id alone, newest first. A cursor that does not
decode is an :class:`~mediabase.common.errors.Invalid` on the field ``cursor``: garbage never
reaches SQL.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Protocol, TypeVar
from uuid import UUID

from mediabase.common.errors import Invalid
from mediabase.common.types import in_range, storable_text

INVALID = "invalid cursor"


def pack(value: Any) -> str:
    """``value`` (JSON-serializable) as an opaque cursor."""
    return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).decode().rstrip("=")


def unpack(cursor: str, message: str = INVALID) -> Any:
    """What :func:`pack` packed; anything that is not base64 of JSON is ``Invalid(message)``."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except ValueError as exc:
        raise Invalid(message, field="cursor") from exc


def encode_cursor(*values: Any) -> str:
    """A cursor of ``values`` as strings (datetimes in ISO 8601)."""
    return pack([v.isoformat() if isinstance(v, datetime) else str(v) for v in values])


def decode_cursor(cursor: str, n: int) -> list[str]:
    """The ``n`` strings of a cursor :func:`encode_cursor` made; anything else is a 422."""
    values = unpack(cursor)
    if (
        not isinstance(values, list)
        or len(values) != n
        or not all(isinstance(v, str) and storable_text(v) is None for v in values)
    ):
        raise Invalid(INVALID, field="cursor")
    return values


def decode_position(cursor: str) -> tuple[datetime, UUID]:
    """A (timestamp, id) cursor, each part parsed here: garbage never reaches SQL."""
    at, last = decode_cursor(cursor, 2)
    try:
        when, key = datetime.fromisoformat(at), UUID(last)
    except ValueError as exc:
        raise Invalid(INVALID, field="cursor") from exc
    if when.tzinfo is None or not in_range(when):
        raise Invalid(INVALID, field="cursor")
    return when, key


class _HasId(Protocol):
    @property
    def id(self) -> UUID: ...


T = TypeVar("T", bound=_HasId)


def decode_id(cursor: str | None) -> UUID | None:
    """The id an :func:`id_page` cursor names (None for no cursor); anything else is a 422."""
    if cursor is None:
        return None
    value = unpack(cursor)
    if isinstance(value, str):
        try:
            return UUID(value)
        except ValueError:
            pass
    raise Invalid(INVALID, field="cursor")


def id_page(rows: list[T], limit: int) -> tuple[list[T], str | None]:
    """A page of rows fetched ``limit + 1`` at a time, ordered by id: the first ``limit`` rows and
    the cursor of the next page (the last row's id), or None on the last page."""
    page = rows[:limit]
    return page, (pack(str(page[-1].id)) if len(rows) > limit else None)
