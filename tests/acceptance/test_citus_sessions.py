"""Sessions, tokens, invitations and legal acceptances on a real Citus cluster (docs/identity.md
"Sessions and tokens", docs/legal.md; docs/scale-out.md): the per-user tables are reference
tables, invitations are distributed by organization, and the main paths — sign-in, a session
request (with its last-seen write), switching organization, sign-out, a verification token, an
invitation accepted once, the terms check and an acceptance, a consent — run there.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the test
works in organizations and users of its own.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from mediabase.common.errors import Conflict, Forbidden, Unauthorized
from mediabase.db.connection import Database
from mediabase.identity import invitations, legal, sessions
from mediabase.identity.invitations import InvitationCreate
from mediabase.identity.legal import ConsentSet, DocumentCreate, TermsRequired
from mediabase.identity.tokens import TokenKind
from tests.citus import CITUS_TIMEOUT_S
from tests.conftest import make_settings
from tests.factories import make_tenant

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]
PASSWORD = "correct horse battery staple"


async def test_sessions_invitations_and_terms_on_the_shards(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    async with system.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT t, mediabase.citus_kind(('mediabase.' || t)::regclass) AS kind FROM unnest(ARRAY['sessions',"
            " 'user_tokens', 'legal_documents', 'legal_acceptances', 'user_consents', 'invitations']) t")).fetchall()
    kinds = {r["t"]: r["kind"] for r in rows}
    assert kinds == {"sessions": "reference", "user_tokens": "reference", "legal_documents": "reference",
                     "legal_acceptances": "reference", "user_consents": "reference", "invitations": "distributed"}
    tag = uuid.uuid4().hex[:6]
    a, b = await make_tenant(db, system, f"ss-{tag}"), await make_tenant(db, system, f"st-{tag}")
    settings = make_settings()
    await sessions.set_password(system, a.member, PASSWORD, operator=True)
    email = f"member@ss-{tag}.example.com"
    with pytest.raises(Unauthorized):
        await sessions.sign_in(system, settings, email, "wrong password")
    s = await sessions.sign_in(system, settings, email, PASSWORD, organization=f"ss-{tag}")
    async with system.transaction() as conn:
        await conn.execute("UPDATE sessions SET last_seen_at = now() - interval '1 hour' WHERE id = %s", (s.id,))
    p = await sessions.authenticate_session(system, s.token)  # with its last-seen write
    assert (p.organization_id, p.user_id) == (a.owner.organization_id, a.member.user_id)
    assert [x.id for x in await sessions.list_sessions(db, p)] == [s.id]
    with pytest.raises(Forbidden):
        await sessions.switch_organization(system, p, f"st-{tag}")
    # an invitation to b, accepted once; then the session may switch there
    inv = await invitations.create_invitation(db, b.owner, InvitationCreate(email=email))
    await invitations.accept_invitation(system, inv.token, a.member.user_id)
    with pytest.raises(Conflict):
        await invitations.accept_invitation(system, inv.token, a.member.user_id)
    moved = await sessions.switch_organization(system, p, f"st-{tag}")
    assert moved.active_organization_id == b.owner.organization_id
    assert (await sessions.authenticate_session(system, s.token)).organization_id == b.owner.organization_id
    # a verification token, spent once
    v = await sessions.issue_token(system, a.member.user_id, TokenKind.verify_email)
    assert await sessions.verify_email(system, v.token) == a.member.user_id
    with pytest.raises(Conflict):
        await sessions.verify_email(system, v.token)
    # the terms: refused until accepted
    version = f"c-{tag}"
    await legal.publish(system, DocumentCreate(kind=f"terms{tag}", version=version, title="T", content="Be nice.",
                                               effective_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert not (await legal.status(system, a.member.user_id, f"terms{tag}")).accepted
    await legal.accept(db, system, p, f"terms{tag}")
    assert (await legal.status(system, a.member.user_id, f"terms{tag}")).accepted
    await legal.set_consent(system, p, ConsentSet(purpose="marketing", granted=True))
    assert [c.granted for c in await legal.current_consents(db, p)] == [True]
    assert TermsRequired.status == 403
    # sign-out
    await sessions.revoke_session(system, p, s.id)
    with pytest.raises(Unauthorized):
        await sessions.authenticate_session(system, s.token)
