"""A semantic or hybrid hit's moment is the speaker turn it lies in (docs/search.md, "Context").

A chunk spans a minute or two of several speakers; a person who follows a hit wants to land where
the answer starts. Each chunk hit of a page is narrowed to one segment — the keyword match fusion
kept, else the chunk's segment that holds most of the query's words (the earliest when none does)
— widened to the run of that speaker's consecutive segments around it (``TURN_MS`` either side at
most). The hit's time range, segment, speaker and snippet follow that turn; its text stays the
chunk's, the context around it.

With a reranker configured (MEDIABASE_SEARCH_RERANKER, search/rerank.py), the first
``MEDIABASE_SEARCH_RERANKER_DEPTH`` fused candidates are put in its order before a page is cut.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn
from mediabase.search.fusion import Cand
from mediabase.search.rerank import Reranker, RerankError, rerank

Q = load_queries("mediabase.search", "queries.sql")
log = logging.getLogger("mediabase.search")
TURN_MS = 30_000


async def speaker_turns(conn: Conn, org: UUID, items: Sequence[Cand], tsq: str | None) -> list[str | None]:
    """Narrow each chunk hit of ``items`` to its speaker turn (in place); the turns' texts, for the
    snippets (None for hits that are not chunks). ``tsq``: the query's words, any of them."""
    texts: list[str | None] = [None] * len(items)
    chunks = [(i, c) for i, c in enumerate(items) if c.kind == "chunk"]
    if not chunks:
        return texts
    rows = await (await conn.execute(Q.turns, {
        "org": org, "chunk_ids": [c.id for _, c in chunks], "segment_ids": [c.segment_id for _, c in chunks],
        "tsq": tsq, "turn_ms": TURN_MS,
    })).fetchall()
    for r in rows:
        i, c = chunks[r["ord"] - 1]
        if r["start_ms"] is None:
            continue  # the chunk's segments went between the candidates and now
        c.segment_id, c.speaker_id = r["segment_id"], r["speaker_id"]
        c.start_ms, c.end_ms = int(r["start_ms"]), int(r["end_ms"])
        texts[i] = r["text"]
    return texts


async def reranked(conn: Conn, org: UUID, reranker: Reranker, q: str, ranked: list[Cand],
                   depth: int) -> tuple[list[Cand], str | None]:
    """``ranked`` with its first ``depth`` candidates in the reranker's order (the rest after them),
    and a notice when the reranker failed (the fused order is kept then)."""
    top = ranked[:depth]
    if len(top) < 2:
        return ranked, None
    rows = await (await conn.execute(Q.rerank_texts, {
        "org": org, "kinds": [c.kind for c in top], "ids": [c.id for c in top]})).fetchall()
    try:
        order = await rerank(reranker, q, [(i, r["text"]) for i, r in enumerate(rows)])
    except RerankError as exc:
        log.warning("reranker %s failed; the fused order is kept: %s", reranker.name, exc)
        return ranked, f"the reranker ({reranker.name}) did not answer: hits are in fused order"
    return [top[i] for i, _ in order] + ranked[depth:], None
