"""The feedback explorer: search, filters, pagination and the CSV export, on SQLite and
PostgreSQL, through the service and the app."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from productpath.errors import InputError
from productpath.services.pages.feedback_explorer import FeedbackQuery, explore, export_csv
from productpath.services.workspace import OpenWorkspace, open_workspace
from productpath.settings import Settings
from productpath.store import feedback_search
from productpath.store.models import (
    Customer,
    FeedbackInsight,
    FeedbackItem,
    Product,
    Segment,
    Theme,
)
from productpath.web import create_app

DAY0 = dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC)


def _fill(handle: OpenWorkspace) -> None:
    """60 items, one a day from DAY0: a theme, kind and sentiment by rule; a few undated."""
    with handle.store.write() as s:
        pid = s.scalars(select(Product.id)).one()
        smb = Segment(product_id=pid, key="smb", name="Small business")
        s.add(smb)
        s.flush()
        acme = Customer(product_id=pid, key="acme", name="Acme", segment_id=smb.id)
        cards = Theme(product_id=pid, number=7, label="card declined")
        s.add_all([acme, cards])
        s.flush()
        rows = []
        for n in range(60):
            text = f"item {n}: " + ("my Card was DECLINED" if n % 3 == 0 else "app is slow")
            rows.append(
                {
                    "product_id": pid,
                    "source": "zendesk" if n % 2 else "survey",
                    "external_id": str(n),
                    "text": text,
                    "created_at": DAY0 + dt.timedelta(days=n),
                    "customer_id": acme.id if n % 5 == 0 else None,
                    "imported_at": DAY0,
                }
            )
        rows.append(
            {
                "product_id": pid,
                "source": "survey",
                "external_id": "undated",
                "text": '=HYPERLINK("http://x","100% off_sale")',
                "created_at": None,
                "customer_id": None,
                "imported_at": DAY0,
            }
        )
        s.execute(insert(FeedbackItem), rows)
        ids = {e: i for e, i in s.execute(select(FeedbackItem.external_id, FeedbackItem.id))}
        s.execute(
            insert(FeedbackInsight),
            [
                {
                    "feedback_id": ids[str(n)],
                    "theme_id": cards.id if n % 3 == 0 else None,
                    "sentiment": -0.6 if n % 3 == 0 else (0.0 if n % 3 == 1 else 0.5),
                    "kind": "bug" if n % 3 == 0 else "question",
                    "text_hash": "-",
                }
                for n in range(60)
            ],
        )


@pytest.fixture
def handle(workspace_dir: Path) -> Iterator[OpenWorkspace]:
    with open_workspace() as h:
        _fill(h)
        yield h


def _ids(view: object) -> list[str]:
    return [i.external_id for i in view.items]  # type: ignore[attr-defined]


def test_pages_are_newest_first_and_do_not_overlap(handle: OpenWorkspace) -> None:
    first = explore(handle, FeedbackQuery(per_page=25))
    assert (first.total, first.pages, first.has_next) == (61, 3, True)
    # Undated items sort where the database puts NULL: last on SQLite, first on PostgreSQL.
    dated = [i for i in _ids(first) if i != "undated"]
    assert dated[:3] == ["59", "58", "57"]
    seen = _ids(first) + _ids(explore(handle, FeedbackQuery(per_page=25, page=2)))
    last = explore(handle, FeedbackQuery(per_page=25, page=3))
    assert last.has_next is False
    seen += _ids(last)
    assert len(seen) == len(set(seen)) == 61
    assert "undated" in seen
    assert explore(handle, FeedbackQuery(page=9)).items == ()


def test_filters_combine(handle: OpenWorkspace) -> None:
    def keys(**kw: object) -> set[int]:
        view = explore(handle, FeedbackQuery(per_page=200, **kw))  # type: ignore[arg-type]
        assert view.total == len(view.items)
        return {int(i) for i in _ids(view) if i != "undated"}

    thirds = {n for n in range(60) if n % 3 == 0}
    assert keys(q="card WAS declined") == thirds  # any case
    assert keys(kind="bug") == thirds and keys(theme=7) == thirds
    assert keys(sentiment="neg") == thirds
    assert keys(sentiment="neutral") == {n for n in range(60) if n % 3 == 1}
    assert keys(sentiment="pos") == {n for n in range(60) if n % 3 == 2}
    assert keys(segment="smb") == {n for n in range(60) if n % 5 == 0}
    assert keys(source="zendesk", kind="bug") == {n for n in thirds if n % 2}
    assert keys(since=dt.date(2030, 1, 11), until=dt.date(2030, 1, 12)) == {10, 11}
    # LIKE's wildcards are searched for literally.
    assert _ids(explore(handle, FeedbackQuery(q="100% off_"))) == ["undated"]
    assert explore(handle, FeedbackQuery(q="100_ off")).total == 0
    # A theme or segment that does not exist matches nothing.
    assert explore(handle, FeedbackQuery(theme=99)).total == 0
    assert explore(handle, FeedbackQuery(segment="nope")).items == ()


def test_bad_filters_name_their_field(handle: OpenWorkspace) -> None:
    for query, field in [
        (FeedbackQuery(kind="rant"), "kind"),
        (FeedbackQuery(sentiment="angry"), "sentiment"),
        (FeedbackQuery(page=0), "page"),
        (FeedbackQuery(per_page=500), "per_page"),
        (FeedbackQuery(since=dt.date(2030, 2, 1), until=dt.date(2030, 1, 1)), "until"),
    ]:
        with pytest.raises(InputError) as err:
            explore(handle, query)
        assert err.value.field == field


def test_the_count_stops_at_its_limit_and_both_page_plans_agree(handle: OpenWorkspace) -> None:
    with handle.store.read() as s:
        pid = s.scalars(select(Product.id)).one()
        f = feedback_search.SearchFilter(kind="question")
        assert feedback_search.count(s, pid, f, count_limit=10) == 11
        assert feedback_search.count(s, pid, f, count_limit=100) == 40
        # Walking the index (matches common) and scanning (matches rare) give the same page.
        walked = feedback_search.page(s, pid, f, offset=5, limit=10)
        scanned = feedback_search.page(s, pid, f, offset=5, limit=10, matches=1)
        assert walked == scanned and len(walked) == 10


def test_the_csv_export_has_every_match_and_no_formula(handle: OpenWorkspace) -> None:
    text = "".join(export_csv(handle, FeedbackQuery(source="survey")))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 31
    undated = next(r for r in rows if r["external_id"] == "undated")
    assert undated["text"].startswith("'=HYPERLINK")
    assert [r["created_at"][:10] for r in rows if r["created_at"]][:2] == [
        "2030-02-28",
        "2030-02-26",
    ]
    assert {r["kind"] for r in rows} == {"bug", "question", ""}
    neg = next(r for r in rows if r["kind"] == "bug")
    assert neg["sentiment"] == "-0.6" and neg["theme"] == "7"


def test_the_pages_and_twins(handle: OpenWorkspace) -> None:
    with TestClient(create_app(Settings())) as client:
        page = client.get("/feedback", params={"q": "declined", "kind": "bug", "theme": ""})
        assert page.status_code == 200
        assert "20 items" in page.text and "my Card was DECLINED" in page.text
        assert 'href="/feedback.csv?q=declined&amp;kind=bug"' in page.text
        twin = client.get("/feedback.json", params={"q": "declined", "per_page": "5"}).json()
        assert (twin["total"], len(twin["items"]), twin["has_next"]) == (20, 5, True)
        assert twin["filter"]["q"] == "declined"
        nxt = client.get("/feedback", params={"q": "declined", "per_page": "5", "page": "2"})
        assert "item 42" in nxt.text
        exported = client.get("/feedback.csv", params={"kind": "bug"})
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        assert len(exported.text.strip().splitlines()) == 21
        for params, field in [({"page": "x"}, "page"), ({"since": "May"}, "since")]:
            bad = client.get("/feedback.json", params=params)
            assert bad.status_code == 422 and field in bad.json()["detail"]


def test_feedback_list_takes_the_explorers_filters(handle: OpenWorkspace) -> None:
    """`feedback list` filters as the explorer does (its query, not a second one), newest first."""
    import json

    from helpers import invoke

    def listed(*args: str) -> list[str]:
        result = invoke("feedback", "list", "--json", *args)
        assert result.exit_code == 0, result.stderr
        return [item["external_id"] for item in json.loads(result.stdout)]

    bugs = listed("--kind", "bug", "--theme", "7", "--sentiment", "neg", "--source", "zendesk")
    assert bugs == [str(n) for n in range(59, -1, -1) if n % 3 == 0 and n % 2]
    assert listed("--q", "declined", "--segment", "smb", "--limit", "2") == ["45", "30"]
    day = (DAY0 + dt.timedelta(days=10)).date().isoformat()
    assert listed("--since", day, "--until", day) == ["10"]
    view = explore(handle, FeedbackQuery(kind="question", since=DAY0.date(), per_page=200))
    assert listed("--kind", "question", "--since", DAY0.date().isoformat()) == _ids(view)
    first = invoke("feedback", "list", "--json", "--limit", "1").stdout
    assert json.loads(first)[0]["customer"] == "acme"  # unfiltered: import order, as before
    assert invoke("feedback", "list", "--theme", "99").stdout == (
        "No feedback matches these filters.\n"
    )
    wrong = invoke("feedback", "list", "--kind", "rant")
    assert wrong.exit_code == 1 and "field 'kind': unknown kind 'rant'" in wrong.stderr
    bad_day = invoke("feedback", "list", "--since", "yesterday")
    assert bad_day.stderr == ("error: field '--since': 'yesterday' is not a date like 2026-11-30\n")
