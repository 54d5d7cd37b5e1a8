"""V Studio services: sessions on a master, their options, votes and tallies.

The rules live in 0033_music_studio.sql: a vote counts only while its session is open (the
trigger music_studio_votes_window compares the statement's time with the window), one vote per
session and member (a re-vote before closing changes the option), and its weight is the
database's: 1, or the voter's holdings of the master's share asset at opens_at. Who may open a
session: an ADMIN, or the master's artist. Who votes: members holding a music role (fan, artist,
producer), and ADMINs.
"""

from __future__ import annotations

from uuid import UUID

from mediabase.common.errors import Conflict, Forbidden, Invalid, NotFound
from mediabase.db.connection import Database
from mediabase.db.errors import register_constraint
from mediabase.db.queries import load_queries
from mediabase.db.rows import Conn, by_id, class_row, fetch_one_or_404, lock_or_404
from mediabase.identity.models import Principal, Role
from mediabase.music.catalog import service as catalog
from mediabase.music.catalog.models import MusicRole
from mediabase.music.studio.models import Option, Session, SessionCreate, TallyRow, Vote, VoteCast, Weighting

Q = load_queries("mediabase.music.studio", "queries.sql")

register_constraint("music_studio_votes_window", Conflict, "the session is not open for votes", field="option_id")
register_constraint(
    "music_studio_votes_holdings", Forbidden, "the voter held none of the master's shares when the session opened"
)
register_constraint("music_studio_votes_option_fk", NotFound, "no such option in this session", field="option_id")
register_constraint("music_studio_votes_member_fk", Forbidden, "only members vote")
register_constraint("music_studio_sessions_window", Invalid, "closes_at must be after opens_at", field="closes_at")
register_constraint("music_studio_sessions_master_fk", NotFound, "no such master", field="master_id")
register_constraint(
    "music_studio_sessions_asset_of_master",
    Invalid,
    "the session counts the share asset of its own master",
    field="weighting",
)
register_constraint("music_studio_options_frozen", Conflict, "the session has votes: its options cannot change")


async def _session(conn: Conn, org: UUID, session_id: UUID) -> Session:
    s = await fetch_one_or_404(
        conn, by_id(Q.session_columns), {"org": org, "id": session_id}, "studio session", model=Session
    )
    cur = conn.cursor(row_factory=class_row(Option))
    options = await (await cur.execute(Q.options, {"org": org, "session": session_id})).fetchall()
    return s.model_copy(update={"options": options})


async def create_session(db: Database, p: Principal, data: SessionCreate) -> Session:
    """A session on a master with its options (an ADMIN or the master's artist). Holdings
    weighting counts the master's share asset, which must exist."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        row = await lock_or_404(conn, catalog.Q.lock_master, p.organization_id, data.master_id, "master")
        await catalog._may_edit_master(conn, p, row["artist_user_id"])
        asset = None
        if data.weighting is Weighting.holdings:
            a = await (
                await conn.execute(Q.master_share_asset, {"org": p.organization_id, "master": data.master_id})
            ).fetchone()
            if a is None:
                raise Invalid("the master has no share asset to weigh votes by", field="weighting")
            asset = a["id"]
        params = {**data.model_dump(exclude={"options"}), "org": p.organization_id, "asset": asset, "user": p.user_id}
        created = await fetch_one_or_404(conn, Q.insert_session, params, "studio session")
        await conn.execute(
            Q.insert_options, {"org": p.organization_id, "session": created["id"], "labels": data.options}
        )
        return await _session(conn, p.organization_id, created["id"])


async def get_session(db: Database, p: Principal, session_id: UUID) -> Session:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        return await _session(conn, p.organization_id, session_id)


async def list_sessions(db: Database, p: Principal, master_id: UUID) -> list[Session]:
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        cur = conn.cursor(row_factory=class_row(Session))
        return await (await cur.execute(Q.list_sessions, {"org": p.organization_id, "master": master_id})).fetchall()


async def vote(db: Database, p: Principal, session_id: UUID, data: VoteCast) -> Vote:
    """Cast (or change, while open) the caller's vote."""
    async with db.transaction(p.organization_id, p.user_id) as conn:
        await fetch_one_or_404(
            conn, by_id(Q.session_columns), {"org": p.organization_id, "id": session_id}, "studio session"
        )
        if not p.can(Role.ADMIN) and not any([await catalog._has_role(conn, p, r) for r in MusicRole]):
            raise Forbidden("only members with a music role (fan, artist, producer) vote")
        return await fetch_one_or_404(
            conn,
            Q.cast_vote,
            {"org": p.organization_id, "session": session_id, "user": p.user_id, "option": data.option_id},
            "vote",
            model=Vote,
        )


async def tally(db: Database, p: Principal, session_id: UUID) -> list[TallyRow]:
    """Votes and weight per option, in display order."""
    async with db.transaction(p.organization_id, p.user_id, readonly=True) as conn:
        await fetch_one_or_404(
            conn, by_id(Q.session_columns), {"org": p.organization_id, "id": session_id}, "studio session"
        )
        cur = conn.cursor(row_factory=class_row(TallyRow))
        return await (await cur.execute(Q.tally, {"org": p.organization_id, "session": session_id})).fetchall()
