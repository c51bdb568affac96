"""The JSON API, versioned under ``/api/v1``: one module per resource, errors as JSON (see
:mod:`productpath.web.api.common`), described by the app's OpenAPI document (``/docs``)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.security import HTTPBearer

from productpath.web.api import (
    arrange,
    customers,
    feedback,
    history,
    initiatives,
    jobs,
    learning,
    notifications,
    planning,
    products,
    roadmap_objects,
    social,
    themes,
)
from productpath.web.deps import require_role

PREFIX = "/api/v1"

# Documents the bearer scheme (Swagger UI's "Authorize" button); web.auth does the checking.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="An API token from `productpath tokens create`: `Authorization: Bearer pp_...`",
)

router = APIRouter(prefix=PREFIX, dependencies=[Depends(bearer)])
# Deny by default: each resource is for the team (viewer or stronger; routes add editor checks),
# except votes and comments, which stakeholders use too (on public initiatives only: social.py).
team = [Depends(require_role("viewer"))]
for module in (
    products,
    initiatives,
    arrange,
    planning,
    themes,
    feedback,
    customers,
    learning,
    jobs,
    history,
    roadmap_objects,
    notifications,
):
    router.include_router(module.router, dependencies=team)
router.include_router(social.router)

__all__ = ["PREFIX", "router"]
