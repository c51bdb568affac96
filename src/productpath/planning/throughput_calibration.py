"""The second calibration step: read a forecast at levels learnt from the method's past errors.

The replay model (see :mod:`productpath.planning.throughput`) gets the spread roughly right but
not exactly: on some histories its P85 holds 90% of the time, its P50 47%. So before a forecast
starts, the same model is rerun at past origins (every ``STEP_DAYS`` days of the history, from
the days before each origin only, ``TRIALS`` trials each) and, where the outcome was already
known before the forecast starts, it is scored: the **score** of a past forecast is the share of
its trials more optimistic than what happened (more items within the horizon; done sooner).

A bound read at level ``a`` (``at_least(samples, a)`` or ``done_within(samples, a)``) holds
exactly when the score is below ``a``. So the level that held a share ``q`` of the time in the
past is the ``ceil(q (m + 1))``-th smallest of the ``m`` past scores (split conformal
prediction), and the Pq bound is read at that level. With fewer than ``MIN_PAIRS`` past scores
the nominal level is used, and the result says so; likewise with fewer than
``MIN_INDEPENDENT`` past forecasts whose outcomes do not overlap (a forecast spanning months
has only a handful of distinct outcomes in two years, too few to place a P95).

No look-ahead: a past forecast uses only the days before its origin, its random numbers depend
only on the seed, its origin and its round (never on other origins or later data), and it is
used only when its outcome was known before the forecast being corrected starts.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from productpath.planning.throughput import (
    HALF_LIFE_DAYS,
    MIN_STRETCH_DAYS,
    WINDOW_DAYS,
)

STEP_DAYS = 7
TRIALS = 200
MIN_PAIRS = 30
# ...of which at least this many with outcomes that do not overlap (see PastScores.independent):
# 1 / (1 - 0.95), so that one outcome is expected beyond a P95 at all.
MIN_INDEPENDENT = 20
# Past forecasts made from less than a year of history say little about later ones (the replay
# has few stretches to draw from then), so origins start a year in, as backtest cut-offs do.
FIRST_ORIGIN_DAYS = 365
# How a method errs drifts too: only past forecasts resolved in the last two years count.
RECENT_DAYS = 730


@dataclass(frozen=True)
class PastScores:
    """Scores of past forecasts: each one's origin (day index), the day index from which its
    outcome was known, and its score."""

    origin: NDArray[np.int64]
    known: NDArray[np.int64]
    score: NDArray[np.float64]

    def before(self, day: int) -> PastScores:
        """The past forecasts whose outcome was known before day index ``day``, and at most
        ``RECENT_DAYS`` before it."""
        keep = (self.known <= day) & (self.known > day - RECENT_DAYS)
        return PastScores(self.origin[keep], self.known[keep], self.score[keep])

    def independent(self) -> int:
        """How many of the past forecasts have outcome spans that do not overlap: origins are
        a week apart, so a long horizon gives many scores that share most of their outcome."""
        count, free_from = 0, -1
        for origin, known in sorted(zip(self.origin.tolist(), self.known.tolist(), strict=True)):
            if origin >= free_from:
                count, free_from = count + 1, known
        return count


@dataclass(frozen=True)
class Correction:
    """The level to read each nominal level at, and the past forecasts that decided it."""

    pairs: int
    independent: int
    levels: dict[float, float]

    @property
    def applied(self) -> bool:
        return self.pairs >= MIN_PAIRS and self.independent >= MIN_INDEPENDENT


def correct(past: PastScores, levels: Iterable[float]) -> Correction:
    """Per nominal level, the level that held that often in the past (itself when too few)."""
    m, independent = past.score.size, past.independent()
    if m < MIN_PAIRS or independent < MIN_INDEPENDENT:
        return Correction(m, independent, {q: q for q in levels})
    ordered = np.sort(past.score)
    adjusted = {}
    for q in levels:
        k = math.ceil(q * (m + 1))
        # Half a trial above the k-th score, so that a score equal to it counts as held.
        adjusted[q] = 1.0 if k > m else min(1.0, float(ordered[k - 1]) + 0.5 / TRIALS)
    return Correction(m, independent, adjusted)


def seed_of(sequence: np.random.SeedSequence) -> int:
    """The seed of the past forecasts, drawn from the forecast's own seed sequence."""
    return int(sequence.generate_state(1)[0])


def how_many_scores(counts: NDArray[np.int64], days: int, seed: int) -> PastScores:
    """Scores of past "how many within ``days``" forecasts, at every origin of ``counts``."""
    if (RECENT_DAYS + days) // days < MIN_INDEPENDENT:
        return NO_SCORES  # so long a horizon never has enough separate outcomes to learn from
    tables = _Tables(counts)
    rows = tables.rows[tables.rows + days <= len(counts)]
    if rows.size == 0:
        return NO_SCORES
    cum = tables.cum
    actual = cum[rows + days] - cum[rows]
    total = np.zeros((rows.size, TRIALS))
    left = np.full((rows.size, TRIALS), days, dtype=np.int64)
    level = np.repeat(tables.pace_now(rows)[:, None], TRIALS, axis=1)
    columns = np.arange(TRIALS)[None, :]
    for round_ in range(days):
        active = left > 0
        if not active.any():
            break
        start, scale = tables.pick(rows[:, None], columns, level, seed, round_)
        span = np.minimum(rows[:, None] - start, left)
        gained = scale * (cum[start + span] - cum[start])
        total += np.where(active, gained, 0.0)
        left = np.where(active, left - span, left)
        level = np.where(active, scale * tables.pace_now(rows)[:, None], level)
    better = (np.rint(total) > actual[:, None]).mean(axis=1)
    return PastScores(rows, rows + days, better)


