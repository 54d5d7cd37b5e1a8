"""The parts of the job queue that need no database: registry, context, models, settings, docs."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mediabase.jobs import JobCancelled, JobContext, NewJob, handlers, register, unregister
from mediabase.jobs.models import FINISHED, Job, JobStatus
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import import_handler_modules
from mediabase.wiring import WORKER_MODULES

REPO = Path(__file__).resolve().parents[2]


def job(**overrides: Any) -> Job:
    now = datetime.now(UTC)
    values: dict[str, Any] = dict(
        organization_id=uuid.uuid4(),
        id=uuid.uuid4(),
        created_at=now,
        type="demo.x",
        queue="default",
        status="processing",
        stage="pending",
        priority=0,
        run_after=now,
        progress=0,
        message=None,
        input={},
        context=None,
        result=None,
        error_code=None,
        error_message=None,
        attempts=1,
        retry_count=0,
        max_retries=3,
        locked_by="w",
        lease_expires_at=now,
        heartbeat_at=now,
        cancel_requested_at=None,
        idempotency_key=None,
        created_by=None,
        started_at=now,
        completed_at=None,
        updated_at=now,
    )
    values.update(overrides)
    return Job.model_validate(values)


def test_register_checks_the_type_and_refuses_a_second_handler() -> None:
    async def h(ctx: JobContext) -> None:
        return None

    async def other(ctx: JobContext) -> None:
        return None

    try:
        register("unit.one", transactional=True)(h)
        assert handlers()["unit.one"].transactional
        register("unit.one")(h)  # the same function again (a re-import) is fine
        with pytest.raises(ValueError, match="registered already"):
            register("unit.one")(other)
        register("unit.one", replace=True)(other)
        assert handlers()["unit.one"].handler is other
    finally:
        unregister("unit.one")
    for bad in ("Unit.one", "unit..one", "unit one", "1unit", ""):
        with pytest.raises(ValueError, match="must look like"):
            register(bad)


async def test_context_progress_clamps_and_learns_of_a_cancel() -> None:
    calls: list[tuple[int, Any, Any]] = []
    answer = "held"

    async def report(pct: int, stage: Any, message: Any) -> str:
        calls.append((pct, stage, message))
        return answer

    ctx = JobContext(job(), "w", None, None, asyncio.Event(), report)
    await ctx.progress(150, "embedding", "m")
    await ctx.progress(-3)
    assert calls == [(100, "embedding", "m"), (0, None, None)]
    assert not ctx.cancelled
    ctx.raise_if_cancelled()
    answer = "cancel_requested"
    await ctx.progress(10)
    assert ctx.cancelled
    with pytest.raises(JobCancelled):
        ctx.raise_if_cancelled()


def test_new_job_validation() -> None:
    assert NewJob(type="transcript.index").queue == "default"
    for bad in (
        {"type": "Bad Type"},
        {"type": "a.b", "priority": 1001},
        {"type": "a.b", "queue": "Q!"},
        {"type": "a.b", "max_retries": -1},
        {"type": "a.b", "idempotency_key": ""},
        {"type": "a.b", "surprise": 1},
    ):
        with pytest.raises(ValidationError):
            NewJob.model_validate(bad)


def test_statuses() -> None:
    assert {s for s in JobStatus if s.finished} == FINISHED
    assert job(status="queued").status is JobStatus.QUEUED


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDIABASE_JOBS_CONCURRENCY", "3")
    monkeypatch.setenv("MEDIABASE_JOBS_RETENTION_MONTHS", "12")
    s = JobSettings()
    assert (s.concurrency, s.retention_months, s.lease_seconds) == (3, 12, 30)


def test_handler_modules_are_imported_once() -> None:
    assert import_handler_modules(["mediabase.jobs.testing", " mediabase.jobs.testing", ""]) == [
        "mediabase.jobs.testing"
    ]
    assert "mediabase.search.jobs" in import_handler_modules([], builtin=WORKER_MODULES)
    assert {"test.noop", "test.record", "test.sleep", "test.fail"} <= set(handlers())
    with pytest.raises(ImportError):
        import_handler_modules(["mediabase.no_such_module"])


def test_every_jobs_command_and_sql_function_is_documented() -> None:
    from typer.main import get_command

    from mediabase.cli.jobs import jobs_app, partitions_app

    doc = (REPO / "docs" / "jobs.md").read_text(encoding="utf-8")
    assert "mediabase worker" in doc
    for group, app in (("jobs", jobs_app), ("partitions", partitions_app)):
        for name in get_command(app).commands:  # type: ignore[attr-defined]
            assert f"mediabase {group} {name}" in doc, f"{group} {name} is not in docs/jobs.md"
    sql = (REPO / "src/mediabase/db/migrations/0003_jobs.sql").read_text(encoding="utf-8")
    for fn in re.findall(r"CREATE FUNCTION mediabase\.(\w+)\(", sql):
        if fn != "notify_jobs":
            assert f"{fn}(" in doc, f"{fn} is not in docs/jobs.md"


def test_every_builtin_handler_is_a_system_type() -> None:
    """What the API refuses to every key (SYSTEM_TYPES) is exactly what mediabase's worker runs."""
    from mediabase.jobs.registry import SYSTEM_TYPES

    import_handler_modules([], builtin=WORKER_MODULES)
    builtin = {t for t, r in handlers().items() if r.handler.__module__.startswith("mediabase.") and
               not r.handler.__module__.startswith("mediabase.jobs.testing")}
    assert builtin == SYSTEM_TYPES
