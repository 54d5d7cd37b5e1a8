"""`mediabase backup` and `mediabase restore` as an operator runs them: the demo data plus a row
in every table, through an archive, into a new embedded cluster; and every way a restore is
refused (each one line, each leaving the target as it was)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from tests.acceptance.cli import mediabase
from tests.conftest import create_db, drop_db

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

QUERY = "remote control price"


def _sha(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


# One row for each table the demo (with its semantic index) leaves empty, inserted as the owner.
# A new table that stays empty fails test_every_table_has_rows: give it a row here.
FILLERS: list[tuple[str, str]] = [
    # the story community of the demo ('tales') has every story table but these two
    ("story_user_topics", "INSERT INTO story_user_topics (organization_id, name)"
                          " SELECT organization_id, 'Sea shanties' FROM story_topics ORDER BY id LIMIT 1"),
    ("story_counter_deltas", "INSERT INTO story_counter_deltas (organization_id, scene_id, likes)"
                             " SELECT organization_id, id, 0 FROM story_scenes ORDER BY id LIMIT 1"),
    ("people", "INSERT INTO people (organization_id, name, role, user_id)"
               " VALUES (%(org)s, 'Ada', 'reviewer', %(usr)s)"),
    ("channels", "INSERT INTO channels (organization_id, name, created_by) VALUES (%(org)s, 'Design', %(usr)s)"),
    ("collections", "INSERT INTO collections (organization_id, name, created_by)"
                    " VALUES (%(org)s, 'Kickoffs', %(usr)s)"),
    ("series", "INSERT INTO series (organization_id, name, created_by) VALUES (%(org)s, 'ES2002', %(usr)s)"),
    ("comments", "INSERT INTO comments (organization_id, video_id, author_id, body, position_ms)"
                 " VALUES (%(org)s, %(vid)s, %(usr)s, 'Twelve fifty is tight.', 472000)"),
    ("comment_reactions", "INSERT INTO comment_reactions (organization_id, comment_id, user_id, emoji)"
                          " SELECT %(org)s, id, %(usr)s, '+1' FROM comments WHERE organization_id = %(org)s LIMIT 1"),
    ("decision_tags", "INSERT INTO decision_tags (organization_id, name, color, created_by)"
                      " VALUES (%(org)s, 'budget', '#aa3300', %(usr)s)"),
    ("decision_tag_assignments", "INSERT INTO decision_tag_assignments (organization_id, decision_id, tag_id,"
                                 " created_by) SELECT %(org)s, %(dec)s, id, %(usr)s FROM decision_tags"
                                 " WHERE organization_id = %(org)s"),
    ("decision_subscriptions", "INSERT INTO decision_subscriptions (organization_id, user_id, tag_id, frequency)"
                               " SELECT %(org)s, %(usr)s, id, 'daily' FROM decision_tags"
                               " WHERE organization_id = %(org)s"),
    ("decision_participants", "INSERT INTO decision_participants (organization_id, decision_id, person_id)"
                              " SELECT %(org)s, %(dec)s, id FROM people WHERE organization_id = %(org)s"),
    ("decision_vectors", "INSERT INTO decision_vectors (organization_id, decision_id, model, dimension, embedding,"
                         " text_sha256) VALUES (%(org)s, %(dec)s, 'test-model', 3, '[1,0,0]', %(sha)s)"),
    ("video_moments", "INSERT INTO video_moments (organization_id, video_id, title, start_ms, end_ms, moment_type)"
                      " VALUES (%(org)s, %(vid)s, 'The price', 472000, 495072, 'key_point')"),
    ("video_clips", "INSERT INTO video_clips (organization_id, video_id, moment_id, title, start_ms, end_ms)"
                    " SELECT %(org)s, %(vid)s, id, 'The price', start_ms, end_ms FROM video_moments"
                    " WHERE organization_id = %(org)s LIMIT 1"),
    ("highlight_reels", "INSERT INTO highlight_reels (organization_id, title, created_by)"
                        " VALUES (%(org)s, 'Best of', %(usr)s)"),
    ("highlight_reel_clips", "INSERT INTO highlight_reel_clips (organization_id, reel_id, position, clip_id)"
                             " SELECT %(org)s, r.id, 1, c.id FROM highlight_reels r, video_clips c"
                             " WHERE r.organization_id = %(org)s AND c.organization_id = %(org)s LIMIT 1"),
    ("notifications", "INSERT INTO notifications (organization_id, user_id, kind, title, comment_id)"
                      " SELECT %(org)s, %(usr)s, 'comment', 'New comment', id FROM comments"
                      " WHERE organization_id = %(org)s LIMIT 1"),
    ("mail_outbox", "INSERT INTO mail_outbox (organization_id, recipient_user_id, to_address, subject, body_text,"
                    " kind, dedupe_key) VALUES (%(org)s, %(usr)s, 'ada@example.org', 'Your digest', 'Two decisions.',"
                    " 'decision.digest', 'backup:1')"),
    ("notification_digests", "INSERT INTO notification_digests (organization_id, user_id, frequency, period_start,"
                             " period_end, notification_count, message_id) SELECT %(org)s, %(usr)s, 'daily',"
                             " '2026-01-05T00:00:00Z', '2026-01-06T00:00:00Z', 1, id FROM mail_outbox"
                             " WHERE organization_id = %(org)s AND dedupe_key = 'backup:1'"),
    ("oauth_accounts", "INSERT INTO oauth_accounts (user_id, provider, provider_account_id)"
                       " VALUES (%(usr)s, 'github', '4242')"),
    ("quote_cards", "INSERT INTO quote_cards (organization_id, video_id, quote_text, start_ms)"
                    " VALUES (%(org)s, %(vid)s, 'fifty percent of the selling price', 472000)"),
    ("share_links", "INSERT INTO share_links (organization_id, video_id, token_sha256, created_by)"
                    " VALUES (%(org)s, %(vid)s, %(sha)s, %(usr)s)"),
    ("user_extensions", "INSERT INTO user_extensions (user_id, data) VALUES (%(usr)s, '{\"plan\": \"demo\"}')"),
    ("user_preferences", "INSERT INTO user_preferences (user_id, theme) VALUES (%(usr)s, 'dark')"),
    ("video_progress", "INSERT INTO video_progress (organization_id, user_id, video_id, position_ms)"
                       " VALUES (%(org)s, %(usr)s, %(vid)s, 5000)"),
    ("api_keys", "INSERT INTO api_keys (organization_id, user_id, name, prefix, secret_sha256)"
                 " VALUES (%(org)s, %(usr)s, 'backup test', 'bkup00000000', %(sha)s)"),
    ("job_type_limits", "INSERT INTO job_type_limits (type, max_running) VALUES ('backup.test', 2)"),
    # sessions and legal (0043)
    ("sessions", "INSERT INTO sessions (user_id, active_organization_id, prefix, secret_sha256, expires_at)"
                 " VALUES (%(usr)s, %(org)s, 'bkupsession0', %(sha)s, now() + interval '1 day')"),
    ("user_tokens", "INSERT INTO user_tokens (user_id, purpose, prefix, secret_sha256, expires_at)"
                    " VALUES (%(usr)s, 'verify_email', 'bkuptoken000', %(sha)s, now() + interval '1 day')"),
    ("invitations", "INSERT INTO invitations (organization_id, email, prefix, secret_sha256, invited_by, expires_at)"
                    " VALUES (%(org)s, 'guest@example.org', 'bkupinvite00', %(sha)s, %(usr)s,"
                    " now() + interval '7 days')"),
    ("legal_documents", "INSERT INTO legal_documents (kind, version, title, content, content_sha256, effective_at)"
                        " VALUES ('terms', 'backup', 'Terms', 'Be nice.', sha256('Be nice.'), now())"),
    ("legal_acceptances", "INSERT INTO legal_acceptances (user_id, document_id) SELECT %(usr)s, id"
                          " FROM legal_documents ORDER BY created_at LIMIT 1"),
    ("user_consents", "INSERT INTO user_consents (user_id, purpose, granted) VALUES (%(usr)s, 'marketing', true)"),
    # governance (0045): a data request and a redaction of the logs
    ("data_requests", "INSERT INTO data_requests (user_id, kind, requested_via, deadline_at)"
                      " VALUES (%(usr)s, 'export', 'cli', now() + interval '30 days')"),
    ("audit_redactions", "INSERT INTO audit_redactions (user_id, reason, counts)"
                         " VALUES (%(usr)s, 'backup test', '{\"audit_log.before\": 1}')"),
    # billing (0036): a plan and its price and limit, a customer, its subscription, an invoice with a
    # line, its payment and a partial refund, a recorded provider event, usage
    ("billing_plans", "INSERT INTO billing_plans (code, name) VALUES ('backup', 'Backup')"),
    ("billing_prices", "INSERT INTO billing_prices (plan_id, code, currency, unit_amount, interval)"
                       " SELECT id, 'backup-monthly-usd', 'USD', 1500, 'month' FROM billing_plans"
                       " WHERE code = 'backup'"),
    ("billing_plan_features", "INSERT INTO billing_plan_features (plan_id, feature, limit_value)"
                              " SELECT id, 'seats', 5 FROM billing_plans WHERE code = 'backup'"),
    ("billing_customers", "INSERT INTO billing_customers (provider, provider_customer_id, organization_id)"
                          " VALUES ('offline', 'cus_backup', %(org)s)"),
    ("billing_subscriptions", "INSERT INTO billing_subscriptions (organization_id, provider, provider_subscription_id,"
                              " customer_id, price_id, plan_id, currency, status, current_period_start,"
                              " current_period_end, started_at, source_event_created, source_event_id)"
                              " SELECT %(org)s, 'offline', 'sub_backup', k.id, p.id, p.plan_id, p.currency, 'active',"
                              " '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z',"
                              " '2026-01-01T00:00:00Z', 'evt_backup' FROM billing_customers k, billing_prices p"
                              " WHERE k.provider_customer_id = 'cus_backup' AND p.code = 'backup-monthly-usd'"),
    ("billing_invoices", "INSERT INTO billing_invoices (organization_id, provider, provider_invoice_id, customer_id,"
                         " subscription_id, status, currency, amount_due, amount_paid, period_start, period_end,"
                         " created, source_event_created, source_event_id) SELECT %(org)s, 'offline', 'in_backup',"
                         " s.customer_id, s.id, 'open', 'USD', 1500, 0, '2026-01-01T00:00:00Z',"
                         " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'evt_backup'"
                         " FROM billing_subscriptions s WHERE s.provider_subscription_id = 'sub_backup'"),
    ("billing_invoice_lines", "INSERT INTO billing_invoice_lines (organization_id, invoice_id, currency,"
                              " provider_line_id, position, amount, quantity, period_start, period_end)"
                              " SELECT %(org)s, id, currency, 'il_backup', 0, 1500, 1, '2026-01-01T00:00:00Z',"
                              " '2026-02-01T00:00:00Z' FROM billing_invoices WHERE provider_invoice_id = 'in_backup'"),
    ("billing_payments", "INSERT INTO billing_payments (organization_id, provider, provider_charge_id, customer_id,"
                         " invoice_id, currency, amount, status, created, source_event_created, source_event_id)"
                         " SELECT %(org)s, 'offline', 'ch_backup', customer_id, id, currency, 1500, 'succeeded',"
                         " '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'evt_backup' FROM billing_invoices"
                         " WHERE provider_invoice_id = 'in_backup'"),
    ("billing_refunds", "INSERT INTO billing_refunds (organization_id, provider, provider_refund_id, payment_id,"
                        " currency, amount, status, created, source_event_created, source_event_id)"
                        " SELECT %(org)s, 'offline', 're_backup', id, currency, 500, 'succeeded',"
                        " '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', 'evt_backup_2' FROM billing_payments"
                        " WHERE provider_charge_id = 'ch_backup'"),
    ("billing_provider_events", "INSERT INTO billing_provider_events (organization_id, provider, provider_event_id,"
                                " type, created, object_type, object_id, payload, source) VALUES (%(org)s, 'offline',"
                                " 'evt_backup', 'invoice.created', '2026-01-01T00:00:00Z', 'invoice', 'in_backup',"
                                " '{\"id\": \"evt_backup\", \"object\": \"event\"}', 'replay')"),
    ("billing_usage_records", "INSERT INTO billing_usage_records (organization_id, metric, quantity, occurred_at,"
                              " period_start, period_end) VALUES (%(org)s, 'transcription_minutes', 42,"
                              " '2026-01-15T00:00:00Z', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')"),
    ("webhook_endpoints", "INSERT INTO webhook_endpoints (organization_id, url, secret, description) VALUES "
                          "(%(org)s, 'https://example.com/hooks', 'whsec_' || repeat('A', 32), 'backup')"),
    ("webhook_endpoint_types", "INSERT INTO webhook_endpoint_types (organization_id, endpoint_id, type) SELECT "
                               "%(org)s, id, 'video.created' FROM webhook_endpoints WHERE organization_id = %(org)s "
                               "ORDER BY id LIMIT 1"),
    ("webhook_deliveries", "INSERT INTO webhook_deliveries (organization_id, endpoint_id, event_id, event_type, "
                           "max_attempts, next_attempt_at) SELECT %(org)s, w.id, e.id, e.type, 5, "
                           "'2026-01-01T00:00:00Z' FROM webhook_endpoints w, events e WHERE w.organization_id = "
                           "%(org)s AND e.organization_id = %(org)s ORDER BY w.id, e.id LIMIT 1"),
    ("webhook_attempts", "INSERT INTO webhook_attempts (organization_id, delivery_id, attempt, started_at, "
                         "duration_ms, ok, status_code, error) SELECT %(org)s, id, 1, '2026-01-01T00:00:00Z', "
                         "12, false, 500, 'HTTP 500' FROM webhook_deliveries WHERE organization_id = %(org)s "
                         "ORDER BY id LIMIT 1"),
    ("workflow_templates", "INSERT INTO workflow_templates (organization_id, name, trigger_event_type, steps) "
                           "VALUES (%(org)s, 'backup', 'video.created', '[{\"type\": \"log\", \"name\": \"say\", "
                           "\"with\": {\"message\": \"hi\"}}]')"),
    ("workflow_runs", "INSERT INTO workflow_runs (organization_id, template_id, template_version, trigger, "
                      "event_id, event_type, subject_type, subject_id, steps_total) SELECT %(org)s, t.id, "
                      "t.version, 'event', e.id, e.type, e.subject_type, e.subject_id, 1 FROM "
                      "workflow_templates t, events e WHERE t.organization_id = %(org)s AND "
                      "e.organization_id = %(org)s ORDER BY t.id, e.id LIMIT 1"),
    ("workflow_step_runs", "INSERT INTO workflow_step_runs (organization_id, run_id, position, type, name) "
                           "SELECT %(org)s, id, 0, 'log', 'say' FROM workflow_runs WHERE organization_id = "
                           "%(org)s ORDER BY id LIMIT 1"),
    ("integration_accounts", "INSERT INTO integration_accounts (organization_id, provider, external_account_id, "
                             "display_name) VALUES (%(org)s, 'zoom', 'backup-account', 'Backup')"),
    ("integration_events", "INSERT INTO integration_events (organization_id, account_id, provider, delivery_id, "
                           "event_type, payload, body_sha256) SELECT %(org)s, id, provider, 'backup-delivery', "
                           "'recording.completed', '{}', repeat('a', 64) FROM integration_accounts WHERE "
                           "organization_id = %(org)s ORDER BY id LIMIT 1"),
    ("integration_external_items", "INSERT INTO integration_external_items (organization_id, provider, "
                                   "external_id, kind, video_id) VALUES (%(org)s, 'zoom', 'backup-recording', "
                                   "'recording', %(vid)s)"),
    # analytics (0042): the demo's viewing sessions fill the rest; its rollups leave no dirty day
    ("analytics_dirty", "INSERT INTO analytics_dirty (organization_id, subject_id, kind, day)"
                        " VALUES (%(org)s, %(vid)s, 'video', '2026-01-05')"),
    # the knowledge graph (0041): the demo builds it; its vectors need the embedding model
    ("graph_node_vectors", "INSERT INTO graph_node_vectors (organization_id, layer_id, node_id, model, dimension,"
                           " embedding) SELECT organization_id, layer_id, id, 'test-model', 3, '[1,0,0]'"
                           " FROM graph_nodes WHERE organization_id = %(org)s ORDER BY id LIMIT 1"),
    ("retention_runs", "INSERT INTO retention_runs (run_by, policies, finished_at, counts) VALUES ('cli',"
                       " '{videos.trash}', now(), '{\"videos.trash\": {\"videos\": 0}}')"),
    ("schema_migration_repairs", "INSERT INTO schema_migration_repairs (version, old_checksum, new_checksum, reason,"
                                 " repaired_by) SELECT version, checksum, checksum, 'backup round trip', 'test'"
                                 " FROM schema_migrations ORDER BY version LIMIT 1"),
]


def tables(conn: psycopg.Connection[Any]) -> list[str]:
    """Every table of schema mediabase that holds rows itself (partitions, not their parents)."""
    return [r[0] for r in conn.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = 'mediabase'::regnamespace AND relkind = 'r'"
        " ORDER BY relname")]


def empty_tables(conn: psycopg.Connection[Any]) -> list[str]:
    out = []
    for name in tables(conn):
        row = conn.execute(sql.SQL("SELECT NOT EXISTS (SELECT FROM mediabase.{})").format(sql.Identifier(name)))
        if row.fetchone() == (True,):
            out.append(name)
    return out


def fill_empty_tables(url: str) -> list[str]:
    """Insert FILLERS into the tables that are empty; return those still empty."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path TO mediabase, public")
        row = conn.execute(
            "SELECT o.id, (SELECT user_id FROM memberships m WHERE m.organization_id = o.id ORDER BY user_id LIMIT 1),"
            " (SELECT id FROM videos v WHERE v.organization_id = o.id ORDER BY title LIMIT 1),"
            " (SELECT id FROM decisions d WHERE d.organization_id = o.id ORDER BY id LIMIT 1)"
            " FROM organizations o WHERE o.slug = 'demo'").fetchone()
        assert row is not None and None not in row, row
        params = {"org": row[0], "usr": row[1], "vid": row[2], "dec": row[3], "sha": _sha("backup")}
        empty = set(empty_tables(conn))
        for table, stmt in FILLERS:
            if table in empty:
                conn.execute(stmt, params)
        return empty_tables(conn)


