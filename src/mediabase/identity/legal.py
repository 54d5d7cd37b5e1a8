"""Legal documents, their acceptances and consent history (migration 0043, docs/legal.md).

A legal document is one version of a kind (``terms``, ``privacy``, …) with its text, the text's
sha256 and the instant it takes effect; the version in effect is the latest that has taken
effect. A user accepts a version (append-only: ``legal_acceptances``, once per version); the
API can refuse a member's requests until their user accepted the ``terms`` in effect
(``MEDIABASE_REQUIRE_TERMS``: :func:`check_terms`, one indexed statement). Consents (marketing,
analytics, …) are a history of granted/withdrawn rows per purpose; the current consent is the
latest row. ``user_extensions.tos_accepted_at`` and ``marketing_consent`` are kept as mirrors of
the latest terms acceptance and marketing consent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from mediabase.common.errors import Forbidden
from mediabase.common.models import Model
from mediabase.common.types import LINE, TEXT, Instant
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import class_row
from mediabase.identity import security
from mediabase.identity.models import Principal
from mediabase.identity.security import Client

Q = load_queries("mediabase.identity", "legal.sql")
TERMS = "terms"

register_constraint("legal_documents_version_key", Conflict, "this kind has this version already", field="version")
register_constraint("legal_documents_kind_format", Invalid, "a kind is lowercase letters, digits, _ or -", field="kind")
register_constraint("legal_documents_version_format", Invalid, "a version is letters, digits, . _ or -",
                    field="version")
register_constraint("legal_documents_content_length", Invalid, "a document has 1 to 1,000,000 characters",
                    field="content")
register_constraint("user_consents_purpose_format", Invalid, "a purpose is lowercase letters, digits or _",
                    field="purpose")

Kind = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]{0,39}$")]
Version = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]
Purpose = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class TermsRequired(Forbidden):
    """403: the current terms must be accepted first (names the document and version)."""

    code = "terms-required"
    title = "Terms not accepted"


class DocumentCreate(Model):
    kind: Kind
    version: Version
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
    content: Annotated[str, Field(min_length=1, max_length=1_000_000), TEXT]
    effective_at: Instant


class DocumentSummary(Model):
    id: UUID
    kind: str
    version: str
    title: str
    content_sha256: str
    effective_at: datetime
    created_at: datetime
    in_effect: bool = True


class Document(DocumentSummary):
    content: str


class Acceptance(Model):
    id: UUID
    kind: str
    version: str
    document_id: UUID
    accepted_at: datetime


class AcceptanceStatus(Model):
    kind: str
    version: str | None  # None: no document of the kind is in effect
    accepted: bool


class ConsentSet(Model):
    purpose: Purpose
    granted: bool


class Consent(Model):
    id: UUID
    purpose: str
    granted: bool
    recorded_at: datetime
    source: str


async def publish(system: Database, data: DocumentCreate) -> DocumentSummary:
    """Add a version of a document (the operator: ``mediabase legal publish``)."""
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(DocumentSummary))
        row = await (await cur.execute(Q.insert_document, data.model_dump())).fetchone()
    assert row is not None
    return row


async def list_documents(system: Database) -> list[DocumentSummary]:
    async with system.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(DocumentSummary))
        return await (await cur.execute(Q.list_documents)).fetchall()


async def get_document(system: Database, kind: str, version: str | None = None) -> Document:
    """A version of a kind, or (``version`` None) the one in effect."""
    async with system.transaction(readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Document))
        if version is None:
            row = await (await cur.execute(Q.current_document, {"kind": kind})).fetchone()
        else:
            row = await (await cur.execute(Q.get_document, {"kind": kind, "version": version})).fetchone()
    if row is None:
        raise NotFound(f"no {kind!r} document" + (f" version {version!r}" if version else " in effect"))
    return row


async def status(system: Database, user_id: UUID, kind: str = TERMS) -> AcceptanceStatus:
    """Has the user accepted the version of ``kind`` in effect? One statement, two index probes."""
    async with system.transaction(readonly=True) as conn:
        row = await (await conn.execute(Q.acceptance_status, {"user_id": user_id, "kind": kind})).fetchone()
    if row is None:
        return AcceptanceStatus(kind=kind, version=None, accepted=True)
    return AcceptanceStatus(kind=kind, version=row["version"], accepted=row["accepted"])


async def check_terms(system: Database, p: Principal) -> None:
    """Refuse (403 terms-required) a user who has not accepted the terms in effect."""
    s = await status(system, p.user_id, TERMS)
    if not s.accepted:
        raise TermsRequired(
            f"accept the terms version {s.version} first: POST /legal/acceptances"
            f" {{\"kind\": \"{TERMS}\", \"version\": \"{s.version}\"}}",
            field="terms",
            problem={"document": TERMS, "version": s.version},
        )


async def accept(
    db: Database, system: Database, p: Principal, kind: str, version: str | None = None, client: Client | None = None
) -> Acceptance:
    """The caller's user accepts a version (default: the one in effect); accepting again is a no-op."""
    doc = await get_document(system, kind, version)
    # written as the owner for the caller's user (the application role only reads these
    # reference tables: see sessions.revoke_session), read back the same way
    async with system.transaction() as conn:
        await conn.execute(Q.accept, {"user_id": p.user_id, "document_id": doc.id, **security.client_params(client)})
        cur = conn.cursor(row_factory=class_row(Acceptance))
        row = await (await cur.execute(Q.acceptance, {"user_id": p.user_id, "document_id": doc.id})).fetchone()
        assert row is not None
        if kind == TERMS:
            await conn.execute(Q.mirror_tos, {"user_id": p.user_id, "at": row.accepted_at})
    return row


async def list_acceptances(db: Database, p: Principal) -> list[Acceptance]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Acceptance))
        return await (await cur.execute(Q.list_acceptances, {"user_id": p.user_id})).fetchall()


async def set_consent(
    system: Database, p: Principal, data: ConsentSet, *, source: str = "api", client: Client | None = None
) -> Consent:
    """Record a consent granted or withdrawn (a new row; the history is kept). Written as the
    owner for the caller's user, as acceptances are."""
    async with system.transaction() as conn:
        cur = conn.cursor(row_factory=class_row(Consent))
        row = await (
            await cur.execute(
                Q.insert_consent,
                {"user_id": p.user_id, "purpose": data.purpose, "granted": data.granted, "source": source,
                 **security.client_params(client)},
            )
        ).fetchone()
        assert row is not None
        if data.purpose == "marketing":
            await conn.execute(Q.mirror_marketing, {"user_id": p.user_id, "granted": data.granted})
    return row


async def current_consents(db: Database, p: Principal) -> list[Consent]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Consent))
        return await (await cur.execute(Q.current_consents, {"user_id": p.user_id})).fetchall()


async def consent_history(db: Database, p: Principal, purpose: str | None = None, limit: int = 100) -> list[Consent]:
    if not 1 <= limit <= 500:
        raise Invalid("limit must be between 1 and 500", field="limit")
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Consent))
        return await (
            await cur.execute(Q.consent_history, {"user_id": p.user_id, "purpose": purpose, "limit": limit})
        ).fetchall()
