"""Backtest a throughput forecast: at past cut-offs, forecast from what was known then, compare.

At each cut-off the forecast is "how many items complete within the horizon", made from the
history before the cut-off only. Its Pq bound is the count that a share q of the trials reach or
exceed ("85% chance of at least N"), and the coverage of Pq is the share of cut-offs where the
real count reached it: a calibrated P85 holds about 85% of the time.

The ``calibrated`` method's correction is learnt, at each cut-off, only from past forecasts
whose outcome was known before that cut-off (see ``planning.throughput_calibration``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from productpath.errors import InputError
from productpath.planning import throughput_calibration as tc
from productpath.planning.throughput import DailyThroughput, Method, at_least, how_many

LEVELS = (0.50, 0.85, 0.95)
# Cut-offs start after this much history, so every forecast has a year to learn from.
WARM_UP_DAYS = 365


@dataclass(frozen=True)
class CutoffResult:
    cutoff: dt.date
    actual: int
    bounds: dict[float, int]  # level -> the count that level of trials reach or exceed
    # Past forecasts the correction learnt from (0 when uncorrected), and the levels read.
    pairs: int = 0
    levels: dict[float, float] | None = None


@dataclass(frozen=True)
class BacktestResult:
    method: Method
    horizon_days: int
    trials: int
    cutoffs: list[CutoffResult]

    @property
    def coverage(self) -> dict[float, float]:
        """Per level, the share of cut-offs whose real count reached the bound."""
        return {
            level: sum(c.actual >= c.bounds[level] for c in self.cutoffs) / len(self.cutoffs)
            for level in LEVELS
        }


def cutoff_days(history_days: int, horizon_days: int, cutoffs: int) -> list[int]:
    """Day indexes of the cut-offs: spread evenly from the end of the first year to the last
    day whose whole horizon is known."""
    if horizon_days < 1:
        raise InputError("the horizon must be at least one day")
    if cutoffs < 1:
        raise InputError("at least one cut-off is needed")
    last = history_days - horizon_days
    if last < WARM_UP_DAYS:
        raise InputError(
            f"the history spans {history_days} days; a backtest with a {horizon_days}-day "
            f"horizon needs more than {WARM_UP_DAYS + horizon_days} (a year to learn from, "
            "then the horizon)"
        )
    spread = np.linspace(WARM_UP_DAYS, last, cutoffs).round().astype(np.int64)
    return sorted({int(day) for day in spread})


def backtest(
    history: DailyThroughput,
    *,
    horizon_days: int = 28,
    cutoffs: int = 100,
    trials: int = 10_000,
    seed: int | None = None,
    method: Method = "calibrated",
) -> BacktestResult:
    """Forecast at each cut-off from the history before it and check it against what happened.

    A cut-off with no throughput in its recent window has nothing to forecast from; it is left
    out, and a history where every cut-off is like that is refused.
    """
    sequence = np.random.SeedSequence(seed)
    rng = np.random.default_rng(sequence)
    days = cutoff_days(len(history.counts), horizon_days, cutoffs)
    scores = None
    if method == "calibrated":
        # Every past forecast's score at once; each cut-off below keeps only those whose
        # outcome it already knew (scores.before), so nothing after a cut-off reaches it.
        scores = tc.how_many_scores(history.counts, horizon_days, tc.seed_of(sequence))
    results = []
    for day in days:
        known = history.before(day)
        try:
            samples = how_many(known, horizon_days, trials=trials, rng=rng, method=method)
        except InputError:
            continue
        actual = int(history.counts[day : day + horizon_days].sum())
        past = scores.before(day) if scores is not None else tc.NO_SCORES
        correction = tc.correct(past, LEVELS)
        bounds = {level: at_least(samples, correction.levels[level]) for level in LEVELS}
        pairs = correction.pairs if correction.applied else 0
        results.append(CutoffResult(known.end, actual, bounds, pairs, correction.levels))
    if not results:
        raise InputError("no cut-off had any throughput in the days before it to forecast from")
    return BacktestResult(method, horizon_days, trials, results)
