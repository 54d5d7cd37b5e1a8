"""The console's sign-in, videos, a video's page and search (docs/console.md)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from mediabase.api.console.base import COOKIE, Console, ConsoleRoute, page
from mediabase.api.deps import DbDep, SettingsDep, SystemDbDep, authenticate
from mediabase.collab import service as collab
from mediabase.db.errors import Invalid, MediabaseError, NotFound, Unauthorized
from mediabase.identity import security, sessions
from mediabase.identity import service as identity
from mediabase.insights import decisions, topics
from mediabase.media import service as media
from mediabase.media.models import ProcessingStatus, VideoFilter
from mediabase.search import SearchMode, SearchRequest, search
from mediabase.search.text import MAX_QUERY_CHARS
from mediabase.transcripts import service as transcripts

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

TOKEN_MAX = 200


def _safe_next(target: str | None) -> str:
    """Only a console path of this server: never another origin (``//host``, ``https:…``)."""
    if not target or not target.startswith("/console") or target.startswith("//") or "\\" in target:
        return "/console/videos"
    return target


@router.get("", response_class=HTMLResponse)
async def home() -> Response:
    return RedirectResponse("/console/videos", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: Annotated[str | None, Query(max_length=2000)] = None,
                     reason: Annotated[str | None, Query(max_length=300)] = None) -> HTMLResponse:
    return page(request, "login.html", next=_safe_next(next), error=reason)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    system: SystemDbDep,
    settings: SettingsDep,
    key: Annotated[str, Form(max_length=TOKEN_MAX)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Sign in with an API key or session token, or with e-mail and password (a new session)."""
    target = _safe_next(next)
    try:
        if key.strip():
            token = key.strip()
            p = await authenticate(request, system, token)
            if p.is_worker:
                raise Unauthorized("a worker key cannot use the console")
        elif email.strip() and password:
            client = security.bind_client(request.client.host if request.client else None,
                                          request.headers.get("user-agent"))
            token = (await sessions.sign_in(system, settings, email.strip(), password, client)).token
        else:
            raise Invalid("give an API key, or an e-mail address and a password")
    except MediabaseError as exc:
        if exc.status >= 500:
            raise
        return page(request, "login.html", 401 if exc.status in (401, 403) else exc.status, next=target,
                    error=exc.detail, email=email)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/console",
                        secure=request.url.scheme == "https", max_age=30 * 24 * 3600)
    return response


@router.post("/logout")
async def logout(request: Request, system: SystemDbDep) -> Response:
    """Forget the cookie; a session signed in with a password ends for good."""
    token = request.cookies.get(COOKIE)
    if token:
        try:
            p = await authenticate(request, system, token)
            if p.session_id is not None:
                await sessions.revoke_session(system, p, p.session_id)
        except MediabaseError:
            pass  # already expired or revoked: forgetting the cookie is all there is to do
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("/videos", response_class=HTMLResponse)
async def videos(
    request: Request,
    db: DbDep,
    p: Console,
    status: ProcessingStatus | None = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    language: Annotated[str | None, Query(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = None,
    deleted: bool = False,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    try:
        f = VideoFilter(status=status, tag=tag or None, language=language or None, deleted=deleted)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise Invalid(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    result = await media.list_videos(db, p, f, limit=50, cursor=cursor)
    org = await identity.get_organization(db, p)
    more = None
    if result.next_cursor:
        q = {k: v for k, v in request.query_params.items() if k != "cursor"}
        more = "/console/videos?" + urlencode({**q, "cursor": result.next_cursor})
    return page(request, "videos.html", org=org, principal=p, videos=result.items, more=more,
                statuses=[s.value for s in ProcessingStatus], f=f)


@router.get("/videos/{video_id}", response_class=HTMLResponse)
async def video(
    request: Request, db: DbDep, p: Console, video_id: UUID,
    t: Annotated[int | None, Query(ge=0, le=10**9, description="seconds: the moment to show")] = None,
) -> HTMLResponse:
    v = await media.get_video(db, p, video_id)
    org = await identity.get_organization(db, p)
    try:
        transcript, segments = await transcripts.list_segments(db, p, video_id, limit=10_000)
    except NotFound:
        transcript, segments = None, []
    speakers = await media.list_speakers(db, p, video_id)
    decided = (await decisions.list_decisions(db, p, video_id=video_id, limit=200)).items
    items = await topics.list_action_items(db, p, video_id=video_id, limit=200)
    mentions = await topics.list_topic_mentions(db, p, video_id=video_id, limit=200)
    comments = await collab.list_comments(db, p, video_id)
    clips = await collab.list_clips(db, p, video_id)
    ends = [s.end_ms for s in segments] + [c.end_ms for c in clips] + [m.end_ms or 0 for m in mentions]
    length = max([v.duration_ms or 0, *ends, 1])
    current = None
    if t is not None:  # the segment playing at t (the last that starts at or before it)
        starting = [s for s in segments if s.start_ms <= t * 1000]
        current = starting[-1].id if starting else None
    return page(request, "video.html", org=org, principal=p, video=v, transcript=transcript, segments=segments,
                speakers=speakers, decisions=decided, items=items, mentions=mentions, comments=comments,
                clips=clips, length=length, current=current, t=t)


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    db: DbDep,
    p: Console,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
    mode: SearchMode | None = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> HTMLResponse:
    org = await identity.get_organization(db, p)
    result, error, more = None, None, None
    if q.strip():
        try:
            result = await search(db, p, SearchRequest(q=q, mode=mode, limit=20, cursor=cursor), settings=settings)
        except ValidationError as exc:
            error = exc.errors()[0]["msg"]
        except Invalid as exc:
            error = exc.detail
        if result is not None and result.next_cursor:
            more = "/console/search?" + urlencode(
                {"q": q, **({"mode": mode.value} if mode else {}), "cursor": result.next_cursor})
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "hits":
        return page(request, "_hits.html", result=result, error=error, more=more, q=q)
    return page(request, "search.html", org=org, principal=p, q=q, mode=mode.value if mode else "",
                modes=[m.value for m in SearchMode], result=result, error=error, more=more)

