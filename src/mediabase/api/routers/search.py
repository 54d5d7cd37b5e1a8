"""GET /search: keyword, semantic and hybrid search over the caller's organization."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import ValidationError

from mediabase.api.deps import DbDep, PrincipalDep, SettingsDep
from mediabase.common.types import Instant
from mediabase.db.errors import Invalid
from mediabase.search import SearchFilters, SearchMode, SearchPage, SearchRequest, search
from mediabase.search.models import Match
from mediabase.search.text import MAX_QUERY_CHARS

router = APIRouter(tags=["search"])
LANG = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"


@router.get("/search", summary="Find the moments that match: keyword, semantic or hybrid search")
async def search_route(
    db: DbDep,
    p: PrincipalDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS,
                            description='websearch syntax: "a phrase", or, -exclude')],
    mode: Annotated[SearchMode | None, Query(description="default: hybrid if semantic search is "
                                                         "installed, else keyword")] = None,
    video_id: Annotated[list[UUID] | None, Query(max_length=1000)] = None,
    channel_id: UUID | None = None,
    series_id: UUID | None = None,
    collection_id: UUID | None = None,
    tag: Annotated[list[str] | None, Query(max_length=20, description="videos with all of these tags")] = None,
    speaker_id: Annotated[list[UUID] | None, Query(max_length=100)] = None,
    person_id: Annotated[list[UUID] | None, Query(max_length=100)] = None,
    speaker: Annotated[str | None, Query(min_length=1, max_length=200,
                                         description="a speaker's label or display name")] = None,
    language: Annotated[str | None, Query(pattern=LANG)] = None,
    recorded_from: Instant | None = None,
    recorded_to: Instant | None = None,
    from_ms: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    to_ms: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
    group_by_video: bool = False,
    per_video: Annotated[int, Query(ge=1, le=20)] = 3,
    match: Match = Match.all,
    keyword_weight: Annotated[float, Query(ge=0, le=100)] = 1.0,
    semantic_weight: Annotated[float, Query(ge=0, le=100)] = 1.0,
    rrf_k: Annotated[int, Query(ge=1, le=10_000)] = 60,
    min_similarity: Annotated[float | None, Query(
        ge=-1, le=1, description="semantic and hybrid: leave out chunks less similar to the query (cosine); "
                                 "default MEDIABASE_SEARCH_MIN_SIMILARITY, -1 keeps all")] = None,
    score_floor: Annotated[float | None, Query(
        ge=0, le=1, description="hybrid: leave out hits scoring below this share of the best hit's score; "
                                "default MEDIABASE_SEARCH_SCORE_FLOOR, 0 keeps all")] = None,
) -> SearchPage:
    try:
        req = SearchRequest(
            q=q, mode=mode, limit=limit, cursor=cursor, group_by_video=group_by_video, per_video=per_video,
            match=match, keyword_weight=keyword_weight, semantic_weight=semantic_weight, rrf_k=rrf_k,
            min_similarity=min_similarity, score_floor=score_floor,
            filters=SearchFilters(
                video_ids=video_id or [], channel_id=channel_id, series_id=series_id,
                collection_id=collection_id, tags=tag or [], speaker_ids=speaker_id or [],
                person_ids=person_id or [], speaker=speaker, language=language,
                recorded_from=recorded_from, recorded_to=recorded_to, from_ms=from_ms, to_ms=to_ms),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "query"
        raise Invalid(f"{where}: {first['msg']}", field=where) from exc
    return await search(db, p, req, settings=settings)
