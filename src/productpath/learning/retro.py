"""Forecast and estimate retrospectives: what was predicted against what happened.

* **Forecast hit rates**: for every stored roadmap forecast and every initiative in it that has
  since finished, the actual finish is a hit at a level when it is on or before that level's
  date (P50, P85, P95). A calibrated forecast hits about 50%, 85% and 95% of the time. Forecasts
  made on or after the day the work actually finished are left out: they predicted nothing.
  Several snapshots of the same initiative are not independent, so the counts overstate the
  evidence when one initiative appears in many snapshots (``initiatives`` says how many distinct
  ones there are).
* **Estimate calibration**: actual effort in ideal weeks is calendar weeks (first linked work
  started to last finished) times the team's capacity per week. It overstates the effort when
  the team worked on several initiatives at once. Each done initiative's ratio actual / PERT mean
  ((optimistic + 4 likely + pessimistic) / 6) is reported; a team's calibration factor is the
  median ratio (robust to one runaway initiative), with n. Below :data:`MIN_CALIBRATION` ratios
  the factor is shown but flagged as too little data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

__all__ = [
    "LEVELS",
    "MIN_CALIBRATION",
    "EstimateInput",
    "EstimateRetro",
    "ForecastRetro",
    "Prediction",
    "estimate_retro",
    "forecast_retro",
    "pert_mean",
]

LEVELS = (50, 85, 95)
MIN_CALIBRATION = 3


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


@dataclass(frozen=True)
class Prediction:
    """One initiative's finish percentiles in one stored forecast."""

    snapshot: int
    made_on: dt.date
    key: str
    team: str
    p50: dt.date
    p85: dt.date
    p95: dt.date


class ScoredPrediction(_Frozen):
    snapshot: int
    made_on: dt.date
    key: str
    team: str
    p50: dt.date
    p85: dt.date
    p95: dt.date
    actual: dt.date
    hit50: bool
    hit85: bool
    hit95: bool
    days_late_vs_p85: int  # negative: finished before P85


class HitRates(_Frozen):
    group: str  # "all", a team key or a month (YYYY-MM of the snapshot)
    n: int
    initiatives: int
    p50: float
    p85: float
    p95: float


class ForecastRetro(_Frozen):
    snapshots: int
    scored: tuple[ScoredPrediction, ...]
    overall: HitRates | None
    by_team: tuple[HitRates, ...]
    by_month: tuple[HitRates, ...]
    skipped_after_finish: int
    caveats: tuple[str, ...]


def _rates(group: str, rows: Sequence[ScoredPrediction]) -> HitRates:
    n = len(rows)
    return HitRates(
        group=group,
        n=n,
        initiatives=len({r.key for r in rows}),
        p50=sum(r.hit50 for r in rows) / n,
        p85=sum(r.hit85 for r in rows) / n,
        p95=sum(r.hit95 for r in rows) / n,
    )


def _grouped(rows: Sequence[ScoredPrediction], key: str) -> tuple[HitRates, ...]:
    groups: dict[str, list[ScoredPrediction]] = {}
    for row in rows:
        name = row.team if key == "team" else row.made_on.strftime("%Y-%m")
        groups.setdefault(name, []).append(row)
    return tuple(_rates(name, groups[name]) for name in sorted(groups))


