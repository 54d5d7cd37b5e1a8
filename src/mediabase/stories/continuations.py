"""Continuations: a contributor's "what happens next", made into the scene's next segment by a
job of type ``story.continuation`` with seed 002's stages.

``continue_scene`` records the continuation and enqueues its job in one transaction.
``run_continuation`` is the job's work (the built-in handler in :mod:`mediabase.stories.jobs`
calls it; tests call it directly, concurrently): each attempt reads the scene's latest bible
(the version it builds on), goes through script expansion, continuity validation, video
generation and upload without any AI service (:mod:`mediabase.stories.bible`), and finalizes with
``story_finalize_continuation``: the segment and the next bible version are written only if the
bible is still at the version the attempt started from. Otherwise :class:`Conflict`, nothing
written, and the queue retries the job (with backoff) against the new version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, LiteralString
from uuid import UUID

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediabase.common.errors import Conflict, Invalid, NotFound
from mediabase.common.models import Page
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.rows import Conn, Jsonb, fetch_one_or_404
from mediabase.identity.models import Principal
from mediabase.jobs.registry import JobCancelled, PermanentError
from mediabase.jobs.service import enqueue
from mediabase.stories import bible as bibles
from mediabase.stories.models import Continuation, ContinuationCreate, Finalized
from mediabase.stories.scenes import fetch_readable_scene
from mediabase.stories.service import Q, page, position

JOB_TYPE = "story.continuation"
# The compare-and-set lost: another continuation (or a hand-written bible) moved the scene on.
LOST_RACE = frozenset({"story_continuations_bible_cas", "story_bibles_contiguous", "story_segments_latest_bible"})

register_constraint("story_continuations_bible_cas", Conflict, None)
register_constraint("story_continuations_job_exists", NotFound, None)
register_constraint("story_continuations_state_transition", Conflict, None, field="state")

Progress = Callable[[int, str], Awaitable[None]]


class StoriesSettings(BaseSettings):
    """The continuation jobs' knobs (``MEDIABASE_STORIES_*``)."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_STORIES_", extra="ignore")

    queue: str = Field(default="stories", pattern=r"^[a-z][a-z0-9_.-]{0,62}$",
                       description="the queue continuation jobs go to (a worker may serve it alone)")
    continuation_max_retries: int = Field(
        default=10, ge=0, le=1000, description="retries of a continuation job (conflicts count)"
    )
    continuation_turn_wait: float = Field(
        default=60.0, ge=0, le=3600,
        description="seconds an attempt waits for the older continuations of its scene to finish first (0: never)",
    )


def _continuation_query(where: LiteralString) -> LiteralString:
    return Q.continuation_columns + " WHERE " + where


async def _with_jobs(conn: Conn, org: UUID, rows: list[dict[str, Any]]) -> list[Continuation]:
    """Continuation rows with their jobs' status, stage, progress and last error."""
    jobs = {}
    if rows:
        cur = await conn.execute(Q.continuation_jobs, {"org": org, "ids": [r["job_id"] for r in rows],
                                                       "created": [r["job_created_at"] for r in rows]})
        jobs = {j["id"]: j for j in await cur.fetchall()}
    out = []
    for r in rows:
        j = jobs.get(r["job_id"], {})
        out.append(Continuation.model_validate({
            **{k: v for k, v in r.items() if k != "job_created_at"}, "job_status": j.get("status"),
            "job_stage": j.get("stage"), "job_progress": j.get("progress"), "job_error": j.get("error_message"),
        }))
    return out


async def _continuation(conn: Conn, org: UUID, job_id: UUID) -> Continuation:
    row = await fetch_one_or_404(conn, _continuation_query("c.organization_id = %(org)s AND c.job_id = %(job)s"),
                                 {"org": org, "job": job_id}, "continuation")
    return (await _with_jobs(conn, org, [row]))[0]


async def continue_scene(
    db: Database, p: Principal, scene_id: UUID, data: ContinuationCreate, *, idempotency_key: str | None = None,
    settings: StoriesSettings | None = None,
) -> Continuation:
    """Record a continuation of an active scene and enqueue its job, in one transaction. With an
    ``idempotency_key``, the same key again answers with the first continuation."""
    s = settings or StoriesSettings()
    async with db.transaction(p.organization_id, p.user_id) as conn:
        sc = await fetch_readable_scene(conn, p, scene_id)
        if sc.status != "active":
            raise Conflict(f"the scene is {sc.status}: it takes no continuations", field="scene_id")
        job = await enqueue(
            conn, org_id=p.organization_id, type=JOB_TYPE, input={"scene_id": str(scene_id), "text": data.text},
            queue=s.queue, max_retries=s.continuation_max_retries, idempotency_key=idempotency_key,
        )
        if job.created:
            await conn.execute(Q.insert_continuation, {
                "org": p.organization_id, "job": job.id, "job_created_at": job.created_at, "scene": scene_id,
                "user": p.user_id, "text": data.text, "base": sc.bible_version,
            })
        found = await _continuation(conn, p.organization_id, job.id)
        if found.scene_id != scene_id:
            raise Conflict("this idempotency key was used for a continuation of another scene", field="Idempotency-Key")
        return found


