"""Experiment statistics cross-checked against SciPy and statsmodels on known cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats as sps
from statsmodels.stats.power import TTestIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from productpath.learning import experiments as E
from productpath.learning import power as P

CONTROL = E.ConversionArm("control", 10_000, 1_000)
VARIANT = E.ConversionArm("variant", 10_100, 1_100)


def test_conversion_matches_statsmodels() -> None:
    result = E.compare_conversion(CONTROL, VARIANT)
    _, p_value = proportions_ztest([1_100, 1_000], [10_100, 10_000])
    assert result.p_value == pytest.approx(p_value, rel=1e-9)
    low, high = confint_proportions_2indep(
        1_100, 10_100, 1_000, 10_000, method="log", compare="ratio"
    )
    assert result.ci_low == pytest.approx(low - 1, rel=1e-9)
    assert result.ci_high == pytest.approx(high - 1, rel=1e-9)
    d_low, d_high = confint_proportions_2indep(
        1_100, 10_100, 1_000, 10_000, method="wald", compare="diff"
    )
    assert (result.diff_ci_low, result.diff_ci_high) == pytest.approx((d_low, d_high))
    assert result.lift == pytest.approx((1_100 / 10_100) / 0.1 - 1)


def test_probability_to_beat_control_matches_sampling() -> None:
    exact = E.prob_beta_beats(CONTROL, VARIANT)
    rng = np.random.default_rng(42)
    draws = 1_000_000
    a = rng.beta(1 + 1_000, 1 + 9_000, draws)
    b = rng.beta(1 + 1_100, 1 + 9_000, draws)
    assert exact == pytest.approx(float((b > a).mean()), abs=0.002)
    # Swapping the arms gives the complement (the sum runs over the shorter arm).
    assert E.prob_beta_beats(VARIANT, CONTROL) == pytest.approx(1 - exact, abs=1e-9)
    same = E.ConversionArm("same", 10_000, 1_000)
    assert E.prob_beta_beats(CONTROL, same) == pytest.approx(0.5, abs=1e-6)


def test_means_match_welch_in_scipy_and_statsmodels() -> None:
    rng = np.random.default_rng(7)
    c = rng.normal(40, 28, 800)
    v = rng.normal(43, 35, 650)
    result = E.compare_means(
        E.MeanArm("c", len(c), float(c.mean()), float(c.std(ddof=1))),
        E.MeanArm("v", len(v), float(v.mean()), float(v.std(ddof=1))),
    )
    assert result.p_value == pytest.approx(sps.ttest_ind(v, c, equal_var=False).pvalue)
    low, high = CompareMeans(DescrStatsW(v), DescrStatsW(c)).tconfint_diff(usevar="unequal")
    assert (result.diff_ci_low, result.diff_ci_high) == pytest.approx((low, high))
    assert result.lift == pytest.approx(v.mean() / c.mean() - 1)
    assert result.ci_low is not None and result.ci_high is not None
    assert result.ci_low < result.lift < result.ci_high


def test_srm_matches_chisquare_and_flags_a_mismatch() -> None:
    fine = E.srm_check({"a": 5_000, "b": 5_080})
    assert fine.p_value == pytest.approx(sps.chisquare([5_000, 5_080]).pvalue)
    assert not fine.mismatch
    broken = E.srm_check({"a": 5_000, "b": 5_400})
    assert broken.mismatch and broken.p_value < E.SRM_ALPHA
    planned = E.srm_check({"a": 2_000, "b": 8_000}, {"a": 20, "b": 80})
    assert not planned.mismatch and planned.expected == {"a": 2_000.0, "b": 8_000.0}


def test_zero_traffic_and_zero_conversions() -> None:
    with pytest.raises(ValueError, match="no users"):
        E.compare_conversion(E.ConversionArm("c", 0, 0), VARIANT)
    none = E.compare_conversion(E.ConversionArm("c", 1_000, 0), E.ConversionArm("v", 1_000, 5))
    assert none.lift is None and any("no conversions" in c for c in none.caveats)


def test_sample_size_for_proportions_matches_statsmodels() -> None:
    for base, target in ((0.10, 0.11), (0.30, 0.27), (0.02, 0.025)):
        ours = P.proportions(base, target)
        theirs = samplesize_proportions_2indep_onetail(
            target - base, base, 0.8, alpha=0.05, alternative="two-sided"
        )
        assert ours.control == int(np.ceil(theirs))


def test_sample_size_for_means_matches_statsmodels() -> None:
    for sd, diff in ((10, 2), (28.5, 1.5), (1, 0.8)):
        ours = P.means(sd, diff)
        theirs = TTestIndPower().solve_power(diff / sd, alpha=0.05, power=0.8)
        assert ours.control == int(np.ceil(theirs))
