"""Media services. Every function runs in the caller's tenant on the application pool."""

from __future__ import annotations

from typing import Any, LiteralString
from uuid import UUID

from mediabase.common.cursors import decode_position, encode_cursor
from mediabase.common.models import Page
from mediabase.common.types import RANGE_TEXT
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound, register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, Jsonb, class_row, fetch_one_or_404, lock_or_404, sql, update_columns
from mediabase.identity.models import Principal, Role
from mediabase.identity.service import may_change, require
from mediabase.media.models import (
    Group,
    GroupCreate,
    GroupKind,
    Person,
    PersonCreate,
    Progress,
    ProgressUpdate,
    Speaker,
    SpeakerUpdate,
    Video,
    VideoCreate,
    VideoFilter,
    VideoSource,
    VideoUpdate,
)

Q = load_queries("mediabase.media", "queries.sql")

for _kind in ("channels", "series", "collections"):
    register_constraint(f"{_kind}_name_key", Invalid, f"a {_kind.rstrip('s')} with this name exists", field="name")
register_constraint("videos_channel_fk", NotFound, "no such channel in this organization", field="channel_id")
register_constraint("videos_series_fk", NotFound, "no such series in this organization", field="series_id")
register_constraint("videos_collection_fk", NotFound, "no such collection in this organization", field="collection_id")
register_constraint(
    "videos_error_only_when_failed",
    Invalid,
    "processing_error may only be set when processing_status is 'failed'",
    field="processing_error",
)
register_constraint(
    "videos_source_key_unique", Conflict, "a live video of this source is already there", field="source_key"
)
register_constraint("video_progress_video_fk", NotFound, "video not found", field="video_id")
register_constraint("video_progress_member_fk", Forbidden, "only members keep watch progress", field="user_id")
register_constraint("people_name_key", Invalid, "a person with this name exists", field="name")
register_constraint("speakers_person_fk", NotFound, "no such person in this organization", field="person_id")
for _column in ("recorded_at", "retention_until"):
    register_constraint(f"videos_{_column}_range", Invalid, f"{_column} must be {RANGE_TEXT}", field=_column)
# another organization's user and a made-up id answer alike: which user ids exist is not told
register_constraint(
    "people_user_membership_fk", Invalid, "a person can be linked only to a member of this organization",
    field="user_id",
)
register_constraint("transcript_segments_within_video", Invalid, None, field="end_ms")
# a video shortened below what hangs on it (comments, moments, clips, decisions, …: 0007)
register_constraint("videos_duration_covers_positions", Invalid, None, field="duration_ms")


# -- channels, series, collections ------------------------------------------------------------


async def create_group(db: Database, p: Principal, kind: GroupKind, data: GroupCreate) -> Group:
    require(p, Role.ADMIN)
    stmt = sql.SQL(
        "INSERT INTO {} (organization_id, name, description, created_by) VALUES (%s, %s, %s, %s)"
        " RETURNING id, name, description, created_by, created_at, updated_at"
    ).format(sql.Identifier(kind.value))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Group))
        row = await (await cur.execute(stmt, (p.organization_id, data.name, data.description, p.user_id))).fetchone()
    assert row is not None
    return row


async def list_groups(db: Database, p: Principal, kind: GroupKind) -> list[Group]:
    stmt = sql.SQL(
        "SELECT id, name, description, created_by, created_at, updated_at FROM {}"
        " WHERE organization_id = %s ORDER BY lower(name), id"
    ).format(sql.Identifier(kind.value))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Group))
        return await (await cur.execute(stmt, (p.organization_id,))).fetchall()


async def delete_group(db: Database, p: Principal, kind: GroupKind, group_id: UUID) -> None:
    require(p, Role.ADMIN)
    stmt = sql.SQL("DELETE FROM {} WHERE organization_id = %s AND id = %s").format(sql.Identifier(kind.value))
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = await conn.execute(stmt, (p.organization_id, group_id))
        if cur.rowcount == 0:
            raise NotFound(f"{kind.value.rstrip('s')} not found")


# -- videos -----------------------------------------------------------------------------------


