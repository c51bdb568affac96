"""Whether a theme's rise is a feedback source starting or stopping rather than customers.

A theme's share is taken of all feedback in a window. When one source (an issue tracker, a
survey export) starts inside the recent window, its themes gain share from nothing; when
another stops before it, the themes of the sources still running gain share because the total
shrank. Either reads as "emerging" though no customer asks more. :func:`source_shift` repeats
the share comparison over the *steady* sources only (those with feedback both before and in the
recent window) and, when the rise is gone there, names the sources that started or stopped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SourceWindows:
    """Which sources started or stopped around the recent window, and which ran through it."""

    started: frozenset[str]  # no item before the recent window, some in it
    stopped: frozenset[str]  # items before the recent window, none in it
    steady: frozenset[str]  # items in both


def source_windows(
    dates: Sequence[dt.date], sources: Sequence[str], recent_from: dt.date, end: dt.date
) -> SourceWindows:
    """Classify each source by whether it has items before ``recent_from`` and up to ``end``."""
    before: set[str] = set()
    recent: set[str] = set()
    for day, source in zip(dates, sources, strict=True):
        if day > end:
            continue
        (recent if day >= recent_from else before).add(source)
    return SourceWindows(
        started=frozenset(recent - before),
        stopped=frozenset(before - recent),
        steady=frozenset(before & recent),
    )


def source_shift(
    theme: int,
    dates: Sequence[dt.date],
    themes: Sequence[int],
    sources: Sequence[str],
    windows: SourceWindows,
    *,
    recent_from: dt.date,
    baseline_from: dt.date,
    end: dt.date,
    min_ratio: float,
) -> str:
    """Why ``theme``'s rise is the source mix (one sentence), or "" when it is not.

    The rise is the mix when, over the steady sources alone, the theme's recent share is less
    than ``min_ratio`` times its earlier share, and some source started or stopped.
    """
    if not windows.started and not windows.stopped:
        return ""
    recent = recent_total = before = before_total = 0
    from_started = 0
    for day, number, source in zip(dates, themes, sources, strict=True):
        if day > end or day < baseline_from:
            continue
        in_recent = day >= recent_from
        if number == theme and in_recent and source in windows.started:
            from_started += 1
        if source not in windows.steady:
            continue
        if in_recent:
            recent_total += 1
            recent += number == theme
        else:
            before_total += 1
            before += number == theme
    steady_rise = (
        recent_total > 0
        and recent > 0
        and (before == 0 or (recent / recent_total) >= min_ratio * (before / before_total))
    )
    if steady_rise:
        return ""
    parts = []
    if windows.started:
        parts.append(f"{_names(windows.started)} started in the recent weeks")
    if windows.stopped:
        parts.append(f"{_names(windows.stopped)} stopped before them")
    steady = (
        f"among sources with feedback throughout, its share went {_share(before, before_total)} "
        f"to {_share(recent, recent_total)}"
        if windows.steady
        else "no source has feedback throughout"
    )
    origin = f"; {from_started} of its recent items come from a new source" if from_started else ""
    return f"rise from the source mix, not customers: {' and '.join(parts)}; {steady}{origin}"


def _names(sources: frozenset[str]) -> str:
    listed = ", ".join(f"'{s}'" for s in sorted(sources))
    return f"source {listed}" if len(sources) == 1 else f"sources {listed}"


def _share(count: int, total: int) -> str:
    return f"{count / total:.1%}" if total else "n/a"
