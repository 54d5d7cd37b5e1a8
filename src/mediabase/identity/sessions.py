"""Sign-in sessions, passwords and single-use tokens (migration 0043, docs/identity.md
"Sessions and tokens").

A session is a user signed in, acting in one organization (its *active* organization; the
membership and its role are read at every use, so a removed member's session stops working
there at once). The token ``mbs_<prefix>_<secret>`` is returned once by :func:`sign_in`; only
sha256(secret) is kept, in a column the application role cannot read. Sign-in, session and token
checks run on the system pool, as API-key authentication does.

Failed sign-ins are ``login_failed`` security events of no organization, keyed by a pseudonymous
subject derived from the address (an HMAC), so an unknown address and a wrong password are
counted, answered and timed alike (an argon2 verification runs either way): the answer never
tells whether an address has an account.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from hashlib import sha256
from uuid import UUID

from argon2 import PasswordHasher

from mediabase.common.errors import MediabaseError
from mediabase.common.models import Model
from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, class_row
from mediabase.identity import security
from mediabase.identity.models import Principal, Role
from mediabase.identity.security import NIL_ORG, Client, EventKind, SubjectType
from mediabase.identity.tokens import TokenKind, new_token, parse, same

Q = load_queries("mediabase.identity", "sessions.sql")
_hasher = PasswordHasher()
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at moves at most this often (a reference table)
TOKEN_TTL = {TokenKind.verify_email: timedelta(days=2), TokenKind.reset_password: timedelta(hours=1)}
PURPOSE = {TokenKind.verify_email: "verify_email", TokenKind.reset_password: "reset_password"}
BAD_SIGNIN = "wrong e-mail address or password"


@functools.cache
def _dummy_hash() -> str:
    """Verified against when a user has no password, so the answer takes as long as a wrong
    password's (made on first use: an argon2 hash costs every process's start otherwise)."""
    return _hasher.hash("not a password of anyone")


class TooManyAttempts(MediabaseError):
    status = 429
    code = "too-many-attempts"
    title = "Too many attempts"


class Session(Model):
    id: UUID
    user_id: UUID
    active_organization_id: UUID
    prefix: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    revoked_at: datetime | None
    user_agent: str | None


class SessionCreated(Session):
    token: str  # shown once, never stored


class TokenIssued(Model):
    token: str  # shown once, never stored
    expires_at: datetime


def hash_password(password: str) -> str:
    if not 8 <= len(password) <= 1024:
        raise Invalid("a password has 8 to 1024 characters", field="password")
    if "\x00" in password:
        raise Invalid("a password may not contain NUL characters", field="password")
    return _hasher.hash(password)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except Exception:  # argon2's mismatch / invalid-hash errors
        return False


def address_subject(email: str) -> UUID:
    """The pseudonymous subject of failed sign-ins for an address: no address in the log, and the
    same counting for addresses with and without an account."""
    key, _ = security.ip_digest("signin:" + email.strip().lower())
    return UUID(bytes=(key or sha256(email.encode()).digest())[:16])


async def sign_in(
    system: Database,
    settings: Settings,
    email: str,
    password: str,
    client: Client | None = None,
    organization: str | None = None,
) -> SessionCreated:
    """A new session for the user with this address and password, or 401 (429 when too many
    failed). ``organization`` (a slug) picks the active organization, else the personal one."""
    subject = address_subject(email)
    async with system.transaction() as conn:
        recent = await (
            await conn.execute(Q.recent_failures, {"subject": subject, "window": settings.signin_window_s})
        ).fetchone()
        user = await (await conn.execute(Q.signin_user, {"email": email})).fetchone()
    if recent is not None and recent["n"] >= settings.signin_max_failures:
        raise TooManyAttempts("too many failed sign-ins for this address; try again later")
    ok = _verify(user["password_hash"] if user else None, password)  # argon2 runs whatever the address
    reason = None if ok else ("unknown_email" if user is None else "wrong_password")
    if ok and user is not None and not user["is_active"]:
        reason = "user_inactive"
    if reason is not None:
        async with system.transaction() as conn:
            await security.record_security_event(
                conn, NIL_ORG, EventKind.login_failed, subject_type=SubjectType.user, subject_id=subject,
                details={"reason": reason, "method": "password"}, client=client,
            )
        raise Unauthorized(BAD_SIGNIN)
    assert user is not None
    return await create_session(system, settings, user["id"], client, organization)


async def create_session(
    system: Database, settings: Settings, user_id: UUID, client: Client | None = None, organization: str | None = None
) -> SessionCreated:
    """A session for ``user_id`` (after sign-in, or the operator's ``mediabase auth session``)."""
    token, prefix, secret = new_token(TokenKind.session)
    # the membership is read first, on its own (a read over every shard on Citus, which may not
    # precede a write of a reference table in one transaction); it is checked again at every use
    async with system.transaction() as conn:  # (the primary: a replica may not have it yet)
        member = await (
            await conn.execute(Q.signin_organization, {"user_id": user_id, "slug": organization})
        ).fetchone()
    if member is None:
        raise Forbidden(
            f"the user is no member of {organization!r}" if organization else "the user belongs to no organization",
            field="organization",
        )
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Session))
        row = await (
            await cur.execute(
                Q.insert_session,
                {
                    "user_id": user_id,
                    "org": member["organization_id"],
                    "prefix": prefix,
                    "secret_sha256": secret,
                    "ttl": settings.session_ttl_hours * 3600,
                    **security.client_params(client),
                },
            )
        ).fetchone()
        assert row is not None
        await conn.execute(Q.touch_login, {"user_id": user_id})
        await security.record_security_event(
            conn, row.active_organization_id, EventKind.session_created, actor_user_id=user_id,
            subject_type=SubjectType.session, subject_id=row.id, details={"prefix": prefix}, client=client,
        )
    return SessionCreated(**row.model_dump(), token=token)


