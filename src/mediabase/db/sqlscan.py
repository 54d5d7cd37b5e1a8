"""A small SQL lexer used to *inspect* migration files, and to split one into statements only
where the server needs them one at a time (a Citus coordinator: see Migrator._apply).

It knows quotes, E'' strings, quoted identifiers, dollar quotes, nested block comments and
``BEGIN ATOMIC … END`` bodies, which is what it takes to count top-level statements and to
see the first words of each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


@dataclass(frozen=True, slots=True)
class Statement:
    line: int  # 1-based line where the statement's first word stands
    words: tuple[str, ...]  # its first few keywords, upper-cased
    start: int = 0  # text[start:end] is the statement, with the comments before it and its ';'
    end: int = 0

    @property
    def is_transaction_control(self) -> bool:
        first = self.words[0] if self.words else ""
        if first in {"BEGIN", "COMMIT", "ROLLBACK", "ABORT", "END"}:
            return True
        if first == "START" and self.words[1:2] == ("TRANSACTION",):
            return True
        return first == "PREPARE" and self.words[1:2] == ("TRANSACTION",)


def statements(text: str) -> list[Statement]:
    """The top-level statements of ``text`` (empty ones skipped), with their first words."""
    out: list[Statement] = []
    words: list[str] = []
    start_line: int | None = None
    line = 1
    atomic_depth = 0
    i, n = 0, len(text)
    begin = 0  # where the current statement's text begins (after the previous ';')

    def word_seen(word: str, at_line: int) -> None:
        nonlocal start_line, atomic_depth
        upper = word.upper()
        if start_line is None:
            start_line = at_line
        if len(words) < 4:
            words.append(upper)
        if (upper == "ATOMIC" and prev_word[0] == "BEGIN") or (atomic_depth and upper == "CASE"):
            atomic_depth += 1
        elif atomic_depth and upper == "END":
            atomic_depth -= 1
        prev_word[0] = upper

    prev_word = [""]
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c == "-" and text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif c == "/" and text.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif text.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    line += text[i] == "\n"
                    i += 1
        elif c in "'\"":
            if start_line is None:
                start_line = line
            backslash = (
                c == "'"
                and i > 0
                and text[i - 1] in "eE"
                and (i < 2 or not (text[i - 2].isalnum() or text[i - 2] == "_"))
            )
            i += 1
            while i < n:
                ch = text[i]
                if ch == "\n":
                    line += 1
                if backslash and ch == "\\":
                    i += 2
                    continue
                if ch == c:
                    if text.startswith(c * 2, i):
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
        elif (
            c == "$"
            and (m := _DOLLAR_TAG.match(text, i))
            and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"))
        ):
            if start_line is None:
                start_line = line
            tag = m.group(0)
            end = text.find(tag, m.end())
            end = n if end < 0 else end + len(tag)
            line += text.count("\n", i, end)
            i = end
        elif c == ";" and atomic_depth == 0:
            if start_line is not None:
                out.append(Statement(start_line, tuple(words), begin, i + 1))
            words.clear()
            start_line = None
            prev_word[0] = ""
            i += 1
            begin = i
        elif c.isalpha() or c == "_":
            m2 = _WORD.match(text, i)
            assert m2 is not None
            word_seen(m2.group(0), line)
            i = m2.end()
        else:
            if not c.isspace() and start_line is None:
                start_line = line
            i += 1
    if start_line is not None:
        out.append(Statement(start_line, tuple(words), begin, n))
    return out
