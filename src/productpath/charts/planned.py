"""Planned dates drawn as bars: one row per initiative from its planned ``start`` to its
``target``, on a day scale with a line each week and one at today.

The bars carry what the timeline page's script needs to drag them (``data-key``, the dates and
the scale on the ``<svg>``); without the script the chart is a picture, and the date fields
beside it do the editing. Same rules as :mod:`productpath.charts.svg`: no inline styles, classes
from ``static/app.css``, every text escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from markupsafe import Markup, escape

from productpath.charts.svg import _fmt, svg_open

_ROW = 28
_BAR = 16
_LABEL_W = 230
_TOP = 30
_TITLE_CHARS = 30


class PlannedItem(Protocol):
    """What a row needs: the initiative's key, title, status and planned dates."""

    @property
    def key(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def start(self) -> dt.date | None: ...
    @property
    def target(self) -> dt.date | None: ...


def planned_svg(
    rows: Sequence[PlannedItem],
    *,
    first: dt.date,
    last: dt.date,
    today: dt.date,
    chart_id: str = "planned",
    width: int = 960,
) -> Markup:
    """Bars from each start to the end of its target day; a diamond where only one is set."""
    span = max((last - first).days, 1)
    plot_w = width - _LABEL_W - 12
    day_w = plot_w / span
    height = _TOP + len(rows) * _ROW + 8

    def x(day: dt.date) -> float:
        return _LABEL_W + (day - first).days * day_w

    dated = sum(1 for r in rows if r.start or r.target)
    description = (
        f"{len(rows)} open initiatives, {dated} with planned dates, "
        f"from {first.isoformat()} to {last.isoformat()}."
    )
    parts = [
        svg_open(chart_id, "Planned start and target", description, width, height).replace(
            "<svg ",
            f'<svg data-first="{first.isoformat()}" data-day-width="{day_w:.4f}" ',
            1,
        ),
        '<g class="planned__weeks">',
    ]
    week = first
    while week <= last:
        parts.append(
            f'<line x1="{_fmt(x(week))}" x2="{_fmt(x(week))}" y1="{_TOP - 6}" y2="{height}"/>'
        )
        if x(week) + 48 <= width:  # a label that fits
            parts.append(
                f'<text class="planned__week" x="{_fmt(x(week) + 2)}" y="{_TOP - 10}">'
                f"{week.day} {week:%b %Y}</text>"
                if week == first or (week.month == 1 and week.day <= 14)
                else f'<text class="planned__week" x="{_fmt(x(week) + 2)}" y="{_TOP - 10}">'
                f"{week.day} {week:%b}</text>"
            )
        week += dt.timedelta(days=14)
    parts.append("</g>")
    if first <= today <= last:
        parts.append(
            f'<line class="planned__today" x1="{_fmt(x(today))}" x2="{_fmt(x(today))}" '
            f'y1="{_TOP - 6}" y2="{height}"/>'
        )
    for n, row in enumerate(rows):
        y = _TOP + n * _ROW
        title = row.title if len(row.title) <= _TITLE_CHARS else row.title[: _TITLE_CHARS - 1] + "…"
        parts.append(
            f'<g class="planned__row" id="bar-{escape(row.key)}">'
            f'<text class="planned__label" x="4" y="{y + _BAR - 2}">{escape(title)}</text>'
        )
        status = escape(row.status)
        if row.start and row.target:
            left, right = x(row.start), x(row.target + dt.timedelta(days=1))
            parts.append(
                f'<rect class="planned__bar planned__bar--{status}" data-key="{escape(row.key)}" '
                f'data-start="{row.start.isoformat()}" data-target="{row.target.isoformat()}" '
                f'x="{_fmt(left)}" y="{y}" width="{_fmt(max(right - left, 2))}" '
                f'height="{_BAR}" rx="3"/>'
            )
        elif row.start is None and row.target is None:
            parts.append(
                f'<text class="planned__none" x="{_LABEL_W + 4}" y="{y + _BAR - 2}">'
                "no planned dates</text>"
            )
        elif row.start or row.target:
            day = row.start or row.target
            assert day is not None
            cx, cy, r = x(day), y + _BAR / 2, _BAR / 2
            parts.append(
                f'<path class="planned__point planned__bar--{status}" '
                f'd="M{_fmt(cx)} {_fmt(cy - r)} L{_fmt(cx + r)} {_fmt(cy)} '
                f'L{_fmt(cx)} {_fmt(cy + r)} L{_fmt(cx - r)} {_fmt(cy)} Z"/>'
            )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
