"""Sign-in sessions, passwords, single-use tokens and invitations (docs/identity.md "Sessions and
tokens", "Invitations").

``POST /auth/sign-in`` and the token endpoints (verify an address, reset a password) take no API
key: the e-mail and password, or the token, are the credential. Everything else takes an API key
or a session token (``mbs_…``) in the same headers.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Request, status
from pydantic import Field, StringConstraints

from mediabase.api.deps import DbDep, PrincipalDep, SessionUserDep, SettingsDep, SignedInDep, SystemDbDep
from mediabase.api.problems import PROBLEM
from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT
from mediabase.db.errors import Forbidden
from mediabase.identity import invitations, security, sessions
from mediabase.identity.invitations import Invitation, InvitationCreate, InvitationCreated
from mediabase.identity.models import Slug
from mediabase.identity.sessions import Session, SessionCreated

router = APIRouter(tags=["auth"])
invitations_router = APIRouter(tags=["invitations"])

Password = Annotated[str, Field(min_length=1, max_length=1024), TEXT]
NewPassword = Annotated[str, Field(min_length=8, max_length=1024), TEXT]
Token = Annotated[str, StringConstraints(min_length=1, max_length=200), LINE]
_PROBLEM = {"content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


class SignIn(Model):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320), LINE]
    password: Password
    organization: Slug | None = Field(default=None, description="the organization to act in; default: personal")


class PasswordChange(Model):
    new_password: NewPassword
    current_password: Password | None = Field(default=None, description="required when the user has a password")


class TokenUse(Model):
    token: Token


class PasswordReset(Model):
    token: Token
    new_password: NewPassword


class OrganizationSwitch(Model):
    organization: Slug


class Revoked(Model):
    sessions_revoked: int


def _client(request: Request) -> security.Client:
    return security.bind_client(request.client.host if request.client else None, request.headers.get("user-agent"))


@router.post(
    "/auth/sign-in",
    status_code=status.HTTP_201_CREATED,
    summary="Sign in with e-mail and password: a session token, shown once",
    responses={401: {"description": "wrong e-mail address or password", **_PROBLEM},
               403: {"description": "the user is no member of the organization named", **_PROBLEM},
               429: {"description": "too many failed sign-ins for this address", **_PROBLEM}},
)
async def sign_in(request: Request, system: SystemDbDep, settings: SettingsDep, data: SignIn) -> SessionCreated:
    """Send the token as ``X-API-Key`` or ``Authorization: Bearer`` afterwards. A wrong password
    and an unknown address get the same answer (and the same work)."""
    return await sessions.sign_in(system, settings, data.email, data.password, _client(request), data.organization)


@router.post("/auth/sign-out", status_code=status.HTTP_204_NO_CONTENT, summary="End the current session")
async def sign_out(system: SystemDbDep, p: SignedInDep) -> None:
    if p.session_id is None:
        raise Forbidden("this request was made with an API key; revoke keys with DELETE /keys/{key_id}", field="token")
    await sessions.revoke_session(system, p, p.session_id)


@router.get("/auth/sessions", summary="Your live sessions, newest first")
async def list_sessions(db: DbDep, p: SignedInDep) -> list[Session]:
    return await sessions.list_sessions(db, p)


@router.delete("/auth/sessions/{session_id}", summary="End one of your sessions")
async def revoke_session(system: SystemDbDep, p: SignedInDep, session_id: UUID) -> Session:
    return await sessions.revoke_session(system, p, session_id)


@router.post("/auth/sessions/revoke-all", summary="End all your sessions but the current one")
async def revoke_all(system: SystemDbDep, p: SignedInDep) -> Revoked:
    return Revoked(sessions_revoked=await sessions.revoke_all_sessions(system, p.user_id, keep=p.session_id))


@router.post("/auth/session/organization", summary="Act in another of your organizations (sessions only)")
async def switch_organization(system: SystemDbDep, p: SessionUserDep, data: OrganizationSwitch) -> Session:
    return await sessions.switch_organization(system, p, data.organization)


@router.put("/auth/password", summary="Set or change your password; signs your other sessions out")
async def set_password(system: SystemDbDep, p: SignedInDep, data: PasswordChange) -> Revoked:
    revoked = await sessions.set_password(system, p, data.new_password, data.current_password)
    return Revoked(sessions_revoked=revoked)


@router.post("/auth/verify-email", status_code=status.HTTP_204_NO_CONTENT, summary="Verify an address with its token")
async def verify_email(request: Request, system: SystemDbDep, data: TokenUse) -> None:
    await sessions.verify_email(system, data.token, _client(request))


@router.post(
    "/auth/reset-password", status_code=status.HTTP_204_NO_CONTENT, summary="Set a new password with a reset token"
)
async def reset_password(request: Request, system: SystemDbDep, data: PasswordReset) -> None:
    """Every session of the user is signed out."""
    await sessions.reset_password(system, data.token, data.new_password, _client(request))


# -- invitations -------------------------------------------------------------------------------------


@invitations_router.post(
    "/invitations", status_code=status.HTTP_201_CREATED, summary="Invite an address to the organization (ADMIN)"
)
async def create_invitation(db: DbDep, p: PrincipalDep, data: InvitationCreate) -> InvitationCreated:
    """The token is shown once: send it to the invited person, who accepts it signed in as the
    user with that address (``POST /invitations/accept``)."""
    return await invitations.create_invitation(db, p, data)


@invitations_router.get("/invitations", summary="The organization's invitations, newest first (ADMIN)")
async def list_invitations(db: DbDep, p: PrincipalDep) -> list[Invitation]:
    return await invitations.list_invitations(db, p)


@invitations_router.delete("/invitations/{invitation_id}", summary="Revoke a pending invitation (ADMIN)")
async def revoke_invitation(db: DbDep, p: PrincipalDep, invitation_id: UUID) -> Invitation:
    return await invitations.revoke_invitation(db, p, invitation_id)


@invitations_router.post("/invitations/accept", summary="Accept an invitation as the invited user")
async def accept_invitation(request: Request, system: SystemDbDep, p: SignedInDep, data: TokenUse) -> Invitation:
    """Makes the caller's user a member of the inviting organization, with the invited role."""
    return await invitations.accept_invitation(system, data.token, p.user_id, _client(request))


