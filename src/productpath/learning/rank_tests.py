"""The three rank statistics ``kpi show`` and ``decision review`` report, with NumPy alone.

Each used to come from scipy.stats, whose import alone is close to a second of CPU, more than
the rest of either command. These give SciPy's own numbers (tests/test_rank_tests.py holds
them to scipy.stats on random and tied samples, 1e-9 relative):

- :func:`mann_whitney_p`: ``mannwhitneyu(x, y, alternative="two-sided")`` with its default
  method: the exact null distribution when both samples have at most 8 values and no ties,
  else the normal approximation with tie and continuity corrections;
- :func:`kruskal_p`: ``kruskal(*groups).pvalue``, H corrected for ties against chi-squared
  with k - 1 degrees of freedom (an integer, so its tail has a closed form);
- :func:`theil_sen`: ``theilslopes(y, x, alpha=0.95)``: the median slope and Sen's interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

EXACT_AT_MOST = 8  # scipy's "auto": exact when both samples are this small and have no ties


def average_ranks(values: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Ranks 1..n with ties given their average rank, and the size of each group of equals."""
    data = np.asarray(values, dtype=float).ravel()
    order = np.argsort(data, kind="mergesort")
    ordered = data[order]
    starts = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    bounds = np.concatenate((np.flatnonzero(starts), [data.size]))
    mean_rank = 0.5 * (bounds[:-1] + 1 + bounds[1:])
    ranks = np.empty(data.size, dtype=float)
    ranks[order] = mean_rank[np.cumsum(starts) - 1]
    return ranks, np.diff(bounds).astype(np.int64)


def mann_whitney_p(x: ArrayLike, y: ArrayLike) -> float:
    """Two-sided p-value of the Mann-Whitney U test of ``x`` against ``y``."""
    first = np.asarray(x, dtype=float).ravel()
    second = np.asarray(y, dtype=float).ravel()
    n1, n2 = first.size, second.size
    ranks, ties = average_ranks(np.concatenate((first, second)))
    u1 = float(ranks[:n1].sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    tied = bool(np.any(ties > 1))
    if (n1 <= EXACT_AT_MOST or n2 <= EXACT_AT_MOST) and not tied:
        p = 2 * _exact_upper_tail(round(u), n1, n2)
    else:
        n = n1 + n2
        tie_term = float(np.sum(ties.astype(float) ** 3 - ties))
        spread = math.sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))))
        z = (u - n1 * n2 / 2 - 0.5) / spread if spread > 0 else math.nan
        p = 2 * _normal_sf(z)
    return min(1.0, max(0.0, p))


def _exact_upper_tail(u: int, n1: int, n2: int) -> float:
    """P(U >= u) under the null: the share of the C(n1 + n2, n1) orderings with U >= u."""
    # ways[k] = orderings of the current (a, b) samples whose U is k, built up one value at a
    # time: f(a, b) = f(a - 1, b) shifted by b, plus f(a, b - 1).
    small, large = sorted((n1, n2))
    rows = [[1] for _ in range(large + 1)]  # f(0, b) = [1] for every b
    for a in range(1, small + 1):
        current = [[1]]  # f(a, 0)
        for b in range(1, large + 1):
            left, down = rows[b], current[b - 1]
            ways = [0] * (a * b + 1)
            for k, count in enumerate(left):
                ways[k + b] += count
            for k, count in enumerate(down):
                ways[k] += count
            current.append(ways)
        rows = current
    counts = rows[large]
    return sum(counts[u:]) / math.comb(n1 + n2, n1)


def kruskal_p(*groups: Sequence[float] | NDArray[np.float64]) -> float:
    """p-value of the Kruskal-Wallis H test across ``groups`` (at least two, not all equal)."""
    sizes = [len(g) for g in groups]
    ranks, ties = average_ranks(np.concatenate([np.asarray(g, dtype=float) for g in groups]))
    n = float(sum(sizes))
    correction = 1.0 - float(np.sum(ties.astype(float) ** 3 - ties)) / (n**3 - n)
    between = 0.0
    start = 0
    for size in sizes:
        between += float(ranks[start : start + size].sum()) ** 2 / size
        start += size
    h = (12.0 / (n * (n + 1)) * between - 3 * (n + 1)) / correction
    return chi2_sf(h, len(groups) - 1)


def chi2_sf(x: float, df: int) -> float:
    """P(X > x) for X ~ chi-squared with a whole number ``df`` of degrees of freedom."""
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        term = math.exp(-half)
        total = term
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, total)
    total = math.erfc(math.sqrt(half))
    term = math.sqrt(2 * x / math.pi) * math.exp(-half)
    for i in range(1, (df - 1) // 2 + 1):
        total += term
        term *= x / (2 * i + 1)
    return min(1.0, total)


def theil_sen(
    y: ArrayLike, x: ArrayLike, confidence: float = 0.95
) -> tuple[float, float, float, float]:
    """(slope, intercept, low slope, high slope): the Theil-Sen line through (x, y) and Sen's
    interval on its slope at ``confidence``."""
    ys = np.asarray(y, dtype=float).ravel()
    xs = np.asarray(x, dtype=float).ravel()
    dx = xs[:, np.newaxis] - xs
    dy = ys[:, np.newaxis] - ys
    slopes = np.sort(dy[dx > 0] / dx[dx > 0])
    slope = float(np.median(slopes))
    intercept = float(np.median(ys)) - slope * float(np.median(xs))
    alpha = 1.0 - confidence if confidence > 0.5 else confidence
    z = NormalDist().inv_cdf(alpha / 2)
    n = ys.size
    variance = (
        n * (n - 1) * (2 * n + 5)
        - sum(k * (k - 1) * (2 * k + 5) for k in _repeats(xs))
        - sum(k * (k - 1) * (2 * k + 5) for k in _repeats(ys))
    ) / 18.0
    sigma = math.sqrt(variance) if variance >= 0 else math.nan
    if slopes.size == 0 or math.isnan(sigma):
        return slope, intercept, math.nan, math.nan
    count = slopes.size
    upper = min(int(np.round((count - z * sigma) / 2.0)), count - 1)
    lower = max(int(np.round((count + z * sigma) / 2.0)) - 1, 0)
    return slope, intercept, float(slopes[lower]), float(slopes[upper])


def _repeats(values: NDArray[np.float64]) -> list[int]:
    """How many times each value that occurs more than once occurs."""
    _, counts = np.unique(values, return_counts=True)
    return [int(c) for c in counts if c > 1]


def _normal_sf(z: float) -> float:
    return 0.5 * math.erfc(z / math.sqrt(2))
