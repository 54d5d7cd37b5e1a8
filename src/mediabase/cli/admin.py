"""``mediabase org|users|key …``: identity administration for operators."""

from __future__ import annotations

from typing import Annotated

import typer

from mediabase.cli import users
from mediabase.cli.common import JsonOpt, OrgOpt, console, open_databases, print_json, run
from mediabase.identity import service
from mediabase.identity.models import KeyScope, OrganizationCreate, UserCreate

org_app = typer.Typer(help="Create and list organizations (the tenants).", no_args_is_help=True)
user_app = typer.Typer(
    help="Create users; export or erase a person's data (data subject requests).", no_args_is_help=True
)
key_app = typer.Typer(help="Create and revoke API keys.", no_args_is_help=True)

@org_app.command("create")
def org_create(
    slug: Annotated[str, typer.Argument(help="Short unique name: lowercase letters, digits and '-'.")],
    name: Annotated[str | None, typer.Option(help="Display name (default: the slug).")] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="Email of an existing user who will own it (default: the local operator account)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create an organization with an OWNER."""

    async def _run() -> dict[str, object]:
        async with open_databases() as (_, system):
            user = await (service.user_by_email(system, owner) if owner else service.operator_user(system))
            org = await service.create_organization(system, OrganizationCreate(name=name or slug, slug=slug), user.id)
            return {"id": str(org.id), "slug": org.slug, "name": org.name, "owner": user.email}

    out = run(_run())
    if as_json:
        print_json(out)
    else:
        console.print(f"created organization {out['slug']} ({out['id']}), owner {out['owner']}")


@org_app.command("list")
def org_list(as_json: JsonOpt = False) -> None:
    """List every organization with its member and video counts."""

    async def _run() -> list[dict[str, object]]:
        async with open_databases() as (_, system):
            return await service.list_organizations(system)

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    for r in rows:
        console.print(f"{r['slug']:<24} {r['kind']:<9} members={r['members']:<4} videos={r['videos']:<5} {r['name']}")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The user's email (unique, case-insensitive).")],
    username: Annotated[str, typer.Option(help="Unique username (letters, digits, '_', '.', '-').")],
    display_name: Annotated[str | None, typer.Option(help="Name shown to others.")] = None,
    password: Annotated[
        str | None,
        typer.Option(help="Password (hashed with argon2id; omit for key-only users).", prompt=False, hide_input=True),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Create a user and the user's personal organization."""

    async def _run() -> dict[str, object]:
        async with open_databases() as (_, system):
            user, org = await service.create_user(
                system, UserCreate(email=email, username=username, display_name=display_name, password=password)
            )
            return {
                "id": str(user.id),
                "email": user.email,
                "username": user.username,
                "personal_organization": org.slug,
            }

    out = run(_run())
    if as_json:
        print_json(out)
    else:
        console.print(
            f"created user {out['username']} <{out['email']}> with personal organization {out['personal_organization']}"
        )


@key_app.command("create")
def key_create(
    org: OrgOpt = "demo",
    user: Annotated[
        str | None, typer.Option(help="Email of the member the key acts as (default: the organization's first OWNER).")
    ] = None,
    name: Annotated[str, typer.Option(help="A label to recognise the key by.")] = "cli",
    worker: Annotated[
        bool,
        typer.Option(
            "--worker", help="A worker key: it claims and runs the organization's jobs over HTTP and does nothing else."
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Create an API key for a member. The key is printed once and never stored."""

    async def _run() -> dict[str, object]:
        async with open_databases() as (_, system):
            owner = await service.acting_owner(system, org)
            user_id = (await service.user_by_email(system, user)).id if user else owner.user_id
            scope = KeyScope.WORKER if worker else KeyScope.MEMBER
            created = await service.create_api_key_system(system, owner.organization_id, user_id, name, scope)
            return {
                "key": created.key,
                "id": str(created.id),
                "prefix": created.prefix,
                "organization": org,
                "scope": created.scope.value,
            }

    out = run(_run())
    if as_json:
        print_json(out)
    else:
        kind = "worker key" if worker else "API key"
        console.print(f"{kind} for {org} (shown once, keep it safe):")
        typer.echo(str(out["key"]))


@key_app.command("revoke")
def key_revoke(
    prefix: Annotated[str, typer.Argument(help="The 12-character prefix of the key (mb_<prefix>_…).")],
    org: OrgOpt = "demo",
) -> None:
    """Revoke an API key at once."""

    async def _run() -> None:
        async with open_databases() as (_, system):
            owner = await service.acting_owner(system, org)
            await service.revoke_api_key_by_prefix(system, owner, prefix)

    run(_run())
    console.print(f"revoked key {prefix}")


def register(app: typer.Typer) -> None:
    app.add_typer(org_app, name="org", rich_help_panel="Tenants")
    app.add_typer(user_app, name="users", rich_help_panel="Tenants")
    app.add_typer(user_app, name="user", hidden=True)  # the group's first name, kept for scripts
    users.register(user_app)
    app.add_typer(key_app, name="key", rich_help_panel="Tenants")
