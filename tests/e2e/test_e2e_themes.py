"""The theme pages in a real browser: the list with its sparklines, a theme's page, the twins.

The workspace is analysed for real (the hashing embedder, so no torch is needed): three kinds
of feedback over twenty weeks, one of which (dark mode) arrives mostly in the last three weeks
and so should be flagged as emerging. Reuses the browser fixtures of test_browser_pages.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

DECLINED = [
    "my card was declined at the {place}",
    "card declined again at the {place}, what is wrong",
    "why was my card declined in the {place}",
]
PIN = [
    "how do I change my pin at the {place}",
    "I forgot my pin, can I reset the pin in the {place}",
    "where can I change the pin number for my card at the {place}",
]
DARK = [
    "please add a dark mode to the app, the white screen hurts at the {place}",
    "dark mode please, using the app at night in the {place} is too bright",
    "would love a dark theme option for the app at the {place}",
]
PLACES = ["shop", "airport", "station", "cafe", "market", "hotel", "cinema", "bakery"]


def _feedback(today: dt.date) -> list[tuple[str, str, dt.date, str]]:
    """(id, text, date, customer): steady themes over 20 weeks, dark mode in the last three."""
    rows = []
    for i in range(48):
        for name, templates in (("declined", DECLINED), ("pin", PIN)):
            text = templates[i % 3].format(place=PLACES[i % len(PLACES)])
            when = today - dt.timedelta(days=3 + (i * 139) % 140)
            rows.append((f"{name}-{i}", text, when, "acme" if i % 2 else "globex"))
    for i in range(24):
        text = DARK[i % 3].format(place=PLACES[i % len(PLACES)])
        days = 1 + i if i < 21 else 60 + 20 * i  # three early requests form its baseline
        rows.append((f"dark-{i}", text, today - dt.timedelta(days=days), "acme"))
    return rows


@pytest.fixture(scope="module")
def themes_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a workspace whose feedback has been through `insights run`."""
    from productpath.insights.embed import HashingEmbedder
    from productpath.services.customers import import_customers
    from productpath.services.feedback import import_feedback
    from productpath.services.insights import run_insights
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings

    folder = tmp_path_factory.mktemp("browser-themes")
    root = folder / "ws"
    init_workspace(root, "Pocket")
    customers = folder / "customers.csv"
    customers.write_text(
        "id,name,segment,annual_revenue\n"
        "acme,Acme,Enterprise,1200000\nglobex,Globex,Small business,40000\n",
        encoding="utf-8",
    )
    feedback = folder / "feedback.csv"
    lines = ["id,text,date,customer"]
    lines += [f'{key},"{text}",{when.isoformat()},{who}' for key, text, when, who in
              _feedback(dt.date.today())]  # fmt: skip
    feedback.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        import_customers(handle, customers)
        import_feedback(
            handle,
            feedback,
            text_column="text",
            id_column="id",
            date_column="date",
            customer_column="customer",
        )
        report = run_insights(handle, seed=0, embedder=HashingEmbedder())
        assert report.themes >= 2, report
    yield from _serve(settings)


def _dark_mode_theme(base: str, tab: Any) -> dict[str, Any]:
    listing: dict[str, Any] = tab.request.get(base + "/themes.json").json()
    for theme in listing["themes"]:
        if "dark" in theme["label"].lower():
            return theme
    raise AssertionError(f"no dark mode theme in {[t['label'] for t in listing['themes']]}")


def test_theme_list_to_a_theme_and_its_json(page: Page, themes_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(themes_url + "/themes")
    expect(tab).to_have_title("Pocket themes · productpath")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Themes")
    expect(
        tab.get_by_role("navigation", name="Main").get_by_role("link", name="Themes")
    ).to_be_visible()
    listing = tab.request.get(themes_url + "/themes.json").json()
    rows = tab.locator("table.themes-table tbody tr")
    expect(rows).to_have_count(len(listing["themes"]))
    expect(tab.locator("#stat-themes")).to_have_text(str(len(listing["themes"])))
    # Every row draws its weekly sparkline as inline SVG (no scripts: the CSP forbids them).
    expect(tab.locator("table.themes-table svg.sparkline")).to_have_count(len(listing["themes"]))
    dark = _dark_mode_theme(themes_url, tab)
    assert dark["emerging"], dark["evidence"]
    row = tab.locator(f"#theme-{dark['number']}")
    expect(row.locator(".badge--emerging")).to_have_text("Emerging")
    expect(row).to_contain_text("Enterprise")
    page.shot("themes")

    row.get_by_role("link").click()
    tab.wait_for_url(themes_url + f"/themes/{dark['number']}")
    expect(tab.get_by_role("heading", level=1)).to_contain_text(f"#{dark['number']}")
    expect(tab.locator("#emerging-h .badge--emerging")).to_be_visible()
    expect(tab.locator("#emerging-reason")).not_to_be_empty()
    quotes = tab.locator("ul.quotes blockquote")
    expect(quotes.first).to_contain_text("dark")
    expect(tab.locator("figure.chart-figure svg")).to_be_visible()
    expect(tab.locator("#kinds tbody tr").first).to_be_visible()
    expect(tab.locator("#segments")).to_contain_text("Enterprise")
    expect(tab.locator("#customers")).to_contain_text("Acme")
    page.shot("theme")
    shown = quotes.count()

    with tab.expect_response(lambda r: r.url.endswith(f"/themes/{dark['number']}.json")) as answer:
        tab.get_by_role("link", name="View as JSON").click()
    data = answer.value.json()
    assert data["theme"]["number"] == dark["number"] and data["theme"]["emerging"]
    assert len(data["quotes"]) == shown
    assert json.loads(tab.locator("body").inner_text())["theme"]["label"] == dark["label"]
    assert page.problems == []


def test_unknown_theme_pages_are_not_found(page: Page, themes_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    for path in ("/themes/9999", "/themes/abc"):
        response = page.tab.goto(themes_url + path)
        assert response is not None and response.status == 404, path
        expect(page.tab.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert [p for p in page.problems if "404" not in p] == []


def test_theme_pages_fit_a_phone(browser: Any, themes_url: str) -> None:  # noqa: F811
    phone = Page(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        number = _dark_mode_theme(themes_url, phone.tab)["number"]
        for name, path in (("themes-phone", "/themes"), ("theme-phone", f"/themes/{number}")):
            phone.tab.goto(themes_url + path)
            phone.shot(name)
            overflow = phone.tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        assert phone.problems == []
    finally:
        phone.context.close()


def test_no_themes_yet_in_the_browser(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import expect

    from productpath.services.workspace import init_workspace
    from productpath.settings import Settings

    root = tmp_path / "empty"
    init_workspace(root, "Pocket")
    with contextmanager(_serve)(Settings(workspace=root, database_url=None)) as url:
        tab = Page(browser, viewport={"width": 1280, "height": 900})
        try:
            tab.tab.goto(url + "/themes")
            expect(tab.tab.get_by_role("heading", level=2)).to_have_text("No themes yet")
            expect(tab.tab.locator("main pre")).to_contain_text("productpath insights run")
            assert tab.problems == []
        finally:
            tab.context.close()
