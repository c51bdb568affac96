"""Search: /api/v1/search, /search(.json), ``productpath search`` on SQLite and PostgreSQL.

The index is kept by triggers (migration 0011), so these tests write rows the ordinary ways
(the API, ORM sessions, Core updates) and search on the very next request.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from api_fixtures import api_fixture, shared_fixture  # noqa: F401 - fixtures
from auth_fixtures import make_user
from helpers import invoke
from productpath.services.search import terms
from productpath.services.workspace import open_workspace
from productpath.store.models import (
    Customer,
    Decision,
    FeedbackItem,
    Initiative,
    Product,
    Stakeholder,
)

URL = "/api/v1/search"


def _found(client: TestClient, q: str, **params: object) -> list[tuple[str, str | int]]:
    response = client.get(URL, params={"q": q, **params})
    assert response.status_code == 200, response.text
    return [(r["type"], r.get("key") or r["id"]) for r in response.json()["results"]]


def test_every_type_is_found_with_a_link_and_titles_rank_first(shared: TestClient) -> None:
    results = shared.get(URL, params={"q": "dark"}).json()["results"]
    # The initiative (word in its title) before the feedback item (word in its text only).
    assert [r["type"] for r in results] == ["initiative", "feedback"]
    assert results[0] == {
        "type": "initiative",
        "key": "dark-mode",
        "id": None,
        "title": "Dark mode",
        "snippet": "dark-mode",
        "url": "/initiatives/dark-mode",
        "archived": False,
    }
    assert results[1]["title"] == "Dark mode!" and results[1]["url"] == "/feedback?q=Dark+mode%21"
    assert _found(shared, "activation") == [("objective", "O1")]
    assert _found(shared, "beta") == [("milestone", "beta")]
    assert _found(shared, "card controls") == [("theme", "1")]
    assert _found(shared, "acme") == [("customer", "acme")]
    # The last word may be the start of one; stemming finds other forms of a word.
    assert _found(shared, "onboa") == [("initiative", "onboarding")]
    assert _found(shared, "transfer") == [("initiative", "instant-transfers")]


def test_types_and_limit_narrow_the_results(shared: TestClient) -> None:
    assert _found(shared, "card", types="feedback") == [("feedback", _feedback_id(shared))]
    assert {t for t, _ in _found(shared, "card", types="theme,initiative")} == {
        "theme",
        "initiative",
    }
    assert len(_found(shared, "card", limit=1)) == 1
    refused = shared.get(URL, params={"q": "card", "types": "planet"})
    assert refused.status_code == 422 and "unknown type 'planet'" in refused.text
    assert shared.get(URL, params={"q": "card", "limit": 0}).status_code == 422


def _feedback_id(client: TestClient) -> int:
    items = client.get("/api/v1/feedback", params={"q": "Card lost"}).json()["items"]
    return int(items[0]["id"])


BAD_QUERIES = [
    "",
    "   ",
    '"',
    '"card',
    "*",
    "card*",
    "OR",
    "card OR lost",
    "-card",
    "NOT card",
    "card AND",
    "(card",
    "title:card",
    "card:*",
    "'card'",
    "a & b | !c",
    "\\",
    "😀",
    "card 😀",
    "x" * 10_000,
    "card " * 2_000,
]


@pytest.mark.parametrize("q", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_odd_queries_answer_sensibly(shared: TestClient, q: str) -> None:
    response = shared.get(URL, params={"q": q})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    if not terms(q):
        assert results == []
    if q in {"card*", "-card", "\\card", "(card", "card:*", "'card'", '"card'}:
        assert ("theme", "1") in [(r["type"], r["key"]) for r in results]
    page = shared.get("/search", params={"q": q})
    assert page.status_code == 200


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(q=st.text(max_size=200))
def test_random_text_never_fails(shared: TestClient, q: str) -> None:
    if "\x00" in q:  # refused by the API for every route (PostgreSQL cannot hold it)
        return
    response = shared.get(URL, params={"q": q})
    assert response.status_code == 200, response.text


def test_a_saved_object_is_searchable_on_the_next_request(api: TestClient) -> None:
    assert _found(api, "zeppelin") == []
    patched = api.patch("/api/v1/initiatives/crypto", json={"version": 1, "title": "Zeppelin"})
    assert patched.status_code == 200, patched.text
    assert _found(api, "zeppelin") == [("initiative", "crypto")]
    assert _found(api, "crypto wallet") == []  # the old title is gone from the index

    with open_workspace() as handle, handle.store.write() as s:
        pid = s.scalars(select(Product.id)).one()
        s.add(Decision(product_id=pid, key="d9", title="Sunset fax", decided_on=_today()))
        s.add(Stakeholder(product_id=pid, key="ceo", name="Ada Lovelace", role="Chief"))
        s.execute(update(Customer).where(Customer.key == "globex").values(name="Initech"))
        s.execute(delete(FeedbackItem).where(FeedbackItem.text == "Card lost"))
    assert _found(api, "fax") == [("decision", "d9")]
    assert _found(api, "lovelace chief") == [("stakeholder", "ceo")]
    assert _found(api, "initech") == [("customer", "globex")]
    assert _found(api, "lost", types="feedback") == []
    result = api.get(URL, params={"q": "fax"}).json()["results"][0]
    assert result["url"] == "/decisions/d9"


def test_feedback_snippets_mark_the_matched_words() -> None:
    from productpath.store.search_repo import MARK_END, MARK_START, snippet

    text = " ".join(f"w{n}" for n in range(30)) + " Transfers failed twice"
    cut = snippet(text, ["transfer"])
    assert cut.startswith("…w27 w28 w29 " + MARK_START + "Transfers" + MARK_END + " failed")
    assert snippet("short text", ["zzz"]) == "short text"


def _today() -> object:
    import datetime as dt

    return dt.date(2030, 1, 1)


def test_stakeholders_find_public_initiatives_only(api: TestClient) -> None:
    with open_workspace() as handle:
        token = make_user(handle, "sam@example.com", "stakeholder")
        viewer = make_user(handle, "vic@example.com", "viewer")
    as_stakeholder = {"authorization": f"Bearer {token}"}
    found = api.get(URL, params={"q": "dark"}, headers=as_stakeholder).json()["results"]
    assert [(r["type"], r["key"], r["url"]) for r in found] == [
        ("initiative", "dark-mode", "/portal/dark-mode")
    ]
    # Private initiatives, feedback, customers: nothing, whatever types are asked for.
    for q in ("onboarding", "acme", "card"):
        response = api.get(
            URL, params={"q": q, "types": "customer,initiative"}, headers=as_stakeholder
        )
        assert response.json()["results"] == []
    as_viewer = {"authorization": f"Bearer {viewer}"}
    assert _found_with(api, "acme", as_viewer) == [("customer", "acme")]


def _found_with(client: TestClient, q: str, headers: dict[str, str]) -> list[tuple[str, str]]:
    results = client.get(URL, params={"q": q}, headers=headers).json()["results"]
    return [(r["type"], r["key"]) for r in results]


def test_the_page_highlights_escapes_and_has_a_json_twin(api: TestClient) -> None:
    with open_workspace() as handle, handle.store.write() as s:
        pid = s.scalars(select(Product.id)).one()
        s.add(FeedbackItem(product_id=pid, source="t", external_id="x", text="<b>bold</b> card"))
    page = api.get("/search", params={"q": "bold"})
    assert page.status_code == 200
    # SQLite's snippet marks the whole word as written; PostgreSQL's headline drops tag-like text.
    marked = ("<mark>&lt;b&gt;bold&lt;/b&gt;</mark>", "<mark>bold</mark>")
    assert any(m in page.text for m in marked) and "<b>bold" not in page.text
    assert "&lt;b&gt;" in page.text
    twin = api.get("/search.json", params={"q": "bold"}).json()
    # The JSON carries plain text, no marks (PostgreSQL's headline also drops tag-like text).
    assert twin["results"][0]["title"] == "<b>bold</b> card"
    assert twin["results"][0]["snippet"] in {"<b>bold</b> card", "bold card"}
    assert 'href="/search.json?q=bold"' in page.text
    bad = api.get("/search", params={"q": "card", "types": "planet"})
    assert bad.status_code == 422 and "unknown type" in bad.text
    assert api.get("/search.json", params={"q": "x", "types": "planet"}).status_code == 422
    assert "Nothing matches" in api.get("/search", params={"q": "qwertyuiop"}).text


def test_every_page_has_the_search_box_and_its_script(api: TestClient) -> None:
    for path in ("/", "/roadmap", "/themes", "/portal"):
        html = api.get(path).text
        assert 'action="/search"' in html and 'name="q"' in html, path
        assert '<script src="/static/search.js" defer></script>' in html
    script = api.get("/static/search.js")
    assert script.status_code == 200 and '"/"' in script.text


def test_cli_search(workspace_dir: Path) -> None:
    from api_fixtures import seed_api

    with open_workspace() as handle:
        seed_api(handle)
    listed = invoke("search", "dark", "--json")
    assert listed.exit_code == 0, listed.output
    assert [(r["type"], r["url"]) for r in json.loads(listed.stdout)] == [
        ("initiative", "/initiatives/dark-mode"),
        ("feedback", "/feedback?q=Dark+mode%21"),
    ]
    only = invoke("search", "dark", "--type", "feedback", "--limit", "5")
    assert only.exit_code == 0 and "feedback" in only.stdout and "dark-mode" not in only.stdout
    assert "Nothing matches" in invoke("search", '"*"').stdout
    bad = invoke("search", "dark", "--type", "planet")
    assert bad.exit_code == 1 and "unknown type 'planet'" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    assert invoke("search", "dark", "--limit", "0").exit_code == 1


@pytest.mark.empty_database
def test_the_migration_indexes_rows_written_before_it(database_url: str) -> None:
    from sqlalchemy.orm import Session

    from productpath.store import migrate, search_repo
    from productpath.store.db import make_engine

    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0010")
        with Session(engine) as s, s.begin():
            product = Product(key="p", name="P")
            s.add(product)
            s.flush()
            s.add(Initiative(product_id=product.id, key="old", title="Legacy importer"))
        migrate.upgrade(engine)
        with Session(engine) as s:
            pid = s.scalars(select(Product.id)).one()
            hits = search_repo.search(s, pid, ["legacy"], kinds=["initiative"], limit=5)
        assert [(h.kind, h.ref, h.title) for h in hits] == [
            ("initiative", "old", "Legacy importer")
        ]
    finally:
        engine.dispose()
