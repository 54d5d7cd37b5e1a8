"""Seed data sets: deterministic, idempotent, no real personal data.

This package sits above the domains (it calls their services: identity, transcripts,
insights), so the ground (``db/``) imports none of them (docs/contributing.md).

Each seed is an async function taking a system (owner) :class:`Database` and returning a
one-line summary. ``demo`` is what ``mediabase up`` loads into an empty database: the four
AMI ES2002 design-team meetings (CC BY 4.0, see ``ami_es2002/ATTRIBUTION.md``), with real
speakers, in the organization ``demo``; and the story community ``tales`` (public domain,
:mod:`mediabase.demo.stories`); and the artist organization ``demo-artist`` of the music
marketplace (:mod:`mediabase.demo.music`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path

from mediabase.db.connection import Database

Seed = Callable[[Database], Awaitable[str]]
DEMO_SLUG = "demo"


def demo_corpus() -> Path:
    return Path(str(resources.files("mediabase.demo").joinpath("ami_es2002")))


async def _ensure_org(system: Database, slug: str, name: str) -> None:
    from mediabase.db.errors import NotFound
    from mediabase.identity import service as identity
    from mediabase.identity.models import OrganizationCreate

    try:
        await identity.organization_by_slug(system, slug)
    except NotFound:
        operator = await identity.operator_user(system)
        await identity.create_organization(system, OrganizationCreate(name=name, slug=slug), operator.id)


async def demo(system: Database) -> str:
    """Organization 'demo' with the AMI ES2002 meetings; meetings already there are kept."""
    from mediabase.identity import service as identity
    from mediabase.transcripts import ingest as bulk

    await _ensure_org(system, DEMO_SLUG, "Demo: AMI remote-control design team")
    principal = await identity.acting_owner(system, DEMO_SLUG)
    async with system.transaction(principal.organization_id) as conn:
        have = {
            r["m"]
            for r in await (
                await conn.execute(
                    "SELECT metadata->>'meeting_id' AS m FROM videos WHERE organization_id = %s",
                    (principal.organization_id,),
                )
            ).fetchall()
        }
    items = (
        i
        for i in bulk.discover([demo_corpus()], fmt="ami")
        if i.video is None or i.video.metadata.get("meeting_id") not in have
    )
    outcomes = await bulk.ingest(system, principal, items)
    errors = [o.error for o in outcomes if o.error]
    if errors:
        from mediabase.db.errors import MediabaseError

        raise MediabaseError("demo seed failed: " + "; ".join(e for e in errors if e))
    loaded = sum(o.segments for o in outcomes)
    layers, links, unplaced = await demo_annotations(system)
    without = (
        f"; {len(unplaced)} decisions or action items have no moment, because the corpus links no"
        f" dialogue act to their sentence: {', '.join(unplaced)}"
        if unplaced else ""
    )
    from mediabase.demo.analytics import analytics_demo
    from mediabase.demo.knowledge import knowledge_demo
    from mediabase.demo.music import music_demo
    from mediabase.demo.stories import stories_demo

    return (
        f"demo seed: organization '{DEMO_SLUG}' has the AMI ES2002 meetings "
        f"({len(outcomes)} loaded now, {loaded} segments; {len(have)} were already there; "
        f"{layers} annotation layers and {links} decision links added{without}); {await stories_demo(system)};"
        f" {await music_demo(system)}; {await analytics_demo(system, DEMO_SLUG)};"
        f" {await knowledge_demo(system, DEMO_SLUG)}"
    )


async def demo_annotations(system: Database) -> tuple[int, int, list[str]]:
    """The AMI meetings' topics, abstractive summaries, decisions and action items as AI layers
    of source 'AMI annotations', each decision and action item at the moment it was discussed;
    idempotent (a meeting keeps the layers it has)."""
    from mediabase.identity import service as identity
    from mediabase.insights.ami import load_annotations

    principal = await identity.acting_owner(system, DEMO_SLUG)
    return await load_annotations(system, principal, demo_corpus())


async def test(system: Database) -> str:
    """Organizations 'test-a' and 'test-b', each with one short video and transcript."""
    from mediabase.identity import service as identity
    from mediabase.media.models import VideoCreate
    from mediabase.transcripts.formats import ParsedTranscript, Segment
    from mediabase.transcripts.service import ingest_new_video

    made = 0
    for slug, words in (("test-a", ["alpha", "remote control price"]), ("test-b", ["bravo", "budget"])):
        await _ensure_org(system, slug, f"Test {slug[-1].upper()}")
        p = await identity.acting_owner(system, slug)
        async with system.transaction(p.organization_id) as conn:
            exists = await (
                await conn.execute(
                    "SELECT 1 FROM videos WHERE organization_id = %s AND title = 'seed video'", (p.organization_id,)
                )
            ).fetchone()
        if exists:
            continue
        parsed = ParsedTranscript(
            format="json",
            source="seed",
            segments=[
                Segment(
                    start_ms=i * 2000, end_ms=i * 2000 + 1500, text=f"{w} segment {i}", speaker="A" if i % 2 else "B"
                )
                for i, w in enumerate(words)
            ],
        )
        await ingest_new_video(system, p, VideoCreate(title="seed video", language="en"), parsed)
        made += 1
    return f"test seed: {made} video(s) created in test-a/test-b"


async def music(system: Database) -> str:
    """Organization 'demo-artist' alone: the demo music marketplace (:mod:`mediabase.demo.music`)."""
    from mediabase.demo.music import music_demo

    return await music_demo(system)


SEEDS: dict[str, Seed] = {"demo": demo, "test": test, "music": music}


async def load_demo_if_empty(system: Database) -> str:
    """Load the demo seed unless the database already holds videos."""
    async with system.transaction() as conn:
        row = await (await conn.execute("SELECT EXISTS (SELECT FROM videos) AS any")).fetchone()
    if row and row["any"]:
        return "database has data; demo seed not loaded (run 'mediabase seed demo' to add it)"
    return await demo(system)
