"""Integrations: accounts at external services, their events, the external-item map, and the
incoming-webhook endpoint the providers call (docs/integrations.md)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.db.errors import TooLarge
from mediabase.integrations import service, webhooks
from mediabase.integrations.models import (
    Account,
    AccountCreate,
    AccountUpdate,
    EventStatus,
    ExternalItem,
    IntegrationEvent,
    Provider,
    SecretsUpdate,
    UrlValidation,
    WebhookAck,
)
from mediabase.integrations.settings import IntegrationSettings

router = APIRouter(tags=["integrations"])
Limit = Annotated[int, Query(ge=1, le=500)]
# what a server without MEDIABASE_INTEGRATIONS_KEY (or with another key) answers where secrets are sealed or opened
KEY_PROBLEM: dict[int | str, dict[str, Any]] = {
    503: {"description": "the integrations key is not set here, or does not open the account's secrets"}}


@router.post("/integrations/accounts", status_code=status.HTTP_201_CREATED, responses=KEY_PROBLEM,
             summary="Connect an account at a provider, its secrets sealed at rest (ADMIN)")
async def create_account(db: DbDep, p: PrincipalDep, data: AccountCreate) -> Account:
    return await service.create_account(db, p, data)


@router.get("/integrations/accounts", summary="The organization's integration accounts (ADMIN)")
async def list_accounts(db: DbDep, p: PrincipalDep, provider: Provider | None = None) -> list[Account]:
    return await service.list_accounts(db, p, provider.value if provider else None)


@router.get("/integrations/accounts/{account_id}", summary="An integration account (ADMIN); never its secrets")
async def get_account(db: DbDep, p: PrincipalDep, account_id: UUID) -> Account:
    return await service.get_account(db, p, account_id)


@router.patch("/integrations/accounts/{account_id}",
              summary="Rename, change scopes, pause, resume or revoke an account (ADMIN)")
async def update_account(db: DbDep, p: PrincipalDep, account_id: UUID, data: AccountUpdate) -> Account:
    return await service.update_account(db, p, account_id, data)


@router.put("/integrations/accounts/{account_id}/secrets", responses=KEY_PROBLEM,
            summary="Set or clear an account's tokens and webhook secret (ADMIN); sealed under the current key")
async def set_secrets(db: DbDep, p: PrincipalDep, account_id: UUID, data: SecretsUpdate) -> Account:
    return await service.set_secrets(db, p, account_id, data)


@router.delete("/integrations/accounts/{account_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Remove an account and its events; what it imported stays, and stays known (ADMIN)")
async def delete_account(db: DbDep, p: PrincipalDep, account_id: UUID) -> None:
    await service.delete_account(db, p, account_id)


@router.get("/integrations/accounts/{account_id}/events",
            summary="An account's stored webhook deliveries, newest first (ADMIN)")
async def list_events(db: DbDep, p: PrincipalDep, account_id: UUID, status: EventStatus | None = None,
                      limit: Limit = 50) -> list[IntegrationEvent]:
    return await service.list_events(db, p, account_id, status=status, limit=limit)


@router.get("/integrations/events/{event_id}", summary="A stored webhook delivery and what came of it (ADMIN)")
async def get_event(db: DbDep, p: PrincipalDep, event_id: UUID) -> IntegrationEvent:
    return await service.get_event(db, p, event_id)


@router.get("/integrations/items", summary="The external-item map: what was imported, from where (ADMIN)")
async def list_items(db: DbDep, p: PrincipalDep, account_id: UUID | None = None, video_id: UUID | None = None,
                     limit: Limit = 100) -> list[ExternalItem]:
    return await service.list_items(db, p, account_id=account_id, video_id=video_id, limit=limit)


async def _bounded_body(request: Request, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes ``limit`` bytes, whatever Content-Length says."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"a webhook body has at most {limit} bytes", field="body")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise TooLarge(f"a webhook body has at most {limit} bytes", field="body")
    return bytes(data)


@router.post(
    "/integrations/{provider}/webhooks/{account_id}",
    summary="Receive a provider's webhook (no API key: the provider's signature authenticates it)",
    description="Zoom signs with x-zm-request-timestamp and x-zm-signature (v0=HMAC-SHA256 of"
    " 'v0:{timestamp}:{body}' under the account's webhook secret); its endpoint.url_validation challenge is"
    " answered. A verified event is stored once and processed by the worker (integrations.process).",
    responses={401: {"description": "no, a bad or a stale signature"},
               409: {"description": "the account is paused or revoked"},
               413: {"description": "the body is too large"}, **KEY_PROBLEM},
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def receive_webhook(request: Request, db: DbDep, provider: Provider,
                          account_id: UUID) -> WebhookAck | UrlValidation:
    settings = IntegrationSettings()
    body = await _bounded_body(request, settings.max_webhook_bytes)
    answer: Any = await webhooks.receive(db, provider.value, account_id, request.headers, body, settings=settings)
    return answer if isinstance(answer, WebhookAck) else UrlValidation.model_validate(answer)
