"""Outgoing webhooks (docs/webhooks.md): endpoints, their deliveries and attempts. ADMIN and OWNER only."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Query, status

from mediabase import webhooks
from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.webhooks import (
    Delivery,
    DeliveryDetail,
    DeliveryStatus,
    Endpoint,
    EndpointCreate,
    EndpointDisable,
    EndpointUpdate,
    EndpointWithSecret,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.post("/endpoints", status_code=status.HTTP_201_CREATED,
             summary="Add an endpoint; the answer holds its signing secret, shown this once")
async def create_endpoint(db: DbDep, p: PrincipalDep, data: EndpointCreate) -> EndpointWithSecret:
    """The URL must be https:// (plain http:// only to a loopback host where the server allows
    it); every event type must be in GET /event-types. Keep the ``secret``: requests are signed
    with it in the Standard Webhooks format, and it is never shown again (rotate it instead)."""
    return await webhooks.create_endpoint(db, p, data)


@router.get("/endpoints", summary="The organization's webhook endpoints (no secrets)")
async def list_endpoints(db: DbDep, p: PrincipalDep) -> list[Endpoint]:
    return await webhooks.list_endpoints(db, p)


@router.get("/endpoints/{endpoint_id}", summary="One endpoint (no secret)")
async def get_endpoint(db: DbDep, p: PrincipalDep, endpoint_id: UUID) -> Endpoint:
    return await webhooks.get_endpoint(db, p, endpoint_id)


@router.patch("/endpoints/{endpoint_id}",
              summary="Change an endpoint's URL, event types (the whole list) or description")
async def update_endpoint(db: DbDep, p: PrincipalDep, endpoint_id: UUID, data: EndpointUpdate) -> Endpoint:
    return await webhooks.update_endpoint(db, p, endpoint_id, data)


@router.post("/endpoints/{endpoint_id}/disable", summary="Disable an endpoint (its pending deliveries go dead)")
async def disable_endpoint(db: DbDep, p: PrincipalDep, endpoint_id: UUID,
                           data: Annotated[EndpointDisable | None, Body()] = None) -> Endpoint:
    reason = data.reason if data is not None else EndpointDisable().reason
    return await webhooks.set_disabled(db, p, endpoint_id, reason)


@router.post("/endpoints/{endpoint_id}/enable", summary="Enable an endpoint again (its failure count restarts)")
async def enable_endpoint(db: DbDep, p: PrincipalDep, endpoint_id: UUID) -> Endpoint:
    return await webhooks.set_disabled(db, p, endpoint_id, None)


@router.delete("/endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete an endpoint with its deliveries and their attempts")
async def delete_endpoint(db: DbDep, p: PrincipalDep, endpoint_id: UUID) -> None:
    await webhooks.delete_endpoint(db, p, endpoint_id)


@router.post("/endpoints/{endpoint_id}/rotate-secret",
             summary="A new signing secret, shown this once; the old one still signs for a grace period")
async def rotate_secret(db: DbDep, p: PrincipalDep, endpoint_id: UUID) -> EndpointWithSecret:
    return await webhooks.rotate_secret(db, p, endpoint_id)


@router.post("/endpoints/{endpoint_id}/test", status_code=status.HTTP_202_ACCEPTED,
             summary="Send a webhook.test event to this endpoint; the answer is its delivery")
async def send_test(db: DbDep, p: PrincipalDep, endpoint_id: UUID) -> Delivery:
    return await webhooks.send_test(db, p, endpoint_id)


@router.get("/deliveries", summary="Deliveries, newest first, by status, endpoint or event")
async def list_deliveries(
    db: DbDep,
    p: PrincipalDep,
    status_: Annotated[DeliveryStatus | None, Query(alias="status", description="pending, delivered or dead")] = None,
    endpoint: Annotated[UUID | None, Query(description="Only this endpoint's deliveries")] = None,
    event: Annotated[UUID | None, Query(description="Only this event's deliveries")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")] = None,
) -> Page[Delivery]:
    items, nxt = await webhooks.list_deliveries(db, p, status=status_, endpoint_id=endpoint, event_id=event,
                                                limit=limit, cursor=cursor)
    return Page(items=items, next_cursor=nxt)


@router.get("/deliveries/{delivery_id}", summary="One delivery with its attempts")
async def get_delivery(db: DbDep, p: PrincipalDep, delivery_id: UUID) -> DeliveryDetail:
    return await webhooks.get_delivery(db, p, delivery_id)


@router.post("/deliveries/{delivery_id}/redeliver", status_code=status.HTTP_202_ACCEPTED,
             summary="Send a dead or delivered delivery again (same webhook-id, a fresh budget of attempts)")
async def redeliver(db: DbDep, p: PrincipalDep, delivery_id: UUID) -> Delivery:
    return await webhooks.redeliver(db, p, delivery_id)
