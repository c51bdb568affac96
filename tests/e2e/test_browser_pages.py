"""The pages in a real browser: Debian's Chromium, driven by Playwright, against uvicorn.

Set PRODUCTPATH_SCREENSHOTS=DIR to keep a screenshot of each page (laptop and phone width).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from live_server import serve_in_thread
from web_fixtures import seed

CHROMIUM = Path("/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
SCREENSHOTS = os.environ.get("PRODUCTPATH_SCREENSHOTS")
# Flags for a headless run in a container: no sandbox, GPU or calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app under uvicorn, in a thread, on a free port, over a seeded SQLite workspace."""
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("browser") / "ws"
    init_workspace(root, "Pocket")
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        seed(handle)
    yield from _serve(settings)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over the Pocket demo workspace, with its git history, Jira issues and radar."""
    import datetime as dt

    from productpath.demo import build_demo
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("browser-demo") / "demo"
    build_demo(root, today=dt.date.today())
    yield from _serve(Settings(workspace=root, database_url=None))


def _serve(settings: Any) -> Iterator[str]:
    yield from serve_in_thread(settings, start_within_s=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium to run the browser tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


class Page:
    """A browser tab that records console errors, page errors and failed requests."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.tab = self.context.new_page()
        self.problems: list[str] = []
        self.tab.on("console", self._console)
        self.tab.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        self.tab.on("requestfailed", self._failed)

    def _failed(self, request: Any) -> None:
        # A load cut short because the test navigated on (net::ERR_ABORTED) is not a fault.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.problems.append(f"failed: {request.url} ({request.failure})")

    def _console(self, message: Any) -> None:
        # CSP violations and failed loads (a missing favicon, say) are console errors.
        if message.type in {"error", "warning"}:
            where = message.location.get("url", "")
            self.problems.append(f"console {message.type}: {message.text} ({where})")

    def shot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.tab.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    tab = Page(browser, viewport={"width": 1280, "height": 900})
    try:
        yield tab
    finally:
        tab.context.close()


def test_dashboard_to_roadmap_to_json(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(base_url + "/")
    expect(tab).to_have_title("Pocket dashboard · productpath")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Pocket")
    for heading in ["Initiatives by status", "Milestones", "Objectives", "Feedback"]:
        expect(tab.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(tab.locator("#stat-initiatives")).to_have_text("5")
    expect(tab.locator("#stat-feedback")).to_have_text("4")
    expect(tab.locator("#stat-feedback-recent")).to_have_text("3")
    expect(tab.locator("#stat-customers")).to_have_text("2")
    expect(tab.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    page.shot("dashboard")

    tab.get_by_role("navigation", name="Main").get_by_role("link", name="Roadmap").click()
    tab.wait_for_url(base_url + "/roadmap")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Roadmap")
    beta = tab.locator("#milestone-beta")
    expect(beta.get_by_role("heading", level=2)).to_contain_text("Public beta")
    row = beta.locator("#initiative-onboarding")
    expect(row).to_contain_text("Guided onboarding")
    expect(row).to_contain_text("In progress")
    expect(tab.locator("#initiative-instant-transfers")).to_contain_text("card-freeze")
    expect(tab.locator(".lane--now")).to_contain_text("Guided onboarding")
    page.shot("roadmap")

    with tab.expect_response(lambda r: r.url.endswith("/roadmap.json")) as answer:
        tab.get_by_role("link", name="View as JSON").click()
    data = answer.value.json()
    assert data["lanes"]["now"][0]["key"] == "onboarding"
    assert data["milestones"][0]["key"] == "beta"
    assert json.loads(tab.locator("body").inner_text())["initiatives_total"] == 5
    assert page.problems == []


def test_phone_width_needs_no_sideways_scrolling(browser: Any, base_url: str) -> None:
    phone = Page(
        browser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        for name, path in [("dashboard-phone", "/"), ("roadmap-phone", "/roadmap")]:
            phone.tab.goto(base_url + path)
            phone.shot(name)
            # Wide tables scroll inside their own box; the page itself must not.
            overflow = phone.tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        assert phone.problems == []
    finally:
        phone.context.close()


def test_skip_link_moves_focus_to_the_content(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    page.tab.goto(base_url + "/roadmap")
    page.tab.keyboard.press("Tab")
    skip = page.tab.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.tab.keyboard.press("Enter")
    expect(page.tab.locator("main")).to_be_focused()
    assert page.problems == []


def test_missing_page_in_the_browser(page: Page, base_url: str) -> None:
    from playwright.sync_api import expect

    response = page.tab.goto(base_url + "/nowhere")
    assert response is not None and response.status == 404
    expect(page.tab.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.shot("not-found")
    page.tab.get_by_role("main").get_by_role("link", name="roadmap").click()
    page.tab.wait_for_url(base_url + "/roadmap")
    # The 404 itself is reported on the console; nothing else may be.
    assert [p for p in page.problems if "404" not in p] == []


def test_delivery_initiative_and_radar_pages_in_the_browser(browser: Any, demo_url: str) -> None:
    from playwright.sync_api import expect

    for width in (1280, 390):
        page = Page(browser, viewport={"width": width, "height": 900})
        tab = page.tab
        try:
            for name, path, heading in [
                ("delivery", "/delivery", "Delivery"),
                ("initiative", "/initiatives/kyc-v2", "Identity verification v2"),
                ("code-health", "/code-health", "Code health"),
                ("radar", "/radar", "Tech radar"),  # last: the checks below are on it
            ]:
                tab.goto(demo_url + path)
                expect(tab.get_by_role("heading", level=1)).to_contain_text(heading)
                page.shot(name if width > 600 else f"{name}-phone")
                overflow = tab.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{path} is {overflow}px wider than {width}px"
            expect(tab.get_by_role("group", name="Tech radar: 22 technologies")).to_be_visible()
            tab.locator("a.radar__blip").first.click()
            tab.wait_for_url(demo_url + "/radar#tech-1")
            assert page.problems == []
        finally:
            page.context.close()
