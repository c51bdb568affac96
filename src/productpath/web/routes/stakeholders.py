"""/stakeholders: the registry, power/interest grid and RACI matrix."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
