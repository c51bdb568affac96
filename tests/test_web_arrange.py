"""The roadmap board's reorder, the timeline page and its date fields, and the arrange API:
editors see the controls and their saves land; viewers see none and get 403 (SQLite; the
service tests run on both databases)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from arrange_fixtures import seed_arrange
from auth_fixtures import log_in, make_user
from productpath.services import accounts
from productpath.services.workspace import OpenWorkspace, init_workspace, open_workspace
from productpath.settings import Settings
from productpath.web.app import create_app


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    monkeypatch.delenv(accounts.SECRET_KEY_ENV, raising=False)


@pytest.fixture
def handle(tmp_path: Path) -> Iterator[OpenWorkspace]:
    init_workspace(tmp_path / "ws", "Pocket")
    with open_workspace(Settings(workspace=tmp_path / "ws", database_url=None)) as opened:
        seed_arrange(opened, tmp_path)
        yield opened


@pytest.fixture
def client(handle: OpenWorkspace) -> Iterator[TestClient]:
    settings = Settings(workspace=handle.workspace.root, database_url=None)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _next_lane(client: TestClient) -> list[str]:
    return [i["key"] for i in client.get("/roadmap.json").json()["lanes"]["next"]]


def test_an_editor_moves_a_card_with_the_form(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "ed@example.com", "editor")
    csrf = log_in(client, "ed@example.com")
    page = client.get("/roadmap").text
    assert page.count('class="drag-handle"') == 4
    assert 'aria-label="Move Charlie card up"' in page and "data-sortable" in page
    assert "/static/vendor/sortable-1.15.7.min.js" in page
    # Charlie goes up, just before Bravo (what its "up" button sends).
    response = client.post(
        "/initiatives/charlie/move",
        data={"csrf_token": csrf, "version": "1", "before": "bravo"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/roadmap?moved=charlie#card-charlie"
    assert _next_lane(client) == ["alpha", "charlie", "bravo"]
    assert "Moved charlie" in client.get(response.headers["location"]).text
    # The same page, now stale, tries again: refused and said.
    stale = client.post(
        "/initiatives/charlie/move",
        data={"csrf_token": csrf, "version": "1", "after": "bravo"},
        follow_redirects=True,
    )
    assert "changed by someone else" in stale.text and 'id="arrange-error"' in stale.text
    assert _next_lane(client) == ["alpha", "charlie", "bravo"]


def test_the_timeline_saves_dates_and_says_why_not(
    client: TestClient, handle: OpenWorkspace
) -> None:
    make_user(handle, "ed@example.com", "editor")
    csrf = log_in(client, "ed@example.com")
    page = client.get("/timeline").text
    assert 'id="start-alpha"' in page and 'value="2030-01-06"' in page
    assert re.search(r'<rect class="planned__bar[^"]*" data-key="alpha"', page)
    bad = client.post(
        "/initiatives/bravo/dates",
        data={"csrf_token": csrf, "version": "1", "start": "2030-03-01", "target": "2030-02-01"},
        follow_redirects=True,
    )
    assert "target 2030-02-01 is before start 2030-03-01" in bad.text
    assert 'aria-invalid="true" aria-describedby="error-bravo"' in bad.text
    assert client.get("/timeline.json").json()["rows"][1]["start"] is None  # nothing saved
    good = client.post(
        "/initiatives/bravo/dates",
        data={"csrf_token": csrf, "version": "1", "start": "2030-02-03", "target": "2030-03-01"},
        follow_redirects=False,
    )
    assert good.headers["location"] == "/timeline?saved=bravo#row-bravo"
    row = client.get("/timeline.json").json()["rows"][1]
    assert (row["key"], row["start"], row["target"], row["version"]) == (
        "bravo",
        "2030-02-03",
        "2030-03-01",
        2,
    )
    history = client.get("/api/v1/initiatives/bravo/history").json()
    assert {(h["field"], h["via"]) for h in history if h["field"] in ("start", "target")} == {
        ("start", "web"),
        ("target", "web"),
    }


def test_viewers_see_no_controls_and_are_refused(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "vi@example.com", "viewer")
    csrf = log_in(client, "vi@example.com")
    roadmap = client.get("/roadmap").text
    assert "drag-handle" not in roadmap and "data-sortable" not in roadmap
    assert "/move" not in roadmap
    timeline = client.get("/timeline").text
    assert 'type="date"' not in timeline and "planned--editable" not in timeline
    assert "6 Jan 2030" in timeline  # the dates, read-only
    for url, data in (
        ("/initiatives/alpha/move", {"version": "1", "after": "bravo"}),
        ("/initiatives/alpha/dates", {"version": "1", "start": "2030-01-01"}),
    ):
        assert client.post(url, data={**data, "csrf_token": csrf}).status_code == 403


def test_the_api_moves_and_redates_with_versions(client: TestClient, handle: OpenWorkspace) -> None:
    editor = {"authorization": f"Bearer {make_user(handle, 'ed@example.com', 'editor')}"}
    viewer = {"authorization": f"Bearer {make_user(handle, 'vi@example.com', 'viewer')}"}
    moved = client.post(
        "/api/v1/initiatives/bravo/move", json={"version": 1, "before": "alpha"}, headers=editor
    )
    assert moved.status_code == 200
    assert moved.json() == {
        "key": "bravo",
        "version": 2,
        "position": 0,
        "start": None,
        "target": None,
        "changed": True,
    }
    stale = client.post(
        "/api/v1/initiatives/bravo/move", json={"version": 1, "after": "alpha"}, headers=editor
    )
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    refused = client.post(
        "/api/v1/initiatives/alpha/dates",
        json={"version": 1, "start": "2030-03-01", "target": "2030-02-01"},
        headers=editor,
    )
    assert refused.status_code == 422
    assert "target 2030-02-01 is before start 2030-03-01" in refused.text
    assert (
        client.post(
            "/api/v1/initiatives/alpha/dates", json={"version": 1}, headers=viewer
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/initiatives/nope/move", json={"version": 1, "before": "alpha"}, headers=editor
        ).status_code
        == 404
    )
    spec = client.get("/openapi.json").json()["paths"]
    assert "post" in spec["/api/v1/initiatives/{key}/move"]
    assert "post" in spec["/api/v1/initiatives/{key}/dates"]


def test_every_page_has_the_shortcuts_list(client: TestClient) -> None:
    page = client.get("/").text
    assert '<dialog class="shortcuts" id="shortcuts"' in page and "/static/keys.js" in page
    assert "Ctrl+K" in page
    for asset in ("/static/keys.js", "/static/search.js", "/static/arrange.js"):
        assert client.get(asset).status_code == 200
    assert "ctrlKey" in client.get("/static/search.js").text


def test_stakeholders_get_neither_page_nor_write(client: TestClient, handle: OpenWorkspace) -> None:
    make_user(handle, "st@example.com", "stakeholder")
    csrf = log_in(client, "st@example.com")
    assert client.get("/timeline").status_code == 403
    assert client.get("/roadmap").status_code == 403
    moved = client.post(
        "/initiatives/alpha/move", data={"csrf_token": csrf, "version": "1", "after": "bravo"}
    )
    assert moved.status_code == 403
    assert _next_lane_as_admin(handle) == ["alpha", "bravo", "charlie"]


def _next_lane_as_admin(handle: OpenWorkspace) -> list[str]:
    from productpath.services.pages.overview import roadmap_view

    return [i.key for i in roadmap_view(handle).lanes.next]


def test_the_initiative_page_undoes_a_move_or_says_why_not(
    client: TestClient, handle: OpenWorkspace
) -> None:
    make_user(handle, "ed@example.com", "editor")
    csrf = log_in(client, "ed@example.com")
    for key, data in (("charlie", {"before": "alpha"}), ("bravo", {"before": "charlie"})):
        version = next(
            i["version"]
            for i in client.get("/roadmap.json").json()["lanes"]["next"]
            if i["key"] == key
        )
        moved = client.post(
            f"/initiatives/{key}/move",
            data={"csrf_token": csrf, "version": str(version), **data},
            follow_redirects=False,
        )
        assert moved.status_code == 303
    assert _next_lane(client) == ["bravo", "charlie", "alpha"]
    page = client.get("/initiatives/charlie").text
    assert "Undo the last change" in page and "(priority by ed@example.com)" in page
    # Charlie's move was followed by Bravo's: refused, said on the page, nothing changed.
    refused = client.post(
        "/initiatives/charlie/undo", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert 'id="undo-error"' in refused.text and "changed again by ed@example.com" in refused.text
    assert _next_lane(client) == ["bravo", "charlie", "alpha"]
    # Bravo's, the latest, is undone; through the API too the answer names the fields.
    undone = client.post(
        "/initiatives/bravo/undo", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert undone.headers["location"] == "/initiatives/bravo?undone=1#history"
    assert _next_lane(client) == ["charlie", "alpha", "bravo"]
    token = make_user(handle, "api@example.com", "editor")
    again = client.post(
        "/api/v1/initiatives/bravo/undo", json={}, headers={"authorization": f"Bearer {token}"}
    )
    assert again.status_code == 200, again.text
    assert again.json()["fields"] == ["priority", "order"]
    assert _next_lane(client) == ["bravo", "charlie", "alpha"]
