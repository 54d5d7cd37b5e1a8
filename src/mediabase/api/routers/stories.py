"""The story platform: topics, categories, topic proposals, ideas, scenes, their playlists,
bibles and summaries, and continuations (docs/stories.md)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Path, Query, Request, status

from mediabase.api.deps import DbDep, PrincipalDep, SystemDbDep
from mediabase.common.models import Page
from mediabase.common.types import LINE
from mediabase.search.models import Match
from mediabase.search.text import MAX_QUERY_CHARS
from mediabase.stories import community, continuations, public, scenes
from mediabase.stories import search as story_search
from mediabase.stories import service as stories
from mediabase.stories.models import (
    Bible,
    BibleWrite,
    Category,
    CategoryCreate,
    CategoryUpdate,
    Continuation,
    ContinuationCreate,
    CounterDifference,
    Flag,
    FlagCreate,
    FlagReview,
    FlagStatus,
    Idea,
    IdeaCreate,
    IdeaSort,
    IdeaStatus,
    IdeaUpdate,
    Liked,
    Proposal,
    ProposalCreate,
    ProposalReview,
    ProposalStatus,
    Publication,
    PublicBible,
    PublicIdea,
    PublicScene,
    PublicSegment,
    PublicTopic,
    Scene,
    SceneCreate,
    SceneUpdate,
    Segment,
    SegmentUpdate,
    StoryHitKind,
    StorySearchPage,
    Summary,
    SummaryCreate,
    Topic,
    TopicCreate,
    TopicUpdate,
)

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]
Version = Annotated[int, Path(ge=1, le=2_000_000_000)]
TagQuery = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$", description="Only ideas with this tag")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200), LINE]
SearchText = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS,
                                  description='websearch syntax: words, "a phrase", or, -exclude')]
Kinds = Annotated[list[StoryHitKind] | None, Query(max_length=4, description="idea, scene, segment, bible (repeat; "
                                                                             "default: all)")]
SearchLimit = Annotated[int, Query(ge=1, le=100)]
SearchCursor = Annotated[str | None, Query(max_length=2000, description="next_cursor of the previous page")]


# -- topics, categories, proposals ------------------------------------------------------------------


@router.get("/story-topics", tags=["stories"], summary="Story topics in display order")
async def list_topics(db: DbDep, p: PrincipalDep, inactive: bool = False) -> list[Topic]:
    return await stories.list_topics(db, p, inactive=inactive)


@router.post("/story-topics", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Create a curated topic (ADMIN)")
async def create_topic(db: DbDep, p: PrincipalDep, data: TopicCreate) -> Topic:
    return await stories.create_topic(db, p, data)


@router.get("/story-topics/{topic_id}", tags=["stories"], summary="A topic")
async def get_topic(db: DbDep, p: PrincipalDep, topic_id: UUID) -> Topic:
    return await stories.get_topic(db, p, topic_id)


@router.patch("/story-topics/{topic_id}", tags=["stories"], summary="Change a topic (ADMIN)")
async def update_topic(db: DbDep, p: PrincipalDep, topic_id: UUID, data: TopicUpdate) -> Topic:
    return await stories.update_topic(db, p, topic_id, data)


@router.get("/story-topics/{topic_id}/categories", tags=["stories"], summary="A topic's categories")
async def list_categories(db: DbDep, p: PrincipalDep, topic_id: UUID, inactive: bool = False) -> list[Category]:
    return await stories.list_categories(db, p, topic_id, inactive=inactive)


@router.post("/story-topics/{topic_id}/categories", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Add a category to a topic (ADMIN)")
async def create_category(db: DbDep, p: PrincipalDep, topic_id: UUID, data: CategoryCreate) -> Category:
    return await stories.create_category(db, p, topic_id, data)


@router.patch("/story-categories/{category_id}", tags=["stories"], summary="Change a category (ADMIN)")
async def update_category(db: DbDep, p: PrincipalDep, category_id: UUID, data: CategoryUpdate) -> Category:
    return await stories.update_category(db, p, category_id, data)


@router.get("/story-topic-proposals", tags=["stories"], summary="Topic proposals, oldest first (the review queue)")
async def list_proposals(
    db: DbDep, p: PrincipalDep, status: ProposalStatus | None = ProposalStatus.pending, limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[Proposal]:
    return await stories.list_proposals(db, p, status=status, limit=limit, cursor=cursor)


@router.post("/story-topic-proposals", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Propose a topic (any member)")
async def propose_topic(db: DbDep, p: PrincipalDep, data: ProposalCreate) -> Proposal:
    return await stories.propose_topic(db, p, data)


@router.post("/story-topic-proposals/{proposal_id}/review", tags=["stories"],
             summary="Approve (optionally promoting it to a topic) or reject a proposal (ADMIN)")
async def review_proposal(db: DbDep, p: PrincipalDep, proposal_id: UUID, data: ProposalReview) -> Proposal:
    return await stories.review_proposal(db, p, proposal_id, data)


# -- ideas and scenes -----------------------------------------------------------------------------


@router.get("/story-topics/{topic_id}/ideas", tags=["stories"],
            summary="A topic's ideas, newest or most liked first")
async def list_ideas(
    db: DbDep, p: PrincipalDep, topic_id: UUID, status: IdeaStatus = IdeaStatus.active, tag: TagQuery = None,
    sort: IdeaSort = IdeaSort.newest, limit: Limit = 50, cursor: Cursor = None,
) -> Page[Idea]:
    """``sort=newest`` (default) or ``sort=liked`` (by the stored like count, which may lag the exact
    one shown by up to one fold)."""
    return await stories.list_ideas(db, p, topic_id, status=status, tag=tag, sort=sort, limit=limit, cursor=cursor)


@router.post("/ideas", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Submit an idea under a topic (and one of its categories)")
async def create_idea(db: DbDep, p: PrincipalDep, data: IdeaCreate) -> Idea:
    return await stories.create_idea(db, p, data)


@router.get("/ideas/{idea_id}", tags=["stories"], summary="An idea")
async def get_idea(db: DbDep, p: PrincipalDep, idea_id: UUID) -> Idea:
    return await stories.get_idea(db, p, idea_id)


@router.patch("/ideas/{idea_id}", tags=["stories"],
              summary="Edit an idea (its author); status and moderation_status (ADMIN)")
async def update_idea(db: DbDep, p: PrincipalDep, idea_id: UUID, data: IdeaUpdate) -> Idea:
    return await stories.update_idea(db, p, idea_id, data)


@router.post("/ideas/{idea_id}/scenes", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Start a scene from an idea, with its first bible")
async def create_scene(db: DbDep, p: PrincipalDep, idea_id: UUID, data: SceneCreate) -> Scene:
    return await scenes.create_scene(db, p, idea_id, data)


@router.get("/story-topics/{topic_id}/scenes", tags=["stories"],
            summary="A topic's scenes, recently active first")
async def list_scenes(
    db: DbDep, p: PrincipalDep, topic_id: UUID, idea_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None,
) -> Page[Scene]:
    return await scenes.list_scenes(db, p, topic_id, idea_id=idea_id, limit=limit, cursor=cursor)


@router.get("/scenes/{scene_id}", tags=["stories"], summary="A scene with its counters and bible version")
async def get_scene(db: DbDep, p: PrincipalDep, scene_id: UUID) -> Scene:
    return await scenes.get_scene(db, p, scene_id)


@router.patch("/scenes/{scene_id}", tags=["stories"],
              summary="Edit, lock or unlock a scene (creator or ADMIN); hide or remove it (ADMIN)")
async def update_scene(db: DbDep, p: PrincipalDep, scene_id: UUID, data: SceneUpdate) -> Scene:
    return await scenes.update_scene(db, p, scene_id, data)


@router.get("/scenes/{scene_id}/segments", tags=["stories"], summary="A scene's playlist, in sequence order")
async def playlist(db: DbDep, p: PrincipalDep, scene_id: UUID, limit: Limit = 100,
                   cursor: Cursor = None) -> Page[Segment]:
    return await scenes.list_segments(db, p, scene_id, limit=limit, cursor=cursor)


@router.get("/segments/{segment_id}", tags=["stories"], summary="A segment")
async def get_segment(db: DbDep, p: PrincipalDep, segment_id: UUID) -> Segment:
    return await scenes.get_segment(db, p, segment_id)


@router.patch("/segments/{segment_id}", tags=["stories"],
              summary="Hide, remove or restore a segment (ADMIN); it keeps its place")
async def update_segment(db: DbDep, p: PrincipalDep, segment_id: UUID, data: SegmentUpdate) -> Segment:
    return await scenes.update_segment(db, p, segment_id, data.status)


# -- bibles and summaries -----------------------------------------------------------------------------


@router.get("/scenes/{scene_id}/bible", tags=["stories"], summary="The scene's latest bible")
async def latest_bible(db: DbDep, p: PrincipalDep, scene_id: UUID) -> Bible:
    return await scenes.get_latest_bible(db, p, scene_id)


@router.post("/scenes/{scene_id}/bible", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Write the next bible version (creator or ADMIN; 409 unless expected_version is the latest)")
async def write_bible(db: DbDep, p: PrincipalDep, scene_id: UUID, data: BibleWrite) -> Bible:
    return await scenes.create_bible(db, p, scene_id, data)


@router.get("/scenes/{scene_id}/bible/versions", tags=["stories"], summary="The scene's bible versions, newest first")
async def bible_versions(db: DbDep, p: PrincipalDep, scene_id: UUID, limit: Limit = 50,
                         cursor: Cursor = None) -> Page[Bible]:
    return await scenes.list_bibles(db, p, scene_id, limit=limit, cursor=cursor)


@router.get("/scenes/{scene_id}/bible/versions/{version}", tags=["stories"], summary="One bible version")
async def bible_version(db: DbDep, p: PrincipalDep, scene_id: UUID, version: Version) -> Bible:
    return await scenes.get_bible(db, p, scene_id, version)


@router.get("/scenes/{scene_id}/summaries", tags=["stories"], summary="The scene's summaries, in sequence order")
async def list_summaries(db: DbDep, p: PrincipalDep, scene_id: UUID) -> list[Summary]:
    return await scenes.list_summaries(db, p, scene_id)


@router.post("/scenes/{scene_id}/summaries", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Summarize a range of the scene's segments (creator or ADMIN; ranges never overlap)")
async def add_summary(db: DbDep, p: PrincipalDep, scene_id: UUID, data: SummaryCreate) -> Summary:
    return await scenes.create_summary(db, p, scene_id, data)


# -- continuations --------------------------------------------------------------------------------------


@router.post("/scenes/{scene_id}/continuations", status_code=status.HTTP_202_ACCEPTED, tags=["stories"],
             summary="Continue a scene: a story.continuation job makes the text its next segment")
async def continue_scene(db: DbDep, p: PrincipalDep, scene_id: UUID, data: ContinuationCreate,
                         idempotency_key: IdempotencyKey = None) -> Continuation:
    """Records the continuation and enqueues its job in one transaction. The job goes through
    script_expansion, continuity_validation, video_generation, upload and finalization (follow it
    with GET /continuations/{job_id} or GET /jobs/{job_id}/wait). With an ``Idempotency-Key`` a
    repeated request answers with the first continuation."""
    return await continuations.continue_scene(db, p, scene_id, data, idempotency_key=idempotency_key)


@router.get("/scenes/{scene_id}/continuations", tags=["stories"], summary="A scene's continuations, newest first")
async def list_continuations(db: DbDep, p: PrincipalDep, scene_id: UUID, limit: Limit = 50,
                             cursor: Cursor = None) -> Page[Continuation]:
    return await continuations.list_continuations(db, p, scene_id, limit=limit, cursor=cursor)


@router.get("/continuations/{job_id}", tags=["stories"],
            summary="A continuation with its job's status, stage and progress")
async def get_continuation(db: DbDep, p: PrincipalDep, job_id: UUID) -> Continuation:
    return await continuations.get_continuation(db, p, job_id)


# -- likes, views, flags, counters ---------------------------------------------------------------------


@router.get("/scenes/{scene_id}/like", tags=["stories"], summary="Whether the caller likes the scene, and its likes")
async def scene_liked(db: DbDep, p: PrincipalDep, scene_id: UUID) -> Liked:
    return await community.get_like(db, p, "scene", scene_id)


@router.put("/scenes/{scene_id}/like", tags=["stories"], summary="Like a scene (once; again changes nothing)")
async def like_scene(db: DbDep, p: PrincipalDep, scene_id: UUID) -> Liked:
    return await community.set_like(db, p, "scene", scene_id, on=True)


@router.delete("/scenes/{scene_id}/like", tags=["stories"], summary="Take back the caller's like of a scene")
async def unlike_scene(db: DbDep, p: PrincipalDep, scene_id: UUID) -> Liked:
    return await community.set_like(db, p, "scene", scene_id, on=False)


@router.get("/ideas/{idea_id}/like", tags=["stories"], summary="Whether the caller likes the idea, and its likes")
async def idea_liked(db: DbDep, p: PrincipalDep, idea_id: UUID) -> Liked:
    return await community.get_like(db, p, "idea", idea_id)


@router.put("/ideas/{idea_id}/like", tags=["stories"], summary="Like an idea (once; again changes nothing)")
async def like_idea(db: DbDep, p: PrincipalDep, idea_id: UUID) -> Liked:
    return await community.set_like(db, p, "idea", idea_id, on=True)


@router.delete("/ideas/{idea_id}/like", tags=["stories"], summary="Take back the caller's like of an idea")
async def unlike_idea(db: DbDep, p: PrincipalDep, idea_id: UUID) -> Liked:
    return await community.set_like(db, p, "idea", idea_id, on=False)


@router.post("/scenes/{scene_id}/views", status_code=status.HTTP_204_NO_CONTENT, tags=["stories"],
             summary="Count a view of the scene (the client address is kept only as a keyed HMAC)")
async def view_scene(db: DbDep, p: PrincipalDep, scene_id: UUID, request: Request) -> None:
    await community.record_view(db, p, scene_id, request.client.host if request.client else None)


@router.post("/story-flags", status_code=status.HTTP_201_CREATED, tags=["stories"],
             summary="Report an idea, scene, segment, member or topic (one open report per reporter and target)")
async def create_flag(db: DbDep, p: PrincipalDep, data: FlagCreate) -> Flag:
    return await community.create_flag(db, p, data)


@router.get("/story-flags", tags=["stories"], summary="The moderation queue: flags of a status, oldest first (ADMIN)")
async def list_flags(db: DbDep, p: PrincipalDep, status: FlagStatus = FlagStatus.pending, limit: Limit = 50,
                     cursor: Cursor = None) -> Page[Flag]:
    return await community.list_flags(db, p, status=status, limit=limit, cursor=cursor)


@router.get("/story-flags/{flag_id}", tags=["stories"], summary="A flag (its reporter or an ADMIN)")
async def get_flag(db: DbDep, p: PrincipalDep, flag_id: UUID) -> Flag:
    return await community.get_flag(db, p, flag_id)


@router.post("/story-flags/{flag_id}/review", tags=["stories"],
             summary="Review a flag (ADMIN): reviewing, dismiss, or resolve with an action on its target")
async def review_flag(db: DbDep, p: PrincipalDep, flag_id: UUID, data: FlagReview) -> Flag:
    """Resolving hides or removes the idea, scene or segment, locks a scene, rejects an idea or
    deactivates a topic, and closes every open flag of the same target, in one transaction."""
    return await community.review_flag(db, p, flag_id, data)


@router.get("/story-counters/differences", tags=["stories"],
            summary="Every counter recomputed from its rows; those that differ (ADMIN; empty: all true)")
async def counter_differences(p: PrincipalDep, system: SystemDbDep) -> list[CounterDifference]:
    stories.require_admin(p, "verify counters")
    return await community.verify_counters(system, p.organization_id)


# -- keyword search over the story texts ------------------------------------------------------------------


@router.get("/story-search", tags=["stories"],
            summary="Find ideas, scenes, story segments and bibles by keyword, best first")
async def search_stories(
    db: DbDep, p: PrincipalDep, q: SearchText, kind: Kinds = None, topic_id: UUID | None = None,
    scene_id: UUID | None = None, match: Match = Match.all, limit: SearchLimit = 10, cursor: SearchCursor = None,
) -> StorySearchPage:
    """The texts the caller may read: active ideas that are not rejected (title, prompt, tags),
    active and locked scenes (title, description), their active segments (the member's text and
    the expanded script) and their latest bibles. ``topic_id`` narrows to a topic, ``scene_id``
    to a scene, its segments and bible; ``match=any``: any of the words."""
    return await story_search.search_stories(db, p, q, kinds=kind, topic_id=topic_id, scene_id=scene_id, match=match,
                                             limit=limit, cursor=cursor)


# -- publishing and the public read path (no key) ---------------------------------------------------------

Slug = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$", description="The community's organization slug")]


@router.get("/story-publication", tags=["stories"], summary="Whether the organization's stories are public")
async def get_publication(db: DbDep, p: PrincipalDep) -> Publication:
    return await public.get_publication(db, p)


@router.put("/story-publication", tags=["stories"],
            summary="Publish: anyone may read the approved stories at /public/{slug}/… (OWNER)")
async def publish(db: DbDep, p: PrincipalDep) -> Publication:
    return await public.publish_stories(db, p, on=True)


@router.delete("/story-publication", tags=["stories"], summary="Unpublish: close the public read path (OWNER)")
async def unpublish(db: DbDep, p: PrincipalDep) -> Publication:
    return await public.publish_stories(db, p, on=False)


@router.get("/public/{slug}/story-topics", tags=["public stories"], summary="A published community's topics")
async def public_topics(db: DbDep, system: SystemDbDep, slug: Slug) -> list[PublicTopic]:
    return await public.list_public_topics(db, system, slug)


@router.get("/public/{slug}/story-topics/{topic_id}/ideas", tags=["public stories"],
            summary="A published topic's approved ideas, newest or most liked first")
async def public_ideas(db: DbDep, system: SystemDbDep, slug: Slug, topic_id: UUID, sort: IdeaSort = IdeaSort.newest,
                       limit: Limit = 50, cursor: Cursor = None) -> Page[PublicIdea]:
    return await public.list_public_ideas(db, system, slug, topic_id, sort=sort, limit=limit, cursor=cursor)


@router.get("/public/{slug}/story-topics/{topic_id}/scenes", tags=["public stories"],
            summary="A published topic's scenes, recently active first")
async def public_scenes(db: DbDep, system: SystemDbDep, slug: Slug, topic_id: UUID, limit: Limit = 50,
                        cursor: Cursor = None) -> Page[PublicScene]:
    return await public.list_public_scenes(db, system, slug, topic_id, limit=limit, cursor=cursor)


@router.get("/public/{slug}/scenes/{scene_id}", tags=["public stories"], summary="A published scene")
async def public_scene(db: DbDep, system: SystemDbDep, slug: Slug, scene_id: UUID) -> PublicScene:
    return await public.get_public_scene(db, system, slug, scene_id)


@router.get("/public/{slug}/scenes/{scene_id}/segments", tags=["public stories"],
            summary="A published scene's playlist (active segments, in order)")
async def public_playlist(db: DbDep, system: SystemDbDep, slug: Slug, scene_id: UUID, limit: Limit = 100,
                          cursor: Cursor = None) -> Page[PublicSegment]:
    return await public.list_public_segments(db, system, slug, scene_id, limit=limit, cursor=cursor)


@router.get("/public/{slug}/scenes/{scene_id}/bible", tags=["public stories"],
            summary="A published scene's latest bible")
async def public_bible(db: DbDep, system: SystemDbDep, slug: Slug, scene_id: UUID) -> PublicBible:
    return await public.get_public_bible(db, system, slug, scene_id)


@router.get("/public/{slug}/story-search", tags=["public stories"],
            summary="Find a published community's approved ideas, scenes, segments and bibles by keyword")
async def public_search(
    db: DbDep, system: SystemDbDep, slug: Slug, q: SearchText, kind: Kinds = None, topic_id: UUID | None = None,
    scene_id: UUID | None = None, match: Match = Match.all, limit: SearchLimit = 10, cursor: SearchCursor = None,
) -> StorySearchPage:
    return await story_search.search_public_stories(db, system, slug, q, kinds=kind, topic_id=topic_id,
                                                    scene_id=scene_id, match=match, limit=limit, cursor=cursor)


@router.post("/public/{slug}/scenes/{scene_id}/views", status_code=status.HTTP_204_NO_CONTENT,
             tags=["public stories"], summary="Count an anonymous view of a published scene")
async def public_view(db: DbDep, system: SystemDbDep, slug: Slug, scene_id: UUID, request: Request) -> None:
    await public.record_public_view(db, system, slug, scene_id, request.client.host if request.client else None)
