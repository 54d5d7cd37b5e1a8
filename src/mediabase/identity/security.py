"""The security log (migration 0034, docs/security.md): sign-ins, failed sign-ins, API keys
created and revoked, members added and removed, role changes, payouts.

:func:`record_security_event` writes one event inside the caller's transaction, so an event is
kept exactly when the act it records commits (a failed sign-in commits its event on its own).
The identity service calls it where those acts happen; music payouts call it too (music sits
above identity). The client (address, user agent) of an API request is bound once per request
by :func:`bind_client` (``api/deps.py``); the address is kept only as a keyed HMAC.

Never recorded: key secrets, passwords, e-mail addresses, raw client addresses.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, LiteralString
from uuid import UUID

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.errors import Forbidden, Invalid
from mediabase.common.models import Model, Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, class_row, sql
from mediabase.identity.models import Principal, Role

Q = load_queries("mediabase.identity", "security.sql")

NIL_ORG = UUID(int=0)
"""Where a failed sign-in with a key of no organization is kept: no tenant has this id."""

USER_AGENT_MAX = 512
_UA_BAD = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")

register_constraint(
    "security_events_details_shape",
    Invalid,
    "an event's details must be a JSON object of at most 4 KiB",
    field="details",
)
register_constraint("security_events_append_only", Forbidden, "the security log is append-only")
register_constraint("security_events_kind_valid", Invalid, "unknown security event kind", field="kind")
register_constraint(
    "security_events_tenantless_kind",
    Invalid,
    "only a failed sign-in may belong to no organization",
    field="organization_id",
)


class EventKind(StrEnum):
    """What happened (the CHECK security_events_kind_valid of 0034)."""

    login = "login"  # an API key's first authenticated request in a clock hour (UTC)
    login_failed = "login_failed"  # a key refused: malformed, unknown, wrong secret, revoked, expired, user inactive
    key_created = "key_created"
    key_revoked = "key_revoked"
    role_changed = "role_changed"
    member_added = "member_added"
    member_removed = "member_removed"
    payout = "payout"
    # 0043 (docs/identity.md "Sessions and tokens")
    session_created = "session_created"  # a password sign-in (or the operator) made a session
    session_revoked = "session_revoked"  # a session signed out
    password_changed = "password_changed"  # noqa: S105
    password_reset = "password_reset"  # noqa: S105 — a reset token was spent
    email_verified = "email_verified"
    invitation_created = "invitation_created"
    invitation_accepted = "invitation_accepted"
    invitation_revoked = "invitation_revoked"


class SubjectType(StrEnum):
    """What an event is about (``subject_id`` is its id)."""

    api_key = "api_key"
    user = "user"
    payout = "payout"
    organization = "organization"
    session = "session"
    invitation = "invitation"


class SecurityEvent(Model):
    id: UUID
    occurred_at: datetime
    kind: EventKind
    actor_user_id: UUID | None
    actor_key_id: UUID | None
    subject_type: SubjectType | None
    subject_id: UUID | None
    ip_hash: str | None = Field(description="HMAC-SHA-256 (hex) of the client address under the key ip_key")
    ip_key: str | None
    user_agent: str | None
    details: dict[str, Any]
    request_id: str | None


# -- the client of the request ---------------------------------------------------------------------


class IpSettings(BaseSettings):
    """The key of the client addresses' HMAC (``MEDIABASE_SECURITY_IP_KEY``, rotated by setting a
    new one with a new ``MEDIABASE_SECURITY_IP_KEY_ID``). Unset: a random key per process, so
    digests from two processes cannot be compared (set one in production to follow an address
    across processes and restarts), and none can be reversed."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_SECURITY_", extra="ignore")

    ip_key: SecretStr | None = Field(default=None, description="HMAC key of client addresses (32+ characters)")
    ip_key_id: str = Field(default="k1", pattern=r"^[A-Za-z0-9_.-]{1,32}$", description="names the key in rows")


_PROCESS_KEY = (secrets.token_bytes(32), "p-" + secrets.token_hex(4))


@dataclass(frozen=True, slots=True)
class Client:
    """Who is on the other end of a request: its address (never stored as such) and user agent."""

    address: str | None = None
    user_agent: str | None = None


_client: contextvars.ContextVar[Client | None] = contextvars.ContextVar("mediabase_security_client", default=None)


def bind_client(address: str | None, user_agent: str | None) -> Client:
    """Make this the client of the current request's events (each request runs in its own task)."""
    client = Client(address, user_agent)
    _client.set(client)
    return client


def ip_digest(address: str | None, settings: IpSettings | None = None) -> tuple[bytes | None, str | None]:
    """HMAC-SHA-256 of a client address under the configured key, and the key's id. An unsalted
    SHA-256 of an IPv4 address is reversed by trying all 2^32 of them; a keyed one is not."""
    if not address:
        return None, None
    s = settings or IpSettings()
    if s.ip_key is not None:
        key, key_id = s.ip_key.get_secret_value().encode(), s.ip_key_id
    else:
        key, key_id = _PROCESS_KEY
    return hmac.new(key, address.encode(), hashlib.sha256).digest(), key_id


def clean_user_agent(value: str | None) -> str | None:
    """A user agent as sent (any text a client likes) made storable: control characters dropped,
    cut to 512 characters."""
    if not value:
        return None
    return _UA_BAD.sub("", value)[:USER_AGENT_MAX] or None