async def get_continuation(db: Database, p: Principal, job_id: UUID) -> Continuation:
    """A continuation with its job's status, stage and progress."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        c = await _continuation(conn, p.organization_id, job_id)
        await fetch_readable_scene(conn, p, c.scene_id)
        return c


async def list_continuations(
    db: Database, p: Principal, scene_id: UUID, *, limit: int = 50, cursor: str | None = None
) -> Page[Continuation]:
    """A scene's continuations, newest first: one range of (organization, scene, created_at)."""
    where: list[LiteralString] = ["c.organization_id = %(org)s", "c.scene_id = %(scene)s"]
    if cursor is not None:
        where.append("(c.created_at, c.job_id) < (%(after_at)s, %(after_id)s)")
    params = {"org": p.organization_id, "scene": scene_id, **position(cursor)}
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_readable_scene(conn, p, scene_id)
        rows = await page(conn, dict, Q.continuation_columns, where, "c.created_at DESC, c.job_id DESC", params,
                          limit, lambda c: (c["created_at"], c["job_id"]))
        return Page(items=await _with_jobs(conn, p.organization_id, rows.items), next_cursor=rows.next_cursor)


# -- the job's work -----------------------------------------------------------------------------------


async def _quiet(_percent: int, _stage: str) -> None:
    return None


async def _set_state(db: Database, org: UUID, job_id: UUID, state: str, message: str | None, *,
                     attempt: bool = False, base: int | None = None) -> None:
    async with db.transaction(org) as conn:
        await _write_state(conn, org, job_id, state, message, attempt=attempt, base=base)


async def _write_state(conn: Conn, org: UUID, job_id: UUID, state: str, message: str | None, *,
                       attempt: bool = False, base: int | None = None) -> None:
    params = {"org": org, "job": job_id, "message": message and message[:2000], "attempt": int(attempt)}
    if state == "failed":
        await conn.execute(Q.fail_continuation, params)
    else:
        await conn.execute(Q.set_state, {**params, "state": state, "base": base})


async def _still_current(db: Database, org: UUID, scene: UUID, base: int) -> None:
    """Conflict if the scene's bible moved on since the attempt began: a video generated now would
    be lost at finalization anyway, so the attempt gives up before making it."""
    async with db.transaction(org, readonly=True) as conn:
        row = await fetch_one_or_404(conn, Q.scene_version, {"org": org, "id": scene}, "scene")
    if row["bible_version"] != base:
        raise Conflict(f"another continuation finalized first: this one started from bible version {base}, the"
                       f" scene is at version {row['bible_version']}", constraint="story_continuations_bible_cas")


# An attempt that ends (finalized, lost, failed) wakes the attempts of this process waiting for
# the same scene at once; those of other processes notice at their next look.
_TURNS: dict[tuple[int, UUID, UUID], asyncio.Event] = {}


def _turn_event(org: UUID, scene: UUID) -> asyncio.Event:
    return _TURNS.setdefault((id(asyncio.get_running_loop()), org, scene), asyncio.Event())


def _pass_turn(org: UUID, scene: UUID) -> None:
    event = _TURNS.pop((id(asyncio.get_running_loop()), org, scene), None)
    if event is not None:
        event.set()


async def _await_turn(db: Database, org: UUID, job_id: UUID, *, limit: float,
                      check: Callable[[], None]) -> None:
    """Let the scene's older live continuations finish first, for at most ``limit`` seconds.

    Continuations of one scene are serial by nature: each builds on the bible the previous one
    wrote. Started together, all but one would do their stages for nothing and lose the race at
    finalization. Waiting for its turn (creation order; only continuations whose job is still
    queued or running count) makes an attempt start from the version it will most likely
    finalize on. No lock is held meanwhile; the compare-and-set at finalization stays the
    guarantee, so a turn that never comes (``limit``) only costs a possible race. An attempt of
    this process that ends wakes the waiters at once and the next in line looks again (the others
    count one less ahead); without a wake-up (the attempt ran in another process) the next in
    line looks again after 50 ms, the ones behind it less often."""
    waited = 0.0
    known = 0  # how many were ahead at the last look, less those that ended since (a wake-up each)
    scene: UUID | None = None
    while waited < limit:
        if known <= 0:  # only the next in line looks again when an attempt ends
            async with db.transaction(org, readonly=True) as conn:
                ahead = await (await conn.execute(Q.continuations_ahead, {"org": org, "job": job_id})).fetchall()
                if not ahead:
                    return
                scene = ahead[0]["scene_id"]
                row = await fetch_one_or_404(conn, Q.live_jobs, {"org": org, "ids": [a["job_id"] for a in ahead],
                                                                 "created": [a["job_created_at"] for a in ahead]},
                                             "jobs")
            known = row["n"]
            if known == 0:
                return
        check()
        assert scene is not None
        pause = min(0.05 * known, 1.0, limit - waited)
        t0 = time.monotonic()
        try:
            await asyncio.wait_for(_turn_event(org, scene).wait(), pause)
            known -= 1
        except TimeoutError:
            known = 0
        waited += time.monotonic() - t0


