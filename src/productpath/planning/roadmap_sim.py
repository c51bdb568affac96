"""Roadmap-wide Monte Carlo: every initiative's finish date and each milestone's chance.

The model (docs/forecast.md states it for users):

- Each trial draws every initiative's effort from the PERT-beta distribution of its three-point
  estimate: ``low + (high - low) x Beta(a, b)`` with ``a = 1 + 4 (likely - low) / (high - low)``
  and ``b = 1 + 4 (high - likely) / (high - low)``. It peaks at the likely value and has the
  long right tail real work has; its mean is the PERT mean the schedule uses. An estimate with
  low == high is taken as exact.
- The effort is multiplied by the share still to do, and divided by the team's capacity (ideal
  weeks per calendar week) to give calendar weeks, exactly as in :mod:`.schedule`.
- Each team keeps the order of work of the schedule (the plan); in a trial an initiative starts
  when its team has finished the one before it and all its dependencies have finished. A team
  does not reshuffle its plan within a trial, so a late dependency makes it wait.
- Work in progress with a pace never finishes before its open linked items run out at that
  pace, whatever its estimate says. The pace is uncertain: each trial draws the work's weeks,
  one by one, from its own weekly history pooled with its team's (``pace_weeks``; see
  ``services.forecasting.planning``), so the day differs between trials; without such a history
  the fixed ``pace_finish`` (the delivery projection) is the floor; what depends on it waits
  until then. Its team moves on when the estimated effort is spent: slow work in progress
  mostly runs beside other work, so it holds up its dependants, not its whole team.

Vectorised over trials: one pass over the initiatives in plan order, each step an operation on
arrays of ``trials`` numbers.
"""

from __future__ import annotations

import datetime as dt
import secrets
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ConfigDict

from productpath.domain.plan_inputs import DROPPED, PlanInputs, ThreePoint
from productpath.errors import InputError
from productpath.planning.schedule import Job, Schedule, build_schedule, prepare

PERCENTILES = (50, 85, 95)
# Points of each milestone's finish-date distribution drawn as its fan.
FAN_LEVELS = (5, 10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 99)
DISTRIBUTION = (
    "PERT-beta (lambda 4) on each three-point estimate: low + (high - low) x Beta(a, b), "
    "a = 1 + 4(likely - low)/(high - low), b = 1 + 4(high - likely)/(high - low)"
)
CAPACITY_MODEL = (
    "effort x share left / team capacity per week = calendar weeks; each team works its "
    "initiatives one at a time in the schedule's order, and an initiative starts when its team "
    "is free and its dependencies are finished; work in progress finishes no sooner than its "
    "linked items run out at their own pace"
)
MAX_TRIALS = 1_000_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Percentiles(_Frozen):
    p50: dt.date
    p85: dt.date
    p95: dt.date


class InitiativeForecast(_Frozen):
    key: str
    title: str
    team: str
    milestone: str | None
    planned_finish: dt.date  # the schedule's date, with the PERT-mean effort
    finish: Percentiles


class FanPoint(_Frozen):
    level: int  # percent of trials done on or before ``date``
    date: dt.date


class MilestoneForecast(_Frozen):
    key: str
    name: str
    target_date: dt.date
    probability: float | None  # of every initiative of it being done by the target
    finish: Percentiles | None
    fan: tuple[FanPoint, ...]
    explanation: str


class TeamCalibration(_Frozen):
    """One team's estimate calibration as a forecast used it."""

    team: str
    factor: float  # what its estimates were multiplied by (1.0 when not calibrated)
    measured: float | None  # the retrospective's factor, even when too thin to apply
    shipped: int  # done initiatives the factor rests on
    applied: bool
    note: str  # "calibrated: x1.4 from 5 shipped" or "not calibrated: only 2 shipped"


class Calibration(_Frozen):
    """Whether estimates were rescaled by each team's track record, and how."""

    applied: bool  # for at least one team
    method: str
    teams: tuple[TeamCalibration, ...]


