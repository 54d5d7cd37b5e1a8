"""Migration 0014: instants Python cannot read are repaired, and CHECKs keep new ones out;
a job row with such an instant in a column no CHECK covers still lists (clamped)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import psycopg
import pytest

from mediabase.api import app as _app  # noqa: F401  every domain, so every constraint's meaning is registered
from mediabase.db.connection import Database
from mediabase.db.errors import Invalid, translate
from mediabase.db.instants import LATEST
from mediabase.db.migrator import Migrator
from mediabase.jobs import service as jobs
from tests.conftest import make_settings

FAR = "9999-12-31 23:00:00-12"  # year 10000 in UTC
ANCIENT = "0100-01-01 00:00:00+00 BC"
TOP = datetime(9998, 12, 31, 23, 59, 59, tzinfo=UTC)
BOTTOM = datetime(1, 1, 2, tzinfo=UTC)


def seed_bad_rows(url: str) -> dict[str, uuid.UUID]:
    """One organization whose rows hold every instant a user could set, out of Python's range."""
    ids = {k: uuid.uuid4() for k in ("org", "user", "video", "decision", "key", "link", "job", "early_job")}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET search_path TO mediabase, public")
        conn.execute("INSERT INTO organizations (id, name, slug) VALUES (%s, 'Old', 'old')", (ids["org"],))
        conn.execute(
            "INSERT INTO users (id, email, username) VALUES (%s, 'old@example.com', 'old')", (ids["user"],)
        )
        conn.execute(
            "INSERT INTO memberships (organization_id, user_id, role) VALUES (%s, %s, 'OWNER')",
            (ids["org"], ids["user"]),
        )
        conn.execute(
            "INSERT INTO videos (organization_id, id, title, recorded_at, retention_until)"
            " VALUES (%s, %s, 'v', %s, %s)",
            (ids["org"], ids["video"], FAR, ANCIENT),
        )
        conn.execute(
            "INSERT INTO decisions (organization_id, id, summary, decided_at) VALUES (%s, %s, 's', %s)",
            (ids["org"], ids["decision"], FAR),
        )
        conn.execute(
            "INSERT INTO api_keys (organization_id, id, user_id, name, prefix, secret_sha256, expires_at)"
            " VALUES (%s, %s, %s, 'k', 'aaaaaaaaaaaa', sha256('k'), %s)",
            (ids["org"], ids["key"], ids["user"], FAR),
        )
        conn.execute(
            "INSERT INTO share_links (organization_id, id, video_id, token_sha256, expires_at)"
            " VALUES (%s, %s, %s, sha256('t'), %s)",
            (ids["org"], ids["link"], ids["video"], FAR),
        )
        conn.execute(
            "INSERT INTO jobs (organization_id, id, type, run_after) VALUES (%s, %s, 'demo.far', %s)",
            (ids["org"], ids["job"], FAR),
        )
        conn.execute(
            "INSERT INTO jobs (organization_id, id, type, run_after) VALUES (%s, %s, 'demo.early', %s)",
            (ids["org"], ids["early_job"], ANCIENT),
        )
        with pytest.raises(psycopg.DataError, match="too (large|small)"):  # what every read of the org's jobs met
            conn.execute("SELECT * FROM jobs WHERE organization_id = %s", (ids["org"],)).fetchall()
    return ids


async def test_0014_clamps_stored_instants_and_forbids_new_ones(empty_url: str) -> None:
    settings = make_settings(empty_url)
    await Migrator(empty_url, settings).migrate(target=13)
    ids = seed_bad_rows(empty_url)
    report = await Migrator(empty_url, settings).migrate()
    assert report.applied[0][0].version == 14

    with psycopg.connect(empty_url, autocommit=True) as conn:
        conn.execute("SET search_path TO mediabase, public")
        one = conn.execute
        assert one("SELECT recorded_at, retention_until FROM videos").fetchone() == (TOP, BOTTOM)
        assert one("SELECT decided_at FROM decisions").fetchone() == (TOP,)
        assert one("SELECT expires_at FROM api_keys").fetchone() == (TOP,)
        assert one("SELECT expires_at FROM share_links").fetchone() == (TOP,)
        runs = dict(one("SELECT type, run_after FROM jobs WHERE type LIKE 'demo.%'").fetchall())
        assert runs == {"demo.far": TOP, "demo.early": BOTTOM}
        # from SQL too, no new one gets in; the CHECK means something to a user
        with pytest.raises(psycopg.errors.CheckViolation) as info:
            one("UPDATE jobs SET run_after = %s WHERE id = %s", (FAR, ids["job"]))
        err = translate(info.value)
        assert isinstance(err, Invalid) and err.field == "run_after" and "9998-12-31" in err.detail
        for table, column in [
            ("videos", "recorded_at"),
            ("videos", "retention_until"),
            ("decisions", "decided_at"),
            ("api_keys", "expires_at"),
            ("share_links", "expires_at"),
        ]:
            with pytest.raises(psycopg.errors.CheckViolation) as info:
                one(f"UPDATE {table} SET {column} = %s", (FAR,))
            err = translate(info.value)
            assert isinstance(err, Invalid) and err.field == column, (table, column, err)

    async with Database(empty_url, settings) as db:
        listed = await jobs.list_jobs(db, ids["org"])
        assert {j.type: j.run_after for j in listed if j.type.startswith("demo.")} == {
            "demo.far": TOP,
            "demo.early": BOTTOM,
        }


async def test_a_job_with_an_unreadable_instant_still_lists(db: Database, owner_db: Database, tenants: tuple) -> None:
    """No CHECK covers the columns the queue itself writes; a row broken by hand in one of them
    is read with the instant clamped, and the organization's other jobs still list."""
    org = tenants[0].owner.organization_id
    async with db.transaction(org) as conn:
        good = await jobs.enqueue(conn, org_id=org, type="demo.good")
        bad = await jobs.enqueue(conn, org_id=org, type="demo.bad")
    async with owner_db.transaction() as conn:
        await conn.execute("UPDATE mediabase.jobs SET heartbeat_at = %s WHERE id = %s", (FAR, bad.id))
    listed = {j.id: j for j in await jobs.list_jobs(db, org)}
    assert set(listed) >= {good.id, bad.id}
    assert listed[bad.id].heartbeat_at == LATEST and listed[good.id].heartbeat_at is None
    assert (await jobs.get_job(db, org, bad.id)).heartbeat_at == LATEST
