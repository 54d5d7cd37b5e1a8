"""A client role for a test (``mediabase db role create`` in code; docs/clients.md): made on the
test server, dropped afterwards (roles are the server's, shared by every database of it)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from mediabase.db import roles, sessions
from tests.conftest import make_settings


@dataclass(frozen=True)
class ClientRole:
    name: str
    password: str
    url: str  # the client's URL: the test database, as the role


@asynccontextmanager
async def client_role(url: str) -> AsyncIterator[ClientRole]:
    """A new client role on ``url``'s server, with its URL to ``url``'s database."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    settings = make_settings(url)
    async with sessions.connect(url, settings) as conn:
        password = await roles.create(conn, name)
    try:
        yield ClientRole(name, password, roles.client_url(url, name, password))
    finally:
        async with sessions.connect(url, settings) as conn:
            await roles.drop(conn, name)