def sums(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table."""
    out: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        for name in tables(conn):
            row = conn.execute(sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '')"
                " FROM mediabase.{} t").format(sql.Identifier(name))).fetchone()
            assert row is not None
            out[name] = (row[0], row[1])
    return out


def one_line_error(r: Any, *words: str) -> None:
    assert r.returncode != 0, r.stdout
    err = r.stderr.strip()
    assert "\n" not in err and err.startswith("error:") and "Traceback" not in err, r.stderr
    for w in words:
        assert w in err, err


@pytest.fixture(scope="module")
def source(admin_url: str, demo_template: tuple[str, subprocess.CompletedProcess[str]]) -> Iterator[str]:
    """The demo (a clone of the session's ``mediabase seed demo``), its semantic index, and a row
    in every other table."""
    name = f"mbbk_{uuid.uuid4().hex[:10]}"
    url = create_db(admin_url, name, template=demo_template[0])
    try:
        indexed = mediabase("search", QUERY, "--mode", "semantic", "--json", url=url)  # indexes the transcripts
        assert indexed.returncode == 0, indexed.stderr
        still_empty = fill_empty_tables(url)
        assert not still_empty, f"tables with no row to back up: {still_empty}; add them to FILLERS"
        yield url
    finally:
        drop_db(admin_url, name)


@pytest.fixture(scope="module")
def source_sums(source: str) -> dict[str, tuple[int, str]]:
    return sums(source)


@pytest.fixture(scope="module")
def archive(source: str, source_sums: dict[str, tuple[int, str]],
            tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("backup") / "mediabase.dump"
    r = mediabase("backup", str(path), "--json", url=source)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["bytes"] == path.stat().st_size > 0 and report["tables"] == len(source_sums)
    assert [p.name for p in path.parent.iterdir()] == ["mediabase.dump"]  # no temporary file left
    return path


@pytest.fixture(scope="module")
def restored(archive: Path) -> Iterator[tuple[str, str]]:
    """A new embedded cluster (a data directory with nothing in it), restored from the archive:
    its URL and its data directory."""
    data = Path(tempfile.mkdtemp(prefix="mbrestore-"))
    data_dir = str(data)
    try:
        r = mediabase("restore", str(archive), MEDIABASE_DATA_DIR=data_dir)
        assert r.returncode == 0, r.stderr
        assert "restored" in r.stdout and "created roles: mediabase_owner, mediabase_app, mediabase_api" in r.stdout
        assert "data:" in r.stderr and "indexes:" in r.stderr  # one line per phase
        url = mediabase("db", "url", MEDIABASE_DATA_DIR=data_dir).stdout.strip()
        yield url, data_dir
    finally:
        mediabase("db", "stop", MEDIABASE_DATA_DIR=data_dir)
        shutil.rmtree(data, ignore_errors=True)


def test_every_table_has_rows(source: str) -> None:
    with psycopg.connect(source) as conn:
        assert empty_tables(conn) == []


def test_round_trip_keeps_every_row_the_ledger_and_the_answers(
    source: str, source_sums: dict[str, tuple[int, str]], restored: tuple[str, str]
) -> None:
    url, data_dir = restored
    assert sums(url) == source_sums
    # the same ledger, and a schema the app accepts (the Migrator's checksums match)
    before = mediabase("status", "--json", url=source)
    after = mediabase("status", "--json", MEDIABASE_DATA_DIR=data_dir)
    assert before.returncode == after.returncode == 0, after.stdout
    assert json.loads(after.stdout)["applied"] == json.loads(before.stdout)["applied"]
    # the app starts on it and answers the same: keyword, and semantic (the HNSW index came too)
    for mode in ("keyword", "semantic"):
        a = mediabase("search", QUERY, "--mode", mode, "--json", url=source)
        b = mediabase("search", QUERY, "--mode", mode, "--json", MEDIABASE_DATA_DIR=data_dir)
        assert a.returncode == b.returncode == 0, b.stderr
        assert "indexing" not in b.stderr
        assert json.loads(b.stdout) == json.loads(a.stdout) and json.loads(a.stdout)["hits"]
    # the login role the app uses was created as 0011 makes it
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT rolcanlogin, rolinherit, pg_has_role('mediabase_api', 'mediabase_app', 'MEMBER')"
                           " FROM pg_roles WHERE rolname = 'mediabase_api'").fetchone()
    assert row == (True, False, True)


def test_a_database_with_data_is_refused_without_force(
    archive: Path, source_sums: dict[str, tuple[int, str]], restored: tuple[str, str]
) -> None:
    url, data_dir = restored
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE mediabase.videos SET title = 'changed after the restore' WHERE title = 'ES2002a'")
    refused = mediabase("restore", str(archive), MEDIABASE_DATA_DIR=data_dir)
    one_line_error(refused, "not empty", "--force")
    assert sums(url)["videos"] != source_sums["videos"]
    forced = mediabase("restore", str(archive), "--force", MEDIABASE_DATA_DIR=data_dir)
    assert forced.returncode == 0, forced.stderr
    assert "replacing" in forced.stdout and "created roles" not in forced.stdout
    assert sums(url) == source_sums


def test_damaged_archives_are_refused_and_change_nothing(
    archive: Path, restored: tuple[str, str], admin_url: str, empty_url: str, tmp_path: Path
) -> None:
    url, data_dir = restored
    data = archive.read_bytes()
    half = tmp_path / "half.dump"
    half.write_bytes(data[: len(data) // 2])
    noise = tmp_path / "noise.dump"
    noise.write_bytes(uuid.uuid4().bytes * 4096)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO mediabase.job_type_limits (type, max_running) VALUES ('marker', 7)")
    before = sums(url)
    for bad, words in ((half, ("damaged or truncated",)), (noise, ("not a pg_dump custom-format archive",))):
        one_line_error(mediabase("restore", str(bad), "--force", MEDIABASE_DATA_DIR=data_dir), str(bad), *words)
        assert sums(url) == before
        one_line_error(mediabase("restore", str(bad), url=empty_url), str(bad))
        with psycopg.connect(empty_url) as conn:
            assert conn.execute("SELECT to_regnamespace('mediabase')").fetchone() == (None,)


def test_a_failure_late_in_the_restore_changes_nothing(
    source: str, archive: Path, restored: tuple[str, str], admin_url: str, tmp_path: Path
) -> None:
    """An archive that grants to a role the target lacks fails at the very end (privileges are
    restored last), after the old schema was dropped and every row copied: still nothing changes."""
    url, data_dir = restored
    role = f"mbbk_reader_{uuid.uuid4().hex[:6]}"
    grants = tmp_path / "grants.dump"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
    try:
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(sql.SQL("GRANT SELECT ON mediabase.videos TO {}").format(sql.Identifier(role)))
        assert mediabase("backup", str(grants), url=source).returncode == 0
    finally:
        with psycopg.connect(source, autocommit=True) as conn:
            conn.execute(sql.SQL("REVOKE ALL ON mediabase.videos FROM {}").format(sql.Identifier(role)))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    before = sums(url)
    failed = mediabase("restore", str(grants), "--force", MEDIABASE_DATA_DIR=data_dir)
    one_line_error(failed, "nothing was changed", role)
    assert sums(url) == before


def test_bad_arguments_and_unreachable_servers_are_one_line(tmp_path: Path, archive: Path) -> None:
    missing = tmp_path / "nope.dump"
    one_line_error(mediabase("restore", str(missing), url="postgresql://nobody@127.0.0.1:1/none"), str(missing),
                   "no such file")
    one_line_error(mediabase("restore", str(tmp_path), url="postgresql://nobody@127.0.0.1:1/none"), "directory")
    one_line_error(mediabase("backup", str(tmp_path), url="postgresql://nobody@127.0.0.1:1/none"), "directory")
    one_line_error(mediabase("backup", str(tmp_path / "no" / "x.dump"), url="postgresql://nobody@127.0.0.1:1/none"),
                   "does not exist")
    down = "postgresql://nobody@127.0.0.1:1/none"
    one_line_error(mediabase("restore", str(archive), url=down), "cannot connect")
    one_line_error(mediabase("backup", str(tmp_path / "x.dump"), url=down), "cannot connect")
    assert not (tmp_path / "x.dump").exists()
