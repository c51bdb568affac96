"""The initiative page's history and undo, and the dashboard's recent-activity feed (local
mode, SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from portal_fixtures import seed_portal
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.web import create_app


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with open_workspace() as handle:
        seed_portal(handle)
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _edit(client: TestClient, version: int, status: str) -> None:
    saved = client.post(
        "/initiatives/crypto/edit",
        data={"version": str(version), "status": status},
        follow_redirects=False,
    )
    assert saved.status_code == 303


def test_the_page_shows_history_and_undoes_the_last_change(client: TestClient) -> None:
    assert "No changes recorded yet." in _text(client.get("/initiatives/crypto").text)
    _edit(client, 1, "planned")
    page = _text(client.get("/initiatives/crypto").text)
    assert "status : dropped → planned" in page and "via web" in page
    assert "Undo the last change" in page
    dashboard = _text(client.get("/").text)
    assert "Recent activity" in dashboard and "crypto · status : dropped → planned" in dashboard

    edit = re.search(r'name="edit" value="([0-9a-f]+)"', client.get("/initiatives/crypto").text)
    assert edit is not None
    undone = client.post("/initiatives/crypto/undo", data={"edit": edit[1]}, follow_redirects=False)
    assert undone.status_code == 303 and "undone=1" in undone.headers["location"]
    detail = client.get("/initiatives/crypto.json").json()
    assert (detail["status"], detail["version"]) == ("dropped", 3)
    assert "The last change was undone." in _text(client.get(undone.headers["location"]).text)


def test_undo_from_a_stale_page_is_refused_with_the_reason(client: TestClient) -> None:
    _edit(client, 1, "planned")
    stale_page = client.get("/initiatives/crypto").text
    shown = re.search(r'name="edit" value="([0-9a-f]+)"', stale_page)
    assert shown is not None
    _edit(client, 2, "done")  # someone else changes the status again
    refused = client.post("/initiatives/crypto/undo", data={"edit": shown[1]})
    assert refused.status_code == 200
    assert "cannot undo: initiative 'crypto' field 'status' was changed again" in _text(
        refused.text
    )
    assert client.get("/initiatives/crypto.json").json()["status"] == "done"
