"""/jobs: background jobs started from the UI and their progress."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
