"""What-if scenarios: the YAML format, each change, and errors that name file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from productpath.domain.plan_inputs import (
    InitiativeInput,
    MilestoneInput,
    PlanInputs,
    TeamInput,
    ThreePoint,
)
from productpath.errors import InputError
from productpath.ingest.scenario_yaml import parse_scenario, read_scenario
from productpath.planning.roadmap_sim import forecast_roadmap
from productpath.planning.scenarios import apply_scenario

START = dt.date(2030, 1, 7)
BASE = PlanInputs(
    start=START,
    teams=(TeamInput("core", "Core", 3.0, 4), TeamInput("web", "Web", 2.0, 0)),
    milestones=(MilestoneInput("beta", "Beta", START + dt.timedelta(weeks=5)),),
    initiatives=(
        InitiativeInput("ledger", team="core", milestone="beta", estimate=ThreePoint(6, 9, 18)),
        InitiativeInput("cards", team="core", milestone="beta", estimate=ThreePoint(3, 5, 9)),
        InitiativeInput("fees", team="core", estimate=ThreePoint(3, 4, 6), depends_on=("cards",)),
        InitiativeInput("site", team="web", estimate=ThreePoint(1, 2, 3)),
        InitiativeInput("legacy", team="web", status="done"),
    ),
)


def applied(text: str) -> PlanInputs:
    return apply_scenario(BASE, parse_scenario(text, file="what-if.yaml"))


def test_add_person_adds_one_members_share_of_the_capacity() -> None:
    inputs = applied("changes:\n  - add_person: {team: core}\n")
    core = inputs.team("core")
    assert core is not None and core.capacity_per_week == pytest.approx(3.75)
    assert core.members == 5
    two = applied("changes:\n  - add_person: {team: core, count: 2}\n").team("core")
    assert two is not None and two.capacity_per_week == pytest.approx(4.5)


def test_capacity_changes() -> None:
    added = applied("changes:\n  - add_capacity: {team: web, per_week: 1.5}\n").team("web")
    assert added is not None and added.capacity_per_week == 3.5
    fixed = applied("changes:\n  - set_capacity: {team: web, per_week: 0.5}\n").team("web")
    assert fixed is not None and fixed.capacity_per_week == 0.5


def test_drop_start_first_move_reestimate_and_depend() -> None:
    inputs = applied(
        """name: Focus
changes:
  - drop: ledger
  - start_first: fees
  - move: {initiative: site, team: core}
  - set_estimate: {initiative: cards, optimistic: 1, likely: 1, pessimistic: 2}
  - add_dependency: {initiative: site, depends_on: fees}
"""
    )
    by_key = {i.key: i for i in inputs.initiatives}
    assert by_key["ledger"].status == "dropped"
    # fees goes first, after what it waits on.
    assert [i.key for i in inputs.initiatives][:2] == ["cards", "fees"]
    assert by_key["site"].team == "core"
    assert by_key["cards"].estimate == ThreePoint(1, 1, 2)
    assert by_key["site"].depends_on == ("fees",)
    assert BASE.initiatives[0].status == "planned" or BASE.initiatives[0].status == "proposed"


def test_more_capacity_raises_the_milestone_chance_with_the_same_draws() -> None:
    before = forecast_roadmap(BASE, trials=4000, seed=9).milestones[0].probability
    after = (
        forecast_roadmap(
            applied("changes:\n  - add_capacity: {team: core, per_week: 2}\n"), trials=4000, seed=9
        )
        .milestones[0]
        .probability
    )
    assert before is not None and after is not None
    assert before < 0.6 < 0.99 < after


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("changes:\n  - drop: nope\n", 2, "changes[0].drop", "unknown initiative 'nope'"),
        (
            "changes:\n  - drop: cards\n  - add_person: {team: ops}\n",
            3,
            "changes[1].add_person",
            "unknown team 'ops' (teams: core, web)",
        ),
        (
            "changes:\n  - add_person: {team: web}\n",
            2,
            "changes[0].add_person",
            "team 'web' lists no members",
        ),
        (
            "changes:\n  - set_capacity: {team: core, per_week: 0}\n",
            2,
            "changes[0].set_capacity",
            "leaves team 'core' with capacity 0 per week",
        ),
        (
            "changes:\n  - add_capacity: {team: web, per_week: -2}\n",
            2,
            "changes[0].add_capacity",
            "leaves team 'web' with capacity 0 per week",
        ),
        (
            "changes:\n  - add_dependency: {initiative: cards, depends_on: fees}\n",
            2,
            "changes[0].add_dependency",
            "dependency cycle: cards -> fees -> cards",
        ),
        (
            "changes:\n  - start_first: legacy\n",
            2,
            "changes[0].start_first",
            "'legacy' is done",
        ),
    ],
)
def test_changes_that_cannot_apply_name_the_line_and_field(
    text: str, line: int, field: str, reason: str
) -> None:
    with pytest.raises(InputError) as caught:
        applied(text)
    assert (caught.value.file, caught.value.line, caught.value.field) == (
        "what-if.yaml",
        line,
        field,
    )
    assert reason in caught.value.reason


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("changes: []\n", 1, "changes", "must list at least one change"),
        ("name: x\n", 1, "changes", "is required"),
        ("changes:\n  - hire: {team: core}\n", 2, "changes[0].hire", "unknown key 'hire'"),
        (
            "changes:\n  - drop: cards\n    start_first: fees\n",
            2,
            "changes[0]",
            "exactly one of",
        ),
        (
            "changes:\n  - set_estimate: {initiative: cards, optimistic: 5, likely: 2,"
            " pessimistic: 9}\n",
            2,
            "changes[0].set_estimate",
            "optimistic <= likely <= pessimistic",
        ),
        (
            "changes:\n  - add_person: {team: core, count: 0}\n",
            2,
            "changes[0].add_person.count",
            "greater than 0",
        ),
    ],
)
def test_malformed_files_name_the_line_and_field(
    text: str, line: int, field: str, reason: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_scenario(text, file="what-if.yaml")
    assert (caught.value.line, caught.value.field) == (line, field)
    assert reason in caught.value.reason


def test_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        read_scenario(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("changes: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="invalid YAML") as caught:
        read_scenario(broken)
    assert caught.value.file == str(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- drop: x\n", encoding="utf-8")
    with pytest.raises(InputError, match="top level must be a mapping"):
        read_scenario(listed)
    named = tmp_path / "hire.yaml"
    named.write_text("changes:\n  - drop: cards\n", encoding="utf-8")
    scenario = read_scenario(named)
    assert scenario.name == "hire"  # no name: the file's
    assert [c.describe() for c in scenario.changes] == ["drop cards"]


def test_a_change_leaves_the_draws_of_unrelated_work_alone() -> None:
    # Each initiative has its own random stream: dropping ledger (drawn first) must not shift
    # the draws of site, which shares neither team nor dependencies with it.
    before = forecast_roadmap(BASE, trials=2000, seed=4)
    after = forecast_roadmap(applied("changes:\n  - drop: ledger\n"), trials=2000, seed=4)
    site = [next(i.finish for i in f.initiatives if i.key == "site") for f in (before, after)]
    assert site[0] == site[1]
    fees = [next(i.finish for i in f.initiatives if i.key == "fees") for f in (before, after)]
    assert fees[1].p50 < fees[0].p50  # fees no longer queues behind ledger
