"""A milestone's own page, /milestones/{key} and its .json twin, through the real app on SQLite
and PostgreSQL: what it shows, the edit link for editors only, watching and comments posted
from it, its history, and the links to it from /delivery, /roadmap and search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_fixtures import log_in, make_user
from productpath.services import accounts
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web.app import create_app
from web_fixtures import seed

HTML = {"accept": "text/html"}


@pytest.fixture
def world(workspace_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Any]]:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    with open_workspace() as handle:
        seed(handle)
        tokens = {
            "ana": make_user(handle, "ana@example.com", "editor"),
            "bob": make_user(handle, "bob@example.com", "viewer"),
        }
        with TestClient(create_app(Settings())) as client:
            yield client, tokens


def test_the_milestone_page_and_its_twin(world: Any) -> None:
    client, _ = world
    log_in(client, "bob@example.com")
    data = client.get("/milestones/beta.json").json()
    assert (data["key"], data["name"], data["target_date"]) == ("beta", "Public beta", "2030-03-31")
    # Its initiatives in the roadmap's order, with status; archived ones are not listed.
    assert [(i["key"], i["status"]) for i in data["initiatives"]] == [
        ("onboarding", "in_progress"),
        ("card-freeze", "done"),
    ]
    forecast = data["forecast"]
    assert forecast["p85"] is not None and forecast["p50"] <= forecast["p85"]
    assert forecast["late"] == (forecast["p85"] > data["target_date"])
    # The same seeded forecast as the roadmap page's.
    roadmap = client.get("/roadmap.json").json()
    (same,) = [m for m in roadmap["plan"]["forecast"]["milestones"] if m["key"] == "beta"]
    assert same["finish"]["p85"] == forecast["p85"]

    page = client.get("/milestones/beta", headers=HTML)
    assert page.status_code == 200
    text = page.text
    assert "Public beta" in text and 'href="/initiatives/onboarding"' in text
    assert 'id="milestone-p85"' in text and ">Watch</button>" in text
    assert 'action="/milestones/beta/comments"' in text
    # A viewer sees no edit controls.
    assert "/milestones/beta/edit" not in text
    assert client.get("/milestones/nope", headers=HTML).status_code == 404
    assert client.get("/milestones/nope.json").status_code == 404


def test_editors_edit_and_the_history_shows_it(world: Any) -> None:
    client, tokens = world
    ana = {"authorization": f"Bearer {tokens['ana']}"}
    current = client.get("/api/v1/milestones/beta", headers=ana).json()
    changed = client.patch(
        "/api/v1/milestones/beta",
        json={"name": "Open beta", "version": current["version"]},
        headers=ana,
    )
    assert changed.status_code == 200, changed.text
    log_in(client, "ana@example.com")
    text = client.get("/milestones/beta", headers=HTML).text
    assert 'href="/milestones/beta/edit"' in text
    assert "Open beta" in text and "via api" in text
    (entry, *_) = client.get("/milestones/beta.json").json()["history"]
    assert (entry["field"], entry["before"], entry["after"]) == ("name", "Public beta", "Open beta")


def test_watch_and_comment_from_the_page(world: Any) -> None:
    client, tokens = world
    csrf = log_in(client, "bob@example.com")
    watched = client.post(
        "/milestones/beta/watch",
        data={"csrf_token": csrf, "action": "watch"},
        follow_redirects=False,
    )
    assert watched.headers["location"] == "/milestones/beta#watch"
    assert ">Watching</button>" in client.get("/milestones/beta", headers=HTML).text
    posted = client.post(
        "/milestones/beta/comments",
        data={"csrf_token": csrf, "body": "Looks late, @ana"},
        follow_redirects=False,
    )
    assert posted.headers["location"] == "/milestones/beta#comments"
    assert "Looks late, @ana" in client.get("/milestones/beta", headers=HTML).text
    ana = {"authorization": f"Bearer {tokens['ana']}"}
    (note,) = client.get("/api/v1/notifications", headers=ana).json()["notifications"]
    assert note["link"] == "/milestones/beta#comments"


def test_pages_and_search_link_to_it(world: Any) -> None:
    client, _ = world
    log_in(client, "bob@example.com")
    for page in ("/delivery", "/roadmap", "/"):
        assert 'href="/milestones/beta"' in client.get(page, headers=HTML).text, page
    found = client.get("/search.json?q=public+beta").json()["results"]
    assert {"type": "milestone", "url": "/milestones/beta"}.items() <= next(
        r for r in found if r["type"] == "milestone"
    ).items()
