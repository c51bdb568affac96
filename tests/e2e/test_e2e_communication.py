"""The stakeholders and reports pages in a real browser: the report preview frame renders
under its own security policy with no console errors, the add form works, phone width fits.
Reuses the browser fixtures of test_browser_pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

from productpath.services.stakeholders import StakeholderInput, map_raci, save_stakeholder
from web_fixtures import seed

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def comm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("browser-comm") / "ws"
    init_workspace(root, "Pocket")
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        seed(handle)
        save_stakeholder(
            handle,
            StakeholderInput(
                name="Ada Lovelace", email="ada@pocket.example", audience="executive",
                power="high", interest="high",
            ),
        )  # fmt: skip
        map_raci(handle, "onboarding", "ada-lovelace", "A")
    yield from _serve(settings)


def test_reports_preview_frame_renders_without_errors(page: Page, comm_url: str) -> None:  # noqa: F811 - fixture
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(comm_url + "/reports")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Reports")
    tab.get_by_label("Report", exact=True).select_option("engineering")
    tab.get_by_role("button", name="Preview").click()
    tab.wait_for_url(comm_url + "/reports?kind=engineering&since=&milestone=")
    frame = tab.frame_locator("iframe.report-frame")
    expect(frame.locator("h1")).to_contain_text("engineering", ignore_case=True)
    # The report's embedded stylesheet applies inside the frame (its own CSP allows it).
    body_font = frame.locator("body").evaluate("b => getComputedStyle(b).fontFamily")
    assert "DejaVu Sans" in body_font
    page.shot("reports")
    tab.get_by_label("Dry run: only show who would get what").check()
    tab.get_by_role("button", name="Send digests now").click()
    expect(tab.get_by_role("status")).to_have_text("Dry run: nothing was sent or recorded.")
    expect(tab.locator("#send")).to_contain_text("Would send")
    assert page.problems == []


def test_stakeholders_page_and_add_form(page: Page, comm_url: str) -> None:  # noqa: F811 - fixture
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(comm_url + "/stakeholders")
    expect(tab.get_by_role("heading", level=2, name="Power / interest grid")).to_be_visible()
    expect(tab.locator(".raci-table")).to_contain_text("A")
    tab.get_by_label("Name").fill("Grace Hopper")
    tab.get_by_label("E-mail").fill("grace@pocket.example")
    tab.get_by_label("Interest", exact=True).select_option("high")
    tab.get_by_role("button", name="Save stakeholder").click()
    expect(tab.get_by_role("status")).to_contain_text("grace-hopper")
    expect(tab.locator("#sh-grace-hopper")).to_contain_text("Keep informed")
    page.shot("stakeholders")
    assert page.problems == []


def test_phone_width(browser: Any, comm_url: str) -> None:  # noqa: F811 - fixture
    phone = Page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        for path in ["/stakeholders", "/reports"]:
            phone.tab.goto(comm_url + path)
            overflow = phone.tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
            phone.shot(path.strip("/") + "-phone")
        assert phone.problems == []
    finally:
        phone.context.close()
