"""/portal: the stakeholder portal (public roadmap, votes, comments, feedback)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
