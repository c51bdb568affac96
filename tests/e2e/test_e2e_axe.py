"""Accessibility: axe-core (vendored for the tests only, tests/e2e/vendor/axe.min.js, MPL-2.0)
on every page of the demo workspace, logged in as an admin (and the log-in page logged out):
no serious or critical violation.

axe is injected into the page by Playwright, which the pages' Content-Security-Policy would
refuse; the context bypasses the policy for that alone (the app never serves axe).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser_pages import _serve, browser  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "correct horse battery"
# Every page of the navigation and one of each kind of detail page ({...}: found at run time).
PAGES = [
    "/",
    "/roadmap",
    "/timeline",
    "/forecast",
    "/themes",
    "/themes/{theme}",
    "/feedback",
    "/delivery",
    "/milestones/{milestone}",
    "/initiatives/{initiative}",
    "/code-health",
    "/radar",
    "/kpis",
    "/kpis/{kpi}",
    "/decisions",
    "/decisions/{decision}",
    "/retro",
    "/stakeholders",
    "/reports",
    "/jobs",
    "/search?q=card",
    "/account",
    "/portal",
]
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.impact} ${v.id}: ${v.help} at ` +
      v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
}"""


@pytest.fixture(scope="module")
def demo_team_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo workspace with one admin account (so the log-in and account pages exist)."""
    from productpath.demo import build_demo
    from productpath.services.accounts import add_user
    from productpath.services.workspace import open_workspace
    from productpath.settings import Settings

    root = tmp_path_factory.mktemp("axe") / "demo"
    build_demo(root, today=dt.date.today())
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        add_user(handle, "ada@example.com", "admin", PASSWORD, name="Ada Lovelace")
    yield from _serve(settings)


def _violations(tab: Any) -> list[str]:
    tab.add_script_tag(path=str(AXE))
    found: list[str] = tab.evaluate(RUN_AXE)
    return found


def test_no_serious_or_critical_violation_on_any_page(
    browser: Any,  # noqa: F811
    demo_team_url: str,
) -> None:
    url = demo_team_url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    problems: dict[str, list[str]] = {}
    try:
        tab.goto(url + "/login")
        problems["/login"] = _violations(tab)
        tab.get_by_label("E-mail").fill("ada@example.com")
        tab.get_by_label("Password").fill(PASSWORD)
        tab.get_by_role("button", name="Log in").click()
        tab.wait_for_url(url + "/")
        samples = _samples(tab, url)
        for path in PAGES:
            address = path.format(**samples)
            response = tab.goto(url + address)
            assert response is not None and response.ok, (address, response and response.status)
            problems[address] = _violations(tab)
            # The shortcuts list is part of every page: check it open too, once.
            if address == "/":
                tab.keyboard.press("?")
                problems["/ (shortcuts open)"] = _violations(tab)
                tab.keyboard.press("Escape")
    finally:
        context.close()
    failing = {page: found for page, found in problems.items() if found}
    assert not failing, "\n".join(f"{page}: {line}" for page, v in failing.items() for line in v)
    assert len(problems) == len(PAGES) + 2


def _samples(tab: Any, url: str) -> dict[str, str]:
    def first(path: str, pick: str) -> str:
        script = "async () => { const d = await (await fetch(PATH)).json(); return String(PICK); }"
        value: str = tab.evaluate(script.replace("PATH", repr(path)).replace("PICK", pick))
        return value

    return {
        "theme": first("/themes.json", "d.themes[0].number"),
        "initiative": first("/roadmap.json", "d.lanes.now[0].key"),
        "milestone": first("/roadmap.json", "d.milestones[0].key"),
        "kpi": first("/kpis.json", "d.kpis[0].key"),
        "decision": first("/decisions.json", "d.decisions[0].key"),
    }
