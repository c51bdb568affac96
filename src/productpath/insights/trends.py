"""Trends per theme: weekly volume and mean sentiment, and which themes are emerging.

A theme is *emerging* when its share of all feedback in the recent window (the last
``recent_weeks`` weeks up to the newest item not dated after today) is higher than its own share
before that, by a one-sided exact binomial test: under "nothing changed", the theme's recent
count is Binomial(recent total, baseline share). The baseline share is smoothed with half an item
(Jeffreys-style) so a theme that had no items before is tested against a small, non-zero share
rather than an impossible zero. The p-values of all themes are adjusted together with the
Benjamini-Hochberg procedure (many themes are tested at once), and a theme is flagged when its
adjusted q-value is at most ``alpha`` *and* its share at least ``min_ratio`` times the baseline
*and* it has at least ``min_count`` recent items, so a statistically clear but tiny change is not
called emerging. Every figure that went into the decision is returned as evidence.

The smoothing is for the test alone: the ratio shown and compared with ``min_ratio`` is the plain
recent share over the plain baseline share, so it can be checked from the counts beside it.

Items dated after today are left out: one mistyped year (2099) must not move the window to a
future where nothing is recent. Old dates are kept as history; the window starts at most
``baseline_weeks`` before the recent weeks anyway.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from productpath.domain.clock import today
from productpath.insights.source_mix import source_shift, source_windows

TEST_NAME = "one-sided exact binomial test of the recent share vs the theme's own baseline share"
ADJUSTMENT = "Benjamini-Hochberg"
RECENT_WEEKS = 4
BASELINE_WEEKS = 26
ALPHA = 0.05
MIN_RATIO = 1.5
MIN_COUNT = 5


@dataclass(frozen=True)
class WeekPoint:
    """One week (starting Monday) of one theme."""

    week_start: dt.date
    count: int
    mean_sentiment: float | None


@dataclass(frozen=True)
class EmergingEvidence:
    """Why a theme is (or is not) flagged as emerging."""

    recent_count: int
    recent_total: int
    recent_share: float
    baseline_count: int
    baseline_total: int
    baseline_share: float
    # recent share / baseline share; None without a baseline or when it had no item of the theme
    ratio: float | None
    p_value: float | None  # None when there is nothing to test against
    q_value: float | None
    emerging: bool
    reason: str
    # Set when the share rose only because a feedback source started or stopped (see
    # insights/source_mix.py); the theme is then not flagged as emerging.
    source_shift: str = ""


@dataclass(frozen=True)
class ThemeTrend:
    theme: int
    weeks: tuple[WeekPoint, ...]
    evidence: EmergingEvidence


@dataclass(frozen=True)
class TrendSettings:
    recent_weeks: int = RECENT_WEEKS
    baseline_weeks: int = BASELINE_WEEKS
    alpha: float = ALPHA
    min_ratio: float = MIN_RATIO
    min_count: int = MIN_COUNT


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def trend_end(dates: Sequence[dt.date], until: dt.date | None = None) -> dt.date | None:
    """The newest of ``dates`` not after ``until`` (default: today); None when there is none."""
    last = until or today()
    return max((day for day in dates if day <= last), default=None)


def theme_trends(
    dates: Sequence[dt.date],
    themes: Sequence[int],
    sentiments: Sequence[float | None],
    *,
    as_of: dt.date | None = None,
    settings: TrendSettings | None = None,
    sources: Sequence[str] | None = None,
) -> dict[int, ThemeTrend]:
    """Weekly series and emerging evidence for every theme number in ``themes`` (-1: none).

    Items without a theme still count in the totals that shares are taken of. ``as_of`` ends
    the recent window (default: :func:`trend_end`, the newest date not after today); items
    after it are left out. Weeks run from the baseline's first week to the week of ``as_of``,
    with empty weeks as zero. With ``sources`` (each item's feedback source), a rise that is
    only a source starting or stopping is not called emerging but explained.
    """
    cfg = settings or TrendSettings()
    end = as_of or trend_end(dates)
    if end is None:
        return {}
    last_week = week_start(end)
    recent_from = last_week - dt.timedelta(weeks=cfg.recent_weeks - 1)
    baseline_from = recent_from - dt.timedelta(weeks=cfg.baseline_weeks)
    first_week = max(week_start(min(dates)), baseline_from)
    n_weeks = (last_week - first_week).days // 7 + 1

    counts: dict[int, np.ndarray] = {}
    sums: dict[int, np.ndarray] = {}
    scored: dict[int, np.ndarray] = {}
    recent_total = baseline_total = 0
    for day, theme, sentiment in zip(dates, themes, sentiments, strict=True):
        if day > end or day < first_week:
            continue
        index = (week_start(day) - first_week).days // 7
        if day >= recent_from:
            recent_total += 1
        else:
            baseline_total += 1
        if theme < 0:
            continue
        if theme not in counts:
            counts[theme] = np.zeros(n_weeks, dtype=np.int64)
            sums[theme] = np.zeros(n_weeks)
            scored[theme] = np.zeros(n_weeks, dtype=np.int64)
        counts[theme][index] += 1
        if sentiment is not None:
            sums[theme][index] += sentiment
            scored[theme][index] += 1

    # Negative when all the history is younger than the recent window: every week is recent.
    recent_index = max((recent_from - first_week).days // 7, 0)
    raw = {
        theme: _test(
            int(series[recent_index:].sum()),
            recent_total,
            int(series[:recent_index].sum()),
            baseline_total,
        )
        for theme, series in counts.items()
    }
    q_values = benjamini_hochberg({t: p for t, (p, _) in raw.items() if p is not None})
    windows = None if sources is None else source_windows(dates, sources, recent_from, end)
    result = {}
    for theme in sorted(counts):
        weeks = tuple(
            WeekPoint(
                first_week + dt.timedelta(weeks=i),
                int(counts[theme][i]),
                float(sums[theme][i] / scored[theme][i]) if scored[theme][i] else None,
            )
            for i in range(n_weeks)
        )
        p_value, base = raw[theme]
        evidence = _decide(base, p_value, q_values.get(theme), cfg)
        if evidence.emerging and sources is not None and windows is not None:
            shift = source_shift(
                theme, dates, themes, sources, windows, recent_from=recent_from,
                baseline_from=first_week, end=end, min_ratio=cfg.min_ratio,
            )  # fmt: skip
            if shift:
                evidence = replace(evidence, emerging=False, reason=shift, source_shift=shift)
        result[theme] = ThemeTrend(theme, weeks, evidence)
    return result


@dataclass(frozen=True)
class _Counts:
    recent: int
    recent_total: int
    baseline: int
    baseline_total: int


def _test(
    recent: int, recent_total: int, baseline: int, baseline_total: int
) -> tuple[float | None, _Counts]:
    counts = _Counts(recent, recent_total, baseline, baseline_total)
    if baseline_total == 0 or recent_total == 0:
        return None, counts
    share = (baseline + 0.5) / (baseline_total + 1)
    # P(X >= recent) for X ~ Binomial(recent_total, share).
    return binomial_sf(recent - 1, recent_total, share), counts


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X > k) for X ~ Binomial(n, p), 0 < p < 1: scipy.stats.binom.sf's own numbers.

    Importing scipy.stats costs most of a second of CPU, more than an incremental insights run
    spends on everything else, so this calls the special function that binom.sf itself calls
    (Boost's, in scipy.special) and falls back to the Cephes one, equal to 1e-9 relative, on a
    SciPy without it. tests/test_insights_trends.py checks it against binom.sf.
    """
    if k < 0:
        return 1.0
    if k >= n:
        return 0.0
    from scipy.special import _ufuncs, bdtrc

    sf = getattr(_ufuncs, "_binom_sf", None)
    return float(sf(float(k), float(n), p)) if sf is not None else float(bdtrc(k, n, p))


def _decide(
    c: _Counts, p_value: float | None, q_value: float | None, cfg: TrendSettings
) -> EmergingEvidence:
    recent_share = c.recent / c.recent_total if c.recent_total else 0.0
    baseline_share = c.baseline / c.baseline_total if c.baseline_total else 0.0
    growth = _growth(c.recent, c.recent_total, c.baseline, c.baseline_total)
    ratio = growth if growth is not None and math.isfinite(growth) else None
    if p_value is None or q_value is None:
        why = "no earlier feedback" if not c.baseline_total else "no feedback in the recent weeks"
        return EmergingEvidence(
            c.recent, c.recent_total, recent_share, c.baseline, c.baseline_total,
            baseline_share, ratio, None, None, False, f"not tested: {why}",
        )  # fmt: skip
    checks = [
        (q_value <= cfg.alpha, f"q = {q_value:.3g} > {cfg.alpha}"),
        (growth is not None and growth >= cfg.min_ratio, f"share grew less than {cfg.min_ratio}x"),
        (c.recent >= cfg.min_count, f"fewer than {cfg.min_count} recent items"),
    ]
    failed = [why for ok, why in checks if not ok]
    emerging = not failed
    times = "new" if ratio is None else f"{ratio:.1f}x"
    reason = (
        f"share {recent_share:.1%} in the last {cfg.recent_weeks} weeks vs "
        f"{baseline_share:.1%} before ({times}), q = {q_value:.2g}"
        if emerging
        else "; ".join(failed)
    )
    return EmergingEvidence(
        c.recent, c.recent_total, recent_share, c.baseline, c.baseline_total,
        baseline_share, ratio, p_value, q_value, emerging, reason,
    )  # fmt: skip


def _growth(recent: int, recent_total: int, baseline: int, baseline_total: int) -> float | None:
    """Recent share over baseline share, unsmoothed: infinite for a theme with no earlier item,
    None when either window is empty or the theme is in neither."""
    if not baseline_total or not recent_total:
        return None
    if baseline == 0:
        return math.inf if recent else None
    return (recent / recent_total) / (baseline / baseline_total)


def benjamini_hochberg(p_values: dict[int, float]) -> dict[int, float]:
    """Benjamini-Hochberg adjusted p-values (q-values), keyed like the input."""
    if not p_values:
        return {}
    keys = sorted(p_values, key=lambda k: p_values[k])
    m = len(keys)
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        running = min(running, p_values[keys[rank - 1]] * m / rank)
        adjusted[rank - 1] = running
    return {key: min(1.0, q) for key, q in zip(keys, adjusted, strict=True)}


def share_change(evidence: EmergingEvidence) -> float | None:
    """The evidence's ratio for a compact trend column, infinite for a theme that is new."""
    return _growth(
        evidence.recent_count,
        evidence.recent_total,
        evidence.baseline_count,
        evidence.baseline_total,
    )
