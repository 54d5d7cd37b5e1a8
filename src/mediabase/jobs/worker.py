"""The Python worker: claims jobs in batches, runs their handlers, keeps their leases alive.

One process runs ``concurrency`` handlers at once on asyncio. Claims go through
``mediabase.claim_jobs`` (batches, SKIP LOCKED, per-type limits, expired leases returned);
a LISTEN connection wakes the claim loop at once when jobs are enqueued, and it polls every
``poll_interval`` seconds anyway (scheduled jobs, lost notifications). Completions of ordinary
handlers are flushed in batches (one statement for all that finished meanwhile); a
transactional handler's job is completed inside the handler's own transaction. A heartbeat
extends every held lease each third of the lease and brings cancel requests to the handlers.
SIGTERM stops the claiming, lets running handlers finish for ``shutdown_grace`` seconds, then
cancels the rest and gives their jobs back to the queue; the process exits 0.

Each job is one log line when it ends (``job completed`` at INFO, ``job failed`` at WARNING when
it is retried and ERROR for good), and ``job started`` at DEBUG, with its type, id, organization
(slug) and duration. A job whose input names a followed subject (``@follow``, e.g. ``video_id``)
tells the subject's follower of its start, completion or end in its tenant's transactions.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import math
import os
import secrets
import signal
import socket
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from mediabase import logs
from mediabase.db.connection import Database
from mediabase.db.errors import MediabaseError, translated
from mediabase.db.rows import Jsonb
from mediabase.jobs.models import Job, JobStage
from mediabase.jobs.registry import (
    Follower,
    JobCancelled,
    JobContext,
    PermanentError,
    Poller,
    Registration,
    followers,
    handlers,
    pollers,
    upkeeps,
)
from mediabase.jobs.service import WAKE_CHANNEL, Q
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.turns import OrgSlugs, Subject, one_line, subjects_of, tell

log = logging.getLogger("mediabase.jobs")


class LeaseLost(Exception):
    """The worker no longer holds the job (its lease ran out and it went back to the queue)."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def import_handler_modules(names: Iterable[str], *, builtin: Iterable[str] = ()) -> list[str]:
    """Import the modules that register handlers and upkeep (``builtin`` ones first: the
    adapters pass ``mediabase.wiring.WORKER_MODULES``); returns their names.

    A named module that fails to import raises; a built-in one is skipped with a warning.
    """
    done: list[str] = []
    for name in builtin:
        try:
            importlib.import_module(name)
            done.append(name)
        except ImportError as exc:
            log.warning("built-in handlers of %s not available: %s", name, exc)
    for name in names:
        name = name.strip()
        if name and name not in done:
            importlib.import_module(name)
            done.append(name)
    return done


