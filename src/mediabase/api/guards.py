"""Checks every route gets: the app registers them as dependencies, so no route can forget one."""

from __future__ import annotations

from fastapi import Request

from mediabase.common.types import storable_text
from mediabase.db.errors import Invalid


async def storable_parameters(request: Request) -> None:
    """A query or path parameter PostgreSQL could not take (a NUL, a lone surrogate) is a 422
    naming the parameter, before the route's own parameters are even looked at."""
    for where, items in (("path", request.path_params.items()), ("query", request.query_params.multi_items())):
        for name, value in items:
            if isinstance(value, str) and (why := storable_text(value)) is not None:
                raise Invalid(f"{where} parameter {name!r} {why}", field=f"{where}.{name}")
