"""Search: keyword, semantic and hybrid, over one organization's transcripts and videos.

``search(db, principal, SearchRequest(q=...))`` answers a :class:`SearchPage` of moments.

* keyword: segments (and videos' title, tags, description) whose generated ``search_vector``
  matches ``websearch_to_tsquery``; every row is matched and ranked with the query parsed by
  its own text-search configuration; ranked by ``ts_rank_cd`` with field weights; exact over
  all matches, paged by a (score, kind, id) cursor, snippets computed for the page only.
* semantic: the chunks nearest the query's vector (HNSW, iterative scan), score = cosine
  similarity.
* hybrid: reciprocal rank fusion of the keyword and semantic lists,
  ``score = w_k / (k + rank_k) + w_s / (k + rank_s)``; a keyword hit counts for the chunk
  that holds its segment.

Semantic and hybrid page through their top ``MAX_DEPTH`` candidates, less those below the
relevance cut-off (``cutoff.py``: a minimum similarity, a share of the best fused score). docs/search.md.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, LiteralString
from uuid import UUID

from mediabase.common.cursors import pack, unpack
from mediabase.config import Settings, get_settings
from mediabase.db.connection import Database
from mediabase.db.errors import Invalid, Unavailable
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, sql
from mediabase.identity.models import Principal
from mediabase.search.context import reranked, speaker_turns
from mediabase.search.cutoff import CutOff
from mediabase.search.embedding import Embedder
from mediabase.search.fusion import DEFAULT, Cand, FusionRule, apply
from mediabase.search.models import (
    Hit,
    Match,
    SearchFilters,
    SearchMode,
    SearchPage,
    SearchRequest,
    VideoGroup,
)
from mediabase.search.rerank import Reranker, RerankUnavailable, get_reranker
from mediabase.search.text import clean_query, has_operators, snippet_html, words
from mediabase.search.vectors import VectorType, embed_query, embedder_for, semantic_available, vector_literal

Q = load_queries("mediabase.search", "queries.sql")

# ts_headline: matches between STX and ETX (made HTML by text.snippet_html)
HL_OPTS = ('StartSel="\x02", StopSel="\x03", MaxWords=30, MinWords=12, ShortWord=3, '
           'MaxFragments=2, FragmentDelimiter=" … "')
CANDIDATES = 100  # each list's depth for fusion (at least)
MAX_DEPTH = 1000  # semantic and hybrid page through this many candidates at most
ITERATIVE_SCAN = "relaxed_order"
MAX_SCAN_TUPLES = 20_000


MAX_LEXEMES = 8  # relaxed queries combine at most this many of the query's words


@dataclass(frozen=True, slots=True)
class _Config:
    """A text-search configuration in use, with the query parsed by it."""

    cfg: int  # the regconfig's oid
    name: str
    tsq: str  # websearch_to_tsquery(cfg, q)
    nodes: int
    lexemes: tuple[str, ...]  # the distinct lexemes of q's words

    def query(self, at_least: int | None) -> str | None:
        """The tsquery text: None is the query as written; m matches rows that hold at least m of
        the query's n lexemes (all of them when m >= n). None: nothing to match."""
        if at_least is None:
            return self.tsq if self.nodes > 0 else None
        lex = self.lexemes[:MAX_LEXEMES]
        if not lex:
            return None
        m = max(1, min(at_least, len(lex)))
        quoted = ["'" + x.replace("\\", "\\\\").replace("'", "''") + "'" for x in lex]
        if m == 1:
            return " | ".join(quoted)
        return " | ".join("(" + " & ".join(c) + ")" for c in itertools.combinations(quoted, m))

    def words(self) -> str:
        return " ".join(self.lexemes[:MAX_LEXEMES])

    def highlight(self) -> str | None:
        return self.query(1)


# -- entry point ------------------------------------------------------------------------------


