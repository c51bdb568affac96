"""Server-rendered SVG charts: a dated line chart (the burn-up) and the four-ring tech radar.

The markup uses no inline styles or scripts (the Content-Security-Policy forbids them): colours
come from classes styled in ``static/app.css``, with presentation attributes only for geometry.
Each chart is an ``img`` with a title and description for screen readers, and pages show the
same numbers in a table as well. Every text is escaped; the result is safe to insert as is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from productpath.domain import clock


@dataclass(frozen=True)
class Series:
    """One line: ``points`` in date order; ``kind`` picks its CSS class (``chart__line--kind``)."""

    name: str
    points: Sequence[tuple[dt.date, float]]
    kind: str
    dashed: bool = False


@dataclass(frozen=True)
class Marker:
    """A vertical line at ``day`` with a short label (a target date, today): above the plot,
    or inside its top edge (``above=False``) so two close markers' labels do not collide."""

    day: dt.date
    label: str
    kind: str
    above: bool = True


@dataclass(frozen=True)
class Blip:
    """One technology on the radar. ``ring`` and ``quadrant`` are indexes from 0."""

    number: int
    label: str
    ring: int
    quadrant: int
    href: str | None = None
    flagged: bool = False


def nice_scale(value: float, *, most: int = 6) -> tuple[float, int]:
    """(top, intervals): the lowest axis top at or above ``value`` that splits into at most
    ``most`` equal whole-number steps of 1, 2, 2.5 or 5 x 10^n (the charts count things)."""
    if value <= 1:
        return 1.0, 1
    magnitude = 10 ** max(math.floor(math.log10(value / most)), 0)
    for step in (m * magnitude for m in (1, 2, 2.5, 5, 10, 20, 25, 50)):
        intervals = math.ceil(value / step)
        if step == int(step) and intervals <= most:
            return float(step * intervals), intervals
    return float(50 * magnitude * most), most  # pragma: no cover - 50 x magnitude always fits


def needs_year(days: Sequence[dt.date], as_of: dt.date | None = None) -> bool:
    """Whether dates on an axis need their year: they span two years, or their year is not
    the year of ``as_of`` (default today)."""
    years = {day.year for day in days}
    return len(years) > 1 or years != {(as_of or clock.today()).year}


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg_open(
    chart_id: str, title: str, description: str, width: int, height: int, role: str = "img"
) -> str:
    # An image hides its children from assistive technology; a chart with links in it is a
    # group, so the links stay reachable.
    return (
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" '
        f'role="{role}" aria-labelledby="{escape(chart_id)}-title" '
        f'aria-describedby="{escape(chart_id)}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
    )


def time_grid(
    x: Callable[[dt.date], str],
    y: Callable[[float], str],
    *,
    values: Sequence[float],
    label: Callable[[float], str],
    first: dt.date,
    span: int,
    left: int,
    right: int,
    baseline: int,
    month: str = "%b",
    as_of: dt.date | None = None,
) -> str:
    """The grid behind a chart over dates: a line and a tick label at each of ``values`` (from
    ``left`` to ``right``), and five dates from ``first`` over ``span`` days at ``baseline``,
    with their year when the dates or ``as_of`` need it (see :func:`needs_year`)."""
    parts = ['<g class="chart__grid" aria-hidden="true">']
    for value in values:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{y(value)}" y2="{y(value)}"/>'
            f'<text class="chart__tick" x="{left - 6}" y="{y(value)}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(label(value))}</text>'
        )
    ticks = [first + dt.timedelta(days=round(span * i / 4)) for i in range(5)]
    with_year = needs_year(ticks, as_of)
    for i, day in enumerate(ticks):
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        label_text = f"{day.day} {day:%b %Y}" if with_year else f"{day.day} {day:{month}}"
        parts.append(
            f'<text class="chart__tick" x="{x(day)}" y="{baseline}" text-anchor="{anchor}">'
            f"{label_text}</text>"
        )
    parts.append("</g>")
    return "".join(parts)


