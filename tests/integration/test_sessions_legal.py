"""Sessions, single-use tokens, invitations, legal acceptances and consents (0043; docs/identity.md
"Sessions and tokens", docs/legal.md), against the real database: sign-in without user
enumeration, every state of a session (expired, revoked, wrong organization, removed member),
tokens and invitations used once even under concurrent use, the terms check, append-only
acceptances and consents, secrets the application role cannot read, the expiry sweep."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from mediabase.common.errors import Conflict, Forbidden, Invalid, MediabaseError, NotFound, Unauthorized
from mediabase.db.connection import Database
from mediabase.identity import invitations, legal, sessions
from mediabase.identity import service as identity
from mediabase.identity.invitations import InvitationCreate
from mediabase.identity.legal import ConsentSet, DocumentCreate, TermsRequired
from mediabase.identity.models import Principal, Role, UserCreate
from mediabase.identity.security import NIL_ORG, Client
from mediabase.identity.tokens import TokenKind
from tests.conftest import make_settings
from tests.factories import Tenant

Tenants = tuple[Tenant, Tenant]
PASSWORD = "correct horse battery staple"


async def sql(owner_db: Database, query: str, *params: Any) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        cur = await conn.execute(query, params)
        return await cur.fetchall() if cur.description else []


async def with_password(owner_db: Database, p: Principal) -> str:
    await sessions.set_password(owner_db, p, PASSWORD, operator=True)
    email = (await sql(owner_db, "SELECT email FROM users WHERE id = %s", p.user_id))[0]["email"]
    return str(email)


async def test_sign_in_makes_a_session_that_authenticates(owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    email = await with_password(owner_db, a.member)
    settings = make_settings()
    s = await sessions.sign_in(owner_db, settings, email.upper(), PASSWORD, Client("198.51.100.4", "tests"),
                               organization=a.slug)
    assert s.token.startswith("mbs_") and s.active_organization_id == a.owner.organization_id
    p = await sessions.authenticate_session(owner_db, s.token)
    assert (p.organization_id, p.user_id, p.role, p.session_id) == (
        a.owner.organization_id, a.member.user_id, Role.MEMBER, s.id)
    row = (await sql(owner_db, "SELECT secret_sha256, ip_hmac, ip_key, user_agent FROM sessions WHERE id = %s",
                     s.id))[0]
    assert s.token.split("_", 2)[2].encode() not in bytes(row["secret_sha256"]) and len(row["ip_hmac"]) == 32
    assert row["user_agent"] == "tests"
    # without a slug: the personal organization
    s2 = await sessions.sign_in(owner_db, settings, email, PASSWORD)
    assert s2.active_organization_id != a.owner.organization_id
    # the API key path is untouched
    assert (await identity.authenticate(owner_db, a.member_key)).key_id is not None


async def test_wrong_password_and_unknown_address_look_alike(owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    email = await with_password(owner_db, a.owner)
    settings = make_settings(signin_max_failures=3)
    answers = []
    for address, password in ((email, "wrong password"), ("nobody@example.com", PASSWORD)):
        for _ in range(3):
            with pytest.raises(Unauthorized) as e:
                await sessions.sign_in(owner_db, settings, address, password)
            answers.append(e.value.detail)
        with pytest.raises(sessions.TooManyAttempts):  # the same limit for both
            await sessions.sign_in(owner_db, settings, address, password)
    assert set(answers) == {sessions.BAD_SIGNIN}
    rows = await sql(owner_db, "SELECT details::text AS d, subject_id FROM security_events"
                     " WHERE organization_id = %s AND kind = 'login_failed'", NIL_ORG)
    assert len(rows) == 6 and all("@" not in r["d"] for r in rows)
    assert len({r["subject_id"] for r in rows}) == 2
    with pytest.raises(sessions.TooManyAttempts):  # even the right password, while the limit holds
        await sessions.sign_in(owner_db, settings, email, PASSWORD)
    # a user without a password cannot sign in with one
    with pytest.raises(Unauthorized):
        await sessions.sign_in(owner_db, make_settings(), f"member@{a.slug}.example.com", PASSWORD)


async def test_expired_revoked_and_foreign_sessions_are_refused(
    db: Database, owner_db: Database, tenants: Tenants
) -> None:
    a, b = tenants
    settings = make_settings()
    s = await sessions.create_session(owner_db, settings, a.member.user_id, organization=a.slug)
    with pytest.raises(Forbidden):  # a session cannot be made for an organization the user is not in
        await sessions.create_session(owner_db, settings, a.member.user_id, organization=b.slug)
    p = await sessions.authenticate_session(owner_db, s.token)
    with pytest.raises(Forbidden):  # nor switched to one
        await sessions.switch_organization(owner_db, p, b.slug)
    # removed from the organization: the session stops working there at once
    await identity.remove_member(db, a.owner, a.member.user_id)
    with pytest.raises(Forbidden, match="no longer a member"):
        await sessions.authenticate_session(owner_db, s.token)
    # … and may switch to an organization the user is still in (the personal one)
    u = await sessions.authenticate_session(owner_db, s.token, membership=False)
    personal = (await sql(owner_db, "SELECT slug FROM organizations WHERE personal_user_id = %s", a.member.user_id))
    moved = await sessions.switch_organization(owner_db, u, personal[0]["slug"])
    assert (await sessions.authenticate_session(owner_db, s.token)).organization_id == moved.active_organization_id
    # expired
    await sql(owner_db, "UPDATE sessions SET created_at = now() - interval '2 days',"
              " expires_at = now() - interval '1 second' WHERE id = %s", s.id)
    with pytest.raises(Unauthorized, match="expired"):
        await sessions.authenticate_session(owner_db, s.token)
    # revoked (sign-out), and a wrong secret with a right prefix
    s2 = await sessions.create_session(owner_db, settings, a.owner.user_id)
    p2 = await sessions.authenticate_session(owner_db, s2.token)
    assert [x.id for x in await sessions.list_sessions(db, p2)] == [s2.id]
    await sessions.revoke_session(owner_db, p2, s2.id)
    with pytest.raises(Unauthorized, match="signed out"):
        await sessions.authenticate_session(owner_db, s2.token)
    for bad in (s2.token[:-2] + "xx", "mbs_short", "mbs_" + "a" * 12 + "_\x00" + "b" * 40, "mb_x_y"):
        with pytest.raises(Unauthorized):
            await sessions.authenticate_session(owner_db, bad)
    with pytest.raises(NotFound):  # another user's session is not found
        await sessions.revoke_session(owner_db, a.owner, s.id)


async def test_last_seen_moves_only_when_stale_and_password_change_signs_others_out(
    owner_db: Database, tenants: Tenants
) -> None:
    a, _ = tenants
    settings = make_settings()
    one = await sessions.create_session(owner_db, settings, a.owner.user_id)
    two = await sessions.create_session(owner_db, settings, a.owner.user_id)
    await sql(owner_db, "UPDATE sessions SET last_seen_at = '2020-01-01T00:00:00Z' WHERE id = %s", one.id)
    p = await sessions.authenticate_session(owner_db, one.token)
    seen = (await sql(owner_db, "SELECT last_seen_at FROM sessions WHERE id = %s", one.id))[0]["last_seen_at"]
    assert seen > datetime(2025, 1, 1, tzinfo=UTC)
    await sessions.authenticate_session(owner_db, one.token)  # recent: not written again
    assert (await sql(owner_db, "SELECT last_seen_at FROM sessions WHERE id = %s", one.id))[0]["last_seen_at"] == seen
    assert await sessions.set_password(owner_db, p, PASSWORD) == 1  # no password yet: none asked
    with pytest.raises(Unauthorized):
        await sessions.authenticate_session(owner_db, two.token)
    await sessions.authenticate_session(owner_db, one.token)  # the caller's own session stays
    with pytest.raises(Forbidden, match="current password"):
        await sessions.set_password(owner_db, p, "another password", "not it")
    with pytest.raises(Invalid):
        await sessions.set_password(owner_db, p, "short", PASSWORD)


async def test_verification_and_reset_tokens_are_used_once(owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    v = await sessions.issue_token(owner_db, a.member.user_id, TokenKind.verify_email)
    assert v.token.startswith("mbv_")
    with pytest.raises(NotFound):  # a token of another kind with the same prefix is not it
        await sessions.reset_password(owner_db, "mbr_" + v.token[4:], PASSWORD)
    results = await asyncio.gather(*(sessions.verify_email(owner_db, v.token) for _ in range(3)),
                                   return_exceptions=True)
    assert sum(r == a.member.user_id for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if r != a.member.user_id)
    assert (await sql(owner_db, "SELECT email_verified FROM users WHERE id = %s", a.member.user_id))[0][
        "email_verified"]
    r = await sessions.issue_token(owner_db, a.member.user_id, TokenKind.reset_password)
    s = await sessions.create_session(owner_db, make_settings(), a.member.user_id)
    await sessions.reset_password(owner_db, r.token, PASSWORD)
    with pytest.raises(Unauthorized):  # every session signed out
        await sessions.authenticate_session(owner_db, s.token)
    email = f"member@{a.slug}.example.com"
    assert (await sessions.sign_in(owner_db, make_settings(), email, PASSWORD)).token
    with pytest.raises(Conflict):
        await sessions.reset_password(owner_db, r.token, "another password")
    late = await sessions.issue_token(owner_db, a.member.user_id, TokenKind.reset_password)
    await sql(owner_db, "UPDATE user_tokens SET created_at = now() - interval '2 days',"
              " expires_at = now() - interval '1 day' WHERE prefix = %s", late.token.split("_")[1])
    with pytest.raises(Invalid, match="expired"):
        await sessions.reset_password(owner_db, late.token, "another password")
    for bad in ("", "mbv_", "mbv_" + "A" * 12 + "_" + "x" * 43, "x" * 5000):
        with pytest.raises(MediabaseError):
            await sessions.verify_email(owner_db, bad)


@hsettings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(uses=st.integers(min_value=2, max_value=6), kind=st.sampled_from(["verify", "reset", "invite"]))
def test_a_token_used_concurrently_succeeds_once(migrated_url: str, uses: int, kind: str) -> None:
    async def scenario() -> None:
        async with Database(migrated_url, make_settings(migrated_url), role="") as system, \
                Database(migrated_url, make_settings(migrated_url)) as db:
            tag = uuid.uuid4().hex[:8]
            calls: list[Coroutine[Any, Any, object]]
            user, org = await identity.create_user(system, UserCreate(email=f"u{tag}@example.com", username=f"u{tag}"))
            owner = Principal(organization_id=org.id, user_id=user.id, role=Role.OWNER)
            guest, _ = await identity.create_user(system, UserCreate(email=f"g{tag}@example.com", username=f"g{tag}"))
            if kind == "verify":
                token = (await sessions.issue_token(system, user.id, TokenKind.verify_email)).token
                calls = [sessions.verify_email(system, token) for _ in range(uses)]
            elif kind == "reset":
                token = (await sessions.issue_token(system, user.id, TokenKind.reset_password)).token
                calls = [sessions.reset_password(system, token, PASSWORD) for _ in range(uses)]
            else:
                inv = await invitations.create_invitation(db, owner, InvitationCreate(email=guest.email))
                calls = [invitations.accept_invitation(system, inv.token, guest.id) for _ in range(uses)]
            results = await asyncio.gather(*calls, return_exceptions=True)
            assert sum(not isinstance(r, BaseException) for r in results) == 1, results
            assert all(isinstance(r, Conflict) for r in results if isinstance(r, BaseException))

    asyncio.run(scenario())


async def test_invitations_are_accepted_once_by_the_invited_user(
    db: Database, owner_db: Database, tenants: Tenants
) -> None:
    a, b = tenants
    guest_email = f"member@{b.slug}.example.com"
    with pytest.raises(Forbidden):  # a MEMBER may not invite
        await invitations.create_invitation(db, a.member, InvitationCreate(email=guest_email))
    inv = await invitations.create_invitation(db, a.owner, InvitationCreate(email=guest_email, role=Role.ADMIN))
    assert inv.token.startswith("mbi_") and [i.id for i in await invitations.list_invitations(db, a.owner)] == [inv.id]
    with pytest.raises(Forbidden, match="another e-mail"):
        await invitations.accept_invitation(owner_db, inv.token, b.owner.user_id)
    accepted = await invitations.accept_invitation(owner_db, inv.token, b.member.user_id)
    assert accepted.accepted_by == b.member.user_id
    members = {m.user_id: m.role for m in await identity.list_members(db, a.owner)}
    assert members[b.member.user_id] is Role.ADMIN
    with pytest.raises(Conflict, match="accepted already"):
        await invitations.accept_invitation(owner_db, inv.token, b.member.user_id)
    with pytest.raises(NotFound):  # accepted: no longer revocable
        await invitations.revoke_invitation(db, a.owner, inv.id)
    # revoked and expired ones fail clearly
    other = await invitations.create_invitation(db, a.owner, InvitationCreate(email=f"owner@{b.slug}.example.com"))
    await invitations.revoke_invitation(db, a.owner, other.id)
    with pytest.raises(Conflict, match="revoked"):
        await invitations.accept_invitation(owner_db, other.token, b.owner.user_id)
    late = await invitations.create_invitation(db, a.owner, InvitationCreate(email=f"owner@{b.slug}.example.com"))
    await sql(owner_db, "UPDATE invitations SET created_at = now() - interval '9 days',"
              " expires_at = now() - interval '1 day' WHERE id = %s", late.id)
    with pytest.raises(Invalid, match="expired"):
        await invitations.accept_invitation(owner_db, late.token, b.owner.user_id)
    # another tenant sees none of them
    assert await invitations.list_invitations(db, b.owner) == []
    with pytest.raises(NotFound):
        await invitations.revoke_invitation(db, b.owner, late.id)


async def test_terms_acceptance_and_the_current_version(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    p = a.member
    await legal.check_terms(owner_db, p)  # no terms published: nothing to accept
    now = datetime.now(UTC)
    v1 = await legal.publish(owner_db, DocumentCreate(kind="terms", version="1.0", title="Terms",
                                                      content="Be nice.", effective_at=now - timedelta(days=1)))
    assert v1.content_sha256 == __import__("hashlib").sha256(b"Be nice.").hexdigest()
    with pytest.raises(Conflict):
        await legal.publish(owner_db, DocumentCreate(kind="terms", version="1.0", title="T", content="x",
                                                     effective_at=now))
    with pytest.raises(TermsRequired) as e:
        await legal.check_terms(owner_db, p)
    assert e.value.extra["problem"] == {"document": "terms", "version": "1.0"}
    await legal.accept(db, owner_db, p, "terms")
    await legal.accept(db, owner_db, p, "terms")  # again: kept once
    await legal.check_terms(owner_db, p)
    ext = await sql(owner_db, "SELECT tos_accepted_at FROM user_extensions WHERE user_id = %s", p.user_id)
    assert ext[0]["tos_accepted_at"] is not None
    # a later version in the future changes nothing yet; one in effect must be accepted
    await legal.publish(owner_db, DocumentCreate(kind="terms", version="3.0", title="Terms", content="Later.",
                                                 effective_at=now + timedelta(days=30)))
    await legal.check_terms(owner_db, p)
    await legal.publish(owner_db, DocumentCreate(kind="terms", version="2.0", title="Terms", content="Be kind.",
                                                 effective_at=now - timedelta(seconds=1)))
    assert (await legal.status(owner_db, p.user_id)).model_dump() == {"kind": "terms", "version": "2.0",
                                                                     "accepted": False}
    await legal.accept(db, owner_db, p, "terms", "2.0")
    assert [x.version for x in await legal.list_acceptances(db, p)] == ["2.0", "1.0"]
    assert await legal.list_acceptances(db, a.owner) == []  # another user's are not shown
    with pytest.raises(NotFound):
        await legal.accept(db, owner_db, p, "terms", "9.9")
    with pytest.raises(Invalid):
        await legal.publish(owner_db, DocumentCreate.model_construct(
            kind="terms", version="4.0", title="T", content="", effective_at=now))


async def test_consents_are_a_history(db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    p = a.member
    await legal.set_consent(owner_db, p, ConsentSet(purpose="marketing", granted=True))
    await legal.set_consent(owner_db, p, ConsentSet(purpose="analytics", granted=True))
    await legal.set_consent(owner_db, p, ConsentSet(purpose="marketing", granted=False))
    assert {c.purpose: c.granted for c in await legal.current_consents(db, p)} == {"marketing": False,
                                                                                 "analytics": True}
    assert [c.granted for c in await legal.consent_history(db, p, "marketing")] == [False, True]
    assert (await sql(owner_db, "SELECT marketing_consent FROM user_extensions WHERE user_id = %s", p.user_id))[0][
        "marketing_consent"] is False
    assert await legal.current_consents(db, a.owner) == []


def test_the_application_role_cannot_read_secrets_or_rewrite_history(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET ROLE mediabase_app")
        for stmt in ("SELECT secret_sha256 FROM mediabase.sessions", "SELECT secret_sha256 FROM mediabase.user_tokens",
                     "SELECT secret_sha256 FROM mediabase.invitations",
                     "UPDATE mediabase.legal_acceptances SET accepted_at = now()",
                     "DELETE FROM mediabase.user_consents", "UPDATE mediabase.user_consents SET granted = true",
                     "INSERT INTO mediabase.legal_documents (kind, version, title, content, content_sha256,"
                     " effective_at) VALUES ('terms', '1', 't', 'c', sha256('c'), now())"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(stmt)
        conn.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.CheckViolation), conn.transaction():
            conn.execute("INSERT INTO mediabase.legal_documents (kind, version, title, content, content_sha256,"
                         " effective_at) VALUES ('terms', '1', 't', 'c', sha256('not c'), now())")


async def test_the_sweep_deletes_what_expired(owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    keep = await sessions.create_session(owner_db, make_settings(), a.owner.user_id)
    old = await sessions.create_session(owner_db, make_settings(), a.owner.user_id)
    tok = await sessions.issue_token(owner_db, a.owner.user_id, TokenKind.verify_email)
    await sql(owner_db, "UPDATE sessions SET created_at = now() - interval '40 days',"
              " expires_at = now() - interval '2 days' WHERE id = %s", old.id)
    await sql(owner_db, "UPDATE user_tokens SET created_at = now() - interval '40 days',"
              " expires_at = now() - interval '2 days' WHERE prefix = %s", tok.token.split("_")[1])
    async with owner_db.owner_connection() as conn:  # the worker's maintenance connection: no search_path
        assert await sessions.sweep(conn) == {"sessions": 1, "tokens": 1}
        assert await sessions.sweep(conn) == {"sessions": 0, "tokens": 0}
    assert [r["id"] for r in await sql(owner_db, "SELECT id FROM sessions")] == [keep.id]
