"""Pydantic models of the identity domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import EmailStr, Field, StringConstraints

from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, Expiry

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,39}$")]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]


class Role(StrEnum):
    """A member's role in an organization; each includes the rights of the ones below it."""

    MEMBER = "MEMBER"  # reads everything in the organization, writes its own content
    ADMIN = "ADMIN"  # manages all content and the members
    OWNER = "OWNER"  # also manages the organization and its API keys

    @property
    def rank(self) -> int:
        return {"MEMBER": 1, "ADMIN": 2, "OWNER": 3}[self.value]


class KeyScope(StrEnum):
    """What an API key may do: act as its membership, or run the job worker protocol only."""

    MEMBER = "member"  # the member's role decides (the default)
    WORKER = "worker"  # claim, heartbeat, progress, complete, fail, release jobs; nothing else


class UserCreate(Model):
    email: EmailStr
    username: Username
    display_name: Name | None = None
    password: Annotated[str, Field(min_length=8, max_length=1024), TEXT] | None = None
    role: Annotated[str, StringConstraints(pattern=r"^(user|moderator|admin)$")] = "user"


class User(Model):
    id: UUID
    email: str
    username: str
    display_name: str | None
    avatar_url: str | None = None
    bio: str | None = None
    role: str
    email_verified: bool
    is_active: bool
    created_at: datetime
    last_login_at: datetime | None = None


class OrganizationCreate(Model):
    name: Name
    slug: Slug
    description: Annotated[str, Field(max_length=5000), TEXT] | None = None
    kind: Annotated[str, StringConstraints(pattern=r"^(team|community)$")] = "team"


class OrganizationUpdate(Model):
    name: Name | None = None
    description: Annotated[str, Field(max_length=5000), TEXT] | None = None


class Organization(Model):
    id: UUID
    name: str
    slug: str
    description: str | None
    kind: str
    created_at: datetime
    updated_at: datetime


class MemberAdd(Model):
    email: EmailStr
    role: Role = Role.MEMBER
    username: Username | None = None
    display_name: Name | None = None


class MemberAdded(Model):
    """The answer to adding a member by email: what the caller sent, whatever happened.

    The same for an address that was added, one that got a new user, and one whose user belongs
    to another organization and was left alone, so it tells nobody who owns an address (the
    member list shows who was added; docs/identity.md "Adding members").
    """

    email: str
    role: Role


class MemberUpdate(Model):
    role: Role


class Member(Model):
    user_id: UUID
    email: str
    username: str
    display_name: str | None
    role: Role
    created_at: datetime


class ApiKeyCreate(Model):
    name: Name
    user_id: UUID | None = None  # a member of the organization; default: the caller
    expires_at: Expiry | None = None
    scope: KeyScope = KeyScope.MEMBER


class ApiKey(Model):
    id: UUID
    organization_id: UUID
    user_id: UUID
    name: str
    prefix: str
    scope: KeyScope = KeyScope.MEMBER
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class ApiKeyCreated(ApiKey):
    key: str  # shown once, never stored


class Principal(Model):
    """Who is calling: fixed by the API key (organization, user, role, the key's scope)."""

    organization_id: UUID
    user_id: UUID
    role: Role
    key_id: UUID | None = None
    scope: KeyScope = KeyScope.MEMBER
    session_id: UUID | None = None  # signed in with a session token (docs/identity.md), not an API key

    @property
    def is_worker(self) -> bool:
        return self.scope is KeyScope.WORKER

    def can(self, role: Role) -> bool:
        return self.role.rank >= role.rank
