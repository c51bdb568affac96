"""The main journeys of issue 7 in a real browser, in local mode (a workspace with no accounts):
browse the roadmap to an initiative's evidence, filter the feedback and export the filter,
comment and send feedback on the portal, change an initiative's status (and meet the conflict
message from a stale tab), and a look at every page in the main navigation at laptop and phone
width. Reuses the browser fixtures of test_browser_pages; PRODUCTPATH_SCREENSHOTS=DIR keeps a
screenshot of each page.

The workspace: the web fixture's roadmap with dark-mode, onboarding and card-freeze public
(tests/portal_fixtures.py), plus 60 support tickets in three topics that go through a real
`insights run` (the hashing embedder, so no torch), and the dark-mode theme linked to dark-mode.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_browser_pages import Page, _serve, browser, page  # noqa: F401 - fixtures

from portal_fixtures import seed_portal

pytestmark = pytest.mark.browser

TOPICS = {
    "dark": [
        "please add a dark mode to the app, the white screen hurts my eyes at {when}",
        "dark mode please, using the app at {when} is far too bright",
        "would love a dark theme option for the app, especially at {when}",
    ],
    "crash": [
        "the app crashes when I open my card details at {when}, error every time",
        "bug: payment screen freezes and the app crashes at {when}",
        "app keeps crashing on the transfer screen at {when}, it is broken",
    ],
    "pin": [
        "how do I change the pin of my card? I tried at {when}",
        "where can I reset my card pin? asked at {when}",
        "how can I see my card pin in the app? looked at {when}",
    ],
}
WHEN = ["night", "noon", "dawn", "dusk", "lunch", "midnight", "breakfast", "bedtime"]


def _tickets(today: dt.date) -> list[dict[str, str]]:
    """20 tickets a topic over the last ten weeks, alternating between the two customers."""
    rows = []
    for topic, templates in TOPICS.items():
        for i in range(20):
            rows.append(
                {
                    "id": f"{topic}-{i}",
                    "text": templates[i % 3].format(when=WHEN[i % len(WHEN)]),
                    "date": (today - dt.timedelta(days=1 + (i * 7) % 70)).isoformat(),
                    "customer": "acme" if i % 2 else "globex",
                }
            )
    return rows


@pytest.fixture(scope="module")
def journey_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from sqlalchemy import update

    from productpath.insights.embed import HashingEmbedder
    from productpath.services.evidence import link
    from productpath.services.feedback import import_feedback
    from productpath.services.insights import run_insights
    from productpath.services.workspace import init_workspace, open_workspace
    from productpath.settings import Settings
    from productpath.store.models import Initiative

    folder = tmp_path_factory.mktemp("journeys")
    root = folder / "ws"
    init_workspace(root, "Pocket")
    tickets = folder / "support.csv"
    with tickets.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["id", "text", "date", "customer"])
        writer.writeheader()
        writer.writerows(_tickets(dt.date.today()))
    settings = Settings(workspace=root, database_url=None)
    with open_workspace(settings) as handle:
        seed_portal(handle)
        with handle.store.write() as s:  # an estimate, so dark mode is scored and scheduled
            s.execute(
                update(Initiative)
                .where(Initiative.key == "dark-mode")
                .values(estimate_optimistic=1, estimate_likely=2, estimate_pessimistic=4)
            )
        import_feedback(
            handle,
            tickets,
            text_column="text",
            id_column="id",
            date_column="date",
            customer_column="customer",
        )
        run_insights(handle, seed=0, embedder=HashingEmbedder())
        link(handle, "dark-mode", [str(_theme_about(handle, "dark"))])
    yield from _serve(settings)


def _theme_about(handle: Any, word: str) -> int:
    from productpath.services.pages.themes_view import themes_page

    for theme in themes_page(handle).themes:
        if word in theme.label.lower():
            return int(theme.number)
    raise AssertionError(f"no theme about {word!r}")


def _no_overflow(shown: Page, what: str) -> None:
    overflow = shown.tab.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"


def test_roadmap_to_an_initiative_and_its_evidence(page: Page, journey_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(journey_url + "/roadmap")
    gantt = tab.locator("svg#gantt")
    expect(gantt).to_be_visible()
    expect(gantt.locator('a[href="/initiatives/onboarding"]')).to_have_count(1)
    # Dark mode has an estimate but no team, so it has no bar, and the page says why.
    expect(gantt.locator('a[href="/initiatives/dark-mode"]')).to_have_count(0)
    expect(tab.locator("#plan-warnings")).to_contain_text("'dark-mode' (no team)")
    page.shot("journey-roadmap")

    # The lane's card jumps to the initiative's row, whose title opens its page.
    tab.locator(".lane--later").get_by_role("link", name="Dark mode").click()
    tab.wait_for_url(journey_url + "/roadmap#initiative-dark-mode")
    row = tab.locator("#initiative-dark-mode")
    expect(row).to_be_in_viewport()
    row.get_by_role("link", name="Dark mode").click()
    tab.wait_for_url(journey_url + "/initiatives/dark-mode")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Dark mode")
    evidence = tab.get_by_role("region", name="Evidence", exact=True)
    theme_link = evidence.get_by_role("link", name="dark")
    expect(theme_link).to_be_visible()
    # How many items: those of the linked theme, as its twin says (the clustering decides).
    twin = tab.request.get(journey_url + "/initiatives/dark-mode.json").json()["evidence"]
    assert twin["items"] >= 3 and twin["themes"][0]["status"] == "accepted", twin
    expect(evidence).to_contain_text(f"{twin['items']} feedback items from 2 customers")
    customers = evidence.get_by_role("region", name="Customers behind the evidence")
    expect(customers).to_contain_text("Acme")
    expect(customers).to_contain_text("Globex")
    expect(evidence.locator("blockquote").first).to_contain_text("dark")
    score = tab.get_by_role("region", name="Score", exact=True)
    expect(score).to_contain_text("RICE, rank")
    expect(score.get_by_text("Reach", exact=True)).to_be_visible()
    page.shot("journey-initiative")

    # The linked theme leads on to its own page.
    theme_link.click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("dark")
    assert page.problems == []


def test_filter_feedback_and_export_the_filter(page: Page, journey_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(journey_url + "/feedback")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Feedback")
    # 64 items, or 65 once the portal journey has sent one.
    everything = tab.request.get(journey_url + "/feedback.json").json()["total"]
    assert everything >= 64
    expect(tab.locator("#results-h")).to_contain_text(f"{everything} items")
    tab.get_by_label("Search the text").fill("CARD")
    tab.get_by_label("Kind", exact=True).select_option("question")
    tab.get_by_role("button", name="Filter").click()
    tab.wait_for_url("**/feedback?*")
    assert "q=CARD" in tab.url and "kind=question" in tab.url
    # The form keeps what was chosen, and every row shown matches it.
    expect(tab.get_by_label("Search the text")).to_have_value("CARD")
    expect(tab.get_by_label("Kind", exact=True)).to_have_value("question")
    shown = tab.locator(".feedback-item")
    expect(shown.first).to_be_visible()
    texts = shown.locator(".feedback-item__text").all_inner_texts()
    assert texts and all("card" in t.lower() for t in texts), texts
    # The kind narrows the search: "card" alone also finds the crash reports.
    card = tab.request.get(journey_url + "/feedback.json?q=card").json()["total"]
    assert len(texts) < card, (len(texts), card)
    for meta in shown.locator(".item__meta").all_inner_texts():
        assert "Question" in meta, meta
    expect(tab.locator("#results-h")).to_contain_text(f"{len(texts)} item")
    page.shot("journey-feedback-filtered")

    with tab.expect_download() as started:
        tab.get_by_role("link", name="Export these as CSV").click()
    download = started.value
    body = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert sorted(r["text"] for r in rows) == sorted(texts)
    assert {r["kind"] for r in rows} == {"question"}
    assert {r["source"] for r in rows} == {"support"}

    tab.get_by_role("link", name="Clear").click()
    tab.wait_for_url(journey_url + "/feedback")
    expect(tab.locator("#results-h")).to_contain_text(f"{everything} items")
    assert page.problems == []


def test_portal_comment_and_feedback_in_local_mode(page: Page, journey_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    tab = page.tab
    tab.goto(journey_url + "/portal")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Public roadmap")
    # Local mode: no accounts, so no vote buttons, and a note saying how to get them.
    expect(tab.get_by_role("note")).to_contain_text("productpath users add")
    expect(tab.get_by_role("button", name="Vote for Dark mode")).to_have_count(0)
    for title in ("Dark mode", "Guided onboarding", "Freeze a lost card"):
        expect(tab.get_by_role("link", name=title)).to_be_visible()
    expect(tab.get_by_role("link", name="Instant transfers")).to_have_count(0)
    page.shot("journey-portal")

    tab.get_by_role("link", name="Dark mode").click()
    tab.wait_for_url(journey_url + "/portal/dark-mode")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Dark mode")
    expect(tab.get_by_role("region", name="Votes").get_by_role("note")).to_be_visible()
    # The internal description never reaches the portal.
    expect(tab.locator("main")).not_to_contain_text("INTERNAL")
    tab.get_by_label("Add a comment").fill("Yes please, and mail me at ann@example.com")
    tab.get_by_role("button", name="Post comment").click()
    comments = tab.locator("ol.comments .comment__body")
    expect(comments).to_have_count(1)
    expect(comments.first).to_have_text("Yes please, and mail me at [EMAIL]")
    page.shot("journey-portal-item")

    # The same thread is on the initiative's own page.
    tab.goto(journey_url + "/initiatives/dark-mode")
    expect(tab.locator("#comments .comment__body")).to_have_text(
        "Yes please, and mail me at [EMAIL]"
    )

    tab.goto(journey_url + "/portal")
    tab.get_by_label("Your feedback").fill(
        "Let me split a bill with friends, call +44 20 7946 0958"
    )
    tab.get_by_role("button", name="Send feedback").click()
    expect(tab.get_by_role("status")).to_contain_text("your feedback has reached the product team")
    tab.goto(journey_url + "/feedback?source=portal")
    stored = tab.locator(".feedback-item")
    expect(stored).to_have_count(1)
    expect(stored.locator(".feedback-item__text")).to_have_text(
        "Let me split a bill with friends, call [PHONE]"
    )
    expect(stored.locator(".item__meta")).to_contain_text("portal:")
    assert page.problems == []


def test_editor_changes_a_status_and_meets_a_stale_tab(browser: Any, journey_url: str) -> None:  # noqa: F811
    from playwright.sync_api import expect

    first = Page(browser, viewport={"width": 1280, "height": 900})
    second = Page(browser, viewport={"width": 1280, "height": 900})
    try:
        url = journey_url + "/initiatives/instant-transfers"
        first.tab.goto(url)
        second.tab.goto(url)
        version = first.tab.locator("#edit dd .num").last.inner_text()
        form = first.tab.get_by_role("region", name="Status and portal")
        expect(form.get_by_label("Change status")).to_have_value("planned")

        form.get_by_label("Change status").select_option("in_progress")
        form.get_by_role("button", name="Save").click()
        expect(first.tab.get_by_role("status")).to_have_text("Saved.")
        expect(form.locator(".badge").first).to_have_text("In progress")
        expect(form.get_by_label("Change status")).to_have_value("in_progress")
        assert first.tab.locator("#edit dd .num").last.inner_text() != version
        first.shot("journey-status-saved")

        # The second tab still holds the old version: its save is refused, and says why.
        stale = second.tab.get_by_role("region", name="Status and portal")
        stale.get_by_label("Change status").select_option("dropped")
        stale.get_by_label("Show on the portal").check()
        stale.get_by_role("button", name="Save").click()
        alert = second.tab.get_by_role("alert")
        expect(alert).to_contain_text("Someone changed this since you opened it")
        # Both changes side by side: theirs with who saved it, so one can be kept knowingly.
        expect(alert.locator("dd").first).to_have_text("Dropped, on the portal")
        expect(alert.locator("dd").nth(1)).to_contain_text("In progress, not on the portal")
        expect(alert.get_by_role("button", name="Keep mine")).to_be_visible()
        second.shot("journey-status-conflict")
        # Nothing of the stale edit was stored.
        data = second.tab.request.get(journey_url + "/initiatives/instant-transfers.json").json()
        assert (data["status"], data["public"]) == ("in_progress", False)

        # Saving again from the refreshed form works.
        stale.get_by_label("Change status").select_option("dropped")
        stale.get_by_role("button", name="Save").click()
        expect(second.tab.get_by_role("status")).to_have_text("Saved.")
        expect(stale.locator(".badge").first).to_have_text("Dropped")
        assert first.problems == [] and second.problems == []
    finally:
        first.context.close()
        second.context.close()


def _nav_paths(shown: Page, base: str) -> list[str]:
    shown.tab.goto(base + "/")
    links = shown.tab.get_by_role("navigation", name="Main").get_by_role("link")
    hrefs = [
        str(href)
        for href in links.evaluate_all("(links) => links.map(a => a.getAttribute('href'))")
    ]
    return [h for h in hrefs if h.startswith("/")]


@pytest.mark.parametrize(
    ("width", "suffix"), [(1280, ""), (390, "-phone")], ids=["laptop", "phone"]
)
def test_every_page_at_laptop_and_phone_width(
    browser: Any,  # noqa: F811
    journey_url: str,
    width: int,
    suffix: str,
) -> None:
    from playwright.sync_api import expect

    shown = Page(
        browser,
        viewport={"width": width, "height": 900},
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    try:
        paths = _nav_paths(shown, journey_url)
        assert {"/", "/roadmap", "/feedback", "/portal"} <= set(paths), paths
        extra = ["/portal/dark-mode", "/initiatives/dark-mode", "/themes/1", "/docs"]
        for path in paths + extra:
            response = shown.tab.goto(journey_url + path)
            assert response is not None and response.status == 200, path
            # The first heading is the page's own (Swagger UI adds another on /docs).
            expect(shown.tab.get_by_role("heading", level=1).first).to_be_visible()
            if path == "/docs":
                expect(shown.tab.locator(".opblock").first).to_be_visible(timeout=15_000)
            name = path.strip("/").replace("/", "-") or "dashboard"
            shown.shot(f"page-{name}{suffix}")
            _no_overflow(shown, f"{path} at {width}px")
        assert shown.problems == []
    finally:
        shown.context.close()
