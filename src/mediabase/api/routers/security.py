"""The security log (docs/security.md)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["security"])
