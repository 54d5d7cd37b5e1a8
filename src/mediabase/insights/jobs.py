"""The insights domain's background work, registered with the job queue: topic trends age.

A topic's trend compares its recent mentions with older ones (docs/insights.md), so it changes
with time even when no mention does: every maintenance pass recomputes, in every organization,
the trends computed more than ``MEDIABASE_JOBS_TREND_MAX_AGE_HOURS`` (24) ago (0: never).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from mediabase.db.rows import Conn
from mediabase.insights import topics
from mediabase.jobs.registry import periodic


class TrendSettings(BaseSettings):
    """The upkeep's knob; the name predates this module (``MEDIABASE_JOBS_*``) and is kept."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_JOBS_", extra="ignore")

    trend_max_age_hours: float = Field(
        default=24.0, ge=0, description="upkeep recomputes topic trends older than this; 0 never does"
    )


@periodic("topics.trends", order=50)
async def refresh_trends(conn: Conn, _settings: Any) -> str | None:
    hours = TrendSettings().trend_max_age_hours
    if hours <= 0:
        return None
    n = await topics.refresh_stale(conn, hours)
    return f"topic trends recomputed: {n}" if n else None