class RoadmapForecast(_Frozen):
    start: dt.date
    trials: int
    seed: int | None
    distribution: str
    capacity_model: str
    priority_source: str
    initiatives: tuple[InitiativeForecast, ...]
    milestones: tuple[MilestoneForecast, ...]
    done: tuple[str, ...]
    skipped: tuple[str, ...]
    warnings: tuple[str, ...]
    # None: the estimates were used as written (no calibration was asked for).
    calibration: Calibration | None = None

    def milestone(self, key: str) -> MilestoneForecast | None:
        return next((m for m in self.milestones if m.key == key), None)


def calibrate(inputs: PlanInputs, factors: Mapping[str, float]) -> PlanInputs:
    """``inputs`` with each initiative's three-point estimate multiplied by its team's factor.

    All three points scale together, so the shape of the estimate (and the PERT-beta drawn
    from it) is kept and its mean moves by the factor. Teams not in ``factors`` keep theirs.
    """
    initiatives = []
    for item in inputs.initiatives:
        factor = factors.get(item.team or "")
        if factor is None or item.estimate is None or factor == 1.0:
            initiatives.append(item)
            continue
        e = item.estimate
        scaled = ThreePoint(e.low * factor, e.likely * factor, e.high * factor)
        initiatives.append(replace(item, estimate=scaled))
    return replace(inputs, initiatives=tuple(initiatives))


def sample_pert(rng: Any, low: Any, likely: Any, high: Any, trials: int) -> Any:
    """Effort draws of shape (len(low), trials) from each row's PERT-beta distribution.

    ``rng`` is one NumPy Generator for every row, or a sequence of them, one per row.
    """
    import numpy as np

    low, likely, high = (np.asarray(v, dtype=float) for v in (low, likely, high))
    streams = rng if isinstance(rng, list | tuple) else [rng] * len(low)
    out = np.empty((len(low), trials))
    # Row by row with scalar shapes: NumPy draws a whole row of one Beta(a, b) faster than
    # one array call with a different shape per element.
    for row, (lo, mode, hi) in enumerate(zip(low, likely, high, strict=True)):
        span = hi - lo
        if span <= 0:
            out[row] = lo
            continue
        a = 1 + 4 * (mode - lo) / span
        b = 1 + 4 * (hi - mode) / span
        draws = streams[row].beta(a, b, size=trials)
        np.multiply(draws, span, out=out[row])
        out[row] += lo
    return out


def simulate_weeks(
    jobs: Sequence[Job],
    plan_order: Sequence[int],
    trials: int,
    seed: int | None,
    start: dt.date | None = None,
) -> Any:
    """Finish week of each job (rows in ``jobs`` order) in each trial: shape (jobs, trials).

    A job's pace floor holds back its finish, not its team: drawn per trial from its weekly
    history when it has one and ``start`` is given, else the fixed ``Job.floor``.
    """
    import numpy as np

    count = len(jobs)
    finish = np.zeros((count, trials))
    if count == 0:
        return finish
    estimates = [job.item.estimate for job in jobs]
    low = [e.low if e else 0.0 for e in estimates]
    likely = [e.likely if e else 0.0 for e in estimates]
    high = [e.high if e else 0.0 for e in estimates]
    scale = np.array([job.item.remaining / job.capacity for job in jobs])
    # Each initiative draws from its own stream, keyed by the seed and its id, so a scenario
    # that drops or adds other work leaves its draws unchanged (common random numbers).
    root = seed if seed is not None else secrets.randbits(63)
    streams = [np.random.default_rng([root, zlib.crc32(job.item.key.encode())]) for job in jobs]
    weeks = sample_pert(streams, low, likely, high, trials) * scale[:, None]
    position = {job.item.key: n for n, job in enumerate(jobs)}
    free: dict[str, Any] = {}
    for n in plan_order:
        job = jobs[n]
        ready = free.get(job.team)
        ready = np.zeros(trials) if ready is None else ready
        for dep in job.deps:
            ready = np.maximum(ready, finish[position[dep]])
        busy_until = ready + weeks[n]
        free[job.team] = busy_until
        floor = _pace_floor(job, start, trials, root) if start is not None else None
        if floor is None:
            floor = job.floor
        finish[n] = busy_until if floor is None else np.maximum(busy_until, floor)
    return finish


