"""The executive report: one page in business language.

Objectives and how far their key results have come, each milestone's chance of landing as a
sentence ("Card everywhere: 85% likely by 9 February 2027; slipped 9 days since the last report
because its scope grew from 12 to 15 items"), the top delivery risks with their owners, what
customers are asking for (with the revenue behind it) and the decisions waiting on someone.

A milestone counts as safe only when the forecast gives it at least :data:`SAFE` and none of
its initiatives is slipping on the delivery page: the headline says why it is at risk and the
milestone's sentence is marked "at risk", so the report never calls a milestone safe that
delivery sees late.

Under the milestone sentences, one chart a board reads at a glance: each milestone's likely
finish (50% to 95% likely) as a bar against its target date (:mod:`productpath.charts.
milestones`); at-risk milestones are drawn in amber.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from productpath.charts.milestones import MilestoneRange, milestone_range_svg
from productpath.domain.stakeholders import REPORT_READERS
from productpath.reports.changes import Facts, describe_changes, milestone_change
from productpath.reports.model import (
    Chart,
    ReportContext,
    Section,
    Table,
    chance,
    long_date,
    money,
    plural,
)

TOP_RISKS = 3
TOP_THEMES = 5
# The chance a milestone needs, with no slipping work, to count as safe in the headline.
SAFE = 0.85


@dataclass(frozen=True)
class KeyResultLine:
    key: str
    title: str
    target: str  # "80 %", "" when none
    progress: float | None  # 0..1 from its KPI; None when no KPI feeds it
    latest: str  # "72.5 on 3 Nov 2026", "" when unknown


@dataclass(frozen=True)
class ObjectiveLine:
    title: str
    key_results: tuple[KeyResultLine, ...]
    initiatives_total: int
    initiatives_done: int


@dataclass(frozen=True)
class SlipLine:
    """An initiative of a milestone that delivery sees late, and why in business words."""

    initiative: str
    why: str  # "Identity checks ends 30 March 2027 at its current pace, after the ... target"


@dataclass(frozen=True)
class MilestoneLine:
    key: str
    name: str
    target: dt.date
    probability: float | None  # of being done by the target
    p50: dt.date | None
    p85: dt.date | None
    p95: dt.date | None
    scope: int | None  # tracked items
    effort_weeks: float | None  # estimated weeks of work left
    problem: str | None = None  # why there is no forecast
    slipping: tuple[SlipLine, ...] = ()  # its initiatives that delivery sees late

    @property
    def safe(self) -> bool:
        return self.probability is not None and self.probability >= SAFE and not self.slipping

    @property
    def at_risk(self) -> bool:
        """Forecast below :data:`SAFE`, or work of it slipping (no forecast alone is neither)."""
        return not self.safe and (self.probability is not None or bool(self.slipping))


@dataclass(frozen=True)
class RiskLine:
    initiative: str
    kind: str
    reason: str
    owner: str


@dataclass(frozen=True)
class ThemeLine:
    label: str
    items: int
    revenue: float
    emerging: bool
    customers: int
    trend: str  # "rising", "steady", "falling" or "-"
    # Named by the insight engine from the feedback's words, not by a person: to be checked
    # before the report is shared.
    machine_label: bool = True
    # Its share rose because a feedback source started or stopped, not because customers ask more.
    source_shift: bool = False


@dataclass(frozen=True)
class DecisionLine:
    title: str
    owner: str
    review_on: dt.date | None
    due: bool


@dataclass(frozen=True)
class ExecData:
    product: str
    today: dt.date
    objectives: tuple[ObjectiveLine, ...]
    milestones: tuple[MilestoneLine, ...]
    forecast_note: str  # how the dates were forecast
    risks: tuple[RiskLine, ...]
    themes: tuple[ThemeLine, ...]
    themes_note: str  # "" or why there are none
    decisions: tuple[DecisionLine, ...]
    shipped: tuple[str, ...]
    shipped_since: dt.date
    throughput_per_week: float | None


_RISK_WORDS = {
    "slipping": "may miss its date",
    "dependency_slipped": "waits on late work",
    "stale": "has stalled",
    "scope_growth": "keeps growing",
    "concentration": "depends on one person",
}


def exec_facts(data: ExecData) -> dict[str, Any]:
    """What this report states, for the next report's comparison."""
    return {
        "as_of": data.today.isoformat(),
        "milestones": {
            m.key: {
                "name": m.name,
                "target": m.target.isoformat(),
                "p85": m.p85.isoformat() if m.p85 else None,
                "probability": m.probability,
                "scope": m.scope,
                "effort_weeks": m.effort_weeks,
            }
            for m in data.milestones
        },
        "throughput_per_week": data.throughput_per_week,
        "risks": {f"{r.initiative}/{r.kind}": _risk_text(r) for r in data.risks[:TOP_RISKS]},
        "themes": {t.label: t.items for t in data.themes[:TOP_THEMES]},
        "key_results": {
            kr.key: round(kr.progress, 4)
            for o in data.objectives
            for kr in o.key_results
            if kr.progress is not None
        },
        "shipped": list(data.shipped),
        "decisions_due": [d.title for d in data.decisions if d.due],
    }


