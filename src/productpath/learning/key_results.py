"""A key result's progress, computed from the KPI it points at rather than typed in.

Progress is the share of the way from a **baseline** to the key result's **target**: the
baseline is the KPI's last value on or before a start day (by default its first value), the
current level its latest value. The share is clipped to 0..1, so a KPI that moved the wrong way
shows 0 and one past the target shows 1; a target equal to the baseline counts as reached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

METHOD = (
    "share of the way from the KPI's first value (the baseline) to the target, at its latest "
    "value, clipped to 0..1"
)


class KeyResultProgress(BaseModel):
    model_config = ConfigDict(frozen=True)

    kpi: str
    baseline: float
    latest: float
    latest_day: dt.date
    target: float
    progress: float  # 0..1, share of the way from the baseline to the target


def progress_towards(
    target: float, series: Sequence[tuple[dt.date, float]], *, since: dt.date | None = None
) -> tuple[float, float, dt.date, float] | None:
    """(baseline, latest, latest day, progress 0..1) of a series towards ``target``.

    The baseline is the last value on or before ``since`` (default: the first value); progress
    is the share of the way from it to the target, clipped to 0..1. None without values.
    """
    if not series:
        return None
    before = [v for d, v in series if since is not None and d <= since]
    baseline = before[-1] if before else series[0][1]
    latest_day, latest = series[-1]
    share = 1.0 if target == baseline else (latest - baseline) / (target - baseline)
    return baseline, latest, latest_day, min(max(share, 0.0), 1.0)


def progress_of(
    kpi: str,
    target: float | None,
    series: Sequence[tuple[dt.date, float]],
    *,
    since: dt.date | None = None,
) -> KeyResultProgress | None:
    """The progress of a key result with ``target`` on KPI ``kpi``; None without a target or
    without values."""
    if target is None:
        return None
    found = progress_towards(target, series, since=since)
    if found is None:
        return None
    baseline, latest, latest_day, share = found
    return KeyResultProgress(
        kpi=kpi,
        baseline=baseline,
        latest=latest,
        latest_day=latest_day,
        target=target,
        progress=share,
    )
