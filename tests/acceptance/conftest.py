"""HTTP through a real client (Starlette's TestClient: httpx over the ASGI app, lifespan run)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from mediabase.api.app import create_app
from tests.conftest import make_settings


@pytest.fixture
def client(migrated_url: str) -> Iterator[TestClient]:
    app = create_app(make_settings(migrated_url), url=migrated_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
