"""Work closed without being done (Won't Do, Duplicate, GitHub's "not planned") is dropped, not
finished: the readers say so, and no count of finished work, scope or shipped list takes it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from productpath.delivery.metrics import flow_metrics
from productpath.delivery.progress import InitiativeWork, measure
from productpath.domain.work import ItemRecord, closes_without_doing
from productpath.errors import InputError
from productpath.ingest.tracker_github import read_github
from productpath.ingest.tracker_jira import read_jira
from productpath.ingest.tracker_record import TrackerRecord
from productpath.reports.cleaning import merge_near_duplicates
from productpath.services.forecasting.forecast_history import from_workspace
from productpath.services.reporting.reports import render_report
from productpath.store.models import Initiative, TrackerItem, WorkLink
from tracker_fixtures import gh_issue, jira_csv, jira_row, write_json
from web_fixtures import seed

UTC = dt.UTC


@pytest.mark.parametrize(
    "name",
    ["Won't Do", "WON'T FIX", "won\u2019t do", "Duplicate", "Cannot Reproduce", "declined",
     "not_planned", "Not Planned"],
)  # fmt: skip
def test_not_done_resolutions_are_read_in_any_case(name: str) -> None:
    assert closes_without_doing(name)


@pytest.mark.parametrize("name", ["Done", "Fixed", "completed", "", None, "Won't Do it later"])
def test_done_resolutions_are_not_dropped(name: str | None) -> None:
    assert not closes_without_doing(name)


def _records(items: list[TrackerRecord | InputError]) -> dict[str, TrackerRecord]:
    assert [i for i in items if isinstance(i, InputError)] == []
    return {r.key: r for r in items if isinstance(r, TrackerRecord)}


def test_jira_resolution_or_status_says_dropped(tmp_path: Path) -> None:
    closed = {"Status Category": "Done", "Resolved": "25/Nov/26 3:04 PM"}
    path = jira_csv(
        tmp_path / "jira.csv",
        [
            jira_row("P-1", "Done for real", Status="Done", Resolution="Done", **closed),
            jira_row("P-2", "Not done", Status="Done", Resolution="Won't Do", **closed),
            jira_row("P-3", "Won't do status", Status="Won't Do", Resolution="", **closed),
            jira_row("P-4", "A duplicate", Status="Closed", Resolution="Duplicate", **closed),
            jira_row("P-5", "No repro", Status="Closed", Resolution="cannot reproduce", **closed),
        ],
    )
    found = _records(read_jira([path]))
    assert found["P-1"].status_category == "done"
    for key in ("P-2", "P-3", "P-4", "P-5"):
        assert found[key].status_category == "dropped", key


def test_github_issue_closed_as_not_planned_is_dropped(tmp_path: Path) -> None:
    planned = gh_issue(1, "Done", state="closed", closed="2026-02-01T10:00:00Z")
    planned["state_reason"] = "completed"
    skipped = gh_issue(2, "Never done", state="closed", closed="2026-02-01T10:00:00Z")
    skipped["state_reason"] = "not_planned"
    found = _records(read_github([write_json(tmp_path / "issues.json", [planned, skipped])]))
    by_title = {r.title: r for r in found.values()}
    assert by_title["Done"].status_category == "done"
    assert by_title["Never done"].status_category == "dropped"
    assert by_title["Never done"].status == "not_planned"


def _item(n: int, done: str | None, *, category: str = "done", status: str = "Done") -> ItemRecord:
    day = dt.datetime.fromisoformat(f"{done}T12:00:00+00:00") if done else None
    return ItemRecord(
        id=n,
        key=f"P-{n}",
        title=f"item {n}",
        opened_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
        status=status if done else "To Do",
        status_category=category if done else "todo",
        resolved_at=day,
        started_at=dt.datetime(2026, 1, 2, tzinfo=UTC),
    )


def test_dropped_items_count_neither_as_done_nor_as_left() -> None:
    items = [
        _item(1, "2026-03-02"),
        _item(2, "2026-03-03", category="dropped", status="Won't Do"),
        # Imported before the dropped category: the status name still says it.
        _item(3, "2026-03-04", status="Won't Do"),
        _item(4, None),
    ]
    today = dt.date(2026, 3, 10)
    progress = measure(InitiativeWork("x", items=items), today)
    assert (progress.items_total, progress.items_done, progress.items_remaining) == (2, 1, 1)
    flow = flow_metrics(items, [], [], since=dt.date(2026, 2, 1), today=today)
    assert flow.throughput.total == 1
    assert flow.cycle_time.count == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_forecast_history_leaves_dropped_items_out(opened: Any) -> None:
    seed(opened)
    with opened.store.write() as session:
        pid = session.scalars(select(Initiative.product_id)).first()
        for n, (category, status) in enumerate(
            [("done", "Done"), ("dropped", "Won't Do"), ("done", "Won't Fix")]
        ):
            session.add(
                TrackerItem(
                    product_id=pid,
                    source="jira",
                    key=f"Q-{n}",
                    title="t",
                    item_type="story",
                    status=status,
                    status_category=category,
                    opened_at=dt.datetime(2026, 1, 1, tzinfo=UTC),
                    resolved_at=dt.datetime(2026, 1, 5 + n, tzinfo=UTC),
                )
            )
    with opened.store.read() as session:
        assert from_workspace(session, pid).dates == [dt.date(2026, 1, 5)]


def test_near_duplicate_lines_merge_into_the_plain_one() -> None:
    lines = [
        "Card tracking screen on Android",
        "Courier webhook receiver",
        "Card tracking screen",
        "Card tracking screen for business accounts",
        "Delivery estimate from courier events on iOS",
    ]
    assert merge_near_duplicates(lines) == [
        "Card tracking screen",
        "Courier webhook receiver",
        "Card tracking screen for business accounts",
        "Delivery estimate from courier events on iOS",
    ]


def _link_items(handle: Any, key: str, rows: list[tuple[str, str, str, tuple[str, ...]]]) -> None:
    """Tracker items (title, status, category, labels) resolved yesterday, linked to ``key``."""
    when = dt.datetime.now(UTC) - dt.timedelta(days=1)
    with handle.store.write() as session:
        initiative = session.scalars(select(Initiative).where(Initiative.key == key)).one()
        for n, (title, status, category, labels) in enumerate(rows):
            item = TrackerItem(
                product_id=initiative.product_id,
                source="jira",
                key=f"{key.upper()}-{n}",
                title=title,
                item_type="story",
                status=status,
                status_category=category,
                opened_at=when - dt.timedelta(days=20),
                resolved_at=when,
                labels="\n".join(labels),
            )
            session.add(item)
            session.flush()
            session.add(
                WorkLink(initiative_id=initiative.id, tracker_item_id=item.id, rule="manual")
            )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_release_notes_show_only_user_facing_done_work_and_say_how(opened: Any) -> None:
    seed(opened)
    _link_items(
        opened,
        "card-freeze",
        [
            ("Freeze from the card screen", "Done", "done", ()),
            ("Freeze from the card screen on Android", "Done", "done", ()),
            ("Celebrate the first card payment on Android", "Won't Do", "dropped", ()),
            ("Outbox table so events survive a crash", "Done", "done", ("backend",)),
        ],
    )
    notes = render_report(opened, "release-notes", "md", record=False).content.decode()
    assert "- Freeze from the card screen\n" in notes
    assert "on Android" not in notes
    assert "Celebrate the first card payment" not in notes
    assert "Outbox table" not in notes
    # Nothing is marked public or linked to a customer request: everything delivered shows.
    assert "Chosen for users: every delivered initiative" in notes
    with opened.store.write() as session:
        other = session.scalars(select(Initiative).where(Initiative.key == "dark-mode")).one()
        other.status, other.public = "done", True
    notes = render_report(opened, "release-notes", "md", record=False).content.decode()
    assert "## Dark mode" in notes and "## Freeze a lost card" not in notes
    assert "Chosen for users: initiatives on the public roadmap or answering a customer" in notes
    assert "1 initiative shipped in this window left out as internal." in notes
