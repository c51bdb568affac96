"""The timeline's planned-dates chart (charts/planned.py): bars on a day scale, what the drag
script reads, and rows with one date or none."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from productpath.charts.planned import planned_svg


@dataclass
class Row:
    key: str
    title: str
    status: str
    start: dt.date | None
    target: dt.date | None


def test_bars_span_start_to_the_end_of_the_target_day() -> None:
    rows = [
        Row("a", "Alpha <b>", "planned", dt.date(2030, 1, 8), dt.date(2030, 1, 14)),
        Row("b", "Bravo", "in_progress", None, dt.date(2030, 1, 20)),
        Row("c", "Charlie", "proposed", None, None),
    ]
    svg = str(
        planned_svg(
            rows, first=dt.date(2030, 1, 6), last=dt.date(2030, 3, 3), today=dt.date(2030, 1, 10)
        )
    )
    day = float(re.search(r'data-day-width="([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert 'data-first="2030-01-06"' in svg
    bar = re.search(r'<rect class="planned__bar planned__bar--planned" data-key="a" '
                    r'data-start="2030-01-08" data-target="2030-01-14" x="([\d.]+)" y="[\d.]+" '
                    r'width="([\d.]+)"', svg)  # fmt: skip
    assert bar is not None
    assert abs(float(bar.group(1)) - (230 + 2 * day)) < 0.1  # two days after the first
    assert abs(float(bar.group(2)) - 7 * day) < 0.1  # 8th to the end of the 14th
    assert "Alpha &lt;b&gt;" in svg and "<b>" not in svg
    assert svg.count('class="planned__point') == 1  # Bravo: its target only
    assert "no planned dates" in svg  # Charlie
    assert 'class="planned__today"' in svg
    assert "6 Jan 2030" in svg and "20 Jan" in svg
