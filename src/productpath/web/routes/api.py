"""/api/v1: the JSON API for scripts (token auth)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
