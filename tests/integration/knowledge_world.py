"""A small meeting the knowledge graph is built from: 'Kickoff', in which Ada and Bob speak in
turns (one second each), Ada decides on rubber buttons at 2.1 s, Bob is to draw the case
(3 s – 3.9 s), and the topic 'Buttons' runs from 1 s to 5 s."""

from __future__ import annotations

from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.insights import layers
from mediabase.insights.models import ActionItemIn, DecisionIn, LayerCreate, LayerKind, TopicMentionIn
from tests.factories import make_video

DECISION = "Use rubber buttons."
ITEM = "Draw the case."


async def kickoff(db: Database, owner_db: Database, p: Principal, title: str = "Kickoff") -> UUID:
    video = await make_video(db, p, title, n=10)
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE speakers SET display_name = CASE WHEN label = 'A' THEN 'Ada' ELSE 'Bob' END"
                           " WHERE organization_id = %s AND video_id = %s", (p.organization_id, video))
    common = {"model": "test", "source": "test"}
    await layers.create_layer(db, p, video, LayerCreate(
        kind=LayerKind.decisions, **common, decisions=[DecisionIn(summary=DECISION, position_ms=2100)]))
    await layers.create_layer(db, p, video, LayerCreate(
        kind=LayerKind.action_items, **common,
        action_items=[ActionItemIn(title=ITEM, assignee="Bob", start_ms=3000, end_ms=3900)]))
    await layers.create_layer(db, p, video, LayerCreate(
        kind=LayerKind.topics, **common, topics=[TopicMentionIn(topic="Buttons", start_ms=1000, end_ms=5000)]))
    return video
