"""What the worker tells beside running a job: the followers of the subjects a job's input names
(:func:`mediabase.jobs.registry.follow`), and the organization's slug its log lines show."""

from __future__ import annotations

import contextlib
from typing import Any
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, sql
from mediabase.jobs.models import Job
from mediabase.jobs.registry import Follower, FollowEvent, JobTurn

W = load_queries("mediabase.jobs", "worker.sql")

Subject = tuple[Follower, UUID]


def subjects_of(followers: list[Follower], job: Job) -> list[Subject]:
    """The followed subjects the job's input names (a key of a follower whose value is a UUID)."""
    if not followers or not isinstance(job.input, dict):
        return []
    out = []
    for f in followers:
        raw = job.input.get(f.key)
        if isinstance(raw, str):
            with contextlib.suppress(ValueError):
                out.append((f, UUID(raw)))
    return out


async def tell(conn: Conn, job: Job, event: FollowEvent, subjects: list[Subject], error: str | None = None) -> None:
    """Tell each subject's follower of ``event``, on ``conn`` (the job's tenant transaction)."""
    for f, subject in subjects:
        query = sql.SQL(W.unfinished_of_subject).format(key=sql.Literal(f.key))
        params: dict[str, Any] = {"org": job.organization_id, "id": job.id, "subject": str(subject)}

        async def others(query: sql.Composed = query, params: dict[str, Any] = params) -> int:
            row = await (await conn.execute(query, params)).fetchone()
            return int(row["n"]) if row else 0

        await f.fn(conn, JobTurn(job, subject, event, error, others))


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, at most ``limit`` characters (an error in a log line)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OrgSlugs:
    """The slugs of the organizations a worker has run jobs of (read once each, in the tenant:
    the organizations' row-level security shows a tenant its own row only)."""

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self._slugs: dict[UUID, str | None] = {}

    def known(self, org: UUID) -> str | None:
        return self._slugs.get(org)

    async def get(self, db: Database, org: UUID) -> str | None:
        if org not in self._slugs:
            if len(self._slugs) >= self.keep:
                self._slugs.clear()
            try:
                async with db.transaction(org) as conn:
                    row = await (await conn.execute(W.org_slug, {"org": org})).fetchone()
            except MediabaseError:
                return None
            self._slugs[org] = str(row["slug"]) if row else None
        return self._slugs[org]
