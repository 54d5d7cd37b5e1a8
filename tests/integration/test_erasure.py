"""Erasure (issue 16, docs/governance.md "Erasure"): a person with activity across mediabase is
erased; then every text, varchar, char, text[], json and jsonb column of every table of the schema
(read from the catalog, so a new table is covered without a change here) is searched for their
email, username, name and comment texts — none is left; every foreign key still holds; the
bystander's data is as it was; the append-only logs were redacted only through their recorded
path; and the export before it held the person's data."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from mediabase.config import Settings
from mediabase.db import browse
from mediabase.db.connection import Database
from mediabase.governance import erasure
from mediabase.governance import requests as data_requests
from tests.integration.erasure_world import Person, World, build, occurrences


def foreign_keys_hold(url: str) -> list[str]:
    """Every foreign key revalidated: constraints named whose rows no longer match."""
    broken = []
    with psycopg.connect(url, autocommit=True) as conn:
        fks = conn.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f'"
                           " AND connamespace = 'mediabase'::regnamespace AND conparentid = 0").fetchall()
        for tbl, name in fks:
            try:
                with conn.transaction():
                    conn.execute(psycopg.sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
                        psycopg.sql.SQL(tbl), psycopg.sql.Identifier(name)))
                    conn.execute(psycopg.sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                        psycopg.sql.SQL(tbl), psycopg.sql.Identifier(name)))
                    raise _Rollback
            except _Rollback:
                pass
            except psycopg.Error as exc:
                broken.append(f"{tbl}.{name}: {exc}")
    return broken


class _Rollback(Exception):
    pass


def snapshot(url: str, person: Person) -> dict[str, Any]:
    """The bystander's rows in the tables erasure touches, as JSON."""
    with psycopg.connect(url) as conn:
        conn.execute("SET search_path = mediabase")
        q = {
            "user": "SELECT to_jsonb(u) - 'updated_at' FROM users u WHERE id = %(u)s",
            "comments": "SELECT jsonb_agg(to_jsonb(c) ORDER BY id) FROM comments c WHERE author_id = %(u)s",
            "people": "SELECT jsonb_agg(to_jsonb(p) ORDER BY id) FROM people p WHERE user_id = %(u)s",
            "sessions": "SELECT count(*) FROM sessions WHERE user_id = %(u)s",
            "consents": "SELECT count(*) FROM user_consents WHERE user_id = %(u)s",
            "keys": "SELECT count(*) FROM api_keys WHERE user_id = %(u)s",
            "notifications": "SELECT jsonb_agg(title ORDER BY id) FROM notifications WHERE user_id = %(u)s",
            "edits": "SELECT jsonb_agg(new_value ORDER BY id) FROM decision_edits WHERE user_id = %(u)s",
            "mail": "SELECT jsonb_agg(body_text ORDER BY id) FROM mail_outbox WHERE to_address = %(e)s",
            "views": "SELECT count(*) FROM view_events WHERE user_id = %(u)s",
            "personal": "SELECT to_jsonb(o) - 'updated_at' FROM organizations o WHERE personal_user_id = %(u)s",
            "speakers": "SELECT jsonb_agg(display_name ORDER BY id) FROM speakers s WHERE display_name = %(n)s",
        }
        return {k: conn.execute(v, {"u": person.user_id, "e": person.email, "n": person.name}).fetchone()[0]
                for k, v in q.items()}


@pytest.fixture
async def world(db: Database, owner_db: Database, settings: Settings) -> World:
    return await build(db, owner_db, settings)


