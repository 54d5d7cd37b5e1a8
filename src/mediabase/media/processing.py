"""A video's processing status follows its jobs (docs/schema.md, ``videos``; docs/jobs.md,
"Followers"): ``pending`` until one of its jobs starts, ``processing`` while they run, ``ready``
when the last of them has completed, ``failed`` (with ``processing_error``) as soon as one of them
fails or is cancelled for good. A job that starts later makes it ``processing`` again: the newest
work decides (a new transcript indexed after a failed one makes the video ready).

The worker calls :func:`follow_jobs` in the job's tenant, in the transaction that records the
job's turn (mediabase.transcripts.processing registers it for the jobs whose input names a
``video_id``). Two jobs of one video ending at once: each takes the video's row lock before it
counts the others still to run, so the second to take it sees the first one finished, and the
video ends ``ready`` rather than stuck in ``processing``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from uuid import UUID

from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn
from mediabase.media.models import ProcessingStatus

Q = load_queries("mediabase.media", "queries.sql")


async def follow_jobs(
    conn: Conn,
    org: UUID,
    video_id: UUID,
    event: str,
    *,
    error: str | None = None,
    others_unfinished: Callable[[], Awaitable[int]],
) -> ProcessingStatus | None:
    """Move the video's status on ``event`` of one of its jobs (``started``, ``completed``,
    ``failed``, ``cancelled``); the status it has now (None: no such video)."""
    if event == "started":
        await conn.execute(Q.processing_started, {"org": org, "id": video_id})
        return ProcessingStatus.processing
    row = await (await conn.execute(Q.lock_processing_status, {"org": org, "id": video_id})).fetchone()
    if row is None:
        return None
    status = ProcessingStatus(row["processing_status"])
    if event in ("failed", "cancelled"):
        status = ProcessingStatus.failed
        await conn.execute(Q.processing_ended, {"org": org, "id": video_id, "status": status.value,
                                                "error": (error or event)[:10000]})
    elif status in (ProcessingStatus.pending, ProcessingStatus.processing) and await others_unfinished() == 0:
        # counted after the lock: every other job's turn of this video has committed
        status = ProcessingStatus.ready
        await conn.execute(Q.processing_ended, {"org": org, "id": video_id, "status": status.value, "error": None})
    return status
