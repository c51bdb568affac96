"""The browser's roadmap edit forms (web/routes/roadmap_edit.py), without JavaScript: new
initiative, the full edit form, errors next to their field in apply's words with nothing saved,
the conflict view after a stale save, archive; objectives with key results, milestones, teams.
SQLite and PostgreSQL, local mode (an admin)."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from portal_fixtures import portal_client_fixture  # noqa: F401 - fixture


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _form(**changes: str) -> dict[str, str]:
    form = {
        "title": "Split bills",
        "description": "Share a payment.",
        "status": "planned",
        "team": "payments",
        "objective": "O1",
        "milestone": "ga",
        "estimate_optimistic": "1",
        "estimate_likely": "2",
        "estimate_pessimistic": "4",
        "start": "2030-01-05",
        "target": "2030-02-01",
        "depends_on": "onboarding",
        "themes": "",
        "public": "1",
    }
    form.update(changes)
    return form


def test_create_then_edit_every_field_and_see_the_effect(portal_client: TestClient) -> None:
    client = portal_client
    assert "New initiative" in client.get("/roadmap").text
    page = client.get("/roadmap/new")
    assert page.status_code == 200 and 'name="estimate_likely"' in page.text
    created = client.post("/roadmap/new", data=_form(), follow_redirects=False)
    assert created.status_code == 303, created.text
    assert created.headers["location"] == "/initiatives/split-bills?saved=1"
    detail = client.get("/initiatives/split-bills.json").json()
    assert detail["team"]["key"] == "payments" and detail["version"] == 1
    # The roadmap board and the schedule show it at once.
    assert "Split bills" in client.get("/roadmap").text

    edit = client.get("/initiatives/split-bills/edit")
    assert 'value="Split bills"' in edit.text and 'name="version" value="1"' in edit.text
    saved = client.post(
        "/initiatives/split-bills/save",
        data={**_form(title="Split the bill", team="growth", estimate_likely="3"), "version": "1"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    detail = client.get("/initiatives/split-bills.json").json()
    assert (detail["title"], detail["team"]["key"], detail["version"]) == (
        "Split the bill",
        "growth",
        2,
    )
    assert "Split the bill" in _text(client.get("/roadmap").text)


def test_errors_stand_next_to_their_field_in_applys_words_and_nothing_is_saved(
    portal_client: TestClient,
) -> None:
    client = portal_client
    before = client.get("/initiatives/onboarding.json").json()
    for changes, words in (
        ({"team": "nobody"}, "unknown team 'nobody'"),
        ({"depends_on": "instant-transfers"}, "dependency cycle"),
        ({"start": "2030-03-01", "target": "2030-02-01"}, "target 2030-02-01 is before start"),
        ({"estimate_likely": "9"}, "optimistic <= likely <= pessimistic"),
    ):
        refused = client.post(
            "/initiatives/onboarding/save", data={**_form(**changes), "version": "1"}
        )
        assert refused.status_code == 422, (changes, refused.text[:300])
        assert words in html.unescape(refused.text)
        assert 'class="field-error"' in refused.text
        # What was typed comes back, and nothing was saved.
        assert 'value="Split bills"' in refused.text
        assert client.get("/initiatives/onboarding.json").json() == before
    duplicate = client.post("/roadmap/new", data=_form(title="Dark mode"))
    assert duplicate.status_code == 422 and "duplicate id 'dark-mode'" in html.unescape(
        duplicate.text
    )


def test_a_stale_save_shows_both_changes_and_keep_mine_saves_it(portal_client: TestClient) -> None:
    client = portal_client
    first = client.post(
        "/initiatives/dark-mode/save",
        data={**_form(title="Dark theme", team="", milestone="", depends_on=""), "version": "1"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    stale = client.post(
        "/initiatives/dark-mode/save",
        data={**_form(title="Night mode", team="", milestone="", depends_on=""), "version": "1"},
    )
    assert stale.status_code == 409
    text = _text(stale.text)
    assert "Someone saved this initiative since you opened it" in text
    assert "Night mode" in text and "Dark theme" in text  # both changes, nothing lost
    assert 'name="version" value="2"' in stale.text and "Keep mine" in text
    assert client.get("/initiatives/dark-mode.json").json()["title"] == "Dark theme"
    kept = client.post(
        "/initiatives/dark-mode/save",
        data={**_form(title="Night mode", team="", milestone="", depends_on=""), "version": "2"},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    assert client.get("/initiatives/dark-mode.json").json()["title"] == "Night mode"


def test_archive_takes_it_off_the_board(portal_client: TestClient) -> None:
    client = portal_client
    page = client.get("/initiatives/dark-mode")
    assert "Archive" in page.text and 'href="/initiatives/dark-mode/edit"' in page.text
    archived = client.post(
        "/initiatives/dark-mode/archive", data={"version": "1"}, follow_redirects=True
    )
    assert "Archived" in _text(archived.text)
    assert client.get("/initiatives/dark-mode.json").json()["status"] == "archived"
    assert "/initiatives/dark-mode" not in client.get("/roadmap").text
    stale = client.post("/initiatives/crypto/archive", data={"version": "7"}, follow_redirects=True)
    assert "was not archived" in _text(stale.text)


def test_objectives_milestones_and_teams_forms(portal_client: TestClient) -> None:
    client = portal_client
    listing = _text(client.get("/roadmap/objects").text)
    assert "Grow activation" in listing and "Payments" in listing
    form = client.get("/objectives/O1/edit")
    assert 'value="Activation rate"' in form.text
    saved = client.post(
        "/objectives/O1/edit",
        data={
            "version": "1",
            "title": "Grow activation fast",
            "description": "",
            "kr_id": ["KR1", "KR2", "KR3"],
            "kr_title": ["Activation rate", "Time to first payment", "Referrals"],
            "kr_target": ["50", "", "100"],
            "kr_unit": ["%", "", ""],
            "kr_kpi": ["", "", ""],
        },
        follow_redirects=True,
    )
    assert saved.status_code == 200 and "Saved (version 2)" in _text(saved.text)
    assert 'value="Referrals"' in saved.text
    bad = client.post(
        "/teams/payments/edit", data={"version": "1", "name": "Payments", "capacity_per_week": "0"}
    )
    assert bad.status_code == 422 and "greater than 0" in bad.text
    assert (
        client.post(
            "/teams/payments/edit",
            data={"version": "1", "name": "Payments", "capacity_per_week": "5"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    created = client.post(
        "/roadmap/new/milestone",
        data={"key": "v2", "name": "Version 2", "target_date": "2031-01-31", "description": ""},
        follow_redirects=False,
    )
    assert created.headers["location"] == "/milestones/v2/edit?saved=1"
    in_use = client.post("/teams/payments/delete", data={"version": "2"})
    assert in_use.status_code == 422 and "still named by" in in_use.text
    gone = client.post("/milestones/v2/delete", data={"version": "1"}, follow_redirects=False)
    assert gone.status_code == 303
    assert client.get("/milestones/v2/edit").status_code == 404
