"""A person's data subject requests: an export of their data, or its erasure (docs/governance.md).

Made by the person (a key or session of their own user; allowed even while
``MEDIABASE_REQUIRE_TERMS`` waits for the terms, as withdrawing must stay possible), answered by
the worker (job ``governance.data_request``) before the deadline fixed when it was made.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from mediabase.api.deps import SignedInDep, SystemDbDep
from mediabase.governance import requests
from mediabase.governance.requests import DataRequest, DataRequestCreate

router = APIRouter(tags=["governance"])


@router.post(
    "/me/data-requests",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask for an export of your data, or its erasure",
    responses={200: {"description": "a request of this kind is open already: that one", "model": DataRequest}},
)
async def create_request(
    system: SystemDbDep, p: SignedInDep, data: DataRequestCreate, response: Response
) -> DataRequest:
    """The worker answers it (status pending → processing → completed or failed) before its
    ``deadline_at``. An erasure signs you out everywhere and cannot be undone."""
    row, created = await requests.create(system, p.user_id, data.kind, via="api", job_org=p.organization_id)
    if not created:
        response.status_code = status.HTTP_200_OK
    return row


@router.get("/me/data-requests", summary="Your data requests, newest first")
async def list_requests(
    system: SystemDbDep, p: SignedInDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[DataRequest]:
    return await requests.listing(system, user_id=p.user_id, limit=limit)


@router.get("/me/data-requests/{request_id}", summary="One of your data requests")
async def get_request(system: SystemDbDep, p: SignedInDep, request_id: UUID) -> DataRequest:
    return await requests.get(system, request_id, p.user_id)


@router.get("/me/data-requests/{request_id}/archive", summary="The archive of a completed export (JSON)")
async def get_archive(system: SystemDbDep, p: SignedInDep, request_id: UUID) -> dict[str, Any]:
    """Kept for 7 days after the export completed."""
    return await requests.archive_of(system, request_id, p.user_id)


@router.post("/me/data-requests/{request_id}/cancel", summary="Cancel a pending data request")
async def cancel_request(system: SystemDbDep, p: SignedInDep, request_id: UUID) -> DataRequest:
    return await requests.cancel(system, request_id, p.user_id)
