"""The relevance cut-off of semantic and hybrid search (search/cutoff.py, docs/search.md "The
cut-off"), with the real embedding model: a query that one moment answers gets that moment, not
nine more of small talk; pages and cursors end where the cut-off does; the request's values
override the settings', and a cursor belongs to its cut-off."""

from __future__ import annotations

import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import Invalid
from mediabase.identity.models import Principal
from mediabase.media.models import VideoCreate
from mediabase.search import SearchMode, SearchRequest, search
from mediabase.search.indexing import reindex
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video
from tests.conftest import make_settings
from tests.factories import Tenant

pytestmark = pytest.mark.timeout(600)

FILLER = ["Yep.", "Okay.", "Mm-hmm.", "Right.", "Yeah, okay.", "Sure.", "Uh-huh.", "Alright then.", "Okay, yeah.",
          "Yes.", "Hmm.", "Yeah."]
BATTERY = ["The kinetic battery charges itself when you shake the remote.",
           "Solar cells could keep the battery charged for years.",
           "A rechargeable battery would add two euros to the cost.",
           "We need a battery that lasts at least a year."]


def talk(lines: list[str]) -> ParsedTranscript:
    return ParsedTranscript(format="json", source="t", language="en", segments=[
        Segment(start_ms=i * 2000, end_ms=i * 2000 + 1500, text=t, speaker="AB"[i % 2]) for i, t in enumerate(lines)])


@pytest.fixture
async def small_talk(db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> Principal:
    """Eight meetings of small talk, four of them with one sentence about batteries; embedded."""
    p = tenants[0].owner
    for i in range(8):
        lines = [FILLER[(i + j) % len(FILLER)] for j in range(60)]
        if i < len(BATTERY):
            lines[30] = BATTERY[i]
        await ingest_new_video(db, p, VideoCreate(title=f"Meeting {i}", language="en"), talk(lines))
    report = await reindex(owner_db, make_settings(db.url), org_ids=[p.organization_id])
    assert report.embedded == report.chunks > 8
    return p


async def test_one_keyword_match_comes_back_alone(db: Database, small_talk: Principal) -> None:
    p = small_talk
    for mode in (SearchMode.hybrid, SearchMode.semantic):
        page = await search(db, p, SearchRequest(q="kinetic battery", mode=mode))
        assert page.hits and len(page.hits) < 10, (mode, [h.text for h in page.hits])
        assert page.hits[0].video_title == "Meeting 0" and "kinetic" in page.hits[0].text
        # what is left is about batteries, never a chunk of small talk alone
        assert all("battery" in h.text for h in page.hits), (mode, [h.text for h in page.hits])
        assert page.next_cursor is None and any("cut-off" in n for n in page.notices)
        # without the cut-off the page fills up with "Yep." and "Okay."
        uncut = await search(db, p, SearchRequest(q="kinetic battery", mode=mode, min_similarity=-1, score_floor=0))
        assert len(uncut.hits) == 10 and not all("battery" in h.text for h in uncut.hits)
        assert not any("cut-off" in n for n in uncut.notices)


async def test_a_question_nobody_asked_gets_no_semantic_hits(db: Database, small_talk: Principal) -> None:
    page = await search(db, small_talk, SearchRequest(q="symptoms of influenza", mode=SearchMode.semantic))
    assert page.hits == [], [(h.score, h.text) for h in page.hits]
    page = await search(db, small_talk, SearchRequest(q="symptoms of influenza", mode=SearchMode.hybrid))
    assert page.hits == []  # no keyword match either


@pytest.mark.parametrize("mode", [SearchMode.semantic, SearchMode.hybrid])
async def test_pages_end_where_the_cut_off_does(db: Database, small_talk: Principal, mode: SearchMode) -> None:
    p = small_talk
    req = SearchRequest(q="battery life", mode=mode, min_similarity=0.2, score_floor=0.5, limit=2)
    everything = await search(db, p, req.model_copy(update={"limit": 100}))
    assert 2 < len(everything.hits) < 100 and everything.next_cursor is None
    pages, cursor = [], None
    while True:
        page = await search(db, p, req.model_copy(update={"cursor": cursor}))
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            break
    hits = [h for page in pages for h in page.hits]
    assert [(h.kind, h.chunk_id, h.segment_id) for h in hits] == \
        [(h.kind, h.chunk_id, h.segment_id) for h in everything.hits]
    assert all(len(page.hits) == 2 for page in pages[:-1]) and len(pages[-1].hits) <= 2
    if mode is SearchMode.semantic:
        assert all(h.score >= 0.2 for h in hits)
    else:
        assert all(h.score >= 0.5 * hits[0].score for h in hits)
    # a cursor belongs to its cut-off
    assert pages[0].next_cursor is not None
    with pytest.raises(Invalid, match="another search"):
        await search(db, p, req.model_copy(update={"cursor": pages[0].next_cursor, "min_similarity": 0.1}))


async def test_the_settings_give_the_defaults(db: Database, small_talk: Principal) -> None:
    p = small_talk
    loose = make_settings(db.url, search_min_similarity=-1, search_score_floor=0)
    page = await search(db, p, SearchRequest(q="kinetic battery", mode=SearchMode.hybrid), settings=loose)
    assert len(page.hits) == 10
    strict = make_settings(db.url, search_min_similarity=0.9, search_score_floor=1)
    page = await search(db, p, SearchRequest(q="kinetic battery", mode=SearchMode.semantic), settings=strict)
    assert page.hits == []
    # the request's values win over the settings'
    page = await search(db, p, SearchRequest(q="kinetic battery", mode=SearchMode.semantic, min_similarity=-1),
                        settings=strict)
    assert len(page.hits) == 10
