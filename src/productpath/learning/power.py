"""How many users an experiment needs: per arm, two-sided, equal allocation unless ``ratio``.

* **Proportions**: the normal-approximation formula with the pooled variance under the null
  and the unpooled one under the alternative (Fleiss, Levin & Paik):
  n_c = (z_{1-a/2} sqrt(p_bar q_bar (1 + 1/k)) + z_{1-b} sqrt(p1 q1 + p2 q2 / k))^2 / d^2.
* **Means**: the two-sample t-test's exact power from the noncentral t distribution, the
  smallest n per arm that reaches it (the normal formula is the starting guess).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

PROPORTION_METHOD = "normal approximation, pooled variance under H0 (Fleiss)"
MEAN_METHOD = "two-sample t-test power from the noncentral t distribution"


@dataclass(frozen=True)
class SampleSize:
    control: int
    variant: int
    method: str

    @property
    def total(self) -> int:
        return self.control + self.variant


def _check(alpha: float, power: float, ratio: float) -> None:
    if not 0 < alpha < 1:
        raise ValueError("alpha must be between 0 and 1")
    if not 0 < power < 1:
        raise ValueError("power must be between 0 and 1")
    if ratio <= 0:
        raise ValueError("the allocation ratio must be positive")


def proportions(
    baseline: float,
    target: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> SampleSize:
    """Users per arm to detect ``baseline`` -> ``target`` (rates as fractions)."""
    _check(alpha, power, ratio)
    for name, rate in (("baseline", baseline), ("target", target)):
        if not 0 < rate < 1:
            raise ValueError(f"the {name} rate must be strictly between 0 and 1")
    if baseline == target:
        raise ValueError("the target rate equals the baseline: there is nothing to detect")
    z_a = stats.norm.ppf(1 - alpha / 2)
    z_b = stats.norm.ppf(power)
    p_bar = (baseline + ratio * target) / (1 + ratio)
    spread_null = math.sqrt(p_bar * (1 - p_bar) * (1 + 1 / ratio))
    spread_alt = math.sqrt(baseline * (1 - baseline) + target * (1 - target) / ratio)
    n = (z_a * spread_null + z_b * spread_alt) ** 2 / (target - baseline) ** 2
    control = math.ceil(n)
    return SampleSize(control, math.ceil(control * ratio), PROPORTION_METHOD)


def means(
    sd: float,
    difference: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
) -> SampleSize:
    """Users per arm to detect a difference of means ``difference`` when each user's value has
    standard deviation ``sd``."""
    _check(alpha, power, ratio)
    if sd <= 0:
        raise ValueError("the standard deviation must be positive")
    if difference == 0:
        raise ValueError("the difference to detect must not be 0")
    effect = abs(difference) / sd
    z_a = stats.norm.ppf(1 - alpha / 2)
    z_b = stats.norm.ppf(power)
    n = max(2, math.floor((z_a + z_b) ** 2 * (1 + 1 / ratio) / effect**2))
    while _t_power(n, effect, alpha, ratio) < power:
        n += 1
    return SampleSize(n, math.ceil(n * ratio), MEAN_METHOD)


def _t_power(n: int, effect: float, alpha: float, ratio: float) -> float:
    n_t = n * ratio
    df = n + n_t - 2
    ncp = effect / math.sqrt(1 / n + 1 / n_t)
    crit = stats.t.ppf(1 - alpha / 2, df)
    return float(stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp))
