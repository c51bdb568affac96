"""A KPI series read robustly: its cadence and gaps, a trend, weekly seasonality, anomalies.

Methods (stated in every result, so pages and JSON can quote them):

* **Cadence**: the median gap between consecutive dates: daily (1 day), weekly (7) or monthly
  (28-31); anything else is "irregular". Missing periods are counted as gaps.
* **Weekly seasonality** (daily series of 3 weeks or more): the local level is a centred
  7-day rolling median of each day's neighbours; the seasonal profile is the median of
  (value - level) per weekday, centred to sum to zero. It is kept when a Kruskal-Wallis test
  of the deviations grouped by weekday finds the weekdays differ (p < 0.001). Its strength,
  1 - Var(remainder) / Var(seasonal + remainder) (Wang, Smith & Hyndman, 2006) over the
  non-anomalous points, is reported to say how much of the variation the pattern explains.
* **Trend**: the Theil-Sen slope (median of pairwise slopes, robust to up to ~29% outliers) of
  the seasonally adjusted values against time, with its 95% confidence interval; "flat" when
  the interval contains zero.
* **Anomalies**: remainder = value - level - seasonal; robust z = 0.6745 (r - median r) / MAD;
  |z| > 3.5 is an anomaly (Iglewicz & Hoaglin, 1993). Its size is value - expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from productpath.learning import rank_tests

WEEKDAY_P = 0.001
ANOMALY_Z = 3.5
MIN_TREND_POINTS = 4
# Rolling-median window in points per cadence: a week of days, five weeks, three months.
_WINDOWS = {"daily": 7, "weekly": 5, "monthly": 3, "irregular": 5}

TREND_METHOD = "Theil-Sen slope with 95% CI on seasonally adjusted values"
SEASONAL_METHOD = (
    "weekday medians of the deviation from a centred 7-day rolling median; kept when a "
    f"Kruskal-Wallis test across weekdays gives p < {WEEKDAY_P}"
)
ANOMALY_METHOD = (
    f"robust z-score (0.6745 x deviation / MAD) of the remainder after level and weekly "
    f"pattern; |z| > {ANOMALY_Z}"
)


@dataclass(frozen=True)
class Anomaly:
    day: dt.date
    value: float
    expected: float
    size: float  # value - expected, in the KPI's unit
    relative: float | None  # size / expected, None when expected is 0
    z: float


@dataclass(frozen=True)
class Trend:
    direction: str  # up | down | flat
    slope_per_day: float
    slope_low: float
    slope_high: float
    slope_per_period: float  # per cadence step (day, week, month)
    period_days: int
    start_value: float  # the fitted line at the first and the last date
    end_value: float


@dataclass(frozen=True)
class KpiReading:
    cadence: str  # daily | weekly | monthly | irregular
    points: int
    first: dt.date | None
    last: dt.date | None
    gaps: int  # periods missing between first and last
    seasonal: bool
    seasonal_strength: float | None
    weekday_profile: tuple[float, ...] | None  # Monday first, when seasonal
    trend: Trend | None
    anomalies: tuple[Anomaly, ...]
    expected: tuple[float, ...]  # level + seasonal per point, for charts
    caveats: tuple[str, ...]
    methods: dict[str, str]


def cadence_of(days: Sequence[dt.date]) -> tuple[str, int]:
    """(name, period in days) from the median gap between consecutive dates."""
    if len(days) < 2:
        return "irregular", 1
    gaps = np.diff(np.array([d.toordinal() for d in days]))
    median = float(np.median(gaps))
    if median == 1:
        return "daily", 1
    if median == 7:
        return "weekly", 7
    if 28 <= median <= 31:
        return "monthly", 30
    return "irregular", max(round(median), 1)


def missing_periods(days: Sequence[dt.date], cadence: str, period: int) -> int:
    """How many expected dates are missing between the first and the last one."""
    if len(days) < 2 or cadence == "irregular":
        return 0
    if cadence == "monthly":
        months = (days[-1].year - days[0].year) * 12 + days[-1].month - days[0].month
        return max(months + 1 - len({(d.year, d.month) for d in days}), 0)
    expected = (days[-1] - days[0]).days // period + 1
    return max(expected - len(days), 0)


def read_series(days: Sequence[dt.date], values: Sequence[float]) -> KpiReading:
    """Trend, weekly pattern and anomalies of a series; ``days`` strictly increasing."""
    if len(days) != len(values):
        raise ValueError("days and values differ in length")
    if any(b <= a for a, b in pairwise(days)):
        raise ValueError("days must be strictly increasing (no repeats, in order)")
    methods = {"trend": TREND_METHOD, "seasonality": SEASONAL_METHOD, "anomalies": ANOMALY_METHOD}
    cadence, period = cadence_of(days)
    gaps = missing_periods(days, cadence, period)
    caveats: list[str] = []
    if gaps:
        caveats.append(
            f"{gaps} {cadence} value{'s' if gaps != 1 else ''} missing between "
            f"{days[0].isoformat()} and {days[-1].isoformat()}; gaps are left out, not filled"
        )
    y = np.asarray(values, dtype=float)
    x = np.array([d.toordinal() for d in days], dtype=float)
    if len(y) < MIN_TREND_POINTS:
        caveats.append(f"only {len(y)} values: at least {MIN_TREND_POINTS} are needed for a trend")
        return KpiReading(
            cadence=cadence,
            points=len(y),
            first=days[0] if days else None,
            last=days[-1] if days else None,
            gaps=gaps,
            seasonal=False,
            seasonal_strength=None,
            weekday_profile=None,
            trend=None,
            anomalies=(),
            expected=tuple(float(v) for v in y),
            caveats=tuple(caveats),
            methods=methods,
        )
    level = rolling_median(y, _WINDOWS[cadence])
    seasonal = np.zeros_like(y)
    strength: float | None = None
    profile: tuple[float, ...] | None = None
    if cadence == "daily":
        if (days[-1] - days[0]).days >= 20:
            candidate, weekday_profile = weekday_pattern(days, y - level)
            strength = seasonal_strength(candidate, y - level - candidate)
            if weekday_test(days, y - level) < WEEKDAY_P:
                seasonal, profile = candidate, weekday_profile
                # A second pass, as STL iterates: the level of the adjusted values no longer
                # leans towards the weekdays that outnumber the others in each window.
                level = rolling_median(y - seasonal, _WINDOWS[cadence])
                seasonal, profile = weekday_pattern(days, y - level)
        else:
            caveats.append("under 3 weeks of daily values: weekly seasonality not checked")
    trend = theil_sen(x, y - seasonal, period)
    remainder = y - level - seasonal
    expected = level + seasonal
    anomalies = tuple(_anomalies(days, y, expected, remainder))
    return KpiReading(
        cadence=cadence,
        points=len(y),
        first=days[0],
        last=days[-1],
        gaps=gaps,
        seasonal=profile is not None,
        seasonal_strength=strength,
        weekday_profile=profile,
        trend=trend,
        anomalies=anomalies,
        expected=tuple(float(v) for v in expected),
        caveats=tuple(caveats),
        methods=methods,
    )


def rolling_median(y: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    """Centred rolling median of each point's neighbours, the point itself left out (so a
    value is never compared with a level it helped set); the window shrinks at the ends."""
    half = window // 2
    n = len(y)
    level = np.empty(n)
    for i in range(n):
        neighbours = np.concatenate((y[max(i - half, 0) : i], y[i + 1 : min(i + half + 1, n)]))
        level[i] = np.median(neighbours) if len(neighbours) else y[i]
    return level


def weekday_pattern(
    days: Sequence[dt.date], detrended: NDArray[np.float64]
) -> tuple[NDArray[np.float64], tuple[float, ...]]:
    """(seasonal component per point, profile Monday..Sunday) from per-weekday medians."""
    weekdays = np.array([d.weekday() for d in days])
    profile = np.zeros(7)
    for day in range(7):
        chosen = detrended[weekdays == day]
        if len(chosen):
            profile[day] = float(np.median(chosen))
    present = np.unique(weekdays)
    profile[present] -= profile[present].mean()
    return profile[weekdays], tuple(float(v) for v in profile)


def weekday_test(days: Sequence[dt.date], detrended: NDArray[np.float64]) -> float:
    """Kruskal-Wallis p-value of the detrended values grouped by weekday: do weekdays differ?"""
    weekdays = np.array([d.weekday() for d in days])
    groups = [detrended[weekdays == day] for day in range(7) if np.any(weekdays == day)]
    if len(groups) < 2 or np.ptp(detrended) == 0:
        return 1.0
    return rank_tests.kruskal_p(*groups)


def seasonal_strength(seasonal: NDArray[np.float64], remainder: NDArray[np.float64]) -> float:
    """1 - Var(R) / Var(S + R), floored at 0, over the points that are not anomalies (so one
    outage does not hide a pattern): near 1 for a strong pattern, 0 for none. Descriptive."""
    keep = np.abs(robust_z(remainder)) <= ANOMALY_Z
    total = float(np.var((seasonal + remainder)[keep]))
    if total == 0:
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder[keep])) / total)


def _mad(values: NDArray[np.float64]) -> float:
    return float(np.median(np.abs(values - np.median(values))))


def theil_sen(x: NDArray[np.float64], y: NDArray[np.float64], period: int) -> Trend:
    """Theil-Sen line through (x, y) with Sen's 95% interval on the slope (scipy's numbers,
    without importing scipy.stats: see learning/rank_tests.py)."""
    slope, intercept, low, high = rank_tests.theil_sen(y, x, confidence=0.95)
    if low > 0:
        direction = "up"
    elif high < 0:
        direction = "down"
    else:
        direction = "flat"
    return Trend(
        direction=direction,
        slope_per_day=float(slope),
        slope_low=float(low),
        slope_high=float(high),
        slope_per_period=float(slope) * period,
        period_days=period,
        start_value=float(intercept + slope * x[0]),
        end_value=float(intercept + slope * x[-1]),
    )


def robust_z(remainder: NDArray[np.float64]) -> NDArray[np.float64]:
    """0.6745 (r - median) / MAD; zeros when the MAD is 0 (more than half the values equal)."""
    centre = np.median(remainder)
    mad = _mad(remainder)
    if mad == 0:
        return np.zeros_like(remainder)
    return np.asarray(0.6745 * (remainder - centre) / mad, dtype=float)


def _anomalies(
    days: Sequence[dt.date],
    y: NDArray[np.float64],
    expected: NDArray[np.float64],
    remainder: NDArray[np.float64],
) -> list[Anomaly]:
    z = robust_z(remainder)
    found = []
    for i in (int(k) for k in np.flatnonzero(np.abs(z) > ANOMALY_Z)):
        size = float(y[i] - expected[i])
        found.append(
            Anomaly(
                day=days[i],
                value=float(y[i]),
                expected=float(expected[i]),
                size=size,
                relative=size / float(expected[i]) if expected[i] != 0 else None,
                z=float(z[i]),
            )
        )
    return found
