"""A milestone's burn-up drawn as a line chart (see :mod:`productpath.charts.svg`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup

from productpath.charts.svg import Marker, Series, line_chart
from productpath.delivery.status import MilestoneDelivery


class _Week(Protocol):
    @property
    def week_start(self) -> dt.date: ...
    @property
    def scope(self) -> int: ...
    @property
    def done(self) -> int: ...


class Burnup(Protocol):
    """Scope and done per week (the delivery page's ``MilestoneBurnup`` has them)."""

    @property
    def weeks(self) -> Sequence[_Week]: ...


def burnup_svg(milestone: MilestoneDelivery, burnup: Burnup, today: dt.date) -> Markup:
    """Scope and done per week, the projection from today to the projected date, the target."""
    weeks = burnup.weeks
    # Each count is "by the end of the week": plot it there (this week's, at today).
    ends = [min(w.week_start + dt.timedelta(days=6), today) for w in weeks]
    series = [
        Series("Scope", [(end, w.scope) for end, w in zip(ends, weeks, strict=True)], "scope"),
        Series("Done", [(end, w.done) for end, w in zip(ends, weeks, strict=True)], "done"),
    ]
    if weeks and milestone.projected_date is not None and milestone.items_remaining > 0:
        series.append(
            Series(
                "Projection",
                [(today, milestone.items_done), (milestone.projected_date, milestone.items_total)],
                "projection",
                dashed=True,
            )
        )
    markers = [Marker(milestone.target_date, "target", "target")]
    if weeks:
        markers.append(Marker(today, "today", "today", above=False))
    projected = (
        f" At the recent pace the rest is done on {milestone.projected_date.isoformat()}."
        if milestone.projected_date and milestone.items_remaining
        else ""
    )
    return line_chart(
        series,
        chart_id=f"burnup-{milestone.key}",
        title=f"Burn-up of {milestone.name}",
        description=f"{milestone.items_done} of {milestone.items_total} items done by "
        f"{today.isoformat()}; target {milestone.target_date.isoformat()}.{projected}",
        markers=markers,
    )
