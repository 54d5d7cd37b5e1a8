"""Help is text: every ``[word]`` a command's help or an option's help says reaches ``--help`` as written
(rich markup took ``[semantic]`` in ``pip install 'mediabase[semantic]'`` for a style tag and dropped it)."""

from __future__ import annotations

import re
from typing import Any

import typer.main

from mediabase.cli.docgen import walk
from mediabase.cli.main import app
from tests.acceptance.cli import help_of

BRACKETED = re.compile(r"\[[^\[\]\s]+\]")


def written(cmd: Any) -> list[str]:
    """The help a command's author wrote: its docstring and its visible parameters' help."""
    texts = [cmd.help or ""]
    texts += [getattr(p, "help", None) or "" for p in cmd.params if not getattr(p, "hidden", False)]
    return texts


def test_every_bracketed_word_of_the_help_survives_into_help_output() -> None:
    root = typer.main.get_command(app)
    checked: dict[tuple[str, ...], list[str]] = {}
    for path, cmd in walk(root):
        words = sorted({w for text in written(cmd) for w in BRACKETED.findall(text)})
        if not words:
            continue
        code, output = help_of(root, path)
        assert code in (0, None), (path, output)
        missing = [w for w in words if w not in output]
        assert not missing, f"mediabase {' '.join(path)} --help lost {missing}:\n{output}"
        checked[path] = words
    assert "[semantic]" in checked[("search",)]  # the one that was lost, and proof the walk found some


def test_markup_in_help_is_shown_literally_and_the_help_keeps_its_panels() -> None:
    root = typer.main.get_command(app)
    code, output = help_of(root, ("search",))
    assert code in (0, None)
    assert "pip install 'mediabase[semantic]'" in output
    assert "╭─ Options" in output and "--mode" in output
