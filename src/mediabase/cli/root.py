"""The ``mediabase`` command's root, which imports a command's module only when it is run.

``mediabase videos list`` imports ``mediabase.cli.content`` (and what it needs), not the ~25
modules and ~300 commands of the whole tree: a command starts in about a second instead of three
or four. ``mediabase --help`` (and a mistyped command, which is answered with suggestions) loads
the whole tree, as ``mediabase.cli.main.app`` always does (docgen and the tests walk that one).

:data:`COMMANDS` names, in the order of the help's panels, the module of every root command; the
module's ``register(app)`` adds them. ``tests/unit/test_cli_lazy.py`` checks that the names are
exactly what each module registers.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import typer
import typer.main
import typer.rich_utils
from rich.markup import escape
from typer.core import TyperGroup, TyperOption

from mediabase import __version__

COMMANDS: dict[str, tuple[str, ...]] = {
    "server": ("up", "serve"),
    "migrations": ("migrate", "status", "validate", "plan", "baseline", "repair", "new", "dump-schema"),
    "ops": ("seed", "psql", "doctor"),
    "backup": ("backup", "restore"),
    "admin": ("org", "users", "user", "key"),
    "content": ("ingest", "export", "videos"),
    "jobs": ("worker", "jobs", "partitions"),
    "search": ("search", "reindex"),
    "collab": ("decisions", "action-items", "topics", "audit"),
    "knowledge": ("graph",),
    "stories": ("stories",),
    "music": ("music",),
    "security": ("security",),
    "events": ("events",),
    "workflows": ("workflows",),
    "mail": ("mail",),
    "webhooks": ("webhooks",),
    "integrations": ("integrations",),
    "billing": ("billing",),
    "analytics": ("analytics",),
    "auth": ("auth", "invitations"),
    "legal": ("legal",),
    "retention": ("retention",),
    "dbserver": ("db",),
}
"""module of ``mediabase.cli`` → the root commands its ``register(app)`` adds"""

_MODULE_OF = {name: module for module, names in COMMANDS.items() for name in names}

_display_type_rich = TyperOption.display_type_rich


def _flag_takes_no_value(self: TyperOption, ctx: Any) -> Any:
    """A plain flag (--json, --version, --help) takes no value: show no '<bool>' after it."""
    return None if self.is_flag else _display_type_rich(self, ctx)


TyperOption.display_type_rich = _flag_takes_no_value  # type: ignore[method-assign]

_make_rich_text = typer.rich_utils._make_rich_text


def _help_is_text(*, text: str, style: str = "", markup_mode: Any) -> Any:
    """Help is plain text, not rich markup: "pip install 'mediabase[semantic]'" keeps its
    '[semantic]' (rich took it for a style tag and dropped it); panels and highlighting stay."""
    text = escape(text) if markup_mode == "rich" else text
    return _make_rich_text(text=text, style=style, markup_mode=markup_mode)


typer.rich_utils._make_rich_text = _help_is_text


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mediabase {__version__}")
        raise typer.Exit()


def new_app(cls: type[TyperGroup] | None = None) -> typer.Typer:
    """The root ``mediabase`` app with its options and no command yet."""
    app = typer.Typer(
        name="mediabase",
        cls=cls,
        help="mediabase: the PostgreSQL source of truth for video, audio and story platforms.\n\n"
        "Start with 'mediabase up'. Without MEDIABASE_DATABASE_URL every command uses an embedded "
        "PostgreSQL in MEDIABASE_DATA_DIR, started on demand.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                     help="Print the version."),
    ) -> None:
        """mediabase command line."""

    return app


def register(app: typer.Typer, module: str) -> None:
    importlib.import_module(f"mediabase.cli.{module}").register(app)


def full_app() -> typer.Typer:
    """The root app with every command registered."""
    app = new_app()
    for module in COMMANDS:
        register(app, module)
    return app


def group_of(module: str) -> TyperGroup:
    """The root commands one module registers, as a group (even when it adds one command)."""
    part = typer.Typer()
    part.callback()(lambda: None)
    register(part, module)
    return typer.main.get_group(part)


@cache
def _full_group() -> TyperGroup:
    return typer.main.get_group(full_app())


class _LazyRoot(TyperGroup):
    """Builds only the command asked for; the whole tree for help and suggestions."""

    def list_commands(self, ctx: Any) -> list[str]:
        return _full_group().list_commands(ctx)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module = _MODULE_OF.get(cmd_name)
        if module is None or _full_group.cache_info().currsize:
            return _full_group().get_command(ctx, cmd_name)
        return group_of(module).get_command(ctx, cmd_name)


def main() -> None:
    new_app(_LazyRoot)()
