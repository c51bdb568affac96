"""Bad query parameters: an error page for people, one JSON sentence for programs, and the
documented field list for /api/v1. Through the real app, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from productpath.settings import Settings
from productpath.web import create_app

BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def client(workspace_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as test_client:
        yield test_client


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("/feedback?since=garbage", "field &#39;since&#39;: &#39;garbage&#39; is not a date"),
        (
            "/forecast?calibrate=maybe",
            "field &#39;calibrate&#39;: expected true or false, got &#39;maybe&#39;",
        ),
    ],
)
def test_a_page_answers_a_bad_parameter_with_an_error_page(
    client: TestClient, url: str, sentence: str
) -> None:
    response = client.get(url, headers=BROWSER)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert sentence in response.text
    assert '<p class="eyebrow">Error 422</p>' in response.text  # the site's layout
    path = url.split("?")[0]
    assert (
        f'<a href="{path}">Open <code>{path}</code> without these parameters</a>' in response.text
    )


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/feedback.json?since=garbage", "field 'since': 'garbage' is not a date (YYYY-MM-DD)"),
        (
            "/forecast.json?calibrate=maybe",
            "field 'calibrate': expected true or false, got 'maybe'",
        ),
        ("/forecast?calibrate=maybe", "field 'calibrate': expected true or false, got 'maybe'"),
    ],
)
def test_programs_get_one_sentence_naming_the_field(
    client: TestClient, url: str, detail: str
) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.json() == {"detail": detail}


def test_the_api_keeps_its_documented_list_of_fields(client: TestClient) -> None:
    response = client.get("/api/v1/feedback?limit=0", headers=BROWSER)
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", "limit"] and problem["type"] == "greater_than_equal"


@pytest.mark.parametrize("page", ["0", "-1"])
def test_a_page_number_below_one_is_refused(client: TestClient, page: str) -> None:
    twin = client.get("/feedback.json", params={"page": page})
    assert twin.status_code == 422
    assert twin.json() == {"detail": "field 'page': the page starts at 1"}
    assert client.get("/feedback", params={"page": page}, headers=BROWSER).status_code == 422
    per_page = client.get("/feedback.json", params={"per_page": "0"})
    assert per_page.status_code == 422 and "per_page" in per_page.json()["detail"]


def test_a_report_from_a_future_day_is_refused_on_the_page(client: TestClient) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()

    page = client.get("/reports", params={"kind": "exec", "since": tomorrow}, headers=BROWSER)

    assert page.status_code == 422
    assert f"the start date {tomorrow} is after today" in page.text
    assert "<iframe" not in page.text
    assert f"since={tomorrow}" not in page.text  # no download link that would fail either


def test_a_csv_download_answers_a_bad_parameter_as_json_even_to_a_browser(
    client: TestClient,
) -> None:
    response = client.get("/feedback.csv?since=garbage", headers=BROWSER)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"detail": "field 'since': 'garbage' is not a date (YYYY-MM-DD)"}
