"""Channels, series, collections, videos, tags, watch progress, people and speakers."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.common.types import Instant
from mediabase.media import service
from mediabase.media.models import (
    Group,
    GroupCreate,
    GroupKind,
    Person,
    PersonCreate,
    ProcessingStatus,
    Progress,
    ProgressUpdate,
    Speaker,
    SpeakerUpdate,
    Tag,
    Video,
    VideoCreate,
    VideoFilter,
    VideoUpdate,
)

router = APIRouter()


def _group_routes(kind: GroupKind) -> None:
    singular = kind.value.rstrip("s") if kind is not GroupKind.series else "series"

    async def create(db: DbDep, p: PrincipalDep, data: GroupCreate) -> Group:
        return await service.create_group(db, p, kind, data)

    async def list_(db: DbDep, p: PrincipalDep) -> list[Group]:
        return await service.list_groups(db, p, kind)

    async def delete(db: DbDep, p: PrincipalDep, group_id: UUID) -> None:
        await service.delete_group(db, p, kind, group_id)

    router.add_api_route(
        f"/{kind.value}",
        create,
        methods=["POST"],
        status_code=201,
        tags=[kind.value],
        summary=f"Create a {singular} (ADMIN)",
        name=f"create_{singular}",
    )
    router.add_api_route(
        f"/{kind.value}",
        list_,
        methods=["GET"],
        tags=[kind.value],
        summary=f"List {kind.value}",
        name=f"list_{kind.value}",
    )
    router.add_api_route(
        f"/{kind.value}/{{group_id}}",
        delete,
        methods=["DELETE"],
        status_code=204,
        tags=[kind.value],
        summary=f"Delete a {singular}; its videos stay (ADMIN)",
        name=f"delete_{singular}",
    )


for _kind in GroupKind:
    _group_routes(_kind)


@router.post("/videos", status_code=status.HTTP_201_CREATED, tags=["videos"], summary="Create a video")
async def create_video(db: DbDep, p: PrincipalDep, data: VideoCreate) -> Video:
    return await service.create_video(db, p, data)


@router.get("/videos", tags=["videos"], summary="List videos, newest first, with filters and a cursor")
async def list_videos(
    db: DbDep,
    p: PrincipalDep,
    channel_id: UUID | None = None,
    series_id: UUID | None = None,
    collection_id: UUID | None = None,
    author_id: UUID | None = None,
    tag: Tag | None = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = None,
    status: ProcessingStatus | None = None,
    recorded_from: Instant | None = None,
    recorded_to: Instant | None = None,
    deleted: Annotated[bool, Query(description="List soft-deleted videos instead")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[Video]:
    f = VideoFilter(
        channel_id=channel_id,
        series_id=series_id,
        collection_id=collection_id,
        author_id=author_id,
        tag=tag,
        language=language,
        status=status,
        recorded_from=recorded_from,
        recorded_to=recorded_to,
        deleted=deleted,
    )
    return await service.list_videos(db, p, f, limit=limit, cursor=cursor)


@router.get("/videos/{video_id}", tags=["videos"], summary="Get a video")
async def get_video(db: DbDep, p: PrincipalDep, video_id: UUID, include_deleted: bool = False) -> Video:
    return await service.get_video(db, p, video_id, include_deleted=include_deleted)


@router.patch("/videos/{video_id}", tags=["videos"], summary="Update a video (author or ADMIN)")
async def update_video(db: DbDep, p: PrincipalDep, video_id: UUID, data: VideoUpdate) -> Video:
    return await service.update_video(db, p, video_id, data)


@router.delete(
    "/videos/{video_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["videos"],
    summary="Soft-delete a video (author or ADMIN); restore brings it back",
)
async def delete_video(db: DbDep, p: PrincipalDep, video_id: UUID) -> None:
    await service.delete_video(db, p, video_id)


@router.post("/videos/{video_id}/restore", tags=["videos"], summary="Restore a soft-deleted video")
async def restore_video(db: DbDep, p: PrincipalDep, video_id: UUID) -> Video:
    return await service.restore_video(db, p, video_id)


class TagChange(BaseModel):
    add: list[Tag] = Field(default_factory=list, max_length=100)
    remove: list[Tag] = Field(default_factory=list, max_length=100)


@router.post("/videos/{video_id}/tags", tags=["videos"], summary="Add and remove tags")
async def change_tags(db: DbDep, p: PrincipalDep, video_id: UUID, data: TagChange) -> Video:
    return await service.update_tags(db, p, video_id, data.add, data.remove)


@router.put("/videos/{video_id}/progress", tags=["progress"], summary="Save the caller's watch position")
async def save_progress(db: DbDep, p: PrincipalDep, video_id: UUID, data: ProgressUpdate) -> Progress:
    return await service.update_progress(db, p, video_id, data)


@router.get("/videos/{video_id}/progress", tags=["progress"], summary="The caller's watch position")
async def get_progress(db: DbDep, p: PrincipalDep, video_id: UUID) -> Progress:
    return await service.get_progress(db, p, video_id)


@router.get("/videos/{video_id}/speakers", tags=["speakers"], summary="Speakers of a video")
async def list_speakers(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[Speaker]:
    return await service.list_speakers(db, p, video_id)


@router.patch(
    "/videos/{video_id}/speakers/{speaker_id}", tags=["speakers"], summary="Name a speaker or link it to a person"
)
async def update_speaker(db: DbDep, p: PrincipalDep, video_id: UUID, speaker_id: UUID, data: SpeakerUpdate) -> Speaker:
    return await service.update_speaker(db, p, video_id, speaker_id, data)


@router.post("/people", status_code=status.HTTP_201_CREATED, tags=["speakers"], summary="Add a person (ADMIN)")
async def create_person(db: DbDep, p: PrincipalDep, data: PersonCreate) -> Person:
    return await service.create_person(db, p, data)


@router.get("/people", tags=["speakers"], summary="People of the organization")
async def list_people(db: DbDep, p: PrincipalDep) -> list[Person]:
    return await service.list_people(db, p)
