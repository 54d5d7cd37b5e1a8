"""Render the reference of every command as Markdown: ``python -m mediabase.cli.docgen > docs/cli.md``.

A test compares ``docs/cli.md`` with this output, so the documentation cannot drift from
the commands, and fails for any command without help text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from mediabase.cli.main import app


def walk(cmd: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every visible command and group under ``cmd``, depth first, in name order (a hidden group,
    e.g. an old name kept for scripts, hides its commands too)."""
    if getattr(cmd, "hidden", False):
        return
    yield path, cmd
    for name in sorted(getattr(cmd, "commands", {})):
        yield from walk(cmd.commands[name], (*path, name))


def _param(p: Any) -> str:
    if p.param_type_name == "argument":
        optional = "" if p.required else " (optional)"
        text = (getattr(p, "help", None) or "").replace("|", "/")
        return f"| `{(p.name or '').upper()}` | {text}{optional} | argument |"
    names = ", ".join(f"`{o}`" for o in p.opts + p.secondary_opts)
    default = "" if p.default in (None, False) or (p.is_flag and not p.default) else f" (default: `{p.default}`)"
    return f"| {names} | {(p.help or '').replace('|', '/')}{default} | option |"


def render() -> str:
    root = typer.main.get_command(app)
    out = ["# Command reference", "",
           "Generated from the commands' own help (`python -m mediabase.cli.docgen > docs/cli.md`);",
           "`mediabase COMMAND --help` says the same in a terminal.", ""]
    for path, cmd in walk(root):
        if not path:
            continue
        out += [f"## `mediabase {' '.join(path)}`", "", (cmd.help or "").strip(), ""]
        params = [p for p in cmd.params if p.name not in ("help",) and not getattr(p, "hidden", False)]
        if params:  # a group's own options too (e.g. 'mediabase partitions' run without a subcommand)
            out += ["| parameter | meaning | kind |", "|---|---|---|", *(_param(p) for p in params), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
