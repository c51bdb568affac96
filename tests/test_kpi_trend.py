"""KPI trend, weekly seasonality and anomalies (pure), cross-checked against brute force and
statsmodels' STL on known series."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from productpath.learning import kpi_trend as K

START = dt.date(2026, 1, 5)  # a Monday


def _days(n: int, step: int = 1) -> list[dt.date]:
    return [START + dt.timedelta(days=i * step) for i in range(n)]


def test_theil_sen_matches_the_median_of_pairwise_slopes() -> None:
    rng = np.random.default_rng(3)
    x = np.arange(40, dtype=float)
    y = 2.0 * x + rng.normal(0, 3, 40)
    y[[5, 17]] += 200  # outliers a least-squares line would follow
    trend = K.theil_sen(x, y, 1)
    pairs = [(y[j] - y[i]) / (x[j] - x[i]) for i, j in itertools.combinations(range(40), 2)]
    assert trend.slope_per_day == pytest.approx(float(np.median(pairs)))
    assert trend.slope_low < 2.0 < trend.slope_high
    assert trend.direction == "up"


def test_weekly_seasonality_is_found_and_matches_stl() -> None:
    from statsmodels.tsa.seasonal import STL

    rng = np.random.default_rng(5)
    days = _days(112)
    weekly = np.array([0.4, 0.5, 0.4, 0.5, 0.3, -1.0, -1.1])
    y = 97 + 0.002 * np.arange(112) + weekly[[d.weekday() for d in days]] + rng.normal(0, 0.1, 112)
    reading = K.read_series(days, list(y))
    assert reading.seasonal and reading.cadence == "daily"
    assert reading.weekday_profile is not None
    stl = STL(y, period=7, robust=True).fit()
    stl_profile = [float(np.mean(stl.seasonal[i::7])) for i in range(7)]  # day 0 is a Monday
    assert np.corrcoef(reading.weekday_profile, stl_profile)[0, 1] > 0.95
    assert reading.weekday_profile[5] < -0.8  # Saturday
    assert reading.anomalies == ()


def test_noise_has_no_weekly_pattern_and_a_flat_trend() -> None:
    rng = np.random.default_rng(11)
    reading = K.read_series(_days(90), list(50 + rng.normal(0, 1, 90)))
    assert not reading.seasonal
    assert reading.trend is not None and reading.trend.direction == "flat"


def test_an_outage_is_an_anomaly_with_its_size_and_the_pattern_survives_it() -> None:
    rng = np.random.default_rng(8)
    days = _days(84)
    y = 96.6 + np.where([d.weekday() >= 5 for d in days], -0.7, 0.0) + rng.normal(0, 0.1, 84)
    y[50] = 91.8
    reading = K.read_series(days, list(y))
    assert reading.seasonal
    assert [a.day for a in reading.anomalies] == [days[50]]
    outage = reading.anomalies[0]
    assert outage.size == pytest.approx(91.8 - outage.expected)
    assert outage.size < -4 and outage.z < -K.ANOMALY_Z


def test_weekly_cadence_and_gaps_are_reported() -> None:
    days = [d for i, d in enumerate(_days(20, step=7)) if i not in (6, 7)]
    reading = K.read_series(days, [100.0 + i for i in range(len(days))])
    assert reading.cadence == "weekly"
    assert reading.gaps == 2
    assert any("2 weekly values missing" in c for c in reading.caveats)
    assert reading.trend is not None and reading.trend.period_days == 7


def test_too_few_values_give_a_caveat_not_a_trend() -> None:
    reading = K.read_series(_days(3), [1.0, 2.0, 3.0])
    assert reading.trend is None
    assert any("at least 4" in c for c in reading.caveats)


def test_dates_must_increase() -> None:
    with pytest.raises(ValueError, match="strictly increasing"):
        K.read_series([START, START], [1.0, 2.0])
