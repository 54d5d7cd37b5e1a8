"""AI layers, the decision registry, topics and action items through their services."""

from __future__ import annotations

import pytest

from mediabase.collab import feed
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.insights import decisions, layers, topics
from mediabase.insights.models import (
    ActionItemCreate,
    ActionItemIn,
    ActionItemUpdate,
    ActionStatus,
    DecisionCreate,
    DecisionIn,
    DecisionLinkCreate,
    DecisionStatus,
    DecisionUpdate,
    LayerCreate,
    LayerKind,
    LayerStatus,
    LayerUpdate,
    LinkType,
    SettableStatus,
    SubscriptionSet,
    SummaryIn,
    TagCreate,
    TopicMentionIn,
)
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from tests.factories import Tenant, make_video


def decisions_layer(*summaries: str, model: str = "m1") -> LayerCreate:
    return LayerCreate(
        kind=LayerKind.decisions,
        model=model,
        decisions=[DecisionIn(summary=s, position_ms=1000 * i) for i, s in enumerate(summaries)],
    )


async def test_a_new_run_supersedes_the_old_one_and_a_layer_goes_as_a_unit(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "meeting", duration_ms=60_000)
    first = await layers.create_layer(db, a.owner, vid, decisions_layer("Ship in May", "Hire two people"))
    assert (first.status, first.item_count) == (LayerStatus.ready, 2)
    assert first.transcript_id is not None  # derived from the current transcript
    second = await layers.create_layer(db, a.owner, vid, decisions_layer("Ship in June", model="m2"))
    assert (await layers.get_layer(db, a.owner, first.id)).status is LayerStatus.superseded
    log = await decisions.list_decisions(db, a.owner, video_id=vid)
    assert [d.summary for d in log.items] == ["Ship in June"]  # only the current run's rows show
    # roll back to the first run, then delete it as a unit
    await layers.update_layer(db, a.owner, first.id, LayerUpdate(status=LayerStatus.ready))
    assert {d.summary for d in (await decisions.list_decisions(db, a.owner, video_id=vid)).items} == {
        "Ship in May",
        "Hire two people",
    }
    await layers.delete_layer(db, a.owner, first.id)
    with pytest.raises(NotFound):
        await layers.get_layer(db, a.owner, first.id)
    async with owner_db.transaction() as conn:
        left = await (
            await conn.execute("SELECT count(*) AS n FROM decisions WHERE layer_id = %s", (first.id,))
        ).fetchone()
    assert left == {"n": 0}
    assert (await layers.get_layer(db, a.owner, second.id)).status is LayerStatus.superseded


async def test_layer_requests_are_checked(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "meeting")
    with pytest.raises(Invalid, match="decisions layer carries decisions"):
        await layers.create_layer(
            db, a.owner, vid, LayerCreate(kind=LayerKind.decisions, model="m", summary=SummaryIn(summary="s"))
        )
    with pytest.raises(Forbidden):  # a member does not run models over someone else's video
        await layers.create_layer(db, a.member, vid, decisions_layer("x"))
    pending = await layers.create_layer(db, a.owner, vid, LayerCreate(kind=LayerKind.summary, model="llm"))
    assert pending.status is LayerStatus.pending and pending.job_id is not None
    async with owner_db.transaction() as conn:
        job = await (
            await conn.execute("SELECT type, input->>'layer_id' AS layer FROM jobs WHERE id = %s", (pending.job_id,))
        ).fetchone()
    assert job == {"type": "ai.layer.build", "layer": str(pending.id)}
    await layers.update_layer(db, a.owner, pending.id, LayerUpdate(status=LayerStatus.failed, error="x"))
    with pytest.raises(Conflict):  # failed goes back to pending, never straight to ready
        await layers.update_layer(db, a.owner, pending.id, LayerUpdate(status=LayerStatus.ready))
    rebuilt = await layers.rebuild_layer(db, a.owner, pending.id)
    assert (rebuilt.kind, rebuilt.model, rebuilt.status) == (LayerKind.summary, "llm", LayerStatus.pending)
    done = await layers.create_layer(
        db,
        a.owner,
        vid,
        LayerCreate(kind=LayerKind.summary, model="llm", summary=SummaryIn(summary="They agreed.", key_points=["one"])),
    )
    s = await layers.get_summary(db, a.owner, vid)
    assert (s.layer_id, s.summary, s.key_points) == (done.id, "They agreed.", ["one"])


