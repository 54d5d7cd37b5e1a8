"""The only code that opens connections: URL resolution, the async pool, transactions, tenants."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from mediabase.config import Settings
from mediabase.db import embedded, sessions
from mediabase.db.errors import Unavailable, translate
from mediabase.db.replica import ReplicaRouter
from mediabase.db.rows import Conn
from mediabase.logs import current_request_id

log = logging.getLogger("mediabase.db")
DOWN_RETRY_S = 1.0  # after a failed attempt, how long requests fail at once before the next try
WAIT_SLICE_S = 1.0  # a request waits this long for a pooled connection before asking whether the server is there

SCHEMA = "mediabase"
SEARCH_PATH = "mediabase, public"
APP_ROLE = "mediabase_app"  # what the API and worker run as: no owner, so RLS applies
OWNER_ROLE = "mediabase_owner"  # owns the schema's objects; migrations run as it
LOGIN_ROLE = "mediabase_api"  # what the application pool logs in as: may become APP_ROLE only (0011)
TENANT_SETTING = "mediabase.organization_id"
USER_SETTING = "mediabase.user_id"


def resolve_url(settings: Settings) -> str:
    """The owner's URL: MEDIABASE_DATABASE_URL, or the embedded server (started on demand)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return embedded.start(settings)


def direct_url(url: str, settings: Settings) -> str:
    """Where what needs a session goes (LISTEN, advisory session locks, SET ROLE for DDL):
    MEDIABASE_DIRECT_URL, or ``url`` itself. Behind a transaction-mode pooler this must name
    the server, not the pooler: session state does not survive a COMMIT there."""
    if settings.direct_url is not None:
        return settings.direct_url.get_secret_value()
    return url


def login_url(url: str, settings: Settings) -> str:
    """The URL the application pool logs in with: MEDIABASE_APP_DATABASE_URL; for the embedded
    server (which trusts its own socket) the same URL as LOGIN_ROLE; otherwise ``url`` itself,
    whose transactions then become the app role by SET LOCAL ROLE."""
    if settings.app_database_url is not None:
        return settings.app_database_url.get_secret_value()
    if embedded.trusts_local(url):
        return make_conninfo(url, user=LOGIN_ROLE)
    return url


def owner_session(url: str, settings: Settings) -> AbstractAsyncContextManager[Conn]:
    """A session of its own on ``url`` (a direct URL: see :func:`direct_url`), autocommit, as the
    owner role with mediabase's search_path: what :meth:`Database.direct_connection` opens, for
    callers that hold the URL only."""
    return sessions.connect(url, settings, role=OWNER_ROLE, search_path=SEARCH_PATH)


def prelude_statements(role: str, statement_timeout_ms: int, org_id: UUID | None, user_id: UUID | None,
                       *extra: sql.Composable) -> list[bytes]:
    """What every transaction begins with, in one round trip: the role, search_path, statement
    timeout and tenant, all transaction-local, so nothing depends on which session (or which
    pgbouncer server connection) runs it. Literals, not parameters: the statements go in one
    simple-protocol message (on Citus one each, in a pipeline: _begin_on)."""
    parts: list[sql.Composable] = [sql.SQL("BEGIN")]
    if role:
        parts.append(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
    # Citus: the SET LOCALs below (not the role: workers are reached as the role itself) go to
    # the workers too, where row-level security reads the tenant; a placeholder without Citus
    parts.append(sql.SQL("SET LOCAL citus.propagate_set_commands = 'local'"))
    parts.append(sql.SQL("SET LOCAL search_path TO " + SEARCH_PATH))
    parts.append(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(statement_timeout_ms)))
    if org_id is not None or user_id is not None:
        parts.append(sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(*TENANT_SETTING.split(".")),
                                                          sql.Literal(str(org_id) if org_id else "")))
        parts.append(sql.SQL("SET LOCAL {} = {}").format(sql.Identifier(*USER_SETTING.split(".")),
                                                          sql.Literal(str(user_id) if user_id else "")))
    parts.extend(extra)
    return [p.as_bytes(None) for p in parts]


