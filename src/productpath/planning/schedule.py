"""The capacity-aware schedule: initiatives placed on their teams over calendar weeks.

The model, stated once (docs/planning.md repeats it):

- Effort is the PERT mean of the three-point estimate, (optimistic + 4 x likely + pessimistic) / 6
  ideal weeks, times the share still to do (work in progress may be partly done).
- A team works on one initiative at a time with its whole capacity, so an initiative of E ideal
  weeks takes E / capacity_per_week calendar weeks. Finishing the most important work first
  beats spreading a team thin; the team's total throughput is the same either way.
- Work in progress is finished first; then initiatives are served in priority order. Whenever a
  team is free it starts the highest-priority initiative of its own whose dependencies are all
  finished (a parallel list schedule): it does not idle while a later one is ready.
- Work in progress with a pace (``pace_finish``) finishes no sooner than the day its linked
  items run out at that pace, and what depends on it waits until then. Its team is free
  once the estimated effort is spent: slow work in progress mostly runs beside other work.
- Done initiatives need no work; dropped ones are left out, and a dependency on one is ignored
  with a warning. An initiative with no team or no estimate cannot be placed; it is skipped
  with the reason, and so is everything that waits on it.

Times are in calendar weeks from the start date; a moment on day 3.2 is shown as day 4 (the
work is done on or before that date; what waits on it starts that day).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from productpath.domain.plan_inputs import (
    DROPPED,
    FINISHED,
    IN_PROGRESS,
    InitiativeInput,
    PlanInputs,
)
from productpath.domain.roadmap_rules import find_cycle
from productpath.errors import DependencyCycleError, InputError

_EPS = 1e-9


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Slot(_Frozen):
    """One initiative placed on its team's calendar."""

    key: str
    title: str
    team: str
    milestone: str | None
    status: str
    start_week: float
    finish_week: float
    effort_weeks: float  # ideal weeks still to do
    start: dt.date
    finish: dt.date
    depends_on: tuple[str, ...]
    critical: bool = False
    paced: bool = False  # its own pace, not its estimate, sets its finish


class Skipped(_Frozen):
    key: str
    title: str
    reason: str


class MilestoneCheck(_Frozen):
    """Whether a milestone's initiatives all finish by its target in the schedule."""

    key: str
    name: str
    target_date: dt.date
    finish: dt.date | None  # None when an initiative of it could not be scheduled
    met: bool | None
    days_late: int
    initiatives: tuple[str, ...]
    unscheduled: tuple[str, ...]
    explanation: str


class Schedule(_Frozen):
    start: dt.date
    method: str
    priority_source: str
    slots: tuple[Slot, ...]  # in start order
    done: tuple[str, ...]
    dropped: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    critical_path: tuple[str, ...]
    milestones: tuple[MilestoneCheck, ...]
    finish: dt.date | None
    warnings: tuple[str, ...]

    @property
    def at_risk(self) -> tuple[MilestoneCheck, ...]:
        return tuple(m for m in self.milestones if m.met is False)


METHOD = (
    "effort = PERT mean of the estimate x share left; one initiative at a time per team at its "
    "full capacity (effort / capacity_per_week calendar weeks); work in progress first, then "
    "priority order, the highest-priority ready initiative whenever a team is free; work in "
    "progress finishes no sooner than its linked items run out at their own pace"
)


@dataclass(frozen=True)
class Job:
    """An initiative that needs work, with what the schedule and the simulation both need."""

    index: int  # position in priority order
    item: InitiativeInput
    team: str
    capacity: float
    deps: tuple[str, ...]  # dependencies that need work too (done and dropped ones removed)
    # Week (from the start) before which it cannot finish at its own pace; None: no pace.
    floor: float | None = None

    @property
    def effort(self) -> float:
        assert self.item.estimate is not None
        return self.item.estimate.mean * self.item.remaining

    @property
    def weeks(self) -> float:
        return self.effort / self.capacity


@dataclass(frozen=True)
class Prepared:
    jobs: tuple[Job, ...]  # in serving order: work in progress first, then priority
    done: tuple[str, ...]
    dropped: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    warnings: tuple[str, ...]


