"""Retention that acts (0044; docs/retention.md), against the real database: for every purge
policy the rows just inside the window stay and those just outside go, live rows and other
organizations' rows stay; a purged video leaves nothing of its own anywhere (every video_id
column of the schema, found in the catalog) and every foreign key still holds; the plan is what
the run then deletes; a second run deletes nothing; a disabled policy deletes nothing; the
partitioned raw tables and the sweepers are shown and run through their own mechanisms; the
worker's upkeep purges; bad input writes nothing."""

from __future__ import annotations

import json
import os
import re
import uuid
from typing import Any

import pytest

from mediabase.common.errors import Invalid
from mediabase.db.connection import Database
from mediabase.governance import retention
from mediabase.identity.models import Principal
from mediabase.jobs.registry import upkeeps
from mediabase.jobs.worker import import_handler_modules
from mediabase.wiring import WORKER_MODULES
from tests.factories import Tenant, make_video

Tenants = tuple[Tenant, Tenant]


async def sql(owner_db: Database, query: str, *params: Any) -> list[dict[str, Any]]:
    async with owner_db.transaction() as conn:
        cur = await conn.execute(query, params)
        return await cur.fetchall() if cur.description else []


async def aged(owner_db: Database, query: str, *params: Any) -> None:
    """Put rows in the past: triggers (updated_at, immutable columns) off for this statement."""
    async with owner_db.transaction() as conn:
        await conn.execute("SET LOCAL session_replication_role = replica")
        await conn.execute(query, params)


async def trashed(db: Database, owner_db: Database, p: Principal, title: str, deleted: str,
                  until: str | None = None) -> uuid.UUID:
    vid = await make_video(db, p, title)
    await aged(owner_db, f"UPDATE videos SET deleted_at = now() - interval '{deleted}',"
                         " retention_until = now() + %s::interval WHERE id = %s", until, vid)
    return vid


async def hang_everything_on(owner_db: Database, p: Principal, vid: uuid.UUID) -> None:
    """Rows of many domains that point at the video: derived layers, collaboration, music,
    integrations, viewing."""
    org, usr = p.organization_id, p.user_id
    params = {"org": org, "usr": usr, "vid": vid, "sha": os.urandom(32)}
    stmts = [
        "INSERT INTO comments (organization_id, video_id, author_id, body, position_ms)"
        " VALUES (%(org)s, %(vid)s, %(usr)s, 'a comment on the doomed video', 1000)",
        "INSERT INTO notifications (organization_id, user_id, kind, title, comment_id, video_id)"
        " SELECT %(org)s, %(usr)s, 'comment', 'New comment', id, %(vid)s FROM comments"
        " WHERE organization_id = %(org)s AND video_id = %(vid)s",
        "INSERT INTO share_links (organization_id, video_id, token_sha256, created_by)"
        " VALUES (%(org)s, %(vid)s, %(sha)s, %(usr)s)",
        "INSERT INTO video_progress (organization_id, user_id, video_id, position_ms)"
        " VALUES (%(org)s, %(usr)s, %(vid)s, 500)",
        "INSERT INTO video_moments (organization_id, video_id, title, start_ms, end_ms, moment_type)"
        " VALUES (%(org)s, %(vid)s, 'moment', 0, 900, 'key_point')",
        "INSERT INTO video_clips (organization_id, video_id, moment_id, title, start_ms, end_ms)"
        " SELECT %(org)s, %(vid)s, id, 'clip', 0, 900 FROM video_moments"
        " WHERE organization_id = %(org)s AND video_id = %(vid)s",
        "INSERT INTO quote_cards (organization_id, video_id, quote_text, start_ms)"
        " VALUES (%(org)s, %(vid)s, 'a quote', 0)",
        "INSERT INTO ai_layers (organization_id, video_id, kind, model, status, completed_at)"
        " VALUES (%(org)s, %(vid)s, 'decisions', 'm', 'ready', now())",
        "INSERT INTO decisions (organization_id, summary, source, video_id, layer_id)"
        " SELECT %(org)s, 'a derived decision', 'meeting', %(vid)s, id FROM ai_layers"
        " WHERE organization_id = %(org)s AND video_id = %(vid)s",
        "INSERT INTO decisions (organization_id, summary, source, video_id, position_ms)"
        " VALUES (%(org)s, 'a decision someone wrote down', 'manual', %(vid)s, 100)",
        "INSERT INTO music_artists (organization_id, name, slug) VALUES (%(org)s, 'Ada', 'ada')"
        " ON CONFLICT DO NOTHING",
        "INSERT INTO music_masters (organization_id, artist_id, title, video_id)"
        " SELECT %(org)s, id, 'the session', %(vid)s FROM music_artists WHERE organization_id = %(org)s",
        "INSERT INTO integration_external_items (organization_id, provider, external_id, kind, video_id)"
        " VALUES (%(org)s, 'zoom', 'rec-' || %(vid)s::text, 'recording', %(vid)s)",
    ]
    async with owner_db.transaction() as conn:
        for stmt in stmts:
            await conn.execute(stmt, params)