# Longest a sampled pace may take, in weeks: beyond it the work counts as never finishing by
# its pace (the trial keeps this bound rather than running forever).
PACE_HORIZON_WEEKS = 520


def _pace_floor(job: Job, start: dt.date, trials: int, root: int) -> Any:
    """Week (from ``start``) each trial lets the work's open items run out at its own pace, the
    pace drawn week by week from its weekly history (``pace_weeks``); None without a pace.

    A bootstrap of whole weeks, as the throughput forecast replays real stretches: quiet weeks
    and busy weeks both come back, so P50 < P85 < P95 wherever items remain."""
    import numpy as np

    item = job.item
    pool = np.asarray(item.pace_weeks, dtype=float)
    if item.pace_left <= 0 or item.pace_from is None or pool.size == 0 or pool.sum() <= 0:
        return None
    rng = np.random.default_rng([root, zlib.crc32(f"pace:{item.key}".encode())])
    mean = pool.mean()
    horizon = int(min(PACE_HORIZON_WEEKS, np.ceil(4 * item.pace_left / mean) + 8))
    weekly = pool[rng.integers(0, pool.size, size=(trials, horizon))]
    done = np.cumsum(weekly, axis=1)
    reached = done >= item.pace_left
    hit = reached.any(axis=1)
    week = np.where(hit, reached.argmax(axis=1), horizon - 1)
    rows = np.arange(trials)
    # Within the last week, the share of it the remaining items took (work ends mid-week).
    before = np.where(week > 0, done[rows, np.maximum(week - 1, 0)], 0.0)
    that_week = np.maximum(weekly[rows, week], 1e-9)
    share = np.clip((item.pace_left - before) / that_week, 0, 1)
    weeks = np.where(hit, week + share, PACE_HORIZON_WEEKS)
    return (item.pace_from - start).days / 7 + weeks


def forecast_roadmap(
    inputs: PlanInputs,
    *,
    trials: int = 10_000,
    seed: int | None = None,
    today: dt.date | None = None,
    schedule: Schedule | None = None,
) -> RoadmapForecast:
    """P50/P85/P95 finish of every initiative and P(met) of every milestone."""
    import numpy as np

    if not 1 <= trials <= MAX_TRIALS:
        raise InputError(f"must be between 1 and {MAX_TRIALS:,}, got {trials}", field="trials")
    prepared = prepare(inputs)
    plan = schedule or build_schedule(inputs, today=today)
    index = {job.item.key: n for n, job in enumerate(prepared.jobs)}
    plan_order = [index[slot.key] for slot in plan.slots]
    finish = simulate_weeks(prepared.jobs, plan_order, trials, seed, inputs.start)
    days = np.ceil(finish * 7 - 1e-9)
    planned = {slot.key: slot.finish for slot in plan.slots}
    # One call for every row: (3, jobs) whole days after the start.
    table = np.percentile(days, PERCENTILES, axis=1, method="higher") if len(days) else days
    initiatives = tuple(
        InitiativeForecast(
            key=job.item.key,
            title=job.item.title,
            team=job.team,
            milestone=job.item.milestone,
            planned_finish=planned[job.item.key],
            finish=_dates(inputs.start, table[:, n]),
        )
        for n in plan_order
        for job in (prepared.jobs[n],)
    )
    skipped = {s.key for s in prepared.skipped}
    milestones = []
    for milestone in inputs.milestones:
        members = [
            i.key
            for i in inputs.initiatives
            if i.milestone == milestone.key and i.status != DROPPED
        ]
        milestones.append(
            _milestone(inputs.start, milestone, members, skipped, index, days, trials)
        )
    warnings = list(plan.warnings)
    return RoadmapForecast(
        start=inputs.start,
        trials=trials,
        seed=seed,
        distribution=DISTRIBUTION,
        capacity_model=CAPACITY_MODEL,
        priority_source=inputs.priority_source,
        initiatives=initiatives,
        milestones=tuple(milestones),
        done=prepared.done,
        skipped=tuple(s.key for s in prepared.skipped),
        warnings=tuple(warnings),
    )


