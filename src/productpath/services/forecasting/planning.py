"""Plan the stored roadmap: the capacity-aware schedule, the roadmap-wide forecast and scenarios.

The plan inputs come from the store: teams and their capacity, milestones, and initiatives in
priority order. Priority is the scoring order (``services.scoring.ranked_initiatives``) when the
scoring service can rank the roadmap, else the order initiatives are written in roadmap.yaml;
the results say which was used.

Work in progress with linked tracker items keeps only the share of its estimate that is not done
(by items done / items in scope), but never less than :data:`MIN_REMAINING`: an item count says
little about the last stretch of an initiative. Without linked items the whole estimate remains.
When items were finished lately, the delivery projection of when the rest runs out at that pace
(:func:`productpath.delivery.progress.project`) becomes the initiative's ``pace_finish``: the
forecast never finishes it sooner, so the forecast and the delivery page tell one story. When
none was finished lately but some were before, the pace since the first finish sets it instead
(see :func:`_pace_finish`); with none finished at all, the estimate alone counts, and the
warnings say so.
"""

from __future__ import annotations

import datetime as dt
import importlib
import secrets
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload, selectinload

from productpath.delivery.progress import WINDOW_WEEKS, day, project
from productpath.domain.plan_inputs import (
    IN_PROGRESS,
    InitiativeInput,
    MilestoneInput,
    PlanInputs,
    TeamInput,
    ThreePoint,
)
from productpath.domain.work import ItemRecord
from productpath.errors import NotFoundError, ProductpathError
from productpath.planning.roadmap_sim import RoadmapForecast, forecast_roadmap
from productpath.planning.scenarios import apply_scenario
from productpath.planning.schedule import Schedule, build_schedule
from productpath.services.workspace import OpenWorkspace
from productpath.store import forecast_repo, product_repo, work_records, work_repo
from productpath.store.models import Initiative, InitiativeDependency, Milestone, Team

__all__ = [
    "MIN_REMAINING",
    "Comparison",
    "MilestoneComparison",
    "compare_scenario",
    "plan_inputs",
    "roadmap_forecast",
    "roadmap_schedule",
]

MIN_REMAINING = 0.1
DEFAULT_TRIALS = 10_000


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class MilestoneComparison(_Frozen):
    key: str
    name: str
    target_date: dt.date
    baseline: float | None
    scenario: float | None
    change: float | None
    baseline_p85: dt.date | None
    scenario_p85: dt.date | None


class Comparison(_Frozen):
    scenario: str
    description: str
    changes: tuple[str, ...]
    trials: int
    seed: int | None
    milestones: tuple[MilestoneComparison, ...]
    baseline: RoadmapForecast
    with_scenario: RoadmapForecast
    warnings: tuple[str, ...]


def plan_inputs(
    handle: OpenWorkspace, *, start: dt.date | None = None, today: dt.date | None = None
) -> PlanInputs:
    """The workspace's roadmap as plan inputs, counted from ``start`` (default: today)."""
    today = today or dt.date.today()
    roadmap = _load(handle)
    order, source = _priority(handle, [i.key for i in roadmap.initiatives])
    started = _started(handle, roadmap.initiatives, today)
    by_key = {i.key: i for i in roadmap.initiatives}
    initiatives = [started.get(key, by_key[key]) for key in order]
    notes = tuple(
        f"'{i.key}' is in progress: {i.remaining_note}" for i in initiatives if i.remaining_note
    )
    return replace(
        roadmap,
        start=start or today,
        initiatives=tuple(initiatives),
        priority_source=source,
        notes=notes,
    )


def roadmap_schedule(
    handle: OpenWorkspace, *, start: dt.date | None = None, today: dt.date | None = None
) -> Schedule:
    """The capacity-aware schedule of the workspace's roadmap (see planning.schedule)."""
    today = today or dt.date.today()
    inputs = plan_inputs(handle, start=start, today=today)
    plan = build_schedule(inputs, today=today)
    return plan.model_copy(update={"warnings": plan.warnings + inputs.notes})


