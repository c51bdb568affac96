"""The smaller /api/v1 resources: products, objectives, milestones (with forecasts), themes,
customers, decisions, KPIs and jobs. On SQLite and PostgreSQL, in local mode."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api_fixtures import api_fixture, shared_fixture  # noqa: F401 - fixtures

API = "/api/v1"


def test_products_lists_the_local_product_as_admin(shared: TestClient) -> None:
    assert shared.get(f"{API}/products").json() == [
        {
            "key": "pocket",
            "name": "Pocket",
            "description": "Payments in your pocket.",
            "role": "admin",
            "current": True,
        }
    ]


def test_objectives_with_key_results(shared: TestClient) -> None:
    body = shared.get(f"{API}/objectives").json()
    assert [o["key"] for o in body["items"]] == ["O1", "O2"]
    first = body["items"][0]
    assert first["initiative_count"] == 2
    assert [kr["key"] for kr in first["key_results"]] == ["KR1", "KR2"]
    assert shared.get(f"{API}/objectives/O2").json()["title"] == "Reduce churn"
    assert shared.get(f"{API}/objectives/O9").status_code == 404


def test_milestones_carry_forecast_percentiles(shared: TestClient) -> None:
    body = shared.get(f"{API}/milestones").json()
    assert [m["key"] for m in body["items"]] == ["beta", "ga"]
    beta = body["items"][0]
    assert (beta["initiatives_total"], beta["initiatives_done"]) == (2, 1)
    finish = beta["forecast"]["finish"]
    assert finish["p50"] <= finish["p85"] <= finish["p95"]
    assert 0 <= beta["forecast"]["probability"] <= 1
    assert beta["forecast_problem"] is None
    assert shared.get(f"{API}/milestones/ga").json()["key"] == "ga"
    assert shared.get(f"{API}/milestones/nope").status_code == 404


def test_themes_list_and_one(shared: TestClient) -> None:
    body = shared.get(f"{API}/themes").json()
    assert [(t["number"], t["label"], t["size"]) for t in body["items"]] == [
        (1, "card controls", 1)
    ]
    one = shared.get(f"{API}/themes/1").json()
    assert one["theme"]["label"] == "card controls"
    assert [q["text"] for q in one["quotes"]] == ["Card lost"]
    assert shared.get(f"{API}/themes/2").status_code == 404
    assert shared.get(f"{API}/themes/zero").status_code == 422


def test_customers_list_page_and_one(shared: TestClient) -> None:
    body = shared.get(f"{API}/customers", params={"limit": 1}).json()
    assert [c["key"] for c in body["items"]] == ["acme"]
    assert body["total"] == 2
    assert shared.get(f"{API}/customers", params={"offset": 1}).json()["items"][0]["key"] == (
        "globex"
    )
    assert shared.get(f"{API}/customers/acme").json() == {
        "key": "acme",
        "name": "Acme",
        "segment": None,
        "annual_revenue": None,
        "feedback_count": 1,
    }
    assert shared.get(f"{API}/customers/nobody").status_code == 404


def test_kpis_list_and_points(shared: TestClient) -> None:
    (kpi,) = shared.get(f"{API}/kpis").json()["items"]
    assert (kpi["key"], kpi["points"], kpi["unit"]) == ("activation", 20, "%")
    detail = shared.get(
        f"{API}/kpis/activation", params={"start": "2030-01-05", "end": "2030-01-09"}
    ).json()
    assert [p["day"] for p in detail["points"]] == [f"2030-01-0{d}" for d in range(5, 10)]
    assert [p["value"] for p in detail["points"]] == [44.0, 40.0, 41.0, 42.0, 43.0]
    assert shared.get(f"{API}/kpis/Activation").json()["key"] == "activation"
    assert shared.get(f"{API}/kpis/nope").status_code == 404
    assert shared.get(f"{API}/kpis/activation", params={"segment": "eu"}).status_code == 404
    bad = shared.get(f"{API}/kpis/activation", params={"start": "2030-02-01", "end": "2030-01-01"})
    assert bad.status_code == 422


def test_jobs_empty_and_404(shared: TestClient) -> None:
    assert shared.get(f"{API}/jobs").json()["items"] == []
    assert shared.get(f"{API}/jobs/1").status_code == 404


def test_decisions_create_list_and_get(api: TestClient) -> None:
    assert api.get(f"{API}/decisions").json()["total"] == 0
    response = api.post(
        f"{API}/decisions",
        json={
            "title": "Onboarding before transfers",
            "options": ["onboarding first", "transfers first"],
            "initiative": "onboarding",
            "kpi": "activation",
            "direction": "increase",
            "target": 45,
            "evidence": ["theme:1"],
            "decided_on": "2030-01-10",
            "review_on": "2030-02-10",
        },
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["key"] == "onboarding-before-transfers"
    assert made["initiative"] == "onboarding"
    assert made["expected"]["kpi"] == "activation"
    assert [(e["kind"], e["ref"]) for e in made["evidence"]] == [("theme", "1")]
    assert api.get(f"{API}/decisions/{made['key']}").json() == made
    assert [d["key"] for d in api.get(f"{API}/decisions").json()["items"]] == [made["key"]]
    # The same key again is refused, naming the field.
    again = api.post(f"{API}/decisions", json={"title": "Onboarding before transfers"})
    assert again.status_code == 422
    assert again.json()["detail"][0]["loc"] == ["body", "key"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"title": "X", "initiative": "nope"}, 404, None),
        ({"title": "X", "evidence": ["theme:99"]}, 404, None),
        ({"title": "X", "evidence": ["feedback:12345678901234567890"]}, 422, "evidence"),
        ({"title": "X", "evidence": ["rumour:1"]}, 422, "evidence"),
        ({"title": "X", "kpi": "activation"}, 422, "kpi"),
        ({"title": "X", "direction": "sideways", "kpi": "activation"}, 422, "direction"),
        ({"title": "X", "decided_on": "2030-02-01", "review_on": "2030-01-01"}, 422, "review_on"),
        ({"title": ""}, 422, "title"),
    ],
)
def test_decision_create_refusals(
    shared: TestClient, body: dict[str, object], status: int, field: str | None
) -> None:
    response = shared.post(f"{API}/decisions", json=body)
    assert response.status_code == status, response.text
    if field is not None:
        assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
    assert shared.get(f"{API}/decisions").json()["total"] == 0
