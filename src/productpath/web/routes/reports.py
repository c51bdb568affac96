"""/reports: preview, download and send reports."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
