"""Keyword search against a real PostgreSQL: matching, languages, ranking, snippets, filters,
cursors, grouping, and what must never be found (old transcripts, deleted videos)."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from mediabase.db.connection import Database
from mediabase.db.errors import Invalid
from mediabase.identity.models import Principal
from mediabase.media import service as media
from mediabase.media.models import GroupCreate, GroupKind, PersonCreate, SpeakerUpdate, VideoCreate
from mediabase.search import SearchFilters, SearchMode, SearchRequest, search
from mediabase.search.models import Match
from mediabase.transcripts.formats import ParsedTranscript, Segment
from mediabase.transcripts.service import ingest_new_video, ingest_transcript
from tests.factories import Tenant

KW = SearchMode.keyword


def parsed(lines: list[tuple[str, str]], *, step: int = 10_000, language: str | None = None) -> ParsedTranscript:
    return ParsedTranscript(format="json", source="test", language=language, segments=[
        Segment(start_ms=i * step, end_ms=i * step + step - 1000, text=text, speaker=speaker)
        for i, (speaker, text) in enumerate(lines)])


async def video(db: Database, p: Principal, title: str, lines: list[tuple[str, str]], **kw: object) -> UUID:
    language = kw.pop("transcript_language", None)
    kw.setdefault("language", "en")
    result = await ingest_new_video(db, p, VideoCreate(title=title, **kw),  # type: ignore[arg-type]
                                    parsed(lines, language=language))  # type: ignore[arg-type]
    return result.video_id


async def kw(db: Database, p: Principal, q: str, **kw: object) -> list[tuple[str, str, int]]:
    page = await search(db, p, SearchRequest(q=q, mode=KW, **kw))  # type: ignore[arg-type]
    return [(h.kind, h.video_title, h.start_ms) for h in page.hits]


async def test_finds_the_moment_with_speaker_snippet_and_link(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    vid = await video(db, p, "Kick-off", [
        ("PM", "Welcome everyone to the kick-off."),
        ("ME", "The selling price is twenty five euros, production cost twelve fifty."),
        ("ID", "I think <b>rubber</b> buttons are nicer & cheaper."),
    ])
    page = await search(db, p, SearchRequest(q="production costs", mode=KW))
    assert page.mode is SearchMode.keyword and page.model is None
    [hit] = page.hits
    assert (hit.kind, hit.video_id, hit.video_title, hit.speaker, hit.start_ms, hit.end_ms) == (
        "segment", vid, "Kick-off", "ME", 10_000, 19_000)
    assert hit.segment_id is not None and hit.transcript_id is not None and hit.chunk_id is None
    assert "<mark>production</mark> <mark>cost</mark>" in hit.snippet
    assert hit.text.startswith("The selling price")
    assert hit.deep_link == f"/videos/{vid}/segments?from_ms=10000&to_ms=19000"
    assert hit.score > 0
    # the snippet is HTML-safe: the transcript's markup is escaped or dropped, never passed on
    [rubber] = (await search(db, p, SearchRequest(q="rubber", mode=KW))).hits
    assert "<mark>rubber</mark>" in rubber.snippet and "<b>" not in rubber.snippet


async def test_media_url_deep_link_carries_the_time(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    await video(db, p, "Clip", [("A", "intro"), ("A", "the kinetic battery")],
                media_url="https://cdn.example.com/v/1.mp4#old")
    [hit] = (await search(db, p, SearchRequest(q="kinetic", mode=KW))).hits
    assert hit.deep_link == "https://cdn.example.com/v/1.mp4#t=10"


async def test_each_row_is_matched_with_its_own_language(db: Database, owner_db: Database,
                                                         tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    await video(db, p, "English", [("A", "The remotes are running late")], language="en")
    await video(db, p, "Deutsch", [("A", "Die Fernbedienungen sind teuer")], language="de")
    await video(db, p, "Unknown", [("A", "remotes running fernbedienungen")], language="xx")
    async with owner_db.transaction() as conn:
        rows = await (await conn.execute(
            "SELECT v.title, s.ts_config::text AS cfg FROM transcript_segments s JOIN videos v"
            " ON v.organization_id = s.organization_id AND v.id = s.video_id WHERE s.organization_id = %s",
            (p.organization_id,))).fetchall()
    assert {r["title"]: r["cfg"] for r in rows} == {"English": "english", "Deutsch": "german", "Unknown": "simple"}
    # English stemming: 'remote' and 'run' find 'remotes' and 'running' in English rows only
    assert await kw(db, p, "remote run") == [("segment", "English", 0)]
    # German stemming for German rows: the singular finds the plural
    assert await kw(db, p, "Fernbedienung") == [("segment", "Deutsch", 0)]
    # 'simple' rows match exact words only
    assert sorted(t for _, t, _ in await kw(db, p, "fernbedienungen")) == ["Deutsch", "Unknown"]
    # a language filter parses with that language only
    assert await kw(db, p, "Fernbedienung", filters=SearchFilters(language="en")) == []


async def test_websearch_syntax_and_relaxation(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    await video(db, p, "Syntax", [
        ("A", "the remote control is yellow"),
        ("A", "control the remote from afar"),
        ("A", "the price of the remote"),
    ])
    assert len(await kw(db, p, '"remote control"')) == 1
    assert sorted(s for _, _, s in await kw(db, p, "remote -price")) == [0, 10_000]
    assert sorted(s for _, _, s in await kw(db, p, "yellow or afar")) == [0, 10_000]
    # every word, or (when no moment has them all) any of them, flagged as relaxed
    page = await search(db, p, SearchRequest(q="yellow price", mode=KW))
    assert page.relaxed and sorted(h.start_ms for h in page.hits) == [0, 20_000]
    page = await search(db, p, SearchRequest(q="yellow price", mode=KW, match=Match.any))
    assert len(page.hits) == 2
    # stop words only, punctuation only: an empty answer that says why
    for q in ["the and of", "!!! ???", "-", '"']:
        page = await search(db, p, SearchRequest(q=q, mode=KW))
        assert page.hits == [] and page.notices, q
    with pytest.raises(Invalid):
        await search(db, p, SearchRequest(q="\x00\x01 ", mode=KW))


async def test_title_tags_and_description_are_weighted_video_hits(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    titled = await video(db, p, "Kinetic battery review", [("A", "intro")], tags=["Energy"])
    await video(db, p, "Other", [("A", "we could use a kinetic battery maybe")])
    page = await search(db, p, SearchRequest(q="kinetic battery", mode=KW))
    assert [(h.kind, h.video_title) for h in page.hits] == [("video", "Kinetic battery review"),
                                                           ("segment", "Other")]
    assert page.hits[0].start_ms == 0 and "<mark>Kinetic</mark>" in page.hits[0].snippet
    # tags are searchable (kept in videos.search_tags by a trigger on video_tags)
    assert [h.video_id for h in (await search(db, p, SearchRequest(q="energy", mode=KW))).hits] == [titled]
    await media.update_tags(db, p, titled, add=["solar"], remove=["Energy"])
    assert (await search(db, p, SearchRequest(q="energy", mode=KW))).hits == []
    assert [h.video_id for h in (await search(db, p, SearchRequest(q="solar", mode=KW))).hits] == [titled]


async def test_filters(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    channel = await media.create_group(db, p, GroupKind.channels, GroupCreate(name="Design"))
    series = await media.create_group(db, p, GroupKind.series, GroupCreate(name="Season 1"))
    coll = await media.create_group(db, p, GroupKind.collections, GroupCreate(name="Best of"))
    a = await video(db, p, "A", [("PM", "budget talk"), ("ID", "budget again")], channel_id=channel.id,
                    series_id=series.id, tags=["x", "y"], recorded_at=datetime(2024, 1, 10, tzinfo=UTC),
                    language="en")
    b = await video(db, p, "B", [("PM", "budget talk")], collection_id=coll.id, tags=["x"],
                    recorded_at=datetime(2025, 1, 10, tzinfo=UTC), language="de")

    async def titles(**f: object) -> list[tuple[str, int]]:
        page = await search(db, p, SearchRequest(q="budget", mode=KW, filters=SearchFilters(**f)))  # type: ignore[arg-type]
        return sorted((h.video_title, h.start_ms) for h in page.hits)

    assert await titles() == [("A", 0), ("A", 10_000), ("B", 0)]
    assert await titles(video_ids=[b]) == [("B", 0)]
    assert await titles(channel_id=channel.id) == await titles(series_id=series.id) == [("A", 0), ("A", 10_000)]
    assert await titles(collection_id=coll.id) == [("B", 0)]
    assert await titles(tags=["X"]) == [("A", 0), ("A", 10_000), ("B", 0)]
    assert await titles(tags=["x", "y"]) == [("A", 0), ("A", 10_000)]
    assert await titles(recorded_from=datetime(2025, 1, 1, tzinfo=UTC)) == [("B", 0)]
    assert await titles(recorded_to=datetime(2025, 1, 1, tzinfo=UTC)) == [("A", 0), ("A", 10_000)]
    assert await titles(speaker="id") == [("A", 10_000)]
    assert await titles(from_ms=9_500) == [("A", 10_000)]
    assert await titles(to_ms=5_000) == [("A", 0), ("B", 0)]
    assert await titles(speaker="nobody") == []
    # speakers by id and by person
    speakers = {s.label: s for s in await media.list_speakers(db, p, a)}
    assert await titles(speaker_ids=[speakers["PM"].id]) == [("A", 0)]
    person = await media.create_person(db, p, PersonCreate(name="Pat"))
    await media.update_speaker(db, p, a, speakers["ID"].id, SpeakerUpdate(display_name="Pat M", person_id=person.id))
    assert await titles(person_ids=[person.id]) == [("A", 10_000)]
    assert await titles(speaker="pat m") == [("A", 10_000)]


async def test_cursor_pages_through_every_hit_once(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    for v in range(3):
        await video(db, p, f"V{v}", [("A", "remote " * (1 + i % 4) + f"filler {i}") for i in range(9)])
    everything = (await search(db, p, SearchRequest(q="remote", mode=KW, limit=100))).hits
    assert len(everything) == 27
    assert [h.score for h in everything] == sorted((h.score for h in everything), reverse=True)
    seen = []
    req = SearchRequest(q="remote", mode=KW, limit=10)
    while True:
        page = await search(db, p, req)
        seen.extend(page.hits)
        if page.next_cursor is None:
            break
        req = req.model_copy(update={"cursor": page.next_cursor})
    assert [h.segment_id for h in seen] == [h.segment_id for h in everything]
    with pytest.raises(Invalid, match="another search"):
        await search(db, p, SearchRequest(q="filler", mode=KW, cursor=req.cursor))


async def test_group_by_video(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    for v, n in (("few", 1), ("many", 5), ("some", 3)):
        await video(db, p, v, [("A", "battery " * (i + 1)) for i in range(n)] + [("B", "nothing")])
    page = await search(db, p, SearchRequest(q="battery", mode=KW, group_by_video=True, per_video=2, limit=2))
    assert page.groups is not None
    assert [g.video_title for g in page.groups] == ["many", "some"]
    assert [len(g.hits) for g in page.groups] == [2, 2]
    assert all(g.score == g.hits[0].score for g in page.groups)
    nxt = await search(db, p, SearchRequest(q="battery", mode=KW, group_by_video=True, per_video=2, limit=2,
                                            cursor=page.next_cursor))
    assert nxt.groups is not None and [g.video_title for g in nxt.groups] == ["few"]
    assert nxt.next_cursor is None


async def test_only_current_transcripts_of_live_videos(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    vid = await video(db, p, "Versions", [("A", "the first draft mentions pineapple")])
    assert len(await kw(db, p, "pineapple")) == 1
    await ingest_transcript(db, p, vid, parsed([("A", "the second draft mentions mango")]))
    assert await kw(db, p, "pineapple") == []
    assert len(await kw(db, p, "mango")) == 1
    await media.delete_video(db, p, vid)
    assert await kw(db, p, "mango") == [] and await kw(db, p, "versions") == []


async def test_a_page_is_never_cut_short_by_better_ranked_dead_rows(
        db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    """The matching stops after a page of live rows: old transcripts and deleted videos that
    outrank every live row are skipped without costing the page any of its hits."""
    p = tenants[0].owner
    dense = [("A", "kiwi " * 6) for _ in range(6)]
    old = await video(db, p, "Old", dense)
    await ingest_transcript(db, p, old, parsed([("A", f"one kiwi and filler {i}") for i in range(3)]))
    gone = await video(db, p, "Gone", dense)
    await media.delete_video(db, p, gone)
    await video(db, p, "Live", [("A", f"kiwi with filler words {i}") for i in range(4)])
    seen: list[tuple[str, str, int]] = []
    req = SearchRequest(q="kiwi", mode=KW, limit=2)
    while True:
        page = await search(db, p, req)
        assert len(page.hits) == 2 or page.next_cursor is None
        seen.extend((h.kind, h.video_title, h.start_ms) for h in page.hits)
        if page.next_cursor is None:
            break
        req = req.model_copy(update={"cursor": page.next_cursor})
    assert sorted(seen) == sorted([("segment", "Old", i * 10_000) for i in range(3)]
                                  + [("segment", "Live", i * 10_000) for i in range(4)])


async def test_segments_written_outside_ingest_get_their_transcripts_config(
        owner_db: Database, db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    p = tenants[0].owner
    vid = await video(db, p, "Manual", [("A", "first")], language="en")
    async with owner_db.transaction(p.organization_id) as conn:
        row = await (await conn.execute("SELECT id FROM transcripts WHERE video_id = %s", (vid,))).fetchone()
        assert row is not None
        await conn.execute(
            "INSERT INTO transcript_segments (organization_id, transcript_id, video_id, seq, start_ms, end_ms, text)"
            " VALUES (%s, %s, %s, 1, 10000, 11000, 'the meetings were running')",
            (p.organization_id, row["id"], vid))
    assert await kw(db, p, "meeting run") == [("segment", "Manual", 10_000)]


async def test_another_organization_is_never_searched(db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    await video(db, a.owner, "Secret", [("A", "the zanzibar plan")])
    assert len(await kw(db, a.owner, "zanzibar")) == 1
    assert len(await kw(db, a.member, "zanzibar")) == 1
    assert await kw(db, b.owner, "zanzibar") == [] and await kw(db, b.owner, "secret") == []