async def authenticate_session(
    system: Database, token: str, client: Client | None = None, *, membership: bool = True
) -> Principal:
    """The principal a session token stands for, or 401 (403 when its user is no longer a member
    of the session's organization; ``membership=False`` skips that, for switching)."""
    parsed = parse(token, TokenKind.session)
    refused: tuple[str, str] | None = None
    role: str | None = None
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.session_by_prefix, {"prefix": parsed[0]})).fetchone() if parsed else None
        if parsed is None:
            refused = ("malformed", "malformed session token; expected mbs_<prefix>_<secret>")
        elif row is None or not same(row["secret_sha256"], parsed[1]):
            refused = ("unknown_session", "unknown session token")
        elif row["revoked_at"] is not None:
            refused = ("revoked", "this session was signed out; sign in again")
        elif row["expires_at"] <= row["now"]:
            refused = ("expired", "this session has expired; sign in again")
        elif not row["is_active"]:
            refused = ("user_inactive", "the session's user is deactivated")
        if refused is not None:
            known = row is not None and refused[0] != "unknown_session"
            await security.record_security_event(
                conn, row["active_organization_id"] if known and row else NIL_ORG, EventKind.login_failed,
                actor_user_id=row["user_id"] if known and row else None,
                subject_type=SubjectType.session if known else None, subject_id=row["id"] if known and row else None,
                details={"reason": refused[0], "method": "session"}, client=client,
            )
        else:
            assert row is not None
            if row["now"] - row["last_seen_at"] > TOUCH_EVERY:
                await conn.execute(Q.touch_session, {"id": row["id"]})
            member = await (
                await conn.execute(Q.membership_role, {"org": row["active_organization_id"], "user_id": row["user_id"]})
            ).fetchone()
            role = member["role"] if member else None
    if refused is not None:
        raise Unauthorized(refused[1])
    assert row is not None
    if role is None and membership:
        raise Forbidden(
            "the session's user is no longer a member of its organization; switch organization or sign in again"
        )
    return Principal(
        organization_id=row["active_organization_id"],
        user_id=row["user_id"],
        role=Role(role or "MEMBER"),
        session_id=row["id"],
    )


