"""/login, /logout, /account: sessions in signed cookies."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
