"""Keyword search over a community's story texts: ideas (title, prompt, tags), scenes (title,
description), story segments (the member's text, the expanded script) and the scenes' latest
bibles (docs/stories.md, "Search").

It speaks the language of mediabase's search (docs/search.md): the same query syntax
(``websearch_to_tsquery``: words, ``"a phrase"``, ``or``, ``-word``; ``match=any`` for any of
the words), the same cleaning of the query, the language rule (every text matched with the query
parsed by its own text-search configuration), ``ts_rank_cd`` with field weights, snippets with
the matches in ``<mark>`` computed for the page only, and an opaque keyset cursor on
(score, kind, id). It answers its own hits (:class:`~mediabase.stories.models.StoryHit`): a
story text is no moment of a video, so ``GET /search`` keeps its shape and ``GET
/story-search`` (and ``/public/{slug}/story-search``) answers these.

Only what the caller may read is found: members find active ideas that are not rejected, active
and locked scenes, their active segments and latest bibles; the public read path finds what is
published (approved ideas in active topics, their scenes, segments and bibles). The matching
runs in the SQL function ``story_match`` (0024), for the transaction's tenant only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from mediabase.common.cursors import pack, unpack
from mediabase.common.errors import Invalid
from mediabase.db.connection import Database
from mediabase.db.rows import Conn, fetch_one_or_404, sql
from mediabase.identity.models import Principal
from mediabase.search.models import Match
from mediabase.search.service import HL_OPTS
from mediabase.search.text import MAX_QUERY_CHARS, any_terms, clean_query, snippet_html
from mediabase.stories.models import StoryHit, StoryHitKind, StorySearchPage
from mediabase.stories.public import fetch_published_org
from mediabase.stories.scenes import fetch_readable_scene
from mediabase.stories.service import Q, _columns

MAX_LIMIT = 100
NO_WORDS = "the query has no searchable words (only stop words or punctuation)"


def _request(q: str, kinds: Sequence[StoryHitKind] | None, limit: int) -> tuple[str, list[str]]:
    """The cleaned query and the kinds asked for (all by default); Invalid for bad input."""
    if len(q) > MAX_QUERY_CHARS:
        raise Invalid(f"the query is longer than {MAX_QUERY_CHARS} characters", field="q")
    text = clean_query(q)
    if not text:
        raise Invalid("the query is empty", field="q")
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    wanted = [StoryHitKind(k).value for k in (kinds or list(StoryHitKind))]
    return text, sorted(set(wanted))


def _fingerprint(q: str, kinds: list[str], match: Match, topic: UUID | None, scene: UUID | None,
                 public: bool) -> str:
    data = json.dumps([q, kinds, match.value, str(topic), str(scene), public])
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _after(cursor: str | None, fp: str, kinds: list[str]) -> dict[str, Any]:
    """The cursor as the parameters c_score, c_kind, c_id (all None on the first page)."""
    if cursor is None:
        return {"c_score": None, "c_kind": None, "c_id": None}
    body = unpack(cursor, "malformed cursor")
    if not isinstance(body, dict) or body.get("f") != fp:
        raise Invalid("this cursor belongs to another search (query, kinds or filters differ)", field="cursor")
    try:
        score, kind, last = float(body["s"]), str(body["k"]), UUID(str(body["i"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise Invalid("malformed cursor", field="cursor") from exc
    if kind not in kinds:
        raise Invalid("malformed cursor", field="cursor")
    return {"c_score": score, "c_kind": kind, "c_id": last}


async def parse_story_query(conn: Conn, org: UUID, q: str, match: Match) -> tuple[list[int], list[str]]:
    """The configurations the organization's story texts use and ``q`` parsed by each (for
    ``match=any``: any of its words); those where no word is left are skipped."""
    text = any_terms(q) if match is Match.any else q
    if not text:
        return [], []
    rows = await (await conn.execute(Q.search_configs, {"org": org, "q": text})).fetchall()
    return [r["cfg"] for r in rows], [r["tsq"] for r in rows]


def search_sql(org: UUID, cfgs: list[int], tsqs: list[str], *, kinds: list[str], public: bool,
               topic: UUID | None, scene: UUID | None, limit: int,
               after: dict[str, Any]) -> tuple[sql.SQL, dict[str, Any]]:
    """The statement (and its parameters) of one page: ``limit + 1`` rows (one more says there
    is a next page)."""
    return sql.SQL(Q.search_page), {
        "org": org, "cfgs": cfgs, "tsqs": tsqs, "kinds": kinds, "public": public, "topic": topic,
        "scene": scene, "n": limit + 1, "hl_opts": HL_OPTS, **after,
    }


async def _page(conn: Conn, org: UUID, q: str, kinds: list[str], match: Match, *, public: bool,
                topic: UUID | None, scene: UUID | None, limit: int, cursor: str | None) -> StorySearchPage:
    fp = _fingerprint(q, kinds, match, topic, scene, public)
    after = _after(cursor, fp, kinds)
    page = StorySearchPage(query=q, hits=[])
    cfgs, tsqs = await parse_story_query(conn, org, q, match)
    if not cfgs:
        page.notices.append(NO_WORDS)
        return page
    stmt, params = search_sql(org, cfgs, tsqs, kinds=kinds, public=public, topic=topic, scene=scene, limit=limit,
                              after=after)
    rows = await (await conn.execute(stmt, params)).fetchall()
    page.hits = [StoryHit(kind=r["kind"], id=r["id"], topic_id=r["topic_id"], idea_id=r["idea_id"],
                          scene_id=r["scene_id"], sequence=r["sequence"], version=r["version"], title=r["title"],
                          snippet=snippet_html(r["snippet"] or ""), score=r["score"])
                 for r in rows[:limit]]
    if len(rows) > limit:
        last = page.hits[-1]
        page.next_cursor = pack({"f": fp, "s": last.score, "k": last.kind.value, "i": str(last.id)})
    return page


async def search_stories(
    db: Database, p: Principal, q: str, *, kinds: Sequence[StoryHitKind] | None = None,
    topic_id: UUID | None = None, scene_id: UUID | None = None, match: Match = Match.all, limit: int = 10,
    cursor: str | None = None,
) -> StorySearchPage:
    """The caller's community's story texts that match ``q``, best first (``topic_id``: that
    topic's only; ``scene_id``: that scene, its segments and bible)."""
    text, wanted = _request(q, kinds, limit)
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        if topic_id is not None:
            await fetch_one_or_404(conn, _columns(Q.topic_columns), {"org": org, "id": topic_id}, "topic")
        if scene_id is not None:
            await fetch_readable_scene(conn, p, scene_id)
        return await _page(conn, org, text, wanted, match, public=False, topic=topic_id, scene=scene_id,
                           limit=limit, cursor=cursor)


async def search_public_stories(
    db: Database, system: Database, slug: str, q: str, *, kinds: Sequence[StoryHitKind] | None = None,
    topic_id: UUID | None = None, scene_id: UUID | None = None, match: Match = Match.all, limit: int = 10,
    cursor: str | None = None,
) -> StorySearchPage:
    """A published community's published story texts that match ``q`` (no key; the same hits a
    member would get, narrowed to approved ideas in active topics and their scenes)."""
    text, wanted = _request(q, kinds, limit)
    org = await fetch_published_org(system, slug)
    async with db.transaction(org, readonly=True) as conn:
        if topic_id is not None:
            await fetch_one_or_404(conn, Q.public_topic, {"org": org, "id": topic_id}, "topic")
        if scene_id is not None:
            await fetch_one_or_404(conn, Q.public_scene, {"org": org, "id": scene_id}, "scene")
        return await _page(conn, org, text, wanted, match, public=True, topic=topic_id, scene=scene_id,
                           limit=limit, cursor=cursor)
