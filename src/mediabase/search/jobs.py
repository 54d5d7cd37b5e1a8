"""The ``transcript.index`` job: chunk and embed a transcript after its ingest committed.

Ingest enqueues it (mediabase.search.indexing.schedule_indexing); every ``mediabase worker``
runs it (this module is one of mediabase.wiring.WORKER_MODULES). The handler is a thin
wrapper of the in-process path,
:func:`mediabase.search.indexing.index_transcript`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mediabase.config import get_settings
from mediabase.jobs import JobContext, PermanentError, register
from mediabase.search.indexing import JOB_TYPE, index_transcript, resolve_embedder
from mediabase.search.vectors import model_name


@register(JOB_TYPE, timeout=1800, replace=True)
async def handle_transcript_index(ctx: JobContext) -> dict[str, Any]:
    """Index one transcript; without the semantic extra the chunks are stored without vectors."""
    raw = ctx.job.input.get("transcript_id") if isinstance(ctx.job.input, dict) else None
    try:
        transcript_id = UUID(str(raw))
    except ValueError as exc:
        raise PermanentError(f"input.transcript_id is not a UUID: {raw!r}", code="bad_input") from exc
    settings = get_settings()
    embedder, why = resolve_embedder(settings)
    await ctx.progress(5, "chunking")
    result = await index_transcript(ctx.db, ctx.org_id, transcript_id, embedder,
                                    model=model_name(settings), unavailable=why)
    return result.as_dict()
