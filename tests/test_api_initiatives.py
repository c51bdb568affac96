"""/api/v1/initiatives: list with filters and pages, one with score and evidence, edits with
optimistic concurrency, votes and comments. On SQLite and PostgreSQL, in local mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api_fixtures import api_fixture, shared_fixture  # noqa: F401 - fixtures
from productpath.services.workspace import open_workspace
from productpath.store.models import Comment, Initiative

URL = "/api/v1/initiatives"


def _keys(body: dict[str, Any]) -> list[str]:
    return [item["key"] for item in body["items"]]


def _stored(key: str) -> Initiative:
    with open_workspace() as handle, handle.store.read() as session:
        return session.scalars(select(Initiative).where(Initiative.key == key)).one()


def test_list_is_in_roadmap_order_with_versions(shared: TestClient) -> None:
    response = shared.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert _keys(body) == ["onboarding", "instant-transfers", "card-freeze", "dark-mode", "crypto"]
    assert (body["total"], body["limit"], body["offset"]) == (5, 50, 0)
    transfers = body["items"][1]
    assert transfers["version"] == 1
    assert transfers["public"] is False
    assert transfers["team"] == {"key": "payments", "name": "Payments"}
    assert transfers["milestone"] == {"key": "ga", "name": "General availability"}
    assert transfers["depends_on"] == ["onboarding", "card-freeze"]
    assert transfers["estimate"] == {"optimistic": 4.0, "likely": 6.0, "pessimistic": 10.0}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "planned"}, ["instant-transfers"]),
        ({"team": "payments"}, ["instant-transfers", "card-freeze", "crypto"]),
        ({"milestone": "beta"}, ["onboarding", "card-freeze"]),
        ({"public": "true"}, ["dark-mode"]),
        ({"public": "false", "team": "payments", "status": "done"}, ["card-freeze"]),
        ({"team": "nobody"}, []),
    ],
)
def test_list_filters(shared: TestClient, query: dict[str, str], expected: list[str]) -> None:
    body = shared.get(URL, params=query).json()
    assert _keys(body) == expected
    assert body["total"] == len(expected)


def test_list_pages(shared: TestClient) -> None:
    first = shared.get(URL, params={"limit": 2}).json()
    second = shared.get(URL, params={"limit": 2, "offset": 2}).json()
    last = shared.get(URL, params={"limit": 2, "offset": 4}).json()
    assert _keys(first) == ["onboarding", "instant-transfers"]
    assert _keys(second) == ["card-freeze", "dark-mode"]
    assert _keys(last) == ["crypto"]
    assert first["total"] == second["total"] == last["total"] == 5


@pytest.mark.parametrize(
    "query", [{"status": "started"}, {"limit": "0"}, {"limit": "501"}, {"offset": "-1"}]
)
def test_list_refuses_bad_filters_with_the_field(shared: TestClient, query: dict[str, str]) -> None:
    response = shared.get(URL, params=query)
    assert response.status_code == 422
    (field,) = query
    assert [e["loc"] for e in response.json()["detail"]] == [["query", field]]


def test_one_initiative_has_score_evidence_and_social_counts(shared: TestClient) -> None:
    body = shared.get(f"{URL}/instant-transfers").json()
    assert body["key"] == "instant-transfers"
    assert body["version"] == 1
    assert body["score"]["method"] in {"rice", "wsjf"}
    assert body["score"]["of"] == 3  # open initiatives: done and dropped ones are not ranked
    assert {t["name"] for t in body["score"]["terms"]}
    assert body["evidence"] == {
        "themes": [],
        "accepted_themes": 0,
        "suggested_themes": 0,
        "items": 0,
        "customers": 0,
        "revenue": 0.0,
    }
    assert body["votes"] == {"count": 0, "weight": 0.0}
    assert body["comments"] == 0


def test_unknown_initiative_is_404_json(shared: TestClient) -> None:
    response = shared.get(f"{URL}/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "no initiative 'nope' in this workspace"}


def test_patch_with_the_current_version_edits_and_bumps_it(api: TestClient) -> None:
    response = api.patch(
        f"{URL}/dark-mode", json={"version": 1, "status": "planned", "title": "Dark theme"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["title"], body["version"]) == ("planned", "Dark theme", 2)
    stored = _stored("dark-mode")
    assert (stored.status, stored.title, stored.version) == ("planned", "Dark theme", 2)
    # The next edit names the new version.
    again = api.patch(f"{URL}/dark-mode", json={"version": 2, "public": False})
    assert again.status_code == 200
    assert (again.json()["public"], again.json()["version"]) == (False, 3)


def test_patch_with_a_stale_version_is_409_and_changes_nothing(api: TestClient) -> None:
    assert api.patch(f"{URL}/onboarding", json={"version": 1, "status": "done"}).status_code == 200
    stale = api.patch(f"{URL}/onboarding", json={"version": 1, "title": "Overwritten"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.json()["detail"]
    stored = _stored("onboarding")
    assert (stored.title, stored.status, stored.version) == ("Guided onboarding", "done", 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"version": 1, "status": "started"}, "status"),
        ({"version": 1, "title": "   "}, "title"),
        ({"status": "done"}, "version"),
        ({"version": 1, "owner": "me"}, "owner"),
        ({"version": 0}, "version"),
    ],
)
def test_patch_refuses_bad_input_with_the_field(
    shared: TestClient, body: dict[str, Any], field: str
) -> None:
    response = shared.patch(f"{URL}/onboarding", json=body)
    assert response.status_code == 422, response.text
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
    assert shared.get(f"{URL}/onboarding").json()["version"] == 1


def test_patch_unknown_initiative_is_404(shared: TestClient) -> None:
    response = shared.patch(f"{URL}/nope", json={"version": 1, "status": "done"})
    assert response.status_code == 404


def test_comments_are_added_and_listed_with_pii_redacted(api: TestClient) -> None:
    response = api.post(f"{URL}/crypto/comments", json={"body": "Ask bob@example.com first"})
    assert response.status_code == 201, response.text
    assert response.json()["author"] == "local user"
    assert "bob@example.com" not in response.json()["body"]
    listed = api.get(f"{URL}/crypto/comments").json()
    assert [c["id"] for c in listed] == [response.json()["id"]]
    with open_workspace() as handle, handle.store.read() as session:
        assert session.scalar(select(Comment.body)) == response.json()["body"]
    assert api.get(f"{URL}/crypto").json()["comments"] == 1


def test_comment_on_unknown_initiative_is_404(shared: TestClient) -> None:
    assert shared.post(f"{URL}/nope/comments", json={"body": "hi"}).status_code == 404
    assert shared.get(f"{URL}/nope/comments").status_code == 404


def test_voting_needs_an_account_in_local_mode(shared: TestClient) -> None:
    response = shared.post(f"{URL}/dark-mode/votes")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "user"]
    assert shared.delete(f"{URL}/dark-mode/votes").status_code == 422
    assert shared.post(f"{URL}/nope/votes").status_code == 422
