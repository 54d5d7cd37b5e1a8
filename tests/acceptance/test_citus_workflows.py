"""Workflow runs on a real Citus cluster (docs/workflows.md; docs/scale-out.md): templates and their
version trigger on the shards, the subscriber's runs (once per template and event) in the dispatch
transaction, the workflow.step handler's steps and progress, the runs' step list
(joined with the coordinator's jobs), cancel and the reaper's question.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): the test
works in organizations of its own.
"""

from __future__ import annotations

import asyncio
import uuid
from uuid import uuid4

import pytest

from mediabase import events
from mediabase.db.connection import Database
from mediabase.jobs import handlers
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.workflows import engine, service
from mediabase.workflows.models import RunStatus, TemplateCreate
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import make_tenant

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


async def test_runs_start_once_and_go_through_the_worker_on_the_cluster(citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    t = await make_tenant(db, system, f"wf-{uuid.uuid4().hex[:6]}")
    org = t.owner.organization_id
    tpl = await service.create_template(db, t.owner, TemplateCreate(name="on the cluster", trigger="video.created",
                                                                    steps=[
        {"type": "log", "with": {"message": "got {{title}}"}},
        {"type": "log", "name": "again", "with": {"message": "still {{title}}"}}]))
    async with db.transaction(org) as conn:  # events as a service emits them
        for i in range(3):
            await events.emit(conn, org, "video.created", "video", uuid4(), {"title": f"v{i}"})
    while await events.dispatch(db):
        pass
    async with system.transaction() as conn:  # replayed: no second run
        await conn.execute("UPDATE events SET dispatched_at = NULL WHERE organization_id = %s", (org,))
    while await events.dispatch(db):
        pass
    runs, _ = await service.list_runs(db, t.owner, template_id=tpl.id)
    assert len(runs) == 3 and {r.status for r in runs} == {RunStatus.running}

    # one cancelled before it ran
    cancelled = await service.cancel_run(db, t.owner, runs[0].id)
    assert cancelled.status is RunStatus.cancelled and cancelled.steps[0].job_status == "cancelled"

    worker = Worker(db, JobSettings(lease_seconds=5, poll_interval=0.2, shutdown_grace=2.0),
                    registrations={engine.JOB_TYPE: handlers()[engine.JOB_TYPE]})
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(120):
            while len((await service.list_runs(db, t.owner, status=RunStatus.succeeded))[0]) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.2)
    finally:
        worker.stop()
        await task
    for r in runs[1:]:
        detail = await service.get_run(db, t.owner, r.id)
        assert detail.progress == 100 and [s.status.value for s in detail.steps] == ["succeeded", "succeeded"]
        assert detail.steps[1].output == {"message": f"still {detail.event_data['title']}"}
        assert detail.steps[1].job_status == "completed"
    async with system.transaction() as conn:
        assert await engine.reap(conn, None) is None  # the reaper's cross-tenant question runs on the cluster
