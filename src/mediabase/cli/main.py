"""The ``mediabase`` command."""

from __future__ import annotations

from typing import Any

import typer
import typer.rich_utils
from rich.markup import escape
from typer.core import TyperOption

from mediabase import __version__
from mediabase.cli import (
    admin,
    analytics,
    auth,
    backup,
    billing,
    collab,
    content,
    dbserver,
    events,
    integrations,
    jobs,
    knowledge,
    legal,
    mail,
    migrations,
    music,
    ops,
    retention,
    search,
    security,
    server,
    stories,
    users,
    webhooks,
    workflows,
)

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

app = typer.Typer(
    name="mediabase",
    help="mediabase: the PostgreSQL source of truth for video, audio and story platforms.\n\n"
    "Start with 'mediabase up'. Without MEDIABASE_DATABASE_URL every command uses an embedded "
    "PostgreSQL in MEDIABASE_DATA_DIR, started on demand.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mediabase {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """mediabase command line."""


server.register(app)
migrations.register(app)
ops.register(app)
backup.register(app)
admin.register(app)
users.register(admin.user_app)
content.register(app)
jobs.register(app)
search.register(app)
collab.register(app)
knowledge.register(app)
stories.register(app)
music.register(app)
security.register(app)
events.register(app)
workflows.register(app)
mail.register(app)
webhooks.register(app)
integrations.register(app)
billing.register(app)
analytics.register(app)
auth.register(app)
legal.register(app)
retention.register(app)
app.add_typer(dbserver.app, name="db", rich_help_panel="Operations")


def main() -> None:
    app()