async def fetch_video(conn: Conn, org: UUID, video_id: UUID, *, include_deleted: bool = False) -> Video:
    stmt = sql.SQL("{} WHERE v.organization_id = %s AND v.id = %s").format(sql.SQL(Q.video_columns))
    cur = conn.cursor(row_factory=class_row(Video))
    video = await (await cur.execute(stmt, (org, org, video_id))).fetchone()  # video_columns names org too
    if video is None or (video.deleted_at is not None and not include_deleted):
        raise NotFound("video not found")
    return video


async def fetch_live_video(conn: Conn, org: UUID, video_id: UUID) -> dict[str, Any]:
    """The video's id, author_id and duration_ms if it is there and not soft-deleted, or 404:
    what the domains above check before they hang something on a video."""
    return await fetch_one_or_404(conn, Q.live_video, {"org": org, "video_id": video_id}, "video")


async def _may_edit(conn: Conn, p: Principal, video_id: UUID) -> None:
    """MEMBERs edit their own videos; ADMINs and OWNERs edit all. Locks the row."""
    row = await lock_or_404(conn, Q.video_owner, p.organization_id, video_id, "video")
    may_change(p, row["author_id"], "video", owner="author")


async def create_video(db: Database, p: Principal, data: VideoCreate) -> Video:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        return await insert_video(conn, p, data)


async def insert_video(conn: Conn, p: Principal, data: VideoCreate, source: VideoSource | None = None) -> Video:
    """Insert a video (and its tags) inside an open transaction; ``source`` records what it was
    ingested from (a live video of the same source in the organization: Conflict)."""
    values = data.model_dump(exclude={"tags"})
    values.update(
        org=p.organization_id,
        author_id=p.user_id,
        metadata=Jsonb(data.metadata),
        source_key=source.key if source else None,
        source_sha256=source.sha256 if source else None,
    )
    row = await (await conn.execute(Q.insert_video, values)).fetchone()
    assert row is not None
    for tag in data.tags:
        await conn.execute(Q.add_tag, {"org": p.organization_id, "video_id": row["id"], "tag": tag})
    return await fetch_video(conn, p.organization_id, row["id"])


async def get_video(db: Database, p: Principal, video_id: UUID, *, include_deleted: bool = False) -> Video:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await fetch_video(conn, p.organization_id, video_id, include_deleted=include_deleted)


_FILTERS: dict[str, LiteralString] = {
    "channel_id": "v.channel_id = %s",
    "series_id": "v.series_id = %s",
    "collection_id": "v.collection_id = %s",
    "author_id": "v.author_id = %s",
    "language": "v.language = %s",
    "status": "v.processing_status = %s",
    "recorded_from": "v.recorded_at >= %s",
    "recorded_to": "v.recorded_at < %s",
    "tag": "EXISTS (SELECT FROM video_tags t WHERE t.organization_id = v.organization_id"
    " AND t.video_id = v.id AND lower(t.tag) = lower(%s))",
}


async def list_videos(
    db: Database, p: Principal, f: VideoFilter, *, limit: int = 50, cursor: str | None = None
) -> Page[Video]:
    """Newest first, with an opaque (created_at, id) cursor."""
    where = [
        sql.SQL("v.organization_id = %s"),
        sql.SQL("v.deleted_at IS NOT NULL" if f.deleted else "v.deleted_at IS NULL"),
    ]
    params: list[Any] = [p.organization_id, p.organization_id]  # video_columns names the organization too
    for name, clause in _FILTERS.items():
        value = getattr(f, name)
        if value is not None:
            where.append(sql.SQL(clause))  # constant text from _FILTERS
            params.append(value.value if hasattr(value, "value") else value)
    if cursor:
        created, vid = decode_position(cursor)
        where.append(sql.SQL("(v.created_at, v.id) < (%s::timestamptz, %s::uuid)"))
        params += [created, vid]
    stmt = sql.SQL("{} WHERE {} ORDER BY v.created_at DESC, v.id DESC LIMIT %s").format(
        sql.SQL(Q.video_columns), sql.SQL(" AND ").join(where)
    )
    params.append(limit + 1)
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Video))
        rows = await (await cur.execute(stmt, params)).fetchall()
    more = len(rows) > limit
    rows = rows[:limit]
    return Page[Video](items=rows, next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None)


