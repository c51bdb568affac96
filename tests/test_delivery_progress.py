"""Scope, burn-up, projection, each risk and the milestone roll-up, on known data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from productpath.delivery.progress import InitiativeWork, burnup, measure, project
from productpath.delivery.risks import RiskSettings, Slip, SlipCause, assess, slip_of
from productpath.delivery.status import MilestoneInfo, build_status
from productpath.domain.work import CommitRecord, ItemRecord, StatusChangeRecord

TODAY = dt.date(2026, 3, 2)  # a Monday; the 4-week window is 2026-02-03 .. 2026-03-02


def at(day: dt.date | str, hour: int = 12) -> dt.datetime:
    date = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return dt.datetime.combine(date, dt.time(hour), tzinfo=dt.UTC)


def ago(days: int) -> dt.datetime:
    return at(TODAY - dt.timedelta(days=days))


_ids = iter(range(1, 10_000))


def item(opened: int, done: int | None = None, **fields: Any) -> ItemRecord:
    """An item opened ``opened`` days ago and done ``done`` days ago (None: not done)."""
    values: dict[str, Any] = {
        "id": next(_ids),
        "key": f"P-{len(fields)}-{opened}-{done}",
        "title": "work",
        "opened_at": ago(opened),
        "status_category": "todo" if done is None else "done",
        "resolved_at": None if done is None else ago(done),
    }
    values.update(fields)
    return ItemRecord(**values)


def commit(days: int, author: str = "Ana", *, merge: bool = False) -> CommitRecord:
    n = next(_ids)
    return CommitRecord(n, f"{n:040x}", "work", "", ago(days), author, merge)


def test_scope_leaves_out_epics_and_counts_points_only_when_all_have_them() -> None:
    work = InitiativeWork(
        "kyc",
        items=(
            item(30, item_type="epic"),
            item(30, 3, points=3.0),
            item(20, points=5.0),
            item(10, 1, points=2.0),
        ),
    )
    progress = measure(work, TODAY)
    assert (progress.items_total, progress.items_done, progress.items_remaining) == (3, 2, 1)
    assert (progress.points_total, progress.points_done) == (10.0, 5.0)
    unpointed = InitiativeWork("kyc", items=(item(30, 3, points=3.0), item(20)))
    assert measure(unpointed, TODAY).points_total is None


def test_burnup_is_weekly_cumulative_done_and_scope() -> None:
    scope = [item(20, 10), item(15), item(3, 1)]  # opened Feb 10, Feb 15, Feb 27
    points = burnup(scope, TODAY)
    assert [p.week for p in points] == ["2026-W07", "2026-W08", "2026-W09", "2026-W10"]
    assert points[0].week_start == dt.date(2026, 2, 9)
    assert [(p.done, p.scope) for p in points] == [(0, 2), (1, 2), (2, 3), (2, 3)]
    assert burnup([], TODAY) == ()


def test_projection_divides_remaining_by_recent_throughput() -> None:
    # 4 done in the last 4 weeks (and 1 before: not counted) -> 1 item/week; 6 remaining.
    scope = [item(60, 40)] + [item(50, d) for d in (2, 5, 9, 20)] + [item(40) for _ in range(6)]
    projection = project(scope, TODAY, dt.date(2026, 4, 1))
    assert projection.throughput_per_week == 1.0
    assert projection.done_in_window == 4
    assert projection.projected_date == TODAY + dt.timedelta(weeks=6)
    assert projection.on_track is False
    assert "6 remaining at 1 items/week" in projection.explanation
    assert "the roadmap forecast finishes no work" in projection.note
    assert "last 4 weeks" in projection.method


def test_projection_when_done_or_when_nothing_moves() -> None:
    finished = project([item(30, 8), item(30, 3)], TODAY, dt.date(2026, 3, 31))
    assert finished.projected_date == TODAY - dt.timedelta(days=3)
    assert finished.on_track is True
    stuck = project([item(60, 40), item(50)], TODAY, dt.date(2026, 3, 31))
    assert stuck.projected_date is None
    assert stuck.on_track is False
    assert "never finish" in stuck.explanation
    empty = project([], TODAY, None)
    assert (empty.projected_date, empty.on_track) == (None, None)


def test_last_activity_is_the_newest_commit_or_status_change() -> None:
    changed = item(40, changes=(StatusChangeRecord(ago(6), "In Progress"),))
    work = InitiativeWork("kyc", commits=(commit(9),), items=(changed,))
    assert measure(work, TODAY).last_activity == ago(6)


def risks_of(*works: InitiativeWork, **settings: Any) -> dict[str, list[tuple[str, str]]]:
    progress = {w.key: measure(w, TODAY) for w in works}
    found = assess(works, progress, TODAY, RiskSettings(**settings))
    return {key: [(r.kind, r.reason) for r in risks] for key, risks in found.items()}


def kinds(*works: InitiativeWork, **settings: Any) -> dict[str, list[str]]:
    return {k: [kind for kind, _ in v] for k, v in risks_of(*works, **settings).items()}


def test_slipping_when_the_projection_passes_the_target() -> None:
    items = (item(40, 3), item(40), item(40))  # 1 done in 4 weeks: 2 remaining take 8 weeks
    late = InitiativeWork(
        "kyc", status="in_progress", target_date=dt.date(2026, 3, 20), items=items
    )
    fine = InitiativeWork("tap", status="in_progress", target_date=dt.date(2026, 6, 1), items=items)
    found = risks_of(late, fine)
    assert found["tap"] == []
    [(kind, reason)] = found["kyc"]
    assert kind == "slipping"
    assert "projected to finish 2026-04-27, after its target 2026-03-20" in reason


def test_slipping_when_the_target_has_passed() -> None:
    work = InitiativeWork("kyc", target_date=dt.date(2026, 2, 1), items=(item(60, 1), item(60)))
    [(kind, reason)] = risks_of(work)["kyc"]
    assert (kind, reason) == ("slipping", "its target 2026-02-01 has passed (1 items remaining)")


def test_a_slipping_risk_says_which_test_found_it_with_its_dates() -> None:
    # The exec report explains a slip from this (services.reporting.report_data), not by redoing
    # the tests.
    passed = InitiativeWork("a", target_date=dt.date(2026, 2, 1), items=(item(60, 1), item(60)))
    late = InitiativeWork(
        "b", target_date=dt.date(2026, 3, 20), items=(item(40, 3), item(40), item(40))
    )
    stalled = InitiativeWork("c", target_date=dt.date(2026, 9, 1), items=(item(60, 40), item(60)))
    stale = InitiativeWork("d", status="in_progress", items=(item(40, 20), item(40)))
    works = (passed, late, stalled, stale)
    found = assess(works, {w.key: measure(w, TODAY) for w in works}, TODAY)
    slips = {key: [slip_of(risk) for risk in risks] for key, risks in found.items()}
    assert slips["a"] == [
        Slip(SlipCause.TARGET_PASSED, dt.date(2026, 2, 1), dt.date(2026, 3, 30), 1)
    ]
    assert slips["b"] == [
        Slip(SlipCause.PROJECTED_LATE, dt.date(2026, 3, 20), dt.date(2026, 4, 27), 2)
    ]
    assert slips["c"][0] == Slip(SlipCause.STALLED, dt.date(2026, 9, 1), None, 1)
    assert found["c"][0].evidence["cause"] == "stalled"
    assert slips["d"] == [None]  # stale, not slipping


def test_stale_after_n_days_without_activity() -> None:
    old = InitiativeWork("kyc", status="in_progress", commits=(commit(20),), items=(item(40),))
    assert kinds(old)["kyc"] == ["stale"]
    assert "no activity for 20 days" in risks_of(old)["kyc"][0][1]
    assert kinds(old, stale_days=30)["kyc"] == []
    fresh = InitiativeWork("kyc", status="in_progress", commits=(commit(3),), items=(item(40),))
    assert kinds(fresh)["kyc"] == []
    # Not started (planned, nothing in progress): old backlog items are not stale.
    planned = InitiativeWork("kyc", status="planned", items=(item(40),))
    assert kinds(planned)["kyc"] == []
    nothing = InitiativeWork("kyc", status="in_progress")
    assert risks_of(nothing)["kyc"] == [
        ("stale", "in progress, but no commits or tracker items are linked to it")
    ]


def test_scope_growth_over_the_threshold() -> None:
    before = tuple(item(40, 1) for _ in range(5))
    grown = InitiativeWork("kyc", items=(*before, item(40), item(10), item(5)))
    assert "scope_growth" in kinds(grown)["kyc"]
    reason = dict(risks_of(grown)["kyc"])["scope_growth"]
    assert reason == "scope grew from 6 to 8 items (+33%) in the last 4 weeks (threshold 20%)"
    # +1 on 5 is exactly 20%: not more than the threshold.
    steady = InitiativeWork("kyc", items=(*before[:4], item(40), item(10)))
    assert "scope_growth" not in kinds(steady)["kyc"]


def test_dependency_slipped() -> None:
    slipping = InitiativeWork(
        "api", target_date=dt.date(2026, 2, 1), items=(item(60, 30), item(60))
    )
    user = InitiativeWork("app", depends_on=("api",), target_date=dt.date(2026, 9, 1))
    found = risks_of(slipping, user)
    assert found["app"] == [
        (
            "dependency_slipped",
            "depends on api, which is slipping: its target 2026-02-01 has passed "
            "(1 items remaining)",
        )
    ]
    open_dep = InitiativeWork("api", items=(item(60, 3), item(60)))
    near = InitiativeWork("app", depends_on=("api",), target_date=TODAY + dt.timedelta(days=10))
    far = InitiativeWork("far", depends_on=("api",), target_date=TODAY + dt.timedelta(days=90))
    found = kinds(open_dep, near, far)
    assert found["app"] == ["dependency_slipped"]
    assert found["far"] == []
    done_dep = InitiativeWork("api", status="done")
    assert kinds(done_dep, near)["app"] == []


def test_concentration_needs_a_share_over_70_percent_of_at_least_5() -> None:
    commits = (*(commit(1, "Ana") for _ in range(5)), commit(1, "Bo"), commit(1, "Bo", merge=True))
    found = risks_of(InitiativeWork("kyc", commits=commits))["kyc"]
    assert found == [("concentration", "Ana made 5 of the 6 linked commits (83%)")]
    few = tuple(commit(1, "Ana") for _ in range(4))
    assert kinds(InitiativeWork("kyc", commits=few))["kyc"] == []
    assigned = tuple(item(9, assignee="bo@x") for _ in range(5))
    assert kinds(InitiativeWork("kyc", items=assigned))["kyc"] == ["concentration"]


def test_closed_initiatives_have_no_risks() -> None:
    done = InitiativeWork("kyc", status="done", target_date=dt.date(2026, 1, 1), items=(item(60),))
    all_items_done = InitiativeWork("tap", target_date=dt.date(2026, 1, 1), items=(item(60, 50),))
    assert risks_of(done, all_items_done) == {"kyc": [], "tap": []}


def test_milestone_roll_up() -> None:
    beta = MilestoneInfo("beta", "Beta", dt.date(2026, 4, 1))
    quick = InitiativeWork(
        "kyc",
        milestone="beta",
        target_date=beta.target_date,
        items=(item(30, 2), item(30, 9), item(30)),
    )  # 2 done in 4 weeks: 0.5/week, 1 remaining -> 14 days -> 2026-03-16
    slow = InitiativeWork(
        "tap",
        milestone="beta",
        target_date=beta.target_date,
        items=(item(30, 20), item(30), item(30), item(30)),
    )  # 0.25/week, 3 remaining -> 84 days -> 2026-05-25: slipping
    dropped = InitiativeWork("old", status="dropped", milestone="beta", items=(item(90),))
    status = build_status([quick, slow, dropped], [beta], TODAY)
    [rolled] = status.milestones
    assert rolled.initiatives == ("kyc", "tap")
    assert (rolled.items_total, rolled.items_done, rolled.items_remaining) == (7, 3, 4)
    assert rolled.projected_date == dt.date(2026, 5, 25)
    assert rolled.on_track is False
    assert rolled.worst_risk is not None
    assert (rolled.worst_risk.initiative, rolled.worst_risk.kind) == ("tap", "slipping")
    assert "the roadmap forecast finishes no work" in status.forecast
    data = status.model_dump(mode="json")
    assert data["milestones"][0]["projected_date"] == "2026-05-25"
    assert data["initiatives"][1]["risks"][0]["kind"] == "slipping"
