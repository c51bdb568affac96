"""The initiative page's history and undo, and the dashboard's recent-activity feed (local
mode, SQLite and PostgreSQL)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from portal_fixtures import portal_client_fixture  # noqa: F401 - fixture


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _edit(portal_client: TestClient, version: int, status: str) -> None:
    saved = portal_client.post(
        "/initiatives/crypto/edit",
        data={"version": str(version), "status": status},
        follow_redirects=False,
    )
    assert saved.status_code == 303


def test_the_page_shows_history_and_undoes_the_last_change(portal_client: TestClient) -> None:
    assert "No changes recorded yet." in _text(portal_client.get("/initiatives/crypto").text)
    _edit(portal_client, 1, "planned")
    page = _text(portal_client.get("/initiatives/crypto").text)
    assert "status : dropped → planned" in page and "via web" in page
    assert "Undo the last change" in page
    dashboard = _text(portal_client.get("/").text)
    assert "Recent activity" in dashboard and "crypto · status : dropped → planned" in dashboard

    edit = re.search(
        r'name="edit" value="([0-9a-f]+)"', portal_client.get("/initiatives/crypto").text
    )
    assert edit is not None
    undone = portal_client.post(
        "/initiatives/crypto/undo", data={"edit": edit[1]}, follow_redirects=False
    )
    assert undone.status_code == 303 and "undone=1" in undone.headers["location"]
    detail = portal_client.get("/initiatives/crypto.json").json()
    assert (detail["status"], detail["version"]) == ("dropped", 3)
    assert "The last change was undone." in _text(
        portal_client.get(undone.headers["location"]).text
    )


def test_undo_from_a_stale_page_is_refused_with_the_reason(portal_client: TestClient) -> None:
    _edit(portal_client, 1, "planned")
    stale_page = portal_client.get("/initiatives/crypto").text
    shown = re.search(r'name="edit" value="([0-9a-f]+)"', stale_page)
    assert shown is not None
    _edit(portal_client, 2, "done")  # someone else changes the status again
    refused = portal_client.post("/initiatives/crypto/undo", data={"edit": shown[1]})
    assert refused.status_code == 200
    assert "cannot undo: initiative 'crypto' field 'status' was changed again" in _text(
        refused.text
    )
    assert portal_client.get("/initiatives/crypto.json").json()["status"] == "done"