def forecast_retro(
    predictions: Iterable[Prediction], finished: Mapping[str, dt.date], *, snapshots: int
) -> ForecastRetro:
    """Score each prediction of an initiative that has finished (``finished``: key -> day)."""
    scored: list[ScoredPrediction] = []
    skipped = 0
    for p in predictions:
        actual = finished.get(p.key)
        if actual is None:
            continue
        if actual <= p.made_on:
            skipped += 1
            continue
        scored.append(
            ScoredPrediction(
                snapshot=p.snapshot,
                made_on=p.made_on,
                key=p.key,
                team=p.team,
                p50=p.p50,
                p85=p.p85,
                p95=p.p95,
                actual=actual,
                hit50=actual <= p.p50,
                hit85=actual <= p.p85,
                hit95=actual <= p.p95,
                days_late_vs_p85=(actual - p.p85).days,
            )
        )
    scored.sort(key=lambda r: (r.made_on, r.snapshot, r.key))
    caveats: list[str] = []
    if snapshots == 0:
        caveats.append(
            "no roadmap forecast is stored yet; 'productpath forecast roadmap' stores one each run"
        )
    elif not scored:
        caveats.append("no stored roadmap forecast has a finished initiative yet")
    else:
        distinct = len({r.key for r in scored})
        if distinct < 10:
            caveats.append(
                f"only {distinct} finished initiative(s) behind these rates: a single one moves "
                f"a rate by {1 / distinct:.0%} or more, so read them as anecdotes, not calibration"
            )
        if len(scored) > distinct:
            caveats.append(
                "the same initiative is counted once per snapshot; those counts are not independent"
            )
    if skipped:
        caveats.append(f"{skipped} prediction(s) made on or after the actual finish were left out")
    return ForecastRetro(
        snapshots=snapshots,
        scored=tuple(scored),
        overall=_rates("all", scored) if scored else None,
        by_team=_grouped(scored, "team"),
        by_month=_grouped(scored, "month"),
        skipped_after_finish=skipped,
        caveats=tuple(caveats),
    )


@dataclass(frozen=True)
class EstimateInput:
    """A done initiative with its estimate (ideal weeks) and when its linked work ran."""

    key: str
    team: str
    capacity_per_week: float
    optimistic: float
    likely: float
    pessimistic: float
    started: dt.date
    finished: dt.date


def pert_mean(optimistic: float, likely: float, pessimistic: float) -> float:
    return (optimistic + 4 * likely + pessimistic) / 6


class EstimateRow(_Frozen):
    key: str
    team: str
    started: dt.date
    finished: dt.date
    calendar_weeks: float
    actual_ideal_weeks: float
    likely: float
    pert_mean: float
    ratio: float  # actual / PERT mean


class Calibration(_Frozen):
    team: str
    n: int
    factor: float  # median actual / PERT mean
    likely_factor: float | None  # median actual / likely
    enough: bool


class EstimateRetro(_Frozen):
    rows: tuple[EstimateRow, ...]
    teams: tuple[Calibration, ...]
    caveats: tuple[str, ...]


def estimate_retro(done: Iterable[EstimateInput]) -> EstimateRetro:
    """Actual ideal weeks against the estimate for each done initiative, and per-team factors."""
    rows: list[EstimateRow] = []
    for item in done:
        mean = pert_mean(item.optimistic, item.likely, item.pessimistic)
        if mean <= 0 or item.finished < item.started:
            continue
        # A start and finish on the same day is still a day of work.
        weeks = max((item.finished - item.started).days, 1) / 7
        actual = weeks * item.capacity_per_week
        rows.append(
            EstimateRow(
                key=item.key,
                team=item.team,
                started=item.started,
                finished=item.finished,
                calendar_weeks=weeks,
                actual_ideal_weeks=actual,
                likely=item.likely,
                pert_mean=mean,
                ratio=actual / mean,
            )
        )
    rows.sort(key=lambda r: (r.team, r.finished, r.key))
    by_team: dict[str, list[EstimateRow]] = {}
    for row in rows:
        by_team.setdefault(row.team, []).append(row)
    teams = tuple(
        Calibration(
            team=team,
            n=len(group),
            factor=statistics.median(r.ratio for r in group),
            likely_factor=statistics.median(
                r.actual_ideal_weeks / r.likely for r in group if r.likely > 0
            )
            if any(r.likely > 0 for r in group)
            else None,
            enough=len(group) >= MIN_CALIBRATION,
        )
        for team, group in sorted(by_team.items())
    )
    caveats: list[str] = []
    if not rows:
        caveats.append(
            "no done initiative has both a three-point estimate, a team and linked work with "
            "start and finish dates yet"
        )
    thin = [t.team for t in teams if not t.enough]
    if thin:
        caveats.append(
            f"fewer than {MIN_CALIBRATION} done initiatives for {', '.join(thin)}: "
            "their factors are shown but too thin to rescale estimates with"
        )
    if rows:
        caveats.append(
            "actual effort assumes the team's whole capacity went to the initiative while it ran; "
            "work in parallel makes it look bigger than it was"
        )
    return EstimateRetro(rows=tuple(rows), teams=teams, caveats=tuple(caveats))
