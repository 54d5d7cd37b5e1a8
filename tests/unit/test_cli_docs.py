"""Every command has help a newcomer can read, and docs/cli.md documents exactly the commands there are."""

from __future__ import annotations

import typer.main
from typer.testing import CliRunner

from mediabase.cli.docgen import render, walk
from mediabase.cli.main import app
from tests.conftest import REPO


def commands() -> list[tuple[str, ...]]:
    return [path for path, _ in walk(typer.main.get_command(app)) if path]


def test_every_command_has_help() -> None:
    root = typer.main.get_command(app)
    for path, cmd in walk(root):
        if path:
            assert (cmd.help or "").strip(), f"mediabase {' '.join(path)} has no help text"
    runner = CliRunner()
    for path in [(), *commands()]:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output
        # a plain flag takes no value: nothing may read as if it did (issue 23)
        assert "<bool>" not in result.output, (path, result.output)


def test_docs_cli_md_is_current() -> None:
    committed = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run 'python -m mediabase.cli.docgen > docs/cli.md'"
    for path in commands():
        assert f"## `mediabase {' '.join(path)}`" in committed
