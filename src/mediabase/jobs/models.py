"""The shapes of jobs at the edges: a job as stored, what to enqueue, what enqueue answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from mediabase.common.types import Instant, JsonObject, JsonValue, Line, Text, utc


class JobStatus(StrEnum):
    """Who holds the row: the queue, one worker, or nobody any more (finished)."""

    QUEUED = "queued"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobStage(StrEnum):
    """How far the work got: seed 002's pipeline stages, the ingest pipeline's, a generic one."""

    PENDING = "pending"
    SCRIPT_EXPANSION = "script_expansion"
    CONTINUITY_VALIDATION = "continuity_validation"
    VIDEO_GENERATION = "video_generation"
    UPLOAD = "upload"
    FINALIZATION = "finalization"
    COMPLETED = "completed"
    ERROR = "error"
    RUNNING = "running"
    CHUNKING = "chunking"
    EMBEDDING = "embedding"
    INDEXING = "indexing"


FINISHED = frozenset({JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED})

TYPE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
QUEUE_PATTERN = r"^[a-z][a-z0-9_.-]{0,62}$"


class FailedAttempt(BaseModel):
    """One attempt at a job that ended without completing it: its lease ran out
    (``lease_expired``: the worker died or hung), or its handler failed or stopped."""

    model_config = ConfigDict(frozen=True)

    attempt: int = Field(description="which claim of the job it was (1 = the first)")
    worker: str | None
    error_code: str | None
    error_message: str | None
    ended_at: datetime


class Job(BaseModel):
    """One row of ``mediabase.jobs``."""

    model_config = ConfigDict(frozen=True)

    organization_id: UUID
    id: UUID
    created_at: datetime
    type: str
    queue: str
    status: JobStatus
    stage: JobStage
    priority: int
    run_after: datetime
    progress: int
    message: str | None
    input: Any
    context: Any | None
    result: Any | None
    error_code: str | None = Field(description="the last failure, while the job is not completed")
    error_message: str | None
    attempts: int
    retry_count: int
    max_retries: int
    locked_by: str | None
    lease_expires_at: datetime | None
    heartbeat_at: datetime | None
    cancel_requested_at: datetime | None
    idempotency_key: str | None
    created_by: UUID | None
    started_at: datetime | None
    completed_at: datetime | None
    updated_at: datetime
    request_id: str | None = Field(
        default=None, description="X-Request-ID of the request that enqueued it (or whose job did)"
    )
    failed_attempts: list[FailedAttempt] = Field(
        default_factory=list,
        description="the attempts that ended without completing it (lease ran out, handler failed), oldest "
        "first, the last 20: a job that completed after one keeps it here, not in error_code",
    )


RUN_AFTER_WINDOW = timedelta(days=3653)  # ten years


def _within_window(value: datetime) -> datetime:
    at = utc(value)
    if at is not None and at > datetime.now(UTC) + RUN_AFTER_WINDOW:
        raise PydanticCustomError("run_after_window", "must be at most 10 years from now")
    return value


RunAfter = Annotated[Instant, AfterValidator(_within_window)]


class ListedJob(Job):
    """A job as operators list it across tenants: with its organization's slug."""

    organization_slug: str | None = Field(default=None, description="the organization's slug (None: deleted)")


class NewJob(BaseModel):
    """What to enqueue (the HTTP body, and one item of a batch)."""

    model_config = ConfigDict(extra="forbid")

    type: str = Field(pattern=TYPE_PATTERN, max_length=100, examples=["transcript.index"])
    input: JsonObject = Field(default_factory=dict)
    queue: str = Field(default="default", pattern=QUEUE_PATTERN)
    priority: int = Field(default=0, ge=-1000, le=1000, description="higher runs first")
    run_after: RunAfter | None = Field(default=None, description="not before this instant (at most 10 years ahead)")
    max_retries: int = Field(default=3, ge=0, le=1000)
    idempotency_key: Line | None = Field(default=None, min_length=1, max_length=200)
    context: JsonObject | None = None


class Enqueued(BaseModel):
    """The answer of an enqueue: the job, and whether this call created it."""

    id: UUID
    created_at: datetime
    status: JobStatus
    created: bool


class TypeStats(BaseModel):
    type: str
    status: JobStatus
    jobs: int
    oldest_ready_seconds: float | None


class QueueCount(BaseModel):
    """Jobs of one type in one live state, over every tenant (metrics and ``mediabase doctor``)."""

    type: str
    state: Literal["ready", "scheduled", "running", "failed"]
    jobs: int
    oldest_ready_seconds: float | None


class Partition(BaseModel):
    name: str
    range_from: datetime | None
    range_to: datetime | None
    est_rows: int
    is_default: bool


WORKER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,99}$"


class ClaimRequest(BaseModel):
    """An HTTP worker asks for jobs of its organization."""

    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN, description="the worker's name, stable while it runs")
    types: list[Line] = Field(min_length=1, max_length=100, description="the job types it handles (not system types)")
    queues: list[Line] | None = Field(default=None, max_length=100)
    batch: int = Field(default=10, ge=1, le=100)
    lease_seconds: int = Field(default=30, ge=1, le=3600)


class HeartbeatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN)
    ids: list[UUID] = Field(max_length=1000)
    lease_seconds: int = Field(default=30, ge=1, le=3600)


class Held(BaseModel):
    """A job the worker still holds, and whether a cancel was asked for."""

    id: UUID
    cancel_requested: bool


class ProgressRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN)
    progress: int = Field(ge=0, le=100)
    stage: JobStage | None = None
    message: Text | None = Field(default=None, max_length=2000)


class ProgressAnswer(BaseModel):
    state: str = Field(description="'held', 'cancel_requested' (stop) or 'lost' (no longer yours)")


class CompleteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN)
    result: JsonValue = None


class FailRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN)
    code: Line = Field(min_length=1, max_length=50)
    message: Text = Field(default="", max_length=10000)
    retryable: bool = True


class ReleaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    worker: str = Field(pattern=WORKER_PATTERN)
    ids: list[UUID] = Field(max_length=1000)


class Released(BaseModel):
    released: int
