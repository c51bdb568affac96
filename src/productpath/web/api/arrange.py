"""``/api/v1/initiatives/{key}/move`` and ``/dates``: an initiative's priority and planned
dates, with the version check of every edit (the service the roadmap board and the timeline
page use: services/roadmap_arrange.py)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from productpath.services.roadmap_arrange import move_initiative, set_planned_dates
from productpath.web.api.common import COMMON_ERRORS, CONFLICT, NOT_FOUND, ApiRoute
from productpath.web.deps import CsrfDep, EditorDep, HandleDep

router = APIRouter(tags=["initiatives"], route_class=ApiRoute, responses=COMMON_ERRORS)


class InitiativeMove(BaseModel):
    """Where to put the initiative: just ``before`` one other initiative or just ``after`` one
    (exactly one of them), and the ``version`` of the moved initiative the client last read."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"version": 3, "before": "dark-mode"}]}
    )
    version: int = Field(ge=1, description="the moved initiative's version the client last read")
    before: str | None = Field(default=None, max_length=64, description="an initiative's key")
    after: str | None = Field(default=None, max_length=64, description="an initiative's key")


class InitiativeDates(BaseModel):
    """The planned ``start`` and ``target`` (null clears one) and the ``version`` last read."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"version": 3, "start": "2030-02-03", "target": "2030-03-01"}]
        },
    )
    version: int = Field(ge=1, description="the version the client last read")
    start: dt.date | None = None
    target: dt.date | None = None


class Arrangement(BaseModel):
    """The initiative after the edit."""

    key: str
    version: int = Field(description="its version now (send it with the next edit)")
    position: int = Field(description="its place among all the roadmap's initiatives, 0 first")
    start: dt.date | None
    target: dt.date | None
    changed: bool = Field(description="false when it already was so (the version stays)")


@router.post(
    "/initiatives/{key}/move", response_model=Arrangement, responses={**NOT_FOUND, **CONFLICT}
)
def move(
    key: str, body: InitiativeMove, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> Arrangement:
    """Change the initiative's priority: its place in the roadmap's order, which
    ``roadmap export`` writes and the schedule follows. A stale ``version`` is 409."""
    done = move_initiative(
        handle,
        key,
        before=body.before,
        after=body.after,
        expected_version=body.version,
        actor=principal.email or principal.name,
        via="api",
    )
    return Arrangement(**done.__dict__)


@router.post(
    "/initiatives/{key}/dates", response_model=Arrangement, responses={**NOT_FOUND, **CONFLICT}
)
def dates(
    key: str, body: InitiativeDates, handle: HandleDep, principal: EditorDep, _csrf: CsrfDep
) -> Arrangement:
    """Set the planned start and target. A target before the start is 422 with the words
    ``roadmap apply`` uses; a stale ``version`` is 409."""
    done = set_planned_dates(
        handle,
        key,
        start=body.start,
        target=body.target,
        expected_version=body.version,
        actor=principal.email or principal.name,
        via="api",
    )
    return Arrangement(**done.__dict__)