def roadmap_forecast(
    handle: OpenWorkspace,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    start: dt.date | None = None,
    today: dt.date | None = None,
    save: bool = True,
    calibrate: bool = False,
) -> RoadmapForecast:
    """Monte Carlo over the whole roadmap; stored as a ``roadmap`` forecast run when ``save``.

    With ``calibrate``, each team's estimates are first rescaled by its retrospective factor
    (services.forecasting.forecast_calibration); the result's ``calibration`` says what was applied.
    """
    today = today or dt.date.today()
    inputs = plan_inputs(handle, start=start, today=today)
    calibration = None
    if calibrate:
        from productpath.services.forecasting.forecast_calibration import calibrated_inputs

        inputs, calibration = calibrated_inputs(handle, inputs)
    # A drawn seed is still a seed: printed and stored, so any run can be repeated.
    seed = secrets.randbits(31) if seed is None else seed
    result = forecast_roadmap(inputs, trials=trials, seed=seed, today=today)
    result = result.model_copy(
        update={"warnings": result.warnings + inputs.notes, "calibration": calibration}
    )
    if save:
        _save(
            handle,
            "roadmap",
            trials,
            seed,
            inputs_record(inputs),
            result.model_dump(mode="json"),
        )
    return result


def compare_scenario(
    handle: OpenWorkspace,
    scenario_file: Path,
    *,
    trials: int = DEFAULT_TRIALS,
    seed: int | None = None,
    start: dt.date | None = None,
    today: dt.date | None = None,
) -> Comparison:
    """Milestone probabilities of the roadmap as it is and with the scenario applied.

    Both runs use the same seed, so the difference comes from the scenario rather than from
    the draws (common random numbers). Nothing is stored: a what-if is not a forecast the
    retrospective should score.
    """
    from productpath.ingest.scenario_yaml import read_scenario

    today = today or dt.date.today()
    scenario = read_scenario(scenario_file)
    inputs = plan_inputs(handle, start=start, today=today)
    changed = apply_scenario(inputs, scenario)
    seed = secrets.randbits(31) if seed is None else seed
    before = forecast_roadmap(inputs, trials=trials, seed=seed, today=today)
    after = forecast_roadmap(changed, trials=trials, seed=seed, today=today)
    rows = []
    for m in before.milestones:
        new = after.milestone(m.key)
        assert new is not None
        change = (
            new.probability - m.probability
            if new.probability is not None and m.probability is not None
            else None
        )
        rows.append(
            MilestoneComparison(
                key=m.key,
                name=m.name,
                target_date=m.target_date,
                baseline=m.probability,
                scenario=new.probability,
                change=change,
                baseline_p85=m.finish.p85 if m.finish else None,
                scenario_p85=new.finish.p85 if new.finish else None,
            )
        )
    warnings = tuple(dict.fromkeys((*before.warnings, *after.warnings, *inputs.notes)))
    result = Comparison(
        scenario=scenario.name,
        description=scenario.description,
        changes=tuple(c.describe() for c in scenario.changes),
        trials=trials,
        seed=seed,
        milestones=tuple(rows),
        baseline=before,
        with_scenario=after,
        warnings=warnings,
    )
    # A what-if is not a forecast of what will happen: nothing is stored, so the retrospective
    # scores only the baseline forecasts (``roadmap_forecast``).
    return result


def _load(handle: OpenWorkspace) -> PlanInputs:
    """Teams, milestones and initiatives (in roadmap order) straight from the store tables."""
    key = handle.workspace.product
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, key)
        teams = session.scalars(
            select(Team)
            .where(Team.product_id == product_id)
            .options(selectinload(Team.members))
            .order_by(Team.position, Team.key)
        ).all()
        milestones = session.scalars(
            select(Milestone)
            .where(Milestone.product_id == product_id)
            .order_by(Milestone.position, Milestone.key)
        ).all()
        rows = session.scalars(
            select(Initiative)
            # Archived initiatives are off the roadmap: not scheduled, not forecast.
            .where(Initiative.product_id == product_id, Initiative.status != "archived")
            .options(joinedload(Initiative.team), joinedload(Initiative.milestone))
            .order_by(Initiative.position, Initiative.key)
        ).all()
        target = aliased(Initiative)
        edges = session.execute(
            select(InitiativeDependency.initiative_id, target.key)
            .join(target, target.id == InitiativeDependency.depends_on_id)
            .where(target.product_id == product_id, target.status != "archived")
            .order_by(InitiativeDependency.initiative_id, InitiativeDependency.position)
        ).all()
        depends_on: dict[int, list[str]] = {}
        for initiative_id, dep in edges:
            depends_on.setdefault(initiative_id, []).append(dep)
        team_inputs = tuple(
            TeamInput(t.key, t.name, t.capacity_per_week, len(t.members)) for t in teams
        )
        milestone_inputs = tuple(MilestoneInput(m.key, m.name, m.target_date) for m in milestones)
        initiatives = tuple(
            InitiativeInput(
                key=row.key,
                title=row.title,
                team=row.team.key if row.team else None,
                milestone=row.milestone.key if row.milestone else None,
                status=row.status,
                estimate=_estimate(row),
                depends_on=tuple(depends_on.get(row.id, ())),
            )
            for row in rows
        )
    if not initiatives:
        raise NotFoundError(
            f"product '{key}' has no initiatives to plan; apply a roadmap with 'productpath "
            "roadmap apply roadmap.yaml' first (the format is in docs/roadmap.md)"
        )
    return PlanInputs(
        start=dt.date.today(),
        teams=team_inputs,
        milestones=milestone_inputs,
        initiatives=initiatives,
    )


