"""The follower of a video's jobs: a job whose input names a ``video_id`` (``transcript.index``,
enqueued by ingest) moves the video's processing status as it starts, completes or fails for good
(:mod:`mediabase.media.processing`). One of mediabase.wiring.WORKER_MODULES."""

from __future__ import annotations

from mediabase.db.rows import Conn
from mediabase.jobs import JobTurn, follow
from mediabase.media.processing import follow_jobs


@follow("video_id", replace=True)
async def video_follows_its_jobs(conn: Conn, turn: JobTurn) -> None:
    error = f"{turn.job.type}: {turn.error}" if turn.error else None
    await follow_jobs(conn, turn.job.organization_id, turn.subject, turn.event, error=error,
                      others_unfinished=turn.others_unfinished)
