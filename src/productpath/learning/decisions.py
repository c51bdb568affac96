"""What a decision's KPI says now, against what the decision expected of it.

Method: the **baseline** is the median of the KPI's values in the 28 days up to the decision
date, **now** the median of its values in the latest 28 days after it (four whole weeks, so a
weekly pattern weighs the same in both). Whether it moved is a two-sided Mann-Whitney U test
of the two windows at 5% (at least three values in each); medians and a rank test keep one
outage from deciding the verdict. Verdicts:

* ``met`` - "now" is at or beyond the target in the expected direction;
* ``missed`` - the target date has passed without that;
* ``on_track`` / ``wrong_way`` / ``no_change`` - the windows differ significantly in the
  expected direction, in the other one, or not at all;
* ``not_enough_data`` - no KPI values since the decision, or too few in either window;
* ``no_expectation`` - the decision states no measurable outcome.

A change is not proof the decision caused it: other work and seasons move KPIs too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from productpath.learning.rank_tests import mann_whitney_p

DIRECTIONS = ("increase", "decrease")
WINDOW_DAYS = 28
MIN_WINDOW_POINTS = 3
ALPHA = 0.05
METHOD = (
    f"median of the {WINDOW_DAYS} days up to the decision against the median of the latest "
    f"{WINDOW_DAYS} days; Mann-Whitney U test (two-sided, {ALPHA:.0%})"
)


@dataclass(frozen=True)
class Expectation:
    direction: str  # increase | decrease
    target: float | None = None
    by: dt.date | None = None


@dataclass(frozen=True)
class OutcomeCheck:
    verdict: str
    baseline: float | None
    baseline_day: dt.date | None
    latest: float | None
    latest_day: dt.date | None
    change: float | None
    change_relative: float | None
    trend_since: str | None  # up | down | flat: the windows' difference, if testable
    points_since: int
    summary: str


def is_due(review_on: dt.date | None, status: str, today: dt.date) -> bool:
    """An open decision whose review date has come."""
    return status == "open" and review_on is not None and review_on <= today


def check_outcome(
    expectation: Expectation | None,
    decided_on: dt.date,
    days: Sequence[dt.date],
    values: Sequence[float],
    today: dt.date,
) -> OutcomeCheck:
    """The verdict on ``expectation`` from the KPI series (``days`` increasing)."""
    if expectation is None:
        return _empty("no_expectation", "No measurable outcome was recorded.")
    if expectation.direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
    if not days:
        return _empty("not_enough_data", "The KPI has no values.")
    after = [i for i, d in enumerate(days) if d > decided_on]
    if not after:
        return _empty("not_enough_data", f"No KPI values since {decided_on.isoformat()}.")
    window = dt.timedelta(days=WINDOW_DAYS)
    before = [i for i, d in enumerate(days) if decided_on - window < d <= decided_on]
    recent = [i for i in after if days[i] > days[-1] - window]
    notes = []
    if not before:
        earlier = [i for i, d in enumerate(days) if d <= decided_on]
        before = earlier[-1:] if earlier else after[:1]
        notes.append(f"no values in the {WINDOW_DAYS} days before the decision")
    pre = np.array([values[i] for i in before], dtype=float)
    post = np.array([values[i] for i in recent], dtype=float)
    baseline, latest = float(np.median(pre)), float(np.median(post))
    change = latest - baseline
    relative = change / baseline if baseline != 0 else None
    sign = 1 if expectation.direction == "increase" else -1
    moved: str | None = None
    if len(pre) >= MIN_WINDOW_POINTS and len(post) >= MIN_WINDOW_POINTS:
        p_value = mann_whitney_p(post, pre)
        moved = "flat" if p_value >= ALPHA else ("up" if change > 0 else "down")
    else:
        notes.append(
            f"{len(pre)} values before and {len(post)} after: at least {MIN_WINDOW_POINTS} "
            "each are needed to tell a change from noise"
        )
    verdict = _verdict(expectation, sign, latest, moved, today)
    summary = (
        f"{_VERDICT_TEXT[verdict]}: median {baseline:g} before the decision, {latest:g} in the "
        f"latest {WINDOW_DAYS} days (to {days[-1].isoformat()})"
    )
    if expectation.target is not None:
        summary += f"; target {expectation.target:g}"
        summary += f" by {expectation.by.isoformat()}" if expectation.by else ""
    if notes:
        summary += "; " + "; ".join(notes)
    base_i = before[-1]
    return OutcomeCheck(
        verdict=verdict,
        baseline=baseline,
        baseline_day=days[base_i],
        latest=latest,
        latest_day=days[-1],
        change=change,
        change_relative=relative,
        trend_since=moved,
        points_since=len(after),
        summary=summary + ".",
    )


_VERDICT_TEXT = {
    "met": "Target met",
    "missed": "Target missed",
    "on_track": "Moving as expected",
    "wrong_way": "Moving the wrong way",
    "no_change": "No clear change",
    "not_enough_data": "Not enough data yet",
}


def _verdict(
    expectation: Expectation, sign: int, latest: float, trend: str | None, today: dt.date
) -> str:
    if expectation.target is not None:
        if sign * (latest - expectation.target) >= 0:
            return "met"
        if expectation.by is not None and today > expectation.by:
            return "missed"
    if trend is None:
        return "not_enough_data"
    if trend == "flat":
        return "no_change"
    return "on_track" if (trend == "up") == (sign > 0) else "wrong_way"


def _empty(verdict: str, summary: str) -> OutcomeCheck:
    return OutcomeCheck(verdict, None, None, None, None, None, None, None, 0, summary)