def prepare(inputs: PlanInputs) -> Prepared:
    """Sort the initiatives into work to place, done, dropped and skipped (with reasons).

    Raises InputError for a dependency on an unknown initiative or a team without capacity,
    and DependencyCycleError for a loop (a scenario can make one).
    """
    keys = {i.key for i in inputs.initiatives}
    for item in inputs.initiatives:
        for dep in item.depends_on:
            if dep not in keys:
                raise InputError(
                    f"initiative '{item.key}' depends on unknown initiative '{dep}'",
                    field="depends_on",
                )
    cycle = find_cycle({i.key: i.depends_on for i in inputs.initiatives})
    if cycle:
        raise DependencyCycleError(cycle)
    for team in inputs.teams:
        if team.capacity_per_week <= 0:
            raise InputError(
                f"team '{team.key}' has capacity {team.capacity_per_week:g} per week; "
                "nothing it owns could ever finish",
                field="capacity_per_week",
            )
    status = {i.key: i.status for i in inputs.initiatives}
    warnings: list[str] = []
    skipped: dict[str, Skipped] = {}
    for item in _dependency_order(inputs.initiatives):
        if item.status in (FINISHED, DROPPED):
            continue
        owner = inputs.team(item.team) if item.team else None
        reason = None
        if item.team is None:
            reason = "no team"
        elif owner is None:
            reason = f"unknown team '{item.team}'"
        elif item.estimate is None:
            reason = "no estimate"
        else:
            blocked = [d for d in item.depends_on if d in skipped]
            if blocked:
                reason = "waits on " + ", ".join(f"'{d}'" for d in blocked) + ", not scheduled"
        if reason is not None:
            skipped[item.key] = Skipped(key=item.key, title=item.title, reason=reason)
        for dep in item.depends_on:
            if status[dep] == DROPPED:
                warnings.append(
                    f"'{item.key}' depends on '{dep}', which is dropped; that dependency is ignored"
                )
    jobs = []
    for index, item in enumerate(inputs.initiatives):
        if item.status in (FINISHED, DROPPED) or item.key in skipped:
            continue
        found = inputs.team(item.team or "")
        assert found is not None
        deps = tuple(d for d in item.depends_on if status[d] not in (FINISHED, DROPPED))
        floor = (item.pace_finish - inputs.start).days / 7 if item.pace_finish else None
        jobs.append(Job(index, item, found.key, found.capacity_per_week, deps, floor))
    jobs.sort(key=lambda job: (job.item.status != IN_PROGRESS, job.index))
    if skipped:
        warnings.append(
            "not scheduled: " + "; ".join(f"'{s.key}' ({s.reason})" for s in skipped.values())
        )
    return Prepared(
        jobs=tuple(jobs),
        done=tuple(i.key for i in inputs.initiatives if i.status == FINISHED),
        dropped=tuple(i.key for i in inputs.initiatives if i.status == DROPPED),
        skipped=tuple(skipped.values()),
        warnings=tuple(warnings),
    )


def build_schedule(inputs: PlanInputs, *, today: dt.date | None = None) -> Schedule:
    """Place every initiative that can be placed; see the module docstring for the model."""
    prepared = prepare(inputs)
    weeks = [job.weeks for job in prepared.jobs]
    starts, finishes = place(prepared.jobs, weeks)
    order = sorted(range(len(prepared.jobs)), key=lambda n: (starts[n], finishes[n], n))
    critical = critical_path(prepared.jobs, starts, finishes)
    slots = tuple(
        Slot(
            key=job.item.key,
            title=job.item.title,
            team=job.team,
            milestone=job.item.milestone,
            status=job.item.status,
            start_week=round(starts[n], 6),
            finish_week=round(finishes[n], 6),
            effort_weeks=round(job.effort, 6),
            start=start_day(inputs.start, starts[n]),
            finish=finish_day(inputs.start, finishes[n]),
            depends_on=job.deps,
            critical=job.item.key in critical,
            paced=finishes[n] > starts[n] + weeks[n] + _EPS,
        )
        for n in order
        for job in (prepared.jobs[n],)
    )
    finish_of = {slot.key: slot.finish for slot in slots}
    warnings = list(prepared.warnings)
    if today is not None and inputs.start < today:
        warnings.insert(
            0,
            f"the start date {inputs.start.isoformat()} is in the past; dates are counted "
            "from it as if no work had been done since",
        )
    return Schedule(
        start=inputs.start,
        method=METHOD,
        priority_source=inputs.priority_source,
        slots=slots,
        done=prepared.done,
        dropped=prepared.dropped,
        skipped=prepared.skipped,
        critical_path=critical,
        milestones=tuple(
            _check(inputs, m, finish_of, prepared) for m in range(len(inputs.milestones))
        ),
        finish=max(finish_of.values(), default=None),
        warnings=tuple(warnings),
    )


def place(jobs: Sequence[Job], weeks: Sequence[float]) -> tuple[list[float], list[float]]:
    """Start and finish week of each job: the parallel list schedule described above. A job
    frees its team after its ``weeks``; a pace floor holds back only its finish."""
    count = len(jobs)
    start = [math.nan] * count
    finish = [math.nan] * count
    position = {job.item.key: n for n, job in enumerate(jobs)}
    waiting: dict[str, list[int]] = {}
    for n, job in enumerate(jobs):
        waiting.setdefault(job.team, []).append(n)
    free = dict.fromkeys(waiting, 0.0)
    now = 0.0
    left = count
    while left:
        started = True
        while started:  # zero-length work can free a team again at the same moment
            started = False
            for team, queue in waiting.items():
                if free[team] > now + _EPS:
                    continue
                for n in queue:
                    deps = [position[d] for d in jobs[n].deps]
                    if all(not math.isnan(finish[d]) and finish[d] <= now + _EPS for d in deps):
                        start[n], free[team] = now, now + weeks[n]
                        finish[n] = max(free[team], jobs[n].floor or 0.0)
                        queue.remove(n)
                        left -= 1
                        started = True
                        break
        later = [
            t for t in (*free.values(), *(f for f in finish if not math.isnan(f))) if t > now + _EPS
        ]
        if left and not later:  # pragma: no cover - prepare() rejects cycles
            raise InputError("the dependencies leave no initiative able to start")
        now = min(later, default=now)
    return start, finish


