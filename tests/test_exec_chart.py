"""The executive report's chart: each milestone's 50%-95% likely finish against its target, as
static SVG (no scripts, no inline styles) with dated axes, in the HTML and PDF on one page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from productpath.charts.milestones import MilestoneRange, milestone_range_svg
from productpath.services.reporting.reports import render_report
from web_fixtures import seed

D = dt.date


def test_each_milestone_is_a_bar_against_its_target_on_a_dated_axis() -> None:
    beta = MilestoneRange("Beta", D(2027, 2, 1), D(2027, 1, 10), D(2027, 1, 20), D(2027, 1, 28))
    launch = MilestoneRange(
        "Launch", D(2027, 3, 1), D(2027, 3, 5), D(2027, 3, 20), D(2027, 4, 2), at_risk=True
    )
    svg = str(
        milestone_range_svg(
            [beta, launch, MilestoneRange("Later", D(2027, 6, 1), None, None, None)],
            today=D(2026, 12, 7),
            note="1 of 2 milestones could finish after its target.",
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    # Static and CSP-safe: geometry attributes and classes only.
    assert "<script" not in svg and "style=" not in svg and "<style" not in svg
    assert svg.count('class="ranges__bar"') == 2
    assert svg.count('class="ranges__target"') == 3
    assert "ranges__row--late" in svg and "no forecast yet" in svg
    # Months with their years: the first tick and every January name the year.
    ticks = re.findall(r'class="chart__tick"[^>]*>([^<]+)<', svg)
    assert ticks[:3] == ["Dec 2026", "Jan 2027", "Feb"]
    assert any(t.endswith("2027") for t in ticks)
    assert "1 of 2 milestones could finish after its target." in svg
    # The description carries the dates for screen readers.
    assert "Launch: target 2027-03-01; 50% likely by 2027-03-05, 95% likely by 2027-04-02." in svg


def test_every_new_year_is_labelled() -> None:
    svg = str(
        milestone_range_svg(
            [MilestoneRange("Far", D(2029, 3, 1), D(2028, 11, 1), D(2029, 1, 1), D(2029, 2, 1))],
            today=D(2026, 12, 7),
        )
    )
    ticks = re.findall(r'class="chart__tick"[^>]*>([A-Z][a-z]{2}(?: \d{4})?)<', svg)
    years = [t[-4:] for t in ticks if t[-4:].isdigit()]
    assert years == ["2027", "2028", "2029"]  # ticks every 6 months, from each January


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_exec_report_has_the_milestone_chart_and_stays_one_page(opened: Any) -> None:
    import io

    import pypdfium2 as pdfium

    seed(opened)
    html = render_report(opened, "exec", "html", record=False).content.decode()
    chart = html.split('id="milestone-ranges"', 1)[1].split("</svg>", 1)[0]
    assert "Public beta" in chart and "General availability" in chart
    assert "Milestones: forecast against target" in html
    md = render_report(opened, "exec", "md", record=False).content.decode()
    assert "_Milestones: forecast against target:_" in md
    assert "could finish after its target" in md
    pdf = render_report(opened, "exec", "pdf", record=False).content
    assert len(pdfium.PdfDocument(io.BytesIO(pdf))) == 1
