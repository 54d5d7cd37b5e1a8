"""Named SQL blocks read from ``.sql`` files, so SQL stays reviewable as SQL.

A file holds blocks introduced by ``-- name: some_query``; the text up to the next such line
is the query. Queries are loaded once per file and used by name::

    Q = load_queries(__package__, "queries.sql")
    await conn.execute(Q.get_video, {"id": video_id})
"""

from __future__ import annotations

import re
from importlib import resources
from typing import LiteralString, cast

_NAME = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.M)


class Queries:
    """Attribute access to the named queries of one file."""

    def __init__(self, source: str, blocks: dict[str, LiteralString]) -> None:
        self._source = source
        self._blocks = blocks

    def __getattr__(self, name: str) -> LiteralString:
        try:
            return self._blocks[name]
        except KeyError:
            raise AttributeError(f"{self._source} has no query named {name!r}") from None

    def names(self) -> list[str]:
        return list(self._blocks)


def parse_queries(source: str, text: str) -> Queries:
    parts = _NAME.split(text)
    blocks: dict[str, LiteralString] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        if name in blocks:
            raise ValueError(f"{source}: query {name!r} is defined twice")
        # the text comes from a file of the package, never from input: a literal in all but type
        blocks[name] = cast(LiteralString, body.strip().rstrip(";"))
    return Queries(source, blocks)


def load_queries(package: str, filename: str) -> Queries:
    """Load ``filename`` from ``package`` (e.g. ``mediabase.media``)."""
    text = resources.files(package).joinpath(filename).read_text(encoding="utf-8")
    return parse_queries(f"{package}/{filename}", text)
