"""The plan on the web: the roadmap page's Gantt chart and the forecast page, with JSON twins."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from productpath.services.pages.overview import ForecastView, RoadmapView, forecast_view
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web import create_app
from web_fixtures import seed


@pytest.fixture
def seeded(workspace_dir: Path) -> Iterator[TestClient]:
    with open_workspace() as handle:
        seed(handle)
    with TestClient(create_app(Settings())) as client:
        yield client


@pytest.fixture
def empty(workspace_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as client:
        yield client


def _svg(html: str, chart_id: str) -> str:
    found = re.search(rf'<svg class="chart" id="{chart_id}".*?</svg>', html, re.S)
    assert found, f"no chart {chart_id}"
    return found.group(0)


def test_roadmap_page_draws_the_schedule_as_a_gantt_chart(seeded: TestClient) -> None:
    html = seeded.get("/roadmap").text
    gantt = _svg(html, "gantt")
    # One linked bar per scheduled initiative, on the critical path both.
    assert gantt.count('class="gantt__row"') == 2
    for key in ("onboarding", "instant-transfers"):
        assert f'href="/initiatives/{key}"' in gantt
    assert gantt.count("gantt__bar--critical") == 2
    assert "gantt__bar--in_progress" in gantt
    # The dependency onboarding -> instant-transfers is an arrow; card-freeze is done, no bar.
    assert gantt.count('marker-end="url(#gantt-arrow)"') == 1
    assert "card-freeze" not in gantt
    # Team names label the groups; both milestones draw a line.
    assert ">Growth</text>" in gantt and ">Payments</text>" in gantt
    assert gantt.count('class="gantt__milestone"') == 2
    assert "style=" not in gantt and "<script" not in gantt
    assert re.search(r'id="critical-path">.*onboarding.*instant-transfers', html, re.S)
    assert "not scheduled: &#39;dark-mode&#39; (no team)" in html


def test_roadmap_twin_carries_the_plan(seeded: TestClient) -> None:
    view = RoadmapView.model_validate(seeded.get("/roadmap.json").json())
    schedule = view.plan.schedule
    assert schedule is not None and view.plan.forecast is not None
    assert [s.key for s in schedule.slots] == ["onboarding", "instant-transfers"]
    assert view.plan.team_names == {"payments": "Payments", "growth": "Growth"}
    chances = {m.key: m.probability for m in view.plan.forecast.milestones}
    assert chances == {"beta": 1.0, "ga": 1.0}
    # The page's milestone table shows the twin's numbers.
    html = seeded.get("/roadmap").text
    row = html[html.index('id="plan-beta"') :]
    row = row[: row.index("</tr>")]
    assert "100%" in row and "In time" in row


def test_forecast_page_has_a_fan_per_milestone_and_matches_its_twin(seeded: TestClient) -> None:
    response = seeded.get("/forecast")
    assert response.status_code == 200
    html = response.text
    assert 'href="/forecast.json"' in html
    for key in ("beta", "ga"):
        fan = _svg(html, f"fan-{key}")
        assert "chart__line--fan" in fan and "chart__marker--target" in fan
        assert "style=" not in fan
    data = seeded.get("/forecast.json").json()
    handle = seeded.app.state.handle  # type: ignore[attr-defined]
    assert data == forecast_view(handle).model_dump(mode="json")
    view = ForecastView.model_validate(data)
    assert view.plan.forecast is not None
    for m in view.plan.forecast.milestones:
        assert m.finish is not None
        assert f"{m.finish.p85.day} {m.finish.p85:%b %Y}" in html
        assert m.fan[0].level == 5
    assert 'id="forecast-initiative-instant-transfers"' in html
    assert "PERT-beta" in html


def test_pages_without_a_roadmap_explain_what_to_do(empty: TestClient) -> None:
    assert "productpath roadmap apply roadmap.yaml" in empty.get("/forecast").text
    view = ForecastView.model_validate(empty.get("/forecast.json").json())
    assert view.plan.schedule is None and view.plan.problem is not None
    roadmap = empty.get("/roadmap")
    assert roadmap.status_code == 200 and 'id="gantt"' not in roadmap.text