async def video_columns(owner_db: Database) -> list[tuple[str, str]]:
    """Every (table, column) of the schema that names a video: video_id columns, videos.id."""
    rows = await sql(owner_db, "SELECT c.table_name, c.column_name FROM information_schema.columns c"
                               " JOIN information_schema.tables t USING (table_schema, table_name)"
                               " WHERE c.table_schema = 'mediabase' AND t.table_type = 'BASE TABLE'"
                               " AND c.column_name = 'video_id' ORDER BY 1")
    return [("videos", "id"), *((r["table_name"], r["column_name"]) for r in rows)]


async def rows_naming(owner_db: Database, vid: uuid.UUID) -> dict[str, int]:
    found: dict[str, int] = {}
    for table, column in await video_columns(owner_db):
        [r] = await sql(owner_db, f'SELECT count(*) AS n FROM mediabase."{table}" WHERE "{column}" = %s', vid)
        if r["n"]:
            found[table] = r["n"]
    return found


async def broken_foreign_keys(owner_db: Database) -> list[str]:
    """Foreign keys whose rows do not all have their parent (catalog-driven; ALTER … VALIDATE
    would take locks: this counts orphans instead)."""
    fks = await sql(owner_db, """
        SELECT con.conname, con.conrelid::regclass::text AS child, con.confrelid::regclass::text AS parent,
               array_agg(a.attname::text ORDER BY k.n) AS cols, array_agg(b.attname::text ORDER BY k.n) AS pcols
          FROM pg_constraint con
         CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY k (c, p, n)
          JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.c
          JOIN pg_attribute b ON b.attrelid = con.confrelid AND b.attnum = k.p
         WHERE con.contype = 'f' AND con.connamespace = 'mediabase'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = con.conrelid)
         GROUP BY con.oid, con.conname, con.conrelid, con.confrelid""")
    broken = []
    for fk in fks:
        notnull = " AND ".join(f'c."{x}" IS NOT NULL' for x in fk["cols"])
        match = " AND ".join(f'p."{y}" = c."{x}"' for x, y in zip(fk["cols"], fk["pcols"], strict=True))
        child = fk["child"] if "." in fk["child"] else f"mediabase.{fk['child']}"
        parent = fk["parent"] if "." in fk["parent"] else f"mediabase.{fk['parent']}"
        [r] = await sql(owner_db, f"SELECT count(*) AS n FROM {child} c WHERE {notnull}"
                                  f" AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {match})")
        if r["n"]:
            broken.append(f"{fk['conname']}: {r['n']}")
    return broken


