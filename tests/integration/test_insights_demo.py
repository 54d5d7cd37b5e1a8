"""The demo organization shows the AMI meetings' decisions, action items, topics and summaries,
each decision and action item at the moment it was discussed."""

from __future__ import annotations

from pathlib import Path

from mediabase import demo as seeds
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.insights import ami, decisions, layers, topics
from mediabase.insights.models import DecisionStatus


def test_reading_the_annotations() -> None:
    a = ami.read_meeting(seeds.demo_corpus(), "ES2002a")
    assert a is not None
    assert [s.text for s in a.decisions] == [
        "The remote will sell for 25 Euro.",
        "The remote will be sold on an international scale.",
        "The production costs cannot exceed 12.50 Euro.",
    ]
    first = a.decisions[0].span
    assert first is not None and 0 < first.start_ms < first.end_ms and "selling" in first.text
    assert [ami.assignee(s.text) for s in a.actions] == [
        "Industrial Designer",
        "User Interface Designer",
        "Marketing Expert",
    ]
    assert a.topics and a.topics[0].name == "introduction of participants and their roles"
    assert ami.read_meeting(Path("/nonexistent"), "ES2002a") is None


async def test_demo_seed_loads_the_ami_annotations(owner_db: Database, db: Database) -> None:
    summary = await seeds.demo(owner_db)
    assert "annotation layers" in summary
    p = await identity.acting_owner(owner_db, seeds.DEMO_SLUG)
    log = await decisions.list_decisions(db, p, limit=100)
    assert len(log.items) == 28
    placed = [d for d in log.items if d.position_ms is not None]
    assert len(placed) >= 25 and all(d.video_title and d.video_title.startswith("ES2002") for d in placed)
    price = next(d for d in log.items if d.summary == "The remote will sell for 25 Euro.")
    assert price.video_title == "ES2002a" and 400_000 < (price.position_ms or 0) < 600_000
    # dates tell the truth (issue 23): decided when said in the meeting, not when loaded
    assert price.decided_at is not None and price.decided_at.date().isoformat() == "2004-12-13"
    assert all(d.decided_at is not None and d.decided_at.year < 2010 for d in log.items)
    unplaced = len(log.items) - len(placed)
    assert unplaced == 0 or "have no moment, because the corpus links no dialogue act" in summary
    assert price.context and "selling" in price.context
    # the battery went regular -> kinetic -> not kinetic: a chain of supersessions
    battery = {d.summary: d for d in log.items if "batter" in d.summary}
    assert battery["The remote will use regular batteries."].status is DecisionStatus.superseded
    assert battery["The remote will have a kinetic battery."].status is DecisionStatus.superseded
    assert battery["The remote will not contain a kinetic battery."].status is DecisionStatus.decided
    hits = await decisions.list_decisions(db, p, q="kinetic battery")
    assert {h.summary for h in hits.items} >= {"The remote will have a kinetic battery."}

    items = await topics.list_action_items(db, p)
    assert len(items) == 7 and all(i.start_ms is not None and i.assignee for i in items)
    assert {i.video_title for i in items} == {"ES2002a", "ES2002b", "ES2002c"}
    found = await topics.list_topics(db, p)
    assert len(found) > 20 and any(t.video_count >= 3 for t in found)
    video = next(d.video_id for d in log.items if d.video_title == "ES2002b")
    assert video is not None
    s = await layers.get_summary(db, p, video)
    assert s.source == ami.SOURCE and "remote" in s.summary and s.key_points
    kinds = {layer.kind.value for layer in await layers.list_layers(db, p, video)}
    assert kinds == {"summary", "decisions", "action_items", "topics"}

    again = await seeds.demo(owner_db)  # idempotent
    assert "0 annotation layers and 0 decision links added" in again
    assert len((await decisions.list_decisions(db, p, limit=100)).items) == 28
