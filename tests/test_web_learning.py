"""The KPI, decision and experiment pages and their JSON twins, on the demo's learning data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helpers import page_code
from productpath.services.learning.learning_demo import load_learning_demo
from productpath.services.workspace import open_workspace
from productpath.web import create_app

TODAY = dt.date(2026, 11, 25)
PAGES = [
    "/kpis",
    "/kpis/payment-success-rate",
    "/kpis/weekly-active-users?segment=ios",
    "/decisions",
    "/decisions/auto-retry-card-payments",
    "/experiments/checkout-copy",
]


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with open_workspace() as handle:
        summary = load_learning_demo(handle, workspace_dir, today=TODAY)
    assert (summary.kpis, summary.experiments, summary.decisions) == (2, 1, 3)
    with TestClient(create_app()) as test_client:
        yield test_client


def test_pages_render_with_their_twins(client: TestClient) -> None:
    for page in PAGES:
        html = client.get(page)
        assert html.status_code == 200, page
        assert "style=" not in html.text and "<script" not in page_code(html.text)
        path, _, query = page.partition("?")
        twin = client.get(f"{path}.json" + (f"?{query}" if query else ""))
        assert twin.status_code == 200, page
        assert f'href="{path}.json' in html.text


def test_kpi_page_shows_the_outage_and_the_weekly_pattern(client: TestClient) -> None:
    data = client.get("/kpis/payment-success-rate.json").json()
    assert data["seasonal"] is True
    assert len(data["anomalies"]) == 1 and data["anomalies"][0]["value"] == 91.8
    html = client.get("/kpis/payment-success-rate").text
    assert '<svg class="chart" id="kpi-payment-success-rate"' in html
    assert len(re.findall('class="chart__anomaly"', html)) == 1
    ios = client.get("/kpis/weekly-active-users.json?segment=ios").json()
    assert ios["segment"] == "ios" and ios["cadence"] == "weekly"


def test_decisions_and_experiment(client: TestClient) -> None:
    decisions = client.get("/decisions.json").json()["decisions"]
    by_key = {d["key"]: d for d in decisions}
    retry = by_key["auto-retry-card-payments"]
    assert retry["due"] is True and retry["outcome"]["verdict"] == "on_track"
    assert by_key["pause-android-widget"]["outcome"]["verdict"] == "no_expectation"
    html = client.get("/decisions/ship-clearer-fees-copy").text
    assert 'href="/experiments/checkout-copy"' in html
    experiment = client.get("/experiments/checkout-copy.json").json()
    assert experiment["srm"]["mismatch"] is False
    assert {c["metric"] for c in experiment["comparisons"]} == {
        "payments_completed",
        "basket_value",
    }


def test_unknown_keys_are_404(client: TestClient) -> None:
    for path in ("/kpis/nope", "/kpis/nope.json", "/decisions/nope", "/experiments/nope.json"):
        assert client.get(path).status_code == 404, path
    assert client.get("/kpis/payment-success-rate.json?segment=mars").status_code == 404


def test_a_services_not_found_is_one_app_wide_404(client: TestClient) -> None:
    # No route catches NotFoundError itself: the app's handler answers like any 404.
    page = client.get("/decisions/nope", headers={"accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Page not found" in page.text
    twin = client.get("/decisions/nope.json")
    assert twin.status_code == 404 and twin.json() == {"detail": "no decision 'nope'"}
    asked = client.get("/kpis/nope", headers={"accept": "application/json"})
    assert asked.status_code == 404 and asked.json()["detail"].startswith("no KPI 'nope'")
    assert client.get("/themes/999.json").status_code == 404
    assert client.get("/initiatives/nope.json").status_code == 404


def test_a_closed_decision_shows_its_review(client: TestClient) -> None:
    from productpath.services.learning.decisions import close_decision

    with open_workspace() as handle:
        close_decision(
            handle, "auto-retry-card-payments", outcome="Failures halved.", verdict="met"
        )
    data = client.get("/decisions/auto-retry-card-payments.json").json()["decision"]
    assert data["status"] == "reviewed" and data["due"] is False
    assert (data["review"]["verdict"], data["review"]["outcome"]) == ("met", "Failures halved.")
    html = client.get("/decisions/auto-retry-card-payments").text
    assert "Failures halved." in html and "<h3>Review</h3>" in html