def critical_path(
    jobs: Sequence[Job], starts: Sequence[float], finishes: Sequence[float]
) -> tuple[str, ...]:
    """The chain that sets the end date: from the last finish, back through whatever each step
    waited on (a dependency's finish, or the team's previous initiative) to the start.

    The walk stops early at work whose own pace set the moment the next step waited for:
    the last finish when it is paced, or a paced dependency (nothing before it made it late).
    A step that waited for its team waited until the team was free, which the team's previous
    initiative reached when its effort was spent, paced or not; the walk goes on through it."""
    if not jobs:
        return ()
    position = {job.item.key: n for n, job in enumerate(jobs)}
    busy_until = [starts[n] + job.weeks for n, job in enumerate(jobs)]
    current = max(range(len(jobs)), key=lambda n: (finishes[n], -n))
    chain = [current]
    waited_for_finish = True  # the end date is the last step's finish
    while starts[current] > _EPS:
        if waited_for_finish and finishes[current] > busy_until[current] + _EPS:
            break  # its pace floor, not what came before it, set that moment
        found = _waited_on(jobs, position, starts, finishes, busy_until, current)
        if found is None:  # pragma: no cover - a list schedule never starts work at an idle moment
            break
        current, waited_for_finish = found
        chain.append(current)
    return tuple(jobs[n].item.key for n in reversed(chain))


def _waited_on(
    jobs: Sequence[Job],
    position: dict[str, int],
    starts: Sequence[float],
    finishes: Sequence[float],
    busy_until: Sequence[float],
    current: int,
) -> tuple[int, bool] | None:
    """What ``current`` waited on to start, and whether that was its finish (a dependency)
    rather than its team becoming free."""
    begin = starts[current]
    for d in jobs[current].deps:
        if abs(finishes[position[d]] - begin) <= _EPS:
            return position[d], True
    for n, job in enumerate(jobs):
        if job.team == jobs[current].team and n != current and abs(busy_until[n] - begin) <= _EPS:
            return n, False
    return None


def start_day(origin: dt.date, week: float) -> dt.date:
    # Rounded like finishes, so work never seems to start before what it waits on is done.
    return origin + dt.timedelta(days=math.ceil(week * 7 - _EPS))


def finish_day(origin: dt.date, week: float) -> dt.date:
    return origin + dt.timedelta(days=math.ceil(week * 7 - _EPS))


def _check(
    inputs: PlanInputs, index: int, finish_of: dict[str, dt.date], prepared: Prepared
) -> MilestoneCheck:
    milestone = inputs.milestones[index]
    members = [
        i.key for i in inputs.initiatives if i.milestone == milestone.key and i.status != DROPPED
    ]
    skipped = {s.key for s in prepared.skipped}
    unscheduled = tuple(k for k in members if k in skipped)
    open_work = [finish_of[k] for k in members if k in finish_of]
    finish: dt.date | None = None
    met: bool | None = None
    late = 0
    if unscheduled:
        explanation = f"cannot be judged: {', '.join(unscheduled)} could not be scheduled"
    elif not members:
        explanation = "no initiatives target it"
    elif not open_work:
        met = True
        explanation = "all its initiatives are done"
    else:
        finish = max(open_work)
        late = max((finish - milestone.target_date).days, 0)
        met = finish <= milestone.target_date
        explanation = f"its last initiative finishes {finish.isoformat()}, " + (
            "in time" if met else f"{late} days after the target"
        )
    return MilestoneCheck(
        key=milestone.key,
        name=milestone.name,
        target_date=milestone.target_date,
        finish=finish,
        met=met,
        days_late=late,
        initiatives=tuple(members),
        unscheduled=unscheduled,
        explanation=explanation,
    )


def _dependency_order(items: Sequence[InitiativeInput]) -> list[InitiativeInput]:
    """Dependencies before dependants (the graph is known to be acyclic), else input order."""
    by_key = {i.key: i for i in items}
    seen: set[str] = set()
    out: list[InitiativeInput] = []
    for root in items:
        stack = [(root, False)]
        while stack:
            item, expanded = stack.pop()
            if item.key in seen:
                continue
            if expanded:
                seen.add(item.key)
                out.append(item)
                continue
            stack.append((item, True))
            stack.extend((by_key[d], False) for d in reversed(item.depends_on) if d not in seen)
    return out
