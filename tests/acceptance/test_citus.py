"""mediabase on a real Citus cluster (issue 24; docs/scale-out.md, "Distribution"): a coordinator
and two workers (``citus_cluster``), ``mediabase migrate`` through the coordinator, then the core
of the suite through it: the demo ingest, keyword search with the hits of a single server, the HTTP
tenant-isolation property with the two organizations on different workers, and the hot tenant
queries each sent to one shard.

The cluster's one database (``mediabase``: CREATE DATABASE does not reach the workers) is migrated
once per session (``citus_migrated``); each test keeps to its own organizations.
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from mediabase.api.app import create_app
from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate
from mediabase.common.errors import Conflict, Invalid
from mediabase.db.connection import Database, prelude
from mediabase.insights import decisions
from mediabase.insights.models import DecisionCreate, DecisionUpdate, TagCreate
from mediabase.jobs import service as job_service
from mediabase.media import service as media
from mediabase.media.models import VideoFilter
from mediabase.search import service as search
from mediabase.search.indexing import index_transcript
from mediabase.search.models import SearchMode, SearchRequest
from mediabase.transcripts import service as transcripts
from tests.acceptance import test_isolation_property as isolation
from tests.acceptance.cli import mediabase
from tests.acceptance.test_pipeline import worker
from tests.citus import CITUS_TIMEOUT_S, app_url
from tests.conftest import make_settings
from tests.factories import Tenant, make_tenant, make_video
from tests.integration import test_search_accents as accents
from tests.integration.test_search_semantic import HashEmbedder

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]
T = TypeVar("T")

UNDECLARED = """
SELECT c.relname::text FROM pg_class c
 WHERE c.relnamespace = 'mediabase'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND NOT EXISTS (SELECT FROM mediabase.table_distribution d WHERE d.table_name = c.oid)
"""
QUERIES = ("remote control", "battery", "design", "\"fruit and vegetables\"", "kick-off meeting")


@pytest.fixture(scope="module")
def cluster(citus_migrated: str) -> str:
    """The coordinator's database, migrated from nothing by `mediabase migrate` (tests/citus.py)."""
    return citus_migrated


@pytest.fixture(scope="module")
def seeded(cluster: str) -> str:
    r = mediabase("seed", "demo", url=cluster, timeout=CITUS_TIMEOUT_S)
    assert r.returncode == 0, r.stderr
    return cluster


@pytest.fixture
async def dbs(cluster: str) -> AsyncIterator[tuple[Database, Database]]:
    s = make_settings(cluster, app_database_url=app_url(cluster))
    async with Database(cluster, s) as app_db, Database(cluster, s, role="") as system_db:
        yield app_db, system_db


def test_migrate_leaves_every_table_distributed_reference_or_local(cluster: str) -> None:
    with psycopg.connect(cluster) as conn:
        conn.execute("SET search_path = mediabase, public")  # table names without the schema; citus_tables
        assert conn.execute(UNDECLARED).fetchall() == []
        rows = conn.execute("SELECT table_name::text, kind FROM table_distribution").fetchall()
        declared: dict[str, str] = dict(rows)
        citus = {r[0]: r[1:] for r in conn.execute(
            "SELECT table_name::text, citus_table_type, distribution_column, colocation_id FROM citus_tables"
            " WHERE table_name::text NOT LIKE '%\\_default' AND NOT EXISTS (SELECT FROM pg_inherits i"
            "       WHERE i.inhrelid = citus_tables.table_name)").fetchall()}
        tenant = {r[0] for r in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid"
            " WHERE c.relnamespace = 'mediabase'::regnamespace AND p.polname = 'tenant_isolation'"
            "   AND NOT c.relispartition").fetchall()}
        placed = {r[0] for r in conn.execute(
            "SELECT DISTINCT nodeport FROM citus_shards WHERE citus_table_type = 'distributed'").fetchall()}
        workers = {r[0] for r in conn.execute("SELECT nodeport FROM pg_dist_node WHERE groupid > 0").fetchall()}
    for table, kind in declared.items():
        if kind == "local":
            assert table not in citus, table
        else:
            assert citus[table][0] == kind, (table, citus[table])
    assert set(citus) == {t for t, k in declared.items() if k != "local"}
    distributed = {t: v for t, v in citus.items() if v[0] == "distributed"}
    assert {v[1] for v in distributed.values()} == {"organization_id"}
    assert len({v[2] for v in distributed.values()}) == 1  # one colocation group
    assert tenant - set(distributed) == {"jobs", "job_idempotency_keys", "organizations"}
    assert declared["organizations"] == declared["users"] == "reference"
    assert placed == workers and len(workers) == 2
    r = mediabase("db", "distribute", url=cluster, timeout=CITUS_TIMEOUT_S)
    assert r.returncode == 0 and "nothing to do" in r.stdout, r.stdout + r.stderr


