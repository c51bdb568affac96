"""`roadmap schedule`, `forecast roadmap` and `forecast compare` through the CLI, on SQLite and
PostgreSQL, over the small roadmap of ``web_fixtures.seed``:

- onboarding: in progress, team growth (2/week), estimate 2 / 3 / 5.5, milestone beta
- instant-transfers: planned, team payments (3/week), 4 / 6 / 10, milestone ga, depends on
  onboarding and card-freeze (done)
- dark-mode: no team, no estimate; crypto: dropped
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from helpers import invoke
from productpath.services.forecasting.planning import plan_inputs
from productpath.services.workspace import open_workspace
from productpath.store import forecast_repo, product_repo
from productpath.store.models import Initiative, TrackerItem, WorkLink
from web_fixtures import seed

pytestmark = pytest.mark.usefixtures("seeded")
TODAY = dt.date.today()


@pytest.fixture
def seeded(workspace_dir: Path) -> Path:
    with open_workspace() as handle:
        seed(handle)
    return workspace_dir


def _json(*args: str) -> dict:  # type: ignore[type-arg]
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    return data


def _runs(kind: str) -> list[dict]:  # type: ignore[type-arg]
    with open_workspace() as handle, handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        assert product_id is not None
        return [
            {"seed": r.seed, "trials": r.trials, "result": json.loads(r.result)}
            for r in forecast_repo.list_runs(session, product_id, kind=kind)
        ]


def test_schedule_places_work_by_capacity_and_dependencies() -> None:
    start = TODAY + dt.timedelta(days=7)
    data = _json("roadmap", "schedule", "--start", start.isoformat())
    slots = {s["key"]: s for s in data["slots"]}
    assert list(slots) == ["onboarding", "instant-transfers"]
    # onboarding: PERT mean 3.25 ideal weeks at 2/week = 1.625 weeks = day 11.4 -> day 12.
    assert slots["onboarding"]["finish"] == (start + dt.timedelta(days=12)).isoformat()
    # instant-transfers waits for it, then 6.33 ideal weeks at 3/week.
    assert slots["instant-transfers"]["start_week"] == pytest.approx(1.625)
    assert slots["instant-transfers"]["finish_week"] == pytest.approx(1.625 + 38 / 6 / 3)
    assert data["critical_path"] == ["onboarding", "instant-transfers"]
    assert data["done"] == ["card-freeze"]
    assert data["dropped"] == ["crypto"]
    assert data["skipped"] == [{"key": "dark-mode", "title": "Dark mode", "reason": "no team"}]
    assert {m["key"]: m["met"] for m in data["milestones"]} == {"ga": True, "beta": True}
    assert "not scheduled: 'dark-mode' (no team)" in data["warnings"]


def test_schedule_table_flags_missed_milestones_and_warns(seeded: Path) -> None:
    # Starting in 2031 every milestone (2030) is missed, and the start is not in the past.
    result = invoke("roadmap", "schedule", "--start", "2031-01-06")
    assert result.exit_code == 0, result.stderr
    assert "Critical path (*): onboarding -> instant-transfers" in result.stdout
    assert "Milestones the schedule misses:" in result.stdout
    assert "beta (" in result.stdout and "days late" in result.stdout
    assert "warning: not scheduled: 'dark-mode' (no team)" in result.stderr


def test_a_start_in_the_past_is_warned_and_a_bad_date_is_an_error() -> None:
    data = _json("roadmap", "schedule", "--start", "2020-01-06")
    assert data["warnings"][0].startswith("the start date 2020-01-06 is in the past")
    result = invoke("roadmap", "schedule", "--start", "06/01/2020")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: field '--start': '06/01/2020' is not a date written as YYYY-MM-DD"
    )


def test_forecast_roadmap_is_seedable_and_stored() -> None:
    first = _json("forecast", "roadmap", "--trials", "2000", "--seed", "5")
    again = _json("forecast", "roadmap", "--trials", "2000", "--seed", "5")
    assert first == again
    rows = {i["key"]: i for i in first["initiatives"]}
    assert set(rows) == {"onboarding", "instant-transfers"}
    for row in rows.values():
        assert row["finish"]["p50"] <= row["finish"]["p85"] <= row["finish"]["p95"]
    # onboarding can take no less than 2 ideal weeks / 2 per week and no more than 5.5 / 2.
    low, high = TODAY + dt.timedelta(days=7), TODAY + dt.timedelta(days=20)
    assert low.isoformat() <= rows["onboarding"]["finish"]["p50"] <= high.isoformat()
    assert {m["key"]: m["probability"] for m in first["milestones"]} == {"ga": 1.0, "beta": 1.0}
    assert "PERT-beta" in first["distribution"]
    runs = _runs("roadmap")
    assert len(runs) == 2 and runs[0]["seed"] == 5 and runs[0]["trials"] == 2000
    assert runs[0]["result"]["milestones"] == first["milestones"]
    # A look with --no-save stores nothing.
    assert _json("forecast", "roadmap", "--trials", "500", "--no-save") is not None
    assert len(_runs("roadmap")) == 2


def test_forecast_table_states_the_model() -> None:
    result = invoke("forecast", "roadmap", "--trials", "500", "--seed", "1")
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "500 trials" in text
    assert "Distribution: PERT-beta" in text
    assert "one at a time" in text


def test_compare_shows_the_scenario_side_by_side(tmp_path: Path) -> None:
    late = tmp_path / "late.yaml"
    late.write_text(
        "name: Half the payments team\n"
        "changes:\n"
        "  - set_capacity: {team: payments, per_week: 0.1}\n",
        encoding="utf-8",
    )
    data = _json(
        "forecast",
        "compare",
        "--scenario",
        str(late),
        "--trials",
        "1000",
        "--seed",
        "2",
        "--start",
        "2030-01-07",
    )
    rows = {m["key"]: m for m in data["milestones"]}
    assert data["scenario"] == "Half the payments team"
    assert data["changes"] == ["set team payments's capacity to 0.1 per week"]
    assert rows["beta"]["baseline"] == rows["beta"]["scenario"] == 1.0  # growth is unchanged
    # From 7 January 2030, 4-10 ideal weeks at 0.1 a week (40-100 weeks) miss GA on 30 June.
    assert (rows["ga"]["baseline"], rows["ga"]["scenario"], rows["ga"]["change"]) == (1, 0, -1)
    assert rows["ga"]["scenario_p85"] > rows["ga"]["baseline_p85"]
    # A what-if is not stored: the retrospective scores baseline forecasts only.
    assert _runs("compare") == [] and _runs("roadmap") == []
    table = invoke("forecast", "compare", "--scenario", str(late), "--trials", "300")
    assert table.exit_code == 0, table.stderr
    assert "set team payments's capacity to 0.1 per week" in table.stdout


def test_compare_errors_name_the_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("changes:\n  - drop: card-freeze\n  - add_person: {team: payments}\n")
    result = invoke("forecast", "compare", "--scenario", str(bad))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {bad}:3, field 'changes[1].add_person': team 'payments' lists no members, so "
        "one person's capacity is unknown; use add_capacity with per_week instead"
    )
    missing = invoke("forecast", "compare", "--scenario", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope.yaml'}: file not found"
    assert _runs("compare") == []


def test_in_progress_work_keeps_only_what_is_left() -> None:
    with open_workspace() as handle, handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        onboarding = session.scalars(select(Initiative).where(Initiative.key == "onboarding")).one()
        opened = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
        for n, category in enumerate(["done", "done", "done", "todo"]):
            item = TrackerItem(
                product_id=product_id,
                source="jira",
                key=f"POCKET-{n}",
                title=f"Step {n}",
                item_type="story",
                status=category,
                status_category=category,
                opened_at=opened,
                resolved_at=opened if category == "done" else None,
            )
            session.add(item)
            session.flush()
            session.add(
                WorkLink(initiative_id=onboarding.id, tracker_item_id=item.id, rule="manual")
            )
    data = _json("roadmap", "schedule")
    slot = next(s for s in data["slots"] if s["key"] == "onboarding")
    assert slot["effort_weeks"] == pytest.approx(3.25 * 0.25)
    # Its items were resolved on a day still to come, so there is no pace to go by.
    assert (
        "'onboarding' is in progress: 3 of 4 linked items done, so 25% of its estimate is left; "
        "no linked item has a finish date up to today, so it has no pace: its date rests on the "
        "estimate alone, and delivery cannot project it" in data["warnings"]
    )


def test_work_in_progress_is_forecast_no_sooner_than_delivery_projects_it() -> None:
    # onboarding: 2 of 6 items done last week, so 4 left at 0.5 a week: 8 weeks at its pace,
    # though its estimate says about one week of the team's time is left.
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with open_workspace() as handle, handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        onboarding = session.scalars(select(Initiative).where(Initiative.key == "onboarding")).one()
        for n in range(6):
            done = n < 2
            item = TrackerItem(
                product_id=product_id, source="jira", key=f"POCKET-{n}", title=f"Step {n}",
                item_type="story", status="done" if done else "todo",
                status_category="done" if done else "todo",
                opened_at=now - dt.timedelta(days=30),
                resolved_at=now - dt.timedelta(days=7) if done else None,
            )  # fmt: skip
            session.add(item)
            session.flush()
            session.add(
                WorkLink(initiative_id=onboarding.id, tracker_item_id=item.id, rule="manual")
            )
    delivery = _json("delivery", "status")
    projected = next(i for i in delivery["initiatives"] if i["key"] == "onboarding")["progress"][
        "projection"
    ]["projected_date"]
    assert projected == (TODAY + dt.timedelta(weeks=8)).isoformat()
    forecast = _json("forecast", "roadmap", "--seed", "3", "--trials", "2000")
    row = next(i for i in forecast["initiatives"] if i["key"] == "onboarding")
    # The pace is uncertain (weeks drawn from its last 4: 0, 0, 2, 0 items), so the day its
    # pace allows is a range around delivery's projection, never one date.
    p50, p85, p95 = (dt.date.fromisoformat(row["finish"][p]) for p in ("p50", "p85", "p95"))
    assert p50 < p85 < p95
    assert abs((p50 - dt.date.fromisoformat(projected)).days) <= 14
    assert p95 >= TODAY + dt.timedelta(weeks=12)
    assert row["planned_finish"] == projected
    assert (
        "'onboarding' is in progress: 2 of 6 linked items done, so 67% of its estimate is left; "
        "at its pace over the last 4 weeks (4 items left at 0.5 a week) it finishes no sooner "
        f"than {projected}" in forecast["warnings"]
    )
    # instant-transfers waits for it (its dependency), so it cannot finish before then either.
    after = next(i for i in forecast["initiatives"] if i["key"] == "instant-transfers")
    assert after["finish"]["p50"] > row["finish"]["p50"]
    (stored,) = _runs("roadmap")
    assert (
        next(i for i in stored["result"]["initiatives"] if i["key"] == "onboarding")["finish"]
        == row["finish"]
    )


def _link_onboarding_items(*, done_days_ago: tuple[int, ...], open_items: int) -> None:
    """Link items to onboarding: one done that many days before today for each entry, and
    ``open_items`` not done."""
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    ages: list[int | None] = [*done_days_ago, *[None] * open_items]
    with open_workspace() as handle, handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        onboarding = session.scalars(select(Initiative).where(Initiative.key == "onboarding")).one()
        for n, age in enumerate(ages):
            item = TrackerItem(
                product_id=product_id, source="jira", key=f"POCKET-{n}", title=f"Step {n}",
                item_type="story", status="todo" if age is None else "done",
                status_category="todo" if age is None else "done",
                opened_at=now - dt.timedelta(days=120),
                resolved_at=None if age is None else now - dt.timedelta(days=age),
            )  # fmt: skip
            session.add(item)
            session.flush()
            session.add(
                WorkLink(initiative_id=onboarding.id, tracker_item_id=item.id, rule="manual")
            )


def _onboarding_pace(today: dt.date) -> dt.date | None:
    with open_workspace() as handle:
        found = plan_inputs(handle, today=today).initiative("onboarding")
    assert found is not None
    return found.pace_finish


def test_stalled_work_keeps_the_pace_since_its_first_item_was_finished() -> None:
    # 20 open, one done 27 days ago: 1 per 4 weeks, so 80 weeks. The next day that item leaves
    # the 4-week window; the pace since it was finished (1 in 28 days) gives the same 80 weeks
    # from then, and every later day without a finish pushes the date further out.
    _link_onboarding_items(done_days_ago=(27,), open_items=20)
    assert _onboarding_pace(TODAY) == TODAY + dt.timedelta(weeks=80)
    tomorrow = TODAY + dt.timedelta(days=1)
    assert _onboarding_pace(tomorrow) == tomorrow + dt.timedelta(weeks=80)
    later = TODAY + dt.timedelta(days=36)  # 63 days since: 20 x 63 days
    assert _onboarding_pace(later) == later + dt.timedelta(days=20 * 63)
    forecast = _json("forecast", "roadmap", "--seed", "3", "--trials", "500")
    row = next(i for i in forecast["initiatives"] if i["key"] == "onboarding")
    # Its weeks (1, 0, 0, 0 items) are drawn per trial: the median is about the 80 weeks, and
    # the spread around it is wide, as one item in four weeks says little.
    p50, p85, p95 = (dt.date.fromisoformat(row["finish"][p]) for p in ("p50", "p85", "p95"))
    assert abs((p50 - (TODAY + dt.timedelta(weeks=80))).days) <= 28
    assert p50 < p85 < p95


def test_stalled_work_counts_every_finish_since_the_first() -> None:
    # 3 done 70, 50 and 35 days ago, 6 open: 3 in 10 weeks, so 20 weeks for the 6 left.
    _link_onboarding_items(done_days_ago=(70, 50, 35), open_items=6)
    paced = TODAY + dt.timedelta(weeks=20)
    assert _onboarding_pace(TODAY) == paced
    schedule = _json("roadmap", "schedule")
    assert (
        "'onboarding' is in progress: 3 of 9 linked items done, so 67% of its estimate is left; "
        "nothing linked was finished in the last 4 weeks; at its pace since the first item was "
        f"finished on {(TODAY - dt.timedelta(days=70)).isoformat()} (6 items left at 0.3 a "
        f"week) it finishes no sooner than {paced.isoformat()}" in schedule["warnings"]
    )
    slot = next(s for s in schedule["slots"] if s["key"] == "onboarding")
    assert (slot["finish"], slot["paced"]) == (paced.isoformat(), True)


def test_work_with_nothing_finished_rests_on_its_estimate_and_says_so() -> None:
    _link_onboarding_items(done_days_ago=(), open_items=5)
    assert _onboarding_pace(TODAY) is None
    forecast = _json("forecast", "roadmap", "--seed", "3", "--trials", "200")
    assert (
        "'onboarding' is in progress: 0 of 5 linked items done, so 100% of its estimate is left; "
        "no linked item has a finish date up to today, so it has no pace: its date rests on the "
        "estimate alone, and delivery cannot project it" in forecast["warnings"]
    )
    row = next(i for i in forecast["initiatives"] if i["key"] == "onboarding")
    # PERT mean 3.25 ideal weeks at 2 a week: about day 12, by the estimate alone.
    assert row["planned_finish"] == (TODAY + dt.timedelta(days=12)).isoformat()


def test_an_empty_workspace_says_what_to_do(tmp_path: Path) -> None:
    result = invoke("-w", str(tmp_path / "none"), "roadmap", "schedule")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize(
    "args",
    [
        ("forecast", "roadmap", "--seed", "2147483648"),
        ("forecast", "when", "--items", "5", "--seed", "-1"),
        ("insights", "run", "--seed", "2147483648"),
    ],
)
def test_seeds_must_fit_the_stored_column(args: tuple[str, ...]) -> None:
    # Every run stores its seed in an INTEGER column, 32-bit signed on PostgreSQL.
    result = invoke(*args)
    assert result.exit_code == 2 and "--seed" in result.output