async def test_videos_in_the_trash_go_with_everything_of_theirs(db: Database, owner_db: Database,
                                                                 tenants: Tenants) -> None:
    a, b = tenants
    old = await trashed(db, owner_db, a.owner, "deleted 31 days ago", "31 days")
    young = await trashed(db, owner_db, a.owner, "deleted 29 days ago", "29 days")
    due = await trashed(db, owner_db, a.owner, "retention passed", "1 day", "-1 hour")
    held = await trashed(db, owner_db, a.owner, "held", "60 days", "1 day")
    live = await make_video(db, a.owner, "live")
    await aged(owner_db, "UPDATE videos SET created_at = now() - interval '3 years' WHERE id = %s", live)
    other = await trashed(db, owner_db, b.owner, "other org, young", "10 days")
    other_old = await trashed(db, owner_db, b.owner, "other org, old", "40 days")
    await hang_everything_on(owner_db, a.owner, old)
    await hang_everything_on(owner_db, a.owner, young)
    assert await rows_naming(owner_db, old)  # the video is named in many tables

    async with owner_db.owner_connection() as conn:
        planned = await retention.plan(conn, "videos.trash")
        by_table = {i.table: i.rows for i in planned}
        assert by_table["videos"] == 3 and by_table["transcripts"] == 3 and by_table["comments"] == 1
        result = await retention.run(conn, policy="videos.trash")
        assert result.counts == {"videos.trash": by_table}  # the plan is what went
        again = await retention.run(conn, policy="videos.trash")
        assert again.counts == {"videos.trash": {"videos": 0, "transcripts": 0, "transcript_segments": 0,
                                                 "comments": 0}}
        assert await retention.plan(conn, "videos.trash") == [
            retention.PlanItem(policy="videos.trash", table=t, rows=0, detail=None if t == "videos" else
                               "with the videos") for t in ("videos", *retention.VIDEO_PARTS)]

    left = {r["id"] for r in await sql(owner_db, "SELECT id FROM videos")}
    assert left == {young, held, live, other}
    for vid in (old, due, other_old):
        assert await rows_naming(owner_db, vid) == {}
    assert await rows_naming(owner_db, young)  # untouched
    assert await broken_foreign_keys(owner_db) == []
    # what is not the video's own stays, letting go of it
    kept = await sql(owner_db, "SELECT summary FROM decisions WHERE video_id IS NULL")
    assert [r["summary"] for r in kept] == ["a decision someone wrote down"]
    assert len(await sql(owner_db, "SELECT 1 FROM music_masters WHERE video_id IS NULL")) == 1
    assert len(await sql(owner_db, "SELECT 1 FROM integration_external_items WHERE video_id IS NULL")) == 1
    runs = await sql(owner_db, "SELECT run_by, policies, counts, finished_at FROM retention_runs ORDER BY started_at")
    assert [(r["run_by"], r["policies"], r["counts"]["videos.trash"]["videos"]) for r in runs] == [
        ("cli", ["videos.trash"], 3), ("cli", ["videos.trash"], 0)]
    assert all(r["finished_at"] for r in runs)


async def test_each_row_policy_keeps_the_window_and_the_live_rows(db: Database, owner_db: Database,
                                                                  tenants: Tenants) -> None:
    a, b = tenants
    va, vb = await make_video(db, a.owner, "a"), await make_video(db, b.owner, "b")
    org, usr = a.owner.organization_id, a.owner.user_id

    async def link(tag: str, vid: uuid.UUID, p: Principal, expires: str | None, revoked: str | None) -> None:
        await aged(owner_db, "INSERT INTO share_links (organization_id, video_id, token_sha256, created_by,"
                             " created_at, expires_at, revoked_at) VALUES (%s, %s, %s, %s, now() - interval '1 year',"
                             " now() + %s::interval, now() + %s::interval)",
                   p.organization_id, vid, tag.encode().ljust(32, b"."), p.user_id, expires, revoked)
    await link("gone-expired", va, a.owner, "-31 days", None)
    await link("gone-revoked", va, a.owner, None, "-31 days")
    await link("stays-expired", va, a.owner, "-29 days", None)
    await link("stays-open", va, a.owner, None, None)
    await link("gone-other-org", vb, b.owner, "-40 days", None)
    await link("stays-other-org", vb, b.owner, "1 day", None)

    await sql(owner_db, "INSERT INTO comments (organization_id, video_id, author_id, body, position_ms)"
                        " VALUES (%s, %s, %s, 'hello', 0)", org, va, usr)

    async def note(title: str, created: str, read: bool) -> None:
        await aged(owner_db, "INSERT INTO notifications (organization_id, user_id, kind, title, comment_id,"
                             " created_at, read_at) SELECT %s, %s, 'comment', %s, id, now() - %s::interval,"
                             " CASE WHEN %s THEN now() END FROM comments WHERE organization_id = %s",
                   org, usr, title, created, read, org)
    await note("read-31", "31 days", True)
    await note("read-29", "29 days", True)
    await note("unread-31", "31 days", False)
    await note("unread-181", "181 days", False)

    async def mail(key: str, status: str, age: str) -> None:
        await aged(owner_db, "INSERT INTO mail_outbox (organization_id, recipient_user_id, to_address, subject,"
                             " body_text, kind, dedupe_key, status, attempts, sent_at, last_error, created_at,"
                             " updated_at) VALUES (%s, %s, 'ada@example.org', 's', 'b', 'test.mail', %s, %s, 1,"
                             " CASE WHEN %s = 'sent' THEN now() - %s::interval END,"
                             " CASE WHEN %s = 'dead' THEN 'no' END, now() - %s::interval - interval '1 hour',"
                             " now() - %s::interval)", org, usr, key, status, status, age, status, age, age)
    await mail("sent-31", "sent", "31 days")
    await mail("dead-31", "dead", "31 days")
    await mail("sent-29", "sent", "29 days")
    await mail("queued-60", "queued", "60 days")
    await mail("digest-60", "sent", "60 days")
    await aged(owner_db, "INSERT INTO notification_digests (organization_id, user_id, frequency, period_start,"
                         " period_end, notification_count, message_id) SELECT %s, %s, 'daily', '2026-01-05T00:00Z',"
                         " '2026-01-06T00:00Z', 1, id FROM mail_outbox WHERE dedupe_key = 'digest-60'", org, usr)

    async def invite(prefix: str, expired: str, accepted: bool) -> None:
        await aged(owner_db, "INSERT INTO invitations (organization_id, email, prefix, secret_sha256, created_at,"
                             " expires_at, accepted_at, accepted_by) VALUES (%s, 'guest@example.org', %s, %s,"
                             " now() - interval '1 year', now() - %s::interval, CASE WHEN %s THEN now() END,"
                             " CASE WHEN %s THEN %s::uuid END)",
                   org, prefix.ljust(12, "0"), os.urandom(32), expired, accepted, accepted, usr)
    await invite("gone", "91 days", False)
    await invite("stays", "89 days", False)
    await invite("accepted", "200 days", True)

    names = ["share_links.expired", "notifications.read", "notifications.unread", "mail.sent", "invitations.closed"]
    async with owner_db.owner_connection() as conn:
        planned = {i.policy: i.rows for i in await retention.plan(conn) if i.policy in names}
        assert planned == {"share_links.expired": 3, "notifications.read": 1, "notifications.unread": 1,
                           "mail.sent": 2, "invitations.closed": 1}
        dry = await retention.run(conn, dry_run=True)
        assert {n: sum(dry.counts[n].values()) for n in names} == planned
        assert dry.run_id is None
        for n in names:  # batch size 1: several transactions
            got = await retention.run(conn, policy=n, batch_size=1)
            assert sum(got.counts[n].values()) == planned[n], n
            assert sum((await retention.run(conn, policy=n)).counts[n].values()) == 0  # idempotent

    links = await sql(owner_db, "SELECT convert_from(rtrim(token_sha256, '.'), 'UTF8') AS t FROM share_links"
                                " WHERE token_sha256 LIKE '%%.'")
    assert sorted(r["t"] for r in links) == ["stays-expired", "stays-open", "stays-other-org"]
    notes = await sql(owner_db, "SELECT title FROM notifications WHERE organization_id = %s", org)
    assert sorted(r["title"] for r in notes) == ["read-29", "unread-31"]
    mails = await sql(owner_db, "SELECT dedupe_key FROM mail_outbox WHERE organization_id = %s", org)
    assert sorted(r["dedupe_key"] for r in mails) == ["digest-60", "queued-60", "sent-29"]
    invites = await sql(owner_db, "SELECT prefix FROM invitations WHERE organization_id = %s", org)
    assert sorted(r["prefix"][:5] for r in invites) == ["accep", "stays"]
    assert await broken_foreign_keys(owner_db) == []


