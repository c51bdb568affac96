"""The plan drawn as server-side SVG: a Gantt chart with dependencies and milestones, and each
milestone's forecast fan (the chance of being done by each date).

Same rules as :mod:`productpath.charts.svg`: no inline styles or scripts, colours from classes
in ``static/app.css``, every text escaped, a title and description for screen readers, and the
same numbers in a table on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape

from productpath.charts.svg import Marker, Series, _fmt, line_chart, svg_open
from productpath.planning.roadmap_sim import MilestoneForecast
from productpath.planning.schedule import Schedule, Slot

_ROW = 24
_BAR = 14
_LABEL_W = 220
_TITLE_CHARS = 28


def gantt_svg(
    schedule: Schedule,
    team_names: Mapping[str, str],
    *,
    today: dt.date,
    chart_id: str = "gantt",
    width: int = 960,
) -> Markup:
    """One row per scheduled initiative, grouped by team; arrows from each dependency's end to
    the start of what waits on it; a dashed line at each milestone's target date."""
    slots = _rows(schedule.slots)
    teams = list(dict.fromkeys(slot.team for slot in slots))
    top, bottom, right = 44, 26, 16
    rows = len(slots) + len(teams)
    height = top + rows * _ROW + bottom
    days = [
        schedule.start,
        *(s.finish for s in slots),
        *(m.target_date for m in schedule.milestones),
    ]
    first, last = min(days), max(days)
    span = max((last - first).days, 7)
    plot_w = width - _LABEL_W - right

    def x(day: dt.date) -> float:
        return _LABEL_W + (day - first).days / span * plot_w

    description = (
        f"{len(slots)} initiatives on {len(teams)} teams from {schedule.start.isoformat()}"
        + (f" to {schedule.finish.isoformat()}" if schedule.finish else "")
        + ". Critical path: "
        + (" then ".join(schedule.critical_path) or "none")
        + "."
    )
    parts = [svg_open(chart_id, "Schedule by team", description, width, height, "group")]
    parts.append(
        f'<defs><marker id="{chart_id}-arrow" class="gantt__arrowhead" viewBox="0 0 8 8" '
        'refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        '<path d="M0,0 L8,4 L0,8 z"/></marker></defs>'
    )
    parts.append('<g class="chart__grid" aria-hidden="true">')
    for i in range(6):
        day = first + dt.timedelta(days=round(span * i / 5))
        anchor = "start" if i == 0 else "end" if i == 5 else "middle"
        parts.append(
            f'<line x1="{_fmt(x(day))}" x2="{_fmt(x(day))}" y1="{top}" y2="{height - bottom}"/>'
            f'<text class="chart__tick" x="{_fmt(x(day))}" y="{height - 8}" '
            f'text-anchor="{anchor}">{day.day} {day:%b %Y}</text>'
        )
    parts.append("</g>")
    y_of: dict[str, float] = {}
    row = 0
    bars: list[str] = []
    for team in teams:
        label_y = top + row * _ROW + _ROW / 2
        bars.append(
            f'<text class="gantt__team" x="4" y="{_fmt(label_y)}" dominant-baseline="middle">'
            f"{escape(team_names.get(team, team))}</text>"
        )
        row += 1
        for slot in (s for s in slots if s.team == team):
            mid = top + row * _ROW + _ROW / 2
            y_of[slot.key] = mid
            bars.append(_bar(slot, x(slot.start), x(slot.finish), mid))
            row += 1
    arrows = []
    for slot in slots:
        for dep in slot.depends_on:
            if dep not in y_of:
                continue
            source = next(s for s in slots if s.key == dep)
            x1, y1 = x(source.finish), y_of[dep]
            x2, y2 = x(slot.start), y_of[slot.key]
            bend = max(x1, x2 - 8)
            arrows.append(
                f'<path d="M{_fmt(x1)},{_fmt(y1)} H{_fmt(bend)} V{_fmt(y2)} H{_fmt(x2)}" '
                f'marker-end="url(#{chart_id}-arrow)"/>'
            )
    parts.append(f'<g class="gantt__deps" aria-hidden="true">{"".join(arrows)}</g>')
    parts.extend(bars)
    # Labels alternate between two heights so that close milestones stay readable.
    by_date = sorted(schedule.milestones, key=lambda m: m.target_date)
    for n, m in enumerate(by_date):
        mx = _fmt(x(m.target_date))
        late = " gantt__milestone--late" if m.met is False else ""
        label_y = top - 8 - (n % 2) * 14
        anchor = "end" if x(m.target_date) > width - 80 else "middle"
        parts.append(
            f'<g class="gantt__milestone{late}" aria-hidden="true">'
            f'<line x1="{mx}" x2="{mx}" y1="{label_y + 4}" y2="{height - bottom}"/>'
            f'<text x="{mx}" y="{label_y}" text-anchor="{anchor}">{escape(m.name)}</text></g>'
        )
    if first <= today <= last:
        tx = _fmt(x(today))
        parts.append(
            '<g class="chart__marker chart__marker--today" aria-hidden="true">'
            f'<line x1="{tx}" x2="{tx}" y1="{top}" y2="{height - bottom}"/></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _rows(slots: Sequence[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda s: (s.start_week, s.finish_week))


def _bar(slot: Slot, left: float, right: float, mid: float) -> str:
    title = slot.title if len(slot.title) <= _TITLE_CHARS else slot.title[: _TITLE_CHARS - 1] + "…"
    classes = f"gantt__bar gantt__bar--{escape(slot.status)}"
    if slot.critical:
        classes += " gantt__bar--critical"
    label = f"{slot.title} ({slot.key}): {slot.start.isoformat()} to {slot.finish.isoformat()}" + (
        ", on the critical path" if slot.critical else ""
    )
    href = f"/initiatives/{slot.key}"
    return (
        # Named by its <title>, not aria-label: the visible (shortened) title would not be
        # part of a label's text (WCAG 2.5.3, axe's label-content-name-mismatch).
        f'<a class="gantt__row" href="{escape(href)}">'
        f"<title>{escape(label)}</title>"
        f'<text class="gantt__label" x="16" y="{_fmt(mid)}" dominant-baseline="middle">'
        f"{escape(title)}</text>"
        f'<rect class="{classes}" x="{_fmt(left)}" y="{_fmt(mid - _BAR / 2)}" '
        f'width="{_fmt(max(right - left, 2))}" height="{_BAR}" rx="3"/></a>'
    )


def fan_svg(milestone: MilestoneForecast, start: dt.date) -> Markup:
    """The chance (%) that every initiative of ``milestone`` is done by each date, with the
    target date and the P85 date marked."""
    points = [(start, 0.0)] + [(p.date, float(p.level)) for p in milestone.fan]
    markers = [Marker(milestone.target_date, "target", "target")]
    if milestone.finish is not None:
        markers.append(Marker(milestone.finish.p85, "P85", "p85", above=False))
    chance = "unknown" if milestone.probability is None else f"{milestone.probability:.0%}"
    described = (
        f"Chance that {milestone.name} is done by each date, from {start.isoformat()}. "
        f"Target {milestone.target_date.isoformat()}: {chance}."
    )
    if milestone.finish is not None:
        described += (
            f" 50% by {milestone.finish.p50.isoformat()}, 85% by "
            f"{milestone.finish.p85.isoformat()}, 95% by {milestone.finish.p95.isoformat()}."
        )
    return line_chart(
        [Series("Chance done", points, "fan")],
        chart_id=f"fan-{milestone.key}",
        title=f"Forecast for {milestone.name}",
        description=described,
        markers=markers,
        height=220,
    )
