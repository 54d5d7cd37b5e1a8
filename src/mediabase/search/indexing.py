"""Building the semantic index of a transcript: chunks, their vectors, the bookkeeping row.

``schedule_indexing`` is what ingest calls inside its transaction: it enqueues a
``transcript.index`` job (mediabase.jobs), so the index is built after the commit, off the
request path, by ``mediabase worker`` (the handler is in mediabase.search.jobs). The work
itself is :func:`index_transcript`, the one in-process path, which the job handler,
``mediabase reindex`` and the tests all call:

1. read the transcript's segments (one transaction);
2. chunk them (mediabase.search.chunking);
3. embed the chunks outside any transaction (a missing model is not an error here: the
   chunks are stored without vectors and ``mediabase reindex`` embeds them later);
4. replace the transcript's chunks for the model, drop the model's chunks of the video's
   older transcripts, and record what was done (one transaction).

Idempotent: running it twice leaves the same chunks (with new ids).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass
from typing import Any
from uuid import UUID

from mediabase.config import Settings, get_settings
from mediabase.db.connection import SCHEMA, Database, owner_session
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, sql
from mediabase.search.chunking import DEFAULT_PARAMS, Chunk, ChunkParams, SegmentRow, chunk_segments
from mediabase.search.embedding import Embedder, EmbeddingError
from mediabase.search.vectors import (
    SemanticUnavailable,
    VectorType,
    embedder_for,
    index_name,
    model_name,
    vector_literal,
)

Q = load_queries("mediabase.search", "indexing.sql")
log = logging.getLogger("mediabase.search")

JOB_TYPE = "transcript.index"
EMBED_BATCH = 256  # chunks per embed call (the embedder batches further inside)


@dataclass(slots=True)
class IndexResult:
    transcript_id: UUID
    model: str
    chunks: int = 0
    embedded: int = 0
    dimension: int | None = None
    skipped: str | None = None  # why nothing was done (transcript gone or not current)
    error: str | None = None  # why the chunks have no vectors
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["transcript_id"] = str(self.transcript_id)
        return d


async def schedule_indexing(conn: Conn, org_id: UUID, transcript_id: UUID,
                            video_id: UUID) -> None:
    """Enqueue the indexing of a new transcript in the caller's (ingest) transaction."""
    from mediabase.jobs import enqueue

    await enqueue(conn, org_id=org_id, type=JOB_TYPE,
                  input={"transcript_id": str(transcript_id), "video_id": str(video_id)},
                  idempotency_key=f"{JOB_TYPE}:{transcript_id}")


def resolve_embedder(settings: Settings, model: str | None = None) -> tuple[Embedder | None, str | None]:
    """The embedder to index with, or None and the reason it cannot run here."""
    try:
        return embedder_for(settings, model), None
    except SemanticUnavailable as exc:
        return None, str(exc)


async def index_transcript(
    db: Database,
    org_id: UUID,
    transcript_id: UUID,
    embedder: Embedder | None,
    *,
    model: str | None = None,
    unavailable: str | None = None,
    params: ChunkParams = DEFAULT_PARAMS,
) -> IndexResult:
    """Chunk and embed one transcript (see the module docstring). ``embedder`` None stores the
    chunks without vectors, under ``model`` (default: the embedder's name)."""
    if embedder is None and model is None:
        raise ValueError("name the model when there is no embedder")
    name = embedder.name if embedder is not None else str(model)
    result = IndexResult(transcript_id, name, error=unavailable if embedder is None else None)
    t0 = time.perf_counter()
    async with db.transaction(org_id) as conn:
        head = await (await conn.execute(Q.transcript, {"org": org_id, "id": transcript_id})).fetchone()
        if head is None or not head["is_current"]:
            result.skipped = "the transcript does not exist" if head is None else "not the current transcript"
            if head is not None:
                await conn.execute(Q.delete_transcript_chunks, {"org": org_id, "id": transcript_id, "model": name})
            return result
        rows = await (await conn.execute(Q.segments, {"org": org_id, "id": transcript_id})).fetchall()
    video_id: UUID = head["video_id"]
    chunks = chunk_segments((SegmentRow(r["seq"], r["start_ms"], r["end_ms"], r["text"], r["speaker_id"], r["label"])
                             for r in rows), params)
    vectors: list[list[float]] | None = None
    if embedder is not None and chunks:
        try:
            vectors = await embed_texts(embedder, [c.text for c in chunks])
        except EmbeddingError as exc:
            result.error = f"embedding failed: {exc}"
            log.warning("transcript %s: %s; chunks stored without vectors", transcript_id, result.error)
    dimension = len(vectors[0]) if vectors else None
    async with db.transaction(org_id) as conn:
        still = await (await conn.execute(Q.transcript, {"org": org_id, "id": transcript_id})).fetchone()
        if still is None or not still["is_current"]:
            result.skipped = "the transcript was replaced or deleted meanwhile"
            return result
        await conn.execute(Q.delete_video_chunks, {"org": org_id, "video_id": video_id, "model": name})
        await write_chunks(conn, org_id, transcript_id, video_id, name, chunks, vectors)
        await conn.execute(Q.record_state, {
            "org": org_id, "transcript_id": transcript_id, "video_id": video_id, "model": name,
            "chunker": params.name, "chunks": len(chunks), "embedded": len(chunks) if vectors else 0,
            "dimension": dimension, "error": (result.error or "")[:2000] or None})
    result.chunks = len(chunks)
    result.embedded = len(chunks) if vectors else 0
    result.dimension = dimension
    result.seconds = round(time.perf_counter() - t0, 3)
    return result


