"""Importing tracker exports into a real database (SQLite and PostgreSQL): idempotent, all or
nothing, with a status history; and the tracker commands end to end."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from helpers import invoke
from productpath.errors import InputError
from productpath.services.work.tracker import import_tracker, list_tracker_items
from productpath.services.workspace import OpenWorkspace
from productpath.store.models import TrackerItem, TrackerStatusChange, utcnow
from tracker_fixtures import gh_issue, gh_pull, jira_csv, jira_row, write_json

UTC = dt.UTC


def issues_v1() -> list[dict[str, Any]]:
    return [
        gh_issue(1, "Card never arrives", created="2026-01-05T09:00:00Z"),
        gh_issue(2, "Courier", pull=True, created="2026-01-06T10:00:00Z", body="Closes #1"),
        gh_issue(
            3,
            "Top-up fails",
            state="closed",
            created="2026-01-02T08:00:00Z",
            closed="2026-01-04T17:30:00Z",
        ),
    ]


def pulls_v1() -> list[dict[str, Any]]:
    return [gh_pull(2, "Courier", branch="feature/courier", body="Closes #1")]


def snapshot(handle: OpenWorkspace) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with handle.store.read() as session:
        items = [
            (i.key, i.status, i.status_category, i.updated_at)
            for i in session.scalars(select(TrackerItem).order_by(TrackerItem.key))
        ]
        changes = [
            (c.item_id, c.at, c.from_status, c.to_status)
            for c in session.scalars(select(TrackerStatusChange).order_by(TrackerStatusChange.id))
        ]
    return items, changes


def history(handle: OpenWorkspace, key: str) -> list[tuple[dt.datetime, str | None, str]]:
    with handle.store.read() as session:
        item_id = session.scalar(select(TrackerItem.id).where(TrackerItem.key == key))
        stmt = (
            select(TrackerStatusChange)
            .where(TrackerStatusChange.item_id == item_id)
            .order_by(TrackerStatusChange.at, TrackerStatusChange.id)
        )
        return [(c.at, c.from_status, c.to_status) for c in session.scalars(stmt)]


def test_import_merges_issues_and_pulls_and_reimport_changes_nothing(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    issues = write_json(tmp_path / "issues.json", issues_v1())
    pulls = write_json(tmp_path / "pulls.json", pulls_v1())
    done: list[int] = []
    first = import_tracker(opened, [issues, pulls], fmt="github", progress=done.append)
    assert (first.added, first.updated, first.unchanged, first.skipped) == (3, 0, 0, [])
    # Open items get one history row; the closed issue two (opened, then closed).
    assert first.status_changes == 4
    assert done == [3]

    rows = {row.key: row for row in list_tracker_items(opened)}
    assert list(rows) == ["acme/pocket#3", "acme/pocket#1", "acme/pocket#2"]  # by opened_at
    courier = rows["acme/pocket#2"]
    assert (courier.item_type, courier.branch, courier.source) == (
        "pull_request",
        "feature/courier",
        "github",
    )
    assert courier.links == ("closes acme/pocket#1",)
    assert rows["acme/pocket#1"].status_category == "in_progress"
    assert rows["acme/pocket#3"].resolved_at == dt.datetime(2026, 1, 4, 17, 30, tzinfo=UTC)
    assert history(opened, "acme/pocket#3") == [
        (dt.datetime(2026, 1, 2, 8, tzinfo=UTC), None, "open"),
        (dt.datetime(2026, 1, 4, 17, 30, tzinfo=UTC), "open", "closed"),
    ]

    before = snapshot(opened)
    again = import_tracker(opened, [issues, pulls], fmt="github")
    assert (again.added, again.updated, again.unchanged, again.status_changes) == (0, 0, 3, 0)
    assert snapshot(opened) == before  # no new rows, no updated_at moved


def test_a_changed_export_updates_and_records_status_changes(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    import_tracker(opened, [write_json(tmp_path / "v1.json", issues_v1())], fmt="github")
    v2 = issues_v1()
    v2[0] = gh_issue(
        1,
        "Card never arrives",
        state="closed",
        created="2026-01-05T09:00:00Z",
        closed="2026-01-09T12:00:00Z",
    )
    v2[1] = gh_issue(2, "Courier (renamed)", pull=True, created="2026-01-06T10:00:00Z")
    before = utcnow()
    report = import_tracker(opened, [write_json(tmp_path / "v2.json", v2)], fmt="github")
    after = utcnow()
    assert (report.added, report.updated, report.unchanged, report.status_changes) == (0, 2, 1, 1)
    # Became done: dated when it was resolved, not when the import ran.
    assert history(opened, "acme/pocket#1") == [
        (dt.datetime(2026, 1, 5, 9, tzinfo=UTC), None, "open"),
        (dt.datetime(2026, 1, 9, 12, tzinfo=UTC), "open", "closed"),
    ]
    assert list_tracker_items(opened, status_category="done")[-1].key == "acme/pocket#1"

    # Reopened: no date in the export says when, so the import time.
    v3 = issues_v1()
    report = import_tracker(opened, [write_json(tmp_path / "v3.json", v3)], fmt="github")
    assert report.status_changes == 1
    at, old, new = history(opened, "acme/pocket#1")[-1]
    assert (old, new) == ("closed", "open")
    assert before <= at <= utcnow() and at >= after


def test_jira_history_and_sources_are_apart(opened: OpenWorkspace, tmp_path: Path) -> None:
    rows = [
        jira_row("POCKET-1", "Courier", Status="In Progress", **{"Status Category": "In Progress"}),
        jira_row(
            "POCKET-2",
            "Done already",
            Status="Done",
            Resolved="2026-01-08 10:00",
            **{"Status Category": "Done"},
        ),
    ]
    first = import_tracker(opened, [jira_csv(tmp_path / "j.csv", rows)], fmt="jira")
    assert (first.added, first.status_changes) == (2, 3)
    assert history(opened, "POCKET-2") == [
        (dt.datetime(2026, 1, 5, 9, 15, tzinfo=UTC), None, "To Do"),
        (dt.datetime(2026, 1, 8, 10, tzinfo=UTC), "To Do", "Done"),
    ]
    rows[0] = jira_row(
        "POCKET-1", "Courier", Status="In Review", **{"Status Category": "In Progress"}
    )
    second = import_tracker(opened, [jira_csv(tmp_path / "j2.csv", rows)], fmt="jira")
    assert (second.updated, second.unchanged, second.status_changes) == (1, 1, 1)
    assert [h[1:] for h in history(opened, "POCKET-1")] == [
        (None, "In Progress"),
        ("In Progress", "In Review"),
    ]
    import_tracker(opened, [write_json(tmp_path / "gh.json", issues_v1())], fmt="github")
    assert {row.source for row in list_tracker_items(opened)} == {"github", "jira"}
    assert len(list_tracker_items(opened, limit=2)) == 2


def test_forgetting_one_source_removes_its_items_history_and_links_only(
    opened: OpenWorkspace, tmp_path: Path
) -> None:
    from productpath.services.work.tracker import forget_tracker_items

    rows = [
        jira_row("POCKET-1", "Courier", Status="In Progress", **{"Status Category": "In Progress"})
    ]
    import_tracker(opened, [jira_csv(tmp_path / "j.csv", rows)], fmt="jira")
    import_tracker(opened, [write_json(tmp_path / "gh.json", issues_v1())], fmt="github")
    github_before = [r for r in list_tracker_items(opened) if r.source == "github"]
    assert forget_tracker_items(opened, fmt="jira") == 1
    assert [r for r in list_tracker_items(opened) if r.source == "github"] == github_before
    assert all(r.source == "github" for r in list_tracker_items(opened))
    assert forget_tracker_items(opened, fmt="jira") == 0
    # Imported afresh: one first history row again, as for a new item.
    again = import_tracker(opened, [jira_csv(tmp_path / "j.csv", rows)], fmt="jira")
    assert (again.added, again.status_changes) == (1, 1)
    assert [h[1:] for h in history(opened, "POCKET-1")] == [(None, "In Progress")]


def test_a_failed_import_writes_nothing(opened: OpenWorkspace, tmp_path: Path) -> None:
    import_tracker(opened, [write_json(tmp_path / "v1.json", issues_v1())], fmt="github")
    before = snapshot(opened)
    page = issues_v1()
    page[0] = gh_issue(1, "Card never arrives", state="closed", closed="2026-01-09T12:00:00Z")
    page.append({**gh_issue(4, "New"), "title": None})
    bad = write_json(tmp_path / "bad.json", page)
    with pytest.raises(InputError) as caught:
        import_tracker(opened, [bad], fmt="github")
    assert caught.value.field == "title"
    truncated = tmp_path / "cut.json"
    truncated.write_text(bad.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    with pytest.raises(InputError, match="truncated"):
        import_tracker(
            opened, [write_json(tmp_path / "ok.json", page[:1]), truncated], fmt="github"
        )
    assert snapshot(opened) == before

    report = import_tracker(opened, [bad], fmt="github", skip_invalid=True)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)
    assert [(s.file, s.field, s.reason) for s in report.skipped] == [
        (str(bad), "title", "is missing or empty")
    ]


def test_unknown_format_and_status(opened: OpenWorkspace, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown format 'linear'"):
        import_tracker(opened, [tmp_path / "x.json"], fmt="linear")
    with pytest.raises(InputError, match="unknown status 'doing'"):
        list_tracker_items(opened, status_category="doing")


def test_many_items_import_in_chunks(opened: OpenWorkspace, tmp_path: Path) -> None:
    page = [gh_issue(n, f"Issue {n}", created="2026-02-01T00:00:00Z") for n in range(1, 1201)]
    done: list[int] = []
    path = write_json(tmp_path / "many.json", page)
    report = import_tracker(opened, [path], fmt="github", progress=done.append)
    assert (report.added, report.status_changes, done) == (1200, 1200, [500, 1000, 1200])
    with opened.store.read() as session:
        assert session.scalar(select(func.count(TrackerItem.id))) == 1200
    assert import_tracker(opened, [path], fmt="github").unchanged == 1200


# --- CLI --------------------------------------------------------------------------------------


def test_cli_import_and_list(workspace_dir: Path, tmp_path: Path) -> None:
    issues = write_json(tmp_path / "issues.json", issues_v1())
    pulls = write_json(tmp_path / "pulls.json", pulls_v1())
    result = invoke("tracker", "import", str(issues), str(pulls), "--format", "github")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Imported 3 new, 0 updated, 0 unchanged items from 2 files (source 'github'); "
        "4 status changes recorded; 0 skipped\n"
    )
    again = invoke("tracker", "import", str(issues), "--format", "github", "--json")
    assert json.loads(again.stdout) == {
        "source": "github",
        "added": 0,
        "updated": 0,
        "unchanged": 3,
        "status_changes": 0,
        "skipped": [],
    }
    listed = json.loads(invoke("tracker", "list", "--json", "--status", "in_progress").stdout)
    assert [row["key"] for row in listed] == ["acme/pocket#1", "acme/pocket#2"]
    assert listed[1]["branch"] == "feature/courier"
    assert listed[1]["opened_at"] == "2026-01-06T10:00:00+00:00"
    table = invoke("tracker", "list", "--limit", "1")
    assert table.exit_code == 0 and "acme/pocket#3" in table.stdout


def test_cli_errors_are_one_line(workspace_dir: Path, tmp_path: Path) -> None:
    csv_path = jira_csv(tmp_path / "jira.csv", [jira_row("POCKET-1", "Courier")])
    result = invoke("tracker", "import", str(csv_path), "--format", "github")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {csv_path}:1: is not JSON")
    assert result.stderr.count("\n") == 1

    page = [*issues_v1(), {**gh_issue(4, "x"), "number": None}]
    bad = write_json(tmp_path / "bad.json", page)
    skipped = invoke("tracker", "import", str(bad), "--format", "github", "--skip-invalid")
    assert skipped.exit_code == 0
    assert "3 new" in skipped.stdout and "1 skipped" in skipped.stdout
    assert f"skipped {bad}:" in skipped.stderr and "field 'number'" in skipped.stderr

    usage = invoke("tracker", "import", str(bad))
    assert usage.exit_code == 2  # --format is required
    assert invoke("tracker", "list", "--status", "doing").exit_code == 2
    empty = invoke("tracker", "list")
    assert empty.exit_code == 0
