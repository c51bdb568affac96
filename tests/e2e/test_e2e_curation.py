"""Curation in a real browser, with plain forms: rename a theme on its page, then tick items in
the feedback explorer and move them to that theme with the action bar. Reuses the analysed
workspace of test_e2e_themes (its own copy: this module changes it)."""

from __future__ import annotations

import pytest
from test_browser_pages import Page, browser, page  # noqa: F401 - fixtures
from test_e2e_themes import _dark_mode_theme, themes_url  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def test_rename_a_theme_then_bulk_move_items_to_it(page: Page, themes_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    dark = _dark_mode_theme(themes_url, tab)
    number = dark["number"]
    tab.goto(themes_url + f"/themes/{number}")
    tab.get_by_label("Rename").fill("Night mode for the app")
    tab.get_by_role("button", name="Rename").click()
    tab.wait_for_url(themes_url + f"/themes/{number}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Night mode for the app")
    expect(tab.get_by_role("heading", level=1)).to_contain_text("(named by a person)")
    page.shot("theme-renamed")

    tab.goto(themes_url + "/feedback?q=forgot+my+pin")
    boxes = tab.locator('input[type="checkbox"][name="items"]')
    expect(boxes.first).to_be_visible()
    picked = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    boxes.nth(0).check()
    boxes.nth(1).check()
    tab.locator("#bulk-theme").select_option(str(number))
    tab.get_by_role("button", name="Move to theme").click()
    tab.wait_for_url(themes_url + "/feedback?q=forgot+my+pin")
    moved = tab.locator("li.feedback-item").filter(has=tab.locator(f'input[value="{picked[0]}"]'))
    expect(moved.get_by_role("link", name=f"#{number} Night mode for the app")).to_be_visible()
    page.shot("explorer-moved")
    shown = tab.request.get(themes_url + "/feedback.json?q=forgot+my+pin").json()["items"]
    assert {str(i["id"]) for i in shown if i["theme"] == number} >= set(picked)
    log = tab.request.get(themes_url + "/api/v1/curation").json()
    assert [d["action"] for d in log] == ["rename", "move"]
    assert page.problems == []
