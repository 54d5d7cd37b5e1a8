"""``mediabase music studio …``: V Studio sessions, votes and tallies (docs/music-catalog.md).
The commands act as the organization's first OWNER (``--org``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import typer

from mediabase.cli.common import JsonOpt, console, print_json
from mediabase.cli.music_catalog import OrgOpt, _as_owner, _dump, _table
from mediabase.music.studio import service as studio
from mediabase.music.studio.models import SessionCreate, VoteCast, Weighting

studio_app = typer.Typer(
    help="V Studio: sessions in which a master's community votes on options while the session is open "
    "(one vote per member; weighted 1 each, or by holdings of the master's shares at the opening).",
    no_args_is_help=True,
)
SessionArg = Annotated[UUID, typer.Argument(help="The session's id ('mediabase music studio sessions MASTER').")]


@studio_app.command("sessions")
def sessions(
    org: OrgOpt, master: Annotated[UUID, typer.Argument(help="The master's id.")], as_json: JsonOpt = False
) -> None:
    """A master's studio sessions, latest first."""
    rows = _as_owner(org, lambda db, p: studio.list_sessions(db, p, master))
    if as_json:
        print_json(_dump(rows))
        return
    _table(
        "studio sessions",
        ["id", "title", "opens", "closes", "weighting"],
        [[s.id, s.title, s.opens_at, s.closes_at, s.weighting.value] for s in rows],
    )


@studio_app.command("open")
def open_session(
    org: OrgOpt,
    master: Annotated[UUID, typer.Argument(help="The master's id.")],
    title: Annotated[str, typer.Argument(help="What the session asks.")],
    opens: Annotated[datetime, typer.Option(help="When voting opens (ISO 8601, UTC if no offset).")],
    closes: Annotated[datetime, typer.Option(help="When voting closes (after --opens).")],
    option: Annotated[list[str], typer.Option(help="An option to vote for (repeat, at least 2).")],
    weighting: Annotated[
        Weighting, typer.Option(help="one_per_member, or holdings (of the master's shares at the opening).")
    ] = Weighting.one_per_member,
    as_json: JsonOpt = False,
) -> None:
    """Open a session on a master with its options."""
    data = SessionCreate(
        master_id=master, title=title, opens_at=opens, closes_at=closes, weighting=weighting, options=option
    )
    row = _as_owner(org, lambda db, p: studio.create_session(db, p, data))
    if as_json:
        print_json(_dump(row))
        return
    console.print(f"session {row.id}: " + ", ".join(f"{o.label} ({o.id})" for o in row.options))


@studio_app.command("vote")
def vote(
    org: OrgOpt,
    session: SessionArg,
    option: Annotated[UUID, typer.Argument(help="The option's id.")],
    as_json: JsonOpt = False,
) -> None:
    """Vote (or change the vote) while the session is open."""
    row = _as_owner(org, lambda db, p: studio.vote(db, p, session, VoteCast(option_id=option)))
    print_json(_dump(row)) if as_json else console.print(f"voted {row.option_id} (weight {row.weight})")


@studio_app.command("tally")
def tally(org: OrgOpt, session: SessionArg, as_json: JsonOpt = False) -> None:
    """Votes and weight per option."""
    rows = _as_owner(org, lambda db, p: studio.tally(db, p, session))
    if as_json:
        print_json(_dump(rows))
        return
    _table("tally", ["option", "votes", "weight"], [[t.label, t.votes, t.weight] for t in rows])


def add_commands(app: typer.Typer) -> None:
    """Add this part's commands (or sub-groups) to the ``music`` group."""
    app.add_typer(studio_app, name="studio")
