"""Legal documents, acceptances and consents (docs/legal.md).

Reading the documents needs no key (a person reads the terms before signing up); accepting them,
and the caller's acceptances and consents, need a key or session of the user — and stay allowed
when ``MEDIABASE_REQUIRE_TERMS`` refuses everything else until the terms are accepted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status

from mediabase.api.deps import DbDep, SignedInDep, SystemDbDep
from mediabase.common.models import Model
from mediabase.identity import legal, security
from mediabase.identity.legal import (
    Acceptance,
    AcceptanceStatus,
    Consent,
    ConsentSet,
    Document,
    DocumentSummary,
    Kind,
    Purpose,
    Version,
)

router = APIRouter(tags=["legal"])


class AcceptanceCreate(Model):
    kind: Kind
    version: Version | None = None  # default: the version in effect


def _client(request: Request) -> security.Client:
    return security.bind_client(request.client.host if request.client else None, request.headers.get("user-agent"))


@router.get("/legal/documents", summary="Every legal document version (no key needed)")
async def list_documents(system: SystemDbDep) -> list[DocumentSummary]:
    return await legal.list_documents(system)


@router.get("/legal/documents/{kind}", summary="A legal document: the version in effect, or ?version= (no key needed)")
async def get_document(
    system: SystemDbDep, kind: Kind, version: Annotated[Version | None, Query(description="a version")] = None
) -> Document:
    return await legal.get_document(system, kind, version)


@router.get("/legal/status", summary="Whether you accepted the terms in effect")
async def terms_status(system: SystemDbDep, p: SignedInDep) -> AcceptanceStatus:
    return await legal.status(system, p.user_id)


@router.get("/legal/acceptances", summary="The document versions you accepted, newest first")
async def list_acceptances(db: DbDep, p: SignedInDep) -> list[Acceptance]:
    return await legal.list_acceptances(db, p)


@router.post("/legal/acceptances", status_code=status.HTTP_201_CREATED, summary="Accept a document version")
async def accept(
    request: Request, db: DbDep, system: SystemDbDep, p: SignedInDep, data: AcceptanceCreate
) -> Acceptance:
    """Accepting a version again keeps the first acceptance (append-only)."""
    return await legal.accept(db, system, p, data.kind, data.version, _client(request))


@router.get("/consents", summary="Your current consent per purpose")
async def current_consents(db: DbDep, p: SignedInDep) -> list[Consent]:
    return await legal.current_consents(db, p)


@router.get("/consents/history", summary="Your consent history, newest first")
async def consent_history(
    db: DbDep,
    p: SignedInDep,
    purpose: Annotated[Purpose | None, Query(description="only this purpose")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[Consent]:
    return await legal.consent_history(db, p, purpose, limit)


@router.post("/consents", status_code=status.HTTP_201_CREATED, summary="Grant or withdraw a consent")
async def set_consent(request: Request, system: SystemDbDep, p: SignedInDep, data: ConsentSet) -> Consent:
    return await legal.set_consent(system, p, data, client=_client(request))
