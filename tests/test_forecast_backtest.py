"""The backtest: cut-offs where the issue says, coverage as defined, real history calibrated."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from conftest import TEST_DATA, read_gzipped_csv
from productpath.errors import InputError
from productpath.planning import backtest as bt
from productpath.planning import throughput as tp
from productpath.planning import throughput_calibration as tc

CELERY = TEST_DATA / "delivery-history" / "celery-mainline-changes.csv.gz"


def test_cutoffs_spread_from_the_end_of_the_first_year_to_the_last_full_horizon() -> None:
    days = bt.cutoff_days(1000, 28, 5)
    assert days[0] == 365 and days[-1] == 1000 - 28 and len(days) == 5


def test_too_short_a_history_is_refused() -> None:
    with pytest.raises(InputError, match="needs more than"):
        bt.cutoff_days(380, 28, 10)


def test_coverage_counts_cutoffs_where_the_real_count_reached_the_bound() -> None:
    result = bt.BacktestResult(
        "plain",
        28,
        100,
        [
            bt.CutoffResult(dt.date(2024, 1, 1), 10, {0.5: 10, 0.85: 8, 0.95: 5}),
            bt.CutoffResult(dt.date(2024, 2, 1), 7, {0.5: 10, 0.85: 8, 0.95: 5}),
        ],
    )
    assert result.coverage == {0.5: 0.5, 0.85: 0.5, 0.95: 1.0}


def test_a_stationary_history_is_covered_near_nominal_by_every_method() -> None:
    history = tp.DailyThroughput(dt.date(2015, 1, 1), np.random.default_rng(2).poisson(2.0, 2000))
    for method in tp.METHODS:
        cover = bt.backtest(history, cutoffs=40, trials=2000, seed=1, method=method).coverage
        assert cover[0.95] >= 0.8 and cover[0.5] <= 0.8


def test_on_celery_calibrated_covers_p85_where_plain_does_not() -> None:
    stamps = [row["closed_at"] for row in read_gzipped_csv(CELERY)]
    dates = [dt.datetime.fromisoformat(s).astimezone(dt.UTC).date() for s in stamps]
    history = tp.daily_throughput(dates, max(dates) + dt.timedelta(days=1))
    plain = bt.backtest(history, cutoffs=100, trials=1000, seed=1, method="plain").coverage
    replay = bt.backtest(history, cutoffs=100, trials=1000, seed=1, method="replay").coverage
    calibrated = bt.backtest(history, cutoffs=100, trials=1000, seed=1).coverage
    assert plain[0.85] < 0.75
    assert replay[0.85] > 0.89  # the replay alone errs on the wide side here
    for level in bt.LEVELS:
        assert abs(calibrated[level] - level) <= 0.04, (level, calibrated)


def drifting(days: int = 1300, seed: int = 3) -> tp.DailyThroughput:
    rng = np.random.default_rng(seed)
    rate = 2.0 * np.exp(np.cumsum(rng.normal(0.0, 0.03, days)))
    return tp.DailyThroughput(dt.date(2015, 1, 1), rng.poisson(rate).astype(np.int64))


def test_data_after_a_cutoff_does_not_change_the_forecast_at_it() -> None:
    history = drifting()
    split = 1000
    changed = history.counts.copy()
    changed[split:] = changed[split:] * 3 + 1  # a very different future
    other = tp.DailyThroughput(history.first, changed)
    runs = [bt.backtest(h, cutoffs=30, trials=500, seed=4) for h in (history, other)]
    before = [
        (a, b) for a, b in zip(*(r.cutoffs for r in runs), strict=True) if a.cutoff
        <= history.first + dt.timedelta(days=split)
    ]  # fmt: skip
    assert any(a.pairs >= tc.MIN_PAIRS for a, _ in before)  # the correction was in play
    for a, b in before:
        assert (a.bounds, a.levels, a.pairs) == (b.bounds, b.levels, b.pairs)
    after = [(a, b) for a, b in zip(*(r.cutoffs for r in runs), strict=True)][len(before) :]
    assert any(a.bounds != b.bounds for a, b in after)


def test_past_scores_use_only_outcomes_known_before_the_day() -> None:
    history = drifting()
    changed = history.counts.copy()
    changed[900:] = 0
    first = tc.how_many_scores(history.counts, 28, seed=5).before(900)
    again = tc.how_many_scores(changed, 28, seed=5).before(900)
    assert first.score.size > tc.MIN_PAIRS and int(first.known.max()) <= 900
    assert np.array_equal(first.score, again.score)
    assert int(first.known.min()) > 900 - tc.RECENT_DAYS


def scores(values: list[float], horizon: int = 7) -> tc.PastScores:
    origin = np.arange(len(values), dtype=np.int64) * horizon
    return tc.PastScores(origin, origin + horizon, np.array(values))


def test_correction_reads_the_level_that_held_that_often_in_the_past() -> None:
    # 99 past forecasts whose scores are 0.00 .. 0.98: each level held as often as it says,
    # so the corrected level is the nominal one (plus half a trial).
    even = tc.correct(scores([i / 100 for i in range(99)]), bt.LEVELS)
    assert even.applied and even.pairs == 99
    assert even.levels == pytest.approx({q: q + 0.5 / tc.TRIALS for q in bt.LEVELS}, abs=0.011)
    # Forecasts that were always too optimistic (reality below 90% of the trials): read lower.
    gloomy = tc.correct(scores([0.9 + i / 1000 for i in range(99)]), bt.LEVELS)
    assert all(level > 0.9 for level in gloomy.levels.values())


def test_too_few_past_forecasts_or_overlapping_outcomes_keep_the_nominal_levels() -> None:
    few = tc.correct(scores([0.5] * (tc.MIN_PAIRS - 1)), bt.LEVELS)
    assert not few.applied and few.levels == {q: q for q in bt.LEVELS}
    # Weekly origins of 100-day forecasts: 60 scores, but only 4 outcome spans apart
    # (origins 0, 105, 210 and 315).
    origin = np.arange(60, dtype=np.int64) * 7
    overlapping = tc.PastScores(origin, origin + 100, np.full(60, 0.9))
    assert overlapping.independent() == 4
    kept = tc.correct(overlapping, bt.LEVELS)
    assert not kept.applied and kept.levels == {q: q for q in bt.LEVELS}
