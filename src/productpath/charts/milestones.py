"""Milestones at a glance, as server-side SVG: each milestone's likely finish (from an even
chance to 95% likely) as a bar, against its target date, on one dated axis.

Drawn for the executive report, so a board reads it without a legend lookup: one row per
milestone, its name on the left, a bar from the date it is 50% likely to be done to the date it
is 95% likely, a tick where it is 85% likely, and a diamond on its target. A bar that ends after
its target is drawn as at risk. The x axis is labelled with months and years.

Same rules as :mod:`productpath.charts.svg`: no inline styles or scripts (colours come from
classes in ``static/app.css`` and ``reports/templates/charts.css``), geometry as presentation
attributes only, so the file is static SVG that a PDF renderer draws as it is; every text is
escaped, and a title and description carry the numbers for screen readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from productpath.charts.svg import _fmt, svg_open

# Drawn wide and short: on an A4 page the chart is scaled to the text width, and the executive
# report must stay one page.
_ROW = 16
_BAR = 9
_LABEL_W = 190
_NAME_CHARS = 28
_TOP, _BOTTOM, _RIGHT = 14, 16, 24


@dataclass(frozen=True)
class MilestoneRange:
    """One milestone's target and forecast dates; the dates are None when it has no forecast."""

    name: str
    target: dt.date
    p50: dt.date | None
    p85: dt.date | None
    p95: dt.date | None
    at_risk: bool = False


def milestone_range_svg(
    rows: Sequence[MilestoneRange],
    *,
    today: dt.date,
    chart_id: str = "milestone-ranges",
    width: int = 900,
    note: str = "",
) -> Markup:
    """Each milestone's 50%-95% likely finish as a bar against its target date (a diamond).
    ``note`` (one short sentence) is written above the plot, before the key."""
    height = _TOP + len(rows) * _ROW + _BOTTOM
    days = [today] + [d for r in rows for d in (r.target, r.p50, r.p95) if d is not None]
    first, last = _month_start(min(days)), _next_month(max(days))
    span = max((last - first).days, 1)
    plot_w = width - _LABEL_W - _RIGHT
    plot_bottom = _TOP + len(rows) * _ROW

    def x(day: dt.date) -> str:
        return _fmt(_LABEL_W + (day - first).days / span * plot_w)

    parts = [
        svg_open(chart_id, "Milestones: forecast against target", _describe(rows), width, height)
    ]
    parts.append('<g class="chart__grid" aria-hidden="true">')
    shown_year = None
    for tick in _month_ticks(first, last):
        # Every label names its month; the first and each one in a new year name the year too.
        label = f"{tick:%b}" if tick.year == shown_year else f"{tick:%b %Y}"
        shown_year = tick.year
        parts.append(
            f'<line x1="{x(tick)}" x2="{x(tick)}" y1="{_TOP}" y2="{plot_bottom}"/>'
            f'<text class="chart__tick" x="{x(tick)}" y="{plot_bottom + 14}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</g>")
    parts.append(
        f'<g class="chart__marker chart__marker--today" aria-hidden="true">'
        f'<line x1="{x(today)}" x2="{x(today)}" y1="{_TOP}" y2="{plot_bottom}"/>'
        f'<text x="{x(today)}" y="{_TOP - 4}" text-anchor="middle">today</text></g>'
    )
    # The key, on the line above the plot, so the chart needs no caption to be read.
    parts.append(
        f'<text class="chart__tick" x="{width - _RIGHT}" y="{_TOP - 4}" text-anchor="end">'
        f"{escape(note + ' ' if note else '')}"
        "Bar: 50% to 95% likely done · tick: 85% likely · diamond: target</text>"
    )
    for n, row in enumerate(rows):
        parts.append(_row(row, _TOP + n * _ROW + _ROW / 2, x))
    parts.append("</svg>")
    return Markup("".join(parts))


def _row(row: MilestoneRange, mid: float, at: Callable[[dt.date], str]) -> str:
    name = row.name if len(row.name) <= _NAME_CHARS else row.name[: _NAME_CHARS - 1] + "…"
    state = "late" if row.at_risk else "safe"
    out = [
        f'<g class="ranges__row ranges__row--{state}" aria-hidden="true">'
        f'<text class="ranges__label" x="{_LABEL_W - 8}" y="{_fmt(mid)}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(name)}</text>'
    ]
    if row.p50 is not None and row.p95 is not None:
        left, right = float(at(row.p50)), float(at(row.p95))
        out.append(
            f'<rect class="ranges__bar" x="{_fmt(left)}" y="{_fmt(mid - _BAR / 2)}" '
            f'width="{_fmt(max(right - left, 2.0))}" height="{_BAR}" rx="2"/>'
        )
        if row.p85 is not None:
            tick = at(row.p85)
            out.append(
                f'<line class="ranges__p85" x1="{tick}" x2="{tick}" '
                f'y1="{_fmt(mid - _BAR / 2 - 2)}" y2="{_fmt(mid + _BAR / 2 + 2)}"/>'
            )
    else:
        out.append(
            f'<text class="ranges__none" x="{_fmt(float(at(row.target)) + 10)}" y="{_fmt(mid)}" '
            f'dominant-baseline="middle">no forecast yet</text>'
        )
    tx, r = float(at(row.target)), 6.0
    out.append(
        f'<path class="ranges__target" d="M{_fmt(tx)} {_fmt(mid - r)} L{_fmt(tx + r)} {_fmt(mid)} '
        f'L{_fmt(tx)} {_fmt(mid + r)} L{_fmt(tx - r)} {_fmt(mid)} Z"/>'
    )
    out.append("</g>")
    return "".join(out)


def _describe(rows: Sequence[MilestoneRange]) -> str:
    parts = []
    for row in rows:
        if row.p50 is None or row.p95 is None:
            parts.append(f"{row.name}: target {row.target.isoformat()}, no forecast yet.")
        else:
            parts.append(
                f"{row.name}: target {row.target.isoformat()}; 50% likely by "
                f"{row.p50.isoformat()}, 95% likely by {row.p95.isoformat()}."
            )
    return " ".join(parts) or "No milestones."


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _month_ticks(first: dt.date, last: dt.date) -> list[dt.date]:
    """Month starts from ``first`` to ``last``, thinned to at most 8 labels (every 2nd, 3rd,
    6th or 12th month, counted from January so every new year gets its tick)."""
    months = []
    day = first
    while day <= last:
        months.append(day)
        day = _next_month(day)
    step = next((s for s in (1, 2, 3, 6, 12) if len(months) / s <= 8), 12)
    return [m for m in months if (m.month - 1) % step == 0]