def when_scores(counts: NDArray[np.int64], items: int, seed: int) -> PastScores:
    """Scores of past "when are ``items`` done" forecasts that a forecast starting where
    ``counts`` ends learns from: those whose ``items`` were done in its last ``RECENT_DAYS``."""
    tables = _Tables(counts)
    cum = tables.cum
    finish = np.searchsorted(cum, cum[tables.rows] + items - 1e-9, side="left")
    keep = (finish <= len(counts)) & (finish > len(counts) - RECENT_DAYS)
    rows, finish = tables.rows[keep], finish[keep]
    unscored = PastScores(rows, finish.astype(np.int64), np.full(rows.size, np.nan))
    if rows.size < MIN_PAIRS or unscored.independent() < MIN_INDEPENDENT:
        # The correction could not use them (see correct), so they are not simulated; the
        # counts still say why.
        return unscored
    realised = finish - rows
    # One entry per (origin, trial), flattened so that each round touches only the trials
    # still running; a trial stops once it has run as long as reality took (it is not sooner).
    row = np.repeat(np.arange(rows.size), TRIALS)
    column = np.tile(np.arange(TRIALS), rows.size)
    sooner = np.zeros(rows.size * TRIALS, dtype=bool)
    remaining = np.full(row.size, float(items))
    elapsed = np.zeros(row.size, dtype=np.int64)
    level = tables.pace_now(rows)[row]
    todo = np.arange(row.size)
    round_ = 0
    while todo.size:
        r = row[todo]
        start, scale = tables.pick(rows[r], column[todo], level[todo], seed, round_)
        end = rows[r]
        done_at = np.searchsorted(cum, cum[start] + remaining[todo] / scale - 1e-9, side="left")
        hit = done_at <= end
        sooner[todo[hit]] = elapsed[todo[hit]] + done_at[hit] - start[hit] < realised[r[hit]]
        miss = todo[~hit]
        elapsed[miss] += end[~hit] - start[~hit]
        remaining[miss] -= scale[~hit] * (cum[end[~hit]] - cum[start[~hit]])
        level[miss] = scale[~hit] * tables.pace_now(end[~hit])
        todo = miss[elapsed[miss] < realised[row[miss]]]
        round_ += 1
    return PastScores(rows, finish.astype(np.int64), sooner.reshape(rows.size, TRIALS).mean(axis=1))


NO_SCORES = PastScores(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))


class _Tables:
    """The replay model's stretch tables for every origin of one history at once.

    What the model at origin ``o`` sees (days before ``o``) is a prefix of the tables of the
    whole history: stretch starts up to ``o - MIN_STRETCH_DAYS``, the same pace before each,
    and weights proportional to ``2 ** (start / HALF_LIFE_DAYS)``.
    """

    def __init__(self, counts: NDArray[np.int64]) -> None:
        self.cum = np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))
        starts = np.arange(WINDOW_DAYS, len(counts) - MIN_STRETCH_DAYS + 1, dtype=np.int64)
        pace = (self.cum[starts] - self.cum[starts - WINDOW_DAYS]) / WINDOW_DAYS
        self.starts, self.pace = starts[pace > 0], pace[pace > 0]
        base = self.starts[0] if self.starts.size else 0
        self.cum_weight = np.cumsum(np.exp2((self.starts - base) / HALF_LIFE_DAYS))
        origins = np.arange(FIRST_ORIGIN_DAYS, len(counts) + 1, STEP_DAYS)
        self.usable = np.searchsorted(self.starts, origins - MIN_STRETCH_DAYS, side="right")
        keep = (self.usable > 0) & (self.pace_now(origins) > 0)
        # Row i of every random draw belongs to origin i of this fixed grid, kept or not, so
        # an origin's draws never depend on how long the history is.
        self.row_of = np.flatnonzero(keep)
        self.rows, self.usable = origins[keep], self.usable[keep]

    def pace_now(self, origins: NDArray[np.int64]) -> NDArray[np.float64]:
        window = self.cum[origins] - self.cum[np.maximum(origins - WINDOW_DAYS, 0)]
        return np.asarray(window / WINDOW_DAYS, dtype=np.float64)

    def pick(
        self,
        origins: NDArray[np.int64],
        columns: NDArray[np.int64],
        level: NDArray[np.float64],
        seed: int,
        round_: int,
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """Per trial (its origin and its column among the origin's trials), a stretch start
        usable at that origin and the factor taking the stretch to the trial's pace."""
        at = np.searchsorted(self.rows, origins)
        index = self.row_of[at]
        draws = np.random.default_rng([seed, round_]).random((int(index.max()) + 1, TRIALS))
        usable = self.usable[at]
        chosen = np.searchsorted(
            self.cum_weight, draws[index, columns] * self.cum_weight[usable - 1], side="right"
        )
        chosen = np.minimum(chosen, usable - 1)
        return self.starts[chosen], level / self.pace[chosen]