async def run_continuation(
    db: Database,
    org: UUID,
    job_id: UUID,
    *,
    progress: Progress | None = None,
    check_cancelled: Callable[[], None] | None = None,
    last_attempt: bool = False,
    turn_wait: float | None = None,
) -> dict[str, Any]:
    """One attempt of a continuation job, stage by stage; returns what finalization wrote.

    It first waits its turn behind the scene's older continuations (:func:`_await_turn`, at most
    ``turn_wait`` seconds, by default ``MEDIABASE_STORIES_CONTINUATION_TURN_WAIT``; 0 starts at
    once). Raises :class:`Conflict` when another continuation finalized first (the job retries),
    :class:`PermanentError` when retrying cannot help (the scene closed, the bible is invalid)."""
    report = progress or _quiet

    def check() -> None:
        if check_cancelled is not None:
            check_cancelled()

    wait = StoriesSettings().continuation_turn_wait if turn_wait is None else turn_wait
    if wait > 0:
        try:
            await _await_turn(db, org, job_id, limit=wait, check=check)
        except JobCancelled:
            await _set_state(db, org, job_id, "failed", "cancelled")
            raise
    closed: str | None = None
    async with db.transaction(org) as conn:
        row = await (await conn.execute(Q.start_attempt, {"org": org, "job": job_id})).fetchone()
        if row is None:
            raise PermanentError(f"no continuation has job {job_id} (its scene is gone)", code="not_found")
        if row["state"] == "finalized":  # finalized by an earlier run that could not complete the job
            done = await fetch_one_or_404(conn, Q.finalized_result, {"org": org, "id": row["segment_id"]}, "segment",
                                          model=Finalized)
            return done.model_dump(mode="json")
        if row["state"] == "failed":
            raise PermanentError("the continuation failed for good", code="failed")
        if row["scene_status"] != "active":
            closed = f"the scene is {row['scene_status']}: it takes no new segments"
            await _write_state(conn, org, job_id, "failed", closed, attempt=True)
        else:
            await _write_state(conn, org, job_id, "running", None, attempt=True, base=row["bible_version"])
    if closed is not None:
        raise PermanentError(closed, code="scene_closed")

    base: int = row["bible_version"]
    sequence: int = row["segment_count"] + 1
    text: str = row["input_text"]
    try:
        return await _stages(db, org, job_id, row, base=base, sequence=sequence, text=text, report=report,
                             check=check, last_attempt=last_attempt)
    finally:
        _pass_turn(org, row["scene_id"])


async def _stages(db: Database, org: UUID, job_id: UUID, row: dict[str, Any], *, base: int, sequence: int,
                  text: str, report: Progress, check: Callable[[], None], last_attempt: bool) -> dict[str, Any]:
    """The stages of one attempt, from script expansion to finalization."""
    try:
        await report(10, "script_expansion")
        check()
        current = bibles.validate(row["bible"], version=base)
        script = bibles.expand_script(text, current, title=row["title"], sequence=sequence)
        await report(35, "continuity_validation")
        check()
        new = bibles.validate(bibles.advance(current, sequence=sequence, text=text), version=base + 1)
        await _still_current(db, org, row["scene_id"], base)  # before the expensive stage
        await report(60, "video_generation")
        check()
        media = bibles.placeholder_media(row["scene_id"], job_id, script)
        await report(85, "upload")
        check()
        await report(95, "finalization")
        async with db.transaction(org) as conn:
            done = await fetch_one_or_404(conn, Q.finalize, {
                "job": job_id, "base": base, "bible": Jsonb(new), "script": script, "video_key": media.video_key,
                "duration_ms": media.duration_ms, "hls_key": media.hls_key, "thumbnail_key": media.thumbnail_key,
                "resolution": media.resolution, "size_bytes": media.size_bytes,
            }, "continuation", model=Finalized)
    except JobCancelled:
        await _set_state(db, org, job_id, "failed", "cancelled")
        raise
    except Invalid as exc:  # the bible the scene holds breaks the schema: no retry fixes it
        await _set_state(db, org, job_id, "failed", str(exc))
        raise PermanentError(str(exc), code="invalid_bible") from exc
    except Conflict as exc:
        if exc.extra.get("constraint") in LOST_RACE:
            await _set_state(db, org, job_id, "failed" if last_attempt else "conflict", str(exc))
            raise
        if exc.extra.get("constraint") == "story_segments_scene_open":
            await _set_state(db, org, job_id, "failed", str(exc))
            raise PermanentError(str(exc), code="scene_closed") from exc
        raise
    return done.model_dump(mode="json")
