"""The portal and the initiative page's edit and comment forms, through the app (local mode)."""

from __future__ import annotations

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


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_portal_shows_public_items_only(client: TestClient) -> None:
    page = client.get("/portal")
    assert page.status_code == 200
    text = _text(page.text)
    for shown in (
        "Dark mode",
        "Guided onboarding",
        "Freeze a lost card",
        "Under review",
        "Shipped",
    ):
        assert shown in text
    for hidden in ("Crypto wallet", "Instant transfers", "INTERNAL", "Acme", "Globex"):
        assert hidden not in page.text
    assert "Voting needs an account" in text  # local mode: votes read only
    assert 'action="/portal/dark-mode/vote"' not in page.text
    twin = client.get("/portal.json").json()
    assert [i["key"] for s in twin["stages"] for i in s["items"]] == [
        "dark-mode",
        "onboarding",
        "card-freeze",
    ]
    assert client.get("/portal/crypto").status_code == 404
    assert client.get("/portal/crypto.json").status_code == 404


def test_commenting_and_sending_feedback_on_the_portal(client: TestClient) -> None:
    posted = client.post(
        "/portal/dark-mode/comments", data={"body": "Yes please!"}, follow_redirects=False
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == "/portal/dark-mode#comments"
    page = client.get("/portal/dark-mode")
    assert "Yes please!" in page.text and "local user" in page.text
    assert client.get("/portal/dark-mode.json").json()["comments"][0]["body"] == "Yes please!"
    empty = client.post("/portal/dark-mode/comments", data={"body": "  "})
    assert empty.status_code == 422 and "the body is empty" in empty.text
    invisible = client.post("/portal/dark-mode/comments", data={"body": "\u200b\u2060"})
    assert invisible.status_code == 422 and "the body is empty" in invisible.text
    voted = client.post("/portal/dark-mode/vote", data={"action": "vote"})
    assert voted.status_code == 422 and "voting needs an account" in voted.text
    sent = client.post("/portal/feedback", data={"text": "Offline mode"}, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/portal?sent=1")
    assert "Thank you" in client.get("/portal?sent=1").text
    found = client.get("/feedback.json", params={"source": "portal"}).json()
    assert [i["text"] for i in found["items"]] == ["Offline mode"]


def test_an_editor_changes_status_and_a_stale_form_says_so(client: TestClient) -> None:
    page = client.get("/initiatives/crypto")
    assert 'name="version" value="1"' in page.text
    saved = client.post(
        "/initiatives/crypto/edit",
        data={"version": "1", "status": "planned", "public": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "saved=1" in saved.headers["location"]
    detail = client.get("/initiatives/crypto.json").json()
    assert (detail["status"], detail["public"], detail["version"]) == ("planned", True, 2)
    # The same (now old) form again: refused, and the page explains.
    stale = client.post(
        "/initiatives/crypto/edit", data={"version": "1", "status": "done"}, follow_redirects=True
    )
    assert stale.status_code == 200
    assert "Someone changed this since you opened it" in _text(stale.text)
    assert client.get("/initiatives/crypto.json").json()["status"] == "planned"
    bad = client.post("/initiatives/crypto/edit", data={"version": "2", "status": "shipped"})
    assert bad.status_code == 422
    assert client.get("/portal/crypto").status_code == 200  # public now


def test_comments_and_decisions_on_the_initiative_page(client: TestClient) -> None:
    posted = client.post(
        "/initiatives/crypto/comments", data={"body": "Parked until 2031"}, follow_redirects=False
    )
    assert posted.status_code == 303
    detail = client.get("/initiatives/crypto.json").json()
    assert [c["body"] for c in detail["comments"]] == ["Parked until 2031"]
    assert detail["decisions"] == [] and detail["votes"] == 0
    text = _text(client.get("/initiatives/crypto").text)
    assert "Parked until 2031" in text and "Decisions" in text and "Status and portal" in text
