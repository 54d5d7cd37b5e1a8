"""Cue text: markup stripping, entity decoding, the canonical text form, and escaping.

Canonical text (what the SRT and WebVTT readers return, and what their writers can
represent exactly): lines joined by ``\\n``; no NUL (U+FFFD instead); each line without
trailing whitespace; no blank lines. Leading whitespace of a line is kept.
"""

from __future__ import annotations

import functools
import html
import re

_NEWLINES = re.compile(r"\r\n?")
# ASS/SSA override blocks: {\an8}, {\pos(1,2)\b1}, {\ an 2}; "{ \an2}" is not one.
_ASS = re.compile(r"\{\\[^}]*\}")
# SubRip markup: <b>, </i>, <font color="red">, <c.x>, <v Name>, and <00:00:01.000>.
_SRT_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.,]*>")
# WebVTT: '<' opens a tag that ends at '>' or at the end of the cue text.
_VTT_TAG = re.compile(r"<([^>]*)(?:>|\Z)")
_VTT_WS = re.compile(r"[\t\n\f\r ]")
_SRT_TAG_START = re.compile(r"<(?=[A-Za-z0-9/])")
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF (and nothing else: not on FF, VT, U+2028 ...)."""
    if "\r" in text:
        text = _NEWLINES.sub("\n", text)
    return text.split("\n")


def normalize_text(text: str) -> str:
    """The canonical form of cue text (see the module docstring)."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return "\n".join(s for line in split_lines(text) if (s := line.rstrip()))


def normalize_speaker(name: str | None) -> str | None:
    """Whitespace runs collapsed to one space; empty -> None."""
    if name is None:
        return None
    collapsed = " ".join(name.replace("\x00", "\ufffd").split())
    return collapsed or None


@functools.lru_cache(maxsize=1024)
def _decode_reference(ref: str) -> str:
    return html.unescape(ref)


def _reference(m: re.Match[str]) -> str:
    return _decode_reference(m[0])


def _unescape(text: str) -> str:
    """Decode character references that end with ';' (``&amp;`` ``&#233;`` ``&nbsp;``);
    legacy ones without it (``&nbsp``, ``AT&T``) stay as written, as vtt.js does."""
    return _REFERENCE.sub(_reference, text) if "&" in text else text


def srt_cue_text(raw: str) -> str:
    """Plain text of SubRip cue lines: ASS blocks and HTML-like tags dropped, entities
    decoded, canonical form."""
    if "{" in raw:
        raw = _ASS.sub("", raw)
    if "<" in raw:
        raw = _SRT_TAG.sub("", raw)
    return normalize_text(_unescape(raw))


def vtt_cue_text(raw: str) -> tuple[str, str | None]:
    """Plain text and first voice (``<v Name>``, ``<v.cls Name>``) of WebVTT cue text.

    Tags are cut as the WebVTT cue text tokenizer does (from '<' to '>' or the end of the
    text); character references are decoded; ASS blocks are dropped too.
    """
    speaker: str | None = None
    if "{" in raw:
        raw = _ASS.sub("", raw)
    if "<" in raw:
        parts: list[str] = []
        pos = 0
        for m in _VTT_TAG.finditer(raw):
            parts.append(raw[pos : m.start()])
            pos = m.end()
            if speaker is None:
                speaker = _voice(m[1])
        parts.append(raw[pos:])
        text = "".join(_unescape(p) for p in parts)
    else:
        text = _unescape(raw)
    return normalize_text(text), speaker


def _voice(tag: str) -> str | None:
    """The annotation of a ``v`` start tag, else None."""
    if not tag.startswith("v"):
        return None
    ws = _VTT_WS.search(tag)
    name = tag[: ws.start()] if ws else tag
    if name.split(".", 1)[0] != "v" or ws is None:
        return None
    return normalize_speaker(_unescape(tag[ws.end() :]))


def _escape_references(text: str) -> str:
    """``&amp;`` for the ``&`` of anything a reader would decode; a bare ``&`` stays."""
    if "&" not in text:
        return text
    return _REFERENCE.sub(lambda m: "&amp;" + m[0][1:], text)


def _escape_common(text: str) -> str:
    text = _escape_references(text)
    if "{\\" in text:
        text = text.replace("{\\", "&#123;\\")
    return text


def escape_srt(text: str) -> str:
    """Escape cue text so that the SRT reader gives it back unchanged, and no more: a
    ``<`` that could open a tag (before a letter, digit or ``/``), the ``&`` of a
    character reference, the ``{`` of ``{\\``, the ``>`` of ``-->``."""
    text = _SRT_TAG_START.sub("&lt;", _escape_common(text))
    return text.replace("-->", "--&gt;")


def escape_vtt(text: str, *, annotation: bool = False) -> str:
    """Escape cue text (or a ``<v>`` annotation) for the WebVTT reader: every ``<``
    (each opens a tag), the ``&`` of a character reference, the ``{`` of ``{\\``, the
    ``>`` of ``-->`` (every ``>`` in an annotation, where it would end the tag)."""
    text = _escape_common(text).replace("<", "&lt;")
    if not annotation:
        return text.replace("-->", "--&gt;")
    text = text.replace(">", "&gt;")
    # an annotation ending in "--" would make "-->" with the tag's own ">": a timing line
    return text[:-1] + "&#45;" if text.endswith("--") else text