def _estimate(row: Initiative) -> ThreePoint | None:
    low, likely, high = row.estimate_optimistic, row.estimate_likely, row.estimate_pessimistic
    if low is None or likely is None or high is None:
        return None
    return ThreePoint(low, likely, high)


def _priority(handle: OpenWorkspace, written: list[str]) -> tuple[list[str], str]:
    """Initiative keys most important first, and where that order came from."""
    try:
        scoring = importlib.import_module("productpath.services.scoring")
    except ImportError:
        return written, "roadmap order (scoring is not available)"
    ranked_initiatives = getattr(scoring, "ranked_initiatives", None)
    if ranked_initiatives is None:
        return written, "roadmap order (scoring is not available)"
    try:
        ranked = [str(row.key) for row in ranked_initiatives(handle)]
    except ProductpathError as exc:
        return written, f"roadmap order (scores unavailable: {exc})"
    known = set(written)
    order = list(dict.fromkeys(k for k in ranked if k in known))
    order += [k for k in written if k not in set(order)]
    return order, "score rank (productpath roadmap score)"


def _started(
    handle: OpenWorkspace, initiatives: tuple[InitiativeInput, ...], today: dt.date
) -> dict[str, InitiativeInput]:
    """Work in progress that has linked tracker items, with the share of its estimate left and,
    when any item was finished, the day the rest runs out at the work's pace."""
    started = {i.key: i for i in initiatives if i.status == IN_PROGRESS}
    if not started:
        return {}
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:  # pragma: no cover - opening a workspace creates its product
            return {}
        ids = {refs.key: row_id for row_id, refs in work_repo.initiatives(session, product_id)}
        _, items = work_records.linked_work(session, product_id)
    out: dict[str, InitiativeInput] = {}
    for key, initiative in started.items():
        # An epic is a container; its children are the work (as in delivery.progress).
        scope = [item for item in items.get(ids.get(key, -1), ()) if item.in_scope]
        if not scope:
            continue
        done = sum(1 for item in scope if item.is_done)
        share = max(1 - done / len(scope), MIN_REMAINING)
        note = f"{done} of {len(scope)} linked items done, so {share:.0%} of its estimate is left"
        paced, pace_note = _pace_finish(scope, today)
        note = f"{note}; {pace_note}" if pace_note else note
        team_scope = [
            item
            for other in initiatives
            if other.team is not None and other.team == initiative.team
            for item in items.get(ids.get(other.key, -1), ())
            if item.in_scope
        ]
        weeks = pace_pool(scope, team_scope, today) if paced is not None else ()
        out[key] = replace(
            initiative,
            remaining=share,
            remaining_note=note,
            pace_finish=paced,
            pace_weeks=weeks,
            pace_left=len(scope) - done,
            pace_from=today,
        )
    return out


# Weeks of history a pace is drawn from, at most: the recent stretch says most about the rest.
PACE_HISTORY_WEEKS = 12


def pace_pool(
    scope: list[ItemRecord], team_scope: list[ItemRecord], today: dt.date
) -> tuple[float, ...]:
    """The weeks a trial draws the work's pace from: its own finished-item counts per week
    (weeks ending on ``today``, from the week of its first finish, at most
    :data:`PACE_HISTORY_WEEKS`), then its team's weeks over the same stretch scaled to the
    work's own mean, so the team's busy and quiet weeks add their spread without changing the
    work's average pace. Empty when nothing was finished."""
    own = _weekly(scope, today, None)
    if not own or sum(own) == 0:
        return ()
    team = _weekly(team_scope, today, len(own))
    team_total = sum(team)
    scale = sum(own) / team_total if team_total else 0.0
    return tuple(own) + (tuple(round(w * scale, 4) for w in team) if scale else ())


