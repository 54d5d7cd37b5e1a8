"""The processing-job queue: PostgreSQL rows claimed with SKIP LOCKED, leased, retried.

Enqueue inside your own transaction, register handlers, run ``mediabase worker``::

    from mediabase.jobs import enqueue, register

    async with db.transaction(org_id) as conn:
        ...                                   # your writes
        await enqueue(conn, org_id=org_id, type="transcript.index", input={"id": str(tid)})

    @register("transcript.index", transactional=True)
    async def index(ctx: JobContext) -> dict[str, int]:
        ...

See docs/jobs.md.
"""

from mediabase.common.types import RANGE_TEXT
from mediabase.db.errors import Conflict, Invalid, register_constraint
from mediabase.jobs.models import Enqueued, Job, JobStage, JobStatus, NewJob
from mediabase.jobs.registry import (
    JobCancelled,
    JobContext,
    JobTurn,
    PermanentError,
    follow,
    handlers,
    register,
    unregister,
)
from mediabase.jobs.service import (
    cancel_job,
    enqueue,
    enqueue_many,
    get_job,
    job_stats,
    list_jobs,
    retry_job,
    wait_for,
)

for _name, _message, _field in (
    ("jobs_type_format", "a job type looks like 'transcript.index' (lowercase words and dots)", "type"),
    ("jobs_queue_format", "a queue name is lowercase letters, digits, '_', '.', '-'", "queue"),
    ("jobs_status_valid", "unknown job status", "status"),
    ("jobs_stage_valid", "unknown job stage", "stage"),
    ("jobs_priority_range", "priority must be between -1000 and 1000", "priority"),
    ("jobs_progress_range", "progress must be between 0 and 100", "progress"),
    ("jobs_max_retries_range", "max_retries must be between 0 and 1000", "max_retries"),
    ("job_idempotency_keys_key_length", "an idempotency key has 1 to 200 characters", "idempotency_key"),
    ("jobs_run_after_range", f"run_after must be {RANGE_TEXT}", "run_after"),
    ("jobs_failed_attempts_shape", "failed_attempts is a list of at most 20 attempts, each with attempt, "
     "error_code and ended_at", "failed_attempts"),
):
    register_constraint(_name, Invalid, _message, field=_field)
register_constraint("jobs_lease_held", Conflict, "the job's lease does not match its status")

__all__ = [
    "Enqueued",
    "Job",
    "JobCancelled",
    "JobContext",
    "JobStage",
    "JobStatus",
    "JobTurn",
    "NewJob",
    "PermanentError",
    "cancel_job",
    "enqueue",
    "enqueue_many",
    "follow",
    "get_job",
    "handlers",
    "job_stats",
    "list_jobs",
    "register",
    "retry_job",
    "unregister",
    "wait_for",
]
