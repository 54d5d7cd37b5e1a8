"""Vectors of the decision registry, for semantic and hybrid decision search (seed 001's
``decisions.embedding_vector``; migration 0010, docs/insights.md "Searching decisions by meaning").

A trigger enqueues one ``decision.embed`` job per organization when decisions are added or
reworded; every ``mediabase worker`` runs it (this module is one of
mediabase.wiring.WORKER_MODULES). The job embeds each decision whose vector for the
configured model is missing or was made from other words (``text_sha256``), in batches.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.db.connection import Database
from mediabase.db.queries import load_queries
from mediabase.jobs import JobContext, register
from mediabase.search.embedding import Embedder, EmbeddingError
from mediabase.search.indexing import embed_texts, resolve_embedder
from mediabase.search.vectors import model_name, vector_literal

Q = load_queries("mediabase.insights", "queries.sql")
JOB_TYPE = "decision.embed"
BATCH = 256
MAX_ROUNDS = 1000  # a bound, not a limit one meets: 256,000 decisions in one run


async def embed_stale(db: Database, org_id: UUID, embedder: Embedder) -> int:
    """Embed every decision of ``org_id`` whose vector for the embedder's model is missing or
    stale; returns how many were embedded. Each batch commits on its own."""
    name = embedder.name
    done = 0
    for _ in range(MAX_ROUNDS):
        async with db.transaction(org_id) as conn:
            rows = await (await conn.execute(Q.decisions_to_embed, {"org": org_id, "model": name,
                                                                   "limit": BATCH})).fetchall()
        if not rows:
            break
        texts = [r["text"] for r in rows]
        vectors = await embed_texts(embedder, texts)
        async with db.transaction(org_id) as conn:
            await conn.execute(Q.upsert_decision_vectors, {
                "org": org_id, "model": name, "ids": [r["id"] for r in rows], "texts": texts,
                "dims": [len(v) for v in vectors],
                "vectors": [vector_literal(v) for v in vectors],
            })
        done += len(rows)
        if len(rows) < BATCH:
            break
    return done


@register(JOB_TYPE, timeout=1800, replace=True)
async def handle_decision_embed(ctx: JobContext) -> dict[str, Any]:
    """Embed the organization's stale decisions; without an embedding model, nothing to do."""
    settings = get_settings()
    embedder, why = resolve_embedder(settings)
    if embedder is None:
        return {"embedded": 0, "model": model_name(settings), "unavailable": why}
    await ctx.progress(10, "embedding")
    try:
        n = await embed_stale(ctx.db, ctx.org_id, embedder)
    except EmbeddingError as exc:  # a model endpoint that fails: retried with backoff
        raise RuntimeError(f"embedding failed: {exc}") from exc
    return {"embedded": n, "model": embedder.name}
