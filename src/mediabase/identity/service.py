"""Identity services: users, organizations, members, API keys, authentication.

Two kinds of callers: tenant work runs on the application pool inside the caller's tenant
(RLS applies); the few operations that cross tenants by nature — creating users and
organizations, finding a user by email, authenticating a key — run on the *system* pool
(the owner role) and filter by organization explicitly.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString
from uuid import UUID

from argon2 import PasswordHasher

from mediabase.common.types import RANGE_TEXT
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import class_row
from mediabase.identity import security
from mediabase.identity.models import (
    ApiKey,
    ApiKeyCreate,
    ApiKeyCreated,
    KeyScope,
    Member,
    MemberAdd,
    MemberAdded,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Principal,
    Role,
    User,
    UserCreate,
)
from mediabase.identity.security import Client, EventKind, SubjectType

Q = load_queries("mediabase.identity", "queries.sql")
KEY_PREFIX = "mb"
_hasher = PasswordHasher()

register_constraint("users_email_key", Conflict, "a user with this email already exists", field="email")
register_constraint("users_username_key", Conflict, "this username is taken", field="username")
register_constraint("organizations_slug_key", Conflict, "an organization with this slug exists", field="slug")
register_constraint("memberships_user_key", Conflict, "this user is already a member", field="email")
register_constraint("api_keys_membership_fk", Invalid, "the key's user must be a member", field="user_id")
register_constraint("api_keys_expires_at_range", Invalid, f"expires_at must be {RANGE_TEXT}", field="expires_at")


WORKER_KEY_LIMITS = "a worker key may only claim and run jobs (POST /jobs/claim, …); use a member's key for this"


def require(principal: Principal, role: Role) -> None:
    """Refuse (403) unless the caller's role is at least ``role`` (a worker key has none)."""
    if principal.is_worker:
        raise Forbidden(WORKER_KEY_LIMITS)
    if not principal.can(role):
        raise Forbidden(f"this needs the {role.value} role; the key has {principal.role.value}")


def may_change(principal: Principal, owner_id: UUID | None, what: str, *, owner: str = "creator") -> None:
    """Refuse (403) unless the caller made the row (``owner_id``) or is an ADMIN (or OWNER):
    MEMBERs change what they made, ADMINs everything. ``owner`` names the maker in the message."""
    if owner_id != principal.user_id and not principal.can(Role.ADMIN):
        raise Forbidden(f"only the {what}'s {owner} or an ADMIN may change it")


def _personal_slug(username: str) -> str:
    base = "".join(c if c.isalnum() else "-" for c in username.lower()).strip("-")
    return f"u-{base}"[:63]


async def create_user(system: Database, data: UserCreate) -> tuple[User, Organization]:
    """Create a user with a personal organization that the user owns."""
    password_hash = _hasher.hash(data.password) if data.password else None
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(User))
        user = await (
            await cur.execute(Q.insert_user, {**data.model_dump(exclude={"password"}), "password_hash": password_hash})
        ).fetchone()
        assert user is not None
        org = await _insert_org(
            conn,
            OrganizationCreate(name=data.display_name or data.username, slug=_personal_slug(data.username)),
            kind="personal",
            personal_user_id=user.id,
        )
        await conn.execute(Q.insert_membership, {"organization_id": org.id, "user_id": user.id, "role": "OWNER"})
    return user, org


def verify_password(user_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(user_hash, password)
    except Exception:  # argon2 raises several mismatch/invalid-hash errors
        return False


async def _insert_org(
    conn: Any, data: OrganizationCreate, *, kind: str | None = None, personal_user_id: UUID | None = None
) -> Organization:
    cur = conn.cursor(row_factory=class_row(Organization))
    row: Organization | None = await (
        await cur.execute(
            Q.insert_organization,
            {**data.model_dump(), "kind": kind or data.kind, "personal_user_id": personal_user_id},
        )
    ).fetchone()
    assert row is not None
    return row


async def create_organization(system: Database, data: OrganizationCreate, owner_id: UUID) -> Organization:
    """Create an organization with ``owner_id`` as its first OWNER."""
    async with system.transaction() as conn:
        org = await _insert_org(conn, data)
        await conn.execute(Q.insert_membership, {"organization_id": org.id, "user_id": owner_id, "role": "OWNER"})
    return org


async def organization_by_slug(system: Database, slug: str) -> Organization:
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Organization))
        org = await (await cur.execute(Q.organization_by_slug, {"slug": slug})).fetchone()
    if org is None:
        raise NotFound(f"no organization with slug {slug!r}")
    return org