async def search(
    db: Database,
    p: Principal,
    req: SearchRequest,
    *,
    settings: Settings | None = None,
    embedder: Embedder | None = None,
    model: str | None = None,
) -> SearchPage:
    """Search the caller's organization. Raises Invalid (bad query or cursor) and
    SemanticUnavailable (semantic or hybrid asked for, no embedding model here)."""
    settings = settings or get_settings()
    q = clean_query(req.q)
    if not q:
        raise Invalid("the query is empty", field="q")
    mode = req.mode
    if mode is None:
        mode = SearchMode.hybrid if embedder is not None or semantic_available(settings) else SearchMode.keyword
    if mode is not SearchMode.keyword and embedder is None:
        embedder = embedder_for(settings, model)
    cut = CutOff.of(req, settings) if mode is not SearchMode.keyword else None
    reranker = _reranker(settings) if mode is not SearchMode.keyword else None
    model_name = embedder.name if embedder else None
    fp = _fingerprint(q, mode, req, f"{model_name}+{reranker.name}" if reranker else model_name, cut)
    cur = _decode_cursor(req.cursor, fp) if req.cursor else None
    qvec: list[float] | None = None
    if embedder is not None and mode is not SearchMode.keyword:
        qvec = await embed_query(embedder, q)
    org = p.organization_id
    async with db.transaction(org, p.user_id, readonly=True) as conn:  # the replica's, when there is one
        configs = await parse_query(conn, org, q, req.filters.language)
        params = filter_params(org, req.filters)
        if req.filters.by_speaker:
            rows = await (await conn.execute(Q.speaker_ids, params)).fetchall()
            params["speakers"] = [r["id"] for r in rows]
        if mode is SearchMode.keyword:
            return await _keyword(conn, q, req, configs, params, cur, fp)
        assert embedder is not None and qvec is not None and cut is not None
        return await _fused(conn, q, mode, req, configs, params, cur, fp, embedder, qvec, cut,
                            reranker, settings.search_reranker_depth)


def _reranker(settings: Settings) -> Reranker | None:
    try:
        return get_reranker(settings)
    except RerankUnavailable as exc:
        raise Unavailable(str(exc)) from exc


# -- query text -------------------------------------------------------------------------------


async def parse_query(conn: Conn, org: UUID, q: str, language: str | None = None) -> list[_Config]:
    """The configurations in use in ``org``, each with ``q`` parsed by it."""
    rows = await (await conn.execute(Q.configs, {"org": org, "q": q, "words": " ".join(words(q)),
                                                 "language": language})).fetchall()
    return [_Config(r["cfg"], r["name"], r["tsq"], r["nodes"], tuple(r["lexemes"] or ())) for r in rows]


def _query_params(configs: Sequence[_Config], at_least: int | None, params: dict[str, Any], *,
                  excluded: int | None = None) -> bool:
    """Set the per-configuration queries for rows with ``at_least`` of the words (None: as
    written), leaving out rows with ``excluded`` of them. False: nothing to match."""
    usable = [(c, t) for c in configs if (t := c.query(at_least)) is not None]
    params["cfgs"] = [c.cfg for c, _ in usable]
    params["tsqs"] = [t for _, t in usable]
    params["excl"] = [c.query(excluded) if excluded is not None else None for c, _ in usable]
    params["words"] = [c.words() if at_least is not None and len(c.lexemes) > 1 else None for c, _ in usable]
    # ranked (and highlighted) by the plain query, or by "any of its words" for an m-of-n query
    params["ranks"] = [t if at_least is None else c.highlight() for c, t in usable]
    return bool(usable)


