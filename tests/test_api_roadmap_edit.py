"""Creating, editing and archiving/deleting roadmap objects through /api/v1 (initiatives,
objectives, milestones, teams): apply's rules and words, 201, 409 with the current object,
history. On SQLite and PostgreSQL, in local mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_fixtures import api_fixture, shared_fixture  # noqa: F401 - fixtures

API = "/api/v1"


def test_create_edit_and_archive_an_initiative(api: TestClient) -> None:
    created = api.post(
        f"{API}/initiatives",
        json={
            "title": "Split bills",
            "team": "payments",
            "milestone": "ga",
            "objective": "O1",
            "estimate": {"optimistic": 1, "likely": 2, "pessimistic": 3},
            "depends_on": ["onboarding"],
            "start": "2030-01-05",
            "target": "2030-02-01",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["key"], body["version"], body["team"]["key"]) == ("split-bills", 1, "payments")
    assert body["depends_on"] == ["onboarding"]

    edited = api.patch(
        f"{API}/initiatives/split-bills",
        json={"version": 1, "title": "Split the bill", "team": "growth", "milestone": None},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["title"], edited.json()["version"]) == ("Split the bill", 2)
    assert edited.json()["team"]["key"] == "growth" and edited.json()["milestone"] is None

    stale = api.patch(f"{API}/initiatives/split-bills", json={"version": 1, "title": "Mine"})
    assert stale.status_code == 409
    assert stale.json()["current"]["title"] == "Split the bill"
    assert stale.json()["current"]["version"] == 2

    archived = api.delete(f"{API}/initiatives/split-bills")
    assert archived.status_code == 200
    assert archived.json()["status"] == "archived"
    listed = api.get(f"{API}/initiatives").json()
    assert "split-bills" not in [i["key"] for i in listed["items"]]

    history = api.get(f"{API}/initiatives/split-bills/history").json()
    assert {(h["field"], h["via"]) for h in history} >= {
        ("created", "api"),
        ("title", "api"),
        ("status", "api"),
    }


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"title": "X", "team": "nobody"}, "team", "unknown team 'nobody'"),
        ({"title": "Dark mode"}, "id", "duplicate id 'dark-mode'"),
        ({"title": "X", "start": "2030-02-01", "target": "2030-01-01"}, "target", "before start"),
        ({"title": "X", "key": "x", "depends_on": ["x"]}, "depends_on[0]", "depend on itself"),
        ({"title": "X", "status": "started"}, "status", "proposed"),
    ],
)
def test_bad_input_is_422_naming_the_field_with_applys_words(
    shared: TestClient, body: dict[str, Any], field: str, words: str
) -> None:
    before = shared.get(f"{API}/initiatives").json()["total"]
    response = shared.post(f"{API}/initiatives", json=body)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert words in error["msg"]
    assert shared.get(f"{API}/initiatives").json()["total"] == before


def test_a_dependency_cycle_is_refused_on_edit(shared: TestClient) -> None:
    response = shared.patch(
        f"{API}/initiatives/onboarding", json={"version": 1, "depends_on": ["instant-transfers"]}
    )
    assert response.status_code == 422
    assert "dependency cycle" in response.json()["detail"][0]["msg"]


def test_objectives_milestones_and_teams(api: TestClient) -> None:
    objective = api.post(
        f"{API}/objectives",
        json={"key": "O3", "title": "Earn trust", "key_results": [{"id": "KR9", "title": "NPS"}]},
    )
    assert objective.status_code == 201, objective.text
    assert objective.json()["fields"]["key_results"][0]["id"] == "KR9"
    patched = api.patch(f"{API}/objectives/O3", json={"version": 1, "title": "Earn more trust"})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert api.get(f"{API}/objectives/O3").json()["version"] == 2

    milestone = api.post(
        f"{API}/milestones", json={"key": "v2", "name": "Version 2", "target_date": "2031-01-31"}
    )
    assert milestone.status_code == 201
    assert api.get(f"{API}/milestones/v2").json()["version"] == 1

    team = api.get(f"{API}/teams/payments").json()
    assert team["fields"]["capacity_per_week"] == 3 and team["version"] == 1
    bad = api.patch(f"{API}/teams/payments", json={"version": 1, "capacity_per_week": 0})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "capacity_per_week"]
    ok = api.patch(f"{API}/teams/payments", json={"version": 1, "capacity_per_week": 4})
    assert ok.json()["fields"]["capacity_per_week"] == 4 and ok.json()["version"] == 2
    stale = api.patch(f"{API}/teams/payments", json={"version": 1, "name": "P"})
    assert stale.status_code == 409 and stale.json()["current"]["version"] == 2
    assert [t["key"] for t in api.get(f"{API}/teams").json()] == ["payments", "growth"]

    in_use = api.delete(f"{API}/teams/payments")
    assert in_use.status_code == 422 and "still named by" in in_use.json()["detail"][0]["msg"]
    assert api.delete(f"{API}/milestones/v2?version=1").status_code == 200
    assert api.get(f"{API}/milestones/v2").status_code == 404
    history = api.get(f"{API}/milestones/v2/history").json()
    assert {h["field"] for h in history} == {"created", "removed"}
