"""The workflow step that delivers a webhook (docs/workflows.md "Steps"): it hands the run's event
to one endpoint through ``mediabase.webhooks.deliver_event``, in the step's transaction; an endpoint
that does not exist fails the run at once (a 4xx is not retried)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from mediabase.db.connection import Database
from mediabase.workflows import service
from mediabase.workflows.models import RunStatus, TemplateCreate
from tests.factories import Tenant, make_video
from tests.integration.test_workflows import dispatch_all, work_until_finished

webhooks = pytest.importorskip("mediabase.webhooks")


async def test_the_webhook_step_delivers_the_runs_event(db: Database, owner_db: Database,
                                                        tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    ep = await webhooks.create_endpoint(db, a.owner, webhooks.EndpointCreate(url="https://h.example.com/w",
                                                                             event_types=["decision.created"]))
    await service.create_template(db, a.owner, TemplateCreate(name="hook", trigger="video.created", steps=[
        {"type": "webhook", "with": {"endpoint_id": str(ep.id)}}]))
    await service.create_template(db, a.owner, TemplateCreate(name="lost hook", trigger="video.created", steps=[
        {"type": "webhook", "with": {"endpoint_id": str(uuid4())}}, {"type": "log", "with": {"message": "no"}}]))
    await make_video(db, a.owner)
    await dispatch_all(db)
    await work_until_finished(db, owner_db, org)

    runs = {r.template_name: r for r in (await service.list_runs(db, a.owner))[0]}
    ok = await service.get_run(db, a.owner, runs["hook"].id)
    assert ok.status is RunStatus.succeeded and ok.steps[0].output is not None
    lost = await service.get_run(db, a.owner, runs["lost hook"].id)
    assert lost.status is RunStatus.failed and [s.status.value for s in lost.steps] == ["failed", "skipped"]
    assert lost.steps[0].error == "webhook endpoint not found"
    async with owner_db.transaction() as conn:
        jobs = await (await conn.execute("SELECT input FROM jobs WHERE organization_id = %s"
                                         " AND type = 'webhook.deliver'", (org,))).fetchall()
        failed = await (await conn.execute("SELECT attempts FROM jobs WHERE id = %s", (lost.steps[0].job_id,)))\
            .fetchone()
    assert [j["input"]["delivery"] for j in jobs] == [ok.steps[0].output["delivery_id"]]
    assert failed == {"attempts": 1}
