"""The engineering report: scope, burn-up, blockers, dependencies, flow metrics, code health
and the forecast retrospective (how often P85 held, calibration per team)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.domain.stakeholders import REPORT_READERS
from productpath.reports.changes import Facts, describe_changes, milestone_change
from productpath.reports.model import Chart, ReportContext, Section, Table, plural, short_date


@dataclass(frozen=True)
class ScopeLine:
    key: str
    name: str
    target: dt.date
    initiatives: int
    items_done: int
    items_total: int
    projected: dt.date | None  # at the recent pace
    on_track: bool | None
    p85: dt.date | None  # roadmap forecast
    effort_weeks: float | None
    explanation: str


@dataclass(frozen=True)
class BlockerLine:
    initiative: str
    kind: str
    reason: str
    owner: str


@dataclass(frozen=True)
class DependencyLine:
    initiative: str
    waits_on: str
    state: str  # the dependency's status, or "slipping"


@dataclass(frozen=True)
class FlowLine:
    name: str
    value: str
    definition: str


@dataclass(frozen=True)
class HitRateLine:
    group: str
    n: int
    p50: float
    p85: float
    p95: float


@dataclass(frozen=True)
class CalibrationLine:
    team: str
    n: int
    factor: float
    enough: bool


@dataclass(frozen=True)
class EngineeringData:
    product: str
    today: dt.date
    scope: tuple[ScopeLine, ...]
    status_counts: dict[str, int]
    blockers: tuple[BlockerLine, ...]
    dependencies: tuple[DependencyLine, ...]
    flow: tuple[FlowLine, ...]
    flow_window: str
    throughput_per_week: float | None
    code_health: tuple[str, ...]
    code_health_note: str
    hit_rates: tuple[HitRateLine, ...]  # "all" first, then per team
    calibration: tuple[CalibrationLine, ...]
    retro_notes: tuple[str, ...]
    timeline_chart: Chart | None
    fan_charts: tuple[Chart, ...]
    burnup_charts: tuple[Chart, ...]
    retro_chart: Chart | None
    plan_problem: str | None = None
    demand_chart: Chart | None = None  # customer requests per week, top themes


def engineering_facts(data: EngineeringData) -> dict[str, Any]:
    return {
        "as_of": data.today.isoformat(),
        "milestones": {
            s.key: {
                "name": s.name,
                "target": s.target.isoformat(),
                "p85": s.p85.isoformat() if s.p85 else None,
                "scope": s.items_total,
                "effort_weeks": s.effort_weeks,
            }
            for s in data.scope
        },
        "throughput_per_week": data.throughput_per_week,
        "risks": {f"{b.initiative}/{b.kind}": f"{b.initiative}: {b.reason}" for b in data.blockers},
    }


def build_engineering(
    data: EngineeringData,
    *,
    previous: Facts | None,
    previous_on: dt.date | None,
    data_as_of: dt.datetime | None,
    sources: tuple[str, ...],
) -> tuple[ReportContext, dict[str, Any]]:
    facts = engineering_facts(data)
    sections = (
        _scope(data, previous, facts, previous_on),
        Section(
            "burnup",
            "Burn-up per milestone",
            charts=data.burnup_charts,
            empty="No tracked work is linked to a milestone yet (import the tracker and link "
            "work to see burn-ups).",
        ),
        _blockers(data),
        _dependencies(data),
        Section(
            "flow",
            "Flow metrics",
            paragraphs=(data.flow_window,) if data.flow else (),
            tables=(
                Table(
                    ("Metric", "Value", "How it is measured"),
                    tuple((f.name, f.value, f.definition) for f in data.flow),
                ),
            )
            if data.flow
            else (),
            empty="No finished work in the window yet.",
        ),
        Section(
            "code-health",
            "Code-health warnings",
            bullets=data.code_health,
            paragraphs=(data.code_health_note,) if data.code_health_note else (),
            empty="No repositories ingested yet.",
        ),
        _retro(data),
        Section(
            "demand",
            "Customer demand",
            charts=(data.demand_chart,) if data.demand_chart else (),
            empty="No customer feedback has been analysed into themes yet.",
        ),
    )
    context = ReportContext(
        kind="engineering",
        title=f"{data.product}: engineering report",
        product=data.product,
        audience=REPORT_READERS["engineering"],
        generated_on=data.today,
        data_as_of=data_as_of,
        sources=sources,
        changes=describe_changes(previous, facts, previous_on, "engineering"),
        previous_on=previous_on,
        sections=sections,
        summary=_summary(data),
    )
    return context, facts


def _summary(data: EngineeringData) -> str:
    counts = data.status_counts
    total = sum(counts.values())
    if not total:
        return ""
    parts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in counts.items() if n)
    return (
        f"{plural(total, 'initiative')} on the roadmap ({parts}); "
        f"{plural(len(data.blockers), 'open risk')}."
    )


def _scope(
    data: EngineeringData, previous: Facts | None, facts: Facts, previous_on: dt.date | None
) -> Section:
    rows = []
    notes = []
    for s in data.scope:
        pace = short_date(s.projected) if s.projected else "-"
        status = {True: "on track", False: "late", None: "unknown"}[s.on_track]
        rows.append(
            (
                s.name,
                short_date(s.target),
                str(s.initiatives),
                f"{s.items_done}/{s.items_total}",
                f"{pace} ({status})",
                short_date(s.p85) if s.p85 else "-",
            )
        )
        change = milestone_change(previous, facts, s.key, previous_on)
        if change and not change.startswith("unchanged"):
            notes.append(f"{s.name}: P85 {change}.")
    return Section(
        "scope",
        "Scope and dates",
        tables=(
            Table(
                ("Milestone", "Target", "Initiatives", "Items done", "At recent pace", "P85"),
                tuple(rows),
                numeric=(2, 3),
            ),
        )
        if rows
        else (),
        bullets=tuple(notes),
        charts=tuple(c for c in (data.timeline_chart, *data.fan_charts) if c is not None),
        paragraphs=(f"No forecast: {data.plan_problem}",) if data.plan_problem else (),
        empty="No milestones in the roadmap yet.",
    )


def _blockers(data: EngineeringData) -> Section:
    return Section(
        "blockers",
        "Blockers and risks",
        tables=(
            Table(
                ("Initiative", "Risk", "Evidence", "Owner"),
                tuple(
                    (b.initiative, b.kind.replace("_", " "), b.reason, b.owner or "-")
                    for b in data.blockers
                ),
            ),
        )
        if data.blockers
        else (),
        empty="No open risks in the linked work.",
    )


def _dependencies(data: EngineeringData) -> Section:
    return Section(
        "dependencies",
        "Open dependencies",
        bullets=tuple(
            f"{d.initiative} waits on {d.waits_on} ({d.state})" for d in data.dependencies
        ),
        empty="No open initiative waits on unfinished work.",
    )


def _retro(data: EngineeringData) -> Section:
    tables = []
    if data.hit_rates:
        tables.append(
            Table(
                ("Group", "Forecasts scored", "P50 held", "P85 held", "P95 held"),
                tuple(
                    (h.group, str(h.n), f"{h.p50:.0%}", f"{h.p85:.0%}", f"{h.p95:.0%}")
                    for h in data.hit_rates
                ),
                numeric=(1, 2, 3, 4),
                caption="How often the forecast dates held (a calibrated forecast holds about "
                "50%, 85% and 95% of the time)",
            )
        )
    if data.calibration:
        tables.append(
            Table(
                ("Team", "Initiatives", "Calibration factor"),
                tuple(
                    (
                        c.team,
                        str(c.n),
                        f"{c.factor:.2f}" + ("" if c.enough else " (too few to rely on)"),
                    )
                    for c in data.calibration
                ),
                numeric=(1, 2),
                caption="Actual effort divided by the estimate (1.00 = estimates were right)",
            )
        )
    return Section(
        "retro",
        "Forecast retrospective",
        tables=tuple(tables),
        charts=(data.retro_chart,) if data.retro_chart and data.hit_rates else (),
        paragraphs=data.retro_notes if tables else (),
        empty="No finished initiative has a stored forecast or estimate yet "
        "(run 'productpath forecast roadmap' to store one).",
    )