def prelude(role: str, statement_timeout_ms: int, org_id: UUID | None, user_id: UUID | None) -> bytes:
    """The prelude as one message of several statements (prelude_statements)."""
    return b"; ".join(prelude_statements(role, statement_timeout_ms, org_id, user_id))


Pool = AsyncConnectionPool[Conn]
Begin = bytes | list[bytes]  # the prelude: one message, or its statements one by one (Citus)


def _make_pool(url: str, settings: Settings, *, name: str, configure: Any) -> Pool:
    kwargs = sessions.connection_kwargs(settings)
    return AsyncConnectionPool(
        url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        max_idle=settings.pool_idle_timeout,
        timeout=settings.connect_timeout,
        # a lost connection's replacement gives up after this instead of backing off for minutes: the
        # first request after a long outage then connects at once (Database._begin_on_primary)
        reconnect_timeout=max(5.0, settings.connect_timeout),
        open=False,
        name=name,
        configure=configure,
        kwargs=kwargs,
    )


async def _register_types(conn: psycopg.AsyncConnection[Any]) -> None:
    try:
        from pgvector.psycopg import register_vector_async

        await register_vector_async(conn)
    except psycopg.ProgrammingError:
        pass  # the vector type is not there yet (a database before its first migration)


class Database:
    """An async connection pool whose transactions run as the application role.

    Every unit of work is one transaction: ``async with db.transaction(org_id) as conn``. Its
    first round trip sets role, search_path, statement timeout and tenant with ``SET LOCAL``
    (:func:`prelude`): nothing is set per session, so the pool works behind a transaction-mode
    pgbouncer and no setting outlives its transaction. The application pool logs in as
    ``mediabase_api`` where it can (:func:`login_url`), a role that can become
    ``mediabase_app`` and nothing else. With ``MEDIABASE_DATABASE_REPLICA_URL`` a second pool
    serves read-only units of work (:mod:`mediabase.db.replica`).
    """

    def __init__(self, url: str, settings: Settings, *, role: str | None = None) -> None:
        self.url = url
        self.settings = settings
        self.role = APP_ROLE if role is None else role
        self._system: Database | None = None
        self._down_until = 0.0  # monotonic time before which the primary is taken to be down
        self._down_reason = ""
        self._was_down = False  # since the last failed attempt, nothing began on the primary
        self._probe = _Probe()
        # a server that refuses answers at once; a slow one (a busy machine) is given time
        self._probe_seconds = max(2, int(settings.connect_timeout / 2))
        self._explicit_login = settings.app_database_url is not None
        # on a Citus coordinator the prelude goes as one statement per message (see _begin_on)
        self._citus = False
        self.login_url = login_url(url, settings) if self.role == APP_ROLE else url
        self.pool: Pool = _make_pool(self.login_url, settings, name="primary" if self.role else "system",
                                     configure=_register_types)
        self.replica: ReplicaRouter | None = None
        if settings.database_replica_url is not None and self.role == APP_ROLE:
            replica_url = settings.database_replica_url.get_secret_value()
            self.replica = ReplicaRouter(
                _make_pool(login_url(replica_url, settings.model_copy(update={"app_database_url": None})),
                           settings, name="replica", configure=_register_types),
                settings,
            )

    @property
    def direct_url(self) -> str:
        """The owner's direct URL, for what needs a session (:func:`direct_url`)."""
        return direct_url(self.url, self.settings)

    def owner_connection(self, url: str | None = None) -> AbstractAsyncContextManager[Conn]:
        """A connection of its own, autocommit, as the owner's URL logs in (this database's, or
        ``url``: a worker's maintenance URL), in no tenant: upkeep and operations that cross
        organizations (partitions, trends, statistics). Not pooled, so nothing leaks into the
        units of work; driver errors leave as domain errors."""
        return sessions.connect(url or self.url, self.settings)

    def direct_connection(self) -> AbstractAsyncContextManager[Conn]:
        """A session on the direct URL (:attr:`direct_url`) as the owner role, search_path set:
        DDL that must not run in a transaction or through a pooler (CREATE INDEX CONCURRENTLY)."""
        return owner_session(self.direct_url, self.settings)

    def listen(self, *channels: str) -> AbstractAsyncContextManager[sessions.Listener]:
        """LISTEN to ``channels`` on a session of its own on the direct URL (a transaction-mode
        pooler would lose it); ``await listener.wait(timeout)`` gives the payloads that come."""
        return sessions.listen(self.direct_url, self.settings, channels)

    async def replica_lag(self) -> float | None:
        """The replica's last measured lag in seconds (None without a healthy measurement)."""
        return None if self.replica is None else self.replica.lag_s

    async def open(self) -> None:
        try:
            if self.login_url != self.url and not self._explicit_login and not await _can_login(self.login_url):
                # a database whose migrations have not made the login role yet: log in as given
                self.login_url = self.url
                self.pool = _make_pool(self.url, self.settings, name="primary", configure=_register_types)
            await self.pool.open(wait=True, timeout=self.settings.connect_timeout)
            async with self.pool.connection() as conn:
                row = await (await conn.execute(b"SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus')"
                                                b" AS citus")).fetchone()
                self._citus = bool(row and row["citus"])
            if self.replica is not None:
                await self.replica.open()
        except Exception as exc:
            if isinstance(exc, psycopg.Error):
                raise translate(exc) from exc
            raise

    async def close(self) -> None:
        if self._system is not None:
            await self._system.close()
            self._system = None
        if self.replica is not None:
            await self.replica.close()
        await self.pool.close()

    async def as_system(self) -> Database:
        """The owner-role twin of this pool (no RLS), opened on first use, closed with it.

        Only for what crosses tenants by nature (authentication, creating users and
        organizations) or what PostgreSQL refuses under row-level security (COPY FROM,
        used by bulk ingest); such code filters by organization explicitly.
        """
        if not self.role:
            return self
        if self._system is None:
            small = self.settings.model_copy(update={"pool_min_size": 0, "pool_max_size": 4})
            system = Database(self.url, small, role="")
            await system.open()
            self._system = system
        return self._system

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def transaction(
        self, org_id: UUID | None = None, user_id: UUID | None = None, *, readonly: bool = False
    ) -> AsyncIterator[Conn]:
        """One transaction, in a tenant context when ``org_id`` is given; driver errors translated.

        ``readonly=True`` marks a unit of work that only reads: it runs on the replica when one
        is configured, healthy and not lagging, and this tenant and user have not just written
        (read-your-writes); otherwise here, as a read-only transaction. Savepoints inside
        (``conn.transaction()``) nest as usual; any exception (cancellation too) rolls back."""
        extra: list[sql.Composable] = []
        if readonly:
            extra.append(sql.SQL("SET LOCAL transaction_read_only = on"))
        if (request_id := current_request_id()) is not None:  # recorded on the jobs it enqueues (0016)
            extra.append(sql.SQL("SET LOCAL mediabase.request_id = {}").format(sql.Literal(request_id)))
        statements = prelude_statements(self.role, self.settings.statement_timeout_ms, org_id, user_id, *extra)
        begin: Begin = statements if self._citus else b"; ".join(statements)
        pool, conn = await self._begin(begin, readonly, org_id, user_id)
        try:
            try:
                yield conn
            except BaseException:
                if not conn.closed:
                    with contextlib.suppress(psycopg.Error):
                        await conn.execute(b"ROLLBACK")
                raise
            await conn.execute(b"COMMIT")
        except psycopg.Error as exc:
            if pool is not self.pool and self.replica is not None and isinstance(exc, psycopg.OperationalError):
                self.replica.failed(exc)
            raise translate(exc) from exc
        finally:
            await pool.putconn(conn)

    async def _begin(
        self, begin: Begin, readonly: bool, org_id: UUID | None, user_id: UUID | None
    ) -> tuple[Pool, Conn]:
        """A connection with its transaction begun: on the replica if :meth:`transaction`'s rule
        allows and it answers at once, else on the primary."""
        if self.replica is not None:
            if not readonly:
                self.replica.wrote(org_id, user_id)
            elif (replica := self.replica.choose(org_id, user_id)) is not None:
                try:
                    return replica, await _begin_on(replica, begin, wait=self.replica.acquire_timeout)
                except psycopg.Error as exc:
                    self.replica.failed(exc)  # and fall back to the primary
        return self.pool, await self._begin_on_primary(begin)

    async def _begin_on_primary(self, begin: Begin) -> Conn:
        """Begin on the primary. Connections a server restart broke are found by the first
        statement, discarded (``pool.check()``), and the transaction begins again on a fresh
        one; while the server is known to be down, an error at once instead of waiting for the
        pool's timeout (docs/operations.md, "Faults")."""
        if self._down_until > time.monotonic():
            raise Unavailable(f"database unavailable: {self._down_reason}", retry_after=1)
        if self._was_down and not await self._probe.answers(self.login_url, self._probe_seconds):
            raise self._went_down(psycopg.OperationalError(self._down_reason or "the server does not answer"))
        try:
            conn = await self._pooled(begin)
        except psycopg.OperationalError as exc:
            if isinstance(exc, PoolTimeout):
                raise self._went_down(exc) from exc
            await self.pool.check()  # every idle connection the restart broke is dropped
            if not await _can_login(self.login_url, seconds=2):
                raise self._went_down(exc) from exc
            try:
                conn = await _begin_on(self.pool, begin)
            except psycopg.OperationalError as again:
                raise self._went_down(again) from again
        except psycopg.Error as exc:
            raise translate(exc) from exc
        self._was_down = False
        return conn

    async def _pooled(self, begin: Begin) -> Conn:
        """Begin on a pooled connection, waiting for one at most the connect timeout, in slices:
        a request that waits (the pool is empty: its connections were lost, or all are busy)
        asks between slices whether the server is there at all, so that while it is gone no
        request waits out the timeout (one login probe a second answers them all)."""
        deadline = time.monotonic() + self.settings.connect_timeout
        while True:
            wait = min(WAIT_SLICE_S, max(deadline - time.monotonic(), 0.001))
            try:
                return await _begin_on(self.pool, begin, wait=wait)
            except PoolTimeout as exc:
                if time.monotonic() >= deadline or self._down_until > time.monotonic():
                    raise
                if not await self._probe.answers(self.login_url, self._probe_seconds):
                    raise self._went_down(psycopg.OperationalError("the server does not take connections")) from exc

    def _went_down(self, exc: psycopg.Error) -> Unavailable:
        self._down_reason = (exc.diag.message_primary if hasattr(exc, "diag") else None) or str(exc).strip()
        self._down_until = time.monotonic() + DOWN_RETRY_S
        self._was_down = True
        log.warning("database unavailable (%s); answering 503 for %g s before trying again",
                    self._down_reason, DOWN_RETRY_S)
        return Unavailable(f"database unavailable: {self._down_reason}", retry_after=1)


