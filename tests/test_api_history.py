"""/api/v1/.../history, .../undo and /api/v1/activity on SQLite and PostgreSQL (local mode)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api_fixtures import api_fixture  # noqa: F401 - fixture

URL = "/api/v1/initiatives"


def test_an_api_edit_shows_in_the_history_and_can_be_undone(api: TestClient) -> None:
    assert api.get(f"{URL}/crypto/history").json() == []
    edited = api.patch(f"{URL}/crypto", json={"version": 1, "title": "Coins", "public": True})
    assert edited.status_code == 200
    history = api.get(f"{URL}/crypto/history").json()
    # One save's entries share their edit; their order within it means nothing.
    assert sorted((h["field"], h["before"], h["after"], h["via"]) for h in history) == [
        ("public", False, True, "api"),
        ("title", "Crypto wallet", "Coins", "api"),
    ]
    assert {"at", "actor", "via", "field", "before", "after"} <= set(history[0])
    assert api.get("/api/v1/activity", params={"limit": 1}).json()[0]["key"] == "crypto"

    undone = api.post(f"{URL}/crypto/undo")
    assert undone.status_code == 200, undone.text
    assert sorted(undone.json()["fields"]) == ["public", "title"]
    current = api.get(f"{URL}/crypto").json()
    assert (current["title"], current["public"], current["version"]) == (
        "Crypto wallet",
        False,
        3,
    )
    # A save based on the version before the undo is stale.
    assert api.patch(f"{URL}/crypto", json={"version": 2, "title": "X"}).status_code == 409


def test_undo_of_an_older_change_that_was_overwritten_is_409(api: TestClient) -> None:
    api.patch(f"{URL}/crypto", json={"version": 1, "title": "One"})
    first = api.get(f"{URL}/crypto/history").json()[0]["edit"]
    api.patch(f"{URL}/crypto", json={"version": 2, "title": "Two"})
    refused = api.post(f"{URL}/crypto/undo", json={"edit": first})
    assert refused.status_code == 409
    assert "field 'title' was changed again" in refused.json()["detail"]
    assert api.get(f"{URL}/crypto").json()["title"] == "Two"


def test_unknown_objects_and_nothing_to_undo(api: TestClient) -> None:
    assert api.get(f"{URL}/nope/history").status_code == 404
    assert api.get("/api/v1/milestones/beta/history").json() == []
    assert api.get("/api/v1/teams/payments/history").status_code == 200
    nothing = api.post("/api/v1/objectives/O1/undo")
    assert nothing.status_code == 404 and "no change to undo" in nothing.json()["detail"]
    assert api.post(f"{URL}/crypto/undo", json={"edit": "x" * 33}).status_code == 422
