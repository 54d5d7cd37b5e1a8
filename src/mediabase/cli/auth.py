"""``mediabase auth …`` and ``mediabase invitations …``: passwords, sign-in sessions, single-use
tokens and invitations, as the operator (docs/identity.md "Sessions and tokens").

Passwords are never command-line arguments (other users see those in ``ps``): they are read from
an environment variable named by ``--password-env``, or asked for at the terminal. Tokens are
printed once; deliver them to the person they are for.
"""

from __future__ import annotations

import os
from typing import Annotated
from uuid import UUID

import typer

from mediabase.cli.common import JsonOpt, console, fail, open_databases, print_json, run, settings
from mediabase.identity import invitations, sessions
from mediabase.identity.invitations import InvitationCreate
from mediabase.identity.models import Role
from mediabase.identity.service import acting_owner as _acting_owner
from mediabase.identity.tokens import TokenKind

app = typer.Typer(
    help="Passwords, sign-in sessions and single-use tokens (e-mail verification, password reset).",
    no_args_is_help=True,
)
inv_app = typer.Typer(help="Invitations to an organization: create, list, revoke, accept.", no_args_is_help=True)

EmailArg = Annotated[str, typer.Argument(help="The user's e-mail address.")]
PasswordEnv = Annotated[
    str | None,
    typer.Option("--password-env", help="Read the password from this environment variable (default: ask for it)."),
]
OrgOpt = Annotated[str, typer.Option("--org", help="Organization slug.", envvar="MEDIABASE_ORG")]


def _password(env: str | None, prompt: str = "Password") -> str:
    if env is None:
        value: str = typer.prompt(prompt, hide_input=True)
        return value
    value = os.environ.get(env, "")
    if not value:
        fail(f"--password-env: the environment variable {env} is not set or empty")
    return value


@app.command("set-password")
def set_password(email: EmailArg, password_env: PasswordEnv = None) -> None:
    """Set (or replace) a user's password; signs every session of the user out."""
    password = _password(password_env, "New password")

    async def _run() -> int:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, email)
            return await sessions.set_password(system, p, password, operator=True)

    revoked = run(_run())
    console.print(f"password set; {revoked} session(s) signed out")


