"""Rules a roadmap must satisfy beyond each field's own type: unique ids, references, no cycles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from productpath.domain.roadmap import RACI_ROLES, InitiativeSpec, RoadmapDoc


@dataclass(frozen=True)
class RuleViolation:
    """A broken rule and the path of the field that breaks it, e.g. ("initiatives", 3, "team")."""

    path: tuple[str | int, ...]
    message: str
    cycle: tuple[str, ...] = ()


def check(doc: RoadmapDoc) -> list[RuleViolation]:
    """Every rule violation in ``doc``, grouped by rule (an empty list means it is valid).

    Cycles are looked for only once every reference resolves, so a typo is never reported as
    a cycle.
    """
    problems: list[RuleViolation] = []
    sections = ("objectives", "teams", "stakeholders", "milestones", "initiatives")
    for section in (*sections, "segments", "customers", "competitors", "features"):
        problems += _duplicates((section,), [item.id for item in getattr(doc, section)])
    for o, objective in enumerate(doc.objectives):
        problems += _duplicates(
            ("objectives", o, "key_results"), [kr.id for kr in objective.key_results]
        )
    known = Known(
        objectives=frozenset(o.id for o in doc.objectives),
        teams=frozenset(t.id for t in doc.teams),
        milestones=frozenset(m.id for m in doc.milestones),
        initiatives=frozenset(i.id for i in doc.initiatives),
        stakeholders=frozenset(s.id for s in doc.stakeholders),
    )
    initiatives = set(known.initiatives)
    for n, initiative in enumerate(doc.initiatives):
        problems += initiative_rules(n, initiative, known)
    problems += _market_references(doc, initiatives)
    if not problems:
        problems += cycle_rule(
            [i.id for i in doc.initiatives], {i.id: i.depends_on for i in doc.initiatives}
        )
    return problems


@dataclass(frozen=True)
class Known:
    """The keys a roadmap's initiatives may name: its objectives, teams, milestones, initiatives
    and stakeholders."""

    objectives: frozenset[str]
    teams: frozenset[str]
    milestones: frozenset[str]
    initiatives: frozenset[str]
    stakeholders: frozenset[str]


def initiative_rules(n: int, initiative: InitiativeSpec, known: Known) -> list[RuleViolation]:
    """The rules one initiative (the ``n``-th of the roadmap) must satisfy on its own fields:
    references that resolve, no dependency listed twice or on itself, no repeated evidence."""
    problems: list[RuleViolation] = []
    refs = (
        ("objective", initiative.objective, known.objectives),
        ("team", initiative.team, known.teams),
        ("milestone", initiative.milestone, known.milestones),
    )
    for field, value, keys in refs:
        if value is not None and value not in keys:
            problems.append(RuleViolation(("initiatives", n, field), f"unknown {field} '{value}'"))
    seen: set[str] = set()
    for d, dep in enumerate(initiative.depends_on):
        where: tuple[str | int, ...] = ("initiatives", n, "depends_on", d)
        if dep in seen:
            problems.append(RuleViolation(where, f"'{dep}' is listed twice"))
        elif dep not in known.initiatives:
            problems.append(RuleViolation(where, f"unknown initiative '{dep}'"))
        elif dep == initiative.id:
            problems.append(RuleViolation(where, "an initiative cannot depend on itself"))
        seen.add(dep)
    for field in ("themes", "feedback"):
        problems += _repeated(("initiatives", n, field), getattr(initiative, field))
    if initiative.raci is not None:
        for role in RACI_ROLES:
            # The lists are kept sorted, so the role is the place to point at.
            unknown = [k for k in getattr(initiative.raci, role) if k not in known.stakeholders]
            if unknown:
                problems.append(
                    RuleViolation(
                        ("initiatives", n, "raci", role),
                        f"unknown stakeholder '{unknown[0]}'; list it under stakeholders",
                    )
                )
    return problems


def cycle_rule(order: Sequence[str], edges: Mapping[str, Sequence[str]]) -> list[RuleViolation]:
    """A dependency cycle among the initiatives (``order``: their keys in roadmap order;
    ``edges``: what each depends on), pointing at the edge that leaves the first initiative on
    the cycle; an empty list when there is none. Every reference must resolve."""
    cycle = find_cycle({key: edges.get(key, ()) for key in order})
    if not cycle:
        return []
    index = list(order).index(cycle[0])
    edge = list(edges[cycle[0]]).index(cycle[1 % len(cycle)])
    return [
        RuleViolation(("initiatives", index, "depends_on", edge), "dependency cycle", tuple(cycle))
    ]


def find_cycle(edges: Mapping[str, Sequence[str]]) -> list[str] | None:
    """One cycle in a dependency graph, as the list of nodes on it, or None.

    Iterative depth-first search with three colours, so deep chains cannot overflow the stack.
    Nodes are visited in insertion order so the cycle reported is deterministic.
    """
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(edges, white)
    for start in edges:
        if colour[start] != white:
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(edges.get(start, ())))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            child = next(iter(children), None)
            if child is None:
                colour[node] = black
                stack.pop()
                path.pop()
                continue
            state = colour.get(child, black)
            if state == grey:
                return path[path.index(child) :]
            if state == white:
                colour[child] = grey
                stack.append((child, iter(edges.get(child, ()))))
                path.append(child)
    return None


def _market_references(doc: RoadmapDoc, initiatives: set[str]) -> list[RuleViolation]:
    """Customers name listed segments; features name listed competitors and initiatives."""
    problems: list[RuleViolation] = []
    segments = {s.id for s in doc.segments}
    for n, customer in enumerate(doc.customers):
        if customer.segment is not None and customer.segment not in segments:
            problems.append(
                RuleViolation(
                    ("customers", n, "segment"),
                    f"unknown segment '{customer.segment}'; list it under segments",
                )
            )
    competitors = {c.id for c in doc.competitors}
    for f, feature in enumerate(doc.features):
        problems += _repeated(("features", f, "planned_by"), feature.planned_by)
        for p, key in enumerate(feature.planned_by):
            if key not in initiatives:
                problems.append(
                    RuleViolation(("features", f, "planned_by", p), f"unknown initiative '{key}'")
                )
        seen: set[str] = set()
        for c, cell in enumerate(feature.support):
            where = ("features", f, "support", c, "competitor")
            if cell.competitor not in competitors:
                problems.append(RuleViolation(where, f"unknown competitor '{cell.competitor}'"))
            elif cell.competitor in seen:
                problems.append(RuleViolation(where, f"'{cell.competitor}' is listed twice"))
            seen.add(cell.competitor)
    return problems


def _repeated(prefix: tuple[str | int, ...], values: Sequence[object]) -> list[RuleViolation]:
    seen: set[object] = set()
    problems = []
    for n, value in enumerate(values):
        if value in seen:
            problems.append(RuleViolation((*prefix, n), f"'{value}' is listed twice"))
        seen.add(value)
    return problems


def _duplicates(prefix: tuple[str | int, ...], ids: list[str]) -> list[RuleViolation]:
    seen: set[str] = set()
    problems = []
    for n, key in enumerate(ids):
        if key in seen:
            problems.append(RuleViolation((*prefix, n, "id"), f"duplicate id '{key}'"))
        seen.add(key)
    return problems