async def test_a_disabled_policy_does_nothing_and_bad_input_writes_nothing(db: Database, owner_db: Database,
                                                                          tenants: Tenants) -> None:
    a, _ = tenants
    vid = await trashed(db, owner_db, a.owner, "old", "90 days")
    async with owner_db.owner_connection() as conn:
        view = await retention.set_policy(conn, "videos.trash", enabled=False)
        assert not view.enabled and view.keep_days == 30
        assert await retention.plan(conn, "videos.trash") == []
        assert (await retention.run(conn, policy="videos.trash")).counts == {}
        await retention.upkeep(conn, None)
        assert await sql(owner_db, "SELECT id FROM videos WHERE id = %s", vid)

        before = await retention.policies(conn)
        bad: list[tuple[str, dict[str, Any]]] = [
            ("nope", {"keep_days": 3}), ("videos.trash\x00", {"keep_days": 3}), ("videos.trash", {"keep_days": -1}),
            ("videos.trash", {"keep_days": 0}), ("videos.trash", {"keep_days": 40000}),
            ("videos.trash", {"keep_months": 2}), ("videos.trash", {}),
            ("view_events.raw", {"keep_days": 3}), ("view_events.raw", {"enabled": False}),
            ("security_events.raw", {"keep_months": 1}),  # below its minimum of 3
            ("sessions.expired", {"keep_days": 3}), ("events.dispatched", {"enabled": False}),
        ]
        for name, change in bad:
            with pytest.raises(Invalid) as err:
                await retention.set_policy(conn, name, **change)
            assert "\n" not in str(err.value)
        with pytest.raises(Invalid):
            await retention.plan(conn, "nope")
        with pytest.raises(Invalid):
            await retention.run(conn, batch_size=0)
        assert await retention.policies(conn) == before

        await retention.set_policy(conn, "videos.trash", enabled=True, keep_days=100)
        assert (await retention.run(conn, policy="videos.trash")).counts["videos.trash"]["videos"] == 0
        await retention.set_policy(conn, "videos.trash", keep_days=89)
        said = await retention.upkeep(conn, None)  # the worker's upkeep, on its maintenance connection
    assert said == "retention: purged videos.trash: 1 videos, 1 transcripts, 5 transcript_segments"
    import_handler_modules([], builtin=WORKER_MODULES)  # what the worker imports registers the upkeep
    assert "governance.retention" in {u.name for u in upkeeps()}
    assert not await sql(owner_db, "SELECT id FROM videos WHERE id = %s", vid)
    [run] = await sql(owner_db, "SELECT run_by, counts FROM retention_runs WHERE run_by = 'worker'")
    assert run["run_by"] == "worker" and run["counts"]["videos.trash"]["videos"] == 1