async def _begin_on(pool: Pool, begin: Begin, wait: float | None = None) -> Conn:
    """A pooled connection with the transaction begun. The prelude is one message of several
    statements (one round trip), or on a Citus coordinator those statements one each in a
    pipeline (one round trip too): Citus passes a SET LOCAL on to the workers as the text of the
    whole message it came in, so one message would reach each worker once per SET LOCAL, its
    BEGIN each time ("there is already a transaction in progress", logged on every node)."""
    conn = await pool.getconn(timeout=wait)
    try:
        if isinstance(begin, bytes):
            await conn.execute(begin)
        else:
            async with conn.pipeline():
                for statement in begin:
                    await conn.execute(statement)
    except BaseException:
        await pool.putconn(conn)
        raise
    return conn


class _Probe:
    """Whether the server takes a login: one probe at a time, its answer kept for a second."""

    def __init__(self) -> None:
        self._at = -DOWN_RETRY_S
        self._ok = True
        self._lock = asyncio.Lock()

    async def answers(self, url: str, seconds: int) -> bool:
        async with self._lock:
            if time.monotonic() - self._at >= DOWN_RETRY_S:
                self._ok = await _can_login(url, seconds=seconds)
                self._at = time.monotonic()
            return self._ok


async def _can_login(url: str, seconds: int = 5) -> bool:
    try:
        conn = await psycopg.AsyncConnection.connect(url, connect_timeout=seconds)
    except psycopg.OperationalError:
        return False
    await conn.close()
    return True