def _weekly(scope: list[ItemRecord], today: dt.date, weeks: int | None) -> list[int]:
    """Items finished in each 7-day week ending on ``today``, oldest first: ``weeks`` of them,
    or (None) from the week of the first finish (at least the delivery window's 4 weeks) up to
    today, at most PACE_HISTORY_WEEKS."""
    ages = [(today - day(d)).days // 7 for item in scope if (d := item.done_at) is not None]
    ages = [a for a in ages if a >= 0]
    if not ages:
        return [0] * (weeks or 0)
    # At least the delivery window, so the pool's mean is the pace delivery projects with.
    since_first = max(max(ages) + 1, WINDOW_WEEKS)
    count = weeks if weeks is not None else min(since_first, PACE_HISTORY_WEEKS)
    counts = [0] * count
    for age in ages:
        if age < count:
            counts[count - 1 - age] += 1
    return counts


def _pace_finish(scope: list[ItemRecord], today: dt.date) -> tuple[dt.date | None, str]:
    """The earliest day the open items can run out at the work's own pace, and how it was found.

    The recent pace (delivery's projection) when an item was finished in the window. Otherwise
    the pace since the first item was finished, counted to today: it equals the recent pace on
    the day the last finish leaves the window and slows every day nothing is finished, so
    stalled work never looks better than slow work. None when no item was ever finished."""
    pace = project(scope, today, None)
    if pace.remaining == 0:
        return None, ""
    if pace.projected_date is not None:
        return pace.projected_date, (
            f"at its pace over the last {WINDOW_WEEKS} weeks ({pace.remaining} items left "
            f"at {pace.throughput_per_week:g} a week) it finishes no sooner than "
            f"{pace.projected_date.isoformat()}"
        )
    finished = [day(moment) for item in scope if (moment := item.done_at) is not None]
    first = min((d for d in finished if d <= today), default=None)
    if first is None:
        return None, (
            "no linked item has a finish date up to today, so it has no pace: its date rests "
            "on the estimate alone, and delivery cannot project it"
        )
    count = sum(1 for d in finished if d <= today)
    days_since = (today - first).days  # at least the window: nothing was finished within it
    paced = today + dt.timedelta(days=-(-pace.remaining * days_since // count))
    return paced, (
        f"nothing linked was finished in the last {WINDOW_WEEKS} weeks; at its pace since the "
        f"first item was finished on {first.isoformat()} ({pace.remaining} items left at "
        f"{count * 7 / days_since:.2g} a week) it finishes no sooner than {paced.isoformat()}"
    )


def inputs_record(inputs: PlanInputs) -> dict[str, Any]:
    """The plan inputs as stored beside a forecast snapshot (JSON-ready), so a retrospective
    can see what the forecast knew."""
    return {
        "start": inputs.start.isoformat(),
        "priority": inputs.priority_source,
        "teams": {t.key: t.capacity_per_week for t in inputs.teams},
        "initiatives": [
            {
                "key": i.key,
                "team": i.team,
                "status": i.status,
                "estimate": [i.estimate.low, i.estimate.likely, i.estimate.high]
                if i.estimate
                else None,
                "remaining": i.remaining,
                "pace_finish": i.pace_finish.isoformat() if i.pace_finish else None,
                "pace_weeks": list(i.pace_weeks),
                "pace_left": i.pace_left,
                "depends_on": list(i.depends_on),
            }
            for i in inputs.initiatives
        ],
    }


def _save(
    handle: OpenWorkspace,
    kind: str,
    trials: int,
    seed: int | None,
    inputs: dict[str, Any],
    result: dict[str, Any],
) -> None:
    """Store the run. Watchers of a late milestone are told by the risk check alone
    (``services/reporting/risk_alerts``, on the page's seeded forecast): a saved run with its own
    seed, trials or start deciding too would flip a milestone whose target lies between the two
    P85s, and tell its watchers again at every run."""
    with handle.store.write() as session:
        product_id = product_repo.find_id(session, handle.workspace.product)
        if product_id is None:  # pragma: no cover - opening a workspace creates its product
            raise NotFoundError(f"no product '{handle.workspace.product}' in this workspace")
        forecast_repo.save_run(
            session, product_id, kind=kind, trials=trials, seed=seed, inputs=inputs, result=result
        )
