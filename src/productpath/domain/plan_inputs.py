"""What the schedule and the roadmap forecast read: teams, milestones and initiatives as plain data.

The service builds these from the store; tests and the benchmark build them by hand. Initiatives
come in priority order (most important first), which is the order the schedule serves them in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

# Statuses that need no more work: done is finished, dropped will never be.
FINISHED = "done"
DROPPED = "dropped"
IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class ThreePoint:
    """Optimistic, most likely and pessimistic effort, in ideal weeks."""

    low: float
    likely: float
    high: float

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.likely <= self.high:
            raise ValueError(
                f"estimate must satisfy 0 <= optimistic <= likely <= pessimistic, got "
                f"{self.low:g} / {self.likely:g} / {self.high:g}"
            )

    @property
    def mean(self) -> float:
        """The PERT mean, (low + 4 x likely + high) / 6: the expected effort of the PERT-beta."""
        return (self.low + 4 * self.likely + self.high) / 6


@dataclass(frozen=True)
class TeamInput:
    key: str
    name: str
    capacity_per_week: float  # ideal weeks of work per calendar week (people x focus factor)
    members: int = 0


@dataclass(frozen=True)
class MilestoneInput:
    key: str
    name: str
    target_date: dt.date


@dataclass(frozen=True)
class InitiativeInput:
    key: str
    title: str = ""
    team: str | None = None
    milestone: str | None = None
    status: str = "proposed"
    estimate: ThreePoint | None = None
    depends_on: tuple[str, ...] = ()
    # Share of the estimate still to do (1.0 = all of it); below 1 only for work in progress
    # whose linked tracker items are partly done.
    remaining: float = 1.0
    remaining_note: str = ""
    # Work in progress never finishes before the day its linked items run out at their own
    # recent pace (the delivery projection), or, with nothing finished lately, at its pace since
    # its first item was finished: an estimate the work has already outrun says less about the
    # rest than the pace does. None when no item was ever finished.
    pace_finish: dt.date | None = None
    # What the pace is uncertain by: the work's weekly finished-item counts (oldest first, weeks
    # ending on ``pace_from``), pooled with its team's weeks scaled to the work's own mean, and
    # the items still open. The simulation draws weeks from this pool in each trial, so the
    # day the pace allows is a spread, not one date. Empty when there is no pace.
    pace_weeks: tuple[float, ...] = ()
    pace_left: int = 0
    pace_from: dt.date | None = None


@dataclass(frozen=True)
class PlanInputs:
    """One roadmap ready to plan: ``initiatives`` in priority order, work counted from ``start``."""

    start: dt.date
    teams: tuple[TeamInput, ...]
    milestones: tuple[MilestoneInput, ...]
    initiatives: tuple[InitiativeInput, ...]
    priority_source: str = "roadmap order"
    notes: tuple[str, ...] = field(default=())

    def team(self, key: str) -> TeamInput | None:
        return next((t for t in self.teams if t.key == key), None)

    def initiative(self, key: str) -> InitiativeInput | None:
        return next((i for i in self.initiatives if i.key == key), None)


# What a scenario may change, and the changes themselves (planning.scenarios applies them).
KINDS = (
    "add_person",
    "add_capacity",
    "set_capacity",
    "drop",
    "start_first",
    "add_dependency",
    "set_estimate",
    "move",
)


@dataclass(frozen=True)
class Change:
    """One change. ``target`` is a team key (capacity changes) or an initiative key (others)."""

    kind: str
    target: str
    amount: float | None = None  # people to add, or ideal weeks per week
    other: str | None = None  # the new dependency, or the new team
    estimate: ThreePoint | None = None
    line: int | None = None
    field: str | None = None

    def describe(self) -> str:
        if self.kind == "add_person":
            count = self.amount or 1
            return f"add {count:g} {'person' if count == 1 else 'people'} to team {self.target}"
        if self.kind == "add_capacity":
            return f"add {self.amount:g} ideal weeks per week to team {self.target}"
        if self.kind == "set_capacity":
            return f"set team {self.target}'s capacity to {self.amount:g} per week"
        if self.kind == "drop":
            return f"drop {self.target}"
        if self.kind == "start_first":
            return f"start {self.target} first"
        if self.kind == "add_dependency":
            return f"make {self.target} wait for {self.other}"
        if self.kind == "set_estimate":
            e = self.estimate
            assert e is not None
            return f"re-estimate {self.target} as {e.low:g} / {e.likely:g} / {e.high:g}"
        return f"move {self.target} to team {self.other}"


@dataclass(frozen=True)
class Scenario:
    name: str
    changes: tuple[Change, ...]
    file: str = "<scenario>"
    description: str = ""