def milestone_sentence(
    m: MilestoneLine, previous: Facts | None, current: Facts, previous_on: dt.date | None
) -> str:
    """'Card everywhere: 85% likely by 9 February 2027 (target 14 February 2027, 97% chance of
    making it); slipped 9 days since the last report because ...', its name marked '(at risk)'
    whenever the summary lists it as at risk (a chance under 85% or work of it slipping)."""
    name = f"{m.name} (at risk)" if m.at_risk else m.name
    if m.p85 is None:
        why = m.problem or "its work has no estimates yet"
        return f"{name}: no forecast yet ({why}); target {long_date(m.target)}."
    odds = f", {chance(m.probability)} chance of making it" if m.probability is not None else ""
    forecast = f"85% likely by {long_date(m.p85)} (target {long_date(m.target)}{odds})"
    if m.slipping and m.probability is not None and m.probability >= SAFE:
        # Only the estimates still say it lands; its work's own progress says otherwise.
        forecast = f"going by the estimates alone, {forecast}"
    sentence = f"{name}: {forecast}"
    change = milestone_change(previous, current, m.key, previous_on)
    return sentence + (f"; {change}." if change else ".")


def build_exec(
    data: ExecData,
    *,
    previous: Facts | None,
    previous_on: dt.date | None,
    data_as_of: dt.datetime | None,
    sources: tuple[str, ...],
) -> tuple[ReportContext, dict[str, Any]]:
    """The report's context and the facts to record."""
    facts = exec_facts(data)
    sections = [
        _objectives(data),
        Section(
            "milestones",
            "Will we hit our dates?",
            bullets=tuple(
                # The box above dates the last report; the lines need not repeat it.
                milestone_sentence(m, previous, facts, None)
                for m in data.milestones
            ),
            charts=_milestone_chart(data),
            empty="No milestones in the roadmap yet.",
        ),
        _risks(data),
        _themes(data),
        _decisions(data),
    ]
    summary = _summary(data)
    context = ReportContext(
        kind="exec",
        title=f"{data.product}: executive update",
        product=data.product,
        audience=REPORT_READERS["exec"],
        generated_on=data.today,
        data_as_of=data_as_of,
        sources=sources,
        changes=describe_changes(previous, facts, previous_on, "executive", milestone_detail=False),
        previous_on=previous_on,
        sections=tuple(sections),
        summary=summary,
        notes=(data.forecast_note,) if data.milestones and data.forecast_note else (),
    )
    return context, facts


def _milestone_chart(data: ExecData) -> tuple[Chart, ...]:
    """Each milestone's 50%-95% likely finish against its target, in one picture."""
    if not data.milestones:
        return ()
    rows = [
        MilestoneRange(m.name, m.target, m.p50, m.p85, m.p95, at_risk=m.at_risk)
        for m in data.milestones
    ]
    forecast = [m for m in data.milestones if m.p95 is not None]
    late = sum(1 for m in forecast if m.p95 is not None and m.p95 > m.target)
    summary = (
        f"{late} of {plural(len(forecast), 'milestone')} could finish after its target."
        if forecast
        else "No milestone has a forecast yet: only the targets are shown."
    )
    svg = str(milestone_range_svg(rows, today=data.today, note=summary))
    return (Chart("Milestones: forecast against target", svg, summary),)


