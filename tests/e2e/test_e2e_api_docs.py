"""/docs in a real browser: Swagger UI, served from this app (no CDN), starts under the strict
CSP with no console errors, lists the /api/v1 operations, and "Try it out" calls the API.
Reuses the browser fixtures of test_browser_pages."""

from __future__ import annotations

import pytest
from test_browser_pages import Page, base_url, browser, page  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser


def test_docs_page_lists_the_api_without_csp_violations(
    page: Page,  # noqa: F811 - fixture
    base_url: str,  # noqa: F811 - fixture
) -> None:
    from playwright.sync_api import expect

    tab = page.tab
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto(base_url + "/docs")
    expect(tab).to_have_title("API reference · productpath")
    # Swagger UI has fetched /openapi.json and drawn one block per operation.
    operations = tab.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=15_000)
    expect(tab.locator(".opblock-summary-path", has_text="/api/v1/initiatives/{key}").first)
    assert operations.count() >= 20
    expect(tab.locator(".info .title")).to_contain_text("productpath")
    expect(tab.get_by_role("button", name="Authorize")).to_be_visible()
    page.shot("api-docs")

    # "Try it out" on GET /api/v1/products answers from the app itself.
    block = tab.locator("#operations-products-list_products_api_v1_products_get")
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    with tab.expect_response(lambda r: r.url.endswith("/api/v1/products")) as answer:
        block.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    assert answer.value.json()[0]["key"] == "pocket"
    expect(block.locator(".live-responses-table")).to_contain_text("pocket")

    origin = base_url.rstrip("/")
    outside = [u for u in requests if not u.startswith((origin, "data:"))]
    assert outside == [], f"/docs loaded from elsewhere: {outside}"
    assert page.problems == []
