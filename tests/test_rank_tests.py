"""The NumPy rank statistics give scipy.stats' numbers (issue 21: kpi show and decision review
no longer import scipy.stats)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from productpath.learning.rank_tests import chi2_sf, kruskal_p, mann_whitney_p, theil_sen


def _close(ours: float, theirs: float) -> bool:
    if math.isnan(theirs):
        return math.isnan(ours)
    return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-300)


@pytest.mark.parametrize("seed", range(40))
def test_mann_whitney_matches_scipy_exact_and_asymptotic(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n1, n2 = int(rng.integers(2, 14)), int(rng.integers(2, 14))
    shift = rng.normal(0, 1)
    if seed % 3 == 0:  # ties: rounded values
        x, y = np.round(rng.normal(shift, 2, n1)), np.round(rng.normal(0, 2, n2))
    else:
        x, y = rng.normal(shift, 1, n1), rng.normal(0, 1, n2)
    theirs = float(stats.mannwhitneyu(x, y, alternative="two-sided").pvalue)
    assert _close(mann_whitney_p(x, y), theirs)


@pytest.mark.parametrize("seed", range(30))
def test_kruskal_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    groups = [
        rng.normal(rng.normal(0, 0.5), 1, int(rng.integers(1, 12)))
        for _ in range(int(rng.integers(2, 8)))
    ]
    if seed % 2:
        groups = [np.round(g * 2) for g in groups]
    if np.ptp(np.concatenate(groups)) == 0:
        return
    assert _close(kruskal_p(*groups), float(stats.kruskal(*groups).pvalue))


@pytest.mark.parametrize("df", range(1, 9))
def test_chi_squared_tail_matches_scipy(df: int) -> None:
    for x in (0.01, 0.5, 1.0, 3.3, 7.0, 15.0, 40.0, 120.0):
        assert _close(chi2_sf(x, df), float(stats.chi2.sf(x, df)))


@pytest.mark.parametrize("seed", range(30))
def test_theil_sen_matches_scipy(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(2, 60))
    x = np.arange(n, dtype=float) if seed % 2 else np.round(rng.uniform(0, 20, n))
    y = rng.normal(0.3 * x, 2.0)
    if seed % 3 == 0:
        y = np.round(y)
    if np.ptp(x) == 0:
        return
    theirs = stats.theilslopes(y, x, alpha=0.95)
    ours = theil_sen(y, x)
    for a, b in zip(ours, tuple(theirs)[:4], strict=True):
        assert _close(a, float(b))