@app.command("sign-in")
def sign_in(
    email: EmailArg,
    password_env: PasswordEnv = None,
    org: Annotated[str | None, typer.Option("--org", help="Act in this organization (default: personal).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign in with a password: prints a session token (mbs_…) for X-API-Key or Authorization: Bearer."""
    password = _password(password_env)

    async def _run() -> sessions.SessionCreated:
        async with open_databases() as (_, system):
            return await sessions.sign_in(system, settings(), email, password, organization=org)

    s = run(_run())
    if as_json:
        print_json(s.model_dump(mode="json"))
        return
    console.print(f"session {s.prefix} until {s.expires_at:%Y-%m-%d %H:%M}Z (shown once, keep it safe):")
    typer.echo(s.token)


@app.command("sessions")
def list_sessions(email: EmailArg, as_json: JsonOpt = False) -> None:
    """A user's live sessions, newest first."""

    async def _run() -> list[sessions.Session]:
        async with open_databases() as (db, system):
            p = await sessions.user_principal(system, email)
            return await sessions.list_sessions(db, p)

    rows = run(_run())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        seen = f"{r.last_seen_at:%Y-%m-%d %H:%M}Z"
        console.print(f"{r.id}  {r.prefix}  org={r.active_organization_id}  seen {seen}  {r.user_agent or '-'}",
                      markup=False, soft_wrap=True)
    if not rows:
        console.print("no live sessions")


@app.command("sign-out")
def sign_out(
    email: EmailArg,
    session: Annotated[str | None, typer.Option(help="Only this session (its id); default: every session.")] = None,
) -> None:
    """Sign a user's sessions out: one (--session) or all."""
    session_id = None
    if session is not None:
        try:
            session_id = UUID(session)
        except ValueError:
            fail(f"--session: not a session id (a UUID): {session!r}")

    async def _run() -> int:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, email)
            if session_id is None:
                return await sessions.revoke_all_sessions(system, p.user_id)
            await sessions.revoke_session(system, p, session_id)
            return 1

    n = run(_run())
    console.print(f"signed out {n} session(s)")


@app.command("token")
def issue_token(
    purpose: Annotated[str, typer.Argument(help="verify-email or reset-password.")],
    email: EmailArg,
    as_json: JsonOpt = False,
) -> None:
    """Issue a single-use token for a user (printed once): verify-email (2 days) or reset-password (1 hour)."""
    kinds = {"verify-email": TokenKind.verify_email, "reset-password": TokenKind.reset_password}
    if purpose not in kinds:
        fail(f"purpose: one of verify-email, reset-password, not {purpose!r}")

    async def _run() -> sessions.TokenIssued:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, email)
            return await sessions.issue_token(system, p.user_id, kinds[purpose])

    t = run(_run())
    if as_json:
        print_json(t.model_dump(mode="json"))
        return
    console.print(f"{purpose} token until {t.expires_at:%Y-%m-%d %H:%M}Z (shown once):")
    typer.echo(t.token)


@app.command("verify-email")
def verify_email(token: Annotated[str, typer.Argument(help="The verification token (mbv_…).")]) -> None:
    """Spend a verification token: the user's address is verified."""

    async def _run() -> UUID:
        async with open_databases() as (_, system):
            return await sessions.verify_email(system, token)

    console.print(f"verified the address of user {run(_run())}")


@app.command("reset-password")
def reset_password(
    token: Annotated[str, typer.Argument(help="The reset token (mbr_…).")], password_env: PasswordEnv = None
) -> None:
    """Spend a reset token: sets the new password and signs every session of the user out."""
    password = _password(password_env, "New password")

    async def _run() -> UUID:
        async with open_databases() as (_, system):
            return await sessions.reset_password(system, token, password)

    console.print(f"new password set for user {run(_run())}")


@inv_app.command("create")
def invite(
    email: Annotated[str, typer.Argument(help="The address to invite.")],
    org: OrgOpt,
    role: Annotated[Role, typer.Option(help="The role the invited person gets.")] = Role.MEMBER,
    days: Annotated[int, typer.Option(min=1, max=90, help="Days until the invitation expires.")] = 7,
    as_json: JsonOpt = False,
) -> None:
    """Invite an address to an organization (as its first OWNER); prints the token once."""

    async def _run() -> invitations.InvitationCreated:
        async with open_databases() as (db, system):
            owner = await _acting_owner(system, org)
            return await invitations.create_invitation(
                db, owner, InvitationCreate(email=email, role=role, expires_in_days=days)
            )

    inv = run(_run())
    if as_json:
        print_json(inv.model_dump(mode="json"))
        return
    console.print(f"invitation {inv.id} for {inv.email} as {inv.role.value} (token shown once):", markup=False)
    typer.echo(inv.token)


@inv_app.command("list")
def list_invitations(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """An organization's invitations, newest first."""

    async def _run() -> list[invitations.Invitation]:
        async with open_databases() as (db, system):
            return await invitations.list_invitations(db, await _acting_owner(system, org))

    rows = run(_run())
    if as_json:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    for r in rows:
        state = "accepted" if r.accepted_at else "revoked" if r.revoked_at else f"until {r.expires_at:%Y-%m-%d}"
        console.print(f"{r.id}  {r.email}  {r.role.value}  {state}", markup=False, soft_wrap=True)
    if not rows:
        console.print("no invitations")


@inv_app.command("revoke")
def revoke_invitation(invitation: Annotated[str, typer.Argument(help="The invitation's id.")], org: OrgOpt) -> None:
    """Revoke a pending invitation."""
    try:
        inv_id = UUID(invitation)
    except ValueError:
        fail(f"invitation: not an invitation id (a UUID): {invitation!r}")

    async def _run() -> None:
        async with open_databases() as (db, system):
            await invitations.revoke_invitation(db, await _acting_owner(system, org), inv_id)

    run(_run())
    console.print(f"revoked invitation {inv_id}")


@inv_app.command("accept")
def accept_invitation(
    token: Annotated[str, typer.Argument(help="The invitation token (mbi_…).")],
    user: Annotated[str, typer.Option("--user", help="E-mail of the invited user, who accepts.")],
) -> None:
    """Accept an invitation for the invited user: they become a member with the invited role."""

    async def _run() -> invitations.Invitation:
        async with open_databases() as (_, system):
            p = await sessions.user_principal(system, user)
            return await invitations.accept_invitation(system, token, p.user_id)

    inv = run(_run())
    console.print(f"accepted: {inv.email} is a {inv.role.value} of organization {inv.organization_id}", markup=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="auth", rich_help_panel="Tenants")
    root.add_typer(inv_app, name="invitations", rich_help_panel="Tenants")
