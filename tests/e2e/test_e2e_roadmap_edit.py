"""Editing the roadmap in a real browser: create an initiative, edit it, and two editors saving
the same initiative (the second gets the conflict view, keeps their change, nothing is lost).

Its own seeded SQLite workspace under uvicorn; reuses the browser fixtures of test_browser_pages
(skips like them when Chromium is missing).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

from web_fixtures import seed

pytestmark = pytest.mark.browser


def _unexpected(problems: list[str]) -> list[str]:
    """Problems but the refused saves' own answers: a form shown again with an error is 422,
    the conflict view 409, and Chromium logs either as a failed load."""
    return [p for p in problems if "status of 422" not in p and "status of 409" not in p]


@pytest.fixture(scope="module")
def edit_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("edit") / "ws"
    init_workspace(root, "Pocket")
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        seed(handle)
    yield from _serve(settings)


def test_create_edit_and_a_conflict_between_two_editors(
    page: Page,  # noqa: F811
    browser: Any,  # noqa: F811
    edit_url: str,
) -> None:
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(edit_url + "/roadmap")
    tab.get_by_role("link", name="New initiative").first.click()
    tab.wait_for_url(edit_url + "/roadmap/new")
    tab.get_by_label("Title", exact=True).fill("Split bills")
    tab.get_by_label("Team", exact=True).select_option("payments")
    tab.get_by_label("Milestone", exact=True).select_option("ga")
    tab.get_by_label("Optimistic").fill("1")
    tab.get_by_label("Likely").fill("2")
    tab.get_by_label("Pessimistic").fill("4")
    # A bad value first: refused next to its field, in roadmap apply's words.
    tab.get_by_label("Depends on (initiative keys, comma separated)").fill("nobody")
    tab.get_by_role("button", name="Create initiative").click()
    expect(tab.locator(".field-error")).to_contain_text("unknown initiative 'nobody'")
    expect(tab.get_by_label("Title", exact=True)).to_have_value("Split bills")
    tab.get_by_label("Depends on (initiative keys, comma separated)").fill("onboarding")
    tab.get_by_role("button", name="Create initiative").click()
    tab.wait_for_url(edit_url + "/initiatives/split-bills?saved=1")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Split bills")
    page.shot("initiative-created")

    # Edit it.
    tab.get_by_role("link", name="Edit", exact=True).click()
    tab.get_by_label("Title", exact=True).fill("Split the bill")
    tab.get_by_role("button", name="Save").click()
    tab.wait_for_url(edit_url + "/initiatives/split-bills?saved=1")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Split the bill")

    # Two editors open the form; the first saves, the second's save is the conflict view.
    other = Page(browser, viewport={"width": 1280, "height": 900})
    try:
        other.tab.goto(edit_url + "/initiatives/split-bills/edit")
        tab.goto(edit_url + "/initiatives/split-bills/edit")
        tab.get_by_label("Title", exact=True).fill("Split bills with friends")
        tab.get_by_role("button", name="Save").click()
        tab.wait_for_url(edit_url + "/initiatives/split-bills?saved=1")

        other.tab.get_by_label("Title", exact=True).fill("Share a bill")
        other.tab.get_by_role("button", name="Save").click()
        conflict = other.tab.locator("#edit-conflict")
        expect(conflict).to_contain_text("Someone saved this initiative since you opened it")
        expect(conflict).to_contain_text("Share a bill")
        expect(conflict).to_contain_text("Split bills with friends")
        other.shot("initiative-conflict")
        # Nothing was overwritten; the second editor keeps theirs on purpose.
        expect(other.tab.get_by_label("Title", exact=True)).to_have_value("Share a bill")
        other.tab.get_by_role("button", name="Keep mine").click()
        other.tab.wait_for_url(edit_url + "/initiatives/split-bills?saved=1")
        expect(other.tab.get_by_role("heading", level=1)).to_have_text("Share a bill")
        # Both saves are in the history.
        history = other.tab.locator("#history")
        expect(history).to_contain_text("Split bills with friends")
        expect(history).to_contain_text("Share a bill")
        assert _unexpected(other.problems) == []
    finally:
        other.context.close()
    assert _unexpected(page.problems) == []
