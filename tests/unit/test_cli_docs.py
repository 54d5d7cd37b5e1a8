"""Every command has help a newcomer can read, and docs/cli.md documents exactly the commands there are."""

from __future__ import annotations

import typer.main

from mediabase.cli.docgen import render, walk
from mediabase.cli.main import app
from tests.acceptance.cli import help_of
from tests.conftest import REPO


def commands() -> list[tuple[str, ...]]:
    return [path for path, _ in walk(typer.main.get_command(app)) if path]


def test_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    paths = [path for path, _ in walk(root)]
    for path, cmd in walk(root):
        if path:
            assert (cmd.help or "").strip(), f"mediabase {' '.join(path)} has no help text"
    assert len(paths) > 100
    for path in paths:
        code, output = help_of(root, path)
        assert code in (0, None), (path, output)
        assert "Usage" in output
        # a plain flag takes no value: nothing may read as if it did (issue 23)
        assert "<bool>" not in output, (path, output)


def test_docs_cli_md_is_current() -> None:
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run 'python -m mediabase.cli.docgen > docs/cli.md'"
    for path in commands():
        assert f"## `mediabase {' '.join(path)}`" in committed
