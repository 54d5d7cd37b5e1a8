"""TypeScript clients of the database (issue 25; docs/clients.md): the Drizzle schema that
``mediabase export drizzle`` writes compiles with ``tsc --strict`` against the drizzle-orm of
clients/drizzle/package-lock.json, and keeps what ``drizzle-kit pull`` loses; a Drizzle program and
a plain ``pg`` program (clients/drizzle/examples) run as a client role through the tenant protocol
and see their organization's rows only."""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mediabase.db import drizzle
from mediabase.db.connection import Database
from tests.client_roles import client_role
from tests.conftest import create_db, drop_db, make_settings
from tests.factories import Tenant, make_video
from tests.node import Node, build, install

# npm ci, a schema of ~150 tables through tsc twice (~30 s each on a busy machine): one worker
# compiles once for the module's tests
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.xdist_group("drizzle")]


@pytest.fixture(scope="session")
def node() -> Node:
    return install()


@pytest.fixture(scope="module")
def schema_ts(admin_url: str, template_db: str) -> str:
    """The schema of the current migrations, as ``mediabase export drizzle`` writes it (read from a
    clone of the migrated template: a session on the template itself would stop other tests'
    clones)."""
    name = f"mbdz_{uuid.uuid4().hex[:10]}"
    url = create_db(admin_url, name, template=template_db)
    try:
        return asyncio.run(drizzle.export(url, make_settings(url)))
    finally:
        drop_db(admin_url, name)


@pytest.fixture(scope="module")
def programs(node: Node, schema_ts: str) -> Iterator[Path]:
    """The examples compiled with the schema; the folder of their JavaScript."""
    with build(node, {"schema.ts": schema_ts}) as (folder, tsc):
        assert tsc.returncode == 0, tsc.stdout[-5000:] + tsc.stderr
        yield folder / "out"


def test_the_generated_schema_compiles_with_tsc_strict(node: Node, schema_ts: str) -> None:
    with build(node, {"schema.ts": schema_ts}, examples=False, emit=False) as (_, tsc):
        assert tsc.returncode == 0, tsc.stdout[-5000:] + tsc.stderr


def test_the_schema_keeps_what_drizzle_kit_pull_loses(schema_ts: str) -> None:
    text = schema_ts
    assert "unknown(" not in text
    # the partitioned parents, never their partitions
    for parent in ("jobs", "audit_log", "security_events", "story_scene_views", "view_events"):
        assert f'mediabase.table("{parent}", ' in text
    assert not re.search(r'mediabase\.table\("\w+_(default|p\d{4}_\d{2}|\d{6})"', text)
    # the '' default stays SQL, inside a template literal
    assert 'searchTags: text("search_tags").notNull().default(sql`\'\'::text`)' in text
    # pgvector (a type of schema mediabase, no fixed dimension here), tsvector, bytea, regconfig
    assert 'embedding: vectorType("embedding")' in text and 'return "mediabase.vector"' in text
    assert re.search(r'searchVector: tsvectorType\("search_vector"\)\.generatedAlwaysAs\(sql`', text)
    assert 'tsConfig: regconfigType("ts_config")' in text
    assert "byteaType(" in text
    # a composite foreign key, and its relation joined on both columns
    assert ('foreignKey({ name: "transcripts_video_fk", columns: [t.organizationId, t.videoId], '
            'foreignColumns: [videos.organizationId, videos.id] })') in text
    assert ('video: one(videos, { fields: [transcripts.organizationId, transcripts.videoId], '
            'references: [videos.organizationId, videos.id], relationName: "transcripts_video_fk" })') in text
    # policies with their expressions, RLS declared
    assert ('pgPolicy("own_rows", { as: "restrictive", for: "all", to: "public", '
            'using: sql`(user_id = mediabase.current_user_id())`, '
            'withCheck: sql`(user_id = mediabase.current_user_id())` })') in text
    assert text.count('pgPolicy("tenant_isolation"') >= 100
    assert "]).enableRLS();" in text
    # views, and the readable views of the tables that keep secrets
    assert 'export const videoOverview = mediabase.view("video_overview", {' in text
    assert 'export const usersReadable = mediabase.view("users_readable", {' in text
    assert "}).existing();" in text


def _relation_keys(text: str) -> list[list[str]]:
    """The keys of every relations() block."""
    blocks = re.findall(r"= relations\(\w+, \(\{[^}]*\}\) => \(\{\n(.*?)\n\}\)\);", text, re.S)
    return [re.findall(r"^  (\w+): ", block, re.M) for block in blocks]


def test_no_relations_block_repeats_a_key(schema_ts: str) -> None:
    blocks = _relation_keys(schema_ts)
    assert len(blocks) > 100
    for keys in blocks:
        assert len(keys) == len(set(keys)), keys


def _env(url: str, tenant: Tenant) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEDIABASE_")}
    env.update(DATABASE_URL=url, ORG_ID=str(tenant.owner.organization_id), USER_ID=str(tenant.owner.user_id))
    return env


def _ids(rows: list[dict[str, Any]]) -> set[str]:
    return {r["id"] for r in rows}


async def test_a_drizzle_query_as_the_tenant_sees_only_its_organizations_rows(
    db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str, node: Node, programs: Path
) -> None:
    a, b = tenants
    mine = {str(await make_video(db, a.owner, f"alpha {i}")) for i in range(2)}
    theirs = {str(await make_video(db, b.owner, "bravo"))}
    async with client_role(migrated_url) as role:
        seen_a = node.run(programs / "drizzle-videos.js", _env(role.url, a))
        seen_b = node.run(programs / "drizzle-videos.js", _env(role.url, b))
    assert _ids(seen_a["videos"]) == mine
    assert _ids(seen_b["videos"]) == theirs
    # the composite relation: each video with its own transcript, in its own organization
    for video in seen_a["withTranscripts"]:
        assert video["transcripts"], video
        assert {(t["organizationId"], t["videoId"]) for t in video["transcripts"]} == {
            (str(a.owner.organization_id), video["id"])}
    assert _ids(seen_a["withTranscripts"]) == mine
    # users through its readable view: the members of this organization only
    assert {p["username"] for p in seen_a["people"]} == {f"own-{a.slug}", f"mem-{a.slug}"}
    assert {p["username"] for p in seen_b["people"]} == {f"own-{b.slug}", f"mem-{b.slug}"}


async def test_plain_pg_sets_tenant_and_user_in_a_transaction_and_sees_only_its_videos(
    db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str, node: Node, programs: Path
) -> None:
    a, b = tenants
    mine = {str(await make_video(db, a.owner, f"alpha {i}")) for i in range(3)}
    theirs = {str(await make_video(db, b.owner, "bravo"))}
    async with client_role(migrated_url) as role:
        seen_a = node.run(programs / "pg-videos.js", _env(role.url, a))
        seen_b = node.run(programs / "pg-videos.js", _env(role.url, b))
    assert _ids(seen_a["videos"]) == _ids(seen_a["viaSetConfig"]) == mine
    assert _ids(seen_b["videos"]) == _ids(seen_b["viaSetConfig"]) == theirs
    assert seen_a["withoutTenant"] == seen_b["withoutTenant"] == []  # no tenant: nothing, never everything
    # SET ROLE forgotten: the client role itself is under row-level security
    assert _ids(seen_a["withoutSetRole"]) == mine and _ids(seen_b["withoutSetRole"]) == theirs
