"""Gather the reports' data from the services the pages use: what both reports share
(:func:`common`) and the executive report; the engineering report's own part is in
report_engineering.py.

Each function reads through the existing read models (overview, delivery, themes, decisions,
retro, KPIs, code health) and returns the plain dataclasses of :mod:`productpath.reports`; the
charts are drawn here, from the same models, so the reports package never sees a service type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from productpath.charts.trend import trend_chart
from productpath.delivery.progress import WINDOW_WEEKS
from productpath.delivery.risks import STALE, Slip, SlipCause, severity, slip_of
from productpath.delivery.status import DeliveryStatus
from productpath.domain import clock
from productpath.insights.trends import share_change, theme_trends, trend_end
from productpath.reports.exec_report import (
    DecisionLine,
    ExecData,
    KeyResultLine,
    MilestoneLine,
    ObjectiveLine,
    RiskLine,
    SlipLine,
    ThemeLine,
)
from productpath.reports.model import Chart, long_date, plural
from productpath.services.learning import kpis
from productpath.services.learning.decisions import review_decisions
from productpath.services.pages import overview
from productpath.services.pages.delivery_view import DeliveryPage, delivery_page
from productpath.services.workspace import OpenWorkspace
from productpath.store import feedback_repo, insight_repo, product_repo, report_repo
from productpath.store.models import Initiative, Product, RaciAssignment, Stakeholder

TREND_WEEKS = 12
# A Gantt chart taller than this stops being readable on paper (and slows the PDF down).
GANTT_ROWS = 60
_LINK = re.compile(r' href="[^"]*"')
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# Delivery's words for work, as a reader outside the team says them.
_PLAIN_WORDS = (
    ("no commits or tracker items are linked to it", "no work is recorded against it yet"),
    ("linked commits", "recorded changes"),
    ("linked items", "tasks"),
    ("items/week", "items a week"),
)
_KEYISH = re.compile(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b")
# A dependency's key in delivery's wording ("depends on onboarding, which is ..."), dashed or not.
_DEPENDENCY_KEY = re.compile(r"\b[a-z0-9][a-z0-9-]*(?=, which is )")
# A dependency's own slip, repeated in each dependant's reason; its own row gives it once.
_SLIP_DETAIL = re.compile(r"(which is slipping): [^;]*")


def plain_reason(reason: str, titles: dict[str, str]) -> str:
    """A delivery risk's reason for readers outside the team: dates written out, initiative
    keys replaced by their titles, "items/week" as words."""

    def day(match: re.Match[str]) -> str:
        try:
            return long_date(dt.date(*(int(g) for g in match.groups())))
        except ValueError:
            return match.group(0)

    text = _ISO_DAY.sub(day, reason)
    for technical, plain in _PLAIN_WORDS:
        text = text.replace(technical, plain)
    text = _KEYISH.sub(lambda m: titles.get(m.group(0), m.group(0)), text)
    text = _DEPENDENCY_KEY.sub(lambda m: titles.get(m.group(0), m.group(0)), text)
    return text


@dataclass(frozen=True)
class Common:
    """What both reports read: the roadmap with its plan, and the delivery page."""

    roadmap: overview.RoadmapView
    delivery: DeliveryPage
    owners: dict[str, str]  # initiative key -> owner name
    milestone: str | None  # the one milestone asked for, or None for all


def common(
    handle: OpenWorkspace, today: dt.date, milestone: str | None, since: dt.date | None = None
) -> Common:
    roadmap = overview.roadmap_view(handle, today=today)
    # A report as of today measures flow up to the data's last day (said in the report); one
    # as of a chosen other day measures up to that day.
    anchor = today == clock.today()
    metrics_day = None if anchor else today
    page = delivery_page(handle, today=today, anchor_metrics=anchor)
    if since is not None:
        from productpath.services.delivery import delivery_metrics

        page = page.model_copy(
            update={"metrics": delivery_metrics(handle, since=since, today=metrics_day)}
        )
    return Common(roadmap, page, _owners(handle, roadmap), milestone)


def _owners(handle: OpenWorkspace, roadmap: overview.RoadmapView) -> dict[str, str]:
    """The accountable stakeholder (RACI 'A') of each initiative, else its team."""
    owners = {
        i.key: i.team.name
        for m in (
            *roadmap.milestones,
            overview.MilestoneInfo(
                key="",
                name="",
                description="",
                target_date=dt.date.min,
                initiatives=roadmap.unscheduled,
            ),
        )
        for i in m.initiatives
        if i.team is not None
    }
    with handle.store.read() as session:
        rows = session.execute(
            select(Initiative.key, Stakeholder.name)
            .join(RaciAssignment, RaciAssignment.initiative_id == Initiative.id)
            .join(Stakeholder, Stakeholder.id == RaciAssignment.stakeholder_id)
            .join(Product, Product.id == Initiative.product_id)
            .where(Product.key == handle.workspace.product, RaciAssignment.role == "A")
            .order_by(Initiative.key, Stakeholder.name)
        )
        accountable: dict[str, str] = {}
        for key, name in rows:
            accountable.setdefault(key, name)
    owners.update(accountable)
    return owners


def _titles(c: Common) -> dict[str, str]:
    return {
        i.key: i.title
        for group in (
            c.roadmap.lanes.now,
            c.roadmap.lanes.next,
            c.roadmap.lanes.later,
            c.roadmap.lanes.done,
            c.roadmap.lanes.dropped,
        )
        for i in group
    }


def _members(c: Common) -> set[str] | None:
    """Initiatives of the chosen milestone (None: every initiative)."""
    if c.milestone is None:
        return None
    return {i.key for m in c.roadmap.milestones if m.key == c.milestone for i in m.initiatives}


def _effort(c: Common) -> dict[str, float]:
    schedule = c.roadmap.plan.schedule
    effort: dict[str, float] = {}
    if schedule is None:
        return effort
    for slot in schedule.slots:
        if slot.milestone:
            effort[slot.milestone] = effort.get(slot.milestone, 0.0) + slot.effort_weeks
    return effort


def _risks(c: Common, status: DeliveryStatus | None) -> list[tuple[str, str, str, str]]:
    """(initiative key, kind, reason, owner), worst first."""
    if status is None:
        return []
    members = _members(c)
    found = [
        (i.key, r.kind, r.reason, c.owners.get(i.key, ""))
        for i in status.initiatives
        if members is None or i.key in members
        for r in i.risks
    ]
    found.sort(key=lambda r: (severity(r[1]), r[0]))
    return found


def exec_data(
    handle: OpenWorkspace, c: Common, today: dt.date, shipped: Sequence[str], since: dt.date
) -> ExecData:
    titles = _titles(c)
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        stored = report_repo.objectives(session, product_id)
    objectives = []
    for o in stored:
        lines = []
        for kr in o.key_results:
            progress = kpis.key_result_progress(handle, o.key, kr.key)
            unit = f" {kr.unit}" if kr.unit and kr.unit != "%" else (kr.unit or "")
            lines.append(
                KeyResultLine(
                    key=kr.key,
                    title=kr.title,
                    target=f"{kr.target:g}{unit}" if kr.target is not None else "",
                    progress=progress.progress if progress else None,
                    latest=f"now {progress.latest:g}{unit} on {long_date(progress.latest_day)}"
                    if progress
                    else "",
                )
            )
        objectives.append(ObjectiveLine(o.title, tuple(lines), o.initiatives, o.done))
    status = c.delivery.status
    scope = {m.key: m.items_total for m in status.milestones} if status else {}
    effort = _effort(c)
    forecast = c.roadmap.plan.forecast
    milestones = []
    for m in c.roadmap.milestones:
        if c.milestone is not None and m.key != c.milestone:
            continue
        fm = next((f for f in forecast.milestones if f.key == m.key), None) if forecast else None
        milestones.append(
            MilestoneLine(
                key=m.key,
                name=m.name,
                target=m.target_date,
                probability=fm.probability if fm else None,
                p50=fm.finish.p50 if fm and fm.finish else None,
                p85=fm.finish.p85 if fm and fm.finish else None,
                p95=fm.finish.p95 if fm and fm.finish else None,
                scope=scope.get(m.key),
                effort_weeks=round(effort[m.key], 2) if m.key in effort else None,
                problem=c.roadmap.plan.problem
                or (fm.explanation if fm and fm.finish is None else None),
                slipping=_slipping(status, m.key) if status else (),
            )
        )
    note = (
        f"Dates: {forecast.trials:,} simulated runs of the roadmap from today with the teams' "
        "capacity, the estimates' ranges and the recent pace of work under way."
        if forecast
        else ""
    )
    risks = tuple(
        RiskLine(
            titles.get(key, key), kind, plain_reason(_SLIP_DETAIL.sub(r"\1", reason), titles), owner
        )
        for key, kind, reason, owner in _risks(c, status)
    )
    themes, themes_note, _ = _themes(handle, today)
    decisions = review_decisions(handle, today=today, include_all=True).decisions
    return ExecData(
        product=c.roadmap.product.name,
        today=today,
        objectives=tuple(objectives),
        milestones=tuple(milestones),
        forecast_note=note,
        risks=risks,
        themes=themes,
        themes_note=themes_note,
        decisions=tuple(DecisionLine(d.title, d.owner, d.review_on, d.due) for d in decisions),
        shipped=tuple(shipped),
        shipped_since=since,
        throughput_per_week=c.delivery.metrics.throughput.per_week
        if c.delivery.metrics.throughput.total
        else None,
    )


def _slipping(status: DeliveryStatus, milestone: str) -> tuple[SlipLine, ...]:
    """The milestone's own work that delivery sees late or stalled, each with why in plain
    words: a milestone holding either is never called safe, whatever its forecast says."""
    lines = []
    for initiative in status.initiatives:
        if initiative.milestone != milestone:
            continue
        slip = next((found for risk in initiative.risks if (found := slip_of(risk))), None)
        if slip is not None:
            lines.append(SlipLine(initiative.title, _slip_sentence(initiative.title, slip)))
        elif any(risk.kind == STALE for risk in initiative.risks):
            lines.append(SlipLine(initiative.title, f"{initiative.title} has stalled"))
    return tuple(lines)


def _slip_sentence(title: str, slip: Slip) -> str:
    """A slipping initiative in business words, for the test that found it slipping."""
    target = long_date(slip.target_date)
    if slip.cause is SlipCause.TARGET_PASSED:
        return f"{title} has passed its {target} target with work still open"
    if slip.cause is SlipCause.PROJECTED_LATE and slip.projected_date is not None:
        return (
            f"{title} ends {long_date(slip.projected_date)} at its current pace, after "
            f"the {target} target"
        )
    return (
        f"{title} has had no work finished in the last {WINDOW_WEEKS} weeks, with "
        f"{plural(slip.remaining, 'task')} left before the {target} target"
    )


def _themes(
    handle: OpenWorkspace, today: dt.date
) -> tuple[tuple[ThemeLine, ...], str, Chart | None]:
    """Top themes (up to two emerging ones first, then the largest) with revenue and trend.

    The same trend test as the themes page (:func:`insights.trends.theme_trends`), fed from
    per-theme, per-day counts aggregated in SQL rather than one row per feedback item.
    """
    with handle.store.read() as session:
        product_id = product_repo.find_id(session, handle.workspace.product) or -1
        stored = [t for t in insight_repo.themes(session, product_id) if t.active]
        days = report_repo.theme_days(session, product_id)
        revenue = report_repo.theme_customers(session, product_id)
        feedback = feedback_repo.count(session, product_id)
    if not stored or not days:
        note = (
            "No customer feedback yet."
            if feedback == 0
            else "Feedback is in, but no themes yet: run 'productpath insights run'."
        )
        return (), note, None
    dates: list[dt.date] = []
    numbers: list[int] = []
    sentiments: list[float | None] = []
    for d in days:
        dates.extend([d.day] * d.count)
        numbers.extend([-1 if d.theme is None else d.theme] * d.count)
        mean = d.sentiment_sum / d.sentiment_count if d.sentiment_count else None
        sentiments.extend([mean] * d.sentiment_count + [None] * (d.count - d.sentiment_count))
    # Up to the newest day not after the report's own date, so a back-dated report (the
    # demo's earlier runs) reads the themes as they stood then.
    sources, end = [d.source for d in days for _ in range(d.count)], trend_end(dates, today)
    trends = theme_trends(dates, numbers, sentiments, as_of=end, sources=sources)
    sizes: dict[int, int] = {}
    for d in days:
        if d.theme is not None:
            sizes[d.theme] = sizes.get(d.theme, 0) + d.count
    emerging = [t for t in stored if t.number in trends and trends[t.number].evidence.emerging]
    biggest = sorted(stored, key=lambda t: (-sizes.get(t.number, 0), t.number))
    chosen = (emerging[:2] + [t for t in biggest if t not in emerging[:2]])[:5]
    lines = tuple(
        ThemeLine(
            label=t.label,
            items=sizes.get(t.number, 0),
            revenue=sum(r or 0.0 for r in revenue.get(t.number, [])),
            emerging=t in emerging,
            source_shift=t.number in trends and bool(trends[t.number].evidence.source_shift),
            customers=len(revenue.get(t.number, [])),
            trend=_trend_word(share_change(trends[t.number].evidence))
            if t.number in trends
            else "-",
        )
        for t in chosen
    )
    series = [
        (
            t.label,
            [
                (w.week_start + dt.timedelta(days=6), float(w.count))
                for w in trends[t.number].weeks[-TREND_WEEKS:]
            ]
            if t.number in trends
            else [],
        )
        for t in chosen
    ]
    chart = None
    if any(points for _, points in series):
        chart = Chart(
            "Customer requests per week",
            str(
                trend_chart(series, chart_id="theme-trends", title="Requests per week", as_of=today)
            ),
            f"Mentions per week of the top requests over the last {TREND_WEEKS} weeks.",
        )
    return lines, "", chart


def _trend_word(ratio: float | None) -> str:
    """The recent share against the earlier one, in a word (a third either way is a move)."""
    if ratio == float("inf"):  # nothing earlier: all of it is recent
        return "rising"
    if ratio is None:
        return "-"
    return "rising" if ratio >= 1.33 else "falling" if ratio <= 0.75 else "steady"
