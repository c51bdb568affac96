"""Integers too large for the database (issue 17, item 9): refused with 422, never a 500.

SQLite and PostgreSQL store 64-bit integers; a page number, a version or an id past that
range used to reach the driver (OverflowError, "integer out of range"). The explorer needs
more than COUNT_LIMIT items before it runs the paged query at all, so the workspace has them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from productpath.services.pages.feedback_explorer import COUNT_LIMIT
from productpath.services.workspace import open_workspace
from productpath.settings import Settings
from productpath.store.models import FeedbackItem, Product
from productpath.web import create_app
from web_fixtures import seed

HUGE = ["9223372036854775807", "9223372036854775808", "4611686018427387904", "9" * 30]


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with open_workspace() as handle:
        seed(handle)
        with handle.store.write() as session:
            pid = session.scalars(select(Product.id)).one()
            day = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
            rows = [
                {
                    "product_id": pid,
                    "source": "survey",
                    "external_id": str(n),
                    "text": f"item {n}",
                    "created_at": day,
                    "imported_at": day,
                }
                for n in range(COUNT_LIMIT + 5)
            ]
            session.execute(insert(FeedbackItem), rows)
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("number", HUGE)
def test_paging_past_the_database_s_integers_is_a_422(client: TestClient, number: str) -> None:
    for address in ("/feedback.json", "/feedback"):
        answer = client.get(address, params={"page": number})
        assert answer.status_code == 422, (address, answer.text[:200])
        assert "page" in answer.text
    assert client.get("/feedback.json", params={"theme": number}).status_code == 422
    for offset in ("/api/v1/initiatives", "/api/v1/feedback", "/api/v1/themes"):
        assert client.get(offset, params={"offset": number}).status_code == 422


@pytest.mark.parametrize("number", HUGE)
def test_a_version_past_the_database_s_integers_is_refused(client: TestClient, number: str) -> None:
    edit = client.patch(
        "/api/v1/initiatives/dark-mode", json={"version": int(number), "title": "Dark"}
    )
    assert edit.status_code in {409, 422}, edit.text
    form = client.post(
        "/initiatives/dark-mode/edit",
        data={"version": number, "title": "Dark", "status": "proposed"},
        follow_redirects=False,
    )
    assert form.status_code in {303, 422}, form.text[:300]  # 303: back to the form, "changed"


@pytest.mark.parametrize("number", HUGE)
def test_ids_past_the_database_s_integers_name_no_page(client: TestClient, number: str) -> None:
    for address in (f"/themes/{number}", f"/themes/{number}.json", f"/jobs/{number}.json"):
        assert client.get(address).status_code == 404, address
