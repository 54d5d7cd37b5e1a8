"""The registries the worker runs from, filled by the domains at import:

- ``@register("transcript.index")`` makes a coroutine the handler of a job type;
- ``@periodic("topics.trends")`` makes a coroutine a piece of periodic upkeep, run by every
  worker that has a maintenance connection (like procrastinate's ``periodic`` tasks);
- ``@poller("events.dispatch")`` makes a coroutine a short loop that moves work along (an
  outbox into jobs), run again at once while it finds work and every ``interval`` seconds
  otherwise, by every such worker (pollers take their rows with SKIP LOCKED, so workers share).
- ``@follow("video_id")`` makes a coroutine follow the jobs whose input names a subject by that
  key (a video's processing status follows its jobs: mediabase.transcripts.processing).

The worker imports the modules named by ``--import`` / ``MEDIABASE_JOBS_IMPORT`` and the
built-in ones (``mediabase.wiring.WORKER_MODULES``, passed by the adapters) before it starts;
it names no domain itself.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from mediabase.db.connection import Database
from mediabase.db.rows import Conn
from mediabase.jobs.models import TYPE_PATTERN, Job, JobStage

# The job types those modules handle: mediabase's own work, enqueued by mediabase itself (ingest,
# triggers) and run by ``mediabase worker`` only. No API key may enqueue, claim or complete them
# (docs/jobs.md "Who may do what"). Named here, not learnt by importing the modules, so that the
# API knows them even where an optional extra is missing; a unit test keeps the two in step.
SYSTEM_TYPES: frozenset[str] = frozenset({"transcript.index", "decision.embed", "story.continuation",
                                         "mail.send", "webhook.deliver", "workflow.step",
                                         "integrations.process", "knowledge.build", "knowledge.embed",
                                         "governance.data_request"})


class JobCancelled(Exception):
    """Raised by a handler (``ctx.raise_if_cancelled()``) that stops because it was cancelled."""


class PermanentError(Exception):
    """Raised by a handler for a failure that a retry cannot fix: the job fails for good."""

    def __init__(self, message: str, *, code: str = "permanent") -> None:
        super().__init__(message)
        self.code = code


ProgressFn = Callable[[int, "JobStage | str | None", "str | None"], Awaitable[str]]


@dataclass(slots=True)
class JobContext:
    """What a handler gets: the job, progress reporting, the cancel flag, and a connection.

    ``conn`` is set for a transactional handler: the open transaction, in the job's tenant,
    in which the job is completed after the handler returns (its writes and the completion
    commit together). Otherwise it is ``None`` and the handler may open its own transactions
    with ``ctx.db.transaction(ctx.job.organization_id)``.
    """

    job: Job
    worker: str
    db: Database
    conn: Conn | None
    cancel_event: asyncio.Event
    _report: ProgressFn

    @property
    def org_id(self) -> UUID:
        return self.job.organization_id

    @property
    def cancelled(self) -> bool:
        """True once a cancel was asked for, or the lease was lost: stop soon."""
        return self.cancel_event.is_set()

    def raise_if_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise JobCancelled(f"job {self.job.id} was cancelled")

    async def progress(self, percent: int, stage: JobStage | str | None = None, message: str | None = None) -> None:
        """Record progress (0..100), and the stage and a message if given; learn of a cancel."""
        state = await self._report(max(0, min(100, int(percent))), stage, message)
        if state in ("cancel_requested", "lost"):
            self.cancel_event.set()


Handler = Callable[[JobContext], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Registration:
    type: str
    handler: Handler
    transactional: bool
    timeout: float | None


_HANDLERS: dict[str, Registration] = {}


def register(
    type: str,
    *,
    transactional: bool = False,
    timeout: float | None = None,
    replace: bool = False,
) -> Callable[[Handler], Handler]:
    """Make the decorated coroutine the handler of jobs of ``type``.

    ``transactional=True`` runs it inside the transaction that completes the job (``ctx.conn``):
    the handler's writes and the completion commit together or not at all. ``timeout`` (seconds)
    fails a run that takes longer (retryable).
    """
    if not re.match(TYPE_PATTERN, type):
        raise ValueError(f"job type {type!r} must look like 'transcript.index'")

    def deco(fn: Handler) -> Handler:
        if type in _HANDLERS and not replace and _HANDLERS[type].handler is not fn:
            raise ValueError(f"a handler for {type!r} is registered already")
        _HANDLERS[type] = Registration(type, fn, transactional, timeout)
        return fn

    return deco


def unregister(type: str) -> None:
    _HANDLERS.pop(type, None)


def handlers() -> dict[str, Registration]:
    """The registered handlers by job type (a copy)."""
    return dict(_HANDLERS)


# -- periodic upkeep -------------------------------------------------------------------------------

UpkeepFn = Callable[[Conn, Any], Awaitable["str | None"]]


@dataclass(frozen=True, slots=True)
class Upkeep:
    """A piece of periodic upkeep: ``fn(conn, settings)`` on the owner's maintenance connection
    (autocommit, no tenant: upkeep crosses organizations) with the worker's
    :class:`~mediabase.jobs.settings.JobSettings`, at most every ``every`` seconds
    (None: on every maintenance pass). It returns a line worth logging, or None."""

    name: str
    fn: UpkeepFn
    every: float | None
    order: int


_UPKEEP: dict[str, Upkeep] = {}


def periodic(name: str, *, every: float | None = None, order: int = 100,
             replace: bool = False) -> Callable[[UpkeepFn], UpkeepFn]:
    """Make the decorated coroutine a piece of upkeep. Lower ``order`` runs first in a pass
    (partitions, 0, before anything that may write rows)."""

    def deco(fn: UpkeepFn) -> UpkeepFn:
        if name in _UPKEEP and not replace and _UPKEEP[name].fn is not fn:
            raise ValueError(f"upkeep {name!r} is registered already")
        _UPKEEP[name] = Upkeep(name, fn, every, order)
        return fn

    return deco


def upkeeps() -> list[Upkeep]:
    """The registered upkeep, in the order a pass runs it."""
    return sorted(_UPKEEP.values(), key=lambda u: (u.order, u.name))


# -- pollers ---------------------------------------------------------------------------------------

PollFn = Callable[[Database, Any], Awaitable[int]]


@dataclass(frozen=True, slots=True)
class Poller:
    """A loop that moves work along: ``fn(db, settings)`` on the worker's own (application-role)
    pool returns how many items it moved; 0 means "nothing now": the worker waits ``interval``
    seconds (None: the worker's ``poller_interval``) before the next call, otherwise it calls
    again at once. It must be safe to run in several workers at once."""

    name: str
    fn: PollFn
    interval: float | None


_POLLERS: dict[str, Poller] = {}


def poller(name: str, *, interval: float | None = None, replace: bool = False) -> Callable[[PollFn], PollFn]:
    """Make the decorated coroutine a poller (see :class:`Poller`)."""

    def deco(fn: PollFn) -> PollFn:
        if name in _POLLERS and not replace and _POLLERS[name].fn is not fn:
            raise ValueError(f"poller {name!r} is registered already")
        _POLLERS[name] = Poller(name, fn, interval)
        return fn

    return deco


def pollers() -> list[Poller]:
    """The registered pollers, by name."""
    return sorted(_POLLERS.values(), key=lambda p: p.name)


# -- followers -------------------------------------------------------------------------------------

FollowEvent = Literal["started", "completed", "failed", "cancelled"]
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True, slots=True)
class JobTurn:
    """What a follower is told: a job whose input names ``subject`` (``input[key]``, a UUID) has
    ``started``, ``completed``, or ended for good (``failed``, ``cancelled``; with its ``error``)."""

    job: Job
    subject: UUID
    event: FollowEvent
    error: str | None
    _others: Callable[[], Awaitable[int]]

    async def others_unfinished(self) -> int:
        """How many other jobs of the same subject are queued or running, counted by a new
        statement: a follower that takes its subject's row lock first sees every other turn of
        that subject committed (two jobs finishing at once: the second to take the lock sees the
        first one finished)."""
        return await self._others()


FollowFn = Callable[[Conn, JobTurn], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Follower:
    """``fn(conn, turn)`` for every turn of a job whose ``input[key]`` is a UUID, on the job's
    tenant transaction: at a start, a transaction of its own before the handler runs; at the
    completion, the transaction that completes the job; at a failure or cancel for good, the
    one that records it (a failure that will be retried is no turn)."""

    key: str
    fn: FollowFn


_FOLLOWERS: dict[str, Follower] = {}


def follow(key: str, *, replace: bool = False) -> Callable[[FollowFn], FollowFn]:
    """Make the decorated coroutine the follower of the jobs whose input names a subject by
    ``key`` (see :class:`Follower`)."""
    if not _KEY.match(key):
        raise ValueError(f"an input key to follow looks like 'video_id', not {key!r}")

    def deco(fn: FollowFn) -> FollowFn:
        if key in _FOLLOWERS and not replace and _FOLLOWERS[key].fn is not fn:
            raise ValueError(f"the jobs of {key!r} have a follower already")
        _FOLLOWERS[key] = Follower(key, fn)
        return fn

    return deco


def followers() -> list[Follower]:
    """The registered followers, by key."""
    return sorted(_FOLLOWERS.values(), key=lambda f: f.key)
