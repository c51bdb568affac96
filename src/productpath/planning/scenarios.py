"""What-if scenarios: changes to the plan inputs ("add a person to team X", "drop Y", "start Z
first"), applied to a copy so the baseline and the scenario can be forecast side by side.

Each change remembers where it was written (file, line, field), so a change that names an unknown
team or initiative, leaves a team with no capacity or closes a dependency loop is reported there.
"""

from __future__ import annotations

from dataclasses import replace

from productpath.domain.plan_inputs import (
    DROPPED,
    FINISHED,
    Change,
    InitiativeInput,
    PlanInputs,
    Scenario,
    TeamInput,
)
from productpath.domain.roadmap_rules import find_cycle
from productpath.errors import InputError


def apply_scenario(inputs: PlanInputs, scenario: Scenario) -> PlanInputs:
    """``inputs`` with every change of ``scenario`` applied, in the order written."""
    for change in scenario.changes:
        inputs = _apply(inputs, change, scenario.file)
    loop = find_cycle({i.key: i.depends_on for i in inputs.initiatives})
    if loop:
        last = next(c for c in reversed(scenario.changes) if c.kind == "add_dependency")
        raise _error(
            "the scenario makes a dependency cycle: " + " -> ".join([*loop, loop[0]]),
            scenario.file,
            last,
        )
    return inputs


def _apply(inputs: PlanInputs, change: Change, file: str) -> PlanInputs:
    if change.kind in ("add_person", "add_capacity", "set_capacity"):
        team = inputs.team(change.target)
        if team is None:
            known = ", ".join(t.key for t in inputs.teams) or "none"
            raise _error(f"unknown team '{change.target}' (teams: {known})", file, change)
        return replace(inputs, teams=_with_team(inputs.teams, _capacity(team, change, file)))
    item = inputs.initiative(change.target)
    if item is None:
        raise _error(f"unknown initiative '{change.target}'", file, change)
    if change.kind == "drop":
        return _with(inputs, replace(item, status=DROPPED))
    if change.kind == "start_first":
        if item.status in (FINISHED, DROPPED):
            raise _error(f"'{item.key}' is {item.status}; there is nothing to start", file, change)
        return replace(inputs, initiatives=_first(inputs.initiatives, item.key))
    if change.kind == "set_estimate":
        return _with(inputs, replace(item, estimate=change.estimate))
    other = change.other or ""
    if change.kind == "add_dependency":
        if inputs.initiative(other) is None:
            raise _error(f"unknown initiative '{other}'", file, change)
        if other == item.key:
            raise _error("an initiative cannot depend on itself", file, change)
        if other in item.depends_on:
            return inputs
        return _with(inputs, replace(item, depends_on=(*item.depends_on, other)))
    if inputs.team(other) is None:
        raise _error(f"unknown team '{other}'", file, change)
    return _with(inputs, replace(item, team=other))


def _capacity(team: TeamInput, change: Change, file: str) -> TeamInput:
    amount = change.amount if change.amount is not None else 1.0
    if change.kind == "add_person":
        if team.members <= 0:
            raise _error(
                f"team '{team.key}' lists no members, so one person's capacity is unknown; "
                "use add_capacity with per_week instead",
                file,
                change,
            )
        per_person = team.capacity_per_week / team.members
        new = replace(
            team,
            capacity_per_week=team.capacity_per_week + amount * per_person,
            members=team.members + round(amount),
        )
    elif change.kind == "add_capacity":
        new = replace(team, capacity_per_week=team.capacity_per_week + amount)
    else:
        new = replace(team, capacity_per_week=amount)
    if new.capacity_per_week <= 0:
        raise _error(
            f"leaves team '{team.key}' with capacity {new.capacity_per_week:g} per week; "
            "a team needs some capacity (move or drop its initiatives instead)",
            file,
            change,
        )
    return new


def _first(items: tuple[InitiativeInput, ...], key: str) -> tuple[InitiativeInput, ...]:
    """``key`` and the unfinished work it waits on moved to the front, dependencies first."""
    by_key = {i.key: i for i in items}
    ahead: list[str] = []

    def visit(current: str) -> None:
        for dep in by_key[current].depends_on:
            if dep not in ahead and by_key[dep].status not in (FINISHED, DROPPED):
                visit(dep)
        if current not in ahead:
            ahead.append(current)

    visit(key)
    return tuple(by_key[k] for k in ahead) + tuple(i for i in items if i.key not in ahead)


def _with_team(teams: tuple[TeamInput, ...], new: TeamInput) -> tuple[TeamInput, ...]:
    return tuple(new if t.key == new.key else t for t in teams)


def _with(inputs: PlanInputs, new: InitiativeInput) -> PlanInputs:
    return replace(
        inputs,
        initiatives=tuple(new if i.key == new.key else i for i in inputs.initiatives),
    )


def _error(message: str, file: str, change: Change) -> InputError:
    return InputError(message, file=file, line=change.line, field=change.field)
