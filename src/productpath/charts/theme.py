"""Theme charts as server-side SVG: a weekly-volume sparkline for the list, and the weekly
volume as a full line chart (see :mod:`productpath.charts.svg`) for a theme's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

from productpath.charts.svg import Series, line_chart


class _Week(Protocol):
    @property
    def week_start(self) -> dt.date: ...
    @property
    def count(self) -> int: ...


class WeeklyTheme(Protocol):
    """What the charts read of a theme (the themes page's ``ThemeSummary`` has it)."""

    @property
    def number(self) -> int: ...
    @property
    def weeks(self) -> Sequence[_Week]: ...


SPARK_WIDTH = 120
SPARK_HEIGHT = 28


def sparkline_svg(theme: WeeklyTheme, *, weeks: int = 12) -> Markup:
    """The last ``weeks`` weeks of items as a small line, scaled to the busiest week."""
    counts = [w.count for w in theme.weeks[-weeks:]]
    label = f"Items per week in theme {theme.number}, last {len(counts)} weeks: " + ", ".join(
        str(c) for c in counts
    )
    top = max(counts, default=0) or 1
    step = SPARK_WIDTH / max(len(counts) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{SPARK_HEIGHT - 2 - c / top * (SPARK_HEIGHT - 4):.1f}"
        for i, c in enumerate(counts)
    )
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<g class="chart__line chart__line--done"><polyline fill="none" points="{points}"/></g>'
        "</svg>"
    )


def weekly_svg(theme: WeeklyTheme) -> Markup:
    """Items per week, plotted at each week's end."""
    points = [(w.week_start + dt.timedelta(days=6), float(w.count)) for w in theme.weeks]
    total = sum(w.count for w in theme.weeks)
    return line_chart(
        [Series("Items", points, "done")],
        chart_id=f"theme-{theme.number}-weekly",
        title=f"Items per week in theme #{theme.number}",
        description=f"{total} items over {len(points)} weeks; the table below lists each week.",
    )
