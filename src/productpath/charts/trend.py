"""Several dated series on one chart with a legend: the weekly volume of the top customer
themes. Colours come from the classes ``chart__line--t0`` .. ``t4`` (and ``chart__legend .t0``
..), so at most :data:`MAX_SERIES` lines are drawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from markupsafe import Markup, escape

from productpath.charts.svg import Series, line_chart, svg_open

MAX_SERIES = 5
_LEGEND_ROW = 18


def trend_chart(
    lines: Sequence[tuple[str, Sequence[tuple[dt.date, float]]]],
    *,
    chart_id: str,
    title: str,
    width: int = 640,
    height: int = 220,
    as_of: dt.date | None = None,
) -> Markup:
    """``lines`` are (name, points) in order of importance; the legend lists them in that order."""
    shown = list(lines)[:MAX_SERIES]
    series = [Series(name, points, f"t{n}") for n, (name, points) in enumerate(shown) if points]
    totals = ", ".join(f"{name}: {sum(v for _, v in points):.0f}" for name, points in shown)
    chart = line_chart(
        series,
        chart_id=chart_id,
        title=title,
        description=f"Items per week. Totals over the period: {totals}.",
        width=width,
        height=height,
        as_of=as_of,
    )
    legend_h = _LEGEND_ROW * len(shown) + 4
    legend = [
        svg_open(f"{chart_id}-legend", f"Legend of {title}", "Which colour is which line.",
                 width, legend_h),
        '<g class="chart__legend">',
    ]  # fmt: skip
    for n, (name, _) in enumerate(shown):
        y = 4 + n * _LEGEND_ROW
        legend.append(
            f'<rect class="t{n}" x="40" y="{y + 4}" width="18" height="8" rx="2"/>'
            f'<text x="66" y="{y + 12}">{escape(name)}</text>'
        )
    legend.append("</g></svg>")
    return Markup(str(chart) + "".join(legend))
