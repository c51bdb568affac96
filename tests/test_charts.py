"""The SVG chart builders: scales, the dated line chart and the four-ring radar."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET

import pytest

from productpath.charts.svg import Blip, Marker, Series, line_chart, nice_scale, radar_chart

SVG = "{http://www.w3.org/2000/svg}"
RINGS = ("adopt", "trial", "assess", "hold")
QUADRANTS = ("Python", "JavaScript", "Platforms & tools", "Other")
D = dt.date(2030, 1, 7)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, (1.0, 1)),
        (1, (1.0, 1)),
        (3, (3.0, 3)),
        (7, (8.0, 4)),
        (44, (50.0, 5)),
        (80, (80.0, 4)),
        (101, (120.0, 6)),
        (1234, (1250.0, 5)),
    ],
)
def test_nice_scale_has_whole_steps_and_covers_the_value(
    value: float, expected: tuple[float, int]
) -> None:
    top, intervals = nice_scale(value)
    assert (top, intervals) == expected
    assert top >= value and intervals <= 6 and (top / intervals).is_integer()


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_line_chart_draws_each_series_and_marker_accessibly() -> None:
    weeks = [D + dt.timedelta(weeks=n) for n in range(4)]
    markup = line_chart(
        [
            Series("Scope", [(w, 10) for w in weeks], "scope"),
            Series("Done", [(w, n * 3) for n, w in enumerate(weeks)], "done"),
            Series(
                "Projection",
                [(weeks[-1], 9), (weeks[-1] + dt.timedelta(days=7), 10)],
                "projection",
                dashed=True,
            ),
        ],
        chart_id="burnup-beta",
        title="Burn-up of <Beta>",
        description="9 of 10 done",
        markers=[Marker(weeks[-1] + dt.timedelta(days=3), "target", "target")],
    )
    root = _parse(markup)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "burnup-beta-title"
    assert root.get("aria-describedby") == "burnup-beta-desc"
    assert root.find(f"{SVG}title").text == "Burn-up of <Beta>"  # type: ignore[union-attr]
    assert "&lt;Beta&gt;" in markup  # escaped in the markup itself
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 3
    groups = [g.get("class", "") for g in root.iter(f"{SVG}g")]
    assert "chart__line chart__line--projection chart__line--dashed" in groups
    assert any("chart__marker--target" in g for g in groups)
    # y runs from 0 (bottom) to the scale's top: the scope line sits at 10 of 10, the top.
    scope_y = {float(p.split(",")[1]) for p in lines[0].get("points", "").split()}
    ticks = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart__tick"]
    assert "0" in ticks and "10" in ticks
    assert len(scope_y) == 1
    assert "style" not in markup and "<script" not in markup


def test_line_chart_without_data_draws_only_axes() -> None:
    root = _parse(
        line_chart([Series("Scope", [], "scope")], chart_id="c", title="t", description="d")
    )
    assert root.findall(f".//{SVG}polyline") == []


def _blips(markup: str) -> list[tuple[str, float, float]]:
    found = re.findall(
        r'<title>([^<]*)</title><circle cx="([\d.]+)" '
        r'cy="([\d.]+)"',
        markup,
    )
    return [(label, float(x), float(y)) for label, x, y in found]


def test_radar_places_each_blip_in_its_quadrant_and_ring() -> None:
    blips = [
        Blip(n, f"tech {n}", ring=n % 4, quadrant=(n // 4) % 4, href=f"#tech-{n}")
        for n in range(1, 17)
    ]
    size = 600
    markup = radar_chart(
        blips,
        rings=RINGS,
        quadrants=QUADRANTS,
        chart_id="radar",
        title="Tech radar",
        description="rings",
        size=size,
    )
    root = _parse(markup)
    assert root.get("role") == "group"  # it holds links, which an image would hide
    placed = _blips(markup)
    assert len(placed) == 16
    centre, radius = size / 2, size / 2 - 34
    edges = (0.0, 0.4, 0.64, 0.83, 1.0)
    for (label, x, y), blip in zip(
        placed, sorted(blips, key=lambda b: (b.quadrant, b.ring)), strict=True
    ):
        assert label == blip.label
        distance = math.hypot(x - centre, y - centre) / radius
        assert edges[blip.ring] <= distance <= edges[blip.ring + 1]
        # Clockwise from "up": quadrant 0 is top right, 1 bottom right, 2 bottom left, 3 top left.
        degrees = math.degrees(math.atan2(x - centre, centre - y)) % 360
        assert blip.quadrant * 90 < degrees < (blip.quadrant + 1) * 90
    assert markup.count('href="#tech-') == 16
    for name in (*RINGS, "Platforms &amp; tools"):
        assert name in markup


def test_crowded_radar_cells_do_not_overlap() -> None:
    blips = [Blip(n, f"t{n}", ring=0, quadrant=0) for n in range(1, 9)]
    markup = radar_chart(
        blips, rings=RINGS, quadrants=QUADRANTS, chart_id="r", title="t", description="d"
    )
    points = [(x, y) for _, x, y in _blips(markup)]
    assert len(points) == 8
    closest = min(math.dist(a, b) for i, a in enumerate(points) for b in points[i + 1 :])
    assert closest >= 20  # two blip radii
    # Without links, blips are labelled images, and the same input draws the same chart.
    assert 'role="img" aria-label="t1"' in markup and markup.startswith(
        '<svg class="chart" id="r" viewBox="0 0 600 600" role="img"'
    )
    again = radar_chart(
        blips, rings=RINGS, quadrants=QUADRANTS, chart_id="r", title="t", description="d"
    )
    assert again == markup


def test_radar_escapes_labels_and_links() -> None:
    markup = radar_chart(
        [Blip(1, '"><script>x</script>', 3, 2, href='#a"b', flagged=True)],
        rings=RINGS,
        quadrants=QUADRANTS,
        chart_id="r",
        title="t",
        description="d",
    )
    assert "<script>" not in markup
    assert "radar__blip--flagged" in markup
    _parse(markup)  # still well-formed


@pytest.mark.parametrize(
    ("first", "last", "as_of", "year"),
    [
        (dt.date(2026, 3, 2), dt.date(2026, 6, 1), dt.date(2026, 12, 7), False),
        (dt.date(2023, 3, 2), dt.date(2023, 6, 1), dt.date(2026, 12, 7), True),  # old data
        (dt.date(2025, 11, 3), dt.date(2026, 2, 2), dt.date(2026, 3, 1), True),  # spans two
    ],
)
def test_date_ticks_carry_the_year_when_it_is_not_plain(
    first: dt.date, last: dt.date, as_of: dt.date, year: bool
) -> None:
    chart = str(
        line_chart(
            [Series("items", [(first, 1.0), (last, 3.0)], "done")],
            chart_id="c", title="t", description="d", as_of=as_of,
        )
    )  # fmt: skip
    ticks = re.findall(
        r'class="chart__tick"[^>]*text-anchor="(?:start|middle|end)">([^<]+)<', chart
    )
    assert len(ticks) == 5
    assert all(bool(re.search(r"\d{4}$", tick)) == year for tick in ticks), ticks
