"""Importing feedback into a real database (SQLite and PostgreSQL): idempotent, all or nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import banking77
from productpath.errors import InputError
from productpath.services.customers import list_customers
from productpath.services.feedback import export_feedback, import_feedback, list_feedback
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import Customer, FeedbackItem

HEADER = "id,text,date,customer\n"
GOOD = HEADER + (
    "t1,Card never arrived,2024-03-05,acme\n"
    "t2,App crashes on login,2024-03-06T09:00:00Z,beta\n"
    "t3,Love the new budget view,,acme\n"
)


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def counts(handle: OpenWorkspace) -> tuple[int, int]:
    with handle.store.read() as session:
        items = session.scalar(select(func.count(FeedbackItem.id))) or 0
        customers = session.scalar(select(func.count(Customer.id))) or 0
    return items, customers


def do_import(handle: OpenWorkspace, path: Path, **kw: Any) -> Any:
    options: dict[str, Any] = {
        "text_column": "text",
        "id_column": "id",
        "date_column": "date",
        "customer_column": "customer",
    }
    options.update(kw)
    return import_feedback(handle, path, **options)


def test_import_then_reimport_adds_nothing(opened: OpenWorkspace, tmp_path: Path) -> None:
    path = write(tmp_path, "tickets.csv", GOOD)
    first = do_import(opened, path)
    assert (first.added, first.unchanged, first.skipped, first.source) == (3, 0, [], "tickets")
    again = do_import(opened, path)
    assert (again.added, again.unchanged) == (0, 3)
    assert counts(opened) == (3, 2)
    rows = list_feedback(opened)
    assert [(r.external_id, r.source, r.customer) for r in rows] == [
        ("t1", "tickets", "acme"),
        ("t2", "tickets", "beta"),
        ("t3", "tickets", "acme"),
    ]
    assert rows[1].created_at is not None and rows[1].created_at.hour == 9
    assert rows[1].created_at.utcoffset() is not None


def test_appended_rows_are_the_only_ones_added(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write(tmp_path, "tickets.csv", GOOD))
    grown = GOOD + "t4,Please add dark mode,2024-04-01,gamma\n"
    report = do_import(opened, write(tmp_path, "tickets.csv", grown))
    assert (report.added, report.unchanged) == (1, 3)


def test_same_ids_from_another_source_are_other_items(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    path = write(tmp_path, "tickets.csv", GOOD)
    do_import(opened, path)
    report = do_import(opened, path, source="app-store")
    assert report.added == 3
    assert counts(opened)[0] == 6


def test_failing_import_writes_nothing(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write(tmp_path, "tickets.csv", GOOD))
    before = counts(opened)
    # Many good rows (more than one insert chunk) before a bad one near the end: the rows
    # already inserted in this transaction must be rolled back too.
    rows = "".join(f"n{i},Message {i},2024-05-01,new-{i % 7}\n" for i in range(2500))
    path = write(tmp_path, "more.csv", HEADER + rows + "bad,Broken row,not a date,zed\n")
    with pytest.raises(InputError) as caught:
        do_import(opened, path)
    assert (caught.value.line, caught.value.field) == (2502, "date")
    assert counts(opened) == before


def test_skip_invalid_reports_each_skip(opened: OpenWorkspace, tmp_path: Path) -> None:
    content = HEADER + 'a,ok,2024-01-01,\nb,,2024-01-01,\nc,fine,someday,\nd,"x"y,,\n'
    seen: list[int] = []
    report = do_import(
        opened, write(tmp_path, "f.csv", content), skip_invalid=True, progress=seen.append
    )
    assert report.added == 1
    assert [(s.line, s.field) for s in report.skipped] == [(3, "text"), (4, "date"), (5, None)]
    assert "not a date" in report.skipped[1].reason
    assert seen[-1] == 4
    assert counts(opened)[0] == 1


def test_skip_invalid_does_not_skip_a_broken_file(opened: OpenWorkspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no column"):
        do_import(opened, write(tmp_path, "f.csv", "body\nhi\n"), skip_invalid=True)
    assert counts(opened) == (0, 0)


def test_customers_are_linked_and_created_by_key(opened: OpenWorkspace, tmp_path: Path) -> None:
    do_import(opened, write(tmp_path, "tickets.csv", GOOD))
    by_id = {c.id: c for c in list_customers(opened)}
    assert set(by_id) == {"acme", "beta"}
    assert (by_id["acme"].name, by_id["acme"].feedback_count) == ("acme", 2)
    assert by_id["beta"].feedback_count == 1


def test_json_import_without_ids_is_idempotent_under_reordering(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    items = [{"body": f"text {i}", "when": f"2024-02-{i + 1:02d}"} for i in range(5)]
    first = write(tmp_path, "survey.json", json.dumps(items))
    report = import_feedback(opened, first, text_column="body", date_column="when")
    assert report.added == 5
    shuffled = write(tmp_path, "survey.jsonl", "\n".join(json.dumps(i) for i in items[::-1]))
    again = import_feedback(
        opened, shuffled, text_column="body", date_column="when", source="survey"
    )
    assert (again.added, again.unchanged) == (0, 5)


def test_export_round_trip_and_formula_neutralising(opened: OpenWorkspace, tmp_path: Path) -> None:
    content = HEADER + 't1,=SUM(A1:A9),2024-03-05,acme\nt2,"plain, with comma",,\n'
    do_import(opened, write(tmp_path, "tickets.csv", content))
    out = io.StringIO()
    assert export_feedback(opened, out, "csv") == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "id",
        "external_id",
        "source",
        "text",
        "created_at",
        "customer",
        "theme_id",
        "theme_label",
        "sentiment",
        "kind",
    ]
    assert rows[0]["text"] == "'=SUM(A1:A9)"
    assert rows[0]["created_at"] == "2024-03-05T00:00:00+00:00"
    assert (rows[1]["text"], rows[1]["customer"]) == ("plain, with comma", "")
    out = io.StringIO()
    assert export_feedback(opened, out, "json") == 2
    data = json.loads(out.getvalue())
    assert data[0]["text"] == "=SUM(A1:A9)" and data[1]["customer"] is None


def test_real_banking77_messages(opened: OpenWorkspace, tmp_path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["text", "category"])
    writer.writerows([row["text"], row["category"]] for row in banking77("train")[:500])
    path = write(tmp_path, "banking.csv", out.getvalue())
    report = import_feedback(opened, path, text_column="text")
    # Identical rows (if any) collapse into one item; every other row is added.
    assert report.added + report.unchanged == 500 and report.added > 450
    assert import_feedback(opened, path, text_column="text").added == 0
    assert len(list_feedback(opened, limit=10)) == 10
