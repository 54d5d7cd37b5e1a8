"""Invitations to an organization (migration 0043, docs/identity.md "Invitations").

An ADMIN (an OWNER for the OWNER role) invites an address with a role; the token
``mbi_<prefix>_<secret>`` is returned once (only its sha256 is kept) for the inviter to deliver.
The invited person accepts it signed in as the user with that address (a session or a key of
theirs, or the operator's ``mediabase auth invitations accept``): the membership is created and
the invitation marked accepted in one transaction, under a row lock, so it is accepted once; a
second acceptance, an expired or a revoked invitation fails with a clear 409/422.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field

from mediabase.common.models import Model
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import class_row
from mediabase.identity import security
from mediabase.identity.models import Principal, Role
from mediabase.identity.security import Client, EventKind, SubjectType
from mediabase.identity.service import require
from mediabase.identity.tokens import TokenKind, new_token, parse, same

Q = load_queries("mediabase.identity", "invitations.sql")

register_constraint("invitations_email_format", Invalid, "not a valid e-mail address", field="email")
register_constraint("invitations_prefix_key", Conflict, "an invitation with this prefix exists; try again")


class InvitationCreate(Model):
    email: EmailStr
    role: Role = Role.MEMBER
    expires_in_days: Annotated[int, Field(ge=1, le=90)] = 7


class Invitation(Model):
    organization_id: UUID
    id: UUID
    email: str
    role: Role
    prefix: str
    invited_by: UUID | None
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    accepted_by: UUID | None
    revoked_at: datetime | None


class InvitationCreated(Invitation):
    token: str  # shown once, never stored


async def create_invitation(db: Database, p: Principal, data: InvitationCreate) -> InvitationCreated:
    require(p, Role.ADMIN)
    if data.role is Role.OWNER:
        require(p, Role.OWNER)
    token, prefix, secret = new_token(TokenKind.invitation)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Invitation))
        row = await (
            await cur.execute(
                Q.insert_invitation,
                {
                    "org": p.organization_id,
                    "email": str(data.email),
                    "role": data.role.value,
                    "prefix": prefix,
                    "secret_sha256": secret,
                    "invited_by": p.user_id,
                    "ttl": timedelta(days=data.expires_in_days).total_seconds(),
                },
            )
        ).fetchone()
        assert row is not None
        await security.record_by(
            conn, p, EventKind.invitation_created, SubjectType.invitation, row.id,
            {"prefix": prefix, "role": data.role.value},
        )
    return InvitationCreated(**row.model_dump(), token=token)


async def list_invitations(db: Database, p: Principal, limit: int = 100) -> list[Invitation]:
    require(p, Role.ADMIN)
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500", field="limit")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Invitation))
        return await (await cur.execute(Q.list_invitations, {"org": p.organization_id, "limit": limit})).fetchall()


async def revoke_invitation(db: Database, p: Principal, invitation_id: UUID) -> Invitation:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Invitation))
        row = await (
            await cur.execute(Q.revoke_invitation, {"org": p.organization_id, "id": invitation_id})
        ).fetchone()
        if row is None:
            raise NotFound("no pending invitation with this id")
        await security.record_by(conn, p, EventKind.invitation_revoked, SubjectType.invitation, row.id)
    return row


async def accept_invitation(system: Database, token: str, user_id: UUID, client: Client | None = None) -> Invitation:
    """The user ``user_id`` (who must have the invited address) accepts: they become a member."""
    parsed = parse(token, TokenKind.invitation)
    if parsed is None:
        raise Invalid("malformed invitation token; expected mbi_<prefix>_<secret>", field="token")
    async with system.transaction() as conn:  # the primary: a replica may not have it yet
        found = await (await conn.execute(Q.find_invitation, {"prefix": parsed[0]})).fetchone()
    if found is None:
        raise NotFound("unknown invitation", field="token")
    async with system.transaction() as conn:
        inv = await (
            await conn.execute(Q.lock_invitation, {"org": found["organization_id"], "prefix": parsed[0]})
        ).fetchone()
        if inv is None or not same(inv["secret_sha256"], parsed[1]):
            raise NotFound("unknown invitation", field="token")
        if inv["accepted_at"] is not None:
            raise Conflict("this invitation was accepted already", field="token")
        if inv["revoked_at"] is not None:
            raise Conflict("this invitation was revoked", field="token")
        if inv["expires_at"] <= inv["now"]:
            raise Invalid("this invitation has expired; ask for a new one", field="token")
        user = await (
            await conn.execute(Q.accepting_user, {"org": inv["organization_id"], "user_id": user_id})
        ).fetchone()
        if user is None or not user["is_active"]:
            raise NotFound("user not found", field="user")
        if user["email"].lower() != inv["email"].lower():
            raise Forbidden("this invitation is for another e-mail address; sign in as the invited user", field="token")
        if user["member"]:
            raise Conflict("you are a member of this organization already", field="token")
        await conn.execute(
            Q.insert_membership, {"org": inv["organization_id"], "user_id": user_id, "role": inv["role"]}
        )
        cur = conn.cursor(row_factory=class_row(Invitation))
        row = await (
            await cur.execute(
                Q.accept_invitation, {"org": inv["organization_id"], "id": inv["id"], "user_id": user_id}
            )
        ).fetchone()
        assert row is not None
        await security.record_security_event(
            conn, row.organization_id, EventKind.invitation_accepted, actor_user_id=user_id,
            subject_type=SubjectType.invitation, subject_id=row.id, details={"role": row.role.value}, client=client,
        )
    return row
