"""Reading Jira "CSV (all fields)" exports: repeated columns by position, dates, status
categories, parents, and every kind of bad input with its line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from productpath.errors import InputError
from productpath.ingest.tracker_jira import parse_jira_datetime, read_jira
from productpath.ingest.tracker_record import TrackerRecord
from tracker_fixtures import JIRA_HEADER, jira_csv, jira_row

UTC = dt.UTC


def export_rows() -> list[list[str]]:
    return [
        jira_row(
            "POCKET-1",
            "Card delivery",
            **{"Issue Type": "Epic", "Status": "In Progress", "Status Category": "In Progress"},
            **{"Status Category Changed": "10/Jan/26 11:00 AM", "Labels": ["cards"]},
        ),
        jira_row(
            "POCKET-2",
            "Courier integration",
            Status="Code Review",
            Assignee="Fox Mulder",
            Labels=["backend", "cards", "backend"],
            Parent="10001",  # Jira Cloud writes the parent's Issue id
            **{"Parent summary": "Card delivery", "Status Category": "In Progress"},
            **{"Custom field (Story Points)": "5.0", "Status Category Changed": "2026-01-12 09:30"},
            **{"Outward issue link (Blocks)": ["POCKET-3", "POCKET-4"]},
        ),
        jira_row(
            "POCKET-3",
            'Track the courier, with "quotes", commas\nand a second line',
            Status="Done",
            Resolution="Done",
            Resolved="25/Nov/26 3:04 PM",
            **{"Issue Type": "Sub-task", "Status Category": "Done"},
            **{"Custom field (Epic Link)": "POCKET-1", "Inward issue link (Blocks)": ["POCKET-2"]},
            **{"Outward issue link (Relates)": ["POCKET-9"]},
        ),
        jira_row("POCKET-4", "Statement export", Created="2026-01-07T08:00:00+01:00"),
    ]


def records(*paths: Path) -> dict[str, TrackerRecord]:
    out = read_jira(list(paths))
    assert [item for item in out if isinstance(item, InputError)] == []
    return {r.key: r for r in out if isinstance(r, TrackerRecord)}


def errors(*paths: Path) -> list[InputError]:
    return [item for item in read_jira(list(paths)) if isinstance(item, InputError)]


def test_a_full_export_reads_by_position(tmp_path: Path) -> None:
    path = jira_csv(tmp_path / "jira.csv", export_rows())
    found = records(path)
    assert list(found) == ["POCKET-1", "POCKET-2", "POCKET-3", "POCKET-4"]

    epic = found["POCKET-1"]
    assert (epic.item_type, epic.status, epic.status_category) == (
        "epic",
        "In Progress",
        "in_progress",
    )
    assert epic.started_at == dt.datetime(2026, 1, 10, 11, tzinfo=UTC)
    assert epic.opened_at == dt.datetime(2026, 1, 5, 9, 15, tzinfo=UTC)
    assert (epic.line, epic.url, epic.branch, epic.parent_key) == (2, None, None, None)

    story = found["POCKET-2"]
    assert story.assignee == "Fox Mulder"
    assert story.labels == ("backend", "cards")
    assert story.parent_key == "POCKET-1"  # Issue id 10001 resolved to its key
    assert story.points == 5.0
    assert story.links == ("blocks POCKET-3", "blocks POCKET-4")
    assert story.started_at == dt.datetime(2026, 1, 12, 9, 30, tzinfo=UTC)

    sub = found["POCKET-3"]
    assert sub.title.startswith('Track the courier, with "quotes"')
    assert (sub.item_type, sub.status_category, sub.started_at) == ("sub_task", "done", None)
    assert sub.resolved_at == dt.datetime(2026, 11, 25, 15, 4, tzinfo=UTC)
    assert sub.parent_key == "POCKET-1"  # from the Epic Link column
    assert sub.links == ("blocked_by POCKET-2", "relates_to POCKET-9")
    # A quoted field spanning two lines: the next record starts one line later.
    assert found["POCKET-4"].line == 6
    assert found["POCKET-4"].opened_at == dt.datetime(2026, 1, 7, 7, tzinfo=UTC)
    assert found["POCKET-4"].status_category == "todo"


def test_without_a_status_category_column_the_status_names_decide(tmp_path: Path) -> None:
    rows = [
        jira_row("OPS-1", "a", Status="Backlog"),
        jira_row("OPS-2", "b", Status="In Review"),
        jira_row("OPS-3", "c", Status="Closed"),
        jira_row("OPS-4", "d", Status="Shipped to prod", Resolved="2026-02-01 10:00"),
        jira_row("OPS-5", "e", Status="Waiting for customer"),
    ]
    path = jira_csv(tmp_path / "j.csv", rows, drop=("Status Category", "Status Category Changed"))
    found = records(path)
    assert [r.status_category for r in found.values()] == [
        "todo",
        "in_progress",
        "done",
        "done",
        "todo",
    ]


def test_an_unresolvable_parent_id_is_left_out(tmp_path: Path) -> None:
    path = jira_csv(tmp_path / "j.csv", [jira_row("POCKET-7", "Orphan", Parent="99999")])
    assert records(path)["POCKET-7"].parent_key is None


def test_the_same_key_in_overlapping_exports_keeps_the_last_updated(tmp_path: Path) -> None:
    old = jira_row("POCKET-1", "Old title", Updated="2026-01-02 10:00")
    new = jira_row("POCKET-1", "New title", Updated="2026-01-03 10:00", Status="Done")
    newer_first = jira_csv(tmp_path / "a.csv", [new])
    older_second = jira_csv(tmp_path / "b.csv", [old])
    found = records(newer_first, older_second)
    assert (found["POCKET-1"].title, found["POCKET-1"].line) == ("New title", 2)
    assert records(older_second, newer_first)["POCKET-1"].title == "New title"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("25/Nov/26 3:04 PM", dt.datetime(2026, 11, 25, 15, 4, tzinfo=UTC)),
        ("1/Jan/26 12:00 AM", dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC)),
        ("01/Jan/26 12:30 PM", dt.datetime(2026, 1, 1, 12, 30, tzinfo=UTC)),
        ("25/nov/2026 15:04", dt.datetime(2026, 11, 25, 15, 4, tzinfo=UTC)),
        ("25/Nov/26", dt.datetime(2026, 11, 25, tzinfo=UTC)),
        ("2026-11-25 15:04", dt.datetime(2026, 11, 25, 15, 4, tzinfo=UTC)),
        ("2026-11-25T15:04:00.000+0200", dt.datetime(2026, 11, 25, 13, 4, tzinfo=UTC)),
    ],
)
def test_jira_dates(raw: str, expected: dt.datetime) -> None:
    assert parse_jira_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["25/Foo/26 3:04 PM", "31/Feb/26 1:00 PM", "25/Nov/26 13:04 PM"])
def test_jira_dates_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_jira_datetime(raw)


# --- bad input ------------------------------------------------------------------------------


def test_a_github_json_file_is_not_a_jira_export(tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    path.write_text('[\n  {"number": 1, "title": "x"}\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_jira([path])
    assert (caught.value.line, caught.value.field) == (1, "Issue key")
    assert "not a Jira CSV export" in caught.value.reason


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = jira_csv(tmp_path / "j.csv", export_rows(), drop=("Created",))
    with pytest.raises(InputError) as caught:
        read_jira([path])
    assert (caught.value.line, caught.value.field) == (1, "Created")


def test_empty_and_truncated_files(tmp_path: Path) -> None:
    empty = tmp_path / "e.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        read_jira([empty])

    full = jira_csv(tmp_path / "full.csv", export_rows()).read_text(encoding="utf-8")
    # Cut inside the quoted two-line summary: the quote is never closed.
    cut_in_quote = tmp_path / "cut1.csv"
    cut_in_quote.write_text(full[: full.index("commas") + 3], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_jira([cut_in_quote])
    assert caught.value.line == 4 and "unterminated quoted field" in caught.value.reason

    # Cut in the middle of the last row: that row is short, the others are read.
    cut_in_row = tmp_path / "cut2.csv"
    cut_in_row.write_text(full[: full.index("Statement export,POCKET-4") + 30], encoding="utf-8")
    out = read_jira([cut_in_row])
    assert [r.key for r in out if isinstance(r, TrackerRecord)] == [
        "POCKET-1",
        "POCKET-2",
        "POCKET-3",
    ]
    (short,) = [e for e in out if isinstance(e, InputError)]
    assert short.line == 6 and short.reason.startswith(f"expected {len(JIRA_HEADER)} fields")
    assert "truncated" in short.reason


@pytest.mark.parametrize(
    ("fields", "field", "reason"),
    [
        ({"Summary": ""}, "Summary", "is empty"),
        ({"Issue key": ""}, "Issue key", "is empty"),
        ({"Status": ""}, "Status", "is empty"),
        ({"Created": ""}, "Created", "is empty"),
        ({"Created": "someday"}, "Created", "not a date: 'someday'"),
        ({"Resolved": "31/Feb/26 1:00 PM"}, "Resolved", "not a valid date"),
        ({"Status Category": "Blocked"}, "Status Category", "unknown status category 'Blocked'"),
        ({"Custom field (Story Points)": "lots"}, "Custom field (Story Points)", "not a number"),
        ({"Assignee": "x" * 400}, "Assignee", "is longer than 320 characters"),
    ],
)
def test_a_bad_row_names_its_line_and_field(
    tmp_path: Path, fields: dict[str, str], field: str, reason: str
) -> None:
    rows = export_rows()
    base = jira_row("POCKET-4", "Statement export")
    header_index = {name: JIRA_HEADER.index(name) for name in fields}
    for name, value in fields.items():
        base[header_index[name]] = value
    rows[3] = base
    path = jira_csv(tmp_path / "j.csv", rows)
    (error,) = errors(path)
    assert (error.file, error.line, error.field) == (str(path), 6, field)
    assert error.reason.startswith(reason)


def test_bytes_that_are_not_utf8_name_the_line(tmp_path: Path) -> None:
    path = jira_csv(tmp_path / "j.csv", export_rows()[:2])
    data = path.read_bytes().replace(b"Courier", b"Cour\xe9ier")
    path.write_bytes(data)
    (error,) = errors(path)
    assert (error.line, error.field) == (3, "Summary") and "UTF-8" in error.reason


def test_a_start_date_field_gives_done_items_their_start(tmp_path: Path) -> None:
    header = [*JIRA_HEADER, "Custom field (Start date)"]
    done = jira_row(
        "POCKET-7",
        "Ship it",
        Status="Done",
        Resolved="20/Jan/26 5:00 PM",
        **{"Status Category": "Done"},
    )
    path = jira_csv(tmp_path / "jira.csv", [[*done, "14/Jan/26"]], header)
    item = records(path)["POCKET-7"]
    assert item.started_at == dt.datetime(2026, 1, 14, tzinfo=UTC)
    assert item.resolved_at == dt.datetime(2026, 1, 20, 17, tzinfo=UTC)