async def test_decisions_search_filters_and_pages(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    tag = await decisions.create_tag(db, a.owner, TagCreate(name="Hardware", color="#00aa00"))
    for summary, context in (
        ("Use regular batteries", "Cheaper than kinetic ones"),
        ("Sell for 25 Euro", "Production costs under 12.50"),
        ("Rubber buttons", None),
    ):
        await decisions.create_decision(
            db, a.owner, DecisionCreate(summary=summary, context=context, tag_ids=[tag.id] if context else [])
        )
    await decisions.create_decision(db, b.owner, DecisionCreate(summary="Battery of bravo"))
    hits = await decisions.list_decisions(db, a.owner, q="battery")
    assert [h.summary for h in hits.items] == ["Use regular batteries"]  # stemmed, and only alpha's
    assert hits.items[0].rank and hits.items[0].snippet and "<b>" in hits.items[0].snippet
    assert [h.summary for h in (await decisions.list_decisions(db, a.owner, q="costs")).items] == ["Sell for 25 Euro"]
    assert len((await decisions.list_decisions(db, a.owner, tag="hardware")).items) == 2
    page1 = await decisions.list_decisions(db, a.owner, limit=2)
    page2 = await decisions.list_decisions(db, a.owner, limit=2, cursor=page1.next_cursor)
    assert len(page1.items) == 2 and len(page2.items) == 1 and page2.next_cursor is None
    assert {d.id for d in page1.items}.isdisjoint({d.id for d in page2.items})


async def test_decision_roles_links_and_subscriptions(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    tag = await decisions.create_tag(db, a.owner, TagCreate(name="Pricing"))
    sub = await decisions.update_subscription(db, a.member, tag.id, SubscriptionSet(frequency="daily"))
    assert sub.frequency == "daily"
    old = await decisions.create_decision(db, a.owner, DecisionCreate(summary="25 Euro", tag_ids=[tag.id]))
    new = await decisions.create_decision(
        db, a.member, DecisionCreate(summary="30 Euro", status=SettableStatus.proposed)
    )
    assert new.status is DecisionStatus.proposed and new.decided_at is None
    with pytest.raises(Forbidden):
        await decisions.update_decision(db, a.member, old.id, DecisionUpdate(summary="hijacked"))
    with pytest.raises(Forbidden):
        await decisions.create_decision_link(db, a.member, old.id, DecisionLinkCreate(target_decision_id=new.id))
    detail = await decisions.create_decision_link(
        db, a.member, new.id, DecisionLinkCreate(target_decision_id=old.id, link_type=LinkType.supersedes)
    )
    assert [(x.decision_id, x.target_decision_id, x.link_type) for x in detail.links] == [
        (new.id, old.id, LinkType.supersedes)
    ]
    superseded = await decisions.get_decision(db, a.owner, old.id)
    assert (superseded.status, superseded.superseded_by, superseded.superseded_by_summary) == (
        DecisionStatus.superseded,
        new.id,
        "30 Euro",
    )
    with pytest.raises(Conflict):  # a superseded decision's state waits for its supersession to go
        await decisions.update_decision(db, a.owner, old.id, DecisionUpdate(status=SettableStatus.proposed))
    with pytest.raises(Conflict):  # no cycles
        await decisions.update_decision(db, a.member, new.id, DecisionUpdate(superseded_by=old.id))
    await decisions.delete_decision_link(db, a.member, new.id, old.id)
    assert (await decisions.get_decision(db, a.owner, old.id)).status is DecisionStatus.decided
    # the member subscribed to Pricing hears about a decision tagged with it (not their own tagging)
    await decisions.update_decision(db, a.member, new.id, DecisionUpdate(tag_ids=[tag.id]))
    await decisions.create_decision(db, a.owner, DecisionCreate(summary="Discounts", tag_ids=[tag.id]))
    notes = await feed.list_notifications(db, a.member)
    assert [(n.kind, n.delivery) for n in notes] == [("decision", "daily"), ("decision", "daily")]
    assert all("Pricing" in n.title for n in notes)


async def test_topics_from_layers(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    v1 = await make_video(db, a.owner, "one", duration_ms=60_000)
    v2 = await make_video(db, a.owner, "two", duration_ms=60_000)
    for vid in (v1, v2):
        await layers.create_layer(
            db,
            a.owner,
            vid,
            LayerCreate(
                kind=LayerKind.topics,
                model="m",
                topics=[
                    TopicMentionIn(topic="Remote  Control", start_ms=0, end_ms=1000),
                    TopicMentionIn(topic="remote control", start_ms=2000, end_ms=3000),
                    TopicMentionIn(topic="Budget", start_ms=5000, end_ms=9000),
                ],
            ),
        )
    found = await topics.list_topics(db, a.owner)
    assert [(t.name, t.mention_count, t.video_count, t.trend.value) for t in found] == [
        ("Remote  Control", 4, 2, "rising"),
        ("Budget", 2, 2, "rising"),
    ]
    where = await topics.list_topic_mentions(db, a.owner, video_id=v2)
    assert sorted((m.topic_name, m.start_ms) for m in where) == [
        ("Budget", 5000),
        ("Remote  Control", 0),
        ("Remote  Control", 2000),
    ]
    assert await topics.refresh_topics(db, a.owner) == 2
    with pytest.raises(Forbidden):
        await topics.delete_topic(db, a.member, found[0].id)


async def test_worker_upkeep_recomputes_trends_that_aged(
    db: Database, owner_db: Database, migrated_url: str, tenants: tuple[Tenant, Tenant]
) -> None:
    """A trend is a function of time: mentions that were recent a month ago are not any more.
    The worker's upkeep recomputes trends older than trend_max_age_hours, in every organization,
    and leaves fresher ones alone."""
    a, b = tenants
    for t in (a, b):
        vid = await make_video(db, t.owner, "weekly", duration_ms=60_000)
        await layers.create_layer(db, t.owner, vid, LayerCreate(
            kind=LayerKind.topics, model="m", topics=[TopicMentionIn(topic="Budget", start_ms=0, end_ms=1000)]))
    async with owner_db.transaction() as conn:
        # the mentions are six weeks old now (their trigger recomputes: declining) ...
        await conn.execute("UPDATE ai_topic_mentions SET mentioned_at = now() - interval '42 days'")
        # ... and then both trends are stale: still 'rising', one computed two days ago, one just now
        await conn.execute("UPDATE ai_topics SET trend_score = 100, trend_computed_at = now() - interval '2 days'"
                           " WHERE organization_id = %s", (a.owner.organization_id,))
        await conn.execute("UPDATE ai_topics SET trend_score = 100, trend_computed_at = now()"
                           " WHERE organization_id = %s", (b.owner.organization_id,))
    import mediabase.insights.jobs
    import mediabase.search.jobs  # noqa: F401 - registers the built-in handler a worker needs

    worker = Worker(db, JobSettings(trend_max_age_hours=24), maintenance_url=migrated_url)
    await worker._upkeep()
    [mine] = await topics.list_topics(db, a.owner)
    [theirs] = await topics.list_topics(db, b.owner)
    assert (mine.trend_score, mine.trend.value) == (-100, "declining")  # recomputed: the month went by
    assert (theirs.trend_score, theirs.trend.value) == (100, "rising")  # computed just now: left alone


async def test_action_items(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    vid = await make_video(db, a.member, "standup", duration_ms=60_000)
    mine = await topics.create_action_item(
        db,
        a.member,
        vid,
        ActionItemCreate(title="Write the spec", assignee_user_id=a.owner.user_id, start_ms=1000, end_ms=2000),
    )
    assert [n.kind for n in await feed.list_notifications(db, a.owner)] == ["action_item"]
    done = await topics.update_action_item(db, a.owner, mine.id, ActionItemUpdate(status=ActionStatus.completed))
    assert done.completed_by == a.owner.user_id and done.completed_at is not None
    reopened = await topics.update_action_item(db, a.member, mine.id, ActionItemUpdate(status=ActionStatus.pending))
    assert (reopened.completed_at, reopened.completed_by) == (None, None)
    with pytest.raises(Invalid, match="member"):
        await topics.update_action_item(db, a.member, mine.id, ActionItemUpdate(assignee_user_id=b.owner.user_id))
    ai = await layers.create_layer(
        db,
        a.member,
        vid,
        LayerCreate(
            kind=LayerKind.action_items,
            model="m",
            action_items=[
                ActionItemIn(title="Order parts", assignee="Industrial Designer", priority="high", start_ms=3000)
            ],
        ),
    )
    items = await topics.list_action_items(db, a.owner, video_id=vid)
    assert [(i.title, i.layer_id) for i in items] == [("Order parts", ai.id), ("Write the spec", None)]
    with pytest.raises(Forbidden):  # an AI item belongs to nobody: its assignee or an ADMIN changes it
        await topics.update_action_item(db, a.member, items[0].id, ActionItemUpdate(title="mine now"))
    with pytest.raises(NotFound):
        await topics.get_action_item(db, b.owner, mine.id)


async def test_other_tenants_ids_answer_not_found(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    d = await decisions.create_decision(db, a.owner, DecisionCreate(summary="alpha only"))
    for call in (
        decisions.get_decision(db, b.owner, d.id),
        decisions.list_decision_edits(db, b.owner, d.id),
        decisions.update_decision(db, b.owner, d.id, DecisionUpdate(summary="x")),
        decisions.delete_decision(db, b.owner, d.id),
    ):
        with pytest.raises(NotFound):
            await call
    other = await decisions.create_decision(db, b.owner, DecisionCreate(summary="bravo"))
    with pytest.raises(NotFound):
        await decisions.create_decision_link(db, a.owner, d.id, DecisionLinkCreate(target_decision_id=other.id))
    with pytest.raises(NotFound):
        await decisions.update_decision(db, a.owner, d.id, DecisionUpdate(superseded_by=other.id))
    assert (await decisions.get_decision(db, a.owner, d.id)).edit_count == 0  # the failures wrote nothing


async def test_failed_layer_writes_nothing(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "short", duration_ms=5_000)
    with pytest.raises(Invalid, match="after the end of the video"):
        await layers.create_layer(
            db,
            a.owner,
            vid,
            LayerCreate(
                kind=LayerKind.decisions,
                model="m",
                decisions=[DecisionIn(summary="ok", position_ms=10), DecisionIn(summary="too late", position_ms=9_000)],
            ),
        )
    async with owner_db.transaction() as conn:
        counts = await (
            await conn.execute(
                "SELECT (SELECT count(*) FROM ai_layers) AS layers, (SELECT count(*) FROM decisions) AS decisions"
            )
        ).fetchone()
    assert counts == {"layers": 0, "decisions": 0}