def _hits(url: str, q: str) -> list[tuple[Any, ...]]:
    r = mediabase("search", q, "--org", "demo", "--mode", "keyword", "--limit", "20", "--json", url=url,
                  timeout=CITUS_TIMEOUT_S)
    assert r.returncode == 0, r.stderr
    return [(h["kind"], h["video_title"], h["speaker"], h["start_ms"], h["end_ms"], h["text"], h["snippet"],
             round(h["score"], 6)) for h in json.loads(r.stdout)["hits"]]


def test_ingest_and_keyword_search_give_the_hits_of_one_server(seeded: str, demo_url: str) -> None:
    # demo_url: one server as `mediabase seed demo` left it (a clone of the session's demo template)
    with psycopg.connect(seeded) as a, psycopg.connect(demo_url) as b:
        count = ("SELECT (SELECT count(*) FROM mediabase.videos), (SELECT count(*) FROM mediabase.transcript_segments),"
                 " (SELECT count(*) FROM mediabase.decisions), (SELECT count(*) FROM mediabase.ai_layers)")
        assert a.execute(count).fetchone() == b.execute(count).fetchone()
    for q in QUERIES:
        cluster_hits = _hits(seeded, q)
        assert cluster_hits, q
        assert cluster_hits == _hits(demo_url, q), q


def demo_jobs(url: str) -> dict[tuple[str, str], int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT j.type, j.status, count(*) FROM mediabase.jobs j"
                            " JOIN mediabase.organizations o ON o.id = j.organization_id AND o.slug = 'demo'"
                            " WHERE j.type IN ('transcript.index', 'decision.embed') GROUP BY 1, 2").fetchall()
    return {(str(t), str(s)): int(n) for t, s, n in rows}


async def test_keyword_search_ignores_accents_through_the_cluster(cluster: str, dbs: tuple[Database, Database]) -> None:
    """0046 on Citus: segments COPYed through the coordinator, titles, story texts and decisions are
    indexed, queried and highlighted with the accent-folding copies, which have another OID on
    every node (what is stored stays the built-in configuration; docs/search.md "Accents and case")."""
    db, system = dbs
    tenants = (await make_tenant(db, system), await make_tenant(db, system))
    await accents.test_cafe_finds_cafe_with_and_without_accents_and_case(db, tenants)
    await accents.test_titles_unknown_languages_and_languages_that_keep_their_letters(db, tenants)
    await accents.test_story_texts_and_decisions_fold_accents_too(db, tenants)


def _semantic_hits(url: str, q: str, mode: str) -> list[tuple[Any, ...]]:
    r = mediabase("search", q, "--org", "demo", "--mode", mode, "--limit", "10", "--no-index", "--json", url=url,
                  timeout=CITUS_TIMEOUT_S)
    assert r.returncode == 0, r.stderr
    page = json.loads(r.stdout)
    assert page["unindexed"] == 0, page
    return [(h["kind"], h["video_title"], h["start_ms"], h["end_ms"], h["text"], round(h["score"], 5))
            for h in page["hits"]]


def test_the_worker_indexes_through_the_cluster_and_semantic_search_gives_the_hits_of_one_server(
    seeded: str, demo_url: str, tmp_path: Path,
) -> None:
    """A job worker connected to the coordinator claims the demo's indexing and decision jobs
    (the queue is coordinator-local) and writes chunks and vectors into the tenant's shards;
    semantic and hybrid search then rank exactly as on one server indexed by `reindex`."""
    log = tmp_path / "worker.log"
    proc = worker(seeded, log)
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and set(demo_jobs(seeded)) != {("transcript.index", "completed"),
                                                                          ("decision.embed", "completed")}:
            assert proc.poll() is None, log.read_text()[-3000:]
            time.sleep(0.5)
        assert demo_jobs(seeded)[("transcript.index", "completed")] == 4, (demo_jobs(seeded), log.read_text()[-3000:])
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
    r = mediabase("reindex", "--org", "demo", url=demo_url, timeout=CITUS_TIMEOUT_S)  # one server, seeded
    assert r.returncode == 0, r.stderr
    for q in ("remote control price", "how much will it cost", "kick-off meeting"):
        for mode in ("semantic", "hybrid"):
            cluster_hits = _semantic_hits(seeded, q, mode)
            assert cluster_hits, (q, mode)
            assert cluster_hits == _semantic_hits(demo_url, q, mode), (q, mode)