async def test_partitions_and_sweepers_are_shown_and_run_through_their_own_mechanisms(
        db: Database, owner_db: Database, tenants: Tenants) -> None:
    a, _ = tenants
    org, usr = a.owner.organization_id, a.owner.user_id
    vid = await make_video(db, a.owner, "watched")
    async with owner_db.owner_connection() as conn:
        for months in (15, 12):
            await conn.execute("SELECT mediabase.create_partition('mediabase.view_events',"
                               " (now() - make_interval(months => %s))::date)", (months,))
    await aged(owner_db, "INSERT INTO view_events (organization_id, video_id, user_id, occurred_at, kind)"
                         " SELECT %s, %s, %s, now() - interval '15 months', 'view'"
                         " FROM generate_series(1, 3) g", org, vid, usr)
    await aged(owner_db, "INSERT INTO sessions (user_id, active_organization_id, prefix, secret_sha256, created_at,"
                         " expires_at) VALUES (%s, %s, 'retentionold', %s, now() - interval '10 days',"
                         " now() - interval '2 days')", usr, org, os.urandom(32))
    async with owner_db.owner_connection() as conn:
        views = {p.name: p for p in await retention.policies(conn)}
        assert views["view_events.raw"].keep_months == 13 and views["view_events.raw"].kind == "partitions"
        assert views["sessions.expired"].runs_in == "identity.sessions"
        planned = await retention.plan(conn, "view_events.raw")
        [month] = [i for i in planned if i.rows]
        assert month.rows == 3 and month.detail and month.detail.startswith("view_events_")
        assert [i.rows for i in await retention.plan(conn, "sessions.expired")] == [1, 0]
        done = await retention.run(conn)
        assert done.counts["view_events.raw"] == {"view_events": 3}
        assert done.counts["sessions.expired"] == {"sessions": 1, "user_tokens": 0}
        assert "events.dispatched" in done.counts
        assert [i for i in await retention.plan(conn, "view_events.raw") if i.rows] == []
        assert (await retention.set_policy(conn, "view_events.raw", keep_months=24)).keep_months == 24
    left = await sql(owner_db, "SELECT keep_months FROM partitioned_tables"
                               " WHERE parent = 'mediabase.view_events'::regclass")
    assert left == [{"keep_months": 24}]


async def test_each_purge_finds_its_rows_through_its_index(owner_db: Database) -> None:
    """The purges' lookups across organizations can read their index (0044) rather than the whole
    table (sequential scans off: the tables are empty here, the question is whether the index fits)."""
    expected = {"videos.trash": {"videos_deleted_idx", "videos_retention_idx"},
                "share_links.expired": {"share_links_retention_idx"},
                "notifications.read": {"notifications_retention_idx"},
                "notifications.unread": {"notifications_retention_idx", "notifications_unread_idx"},
                "mail.sent": {"mail_outbox_retention_idx", "notification_digests_message_key"},
                "invitations.closed": {"invitations_retention_idx"}}
    assert set(expected) == set(retention.PURGES)
    for name, indexes in expected.items():
        p = retention.PURGES[name]
        query = f"EXPLAIN (FORMAT JSON) SELECT count(*) FROM mediabase.{p.table} t WHERE {p.due}"
        async with owner_db.transaction() as conn:
            await conn.execute("SET LOCAL enable_seqscan = off")
            [row] = await (await conn.execute(query.encode(), {"days": 30})).fetchall()
        used = set(re.findall(r'"Index Name": "(\w+)"', json.dumps(row["QUERY PLAN"])))
        assert used and used <= indexes, (name, used)
