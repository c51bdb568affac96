"""Gather the engineering report's data (split from report_data.py, which keeps what both
reports share and the executive report): scope and burn-up per milestone, flow, blockers,
dependencies, forecast calibration, hit rates and code health.
"""

from __future__ import annotations

import datetime as dt

from productpath.charts.burnup import burnup_chart
from productpath.charts.planning import fan_svg, gantt_svg
from productpath.charts.retro import hit_rate_svg
from productpath.reports.engineering_report import (
    BlockerLine,
    CalibrationLine,
    DependencyLine,
    EngineeringData,
    FlowLine,
    HitRateLine,
    ScopeLine,
)
from productpath.reports.model import Chart, long_date
from productpath.services.forecasting.retro import retrospective
from productpath.services.pages.tech_view import code_health_view
from productpath.services.reporting.report_data import (
    _LINK,
    GANTT_ROWS,
    Common,
    _effort,
    _members,
    _risks,
    _themes,
    _titles,
)
from productpath.services.workspace import OpenWorkspace


def engineering_data(handle: OpenWorkspace, c: Common, today: dt.date) -> EngineeringData:
    status = c.delivery.status
    plan = c.roadmap.plan
    forecast = plan.forecast
    members = _members(c)
    effort = _effort(c)
    titles = _titles(c)
    scope_lines = []
    burnups = []
    counts = {m.key: len(m.initiatives) for m in c.roadmap.milestones}
    for m in status.milestones if status else ():
        if c.milestone is not None and m.key != c.milestone:
            continue
        fm = next((f for f in forecast.milestones if f.key == m.key), None) if forecast else None
        scope_lines.append(
            ScopeLine(
                key=m.key,
                name=m.name,
                target=m.target_date,
                initiatives=counts.get(m.key, 0),
                items_done=m.items_done,
                items_total=m.items_total,
                projected=m.projected_date,
                on_track=m.on_track,
                p85=fm.finish.p85 if fm and fm.finish else None,
                effort_weeks=round(effort[m.key], 2) if m.key in effort else None,
                explanation=m.explanation,
            )
        )
        weeks = next((b.weeks for b in c.delivery.burnups if b.milestone == m.key), ())
        if weeks:
            svg = burnup_chart(
                key=m.key,
                name=m.name,
                target=m.target_date,
                today=today,
                projected=m.projected_date,
                weeks=[(w.week_start, w.scope, w.done) for w in weeks],
            )
            burnups.append(
                Chart(
                    f"Burn-up of {m.name}",
                    str(svg),
                    f"{m.name}: {m.items_done} of {m.items_total} items done; {m.explanation}",
                )
            )
    blockers = tuple(
        BlockerLine(titles.get(key, key), kind, reason, owner)
        for key, kind, reason, owner in _risks(c, status)
    )
    by_key = {
        i.key: i
        for lane in (
            c.roadmap.lanes.now,
            c.roadmap.lanes.next,
            c.roadmap.lanes.later,
            c.roadmap.lanes.done,
        )
        for i in lane
    }
    slipping = {b[0] for b in _risks(c, status) if b[1] == "slipping"}
    deps = []
    for key, info in by_key.items():
        if info.status == "done" or (members is not None and key not in members):
            continue
        for dep in info.depends_on:
            target = by_key.get(dep)
            if target is None or target.status == "done":
                continue
            state = "slipping" if dep in slipping else target.status.replace("_", " ")
            deps.append(DependencyLine(info.title, target.title, state))
    metrics = c.delivery.metrics
    flow = []
    if metrics.throughput.total:
        flow.append(
            FlowLine(
                "Throughput",
                f"{metrics.throughput.per_week:.1f} items a week "
                f"({metrics.throughput.total} in total"
                + (f"; {metrics.throughput.bots} more by bots" if metrics.throughput.bots else "")
                + ")",
                metrics.throughput.definition,
            )
        )
    for name, d in (("Cycle time", metrics.cycle_time), ("Lead time", metrics.lead_time)):
        if d.count and d.p50 is not None and d.p85 is not None:
            flow.append(
                FlowLine(
                    name,
                    f"{d.p50:.1f} days median, {d.p85:.1f} days P85 (n={d.count})",
                    d.definition,
                )
            )
    if metrics.deployment_frequency.count:
        flow.append(
            FlowLine(
                "Deployments",
                f"{metrics.deployment_frequency.per_week:.1f} a week",
                metrics.deployment_frequency.definition,
            )
        )
    if metrics.change_failure.rate is not None:
        flow.append(
            FlowLine(
                "Change failure (proxy)",
                f"{metrics.change_failure.rate:.0%}",
                metrics.change_failure.definition,
            )
        )
    window = (
        f"Over {long_date(metrics.since)} to {long_date(metrics.until)} "
        f"({metrics.window_weeks:.0f} weeks)."
        + (f" Note: {metrics.anchor_note}." if metrics.anchor_note else "")
    )
    health, health_note = _code_health(handle)
    _, _, demand = _themes(handle, today)
    retro = retrospective(handle)
    hit_rates = []
    if retro.forecasts.overall is not None:
        hit_rates = [retro.forecasts.overall, *retro.forecasts.by_team]
    fans: tuple[Chart, ...] = ()
    if forecast is not None:
        fans = tuple(
            Chart(f"Forecast for {fm.name}", str(fan_svg(fm, forecast.start)), fm.explanation)
            for fm in forecast.milestones
            if (c.milestone is None or fm.key == c.milestone) and fm.fan
        )
    timeline = None
    if plan.schedule is not None and plan.schedule.slots:
        schedule = plan.schedule
        caption = "The schedule by team; the dashed lines are milestone target dates."
        if len(schedule.slots) > GANTT_ROWS:
            first = sorted(schedule.slots, key=lambda s: (s.start, s.finish, s.key))[:GANTT_ROWS]
            caption += (
                f" It shows the {GANTT_ROWS} initiatives that start first, of "
                f"{len(schedule.slots)} scheduled."
            )
            schedule = schedule.model_copy(update={"slots": tuple(first)})
        gantt = _LINK.sub("", str(gantt_svg(schedule, plan.team_names, today=today)))
        timeline = Chart("Roadmap timeline", gantt, caption)
    return EngineeringData(
        product=c.roadmap.product.name,
        today=today,
        scope=tuple(scope_lines),
        status_counts={k: len(v) for k, v in c.roadmap.lanes.model_dump().items()},
        blockers=blockers,
        dependencies=tuple(deps),
        flow=tuple(flow),
        flow_window=window,
        throughput_per_week=metrics.throughput.per_week if metrics.throughput.total else None,
        code_health=health,
        code_health_note=health_note,
        hit_rates=tuple(HitRateLine(h.group, h.n, h.p50, h.p85, h.p95) for h in hit_rates),
        calibration=tuple(
            CalibrationLine(t.team, t.n, t.factor, t.enough) for t in retro.estimates.teams
        ),
        retro_notes=retro.forecasts.caveats + retro.estimates.caveats,
        timeline_chart=timeline,
        fan_charts=fans,
        burnup_charts=tuple(burnups),
        retro_chart=Chart(
            "Forecast hit rate",
            str(hit_rate_svg(retro.forecasts.overall)),
            "Bars: how often each forecast level held; lines: how often it should.",
        )
        if retro.forecasts.overall is not None
        else None,
        plan_problem=plan.problem,
        demand_chart=demand,
    )


def _code_health(handle: OpenWorkspace) -> tuple[tuple[str, ...], str]:
    view = code_health_view(handle, top=5)
    if not view.repositories:
        return (), ""
    out: list[str] = []
    for repo in view.repositories:
        if not repo.available:
            out.append(f"{repo.name}: not analysed ({repo.problem}).")
            continue
        for o in repo.ownership:
            if o.bus_factor <= 1:
                out.append(
                    f"{repo.name}/{o.directory}: only {o.top_author} knows it well "
                    f"(bus factor 1, {o.concentration:.0%} of {o.commits} commits)."
                )
        for a in repo.abandoned:
            out.append(
                f"{repo.name}/{a.directory}: untouched for {a.days_since_change} days "
                f"({'; '.join(a.reasons)})."
            )
        for h in repo.hotspots[:3]:
            out.append(
                f"{repo.name}/{h.path}: hotspot, {h.commits} commits by {h.authors} authors, "
                f"{h.lines_of_code} lines."
            )
    note = "" if out else "No warnings: no single-owner areas, abandoned areas or hotspots."
    return tuple(out), note
