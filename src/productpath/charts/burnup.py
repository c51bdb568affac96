"""A milestone's burn-up from plain weekly counts: scope and done, the projection from today to
the projected date, and the target date (see :func:`productpath.charts.svg.line_chart`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup

from productpath.charts.svg import Marker, Series, line_chart


def burnup_chart(
    *,
    key: str,
    name: str,
    weeks: Sequence[tuple[dt.date, int, int]],
    target: dt.date,
    today: dt.date,
    projected: dt.date | None,
    width: int = 640,
    height: int = 240,
) -> Markup:
    """``weeks`` holds (Monday, scope, done) per week, oldest first; each count is "by the end of
    that week", so it is drawn at the week's Sunday (the current week's at ``today``)."""
    ends = [min(monday + dt.timedelta(days=6), today) for monday, _, _ in weeks]
    scope = [(end, float(s)) for end, (_, s, _) in zip(ends, weeks, strict=True)]
    done = [(end, float(d)) for end, (_, _, d) in zip(ends, weeks, strict=True)]
    series = [Series("Scope", scope, "scope"), Series("Done", done, "done")]
    total = scope[-1][1] if scope else 0.0
    finished = done[-1][1] if done else 0.0
    if weeks and projected is not None and finished < total:
        series.append(
            Series("Projection", [(today, finished), (projected, total)], "projection", True)
        )
    markers = [Marker(target, "target", "target")]
    if weeks:
        markers.append(Marker(today, "today", "today", above=False))
    described = (
        f"{finished:.0f} of {total:.0f} items done by {today.isoformat()}; "
        f"target {target.isoformat()}."
    )
    if projected is not None and finished < total:
        described += f" At the recent pace the rest is done on {projected.isoformat()}."
    return line_chart(
        series,
        chart_id=f"burnup-{key}",
        title=f"Burn-up of {name}",
        description=described,
        markers=markers,
        width=width,
        height=height,
    )
