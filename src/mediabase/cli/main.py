"""The whole ``mediabase`` command tree, every module imported: what docgen and the tests walk.

The ``mediabase`` command itself starts from :mod:`mediabase.cli.root`, which imports only the
module of the command that is run.
"""

from __future__ import annotations

from mediabase.cli.root import full_app, main

app = full_app()

__all__ = ["app", "main"]
