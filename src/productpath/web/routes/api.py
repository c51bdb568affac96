"""The JSON API (``/api/v1``, see :mod:`productpath.web.api`) and its interactive docs
(``/docs``, see :mod:`productpath.web.routes.docs`), as the one router web/app.py includes."""

from __future__ import annotations

from fastapi import APIRouter

from productpath.web.api import router as api_v1
from productpath.web.routes import docs

router = APIRouter()
router.include_router(api_v1)
router.include_router(docs.router)
