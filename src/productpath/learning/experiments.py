"""Experiment read-outs: the sample-ratio check first, then each variant against the control.

Methods:

* **Sample-ratio mismatch (SRM)**: Pearson's chi-square goodness-of-fit test of the users per
  variant against the planned split (equal unless given); a mismatch when p < 0.001, the
  threshold commonly used for SRM alarms, because a genuine mismatch means the assignment is
  broken and no other figure can be trusted.
* **Conversion metrics**: two-proportion z-test with the pooled standard error (p-value); the
  absolute difference with a Wald (unpooled) interval; the relative lift pt/pc - 1 with an
  interval from the delta method on log(pt/pc) (Katz's log method), which is asymmetric and
  stays above -100%. Bayesian probability to beat control: P(pt > pc) under independent
  Beta(1 + conversions, 1 + non-conversions) posteriors (uniform priors), by exact summation
  (Evan Miller's closed form), not by sampling.
* **Mean metrics**: Welch's unequal-variance t-test (p-value) with the Welch-Satterthwaite
  degrees of freedom and a t interval on the difference; relative lift mt/mc - 1 with a
  delta-method normal interval. Probability to beat control: Phi(difference / standard error),
  the posterior under flat priors in the large-sample normal approximation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import special, stats

SRM_ALPHA = 0.001
# Above this many terms the exact Beta sum gives way to the normal approximation.
_EXACT_TERMS = 5_000_000

SRM_METHOD = (
    f"Pearson chi-square goodness of fit against the planned split; mismatch at p < {SRM_ALPHA}"
)
CONVERSION_TEST = "two-proportion z-test (pooled); lift CI: delta method on log ratio (Katz)"
MEAN_TEST = "Welch's t-test; lift CI: delta method"


@dataclass(frozen=True)
class ConversionArm:
    name: str
    users: int
    conversions: int


@dataclass(frozen=True)
class MeanArm:
    name: str
    n: int
    mean: float
    sd: float


@dataclass(frozen=True)
class Srm:
    chi2: float
    p_value: float
    mismatch: bool
    observed: dict[str, int]
    expected: dict[str, float]
    method: str = SRM_METHOD


@dataclass(frozen=True)
class Comparison:
    """A variant against the control on one metric; ``lift`` and its CI are relative (0.05 =
    +5%), ``difference`` and its CI absolute (in the metric's unit, rates as fractions)."""

    kind: str  # conversion | mean
    control_value: float
    variant_value: float
    difference: float
    diff_ci_low: float
    diff_ci_high: float
    lift: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float
    prob_beat_control: float | None
    test: str
    caveats: tuple[str, ...] = field(default=())


def srm_check(observed: Mapping[str, int], split: Mapping[str, float] | None = None) -> Srm:
    """Chi-square test of ``observed`` users per variant against ``split`` (shares, any scale)."""
    names = list(observed)
    if len(names) < 2:
        raise ValueError("the sample-ratio check needs at least two variants")
    weights = np.array([float((split or {}).get(n, 1.0)) for n in names])
    if split is not None and set(split) != set(names):
        raise ValueError("the planned split must name exactly the variants in the data")
    if np.any(weights <= 0):
        raise ValueError("every share of the planned split must be positive")
    counts = np.array([observed[n] for n in names], dtype=float)
    expected = weights / weights.sum() * counts.sum()
    chi2, p_value = stats.chisquare(counts, expected)
    return Srm(
        chi2=float(chi2),
        p_value=float(p_value),
        mismatch=bool(p_value < SRM_ALPHA),
        observed={n: int(c) for n, c in zip(names, counts, strict=True)},
        expected={n: float(e) for n, e in zip(names, expected, strict=True)},
    )


def compare_conversion(
    control: ConversionArm, variant: ConversionArm, *, alpha: float = 0.05
) -> Comparison:
    """Variant against control on a conversion rate (see the module notes for the methods)."""
    for arm in (control, variant):
        if arm.users <= 0:
            raise ValueError(f"variant '{arm.name}' has no users")
        if not 0 <= arm.conversions <= arm.users:
            raise ValueError(f"variant '{arm.name}' has conversions outside 0..users")
    z_crit = float(stats.norm.ppf(1 - alpha / 2))
    nc, nt = control.users, variant.users
    xc, xt = control.conversions, variant.conversions
    pc, pt = xc / nc, xt / nt
    diff = pt - pc
    pooled = (xc + xt) / (nc + nt)
    se_pooled = math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
    caveats: list[str] = []
    if se_pooled == 0:
        p_value = 1.0
        caveats.append("every user converted in both arms, or none did: no test is possible")
    else:
        p_value = float(2 * stats.norm.sf(abs(diff) / se_pooled))
    se_diff = math.sqrt(pc * (1 - pc) / nc + pt * (1 - pt) / nt)
    lift = ci_low = ci_high = None
    if xc > 0 and xt > 0:
        lift = pt / pc - 1
        se_log = math.sqrt(1 / xt - 1 / nt + 1 / xc - 1 / nc)
        ci_low = math.exp(math.log(pt / pc) - z_crit * se_log) - 1
        ci_high = math.exp(math.log(pt / pc) + z_crit * se_log) - 1
    elif xc == 0:
        caveats.append("the control has no conversions: a relative lift is undefined")
    else:
        lift = -1.0
        caveats.append("the variant has no conversions: the lift interval is undefined")
    return Comparison(
        kind="conversion",
        control_value=pc,
        variant_value=pt,
        difference=diff,
        diff_ci_low=diff - z_crit * se_diff,
        diff_ci_high=diff + z_crit * se_diff,
        lift=lift,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        prob_beat_control=prob_beta_beats(control, variant),
        test=CONVERSION_TEST,
        caveats=tuple(caveats),
    )


def prob_beta_beats(control: ConversionArm, variant: ConversionArm) -> float:
    """P(p_variant > p_control) with Beta(1 + x, 1 + n - x) posteriors, summed exactly.

    P(B > A) = sum_{i<aB} B(aA + i, bA + bB) / ((bB + i) B(1 + i, bB) B(aA, bA)); the sum runs
    over the arm with fewer conversions (using P(B > A) = 1 - P(A > B)), so it stays short.
    """
    a_c, b_c = 1 + control.conversions, 1 + control.users - control.conversions
    a_v, b_v = 1 + variant.conversions, 1 + variant.users - variant.conversions
    if a_v <= a_c:
        return _beta_sum(a_c, b_c, a_v, b_v)
    return 1.0 - _beta_sum(a_v, b_v, a_c, b_c)


def _beta_sum(a_a: int, b_a: int, a_b: int, b_b: int) -> float:
    if a_b > _EXACT_TERMS:
        mean_a, mean_b = a_a / (a_a + b_a), a_b / (a_b + b_b)
        var_a = mean_a * (1 - mean_a) / (a_a + b_a + 1)
        var_b = mean_b * (1 - mean_b) / (a_b + b_b + 1)
        return float(stats.norm.cdf((mean_b - mean_a) / math.sqrt(var_a + var_b)))
    i = np.arange(a_b, dtype=float)
    logs = (
        special.betaln(a_a + i, b_a + b_b)
        - np.log(b_b + i)
        - special.betaln(1 + i, b_b)
        - special.betaln(a_a, b_a)
    )
    return float(min(max(np.exp(logs).sum(), 0.0), 1.0))


def compare_means(control: MeanArm, variant: MeanArm, *, alpha: float = 0.05) -> Comparison:
    """Variant against control on a mean (Welch's t-test; see the module notes)."""
    for arm in (control, variant):
        if arm.n < 2:
            raise ValueError(f"variant '{arm.name}' needs at least 2 users for a mean metric")
        if arm.sd < 0 or not math.isfinite(arm.sd):
            raise ValueError(f"variant '{arm.name}' has an invalid standard deviation")
    var_c, var_t = control.sd**2 / control.n, variant.sd**2 / variant.n
    se = math.sqrt(var_c + var_t)
    diff = variant.mean - control.mean
    caveats: list[str] = []
    if se == 0:
        # No spread at all: the arms differ or they do not, with certainty either way.
        p_value, half = (1.0 if diff == 0 else 0.0), 0.0
        prob = 0.5 if diff == 0 else float(diff > 0)
        caveats.append("both arms have zero variance: the test is degenerate")
    else:
        df = se**4 / (var_c**2 / (control.n - 1) + var_t**2 / (variant.n - 1))
        p_value = float(2 * stats.t.sf(abs(diff) / se, df))
        half = float(stats.t.ppf(1 - alpha / 2, df)) * se
        prob = float(stats.norm.cdf(diff / se))
    lift = ci_low = ci_high = None
    if control.mean != 0:
        lift = variant.mean / control.mean - 1
        # Var(mt / mc) ~ Var(mt) / mc^2 + mt^2 Var(mc) / mc^4 (first-order Taylor expansion).
        rel_se = math.sqrt(var_t / control.mean**2 + variant.mean**2 * var_c / control.mean**4)
        z_crit = float(stats.norm.ppf(1 - alpha / 2))
        ci_low, ci_high = lift - z_crit * rel_se, lift + z_crit * rel_se
    else:
        caveats.append("the control's mean is 0: a relative lift is undefined")
    return Comparison(
        kind="mean",
        control_value=control.mean,
        variant_value=variant.mean,
        difference=diff,
        diff_ci_low=diff - half,
        diff_ci_high=diff + half,
        lift=lift,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        prob_beat_control=prob,
        test=MEAN_TEST,
        caveats=tuple(caveats),
    )
