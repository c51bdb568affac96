"""``/healthz``: is the app up and can it reach its database?"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from productpath.web.deps import HandleDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    product: str
    database: str


@router.get("/healthz", response_model=Health)
def healthz(handle: HandleDep) -> Health:
    """``ok`` once the database answers a trivial query."""
    with handle.store.read() as session:
        session.execute(text("SELECT 1"))
    return Health(
        status="ok",
        product=handle.workspace.product,
        database=handle.store.engine.dialect.name,
    )