def explain(url: str, p: Any, stmt: sql.Composable | str, params: dict[str, Any] | list[Any]) -> str:
    """EXPLAIN of a statement in a unit of work of the application role, as the services run it."""
    with psycopg.connect(app_url(url), autocommit=True) as conn:
        conn.execute(prelude("mediabase_app", 30_000, p.organization_id, p.user_id))
        try:
            q = sql.SQL("EXPLAIN {}").format(sql.SQL(stmt) if isinstance(stmt, str) else stmt)
            return "\n".join(r[0] for r in conn.execute(q, params).fetchall())
        finally:
            conn.execute("ROLLBACK")


async def shard_queries(url: str, call: Callable[[], Awaitable[T]]) -> tuple[T, int, int]:
    """Run ``call`` and count the Citus queries it made: (result, single-shard, multi-shard)."""
    counters = ("SELECT query_execution_single_shard, query_execution_multi_shard FROM citus_stat_counters"
                " WHERE name = current_database()")
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        await conn.execute("SELECT citus_stat_counters_reset((SELECT oid FROM pg_database"
                           " WHERE datname = current_database()))")
        result = await call()
        row = await (await conn.execute(counters)).fetchone()
    assert row is not None
    return result, row[0], row[1]


async def test_hot_tenant_queries_run_on_one_shard(cluster: str, dbs: tuple[Database, Database]) -> None:
    db, system = dbs
    t = await make_tenant(db, system)
    p = t.owner
    vid = await make_video(db, p, "one shard", n=20)
    await collab.create_comment(db, p, vid, CommentCreate(body="hello there", position_ms=10))
    await decisions.create_decision(db, p, DecisionCreate(summary="We go with one shard per tenant"))
    org = {"org": p.organization_id}

    # the statements, as the services compose them: EXPLAIN shows one task
    videos = sql.SQL("{} WHERE v.organization_id = %s AND v.deleted_at IS NULL"
                     " ORDER BY v.created_at DESC, v.id DESC LIMIT 51").format(sql.SQL(media.Q.video_columns))
    transcript = (await transcripts.list_transcripts(db, p, vid))[0]
    comments = sql.SQL("{} {} WHERE c.organization_id = %(org)s AND c.video_id = %(video_id)s"
                       " AND c.id IN (SELECT id FROM shown) ORDER BY c.created_at, c.id").format(
        sql.SQL(collab.Q.shown_comments), sql.SQL(collab.Q.comment_columns))
    decision_log = sql.SQL("{} WHERE d.organization_id = %(org)s AND {}"
                           " ORDER BY coalesce(d.decided_at, d.created_at) DESC, d.id DESC LIMIT 51").format(
        decisions.DECISION, decisions.VISIBLE)
    statements: tuple[tuple[str, sql.Composable | str, dict[str, Any] | list[Any]], ...] = (
        ("videos list", videos, [p.organization_id, p.organization_id]),
        ("segments", transcripts.Q.segments, {**org, "video_id": vid, "transcript_id": transcript.id,
                                              "from_ms": 0, "to_ms": 2**62, "speaker_id": None, "limit": 100}),
        ("comments", comments, {**org, "video_id": vid, "me": p.user_id}),
        ("decisions", decision_log, org),
    )
    tasks: dict[str, list[str]] = {}
    for name, stmt, params in statements:
        plan = explain(cluster, p, stmt, params)
        tasks[name] = re.findall(r"Task Count: (\d+)", plan)
    assert tasks == {"videos list": ["1"], "segments": ["1"], "comments": ["1"], "decisions": ["1"]}, tasks
    # the job queue is coordinator-local: a tenant's jobs never leave the coordinator
    jobs_plan = explain(cluster, p, job_service.Q.list,
                        {**org, "status": None, "type": None, "before": None, "limit": 50})
    # on each partition, the index of jobs_org_created_idx (organization_id, created_at DESC)
    assert "Citus" not in jobs_plan and "organization_id_created_at_idx" in jobs_plan, jobs_plan

    # the services themselves, keyword search through match_segments included, and semantic and
    # hybrid search over chunks the indexer wrote through the coordinator: Citus counts
    # single-shard queries only
    model = HashEmbedder()
    indexed = await index_transcript(db, p.organization_id, transcript.id, model)
    assert indexed.chunks and indexed.embedded == indexed.chunks, indexed
    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "videos list": lambda: media.list_videos(db, p, VideoFilter()),
        "segments": lambda: transcripts.list_segments(db, p, vid),
        "comments": lambda: collab.list_comments(db, p, vid),
        "decisions": lambda: decisions.list_decisions(db, p),
        "decision search": lambda: decisions.list_decisions(db, p, q="shard"),
        "jobs": lambda: job_service.list_jobs(db, p.organization_id),
        **{f"{mode.value} search": functools.partial(search.search, db, p, SearchRequest(q="hello", mode=mode),
                                                     embedder=model)
           for mode in SearchMode},
    }
    found: dict[str, tuple[bool, int, int]] = {}
    for name, call in calls.items():
        result, single, multi = await shard_queries(cluster, call)
        hits = getattr(result, "hits", getattr(result, "items", result))
        found[name] = (bool(hits), single > 0, multi)
    assert found == {name: (True, name != "jobs", 0) for name in calls}, found