def client_params(client: Client | None = None) -> dict[str, Any]:
    """The client's columns of an event (``ip_hmac``, ``ip_key``, ``user_agent``), for the
    statements that write an event themselves (``identity/queries.sql`` add_member_by_email)."""
    c = client if client is not None else _client.get()
    digest, key_id = ip_digest(c.address if c else None)
    return {"ip_hmac": digest, "ip_key": key_id, "user_agent": clean_user_agent(c.user_agent if c else None)}


# -- writing -----------------------------------------------------------------------------------------


async def record_security_event(
    conn: Conn,
    organization_id: UUID,
    kind: EventKind,
    *,
    actor_user_id: UUID | None = None,
    actor_key_id: UUID | None = None,
    subject_type: SubjectType | None = None,
    subject_id: UUID | None = None,
    details: dict[str, Any] | None = None,
    client: Client | None = None,
) -> None:
    """Write one event in ``conn``'s transaction (kept if, and only if, it commits).

    ``conn`` is a tenant transaction of ``organization_id`` (the app role may write its own
    tenant's events only) or a system one. The client defaults to the request's
    (:func:`bind_client`); outside a request (the CLI, jobs) there is none. ``details`` is a
    small JSON object: never a secret, a password or an address."""
    await conn.execute(
        Q.insert_event,
        {
            "org": organization_id,
            "kind": EventKind(kind).value,
            "actor_user_id": actor_user_id,
            "actor_key_id": actor_key_id,
            "subject_type": SubjectType(subject_type).value if subject_type else None,
            "subject_id": subject_id,
            "details": Jsonb(details or {}),
            **client_params(client),
        },
    )


async def record_by(
    conn: Conn,
    p: Principal,
    kind: EventKind,
    subject_type: SubjectType | None = None,
    subject_id: UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """An event the caller ``p`` did in its organization (actor: its user and key)."""
    await record_security_event(
        conn,
        p.organization_id,
        kind,
        actor_user_id=p.user_id,
        actor_key_id=p.key_id,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )


# -- reading -----------------------------------------------------------------------------------------


def _require_admin(p: Principal) -> None:
    """OWNER or ADMIN, as ``identity.service.require`` says it (that module imports this one)."""
    if p.is_worker:
        raise Forbidden("a worker key may only claim and run jobs; use a member's key for this")
    if not p.can(Role.ADMIN):
        raise Forbidden(f"the security log needs the ADMIN role; the key has {p.role.value}")


async def list_events(
    db: Database,
    p: Principal,
    *,
    kinds: list[EventKind] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    user_id: UUID | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[SecurityEvent]:
    """The organization's events, newest first (OWNER or ADMIN)."""
    _require_admin(p)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _page(
            conn, p.organization_id, kinds=kinds, since=since, until=until, user_id=user_id, limit=limit, cursor=cursor
        )


async def list_events_system(
    system: Database,
    organization_id: UUID | None,
    *,
    kinds: list[EventKind] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    user_id: UUID | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page[SecurityEvent]:
    """The operator's read (CLI): one organization's events, or (``None``) the failed sign-ins
    that belong to no organization."""
    async with system.transaction(readonly=True) as conn:
        return await _page(
            conn,
            organization_id or NIL_ORG,
            kinds=kinds,
            since=since,
            until=until,
            user_id=user_id,
            limit=limit,
            cursor=cursor,
        )


def events_query(*, kinds: bool, since: bool, until: bool, user: bool, after: bool) -> sql.Composed:
    """The list's statement for the filters given: the organization first (one shard on Citus,
    the leading column of every index), newest first by (occurred_at, id)."""
    where: list[LiteralString] = ["organization_id = %(org)s"]
    if kinds:
        where.append("kind = ANY(%(kinds)s::text[])")
    if since:
        where.append("occurred_at >= %(since)s")
    if until:
        where.append("occurred_at < %(until)s")
    if user:
        where.append("(actor_user_id = %(user)s OR (subject_type = 'user' AND subject_id = %(user)s))")
    if after:
        where.append("(occurred_at, id) < (%(after_at)s, %(after_id)s)")
    return sql.SQL("{} WHERE {} ORDER BY occurred_at DESC, id DESC LIMIT %(page_limit)s").format(
        sql.SQL(Q.event_columns.strip().rstrip(";")), sql.SQL(" AND ").join(sql.SQL(w) for w in where)
    )


async def _page(
    conn: Conn,
    org: UUID,
    *,
    kinds: list[EventKind] | None,
    since: datetime | None,
    until: datetime | None,
    user_id: UUID | None,
    limit: int,
    cursor: str | None,
) -> Page[SecurityEvent]:
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500", field="limit")
    if since is not None and until is not None and since >= until:
        raise Invalid("since must be before until", field="since")
    params: dict[str, Any] = {
        "org": org,
        "kinds": [EventKind(k).value for k in kinds] if kinds else None,
        "since": since,
        "until": until,
        "user": user_id,
        "page_limit": limit + 1,
    }
    if cursor is not None:
        params["after_at"], params["after_id"] = decode_position(cursor)
    stmt = events_query(
        kinds=bool(kinds),
        since=since is not None,
        until=until is not None,
        user=user_id is not None,
        after=cursor is not None,
    )
    cur = conn.cursor(row_factory=class_row(SecurityEvent))
    rows = await (await cur.execute(stmt, params)).fetchall()
    items = rows[:limit]
    last = items[-1] if items else None
    return Page(
        items=items, next_cursor=encode_cursor(last.occurred_at, last.id) if last and len(rows) > limit else None
    )
