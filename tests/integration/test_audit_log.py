"""The audit log: every write to organization data, who, when, before and after; append-only;
partitioned by month; covering every tenant table."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg.types.json import Jsonb

from mediabase.collab import service as collab
from mediabase.collab.models import CommentCreate, CommentUpdate
from mediabase.db.connection import Database
from mediabase.identity import service as identity
from mediabase.identity.models import OrganizationUpdate
from mediabase.media import service as media
from mediabase.media.models import VideoCreate, VideoUpdate
from tests.factories import Tenant, make_video

# Tenant tables whose writes are not audited row by row, and why (docs/collab.md).
EXEMPT = {
    "audit_log": "the log itself",
    "decision_edits": "the decision trail, written only by triggers beside the audited decision change",
    "jobs": "queue state: high volume, its own history columns, pruned by partition",
    "job_idempotency_keys": "queue bookkeeping",
    "search_configs": "derived by triggers from transcripts (0006)",
    "story_search_configs": "derived by triggers from story ideas (0024)",
    "transcript_chunks": "derived and rebuildable (reindex)",
    "search_index_state": "derived and rebuildable (reindex)",
    "decision_vectors": "derived and rebuildable (the decision.embed job)",
    "story_scene_views": "high volume, one row per view, pruned by partition (docs/stories.md)",
    "story_counter_deltas": "counter bookkeeping, written by triggers beside the audited likes and unaudited views",
    "story_view_months": "counter bookkeeping, folded from the deltas",
    "music_journal_entries": "the ledger's journal is itself append-only history (0028, docs/music.md)",
    "music_journal_lines": "the ledger's journal is itself append-only history (0028, docs/music.md)",
    "music_balances": "derived from the journal by its trigger; music_verify_ledger() recomputes it",
    "security_events": "itself a log: append-only, pruned by partition (0034, docs/security.md)",
    "music_blocks": "mirrored chain headers: high volume, re-importable from the feed (0031, docs/music-chain.md)",
    "music_transfers": "mirrored chain logs: high volume, re-importable from the feed (0031, docs/music-chain.md)",
    "music_chain_holdings": "derived from the transfers by triggers; music_chain_verify() recomputes it",
    "music_chain_cursors": "indexer bookkeeping, moved by every import",
    "music_chain_reorgs": "itself a log of the reorgs the importer followed (0031)",
    "music_liquidity_snapshots": "append-only market observations, high volume (0030, docs/music-ledger.md)",
    "integration_events": "itself the log of the webhook deliveries received, high volume (0038, docs/integrations.md)",
    "billing_provider_events": "itself the log of the payment provider's events (0036, docs/billing.md)",
    "billing_invoices": "applied from the provider's events, which are kept (0036, docs/billing.md)",
    "billing_invoice_lines": "applied from the provider's events, which are kept (0036, docs/billing.md)",
    "billing_payments": "applied from the provider's events, which are kept (0036, docs/billing.md)",
    "billing_refunds": "applied from the provider's events, which are kept (0036, docs/billing.md)",
    "billing_usage_records": "append-only metering, high volume (0036, docs/billing.md)",
    "events": "itself the log of what happened, written beside the audited changes (0035, docs/events.md)",
    "webhook_deliveries": "itself the log of what was sent, one row per event and endpoint (0037, docs/webhooks.md)",
    "webhook_attempts": "itself the log of the HTTP attempts (0037, docs/webhooks.md)",
    "workflow_runs": "run state, like the jobs that carry it: high volume, its own status columns (0039)",
    "workflow_step_runs": "run state, like the jobs that carry it: high volume, its own status columns (0039)",
    "workflow_template_versions": "itself the history of the audited templates' steps, written by their trigger (0039)",
    "view_events": "high volume, one row per view or watched range, pruned by partition (0042, docs/analytics.md)",
    "analytics_dirty": "rollup bookkeeping, written by triggers on view_events (0042)",
    "analytics_daily": "derived and rebuildable from view_events (analytics_rebuild, 0042)",
    "analytics_viewer_days": "derived and rebuildable from view_events (analytics_rebuild, 0042)",
    "analytics_talk_videos": "derived and rebuildable from the transcripts (0042)",
    "analytics_talk_time": "derived and rebuildable from the transcripts (0042)",
    "graph_nodes": "an AI layer's rows, written once and deleted with it; the layer (ai_layers) is audited (0041)",
    "graph_edges": "an AI layer's rows, written once and deleted with it; the layer (ai_layers) is audited (0041)",
    "graph_evidence": "an AI layer's rows, written once and deleted with it; the layer (ai_layers) is audited (0041)",
    "graph_node_vectors": "derived and rebuildable (the knowledge.embed job, 0041)",
}
# Audited by the statements that write them, not by a trigger (0018).
BY_STATEMENT = {
    "organizations": "a Citus reference table keeps no trigger (it would fire on every node): insert_organization, "
                     "update_organization and add_member_by_email write its audit rows",
}


async def audit_rows(owner_db: Database, org: UUID, table: str) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        return await (
            await conn.execute(
                "SELECT action, actor_id, row_id, changed, before, after FROM audit_log"
                " WHERE organization_id = %s AND table_name = %s ORDER BY occurred_at, id",
                (org, table),
            )
        ).fetchall()


def app_conn(url: str, org: UUID) -> psycopg.Connection[Any]:
    conn = psycopg.connect(url)
    conn.execute("SET ROLE mediabase_app")
    conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
    return conn


async def test_writes_are_recorded_with_actor_before_and_after(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    org = a.member.organization_id
    video = await media.create_video(db, a.member, VideoCreate(title="audited"))
    await media.update_video(db, a.member, video.id, VideoUpdate(description="now described"))
    await media.delete_video(db, a.member, video.id)
    rows = await audit_rows(owner_db, org, "videos")
    assert [(r["action"], r["actor_id"], r["row_id"]) for r in rows] == [("INSERT", a.member.user_id, video.id)] + [
        ("UPDATE", a.member.user_id, video.id)
    ] * 2
    assert rows[0]["before"] is None and rows[0]["after"]["title"] == "audited"
    assert rows[1]["changed"] == ["description"]
    assert rows[1]["before"]["description"] is None and rows[1]["after"]["description"] == "now described"
    assert rows[2]["changed"] == ["deleted_at"]
    # collaboration writes too, including a comment's deletion (its words stay in the log)
    vid = await make_video(db, a.owner, "v")
    c = await collab.create_comment(db, a.member, vid, CommentCreate(body="secret plan"))
    await collab.update_comment(db, a.member, c.id, CommentUpdate(body="public plan"))
    await collab.delete_comment(db, a.owner, c.id)
    rows = await audit_rows(owner_db, org, "comments")
    assert [r["action"] for r in rows] == ["INSERT", "UPDATE", "UPDATE"]
    assert [r["actor_id"] for r in rows] == [a.member.user_id, a.member.user_id, a.owner.user_id]
    assert rows[1]["before"]["body"] == "secret plan" and rows[2]["after"]["body"] is None


async def test_secrets_are_not_copied_and_bookkeeping_updates_are_quiet(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    before = len(await audit_rows(owner_db, org, "api_keys"))
    await identity.authenticate(owner_db, a.member_key)  # touches last_used_at
    rows = await audit_rows(owner_db, org, "api_keys")
    assert len(rows) == before  # a last_used_at touch is not worth a row
    assert all("secret_sha256" not in (r["after"] or {}) for r in rows)
    assert rows and {"prefix", "name"} <= set(rows[0]["after"])


async def test_segments_are_summarised_per_statement(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    vid = await make_video(db, a.owner, "twelve", n=12)
    rows = await audit_rows(owner_db, a.owner.organization_id, "transcript_segments")
    assert len(rows) == 1
    assert rows[0]["action"] == "INSERT"
    assert rows[0]["after"]["segments"] == 12 and rows[0]["after"]["video_id"] == str(vid)
    assert (rows[0]["after"]["first_seq"], rows[0]["after"]["last_seq"]) == (0, 11)
    transcripts = await audit_rows(owner_db, a.owner.organization_id, "transcripts")
    assert [r["after"]["segment_count"] for r in transcripts] == [12]


async def test_append_only_for_the_app_role_and_the_owner(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, b = tenants
    await make_video(db, a.owner, "v")
    await make_video(db, b.owner, "w")
    org = a.owner.organization_id
    with app_conn(migrated_url, org) as conn:
        orgs = {r[0] for r in conn.execute("SELECT organization_id FROM mediabase.audit_log")}
        assert orgs == {org}  # its own tenant only
        for stmt in (
            "UPDATE mediabase.audit_log SET actor_id = NULL",
            "DELETE FROM mediabase.audit_log",
            "TRUNCATE mediabase.audit_log",
            "SELECT * FROM mediabase.audit_log_default",
            f"INSERT INTO mediabase.audit_log (organization_id, table_name, action, after)"
            f" VALUES ('{org}', 'videos', 'INSERT', '{{}}')",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(stmt)
            conn.rollback()
            conn.execute("SET ROLE mediabase_app")
            conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
    with psycopg.connect(migrated_url) as conn:  # the owner (a superuser here) is stopped by the trigger
        for stmt in (
            "UPDATE mediabase.audit_log SET actor_id = NULL",
            "DELETE FROM mediabase.audit_log",
            "TRUNCATE mediabase.audit_log",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(stmt)
            conn.rollback()


async def test_monthly_partitions(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant], migrated_url: str
) -> None:
    a, _ = tenants
    await make_video(db, a.owner, "v")
    org = a.owner.organization_id
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("SET search_path = mediabase")
        total = conn.execute("SELECT count(*) FROM audit_log").fetchone()
        mine = conn.execute("SELECT count(*) FROM audit_log WHERE organization_id = %s", (org,)).fetchone()
        assert conn.execute("SELECT count(*) FROM audit_log_default").fetchone() == total  # the safety net
        created = [r[0] for r in conn.execute("SELECT ensure_audit_partitions(2)")]
        assert len(created) == 3 and conn.execute("SELECT ensure_audit_partitions(2)").fetchall() == []
        # this month's rows moved out of the DEFAULT partition, none lost
        assert conn.execute("SELECT count(*) FROM audit_log_default").fetchone() == (0,)
        assert conn.execute(f"SELECT count(*) FROM {created[0]}").fetchone() == total
        parts = conn.execute("SELECT name, is_default FROM audit_partitions()").fetchall()
        assert parts[0] == ("audit_log_default", True) and [p[0] for p in parts[1:]] == created
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            conn.execute("SELECT prune_audit_partitions(3)")
        assert conn.execute("SELECT count(*) FROM prune_audit_partitions(12)").fetchone() == (0,)
    await make_video(db, a.owner, "after")  # new rows land in the month's partition
    with app_conn(migrated_url, org) as conn:
        after = conn.execute("SELECT count(*) FROM mediabase.audit_log").fetchone()
        assert after is not None and mine is not None and after[0] > mine[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"SELECT * FROM mediabase.{created[0]}")


def test_every_tenant_table_is_audited(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = c.oid AND t.tgname LIKE 'zz_audit%%')"
            "  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'mediabase' AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
            "   AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation')"
        ).fetchall()
    unaudited = {name for name, audited in rows if not audited}
    assert unaudited <= set(EXEMPT) | set(BY_STATEMENT), unaudited - set(EXEMPT) - set(BY_STATEMENT)
    assert {
        "memberships",
        "api_keys",
        "videos",
        "transcripts",
        "transcript_segments",
        "transcript_segment_words",
        "comments",
        "decisions",
        "share_links",
        "ai_layers",
    } <= {name for name, audited in rows if audited}


async def test_organizations_are_audited_by_the_statements_that_write_them(
    db: Database, owner_db: Database, tenants: tuple[Tenant, Tenant]
) -> None:
    a, _ = tenants
    org = a.owner.organization_id
    before = await identity.get_organization(db, a.owner)
    await identity.update_organization(db, a.owner, OrganizationUpdate(description="Makers of remote controls"))
    await identity.update_organization(db, a.owner, OrganizationUpdate(description="Makers of remote controls"))
    after = await identity.get_organization(db, a.owner)
    assert after.updated_at > before.updated_at  # set by the statement (no trigger on a reference table)
    rows = await audit_rows(owner_db, org, "organizations")
    assert [(r["action"], r["actor_id"], r["row_id"], r["changed"]) for r in rows] == [
        ("INSERT", None, org, None),  # created by the system (tests.factories)
        ("UPDATE", a.owner.user_id, org, ["description"]),  # the second update changed nothing
    ]
    assert rows[0]["after"]["slug"] == a.slug and rows[1]["after"]["description"] == "Makers of remote controls"
    # the application's login may audit its own organization only
    with psycopg.connect(make_conninfo(db.url, user="mediabase_api")) as conn:
        conn.execute("SET ROLE mediabase_app")
        conn.execute("SELECT set_config('mediabase.organization_id', %s, false)", (str(org),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT mediabase.audit_organization('UPDATE', '{}', %s)",
                         (Jsonb({"id": str(tenants[1].owner.organization_id)}),))
