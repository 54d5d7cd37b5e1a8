"""``mediabase music …``: the catalog — roles, artists, producers, masters, credits and contracts
(docs/music-catalog.md). The commands act as the organization's first OWNER (``--org``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

import typer
from pydantic import ValidationError
from rich.table import Table

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, print_table, run
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.music.catalog import contracts
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import (
    ContractCreate,
    CreditCreate,
    MasterCreate,
    MasterStatus,
    MasterType,
    MasterUpdate,
    MusicRole,
    Party,
    ProfileCreate,
    RoleGrant,
    SplitLine,
)

T = TypeVar("T")
OrgOpt = Annotated[str, typer.Option("--org", help="The artist organization's slug.", envvar="MEDIABASE_ORG")]
MasterArg = Annotated[UUID, typer.Argument(help="The master's id ('mediabase music masters list' shows them).")]

roles_app = typer.Typer(help="Artist, producer and fan roles of the organization's members.", no_args_is_help=True)
artists_app = typer.Typer(help="Artist profiles (of a member, or of someone without an account).", no_args_is_help=True)
producers_app = typer.Typer(
    help="Producer profiles (of a member, or of someone without an account).", no_args_is_help=True
)
masters_app = typer.Typer(
    help="Masters (recorded works): create, change, move status, credit producers.", no_args_is_help=True
)
contracts_app = typer.Typer(
    help="Versioned master contracts: splits in basis points that sum to exactly 10,000; a signed "
    "version never changes, a newer signed one supersedes it.",
    no_args_is_help=True,
)


def _as_owner(org: str, work: Callable[[Database, Principal], Awaitable[T]]) -> T:
    async def _run() -> T:
        async with open_databases() as (db, system):
            return await work(db, await identity.acting_owner(system, org))

    return run(_run())


def valid(build: Callable[[], T]) -> T:
    """A request model built from options, or one line naming the bad field and exit 1."""
    try:
        return build()
    except ValidationError as exc:
        fail("; ".join(f"{'.'.join(str(x) for x in e['loc']) or 'value'}: {e['msg']}" for e in exc.errors()))


def _dump(x: Any) -> Any:
    return [i.model_dump(mode="json") for i in x] if isinstance(x, list) else x.model_dump(mode="json")


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    t = Table(title=title)
    for c in columns:
        t.add_column(c)
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    print_table(t)


# -- roles -------------------------------------------------------------------------------------------


@roles_app.command("list")
def roles_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """The members' music roles."""
    rows = _as_owner(org, lambda db, p: catalog.list_roles(db, p))
    if as_json:
        print_json(_dump(rows))
        return
    _table("music roles", ["user", "role", "granted at"], [[r.user_id, r.role.value, r.granted_at] for r in rows])


def _role_change(org: str, user: UUID, role: MusicRole, grant: bool, as_json: bool) -> None:
    data = valid(lambda: RoleGrant(user_id=user, role=role))
    change = catalog.grant_role if grant else catalog.revoke_role
    rows = _as_owner(org, lambda db, p: change(db, p, data))
    if as_json:
        print_json(_dump(rows))
    else:
        console.print(f"{user}: {', '.join(r.role.value for r in rows) or 'no music role'}")


@roles_app.command("grant")
def roles_grant(
    org: OrgOpt,
    user: Annotated[UUID, typer.Argument(help="The member's user id.")],
    role: Annotated[MusicRole, typer.Argument(help="artist, producer or fan.")],
    as_json: JsonOpt = False,
) -> None:
    """Give a member a music role."""
    _role_change(org, user, role, True, as_json)


@roles_app.command("revoke")
def roles_revoke(
    org: OrgOpt,
    user: Annotated[UUID, typer.Argument(help="The member's user id.")],
    role: Annotated[MusicRole, typer.Argument(help="artist, producer or fan.")],
    as_json: JsonOpt = False,
) -> None:
    """Take a music role back."""
    _role_change(org, user, role, False, as_json)


# -- artists and producers -----------------------------------------------------------------------------


