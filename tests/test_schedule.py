"""The capacity-aware schedule (planning.schedule): pure, on hand-built plan inputs."""

from __future__ import annotations

import datetime as dt

import pytest

from productpath.domain.plan_inputs import (
    InitiativeInput,
    MilestoneInput,
    PlanInputs,
    TeamInput,
    ThreePoint,
)
from productpath.errors import DependencyCycleError, InputError
from productpath.planning.schedule import build_schedule

START = dt.date(2030, 1, 7)


def exact(weeks: float) -> ThreePoint:
    return ThreePoint(weeks, weeks, weeks)


def plan(
    *items: InitiativeInput,
    teams: tuple[TeamInput, ...] = (),
    milestones: tuple[MilestoneInput, ...] = (),
) -> PlanInputs:
    teams = teams or (TeamInput("a", "Team A", 2.0, 2), TeamInput("b", "Team B", 1.0, 1))
    return PlanInputs(start=START, teams=teams, milestones=milestones, initiatives=items)


def test_effort_over_capacity_gives_calendar_weeks_and_dates() -> None:
    schedule = build_schedule(plan(InitiativeInput("x", team="a", estimate=exact(4))))
    (slot,) = schedule.slots
    assert (slot.start_week, slot.finish_week) == (0, 2)  # 4 ideal weeks at 2 per week
    assert (slot.start, slot.finish) == (START, START + dt.timedelta(days=14))
    assert schedule.finish == slot.finish


def test_the_pert_mean_is_the_planned_effort() -> None:
    schedule = build_schedule(plan(InitiativeInput("x", team="b", estimate=ThreePoint(1, 2, 9))))
    assert schedule.slots[0].effort_weeks == pytest.approx((1 + 8 + 9) / 6)
    assert schedule.slots[0].finish_week == pytest.approx(3.0)


def test_a_team_does_one_initiative_at_a_time_in_priority_order() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput("first", team="a", estimate=exact(2)),
            InitiativeInput("second", team="a", estimate=exact(4)),
            InitiativeInput("elsewhere", team="b", estimate=exact(1)),
        )
    )
    weeks = {s.key: (s.start_week, s.finish_week) for s in schedule.slots}
    assert weeks == {"first": (0, 1), "second": (1, 3), "elsewhere": (0, 1)}


def test_dependencies_wait_and_a_free_team_takes_the_next_ready_initiative() -> None:
    # "urgent" is team A's top priority but waits on B's 3-week job; A does "filler" meanwhile
    # instead of idling, then "urgent" the moment its dependency is done.
    schedule = build_schedule(
        plan(
            InitiativeInput("urgent", team="a", estimate=exact(2), depends_on=("base",)),
            InitiativeInput("base", team="b", estimate=exact(3)),
            InitiativeInput("filler", team="a", estimate=exact(8)),
        )
    )
    weeks = {s.key: (s.start_week, s.finish_week) for s in schedule.slots}
    assert weeks["base"] == (0, 3)
    assert weeks["filler"] == (0, 4)
    assert weeks["urgent"] == (4, 5)  # after base (3) and after the team is free (4)
    assert [s.key for s in schedule.slots] == ["base", "filler", "urgent"]
    # It waited on the team, which was busy with filler: that is the chain that sets the end.
    assert schedule.critical_path == ("filler", "urgent")


def test_critical_path_follows_dependencies_across_teams() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput("api", team="b", estimate=exact(2)),
            InitiativeInput("ui", team="a", estimate=exact(6), depends_on=("api",)),
            InitiativeInput("docs", team="a", estimate=exact(1)),
        )
    )
    assert schedule.critical_path == ("api", "ui")
    assert {s.key for s in schedule.slots if s.critical} == {"api", "ui"}


def test_work_in_progress_goes_first_whatever_its_priority() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput("new", team="a", estimate=exact(2)),
            InitiativeInput("started", team="a", status="in_progress", estimate=exact(2)),
        )
    )
    assert [s.key for s in schedule.slots] == ["started", "new"]


def test_remaining_share_shortens_work_in_progress() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput(
                "half", team="a", status="in_progress", estimate=exact(4), remaining=0.5
            )
        )
    )
    assert schedule.slots[0].finish_week == 1


def test_work_in_progress_finishes_no_sooner_than_its_pace_but_frees_its_team() -> None:
    # "slow" needs 1 week by its estimate, but at its pace it finishes on day 35: "after" waits
    # for it, while its team starts "next" once the estimated week is spent.
    schedule = build_schedule(
        plan(
            InitiativeInput(
                "slow",
                team="a",
                status="in_progress",
                milestone="m",
                estimate=exact(2),
                pace_finish=START + dt.timedelta(days=35),
            ),
            InitiativeInput("next", team="a", estimate=exact(2)),
            InitiativeInput("after", team="b", estimate=exact(1), depends_on=("slow",)),
            milestones=(MilestoneInput("m", "M", START + dt.timedelta(days=28)),),
        )
    )
    slots = {s.key: s for s in schedule.slots}
    assert (slots["slow"].finish, slots["slow"].paced) == (START + dt.timedelta(days=35), True)
    assert (slots["next"].start_week, slots["next"].paced) == (1, False)
    assert slots["after"].start_week == 5
    (check,) = schedule.milestones
    assert (check.met, check.days_late) == (False, 7)
    # Nothing held "slow" up: the chain that sets the end starts with it.
    assert schedule.critical_path == ("slow", "after")


