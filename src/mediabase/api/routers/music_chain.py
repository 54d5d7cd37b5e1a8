"""The music marketplace: chain (docs/music.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["music"])
