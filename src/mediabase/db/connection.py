"""The only code that opens connections: URL resolution, the async pool, transactions, tenants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from mediabase.config import Settings
from mediabase.db import embedded
from mediabase.db.errors import translate

Conn = psycopg.AsyncConnection[Any]

SCHEMA = "mediabase"
SEARCH_PATH = "mediabase, public"
APP_ROLE = "mediabase_app"  # what the API and worker run as: no owner, so RLS applies
OWNER_ROLE = "mediabase_owner"  # owns the schema's objects; migrations run as it
TENANT_SETTING = "mediabase.organization_id"
USER_SETTING = "mediabase.user_id"


def resolve_url(settings: Settings) -> str:
    """The owner's URL: MEDIABASE_DATABASE_URL, or the embedded server (started on demand)."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    return embedded.start(settings)


class Database:
    """An async connection pool whose connections run as the application role.

    Every unit of work is one transaction: ``async with db.transaction(org_id) as conn``.
    The tenant is a transaction-local setting (``set_config(..., true)``), so it cannot leak
    to the next user of a pooled connection and works behind a transaction-mode pgbouncer.
    """

    def __init__(self, url: str, settings: Settings, *, role: str | None = None) -> None:
        self.url = url
        self.settings = settings
        self.role = APP_ROLE if role is None else role
        self._system: Database | None = None
        self.pool: AsyncConnectionPool[psycopg.AsyncConnection[dict[str, Any]]] = AsyncConnectionPool(
            url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            max_idle=settings.pool_idle_timeout,
            timeout=settings.connect_timeout,
            open=False,
            configure=self._configure,
            kwargs={
                "autocommit": True,
                "row_factory": dict_row,
                "connect_timeout": max(1, int(settings.connect_timeout)),
                "application_name": "mediabase",
            },
        )

    async def _configure(self, conn: psycopg.AsyncConnection[Any]) -> None:
        await conn.execute(sql.SQL("SET search_path TO mediabase, public"))
        await conn.execute(
            sql.SQL("SET statement_timeout = {}").format(sql.Literal(self.settings.statement_timeout_ms))
        )
        if self.role:
            await conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(self.role)))
        try:
            from pgvector.psycopg import register_vector_async

            await register_vector_async(conn)
        except psycopg.ProgrammingError:
            pass  # the vector type is not there yet (a database before its first migration)

    async def open(self) -> None:
        try:
            await self.pool.open(wait=True, timeout=self.settings.connect_timeout)
        except Exception as exc:
            if isinstance(exc, psycopg.Error):
                raise translate(exc) from exc
            raise

    async def close(self) -> None:
        if self._system is not None:
            await self._system.close()
            self._system = None
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
        self, org_id: UUID | None = None, user_id: UUID | None = None
    ) -> AsyncIterator[psycopg.AsyncConnection[dict[str, Any]]]:
        """One transaction, in a tenant context when ``org_id`` is given; driver errors translated."""
        try:
            async with self.pool.connection() as conn, conn.transaction():
                if org_id is not None or user_id is not None:
                    await set_tenant(conn, org_id, user_id)
                yield conn
        except psycopg.Error as exc:
            raise translate(exc) from exc


async def set_tenant(conn: psycopg.AsyncConnection[Any], org_id: UUID | None, user_id: UUID | None) -> None:
    """Fix the tenant (and acting user) for the rest of the current transaction."""
    await conn.execute(
        "SELECT set_config('mediabase.organization_id', %s, true), set_config('mediabase.user_id', %s, true)",
        (str(org_id) if org_id else "", str(user_id) if user_id else ""),
    )
