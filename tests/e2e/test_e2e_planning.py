"""The plan in a real browser: the roadmap's Gantt chart and the forecast page's fans.

Reuses the server and browser fixtures of test_browser_pages (a seeded SQLite workspace under
uvicorn, Debian's Chromium through Playwright); skips like them when Chromium is missing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_browser_pages import Page, base_url, browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_gantt_links_to_initiatives_and_the_forecast(page: Page, base_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(base_url + "/roadmap")
    gantt = tab.locator("svg#gantt")
    expect(gantt).to_be_visible()
    expect(gantt.locator("a.gantt__row")).to_have_count(2)
    expect(gantt.locator(".gantt__bar--critical")).to_have_count(2)
    expect(tab.locator("#critical-path")).to_contain_text("onboarding")
    expect(tab.locator("#plan-beta")).to_contain_text("100%")

    # The bar is drawn where its dates say: instant-transfers starts after onboarding ends.
    # Read in the chart's own units: a bounding box would include the critical bars' stroke.
    def span(key: str) -> tuple[float, float]:
        rect = gantt.locator(f'a[href="/initiatives/{key}"] rect')
        left = float(rect.get_attribute("x") or "nan")
        return left, left + float(rect.get_attribute("width") or "nan")

    assert span("instant-transfers")[0] >= span("onboarding")[1] - 0.01
    page.shot("roadmap-gantt")

    tab.locator("#plan").get_by_role("link", name="forecast").click()
    tab.wait_for_url(base_url + "/forecast")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Forecast")
    for key in ("beta", "ga"):
        expect(tab.locator(f"#forecast-{key} svg#fan-{key}")).to_be_visible()
    page.shot("forecast")

    with tab.expect_response(lambda r: r.url.endswith("/forecast.json")) as answer:
        tab.get_by_role("link", name="View as JSON").click()
    data = answer.value.json()
    assert [m["key"] for m in data["plan"]["forecast"]["milestones"]] == ["ga", "beta"]
    assert json.loads(tab.locator("body").inner_text())["plan"]["problem"] is None
    assert page.problems == []


def test_gantt_scrolls_inside_its_box_on_a_phone(browser: Any, base_url: str) -> None:  # noqa: F811
    phone = Page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        for path in ("/roadmap", "/forecast"):
            phone.tab.goto(base_url + path)
            overflow = phone.tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        assert phone.problems == []
    finally:
        phone.context.close()
