"""Comments, reactions, moments, clips, highlight reels, quote cards, share links,
notifications, the activity feed, the audit log and the video overview."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Response, status
from pydantic import BaseModel

from mediabase.api.deps import DbDep, PrincipalDep, SystemDbDep
from mediabase.collab import feed, sharing
from mediabase.collab import service as collab
from mediabase.collab.models import (
    Activity,
    AuditEntry,
    Clip,
    ClipCreate,
    ClipUpdate,
    Comment,
    CommentCreate,
    CommentUpdate,
    Moment,
    MomentCreate,
    MomentUpdate,
    Notification,
    QuoteCard,
    QuoteCardCreate,
    QuoteCardUpdate,
    Reel,
    ReelClips,
    ReelCreate,
    ReelUpdate,
    SharedVideo,
    ShareLink,
    ShareLinkCreate,
    ShareLinkCreated,
    VideoOverview,
)
from mediabase.common.models import Page
from mediabase.common.types import LINE, Instant

router = APIRouter()
EmojiPath = Annotated[str, Path(pattern=r"^\S{1,32}$", description="The emoji, e.g. 👍 or :thumbsup:"), LINE]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=200)]


# -- comments -------------------------------------------------------------------------------------


@router.get(
    "/videos/{video_id}/comments",
    tags=["comments"],
    summary="A video's comments, oldest first, with parent ids (deleted ones only while they have replies)",
)
async def list_comments(
    db: DbDep,
    p: PrincipalDep,
    video_id: UUID,
    from_ms: Annotated[int | None, Query(ge=0)] = None,
    to_ms: Annotated[int | None, Query(ge=0)] = None,
) -> list[Comment]:
    return await collab.list_comments(db, p, video_id, from_ms=from_ms, to_ms=to_ms)


@router.post(
    "/videos/{video_id}/comments",
    status_code=status.HTTP_201_CREATED,
    tags=["comments"],
    summary="Comment on a video, at a position or as a reply; @username mentions notify",
)
async def add_comment(db: DbDep, p: PrincipalDep, video_id: UUID, data: CommentCreate) -> Comment:
    return await collab.create_comment(db, p, video_id, data)


@router.patch("/comments/{comment_id}", tags=["comments"], summary="Edit a comment (its author)")
async def edit_comment(db: DbDep, p: PrincipalDep, comment_id: UUID, data: CommentUpdate) -> Comment:
    return await collab.update_comment(db, p, comment_id, data)


@router.delete(
    "/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["comments"],
    summary="Delete a comment (author or ADMIN); it keeps its place in the thread",
)
async def delete_comment(db: DbDep, p: PrincipalDep, comment_id: UUID) -> None:
    await collab.delete_comment(db, p, comment_id)


@router.put("/comments/{comment_id}/reactions/{emoji}", tags=["comments"], summary="React (once per emoji)")
async def react(db: DbDep, p: PrincipalDep, comment_id: UUID, emoji: EmojiPath) -> Comment:
    return await collab.create_reaction(db, p, comment_id, emoji)


@router.delete("/comments/{comment_id}/reactions/{emoji}", tags=["comments"], summary="Take a reaction back")
async def unreact(db: DbDep, p: PrincipalDep, comment_id: UUID, emoji: EmojiPath) -> Comment:
    return await collab.delete_reaction(db, p, comment_id, emoji)


# -- moments, clips, reels, quote cards --------------------------------------------------------


@router.get("/videos/{video_id}/moments", tags=["moments"], summary="Moments of a video (people's and AI's)")
async def list_moments(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[Moment]:
    return await collab.list_moments(db, p, video_id)


@router.post(
    "/videos/{video_id}/moments",
    status_code=status.HTTP_201_CREATED,
    tags=["moments"],
    summary="Mark a moment of a video",
)
async def add_moment(db: DbDep, p: PrincipalDep, video_id: UUID, data: MomentCreate) -> Moment:
    return await collab.create_moment(db, p, video_id, data)


@router.patch("/moments/{moment_id}", tags=["moments"], summary="Edit a moment (creator or ADMIN)")
async def update_moment(db: DbDep, p: PrincipalDep, moment_id: UUID, data: MomentUpdate) -> Moment:
    return await collab.update_moment(db, p, moment_id, data)


@router.delete(
    "/moments/{moment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["moments"],
    summary="Delete a moment (creator or ADMIN); its clips stay",
)
async def delete_moment(db: DbDep, p: PrincipalDep, moment_id: UUID) -> None:
    await collab.delete_moment(db, p, moment_id)


@router.get("/videos/{video_id}/clips", tags=["clips"], summary="Clips of a video")
async def list_clips(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[Clip]:
    return await collab.list_clips(db, p, video_id)


@router.post(
    "/videos/{video_id}/clips",
    status_code=status.HTTP_201_CREATED,
    tags=["clips"],
    summary="Cut a clip (it starts pending)",
)
async def add_clip(db: DbDep, p: PrincipalDep, video_id: UUID, data: ClipCreate) -> Clip:
    return await collab.create_clip(db, p, video_id, data)


@router.get("/clips/{clip_id}", tags=["clips"], summary="A clip")
async def get_clip(db: DbDep, p: PrincipalDep, clip_id: UUID) -> Clip:
    return await collab.get_clip(db, p, clip_id)


@router.patch(
    "/clips/{clip_id}",
    tags=["clips"],
    summary="Edit a clip or move it along pending → processing → ready | failed (creator or ADMIN)",
)
async def update_clip(db: DbDep, p: PrincipalDep, clip_id: UUID, data: ClipUpdate) -> Clip:
    return await collab.update_clip(db, p, clip_id, data)


@router.delete(
    "/clips/{clip_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["clips"],
    summary="Delete a clip (creator or ADMIN); reels that used it go back to draft",
)
async def delete_clip(db: DbDep, p: PrincipalDep, clip_id: UUID) -> None:
    await collab.delete_clip(db, p, clip_id)


@router.get("/reels", tags=["reels"], summary="Highlight reels, newest first")
async def list_reels(db: DbDep, p: PrincipalDep, limit: Limit = 100) -> list[Reel]:
    return await collab.list_reels(db, p, limit)


@router.post(
    "/reels",
    status_code=status.HTTP_201_CREATED,
    tags=["reels"],
    summary="Make a highlight reel from clips of the organization, in order",
)
async def create_reel(db: DbDep, p: PrincipalDep, data: ReelCreate) -> Reel:
    return await collab.create_reel(db, p, data)


@router.get("/reels/{reel_id}", tags=["reels"], summary="A reel with its ordered clips and duration")
async def get_reel(db: DbDep, p: PrincipalDep, reel_id: UUID) -> Reel:
    return await collab.get_reel(db, p, reel_id)


@router.patch(
    "/reels/{reel_id}",
    tags=["reels"],
    summary="Edit a reel or move it along draft → rendering → ready | failed (creator or ADMIN)",
)
async def update_reel(db: DbDep, p: PrincipalDep, reel_id: UUID, data: ReelUpdate) -> Reel:
    return await collab.update_reel(db, p, reel_id, data)


@router.put("/reels/{reel_id}/clips", tags=["reels"], summary="Replace a reel's clips (it becomes a draft)")
async def set_reel_clips(db: DbDep, p: PrincipalDep, reel_id: UUID, data: ReelClips) -> Reel:
    return await collab.update_reel_clips(db, p, reel_id, data.clip_ids)


@router.delete(
    "/reels/{reel_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["reels"],
    summary="Delete a reel (creator or ADMIN); its clips stay",
)
async def delete_reel(db: DbDep, p: PrincipalDep, reel_id: UUID) -> None:
    await collab.delete_reel(db, p, reel_id)


@router.get("/videos/{video_id}/quote-cards", tags=["quote cards"], summary="Quote cards of a video")
async def list_quote_cards(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[QuoteCard]:
    return await collab.list_quote_cards(db, p, video_id)


@router.post(
    "/videos/{video_id}/quote-cards",
    status_code=status.HTTP_201_CREATED,
    tags=["quote cards"],
    summary="Make a quote card",
)
async def add_quote_card(db: DbDep, p: PrincipalDep, video_id: UUID, data: QuoteCardCreate) -> QuoteCard:
    return await collab.create_quote_card(db, p, video_id, data)


@router.patch("/quote-cards/{card_id}", tags=["quote cards"], summary="Edit a quote card (creator or ADMIN)")
async def update_quote_card(db: DbDep, p: PrincipalDep, card_id: UUID, data: QuoteCardUpdate) -> QuoteCard:
    return await collab.update_quote_card(db, p, card_id, data)


@router.delete(
    "/quote-cards/{card_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["quote cards"],
    summary="Delete a quote card (creator or ADMIN)",
)
async def delete_quote_card(db: DbDep, p: PrincipalDep, card_id: UUID) -> None:
    await collab.delete_quote_card(db, p, card_id)


# -- share links ----------------------------------------------------------------------------------


@router.get("/videos/{video_id}/share-links", tags=["sharing"], summary="Share links of a video (no tokens)")
async def list_share_links(db: DbDep, p: PrincipalDep, video_id: UUID) -> list[ShareLink]:
    return await sharing.list_share_links(db, p, video_id)


@router.post(
    "/videos/{video_id}/share-links",
    status_code=status.HTTP_201_CREATED,
    tags=["sharing"],
    summary="Share a video with people without an account (author or ADMIN); the token is shown once",
)
async def create_share_link(db: DbDep, p: PrincipalDep, video_id: UUID, data: ShareLinkCreate) -> ShareLinkCreated:
    return await sharing.create_share_link(db, p, video_id, data)


@router.post("/share-links/{link_id}/revoke", tags=["sharing"], summary="Revoke a share link for good")
async def revoke_share_link(db: DbDep, p: PrincipalDep, link_id: UUID) -> ShareLink:
    return await sharing.revoke_share_link(db, p, link_id)


@router.get(
    "/share/{token}",
    tags=["sharing"],
    summary="Open a share link (no API key): its one video and current transcript; 404 once revoked or expired",
    responses={401: {"description": "the link has a password and none or a wrong one was given"}},
)
async def open_share_link(
    db: DbDep,
    system: SystemDbDep,
    response: Response,
    token: Annotated[str, Path(max_length=200)],
    password: Annotated[str | None, Query(max_length=1024, description="The link's password")] = None,
    x_share_password: Annotated[str | None, Header(max_length=1024)] = None,
) -> SharedVideo:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return await sharing.open_share_link(db, system, token, x_share_password or password)


# -- notifications, activity, audit, overview -----------------------------------------------------


@router.get("/notifications", tags=["notifications"], summary="The caller's notifications, newest first")
async def list_notifications(db: DbDep, p: PrincipalDep, unread: bool = False, limit: Limit = 50) -> list[Notification]:
    return await feed.list_notifications(db, p, unread=unread, limit=limit)


class Marked(BaseModel):
    marked: int


@router.post("/notifications/{notification_id}/read", tags=["notifications"], summary="Mark one read")
async def mark_read(db: DbDep, p: PrincipalDep, notification_id: UUID) -> Marked:
    return Marked(marked=await feed.mark_notifications_read(db, p, notification_id))


@router.post("/notifications/read-all", tags=["notifications"], summary="Mark every notification read")
async def mark_all_read(db: DbDep, p: PrincipalDep) -> Marked:
    return Marked(marked=await feed.mark_notifications_read(db, p, None))


@router.get("/activity", tags=["activity"], summary="The organization's activity feed, newest first")
async def activity(
    db: DbDep,
    p: PrincipalDep,
    video_id: UUID | None = None,
    actor_id: UUID | None = None,
    since: Instant | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Activity]:
    return await feed.list_activity(
        db, p, video_id=video_id, actor_id=actor_id, since=since, limit=limit, cursor=cursor
    )


@router.get("/audit", tags=["audit"], summary="The audit log: every write with before and after (ADMIN)")
async def audit(
    db: DbDep,
    p: PrincipalDep,
    table: Annotated[str | None, Query(pattern=r"^[a-z_]{1,63}$")] = None,
    row_id: UUID | None = None,
    actor_id: UUID | None = None,
    since: Instant | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[AuditEntry]:
    return await feed.list_audit_entries(
        db, p, table=table, row_id=row_id, actor_id=actor_id, since=since, limit=limit, cursor=cursor
    )


@router.get(
    "/videos/{video_id}/overview",
    tags=["videos"],
    summary="What the team made of a video (counts) and the caller's progress",
)
async def overview(db: DbDep, p: PrincipalDep, video_id: UUID) -> VideoOverview:
    return await feed.get_video_overview(db, p, video_id)
