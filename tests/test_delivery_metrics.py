"""Flow metrics: percentiles, throughput and its fallbacks, cycle/lead time, deployments, CFR."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from productpath.delivery.metrics import cycle_start, flow_metrics, percentile
from productpath.domain.work import CommitRecord, ItemRecord, StatusChangeRecord, TagRecord

SINCE, TODAY = dt.date(2026, 2, 2), dt.date(2026, 3, 1)  # Monday to Sunday: exactly 4 weeks


def at(day: str, hour: int = 12) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.UTC)


_ids = iter(range(1, 10_000))


def item(opened: str, done: str | None = None, **fields: Any) -> ItemRecord:
    values: dict[str, Any] = {
        "id": next(_ids),
        "key": f"P-{opened}-{done}",
        "title": "t",
        "opened_at": at(opened),
        "status_category": "done" if done else "todo",
        "resolved_at": at(done) if done else None,
    }
    values.update(fields)
    return ItemRecord(**values)


def commit(day: str, subject: str = "work", *, merge: bool = False) -> CommitRecord:
    n = next(_ids)
    return CommitRecord(n, f"{n:040x}", subject, "", at(day), "Ana", merge)


def metrics(items: Any = (), commits: Any = (), tags: Any = ()) -> Any:
    return flow_metrics(list(items), list(commits), list(tags), since=SINCE, today=TODAY)


@pytest.mark.parametrize(
    ("values", "pct", "expected"),
    [
        ([1, 2, 3, 4], 50, 2.5),
        ([1, 2, 3, 4, 5], 50, 3),
        ([1, 2, 3, 4, 5], 85, 4.4),
        ([10, 1, 5], 95, 9.5),
        ([7], 95, 7),
        ([], 50, None),
    ],
)
def test_percentiles_interpolate_linearly(values: list[float], pct: int, expected: Any) -> None:
    result = percentile(values, pct)
    assert result == (pytest.approx(expected) if expected is not None else None)


def test_throughput_counts_done_tracker_items_per_iso_week() -> None:
    items = [
        item("2026-01-10", "2026-02-03"),
        item("2026-01-10", "2026-02-04"),
        item("2026-01-20", "2026-02-20"),
        item("2026-01-20", "2026-01-30"),  # before the window
        item("2026-01-20"),  # not done
        item("2026-01-20", "2026-02-05", item_type="epic"),  # epics are containers
        item("2026-01-20", "2026-02-05", item_type="pull_request", status="merged"),
    ]
    result = metrics(items, [commit("2026-02-10", merge=True)]).throughput
    assert result.source == "tracker_items"
    assert result.total == 3
    assert result.per_week == 0.75
    assert [(w.week, w.count) for w in result.weeks] == [
        ("2026-W06", 2),
        ("2026-W07", 0),
        ("2026-W08", 1),
        ("2026-W09", 0),
    ]
    assert "done" in result.definition


def test_throughput_falls_back_to_merged_pull_requests_then_git_merges() -> None:
    pulls = [
        item("2026-02-01", "2026-02-03", item_type="pull_request", status="merged"),
        item("2026-02-01", "2026-02-04", item_type="pull_request", status="closed"),
    ]
    assert (metrics(pulls).throughput.source, metrics(pulls).throughput.total) == (
        "pull_requests",
        1,
    )
    merges = [
        commit("2026-02-10", merge=True),
        commit("2026-02-11"),
        commit("2026-01-01", merge=True),
    ]
    result = metrics((), merges)
    assert (result.throughput.source, result.throughput.total) == ("git_pull_requests", 1)
    assert result.cycle_time.count == 0
    assert "need tracker data" in result.cycle_time.note
    assert metrics().throughput.source == "none"


def test_cycle_time_from_start_and_lead_time_from_opening() -> None:
    started = item("2026-02-01", "2026-02-11", started_at=at("2026-02-09"))
    history = item(
        "2026-02-01",
        "2026-02-07",
        changes=(
            StatusChangeRecord(at("2026-02-01"), "To Do"),
            StatusChangeRecord(at("2026-02-03"), "In Progress"),
            StatusChangeRecord(at("2026-02-07"), "Done"),
        ),
    )
    result = metrics([started, history])
    assert (result.cycle_time.count, result.cycle_time.fallbacks) == (2, 0)
    assert result.cycle_time.p50 == 3.0  # 2 days and 4 days
    assert result.lead_time.p50 == 8.0  # 10 days and 6 days
    assert result.cycle_time.note == ""
    assert cycle_start(history) == at("2026-02-03")


def test_cycle_time_falls_back_to_opened_and_says_so() -> None:
    result = metrics([item("2026-02-01", "2026-02-05"), item("2026-02-01", "2026-02-03")])
    assert result.cycle_time.fallbacks == 2
    assert result.cycle_time.p50 == result.lead_time.p50 == 3.0
    assert "2 of 2 items have no start date" in result.cycle_time.note


def test_a_done_item_without_a_resolution_date_uses_its_last_status_change() -> None:
    done = item(
        "2026-02-01",
        status_category="done",
        changes=(StatusChangeRecord(at("2026-02-06"), "Done"),),
    )
    assert done.done_at == at("2026-02-06")
    assert metrics([done]).throughput.total == 1


def test_deployments_count_release_tags_when_there_are_any() -> None:
    tags = [
        TagRecord("v1.0.0", at("2026-02-03")),
        TagRecord("v1.1.0", at("2026-02-17")),
        TagRecord("release-7", at("2026-02-18")),
        TagRecord("nightly-2026-02-10", at("2026-02-10")),  # not a release
        TagRecord("v0.9.0", at("2026-01-10")),  # before the window
        TagRecord("v1.2.0", None),
    ]
    result = metrics(tags=tags).deployment_frequency
    assert (result.source, result.count, result.per_week) == ("release_tags", 3, 0.75)
    assert result.undated_tags == 1
    other = metrics(tags=[TagRecord("nightly-1", at("2026-02-10"))]).deployment_frequency
    assert (other.source, other.count) == ("all_tags", 1)
    assert metrics().deployment_frequency.source == "none"


def test_change_failure_proxy_counts_reverts_and_hotfixes_per_deployment() -> None:
    commits = [
        commit("2026-02-05", 'Revert "Add the form"'),
        commit("2026-02-06", "Merge branch 'hotfix/login'", merge=True),
        commit("2026-02-07", "HOTFIX: null in the total"),
        commit("2026-02-08", "Revert the colour change"),  # not git's revert subject
        commit("2026-01-08", 'Revert "old"'),  # before the window
    ]
    tags = [TagRecord("v1.0.0", at("2026-02-03")), TagRecord("v1.0.1", at("2026-02-09"))]
    result = metrics(commits=commits, tags=tags).change_failure
    assert (result.reverts, result.hotfixes, result.deployments) == (1, 2, 2)
    assert result.rate == 1.5
    assert "Revert" in result.definition
    none = metrics(commits=commits).change_failure
    assert none.rate is None
    assert "no deployments" in none.note


def test_every_metric_states_its_definition_in_json() -> None:
    data = metrics([item("2026-02-01", "2026-02-05")]).model_dump(mode="json")
    for name in ("throughput", "cycle_time", "lead_time", "deployment_frequency", "change_failure"):
        assert data[name]["definition"], name
    assert data["since"] == "2026-02-02"
    assert data["window_weeks"] == 4