async def update_video(db: Database, p: Principal, video_id: UUID, data: VideoUpdate) -> Video:
    changes = data.model_dump(exclude_unset=True)
    if "title" in changes and changes["title"] is None:
        raise Invalid("title cannot be cleared", field="title")
    if changes.get("metadata") is not None:
        changes["metadata"] = Jsonb(changes["metadata"])
    elif "metadata" in changes:
        changes["metadata"] = Jsonb({})
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _may_edit(conn, p, video_id)
        await update_columns(conn, "videos", p.organization_id, video_id, changes, VideoUpdate.model_fields)
        return await fetch_video(conn, p.organization_id, video_id, include_deleted=True)


async def delete_video(db: Database, p: Principal, video_id: UUID) -> None:
    """Soft delete: the video disappears from lists and search but can be restored."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _may_edit(conn, p, video_id)
        await conn.execute(Q.soft_delete_video, {"org": p.organization_id, "id": video_id})


async def restore_video(db: Database, p: Principal, video_id: UUID) -> Video:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _may_edit(conn, p, video_id)
        await conn.execute(Q.restore_video, {"org": p.organization_id, "id": video_id})
        return await fetch_video(conn, p.organization_id, video_id)


async def update_tags(db: Database, p: Principal, video_id: UUID, add: list[str], remove: list[str]) -> Video:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _may_edit(conn, p, video_id)
        for tag in remove:
            await conn.execute(Q.remove_tag, {"org": p.organization_id, "video_id": video_id, "tag": tag})
        for tag in add:
            await conn.execute(Q.add_tag, {"org": p.organization_id, "video_id": video_id, "tag": tag})
        return await fetch_video(conn, p.organization_id, video_id)


# -- watch progress -----------------------------------------------------------------------------


async def update_progress(db: Database, p: Principal, video_id: UUID, data: ProgressUpdate) -> Progress:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        video = await fetch_video(conn, p.organization_id, video_id)
        if video.duration_ms is not None and data.position_ms > video.duration_ms:
            raise Invalid(
                f"position {data.position_ms} ms is past the end of the video ({video.duration_ms} ms)",
                field="position_ms",
            )
        cur = conn.cursor(row_factory=class_row(Progress))
        row = await (
            await cur.execute(
                Q.upsert_progress,
                {"org": p.organization_id, "user_id": p.user_id, "video_id": video_id, **data.model_dump()},
            )
        ).fetchone()
    assert row is not None
    return row


async def get_progress(db: Database, p: Principal, video_id: UUID) -> Progress:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Progress))
        row = await (
            await cur.execute(Q.get_progress, {"org": p.organization_id, "user_id": p.user_id, "video_id": video_id})
        ).fetchone()
    if row is None:
        raise NotFound("no watch progress for this video yet")
    return row


# -- people and speakers ------------------------------------------------------------------------


async def create_person(db: Database, p: Principal, data: PersonCreate) -> Person:
    require(p, Role.ADMIN)
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Person))
        row = await (await cur.execute(Q.insert_person, {"org": p.organization_id, **data.model_dump()})).fetchone()
    assert row is not None
    return row


async def list_people(db: Database, p: Principal) -> list[Person]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        cur = conn.cursor(row_factory=class_row(Person))
        return await (await cur.execute(Q.list_people, {"org": p.organization_id})).fetchall()


async def list_speakers(db: Database, p: Principal, video_id: UUID) -> list[Speaker]:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_video(conn, p.organization_id, video_id)
        cur = conn.cursor(row_factory=class_row(Speaker))
        return await (await cur.execute(Q.list_speakers, {"org": p.organization_id, "video_id": video_id})).fetchall()


async def update_speaker(db: Database, p: Principal, video_id: UUID, speaker_id: UUID, data: SpeakerUpdate) -> Speaker:
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await _may_edit(conn, p, video_id)
        row = await (
            await conn.execute(
                Q.update_speaker,
                {"org": p.organization_id, "video_id": video_id, "id": speaker_id, **data.model_dump()},
            )
        ).fetchone()
        if row is None:
            raise NotFound("speaker not found")
        cur = conn.cursor(row_factory=class_row(Speaker))
        speakers = await (
            await cur.execute(Q.list_speakers, {"org": p.organization_id, "video_id": video_id})
        ).fetchall()
    return next(s for s in speakers if s.id == speaker_id)
