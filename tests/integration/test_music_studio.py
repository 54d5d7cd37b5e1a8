"""V Studio (0033_music_studio.sql): a vote counts only while its session is open (refused before
opens_at and from closes_at, by the database), one vote per session and member (a re-vote
changes the option), weights from holdings at the opening set by the database, tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from mediabase.common.errors import Conflict, Forbidden, MediabaseError, NotFound
from mediabase.db.connection import Database
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import MusicRole, RoleGrant
from mediabase.music.studio import service as studio
from mediabase.music.studio.models import SessionCreate, VoteCast, Weighting
from tests.factories import Tenant
from tests.integration.music_world_catalog import Catalog, make_catalog


@pytest.fixture
async def two(db: Database, tenants: tuple[Tenant, Tenant]) -> tuple[Catalog, Catalog]:
    return await make_catalog(db, tenants[0]), await make_catalog(db, tenants[1], "Vega")


def window(start_h: float, end_h: float, **kw: Any) -> SessionCreate:
    now = datetime.now(UTC)
    return SessionCreate.model_validate(
        {
            "title": "Which mix?",
            "opens_at": now + timedelta(hours=start_h),
            "closes_at": now + timedelta(hours=end_h),
            "options": ["Warm", "Bright"],
            **kw,
        }
    )


async def sql(database: Database, c: Catalog, stmt: str, *params: Any) -> list[dict[str, Any]]:
    async with database.transaction(c.org, c.owner.user_id) as conn:
        cur = await conn.execute(stmt, params)
        return await cur.fetchall() if cur.description else []


async def test_votes_only_while_open(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    past = await studio.create_session(db, a.owner, window(-2, -1, master_id=a.master))
    future = await studio.create_session(db, a.member, window(1, 2, master_id=a.master))  # the artist opens one
    for s in (past, future):
        with pytest.raises(Conflict) as info:
            await studio.vote(db, a.member, s.id, VoteCast(option_id=s.options[0].id))
        assert info.value.extra.get("constraint") == "music_studio_votes_window"
        # the owner role, writing the row itself, is refused too
        with pytest.raises(MediabaseError) as raw:
            await sql(
                owner_db,
                a,
                "INSERT INTO music_studio_votes (organization_id, session_id, user_id, option_id,"
                " weight) VALUES (%s, %s, %s, %s, 1)",
                a.org,
                s.id,
                a.owner.user_id,
                s.options[0].id,
            )
        assert raw.value.extra.get("constraint") == "music_studio_votes_window"
    assert [t.votes for t in await studio.tally(db, a.owner, past.id)] == [0, 0]


async def test_one_vote_per_member_and_tally(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, b = two
    s = await studio.create_session(db, a.owner, window(-1, 1, master_id=a.master))
    warm, bright = s.options
    v = await studio.vote(db, a.member, s.id, VoteCast(option_id=warm.id))
    assert (v.weight, v.option_id) == (1, warm.id)
    await studio.vote(db, a.owner, s.id, VoteCast(option_id=warm.id))
    await studio.vote(db, a.member, s.id, VoteCast(option_id=bright.id))  # a re-vote changes the option
    assert [(t.label, t.votes, t.weight) for t in await studio.tally(db, a.member, s.id)] == [
        ("Warm", 1, 1),
        ("Bright", 1, 1),
    ]
    # the client's weight is not taken; the primary key holds one vote per member
    await sql(db, a, "UPDATE music_studio_votes SET option_id = option_id WHERE organization_id = %s", a.org)
    with pytest.raises(MediabaseError) as info:
        await sql(
            owner_db,
            a,
            "INSERT INTO music_studio_votes (organization_id, session_id, user_id, option_id, weight)"
            " VALUES (%s, %s, %s, %s, 99)",
            a.org,
            s.id,
            a.member.user_id,
            warm.id,
        )
    assert info.value.extra.get("constraint") == "music_studio_votes_pkey"
    # options are frozen once voted on; a vote is never withdrawn
    with pytest.raises(MediabaseError) as info:
        await sql(db, a, "UPDATE music_studio_options SET label = 'x' WHERE organization_id = %s", a.org)
    assert info.value.extra.get("constraint") == "music_studio_options_frozen"
    with pytest.raises(MediabaseError) as info:
        await sql(owner_db, a, "DELETE FROM music_studio_votes WHERE organization_id = %s", a.org)
    assert info.value.extra.get("constraint") == "music_studio_votes_kept"
    # another organization sees nothing; b's option is nothing in a's session
    with pytest.raises(NotFound):
        await studio.tally(db, b.owner, s.id)
    sb = await studio.create_session(db, b.owner, window(-1, 1, master_id=b.master))
    with pytest.raises(NotFound):
        await studio.vote(db, a.member, s.id, VoteCast(option_id=sb.options[0].id))
    # a member without a music role does not vote
    await catalog.revoke_role(db, a.owner, RoleGrant(user_id=a.member.user_id, role=MusicRole.artist))
    with pytest.raises(Forbidden):
        await studio.vote(db, a.member, s.id, VoteCast(option_id=warm.id))


async def mint(owner_db: Database, c: Catalog, asset: UUID, user: UUID, amount: int, at: datetime) -> None:
    async with owner_db.transaction(c.org, c.owner.user_id) as conn:
        e = await (
            await conn.execute(
                "INSERT INTO music_journal_entries (organization_id, kind, effective_at) VALUES (%s, 'mint', %s)"
                " RETURNING id",
                (c.org, at),
            )
        ).fetchone()
        assert e is not None
        await conn.execute(
            "INSERT INTO music_journal_lines (organization_id, entry_id, line_no, asset_id, account_id, amount)"
            " VALUES (%s, %s, 1, %s, mediabase.music_issuance_account(), %s),"
            " (%s, %s, 2, %s, mediabase.music_user_account(%s), %s)",
            (c.org, e["id"], asset, -amount, c.org, e["id"], asset, user, amount),
        )


async def test_holdings_weighting(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    with pytest.raises(MediabaseError):  # no share asset yet
        await studio.create_session(db, a.owner, window(-1, 1, master_id=a.master, weighting=Weighting.holdings))
    rows = await sql(
        owner_db,
        a,
        "INSERT INTO music_assets (organization_id, kind, master_id, symbol, name,"
        " max_supply) VALUES (%s, 'master_share', %s, 'NOVA1', 'Nova One shares', 1000000) RETURNING id",
        a.org,
        a.master,
    )
    asset = rows[0]["id"]
    now = datetime.now(UTC)
    await mint(owner_db, a, asset, a.member.user_id, 250, now - timedelta(hours=3))
    await mint(owner_db, a, asset, a.member.user_id, 50, now - timedelta(minutes=30))  # after the opening
    await mint(owner_db, a, asset, a.owner.user_id, 7, now - timedelta(minutes=30))  # after the opening only
    s = await studio.create_session(db, a.owner, window(-1, 1, master_id=a.master, weighting=Weighting.holdings))
    assert s.asset_id == asset
    v = await studio.vote(db, a.member, s.id, VoteCast(option_id=s.options[1].id))
    assert v.weight == 250  # holdings at opens_at, not now
    with pytest.raises(Forbidden):  # held nothing when the session opened
        await studio.vote(db, a.owner, s.id, VoteCast(option_id=s.options[0].id))
    assert [(t.votes, t.weight) for t in await studio.tally(db, a.owner, s.id)] == [(0, 0), (1, 250)]


async def test_a_session_window_is_checked(db: Database, owner_db: Database, two: tuple[Catalog, Catalog]) -> None:
    a, _ = two
    with pytest.raises(ValueError, match="closes_at"):
        window(1, 1, master_id=a.master)
    with pytest.raises(MediabaseError) as info:
        await sql(
            owner_db,
            a,
            "INSERT INTO music_studio_sessions (organization_id, master_id, title, opens_at,"
            " closes_at) VALUES (%s, %s, 't', now(), now())",
            a.org,
            a.master,
        )
    assert info.value.extra.get("constraint") == "music_studio_sessions_window"
    with pytest.raises(Forbidden):
        await catalog.revoke_role(db, a.member, RoleGrant(user_id=a.member.user_id, role=MusicRole.artist))