def _milestone(
    start: dt.date,
    milestone: Any,
    members: list[str],
    skipped: set[str],
    index: dict[str, int],
    days: Any,
    trials: int,
) -> MilestoneForecast:
    import numpy as np

    target_days = (milestone.target_date - start).days
    missing = [k for k in members if k in skipped]
    rows = [index[k] for k in members if k in index]
    if missing:
        return MilestoneForecast(
            key=milestone.key,
            name=milestone.name,
            target_date=milestone.target_date,
            probability=None,
            finish=None,
            fan=(),
            explanation=f"cannot be forecast: {', '.join(missing)} could not be scheduled",
        )
    if not rows:
        done = bool(members)
        return MilestoneForecast(
            key=milestone.key,
            name=milestone.name,
            target_date=milestone.target_date,
            probability=1.0 if done else None,
            finish=None,
            fan=(),
            explanation="all its initiatives are done" if done else "no initiatives target it",
        )
    last = days[rows].max(axis=0)
    probability = float(np.count_nonzero(last <= target_days)) / trials
    levels = np.percentile(last, FAN_LEVELS, method="higher")
    fan = tuple(
        FanPoint(level=level, date=start + dt.timedelta(days=int(value)))
        for level, value in zip(FAN_LEVELS, levels, strict=True)
    )
    count = len(members)
    which = "its one initiative" if count == 1 else f"all {count} of its initiatives"
    explanation = f"{probability:.0%} of {trials:,} trials finish {which} by the target"
    if target_days < 0:
        explanation += " (the target date is before the start date)"
    return MilestoneForecast(
        key=milestone.key,
        name=milestone.name,
        target_date=milestone.target_date,
        probability=probability,
        finish=_percentiles(start, last),
        fan=fan,
        explanation=explanation,
    )


def _percentiles(start: dt.date, days: Any) -> Percentiles:
    import numpy as np

    # "higher": the date is one some trial actually reached, so "85% done on or before" holds.
    return _dates(start, np.percentile(days, PERCENTILES, method="higher"))


def _dates(start: dt.date, days: Any) -> Percentiles:
    p50, p85, p95 = (start + dt.timedelta(days=int(d)) for d in days)
    return Percentiles(p50=p50, p85=p85, p95=p95)


def pure_python_weeks(
    jobs: Sequence[Job], plan_order: Sequence[int], trials: int, seed: int | None
) -> list[list[float]]:
    """The same model as :func:`simulate_weeks`, one trial and one initiative at a time.

    The straightforward loop the benchmark compares against; also a cross-check in tests.
    """
    import random

    rng = random.Random(seed)
    position = {job.item.key: n for n, job in enumerate(jobs)}
    out = [[0.0] * trials for _ in jobs]
    for trial in range(trials):
        free: dict[str, float] = {}
        for n in plan_order:
            job = jobs[n]
            estimate = job.item.estimate
            assert estimate is not None
            span = estimate.high - estimate.low
            if span > 0:
                a = 1 + 4 * (estimate.likely - estimate.low) / span
                b = 1 + 4 * (estimate.high - estimate.likely) / span
                effort = estimate.low + span * rng.betavariate(a, b)
            else:
                effort = estimate.low
            ready = free.get(job.team, 0.0)
            for dep in job.deps:
                ready = max(ready, out[position[dep]][trial])
            busy_until = ready + effort * job.item.remaining / job.capacity
            free[job.team] = busy_until
            floor = job.floor
            out[n][trial] = busy_until if floor is None else max(busy_until, floor)
    return out