async def list_sessions(db: Database, p: Principal) -> list[Session]:
    """The caller's user's live sessions (in every organization), newest first."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Session))
        return await (await cur.execute(Q.list_sessions, {"user_id": p.user_id})).fetchall()


async def revoke_session(system: Database, p: Principal, session_id: UUID) -> Session:
    """Sign one of the caller's user's sessions out (the current one: sign-out). On the system
    pool, filtered by the user: the application role writes no reference table (on Citus its
    writes of a reference table's copies are refused: tests/acceptance/test_citus_sessions.py)."""
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Session))
        row = await (await cur.execute(Q.revoke_session, {"user_id": p.user_id, "id": session_id})).fetchone()
        if row is None:
            raise NotFound("session not found")
        await security.record_by(conn, p, EventKind.session_revoked, SubjectType.session, row.id)
    return row


async def revoke_all_sessions(system: Database, user_id: UUID, *, keep: UUID | None = None) -> int:
    """Sign every session of a user out but ``keep`` (the operator's, or after a password change)."""
    async with system.transaction() as conn:
        return await _revoke_all(conn, user_id, keep)


async def _revoke_all(conn: Conn, user_id: UUID, keep: UUID | None) -> int:
    rows = await (await conn.execute(Q.revoke_all_sessions, {"user_id": user_id, "keep": keep})).fetchall()
    return len(rows)


async def switch_organization(system: Database, p: Principal, slug: str) -> Session:
    """Make another organization of the user's the session's active one."""
    if p.session_id is None:
        raise Invalid("only a session can switch organization; an API key belongs to one", field="token")
    async with system.transaction() as conn:  # apart from the write: see create_session
        member = await (await conn.execute(Q.membership_by_slug, {"user_id": p.user_id, "slug": slug})).fetchone()
    if member is None:
        raise Forbidden(f"you are no member of {slug!r}", field="organization")
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Session))
        row = await (
            await cur.execute(
                Q.switch_organization, {"org": member["organization_id"], "id": p.session_id, "user_id": p.user_id}
            )
        ).fetchone()
    assert row is not None
    return row


async def sweep(conn: Conn) -> dict[str, int]:
    """Upkeep: delete sessions and tokens expired (or revoked) more than a day ago."""
    row = await (await conn.execute(Q.sweep_sessions)).fetchone()
    return {"sessions": row["sessions"], "tokens": row["tokens"]} if row else {"sessions": 0, "tokens": 0}


# -- passwords ---------------------------------------------------------------------------------------


async def set_password(
    system: Database, p: Principal, new_password: str, current_password: str | None = None, *, operator: bool = False
) -> int:
    """Set or change the user's password. A user who has one must give it (``operator`` skips
    that: the CLI). Every other session of the user is signed out; returns how many."""
    password_hash = hash_password(new_password)
    async with system.transaction() as conn:
        row = await (await conn.execute(Q.password_hash, {"user_id": p.user_id})).fetchone()
        if row is None:
            raise NotFound("user not found")
        if row["password_hash"] and not operator and not _verify(row["password_hash"], current_password or ""):
            raise Forbidden("the current password is wrong", field="current_password")
        await conn.execute(Q.set_password, {"user_id": p.user_id, "password_hash": password_hash})
        revoked = await _revoke_all(conn, p.user_id, p.session_id)
        await security.record_by(
            conn, p, EventKind.password_changed, SubjectType.user, p.user_id, {"sessions_revoked": revoked}
        )
    return revoked


# -- single-use tokens -------------------------------------------------------------------------------