async def embed_texts(embedder: Embedder, texts: list[str]) -> list[list[float]]:
    """Embed in a worker thread, in slices, so the event loop stays responsive."""
    out: list[list[float]] = []
    for i in range(0, len(texts), EMBED_BATCH):
        out.extend(await asyncio.to_thread(embedder.embed, texts[i : i + EMBED_BATCH]))
    return out


async def write_chunks(conn: Conn, org_id: UUID, transcript_id: UUID, video_id: UUID, model: str,
                       chunks: list[Chunk], vectors: list[list[float]] | None) -> None:
    """Insert a transcript's chunks (with vectors if given), one statement each in one pipeline."""
    if not chunks:
        return
    now = None
    if vectors:
        row = await (await conn.execute(Q.transaction_now)).fetchone()
        now = row["now"] if row else None
    async with conn.cursor() as cur:
        await cur.executemany(Q.insert_chunk, [
            {"org": org_id, "transcript_id": transcript_id, "video_id": video_id, "model": model,
             "idx": c.index, "first_seq": c.first_seq, "last_seq": c.last_seq, "start_ms": c.start_ms,
             "end_ms": c.end_ms, "speaker_ids": list(c.speaker_ids), "speakers": list(c.speakers),
             "text": c.text, "tokens": c.token_count, "dim": len(vectors[i]) if vectors else None,
             "vec": vector_literal(vectors[i]) if vectors else None, "embedded_at": now}
            for i, c in enumerate(chunks)])


# -- reindex --------------------------------------------------------------------------------


async def ensure_index(owner_url: str, model: str, dimension: int, settings: Settings | None = None) -> str | None:
    """Create the model's HNSW index if missing (CONCURRENTLY: writes go on), on a session of
    its own on ``owner_url`` (a direct URL) as the table's owner; its name, or None when the
    dimension is too large to index (searches then scan exactly)."""
    vt = VectorType(model, dimension)
    if not vt.indexable:
        return None
    async with owner_session(owner_url, settings or get_settings()) as conn:
        await conn.execute(sql.SQL("SET maintenance_work_mem = '512MB'"))
        name = index_name(model, dimension)
        invalid = await (await conn.execute(
            "SELECT NOT i.indisvalid AS invalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
            (SCHEMA, name))).fetchone()
        if invalid and invalid["invalid"]:  # a concurrent build that died: drop it and build again
            await conn.execute(sql.SQL("DROP INDEX CONCURRENTLY {}").format(sql.Identifier(SCHEMA, name)))
        await conn.execute(vt.create_index(concurrently=True))
    return index_name(model, dimension)


@dataclass(slots=True)
class ReindexReport:
    model: str
    transcripts: int = 0
    chunks: int = 0
    embedded: int = 0
    skipped: int = 0
    segments_fixed: int = 0
    index: str | None = None
    error: str | None = None
    seconds: float = 0.0


async def reindex(
    db: Database,
    settings: Settings,
    *,
    org_ids: list[UUID] | None = None,
    model: str | None = None,
    missing_only: bool = False,
    video_ids: list[UUID] | None = None,
    owner_url: str | None = None,
    on_progress: Any = None,
    params: ChunkParams = DEFAULT_PARAMS,
) -> ReindexReport:
    """Rebuild chunks and vectors of current transcripts (of some organizations, or all).

    ``db`` runs as the owner (it crosses tenants). Also corrects segments whose text-search
    configuration is not their transcript's, and creates the model's HNSW index
    (``owner_url`` given). ``missing_only`` indexes only transcripts not yet fully embedded.
    """
    t0 = time.perf_counter()
    embedder, why = resolve_embedder(settings, model)
    name = embedder.name if embedder is not None else model_name(settings, model)
    report = ReindexReport(name, error=why)
    async with db.transaction() as conn:
        if not missing_only:  # a full pass over the segments: only for a full reindex
            fixed = await (await conn.execute(Q.fix_segment_configs, {"orgs": org_ids})).fetchone()
            report.segments_fixed = int(fixed["n"]) if fixed else 0
            await conn.execute(Q.refresh_configs, {"orgs": org_ids})
        todo = await (await conn.execute(Q.reindex_targets, {
            "orgs": org_ids, "videos": video_ids, "model": name, "missing_only": missing_only,
        })).fetchall()
    for i, row in enumerate(todo):
        res = await index_transcript(db, row["organization_id"], row["id"], embedder, model=name, unavailable=why,
                                     params=params)
        report.transcripts += 1
        report.chunks += res.chunks
        report.embedded += res.embedded
        report.skipped += res.skipped is not None
        if on_progress is not None:
            on_progress(i + 1, len(todo), res)
    if owner_url is not None and embedder is not None:
        report.index = await ensure_index(owner_url, name, embedder.dimension, settings)
    report.seconds = round(time.perf_counter() - t0, 2)
    return report


async def drop_model(db: Database, model: str, owner_url: str | None = None) -> int:
    """Delete every chunk and index-state row of ``model`` (all organizations), and its indexes."""
    async with db.transaction() as conn:
        n = await (await conn.execute(Q.drop_model_chunks, {"model": model})).fetchone()
        await conn.execute(Q.drop_model_state, {"model": model})
    if owner_url is not None:
        async with owner_session(owner_url, db.settings) as aconn:
            for row in await (await aconn.execute(Q.model_indexes, {"model": model})).fetchall():
                await aconn.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(
                    sql.Identifier(SCHEMA, row["relname"])))
    return int(n["n"]) if n else 0
