"""Versions and conflicts: every roadmap object carries a version that each change moves on,
a stale API edit is 409 with the stored object, and the web's conflict view lets the person
keep their change or the other one. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api_fixtures import api_fixture  # noqa: F401 - fixture
from portal_fixtures import portal_client_fixture  # noqa: F401 - fixture
from productpath.services.roadmap import apply_roadmap, export_roadmap
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.store.models import Initiative, Milestone, Objective, Team
from roadmap_fixtures import SMALL_ROADMAP


def _versions(handle: OpenWorkspace) -> dict[str, int]:
    found: dict[str, int] = {}
    with handle.store.read() as s:
        for model in (Objective, Team, Milestone, Initiative):
            for key, version in s.execute(select(model.key, model.version)):
                found[f"{model.__tablename__}:{key}"] = version
    return found


def test_apply_moves_on_the_version_of_each_changed_object(
    workspace_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "roadmap.yaml"
    with open_workspace() as handle:
        path.write_text(SMALL_ROADMAP, encoding="utf-8")
        apply_roadmap(handle, path, actor="a")
        assert set(_versions(handle).values()) == {1}
        changed = (
            SMALL_ROADMAP.replace("capacity_per_week: 3", "capacity_per_week: 4")
            .replace("target: 80", "target: 85")
            .replace("2026-03-31", "2026-04-30")
            .replace("Tap to pay", "Tap")
        )
        path.write_text(changed, encoding="utf-8")
        apply_roadmap(handle, path, actor="a")
        assert _versions(handle) == {
            "objective:activation": 2,
            "team:payments": 2,
            "milestone:beta": 2,
            "initiative:kyc": 1,
            "initiative:tap": 2,
        }
        # Re-applying what is stored changes nothing, so no version moves.
        path.write_text(export_roadmap(handle), encoding="utf-8")
        apply_roadmap(handle, path, actor="a")
        assert _versions(handle)["initiative:tap"] == 2


def test_a_stale_api_edit_is_409_with_the_stored_initiative(api: TestClient) -> None:
    url = "/api/v1/initiatives/crypto"
    assert api.patch(url, json={"version": 1, "title": "Theirs"}).status_code == 200
    stale = api.patch(url, json={"version": 1, "title": "Mine"})
    assert stale.status_code == 409
    body = stale.json()
    assert "changed by someone else" in body["detail"]
    assert (body["current"]["title"], body["current"]["version"]) == ("Theirs", 2)
    # Nothing was lost: "Mine" was not written, and sent again with the stored version it is.
    retried = api.patch(url, json={"version": 2, "title": "Mine"})
    assert retried.status_code == 200 and retried.json()["title"] == "Mine"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_conflict_view_shows_both_changes_and_keeps_the_chosen_one(
    portal_client: TestClient,
) -> None:
    theirs = {"version": "1", "status": "planned"}
    assert portal_client.post("/initiatives/crypto/edit", data=theirs).status_code == 200
    mine = portal_client.post(
        "/initiatives/crypto/edit", data={"version": "1", "status": "done", "public": "1"}
    )
    page = _text(mine.text)
    assert "Your change Done, on the portal" in page
    assert "Saved meanwhile Planned, not on the portal" in page and "via web" in page
    form = re.search(r'class="conflict__choice">(.*?)</form>', mine.text, re.S)
    assert form is not None
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form[1]))
    assert fields == {"version": "2", "status": "done", "public": "1"}
    kept = portal_client.post("/initiatives/crypto/edit", data=fields)
    assert kept.status_code == 200
    detail = portal_client.get("/initiatives/crypto.json").json()
    assert (detail["status"], detail["public"], detail["version"]) == ("done", True, 3)