async def user_by_email(system: Database, email: str) -> User:
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(User))
        user = await (await cur.execute(Q.user_by_email, {"email": email})).fetchone()
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


async def get_organization(db: Database, p: Principal) -> Organization:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Organization))
        org = await (await cur.execute(Q.get_organization, {"id": p.organization_id})).fetchone()
    if org is None:
        raise NotFound("organization not found")
    return org


async def update_organization(db: Database, p: Principal, data: OrganizationUpdate) -> Organization:
    require(p, Role.OWNER)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Organization))
        org = await (
            await cur.execute(Q.update_organization, {**data.model_dump(), "id": p.organization_id})
        ).fetchone()
    assert org is not None
    return org


async def list_members(db: Database, p: Principal) -> list[Member]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Member))
        return await (await cur.execute(Q.list_members, {"org": p.organization_id})).fetchall()


def _new_username(email: str) -> str:
    """A free-looking username for a user created by email: the local part made valid, a suffix."""
    local = re.sub(r"[^A-Za-z0-9_.-]", "-", email.split("@")[0])[:30]
    if not local[:1].isalnum():
        local = "u" + local[:29]
    return f"{local}-{secrets.token_hex(3)}"


async def add_member(db: Database, system: Database, p: Principal, data: MemberAdd) -> MemberAdded:
    """Add a user to the caller's organization by email (ADMIN+), without telling who owns it.

    A user who belongs to no organization but their personal one is added; an unknown address
    gets a new user who is added; a user of another organization is not added (that needs their
    consent: invitations) — and the answer is the same in all three cases, from the same two
    statements, so neither it nor the work behind it tells whether, or where, the address exists.
    """
    require(p, Role.ADMIN)
    if data.role is Role.OWNER:
        require(p, Role.OWNER)
    email = str(data.email)
    username = data.username or _new_username(email)
    slug = _personal_slug(username)
    async with system.transaction() as conn:
        taken = await (await conn.execute(Q.names_taken, {"username": username, "slug": slug})).fetchone()
        assert taken is not None
        if taken["username"]:
            raise Conflict("this username is taken", field="username")
        if taken["slug"]:
            slug = f"{slug[:56]}-{secrets.token_hex(3)}"
        await conn.execute(
            Q.add_member_by_email,
            {
                "org": p.organization_id,
                "email": email,
                "username": username,
                "display_name": data.display_name,
                "personal_name": data.display_name or username,
                "personal_slug": slug,
                "role": data.role.value,
                "actor_user_id": p.user_id,
                "actor_key_id": p.key_id,
                **security.client_params(),
            },
        )
    return MemberAdded(email=email, role=data.role)


async def _keep_an_owner(conn: Any, org: UUID, user_id: UUID) -> None:
    owners = [r["user_id"] for r in await (await conn.execute(Q.lock_owners, {"org": org})).fetchall()]
    if owners == [user_id]:
        raise Conflict("an organization keeps at least one OWNER; promote another member first")


async def update_member(db: Database, p: Principal, user_id: UUID, role: Role) -> Member:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Member))
        current = await (await cur.execute(Q.get_member, {"org": p.organization_id, "user_id": user_id})).fetchone()
        if current is None:
            raise NotFound("member not found")
        if Role.OWNER in (role, current.role):
            require(p, Role.OWNER)
        if current.role is Role.OWNER and role is not Role.OWNER:
            await _keep_an_owner(conn, p.organization_id, user_id)
        await conn.execute(Q.update_member_role, {"org": p.organization_id, "user_id": user_id, "role": role.value})
        if role is not current.role:
            await security.record_by(
                conn,
                p,
                EventKind.role_changed,
                SubjectType.user,
                user_id,
                {"from": current.role.value, "to": role.value},
            )
        member = await (await cur.execute(Q.get_member, {"org": p.organization_id, "user_id": user_id})).fetchone()
    assert member is not None
    return member


