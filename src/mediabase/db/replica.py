"""Read-replica routing: which read-only unit of work may run on the replica.

A unit of work that only reads (``db.transaction(readonly=True)``) goes to the replica when
it is healthy, its lag is at most ``MEDIABASE_REPLICA_MAX_LAG_MS``, and the same tenant and
user have not written in the last ``MEDIABASE_REPLICA_READ_YOUR_WRITES_S`` seconds (so a
client reads its own writes). Otherwise it runs on the primary. A watcher measures the lag
once a second; a replica that is down or lagging costs reads nothing but the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any
from uuid import UUID

import psycopg
from psycopg_pool import AsyncConnectionPool

from mediabase.config import Settings
from mediabase.db.errors import MediabaseError
from mediabase.db.observe import replica_state

log = logging.getLogger("mediabase.db.replica")

WATCH_INTERVAL_S = 1.0
MAX_REMEMBERED_WRITERS = 10_000


class ReplicaRouter:
    """The replica's pool and the rule that decides when to use it."""

    acquire_timeout = 1.0  # a replica that cannot hand out a connection at once is skipped

    def __init__(self, pool: AsyncConnectionPool[Any], settings: Settings) -> None:
        self.pool = pool
        self.max_lag_s = settings.replica_max_lag_ms / 1000
        self.window_s = settings.replica_read_your_writes_s
        self.healthy = False
        self.lag_s: float | None = None
        self.error: str | None = "not checked yet"
        self.checked_at: float | None = None
        self._writes: dict[tuple[UUID | None, UUID | None], float] = {}
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Open without waiting (a replica that is down must not stop the application), take a
        first measurement, and watch from then on."""
        await self.pool.open(wait=False)
        await self.check()
        self._task = asyncio.create_task(self._watch(), name="replica-watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.pool.close()

    async def check(self) -> None:
        """Measure the lag now; on any failure mark the replica unhealthy."""
        try:
            async with asyncio.timeout(2.0), self.pool.connection(timeout=1.0) as conn:
                state = await replica_state(conn)
        except (psycopg.Error, MediabaseError, TimeoutError) as exc:
            self._down(f"replica unreachable: {type(exc).__name__}: {str(exc).strip() or 'timeout'}")
            return
        finally:
            self.checked_at = time.monotonic()
        if not state.in_recovery:
            self._down("the replica URL names a server that is not a standby (pg_is_in_recovery() is false)")
            return
        if state.lag_seconds is None:
            self._down("replica lag unknown: it has not replayed anything from the primary yet")
            return
        self.lag_s = state.lag_seconds
        if self.lag_s > self.max_lag_s:
            self._down(f"replica lags {self.lag_s * 1000:.0f} ms (limit {self.max_lag_s * 1000:.0f} ms)", keep_lag=True)
            return
        if not self.healthy:
            log.info("replica healthy (lag %.0f ms): read-only work goes there", self.lag_s * 1000)
        self.healthy, self.error = True, None

    def _down(self, reason: str, *, keep_lag: bool = False) -> None:
        if self.healthy or self.error != reason:
            log.warning("%s; reads go to the primary", reason)
        self.healthy, self.error = False, reason
        if not keep_lag:
            self.lag_s = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_INTERVAL_S)
            await self.check()

    def choose(self, org_id: UUID | None, user_id: UUID | None) -> AsyncConnectionPool[Any] | None:
        """The replica's pool for a read-only unit of work, or None for the primary."""
        if not self.healthy:
            return None
        last = self._writes.get((org_id, user_id))
        if last is not None and time.monotonic() - last < self.window_s:
            return None
        return self.pool

    def wrote(self, org_id: UUID | None, user_id: UUID | None) -> None:
        """A unit of work that may write began: this tenant and user read from the primary for a while."""
        if org_id is None and user_id is None:
            return
        now = time.monotonic()
        if len(self._writes) >= MAX_REMEMBERED_WRITERS:
            self._writes = {k: t for k, t in self._writes.items() if now - t < self.window_s}
        self._writes[(org_id, user_id)] = now

    def failed(self, exc: BaseException) -> None:
        """A unit of work on the replica failed to connect: use the primary until the watcher
        sees it healthy again."""
        self._down(f"replica failed: {type(exc).__name__}: {str(exc).strip()}")

    def status(self) -> dict[str, Any]:
        """For /ready, doctor and metrics."""
        return {
            "configured": True,
            "healthy": self.healthy,
            "lag_ms": None if self.lag_s is None else round(self.lag_s * 1000, 1),
            "max_lag_ms": round(self.max_lag_s * 1000),
            "error": self.error,
        }
