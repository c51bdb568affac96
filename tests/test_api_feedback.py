"""/api/v1/feedback: search with every filter, pages, one item, and adding items (source "api")
that land in the feedback store. On SQLite and PostgreSQL, in local mode."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api_fixtures import api_fixture, shared_fixture  # noqa: F401 - fixtures
from productpath.services.workspace import open_workspace
from productpath.store.models import Customer, FeedbackItem

URL = "/api/v1/feedback"
# The seeded dated items, newest first (web_fixtures.seed: 5, 29 and 60 days ago), and the
# undated one (where it sorts is the database's NULL order: not part of the contract).
NEWEST_FIRST = ["Love it", "Card lost", "Slow"]
UNDATED = "Dark mode!"


def _texts(body: dict[str, Any]) -> list[str]:
    return [item["text"] for item in body["items"]]


def _dated(body: dict[str, Any]) -> list[str]:
    return [text for text in _texts(body) if text != UNDATED]


def test_list_is_newest_first_with_readings(shared: TestClient) -> None:
    body = shared.get(URL).json()
    assert _dated(body) == NEWEST_FIRST
    assert UNDATED in _texts(body)
    assert (body["total"], body["total_capped"]) == (4, False)
    lost = next(item for item in body["items"] if item["text"] == "Card lost")
    assert (lost["source"], lost["external_id"]) == ("zendesk", "9")
    assert (lost["theme"], lost["theme_label"], lost["kind"]) == (1, "card controls", "bug")
    assert lost["sentiment"] == pytest.approx(-0.4)
    love = next(item for item in body["items"] if item["text"] == "Love it")
    assert (love["customer"], love["customer_name"]) == ("acme", "Acme")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "CARD"}, ["Card lost"]),
        ({"q": "%"}, []),
        ({"theme": "1"}, ["Card lost"]),
        ({"theme": "9"}, []),
        ({"kind": "praise"}, ["Love it"]),
        ({"sentiment_min": "0.5"}, ["Love it"]),
        ({"sentiment_max": "0"}, ["Card lost"]),
        ({"sentiment_min": "-1", "sentiment_max": "1"}, ["Love it", "Card lost"]),
        ({"source": "intercom"}, ["Love it", "Slow"]),
        ({"segment": "enterprise"}, []),
        ({"source": "intercom", "q": "slow"}, ["Slow"]),
    ],
)
def test_filters(shared: TestClient, query: dict[str, str], expected: list[str]) -> None:
    body = shared.get(URL, params=query).json()
    assert _texts(body) == expected
    assert body["total"] == len(expected)


def test_date_range_is_inclusive_utc_days(shared: TestClient) -> None:
    day = {i["text"]: (i["created_at"] or "")[:10] for i in shared.get(URL).json()["items"]}
    lost_day, slow_day = day["Card lost"], day["Slow"]
    assert _texts(shared.get(URL, params={"since": lost_day, "until": lost_day}).json()) == [
        "Card lost"
    ]
    assert _texts(shared.get(URL, params={"until": slow_day}).json()) == ["Slow"]
    assert _texts(shared.get(URL, params={"until": "9999-12-31"}).json()) == NEWEST_FIRST


def test_pages(shared: TestClient) -> None:
    first = shared.get(URL, params={"limit": 3}).json()
    rest = shared.get(URL, params={"limit": 3, "offset": 3}).json()
    assert sorted(_texts(first) + _texts(rest)) == sorted([*NEWEST_FIRST, UNDATED])
    assert _dated(first) + _dated(rest) == NEWEST_FIRST
    assert first["total"] == rest["total"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"sentiment_min": "2"}, "sentiment_min"),
        ({"sentiment_min": "nan"}, "sentiment_min"),
        ({"sentiment_min": "0.5", "sentiment_max": "0.1"}, "sentiment_max"),
        ({"since": "2030-02-01", "until": "2030-01-01"}, "until"),
        ({"theme": "abc"}, "theme"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, None),
    ],
)
def test_bad_filters_are_422_with_the_field(
    shared: TestClient, query: dict[str, str], field: str | None
) -> None:
    response = shared.get(URL, params=query)
    assert response.status_code == 422, response.text
    locs = [e["loc"] for e in response.json()["detail"]]
    if field is not None:
        assert locs == [["query", field]]


def test_one_item_and_404(shared: TestClient) -> None:
    first = shared.get(URL).json()["items"][1]
    assert shared.get(f"{URL}/{first['id']}").json() == first
    assert shared.get(f"{URL}/999999").status_code == 404
    assert shared.get(f"{URL}/0").status_code == 422


def _stored_api_items() -> list[tuple[str, str, str | None]]:
    with open_workspace() as handle, handle.store.read() as session:
        rows = session.execute(
            select(FeedbackItem.external_id, FeedbackItem.text, Customer.key)
            .outerjoin(Customer, Customer.id == FeedbackItem.customer_id)
            .where(FeedbackItem.source == "api")
            .order_by(FeedbackItem.id)
        ).all()
    return [(e, t, c) for e, t, c in rows]


def test_post_lands_in_the_store_as_source_api_with_pii_redacted(api: TestClient) -> None:
    response = api.post(
        URL,
        json={
            "text": "Call me on +44 20 7946 0958 or jo@example.com about exports",
            "external_id": "t-1",
            "created_at": "2030-02-01T10:00:00+01:00",
            "customer": "acme",
        },
    )
    assert response.status_code == 201, response.text
    item = response.json()
    assert (item["source"], item["external_id"], item["customer"]) == ("api", "t-1", "acme")
    assert item["created_at"] == "2030-02-01T09:00:00Z"
    assert "jo@example.com" not in item["text"] and "7946" not in item["text"]
    assert _stored_api_items() == [("t-1", item["text"], "acme")]
    # It is searchable at once, and readable by id.
    assert _texts(api.get(URL, params={"source": "api"}).json()) == [item["text"]]
    assert api.get(f"{URL}/{item['id']}").json() == item


def test_post_retry_is_a_no_op_and_a_clash_is_409(api: TestClient) -> None:
    body = {"text": "Exports please", "external_id": "t-2"}
    first = api.post(URL, json=body)
    again = api.post(URL, json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    clash = api.post(URL, json={"text": "Something else", "external_id": "t-2"})
    assert clash.status_code == 409
    assert _stored_api_items() == [("t-2", "Exports please", None)]


def test_post_without_external_id_gets_one_and_new_customer_is_created(api: TestClient) -> None:
    one = api.post(URL, json={"text": "A", "customer": "newco"}).json()
    two = api.post(URL, json={"text": "A"}).json()
    assert one["external_id"] != two["external_id"]
    assert one["customer"] == "newco"
    with open_workspace() as handle, handle.store.read() as session:
        assert session.scalar(select(Customer.name).where(Customer.key == "newco")) == "newco"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "\u200b\u200b\ufeff"}, "text"),  # invisible characters only
        ({}, "text"),
        ({"text": "x", "created_at": "2030-02-01T10:00:00"}, "created_at"),
        ({"text": "x", "source": "mine"}, "source"),
        ({"text": "nul \x00 here"}, "text"),
    ],
)
def test_post_refuses_bad_input_with_the_field(
    shared: TestClient, body: dict[str, Any], field: str
) -> None:
    response = shared.post(URL, json=body)
    assert response.status_code == 422, response.text
    assert [e["loc"][-1] for e in response.json()["detail"]] == [field]
    assert shared.get(URL).json()["total"] == 4


def test_patch_labels_an_item_as_a_person(api: TestClient) -> None:
    lost = next(item for item in api.get(URL).json()["items"] if item["text"] == "Card lost")
    assert (lost["kind"], lost["kind_set_by"]) == ("bug", None)
    response = api.patch(f"{URL}/{lost['id']}", json={"kind": "question"})
    assert response.status_code == 200, response.text
    item = response.json()
    assert (item["kind"], item["kind_set_by"]) == ("question", "person")
    # The sentiment was not given: the engine's stays, and says so.
    assert item["sentiment"] == pytest.approx(-0.4) and item["sentiment_set_by"] is None
    assert api.get(f"{URL}/{lost['id']}").json() == item
    assert _texts(api.get(URL, params={"kind": "question"}).json()) == ["Card lost"]
    both = api.patch(f"{URL}/{lost['id']}", json={"sentiment": 0.5}).json()
    assert (both["kind"], both["sentiment"], both["sentiment_set_by"]) == (
        "question",
        0.5,
        "person",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "rant"}, "kind"),
        ({"sentiment": 2}, "sentiment"),
        ({}, "kind"),
        ({"kind": "bug", "extra": 1}, "extra"),
    ],
)
def test_patch_refuses_bad_labels_and_changes_nothing(
    api: TestClient, body: dict[str, Any], field: str
) -> None:
    before = api.get(URL).json()
    item_id = before["items"][0]["id"]
    response = api.patch(f"{URL}/{item_id}", json=body)
    assert response.status_code == 422, response.text
    assert field in str(response.json()["detail"][0]["loc"])
    assert api.get(URL).json() == before
    assert api.patch(f"{URL}/999999", json={"kind": "bug"}).status_code == 404