def _phases(q: str, req: SearchRequest, configs: Sequence[_Config]) -> list[int | None]:
    """How a keyword search matches, in one to three statements. A query with operators (quotes,
    or, -) or of one word: as written. A plain list of n words: the moments with at least half
    of them (ordered by how many they hold, so those with all come first); if that leaves the
    page short, those with two; then those with one. ``match=any``: any word, by how many."""
    n = max((len(c.lexemes[:MAX_LEXEMES]) for c in configs), default=0)
    if req.match is Match.any:
        return [1]
    if has_operators(q) or n <= 1:
        return [None]
    return [m for m in sorted({(n + 1) // 2, 2, 1}, reverse=True)]


# -- filters ----------------------------------------------------------------------------------


def filter_params(org: UUID, f: SearchFilters) -> dict[str, Any]:
    return {
        "org": org, "video_ids": f.video_ids, "channel_id": f.channel_id, "series_id": f.series_id,
        "collection_id": f.collection_id, "tags": [t.lower() for t in f.tags],
        "recorded_from": f.recorded_from, "recorded_to": f.recorded_to, "language": f.language,
        "from_ms": f.from_ms, "to_ms": f.to_ms, "speaker_ids": f.speaker_ids,
        "person_ids": f.person_ids, "speaker": f.speaker,
    }


def _video_filters(f: SearchFilters, *, language: bool) -> sql.Composable:
    return _joined(_video_filter_parts(f, language=language))


def _joined(parts: list[LiteralString]) -> sql.Composable:
    return sql.SQL(" ").join(sql.SQL(x) for x in parts)


def _video_filter_parts(f: SearchFilters, *, language: bool) -> list[LiteralString]:
    parts: list[LiteralString] = []
    if f.video_ids:
        parts.append(Q.f_video_ids)
    if f.channel_id:
        parts.append(Q.f_channel)
    if f.series_id:
        parts.append(Q.f_series)
    if f.collection_id:
        parts.append(Q.f_collection)
    if f.tags:
        parts.append(Q.f_tags)
    if f.recorded_from:
        parts.append(Q.f_recorded_from)
    if f.recorded_to:
        parts.append(Q.f_recorded_to)
    if language and f.language:
        parts.append(Q.f_video_language)
    return parts


def _row_filters(f: SearchFilters, alias: str) -> sql.Composable:
    """Filters on the segment (s) or chunk (c) itself: videos by id, speakers, positions."""
    r = sql.Identifier(alias)
    parts: list[sql.Composable] = []
    if f.video_ids:
        parts.append(sql.SQL(Q.f_row_video_ids).format(r=r))
    if f.by_speaker:
        parts.append(sql.SQL(Q.f_segment_speaker if alias == "s" else Q.f_chunk_speaker))
    if f.from_ms is not None:
        parts.append(sql.SQL(Q.f_from_ms).format(r=r))
    if f.to_ms is not None:
        parts.append(sql.SQL(Q.f_to_ms).format(r=r))
    return sql.SQL(" ").join(parts)


def _transcript_filters(f: SearchFilters) -> sql.Composable:
    return sql.SQL(Q.f_transcript_language) if f.language else sql.SQL("")


def _keyword_hits(configs: Sequence[_Config], f: SearchFilters, at_least: int | None,
                  params: dict[str, Any], *, excluded: int | None = None,
                  limit: int | None = None) -> sql.Composable:
    """The UNION of matching segments and (when no filter is about positions or speakers)
    matching videos, each row with its score, matched word count, configuration and tsquery.
    ``limit``: the caller keeps the first ``limit`` rows after its cursor (params c_m, c_score,
    c_kind, c_id, if any) in page order, so without a filter the matching stops there."""
    _query_params(configs, at_least, params, excluded=excluded)
    video_parts = _video_filter_parts(f, language=False)
    filtered = bool(video_parts) or bool(f.language) or bool(f.video_ids) or f.by_speaker or f.by_position
    pushdown = limit is not None and not filtered
    params["seg_lim"] = limit if pushdown else None
    for k in ("c_m", "c_score", "c_kind", "c_id"):
        params[f"seg_{k}"] = params.get(k) if pushdown else None
    video_filters = _joined(video_parts)
    joins = [sql.SQL(Q.join_videos)] if video_parts else []
    if f.language:
        joins.append(sql.SQL(Q.join_transcripts))
    segs = sql.SQL(Q.keyword_segments).format(
        joins=sql.SQL(" ").join(joins),
        filters=sql.SQL(" ").join([video_filters, _transcript_filters(f), _row_filters(f, "s")]))
    if f.by_speaker or f.by_position:
        return segs
    vids = sql.SQL(Q.keyword_videos).format(filters=_video_filters(f, language=True))
    return sql.SQL("{} UNION ALL {}").format(segs, vids)


# -- keyword ----------------------------------------------------------------------------------


async def _keyword(conn: Conn, q: str, req: SearchRequest, configs: list[_Config], params: dict[str, Any],
                   cur: dict[str, Any] | None, fp: str) -> SearchPage:
    """Keyword hits ordered by how many of the query's words they hold, then by score."""
    page = SearchPage(query=q, mode=SearchMode.keyword, model=None, hits=[],
                      groups=[] if req.group_by_video else None)
    if req.filters.by_speaker and not params.get("speakers"):
        page.notices.append("no speaker matches the speaker filter")
        return page
    phases = _phases(q, req, configs)
    if not any(c.query(phases[0]) for c in configs):
        page.notices.append("the query has no searchable words (only stop words or punctuation)")
        return page
    n_words = max(len(c.lexemes[:MAX_LEXEMES]) for c in configs)
    start = int(cur.get("r", 0)) if cur else 0
    if not 0 <= start < len(phases):
        raise Invalid("malformed cursor", field="cursor")
    rows: list[tuple[int, dict[str, Any]]] = []
    want = (req.limit + 1) * (req.per_video if req.group_by_video else 1)
    for i in range(start, len(phases)):
        got = await _keyword_rows(conn, req, configs, params, cur if i == start else None, phases[i],
                                  excluded=phases[i - 1] if i > 0 else None, n=want - len(rows))
        rows.extend((i, r) for r in got)
        if len(rows) >= want or (req.group_by_video and rows):
            break  # grouped: the first phase that matches anything
    if phases[0] is not None and req.match is Match.all and any(
            r["matched"] < n_words for _, r in rows[: req.limit]):
        page.relaxed = True
        page.notices.append(f"not every moment has all {n_words} words: those with more of them come first")
    if req.group_by_video:
        return _groups(page, req, rows, fp)
    page.hits = [_hit(r) for _, r in rows[: req.limit]]
    if len(rows) > req.limit:
        phase, row = rows[req.limit - 1]
        last = page.hits[-1]
        page.next_cursor = _encode_cursor(fp, score=last.score, kind=last.kind, id=_hit_key(last),
                                          matched=row["matched"], phase=phase)
    return page


def _groups(page: SearchPage, req: SearchRequest, rows: list[tuple[int, dict[str, Any]]], fp: str) -> SearchPage:
    groups: list[VideoGroup] = []
    best_m = 0
    for phase, r in rows:
        if not groups or groups[-1].video_id != r["video_id"]:
            if len(groups) == req.limit:
                page.next_cursor = _encode_cursor(fp, score=groups[-1].score, kind="video", id=groups[-1].video_id,
                                                  matched=best_m, phase=phase)
                break
            groups.append(VideoGroup(video_id=r["video_id"], video_title=r["video_title"], score=r["best"], hits=[]))
            best_m = int(r["best_m"])
        groups[-1].hits.append(_hit(r))
    page.groups = groups
    page.hits = [h for g in groups for h in g.hits]
    return page


def keyword_sql(configs: Sequence[_Config], req: SearchRequest, params: dict[str, Any],
                cur: dict[str, Any] | None = None, *, at_least: int | None = None, excluded: int | None = None,
                n: int | None = None) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement (and its parameters) of one page of keyword hits, flat or grouped."""
    p = dict(params)
    p.update(hl_opts=HL_OPTS, c_score=cur["s"] if cur else None, c_kind=cur["k"] if cur else None,
             c_id=cur["i"] if cur else None, c_m=cur.get("m", 0) if cur else None)
    if req.group_by_video:  # a video's best hits may lie anywhere in the ranking: no early stop
        hits = _keyword_hits(configs, req.filters, at_least, p, excluded=excluded)
        p.update(n=n or (req.limit + 1) * req.per_video, per_video=req.per_video)
        return sql.SQL(Q.keyword_groups).format(hits=hits), p
    p.update(n=n or req.limit + 1)
    hits = _keyword_hits(configs, req.filters, at_least, p, excluded=excluded, limit=p["n"])
    return sql.SQL(Q.keyword_page).format(hits=hits), p


async def _keyword_rows(conn: Conn, req: SearchRequest, configs: list[_Config], params: dict[str, Any],
                        cur: dict[str, Any] | None, at_least: int | None, *, excluded: int | None = None,
                        n: int | None = None) -> list[dict[str, Any]]:
    stmt, p = keyword_sql(configs, req, params, cur, at_least=at_least, excluded=excluded, n=n)
    return await (await conn.execute(stmt, p)).fetchall()


def _hit_key(h: Hit) -> UUID:
    if h.kind == "segment" and h.segment_id is not None:
        return h.segment_id
    if h.kind == "chunk" and h.chunk_id is not None:
        return h.chunk_id
    return h.video_id


def _deep_link(media_url: str | None, video_id: UUID, start_ms: int, end_ms: int) -> str:
    seconds = f"{start_ms / 1000:.3f}".rstrip("0").rstrip(".")
    if media_url and media_url.startswith(("http://", "https://")):
        return f"{media_url.split('#', 1)[0]}#t={seconds}"
    return f"/videos/{video_id}/segments?from_ms={start_ms}&to_ms={max(end_ms, start_ms + 1)}"


def _hit(r: dict[str, Any]) -> Hit:
    kind = r["kind"]
    return Hit(
        kind=kind, video_id=r["video_id"], video_title=r["video_title"], transcript_id=r["transcript_id"],
        segment_id=r["id"] if kind == "segment" else None, chunk_id=r.get("chunk_id"),
        speaker=r["speaker"], speaker_id=r["speaker_id"], speakers=[r["speaker"]] if r["speaker"] else [],
        start_ms=r["start_ms"], end_ms=r["end_ms"], text=r["text"], snippet=snippet_html(r["snippet"] or ""),
        score=r["score"], keyword_rank=r.get("keyword_rank"), semantic_rank=r.get("semantic_rank"),
        deep_link=_deep_link(r["media_url"], r["video_id"], r["start_ms"], r["end_ms"]),
    )


# -- semantic and hybrid ----------------------------------------------------------------------


def semantic_sql(vt: VectorType, qvec: Sequence[float], f: SearchFilters, params: dict[str, Any],
                 n: int) -> tuple[sql.Composed, dict[str, Any]]:
    """The statement (and its parameters) of the ``n`` chunks nearest ``qvec``."""
    stmt = sql.SQL(Q.semantic_candidates).format(
        vec=vt.column("c"), vtype=vt.vtype(), model=sql.Literal(vt.model),
        transcript_filters=_transcript_filters(f), video_filters=_video_filters(f, language=False),
        filters=_row_filters(f, "c"))
    return stmt, dict(params, qvec=vector_literal(qvec), n=n)


async def set_iterative_scan(conn: Conn, n: int) -> None:
    """pgvector 0.8 iterative index scans for the rest of the transaction: a filter (the tenant,
    a channel, a speaker) cannot leave the search with fewer than ``n`` rows while the index
    has more (up to hnsw.max_scan_tuples visited)."""
    await conn.execute(sql.SQL(Q.iterative_scan).format(
        mode=sql.Literal(ITERATIVE_SCAN), ef=sql.Literal(min(1000, max(100, n))),
        max_tuples=sql.Literal(MAX_SCAN_TUPLES)))


async def _semantic_candidates(conn: Conn, vt: VectorType, qvec: list[float], f: SearchFilters,
                               params: dict[str, Any], n: int) -> list[Cand]:
    await set_iterative_scan(conn, n)
    stmt, p = semantic_sql(vt, qvec, f, params, n)
    rows = await (await conn.execute(stmt, p, prepare=False)).fetchall()
    return [Cand("chunk", r["id"], r["video_id"], r["transcript_id"], r["start_ms"], r["end_ms"],
                  r["speaker_id"], chunk_id=r["id"], score=r["score"], semantic_rank=i + 1)
            for i, r in enumerate(rows)]


async def _keyword_candidates(conn: Conn, q: str, req: SearchRequest, configs: list[_Config], model: str,
                              params: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The keyword list for fusion, in keyword order (most of the query's words, then score)."""
    out: list[dict[str, Any]] = []
    phases = _phases(q, req, configs)
    for i, at_least in enumerate(phases):
        if not any(c.query(at_least) for c in configs):
            continue
        p = dict(params, n=n - len(out))
        stmt = sql.SQL(Q.keyword_candidates).format(
            hits=_keyword_hits(configs, req.filters, at_least, p, excluded=phases[i - 1] if i else None,
                               limit=p["n"]),
            model=sql.Literal(model))
        out.extend(await (await conn.execute(stmt, p, prepare=False)).fetchall())
        if len(out) >= n:
            break
    return out[:n]


def fusion_rule(req: SearchRequest) -> FusionRule:
    """The tuned rule (fusion.DEFAULT), or reciprocal rank fusion with the request's own k and
    weights when it names any of them."""
    if req.model_fields_set & {"keyword_weight", "semantic_weight", "rrf_k"}:
        return DEFAULT.with_request(k=req.rrf_k, w_keyword=req.keyword_weight, w_semantic=req.semantic_weight)
    return DEFAULT


def _fuse(req: SearchRequest, q: str, configs: Sequence[_Config], keyword: Sequence[dict[str, Any]],
          semantic: Sequence[Cand]) -> list[Cand]:
    words = max((len(c.lexemes[:MAX_LEXEMES]) for c in configs), default=0)
    return apply(fusion_rule(req), q, keyword, semantic, words)


async def _fused(conn: Conn, q: str, mode: SearchMode, req: SearchRequest, configs: list[_Config],
                 params: dict[str, Any], cur: dict[str, Any] | None, fp: str, embedder: Embedder,
                 qvec: list[float], cut: CutOff, reranker: Reranker | None = None, depth: int = 30) -> SearchPage:
    name = embedder.name
    page = SearchPage(query=q, mode=mode, model=name, hits=[], groups=[] if req.group_by_video else None)
    if req.filters.by_speaker and not params.get("speakers"):
        page.notices.append("no speaker matches the speaker filter")
        return page
    offset = int(cur["o"]) if cur else 0
    want = (offset + req.limit) * (req.per_video * 3 if req.group_by_video else 1) + 1
    n = min(MAX_DEPTH, max(CANDIDATES, want))
    vt = VectorType(name, len(qvec))
    semantic = await _semantic_candidates(conn, vt, qvec, req.filters, params, n)
    # the cut-off (search/cutoff.py) comes before paging: every page sees the same list
    if mode is SearchMode.hybrid:
        keyword = await _keyword_candidates(conn, q, req, configs, name, params, n)
        ranked = cut.floor(_fuse(req, q, configs, keyword, cut.similar(semantic)))
        left_out = len(_fuse(req, q, configs, keyword, semantic)) - len(ranked)
    else:
        ranked = cut.similar(semantic)
        left_out = len(semantic) - len(ranked)
    if reranker is not None:
        ranked, notice = await reranked(conn, params["org"], reranker, q, ranked, depth)
        if notice:
            page.notices.append(notice)
    if cur is None:
        row = await (await conn.execute(Q.unindexed, {"org": params["org"], "model": name})).fetchone()
        page.unindexed = int(row["n"]) if row else 0
        if page.unindexed:
            page.notices.append(f"{page.unindexed} transcript(s) are not indexed for {name} yet "
                                "(the index job is queued; 'mediabase reindex' does it now)")
    if req.group_by_video:
        order: list[UUID] = []
        by_video: dict[UUID, list[Cand]] = {}
        for c in ranked:
            if c.video_id not in by_video:
                order.append(c.video_id)
                by_video[c.video_id] = []
            if len(by_video[c.video_id]) < req.per_video:
                by_video[c.video_id].append(c)
        chosen = order[offset: offset + req.limit]
        if len(order) > offset + req.limit:
            page.next_cursor = _encode_cursor(fp, offset=offset + req.limit)
        items = [c for v in chosen for c in by_video[v]]
    else:
        items = ranked[offset: offset + req.limit]
        if len(ranked) > offset + req.limit:
            page.next_cursor = _encode_cursor(fp, offset=offset + req.limit)
    if left_out and page.next_cursor is None:
        page.notices.append(cut.notice(left_out, hybrid=mode is SearchMode.hybrid))
    tsq = " | ".join(f"({hl})" for c in configs if (hl := c.highlight())) or None
    turn_texts = await speaker_turns(conn, params["org"], items, tsq)  # each hit starts where its answer does
    hits = await _hydrate(conn, params["org"], items, configs, turn_texts)
    if req.group_by_video:
        page.groups = []
        for h in hits:
            if not page.groups or page.groups[-1].video_id != h.video_id:
                page.groups.append(VideoGroup(video_id=h.video_id, video_title=h.video_title,
                                              score=h.score, hits=[]))
            page.groups[-1].hits.append(h)
    page.hits = hits
    return page


async def _hydrate(conn: Conn, org: UUID, items: Sequence[Cand], configs: Sequence[_Config],
                   turn_texts: Sequence[str | None] | None = None) -> list[Hit]:
    if not items:
        return []
    rows = await (await conn.execute(Q.hydrate, {
        "org": org, "kinds": [c.kind for c in items], "ids": [c.id for c in items],
        "segment_ids": [c.segment_id for c in items], "speaker_ids": [c.speaker_id for c in items],
        "turn_texts": list(turn_texts) if turn_texts is not None else [None] * len(items),
        "hl_opts": HL_OPTS,
        "hl_cfgs": [c.cfg for c in configs if c.highlight()],
        "hl_tsqs": [c.highlight() for c in configs if c.highlight()],
    }, prepare=False)).fetchall()
    hits: list[Hit] = []
    for c, r in zip(items, rows, strict=True):
        if r["video_title"] is None or r["text"] is None:
            continue  # deleted between the candidate query and this one
        speakers: list[str] = list(r["speakers"] or [])
        speaker = r["speaker"] or (speakers[0] if speakers else None)
        hits.append(Hit(
            kind=c.kind,
            video_id=c.video_id, video_title=r["video_title"], transcript_id=c.transcript_id,
            segment_id=c.segment_id if c.kind != "segment" else c.id, chunk_id=c.chunk_id,
            speaker=speaker, speaker_id=c.speaker_id, speakers=speakers,
            start_ms=c.start_ms, end_ms=c.end_ms, text=r["text"], snippet=snippet_html(r["snippet"] or ""),
            score=c.score, keyword_rank=c.keyword_rank, semantic_rank=c.semantic_rank,
            deep_link=_deep_link(r["media_url"], c.video_id, c.start_ms, c.end_ms)))
    return hits


# -- cursors ----------------------------------------------------------------------------------


def _fingerprint(q: str, mode: SearchMode, req: SearchRequest, model: str | None, cut: CutOff | None) -> str:
    data = json.dumps([q, mode.value, req.filters.model_dump(mode="json"), req.group_by_video, req.per_video,
                       req.match.value, req.keyword_weight, req.semantic_weight, req.rrf_k, model]
                      + ([cut.min_similarity, cut.score_floor] if cut else []),
                      sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def _encode_cursor(fp: str, *, score: float | None = None, kind: str | None = None, id: UUID | None = None,
                   offset: int | None = None, matched: int = 0, phase: int = 0) -> str:
    body: dict[str, Any] = {"f": fp}
    if score is not None:
        body.update(s=score, k=kind, i=str(id), m=matched)
    if offset is not None:
        body["o"] = offset
    if phase:
        body["r"] = phase
    return pack(body)


def _decode_cursor(cursor: str, fp: str) -> dict[str, Any]:
    body = unpack(cursor, "malformed cursor")
    if not isinstance(body, dict) or not isinstance(body.get("f"), str):
        raise Invalid("malformed cursor", field="cursor")
    if body["f"] != fp:
        raise Invalid("this cursor belongs to another search (query, mode or filters differ)", field="cursor")
    try:
        if "s" in body:
            body["s"] = float(body["s"])
            body["i"] = UUID(str(body["i"]))
            if body.get("k") not in ("segment", "chunk", "video"):
                raise ValueError(body.get("k"))
        if "o" in body and (not isinstance(body["o"], int) or not 0 <= body["o"] <= MAX_DEPTH):
            raise ValueError(body["o"])
        for key in ("r", "m"):
            if key in body and (not isinstance(body[key], int) or not 0 <= body[key] <= MAX_LEXEMES):
                raise ValueError(body[key])
    except (ValueError, TypeError) as exc:
        raise Invalid("malformed cursor", field="cursor") from exc
    return body
