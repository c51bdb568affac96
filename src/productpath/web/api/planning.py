"""``/api/v1/objectives`` (with key results) and ``/api/v1/milestones`` (with forecasts).

Both read the dashboard's view (services.pages.overview) and, for milestones, the roadmap's seeded
forecast that the roadmap page draws (services.pages.roadmap_timeline), so the API, the pages and
their ``.json`` twins agree.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from productpath.errors import NotFoundError
from productpath.planning.roadmap_sim import MilestoneForecast
from productpath.services.pages.overview import MilestoneSummary, ObjectiveSummary, dashboard
from productpath.services.pages.roadmap_timeline import timeline
from productpath.web.api.common import (
    COMMON_ERRORS,
    DEFAULT_LIMIT,
    NOT_FOUND,
    ApiRoute,
    LimitQuery,
    OffsetQuery,
    Page,
    page_of,
)
from productpath.web.deps import HandleDep, ViewerDep

router = APIRouter(route_class=ApiRoute, responses=COMMON_ERRORS)


class MilestonePublic(BaseModel):
    """A milestone, its initiatives done so far, and the forecast of when all will be done:
    ``forecast.finish`` holds the P50/P85/P95 dates and ``forecast.probability`` the chance of
    meeting ``target_date``. ``forecast`` is None when the roadmap cannot be forecast (no
    estimates, no teams): ``forecast_problem`` says why."""

    model_config = ConfigDict(frozen=True)
    key: str
    name: str
    target_date: dt.date
    initiatives_total: int
    initiatives_done: int
    forecast: MilestoneForecast | None
    forecast_problem: str | None
    version: int = 1


@router.get("/objectives", response_model=Page[ObjectiveSummary], tags=["objectives"])
def objectives(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[ObjectiveSummary]:
    """The product's objectives in roadmap order, each with its key results and how many
    initiatives serve it."""
    return page_of(dashboard(handle).objectives, limit, offset)


@router.get(
    "/objectives/{key}",
    response_model=ObjectiveSummary,
    tags=["objectives"],
    responses={**NOT_FOUND},
)
def objective(key: str, handle: HandleDep, _: ViewerDep) -> ObjectiveSummary:
    """One objective with its key results."""
    found = next((o for o in dashboard(handle).objectives if o.key == key), None)
    if found is None:
        raise NotFoundError(f"no objective '{key}' in this workspace")
    return found


def _milestones(handle: HandleDep) -> list[MilestonePublic]:
    plan = timeline(handle)
    forecasts = {m.key: m for m in plan.forecast.milestones} if plan.forecast else {}
    return [_public(m, forecasts.get(m.key), plan.problem) for m in dashboard(handle).milestones]


def _public(
    milestone: MilestoneSummary, forecast: MilestoneForecast | None, problem: str | None
) -> MilestonePublic:
    return MilestonePublic(
        key=milestone.key,
        name=milestone.name,
        target_date=milestone.target_date,
        initiatives_total=milestone.initiatives_total,
        initiatives_done=milestone.initiatives_done,
        version=milestone.version,
        forecast=forecast,
        forecast_problem=None
        if forecast is not None
        else (problem or "none of its initiatives is left to forecast"),
    )


@router.get("/milestones", response_model=Page[MilestonePublic], tags=["milestones"])
def milestones(
    handle: HandleDep, _: ViewerDep, limit: LimitQuery = DEFAULT_LIMIT, offset: OffsetQuery = 0
) -> Page[MilestonePublic]:
    """Milestones by target date, with progress and forecast percentiles."""
    return page_of(_milestones(handle), limit, offset)


@router.get(
    "/milestones/{key}",
    response_model=MilestonePublic,
    tags=["milestones"],
    responses={**NOT_FOUND},
)
def milestone(key: str, handle: HandleDep, _: ViewerDep) -> MilestonePublic:
    """One milestone with its forecast."""
    found = next((m for m in _milestones(handle) if m.key == key), None)
    if found is None:
        raise NotFoundError(f"no milestone '{key}' in this workspace")
    return found