async def remove_member(db: Database, p: Principal, user_id: UUID) -> None:
    if user_id != p.user_id:
        require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Member))
        current = await (await cur.execute(Q.get_member, {"org": p.organization_id, "user_id": user_id})).fetchone()
        if current is None:
            raise NotFound("member not found")
        if current.role is Role.OWNER:
            require(p, Role.OWNER)
            await _keep_an_owner(conn, p.organization_id, user_id)
        await conn.execute(Q.delete_member, {"org": p.organization_id, "user_id": user_id})
        await security.record_by(
            conn, p, EventKind.member_removed, SubjectType.user, user_id, {"role": current.role.value}
        )


def _new_key() -> tuple[str, str, bytes]:
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    return f"{KEY_PREFIX}_{prefix}_{secret}", prefix, hashlib.sha256(secret.encode()).digest()


async def create_api_key(db: Database, p: Principal, data: ApiKeyCreate) -> ApiKeyCreated:
    """Create a key acting as one membership; the full key is returned once, never stored."""
    require(p, Role.OWNER)
    key, prefix, digest = _new_key()
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(ApiKey))
        row = await (
            await cur.execute(
                Q.insert_api_key,
                {
                    "org": p.organization_id,
                    "user_id": data.user_id or p.user_id,
                    "name": data.name,
                    "prefix": prefix,
                    "secret_sha256": digest,
                    "expires_at": data.expires_at,
                    "scope": data.scope.value,
                },
            )
        ).fetchone()
        assert row is not None
        await security.record_by(
            conn,
            p,
            EventKind.key_created,
            SubjectType.api_key,
            row.id,
            {
                "prefix": row.prefix,
                "user_id": str(row.user_id),
                "scope": row.scope.value,
                "expires_at": row.expires_at.isoformat() if row.expires_at else None,
            },
        )
    return ApiKeyCreated(**row.model_dump(), key=key)


async def create_api_key_system(
    system: Database, org_id: UUID, user_id: UUID, name: str, scope: KeyScope = KeyScope.MEMBER
) -> ApiKeyCreated:
    """The operator's way (CLI): a key for a member of any organization."""
    principal = Principal(organization_id=org_id, user_id=user_id, role=Role.OWNER)
    return await create_api_key(system, principal, ApiKeyCreate(name=name, user_id=user_id, scope=scope))


async def list_api_keys(db: Database, p: Principal) -> list[ApiKey]:
    require(p, Role.OWNER)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(ApiKey))
        return await (await cur.execute(Q.list_api_keys, {"org": p.organization_id})).fetchall()


async def revoke_api_key(db: Database, p: Principal, key_id: UUID) -> ApiKey:
    return await _revoke(db, p, Q.revoke_api_key, {"id": key_id}, "API key not found")


async def revoke_api_key_by_prefix(db: Database, p: Principal, prefix: str) -> ApiKey:
    """Revoke the key shown as ``mb_<prefix>_…`` (the operator's handle on a key)."""
    return await _revoke(db, p, Q.revoke_api_key_by_prefix, {"prefix": prefix}, f"no key with prefix {prefix!r}")


async def _revoke(db: Database, p: Principal, query: LiteralString, params: dict[str, Any], missing: str) -> ApiKey:
    require(p, Role.OWNER)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(ApiKey))
        row = await (await cur.execute(query, {"org": p.organization_id, **params})).fetchone()
        if row is None:
            raise NotFound(missing)
        now = await (await conn.execute(Q.now)).fetchone()
        if now is not None and row.revoked_at == now["now"]:  # revoked by this transaction, not before
            await security.record_by(
                conn,
                p,
                EventKind.key_revoked,
                SubjectType.api_key,
                row.id,
                {"prefix": row.prefix, "user_id": str(row.user_id)},
            )
    return row


async def list_organizations(system: Database) -> list[dict[str, Any]]:
    """Every organization with its member and live-video counts (operators only: crosses tenants)."""
    async with system.transaction() as conn:
        return await (await conn.execute(Q.list_organizations)).fetchall()


_PREFIX = re.compile(r"[a-z0-9]{12}")