def test_critical_path_goes_on_through_paced_work_its_team_waited_for() -> None:
    # "d" (2 weeks) blocks "p" (in progress: 1 week, paced to week 10); "q" (30 weeks) needs
    # "d" and team a, which is busy with "p" until week 3. "q" waited for the team, which was
    # free when p's effort was spent, not for p's pace: what delayed "p" ("d") delays "q".
    schedule = build_schedule(
        plan(
            InitiativeInput("d", team="a", estimate=exact(4)),
            InitiativeInput(
                "p",
                team="a",
                status="in_progress",
                estimate=exact(2),
                depends_on=("d",),
                pace_finish=START + dt.timedelta(weeks=10),
            ),
            InitiativeInput("q", team="a", estimate=exact(60), depends_on=("d",)),
        )
    )
    slots = {s.key: s for s in schedule.slots}
    assert (slots["p"].start_week, slots["p"].finish_week, slots["p"].paced) == (2, 10, True)
    assert (slots["q"].start_week, slots["q"].finish_week) == (3, 33)
    assert schedule.critical_path == ("d", "p", "q")


def test_a_pace_earlier_than_the_estimate_changes_nothing() -> None:
    quick = InitiativeInput(
        "quick", team="a", status="in_progress", estimate=exact(4), pace_finish=START
    )
    (slot,) = build_schedule(plan(quick)).slots
    assert (slot.finish_week, slot.paced) == (2, False)


def test_done_and_dropped_need_no_work_and_dropped_dependencies_are_reported() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput("old", team="a", status="done", estimate=exact(9)),
            InitiativeInput("gone", team="a", status="dropped", estimate=exact(9)),
            InitiativeInput("next", team="a", estimate=exact(2), depends_on=("old", "gone")),
        )
    )
    assert [(s.key, s.start_week) for s in schedule.slots] == [("next", 0)]
    assert schedule.done == ("old",)
    assert schedule.dropped == ("gone",)
    assert any("'next' depends on 'gone', which is dropped" in w for w in schedule.warnings)


def test_missing_team_or_estimate_is_skipped_with_the_reason_and_so_are_dependants() -> None:
    schedule = build_schedule(
        plan(
            InitiativeInput("teamless", estimate=exact(1)),
            InitiativeInput("unsized", team="a"),
            InitiativeInput("blocked", team="b", estimate=exact(1), depends_on=("unsized",)),
            InitiativeInput("fine", team="b", estimate=exact(1)),
        )
    )
    reasons = {s.key: s.reason for s in schedule.skipped}
    assert reasons == {
        "teamless": "no team",
        "unsized": "no estimate",
        "blocked": "waits on 'unsized', not scheduled",
    }
    assert [s.key for s in schedule.slots] == ["fine"]
    assert any(w.startswith("not scheduled: 'teamless' (no team)") for w in schedule.warnings)


def test_milestones_met_late_and_unknown() -> None:
    inputs = plan(
        InitiativeInput("a1", team="a", milestone="soon", estimate=exact(4)),
        InitiativeInput("b1", team="b", milestone="later", estimate=exact(1)),
        InitiativeInput("b2", milestone="vague", estimate=exact(1)),
        milestones=(
            MilestoneInput("soon", "Soon", START + dt.timedelta(days=10)),
            MilestoneInput("later", "Later", START + dt.timedelta(days=7)),
            MilestoneInput("vague", "Vague", START + dt.timedelta(days=70)),
            MilestoneInput("empty", "Empty", START),
        ),
    )
    checks = {m.key: m for m in build_schedule(inputs).milestones}
    assert (checks["soon"].met, checks["soon"].days_late) == (False, 4)
    assert checks["soon"].finish == START + dt.timedelta(days=14)
    assert (checks["later"].met, checks["later"].days_late) == (True, 0)
    assert checks["vague"].met is None
    assert checks["vague"].unscheduled == ("b2",)
    assert checks["empty"].met is None
    assert [m.key for m in build_schedule(inputs).at_risk] == ["soon"]


def test_a_start_date_in_the_past_is_a_warning() -> None:
    schedule = build_schedule(
        plan(InitiativeInput("x", team="a", estimate=exact(1))), today=START + dt.timedelta(1)
    )
    assert "in the past" in schedule.warnings[0]
    assert (
        build_schedule(
            plan(InitiativeInput("x", team="a", estimate=exact(1))), today=START
        ).warnings
        == ()
    )


def test_bad_inputs_are_one_clear_error() -> None:
    with pytest.raises(DependencyCycleError, match="x -> y -> x"):
        build_schedule(
            plan(
                InitiativeInput("x", team="a", estimate=exact(1), depends_on=("y",)),
                InitiativeInput("y", team="a", estimate=exact(1), depends_on=("x",)),
            )
        )
    with pytest.raises(InputError, match="unknown initiative 'nope'"):
        build_schedule(plan(InitiativeInput("x", team="a", depends_on=("nope",))))
    with pytest.raises(InputError, match="team 'z' has capacity 0"):
        build_schedule(plan(teams=(TeamInput("z", "Z", 0.0),)))
    with pytest.raises(ValueError, match="optimistic <= likely <= pessimistic"):
        ThreePoint(5, 3, 4)
