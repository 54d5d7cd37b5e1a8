"""``mediabase worker`` and ``mediabase jobs …`` (``mediabase partitions …`` is in partitions.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from uuid import UUID

import typer
from rich.table import Table

from mediabase.cli.common import (
    JsonOpt,
    console,
    database_url,
    err_console,
    fail,
    print_json,
    print_table,
    run,
    settings,
)
from mediabase.cli.logopts import LogFormatOpt, VerboseOpt, setup_logging
from mediabase.cli.partitions import partitions_app
from mediabase.db.connection import OWNER_ROLE, Database
from mediabase.db.migrator import Migrator

jobs_app = typer.Typer(help="Look at and act on processing jobs (every tenant).", no_args_is_help=True)

JobIdArg = Annotated[UUID, typer.Argument(help="The job's id.")]


def _job_settings(**overrides: Any) -> Any:
    from mediabase.jobs.settings import JobSettings

    base = JobSettings()
    return base.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def worker(
    queues: Annotated[
        str | None, typer.Option("--queues", "-q", help="Comma-separated queues to serve (default: all).")
    ] = None,
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", min=1, help="Handlers running at once (default 10).")
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Most jobs claimed per query (default 50).")
    ] = None,
    lease_seconds: Annotated[
        int | None, typer.Option("--lease-seconds", min=1, help="Lease of a claimed job (default 30).")
    ] = None,
    poll_interval: Annotated[
        float | None, typer.Option("--poll-interval", help="Seconds between polls without NOTIFY (default 2).")
    ] = None,
    shutdown_grace: Annotated[
        float | None, typer.Option("--shutdown-grace", help="Seconds SIGTERM waits for running jobs (default 30).")
    ] = None,
    imports: Annotated[
        list[str] | None,
        typer.Option(
            "--import",
            "-i",
            help="Module to import for its handlers (repeatable); also MEDIABASE_JOBS_IMPORTS, comma-separated.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Worker name (default host:pid:random).")] = None,
    log_format: LogFormatOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Run a worker: claim jobs, run their handlers, keep their leases alive.

    Refuses to start on a schema that is behind. SIGTERM stops it gracefully: no new claims,
    running jobs finish (or go back to the queue after --shutdown-grace), exit 0. Also keeps
    every registered table's partitions (hourly, like 'mediabase partitions' without an
    archive directory): creates months ahead, drops old ones by each table's policy.

    Logs one line per event to standard error: a job completed, failed or retried, upkeep done;
    -v adds each job's start and tracebacks, --log-format json one JSON object per line.
    """
    from mediabase.jobs.worker import import_handler_modules, run_worker
    from mediabase.wiring import WORKER_MODULES

    setup_logging(log_format, verbose)
    js = _job_settings(
        concurrency=concurrency,
        batch_size=batch_size,
        lease_seconds=lease_seconds,
        poll_interval=poll_interval,
        shutdown_grace=shutdown_grace,
    )
    if "retention_months" in js.model_fields_set:
        err_console.print(
            "warning: MEDIABASE_JOBS_RETENTION_MONTHS is not read any more: the worker keeps each table's"
            " policy (mediabase partitions policy jobs --keep-months N)", markup=False, soft_wrap=True)
    try:
        import_handler_modules([*js.imports.split(","), *(imports or [])], builtin=WORKER_MODULES)
    except ImportError as exc:
        fail(f"cannot import a handler module: {exc}")
    qs = [q.strip() for q in queues.split(",") if q.strip()] if queues else None
    url = database_url()
    done = run(run_worker(url, settings(), js, queues=qs, name=name))
    console.print(f"worker stopped; {done} jobs completed")


def _owner_db(url: str) -> Database:
    return Database(url, settings().model_copy(update={"pool_min_size": 0, "pool_max_size": 2}), role=OWNER_ROLE)


def _job_dict(job: Any) -> dict[str, Any]:
    data: dict[str, Any] = job.model_dump(mode="json")
    return data


