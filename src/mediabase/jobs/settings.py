"""The job queue's knobs, from the environment (``MEDIABASE_JOBS_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class JobSettings(BaseSettings):
    """Worker and partition settings; every one can be overridden on the command line."""

    model_config = SettingsConfigDict(env_prefix="MEDIABASE_JOBS_", extra="ignore")

    concurrency: int = Field(default=10, ge=1, le=10_000, description="handlers running at once")
    batch_size: int = Field(default=50, ge=1, le=1000, description="most jobs claimed per query")
    lease_seconds: int = Field(default=30, ge=1, description="a claim's lease; heartbeats renew it")
    prefetch_lease_seconds: int = Field(
        default=5, ge=1,
        description="the lease of a claimed job still waiting for a free slot: a worker that dies holds it no longer",
    )
    poll_interval: float = Field(default=2.0, gt=0, description="seconds between claims when no NOTIFY arrives")
    shutdown_grace: float = Field(default=30.0, ge=0, description="seconds SIGTERM waits for running handlers")
    months_ahead: int = Field(default=2, ge=0, le=36, description="partitions created ahead")
    retention_months: int = Field(
        default=6,
        ge=0,
        description="not read since 0012: the jobs table's retention is its policy in mediabase.partitioned_tables"
        " (mediabase partitions policy jobs --keep-months N); the worker warns when it is set",
    )
    maintenance_interval: float = Field(
        default=3600.0, gt=0, description="seconds between the worker's upkeep passes (the registered @periodic work)"
    )
    poller_interval: float = Field(
        default=0.5, gt=0, le=3600,
        description="seconds a registered poller (the event dispatcher …) waits after finding no work",
    )
    imports: str = Field(default="", description="comma-separated modules the worker imports for their handlers")
