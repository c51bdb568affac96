"""/feedback: the feedback explorer (search, filters, pagination, CSV export)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
