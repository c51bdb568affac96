"""Estimate calibration for the roadmap forecast: each team's track record from the
retrospective, applied to its estimates (``productpath forecast roadmap --calibrate``).

Method: the retrospective (:mod:`productpath.learning.retro`) gives each team's factor, the
median over its done initiatives of actual ideal weeks / PERT mean of the estimate. A team with
at least :data:`~productpath.learning.retro.MIN_CALIBRATION` such initiatives has its
initiatives' three points multiplied by that factor before the simulation; a team with fewer is
"not calibrated: only N shipped" and keeps a factor of 1.0, as does a team with none.
"""

from __future__ import annotations

from productpath.domain.plan_inputs import PlanInputs
from productpath.learning.retro import MIN_CALIBRATION
from productpath.planning.roadmap_sim import Calibration, TeamCalibration, calibrate
from productpath.services.forecasting.retro import retrospective
from productpath.services.workspace import OpenWorkspace

__all__ = ["METHOD", "calibrated_inputs", "team_calibration"]

METHOD = (
    "each initiative's optimistic, likely and pessimistic estimate is multiplied by its team's "
    "factor: the median of actual ideal weeks / PERT mean over the team's done initiatives "
    f"(productpath retro); teams with fewer than {MIN_CALIBRATION} keep 1.0"
)


def team_calibration(handle: OpenWorkspace, teams: tuple[str, ...]) -> Calibration:
    """The factor each of ``teams`` gets, from what the retrospective measures now."""
    measured = {c.team: c for c in retrospective(handle).estimates.teams}
    rows = []
    for team in teams:
        found = measured.get(team)
        shipped = found.n if found else 0
        if found is not None and found.enough:
            rows.append(
                TeamCalibration(
                    team=team,
                    factor=found.factor,
                    measured=found.factor,
                    shipped=shipped,
                    applied=True,
                    note=f"calibrated: x{found.factor:.2f} from {shipped} shipped",
                )
            )
        else:
            rows.append(
                TeamCalibration(
                    team=team,
                    factor=1.0,
                    measured=found.factor if found else None,
                    shipped=shipped,
                    applied=False,
                    note=f"not calibrated: only {shipped} shipped",
                )
            )
    return Calibration(applied=any(row.applied for row in rows), method=METHOD, teams=tuple(rows))


def calibrated_inputs(handle: OpenWorkspace, inputs: PlanInputs) -> tuple[PlanInputs, Calibration]:
    """``inputs`` with every team's estimates rescaled by its factor, and what was applied."""
    info = team_calibration(handle, tuple(t.key for t in inputs.teams))
    factors = {row.team: row.factor for row in info.teams if row.applied}
    return calibrate(inputs, factors), info
