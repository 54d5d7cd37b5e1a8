"""Workflow templates and runs (0039; docs/workflows.md): an event starts one run per matching
template — once, however often it is dispatched — each step a job whose handler records its
outcome and enqueues the next in one transaction; a failing step fails the run and nothing after
it runs; tenants see their own only; the subscriber finds templates by index."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from mediabase import events
from mediabase.db.connection import Database
from mediabase.db.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.jobs import PermanentError, handlers
from mediabase.jobs.worker import Worker
from mediabase.workflows import engine, service
from mediabase.workflows.models import RunStatus, TemplateCreate, TemplateUpdate
from mediabase.workflows.steps import StepContext, step, unregister_step
from tests.factories import Tenant, make_video
from tests.integration.test_jobs_queue import fast, run_until

STEPS: list[Any] = [
    {"type": "search.index", "name": "index"},
    {"type": "notify", "name": "tell", "with": {"title": "{{language}} transcript ready", "roles": ["MEMBER"]}},
    {"type": "log", "with": {"message": "transcribed {{event.subject_id}}"}},
]


def template(name: str = "on transcript", steps: list[Any] | None = None, **kw: Any) -> TemplateCreate:
    return TemplateCreate(name=name, trigger=kw.pop("trigger", "video.transcribed"), steps=steps or STEPS, **kw)


async def dispatch_all(db: Database) -> None:
    while await events.dispatch(db):
        pass


async def work_until_finished(db: Database, owner_db: Database, org: UUID) -> None:
    worker = Worker(db, fast(), registrations={engine.JOB_TYPE: handlers()[engine.JOB_TYPE]})

    async def finished() -> bool:
        async with owner_db.transaction() as conn:
            row = await (await conn.execute("SELECT count(*) FILTER (WHERE status = 'running') AS n, count(*) AS t"
                                            " FROM workflow_runs WHERE organization_id = %s", (org,))).fetchone()
        return row is not None and row["t"] > 0 and row["n"] == 0

    await run_until(worker, finished, limit=120)


async def test_an_event_runs_the_template_end_to_end(db: Database, owner_db: Database,
                                                     tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    t = await service.create_template(db, a.owner, template())
    assert (t.version, [s["name"] for s in t.steps]) == (1, ["index", "tell", "log"])
    video = await make_video(db, a.owner, "weekly sync", language="en")
    await dispatch_all(db)
    await dispatch_all(db)  # nothing left: no second run

    [run], _ = await service.list_runs(db, a.member, template_id=t.id)
    assert (run.status, run.steps_done, run.steps_total, run.event_type) == (RunStatus.running, 0, 3,
                                                                            "video.transcribed")
    await work_until_finished(db, owner_db, org)

    detail = await service.get_run(db, a.member, run.id)
    assert detail.status is RunStatus.succeeded and detail.progress == 100 and detail.finished_at is not None
    assert [(s.name, s.status.value) for s in detail.steps] == [("index", "succeeded"), ("tell", "succeeded"),
                                                                 ("log", "succeeded")]
    assert all(s.job_id is not None and s.job_status == "completed" for s in detail.steps)
    assert detail.steps[0].output is not None and detail.steps[0].output["chunks"] >= 1
    assert detail.steps[1].output == {"notified": 1}
    assert detail.steps[2].output == {"message": f"transcribed {run.subject_id}"}
    async with owner_db.transaction() as conn:
        notes = await (await conn.execute(
            "SELECT user_id, title, video_id FROM notifications WHERE organization_id = %s AND kind = 'workflow'"
            " AND workflow_run_id = %s", (org, run.id))).fetchall()
        chunks = await (await conn.execute("SELECT count(*) AS n FROM transcript_chunks WHERE organization_id = %s"
                                           " AND transcript_id = %s", (org, run.subject_id))).fetchone()
        # the event dispatched again (a replay) starts no second run
        await conn.execute("UPDATE events SET dispatched_at = NULL WHERE organization_id = %s", (org,))
    assert notes == [{"user_id": a.member.user_id, "title": "en transcript ready", "video_id": video}]
    assert chunks is not None and chunks["n"] >= 1
    await dispatch_all(db)
    assert len((await service.list_runs(db, a.owner))[0]) == 1


@pytest.fixture
def boom() -> Any:
    @step("test.boom", schema={"type": "object", "properties": {"permanent": {"type": "boolean"}}}, replace=True)
    async def explode(ctx: StepContext) -> dict[str, Any]:
        await ctx.conn.execute("SELECT 1")  # the savepoint takes its writes back
        if ctx.params.get("permanent"):
            raise PermanentError("the step gave up")
        raise RuntimeError("the step broke")

    yield explode
    unregister_step("test.boom")


async def test_a_failing_step_fails_the_run_and_nothing_after_it_runs(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], boom: Any) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    steps = [{"type": "log", "with": {"message": "one"}}, {"type": "test.boom", "name": "boom", "retries": 0},
             {"type": "notify", "with": {"title": "never", "roles": ["OWNER", "MEMBER"]}}]
    await service.create_template(db, a.owner, template(steps=steps))
    await make_video(db, a.owner)
    await dispatch_all(db)
    await work_until_finished(db, owner_db, org)

    [run], _ = await service.list_runs(db, a.owner, status=RunStatus.failed)
    detail = await service.get_run(db, a.owner, run.id)
    assert [s.status.value for s in detail.steps] == ["succeeded", "failed", "skipped"]
    assert detail.steps[1].error == "RuntimeError: the step broke" and detail.error == detail.steps[1].error
    assert detail.steps[2].job_id is None and detail.steps_done == 1 and detail.progress == 33
    async with owner_db.transaction() as conn:
        n = await (await conn.execute("SELECT count(*) AS n FROM notifications WHERE organization_id = %s"
                                      " AND kind = 'workflow'", (org,))).fetchone()
    assert n == {"n": 0}


async def test_templates_are_validated_versioned_and_kept_to_their_tenant(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    with pytest.raises(Invalid, match=r"steps\[1\]\.with\.roles\[0\]: 'CEO' is not one of") as err:
        await service.create_template(db, a.owner, template(steps=[
            {"type": "log", "with": {"message": "x"}}, {"type": "notify", "with": {"title": "t", "roles": ["CEO"]}}]))
    assert err.value.field == "steps[1].with.roles[0]"
    with pytest.raises(Invalid, match=r"steps\[0\]\.type: unknown step type 'nope'"):
        await service.create_template(db, a.owner, template(steps=[{"type": "nope"}]))
    with pytest.raises(Invalid, match="unknown event type") as err:
        await service.create_template(db, a.owner, template(trigger="video.exploded"))
    assert err.value.field == "trigger"
    with pytest.raises(Invalid, match=r"filter\.deep"):
        await service.create_template(db, a.owner, template(filter={"deep": {"no": 1}}))
    with pytest.raises(Forbidden):
        await service.create_template(db, a.member, template())

    t = await service.create_template(db, a.owner, template(filter={"language": "de"}))
    with pytest.raises(Conflict, match="exists already"):
        await service.create_template(db, a.owner, template(name="ON TRANSCRIPT"))
    same = await service.update_template(db, a.owner, t.id, TemplateUpdate(description="renamed only"))
    assert same.version == 1
    t2 = await service.update_template(db, a.owner, t.id, TemplateUpdate(steps=[{"type": "log",
                                                                                 "with": {"message": "v2"}}]))
    assert t2.version == 2 and t2.steps == [{"type": "log", "name": "log", "with": {"message": "v2"}}]
    async with owner_db.transaction() as conn:
        versions = await (await conn.execute("SELECT version FROM workflow_template_versions WHERE template_id = %s"
                                              " ORDER BY version", (t.id,))).fetchall()
    assert [v["version"] for v in versions] == [1, 2]

    # the filter: an English transcript does not run a template for German ones
    await make_video(db, a.owner, language="en")
    await dispatch_all(db)
    assert (await service.list_runs(db, a.owner))[0] == []

    # by hand, on that event: the current version, whatever the filter
    page, _ = await events.list_events(db, a.owner, type="video.transcribed")
    run = await service.run_now(db, a.owner, t.id, page[0].id)
    assert (run.trigger, run.template_version, [s.name for s in run.steps]) == ("manual", 2, ["log"])

    # another tenant sees none of it, and its events start none of a's templates
    for call in (service.get_template(db, b.owner, t.id), service.get_run(db, b.owner, run.id),
                 service.cancel_run(db, b.owner, run.id), service.run_now(db, b.owner, t.id, page[0].id),
                 service.update_template(db, b.owner, t.id, TemplateUpdate(enabled=False)),
                 service.delete_template(db, b.owner, t.id)):
        with pytest.raises(NotFound):
            await call
    with pytest.raises(NotFound):
        await service.run_now(db, a.owner, t.id, uuid4())
    assert await service.list_templates(db, b.owner) == []
    assert (await service.list_runs(db, b.owner))[0] == []
    await make_video(db, b.owner, language="de")
    await dispatch_all(db)
    assert len((await service.list_runs(db, a.owner))[0]) == 1

    # cancel: the queued step is skipped and its job cancelled
    cancelled = await service.cancel_run(db, a.owner, run.id)
    assert cancelled.status is RunStatus.cancelled and [s.status.value for s in cancelled.steps] == ["skipped"]
    assert cancelled.steps[0].job_status == "cancelled"
    with pytest.raises(Conflict, match="not running"):
        await service.cancel_run(db, a.owner, run.id)
    with pytest.raises(Forbidden):
        await service.cancel_run(db, a.member, run.id)


async def test_the_subscriber_finds_templates_by_org_and_trigger(owner_db: Database,
                                                                 tenants: tuple[Tenant, Tenant]) -> None:
    org = tenants[0].owner.organization_id
    async with owner_db.transaction() as conn:
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await (await conn.execute(b"EXPLAIN " + engine.Q.templates_for_events.encode(),
                                         {"org": org, "types": ["video.transcribed", "video.created"]})).fetchall()
    text = "\n".join(r["QUERY PLAN"] for r in plan)
    assert "workflow_templates_trigger_idx" in text, text


async def test_the_reaper_fails_a_run_whose_step_job_ended_outside_the_handler(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    t = await service.create_template(db, a.owner, template(name="slow", trigger="video.created", steps=[
        {"type": "wait", "with": {"seconds": 3600}}, {"type": "log", "with": {"message": "later"}}]))
    await make_video(db, a.owner)
    await dispatch_all(db)
    [run], _ = await service.list_runs(db, a.owner, template_id=t.id)
    job = (await service.get_run(db, a.owner, run.id)).steps[0].job_id
    async with owner_db.transaction() as conn:  # as if its last attempt's lease had run out
        await conn.execute("UPDATE jobs SET status = 'failed', stage = 'error', error_code = 'lease_expired',"
                           " error_message = 'the worker died', completed_at = now() WHERE id = %s", (job,))
        assert await engine.reap(conn, None) == "workflows: failed 1 run(s) whose step job ended outside the handler"
        assert await engine.reap(conn, None) is None
    detail = await service.get_run(db, a.owner, run.id)
    assert detail.status is RunStatus.failed and [s.status.value for s in detail.steps] == ["failed", "skipped"]
    assert detail.error == "its job failed: lease_expired: the worker died"


async def test_the_wait_step_schedules_the_next_step_later(db: Database, owner_db: Database,
                                                          tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    t = await service.create_template(db, a.owner, template(name="later", trigger="video.created", steps=[
        {"type": "wait", "with": {"seconds": 3600}}, {"type": "log", "with": {"message": "an hour on"}}]))
    await make_video(db, a.owner)
    await dispatch_all(db)
    [run], _ = await service.list_runs(db, a.owner, template_id=t.id)

    async def waited() -> bool:
        return (await service.get_run(db, a.owner, run.id)).steps_done == 1

    await run_until(Worker(db, fast(), registrations={engine.JOB_TYPE: handlers()[engine.JOB_TYPE]}), waited)
    detail = await service.get_run(db, a.owner, run.id)
    assert detail.status is RunStatus.running and [s.status.value for s in detail.steps] == ["succeeded", "queued"]
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT run_after > now() + interval '50 minutes' AS later FROM jobs"
                                        " WHERE id = %s", (detail.steps[1].job_id,))).fetchone()
    assert row == {"later": True}


async def test_a_template_written_past_python_fails_its_runs_cleanly(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    async with db.transaction(org, a.owner.user_id) as conn:  # the CHECKs hold the shape, not the parameters
        for name, steps in (("raw log", '[{"type": "log"}]'), ("raw teleport", '[{"type": "teleport"}]')):
            await conn.execute("INSERT INTO workflow_templates (organization_id, name, trigger_event_type, steps)"
                               " VALUES (%s, %s, 'video.created', %s::jsonb)", (org, name, steps))
    await make_video(db, a.owner)
    await dispatch_all(db)  # the dispatch itself never fails for them
    await work_until_finished(db, owner_db, org)
    runs = {r.template_name: r for r in (await service.list_runs(db, a.owner))[0]}
    assert {n: (r.status.value, r.error) for n, r in runs.items()} == {
        "raw log": ("failed", "steps[0].with: 'message' is a required property"),
        "raw teleport": ("failed", "unknown step type 'teleport' (is its module in MEDIABASE_JOBS_IMPORTS?)"),
    }
    assert [s.name for s in (await service.get_run(db, a.owner, runs["raw log"].id)).steps] == ["log-0"]