def _summary(data: ExecData) -> str:
    parts = []
    if data.milestones:
        on_track = sum(1 for m in data.milestones if m.safe)
        parts.append(
            f"{on_track} of {plural(len(data.milestones), 'milestone')} "
            f"{'is' if on_track == 1 else 'are'} at least {SAFE:.0%} likely to land on time"
        )
    if data.shipped:
        parts.append(
            f"{plural(len(data.shipped), 'initiative')} shipped since "
            f"{long_date(data.shipped_since)}"
        )
    due = sum(1 for d in data.decisions if d.due)
    if due:
        parts.append(f"{plural(due, 'decision')} {'is' if due == 1 else 'are'} due for review")
    summary = ("; ".join(parts) + ".") if parts else ""
    at_risk = [_why_at_risk(m) for m in data.milestones if m.at_risk]
    if at_risk:
        summary += " At risk: " + "; ".join(at_risk) + "."
    return summary


def _why_at_risk(m: MilestoneLine) -> str:
    if m.slipping:
        return f"{m.name}, because {' and '.join(s.why for s in m.slipping)}"
    return f"{m.name} ({chance(m.probability or 0.0)} chance of making {long_date(m.target)})"


def _objectives(data: ExecData) -> Section:
    rows = []
    for o in data.objectives:
        work = f"{o.initiatives_done} of {o.initiatives_total} done"
        results = []
        for kr in o.key_results:
            progress = (
                f"{kr.progress:.0%} of the way" if kr.progress is not None else "not measured yet"
            )
            detail = "; ".join(
                p for p in (f"target {kr.target}" if kr.target else "", kr.latest) if p
            )
            results.append(f"{kr.title}: {progress}" + (f" ({detail})" if detail else ""))
        rows.append((o.title, " / ".join(results) or "no key results set", work))
    return Section(
        "objectives",
        "Objectives and progress",
        tables=(Table(("Objective", "Key results", "Initiatives"), tuple(rows)),) if rows else (),
        empty="No objectives in the roadmap yet.",
    )


def _risk_text(r: RiskLine) -> str:
    return f"{r.initiative} {_RISK_WORDS.get(r.kind, 'is at risk')}"


def _risks(data: ExecData) -> Section:
    rows = tuple(
        (_risk_text(r), r.reason, r.owner or "no owner named") for r in data.risks[:TOP_RISKS]
    )
    more = len(data.risks) - TOP_RISKS
    # Said in the heading rather than a line of its own: the report has one page to fill.
    heading = (
        f"Top risks ({len(rows)} most serious of {len(data.risks)}; the engineering report "
        "lists them all)"
        if more > 0
        else "Top risks"
    )
    return Section(
        "risks",
        heading,
        tables=(Table(("Risk", "Why", "Owner"), rows),) if rows else (),
        empty="No delivery risks found in the linked work.",
    )


def _themes(data: ExecData) -> Section:
    shown = data.themes[:TOP_THEMES]
    # Columns without data are left out: a product without customers on file would show a
    # column of zeros and one of dashes, which reads as "nobody asks" rather than "not known".
    with_customers = any(t.customers or t.revenue for t in shown)
    header = ("Request", "Lately", "Mentions") + (
        ("Customers", "Their annual revenue") if with_customers else ()
    )
    rows = tuple(
        (
            t.label + (" *" if t.machine_label else ""),
            _lately(t),
            f"{t.items:,}",
        )
        + ((f"{t.customers:,}", money(t.revenue) if t.revenue else "-") if with_customers else ())
        for t in shown
    )
    caption = (
        "Requests marked * were named by the machine from the customers' own words: check "
        "each name (productpath themes list) before this report is shared."
        if any(t.machine_label for t in shown)
        else ""
    )
    if any(t.source_shift for t in shown):
        caption += (" " if caption else "") + (
            '"Source mix": the request\'s share changed because a feedback source started or '
            "stopped, not because customers ask more or less."
        )
    table = Table(header, rows, numeric=tuple(range(2, len(header))), caption=caption)
    return Section(
        "customers",
        "What customers are asking for",
        tables=(table,) if rows else (),
        empty=data.themes_note or "No customer feedback has been analysed yet.",
    )


def _lately(theme: ThemeLine) -> str:
    if theme.source_shift:
        return f"{theme.trend}, source mix"
    return "new, " + theme.trend if theme.emerging else theme.trend


def _decisions(data: ExecData) -> Section:
    bullets = tuple(
        f"{d.title} (owner {d.owner}; "
        + (
            f"review was due {long_date(d.review_on)})"
            if d.due and d.review_on
            else f"review by {long_date(d.review_on)})"
            if d.review_on
            else "no review date)"
        )
        for d in data.decisions
    )
    return Section(
        "decisions",
        "Decisions needed",
        bullets=bullets,
        empty="No decisions are open or due for review.",
    )
