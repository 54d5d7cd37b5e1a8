"""The music marketplace: studio (docs/music.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["music"])
