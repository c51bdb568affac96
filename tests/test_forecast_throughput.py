"""The throughput Monte Carlo: seeded, right on histories whose answer is known, refuses garbage."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from productpath.errors import InputError
from productpath.planning import throughput as tp

START = dt.date(2024, 1, 1)


def steady(per_day: int, days: int = 400) -> tp.DailyThroughput:
    return tp.DailyThroughput(START, np.full(days, per_day, dtype=np.int64))


def test_daily_throughput_counts_per_day_and_leaves_out_later_dates() -> None:
    dates = [dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 3), dt.date(2024, 1, 9)]
    series = tp.daily_throughput(dates, dt.date(2024, 1, 5))
    assert series.first == dt.date(2024, 1, 1)
    assert series.counts.tolist() == [2, 0, 1, 0]
    assert series.end == dt.date(2024, 1, 5)


@pytest.mark.parametrize("method", tp.METHODS)
def test_a_constant_pace_gives_the_exact_answer(method: tp.Method) -> None:
    rng = np.random.default_rng(0)
    days = tp.when(steady(2), 30, trials=500, rng=rng, method=method)
    assert set(days.tolist()) == {15.0}
    counts = tp.how_many(steady(2), 10, trials=500, rng=rng, method=method)
    assert set(counts.tolist()) == {20}


@pytest.mark.parametrize("method", tp.METHODS)
def test_same_seed_same_trials(method: tp.Method) -> None:
    history = tp.DailyThroughput(START, np.random.default_rng(3).poisson(1.5, 500))
    first = tp.when(history, 50, trials=300, rng=np.random.default_rng(9), method=method)
    again = tp.when(history, 50, trials=300, rng=np.random.default_rng(9), method=method)
    other = tp.when(history, 50, trials=300, rng=np.random.default_rng(10), method=method)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)


@pytest.mark.parametrize("method", tp.METHODS)
def test_poisson_history_centres_on_its_rate(method: tp.Method) -> None:
    history = tp.DailyThroughput(START, np.random.default_rng(4).poisson(2.0, 1500))
    days = tp.when(history, 200, trials=4000, rng=np.random.default_rng(1), method=method)
    assert 85 <= tp.done_within(days, 0.5) <= 115
    assert tp.done_within(days, 0.5) <= tp.done_within(days, 0.85) <= tp.done_within(days, 0.95)
    counts = tp.how_many(history, 50, trials=4000, rng=np.random.default_rng(1), method=method)
    assert 85 <= tp.at_least(counts, 0.5) <= 115
    assert tp.at_least(counts, 0.95) <= tp.at_least(counts, 0.85) <= tp.at_least(counts, 0.5)


def test_calibrated_is_wider_than_plain_when_the_pace_drifts() -> None:
    rng = np.random.default_rng(5)
    rate = 2.0 * np.exp(np.cumsum(rng.normal(0.0, 0.04, 1500)))
    history = tp.DailyThroughput(START, rng.poisson(rate))
    spread = {}
    for method in tp.METHODS:
        c = tp.how_many(history, 28, trials=4000, rng=np.random.default_rng(1), method=method)
        spread[method] = tp.at_least(c, 0.05) - tp.at_least(c, 0.95)
    assert spread["calibrated"] > 1.5 * spread["plain"]


def test_a_long_forecast_chains_stretches() -> None:
    # 200 days of history at 1 a day cannot hold 1,000 items in one stretch.
    days = tp.when(steady(1, 200), 1000, trials=200, rng=np.random.default_rng(0))
    assert set(days.tolist()) == {1000.0}


def test_at_least_and_done_within_follow_their_definitions() -> None:
    counts = np.arange(1, 101, dtype=np.int64)  # 1..100
    assert tp.at_least(counts, 0.85) == 16  # 85 of 100 trials reach 16 or more
    assert tp.done_within(counts.astype(np.float64), 0.85) == 85.0


def test_zero_recent_throughput_is_refused() -> None:
    counts = np.concatenate([np.ones(300, dtype=np.int64), np.zeros(100, dtype=np.int64)])
    with pytest.raises(InputError, match="throughput is zero"):
        tp.when(tp.DailyThroughput(START, counts), 5, trials=100, rng=np.random.default_rng(0))


def test_too_short_a_history_for_the_calibrated_method_says_use_plain() -> None:
    with pytest.raises(InputError, match="--method plain"):
        tp.when(steady(1, 60), 5, trials=100, rng=np.random.default_rng(0))
    days = tp.when(steady(1, 60), 5, trials=100, rng=np.random.default_rng(0), method="plain")
    assert set(days.tolist()) == {5.0}


def test_no_dates_before_the_start_and_zero_items_are_refused() -> None:
    with pytest.raises(InputError, match="no completed items"):
        tp.daily_throughput([dt.date(2025, 1, 1)], dt.date(2024, 1, 1))
    with pytest.raises(InputError, match="at least 1"):
        tp.when(steady(1), 0, trials=100, rng=np.random.default_rng(0))
