"""FastAPI dependencies as ``Annotated`` aliases, in one place."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from mediabase import logs
from mediabase.config import Settings
from mediabase.db.connection import Database
from mediabase.db.errors import Forbidden, Unauthorized
from mediabase.identity import legal, security, sessions
from mediabase.identity import service as identity
from mediabase.identity.models import Principal
from mediabase.identity.tokens import TokenKind, kind_of


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def get_system_db(request: Request) -> Database:
    db: Database = request.app.state.system_db
    return db


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbDep = Annotated[Database, Depends(get_db)]
SystemDbDep = Annotated[Database, Depends(get_system_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]

_api_key = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="an API key mb_<prefix>_<secret> or a session token mbs_<prefix>_<secret>",
)
_bearer = HTTPBearer(
    auto_error=False,
    description="Authorization: Bearer mb_<prefix>_<secret> (API key) or mbs_<prefix>_<secret> (session)",
)


async def get_principal(
    request: Request,
    system: SystemDbDep,
    key: Annotated[str | None, Depends(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, fixed by the API key or the session token: organization, user and role."""
    presented = key or (bearer.credentials if bearer else None)
    if not presented:
        raise Unauthorized("send an API key or session token in the X-API-Key header (or Authorization: Bearer)")
    return await authenticate(request, system, presented)


async def authenticate(request: Request, system: Database, presented: str) -> Principal:
    """The principal of an API key or a session token, however it came (a header, the console's
    cookie); records the client of the request's security events."""
    # the client of this request's security events (docs/security.md): its address only as an HMAC
    client = security.bind_client(request.client.host if request.client else None, request.headers.get("user-agent"))
    if kind_of(presented) == TokenKind.session.value:  # 'mbs_…': a sign-in session (docs/identity.md)
        principal = await sessions.authenticate_session(system, presented, client)
    else:
        principal = await identity.authenticate(system, presented, client)
    ctx = logs.current()
    if ctx is not None:
        ctx.organization = str(principal.organization_id)  # on every log record of the request from here
    return principal


async def get_signed_in(p: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """A caller acting as a member, whether or not their user accepted the current terms: the
    routes that read and accept legal documents and manage the caller's own sessions."""
    if p.is_worker:
        raise Forbidden(identity.WORKER_KEY_LIMITS)
    return p


async def get_member(
    p: Annotated[Principal, Depends(get_signed_in)], system: SystemDbDep, settings: SettingsDep
) -> Principal:
    """A caller acting as a member: every route but the job worker protocol (no worker keys); with
    MEDIABASE_REQUIRE_TERMS, only once their user accepted the terms in effect (403 terms-required)."""
    if settings.require_terms:
        await legal.check_terms(system, p)
    return p


async def get_session_user(
    request: Request,
    system: SystemDbDep,
    key: Annotated[str | None, Depends(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """A session's user even if no longer a member of its organization (to switch organization)."""
    presented = key or (bearer.credentials if bearer else None)
    if not presented or kind_of(presented) != TokenKind.session.value:
        raise Unauthorized("send a session token mbs_<prefix>_<secret> (X-API-Key or Authorization: Bearer)")
    client = security.bind_client(request.client.host if request.client else None, request.headers.get("user-agent"))
    return await sessions.authenticate_session(system, presented, client, membership=False)


PrincipalDep = Annotated[Principal, Depends(get_member)]
SignedInDep = Annotated[Principal, Depends(get_signed_in)]
SessionUserDep = Annotated[Principal, Depends(get_session_user)]
AnyPrincipalDep = Annotated[Principal, Depends(get_principal)]  # worker keys too: the worker protocol
ContentLength = Annotated[int | None, Header(include_in_schema=False)]
