"""``mediabase music …``: studio (docs/music.md)."""

from __future__ import annotations

import typer


def add_commands(app: typer.Typer) -> None:
    """Add this part's commands (or sub-groups) to the ``music`` group."""
