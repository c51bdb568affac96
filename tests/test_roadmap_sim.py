"""The roadmap-wide Monte Carlo (planning.roadmap_sim): distribution, model, percentiles, seeds."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from productpath.domain.plan_inputs import (
    InitiativeInput,
    MilestoneInput,
    PlanInputs,
    TeamInput,
    ThreePoint,
)
from productpath.errors import InputError
from productpath.planning.roadmap_sim import (
    forecast_roadmap,
    pure_python_weeks,
    sample_pert,
    simulate_weeks,
)
from productpath.planning.schedule import build_schedule, prepare

START = dt.date(2030, 1, 7)
TEAMS = (TeamInput("a", "Team A", 2.0, 2), TeamInput("b", "Team B", 1.0, 1))


def roadmap(*milestones: MilestoneInput) -> PlanInputs:
    return PlanInputs(
        start=START,
        teams=TEAMS,
        milestones=milestones,
        initiatives=(
            InitiativeInput("api", team="b", milestone="m", estimate=ThreePoint(1, 2, 6)),
            InitiativeInput(
                "ui", team="a", milestone="m", estimate=ThreePoint(2, 4, 12), depends_on=("api",)
            ),
            InitiativeInput("docs", team="a", estimate=ThreePoint(1, 1, 3)),
            InitiativeInput("done", team="a", milestone="m", status="done"),
        ),
    )


def in_progress(pace_finish: dt.date | None) -> PlanInputs:
    """Team B's "api" under way (its items run out at their pace on ``pace_finish``), then
    "next" on the same team; "ui" on team A waits for "api"."""
    return PlanInputs(
        start=START,
        teams=TEAMS,
        milestones=(MilestoneInput("m", "M", START + dt.timedelta(weeks=8)),),
        initiatives=(
            InitiativeInput(
                "api",
                team="b",
                milestone="m",
                status="in_progress",
                estimate=ThreePoint(1, 2, 6),
                pace_finish=pace_finish,
            ),
            InitiativeInput("next", team="b", estimate=ThreePoint(1, 1, 1)),
            InitiativeInput("ui", team="a", estimate=ThreePoint(2, 4, 12), depends_on=("api",)),
        ),
    )


def test_pert_beta_stays_in_range_peaks_at_likely_and_has_the_pert_mean() -> None:
    rng = np.random.default_rng(0)
    draws = sample_pert(rng, [1.0, 2.0], [2.0, 2.0], [9.0, 2.0], 200_000)
    skewed, exact = draws
    assert skewed.min() >= 1 and skewed.max() <= 9
    assert skewed.mean() == pytest.approx(ThreePoint(1, 2, 9).mean, rel=0.01)
    # Right-skewed: the median sits between the likely value and the mean.
    assert 2 < float(np.median(skewed)) < ThreePoint(1, 2, 9).mean
    counts, edges = np.histogram(skewed, bins=16, range=(1, 9))
    assert edges[counts.argmax()] <= 2 <= edges[counts.argmax() + 1]
    assert set(exact.tolist()) == {2.0}


def test_same_seed_same_forecast_and_another_seed_differs() -> None:
    inputs = roadmap(MilestoneInput("m", "M", START + dt.timedelta(weeks=5)))
    first = forecast_roadmap(inputs, trials=3000, seed=11)
    assert first == forecast_roadmap(inputs, trials=3000, seed=11)
    other = forecast_roadmap(inputs, trials=3000, seed=12)
    assert first.milestones[0].probability != other.milestones[0].probability


def test_exact_estimates_reproduce_the_schedule() -> None:
    inputs = PlanInputs(
        start=START,
        teams=TEAMS,
        milestones=(
            MilestoneInput("m", "M", START + dt.timedelta(days=28)),
            MilestoneInput("tight", "Tight", START + dt.timedelta(days=20)),
        ),
        initiatives=(
            InitiativeInput("api", team="b", milestone="m", estimate=ThreePoint(2, 2, 2)),
            InitiativeInput(
                "ui", team="a", milestone="m", estimate=ThreePoint(2, 2, 2), depends_on=("api",)
            ),
            InitiativeInput("x", team="a", milestone="tight", estimate=ThreePoint(6, 6, 6)),
        ),
    )
    result = forecast_roadmap(inputs, trials=50, seed=1)
    plan = build_schedule(inputs)
    for row in result.initiatives:
        planned = next(s.finish for s in plan.slots if s.key == row.key)
        assert row.finish.p50 == row.finish.p95 == row.planned_finish == planned
    # Team A starts x (3 weeks) while ui waits on api (2 weeks on B); ui follows x: day 28.
    assert result.milestone("m").probability == 1.0  # type: ignore[union-attr]
    # x is done on day 21, one day after its target.
    assert result.milestone("tight").probability == 0.0  # type: ignore[union-attr]


def test_dependencies_and_team_order_hold_in_every_trial() -> None:
    prepared = prepare(roadmap())
    plan = build_schedule(roadmap())
    index = {job.item.key: n for n, job in enumerate(prepared.jobs)}
    order = [index[s.key] for s in plan.slots]
    weeks = simulate_weeks(prepared.jobs, order, 5000, 3)
    api, ui, docs = (weeks[index[k]] for k in ("api", "ui", "docs"))
    # The plan has team A do docs while ui waits on api; in every trial ui starts after both
    # and takes at least its optimistic 2 ideal weeks (1 calendar week on A).
    assert [s.key for s in plan.slots if s.team == "a"] == ["docs", "ui"]
    assert np.all(ui >= np.maximum(api, docs) + 1 - 1e-9)
    assert np.any(api > docs) and np.any(docs > api)  # either can be the one ui waits for


@pytest.mark.parametrize("inputs", [roadmap(), in_progress(START + dt.timedelta(weeks=3))])
def test_the_pure_python_loop_is_the_same_model(inputs: PlanInputs) -> None:
    prepared = prepare(inputs)
    plan = build_schedule(inputs)
    index = {job.item.key: n for n, job in enumerate(prepared.jobs)}
    order = [index[s.key] for s in plan.slots]
    fast = simulate_weeks(prepared.jobs, order, 40_000, 5)
    slow = np.array(pure_python_weeks(prepared.jobs, order, 40_000, 5))
    for row in range(len(prepared.jobs)):
        for q in (50, 85, 95):
            assert np.percentile(fast[row], q) == pytest.approx(
                np.percentile(slow[row], q), rel=0.03
            )


def test_work_in_progress_never_finishes_before_its_own_pace() -> None:
    # api's estimate (1 to 6 weeks on team B) would finish it within 6 weeks; its items run
    # out at their recent pace only after 10, so the 8-week milestone cannot be made.
    late = START + dt.timedelta(weeks=10)
    result = forecast_roadmap(in_progress(late), trials=3000, seed=7)
    rows = {i.key: i for i in result.initiatives}
    assert rows["api"].finish.p50 == rows["api"].finish.p95 == rows["api"].planned_finish == late
    assert rows["ui"].finish.p50 > late  # it waits for api
    # Team B is free once api's estimated effort is spent, not when its pace runs out.
    assert rows["next"].finish.p95 <= START + dt.timedelta(weeks=7)
    m = result.milestone("m")
    assert m is not None and m.probability == 0.0
    # A pace that runs out by the start leaves the estimate in charge.
    early = forecast_roadmap(in_progress(START), trials=3000, seed=7)
    assert early.milestones == forecast_roadmap(in_progress(None), trials=3000, seed=7).milestones
    assert early.milestones[0].probability == pytest.approx(1.0)


def test_milestone_chance_percentiles_and_fan() -> None:
    loose = MilestoneInput("m", "M", START + dt.timedelta(weeks=20))
    result = forecast_roadmap(roadmap(loose), trials=4000, seed=2)
    m = result.milestone("m")
    assert m is not None and m.finish is not None
    assert m.probability == 1.0
    assert START < m.finish.p50 <= m.finish.p85 <= m.finish.p95 <= loose.target_date
    levels = [p.level for p in m.fan]
    dates = [p.date for p in m.fan]
    assert levels == sorted(levels) and dates == sorted(dates)
    assert result.done == ("done",)

    # The chance is the share of trials done by the target: at least 85% by the P85 date, and
    # fewer a day earlier (dates are whole days, so several trials can share one).
    def chance(target: dt.date) -> float | None:
        row = forecast_roadmap(
            roadmap(MilestoneInput("m", "M", target)), trials=4000, seed=2
        ).milestone("m")
        assert row is not None
        return row.probability

    assert (chance(m.finish.p85) or 0) >= 0.85 > (chance(m.finish.p85 - dt.timedelta(1)) or 0)


def test_a_milestone_with_unschedulable_work_has_no_chance_and_says_why() -> None:
    inputs = PlanInputs(
        start=START,
        teams=TEAMS,
        milestones=(MilestoneInput("m", "M", START + dt.timedelta(weeks=4)),),
        initiatives=(InitiativeInput("x", team="a", milestone="m"),),
    )
    m = forecast_roadmap(inputs, trials=10, seed=1).milestones[0]
    assert m.probability is None
    assert m.explanation == "cannot be forecast: x could not be scheduled"


def test_trials_must_be_sensible() -> None:
    with pytest.raises(InputError, match="between 1 and"):
        forecast_roadmap(roadmap(), trials=0)
