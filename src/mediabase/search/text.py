"""Query text hygiene and snippet markup: pure functions, no database.

``clean_query`` is what every search does to ``q`` first: control characters (C0, C1, and
the NUL that PostgreSQL text cannot hold) become spaces, unpaired surrogates are dropped,
whitespace runs collapse. ``any_terms`` makes the "any of these words" form of a query for
highlighting and for the relaxed keyword match. Snippets come from ``ts_headline`` with two
control characters as delimiters (they cannot occur in the text, which is cleaned of them
before), and are turned into HTML (``<mark>``) or terminal markup here.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_QUERY_CHARS = 1000
MARK_START = "\x02"
MARK_STOP = "\x03"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
# websearch_to_tsquery syntax: quotes, a leading '-', and the word 'or' between terms
_OPERATORS = re.compile(r'["]|(?:^|\s)-\S|(?:^|\s)or(?:\s|$)', re.IGNORECASE)


def clean_query(q: str) -> str:
    """``q`` without control characters or unpaired surrogates, whitespace collapsed."""
    q = q.encode("utf-8", "ignore").decode("utf-8") if _has_surrogates(q) else q
    q = _CONTROL.sub(" ", q)
    q = "".join(" " if unicodedata.category(c) in ("Zl", "Zp") else c for c in q)
    return _SPACE.sub(" ", q).strip()


def _has_surrogates(q: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in q)


def has_operators(q: str) -> bool:
    """Whether ``q`` uses websearch syntax (a quoted phrase, ``-word``, ``or``)."""
    return bool(_OPERATORS.search(q))


def words(q: str) -> list[str]:
    """The words of ``q`` (letters, digits, underscore), in order, without repeats."""
    seen: dict[str, None] = {}
    for w in _WORD.findall(q):
        seen.setdefault(w.lower(), None)
    return list(seen)


def any_terms(q: str) -> str:
    """A websearch query that matches any word of ``q``: ``a or b or c`` (empty if none)."""
    return " or ".join([w for w in words(q) if w != "or"][:64])


def snippet_html(raw: str) -> str:
    """A ts_headline result as HTML: the text escaped, the matches in ``<mark>``."""
    out = html.escape(raw, quote=False)
    return out.replace(MARK_START, "<mark>").replace(MARK_STOP, "</mark>")


def snippet_plain(raw: str) -> tuple[str, list[tuple[int, int]]]:
    """A ts_headline result as plain text and the (start, end) offsets of its matches."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    start: int | None = None
    for c in raw:
        if c == MARK_START:
            start = pos
        elif c == MARK_STOP:
            if start is not None:
                spans.append((start, pos))
            start = None
        else:
            text.append(c)
            pos += 1
    return "".join(text), spans