async def authenticate(system: Database, key: str, client: Client | None = None) -> Principal:
    """The principal a presented API key stands for, or 401.

    Every refusal is a ``login_failed`` event, committed on its own (the answer says no more than
    before: an unknown prefix and a wrong secret are both "unknown API key"); the event goes to
    the organization of the key the prefix names, or, for a key of none, to no organization. A
    key's first request in each clock hour (UTC) is a ``login`` event (docs/security.md)."""
    parts = key.strip().split("_", 2)
    well_formed = len(parts) == 3 and parts[0] == KEY_PREFIX and len(parts[1]) == 12
    prefix = parts[1] if well_formed and _PREFIX.fullmatch(parts[1]) else None
    digest = hashlib.sha256(parts[2].encode()).digest() if well_formed else b""
    refused: tuple[str, str] | None = None  # (reason recorded, message answered)
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.key_by_prefix, {"prefix": prefix})).fetchone() if prefix else None
        now = datetime.now(UTC)
        if not well_formed:
            refused = ("malformed", "malformed API key; expected mb_<prefix>_<secret>")
        elif row is None:
            refused = ("unknown_key", "unknown API key")
        elif not hmac.compare_digest(bytes(row["secret_sha256"]), digest):
            refused = ("wrong_secret", "unknown API key")
        elif row["revoked_at"] is not None:
            refused = ("revoked", "this API key was revoked")
        elif row["expires_at"] is not None and row["expires_at"] <= now:
            refused = ("expired", "this API key has expired")
        elif not row["is_active"]:
            refused = ("user_inactive", "the key's user is deactivated")
        if refused is not None:
            # the secret was right for revoked, expired and inactive: then the key's user acted
            holder = row is not None and refused[0] not in ("unknown_key", "wrong_secret")
            await security.record_security_event(
                conn,
                row["organization_id"] if row is not None else security.NIL_ORG,
                EventKind.login_failed,
                actor_user_id=row["user_id"] if holder and row else None,
                actor_key_id=row["id"] if holder and row else None,
                subject_type=SubjectType.api_key if row is not None else None,
                subject_id=row["id"] if row is not None else None,
                details={"reason": refused[0], **({"prefix": prefix} if prefix else {})},
                client=client,
            )
        else:
            assert row is not None
            last = row["last_used_at"]
            new_hour = last is None or last.astimezone(UTC).replace(minute=0, second=0, microsecond=0) < now.replace(
                minute=0, second=0, microsecond=0
            )
            if new_hour or now - last > timedelta(minutes=1):
                await conn.execute(Q.touch_api_key, {"org": row["organization_id"], "id": row["id"]})
            if new_hour:
                await security.record_security_event(
                    conn,
                    row["organization_id"],
                    EventKind.login,
                    actor_user_id=row["user_id"],
                    actor_key_id=row["id"],
                    subject_type=SubjectType.api_key,
                    subject_id=row["id"],
                    details={"prefix": prefix, "role": row["role"], "scope": row["scope"]},
                    client=client,
                )
    if refused is not None:
        raise Unauthorized(refused[1])
    assert row is not None
    return Principal(
        organization_id=row["organization_id"],
        user_id=row["user_id"],
        role=Role(row["role"]),
        key_id=row["id"],
        scope=KeyScope(row["scope"]),
    )


OPERATOR_EMAIL = "operator@example.com"


async def operator_user(system: Database) -> User:
    """The local operator account the CLI acts as when no user is named (created once)."""
    for attempt in range(5):
        try:
            return await user_by_email(system, OPERATOR_EMAIL)
        except NotFound:
            pass
        try:
            user, _ = await create_user(
                system, UserCreate(email=OPERATOR_EMAIL, username="operator", display_name="Operator")
            )
            return user
        except Conflict:
            # a concurrent command is creating it (committed: found on the next look; a lock
            # conflict or deadlock may answer before that command commits: look again shortly)
            await asyncio.sleep(0.05 * (attempt + 1))
    return await user_by_email(system, OPERATOR_EMAIL)


async def acting_owner(system: Database, slug: str) -> Principal:
    """The principal the CLI acts as in an organization: its first OWNER."""
    org = await organization_by_slug(system, slug)
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.first_owner, {"org": org.id})).fetchone()
    if row is None:
        raise NotFound(f"organization {slug!r} has no OWNER")
    return Principal(organization_id=org.id, user_id=row["user_id"], role=Role.OWNER)