@jobs_app.command("list")
def list_cmd(
    org: Annotated[UUID | None, typer.Option("--org", help="Only this organization.")] = None,
    status: Annotated[
        str | None, typer.Option("--status", help="queued, processing, completed, failed, cancelled.")
    ] = None,
    type_: Annotated[str | None, typer.Option("--type", help="Only this job type.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List jobs, newest first."""
    from mediabase.jobs.models import ListedJob
    from mediabase.jobs.service import list_all_jobs

    async def _run() -> list[ListedJob]:
        url = database_url()
        await Migrator(url, settings()).ensure_current()
        async with _owner_db(url) as db:
            return await list_all_jobs(db, org_id=org, status=status, type=type_, limit=limit)

    jobs = run(_run())
    if as_json:
        print_json([_job_dict(j) for j in jobs])
        return
    table = Table("type", "status", "progress", "org", "created", "stage", "tries", "id")
    for j in jobs:
        table.add_row(
            j.type,
            j.status.value,
            f"{j.progress}%",
            j.organization_slug or str(j.organization_id),
            f"{j.created_at:%Y-%m-%d %H:%M:%S}",
            j.stage.value,
            f"{j.attempts}",
            str(j.id),
        )
    print_table(table, drop=["stage", "tries", "created", "progress"])


@jobs_app.command()
def show(job_id: JobIdArg, as_json: JsonOpt = False) -> None:
    """Show one job: status, stage, progress, error, lease, timing, input and result."""
    from mediabase.jobs.service import find_job_org, get_job

    async def _run() -> dict[str, Any]:
        url = database_url()
        async with _owner_db(url) as db:
            return _job_dict(await get_job(db, await find_job_org(db, job_id), job_id))

    data = run(_run())
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        if value is not None:
            console.print(f"[bold]{key}[/]: {value}", soft_wrap=True)


@jobs_app.command()
def retry(job_id: JobIdArg) -> None:
    """Put a failed or cancelled job back in the queue with a fresh retry budget."""
    from mediabase.jobs.service import find_job_org, retry_job

    async def _run() -> str:
        async with _owner_db(database_url()) as db:
            return (await retry_job(db, await find_job_org(db, job_id), job_id)).value

    run(_run())
    console.print(f"job {job_id} queued again")


@jobs_app.command()
def cancel(job_id: JobIdArg) -> None:
    """Cancel a job: a queued one at once, a processing one as soon as its handler notices.

    A video whose job is cancelled is marked failed ("cancelled before it ran"); a job retried
    later makes it processing again."""
    from mediabase.jobs.service import cancel_job, find_job_org
    from mediabase.jobs.worker import import_handler_modules
    from mediabase.wiring import WORKER_MODULES

    import_handler_modules([], builtin=WORKER_MODULES)  # the followers a queued job's cancel tells

    async def _run() -> str:
        async with _owner_db(database_url()) as db:
            return (await cancel_job(db, await find_job_org(db, job_id), job_id)).value

    status = run(_run())
    if status == "cancelled":
        console.print(f"job {job_id} cancelled")
    elif status == "processing":
        console.print(f"job {job_id} is running: cancel requested, its handler stops at its next check")
    else:
        fail(f"job {job_id} is already {status}")


@jobs_app.command()
def stats(
    hours: Annotated[float, typer.Option("--hours", help="Finished jobs counted over this many hours.")] = 24,
    as_json: JsonOpt = False,
) -> None:
    """Jobs per type and status, and how long the oldest ready job has waited (backlog age)."""
    from mediabase.jobs.service import job_stats

    async def _run() -> list[dict[str, Any]]:
        async with _owner_db(database_url()) as db:
            return [s.model_dump(mode="json") for s in await job_stats(db, None, timedelta(hours=hours))]

    rows = run(_run())
    if as_json:
        print_json(rows)
        return
    table = Table("type", "status", "jobs", "oldest ready (s)")
    for r in rows:
        age = r["oldest_ready_seconds"]
        table.add_row(r["type"], r["status"], str(r["jobs"]), "" if age is None else f"{age:.1f}")
    print_table(table)


@jobs_app.command()
def limit(
    type_: Annotated[str, typer.Argument(metavar="TYPE", help="The job type, e.g. transcript.index.")],
    max_running: Annotated[
        int, typer.Argument(min=0, help="Most jobs of the type running at once, over all workers; 0 removes the limit.")
    ],
) -> None:
    """Set (or with 0 remove) the concurrency limit of a job type."""
    from mediabase.jobs.service import update_type_limit

    async def _run() -> None:
        async with _owner_db(database_url()) as db:
            await update_type_limit(db, type_, max_running)

    run(_run())
    console.print(f"{type_}: " + (f"at most {max_running} running" if max_running else "no limit"))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel="Run")(worker)
    app.add_typer(jobs_app, name="jobs", rich_help_panel="Jobs")
    app.add_typer(partitions_app, name="partitions", rich_help_panel="Operations")
