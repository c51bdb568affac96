"""The plan as the web pages show it: the schedule (Gantt) and a forecast (milestone fans).

Pages compute a smaller, seeded forecast, so the same roadmap always draws the same page and
its ``.json`` twin matches it; ``productpath forecast roadmap`` runs the full forecast and
stores it. Page visits store nothing. Being seeded, the plan is a function of the stored data,
the workspace's scoring settings and the day: a process computes it once per data version
(store/version_memo.py) and every visit until the next write reads it from there.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from productpath.errors import ProductpathError
from productpath.planning.roadmap_sim import RoadmapForecast, forecast_roadmap
from productpath.planning.schedule import Schedule, build_schedule
from productpath.services.forecasting.planning import plan_inputs
from productpath.services.workspace import OpenWorkspace
from productpath.store.version_memo import remembered

PAGE_TRIALS = 2_000
PAGE_SEED = 4


class TimelinePlan(BaseModel):
    """The schedule and forecast of the roadmap, or why there is none."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    team_names: dict[str, str]
    schedule: Schedule | None
    forecast: RoadmapForecast | None
    problem: str | None


def timeline(
    handle: OpenWorkspace, *, today: dt.date | None = None, calibrate: bool = False
) -> TimelinePlan:
    """Schedule and forecast from ``today`` (default: the current date); with ``calibrate``,
    the forecast rescales each team's estimates by its retrospective factor."""
    today = today or dt.date.today()
    store = handle.store
    scoring = handle.workspace.scoring
    key = (
        "roadmap timeline",
        handle.workspace.product,
        today,
        calibrate,
        scoring.method,
        scoring.weights,
    )
    return remembered(
        store.engine, store.data_version(), key, lambda: _timeline(handle, today, calibrate)
    )


def _timeline(handle: OpenWorkspace, today: dt.date, calibrate: bool) -> TimelinePlan:
    try:
        inputs = plan_inputs(handle, start=today, today=today)
        calibration = None
        if calibrate:
            # Before the schedule, so the Gantt and the fans tell the same calibrated story.
            from productpath.services.forecasting.forecast_calibration import calibrated_inputs

            inputs, calibration = calibrated_inputs(handle, inputs)
        plan = build_schedule(inputs, today=today)
        plan = plan.model_copy(update={"warnings": plan.warnings + inputs.notes})
        result = forecast_roadmap(
            inputs, trials=PAGE_TRIALS, seed=PAGE_SEED, today=today, schedule=plan
        ).model_copy(update={"calibration": calibration})
    except ProductpathError as exc:
        return TimelinePlan(
            start=today, team_names={}, schedule=None, forecast=None, problem=str(exc)
        )
    return TimelinePlan(
        start=today,
        team_names={t.key: t.name for t in inputs.teams},
        schedule=plan,
        forecast=result,
        problem=None,
    )
