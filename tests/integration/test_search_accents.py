"""Keyword search ignores accents and case where the language allows it (0046, docs/search.md
"Accents and case"): `cafe` and `CAFE` find `café`, `café` finds `cafe`, in transcripts, video
titles, story texts and decisions; snippets mark the accented word as written; languages whose
accented letters are letters of their own (Swedish `får` is not `far`) keep them apart."""

from __future__ import annotations

from uuid import UUID

from mediabase.db.connection import Database
from mediabase.identity.models import Principal
from mediabase.insights import decisions
from mediabase.insights.models import DecisionCreate
from mediabase.media.models import VideoCreate
from mediabase.search import SearchMode, SearchRequest, search
from mediabase.stories import service as stories
from mediabase.stories.models import IdeaCreate, TopicCreate
from mediabase.stories.search import search_stories
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video
from tests.factories import Tenant


async def video(db: Database, p: Principal, title: str, texts: list[str], language: str | None) -> UUID:
    parsed = ParsedTranscript(format="json", source="test", language=language, segments=[
        Segment(start_ms=i * 10_000, end_ms=i * 10_000 + 9_000, text=t, speaker="A") for i, t in enumerate(texts)])
    return (await ingest_new_video(db, p, VideoCreate(title=title, language=language), parsed)).video_id


async def found(db: Database, p: Principal, q: str) -> list[tuple[str, str, str]]:
    page = await search(db, p, SearchRequest(q=q, mode=SearchMode.keyword, limit=50))
    return sorted((h.kind, h.video_title, h.snippet) for h in page.hits)


async def test_cafe_finds_cafe_with_and_without_accents_and_case(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    await video(db, p, "Monday", ["We met at the café near the station.", "Nothing else happened."], "en")
    await video(db, p, "Tuesday", ["The cafe was closed, so we went home."], "en")
    for q in ("cafe", "CAFE", "café", "CAFÉ", "Café"):
        hits = await found(db, p, q)
        assert [(kind, title) for kind, title, _ in hits] == [("segment", "Monday"), ("segment", "Tuesday")], q
        # each snippet marks the word as it is written
        assert "<mark>café</mark> near" in hits[0][2] and "<mark>cafe</mark> was" in hits[1][2], hits
    # phrases and the relaxed "most of the words" matching fold the same way
    assert [h[1] for h in await found(db, p, '"the cafe near"')] == ["Monday"]
    page = await search(db, p, SearchRequest(q="CAFÉ station", mode=SearchMode.keyword))
    assert [h.video_title for h in page.hits] == ["Monday", "Tuesday"]  # both words first, then one
    # the other tenant sees none of it
    assert await found(db, tenants[1].owner, "cafe") == []


async def test_titles_unknown_languages_and_languages_that_keep_their_letters(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    await video(db, p, "Résumé writing", ["Tips for the interview."], "fr")
    await video(db, p, "Dessert", ["Crème brûlée, naïve façade."], None)  # no language: 'simple', folded
    await video(db, p, "Sverige", ["Vi får inte glömma det."], "sv")
    # a French title, found without its accents, marked as written
    [title] = await found(db, p, "resume")
    assert title[:2] == ("video", "Résumé writing") and "<mark>Résumé</mark>" in title[2]
    assert [h[1] for h in await found(db, p, "creme brulee")] == ["Dessert"]
    assert [h[1] for h in await found(db, p, "NAIVE facade")] == ["Dessert"]
    # Swedish: å is a letter of its own ('får' gets, 'far' father), so it is not folded
    assert [h[1] for h in await found(db, p, "får")] == ["Sverige"]
    assert await found(db, p, "far") == []


async def test_story_texts_and_decisions_fold_accents_too(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    t = tenants[0]
    topic = await stories.create_topic(db, t.owner, TopicCreate(name="Kitchen", slug="kitchen"))
    idea = await stories.create_idea(db, t.member, IdeaCreate(
        topic_id=topic.id, title="The crème brûlée affair", tags=["dessert"], language="en",
        prompt="A pâtissier of the café in Zürich loses his recipe."))
    for q in ("creme brulee", "PATISSIER", "zurich", "cafe"):
        page = await search_stories(db, t.member, q)
        assert [h.id for h in page.hits] == [idea.id], q
    snippet = (await search_stories(db, t.member, "brulee")).hits[0].snippet
    assert "<mark>brûlée</mark>" in snippet
    await decisions.create_decision(db, t.owner, DecisionCreate(summary="Meet at the café every Friday",
                                                                 context="The façade needs paint."))
    for q in ("cafe", "CAFÉ", "facade"):
        page = await decisions.list_decisions(db, t.owner, q=q)
        assert [d.summary for d in page.items] == ["Meet at the café every Friday"], q
