"""Semantic and hybrid search over the decision registry (migration 0010): the trigger that
enqueues ``decision.embed``, the job that embeds stale decisions with the real model, and
list_decisions by meaning, within one organization."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from mediabase.db.connection import Database
from mediabase.insights import decision_vectors, decisions
from mediabase.insights.models import DecisionCreate, DecisionSource, DecisionStatus, DecisionUpdate
from mediabase.jobs.registry import handlers
from mediabase.jobs.settings import JobSettings
from mediabase.jobs.worker import Worker
from mediabase.search.models import SearchMode
from mediabase.search.vectors import embedder_for
from tests.conftest import make_settings
from tests.factories import Tenant

PRICE = "The remote control will sell for twenty five Euro"
RUBBER = "The case is made of rubber, in a fruity yellow"
MONDAY = "The next meeting is on Monday morning"


async def embed_jobs(owner_db: Database) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (await conn.execute(
            "SELECT organization_id, status FROM jobs WHERE type = 'decision.embed' ORDER BY created_at")).fetchall()


async def test_words_that_change_enqueue_one_job_per_organization(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    first = await decisions.create_decision(db, a.member, DecisionCreate(summary=PRICE))
    await decisions.create_decision(db, a.member, DecisionCreate(summary=RUBBER))  # one is already queued
    await decisions.create_decision(db, b.owner, DecisionCreate(summary=MONDAY))
    jobs = await embed_jobs(owner_db)
    assert sorted((str(j["organization_id"]), j["status"]) for j in jobs) == sorted(
        [(str(a.owner.organization_id), "queued"), (str(b.owner.organization_id), "queued")])
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE jobs SET status = 'completed', completed_at = now(), progress = 100"
                           " WHERE type = 'decision.embed'")
    # a change that leaves the words alone enqueues nothing; new words do
    await decisions.update_decision(db, a.owner, first.id, DecisionUpdate(source=DecisionSource.adhoc))
    assert [j["status"] for j in await embed_jobs(owner_db)] == ["completed", "completed"]
    await decisions.update_decision(db, a.owner, first.id, DecisionUpdate(context="Fifty percent margin."))
    assert [j["status"] for j in await embed_jobs(owner_db)] == ["completed", "completed", "queued"]


async def test_semantic_and_hybrid_find_decisions_by_meaning_in_one_organization(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, b = tenants
    embedder = embedder_for(make_settings(db.url))
    for text in (PRICE, RUBBER, MONDAY):
        await decisions.create_decision(db, a.member, DecisionCreate(summary=text))
    theirs = await decisions.create_decision(db, b.owner, DecisionCreate(summary="Selling price: 25 Euro"))
    assert await decision_vectors.embed_stale(db, a.owner.organization_id, embedder) == 3
    assert await decision_vectors.embed_stale(db, b.owner.organization_id, embedder) == 1
    assert await decision_vectors.embed_stale(db, a.owner.organization_id, embedder) == 0  # nothing stale

    q = "how much will customers pay for it"
    assert not (await decisions.list_decisions(db, a.member, q=q)).items  # no shared keyword
    page = await decisions.list_decisions(db, a.member, q=q, mode=SearchMode.semantic, embedder=embedder)
    assert page.items[0].summary == PRICE
    assert len(page.items) == 3 and theirs.id not in {d.id for d in page.items}
    assert page.items[0].rank is not None and 0 < page.items[0].rank <= 1
    assert [d.rank for d in page.items] == sorted((d.rank for d in page.items), reverse=True)
    hybrid = await decisions.list_decisions(db, a.member, q="rubber case", mode=SearchMode.hybrid, embedder=embedder)
    assert hybrid.items[0].summary == RUBBER and theirs.id not in {d.id for d in hybrid.items}
    # filters still apply
    none = await decisions.list_decisions(db, a.member, q=q, mode=SearchMode.semantic, embedder=embedder,
                                          status=DecisionStatus.proposed)
    assert none.items == []


async def test_a_reworded_decision_is_embedded_again_and_a_deleted_one_goes(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    embedder = embedder_for(make_settings(db.url))
    d = await decisions.create_decision(db, a.member, DecisionCreate(summary=MONDAY))
    await decision_vectors.embed_stale(db, a.owner.organization_id, embedder)
    await decisions.update_decision(db, a.member, d.id, DecisionUpdate(summary=PRICE))
    assert await decision_vectors.embed_stale(db, a.owner.organization_id, embedder) == 1
    page = await decisions.list_decisions(db, a.member, q="what does it cost", mode=SearchMode.semantic,
                                          embedder=embedder)
    assert [x.summary for x in page.items] == [PRICE]
    await decisions.delete_decision(db, a.owner, d.id)
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM decision_vectors")).fetchone()
    assert row is not None and row["n"] == 0


async def test_the_worker_embeds_what_the_trigger_enqueued(
        db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    a, _ = tenants
    await decisions.create_decision(db, a.member, DecisionCreate(summary=PRICE))
    import mediabase.insights.decision_vectors  # noqa: F401 - registers decision.embed

    settings = JobSettings(lease_seconds=5, poll_interval=0.2, shutdown_grace=2.0)
    worker = Worker(db, settings, registrations={decision_vectors.JOB_TYPE: handlers()[decision_vectors.JOB_TYPE]})
    task = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(60):
            while [j["status"] for j in await embed_jobs(owner_db)] != ["completed"]:  # noqa: ASYNC110
                await asyncio.sleep(0.1)
    finally:
        worker.stop()
        await task
    async with owner_db.transaction() as conn:
        row = await (await conn.execute("SELECT model, dimension FROM decision_vectors")).fetchone()
    assert row is not None and (row["model"], row["dimension"]) == ("all-MiniLM-L6-v2", 384)


async def test_semantic_decision_search_without_a_model_says_so(
        db: Database, tenants: tuple[Tenant, Tenant], monkeypatch: pytest.MonkeyPatch) -> None:
    from mediabase.search import vectors as vectors_module
    from mediabase.search.embedding import EmbeddingUnavailable
    from mediabase.search.vectors import SemanticUnavailable

    def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise EmbeddingUnavailable("no model here")

    monkeypatch.setattr(vectors_module, "get_embedder", unavailable)
    with pytest.raises(SemanticUnavailable, match="semantic"):
        await decisions.list_decisions(db, tenants[0].member, q="price", mode=SearchMode.semantic)
