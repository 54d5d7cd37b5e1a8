"""The settings a new embedded cluster gets for the machine it runs on."""

from __future__ import annotations

import pytest

from mediabase.config import Settings
from mediabase.db.embedded import machine_memory, tuning

GB = 2**30


@pytest.mark.parametrize(("memory", "shared", "cache", "maint"), [
    (GB // 4, "128MB", "128MB", "64MB"),  # a small box: never below PostgreSQL's own default
    (4 * GB, "1024MB", "2048MB", "128MB"),
    (24 * GB, "2048MB", "12288MB", "768MB"),  # capped: the rest is the OS cache's
    (256 * GB, "2048MB", "131072MB", "1024MB"),
])
def test_a_quarter_of_the_memory_within_bounds(memory: int, shared: str, cache: str, maint: str) -> None:
    t = tuning(Settings(), memory)
    assert (t["shared_buffers"], t["effective_cache_size"], t["maintenance_work_mem"]) == (shared, cache, maint)
    assert t["random_page_cost"] == "1.1"


def test_shared_buffers_can_be_set() -> None:
    t = tuning(Settings.model_validate({"embedded_shared_buffers_mb": 512}), 64 * GB)
    assert t["shared_buffers"] == "512MB"


def test_machine_memory_is_plausible() -> None:
    assert 256 * 2**20 < machine_memory() < 2**50
