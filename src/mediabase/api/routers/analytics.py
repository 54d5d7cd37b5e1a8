"""Viewing analytics (docs/analytics.md): events in by the batch, answers from the rollups,
and the retention curve as a picture."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from mediabase.analytics import charts, reports
from mediabase.analytics.ingest import ingest
from mediabase.analytics.models import (
    ActiveViewers,
    EventBatch,
    Ingested,
    PersonTalk,
    RetentionCurve,
    SpeakerTalk,
    TopVideo,
    TrendPoint,
)
from mediabase.api.deps import DbDep, PrincipalDep

router = APIRouter(tags=["analytics"])
Since = Annotated[date | None, Query(description="First UTC day of the period (default: 30 days before until)")]
Until = Annotated[date | None, Query(description="The UTC day after the period (default: tomorrow)")]
Width = Annotated[int, Query(ge=200, le=4000, description="Width in pixels")]
Height = Annotated[int, Query(ge=150, le=4000, description="Height in pixels")]


@router.post("/events", status_code=status.HTTP_201_CREATED,
             summary="Record a batch of view and watch events (up to 10,000; all or none)")
async def post_events(db: DbDep, p: PrincipalDep, batch: EventBatch) -> Ingested:
    return Ingested(accepted=await ingest(db, p, batch.events))


@router.get("/analytics/top-videos", summary="The videos with the most watch time in a period")
async def top_videos(db: DbDep, p: PrincipalDep, since: Since = None, until: Until = None,
                     limit: Annotated[int, Query(ge=1, le=100)] = 10) -> list[TopVideo]:
    return await reports.top_videos(db, p, since, until, limit)


@router.get("/videos/{video_id}/retention", summary="A video's retention curve: the share still watching at each %")
async def retention(db: DbDep, p: PrincipalDep, video_id: UUID, since: Since = None,
                    until: Until = None) -> RetentionCurve:
    return await reports.retention(db, p, video_id, since, until)


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get("/videos/{video_id}/retention.png", response_class=Response,
            responses={200: {"content": {"image/png": _BINARY}}}, summary="The retention curve as a PNG chart")
async def retention_png(db: DbDep, p: PrincipalDep, video_id: UUID, since: Since = None, until: Until = None,
                        width: Width = 800, height: Height = 450) -> Response:
    curve = await reports.retention(db, p, video_id, since, until)
    png = await asyncio.to_thread(charts.retention_chart, curve, width=width, height=height)  # off the event loop
    return Response(png, media_type="image/png")


@router.get("/videos/{video_id}/retention.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}},
            summary="The retention curve as an SVG chart")
async def retention_svg(db: DbDep, p: PrincipalDep, video_id: UUID, since: Since = None, until: Until = None,
                        width: Width = 800, height: Height = 450) -> Response:
    curve = await reports.retention(db, p, video_id, since, until)
    svg = await asyncio.to_thread(charts.retention_chart, curve, width=width, height=height, fmt="svg")
    return Response(svg, media_type="image/svg+xml")


@router.get("/channels/{channel_id}/trend", summary="A channel's views, viewers and watch time per day")
async def channel_trend(db: DbDep, p: PrincipalDep, channel_id: UUID, since: Since = None,
                        until: Until = None) -> list[TrendPoint]:
    return await reports.channel_trend(db, p, channel_id, since, until)


@router.get("/analytics/active-viewers", summary="The organization's distinct viewers in a period, and per day")
async def active_viewers(db: DbDep, p: PrincipalDep, since: Since = None, until: Until = None) -> ActiveViewers:
    return await reports.active_viewers(db, p, since, until)


@router.get("/videos/{video_id}/talk-time", summary="Who spoke how long in a meeting (its current transcript)")
async def talk_time(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[SpeakerTalk]:
    return await reports.talk_time(db, p, video_id)


@router.get("/analytics/talk-time", summary="Talk time per person over every meeting")
async def talk_time_people(db: DbDep, p: PrincipalDep,
                           limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[PersonTalk]:
    return await reports.talk_time_people(db, p, limit)
