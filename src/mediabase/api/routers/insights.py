"""AI layers and summaries, the decision registry, topics and action items."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.common.models import Page
from mediabase.common.types import Instant
from mediabase.insights import decisions, layers, topics
from mediabase.insights.models import (
    ActionItem,
    ActionItemCreate,
    ActionItemUpdate,
    ActionStatus,
    Decision,
    DecisionCreate,
    DecisionDetail,
    DecisionEdit,
    DecisionHit,
    DecisionLinkCreate,
    DecisionSource,
    DecisionStatus,
    DecisionUpdate,
    Layer,
    LayerCreate,
    LayerKind,
    LayerUpdate,
    Priority,
    Subscription,
    SubscriptionSet,
    Summary,
    Tag,
    TagCreate,
    TagUpdate,
    Topic,
    TopicMention,
    TopicUpdate,
    Trend,
)
from mediabase.search.models import SearchMode

router = APIRouter()
Limit = Annotated[int, Query(ge=1, le=500)]


# -- AI layers --------------------------------------------------------------------------------------


@router.get("/videos/{video_id}/ai-layers", tags=["ai layers"], summary="A video's AI layers, newest first per kind")
async def list_layers(db: DbDep, p: PrincipalDep, video_id: UUID, kind: LayerKind | None = None) -> list[Layer]:
    return await layers.list_layers(db, p, video_id, kind=kind)


@router.post(
    "/videos/{video_id}/ai-layers",
    status_code=status.HTTP_201_CREATED,
    tags=["ai layers"],
    summary="Register a model's run over a video, with its results (ready) or without (pending, a job)",
)
async def create_layer(db: DbDep, p: PrincipalDep, video_id: UUID, data: LayerCreate) -> Layer:
    return await layers.create_layer(db, p, video_id, data)


@router.get("/ai-layers/{layer_id}", tags=["ai layers"], summary="An AI layer")
async def get_layer(db: DbDep, p: PrincipalDep, layer_id: UUID) -> Layer:
    return await layers.get_layer(db, p, layer_id)


@router.patch(
    "/ai-layers/{layer_id}",
    tags=["ai layers"],
    summary="Move a layer along pending → running → ready | failed; ready supersedes the current one",
)
async def update_layer(db: DbDep, p: PrincipalDep, layer_id: UUID, data: LayerUpdate) -> Layer:
    return await layers.update_layer(db, p, layer_id, data)


@router.post(
    "/ai-layers/{layer_id}/rebuild",
    status_code=status.HTTP_201_CREATED,
    tags=["ai layers"],
    summary="Start a new run like this one over the current transcript (a pending layer and a job)",
)
async def rebuild_layer(db: DbDep, p: PrincipalDep, layer_id: UUID) -> Layer:
    return await layers.rebuild_layer(db, p, layer_id)


@router.delete(
    "/ai-layers/{layer_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["ai layers"],
    summary="Delete a layer and everything it produced",
)
async def delete_layer(db: DbDep, p: PrincipalDep, layer_id: UUID) -> None:
    await layers.delete_layer(db, p, layer_id)


@router.get("/videos/{video_id}/summary", tags=["ai layers"], summary="The current summary of a video")
async def summary(db: DbDep, p: PrincipalDep, video_id: UUID) -> Summary:
    return await layers.get_summary(db, p, video_id)


# -- decisions -----------------------------------------------------------------------------------------


@router.get(
    "/decisions",
    tags=["decisions"],
    summary="The decision log, newest first; q= searches summary and context (ranked, with snippets) by "
    "keywords, by meaning (mode=semantic) or both (mode=hybrid)",
)
async def list_decisions(
    db: DbDep,
    p: PrincipalDep,
    q: Annotated[str | None, Query(min_length=1, max_length=500)] = None,
    mode: Annotated[SearchMode, Query(description="how q matches: keyword, semantic or hybrid")] = SearchMode.keyword,
    status: DecisionStatus | None = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    video_id: UUID | None = None,
    source: DecisionSource | None = None,
    decided_from: Instant | None = None,
    decided_to: Instant | None = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[DecisionHit]:
    return await decisions.list_decisions(
        db,
        p,
        q=q,
        status=status,
        tag=tag,
        video_id=video_id,
        source=source,
        decided_from=decided_from,
        decided_to=decided_to,
        limit=limit,
        cursor=cursor,
        mode=mode,
    )


@router.post("/decisions", status_code=status.HTTP_201_CREATED, tags=["decisions"], summary="Record a decision")
async def create_decision(db: DbDep, p: PrincipalDep, data: DecisionCreate) -> Decision:
    return await decisions.create_decision(db, p, data)


@router.get("/decisions/{decision_id}", tags=["decisions"], summary="A decision with its links")
async def get_decision(db: DbDep, p: PrincipalDep, decision_id: UUID) -> DecisionDetail:
    return await decisions.get_decision(db, p, decision_id)


@router.patch(
    "/decisions/{decision_id}",
    tags=["decisions"],
    summary="Change a decision (creator or ADMIN); every change lands in its edit trail",
)
async def update_decision(db: DbDep, p: PrincipalDep, decision_id: UUID, data: DecisionUpdate) -> Decision:
    return await decisions.update_decision(db, p, decision_id, data)


@router.delete(
    "/decisions/{decision_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["decisions"],
    summary="Delete a decision (creator or ADMIN)",
)
async def delete_decision(db: DbDep, p: PrincipalDep, decision_id: UUID) -> None:
    await decisions.delete_decision(db, p, decision_id)


@router.get(
    "/decisions/{decision_id}/edits",
    tags=["decisions"],
    summary="The edit trail: every field change with old and new value and who made it",
)
async def decision_edits(db: DbDep, p: PrincipalDep, decision_id: UUID) -> list[DecisionEdit]:
    return await decisions.list_decision_edits(db, p, decision_id)


@router.post(
    "/decisions/{decision_id}/links",
    status_code=status.HTTP_201_CREATED,
    tags=["decisions"],
    summary="Link to another decision (related, supersedes, depends_on)",
)
async def link_decision(db: DbDep, p: PrincipalDep, decision_id: UUID, data: DecisionLinkCreate) -> DecisionDetail:
    return await decisions.create_decision_link(db, p, decision_id, data)


@router.delete(
    "/decisions/{decision_id}/links/{target_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["decisions"],
    summary="Remove a link (a removed 'supersedes' makes the target decided again)",
)
async def unlink_decision(db: DbDep, p: PrincipalDep, decision_id: UUID, target_id: UUID) -> None:
    await decisions.delete_decision_link(db, p, decision_id, target_id)


@router.get("/decision-tags", tags=["decisions"], summary="The organization's decision tags")
async def list_tags(db: DbDep, p: PrincipalDep) -> list[Tag]:
    return await decisions.list_tags(db, p)


@router.post("/decision-tags", status_code=status.HTTP_201_CREATED, tags=["decisions"], summary="Create a tag")
async def create_tag(db: DbDep, p: PrincipalDep, data: TagCreate) -> Tag:
    return await decisions.create_tag(db, p, data)


@router.patch("/decision-tags/{tag_id}", tags=["decisions"], summary="Rename or recolor a tag (ADMIN)")
async def update_tag(db: DbDep, p: PrincipalDep, tag_id: UUID, data: TagUpdate) -> Tag:
    return await decisions.update_tag(db, p, tag_id, data)


@router.delete(
    "/decision-tags/{tag_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["decisions"],
    summary="Delete a tag (ADMIN)",
)
async def delete_tag(db: DbDep, p: PrincipalDep, tag_id: UUID) -> None:
    await decisions.delete_tag(db, p, tag_id)


@router.put(
    "/decision-tags/{tag_id}/subscription",
    tags=["decisions"],
    summary="Hear about decisions under this tag (instant, daily or weekly)",
)
async def subscribe(db: DbDep, p: PrincipalDep, tag_id: UUID, data: SubscriptionSet) -> Subscription:
    return await decisions.update_subscription(db, p, tag_id, data)


@router.delete(
    "/decision-tags/{tag_id}/subscription",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["decisions"],
    summary="Stop hearing about a tag",
)
async def unsubscribe(db: DbDep, p: PrincipalDep, tag_id: UUID) -> None:
    await decisions.delete_subscription(db, p, tag_id)


@router.get("/decision-subscriptions", tags=["decisions"], summary="The caller's tag subscriptions")
async def subscriptions(db: DbDep, p: PrincipalDep) -> list[Subscription]:
    return await decisions.list_subscriptions(db, p)


# -- topics ------------------------------------------------------------------------------------------


@router.get("/topics", tags=["topics"], summary="Organization-wide topics with mentions and trend")
async def list_topics(
    db: DbDep,
    p: PrincipalDep,
    trend: Trend | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Limit = 100,
) -> list[Topic]:
    return await topics.list_topics(db, p, trend=trend, q=q, limit=limit)


@router.post("/topics/refresh", tags=["topics"], summary="Recompute counters and trends as of now")
async def refresh_topics(db: DbDep, p: PrincipalDep) -> dict[str, int]:
    return {"topics": await topics.refresh_topics(db, p)}


@router.get("/topics/{topic_id}", tags=["topics"], summary="A topic")
async def get_topic(db: DbDep, p: PrincipalDep, topic_id: UUID) -> Topic:
    return await topics.get_topic(db, p, topic_id)


@router.get("/topics/{topic_id}/mentions", tags=["topics"], summary="Where a topic was found, newest first")
async def topic_mentions(db: DbDep, p: PrincipalDep, topic_id: UUID, limit: Limit = 200) -> list[TopicMention]:
    return await topics.list_topic_mentions(db, p, topic_id=topic_id, limit=limit)


@router.patch("/topics/{topic_id}", tags=["topics"], summary="Rename or describe a topic (ADMIN)")
async def update_topic(db: DbDep, p: PrincipalDep, topic_id: UUID, data: TopicUpdate) -> Topic:
    return await topics.update_topic(db, p, topic_id, data)


@router.delete(
    "/topics/{topic_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["topics"],
    summary="Delete a topic and its mentions (ADMIN)",
)
async def delete_topic(db: DbDep, p: PrincipalDep, topic_id: UUID) -> None:
    await topics.delete_topic(db, p, topic_id)


@router.get("/videos/{video_id}/topics", tags=["topics"], summary="The topics of a video, with positions")
async def video_topics(db: DbDep, p: PrincipalDep, video_id: UUID, limit: Limit = 500) -> list[TopicMention]:
    return await topics.list_topic_mentions(db, p, video_id=video_id, limit=limit)


# -- action items ------------------------------------------------------------------------------------


@router.get("/action-items", tags=["action items"], summary="Action items, open ones first by priority and due date")
async def list_action_items(
    db: DbDep,
    p: PrincipalDep,
    status: ActionStatus | None = None,
    open: Annotated[bool, Query(description="Only pending and in-progress items")] = False,
    mine: Annotated[bool, Query(description="Only items assigned to the caller")] = False,
    assignee_user_id: UUID | None = None,
    video_id: UUID | None = None,
    priority: Priority | None = None,
    limit: Limit = 200,
) -> list[ActionItem]:
    return await topics.list_action_items(
        db,
        p,
        status=status,
        open_only=open,
        assignee_user_id=p.user_id if mine else assignee_user_id,
        video_id=video_id,
        priority=priority,
        limit=limit,
    )


@router.post(
    "/videos/{video_id}/action-items",
    status_code=status.HTTP_201_CREATED,
    tags=["action items"],
    summary="Add an action item to a video",
)
async def create_action_item(db: DbDep, p: PrincipalDep, video_id: UUID, data: ActionItemCreate) -> ActionItem:
    return await topics.create_action_item(db, p, video_id, data)


@router.get("/action-items/{item_id}", tags=["action items"], summary="An action item")
async def get_action_item(db: DbDep, p: PrincipalDep, item_id: UUID) -> ActionItem:
    return await topics.get_action_item(db, p, item_id)


@router.patch(
    "/action-items/{item_id}",
    tags=["action items"],
    summary="Change an action item (creator, assignee or ADMIN); completing stamps completed_at/by",
)
async def update_action_item(db: DbDep, p: PrincipalDep, item_id: UUID, data: ActionItemUpdate) -> ActionItem:
    return await topics.update_action_item(db, p, item_id, data)


@router.delete(
    "/action-items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["action items"],
    summary="Delete an action item (creator or ADMIN)",
)
async def delete_action_item(db: DbDep, p: PrincipalDep, item_id: UUID) -> None:
    await topics.delete_action_item(db, p, item_id)
