"""A team's members edited in the browser (the team form on /roadmap/objects) and through the
editing service: the rules and words of ``roadmap apply``, a version, the history, the export;
on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from portal_fixtures import portal_client_fixture  # noqa: F401 - fixture
from productpath.errors import ConflictError, RoadmapError
from productpath.services.history import object_history, undo
from productpath.services.roadmap import export_roadmap
from productpath.services.roadmap_edit import edit_object, object_spec
from productpath.services.workspace import OpenWorkspace, open_workspace
from web_fixtures import seed


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        seed(h)
        yield h


def _members(handle: OpenWorkspace, team: str) -> list[dict[str, str]]:
    exported = yaml.safe_load(export_roadmap(handle))
    found = next(t for t in exported["teams"] if t["id"] == team)
    return list(found.get("members") or [])


def test_members_are_edited_versioned_and_recorded(handle: OpenWorkspace) -> None:
    _, version = object_spec(handle, "team", "payments")
    people = [{"name": "Ana Lima", "email": "ana@example.com"}, {"name": "Bo"}]
    saved = edit_object(
        handle,
        "team",
        "payments",
        {"members": people},
        expected_version=version,
        actor="pm@x",
        via="web",
    )
    assert saved.changed == ("members",) and saved.version == version + 1
    assert _members(handle, "payments") == people
    latest = object_history(handle, "team", "payments")[0]
    stored = [{"name": "Ana Lima", "email": "ana@example.com"}, {"name": "Bo", "email": None}]
    assert (latest.field, latest.before, latest.after, latest.via) == ("members", [], stored, "web")
    # The roadmap's rules, in its words: a member needs a name; nothing is half-saved.
    with pytest.raises(RoadmapError, match="name"):
        edit_object(
            handle,
            "team",
            "payments",
            {"members": [{"email": "x@example.com"}]},
            expected_version=saved.version,
            actor="pm@x",
            via="web",
        )
    with pytest.raises(ConflictError):
        edit_object(
            handle,
            "team",
            "payments",
            {"members": []},
            expected_version=version,
            actor="pm@x",
            via="web",
        )
    assert _members(handle, "payments") == people
    undo(handle, "team", "payments", actor="pm@x", via="web")
    assert _members(handle, "payments") == []


def test_the_team_form_adds_and_removes_people(portal_client: TestClient) -> None:
    client = portal_client
    form = client.get("/teams/payments/edit").text
    assert form.count('name="member_name"') == 3  # spare rows for new people
    added = client.post(
        "/teams/payments/edit",
        data={
            "version": "1",
            "name": "Payments",
            "capacity_per_week": "3",
            "member_name": ["Ana Lima", "Bo", ""],
            "member_email": ["ana@example.com", "", ""],
        },
        follow_redirects=True,
    )
    assert added.status_code == 200 and "Saved (version 2)" in added.text
    assert 'value="Ana Lima"' in added.text and 'value="ana@example.com"' in added.text
    # A row with an e-mail and no name: refused next to the members, nothing saved.
    bad = client.post(
        "/teams/payments/edit",
        data={
            "version": "2",
            "name": "Payments",
            "capacity_per_week": "3",
            "member_name": ["Ana Lima", ""],
            "member_email": ["ana@example.com", "bo@example.com"],
        },
    )
    assert bad.status_code == 422 and 'id="err-members"' in bad.text
    # Clearing Ana's row removes her; the history on the API says so.
    removed = client.post(
        "/teams/payments/edit",
        data={
            "version": "2",
            "name": "Payments",
            "capacity_per_week": "3",
            "member_name": ["", "Bo"],
            "member_email": ["", ""],
        },
        follow_redirects=True,
    )
    assert "Saved (version 3)" in removed.text and 'value="Ana Lima"' not in removed.text
    history = client.get("/api/v1/teams/payments/history").json()
    assert history[0]["field"].startswith("members") and history[0]["via"] == "web"
