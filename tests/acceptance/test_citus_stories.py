"""The story platform on a real Citus cluster (issue 12; docs/stories.md, "On Citus"), through the
coordinator: a continuation from ``mediabase stories continue`` through ``mediabase worker`` to a
new segment and bible version; views recorded and counted (0024's row trigger), folded, and
``mediabase stories verify`` clean, the demo community's too; the hot story queries each one task;
keyword search over the story texts with the hits of one server, single-shard, isolated.

The cluster's one database is shared with the other Citus modules (``citus_migrated``): every test
works in organizations of its own.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from mediabase.db.connection import Database
from mediabase.demo.stories import LIGHTHOUSE, STORIES_SLUG, stories_demo
from mediabase.identity import service as identity
from mediabase.search.models import Match
from mediabase.stories import community, public, scenes, service
from mediabase.stories.models import IdeaSort, IdeaUpdate, StoryHitKind
from mediabase.stories.search import parse_story_query, search_public_stories, search_sql, search_stories
from tests.acceptance.cli import mediabase
from tests.acceptance.cli import worker as run_worker
from tests.acceptance.test_citus import explain, shard_queries
from tests.citus import CITUS_TIMEOUT_S
from tests.factories import Tenant, make_tenant
from tests.integration.stories_world import Story
from tests.integration.test_stories_search import lighthouse

pytestmark = [pytest.mark.slow, pytest.mark.timeout(CITUS_TIMEOUT_S)]


@pytest.fixture(scope="module")
def cluster(citus_migrated: str) -> str:
    return citus_migrated


async def community_of(citus_dbs: tuple[Database, Database], name: str) -> Story:
    db, system = citus_dbs
    return await lighthouse(db, await make_tenant(db, system, f"{name}-{uuid.uuid4().hex[:6]}"))


def run(url: str, *args: str) -> Any:
    r = mediabase(*args, url=url, timeout=CITUS_TIMEOUT_S)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


@pytest.fixture
def worker(cluster: str, tmp_path: Path) -> Iterator[Path]:
    """``mediabase worker`` on the stories queue, through the coordinator; yields its log file."""
    with run_worker(cluster, tmp_path / "worker.log", "--queues", "stories", "--concurrency", "2",
                    "--poll-interval", "0.2") as log:
        yield log


async def test_a_continuation_runs_through_the_worker_on_the_cluster(
        cluster: str, citus_dbs: tuple[Database, Database], worker: Path) -> None:
    s = await community_of(citus_dbs, "saga")  # one segment, bible version 2 (run in this process)
    slug, scene = s.tenant.slug, str(s.scene)
    for sequence, text in ((2, "Wren knocks at the landing door."), (3, "The lamp goes out for the first time.")):
        out = mediabase("stories", "continue", scene, text, "--wait", "120", "--org", slug, "--json", url=cluster,
                        timeout=CITUS_TIMEOUT_S)
        assert out.returncode == 0, (out.stdout, out.stderr, worker)  # the worker's log is there
        body = json.loads(out.stdout)
        assert (body["state"], body["job_status"], body["job_stage"]) == ("finalized", "completed", "completed")
        shown = json.loads(run(cluster, "stories", "scene", scene, "--org", slug, "--json").stdout)
        assert shown["segment_count"] == sequence and shown["bible_version"] == sequence + 1
        assert shown["segments"][-1]["input_text"] == text and shown["segments"][-1]["sequence"] == sequence
        bible = json.loads(run(cluster, "stories", "bible", scene, "--org", slug).stdout)
        assert bible["version"] == sequence + 1 and bible["data"]["timeline"]["currentPoint"] == text
    assert "finalized" in run(cluster, "stories", "continuations", scene, "--org", slug).stdout
    assert "every story counter equals its recomputation" in run(cluster, "stories", "verify", "--org", slug).stdout


async def test_views_are_counted_folded_and_verified_on_the_cluster(
        cluster: str, citus_dbs: tuple[Database, Database]) -> None:
    db, system = citus_dbs
    s = await community_of(citus_dbs, "tally")
    for k in range(7):
        await community.record_view(db, s.member if k % 2 else s.owner, s.scene, f"198.51.100.{k}")
    await community.set_like(db, s.member, "scene", s.scene, on=True)
    await public.publish_stories(db, s.owner, on=True)
    await service.update_idea(db, s.owner, s.idea, IdeaUpdate(moderation_status="approved"))
    await public.record_public_view(db, system, s.tenant.slug, s.scene, "203.0.113.9")
    before = await scenes.get_scene(db, s.member, s.scene)  # exact before any fold: stored + pending deltas
    assert (before.view_count, before.like_count) == (8, 1)
    assert await community.verify_counters(system, s.org) == []
    run(cluster, "stories", "fold", "--org", s.tenant.slug)
    after = await scenes.get_scene(db, s.member, s.scene)
    assert (after.view_count, after.like_count) == (8, 1)
    with psycopg.connect(cluster) as conn:
        row = conn.execute("SELECT view_count, like_count FROM mediabase.story_scenes WHERE organization_id = %s"
                           " AND id = %s", (s.org, s.scene)).fetchone()
        months = conn.execute("SELECT sum(views) FROM mediabase.story_view_months WHERE organization_id = %s",
                              (s.org,)).fetchone()
    assert row == (8, 1) and months == (8,)  # folded into the row and the monthly rollup
    assert "every story counter equals its recomputation" in run(
        cluster, "stories", "verify", "--org", s.tenant.slug).stdout

    # the demo community records its views on Citus too (idempotent: kept if another module made it)
    await stories_demo(system)
    tales = await identity.acting_owner(system, STORIES_SLUG)
    topic = next(t for t in await service.list_topics(db, tales) if t.slug == "sea-mysteries")
    lit = next(x for x in (await scenes.list_scenes(db, tales, topic.id)).items
               if x.title == "The Lighthouse at Gull Rock")
    assert lit.segment_count == len(LIGHTHOUSE) and lit.view_count >= 12
    assert "every story counter equals its recomputation" in run(
        cluster, "stories", "verify", "--org", STORIES_SLUG).stdout


async def test_hot_story_queries_run_on_one_shard(cluster: str, citus_dbs: tuple[Database, Database]) -> None:
    db, _ = citus_dbs
    s = await community_of(citus_dbs, "shard")
    p, org = s.member, s.org
    async with db.transaction(org, p.user_id, readonly=True) as conn:
        cfgs, tsqs = await parse_story_query(conn, org, "lighthouse", Match.all)
    search_stmt, search_params = search_sql(org, cfgs, tsqs, kinds=[k.value for k in StoryHitKind], public=False,
                                            topic=None, scene=None, limit=10,
                                            after={"c_score": None, "c_kind": None, "c_id": None})
    pages = {
        "playlist": scenes.playlist_query(org, s.scene, me=p.user_id),
        "ideas by topic, newest": service.ideas_query(org, s.topic),
        "ideas by topic, most liked": service.ideas_query(org, s.topic, sort=IdeaSort.liked),
        "scenes by topic": scenes.scenes_query(org, s.topic),
    }
    statements: dict[str, tuple[Any, dict[str, Any]]] = {name: (q.stmt, q.params) for name, q in pages.items()}
    statements["latest bible"] = (service.Q.latest_bible, {"org": org, "scene": s.scene})
    statements["keyword search"] = (search_stmt, search_params)
    tasks = {name: re.findall(r"Task Count: (\d+)", explain(cluster, p, stmt, params))
             for name, (stmt, params) in statements.items()}
    assert tasks == {name: ["1"] for name in statements}, tasks

    calls: dict[str, Callable[[], Awaitable[Any]]] = {
        "playlist": lambda: scenes.list_segments(db, p, s.scene),
        "ideas by topic": lambda: service.list_ideas(db, p, s.topic, sort=IdeaSort.liked),
        "latest bible": lambda: scenes.get_latest_bible(db, p, s.scene),
        "keyword search": lambda: search_stories(db, p, "lighthouse"),
    }
    for name, call in calls.items():
        result, single, multi = await shard_queries(cluster, call)
        assert single > 0 and multi == 0, (name, single, multi)
        if name == "keyword search":
            assert result.hits


def _hits(page: Any) -> list[tuple[Any, ...]]:
    return sorted((h.kind.value, h.title, h.sequence, h.version, h.snippet, round(h.score, 6)) for h in page.hits)


async def test_story_search_on_the_cluster_gives_the_hits_of_one_server(
        cluster: str, citus_dbs: tuple[Database, Database], db: Database, tenants: tuple[Tenant, Tenant]) -> None:
    app_db, system = citus_dbs
    a, b = await community_of(citus_dbs, "lore"), await community_of(citus_dbs, "myth")
    one = await lighthouse(db, tenants[0])  # the same community on one server
    for q in ("lighthouses", '"lamp room"', "keeper -zeppelin", "storm"):
        on_cluster = await search_stories(app_db, a.member, q)
        assert on_cluster.hits and _hits(on_cluster) == _hits(await search_stories(db, one.member, q)), q
        assert {(h.topic_id, h.idea_id) for h in on_cluster.hits} == {(a.topic, a.idea)}  # never b's
    anyword = await search_stories(app_db, a.member, "lighthouse zeppelin", match=Match.any, limit=2)
    assert len(anyword.hits) == 2 and anyword.next_cursor
    rest = await search_stories(app_db, a.member, "lighthouse zeppelin", match=Match.any, cursor=anyword.next_cursor)
    assert not {h.id for h in anyword.hits} & {h.id for h in rest.hits}
    # the CLI and the public read path, through the coordinator
    listed = json.loads(run(cluster, "stories", "search", "lighthouses", "--org", a.tenant.slug, "--json").stdout)
    assert {h["kind"] for h in listed["hits"]} == {"idea", "segment", "bible"}
    await public.publish_stories(app_db, b.owner, on=True)
    await service.update_idea(app_db, b.owner, b.idea, IdeaUpdate(moderation_status="approved"))
    published = await search_public_stories(app_db, system, b.tenant.slug, "lighthouse")
    assert {h.kind.value for h in published.hits} == {"idea", "segment", "bible"}
    assert {h.idea_id for h in published.hits} == {b.idea}
