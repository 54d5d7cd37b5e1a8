"""The console's stories and music pages (docs/console.md): a community's scenes with a scene's
playlist and bible versions; the music catalog's masters with a master's credits, contract
versions and cap table."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mediabase.api.console.base import Console, ConsoleRoute, page
from mediabase.api.deps import DbDep
from mediabase.identity import service as identity
from mediabase.music.catalog import contracts
from mediabase.music.catalog import service as catalog
from mediabase.music.ledger import service as ledger
from mediabase.music.ledger.models import AssetKind
from mediabase.stories import scenes
from mediabase.stories import service as stories

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


@router.get("/stories", response_class=HTMLResponse)
async def story_topics(request: Request, db: DbDep, p: Console) -> HTMLResponse:
    """Every topic with its most recently active scenes."""
    org = await identity.get_organization(db, p)
    topics = await stories.list_topics(db, p)
    shelves = [(t, (await scenes.list_scenes(db, p, t.id, limit=20)).items) for t in topics]
    return page(request, "stories.html", org=org, principal=p, shelves=shelves)


@router.get("/stories/scenes/{scene_id}", response_class=HTMLResponse)
async def scene(
    request: Request, db: DbDep, p: Console, scene_id: UUID,
    version: Annotated[int | None, Query(ge=1, le=2_000_000_000, description="a bible version to show")] = None,
) -> HTMLResponse:
    """A scene: its playlist in sequence order, and its bible versions (the latest, or ``version``)."""
    org = await identity.get_organization(db, p)
    s = await scenes.get_scene(db, p, scene_id)
    playlist = (await scenes.list_segments(db, p, scene_id, limit=200)).items
    versions = (await scenes.list_bibles(db, p, scene_id, limit=100)).items
    shown = await scenes.get_bible(db, p, scene_id, version) if version is not None else (
        versions[0] if versions else None)
    return page(request, "scene.html", org=org, principal=p, scene=s, playlist=playlist, versions=versions,
                bible=shown)


@router.get("/music", response_class=HTMLResponse)
async def masters(request: Request, db: DbDep, p: Console) -> HTMLResponse:
    org = await identity.get_organization(db, p)
    rows = await catalog.list_masters(db, p, limit=200)
    return page(request, "music.html", org=org, principal=p, masters=rows)


@router.get("/music/masters/{master_id}", response_class=HTMLResponse)
async def master(request: Request, db: DbDep, p: Console, master_id: UUID) -> HTMLResponse:
    """A master: its credits, every contract version with its splits, and the cap table of its
    shares (who holds how much of the outstanding supply)."""
    org = await identity.get_organization(db, p)
    m = await catalog.get_master(db, p, master_id)
    credits = await catalog.list_credits(db, p, master_id)
    versions = await contracts.list_contracts(db, p, master_id)
    shares = [a for a in await ledger.list_assets(db, p, AssetKind.master_share) if a.master_id == master_id]
    caps = [await ledger.cap_table(db, p, a.id) for a in shares]
    return page(request, "master.html", org=org, principal=p, master=m, credits=credits, contracts=versions,
                caps=caps, producers={c.producer_id: c.producer_name for c in credits})
