"""What stakeholders and anonymous visitors get, as the docs promise (issue 17, items 10, 12).

- Stakeholder API tokens may vote and comment on public initiatives (docs/api.md), and still
  get nothing else: 403 on team resources, 404 on private initiatives.
- The portal never shows a commenter's e-mail address: a display name, else initials.
- ``/docs`` (the API reference) is public, like ``/openapi.json`` (docs/accounts.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from auth_fixtures import PASSWORD, log_in
from portal_fixtures import seed_portal
from productpath.services.accounts import add_user
from productpath.services.api.api_tokens import create_token
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store.models import Comment, Initiative
from productpath.web import create_app

NAMELESS = "ada.lovelace@example.com"


@pytest.fixture
def handle(workspace_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OpenWorkspace]:
    monkeypatch.setenv("PRODUCTPATH_ARGON2_FAST", "1")
    with open_workspace() as opened:
        seed_portal(opened)
        # No display name: known by the e-mail address alone.
        add_user(opened, NAMELESS, "stakeholder", PASSWORD)
        add_user(opened, "bo@example.com", "stakeholder", PASSWORD, name="Bo Brand")
        yield opened


@pytest.fixture
def client(handle: OpenWorkspace) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


def _bearer(handle: OpenWorkspace, email: str) -> dict[str, str]:
    token, _ = create_token(handle, "tests", email)
    return {"authorization": f"Bearer {token}"}


def test_stakeholder_tokens_vote_and_comment_on_public_initiatives(
    handle: OpenWorkspace, client: TestClient
) -> None:
    auth = _bearer(handle, NAMELESS)
    voted = client.post("/api/v1/initiatives/dark-mode/votes", headers=auth)
    assert voted.status_code == 200, voted.text
    assert voted.json()["voted"] is True
    said = client.post(
        "/api/v1/initiatives/dark-mode/comments", json={"body": "Yes please"}, headers=auth
    )
    assert said.status_code == 201, said.text
    listed = client.get("/api/v1/initiatives/dark-mode/comments", headers=auth)
    assert [c["body"] for c in listed.json()] == ["Yes please"]
    assert client.delete("/api/v1/initiatives/dark-mode/votes", headers=auth).status_code == 200
    # Still a stakeholder: private initiatives do not exist for them, team resources are shut.
    assert client.post("/api/v1/initiatives/crypto/votes", headers=auth).status_code == 404
    assert client.get("/api/v1/initiatives/crypto/comments", headers=auth).status_code == 404
    assert client.get("/api/v1/initiatives", headers=auth).status_code == 403
    assert client.get("/api/v1/feedback", headers=auth).status_code == 403
    assert client.get("/api/v1/products", headers=auth).status_code == 403


def test_the_portal_shows_initials_not_e_mail_addresses(
    handle: OpenWorkspace, client: TestClient
) -> None:
    auth = _bearer(handle, NAMELESS)
    client.post("/api/v1/initiatives/dark-mode/comments", json={"body": "Mine"}, headers=auth)
    # A comment stored with an address as its author, as older versions did.
    with handle.store.write() as session:
        dark = session.scalars(select(Initiative).where(Initiative.key == "dark-mode")).one()
        session.add(Comment(initiative_id=dark.id, author="admin@a.test", body="Old one"))
    log_in(client, "bo@example.com")
    page = client.get("/portal/dark-mode")
    twin = client.get("/portal/dark-mode.json").json()
    api = client.get("/api/v1/initiatives/dark-mode/comments", headers=auth).json()
    for shown in (page.text, str(twin), str(api)):
        assert NAMELESS not in shown and "admin@a.test" not in shown
    assert [c["author"] for c in api] == ["A. L.", "A."]
    assert "A. L." in page.text


def test_the_api_reference_is_public(client: TestClient) -> None:
    page = client.get("/docs", headers={"accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 200
    assert "API reference" in page.text
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/api/v1/initiatives").status_code == 401  # the API itself is not