def line_chart(
    series: Sequence[Series],
    *,
    chart_id: str,
    title: str,
    description: str,
    markers: Sequence[Marker] = (),
    width: int = 640,
    height: int = 260,
    as_of: dt.date | None = None,
) -> Markup:
    """Lines over dates, y from 0, with dated vertical markers. Empty series draw axes only.

    Date ticks carry the year when the axis spans two years or lies in another year than
    ``as_of`` (the report's date; default today): "3 Mar" on 2023 data read in 2026 is wrong.
    """
    left, right, top, bottom = 40, 14, 22, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    days = [d for s in series for d, _ in s.points] + [m.day for m in markers]
    first = min(days, default=dt.date.today())
    span = max((max(days, default=first) - first).days, 1)
    y_max, intervals = nice_scale(max((v for s in series for _, v in s.points), default=0))

    def x(day: dt.date) -> str:
        return _fmt(left + (day - first).days / span * plot_w)

    def y(value: float) -> str:
        return _fmt(top + plot_h - value / y_max * plot_h)

    parts = [svg_open(chart_id, title, description, width, height)]
    parts.append(
        time_grid(
            x,
            y,
            values=[y_max * i / intervals for i in range(intervals + 1)],
            label=_fmt,
            first=first,
            span=span,
            left=left,
            right=width - right,
            baseline=height - 10,
            as_of=as_of,
        )
    )
    for marker in markers:
        kind = escape(marker.kind)
        label_y, anchor, dx = (top - 8, "middle", 0) if marker.above else (top + 12, "end", -4)
        parts.append(
            f'<g class="chart__marker chart__marker--{kind}" aria-hidden="true">'
            f'<line x1="{x(marker.day)}" x2="{x(marker.day)}" y1="{top}" y2="{top + plot_h}"/>'
            f'<text x="{x(marker.day)}" y="{label_y}" dx="{dx}" text-anchor="{anchor}">'
            f"{escape(marker.label)}</text></g>"
        )
    for line in series:
        if not line.points:
            continue
        kind = escape(line.kind)
        dashed = " chart__line--dashed" if line.dashed else ""
        points = " ".join(f"{x(d)},{y(v)}" for d, v in line.points)
        last_day, last_value = line.points[-1]
        parts.append(
            f'<g class="chart__line chart__line--{kind}{dashed}" aria-hidden="true">'
            f'<polyline fill="none" points="{points}"/>'
            f'<circle cx="{x(last_day)}" cy="{y(last_value)}" r="3.5"/></g>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# Where each ring ends, as a share of the radius: inner rings wider, as on the familiar radar.
_RING_EDGES = (0.4, 0.64, 0.83, 1.0)
_CENTRE_GAP = 0.06  # no blip sits right on the centre
_BLIP_RADIUS = 10
_SPACING = 24  # distance between blip centres, so they do not overlap
_EDGE_DEGREES = 8  # blips keep this far from the quadrant lines and their labels


def radar_chart(
    blips: Sequence[Blip],
    *,
    rings: Sequence[str],
    quadrants: Sequence[str],
    chart_id: str,
    title: str,
    description: str,
    size: int = 600,
) -> Markup:
    """Concentric rings (innermost first) cut into four quadrants, one numbered dot per blip.

    Quadrant 0 is top right, then clockwise. Blips fill their ring's band in rows, evenly
    spread, so the same blips always land in the same places. A blip with ``href`` is a link
    (to its table row).
    """
    margin = 34
    centre = size / 2
    radius = centre - margin
    role = "group" if any(blip.href for blip in blips) else "img"
    parts = [svg_open(chart_id, title, description, size, size, role)]
    parts.append('<g class="radar__rings" aria-hidden="true">')
    for index in reversed(range(len(rings))):
        parts.append(
            f'<circle class="radar__ring radar__ring--{index}" cx="{_fmt(centre)}" '
            f'cy="{_fmt(centre)}" r="{_fmt(radius * _RING_EDGES[index])}"/>'
        )
    parts.append(
        f'<line x1="{margin}" x2="{size - margin}" y1="{_fmt(centre)}" y2="{_fmt(centre)}"/>'
        f'<line y1="{margin}" y2="{size - margin}" x1="{_fmt(centre)}" x2="{_fmt(centre)}"/>'
    )
    parts.append("</g>")
    # Top right, bottom right, bottom left, top left: clockwise from quadrant 0.
    corners = (
        (size - 8, 18, "end"),
        (size - 8, size - 8, "end"),
        (8, size - 8, "start"),
        (8, 18, "start"),
    )
    for index, name in enumerate(quadrants[:4]):
        qx, qy, anchor = corners[index]
        parts.append(
            f'<text class="radar__quadrant-label" x="{qx}" y="{qy}" text-anchor="{anchor}" '
            f'aria-hidden="true">{escape(name)}</text>'
        )
    cells: dict[tuple[int, int], list[Blip]] = {}
    for blip in blips:
        cells.setdefault((blip.quadrant % 4, min(blip.ring, len(_RING_EDGES) - 1)), []).append(blip)
    for (quadrant, ring), members in sorted(cells.items()):
        inner = radius * (_RING_EDGES[ring - 1] if ring > 0 else _CENTRE_GAP)
        outer = radius * _RING_EDGES[ring]
        for blip, (distance, degrees) in zip(
            members, _cell_positions(len(members), inner, outer), strict=True
        ):
            # Angles clockwise from "up"; quadrant 0 spans 0-90 degrees (top right).
            angle = math.radians(quadrant * 90 + degrees)
            bx = centre + distance * math.sin(angle)
            by = centre - distance * math.cos(angle)
            parts.append(_blip(blip, bx, by))
    # Ring names last, over the blips, on a halo that keeps them legible.
    parts.append('<g class="radar__ring-labels" aria-hidden="true">')
    inner_edge = 0.0
    for index, name in enumerate(rings[: len(_RING_EDGES)]):
        middle = radius * (inner_edge + _RING_EDGES[index]) / 2
        inner_edge = _RING_EDGES[index]
        parts.append(
            f'<text class="radar__ring-label" x="{_fmt(centre + middle)}" '
            f'y="{_fmt(centre)}" text-anchor="middle" dominant-baseline="central">'
            f"{escape(name)}</text>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _cell_positions(count: int, inner: float, outer: float) -> list[tuple[float, float]]:
    """(distance from the centre, degrees into the quadrant) for ``count`` blips in a band.

    The band is cut into rows as far apart as blips need; each row holds what its arc can
    without overlap, outer rows (longer arcs) first. Blips are shared out over the rows in
    proportion to what they hold, then spread evenly along each row.
    """
    if count == 0:
        return []
    span = math.radians(90 - 2 * _EDGE_DEGREES)
    rows = max(1, int((outer - inner) // _SPACING))
    radii = [inner + (outer - inner) * (j + 0.5) / rows for j in range(rows)]
    room = [max(1, int(r * span // _SPACING) + 1) for r in radii]
    share = [0] * rows
    for _ in range(count):  # one at a time to the row with the most room left, outer first
        j = max(range(rows), key=lambda k: (room[k] - share[k], k))
        share[j] += 1
    positions = []
    for j, n in enumerate(share):
        for i in range(n):
            degrees = _EDGE_DEGREES + (90 - 2 * _EDGE_DEGREES) * (i + 0.5) / n
            positions.append((radii[j], degrees))
    return positions


def _blip(blip: Blip, bx: float, by: float) -> str:
    flagged = " radar__blip--flagged" if blip.flagged else ""
    body = (
        f'<circle cx="{_fmt(bx)}" cy="{_fmt(by)}" r="{_BLIP_RADIUS}"/>'
        f'<text x="{_fmt(bx)}" y="{_fmt(by)}" text-anchor="middle" '
        f'dominant-baseline="central">{blip.number}</text>'
    )
    label = escape(blip.label)
    classes = f"radar__blip radar__blip--q{blip.quadrant % 4}{flagged}"
    if blip.href:
        return (
            # Named by its <title>: an aria-label that does not contain the visible number
            # fails WCAG 2.5.3 (label in name, axe's label-content-name-mismatch).
            f'<a class="{classes}" href="{escape(blip.href)}"><title>{label}</title>{body}</a>'
        )
    return f'<g class="{classes}" role="img" aria-label="{label}"><title>{label}</title>{body}</g>'
