"""The outbox's knobs, from the environment (``MEDIABASE_EVENTS_*``)."""

from __future__ import annotations

from functools import cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EventSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MEDIABASE_EVENTS_", extra="ignore")

    keep_days: int = Field(default=30, ge=1, le=3650, description="days a dispatched event stays in the outbox")
    batch_size: int = Field(default=500, ge=1, le=10_000, description="events one dispatch transaction takes")


@cache
def event_settings() -> EventSettings:
    """The settings, read from the environment once per process (the dispatcher polls often)."""
    return EventSettings()
