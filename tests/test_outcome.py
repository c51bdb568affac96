"""The outcome review: a before/after read of a KPI with the pre-period trend taken out."""

from __future__ import annotations

import datetime as dt

import numpy as np

from productpath.learning.outcome import MIN_PRE, review

SHIP = dt.date(2026, 3, 1)


def _series(
    step: float, slope: float = 0.1, noise: float = 1.0, seed: int = 1
) -> tuple[list[dt.date], list[float]]:
    rng = np.random.default_rng(seed)
    days = [SHIP + dt.timedelta(days=d) for d in range(-56, 57)]
    values = [
        100 + slope * d + rng.normal(0, noise) + (step if d > 0 else 0) for d in range(-56, 57)
    ]
    return days, values


def test_a_step_after_shipping_is_a_move_of_about_its_size() -> None:
    days, values = _series(step=5)
    outcome = review(days, values, SHIP)
    assert outcome.verdict == "moved"
    assert outcome.direction == "up" and outcome.good is True
    assert outcome.low is not None and outcome.high is not None
    assert outcome.low < 5 < outcome.high
    assert outcome.effect is not None and abs(outcome.effect - 5) < 1


def test_a_trend_that_just_continues_is_not_a_move() -> None:
    # The raw post mean is far above the pre mean; only the trend explains it.
    days, values = _series(step=0, slope=0.5)
    outcome = review(days, values, SHIP)
    assert outcome.verdict == "did not move"
    assert outcome.direction is None
    assert outcome.low is not None and outcome.high is not None
    assert outcome.low < 0 < outcome.high


def test_a_drop_in_a_lower_is_better_kpi_is_good() -> None:
    days, values = _series(step=-4)
    outcome = review(days, values, SHIP, higher_is_better=False)
    assert (outcome.verdict, outcome.direction, outcome.good) == ("moved", "down", True)


def test_one_outlier_before_shipping_does_not_bend_the_line() -> None:
    days, values = _series(step=0, noise=0.2)
    values[10] = 10_000.0
    outcome = review(days, values, SHIP)
    assert outcome.pre_slope_per_day is not None
    assert abs(outcome.pre_slope_per_day - 0.1) < 0.02


def test_too_few_points_is_not_enough_data() -> None:
    days, values = _series(step=5)
    near = [(d, v) for d, v in zip(days, values, strict=True) if (SHIP - d).days < MIN_PRE]
    outcome = review([d for d, _ in near], [v for _, v in near], SHIP)
    assert outcome.verdict == "not enough data"
    assert outcome.effect is None
    assert "needs" in outcome.note


def test_the_same_seed_gives_the_same_interval() -> None:
    days, values = _series(step=1)
    assert review(days, values, SHIP) == review(days, values, SHIP)
