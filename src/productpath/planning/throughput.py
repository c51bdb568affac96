"""Throughput Monte Carlo: how long N items take, and how many items a span of days holds.

Input is a daily throughput series (items completed per calendar day, oldest first, ending the
day before the forecast starts). Two models, both vectorised and driven by a seeded generator:

``plain``
    What ActionableAgile does: every future day is an independent draw from the daily counts of
    the last ``WINDOW_DAYS`` days. It ignores that real throughput drifts and comes in runs, so
    its bounds are too narrow (the backtest shows it).

``replay``, and ``calibrated`` (the default)
    Each trial replays a real stretch of the history: it picks a past day ``t`` (recent days
    more likely, weight halving every ``HALF_LIFE_DAYS``) and takes what was completed from
    ``t`` on, rescaled by (pace of the last ``WINDOW_DAYS`` days now) / (pace of the
    ``WINDOW_DAYS`` days before ``t``). So the spread of a forecast is the spread of how the
    pace really changed after such a moment in this history: drift, runs and quiet spells
    included, with nothing fitted. A stretch that reaches the forecast start is continued by
    another, rescaled from the pace it ended on, so long forecasts compound the drift.
    Both simulate this same model; ``calibrated`` forecasts then read the trials at corrected
    levels (:mod:`productpath.planning.throughput_calibration`), which the callers apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from productpath.errors import InputError

Method = Literal["calibrated", "replay", "plain"]
METHODS: tuple[Method, ...] = ("calibrated", "replay", "plain")
WINDOW_DAYS = 90
HALF_LIFE_DAYS = 365
# The shortest replayed stretch: each one spans at least this many days, so a forecast needs
# few rounds, and a 28-day forecast (the backtest's default) is always one stretch.
MIN_STRETCH_DAYS = 28
# Trials not finished after this many days are reported as "beyond", never as a date.
MAX_DAYS = 20 * 365
# Trials per block in the plain model, bounding memory at about this many days at once.
_BLOCK_CELLS = 1 << 22

_REPLAY_TEXT = (
    "replays real stretches of the history, each rescaled from the pace of the "
    f"{WINDOW_DAYS} days before it to the pace of the last {WINDOW_DAYS} days; recent "
    f"stretches weigh more (half-life {HALF_LIFE_DAYS} days)"
)
METHOD_TEXT: dict[Method, str] = {
    "calibrated": (
        f"calibrated: {_REPLAY_TEXT}; the P50/P85/P95 levels are then corrected by how the "
        "same replay's past forecasts in this history fared (see planning.throughput_calibration)"
    ),
    "replay": f"replay: {_REPLAY_TEXT}; no correction",
    "plain": f"plain: each future day is a random day of the last {WINDOW_DAYS} days",
}


@dataclass(frozen=True)
class DailyThroughput:
    """Items completed per day from ``first`` to the day before ``end``."""

    first: dt.date
    counts: NDArray[np.int64]

    @property
    def end(self) -> dt.date:
        return self.first + dt.timedelta(days=len(self.counts))

    @property
    def total(self) -> int:
        return int(self.counts.sum())

    def before(self, day: int) -> DailyThroughput:
        """The series cut before day index ``day`` (what was known at that point)."""
        return DailyThroughput(self.first, self.counts[:day])


def daily_throughput(dates: Iterable[dt.date], end: dt.date) -> DailyThroughput:
    """Completions per day from the earliest date to the day before ``end``.

    Dates on or after ``end`` are left out (they had not happened when the forecast starts).
    """
    ordinals = np.fromiter((d.toordinal() for d in dates), dtype=np.int64)
    ordinals = ordinals[ordinals < end.toordinal()]
    if ordinals.size == 0:
        raise InputError(f"no completed items before {end.isoformat()}: nothing to forecast from")
    first = int(ordinals.min())
    counts = np.bincount(ordinals - first, minlength=end.toordinal() - first)
    return DailyThroughput(dt.date.fromordinal(first), counts.astype(np.int64))


def check_history(history: DailyThroughput, method: Method) -> None:
    """Refuse a history the method cannot forecast from, with the reason in one sentence."""
    recent = history.counts[-WINDOW_DAYS:]
    if recent.sum() == 0:
        raise InputError(
            f"no items completed in the {WINDOW_DAYS} days before "
            f"{history.end.isoformat()}: throughput is zero, so no finish date exists"
        )
    if method != "plain" and _origins(history.counts)[0].size == 0:
        raise InputError(
            f"the calibrated method needs at least {WINDOW_DAYS + MIN_STRETCH_DAYS} days of "
            f"history with some throughput (this one has {len(history.counts)} days); "
            "use --method plain"
        )


def when(
    history: DailyThroughput,
    items: int,
    *,
    trials: int,
    rng: np.random.Generator,
    method: Method = "calibrated",
) -> NDArray[np.float64]:
    """Days each trial takes to complete ``items`` (1 = done on the first day; inf = beyond
    ``MAX_DAYS``)."""
    if items < 1:
        raise InputError("the number of items must be at least 1")
    check_history(history, method)
    if method == "plain":
        return _plain_when(history.counts[-WINDOW_DAYS:], items, trials, rng)
    return _calibrated_when(history.counts, items, trials, rng)


def how_many(
    history: DailyThroughput,
    days: int,
    *,
    trials: int,
    rng: np.random.Generator,
    method: Method = "calibrated",
) -> NDArray[np.int64]:
    """Items each trial completes within ``days`` days."""
    if days < 1:
        raise InputError("the forecast must span at least one day")
    check_history(history, method)
    if method == "plain":
        return _plain_how_many(history.counts[-WINDOW_DAYS:], days, trials, rng)
    return _calibrated_how_many(history.counts, days, trials, rng)


def at_least(samples: NDArray[np.int64], q: float) -> int:
    """The largest count that a share ``q`` of the trials reach or exceed."""
    ordered = np.sort(samples)
    return int(ordered[min(int(np.floor((1.0 - q) * len(ordered))), len(ordered) - 1)])


def done_within(samples: NDArray[np.float64], q: float) -> float:
    """The fewest days by which a share ``q`` of the trials are done (inf when beyond)."""
    ordered = np.sort(samples)
    return float(ordered[max(int(np.ceil(q * len(ordered))) - 1, 0)])


# --- plain: independent days from the recent window ---------------------------------------------


def _plain_when(
    window: NDArray[np.int64], items: int, trials: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    # Same model, fewer draws: walk over the days that complete something (drawn from the
    # window's non-zero days), then add the empty days before the last of them, which for
    # independent days are negative-binomially distributed.
    busy = window[window > 0].astype(np.int32)
    share_busy = busy.size / window.size
    step = int(np.ceil(1.2 * items / busy.mean())) + 8
    needed = np.zeros(trials, dtype=np.int64)
    done_so_far = np.zeros(trials, dtype=np.int64)
    todo = np.arange(trials)
    while todo.size:
        for block in np.array_split(todo, max(1, todo.size * step // _BLOCK_CELLS)):
            picks = rng.integers(0, busy.size, size=(block.size, step), dtype=np.int16)
            path = np.cumsum(busy[picks], axis=1, dtype=np.int32) + done_so_far[block, None]
            short = (path < items).sum(axis=1)
            needed[block] += np.minimum(short + 1, step)
            done_so_far[block] = path[:, -1]
        todo = todo[done_so_far[todo] < items]
    empty = rng.negative_binomial(needed, share_busy) if share_busy < 1 else 0
    days = (needed + empty).astype(np.float64)
    days[days > MAX_DAYS] = np.inf
    return days


def _plain_how_many(
    window: NDArray[np.int64], days: int, trials: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    out = np.zeros(trials, dtype=np.int64)
    rows = max(1, _BLOCK_CELLS // days)
    for start in range(0, trials, rows):
        stop = min(start + rows, trials)
        for first_day in range(0, days, _BLOCK_CELLS):
            span = min(days - first_day, _BLOCK_CELLS)
            picks = rng.integers(0, len(window), size=(stop - start, span))
            out[start:stop] += window[picks].sum(axis=1)
    return out


# --- calibrated: rescaled stretches of the real history -----------------------------------------


def _origins(counts: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Days a stretch may start on, and the pace of the window before each (all > 0)."""
    cum = _cumulative(counts)
    starts = np.arange(WINDOW_DAYS, len(counts) - MIN_STRETCH_DAYS + 1, dtype=np.int64)
    pace = (cum[starts] - cum[starts - WINDOW_DAYS]) / WINDOW_DAYS
    keep = pace > 0
    return starts[keep], pace[keep]


