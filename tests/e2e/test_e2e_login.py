"""Logging in and out in a real browser: the wrong password's message, the dashboard, logout.

A workspace with one account (so the app asks for a log-in), served by uvicorn; reuses the
browser fixtures of test_browser_pages.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

from web_fixtures import seed

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def team_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from productpath.services.accounts import add_user
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("login") / "ws"
    init_workspace(root, "Pocket")
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        seed(handle)
        add_user(handle, "ada@example.com", "admin", PASSWORD, name="Ada Lovelace")
    yield from _serve(settings)


def test_log_in_see_the_dashboard_log_out(page: Page, team_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(team_url + "/roadmap")
    # No session: the log-in page, which will come back to the roadmap.
    expect(tab).to_have_url(team_url + "/login?next=%2Froadmap")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Log in")
    page.shot("login")

    tab.get_by_label("E-mail").fill("ada@example.com")
    tab.get_by_label("Password").fill("not the password")
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(tab.get_by_label("E-mail")).to_have_value("ada@example.com")
    page.shot("login-wrong-password")

    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab).to_have_url(team_url + "/roadmap")
    tab.get_by_role("link", name="Dashboard").click()
    expect(tab).to_have_title("Pocket dashboard · productpath")
    menu = tab.locator(".user-menu")
    expect(menu.locator("summary")).to_contain_text("Ada Lovelace")
    menu.locator("summary").click()
    expect(menu.get_by_text("ada@example.com")).to_be_visible()
    page.shot("dashboard-logged-in")

    menu.get_by_role("button", name="Log out").click()
    expect(tab).to_have_url(team_url + "/login")
    tab.goto(team_url + "/")
    expect(tab).to_have_url(team_url + "/login?next=%2F")
    # The one failed load is the wrong password's answer (401), which is the point.
    assert len(page.problems) == 1 and "401 (Unauthorized) (" in page.problems[0], page.problems
