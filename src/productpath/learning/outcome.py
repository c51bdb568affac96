"""Did a shipped initiative move its target KPI? A before/after read with the trend taken out.

Method (quoted in every result):

* **Pre period**: the :data:`PRE_DAYS` days before the ship day. A Theil-Sen line (median of
  pairwise slopes; intercept the median of y - slope x) is fitted to it: robust to the odd
  outlier, and a KPI that was already rising is not credited to the launch.
* **Post period**: the :data:`POST_DAYS` days after the ship day (the ship day itself belongs
  to neither). The effect is the post-period mean minus the mean of the line projected over
  the post days.
* **Interval**: a residual bootstrap. The pre residuals are resampled onto the line, the line
  is refitted, and the post mean expected without a change is simulated (projection plus
  resampled residuals); the 2.5% and 97.5% quantiles of that null give a 95% interval for the
  effect. "moved" when the interval excludes zero; otherwise "did not move".
* **Not enough data** below :data:`MIN_PRE` points before or :data:`MIN_POST` after.

Limits: a before/after read is not an experiment. Anything else that changed around the ship
day (another launch, a season, a pricing change) is attributed to the initiative, weekly
patterns count as noise (widening the interval), and a line fitted to eight weeks can mislead
when projected far. Use an experiment when attribution matters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

__all__ = ["MIN_POST", "MIN_PRE", "POST_DAYS", "PRE_DAYS", "Outcome", "review"]

PRE_DAYS = 56
POST_DAYS = 56
MIN_PRE = 6
MIN_POST = 3
RESAMPLES = 1000
METHOD = (
    f"Theil-Sen line over the {PRE_DAYS} days before shipping, projected over the "
    f"{POST_DAYS} days after; effect = post mean - projection; 95% interval from a residual "
    "bootstrap (line refitted each time); moved when the interval excludes zero"
)
LIMITS = (
    "before/after, not an experiment: anything else that changed around the ship day is "
    "credited to the initiative"
)

Verdict = Literal["moved", "did not move", "not enough data"]


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    ship_day: dt.date
    verdict: Verdict
    direction: Literal["up", "down"] | None
    good: bool | None  # the move was in the KPI's better direction
    pre_points: int
    post_points: int
    pre_slope_per_day: float | None
    post_mean: float | None
    projected_mean: float | None
    effect: float | None
    low: float | None
    high: float | None
    method: str
    limits: str
    note: str


def _slopes(x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float64]:
    """Theil-Sen slope of each row of ``y`` (shape resamples x points) against ``x``."""
    i, j = np.triu_indices(x.size, k=1)
    keep = x[j] != x[i]
    i, j = i[keep], j[keep]
    return np.asarray(np.median((y[:, j] - y[:, i]) / (x[j] - x[i]), axis=1), dtype=np.float64)


def _fit(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    slope = _slopes(x, y)
    intercept = np.median(y - slope[:, None] * x, axis=1)
    return slope, np.asarray(intercept, dtype=np.float64)


def review(
    days: Sequence[dt.date],
    values: Sequence[float],
    ship_day: dt.date,
    *,
    higher_is_better: bool = True,
    seed: int = 0,
) -> Outcome:
    """Compare the KPI (``days``/``values``) before and after ``ship_day``."""
    pre = [(d, v) for d, v in zip(days, values, strict=True) if 0 < (ship_day - d).days <= PRE_DAYS]
    post = [
        (d, v) for d, v in zip(days, values, strict=True) if 0 < (d - ship_day).days <= POST_DAYS
    ]
    empty = Outcome(
        ship_day=ship_day,
        verdict="not enough data",
        direction=None,
        good=None,
        pre_points=len(pre),
        post_points=len(post),
        pre_slope_per_day=None,
        post_mean=None,
        projected_mean=None,
        effect=None,
        low=None,
        high=None,
        method=METHOD,
        limits=LIMITS,
        note="",
    )
    if len(pre) < MIN_PRE or len(post) < MIN_POST:
        return empty.model_copy(
            update={
                "note": f"needs {MIN_PRE} values in the {PRE_DAYS} days before shipping and "
                f"{MIN_POST} in the {POST_DAYS} days after; has {len(pre)} and {len(post)}"
            }
        )
    x = np.array([(d - ship_day).days for d, _ in pre], dtype=np.float64)
    y = np.array([v for _, v in pre], dtype=np.float64)
    xp = np.array([(d - ship_day).days for d, _ in post], dtype=np.float64)
    yp = np.array([v for _, v in post], dtype=np.float64)
    slope, intercept = _fit(x, y[None, :])
    fitted = intercept[0] + slope[0] * x
    residuals = y - fitted
    projected = float(np.mean(intercept[0] + slope[0] * xp))
    post_mean = float(np.mean(yp))
    effect = post_mean - projected

    rng = np.random.default_rng(seed)
    draws = rng.choice(residuals, size=(RESAMPLES, x.size), replace=True)
    b_slope, b_intercept = _fit(x, fitted[None, :] + draws)
    noise = rng.choice(residuals, size=(RESAMPLES, xp.size), replace=True)
    null_means = np.mean(b_intercept[:, None] + b_slope[:, None] * xp + noise, axis=1)
    # The effect's interval: what the post mean would have had to be below/above by chance.
    low = post_mean - float(np.quantile(null_means, 0.975))
    high = post_mean - float(np.quantile(null_means, 0.025))
    moved = low > 0 or high < 0
    direction: Literal["up", "down"] = "up" if effect > 0 else "down"
    return empty.model_copy(
        update={
            "verdict": "moved" if moved else "did not move",
            "direction": direction if moved else None,
            "good": (direction == "up") == higher_is_better if moved else None,
            "pre_slope_per_day": float(slope[0]),
            "post_mean": post_mean,
            "projected_mean": projected,
            "effect": effect,
            "low": low,
            "high": high,
            "note": f"post mean {post_mean:.4g} vs {projected:.4g} projected from the trend",
        }
    )