@dataclass(slots=True)
class _Running:
    job: Job
    cancel: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class Worker:
    """Claims and runs jobs until :meth:`stop` (or SIGTERM in :func:`run_worker`).

    With ``maintenance_url`` (the owner's URL, normally ``db.url``) it also runs the registered
    upkeep on :meth:`Database.owner_connection` of that URL, and the registered pollers (the
    event dispatcher …) on its own pool."""

    def __init__(
        self,
        db: Database,
        settings: JobSettings,
        *,
        queues: list[str] | None = None,
        registrations: dict[str, Registration] | None = None,
        name: str | None = None,
        maintenance_url: str | None = None,
        follow: list[Follower] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.queues = queues or None
        self.registrations = registrations if registrations is not None else handlers()
        if not self.registrations:
            raise MediabaseError("no job handlers are registered; name their modules with --import")
        self.types = sorted(self.registrations)
        self.followers = follow if follow is not None else followers()
        self._slugs = OrgSlugs()
        self.name = name or worker_name()
        self.maintenance_url = maintenance_url
        self.concurrency = settings.concurrency
        self._running: dict[UUID, _Running] = {}
        self._waiting: deque[_Running] = deque()  # claimed, waiting for a free slot
        self._held: set[UUID] = set()  # claimed and not yet completed, failed or released
        self._completions: list[tuple[Job, Any, float]] = []  # the job, its result, its ms
        self._kick = asyncio.Event()
        self._flush = asyncio.Event()
        self._stopping = asyncio.Event()
        self.processed = 0
        self._prefetch_lease = min(settings.prefetch_lease_seconds, settings.lease_seconds)
        self._short: set[UUID] = set()  # held on the short prefetch lease
        self._upkept: dict[str, float] = {}  # upkeep name -> when it last succeeded (monotonic)

    # -- control ------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop claiming; :meth:`run` then drains and returns."""
        self._stopping.set()
        self._kick.set()

    async def run(self) -> None:
        if self.maintenance_url:
            # before the first claim: a month's partition created while jobs sit in DEFAULT moves
            # them, and a statement planned before that move and run after it misses them
            await self._upkeep()
        background = [
            asyncio.create_task(self._listen(), name="jobs-listen"),
            asyncio.create_task(self._heartbeat(), name="jobs-heartbeat"),
            asyncio.create_task(self._flusher(), name="jobs-flush"),
        ]
        if self.maintenance_url:
            background.append(asyncio.create_task(self._maintenance(), name="jobs-maintenance"))
            background += [asyncio.create_task(self._poll(p), name=f"poller-{p.name}") for p in pollers()]
        log.info("worker %s started: %d job types, queues %s, concurrency %d", self.name, len(self.types),
                 ",".join(self.queues or ["*"]), self.concurrency)
        log.debug("job types: %s", ", ".join(self.types))
        try:
            await self._claim_loop()
        finally:
            await self._drain()
            for t in background:
                t.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            log.info("worker %s stopped after %d jobs", self.name, self.processed)

    # -- database calls -----------------------------------------------------------------------

    async def _call(self, query: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        async with self.db.transaction() as conn:
            cur = await conn.execute(query, params)
            return await cur.fetchall() if cur.description else []

    async def _claim(self, n: int, lease_seconds: int) -> list[dict[str, Any]]:
        return await self._call(
            Q.claim,
            {
                "worker": self.name,
                "types": self.types,
                "batch": n,
                "lease_seconds": lease_seconds,
                "queues": self.queues,
                "org": None,
            },
        )

    async def _report(self, job_id: UUID, percent: int, stage: JobStage | str | None, message: str | None) -> str:
        rows = await self._call(
            Q.progress,
            {
                "id": job_id,
                "worker": self.name,
                "progress": percent,
                "stage": str(stage) if stage is not None else None,
                "message": message,
                "org": None,
            },
        )
        return str(rows[0]["state"])

    async def _fail(self, job: Job, code: str, message: str, *, retryable: bool, started: float) -> None:
        """Record a failed run (again later, or for good) and log it; a followed job's end for
        good is told to its followers in the same transaction."""
        subjects = subjects_of(self.followers, job)
        error = one_line(f"{code}: {message}")
        try:
            async with self.db.transaction(job.organization_id if subjects else None) as conn:
                cur = await conn.execute(Q.fail, {"id": job.id, "worker": self.name, "code": code[:50],
                                                  "message": message[:10000], "retryable": retryable, "org": None})
                row = await cur.fetchone()
                status = row["status"] if row else None
                if status in ("failed", "cancelled") and subjects:
                    await tell(conn, job, "failed" if status == "failed" else "cancelled", subjects, error)
        except MediabaseError as exc:  # the lease runs out and the job comes back: retried anyway
            log.warning("could not record the failure of job %s (%s)", job.id, exc)
            return
        finally:
            self._held.discard(job.id)
        fields = {"error": error, "duration_ms": _ms(started), "attempt": f"{job.attempts}/{job.max_retries + 1}"}
        if status == "queued":
            log.warning("job failed; it runs again later", extra=fields)
        elif status == "failed":
            log.error("job failed for good", extra=fields)
        elif status == "cancelled":
            log.info("job cancelled", extra={"duration_ms": fields["duration_ms"]})
        else:
            log.warning("job failed after its lease ran out; it runs again elsewhere", extra=fields)

    # -- followers ----------------------------------------------------------------------------

    async def _started(self, job: Job, subjects: list[Subject]) -> None:
        try:
            async with self.db.transaction(job.organization_id) as conn:
                await tell(conn, job, "started", subjects)
        except MediabaseError as exc:  # the end of the job still tells them
            log.warning("could not tell the followers of its start (%s)", exc)

    # -- the loops ----------------------------------------------------------------------------

    async def _claim_loop(self) -> None:
        # Up to concurrency + batch_size jobs are held: the running ones and a prefetched
        # batch waiting for a free slot, so claims stay large even with few handlers.
        capacity = self.concurrency + self.settings.batch_size
        low_water = max(1, min(self.settings.batch_size, capacity) // 2)
        errors = 0
        while not self._stopping.is_set():
            room = capacity - len(self._running) - len(self._waiting)
            if room < low_water:
                self._kick.clear()
                if capacity - len(self._running) - len(self._waiting) < low_water:
                    await self._kick.wait()
                continue
            want = min(room, self.settings.batch_size)
            # more than the free slots: claimed ahead of a slot, on the short lease, so that a
            # worker that dies delays only the jobs it was running; the heartbeat renews it
            # while they wait and makes it full at its first beat after they start
            short = want > self.concurrency - len(self._running) - len(self._waiting)
            lease = self._prefetch_lease if short else self.settings.lease_seconds
            self._kick.clear()
            try:
                rows = await self._claim(want, lease)
                errors = 0
            except MediabaseError as exc:
                errors += 1
                log.warning("claim failed (%s); retrying", exc)
                await self._sleep(min(0.1 * 2**errors, self.settings.poll_interval))
                continue
            for row in rows:
                job = Job.model_validate(row)
                self._held.add(job.id)
                if short and lease < self.settings.lease_seconds:
                    self._short.add(job.id)
                self._waiting.append(_Running(job))
            self._dispatch()
            if len(rows) < want:
                await self._sleep(self.settings.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        """Wait for a kick (NOTIFY, a free slot, stop) or ``seconds``."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._kick.wait(), seconds)

    def _dispatch(self) -> None:
        """Start waiting jobs while there are free slots."""
        while self._waiting and len(self._running) < self.concurrency and not self._stopping.is_set():
            running = self._waiting.popleft()
            self._running[running.job.id] = running
            running.task = asyncio.create_task(self._execute(running), name=f"job-{running.job.id}")

    async def _execute(self, running: _Running) -> None:
        job = running.job
        reg = self.registrations[job.type]
        started = time.perf_counter()
        # This task's own log context (it dies with the task): the request that enqueued the job,
        # on the job's records and on the jobs it enqueues in turn.
        log_ctx = logs.RequestContext(request_id=job.request_id, organization=str(job.organization_id),
                                      route=f"job {job.type}", job_id=str(job.id), job_type=job.type)
        logs.bind(log_ctx)
        subjects = subjects_of(self.followers, job)

        async def report(percent: int, stage: JobStage | str | None, message: str | None) -> str:
            return await self._report(job.id, percent, stage, message)

        try:
            if running.cancel.is_set():
                raise JobCancelled(f"job {job.id} was cancelled before it started")
            log_ctx.org_slug = await self._slugs.get(self.db, job.organization_id)
            if log.isEnabledFor(logging.DEBUG):
                log.debug("job started", extra={"attempt": f"{job.attempts}/{job.max_retries + 1}"})
            if subjects:
                await self._started(job, subjects)
            if reg.transactional:
                async with self.db.transaction(job.organization_id) as conn:
                    ctx = JobContext(job, self.name, self.db, conn, running.cancel, report)
                    result = await self._invoke(reg, ctx)
                    cur = await conn.execute(
                        Q.complete_one,
                        {
                            "id": job.id,
                            "worker": self.name,
                            "result": Jsonb(result) if result is not None else None,
                            "org": None,
                        },
                    )
                    row = await cur.fetchone()
                    if not (row and row["ok"]):
                        raise LeaseLost(f"job {job.id}: lease lost before completion")
                    if subjects:
                        await tell(conn, job, "completed", subjects)
                self._completed(job, _ms(started))
            else:
                ctx = JobContext(job, self.name, self.db, None, running.cancel, report)
                result = await self._invoke(reg, ctx)
                if subjects:  # completed on its own, with its followers, in its tenant
                    await self._complete_followed(job, result, subjects, _ms(started))
                else:
                    self._completions.append((job, result, _ms(started)))
                    self._flush.set()
        except LeaseLost as exc:
            self._held.discard(job.id)
            log.warning("%s", exc)
        except JobCancelled as exc:
            await self._fail(job, "cancelled", str(exc), retryable=False, started=started)
        except PermanentError as exc:
            await self._fail(job, exc.code, str(exc), retryable=False, started=started)
        except TimeoutError:
            await self._fail(job, "timeout", f"the handler ran longer than {reg.timeout} s", retryable=True,
                             started=started)
        except asyncio.CancelledError:
            raise  # shutting down: the drain gives the job back
        except Exception as exc:
            log.debug("the traceback of the failure", exc_info=exc)
            await self._fail(job, type(exc).__name__, str(exc) or repr(exc), retryable=True, started=started)
        finally:
            self._running.pop(job.id, None)
            self._dispatch()
            self._kick.set()

    def _completed(self, job: Job, ms: float) -> None:
        self._held.discard(job.id)
        self.processed += 1
        if log.isEnabledFor(logging.INFO):
            log.info("job completed", extra={"duration_ms": ms, **self._job_fields(job)})

    def _job_fields(self, job: Job) -> dict[str, Any]:
        """A job's log fields, for a record logged outside its task (the flusher's)."""
        return {"job_id": str(job.id), "job_type": job.type, "organization": str(job.organization_id),
                "org_slug": self._slugs.known(job.organization_id), "request_id": job.request_id,
                "route": f"job {job.type}"}

    async def _complete_followed(self, job: Job, result: Any, subjects: list[Subject],
                                 ms: float) -> None:
        async with self.db.transaction(job.organization_id) as conn:
            cur = await conn.execute(Q.complete_one, {"id": job.id, "worker": self.name,
                                                      "result": Jsonb(result) if result is not None else None,
                                                      "org": None})
            row = await cur.fetchone()
            if not (row and row["ok"]):
                raise LeaseLost(f"job {job.id}: lease lost before completion")
            await tell(conn, job, "completed", subjects)
        self._completed(job, ms)

    async def _invoke(self, reg: Registration, ctx: JobContext) -> Any:
        if reg.timeout is None:
            result = await reg.handler(ctx)
        else:
            async with asyncio.timeout(reg.timeout):
                result = await reg.handler(ctx)
        if result is not None:
            try:
                json.dumps(result)
            except (TypeError, ValueError) as exc:
                raise PermanentError(f"the handler's result is not JSON: {exc}", code="bad_result") from exc
        return result

    async def _flusher(self) -> None:
        while True:
            await self._flush.wait()
            self._flush.clear()
            while self._completions:
                await self._flush_once()

    async def _flush_once(self) -> None:
        batch, self._completions = self._completions[:1000], self._completions[1000:]
        try:
            rows = await self._call(
                Q.complete_many,
                {
                    "worker": self.name,
                    "ids": [job.id for job, _, _ in batch],
                    "results": [Jsonb(r) if r is not None else None for _, r, _ in batch],
                    "org": None,
                },
            )
        except MediabaseError as exc:
            log.warning("completing %d jobs failed (%s); retrying", len(batch), exc)
            self._completions[:0] = batch
            await asyncio.sleep(0.2)
            return
        done = {r["id"] for r in rows}
        for job, _, ms in batch:
            if job.id in done:
                self._completed(job, ms)
            else:
                self._held.discard(job.id)
                log.warning("job lost its lease before completion; it runs again elsewhere",
                            extra=self._job_fields(job))

    async def _heartbeat(self) -> None:
        """Keep leases alive: jobs waiting for a slot on the short prefetch lease, every third of
        it; running jobs on the full lease, every third of that, and a job that has just left
        the waiting line (still on its short lease) at the next beat."""
        full_every = max(self.settings.lease_seconds / 3, 0.2)
        every = min(full_every, max(self._prefetch_lease / 3, 0.2))
        last_full = time.monotonic()
        while True:
            await asyncio.sleep(every)
            waiting = [r.job.id for r in self._waiting]
            if waiting:
                await self._renew(waiting, self._prefetch_lease)
            running = [i for i in self._held if i not in set(waiting)]
            if time.monotonic() - last_full >= full_every:
                last_full = time.monotonic()
            else:
                running = [i for i in running if i in self._short]
            if running:
                await self._renew(running, self.settings.lease_seconds)

    async def _renew(self, ids: list[UUID], lease: int) -> None:
        """Renew the leases of ``ids`` for ``lease`` seconds; tell the handlers of lost or
        cancelled jobs to stop."""
        try:
            rows = await self._call(
                Q.heartbeat, {"worker": self.name, "ids": ids, "lease_seconds": lease, "org": None}
            )
        except MediabaseError as exc:
            log.warning("heartbeat failed: %s", exc)
            return
        if lease < self.settings.lease_seconds:
            self._short.update(ids)
        else:
            self._short.difference_update(ids)
        self._short &= self._held
        alive = {r["id"]: r["cancel_requested"] for r in rows}
        # still waiting now, not renewed: lost (a job that started and finished meanwhile is not)
        lost_waiting = {r.job.id for r in self._waiting if r.job.id in set(ids) and r.job.id not in alive}
        if lost_waiting:  # never started here, and another worker may hold it now: let it go
            self._waiting = deque(r for r in self._waiting if r.job.id not in lost_waiting)
            self._held -= lost_waiting
            log.warning("%d prefetched jobs lost their lease before a slot was free", len(lost_waiting))
        waiting = {r.job.id: r for r in self._waiting}
        for job_id in ids:
            running = self._running.get(job_id) or waiting.get(job_id)
            if running is None:
                continue
            if job_id not in alive:
                log.warning("job %s: lease lost; telling its handler to stop", job_id)
                running.cancel.set()
            elif alive[job_id]:
                running.cancel.set()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.db.listen(WAKE_CHANNEL) as listener:
                    self._kick.set()  # anything enqueued while we were not listening
                    while True:
                        await listener.wait()
                        self._kick.set()
            except MediabaseError as exc:
                log.warning("LISTEN connection lost (%s); polling until it is back", exc)
                await asyncio.sleep(1.0)

    async def _poll(self, p: Poller) -> None:
        """Run one poller until the worker stops: again at once while it moves work, after its
        interval when it finds none or fails (logged; the next call tries again)."""
        interval = p.interval if p.interval is not None else self.settings.poller_interval
        while not self._stopping.is_set():
            try:
                with translated():
                    moved = await p.fn(self.db, self.settings)
            except MediabaseError as exc:
                log.warning("poller %s failed (%s); next try in %g s", p.name, exc, interval)
                moved = 0
            if moved:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), interval)

    async def _maintenance(self) -> None:
        while True:
            await asyncio.sleep(self.settings.maintenance_interval)
            await self._upkeep()

    async def _upkeep(self) -> None:
        """One pass of the registered upkeep (:func:`mediabase.jobs.registry.periodic`): each
        piece whose interval has passed, in order, on one maintenance connection. A piece that
        fails is logged and tried again on the next pass; the others still run."""
        assert self.maintenance_url is not None
        now = time.monotonic()
        due = [u for u in upkeeps() if u.every is None or now - self._upkept.get(u.name, -math.inf) >= u.every]
        if not due:
            return
        try:
            async with self.db.owner_connection(self.maintenance_url) as conn:
                for u in due:
                    try:
                        with translated():
                            said = await u.fn(conn, self.settings)
                    except MediabaseError as exc:
                        log.warning("upkeep %s failed (%s); next try in %g s", u.name, exc,
                                    self.settings.maintenance_interval)
                        continue
                    self._upkept[u.name] = now
                    if said:
                        log.info("%s", said)
        except MediabaseError as exc:
            log.warning("upkeep failed (%s); next try in %g s", exc, self.settings.maintenance_interval)

    async def _drain(self) -> None:
        self._waiting.clear()  # never started: released below with the rest of _held
        tasks = [r.task for r in self._running.values() if r.task is not None]
        if tasks:
            log.info("waiting up to %g s for %d running jobs", self.settings.shutdown_grace, len(tasks))
            _, pending = await asyncio.wait(tasks, timeout=self.settings.shutdown_grace)
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        while self._completions:
            await self._flush_once()
        if self._held:
            ids = list(self._held)
            try:
                rows = await self._call(Q.release, {"worker": self.name, "ids": ids, "org": None})
                log.info("gave %s unfinished jobs back to the queue", rows[0]["released"])
            except MediabaseError as exc:
                log.warning("could not give jobs back (%s); their leases will run out", exc)
            self._held.clear()


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


async def run_worker(
    url: str,
    db_settings: Any,
    settings: JobSettings,
    *,
    queues: list[str] | None = None,
    name: str | None = None,
) -> int:
    """Run a worker until SIGTERM or SIGINT; refuses a schema that is behind. Returns jobs done."""
    from mediabase.db.migrator import Migrator

    await Migrator(url, db_settings).ensure_current()
    pool_settings = db_settings.model_copy(
        update={
            "pool_min_size": 2,
            "pool_max_size": settings.concurrency + 4,
        }
    )
    async with Database(url, pool_settings) as db:
        worker = Worker(db, settings, queues=queues, name=name, maintenance_url=url)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        try:
            await worker.run()
        finally:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.remove_signal_handler(sig)
        return worker.processed