def _cumulative(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.concatenate(([0], np.cumsum(counts, dtype=np.int64)))


class _Stretches:
    """Picks stretches for trials: where each starts and the factor that rescales it."""

    def __init__(self, counts: NDArray[np.int64], rng: np.random.Generator) -> None:
        self.cum = _cumulative(counts)
        self.end = len(counts)
        self.starts, self.pace = _origins(counts)
        age = self.end - self.starts
        weights = np.exp2(-age / HALF_LIFE_DAYS)
        self.probabilities = weights / weights.sum()
        self.pace_now = (self.cum[-1] - self.cum[-1 - WINDOW_DAYS]) / WINDOW_DAYS
        self.rng = rng

    def pick(self, level: NDArray[np.float64]) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """A start day per trial, and the factor taking that stretch to the trial's pace."""
        chosen = self.rng.choice(self.starts.size, size=level.size, p=self.probabilities)
        return self.starts[chosen], level / self.pace[chosen]


def _calibrated_when(
    counts: NDArray[np.int64], items: int, trials: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    stretches = _Stretches(counts, rng)
    cum, end = stretches.cum, stretches.end
    days = np.full(trials, np.inf)
    remaining = np.full(trials, float(items))
    elapsed = np.zeros(trials, dtype=np.int64)
    level = np.full(trials, stretches.pace_now)
    todo = np.arange(trials)
    while todo.size:
        start, scale = stretches.pick(level[todo])
        # The day the rescaled stretch reaches the items left: where the raw cumulative count
        # passes (items left / scale). A tolerance keeps exact hits from rounding past it.
        target = cum[start] + remaining[todo] / scale - 1e-9
        finish = np.searchsorted(cum, target, side="left")
        hit = finish <= end
        days[todo[hit]] = elapsed[todo[hit]] + finish[hit] - start[hit]
        miss = todo[~hit]
        elapsed[miss] += end - start[~hit]
        remaining[miss] -= scale[~hit] * (cum[end] - cum[start[~hit]])
        # The stretch ran up to today, so it ended on today's pace, rescaled.
        level[miss] = scale[~hit] * stretches.pace_now
        todo = miss[elapsed[miss] < MAX_DAYS]
    days[days > MAX_DAYS] = np.inf
    return days


def _calibrated_how_many(
    counts: NDArray[np.int64], days: int, trials: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    stretches = _Stretches(counts, rng)
    cum, end = stretches.cum, stretches.end
    total = np.zeros(trials)
    left = np.full(trials, days, dtype=np.int64)
    level = np.full(trials, stretches.pace_now)
    todo = np.arange(trials)
    while todo.size:
        start, scale = stretches.pick(level[todo])
        span = np.minimum(end - start, left[todo])
        total[todo] += scale * (cum[start + span] - cum[start])
        left[todo] -= span
        level[todo] = scale * stretches.pace_now
        todo = todo[left[todo] > 0]
    # Rescaled stretches give fractional items: the nearest whole count keeps them unbiased.
    return np.rint(total).astype(np.int64)