async def issue_token(system: Database, user_id: UUID, kind: TokenKind) -> TokenIssued:
    """A verification or password-reset token for a user, returned once (deliver it to the user's
    address: docs/identity.md)."""
    if kind not in PURPOSE:
        raise Invalid(f"no single-use token of kind {kind.value!r}", field="kind")
    token, prefix, secret = new_token(kind)
    async with system.transaction() as conn:
        row = await (
            await conn.execute(
                Q.insert_token,
                {
                    "user_id": user_id,
                    "purpose": PURPOSE[kind],
                    "prefix": prefix,
                    "secret_sha256": secret,
                    "ttl": TOKEN_TTL[kind].total_seconds(),
                },
            )
        ).fetchone()
    assert row is not None
    return TokenIssued(token=token, expires_at=row["expires_at"])


async def _use_token(conn: Conn, token: str, kind: TokenKind) -> UUID:
    """Spend a token in ``conn``'s transaction: its user, or 4xx. Two concurrent uses: the
    second waits on the row lock and then finds it used."""
    parsed = parse(token, kind)
    if parsed is None:
        raise Invalid(f"malformed token; expected {kind.value}_<prefix>_<secret>", field="token")
    row = await (await conn.execute(Q.lock_token, {"prefix": parsed[0]})).fetchone()
    if row is None or row["purpose"] != PURPOSE[kind] or not same(row["secret_sha256"], parsed[1]):
        raise NotFound("unknown token", field="token")
    if row["used_at"] is not None:
        raise Conflict("this token was used already", field="token")
    if row["expires_at"] <= row["now"]:
        raise Invalid("this token has expired; ask for a new one", field="token")
    used = await (await conn.execute(Q.use_token, {"id": row["id"]})).fetchone()
    if used is None:
        raise Conflict("this token was used already", field="token")
    user_id: UUID = row["user_id"]
    return user_id


async def _user_org(conn: Conn, user_id: UUID) -> UUID:
    member = await (await conn.execute(Q.signin_organization, {"user_id": user_id, "slug": None})).fetchone()
    return member["organization_id"] if member else NIL_ORG


async def verify_email(system: Database, token: str, client: Client | None = None) -> UUID:
    """Spend a verification token: the user's address is verified. Returns the user's id."""
    async with system.transaction() as conn:
        user_id = await _use_token(conn, token, TokenKind.verify_email)
        await conn.execute(Q.verify_email, {"user_id": user_id})
        org = await _user_org(conn, user_id)
        if org != NIL_ORG:
            await security.record_security_event(
                conn, org, EventKind.email_verified, actor_user_id=user_id, subject_type=SubjectType.user,
                subject_id=user_id, client=client,
            )
    return user_id


async def reset_password(system: Database, token: str, new_password: str, client: Client | None = None) -> UUID:
    """Spend a reset token: the new password is set and every session of the user signed out."""
    password_hash = hash_password(new_password)
    async with system.transaction() as conn:
        user_id = await _use_token(conn, token, TokenKind.reset_password)
        await conn.execute(Q.set_password, {"user_id": user_id, "password_hash": password_hash})
        revoked = await _revoke_all(conn, user_id, None)
        org = await _user_org(conn, user_id)
        if org != NIL_ORG:
            await security.record_security_event(
                conn, org, EventKind.password_reset, actor_user_id=user_id, subject_type=SubjectType.user,
                subject_id=user_id, details={"sessions_revoked": revoked}, client=client,
            )
    return user_id


async def user_principal(system: Database, email: str, organization: str | None = None) -> Principal:
    """The operator acting as a user (CLI): the user with this address, in the organization named
    (a slug), else their personal one."""
    async with system.transaction() as conn:
        user = await (await conn.execute(Q.signin_user, {"email": email})).fetchone()
        if user is None:
            raise NotFound(f"no user with email {email!r}", field="email")
        member = await (
            await conn.execute(Q.signin_organization, {"user_id": user["id"], "slug": organization})
        ).fetchone()
    if member is None:
        raise NotFound(f"the user is no member of {organization!r}" if organization else "the user has no organization")
    return Principal(organization_id=member["organization_id"], user_id=user["id"], role=Role(member["role"]))
