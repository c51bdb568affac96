"""Arranging the roadmap and moving around by keyboard, in a real browser (local mode: the
person at the keyboard is the admin): drag a card and move one with Alt+ArrowDown, both kept
after a reload and written by `roadmap export`; change a planned date with the timeline's
field and by dragging its bar; `?`, `g r`, `j`/`k`, `e` and Ctrl+K."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

from arrange_fixtures import seed_arrange

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def arranged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The app over a workspace holding tests/arrange_fixtures.py's roadmap, and its settings."""
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    folder = tmp_path_factory.mktemp("arrange")
    init_workspace(folder / "ws", "Pocket")
    settings = Settings(workspace=folder / "ws", database_url=None)
    with open_workspace(settings) as handle:
        seed_arrange(handle, folder)
    for url in _serve(settings):
        yield url, settings


def _exported(settings: Any) -> dict[str, Any]:
    from productpath.services.roadmap import export_roadmap
    from productpath.services.workspace import open_workspace

    with open_workspace(settings) as handle:
        loaded: dict[str, Any] = yaml.safe_load(export_roadmap(handle))
    return loaded


def _next_lane(tab: Any) -> list[str]:
    keys: list[str] = tab.locator(".lane--next [data-key]").evaluate_all(
        "cards => cards.map(c => c.dataset.key)"
    )
    return keys


def test_drag_and_keys_reorder_and_the_export_follows(
    page: Page,  # noqa: F811
    arranged: tuple[str, Any],
) -> None:
    from playwright.sync_api import expect

    url, settings = arranged
    tab = page.tab
    tab.goto(url + "/roadmap")
    assert _next_lane(tab) == ["alpha", "bravo", "charlie"]
    # Drag Charlie by its handle to the top of the Next column.
    handle = tab.locator("#card-charlie .drag-handle")
    top = tab.locator("#card-alpha").bounding_box()
    grip = handle.bounding_box()
    assert top is not None and grip is not None
    tab.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    tab.mouse.down()
    for step in range(1, 11):
        tab.mouse.move(
            grip["x"] + grip["width"] / 2,
            grip["y"] + (top["y"] + 4 - grip["y"]) * step / 10,
        )
    with tab.expect_navigation():
        tab.mouse.up()
    expect(tab.locator("#arrange-saved")).to_contain_text("Moved charlie")
    assert _next_lane(tab) == ["charlie", "alpha", "bravo"]
    expect(tab.locator("#card-charlie")).to_be_focused()
    page.shot("roadmap-board-moved")

    # With the keyboard: Alpha, focused, goes down one place.
    tab.locator("#card-alpha").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Alt+ArrowDown")
    expect(tab.locator("#card-alpha")).to_be_focused()
    tab.reload()
    assert _next_lane(tab) == ["charlie", "bravo", "alpha"]
    order = [i["id"] for i in _exported(settings)["initiatives"]]
    assert order == ["charlie", "bravo", "alpha", "now-one"]
    assert not page.problems, page.problems


def test_change_dates_on_the_timeline(page: Page, arranged: tuple[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, settings = arranged
    tab = page.tab
    tab.goto(url + "/timeline")
    # A target before the start: the roadmap's own words, next to the field, nothing saved.
    tab.get_by_label("Target of Already under way").fill("2029-12-01")
    tab.get_by_role("button", name="Save the dates of Already under way").click()
    expect(tab.locator("#error-now-one")).to_have_text(
        "target 2029-12-01 is before start 2030-01-01"
    )
    expect(tab.get_by_label("Target of Already under way")).to_have_attribute(
        "aria-invalid", "true"
    )
    # The field, then Save.
    tab.goto(url + "/timeline")
    tab.get_by_label("Target of Already under way").fill("2030-01-27")
    tab.get_by_role("button", name="Save the dates of Already under way").click()
    expect(tab.locator("#row-now-one [role=status]")).to_have_text("Saved")
    now_one = next(i for i in _exported(settings)["initiatives"] if i["id"] == "now-one")
    assert now_one["target"] == dt.date(2030, 1, 27)

    # Drag Alpha's bar (2030-01-06 to 2030-02-03) by its middle, 7 days to the right.
    bar = tab.locator("rect[data-key='alpha']")
    box = bar.bounding_box()
    assert box is not None
    ratio = tab.locator("#planned").evaluate(
        "svg => svg.getBoundingClientRect().width / svg.viewBox.baseVal.width"
    )
    day = float(tab.locator("#planned").get_attribute("data-day-width") or 0) * ratio
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tab.mouse.move(x, y)
    tab.mouse.down()
    for step in range(1, 8):
        tab.mouse.move(x + day * step, y)
    with tab.expect_navigation():
        tab.mouse.up()
    expect(tab.get_by_label("Start of Alpha card")).to_have_value("2030-01-13")
    expect(tab.get_by_label("Target of Alpha card")).to_have_value("2030-02-10")
    page.shot("timeline-after-drag")
    alpha = next(i for i in _exported(settings)["initiatives"] if i["id"] == "alpha")
    assert (alpha["start"], alpha["target"]) == (dt.date(2030, 1, 13), dt.date(2030, 2, 10))
    # The 422-free error above is a redirect, not a failed load: nothing in the console.
    assert not page.problems, page.problems


def test_keyboard_shortcuts(page: Page, arranged: tuple[str, Any]) -> None:  # noqa: F811
    from playwright.sync_api import expect

    url, _ = arranged
    tab = page.tab
    tab.goto(url + "/")
    dialog = tab.locator("#shortcuts")
    expect(dialog).to_be_hidden()
    tab.keyboard.press("?")
    expect(dialog).to_be_visible()
    page.shot("shortcuts-dialog")
    expect(dialog.get_by_role("heading")).to_have_text("Keyboard shortcuts")
    tab.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    tab.keyboard.press("g")
    with tab.expect_navigation():
        tab.keyboard.press("r")
    expect(tab).to_have_url(url + "/roadmap")
    tab.keyboard.press("j")
    first = tab.locator("[data-row]").first
    expect(first).to_be_focused()
    tab.keyboard.press("j")
    expect(tab.locator("[data-row]").nth(1)).to_be_focused()
    tab.keyboard.press("k")
    expect(first).to_be_focused()
    key = first.get_attribute("data-key")
    with tab.expect_navigation():
        tab.keyboard.press("e")
    expect(tab).to_have_url(f"{url}/initiatives/{key}#edit")
    # e on the initiative's own page puts the cursor in its edit form.
    tab.locator("h1").click()
    tab.keyboard.press("e")
    expect(tab.locator("#edit-status")).to_be_focused()

    # Typing in a field is left alone: "g" "t" in the search box do not navigate.
    tab.keyboard.press("Control+k")
    box = tab.locator("[data-search-box]")
    expect(box).to_be_focused()
    tab.keyboard.type("gt Alpha")
    expect(tab).to_have_url(f"{url}/initiatives/{key}#edit")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    expect(tab).to_have_url(url + "/search?q=gt+Alpha")
    tab.keyboard.press("g")
    with tab.expect_navigation():
        tab.keyboard.press("t")
    expect(tab).to_have_url(url + "/themes")
    assert not page.problems, page.problems
