"""The music marketplace: V Studio — sessions, votes and tallies (docs/music-catalog.md)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, status

from mediabase.api.deps import DbDep, PrincipalDep
from mediabase.music.studio import service as studio
from mediabase.music.studio.models import Session, SessionCreate, TallyRow, Vote, VoteCast

router = APIRouter(tags=["music"])


@router.post(
    "/music/studio/sessions",
    status_code=status.HTTP_201_CREATED,
    summary="Open a V Studio session on a master, with its options (ADMIN or the master's artist)",
)
async def create_session(db: DbDep, p: PrincipalDep, data: SessionCreate) -> Session:
    return await studio.create_session(db, p, data)


@router.get("/music/masters/{master_id}/studio-sessions", summary="A master's studio sessions, latest first")
async def list_sessions(db: DbDep, p: PrincipalDep, master_id: UUID) -> list[Session]:
    return await studio.list_sessions(db, p, master_id)


@router.get("/music/studio/sessions/{session_id}", summary="A studio session and its options")
async def get_session(db: DbDep, p: PrincipalDep, session_id: UUID) -> Session:
    return await studio.get_session(db, p, session_id)


@router.post("/music/studio/sessions/{session_id}/vote", summary="Vote (or change the vote) while the session is open")
async def vote(db: DbDep, p: PrincipalDep, session_id: UUID, data: VoteCast) -> Vote:
    return await studio.vote(db, p, session_id, data)


@router.get("/music/studio/sessions/{session_id}/tally", summary="Votes and weight per option")
async def tally(db: DbDep, p: PrincipalDep, session_id: UUID) -> list[TallyRow]:
    return await studio.tally(db, p, session_id)