def _profile_commands(group: typer.Typer, kind: Literal["artist", "producer"]) -> None:
    @group.command("list")
    def profiles_list(org: OrgOpt, as_json: JsonOpt = False) -> None:
        rows = _as_owner(org, lambda db, p: catalog.list_profiles(db, p, kind))
        if as_json:
            print_json(_dump(rows))
            return
        _table(f"{kind}s", ["id", "name", "slug", "user"], [[r.id, r.name, r.slug, r.user_id] for r in rows])

    profiles_list.__doc__ = f"The organization's {kind}s, by name."

    @group.command("add")
    def profiles_add(
        org: OrgOpt,
        name: Annotated[str, typer.Argument(help="The artist's or producer's name.")],
        slug: Annotated[str | None, typer.Option(help="Defaults to the name in lowercase words.")] = None,
        user: Annotated[UUID | None, typer.Option(help="The member this profile belongs to.")] = None,
        bio: Annotated[str | None, typer.Option(help="A short biography.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        data = valid(lambda: ProfileCreate(name=name, slug=slug, user_id=user, bio=bio))
        row = _as_owner(org, lambda db, p: catalog.create_profile(db, p, kind, data))
        print_json(_dump(row)) if as_json else console.print(f"{kind} {row.id} ({row.slug})")

    profiles_add.__doc__ = f"Create a profile of a {kind} (of a member, or of someone without an account)."


_profile_commands(artists_app, "artist")
_profile_commands(producers_app, "producer")


# -- masters ---------------------------------------------------------------------------------------------


@masters_app.command("list")
def masters_list(
    org: OrgOpt,
    artist: Annotated[UUID | None, typer.Option(help="Only this artist's.")] = None,
    status: Annotated[MasterStatus | None, typer.Option(help="Only in this status.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Masters, newest first."""
    rows = _as_owner(org, lambda db, p: catalog.list_masters(db, p, artist_id=artist, status=status))
    if as_json:
        print_json(_dump(rows))
        return
    _table(
        "masters",
        ["id", "title", "type", "status", "isrc"],
        [[m.id, m.title, m.master_type.value, m.status.value, m.isrc] for m in rows],
    )


@masters_app.command("add")
def masters_add(
    org: OrgOpt,
    artist: Annotated[UUID, typer.Argument(help="The artist's id.")],
    title: Annotated[str, typer.Argument(help="The master's title.")],
    master_type: Annotated[
        MasterType, typer.Option("--type", help="single, album, ep, track, stem, remix.")
    ] = MasterType.single,
    isrc: Annotated[str | None, typer.Option(help="ISRC, e.g. USABC2600001.")] = None,
    video: Annotated[UUID | None, typer.Option(help="The video holding its audio.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a master (in draft)."""
    data = valid(
        lambda: MasterCreate(artist_id=artist, title=title, master_type=master_type, isrc=isrc, video_id=video)
    )
    row = _as_owner(org, lambda db, p: catalog.create_master(db, p, data))
    print_json(_dump(row)) if as_json else console.print(f"master {row.id} ({row.status.value})")


@masters_app.command("set")
def masters_set(
    org: OrgOpt,
    master: MasterArg,
    title: Annotated[str | None, typer.Option(help="A new title.")] = None,
    status: Annotated[
        MasterStatus | None,
        typer.Option(help="draft→review, review→draft, review→published, published→archived, draft→archived."),
    ] = None,
    isrc: Annotated[str | None, typer.Option(help="ISRC.")] = None,
    video: Annotated[UUID | None, typer.Option(help="The video holding its audio.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a master's title, ISRC, audio video or status."""
    given = {"title": title, "status": status, "isrc": isrc, "video_id": video}
    data = valid(lambda: MasterUpdate.model_validate({k: v for k, v in given.items() if v is not None}))
    row = _as_owner(org, lambda db, p: catalog.update_master(db, p, master, data))
    print_json(_dump(row)) if as_json else console.print(f"master {row.id}: {row.title} ({row.status.value})")


@masters_app.command("credit")
def masters_credit(
    org: OrgOpt,
    master: MasterArg,
    producer: Annotated[UUID, typer.Argument(help="The producer's id.")],
    role: Annotated[str, typer.Option(help="producer, mixing, mastering, writer, featured…")] = "producer",
    remove: Annotated[bool, typer.Option(help="Remove this credit.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Credit a producer on a master (or remove the credit)."""
    data = valid(lambda: CreditCreate(producer_id=producer, role=role))
    change = catalog.remove_credit if remove else catalog.add_credit
    rows = _as_owner(org, lambda db, p: change(db, p, master, data))
    if as_json:
        print_json(_dump(rows))
        return
    _table("credits", ["producer", "role"], [[c.producer_name, c.role] for c in rows])


# -- contracts -------------------------------------------------------------------------------------------


def _split(text: str) -> SplitLine:
    """artist:ID:BPS, producer:ID:BPS, label:NAME:BPS or investors:BPS."""
    party, _, rest = text.partition(":")
    ref, _, bps = rest.rpartition(":")
    if party not in {p.value for p in Party} or not bps.isdigit():
        fail(f"--split {text!r}: write artist:ID:BPS, producer:ID:BPS, label:NAME:BPS or investors:BPS")
    key = {"artist": "artist_id", "producer": "producer_id", "label": "label_name"}.get(party)
    return valid(lambda: SplitLine.model_validate({"party": party, "bps": int(bps), **({key: ref} if key else {})}))


@contracts_app.command("list")
def contracts_list(org: OrgOpt, master: MasterArg, as_json: JsonOpt = False) -> None:
    """Every contract version of a master, with its splits."""
    rows = _as_owner(org, lambda db, p: contracts.list_contracts(db, p, master))
    if as_json:
        print_json(_dump(rows))
        return
    _table(
        "contracts",
        ["id", "version", "status", "splits"],
        [[c.id, c.version, c.status.value, ", ".join(f"{s.party.value} {s.bps}" for s in c.splits)] for c in rows],
    )


@contracts_app.command("add")
def contracts_add(
    org: OrgOpt,
    master: MasterArg,
    split: Annotated[
        list[str],
        typer.Option(
            help="A split line (repeat): artist:ID:BPS, producer:ID:BPS, label:NAME:BPS, investors:BPS; "
            "they sum to 10000."
        ),
    ],
    notes: Annotated[str | None, typer.Option(help="Notes kept on the version.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the master's next contract version as a draft."""
    data = valid(lambda: ContractCreate(splits=[_split(s) for s in split], notes=notes))
    row = _as_owner(org, lambda db, p: contracts.create_contract(db, p, master, data))
    print_json(_dump(row)) if as_json else console.print(f"contract {row.id}: version {row.version} (draft)")


@contracts_app.command("sign")
def contracts_sign(
    org: OrgOpt, contract: Annotated[UUID, typer.Argument(help="The draft's id.")], as_json: JsonOpt = False
) -> None:
    """Sign a draft; the version in force becomes superseded in the same transaction."""
    row = _as_owner(org, lambda db, p: contracts.sign_contract(db, p, contract))
    print_json(_dump(row)) if as_json else console.print(f"contract {row.id}: version {row.version} signed")


def add_commands(app: typer.Typer) -> None:
    """Add this part's commands (or sub-groups) to the ``music`` group."""
    app.add_typer(roles_app, name="roles")
    app.add_typer(artists_app, name="artists")
    app.add_typer(producers_app, name="producers")
    app.add_typer(masters_app, name="masters")
    app.add_typer(contracts_app, name="contracts")