async def test_triggers_name_their_table_not_the_shard(cluster: str, dbs: tuple[Database, Database]) -> None:
    """A trigger runs on the shard, where TG_TABLE_NAME is the shard's name (0027), and a
    coordinator passes on a worker's error without its constraint field: the errors still map
    to their rules (field and message), the audit log names the table, and a decision's tag
    change is written to its trail as a tag change."""
    db, system = dbs
    t = await make_tenant(db, system, "trigger-names")
    p = t.owner
    vid = await make_video(db, p, "short", n=3, duration_ms=60_000)
    with pytest.raises(Invalid) as bad:
        await collab.create_comment(db, p, vid, CommentCreate(body="too late", position_ms=90_000))
    assert bad.value.field == "position_ms", bad.value
    tag = await decisions.create_tag(db, p, TagCreate(name="pricing"))
    with pytest.raises(Conflict) as taken:  # a unique index of the shard, named in the message only
        await decisions.create_tag(db, p, TagCreate(name="pricing"))
    assert taken.value.field == "name" and str(taken.value) == "a tag with this name exists", taken.value
    d = await decisions.create_decision(db, p, DecisionCreate(summary="Tags go to the trail"))
    await decisions.update_decision(db, p, d.id, DecisionUpdate(tag_ids=[tag.id]))
    trail = await decisions.list_decision_edits(db, p, d.id)
    assert [(e.field, e.new_value) for e in trail] == [("tags", "pricing")]
    with psycopg.connect(cluster) as conn:
        names = {r[0] for r in conn.execute("SELECT DISTINCT table_name FROM mediabase.audit_log"
                                           " WHERE organization_id = %s", (p.organization_id,)).fetchall()}
    assert names and not {n for n in names if re.search(r"_[0-9]+$", n)}, names
    assert {"videos", "decisions"} <= names


# -- the HTTP isolation property, two organizations on two workers ------------------------------


def worker_of(url: str, org: Any) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT nodeport FROM citus_shards WHERE shardid ="
                           " get_shard_id_for_distribution_column('mediabase.videos', %s)", (org,)).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture(scope="module")
def split_tenants(cluster: str) -> tuple[Tenant, Tenant]:
    """Two organizations whose shards are on different workers."""
    import asyncio

    async def make() -> tuple[Tenant, Tenant]:
        s = make_settings(cluster, app_database_url=app_url(cluster))
        async with Database(cluster, s) as db, Database(cluster, s, role="") as system:
            first = await make_tenant(db, system, "alpha")
            for i in range(20):
                other = await make_tenant(db, system, f"bravo{i}" if i else "bravo")
                if worker_of(cluster, other.owner.organization_id) != worker_of(cluster, first.owner.organization_id):
                    return first, other
        raise AssertionError("no organization landed on the other worker in 20 tries")

    return asyncio.run(make())


@pytest.fixture(scope="module")
def cluster_client(cluster: str) -> Iterator[TestClient]:
    app = create_app(make_settings(cluster, app_database_url=app_url(cluster)), url=cluster)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.sampled_from(isolation.OPS), st.integers(0, 1),
                          st.integers(0, 1000)), min_size=1, max_size=25))
def test_no_response_crosses_organizations_on_two_workers(
    cluster: str, cluster_client: TestClient, split_tenants: tuple[Tenant, Tenant],
    steps: list[tuple[int, int, str, int, int]],
) -> None:
    a, b = split_tenants
    assert worker_of(cluster, a.owner.organization_id) != worker_of(cluster, b.owner.organization_id)
    isolation.test_no_response_crosses_organizations.hypothesis.inner_test(  # type: ignore[attr-defined]
        cluster_client, split_tenants, steps)
