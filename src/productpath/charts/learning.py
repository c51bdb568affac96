"""A KPI's series as a server-side SVG: values, the expected level (trend + weekly pattern),
the Theil-Sen line, and anomalies as red dots. The y axis spans the data, not zero, because a
rate moving between 96% and 97% is the story. No inline styles (see :mod:`charts.svg`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

from productpath.charts.svg import svg_open, time_grid


class _Point(Protocol):
    @property
    def day(self) -> dt.date: ...
    @property
    def value(self) -> float: ...
    @property
    def expected(self) -> float | None: ...


class _Anomaly(Protocol):
    @property
    def day(self) -> dt.date: ...
    @property
    def value(self) -> float: ...
    @property
    def expected(self) -> float: ...


class _Trend(Protocol):
    @property
    def direction(self) -> str: ...
    @property
    def start_value(self) -> float: ...
    @property
    def end_value(self) -> float: ...


class KpiSeries(Protocol):
    """What the KPI chart reads (the KPI page's ``KpiDetail`` has it)."""

    @property
    def key(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def cadence(self) -> str: ...
    @property
    def points(self) -> Sequence[_Point]: ...
    @property
    def trend(self) -> _Trend | None: ...
    @property
    def anomalies(self) -> Sequence[_Anomaly]: ...


_W, _H = 720, 280
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 14, 16, 30


def _fmt(value: float) -> str:
    return f"{value:.1f}"


def _label(value: float) -> str:
    return f"{value:,.4g}"


def kpi_svg(detail: KpiSeries) -> Markup:
    """The chart for ``detail``; axes only when it has no values."""
    chart_id = f"kpi-{detail.key}"
    points = detail.points
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    values = [p.value for p in points] + [p.expected for p in points if p.expected is not None]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (high - low) * 0.08 or abs(high) * 0.05 or 1.0
    low, high = low - pad, high + pad
    first = points[0].day if points else dt.date.today()
    span = max((points[-1].day - first).days, 1) if points else 1

    def x(day: dt.date) -> str:
        return _fmt(_LEFT + (day - first).days / span * plot_w)

    def y(value: float) -> str:
        return _fmt(_TOP + plot_h - (value - low) / (high - low) * plot_h)

    trend = detail.trend
    description = f"{len(points)} {detail.cadence} values"
    if points:
        description += f" from {points[0].day} to {points[-1].day}, latest {points[-1].value:g}"
    if trend is not None:
        description += f"; trend {trend.direction}"
    description += f"; {len(detail.anomalies)} anomalies."
    parts = [
        svg_open(chart_id, detail.name, description, _W, _H),
        time_grid(
            x,
            y,
            values=[low + (high - low) * i / 4 for i in range(5)],
            label=_label,
            first=first,
            span=span,
            left=_LEFT,
            right=_W - _RIGHT,
            baseline=_H - 10,
            month="%b %y",
        ),
    ]
    if points:
        expected = " ".join(f"{x(p.day)},{y(p.expected)}" for p in points if p.expected is not None)
        parts.append(
            '<g class="chart__line chart__line--projection chart__line--dashed" aria-hidden="true">'
            f'<polyline fill="none" points="{expected}"/></g>'
        )
        line = " ".join(f"{x(p.day)},{y(p.value)}" for p in points)
        parts.append(
            '<g class="chart__line chart__line--scope" aria-hidden="true">'
            f'<polyline fill="none" points="{line}"/></g>'
        )
    if trend is not None and points:
        parts.append(
            '<g class="chart__line chart__line--done" aria-hidden="true"><polyline fill="none" '
            f'points="{x(points[0].day)},{y(trend.start_value)} '
            f'{x(points[-1].day)},{y(trend.end_value)}"/></g>'
        )
    for a in detail.anomalies:
        parts.append(
            f'<g class="chart__anomaly"><circle cx="{x(a.day)}" cy="{y(a.value)}" r="4.5">'
            f"<title>{a.day}: {escape(_label(a.value))} (expected "
            f"{escape(_label(a.expected))})</title></circle></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
