"""Watches, notifications, comments and channels through the real app: the JSON API (with
tokens) and the pages and forms (with a logged-in session), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auth_fixtures import log_in, make_user
from productpath.services import accounts
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store import product_repo
from productpath.store.models import Decision, Theme
from productpath.web.app import create_app
from web_fixtures import seed

HTML = {"accept": "text/html"}


@pytest.fixture
def world(
    workspace_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[OpenWorkspace, TestClient, dict[str, str]]]:
    monkeypatch.setenv(accounts.FAST_HASH_ENV, "1")
    with open_workspace() as handle:
        seed(handle)
        with handle.store.write() as s:
            pid = product_repo.find_id(s, handle.workspace.product)
            s.add(Theme(product_id=pid, number=1, label="Slow sign-up", size=3))
            s.add(Decision(product_id=pid, key="d1", title="Drop it", decided_on=dt.date.today()))
        tokens = {
            "ana": make_user(handle, "ana@example.com", "editor"),
            "bob": make_user(handle, "bob@example.com", "viewer"),
            "stan": make_user(handle, "stan@example.com", "stakeholder"),
        }
        with TestClient(create_app(Settings())) as client:
            yield handle, client, tokens


def _as(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {tokens[who]}"}


def _patch_status(client: TestClient, token: dict[str, str], key: str, status: str) -> None:
    current = client.get(f"/api/v1/initiatives/{key}", headers=token).json()
    answer = client.patch(
        f"/api/v1/initiatives/{key}",
        json={"status": status, "version": current["version"]},
        headers=token,
    )
    assert answer.status_code == 200, answer.text


def test_watch_and_be_told_through_the_api(world: Any) -> None:
    _, client, tokens = world
    bob, ana = _as(tokens, "bob"), _as(tokens, "ana")
    for path in ("/initiatives/dark-mode", "/milestones/beta", "/themes/1"):
        answer = client.post(f"/api/v1{path}/watch", headers=bob)
        assert answer.status_code == 200 and answer.json()["watching"] is True, path
    assert client.post("/api/v1/initiatives/nope/watch", headers=bob).status_code == 404
    # Stakeholders are not the team: 403.
    assert (
        client.post("/api/v1/initiatives/dark-mode/watch", headers=_as(tokens, "stan")).status_code
        == 403
    )

    _patch_status(client, ana, "dark-mode", "planned")
    listed = client.get("/api/v1/notifications", headers=bob).json()
    assert listed["unread"] == 1
    (note,) = listed["notifications"]
    assert (note["kind"], note["subject"], note["read"]) == (
        "status",
        "Dark mode is now planned",
        False,
    )
    assert client.get("/api/v1/notifications", headers=ana).json()["unread"] == 0
    marked = client.post("/api/v1/notifications/read", json={"ids": [note["id"]]}, headers=bob)
    assert marked.json() == {"marked": 1, "unread": 0}
    assert (
        client.get("/api/v1/notifications?unread=true", headers=bob).json()["notifications"] == []
    )
    bad = client.post("/api/v1/notifications/read", json={"ids": "all"}, headers=bob)
    assert bad.status_code == 422

    gone = client.delete("/api/v1/initiatives/dark-mode/watch", headers=bob)
    assert gone.json()["watching"] is False
    _patch_status(client, ana, "dark-mode", "proposed")
    assert client.get("/api/v1/notifications", headers=bob).json()["unread"] == 0


def test_comments_mentions_and_the_user_list(world: Any) -> None:
    _, client, tokens = world
    bob, ana = _as(tokens, "bob"), _as(tokens, "ana")
    people = client.get("/api/v1/users?prefix=bo", headers=ana).json()
    assert people == [{"name": "bob", "email": "bob@example.com", "mention": "@bob"}]
    assert client.get("/api/v1/users?prefix=st", headers=ana).json() == []
    assert client.get("/api/v1/users", headers=_as(tokens, "stan")).status_code == 403

    for path in ("/decisions/d1", "/themes/1", "/milestones/beta"):
        made = client.post(f"/api/v1{path}/comments", json={"body": "Look, @bob"}, headers=ana)
        assert made.status_code == 201, made.text
        listed = client.get(f"/api/v1{path}/comments", headers=bob).json()
        assert [c["body"] for c in listed] == ["Look, @bob"]
    client.post(
        "/api/v1/initiatives/crypto/comments", json={"body": "@bob@example.com ?"}, headers=ana
    )
    kinds = [
        n["kind"] for n in client.get("/api/v1/notifications", headers=bob).json()["notifications"]
    ]
    assert kinds == ["mention"] * 4
    empty = client.post("/api/v1/themes/1/comments", json={"body": ""}, headers=ana)
    assert empty.status_code == 422
    assert (
        client.post("/api/v1/decisions/zz/comments", json={"body": "x"}, headers=ana).status_code
        == 404
    )


def test_the_bell_the_page_the_forms_and_the_channels(world: Any) -> None:
    _, client, tokens = world
    csrf = log_in(client, "bob@example.com")
    page = client.get("/initiatives/dark-mode", headers=HTML).text
    assert "data-bell-count>0<" in page and ">Watch</button>" in page
    assert "data-mention" in page
    watched = client.post(
        "/initiatives/dark-mode/watch",
        data={"csrf_token": csrf, "action": "watch"},
        follow_redirects=False,
    )
    assert watched.status_code == 303
    assert ">Watching</button>" in client.get("/initiatives/dark-mode", headers=HTML).text
    _patch_status(client, _as(tokens, "ana"), "dark-mode", "planned")
    page = client.get("/notifications", headers=HTML).text
    assert "data-bell-count>1<" in page and "Dark mode is now planned" in page
    assert client.get("/notifications.json").json()["unread"] == 1

    # Opening a notification marks it read and goes to its page (only paths on this site).
    note = client.get("/notifications.json").json()["notifications"][0]
    opened = client.post(
        "/notifications/read",
        data={"csrf_token": csrf, "id": note["id"], "next": note["link"]},
        follow_redirects=False,
    )
    assert opened.headers["location"] == "/initiatives/dark-mode"
    assert client.get("/notifications.json").json()["unread"] == 0
    away = client.post(
        "/notifications/read",
        data={"csrf_token": csrf, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert away.headers["location"] == "/notifications"

    # Theme and decision pages carry comments; milestones theirs on the delivery page.
    for form, page_url in (
        ("/themes/1/comments", "/themes/1"),
        ("/decisions/d1/comments", "/decisions/d1"),
    ):
        posted = client.post(
            form, data={"csrf_token": csrf, "body": "Hi @ana"}, follow_redirects=False
        )
        assert posted.status_code == 303
        assert "Hi @ana" in client.get(page_url, headers=HTML).text
    assert client.get("/notifications.json", headers=_as(tokens, "ana")).json()["unread"] == 2

    # Channels on the account page: a refused webhook comes back as the page's error.
    refused = client.post(
        "/account/notifications",
        data={"csrf_token": csrf, "email": "1", "webhook_url": "http://10.0.0.8/hook"},
        follow_redirects=False,
    )
    assert "channels_error" in refused.headers["location"]
    assert client.get("/account/notifications.json").json()["email"] is False
    saved = client.post(
        "/account/notifications", data={"csrf_token": csrf, "email": "1"}, follow_redirects=False
    )
    assert saved.headers["location"] == "/account?channels=1#notify"
    assert client.get("/account/notifications.json").json()["email"] is True
    assert "Notification channels saved." in client.get("/account?channels=1", headers=HTML).text


def test_new_routes_are_in_openapi(world: Any) -> None:
    _, client, _ = world
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/notifications",
        "/api/v1/notifications/read",
        "/api/v1/initiatives/{key}/watch",
        "/api/v1/milestones/{key}/watch",
        "/api/v1/themes/{number}/watch",
        "/api/v1/milestones/{key}/comments",
        "/api/v1/themes/{number}/comments",
        "/api/v1/decisions/{key}/comments",
        "/api/v1/users",
    ):
        assert path in paths, path