async def test_erasure_leaves_none_of_the_persons_data_anywhere(
    world: World, owner_db: Database, migrated_url: str
) -> None:
    subject, bystander = world.subject, world.bystander
    before = occurrences(migrated_url, subject.needles())
    # the world put each needle in many places (the test cannot pass by finding nothing)
    assert set(before) == set(subject.needles())
    assert {c for c in (
        "ai_action_items.assignee", "api_keys.name", "audit_log.after", "audit_log.before", "comments.body",
        "events.data", "graph_nodes.name", "invitations.email", "jobs.input", "mail_outbox.body_text",
        "mail_outbox.to_address", "notifications.title", "organizations.name", "people.name", "quote_cards.speaker",
        "speakers.display_name", "users.email", "users.username", "videos.title")} <= set().union(*before.values())
    other_before = snapshot(migrated_url, bystander)
    assert other_before["comments"] and other_before["sessions"] and other_before["views"]

    request, created = await data_requests.create(owner_db, subject.user_id, data_requests.Kind.erase, via="cli")
    assert created and request.status == "pending"
    done = await data_requests.process(owner_db, request.id)
    assert done.status == "completed" and done.summary["counts"]["users"] == 1

    after = occurrences(migrated_url, subject.needles())
    assert after == {}, after
    assert foreign_keys_hold(migrated_url) == []
    assert snapshot(migrated_url, bystander) == other_before
    # the bystander's needles are all still where they were
    assert set(occurrences(migrated_url, bystander.needles())) == set(bystander.needles())

    with psycopg.connect(migrated_url) as conn:
        conn.execute("SET search_path = mediabase")
        user = conn.execute("SELECT email, display_name, password_hash, erased_at, is_active FROM users"
                            " WHERE id = %s", (subject.user_id,)).fetchone()
        assert user[0].startswith("erased-") and user[1:3] == (None, None) and user[3] and not user[4]
        for table in ("sessions", "user_tokens", "user_consents", "legal_acceptances", "memberships", "view_events"):
            count = conn.execute(f"SELECT count(*) FROM {table} WHERE user_id = %s", (subject.user_id,)).fetchone()
            assert count == (0,), table
        # the redaction is recorded and audited; redacted rows say so
        redaction = conn.execute("SELECT id, data_request_id, counts FROM audit_redactions WHERE user_id = %s",
                                 (subject.user_id,)).fetchone()
        assert redaction[1] == request.id and redaction[2]["audit_log.before"] > 0
        assert conn.execute("SELECT count(*) FROM audit_log WHERE table_name = 'audit_log' AND row_id = %s",
                            (redaction[0],)).fetchone()[0] >= 1
        assert conn.execute("SELECT count(*) FROM audit_log WHERE redacted_at IS NOT NULL").fetchone()[0] > 0
        # the personal workspace is pseudonymised, its videos in the trash with retention ending
        org = conn.execute("SELECT name, slug FROM organizations WHERE personal_user_id = %s",
                           (subject.user_id,)).fetchone()
        assert org[0] == "Erased user" and org[1].startswith("erased-")
        assert conn.execute("SELECT bool_and(deleted_at IS NOT NULL AND retention_until IS NOT NULL) FROM videos"
                            " WHERE organization_id = %s", (subject.personal_org,)).fetchone() == (True,)


async def test_the_audit_log_stays_append_only_outside_a_redaction(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        org = conn.execute("INSERT INTO mediabase.organizations (name, slug) VALUES ('A', 'append-only')"
                           " RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO mediabase.audit_log (organization_id, table_name, action, after)"
                     " VALUES (%s, 'videos', 'INSERT', '{\"title\": \"x\"}')", (org,))
        for statement in ("UPDATE mediabase.audit_log SET after = '{}'",
                          "UPDATE mediabase.audit_log SET after = '{}', redacted_at = now()"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"), conn.transaction():
                conn.execute(statement)
        # the redaction flag alone is not enough: the row must be marked redacted, its keys kept
        with conn.transaction():
            conn.execute("SET LOCAL mediabase.redaction = 'on'")
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute("UPDATE mediabase.audit_log SET table_name = 'x', redacted_at = now()")
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute("UPDATE mediabase.audit_log SET after = '{}'")
            conn.execute("UPDATE mediabase.audit_log SET after = '{}', redacted_at = now()")  # the one way


async def test_export_holds_the_persons_data_and_no_secrets(world: World, owner_db: Database) -> None:
    subject = world.subject
    request, _ = await data_requests.create(owner_db, subject.user_id, data_requests.Kind.export, via="cli")
    done = await data_requests.process(owner_db, request.id)
    assert done.status == "completed" and done.archive_expires_at is not None
    archive = await data_requests.archive_of(owner_db, request.id, subject.user_id)
    text = json.dumps(archive, ensure_ascii=False)
    assert subject.email in text and subject.name in text and json.dumps(subject.comments[0])[1:-1] in text
    assert world.bystander.email not in text and json.dumps(world.bystander.comments[0])[1:-1] not in text
    tables = archive["tables"]
    assert {"users", "sessions", "comments", "memberships", "user_consents", "view_events", "people"} <= set(tables)
    assert not any(k for rows in tables.values() for row in rows for k in row if browse.SECRET.search(k))
    # an erasure drops the archive (it holds personal data)
    erase, _ = await data_requests.create(owner_db, subject.user_id, data_requests.Kind.erase, via="cli")
    await data_requests.process(owner_db, erase.id)
    with pytest.raises(Exception, match="no archive"):
        await data_requests.archive_of(owner_db, request.id, subject.user_id)


async def test_an_only_owner_is_not_erased_and_nothing_changes(world: World, owner_db: Database,
                                                               migrated_url: str) -> None:
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        conn.execute("UPDATE mediabase.memberships SET role = 'OWNER' WHERE organization_id = %s AND user_id = %s",
                     (world.org, world.subject.user_id))
        conn.execute("DELETE FROM mediabase.memberships WHERE organization_id = %s AND role = 'OWNER'"
                     " AND user_id <> %s", (world.org, world.subject.user_id))
    before = occurrences(migrated_url, [world.subject.email])
    request, _ = await data_requests.create(owner_db, world.subject.user_id, data_requests.Kind.erase, via="cli")
    with pytest.raises(erasure.ErasureRefused, match=f"only owner of {world.slug}"):
        await data_requests.process(owner_db, request.id)
    failed = await data_requests.get(owner_db, request.id)
    assert failed.status == "failed" and "only owner" in (failed.error or "")
    assert occurrences(migrated_url, [world.subject.email]) == before
