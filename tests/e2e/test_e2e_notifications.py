"""Told what changed, in two real browsers: Bob watches an initiative and chooses e-mail too; Ana
changes its status, and Bob's bell shows 1 and the notification; Ana @mentions Bob in a comment
with the completion list, and Bob is told again; ``digest send`` then delivers both by e-mail to
a real local SMTP server.

A SQLite workspace with two accounts, served by uvicorn; reuses the browser fixtures of
test_browser_pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from test_browser_pages import Page, _serve, browser  # noqa: F401 - fixtures

from digest_servers import Mailbox, smtp_server
from web_fixtures import seed

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Mailbox]]:
    from productpath.services.accounts import add_user
    from productpath.services.workspace import init_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("notify") / "ws"
    init_workspace(root, "Pocket")
    settings = Settings(workspace=root, database_url=None)
    with smtp_server() as (port, box):
        with (root / "productpath.toml").open("a", encoding="utf-8") as f:
            f.write(
                f'\n[smtp]\nhost = "127.0.0.1"\nport = {port}\nfrom = "pm@pocket.example"\n'
                "starttls = false\ntimeout = 5\n"
            )
        from productpath.services.workspace import open_workspace

        with open_workspace(settings) as handle:
            seed(handle)
            add_user(handle, "ana@example.com", "editor", PASSWORD, name="Ana Lima")
            add_user(handle, "bob@example.com", "viewer", PASSWORD, name="Bob Builder")
        for url in _serve(settings):
            yield url, settings, box


def _log_in(page: Page, url: str, email: str) -> None:
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(url + "/login")
    tab.get_by_label("E-mail").fill(email)
    tab.get_by_label("Password").fill(PASSWORD)
    tab.get_by_role("button", name="Log in").click()
    expect(tab.locator(".user-menu summary")).to_be_visible()


def test_watch_status_change_mention_and_email(browser: Any, team: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from productpath.services.reporting.digests import send_digests
    from productpath.services.workspace import open_workspace

    url, settings, box = team
    bob = Page(browser, viewport={"width": 1280, "height": 900})
    ana = Page(browser, viewport={"width": 1280, "height": 900})
    try:
        # Bob watches "Dark mode" and asks for e-mail too.
        _log_in(bob, url, "bob@example.com")
        b = bob.tab
        b.goto(url + "/initiatives/dark-mode")
        bell = b.locator("[data-bell-count]")
        expect(bell).to_have_text("0")
        b.get_by_role("button", name="Watch").click()
        expect(b.get_by_role("button", name="Watching")).to_have_attribute("aria-pressed", "true")
        b.goto(url + "/account")
        b.get_by_label("Also by e-mail to bob@example.com").check()
        b.get_by_role("button", name="Save channels").click()
        expect(b.get_by_role("status")).to_have_text("Notification channels saved.")

        # Ana changes its status in her browser.
        _log_in(ana, url, "ana@example.com")
        a = ana.tab
        a.goto(url + "/initiatives/dark-mode")
        a.get_by_label("Change status").select_option("planned")
        a.locator("#edit").get_by_role("button", name="Save").click()
        expect(a.locator(".lead .badge")).to_have_text("Planned")

        # Bob's bell shows 1; the notifications page says what happened.
        b.goto(url + "/initiatives/dark-mode")
        expect(bell).to_have_text("1")
        b.locator("[data-bell]").click()
        expect(b).to_have_url(url + "/notifications")
        first = b.locator(".notification").first
        expect(first).to_contain_text("Dark mode is now planned")
        expect(first).to_contain_text("ana@example.com changed the status of Dark mode")
        bob.shot("notifications-status")
        first.get_by_role("button", name="Open").click()
        expect(b).to_have_url(url + "/initiatives/dark-mode")
        expect(bell).to_have_text("0")

        # Ana mentions Bob, picking him from the completion list.
        a.goto(url + "/initiatives/dark-mode")
        box_ = a.get_by_label("Add a comment")
        box_.click()
        box_.press_sequentially("Could you review this, @Bo")
        option = a.get_by_role("option", name="Bob Builder — bob@example.com")
        expect(option).to_be_visible()
        expect(box_).to_have_attribute("aria-expanded", "true")
        ana.shot("mention-completion")
        box_.press("Enter")
        expect(box_).to_have_value("Could you review this, @Bob Builder ")
        expect(option).to_be_hidden()
        box_.press_sequentially("please?")
        a.get_by_role("button", name="Post comment").click()
        expect(a.locator("#comments")).to_contain_text(
            "Could you review this, @Bob Builder please?"
        )

        b.goto(url + "/notifications")
        expect(bell).to_have_text("1")
        expect(b.locator(".notification--unread")).to_contain_text(
            "Ana Lima mentioned you on Dark mode"
        )
        assert bob.problems == [] and ana.problems == []
    finally:
        bob.context.close()
        ana.context.close()

    # The e-mail channel: the same sending path as the digests, to the real SMTP server.
    with open_workspace(settings) as handle:
        run = send_digests(handle, today=dt.date(2030, 3, 6), sleep=lambda _s: None)
    sent = sorted(n.subject for n in run.notifications if n.status == "sent")
    assert sent == ["Ana Lima mentioned you on Dark mode", "Dark mode is now planned"]
    subjects = sorted(str(m["Subject"]) for m in box.to("bob@example.com"))
    assert subjects == sent
